//! What the auth layer reads from and writes to the HTTP exchange: the session cookie, the
//! client's address and user agent.
use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::service::{self, SESSION_COOKIE, SESSION_DAYS};
use super::CurrentUser;
use crate::error::AppResult;

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The value of a cookie in the current request.
pub fn cookie(name: &str) -> Option<String> {
    cookie_in(&parts()?.headers, name)
}

/// The value of a cookie in these request headers.
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn session_token() -> Option<String> {
    cookie(SESSION_COOKIE).filter(|t| !t.is_empty())
}

pub fn client_ip() -> Option<String> {
    parts()?
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

pub fn user_agent() -> Option<String> {
    parts()?
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The person signed in on this request, looked up once per request.
pub async fn current_user() -> AppResult<Option<CurrentUser>> {
    #[derive(Clone)]
    struct Cached(Option<CurrentUser>);
    if let Some(Cached(user)) = use_context::<Cached>() {
        return Ok(user);
    }
    let Some(token) = session_token() else {
        return Ok(None);
    };
    let state = crate::state::app_state()?;
    let user = service::user_for_session(&state.db, &token, chrono::Utc::now()).await?;
    leptos::prelude::provide_context(Cached(user.clone()));
    Ok(user)
}

fn set_cookie(value: String) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

pub fn set_session_cookie(token: &str, secure: bool) {
    set_cookie(session_cookie(token, SESSION_DAYS * 24 * 3600, secure));
}

pub fn clear_session_cookie(secure: bool) {
    set_cookie(session_cookie("", 0, secure));
}

/// HttpOnly so scripts cannot read it; SameSite=Lax so other sites cannot post with it.
pub fn session_cookie(token: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_session_cookie_is_http_only_and_same_site() {
        let c = super::session_cookie("abc", 60, true);
        assert!(c.starts_with("academy_session=abc;"));
        assert!(c.contains("HttpOnly"));
        assert!(c.contains("SameSite=Lax"));
        assert!(c.ends_with("; Secure"));
        assert!(!super::session_cookie("abc", 60, false).contains("Secure"));
    }
}
