//! The HTTP surface: Leptos pages and server functions, `/healthz`, static files, and the
//! headers every response carries.
use academy_app::{shell, state::AppState, App};
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let page_context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            leptos::nonce::provide_nonce();
        }
    };
    let fallback_context = page_context.clone();
    let options = state.leptos_options.clone();
    let max_in_flight = state.config.max_in_flight;
    let pages = Router::new()
        .route(
            "/exports/quizzes/{course}/{file}",
            get(crate::downloads::quiz_export),
        )
        .route(
            "/exports/attendance/sessions/{id}/{file}",
            get(crate::downloads::session_attendance_export),
        )
        .route(
            "/exports/attendance/{file}",
            get(crate::downloads::trainee_hours_export),
        )
        .route(
            "/exports/progress/{file}",
            get(crate::downloads::progress_export),
        )
        .route(
            "/admin/import/{file}",
            get(crate::downloads::import_template),
        )
        .route("/admin/mail/{id}/{file}", get(crate::downloads::mail_eml))
        .route(
            "/certificates/{serial}/{file}",
            get(crate::downloads::certificate_pdf),
        )
        .route(
            "/calendar/sessions/{id}/{file}",
            get(crate::downloads::session_ics),
        )
        .route(
            "/calendar/{kind}/{id}/{token}/{file}",
            get(crate::downloads::feed_ics),
        )
        .leptos_routes_with_context(&state, routes, page_context, move || shell(options.clone()));
    // Pages, server functions and downloads take turns past this gate; `/healthz`, images and
    // the static files (the fallback) do not.
    let pages = match in_flight_gate(max_in_flight) {
        Some(gate) => pages.route_layer(middleware::from_fn(move |req: Request, next: Next| {
            let gate = gate.clone();
            async move {
                let _turn = gate.acquire_owned().await;
                next.run(req).await
            }
        })),
        None => pages,
    };
    pages
        .route("/healthz", get(healthz))
        .route("/media/{course}/{file}", get(media))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(fallback_context, shell))
        .layer(middleware::from_fn(same_origin_writes))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .with_state(state)
}

/// At most `max` requests render a page or run a server function at once (0: no limit). On a
/// small machine more at once only wait for the same two cores and the same database, each
/// holding its half-built page: 500 pages at once took the server past a gigabyte. The rest wait
/// at the gate, holding nothing but their request. A response's head leaves the gate; a
/// streamed body finishes outside it.
fn in_flight_gate(max: usize) -> Option<std::sync::Arc<tokio::sync::Semaphore>> {
    (max > 0).then(|| std::sync::Arc::new(tokio::sync::Semaphore::new(max)))
}

/// An image of a course: `content/courses/<course>/images/<file>`. Only image types, only plain
/// file names: nothing else in the content folder (quiz keys!) is reachable.
async fn media(
    State(state): State<AppState>,
    axum::extract::Path((course, file)): axum::extract::Path<(String, String)>,
) -> Response {
    fn plain(name: &str) -> bool {
        !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    }
    let mime = match file
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
    {
        Some(ext) if ext == "png" => "image/png",
        Some(ext) if ext == "jpg" || ext == "jpeg" => "image/jpeg",
        Some(ext) if ext == "gif" => "image/gif",
        Some(ext) if ext == "webp" => "image/webp",
        Some(ext) if ext == "svg" => "image/svg+xml",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    if !plain(&course) || !plain(&file) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = state
        .config
        .content_dir
        .join("courses")
        .join(&course)
        .join("images")
        .join(&file);
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
                // An SVG opened on its own must not run script.
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// 200 only when the database answers, so a load balancer stops sending traffic otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// Cross-site request forgery: a state-changing request that a browser marks as coming from
/// another origin is refused. (The session cookie is also SameSite=Lax.)
async fn same_origin_writes(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || is_same_origin(req.headers())
    {
        next.run(req).await
    } else {
        tracing::warn!(uri = %req.uri(), "cross-origin write refused");
        (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
    }
}

/// True when Origin (or, without it, Referer) names this host, or when neither is sent
/// (a non-browser client, which carries no ambient cookie of a victim).
pub fn is_same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    match source {
        None => true,
        Some(source) => {
            let rest = source
                .strip_prefix("https://")
                .or_else(|| source.strip_prefix("http://"));
            match rest {
                Some(rest) => rest.split('/').next() == Some(host),
                None => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn writes_from_this_origin_pass_and_others_are_refused() {
        let host = (header::HOST, "127.0.0.1:3000");
        assert!(is_same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "http://127.0.0.1:3000")
        ])));
        assert!(is_same_origin(&headers(&[
            host.clone(),
            (header::REFERER, "http://127.0.0.1:3000/admin?x=1")
        ])));
        assert!(!is_same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "http://evil.example")
        ])));
        assert!(!is_same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "null")
        ])));
        assert!(!is_same_origin(&headers(&[
            host.clone(),
            (header::ORIGIN, "http://127.0.0.1:3000.evil.example")
        ])));
        assert!(is_same_origin(&headers(&[host])));
    }
}
