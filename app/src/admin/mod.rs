//! Administration: people and their roles, first-login links, the audit log.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::error::AppError;

pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub enterprise: Option<String>,
    pub district: Option<String>,
    pub tier: Option<String>,
    pub roles: Vec<Role>,
    pub has_password: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeoplePage {
    pub rows: Vec<PersonRow>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictOption {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreatedPerson {
    pub id: i64,
    /// The first-login path (`/welcome/<token>`), shown to the creator until mail exists.
    pub login_path: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub detail: String,
}

/// People, searchable and filtered; a district official sees only their own district.
#[server(endpoint = "list_people")]
pub async fn list_people(
    query: Option<String>,
    role: Option<String>,
    district_id: Option<String>,
    #[server(default)] enterprise: Option<String>,
    page: Option<u64>,
) -> Result<PeoplePage, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("list_people").await?;
            let state = crate::state::app_state()?;
            let filter = service::PeopleFilter {
                id: None,
                query: query.filter(|q| !q.trim().is_empty()),
                enterprise: enterprise.filter(|e| !e.trim().is_empty()),
                role: role.as_deref().and_then(Role::parse),
                district_id: service::scoped_district(
                    &user,
                    service::parse_id("district_id", district_id.as_deref())?,
                )?,
                page: page.unwrap_or(1).max(1),
            };
            service::list_people(&state.db, &filter).await
        }
        .await,
    )
}

#[server(endpoint = "list_districts")]
pub async fn list_districts() -> Result<Vec<DistrictOption>, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("list_districts").await?;
            let state = crate::state::app_state()?;
            service::list_districts(&state.db).await
        }
        .await,
    )
}

/// Creates a person with roles and returns their one-time first-login link.
#[server(endpoint = "create_person")]
pub async fn create_person(
    name: String,
    phone: Option<String>,
    email: Option<String>,
    tier: Option<String>,
    role: String,
    district_id: Option<String>,
) -> Result<CreatedPerson, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("create_person").await?;
            let state = crate::state::app_state()?;
            let input = service::PersonForCreate::parse(
                &name,
                phone.as_deref(),
                email.as_deref(),
                tier.as_deref(),
                &[role],
                service::parse_id("district_id", district_id.as_deref())?,
            )?;
            // Only an admin hands out staff roles; a scheduler creates trainees and instructors.
            if !user.has(Role::Admin)
                && input
                    .roles
                    .iter()
                    .any(|r| !matches!(r, Role::Trainee | Role::Instructor))
            {
                return Err(AppError::Forbidden);
            }
            service::create_person_mailing(&state.db, &user, input, Some(&state.config.public_url))
                .await
        }
        .await,
    )
}

/// Replaces a person's roles.
#[server(endpoint = "set_roles")]
pub async fn set_roles(
    person_id: i64,
    roles: String,
    district_id: Option<String>,
) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("set_roles").await?;
            let state = crate::state::app_state()?;
            let district_id = service::parse_id("district_id", district_id.as_deref())?;
            let roles: Vec<String> = roles.split(',').map(str::to_string).collect();
            let roles = service::parse_roles(&roles, district_id)?;
            service::set_roles(&state.db, &user, person_id, &roles, district_id).await
        }
        .await,
    )
}

/// A new first-login link for a person (the old ones stay valid until they expire or are used).
#[server(endpoint = "issue_login_link")]
pub async fn issue_login_link(person_id: i64) -> Result<CreatedPerson, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("issue_login_link").await?;
            let state = crate::state::app_state()?;
            service::issue_link(&state.db, &user, person_id, &state.config.public_url).await
        }
        .await,
    )
}

/// One person for the admin page: roles, district, and their live sessions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonAccount {
    pub row: PersonRow,
    pub district_id: Option<i64>,
    pub sessions: Vec<SessionRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    pub created_at: String,
    pub expires_at: String,
    pub user_agent: String,
}

#[server(endpoint = "person_admin")]
pub async fn person_admin(person_id: i64) -> Result<PersonAccount, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("person_admin").await?;
            let state = crate::state::app_state()?;
            service::person_admin(&state.db, &user, person_id, chrono::Utc::now()).await
        }
        .await,
    )
}

/// Ends every session of a person: they must sign in again everywhere.
#[server(endpoint = "revoke_sessions")]
pub async fn revoke_sessions(person_id: i64) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("revoke_sessions").await?;
            let state = crate::state::app_state()?;
            service::revoke_sessions(&state.db, &user, person_id, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(endpoint = "list_audit_log")]
pub async fn list_audit_log(
    action: Option<String>,
    actor: Option<String>,
) -> Result<Vec<AuditRow>, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("list_audit_log").await?;
            let state = crate::state::app_state()?;
            service::list_audit_log(&state.db, action, actor).await
        }
        .await,
    )
}
