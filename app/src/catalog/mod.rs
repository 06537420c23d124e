//! Courses and lessons: the curricula loaded from `content/`, the catalog, the lesson reader and
//! each person's progress.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod browse;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod entity;
#[cfg(feature = "ssr")]
pub mod render;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod shelf;
#[cfg(feature = "ssr")]
pub mod sync;

/// A heading of a lesson, for its table of contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Lessons done out of lessons in a course.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

impl Progress {
    /// Whole percent, 0 for a course without lessons.
    pub fn percent(self) -> u32 {
        (self.done * 100).checked_div(self.total).unwrap_or(0)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CourseCard {
    pub slug: String,
    /// `curriculum` or `lecture`.
    pub kind: String,
    /// Tier codes; empty for a lecture open to every tier.
    pub tiers: Vec<String>,
    pub title_zh: String,
    pub title_en: String,
    pub summary_zh: String,
    pub summary_en: String,
    pub hours: f64,
    pub minutes: u32,
    /// Present when someone is signed in.
    pub progress: Option<Progress>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub courses: Vec<CourseCard>,
    /// The signed-in trainee's tier, shown first.
    pub my_tier: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonItem {
    pub slug: String,
    pub title_zh: String,
    pub title_en: String,
    pub minutes: u32,
    pub done: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CourseOutline {
    pub card: CourseCard,
    pub lessons: Vec<LessonItem>,
    /// The first lesson not done yet (or the first lesson).
    pub next_lesson: Option<String>,
    pub signed_in: bool,
    pub has_quiz: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonLink {
    pub slug: String,
    pub title_zh: String,
    pub title_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonView {
    pub slug: String,
    pub course_slug: String,
    pub course_title_zh: String,
    pub course_title_en: String,
    pub title_zh: String,
    pub title_en: String,
    pub minutes: u32,
    /// Sanitised at sync.
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub prev: Option<LessonLink>,
    pub next: Option<LessonLink>,
    pub done: bool,
    pub progress: Progress,
}

/// Public: the courses, with the signed-in person's progress.
#[server(endpoint = "list_courses")]
pub async fn list_courses() -> Result<Catalog, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require("list_courses").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::catalog(&state.db, &shelf, user.as_ref()).await
        }
        .await,
    )
}

/// Public: a course with its lessons.
#[server(endpoint = "course_detail")]
pub async fn course_detail(slug: String) -> Result<CourseOutline, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require("course_detail").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::course_detail(&state.db, &shelf, user.as_ref(), &slug).await
        }
        .await,
    )
}

/// A lesson to read; opening it records that the reader started it.
#[server(endpoint = "read_lesson")]
pub async fn read_lesson(slug: String) -> Result<LessonView, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("read_lesson").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::read_lesson(&state.db, &shelf, &user, &slug, chrono::Utc::now()).await
        }
        .await,
    )
}

/// A lesson's state after marking it, with its course's progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marked {
    pub done: bool,
    pub progress: Progress,
}

/// Marks a lesson done (or not done again); returns the course's progress.
#[server(endpoint = "mark_lesson")]
pub async fn mark_lesson(slug: String, done: bool) -> Result<Marked, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("mark_lesson").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::mark_lesson(&state.db, &shelf, &user, &slug, done, chrono::Utc::now()).await
        }
        .await,
    )
}

/// The signed-in person's courses: their tier's, and any they have started.
#[server(endpoint = "my_learning")]
pub async fn my_learning() -> Result<Vec<CourseCard>, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("my_learning").await?;
            let state = crate::state::app_state()?;
            let shelf = state.shelf.get(&state.db).await?;
            service::my_learning(&state.db, &shelf, &user).await
        }
        .await,
    )
}
