//! Quizzes: attempts drawn and graded on the server, answers saved as the trainee goes, the
//! review with explanations, and results with item analysis for instructors and organisers.
//!
//! The browser gets a question's key and explanation only in [`ReviewView`], after grading.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod pages;

#[cfg(feature = "ssr")]
pub mod bank;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod service;

/// A quiz's settings, as a trainee sees them before starting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizInfo {
    pub course_slug: String,
    pub course_title_zh: String,
    pub course_title_en: String,
    pub title_zh: String,
    pub title_en: String,
    pub questions: u32,
    pub time_limit_minutes: u32,
    pub attempts_allowed: u32,
    pub pass_percent: u32,
    /// `best` or `last`.
    pub counts: String,
    /// `one_per_page` or `all_on_one_page`.
    pub layout: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptSummary {
    pub id: i64,
    pub number: i32,
    /// `open`, `submitted` or `expired`.
    pub status: String,
    pub started_at: String,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizHome {
    pub info: QuizInfo,
    pub attempts: Vec<AttemptSummary>,
    pub open_attempt: Option<i64>,
    pub attempts_left: u32,
    /// The score that counts (best or last), in percent.
    pub counting_percent: Option<f64>,
    pub passed: Option<bool>,
}

/// A question as the trainee sees it during an attempt: no key, no explanation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: i64,
    /// `single`, `multiple`, `true_false` or `fill`.
    pub kind: String,
    pub prompt: String,
    /// (original index, text) in the order shown.
    pub options: Vec<(usize, String)>,
    /// The saved answer, encoded as [`save_answer`] takes it.
    pub saved: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptSheet {
    pub id: i64,
    pub info: QuizInfo,
    pub number: i32,
    pub status: String,
    /// Seconds until the server closes the attempt.
    pub seconds_left: i64,
    pub questions: Vec<QuestionView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub kind: String,
    pub prompt: String,
    /// In the original order.
    pub options: Vec<String>,
    /// Encoded like a saved answer; `None` when not answered.
    pub yours: Option<String>,
    /// Single / multiple / true-false: encoded like an answer; fill: the accepted answers.
    pub correct: String,
    pub earned: f64,
    pub points: f64,
    pub explanation: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub info: QuizInfo,
    pub number: i32,
    pub status: String,
    pub earned: f64,
    pub possible: f64,
    pub percent: f64,
    pub passed: bool,
    pub items: Vec<ReviewItem>,
    /// Whose attempt, for staff looking at someone else's.
    pub person: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    pub attempt_id: i64,
    pub person: String,
    pub enterprise: String,
    pub tier: String,
    pub number: i32,
    pub status: String,
    pub percent: f64,
    pub passed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    pub label: String,
    pub people: u32,
    pub mean_percent: f64,
    pub passed: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub key: String,
    pub kind: String,
    pub prompt: String,
    pub options: Vec<String>,
    pub responses: u32,
    pub facility: f64,
    pub discrimination: Option<f64>,
    pub option_counts: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuizReport {
    pub info: QuizInfo,
    /// Every graded attempt.
    pub rows: Vec<ResultRow>,
    /// Per tier and per enterprise, on the attempt that counts for each person.
    pub by_tier: Vec<GroupRow>,
    pub by_enterprise: Vec<GroupRow>,
    /// Per session (期) teaching the course, over the people seated in it.
    pub by_session: Vec<GroupRow>,
    pub items: Vec<ItemRow>,
}

/// The quiz of a course with the signed-in person's attempts.
#[server(endpoint = "quiz_overview")]
pub async fn quiz_overview(course: String) -> Result<QuizHome, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("quiz_overview").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::overview(&state.db, &shelf, &user, &course, chrono::Utc::now()).await
        }
        .await,
    )
}

/// Starts an attempt (or resumes the open one) and goes to it.
#[server(endpoint = "start_attempt")]
pub async fn start_attempt(course: String) -> Result<i64, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("start_attempt").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            let id = service::start(
                &state.db,
                (&shelf, &state.starts),
                &user,
                &course,
                chrono::Utc::now(),
            )
            .await?;
            leptos_axum::redirect(&format!("/attempts/{id}"));
            Ok(id)
        }
        .await,
    )
}

/// An attempt to work on: its questions without keys, the saved answers, the time left.
#[server(endpoint = "attempt_view")]
pub async fn attempt_view(attempt: i64) -> Result<AttemptSheet, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("attempt_view").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::view(&state.db, &shelf, &user, attempt, chrono::Utc::now()).await
        }
        .await,
    )
}

/// Saves one answer: an option index (`2`), indexes (`0,2`), `true`/`false`, or the text of a
/// fill-in; an empty answer clears it.
#[server(endpoint = "save_answer")]
pub async fn save_answer(attempt: i64, question: i64, answer: String) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("save_answer").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            let given = service::Answered {
                attempt,
                question,
                text: &answer,
            };
            let now = chrono::Utc::now();
            service::save(&state.db, (&shelf, &state.saves), &user, given, now).await
        }
        .await,
    )
}

/// Hands the attempt in: graded on the server; goes to the review.
#[server(endpoint = "submit_attempt")]
pub async fn submit_attempt(attempt: i64) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("submit_attempt").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::submit(
                &state.db,
                &shelf,
                &state.gradings,
                &user,
                attempt,
                chrono::Utc::now(),
            )
            .await?;
            leptos_axum::redirect(&format!("/attempts/{attempt}/review"));
            Ok(())
        }
        .await,
    )
}

/// A graded attempt with the right answers and explanations: for its trainee, and for staff.
#[server(endpoint = "attempt_review")]
pub async fn attempt_review(attempt: i64) -> Result<ReviewView, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("attempt_review").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::review(&state.db, &shelf, &user, attempt, chrono::Utc::now()).await
        }
        .await,
    )
}

/// Results and item analysis of a course's quiz, for instructors and organisers.
#[server(endpoint = "quiz_results")]
pub async fn quiz_results(course: String) -> Result<QuizReport, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("quiz_results").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::results(&state.db, &shelf, &user, &course, chrono::Utc::now()).await
        }
        .await,
    )
}
