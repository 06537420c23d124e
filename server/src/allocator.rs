//! mimalloc's memory settings, applied before the runtime starts.
//!
//! With its defaults mimalloc keeps freed pages for a second and commits whole arenas eagerly,
//! which cost the server 25–35 MB more at its peak than glibc malloc (README, Benchmarks).
//! Purging freed pages at once and committing arena memory on demand brought the peak back
//! under glibc's while keeping most of mimalloc's speed. An operator can still choose otherwise
//! with mimalloc's own environment variables, which then win.
use libmimalloc_sys::{mi_option_get, mi_option_set, mi_option_t};

/// `mi_option_purge_delay` in mimalloc's `mimalloc.h` (v2 and v3); the Rust binding does not name it.
const PURGE_DELAY: mi_option_t = 15;
/// `mi_option_arena_eager_commit` in mimalloc's `mimalloc.h` (v2 and v3).
const ARENA_EAGER_COMMIT: mi_option_t = 4;

/// The settings this server runs with, as (option, environment variable, value).
const SETTINGS: [(mi_option_t, &str, i64); 2] = [
    (PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 0),
    (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0),
];

/// Makes sure mimalloc starts with the lean settings. mimalloc reads its environment when the
/// process starts, before `main`, and reserves its first arena then; an option set later does
/// not reach that arena (500 certificates peaked at 178 MB with the options set in `main`,
/// 108 MB with them in the environment, 236 MB with neither). So when a setting is missing from
/// the environment, the program runs itself again in place (same process id, arguments and
/// open files) with it added. Should that fail, it goes on with [`tune`].
pub fn start_lean() {
    let missing: Vec<_> = SETTINGS
        .iter()
        .filter(|(_, variable, _)| std::env::var_os(variable).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let mut args = std::env::args_os();
            let mut again = std::process::Command::new(exe);
            if let Some(name) = args.next() {
                again.arg0(name);
            }
            again.args(args);
            for (_, variable, value) in &missing {
                again.env(variable, value.to_string());
            }
            // Returns only when the program could not be started again.
            let err = again.exec();
            eprintln!(
                "academy: could not restart with mimalloc's settings ({err}); setting them late"
            );
        }
    }
    tune();
}

/// Applies the lean settings unless the environment sets the same option.
pub fn tune() {
    for (option, variable, value) in SETTINGS {
        if std::env::var_os(variable).is_none() {
            // SAFETY: mi_option_set only stores an integer in mimalloc's option table.
            unsafe { mi_option_set(option, value as _) };
        }
    }
}

/// The current value of each setting, by environment variable name (for the start-up log).
pub fn settings() -> Vec<(&'static str, i64)> {
    SETTINGS
        .iter()
        // SAFETY: mi_option_get only reads mimalloc's option table.
        .map(|&(option, variable, _)| (variable, unsafe { mi_option_get(option) } as i64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tune_purges_at_once_and_commits_on_demand() {
        // The test runner does not set these; if a developer does, their choice must win.
        let preset: Vec<_> = SETTINGS
            .iter()
            .filter(|(_, v, _)| std::env::var_os(v).is_some())
            .map(|(_, v, _)| *v)
            .collect();
        tune();
        for (variable, value) in settings() {
            if !preset.contains(&variable) {
                assert_eq!(value, 0, "{variable}");
            }
        }
    }

    #[test]
    fn the_option_indexes_name_the_options_we_mean() {
        // Neighbours the binding does name pin our two indexes to mimalloc's enum.
        assert_eq!(
            libmimalloc_sys::mi_option_reserve_os_memory,
            PURGE_DELAY - 6
        );
        assert_eq!(libmimalloc_sys::mi_option_use_numa_nodes, PURGE_DELAY + 1);
        assert_eq!(
            libmimalloc_sys::mi_option_large_os_pages,
            ARENA_EAGER_COMMIT + 2
        );
    }
}
