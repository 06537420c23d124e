//! Reading the catalog and lessons, and keeping each person's progress. The catalog itself
//! comes from the process's [`Shelf`] (lesson bodies are rendered at sync); a page asks the
//! database only for the reader's progress.
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use super::entity::{course, lesson_progress};
use super::shelf::{Shelf, ShelfLesson};
use super::{
    Catalog, CourseCard, CourseOutline, LessonItem, LessonLink, LessonView, Marked, Progress,
};
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// A person's lessons: opened, and done.
#[derive(Default)]
struct Reading {
    opened: HashSet<i64>,
    done: HashSet<i64>,
}

async fn reading(db: &impl ConnectionTrait, person: Option<i64>) -> AppResult<Reading> {
    let Some(person) = person else {
        return Ok(Reading::default());
    };
    let rows: Vec<(i64, Option<DateTime<Utc>>)> = lesson_progress::Entity::find()
        .select_only()
        .column(lesson_progress::Column::LessonId)
        .column(lesson_progress::Column::CompletedAt)
        .filter(lesson_progress::Column::PersonId.eq(person))
        .into_tuple()
        .all(db)
        .await?;
    let mut r = Reading::default();
    for (lesson, completed) in rows {
        r.opened.insert(lesson);
        if completed.is_some() {
            r.done.insert(lesson);
        }
    }
    Ok(r)
}

/// How many of a course's live lessons the reader has done.
fn progress(lessons: &[ShelfLesson], r: &Reading) -> Progress {
    Progress {
        done: lessons.iter().filter(|l| r.done.contains(&l.id)).count() as u32,
        total: lessons.len() as u32,
    }
}

fn card(c: &course::Model, shelf: &Shelf, reading: Option<&Reading>) -> CourseCard {
    let mine = shelf.lessons(c.id);
    let done = reading.map(|r| progress(mine, r));
    CourseCard {
        slug: c.slug.clone(),
        kind: c.kind.clone(),
        tiers: shelf.tiers(c.id).to_vec(),
        title_zh: c.title_zh.clone(),
        title_en: c.title_en.clone(),
        summary_zh: c.summary_zh.clone(),
        summary_en: c.summary_en.clone(),
        hours: c.hours,
        minutes: mine.iter().map(|l| l.minutes).sum(),
        progress: done,
    }
}

async fn cards(
    db: &impl ConnectionTrait,
    shelf: &Shelf,
    user: Option<&CurrentUser>,
) -> AppResult<(Vec<(i64, CourseCard)>, Reading)> {
    let r = reading(db, user.map(|u| u.id)).await?;
    let cards = shelf
        .courses
        .iter()
        .map(|c| (c.id, card(c, shelf, user.map(|_| &r))))
        .collect();
    Ok((cards, r))
}

pub async fn catalog(
    db: &impl ConnectionTrait,
    shelf: &Shelf,
    user: Option<&CurrentUser>,
) -> AppResult<Catalog> {
    let (cards, _) = cards(db, shelf, user).await?;
    Ok(Catalog {
        courses: cards.into_iter().map(|(_, c)| c).collect(),
        my_tier: user.and_then(|u| u.tier.clone()),
    })
}

pub async fn course_detail(
    db: &impl ConnectionTrait,
    shelf: &Shelf,
    user: Option<&CurrentUser>,
    slug: &str,
) -> AppResult<CourseOutline> {
    let c = shelf.course(slug).ok_or(AppError::NotFound)?;
    let r = reading(db, user.map(|u| u.id)).await?;
    let items: Vec<LessonItem> = shelf
        .lessons(c.id)
        .iter()
        .map(|l| LessonItem {
            slug: l.slug.clone(),
            title_zh: l.title_zh.clone(),
            title_en: l.title_en.clone(),
            minutes: l.minutes,
            done: r.done.contains(&l.id),
        })
        .collect();
    let next_lesson = items
        .iter()
        .find(|l| !l.done)
        .or(items.first())
        .map(|l| l.slug.clone());
    Ok(CourseOutline {
        card: card(c, shelf, user.map(|_| &r)),
        lessons: items,
        next_lesson,
        signed_in: user.is_some(),
        has_quiz: shelf.has_quiz(c.id),
    })
}

