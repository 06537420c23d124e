//! Programmes and their sessions (期), rooms, enrolments with a waitlist, and the sign-in sheet.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod pages;
pub mod periods;
pub mod plan;
pub mod programme;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod calendar;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod service;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionCard {
    pub id: i64,
    pub number: i32,
    pub title_zh: String,
    pub title_en: String,
    pub tiers: Vec<String>,
    /// In the programme's time zone: `2014-07-15`, `09:00`, `12:00`.
    pub date: String,
    pub start: String,
    pub end: String,
    pub room: String,
    pub capacity: u32,
    pub enrolled: u32,
    pub waitlisted: u32,
    /// The signed-in person's place: `enrolled` or `waitlisted`.
    pub my_status: Option<String>,
    /// Their place on the waitlist, from 1.
    pub my_position: Option<u32>,
    /// The periods of a split session (`上午 08:30–12:00`); empty when it is one period.
    pub periods: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub programme_zh: String,
    pub programme_en: String,
    pub days: Vec<String>,
    pub rooms: Vec<String>,
    pub sessions: Vec<SessionCard>,
    /// For schedulers and admins: each room's subscribable calendar (name, URL).
    pub room_feeds: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RosterRow {
    pub person_id: i64,
    pub name: String,
    pub enterprise: String,
    pub tier: String,
    pub status: String,
    pub position: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub card: SessionCard,
    pub programme_zh: String,
    pub venue_zh: String,
    pub lecturers: Vec<String>,
    pub courses: Vec<String>,
    /// For staff only: everyone enrolled, then the waitlist in order.
    pub roster: Option<Vec<RosterRow>>,
    /// The signed-in person may enrol themselves (a trainee of one of the session's tiers).
    pub can_enrol: bool,
    pub can_manage: bool,
    /// May open the check-in projector and mark attendance (instructor, scheduler, admin).
    pub can_project: bool,
    /// For those who manage: the other sessions a person can be moved to (id, label).
    pub move_targets: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnrolOutcome {
    /// `enrolled` or `waitlisted`.
    pub status: String,
    pub position: Option<u32>,
}

/// An action on several people: for how many it was done, and who it failed for (by name or
/// login) with the reason.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bulk {
    pub done: u32,
    pub failed: Vec<(String, AppError)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeView {
    /// `promoted`.
    pub kind: String,
    pub session_id: i64,
    pub session_number: i32,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyPlaces {
    pub sessions: Vec<SessionCard>,
    /// The sessions the person teaches (a lecturer linked to their account), for instructors.
    pub teaching: Vec<SessionCard>,
    pub notices: Vec<NoticeView>,
    /// The person's subscribable calendar (iCalendar) URL.
    pub feed_url: String,
}

/// The language of the request, for messages built on the server.
#[cfg(feature = "ssr")]
fn english() -> bool {
    crate::auth::request::cookie("lang").as_deref() == Some("en")
}

/// The programme's sessions by day and room, with seats taken and the asker's place.
#[server(endpoint = "list_sessions")]
pub async fn list_sessions() -> Result<Schedule, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("list_sessions").await?;
            let state = crate::state::app_state()?;
            let mut schedule = service::schedule(&state.db, &user).await?;
            if user.has_any(&[crate::auth::Role::Scheduler, crate::auth::Role::Admin]) {
                use sea_orm::EntityTrait;
                let base = state.config.public_url.trim_end_matches('/');
                for r in entity::room::Entity::find().all(&state.db).await? {
                    let path = calendar::feed_path(
                        &state.config.signing_secret,
                        calendar::Feed::Room,
                        r.id,
                    );
                    schedule.room_feeds.push((r.name, format!("{base}{path}")));
                }
            }
            Ok(schedule)
        }
        .await,
    )
}

#[server(endpoint = "session_detail")]
pub async fn session_detail(session: i64) -> Result<SessionInfo, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("session_detail").await?;
            let state = crate::state::app_state()?;
            service::detail(&state.db, &user, session).await
        }
        .await,
    )
}

/// A trainee enrols in an open session of their tier; a full one puts them on the waitlist.
#[server(endpoint = "enrol_self")]
pub async fn enrol_self(session: i64) -> Result<EnrolOutcome, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("enrol_self").await?;
            let state = crate::state::app_state()?;
            service::enrol_self(&state.db, &user, session, english(), chrono::Utc::now()).await
        }
        .await,
    )
}

/// Leaves a session (or its waitlist); the first on the waitlist takes the seat.
#[server(endpoint = "cancel_self")]
pub async fn cancel_self(session: i64) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("cancel_self").await?;
            let state = crate::state::app_state()?;
            service::cancel(
                &state.db,
                session,
                user.id,
                &state.config.public_url,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// A scheduler enrols someone by their mobile number or email.
#[server(endpoint = "enrol_person")]
pub async fn enrol_person(session: i64, login: String) -> Result<EnrolOutcome, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("enrol_person").await?;
            let state = crate::state::app_state()?;
            service::enrol_by_login(&state.db, session, &login, english(), chrono::Utc::now()).await
        }
        .await,
    )
}

/// A scheduler cancels someone's place; the waitlist moves up.
#[server(endpoint = "cancel_person")]
pub async fn cancel_person(session: i64, person: i64) -> Result<(), AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("cancel_person").await?;
            let state = crate::state::app_state()?;
            service::cancel(
                &state.db,
                session,
                person,
                &state.config.public_url,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// A scheduler enrols several people at once: mobile numbers or emails, one a line.
#[server(endpoint = "enrol_people")]
pub async fn enrol_people(session: i64, logins: String) -> Result<Bulk, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("enrol_people").await?;
            let state = crate::state::app_state()?;
            let logins = service::parse_logins(&logins)?;
            service::enrol_many(&state.db, session, &logins, english(), chrono::Utc::now()).await
        }
        .await,
    )
}

/// A scheduler moves the selected people (ids, comma-separated) to another session.
#[server(endpoint = "move_people")]
pub async fn move_people(session: i64, people: String, to: i64) -> Result<Bulk, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("move_people").await?;
            let state = crate::state::app_state()?;
            let people = service::parse_ids(&people)?;
            service::move_many(
                &state.db,
                session,
                to,
                &people,
                english(),
                &state.config.public_url,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

/// A scheduler cancels the selected people's places.
#[server(endpoint = "cancel_people")]
pub async fn cancel_people(session: i64, people: String) -> Result<Bulk, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("cancel_people").await?;
            let state = crate::state::app_state()?;
            let people = service::parse_ids(&people)?;
            service::cancel_many(
                &state.db,
                session,
                &people,
                &state.config.public_url,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "my_schedule")]
pub async fn my_schedule() -> Result<MyPlaces, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("my_schedule").await?;
            let state = crate::state::app_state()?;
            let mut places = service::my_schedule(&state.db, &user).await?;
            places.feed_url = format!(
                "{}{}",
                state.config.public_url.trim_end_matches('/'),
                calendar::feed_path(
                    &state.config.signing_secret,
                    calendar::Feed::Person,
                    user.id
                )
            );
            Ok(places)
        }
        .await,
    )
}
