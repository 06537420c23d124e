//! Attendance: QR self check-in with rotating signed codes, the projector page, roll call with a
//! history of every change, reports, and the progress dashboard (进度考核).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::scheduling::SessionCard;

pub mod pages;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod report;
#[cfg(feature = "ssr")]
pub mod service;

/// How QR check-in behaves; from the server's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckinSettings {
    /// The projected code changes this often.
    pub rotate_seconds: i64,
    /// A code is still accepted this long after it changed.
    pub grace_seconds: i64,
    /// Arrivals later than this after the start are `late`.
    pub late_after_minutes: i64,
    /// Check-in opens this long before the start.
    pub opens_minutes_before: i64,
}

impl Default for CheckinSettings {
    fn default() -> Self {
        CheckinSettings {
            rotate_seconds: 20,
            grace_seconds: 10,
            late_after_minutes: 15,
            opens_minutes_before: 30,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub enrolled: u32,
    pub present: u32,
    pub late: u32,
    pub excused: u32,
    pub absent: u32,
}

impl Counts {
    pub fn checked_in(&self) -> u32 {
        self.present + self.late
    }

    pub fn unmarked(&self) -> u32 {
        self.enrolled
            .saturating_sub(self.present + self.late + self.excused + self.absent)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrival {
    pub name: String,
    pub enterprise: String,
    pub status: String,
    /// `09:03:12`, programme time.
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardView {
    pub session: SessionCard,
    /// The URL inside the QR code.
    pub url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
    pub seconds_left: u32,
    pub rotate_seconds: u32,
    /// Of the period on now (or next).
    pub counts: Counts,
    /// That period of a split session (`下午 13:30–17:00`); empty for one period.
    pub period: String,
    /// Latest first.
    pub arrivals: Vec<Arrival>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInResult {
    pub session_id: i64,
    pub number: i32,
    pub title_zh: String,
    pub title_en: String,
    /// `present` or `late`.
    pub status: String,
    /// Checked in before: nothing changed.
    pub already: bool,
    pub at: String,
    /// The period checked into, for a split session; empty otherwise.
    pub period: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollRow {
    pub person_id: i64,
    pub name: String,
    pub enterprise: String,
    pub tier: String,
    pub status: Option<String>,
    pub note: String,
    /// `qr` or `manual`.
    pub method: Option<String>,
    pub at: Option<String>,
    /// How many times the status changed.
    pub changes: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RollSheet {
    pub session: SessionCard,
    pub counts: Counts,
    pub rows: Vec<RollRow>,
    pub can_mark: bool,
    /// The periods of a split session, as captions; empty for one period.
    pub periods: Vec<String>,
    /// The period this roll is for (0 for a session of one period).
    pub period: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCell {
    pub tier: String,
    pub required: u32,
    pub delegates: u32,
    pub attended: u32,
    pub passed: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseProgress {
    pub id: i64,
    pub name: String,
    pub district: String,
    pub tiers: Vec<TierCell>,
    pub done: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictProgress {
    pub name: String,
    pub enterprises: u32,
    pub done: u32,
    pub percent: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReport {
    /// Quota tiers first, in the programme's order, then any other tier sent.
    pub tiers: Vec<String>,
    pub districts: Vec<DistrictProgress>,
    pub enterprises: Vec<EnterpriseProgress>,
    pub total: u32,
    pub done: u32,
    pub percent: u32,
    /// Set for a district official: the one district shown.
    pub scope: Option<String>,
}

/// The projector page's data: the current code and who has arrived.
#[server(endpoint = "projector_board")]
pub async fn projector_board(session: i64) -> Result<BoardView, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("projector_board").await?;
            let state = crate::state::app_state()?;
            service::board(&state.db, &state.config, &user, session, chrono::Utc::now()).await
        }
        .await,
    )
}

/// A trainee checks in with the code they scanned.
#[server(endpoint = "check_in")]
pub async fn check_in(token: String) -> Result<CheckInResult, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("check_in").await?;
            let state = crate::state::app_state()?;
            service::check_in(
                &state.db,
                &state.config,
                &state.check_ins,
                &user,
                &token,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "roll_call")]
/// One period's roll (`period` left out: the period on now, or next).
pub async fn roll_call(
    session: i64,
    #[server(default)] period: Option<i32>,
) -> Result<RollSheet, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("roll_call").await?;
            let state = crate::state::app_state()?;
            service::roll_call(&state.db, &user, session, period, chrono::Utc::now()).await
        }
        .await,
    )
}

/// An instructor or scheduler sets one trainee's status (and note) in one period (0 for a
/// session of one period).
#[server(endpoint = "mark_attendance")]
pub async fn mark_attendance(
    session: i64,
    person: i64,
    status: String,
    #[server(default)] note: String,
    #[server(default)] period: i32,
) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("mark_attendance").await?;
            let state = crate::state::app_state()?;
            service::mark(
                &state.db,
                &user,
                service::Seat {
                    session,
                    person,
                    period,
                },
                &status,
                &note,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// Marks everyone not yet marked in the period as absent; returns how many.
#[server(endpoint = "mark_rest_absent")]
pub async fn mark_rest_absent(
    session: i64,
    #[server(default)] period: i32,
) -> Result<u32, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("mark_rest_absent").await?;
            let state = crate::state::app_state()?;
            service::mark_rest_absent(&state.db, &user, session, period, chrono::Utc::now()).await
        }
        .await,
    )
}

/// The progress dashboard: all districts for organisers, one for a district official.
#[server(endpoint = "progress_overview")]
pub async fn progress_overview() -> Result<ProgressReport, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("progress_overview").await?;
            let state = crate::state::app_state()?;
            service::progress(&state.db, &user).await
        }
        .await,
    )
}
