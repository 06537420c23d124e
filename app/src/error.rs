//! The one error type that crosses from a server function to the browser. The cause of an
//! internal error stays in the server log; the person sees a safe, translated message.
use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// A field of a form or a row of a file is wrong; `message` is already translated.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// The request clashes with the current state; `0` is already translated and says with what.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("internal error")]
    Internal,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::Validation { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::Internal => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                AppError::validation("request", msg)
            }
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        tracing::error!(error = %err, "database error");
        AppError::Internal
    }
}

/// Gives a server function's refusal its HTTP status (401, 403, 404, 409, 422, 500) so that
/// clients and proxies see it, not only the body.
#[cfg(feature = "ssr")]
pub fn respond<T>(result: AppResult<T>) -> AppResult<T> {
    if let Err(err) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(err.status()) {
                response.set_status(status);
            }
        }
    }
    result
}

/// The message a person sees for an error, in their language.
pub fn error_text(locale: crate::i18n::Locale, err: &AppError) -> String {
    use crate::i18n::td_string;
    match err {
        AppError::NotFound => td_string!(locale, error_not_found).to_string(),
        AppError::Unauthorized => td_string!(locale, error_unauthorized).to_string(),
        AppError::Forbidden => td_string!(locale, error_forbidden).to_string(),
        AppError::Conflict(msg) => format!("{}{msg}", td_string!(locale, error_conflict)),
        AppError::Internal => td_string!(locale, error_internal).to_string(),
        AppError::Validation { field, message } => format!(
            "{}{} {}",
            td_string!(locale, error_validation),
            field_name(locale, field),
            validation_message(locale, message)
        ),
    }
}

pub fn field_name(locale: crate::i18n::Locale, field: &str) -> &'static str {
    use crate::i18n::td_string;
    match field {
        "name" => td_string!(locale, f_name),
        "phone" => td_string!(locale, f_phone),
        "email" => td_string!(locale, f_email),
        "tier" => td_string!(locale, f_tier),
        "roles" | "role" => td_string!(locale, f_roles),
        "district_id" => td_string!(locale, f_district_id),
        "password" => td_string!(locale, f_password),
        "quiz" => td_string!(locale, f_quiz),
        "session" => td_string!(locale, f_session),
        "login" => td_string!(locale, f_login),
        "answer" => td_string!(locale, f_answer),
        "token" => td_string!(locale, f_token),
        "status" => td_string!(locale, f_status),
        "note" => td_string!(locale, f_note),
        "person" => td_string!(locale, f_person),
        "reason" => td_string!(locale, f_reason),
        "credit_code" => td_string!(locale, f_credit_code),
        "inclusion_reason" => td_string!(locale, f_inclusion_reason),
        "serial" => td_string!(locale, f_serial),
        "file" => td_string!(locale, f_file),
        "number" => td_string!(locale, f_number),
        "title_zh" => td_string!(locale, f_title_zh),
        "date" => td_string!(locale, f_date),
        "start" => td_string!(locale, f_start),
        "end" => td_string!(locale, f_end),
        "room" => td_string!(locale, f_room),
        "capacity" => td_string!(locale, f_capacity),
        "lecturers" => td_string!(locale, f_lecturers),
        "courses" => td_string!(locale, f_courses),
        "title_en" => td_string!(locale, f_title_en),
        "starts_on" => td_string!(locale, f_starts_on),
        "ends_on" => td_string!(locale, f_ends_on),
        "venue_zh" => td_string!(locale, f_venue_zh),
        "venue_en" => td_string!(locale, f_venue_en),
        "host_zh" => td_string!(locale, f_host_zh),
        "organisers" => td_string!(locale, f_organisers),
        "min_attendance_percent" => td_string!(locale, f_min_attendance_percent),
        "quotas" => td_string!(locale, f_quotas),
        "tier_rules" => td_string!(locale, f_tier_rules),
        "periods" => td_string!(locale, f_periods),
        "period" => td_string!(locale, f_period),
        _ => td_string!(locale, f_other),
    }
}

