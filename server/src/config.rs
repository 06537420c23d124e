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
}
