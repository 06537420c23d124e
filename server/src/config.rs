//! Configuration from flags and the environment, with defaults that need nothing.
use std::net::SocketAddr;

use clap::Args;

pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Database URL: a `sqlite://` file (created on first run) or a `postgres://` server.
    #[arg(long, env = "DATABASE_URL", default_value = academy_app::db::DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// Connections the server keeps open to the database (default: 8 for SQLite, 20 for
    /// PostgreSQL). With several processes on one PostgreSQL, keep their sum under its
    /// `max_connections`.
    #[arg(long, env = "ACADEMY_DB_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_connections: Option<u32>,
}

#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ACADEMY_ADDR", default_value = DEFAULT_ADDR)]
    pub addr: SocketAddr,
    /// Folder with the built site (wasm, JS, CSS, assets) that cargo-leptos writes.
    #[arg(long, env = "ACADEMY_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Public base URL used in emailed links and QR codes (defaults to http://ADDR).
    #[arg(long, env = "ACADEMY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The content folder (courses, lessons, quizzes, programmes).
    #[arg(long, env = "ACADEMY_CONTENT_DIR", default_value = "content")]
    pub content_dir: std::path::PathBuf,
    /// Load the content folder into the database when the server starts (`false` to skip).
    #[arg(long, env = "ACADEMY_SYNC_CONTENT", default_value_t = true, action = clap::ArgAction::Set)]
    pub sync_content: bool,
    /// How often the server grades quiz attempts whose time ran out, in seconds.
    #[arg(long, env = "ACADEMY_QUIZ_SWEEP_SECONDS", default_value_t = 5)]
    pub quiz_sweep_seconds: u64,
    /// Mark cookies Secure: set this when the site is served over HTTPS.
    #[arg(long, env = "ACADEMY_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Secret that signs check-in codes; every process behind one site needs the same. Unset:
    /// one is made once and kept in the database, which every process then shares.
    #[arg(long, env = "ACADEMY_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// How often the projected check-in code changes, in seconds.
    #[arg(long, env = "ACADEMY_CHECKIN_ROTATE_SECONDS", default_value_t = 20)]
    pub checkin_rotate_seconds: i64,
    /// How long a code is still accepted after it changed, in seconds.
    #[arg(long, env = "ACADEMY_CHECKIN_GRACE_SECONDS", default_value_t = 10)]
    pub checkin_grace_seconds: i64,
    /// Arrivals later than this many minutes after the start are marked late.
    #[arg(long, env = "ACADEMY_LATE_AFTER_MINUTES", default_value_t = 15)]
    pub late_after_minutes: i64,
    /// Check-in opens this many minutes before a session starts.
    #[arg(long, env = "ACADEMY_CHECKIN_OPENS_MINUTES", default_value_t = 30)]
    pub checkin_opens_minutes: i64,
    /// How many page renders and server function calls run at once; the rest wait their turn
    /// (0: no limit). Static files and `/healthz` are not counted.
    #[arg(long, env = "ACADEMY_MAX_IN_FLIGHT", default_value_t = academy_app::state::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    #[command(flatten)]
    pub mail: MailArgs,
}

/// Mail: an SMTP server, or (when none is set) `.eml` files in a folder.
#[derive(Args, Clone, Debug)]
pub struct MailArgs {
    /// SMTP server host name. Unset: messages are written as `.eml` files to the outbox folder.
    #[arg(long, env = "ACADEMY_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port (default: 587 for starttls, 465 for tls, 25 for none).
    #[arg(long, env = "ACADEMY_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// `starttls`, `tls` (implicit TLS) or `none` (plain, for a relay on a trusted network).
    #[arg(long, env = "ACADEMY_SMTP_TLS", default_value = "starttls")]
    pub smtp_tls: String,
    #[arg(long, env = "ACADEMY_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "ACADEMY_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The From address of every message.
    #[arg(
        long,
        env = "ACADEMY_MAIL_FROM",
        default_value = "清洁生产培训平台 <noreply@academy.local>"
    )]
    pub mail_from: String,
    /// Where messages go as `.eml` files when no SMTP host is set.
    #[arg(long, env = "ACADEMY_OUTBOX_DIR", default_value = "data/outbox")]
    pub outbox_dir: std::path::PathBuf,
    /// Seconds before the first retry of a failed message (doubling each time, at most an hour).
    #[arg(long, env = "ACADEMY_MAIL_RETRY_SECONDS", default_value_t = 30)]
    pub mail_retry_seconds: u64,
    /// How often the mail worker looks for due messages, in milliseconds.
    #[arg(long, env = "ACADEMY_MAIL_POLL_MS", default_value_t = 1000)]
    pub mail_poll_ms: u64,
    /// Messages sent at the same time.
    #[arg(long, env = "ACADEMY_MAIL_CONCURRENCY", default_value_t = 8)]
    pub mail_concurrency: usize,
    /// Seconds a worker holds a message it is sending before another may take it over.
    #[arg(long, env = "ACADEMY_MAIL_LEASE_SECONDS", default_value_t = 120)]
    pub mail_lease_seconds: i64,
    /// Run the mail worker in this process (`false` for a process that only serves pages).
    #[arg(long, env = "ACADEMY_MAIL_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub mail_worker: bool,
}

