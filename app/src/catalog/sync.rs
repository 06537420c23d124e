//! `academy content sync`: the validated [`ContentSet`] into the database, in one transaction.
//! Each course and lesson carries the hash of its files, so a second run with the same files
//! writes nothing; an edited file updates its row; a course or lesson no longer in the files is
//! archived (hidden), never deleted, so nobody's progress on it is lost.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};
use serde::Serialize;

use super::content::{ContentSet, Course, Lesson, Programme, Quiz};
use super::entity::{course, course_tier, lesson};
use super::render::{render_lesson, RENDER_VERSION};
use crate::error::{AppError, AppResult};
use crate::quiz::entity::{question, quiz};
use crate::scheduling::entity::programme;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub programmes_created: u32,
    pub programmes_updated: u32,
    pub courses_created: u32,
    pub courses_updated: u32,
    pub courses_archived: u32,
    pub lessons_created: u32,
    pub lessons_updated: u32,
    pub lessons_archived: u32,
    pub quizzes_created: u32,
    pub quizzes_updated: u32,
}

impl SyncReport {
    /// Rows written: zero when the database already matched the files.
    pub fn changes(&self) -> u32 {
        self.programmes_created
            + self.programmes_updated
            + self.courses_created
            + self.courses_updated
            + self.courses_archived
            + self.lessons_created
            + self.lessons_updated
            + self.lessons_archived
            + self.quizzes_created
            + self.quizzes_updated
    }
}

impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.changes() == 0 {
            return write!(f, "content is up to date: nothing changed");
        }
        write!(
            f,
            "programmes: {} new, {} updated; courses: {} new, {} updated, {} archived; \
             lessons: {} new, {} updated, {} archived; quizzes: {} new, {} updated",
            self.programmes_created,
            self.programmes_updated,
            self.courses_created,
            self.courses_updated,
            self.courses_archived,
            self.lessons_created,
            self.lessons_updated,
            self.lessons_archived,
            self.quizzes_created,
            self.quizzes_updated
        )
    }
}

pub async fn sync(
    db: &(impl ConnectionTrait + TransactionTrait),
    set: &ContentSet,
    now: DateTime<Utc>,
) -> AppResult<SyncReport> {
    let txn = db.begin().await?;
    let mut report = SyncReport::default();
    for p in &set.programmes {
        sync_programme(&txn, p, now, &mut report).await?;
    }

    let mut courses: HashMap<String, course::Model> = course::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| (c.slug.clone(), c))
        .collect();
    let mut lessons: HashMap<String, lesson::Model> = lesson::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|l| (l.slug.clone(), l))
        .collect();

    for c in &set.courses {
        let course_id = sync_course(&txn, c, courses.remove(&c.id), now, &mut report).await?;
        if let Some(q) = &c.quiz {
            sync_quiz(&txn, c, q, course_id, now, &mut report).await?;
        }
        for l in &c.lessons {
            sync_lesson(
                &txn,
                c,
                course_id,
                l,
                lessons.remove(&l.id),
                now,
                &mut report,
            )
            .await?;
        }
    }
    // What is left is no longer in the files.
    for old in courses.into_values().filter(|c| !c.archived) {
        let mut row: course::ActiveModel = old.into();
        row.archived = Set(true);
        row.updated_at = Set(now);
        row.update(&txn).await?;
        report.courses_archived += 1;
    }
    for old in lessons.into_values().filter(|l| !l.archived) {
        let mut row: lesson::ActiveModel = old.into();
        row.archived = Set(true);
        row.updated_at = Set(now);
        row.update(&txn).await?;
        report.lessons_archived += 1;
    }
    // Every server process reloads its catalog shelf when this stamp moves.
    if report.changes() > 0 {
        super::shelf::stamp(&txn).await?;
    }
    txn.commit().await?;
    Ok(report)
}

async fn sync_programme(
    txn: &impl ConnectionTrait,
    p: &Programme,
    now: DateTime<Utc>,
    report: &mut SyncReport,
) -> AppResult<()> {
    let organisers = serde_json::to_string(&p.organisers_zh).unwrap_or_else(|_| "[]".into());
    let existing = programme::Entity::find()
        .filter(programme::Column::Slug.eq(&p.id))
        .one(txn)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|old| old.content_hash == p.hash)
    {
        return Ok(());
    }
    let mut row: programme::ActiveModel = match existing {
        Some(old) => {
            report.programmes_updated += 1;
            old.into()
        }
        None => {
            report.programmes_created += 1;
            programme::ActiveModel {
                slug: Set(p.id.clone()),
                created_at: Set(now),
                ..Default::default()
            }
        }
    };
    row.title_zh = Set(p.title_zh.clone());
    row.title_en = Set(p.title_en.clone());
    row.starts_on = Set(p.starts_on);
    row.ends_on = Set(p.ends_on);
    row.timezone = Set(p.timezone.clone());
    row.venue_zh = Set(p.venue_zh.clone());
    row.venue_en = Set(p.venue_en.clone());
    row.host_zh = Set(p.host_zh.clone());
    row.organisers_zh = Set(organisers);
    row.summary_zh = Set(p.summary_zh.clone());
    row.content_hash = Set(p.hash.clone());
    row.min_attendance_percent = Set(p.certificate.min_attendance_percent as i32);
    row.require_quiz = Set(p.certificate.require_quiz);
    row.tier_rules = Set(crate::scheduling::service::json(&p.certificate.tiers));
    let saved = row.save(txn).await?;
    let programme_id = saved.id.try_as_ref().copied().ok_or(AppError::Internal)?;
    crate::scheduling::service::sync_sessions(txn, programme_id, p).await
}

