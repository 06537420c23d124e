//! Configuration from flags and the environment, with defaults that need nothing.
use std::net::SocketAddr;

use clap::Args;

pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Database URL: a `sqlite://` file (created on first run) or a `postgres://` server.
    #[arg(long, env = "DATABASE_URL", default_value = academy_app::db::DEFAULT_DATABASE_URL)]
    pub database_url: String,
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