pub fn validation_message(locale: crate::i18n::Locale, code: &str) -> &'static str {
    use crate::i18n::td_string;
    match code {
        "name_required" => td_string!(locale, v_name_required),
        "phone_invalid" => td_string!(locale, v_phone_invalid),
        "email_invalid" => td_string!(locale, v_email_invalid),
        "phone_or_email_required" => td_string!(locale, v_phone_or_email_required),
        "tier_invalid" => td_string!(locale, v_tier_invalid),
        "tier_required" => td_string!(locale, v_tier_required),
        "invalid_role" => td_string!(locale, v_invalid_role),
        "district_required" => td_string!(locale, v_district_required),
        "already_registered" => td_string!(locale, v_already_registered),
        "cannot_drop_own_admin" => td_string!(locale, v_cannot_drop_own_admin),
        "invalid_id" => td_string!(locale, v_invalid_id),
        "password_too_short" => td_string!(locale, auth_password_too_short),
        "no_attempts_left" => td_string!(locale, v_no_attempts_left),
        "session_not_for_tier" => td_string!(locale, v_session_not_for_tier),
        "person_not_found" => td_string!(locale, v_person_not_found),
        "attempt_closed" => td_string!(locale, v_attempt_closed),
        "answer_invalid" => td_string!(locale, v_answer_invalid),
        "question_not_in_attempt" => td_string!(locale, v_question_not_in_attempt),
        "attempt_not_graded" => td_string!(locale, v_attempt_not_graded),
        "password_too_simple" => td_string!(locale, auth_password_too_simple),
        "token_invalid" => td_string!(locale, v_token_invalid),
        "token_expired" => td_string!(locale, v_token_expired),
        "not_enrolled" => td_string!(locale, v_not_enrolled),
        "checkin_not_open" => td_string!(locale, v_checkin_not_open),
        "checkin_closed" => td_string!(locale, v_checkin_closed),
        "status_invalid" => td_string!(locale, v_status_invalid),
        "note_too_long" => td_string!(locale, v_note_too_long),
        "person_not_enrolled" => td_string!(locale, v_person_not_enrolled),
        "reason_required" => td_string!(locale, v_reason_required),
        "already_revoked" => td_string!(locale, v_already_revoked),
        "certificate_in_force" => td_string!(locale, v_certificate_in_force),
        "not_eligible" => td_string!(locale, v_not_eligible),
        // The import's reasons (`people::import::rules`).
        "required" => td_string!(locale, v_reason_required),
        "file_unreadable" => td_string!(locale, v_file_unreadable),
        "file_empty" => td_string!(locale, v_file_empty),
        "file_too_large" => td_string!(locale, v_file_too_large),
        "too_many_rows" => td_string!(locale, v_too_many_rows),
        "header_missing" => td_string!(locale, v_header_missing),
        "column_missing" => td_string!(locale, v_column_missing),
        "column_duplicate" => td_string!(locale, v_column_duplicate),
        "too_long" => td_string!(locale, v_too_long),
        "credit_code_length" => td_string!(locale, v_credit_code_length),
        "credit_code_character" => td_string!(locale, v_credit_code_character),
        "credit_code_check" => td_string!(locale, v_credit_code_check),
        "district_unknown" => td_string!(locale, v_district_unknown),
        "reason_invalid" => td_string!(locale, v_reason_invalid),
        "enterprise_inconsistent" => td_string!(locale, v_enterprise_inconsistent),
        "duplicate_in_file" => td_string!(locale, v_duplicate_in_file),
        "staff_account" => td_string!(locale, v_staff_account),
        "same_session" => td_string!(locale, v_same_session),
        "nobody_selected" => td_string!(locale, v_nobody_selected),
        // The planner's (`scheduling::plan::rules`).
        "number_invalid" => td_string!(locale, v_number_invalid),
        "time_invalid" => td_string!(locale, v_time_invalid),
        "date_invalid" => td_string!(locale, v_date_invalid),
        "date_outside_programme" => td_string!(locale, v_date_outside_programme),
        "end_before_start" => td_string!(locale, v_end_before_start),
        "room_required" => td_string!(locale, v_room_required),
        "course_unknown" => td_string!(locale, v_course_unknown),
        "resend_not_sent" => td_string!(locale, v_resend_not_sent),
        "resend_revoked" => td_string!(locale, v_resend_revoked),
        "resend_login_link" => td_string!(locale, v_resend_login_link),
        // The programme form's (`scheduling::programme::rules`).
        "ends_before_starts" => td_string!(locale, v_ends_before_starts),
        "programme_too_long" => td_string!(locale, v_programme_too_long),
        "percent_invalid" => td_string!(locale, v_percent_invalid),
        "quota_invalid" => td_string!(locale, v_quota_invalid),
        "tier_rule_invalid" => td_string!(locale, v_tier_rule_invalid),
        // Periods of a session (`scheduling::periods`).
        "periods_invalid" => td_string!(locale, v_periods_invalid),
        "periods_overlap" => td_string!(locale, v_periods_overlap),
        "period_outside_session" => td_string!(locale, v_period_outside_session),
        "periods_too_many" => td_string!(locale, v_periods_too_many),
        "period_invalid" => td_string!(locale, v_period_invalid),
        _ => td_string!(locale, v_other),
    }
}
