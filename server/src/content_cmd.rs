//! `academy content check [DIR]`: validates the content folder and reports every problem as
//! `path:line: message` on stderr. `academy content sync [DIR]` (and `serve` at start) loads it
//! into the database.
use std::path::Path;

use academy_app::catalog::{content, sync::SyncReport};
use sea_orm::DatabaseConnection;

/// Validates the content under `root` and loads it into the database. Nothing is written when
/// any file has a problem; the problems are printed to stderr.
pub async fn sync(db: &DatabaseConnection, root: &Path) -> anyhow::Result<SyncReport> {
    let set = match content::load(root) {
        Ok(set) => set,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            anyhow::bail!(
                "{} problems in {}: nothing was loaded",
                problems.len(),
                root.display()
            )
        }
    };
    academy_app::catalog::sync::sync(db, &set, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("could not load the content into the database: {e}"))
}

/// Prints each problem to stderr and fails if there is any; otherwise prints a summary.
pub fn check(root: &Path) -> anyhow::Result<()> {
    match content::load(root) {
        Ok(set) => {
            println!(
                "content ok: {} courses, {} lessons, {} quiz questions, {} programmes",
                set.courses.len(),
                set.lesson_count(),
                set.question_count(),
                set.programmes.len()
            );
            Ok(())
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            anyhow::bail!("{} problems in {}", problems.len(), root.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn the_real_content_checks_ok() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        super::check(&root).unwrap();
    }

    #[test]
    fn a_missing_content_folder_is_an_error_naming_the_folder() {
        let root = std::env::temp_dir().join(format!("academy-no-content-{}", std::process::id()));
        let err = super::check(&root).unwrap_err().to_string();
        assert!(err.starts_with("1 problems in "), "{err}");
        assert!(err.contains("academy-no-content"), "{err}");
    }
}
