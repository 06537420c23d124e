//! The live catalog as the last content sync left it: courses in order, their tiers, their
//! lessons with rendered bodies, and their quizzes with the question banks parsed. Only a
//! content sync writes these rows, and a sync that changes anything stamps a new
//! [`VERSION_KEY`] in `setting` in the same transaction. Each server process keeps one shelf
//! and, per request, reads only that stamp (a primary-key lookup), loading the shelf again
//! when the stamp moved. So a crowd reading lessons asks the database for nothing but who they
//! are and how far they got, and every process sees a sync as soon as it commits.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::entity::{course, course_tier, lesson};
use super::TocEntry;
use crate::attendance::entity::setting;
use crate::error::AppResult;
use crate::quiz::bank::Bank;
use crate::quiz::entity::{question, quiz};

/// The `setting` row a content sync stamps with a fresh value whenever it changes something.
pub const VERSION_KEY: &str = "content_version";

/// A live lesson as the reader needs it: no Markdown source, its table of contents parsed.
#[derive(Clone, Debug)]
pub struct ShelfLesson {
    pub id: i64,
    pub slug: String,
    pub course_id: i64,
    pub title_zh: String,
    pub title_en: String,
    pub minutes: u32,
    pub html: String,
    pub toc: Vec<TocEntry>,
}

#[derive(Debug, Default)]
pub struct Shelf {
    /// Live courses in catalog order.
    pub courses: Vec<course::Model>,
    /// Tier codes per course, in the programme's order.
    tiers: HashMap<i64, Vec<String>>,
    /// Live lessons per course, in order.
    lessons: HashMap<i64, Vec<ShelfLesson>>,
    /// Lesson slug: its course and place in that course.
    lesson_at: HashMap<String, (i64, usize)>,
    /// Live lesson id: its course.
    course_of: HashMap<i64, i64>,
    /// Course id: its place in `courses`.
    course_index: HashMap<i64, usize>,
    /// Live quizzes by their course.
    quizzes: HashMap<i64, Arc<Bank>>,
    /// Live quiz id: its course.
    quiz_course: HashMap<i64, i64>,
}

impl Shelf {
    /// Reads the live catalog: five queries, whatever its size.
    pub async fn load(db: &impl ConnectionTrait) -> AppResult<Shelf> {
        let courses = course::Entity::find()
            .filter(course::Column::Archived.eq(false))
            .order_by_asc(course::Column::Position)
            .all(db)
            .await?;
        let live: HashSet<i64> = courses.iter().map(|c| c.id).collect();
        let mut tiers: HashMap<i64, Vec<String>> = HashMap::new();
        for t in course_tier::Entity::find().all(db).await? {
            tiers.entry(t.course_id).or_default().push(t.tier);
        }
        for list in tiers.values_mut() {
            sort_tiers(list);
        }
        let mut lessons: HashMap<i64, Vec<ShelfLesson>> = HashMap::new();
        for l in lesson::Entity::find()
            .filter(lesson::Column::Archived.eq(false))
            .order_by_asc(lesson::Column::CourseId)
            .order_by_asc(lesson::Column::Position)
            .all(db)
            .await?
            .into_iter()
            .filter(|l| live.contains(&l.course_id))
        {
            lessons.entry(l.course_id).or_default().push(ShelfLesson {
                id: l.id,
                slug: l.slug,
                course_id: l.course_id,
                title_zh: l.title_zh,
                title_en: l.title_en,
                minutes: l.minutes.max(0) as u32,
                html: l.body_html,
                toc: serde_json::from_str(&l.toc).unwrap_or_default(),
            });
        }
        let lesson_at = lessons
            .iter()
            .flat_map(|(course, list)| {
                list.iter()
                    .enumerate()
                    .map(move |(i, l)| (l.slug.clone(), (*course, i)))
            })
            .collect();
        let course_of = lessons
            .iter()
            .flat_map(|(course, list)| list.iter().map(move |l| (l.id, *course)))
            .collect();
        let course_index = courses.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let mut banks: HashMap<i64, Vec<question::Model>> = HashMap::new();
        for q in question::Entity::find().all(db).await? {
            banks.entry(q.quiz_id).or_default().push(q);
        }
        let mut quizzes = HashMap::new();
        for q in quiz::Entity::find()
            .filter(quiz::Column::Archived.eq(false))
            .all(db)
            .await?
            .into_iter()
            .filter(|q| live.contains(&q.course_id))
        {
            // An unreadable quiz (logged) is left off: its course shows no quiz.
            if let Ok(bank) = Bank::new(&q, banks.remove(&q.id).unwrap_or_default()) {
                quizzes.insert(q.course_id, Arc::new(bank));
            }
        }
        let quiz_course = quizzes.values().map(|b| (b.quiz_id, b.course_id)).collect();
        Ok(Shelf {
            courses,
            tiers,
            lessons,
            lesson_at,
            course_of,
            course_index,
            quizzes,
            quiz_course,
        })
    }