/// Inserts or updates the course row (and its tiers); returns its id.
async fn sync_course(
    txn: &impl ConnectionTrait,
    c: &Course,
    existing: Option<course::Model>,
    now: DateTime<Utc>,
    report: &mut SyncReport,
) -> AppResult<i64> {
    if let Some(old) = &existing {
        if old.content_hash == c.hash && !old.archived && old.position == c.order {
            return Ok(old.id);
        }
    }
    let mut row = match existing {
        Some(old) => {
            report.courses_updated += 1;
            old.into()
        }
        None => {
            report.courses_created += 1;
            course::ActiveModel {
                slug: Set(c.id.clone()),
                ..Default::default()
            }
        }
    };
    row.kind = Set(c.kind.code().to_string());
    row.title_zh = Set(c.title_zh.clone());
    row.title_en = Set(c.title_en.clone());
    row.summary_zh = Set(c.summary_zh.clone());
    row.summary_en = Set(c.summary_en.clone());
    row.hours = Set(c.hours);
    row.lecturer_role = Set(c.lecturer_role.clone());
    row.position = Set(c.order);
    row.archived = Set(false);
    row.content_hash = Set(c.hash.clone());
    row.updated_at = Set(now);
    let saved = row.save(txn).await?;
    let id = saved.id.try_as_ref().copied().ok_or(AppError::Internal)?;
    course_tier::Entity::delete_many()
        .filter(course_tier::Column::CourseId.eq(id))
        .exec(txn)
        .await?;
    if !c.tiers.is_empty() {
        course_tier::Entity::insert_many(c.tiers.iter().map(|t| course_tier::ActiveModel {
            course_id: Set(id),
            tier: Set(t.code().to_string()),
        }))
        .exec(txn)
        .await?;
    }
    Ok(id)
}

async fn sync_lesson(
    txn: &impl ConnectionTrait,
    c: &Course,
    course_id: i64,
    l: &Lesson,
    existing: Option<lesson::Model>,
    now: DateTime<Utc>,
    report: &mut SyncReport,
) -> AppResult<()> {
    let hash = format!("r{RENDER_VERSION}-{}", l.hash);
    if let Some(old) = &existing {
        if old.content_hash == hash && !old.archived && old.course_id == course_id {
            return Ok(());
        }
    }
    let rendered = render_lesson(&l.body_md, &c.id);
    let mut row = match existing {
        Some(old) => {
            report.lessons_updated += 1;
            old.into()
        }
        None => {
            report.lessons_created += 1;
            lesson::ActiveModel {
                slug: Set(l.id.clone()),
                ..Default::default()
            }
        }
    };
    row.course_id = Set(course_id);
    row.title_zh = Set(l.title_zh.clone());
    row.title_en = Set(l.title_en.clone());
    row.position = Set(l.order);
    row.minutes = Set(l.minutes);
    row.body_md = Set(l.body_md.clone());
    row.body_html = Set(rendered.html);
    row.toc = Set(serde_json::to_string(&rendered.toc).unwrap_or_else(|_| "[]".into()));
    row.content_hash = Set(hash);
    row.archived = Set(false);
    row.updated_at = Set(now);
    row.save(txn).await?;
    Ok(())
}

/// The quiz settings and its bank. Questions are matched by their id in `quiz.toml`; one no
/// longer in the file is archived, so past attempts keep their questions.
async fn sync_quiz(
    txn: &impl ConnectionTrait,
    c: &Course,
    q: &Quiz,
    course_id: i64,
    now: DateTime<Utc>,
    report: &mut SyncReport,
) -> AppResult<()> {
    let existing = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(course_id))
        .one(txn)
        .await?;
    if let Some(old) = &existing {
        if old.content_hash == c.hash && !old.archived {
            return Ok(());
        }
    }
    let settings = serde_json::to_string(&Quiz {
        questions: Vec::new(),
        ..q.clone()
    })
    .map_err(|_| AppError::Internal)?;
    let mut row = match existing {
        Some(old) => {
            report.quizzes_updated += 1;
            old.into()
        }
        None => {
            report.quizzes_created += 1;
            quiz::ActiveModel {
                course_id: Set(course_id),
                ..Default::default()
            }
        }
    };
    row.settings = Set(settings);
    row.content_hash = Set(c.hash.clone());
    row.archived = Set(false);
    row.updated_at = Set(now);
    let saved = row.save(txn).await?;
    let quiz_id = saved.id.try_as_ref().copied().ok_or(AppError::Internal)?;

    let mut old: HashMap<String, question::Model> = question::Entity::find()
        .filter(question::Column::QuizId.eq(quiz_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|q| (q.key.clone(), q))
        .collect();
    for (position, item) in q.questions.iter().enumerate() {
        let data = serde_json::to_string(item).map_err(|_| AppError::Internal)?;
        let mut row = match old.remove(&item.id) {
            Some(found) => {
                if found.data == data && found.position == position as i32 && !found.archived {
                    continue;
                }
                found.into()
            }
            None => question::ActiveModel {
                quiz_id: Set(quiz_id),
                key: Set(item.id.clone()),
                ..Default::default()
            },
        };
        row.position = Set(position as i32);
        row.data = Set(data);
        row.archived = Set(false);
        row.save(txn).await?;
    }
    for gone in old.into_values().filter(|q| !q.archived) {
        let mut row: question::ActiveModel = gone.into();
        row.archived = Set(true);
        row.update(txn).await?;
    }
    Ok(())
}
