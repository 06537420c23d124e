//! Password hashing on a few threads of its own. Argon2 spends 19 MiB and tens of milliseconds
//! on each check, on purpose, so the checks queue for as many threads as there are cores (no
//! more could run at once anyway) and each thread keeps its 19 MiB for the next check.
//!
//! Before, each check ran on tokio's blocking pool with a semaphore of one permit per core. The
//! pool started a fresh thread whenever a permit came back before its thread was idle again, and
//! every fresh thread got a fresh allocator arena holding its own 19 MiB: a hundred people
//! signing in at once took the server from 100 MB to 444 MB.
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{LazyLock, Mutex, PoisonError};

use argon2::password_hash::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::{AppError, AppResult};

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

static QUEUE: LazyLock<Mutex<Sender<Job>>> = LazyLock::new(|| {
    let (jobs, queue) = channel::<Job>();
    let queue = std::sync::Arc::new(Mutex::new(queue));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    for n in 0..threads {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("password-hashing-{n}"))
            .spawn(move || work(&queue));
        if let Err(err) = spawned {
            tracing::error!(%err, "could not start a password-hashing thread");
        }
    }
    Mutex::new(jobs)
});

fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory = Vec::new();
    loop {
        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = job else { return };
        // A job that panics drops its reply, which its caller sees as an internal error; the
        // thread goes on with the next job.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
    }
}

/// Runs `work` on a hashing thread, in its turn, with that thread's Argon2 working memory.
pub async fn in_turn<T: Send + 'static>(
    work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
) -> AppResult<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move |memory| {
        let _ = reply.send(work(memory));
    });
    QUEUE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .send(job)
        .map_err(|_| AppError::Internal)?;
    answer.await.map_err(|_| AppError::Internal)
}

/// Checks a password against a stored PHC hash string (argon2id, argon2i or argon2d, with the
/// parameters the hash names), working in `memory`, which grows to what the hash needs.
pub fn verify_with(password: &str, hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
        parsed.salt,
        parsed.hash,
    ) else {
        return false;
    };
    let version = match parsed.version {
        Some(v) => match Version::try_from(v) {
            Ok(version) => version,
            Err(_) => return false,
        },
        None => Version::default(),
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..blocks])
        .is_err()
    {
        return false;
    }
    // `Output`'s equality takes the same time wherever the bytes differ.
    argon2::password_hash::Output::new(&out).is_ok_and(|out| out == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, SaltString};

    fn standard_hash(password: &str, argon: Argon2<'_>) -> String {
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        argon
            .hash_password(password.as_bytes(), &salt)
            .unwrap()
            .to_string()
    }

    #[test]
    fn checks_what_the_standard_hasher_wrote_and_only_that() {
        let mut memory = Vec::new();
        let hash = standard_hash("correct horse", Argon2::default());
        assert!(verify_with("correct horse", &hash, &mut memory));
        assert!(!verify_with("correct hors", &hash, &mut memory));
        assert!(!verify_with("", &hash, &mut memory));
        assert_eq!(memory.len(), Params::default().block_count());
    }

    #[test]
    fn follows_the_parameters_the_hash_names() {
        let small = Params::new(1024, 1, 1, Some(24)).unwrap();
        let hash = standard_hash(
            "s3cret-pass",
            Argon2::new(Algorithm::Argon2i, Version::V0x10, small),
        );
        assert!(hash.starts_with("$argon2i$v=16$m=1024,t=1,p=1$"));
        let mut memory = Vec::new();
        assert!(verify_with("s3cret-pass", &hash, &mut memory));
        assert!(!verify_with("s3cret-pasS", &hash, &mut memory));
        // The memory kept from a larger hash serves a smaller one.
        let mut big = vec![Block::default(); Params::default().block_count()];
        assert!(verify_with("s3cret-pass", &hash, &mut big));
    }

    #[test]
    fn refuses_what_is_not_a_hash() {
        let mut memory = Vec::new();
        for bad in [
            "",
            "plain",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$bcrypt$x$y",
        ] {
            assert!(!verify_with("anything", bad, &mut memory), "{bad}");
        }
    }

    #[tokio::test]
    async fn jobs_answer_and_a_panic_does_not_stop_the_threads() {
        let first = in_turn(|memory: &mut Vec<Block>| {
            memory.resize(8, Block::default());
            memory.len()
        })
        .await
        .unwrap();
        assert_eq!(first, 8);
        // A panicking job answers with an error and leaves the threads working.
        let panicked = in_turn(|_: &mut Vec<Block>| -> usize { panic!("boom") }).await;
        assert_eq!(panicked, Err(AppError::Internal));
        let hash = standard_hash("again", Argon2::default());
        let ok = in_turn(move |memory: &mut Vec<Block>| verify_with("again", &hash, memory))
            .await
            .unwrap();
        assert!(ok);
    }
}
