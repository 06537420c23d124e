//! The planner (排课, `/admin/plan`): the training school builds the programme's sessions,
//! rooms and lecturers in the browser, and is refused a clash with what is in the way named.
//! It also shows which enterprises have not yet put enough delegates of a tier into a session.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod page;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;

/// The session form as typed; lists are comma-separated (tier codes, course ids, lecturer ids).
/// `id` is 0 for a new session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDraft {
    pub id: i64,
    pub number: String,
    pub title_zh: String,
    pub title_en: String,
    pub tiers: String,
    pub courses: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub room: String,
    pub capacity: String,
    pub lecturers: String,
    /// `上午 08:30-12:00；下午 13:30-17:00`, or blank for a session of one period.
    #[serde(default)]
    pub periods: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanRoom {
    pub id: i64,
    pub name: String,
    pub capacity: u32,
    pub sessions: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanLecturer {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    /// The linked account's name, when the lecturer has one.
    pub account: Option<String>,
    /// The login (phone or email) that links the account; empty without one.
    pub login: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanSession {
    pub id: i64,
    pub number: i32,
    pub title_zh: String,
    pub title_en: String,
    pub tiers: Vec<String>,
    pub courses: Vec<String>,
    /// Local to the programme: `2014-07-15`, `09:00`, `12:00`.
    pub date: String,
    pub start: String,
    pub end: String,
    pub room_id: i64,
    pub room: String,
    pub capacity: u32,
    pub enrolled: u32,
    pub lecturer_ids: Vec<i64>,
    pub lecturers: Vec<String>,
    /// As the form writes them; empty when the session is one period.
    pub periods: String,
}

impl PlanSession {
    /// The form filled with this session, for editing.
    pub fn draft(&self) -> SessionDraft {
        let join = |v: &[String]| v.join(",");
        SessionDraft {
            id: self.id,
            number: self.number.to_string(),
            title_zh: self.title_zh.clone(),
            title_en: self.title_en.clone(),
            tiers: join(&self.tiers),
            courses: join(&self.courses),
            date: self.date.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            room: self.room_id.to_string(),
            capacity: self.capacity.to_string(),
            lecturers: self
                .lecturer_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            periods: self.periods.clone(),
        }
    }
}

/// An enterprise that has put fewer delegates of a tier into the programme's sessions than its
/// quota asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    pub enterprise: String,
    pub district_zh: String,
    pub district_en: String,
    pub tier: String,
    pub required: u32,
    /// Delegates of the tier on file.
    pub registered: u32,
    /// Of them, holding a seat in a session.
    pub enrolled: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub programme_zh: String,
    pub programme_en: String,
    pub starts_on: String,
    pub ends_on: String,
    pub rooms: Vec<PlanRoom>,
    pub lecturers: Vec<PlanLecturer>,
    pub sessions: Vec<PlanSession>,
    /// Course id, Chinese title, English title.
    pub courses: Vec<(String, String, String)>,
    /// The quotas, as (tier, minimum per enterprise).
    pub quotas: Vec<(String, u32)>,
    pub enterprises: u32,
    pub shortfalls: Vec<Shortfall>,
}

impl Plan {
    /// An empty form for the next session: the next number, the first day and room.
    pub fn blank(&self) -> SessionDraft {
        let next = self.sessions.iter().map(|s| s.number).max().unwrap_or(0) + 1;
        SessionDraft {
            number: next.to_string(),
            date: self.starts_on.clone(),
            start: "09:00".into(),
            end: "12:00".into(),
            room: self
                .rooms
                .first()
                .map(|r| r.id.to_string())
                .unwrap_or_default(),
            ..Default::default()
        }
    }
}

#[cfg(feature = "ssr")]
fn english() -> bool {
    crate::auth::request::cookie("lang").as_deref() == Some("en")
}

#[server(endpoint = "plan_overview")]
pub async fn plan_overview() -> Result<Plan, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("plan_overview").await?;
            let state = crate::state::app_state()?;
            service::overview(&state.db).await
        }
        .await,
    )
}

/// Creates (id 0) or changes a session; a clash is refused with what is in the way named.
#[server(endpoint = "save_session")]
pub async fn save_session(draft: SessionDraft) -> Result<i64, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("save_session").await?;
            let state = crate::state::app_state()?;
            service::save_session(&state.db, &draft, english()).await
        }
        .await,
    )
}

/// Removes a session nobody holds a place in.
#[server(endpoint = "delete_session")]
pub async fn delete_session(session: i64) -> Result<(), AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("delete_session").await?;
            let state = crate::state::app_state()?;
            service::delete_session(&state.db, session, english()).await
        }
        .await,
    )
}

/// Creates (id 0) or changes a room of the programme.
#[server(endpoint = "save_room")]
pub async fn save_room(id: i64, name: String, capacity: String) -> Result<i64, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("save_room").await?;
            let state = crate::state::app_state()?;
            service::save_room(&state.db, id, &name, &capacity, english()).await
        }
        .await,
    )
}

/// Creates (id 0) or changes a lecturer; `login` (a mobile number or email) links an account.
#[server(endpoint = "save_lecturer")]
pub async fn save_lecturer(
    id: i64,
    name: String,
    organisation: String,
    login: String,
) -> Result<i64, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("save_lecturer").await?;
            let state = crate::state::app_state()?;
            service::save_lecturer(&state.db, id, &name, &organisation, &login, english()).await
        }
        .await,
    )
}