/// Records that `person` opened `lesson` (once; later opens change nothing).
async fn record_open(
    db: &impl ConnectionTrait,
    person: i64,
    lesson: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    lesson_progress::Entity::insert(lesson_progress::ActiveModel {
        person_id: Set(person),
        lesson_id: Set(lesson),
        opened_at: Set(now),
        completed_at: Set(None),
    })
    .on_conflict_do_nothing_on([
        lesson_progress::Column::PersonId,
        lesson_progress::Column::LessonId,
    ])
    .exec_without_returning(db)
    .await?;
    Ok(())
}

pub async fn read_lesson(
    db: &impl ConnectionTrait,
    shelf: &Shelf,
    user: &CurrentUser,
    slug: &str,
    now: DateTime<Utc>,
) -> AppResult<LessonView> {
    let (c, siblings, at) = shelf.lesson(slug).ok_or(AppError::NotFound)?;
    let l = &siblings[at];
    // Most openings are re-readings: only a first one writes, in the writer's turn (SQLite
    // would otherwise sleep in its busy handler when many open lessons at once).
    let r = reading(db, Some(user.id)).await?;
    if !r.opened.contains(&l.id) {
        let _turn = crate::db::writer_turn(db).await;
        record_open(db, user.id, l.id, now).await?;
    }
    let link = |i: usize| {
        siblings.get(i).map(|s| LessonLink {
            slug: s.slug.clone(),
            title_zh: s.title_zh.clone(),
            title_en: s.title_en.clone(),
        })
    };
    Ok(LessonView {
        done: r.done.contains(&l.id),
        progress: progress(siblings, &r),
        slug: l.slug.clone(),
        course_slug: c.slug.clone(),
        course_title_zh: c.title_zh.clone(),
        course_title_en: c.title_en.clone(),
        title_zh: l.title_zh.clone(),
        title_en: l.title_en.clone(),
        minutes: l.minutes,
        html: l.html.clone(),
        toc: l.toc.clone(),
        prev: at.checked_sub(1).and_then(link),
        next: link(at + 1),
    })
}

pub async fn mark_lesson(
    db: &impl ConnectionTrait,
    shelf: &Shelf,
    user: &CurrentUser,
    slug: &str,
    done: bool,
    now: DateTime<Utc>,
) -> AppResult<Marked> {
    let (_, siblings, at) = shelf.lesson(slug).ok_or(AppError::NotFound)?;
    let l = &siblings[at];
    let turn = crate::db::writer_turn(db).await;
    record_open(db, user.id, l.id, now).await?;
    let mut update = lesson_progress::Entity::update_many()
        .filter(lesson_progress::Column::PersonId.eq(user.id))
        .filter(lesson_progress::Column::LessonId.eq(l.id));
    if done {
        // The first completion is the one that counts: marking again keeps its time.
        update = update
            .col_expr(lesson_progress::Column::CompletedAt, Expr::value(now))
            .filter(lesson_progress::Column::CompletedAt.is_null());
    } else {
        update = update.col_expr(
            lesson_progress::Column::CompletedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    }
    update.exec(db).await?;
    drop(turn);
    let r = reading(db, Some(user.id)).await?;
    Ok(Marked {
        done,
        progress: progress(siblings, &r),
    })
}

pub async fn my_learning(
    db: &impl ConnectionTrait,
    shelf: &Shelf,
    user: &CurrentUser,
) -> AppResult<Vec<CourseCard>> {
    let (cards, r) = cards(db, shelf, Some(user)).await?;
    let started: HashSet<i64> = r
        .opened
        .iter()
        .filter_map(|l| shelf.course_of_lesson(*l))
        .collect();
    let tier = user.tier.as_deref();
    Ok(cards
        .into_iter()
        .filter(|(id, c)| {
            started.contains(id)
                || (c.kind == "curriculum" && tier.is_some_and(|t| c.tiers.iter().any(|x| x == t)))
        })
        .map(|(_, c)| c)
        .collect())
}
