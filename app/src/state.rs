//! What every request handler and server function can reach: the database and the config.
//! Nothing shared between server processes lives here in memory; it is in the database. (The
//! catalog shelf is a copy, checked against the database on each use.)
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Mark the session cookie `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// The public base URL, used in links sent by mail and in QR codes.
    pub public_url: String,
    /// The content folder; course images are served from it.
    pub content_dir: std::path::PathBuf,
    /// QR check-in: how codes rotate and when arrivals count as late.
    pub checkin: crate::attendance::CheckinSettings,
    /// Signs check-in codes; the same in every server process (config, or kept in the database).
    pub signing_secret: Vec<u8>,
    /// The `From` of outgoing mail (for `.eml` downloads built outside the worker).
    pub mail_from: String,
    /// How many page renders and server function calls run at once (0: no limit).
    pub max_in_flight: usize,
}

/// The default of `max_in_flight`: enough to keep two cores and the database busy.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            secure_cookies: false,
            public_url: "http://127.0.0.1:3000".into(),
            content_dir: "content".into(),
            checkin: Default::default(),
            signing_secret: Vec::new(),
            mail_from: "清洁生产培训平台 <noreply@academy.local>".into(),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<AppConfig>,
    pub leptos_options: LeptosOptions,
    /// QR check-ins waiting to be written together (see `attendance::queue`).
    pub check_ins: Arc<crate::attendance::queue::CheckInQueue>,
    /// Quiz submissions waiting to be graded together (see `db::queue`).
    pub gradings: Arc<crate::quiz::service::GradeQueue>,
    /// Quiz attempts waiting to be started together.
    pub starts: Arc<crate::quiz::service::StartQueue>,
    /// Quiz answers waiting to be saved together.
    pub saves: Arc<crate::quiz::service::SaveQueue>,
    /// The live catalog, checked against the database's content stamp on every use (see
    /// `catalog::shelf`).
    pub shelf: Arc<crate::catalog::shelf::ShelfCache>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, from inside a server function or a component rendering on the server.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}
