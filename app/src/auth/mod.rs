//! Accounts, roles and access control: sign-in, sessions, first-login links, the policy table
//! and the audit log. Every server function starts with [`require`], which applies the rule the
//! policy table holds for it.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod pages;
pub mod policy;
pub mod role;

#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod hashing;
#[cfg(feature = "ssr")]
pub mod request;
#[cfg(feature = "ssr")]
pub mod service;

pub use role::Role;

/// The signed-in person, as the server knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub name: String,
    pub roles: Vec<Role>,
    /// For a district official: the district they may see.
    pub district_id: Option<i64>,
    pub enterprise_id: Option<i64>,
    pub tier: Option<String>,
}

impl CurrentUser {
    /// Someone with these roles and nothing else (no district, enterprise or tier): the system
    /// acting on its own behalf, or a person in a test.
    pub fn with_roles(id: i64, name: impl Into<String>, roles: &[Role]) -> Self {
        CurrentUser {
            id,
            name: name.into(),
            roles: roles.to_vec(),
            district_id: None,
            enterprise_id: None,
            tier: None,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}

/// Applies the policy rule of `endpoint` to whoever is asking; returns them (if signed in).
#[cfg(feature = "ssr")]
pub async fn require(endpoint: &str) -> Result<Option<CurrentUser>, AppError> {
    use policy::{decide, rule_for, Decision};
    let Some(rule) = rule_for(endpoint) else {
        tracing::error!(endpoint, "server function without a policy rule: refused");
        return Err(AppError::Forbidden);
    };
    let user = request::current_user().await?;
    match decide(rule, user.as_ref()) {
        Decision::Allow => Ok(user),
        Decision::SignInRequired => Err(AppError::Unauthorized),
        Decision::Deny => Err(AppError::Forbidden),
    }
}

/// Like [`require`] for rules that need a signed-in person: returns them.
#[cfg(feature = "ssr")]
pub async fn require_user(endpoint: &str) -> Result<CurrentUser, AppError> {
    require(endpoint).await?.ok_or(AppError::Unauthorized)
}

/// Who is signed in, for the header and for pages that adapt to the role.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    crate::error::respond(require("whoami").await)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInFailure {
    Invalid,
    Throttled,
}

/// Signs in with a phone number or email and a password; sets the session cookie.
#[server(endpoint = "sign_in")]
pub async fn sign_in(
    identifier: String,
    password: String,
    next: Option<String>,
) -> Result<Option<SignInFailure>, AppError> {
    crate::error::respond(
        async {
            require("sign_in").await?;
            let state = crate::state::app_state()?;
            let now = chrono::Utc::now();
            let ip = request::client_ip();
            match service::sign_in(&state.db, &identifier, &password, ip.as_deref(), now).await? {
                Ok(person_id) => {
                    let token =
                        service::create_session(&state.db, person_id, request::user_agent(), now)
                            .await?;
                    request::set_session_cookie(&token, state.config.secure_cookies);
                    let user = service::load_user(&state.db, person_id).await?;
                    service::audit(
                        &state.db,
                        user.as_ref(),
                        "sign_in",
                        None,
                        serde_json::json!({}),
                    )
                    .await?;
                    leptos_axum::redirect(&safe_next(next.as_deref()));
                    Ok(None)
                }
                Err(service::SignInError::Invalid) => Ok(Some(SignInFailure::Invalid)),
                Err(service::SignInError::Throttled) => Ok(Some(SignInFailure::Throttled)),
            }
        }
        .await,
    )
}

/// Only a local path is a place to go after signing in: never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            p.to_string()
        }
        _ => "/account".to_string(),
    }
}

/// Ends the session on the server and clears the cookie.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = require("sign_out").await?;
            let state = crate::state::app_state()?;
            if let Some(token) = request::session_token() {
                service::revoke_session(&state.db, &token, chrono::Utc::now()).await?;
            }
            if user.is_some() {
                service::audit(
                    &state.db,
                    user.as_ref(),
                    "sign_out",
                    None,
                    serde_json::json!({}),
                )
                .await?;
            }
            request::clear_session_cookie(state.config.secure_cookies);
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordProblem {
    WrongCurrent,
    TooShort,
    TooSimple,
    Mismatch,
}

#[cfg(feature = "ssr")]
fn password_problem(new: &str, confirm: &str) -> Option<PasswordProblem> {
    if new != confirm {
        return Some(PasswordProblem::Mismatch);
    }
    match service::check_new_password(new) {
        Ok(()) => None,
        Err("password_too_short") => Some(PasswordProblem::TooShort),
        Err(_) => Some(PasswordProblem::TooSimple),
    }
}

/// Changes the signed-in person's password; other sessions of theirs end.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    confirm: String,
) -> Result<Option<PasswordProblem>, AppError> {
    crate::error::respond(
        async {
            let user = require_user("change_password").await?;
            let state = crate::state::app_state()?;
            let person = crate::people::entity::person::Entity::find_by_id(user.id)
                .one(&state.db)
                .await?
                .ok_or(AppError::NotFound)?;
            let ok = match person.password_hash.as_deref() {
                Some(h) => service::check_password(&current, h).await?,
                None => false,
            };
            if !ok {
                return Ok(Some(PasswordProblem::WrongCurrent));
            }
            if let Some(problem) = password_problem(&new_password, &confirm) {
                return Ok(Some(problem));
            }
            let now = chrono::Utc::now();
            service::set_password(&state.db, user.id, &new_password).await?;
            service::revoke_all_sessions(&state.db, user.id, now).await?;
            let token =
                service::create_session(&state.db, user.id, request::user_agent(), now).await?;
            request::set_session_cookie(&token, state.config.secure_cookies);
            service::audit(
                &state.db,
                Some(&user),
                "change_password",
                None,
                serde_json::json!({}),
            )
            .await?;
            Ok(None)
        }
        .await,
    )
}

/// Sets the first password through a one-time link and signs the person in.
#[server(endpoint = "redeem_login_link")]
pub async fn redeem_login_link(
    token: String,
    new_password: String,
    confirm: String,
) -> Result<Option<PasswordProblem>, AppError> {
    crate::error::respond(
        async {
            require("redeem_login_link").await?;
            if let Some(problem) = password_problem(&new_password, &confirm) {
                return Ok(Some(problem));
            }
            let state = crate::state::app_state()?;
            let now = chrono::Utc::now();
            let person_id = service::redeem_login_token(&state.db, &token, &new_password, now)
                .await?
                .ok_or(AppError::NotFound)?;
            let session =
                service::create_session(&state.db, person_id, request::user_agent(), now).await?;
            request::set_session_cookie(&session, state.config.secure_cookies);
            let user = service::load_user(&state.db, person_id).await?;
            service::audit(
                &state.db,
                user.as_ref(),
                "first_login",
                None,
                serde_json::json!({}),
            )
            .await?;
            leptos_axum::redirect("/account");
            Ok(None)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
use sea_orm::EntityTrait;

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin/people?q=1")), "/admin/people?q=1");
        assert_eq!(safe_next(Some("//evil.example")), "/account");
        assert_eq!(safe_next(Some("https://evil.example")), "/account");
        assert_eq!(safe_next(Some("/a\\b")), "/account");
        assert_eq!(safe_next(Some("/\r\nSet-Cookie")), "/account");
        assert_eq!(safe_next(None), "/account");
    }
}
