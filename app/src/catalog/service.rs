//! Reading the catalog and lessons, and keeping each person's progress. Lesson bodies are
//! rendered at sync; these queries only read them.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::entity::{course, course_tier, lesson, lesson_progress};
use super::{
    Catalog, CourseCard, CourseOutline, LessonItem, LessonLink, LessonView, Marked, Progress,
    TocEntry,
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

/// The lessons of live courses: id, course, minutes; no bodies.
async fn lesson_index(db: &impl ConnectionTrait) -> AppResult<Vec<(i64, i64, i32)>> {
    Ok(lesson::Entity::find()
        .select_only()
        .column(lesson::Column::Id)
        .column(lesson::Column::CourseId)
        .column(lesson::Column::Minutes)
        .filter(lesson::Column::Archived.eq(false))
        .into_tuple()
        .all(db)
        .await?)
}

fn card(
    c: course::Model,
    tiers: Vec<String>,
    lessons: &[(i64, i64, i32)],
    reading: Option<&Reading>,
) -> CourseCard {
    let mine: Vec<&(i64, i64, i32)> = lessons.iter().filter(|l| l.1 == c.id).collect();
    let progress = reading.map(|r| Progress {
        done: mine.iter().filter(|l| r.done.contains(&l.0)).count() as u32,
        total: mine.len() as u32,
    });
    CourseCard {
        slug: c.slug,
        kind: c.kind,
        tiers,
        title_zh: c.title_zh,
        title_en: c.title_en,
        summary_zh: c.summary_zh,
        summary_en: c.summary_en,
        hours: c.hours,
        minutes: mine.iter().map(|l| l.2.max(0) as u32).sum(),
        progress,
    }
}

async fn tiers_by_course(db: &impl ConnectionTrait) -> AppResult<HashMap<i64, Vec<String>>> {
    let mut map: HashMap<i64, Vec<String>> = HashMap::new();
    for t in course_tier::Entity::find().all(db).await? {
        map.entry(t.course_id).or_default().push(t.tier);
    }
    Ok(map)
}

async fn cards(
    db: &impl ConnectionTrait,
    user: Option<&CurrentUser>,
) -> AppResult<(Vec<(i64, CourseCard)>, Reading)> {
    let courses = course::Entity::find()
        .filter(course::Column::Archived.eq(false))
        .order_by_asc(course::Column::Position)
        .all(db)
        .await?;
    let mut tiers = tiers_by_course(db).await?;
    let lessons = lesson_index(db).await?;
    let r = reading(db, user.map(|u| u.id)).await?;
    let cards = courses
        .into_iter()
        .map(|c| {
            let id = c.id;
            let t = sorted_tiers(tiers.remove(&id).unwrap_or_default());
            (id, card(c, t, &lessons, user.map(|_| &r)))
        })
        .collect();
    Ok((cards, r))
}

/// Tier codes in the programme's order (leader first).
fn sorted_tiers(mut tiers: Vec<String>) -> Vec<String> {
    let rank = |code: &str| {
        crate::people::tier::Tier::ALL
            .iter()
            .position(|t| t.code() == code)
            .unwrap_or(usize::MAX)
    };
    tiers.sort_by_key(|t| rank(t));
    tiers
}

pub async fn catalog(db: &impl ConnectionTrait, user: Option<&CurrentUser>) -> AppResult<Catalog> {
    let (cards, _) = cards(db, user).await?;
    Ok(Catalog {
        courses: cards.into_iter().map(|(_, c)| c).collect(),
        my_tier: user.and_then(|u| u.tier.clone()),
    })
}

async fn live_course(db: &impl ConnectionTrait, slug: &str) -> AppResult<course::Model> {
    course::Entity::find()
        .filter(course::Column::Slug.eq(slug))
        .filter(course::Column::Archived.eq(false))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The live lessons of a course in order, without bodies: id, slug, titles, minutes.
async fn outline(
    db: &impl ConnectionTrait,
    course_id: i64,
) -> AppResult<Vec<(i64, String, String, String, i32)>> {
    Ok(lesson::Entity::find()
        .select_only()
        .column(lesson::Column::Id)
        .column(lesson::Column::Slug)
        .column(lesson::Column::TitleZh)
        .column(lesson::Column::TitleEn)
        .column(lesson::Column::Minutes)
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::Archived.eq(false))
        .order_by_asc(lesson::Column::Position)
        .into_tuple()
        .all(db)
        .await?)
}

pub async fn course_detail(
    db: &impl ConnectionTrait,
    user: Option<&CurrentUser>,
    slug: &str,
) -> AppResult<CourseOutline> {
    let c = live_course(db, slug).await?;
    let course_id = c.id;
    let tiers = sorted_tiers(
        course_tier::Entity::find()
            .filter(course_tier::Column::CourseId.eq(c.id))
            .all(db)
            .await?
            .into_iter()
            .map(|t| t.tier)
            .collect(),
    );
    let lessons = outline(db, c.id).await?;
    let r = reading(db, user.map(|u| u.id)).await?;
    let index: Vec<(i64, i64, i32)> = lessons.iter().map(|l| (l.0, c.id, l.4)).collect();
    let card = card(c, tiers, &index, user.map(|_| &r));
    let items: Vec<LessonItem> = lessons
        .into_iter()
        .map(|(id, slug, title_zh, title_en, minutes)| LessonItem {
            slug,
            title_zh,
            title_en,
            minutes: minutes.max(0) as u32,
            done: r.done.contains(&id),
        })
        .collect();
    let next_lesson = items
        .iter()
        .find(|l| !l.done)
        .or(items.first())
        .map(|l| l.slug.clone());
    let has_quiz = crate::quiz::entity::quiz::Entity::find()
        .filter(crate::quiz::entity::quiz::Column::CourseId.eq(course_id))
        .filter(crate::quiz::entity::quiz::Column::Archived.eq(false))
        .count(db)
        .await?
        > 0;
    Ok(CourseOutline {
        card,
        lessons: items,
        next_lesson,
        signed_in: user.is_some(),
        has_quiz,
    })
}

async fn live_lesson(db: &impl ConnectionTrait, slug: &str) -> AppResult<lesson::Model> {
    lesson::Entity::find()
        .filter(lesson::Column::Slug.eq(slug))
        .filter(lesson::Column::Archived.eq(false))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
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

async fn course_progress(
    db: &impl ConnectionTrait,
    person: i64,
    course_id: i64,
) -> AppResult<Progress> {
    let lessons = outline(db, course_id).await?;
    let r = reading(db, Some(person)).await?;
    Ok(Progress {
        done: lessons.iter().filter(|l| r.done.contains(&l.0)).count() as u32,
        total: lessons.len() as u32,
    })
}

pub async fn read_lesson(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    slug: &str,
    now: DateTime<Utc>,
) -> AppResult<LessonView> {
    let l = live_lesson(db, slug).await?;
    let c = course::Entity::find_by_id(l.course_id)
        .one(db)
        .await?
        .filter(|c| !c.archived)
        .ok_or(AppError::NotFound)?;
    // Most openings are re-readings: only a first one writes, in the writer's turn (SQLite
    // would otherwise sleep in its busy handler when many open lessons at once).
    let r = reading(db, Some(user.id)).await?;
    if !r.opened.contains(&l.id) {
        let _turn = crate::db::writer_turn(db).await;
        record_open(db, user.id, l.id, now).await?;
    }
    let siblings = outline(db, c.id).await?;
    let at = siblings.iter().position(|s| s.0 == l.id);
    let link = |i: usize| {
        siblings.get(i).map(|s| LessonLink {
            slug: s.1.clone(),
            title_zh: s.2.clone(),
            title_en: s.3.clone(),
        })
    };
    let (prev, next) = match at {
        Some(i) => (i.checked_sub(1).and_then(link), link(i + 1)),
        None => (None, None),
    };
    let toc: Vec<TocEntry> = serde_json::from_str(&l.toc).unwrap_or_default();
    Ok(LessonView {
        done: r.done.contains(&l.id),
        progress: Progress {
            done: siblings.iter().filter(|s| r.done.contains(&s.0)).count() as u32,
            total: siblings.len() as u32,
        },
        slug: l.slug,
        course_slug: c.slug,
        course_title_zh: c.title_zh,
        course_title_en: c.title_en,
        title_zh: l.title_zh,
        title_en: l.title_en,
        minutes: l.minutes.max(0) as u32,
        html: l.body_html,
        toc,
        prev,
        next,
    })
}

pub async fn mark_lesson(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    slug: &str,
    done: bool,
    now: DateTime<Utc>,
) -> AppResult<Marked> {
    let l = live_lesson(db, slug).await?;
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
    Ok(Marked {
        done,
        progress: course_progress(db, user.id, l.course_id).await?,
    })
}

pub async fn my_learning(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
) -> AppResult<Vec<CourseCard>> {
    let (cards, r) = cards(db, Some(user)).await?;
    let started: HashSet<i64> = lesson::Entity::find()
        .select_only()
        .column(lesson::Column::CourseId)
        .filter(lesson::Column::Id.is_in(r.opened.iter().copied()))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
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
