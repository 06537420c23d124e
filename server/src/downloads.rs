//! File downloads (CSV, XLSX) behind the same sign-in and policy as the server functions: the
//! rules are in `academy_app::auth::policy::ROUTE_RULES`.
use academy_app::auth::policy::{decide, route_rule_for, Decision};
use academy_app::auth::service::{user_for_session, SESSION_COOKIE};
use academy_app::auth::CurrentUser;
use academy_app::report::export::{to_csv, to_xlsx};
use academy_app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The signed-in person allowed by the route's rule, or the refusal to send.
async fn allowed(
    state: &AppState,
    headers: &HeaderMap,
    route: &str,
) -> Result<CurrentUser, Response> {
    let token = academy_app::auth::request::cookie_in(headers, SESSION_COOKIE);
    let user = match token {
        Some(t) => user_for_session(&state.db, &t, chrono::Utc::now())
            .await
            .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?,
        None => None,
    };
    let Some(rule) = route_rule_for(route) else {
        return Err(StatusCode::FORBIDDEN.into_response());
    };
    match decide(rule, user.as_ref()) {
        Decision::Allow => user.ok_or_else(|| StatusCode::UNAUTHORIZED.into_response()),
        Decision::SignInRequired => {
            Err((StatusCode::UNAUTHORIZED, "请先登录 / sign in first").into_response())
        }
        Decision::Deny => Err((StatusCode::FORBIDDEN, "没有权限 / not allowed").into_response()),
    }
}

