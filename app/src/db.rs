//! Opening the database: SQLite by default (a file created on first use), PostgreSQL when the
//! URL says so. Everything else in the code is the same for both.
pub mod queue;

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use tokio::sync::{Mutex, MutexGuard};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/academy.db";

/// Rows (or `IN` values) one statement carries at most when work is batched: far below the
/// bind-parameter limits of SQLite (32,766) and PostgreSQL (65,535) even for the widest table.
pub const BATCH: usize = 200;

/// Connections kept open by default: SQLite runs one writer at a time whatever the number, and
/// each connection is a thread of its own.
pub const SQLITE_CONNECTIONS: u32 = 8;
pub const POSTGRES_CONNECTIONS: u32 = 20;

/// Connects, creating the SQLite file (and its folder) when it does not exist yet.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, None).await
}

/// [`connect`] with `connections` in the pool instead of the default.
pub async fn connect_with(
    url: &str,
    connections: Option<u32>,
) -> Result<DatabaseConnection, DbErr> {
    let mut url = url.to_string();
    if let Some(path) = sqlite_path(&url) {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
        if !url.contains('?') {
            url.push_str("?mode=rwc");
        }
    }
    let is_sqlite = url.starts_with("sqlite:");
    let mut opts = ConnectOptions::new(url);
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if is_sqlite {
        // One writer at a time is SQLite's rule: WAL lets readers go on while it writes, and the
        // busy timeout makes a second writer wait its turn instead of failing.
        opts.max_connections(connections.unwrap_or(SQLITE_CONNECTIONS))
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
    } else {
        opts.max_connections(connections.unwrap_or(POSTGRES_CONNECTIONS));
    }
    Database::connect(opts).await
}

/// The turn of the one writer SQLite allows at a time, for this process.
static WRITER: Mutex<()> = Mutex::const_new(());

/// Waits for this process's turn to write to SQLite (nothing to wait for on PostgreSQL, which
/// takes concurrent writers). Without it, a writer that finds the file locked sleeps in growing
/// steps (up to 100 ms) before it looks again: under a burst (everyone scanning the projected
/// code, 2,000 saving answers) those sleeps, not the work, made the slowest requests. Here the
/// writers queue in order and each starts the moment the one before it is done.
///
/// Hold the guard for the writes (a whole write transaction) and nothing else: it is not
/// re-entrant, so a function holding it must not call another that takes it.
pub async fn writer_turn(db: &impl ConnectionTrait) -> Option<MutexGuard<'static, ()>> {
    match db.get_database_backend() {
        DbBackend::Sqlite => Some(WRITER.lock().await),
        _ => None,
    }
}

/// The file path of a `sqlite:` URL, or `None` for another database or an in-memory one.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::{connect, sqlite_path, writer_turn, WRITER};

    #[tokio::test]
    async fn sqlite_writers_take_turns() {
        let db = connect("sqlite::memory:").await.unwrap();
        let turn = writer_turn(&db).await;
        assert!(turn.is_some());
        assert!(
            WRITER.try_lock().is_err(),
            "a second writer waits while the first holds the turn"
        );
        drop(turn);
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://data/academy.db").as_deref(),
            Some("data/academy.db")
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/a.db?mode=rwc").as_deref(),
            Some("/tmp/a.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://postgres@127.0.0.1/x"), None);
    }
}
