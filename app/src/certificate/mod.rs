//! Certificates: who is eligible under the programme's rule (and why not), issuing with a serial
//! that cannot be guessed, the PDF, the public verify page, and revocation.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod service;

/// What a certificate states, fixed when it is issued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub name: String,
    pub enterprise: String,
    pub tier_zh: String,
    pub programme: String,
    pub courses: Vec<String>,
    pub hours: f64,
    pub dates: String,
    pub issuers: Vec<String>,
    pub issued_on: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EligibilityRow {
    pub person_id: i64,
    pub name: String,
    pub enterprise: String,
    pub tier: String,
    pub hours_due: f64,
    pub hours_attended: f64,
    pub percent: u32,
    /// The share of hours their tier's rule asks for.
    pub min_percent: u32,
    /// `None` when the tier's courses have no quiz.
    pub quiz_passed: Option<bool>,
    /// Shortfall codes: `no_sessions`, `attendance`, `quiz`.
    pub reasons: Vec<String>,
    pub eligible: bool,
    pub serial: Option<String>,
    pub revoked: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EligibilityList {
    pub programme_zh: String,
    pub programme_en: String,
    pub min_percent: u32,
    pub require_quiz: bool,
    /// The tiers with a rule of their own, and what it asks.
    pub tier_rules: Vec<(String, rules::Requirement)>,
    pub rows: Vec<EligibilityRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueReport {
    pub issued: u32,
    /// Eligible but holding a certificate already.
    pub already: u32,
    /// Eligible, but their certificate was revoked: only a re-issue to them replaces it.
    pub revoked: u32,
    /// The messages that send them, for the progress bar (`None` when none were issued).
    pub batch: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyView {
    pub serial: String,
    pub valid: bool,
    pub name: String,
    pub programme: String,
    pub courses: Vec<String>,
    pub issued_on: String,
    pub issuers: Vec<String>,
    pub revoked_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnCertificate {
    pub serial: String,
    pub programme: String,
    pub issued_on: String,
    pub revoked: bool,
}

/// Everyone with a tier in the current programme: eligible or not, and why.
#[server(endpoint = "certificate_board")]
pub async fn certificate_board() -> Result<EligibilityList, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("certificate_board").await?;
            let state = crate::state::app_state()?;
            service::board(&state.db).await
        }
        .await,
    )
}

/// Issues a certificate to every eligible trainee (of one tier and/or enterprise, or all) who has
/// none yet, and queues the message that sends it.
#[server(endpoint = "issue_certificates")]
pub async fn issue_certificates(
    #[server(default)] tier: String,
    #[server(default)] enterprise: String,
) -> Result<IssueReport, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("issue_certificates").await?;
            let state = crate::state::app_state()?;
            let pick = service::Pick {
                tier: Some(tier.trim()).filter(|t| !t.is_empty()),
                enterprise: Some(enterprise.trim()).filter(|e| !e.is_empty()),
                person: None,
            };
            let now = chrono::Utc::now();
            service::issue(&state.db, &user, pick, &state.config.public_url, now).await
        }
        .await,
    )
}

/// Replaces one person's revoked certificate with a new one (a new serial, the old one stays
/// revoked), and queues the message that sends it.
#[server(endpoint = "reissue_certificate")]
pub async fn reissue_certificate(person_id: i64) -> Result<IssueReport, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("reissue_certificate").await?;
            let state = crate::state::app_state()?;
            let now = chrono::Utc::now();
            service::reissue(&state.db, &user, person_id, &state.config.public_url, now).await
        }
        .await,
    )
}

#[server(endpoint = "revoke_certificate")]
pub async fn revoke_certificate(serial: String, reason: String) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("revoke_certificate").await?;
            let state = crate::state::app_state()?;
            service::revoke(&state.db, &user, &serial, &reason, chrono::Utc::now()).await
        }
        .await,
    )
}

/// Public: whether a serial is a valid certificate, and what it states (nothing more personal).
#[server(endpoint = "verify_certificate")]
pub async fn verify_certificate(serial: String) -> Result<VerifyView, AppError> {
    crate::error::respond(
        async {
            crate::auth::require("verify_certificate").await?;
            let state = crate::state::app_state()?;
            service::verify(&state.db, &serial).await
        }
        .await,
    )
}

#[server(endpoint = "my_certificates")]
pub async fn my_certificates() -> Result<Vec<OwnCertificate>, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("my_certificates").await?;
            let state = crate::state::app_state()?;
            service::mine(&state.db, &user).await
        }
        .await,
    )
}