impl MailArgs {
    /// The worker's settings, or what is wrong with them.
    pub fn settings(
        &self,
        public_url: &str,
    ) -> Result<academy_app::mail::worker::MailSettings, String> {
        use academy_app::mail::worker::{MailSettings, TlsMode, TransportSettings};
        let transport = match self.smtp_host.as_deref().map(str::trim) {
            Some(host) if !host.is_empty() => {
                let tls = TlsMode::parse(&self.smtp_tls).ok_or_else(|| {
                    format!(
                        "ACADEMY_SMTP_TLS must be starttls, tls or none, not {:?}",
                        self.smtp_tls
                    )
                })?;
                let port = self.smtp_port.unwrap_or(match tls {
                    TlsMode::StartTls => 587,
                    TlsMode::Tls => 465,
                    TlsMode::None => 25,
                });
                TransportSettings::Smtp {
                    host: host.to_string(),
                    port,
                    tls,
                    user: self.smtp_user.clone().filter(|u| !u.is_empty()),
                    password: self.smtp_password.clone(),
                }
            }
            _ => TransportSettings::Files(self.outbox_dir.clone()),
        };
        if self.mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "ACADEMY_MAIL_FROM is not a valid address: {:?}",
                self.mail_from
            ));
        }
        Ok(MailSettings {
            transport,
            from: self.mail_from.clone(),
            retry_base_seconds: self.mail_retry_seconds.max(1),
            poll: std::time::Duration::from_millis(self.mail_poll_ms.max(50)),
            concurrency: self.mail_concurrency.clamp(1, 64),
            lease_seconds: self.mail_lease_seconds.max(5),
            public_url: public_url.to_string(),
            reminders: true,
        })
    }
}

impl Default for MailArgs {
    fn default() -> Self {
        MailArgs {
            smtp_host: None,
            smtp_port: None,
            smtp_tls: "starttls".into(),
            smtp_user: None,
            smtp_password: None,
            mail_from: "清洁生产培训平台 <noreply@academy.local>".into(),
            outbox_dir: "data/outbox".into(),
            mail_retry_seconds: 30,
            mail_poll_ms: 1000,
            mail_concurrency: 8,
            mail_lease_seconds: 120,
            mail_worker: true,
        }
    }
}

impl ServeArgs {
    pub fn checkin(&self) -> academy_app::attendance::CheckinSettings {
        academy_app::attendance::CheckinSettings {
            rotate_seconds: self.checkin_rotate_seconds.max(1),
            grace_seconds: self.checkin_grace_seconds.max(0),
            late_after_minutes: self.late_after_minutes.max(0),
            opens_minutes_before: self.checkin_opens_minutes.max(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(Parser)]
    struct Db {
        #[command(flatten)]
        db: super::DbArgs,
    }

    #[test]
    fn the_pool_size_is_a_number_from_one() {
        let parsed = |args: &[&str]| Db::try_parse_from([&["academy"], args].concat());
        assert_eq!(
            parsed(&["--db-connections", "4"])
                .unwrap()
                .db
                .db_connections,
            Some(4)
        );
        for bad in ["0", "-1", "many", "1001"] {
            let err = parsed(&[&format!("--db-connections={bad}")])
                .err()
                .expect(bad);
            assert!(err.to_string().contains("--db-connections"), "{err}");
        }
    }
}
