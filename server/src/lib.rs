//! The `academy` server: configuration, the axum router around the Leptos app, start-up
//! (migrations) and graceful shutdown. Integration tests start it on port 0 with a fresh database.
pub mod allocator;
pub mod config;
pub mod downloads;
pub mod routes;
pub mod seed;
pub mod smtp_sink;

use std::sync::Arc;

use academy_app::state::{AppConfig, AppState};
use academy_migrations::{Migrator, MigratorTrait};
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

pub use config::{DbArgs, ServeArgs};

/// Opens the database and brings its schema up to date.
pub async fn open_database(url: &str) -> anyhow::Result<DatabaseConnection> {
    open_database_with(url, None).await
}

/// [`open_database`] with `connections` in the pool instead of the default.
pub async fn open_database_with(
    url: &str,
    connections: Option<u32>,
) -> anyhow::Result<DatabaseConnection> {
    let db = academy_app::db::connect_with(url, connections)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database {}: {e}", redact(url)))?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// A database URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub fn leptos_options(args: &ServeArgs, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("academy")
        .site_root(args.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// Builds the state and serves until `shutdown` completes. Returns when the server has stopped.
pub async fn serve(
    db: DatabaseConnection,
    args: ServeArgs,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use axum::serve::ListenerExt;

    let addr = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let mail = args
        .mail
        .settings(&public_url)
        .map_err(|e| anyhow::anyhow!("mail settings: {e}"))?;
    let signing_secret = match academy_app::attendance::service::signing_secret(
        &db,
        args.secret.as_deref(),
    )
    .await
    {
        Ok(secret) => secret,
        Err(err) => {
            // The database is down at start: serve anyway (health checks report it) with a
            // random secret of this process, so check-in codes stay unforgeable.
            tracing::error!(error = %err, "cannot load the shared signing secret; using one for this process only");
            academy_app::attendance::service::process_secret()
        }
    };
    let state = AppState {
        db,
        config: Arc::new(AppConfig {
            secure_cookies: args.secure_cookies,
            public_url,
            content_dir: args.content_dir.clone(),
            checkin: args.checkin(),
            signing_secret,
            mail_from: mail.from.clone(),
            max_in_flight: args.max_in_flight,
        }),
        leptos_options: leptos_options(&args, addr),
        check_ins: Default::default(),
        gradings: Default::default(),
        starts: Default::default(),
        saves: Default::default(),
        shelf: Default::default(),
    };
    let sweeper = tokio::spawn(sweep_overdue_attempts(
        state.db.clone(),
        std::time::Duration::from_secs(args.quiz_sweep_seconds.max(1)),
    ));
    let mailer = args
        .mail
        .mail_worker
        .then(|| tokio::spawn(academy_app::mail::worker::run(state.db.clone(), mail)));
    let router = routes::router(state);
    // Without TCP_NODELAY a streamed SSR page stalls ~40 ms on delayed ACKs.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    sweeper.abort();
    if let Some(m) = mailer {
        m.abort();
    }
    Ok(())
}

/// Grades quiz attempts whose deadline passed, whatever their browsers do. Every server process
/// runs it; grading is a conditional update, so two processes never grade one attempt twice.
async fn sweep_overdue_attempts(db: DatabaseConnection, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match academy_app::quiz::service::grade_overdue(&db, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(graded = n, "graded quiz attempts whose time ran out"),
            Err(err) => tracing::warn!(error = %err, "could not grade overdue quiz attempts"),
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/academy"),
            "postgres://app:***@db:5432/academy"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(
            redact("sqlite://data/academy.db"),
            "sqlite://data/academy.db"
        );
    }
}
pub mod content_cmd;
