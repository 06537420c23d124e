//! Mail for the whole product. Every message is first a row in the outbox, written in the same
//! transaction as what it announces (an issued certificate, a waitlist promotion, a reminder); a
//! worker in every server process sends it over SMTP (or writes an `.eml` file when no SMTP
//! server is configured), retries with back-off, and records each try.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod templates;
#[cfg(feature = "ssr")]
pub mod worker;

/// What is attached, made at send time from what the row names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Attachment {
    CertificatePdf { serial: String },
    SessionIcs { session_id: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRow {
    pub id: i64,
    pub kind: String,
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
}

/// One bulk action's messages: counts for the progress bar and each recipient's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchProgress {
    pub batch: String,
    pub total: u32,
    pub queued: u32,
    pub sent: u32,
    pub failed: u32,
    pub rows: Vec<MailRow>,
}

impl BatchProgress {
    pub fn done(&self) -> bool {
        self.queued == 0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub queued: u32,
    pub sent: u32,
    pub failed: u32,
    pub rows: Vec<MailRow>,
}

/// The outbox, newest first (`status`: empty for all, or `queued`, `sent`, `failed`).
#[server(endpoint = "mail_outbox")]
pub async fn mail_outbox(#[server(default)] status: String) -> Result<OutboxPage, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("mail_outbox").await?;
            let state = crate::state::app_state()?;
            let status = Some(status.trim()).filter(|s| !s.is_empty());
            service::page(&state.db, status, 200).await
        }
        .await,
    )
}

/// How far a bulk send has got.
#[server(endpoint = "mail_batch")]
pub async fn mail_batch(batch: String) -> Result<BatchProgress, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("mail_batch").await?;
            let state = crate::state::app_state()?;
            service::batch_progress(&state.db, batch.trim()).await
        }
        .await,
    )
}

/// Queues failed messages again (of one batch, or all when `batch` is empty).
#[server(endpoint = "retry_mail")]
pub async fn retry_mail(#[server(default)] batch: String) -> Result<u32, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("retry_mail").await?;
            let state = crate::state::app_state()?;
            let batch = Some(batch.trim()).filter(|b| !b.is_empty());
            let n = service::retry_failed(&state.db, batch, chrono::Utc::now()).await?;
            crate::auth::service::audit(
                &state.db,
                Some(&user),
                "mail.retry",
                None,
                serde_json::json!({"batch": batch, "requeued": n}),
            )
            .await?;
            Ok(n)
        }
        .await,
    )
}

/// Queues a fresh copy of a sent message (the recipient says it never came); returns its id.
#[server(endpoint = "resend_mail")]
pub async fn resend_mail(id: i64) -> Result<i64, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("resend_mail").await?;
            let state = crate::state::app_state()?;
            service::resend(
                &state.db,
                &user,
                id,
                &state.config.public_url,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}