fn file(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `/exports/quizzes/{course}/{results.csv | items.csv | quiz.xlsx}`.
pub async fn quiz_export(
    State(state): State<AppState>,
    Path((course, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let user = match allowed(&state, &headers, "export_quiz").await {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    let report = match async {
        let shelf = state.shelf.get(&state.db).await?;
        academy_app::quiz::service::results(&state.db, &shelf, &user, &course, chrono::Utc::now())
            .await
    }
    .await
    {
        Ok(r) => r,
        Err(academy_app::error::AppError::NotFound) => {
            return StatusCode::NOT_FOUND.into_response()
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    use academy_app::quiz::export::{items, results};
    let built = match name.as_str() {
        "results.csv" => to_csv(&results(&report)).map(|b| (b, "text/csv; charset=utf-8")),
        "items.csv" => to_csv(&items(&report)).map(|b| (b, "text/csv; charset=utf-8")),
        "quiz.xlsx" => {
            return match to_xlsx(&[results(&report), items(&report)]) {
                Ok(bytes) => file(
                    bytes,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    &format!("{course}-quiz.xlsx"),
                ),
                Err(err) => {
                    tracing::error!(error = %err, "xlsx export failed");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match built {
        Ok((bytes, mime)) => file(bytes, mime, &format!("{course}-{name}")),
        Err(err) => {
            tracing::error!(error = %err, "csv export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Tables as `*.csv` (the first) or `*.xlsx` (all, one sheet each), by the file name asked for.
fn tables_file(
    built: academy_app::error::AppResult<Vec<academy_app::report::export::Table>>,
    name: &str,
    stem: &str,
) -> Response {
    let tables = match built {
        Ok(t) => t,
        Err(academy_app::error::AppError::NotFound) => {
            return StatusCode::NOT_FOUND.into_response()
        }
        Err(academy_app::error::AppError::Forbidden) => {
            return (StatusCode::FORBIDDEN, "没有权限 / not allowed").into_response()
        }
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let result = match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("csv") if !tables.is_empty() => to_csv(&tables[0])
            .map(|b| (b, "text/csv; charset=utf-8", "csv"))
            .map_err(|e| e.to_string()),
        Some("xlsx") => to_xlsx(&tables)
            .map(|b| (b, XLSX, "xlsx"))
            .map_err(|e| e.to_string()),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match result {
        Ok((bytes, mime, ext)) => file(bytes, mime, &format!("{stem}.{ext}")),
        Err(err) => {
            tracing::error!(error = %err, "export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `/exports/attendance/sessions/{id}/attendance.{csv|xlsx}`.
pub async fn session_attendance_export(
    State(state): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
    headers: HeaderMap,
) -> Response {
    let user = match allowed(&state, &headers, "export_attendance").await {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    // An instructor exports the sessions they teach; the school and organisers, any.
    let built = match academy_app::scheduling::service::session_for(
        &state.db,
        &user,
        id,
        academy_app::scheduling::rules::SessionRole::Reader,
    )
    .await
    {
        Ok(_) => academy_app::attendance::report::session_table(&state.db, id)
            .await
            .map(|t| vec![t]),
        Err(e) => Err(e),
    };
    tables_file(built, &name, &format!("session-{id}-attendance"))
}

/// `/exports/attendance/trainees.{csv|xlsx}`: hours per trainee against their tier's hours.
pub async fn trainee_hours_export(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = allowed(&state, &headers, "export_hours").await {
        return refusal;
    }
    if !name.starts_with("trainees.") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let built = academy_app::attendance::report::trainee_table(&state.db, None)
        .await
        .map(|t| vec![t]);
    tables_file(built, &name, "trainee-hours")
}

/// `/exports/progress/progress.{csv|xlsx}`: the dashboard, in the asker's district scope.
pub async fn progress_export(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let user = match allowed(&state, &headers, "export_progress").await {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    if !name.starts_with("progress.") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let built = academy_app::attendance::service::progress(&state.db, &user)
        .await
        .map(|r| academy_app::attendance::report::progress_tables(&r));
    tables_file(built, &name, "progress")
}

/// `/admin/import/template.{csv|xlsx}`: the import file's template, for schedulers and admins.
pub async fn import_template(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = allowed(&state, &headers, "import_template").await {
        return refusal;
    }
    if !name.starts_with("template.") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let tables = academy_app::people::import::service::template_tables();
    tables_file(Ok(tables), &name, "academy-import-template")
}

/// `/certificates/{serial}/certificate.pdf`: for its holder, or an organiser or admin.
pub async fn certificate_pdf(
    State(state): State<AppState>,
    Path((serial, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let user = match allowed(&state, &headers, "certificate_pdf").await {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    if name != "certificate.pdf" {
        return StatusCode::NOT_FOUND.into_response();
    }
    match academy_app::certificate::service::pdf_for(
        &state.db,
        &user,
        &serial,
        &state.config.public_url,
    )
    .await
    {
        Ok(bytes) => {
            let mut res = file(bytes, "application/pdf", &format!("{serial}.pdf"));
            // Opens in the browser's viewer; "save" keeps the serial as the file name.
            if let Ok(v) =
                header::HeaderValue::from_str(&format!("inline; filename=\"{serial}.pdf\""))
            {
                res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(academy_app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `/admin/mail/{id}/message.eml`: one outbox message as the recipient gets it, for issuers.
pub async fn mail_eml(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = allowed(&state, &headers, "mail_eml").await {
        return refusal;
    }
    let Some(id) = id.parse::<i64>().ok().filter(|_| name == "message.eml") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let c = &state.config;
    match academy_app::mail::worker::eml(&state.db, &c.mail_from, &c.public_url, id).await {
        Ok(Ok(bytes)) => file(bytes, "message/rfc822", &format!("message-{id}.eml")),
        Ok(Err(why)) => (
            StatusCode::CONFLICT,
            format!("无法生成这封邮件 / this message cannot be built: {why}"),
        )
            .into_response(),
        Err(academy_app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn calendar_file(result: academy_app::error::AppResult<String>, name: &str) -> Response {
    match result {
        Ok(text) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/calendar; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            text,
        )
            .into_response(),
        Err(academy_app::error::AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `/calendar/sessions/{id}/session.ics`: one session, for any signed-in person.
pub async fn session_ics(
    State(state): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = allowed(&state, &headers, "session_ics").await {
        return refusal;
    }
    if name != "session.ics" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let ics =
        academy_app::scheduling::calendar::session_ics(&state.db, id, &state.config.public_url)
            .await;
    calendar_file(ics, &format!("session-{id}.ics"))
}

/// `/calendar/{people|rooms}/{id}/{token}/schedule.ics`: a subscribable feed. The token in the
/// URL is the only key (calendar apps cannot sign in); a wrong one is told nothing exists.
pub async fn feed_ics(
    State(state): State<AppState>,
    Path((kind, id, token, name)): Path<(String, i64, String, String)>,
) -> Response {
    use academy_app::scheduling::calendar::{feed_token_valid, person_ics, room_ics, Feed};
    let feed = match kind.as_str() {
        "people" => Feed::Person,
        "rooms" => Feed::Room,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    if name != "schedule.ics" || !feed_token_valid(&state.config.signing_secret, feed, id, &token) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let base = &state.config.public_url;
    let ics = match feed {
        Feed::Person => person_ics(&state.db, id, base).await,
        Feed::Room => room_ics(&state.db, id, base).await,
    };
    calendar_file(ics, "schedule.ics")
}