    /// A live course by its slug.
    pub fn course(&self, slug: &str) -> Option<&course::Model> {
        self.courses.iter().find(|c| c.slug == slug)
    }

    pub fn tiers(&self, course: i64) -> &[String] {
        self.tiers.get(&course).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A live course's live lessons, in order.
    pub fn lessons(&self, course: i64) -> &[ShelfLesson] {
        self.lessons.get(&course).map(Vec::as_slice).unwrap_or(&[])
    }

    /// A live lesson by its slug: its course, the course's lessons and its place among them.
    pub fn lesson(&self, slug: &str) -> Option<(&course::Model, &[ShelfLesson], usize)> {
        let (course, at) = *self.lesson_at.get(slug)?;
        let c = &self.courses[*self.course_index.get(&course)?];
        Some((c, self.lessons(course), at))
    }

    /// The course a live lesson belongs to.
    pub fn course_of_lesson(&self, lesson: i64) -> Option<i64> {
        self.course_of.get(&lesson).copied()
    }

    pub fn has_quiz(&self, course: i64) -> bool {
        self.quizzes.contains_key(&course)
    }

    /// A live course's quiz.
    pub fn quiz_of(&self, course: i64) -> Option<Arc<Bank>> {
        self.quizzes.get(&course).cloned()
    }

    /// A live quiz by its id.
    pub fn quiz(&self, id: i64) -> Option<Arc<Bank>> {
        self.quiz_of(*self.quiz_course.get(&id)?)
    }

    /// A live course by its id.
    pub fn course_by_id(&self, id: i64) -> Option<&course::Model> {
        self.courses.get(*self.course_index.get(&id)?)
    }
}

/// Tier codes in the programme's order (leader first).
pub fn sort_tiers(tiers: &mut [String]) {
    let rank = |code: &str| {
        crate::people::tier::Tier::ALL
            .iter()
            .position(|t| t.code() == code)
            .unwrap_or(usize::MAX)
    };
    tiers.sort_by_key(|t| rank(t));
}

/// The stamp of the content now in the database (none before the first sync that changed it).
pub async fn version(db: &impl ConnectionTrait) -> AppResult<Option<String>> {
    Ok(setting::Entity::find_by_id(VERSION_KEY)
        .one(db)
        .await?
        .map(|row| row.value))
}

/// Stamps a new content version; called by a sync that changed something, in its transaction.
pub async fn stamp(db: &impl ConnectionTrait) -> AppResult<()> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(VERSION_KEY.into()),
        value: Set(uuid::Uuid::new_v4().to_string()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(setting::Column::Key)
            .update_column(setting::Column::Value)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// This process's shelf and the stamp it was loaded at.
#[derive(Default)]
pub struct ShelfCache {
    slot: RwLock<Option<(Option<String>, Arc<Shelf>)>>,
    /// One load at a time: a crowd arriving after a sync waits for one load, not a load each.
    loading: tokio::sync::Mutex<()>,
}

impl ShelfCache {
    /// The shelf for the content now in the database.
    pub async fn get(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Shelf>> {
        let now = version(db).await?;
        if let Some(shelf) = self.at(&now) {
            return Ok(shelf);
        }
        let _loading = self.loading.lock().await;
        if let Some(shelf) = self.at(&now) {
            return Ok(shelf);
        }
        // The stamp was read before the rows: the shelf is at least as new as the stamp it is
        // kept under, and a sync committed in between only costs one more load.
        let shelf = Arc::new(Shelf::load(db).await?);
        if let Ok(mut slot) = self.slot.write() {
            *slot = Some((now, shelf.clone()));
        }
        Ok(shelf)
    }

    fn at(&self, version: &Option<String>) -> Option<Arc<Shelf>> {
        let slot = self.slot.read().ok()?;
        match &*slot {
            Some((v, shelf)) if v == version => Some(shelf.clone()),
            _ => None,
        }
    }
}
