//! What the content files describe, once loaded and validated.
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::people::tier::Tier;

/// Everything under a content root: the programmes and the courses with their lessons and quizzes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentSet {
    pub programmes: Vec<Programme>,
    /// Sorted by `order`.
    pub courses: Vec<Course>,
}

impl ContentSet {
    pub fn course(&self, id: &str) -> Option<&Course> {
        self.courses.iter().find(|c| c.id == id)
    }

    pub fn lessons(&self) -> impl Iterator<Item = (&Course, &Lesson)> {
        self.courses
            .iter()
            .flat_map(|c| c.lessons.iter().map(move |l| (c, l)))
    }

    pub fn lesson_count(&self) -> usize {
        self.courses.iter().map(|c| c.lessons.len()).sum()
    }

    pub fn question_count(&self) -> usize {
        self.courses
            .iter()
            .filter_map(|c| c.quiz.as_ref())
            .map(|q| q.questions.len())
            .sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseKind {
    /// A tier's own curriculum.
    Curriculum,
    /// A technical lecture, open to all tiers.
    Lecture,
}

impl CourseKind {
    pub fn code(self) -> &'static str {
        match self {
            CourseKind::Curriculum => "curriculum",
            CourseKind::Lecture => "lecture",
        }
    }

    pub fn parse(s: &str) -> Option<CourseKind> {
        match s {
            "curriculum" => Some(CourseKind::Curriculum),
            "lecture" => Some(CourseKind::Lecture),
            _ => None,
        }
    }
}

/// `courses/<id>/course.toml` with its lessons and quiz.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub id: String,
    pub kind: CourseKind,
    pub tiers: Vec<Tier>,
    pub order: i32,
    pub title_zh: String,
    pub title_en: String,
    pub summary_zh: String,
    pub summary_en: String,
    pub hours: f64,
    pub lecturer_role: String,
    /// Sorted by `order`.
    pub lessons: Vec<Lesson>,
    pub quiz: Option<Quiz>,
    /// The course folder, as joined from the root given to [`super::load`].
    pub dir: PathBuf,
    /// Hex SHA-256 of `course.toml` followed by `quiz.toml` (if any).
    pub hash: String,
}

/// `courses/<course>/NN-<slug>.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub order: i32,
    pub minutes: i32,
    /// The Markdown after the front matter.
    pub body_md: String,
    pub path: PathBuf,
    /// Hex SHA-256 of the whole file.
    pub hash: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counts {
    /// The best attempt counts.
    Best,
    /// The last attempt counts.
    Last,
}

impl Counts {
    pub fn code(self) -> &'static str {
        match self {
            Counts::Best => "best",
            Counts::Last => "last",
        }
    }

    pub fn parse(s: &str) -> Option<Counts> {
        match s {
            "best" => Some(Counts::Best),
            "last" => Some(Counts::Last),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    OnePerPage,
    AllOnOnePage,
}

impl Layout {
    pub fn code(self) -> &'static str {
        match self {
            Layout::OnePerPage => "one_per_page",
            Layout::AllOnOnePage => "all_on_one_page",
        }
    }

    pub fn parse(s: &str) -> Option<Layout> {
        match s {
            "one_per_page" => Some(Layout::OnePerPage),
            "all_on_one_page" => Some(Layout::AllOnOnePage),
            _ => None,
        }
    }
}

/// `courses/<course>/quiz.toml`: the settings and the question bank.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quiz {
    pub title_zh: String,
    pub title_en: String,
    /// Questions drawn per attempt (1..=bank size).
    pub draw: u32,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub time_limit_minutes: u32,
    pub attempts: u32,
    pub pass_percent: u32,
    pub counts: Counts,
    pub layout: Layout,
    pub questions: Vec<Question>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Single,
    Multiple,
    TrueFalse,
    Fill,
}

impl QuestionKind {
    pub fn code(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::TrueFalse => "true_false",
            QuestionKind::Fill => "fill",
        }
    }

    pub fn parse(s: &str) -> Option<QuestionKind> {
        match s {
            "single" => Some(QuestionKind::Single),
            "multiple" => Some(QuestionKind::Multiple),
            "true_false" => Some(QuestionKind::TrueFalse),
            "fill" => Some(QuestionKind::Fill),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    #[default]
    AllOrNothing,
    /// Multiple choice: partial credit.
    Partial,
}

impl Scoring {
    pub fn code(self) -> &'static str {
        match self {
            Scoring::AllOrNothing => "all_or_nothing",
            Scoring::Partial => "partial",
        }
    }

    pub fn parse(s: &str) -> Option<Scoring> {
        match s {
            "all_or_nothing" => Some(Scoring::AllOrNothing),
            "partial" => Some(Scoring::Partial),
            _ => None,
        }
    }
}

/// The key of a question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// 0-based option index.
    Single(usize),
    /// 0-based option indexes, ascending, distinct.
    Multiple(Vec<usize>),
    TrueFalse(bool),
    /// Accepted answers.
    Fill(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: QuestionKind,
    pub category: Option<String>,
    /// Default 1.
    pub points: f64,
    pub prompt: String,
    /// Empty for true/false and fill-in questions.
    pub options: Vec<String>,
    pub answer: Answer,
    pub scoring: Scoring,
    pub explanation: String,
}

/// `programmes/<id>.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub timezone: String,
    pub venue_zh: String,
    pub venue_en: String,
    pub organisers_zh: Vec<String>,
    pub organisers_en: Vec<String>,
    pub host_zh: String,
    pub host_en: String,
    pub summary_zh: String,
    pub summary_en: Option<String>,
    pub certificate: CertificateRule,
    pub quotas: Vec<Quota>,
    pub rooms: Vec<Room>,
    /// Sorted by `number`.
    pub sessions: Vec<Session>,
    pub path: PathBuf,
    /// Hex SHA-256 of the file.
    pub hash: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRule {
    pub min_attendance_percent: u32,
    pub require_quiz: bool,
    /// Tiers with a rule of their own, in the tiers' order.
    pub tiers: Vec<TierRule>,
}

pub use crate::certificate::rules::TierRule;

/// How many trainees of a tier each enterprise must send.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    pub tier: Tier,
    pub min: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Room {
    pub name: String,
    pub capacity: u32,
}

/// One 期 of the programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub number: u32,
    pub title_zh: String,
    pub title_en: String,
    pub tiers: Vec<Tier>,
    /// Course ids.
    pub courses: Vec<String>,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// A room name from [`Programme::rooms`].
    pub room: String,
    pub capacity: u32,
    pub lecturers: Vec<String>,
    /// The periods of a session that spans a day (empty: one period, the whole session).
    #[serde(default)]
    pub periods: Vec<crate::scheduling::periods::Period>,
}
