//! Attempts on the server: drawing, saving, grading (on submit, and at the deadline whatever the
//! browser does), the review, and the results with item analysis.
//!
//! A live quiz's settings and bank come from the catalog shelf (see [`bank`](super::bank)), so
//! the crowd starting or submitting at once asks the database only about attempts and answers.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TransactionSession, TransactionTrait, TryInsertResult,
};

use super::bank::{self, Bank};
use super::entity::{attempt, attempt_answer};
use super::rules::{self, ItemResponse, Response};
use super::{
    AttemptSheet, AttemptSummary, GroupRow, ItemRow, QuestionView, QuizHome, QuizInfo, QuizReport,
    ResultRow, ReviewItem, ReviewView,
};
use crate::auth::{CurrentUser, Role};
use crate::catalog::content::{Answer, Question, QuestionKind};
use crate::catalog::entity::course;
use crate::catalog::shelf::Shelf;
use crate::db::queue::{BatchWrite, WriteQueue};
use crate::error::{AppError, AppResult};
use crate::people::entity::{enterprise, person};
use crate::scheduling::entity::{enrolment, session};

/// A save that reaches the server this long after the deadline (a slow phone network) still
/// counts; the deadline sweep waits as long before grading.
pub const GRACE_SECONDS: i64 = 5;

/// Who may see anyone's attempts.
const STAFF: &[Role] = &[
    Role::Instructor,
    Role::Organiser,
    Role::Scheduler,
    Role::Admin,
];

struct Loaded {
    course: course::Model,
    bank: Arc<Bank>,
}

impl Loaded {
    fn info(&self) -> QuizInfo {
        let s = &self.bank.settings;
        QuizInfo {
            course_slug: self.course.slug.clone(),
            course_title_zh: self.course.title_zh.clone(),
            course_title_en: self.course.title_en.clone(),
            title_zh: s.title_zh.clone(),
            title_en: s.title_en.clone(),
            questions: s.draw,
            time_limit_minutes: s.time_limit_minutes,
            attempts_allowed: s.attempts,
            pass_percent: s.pass_percent,
            counts: s.counts.code().to_string(),
            layout: s.layout.code().to_string(),
        }
    }
}

/// The live quiz of a live course.
fn by_course(shelf: &Shelf, slug: &str) -> AppResult<Loaded> {
    let course = shelf.course(slug).ok_or(AppError::NotFound)?;
    let bank = shelf.quiz_of(course.id).ok_or(AppError::NotFound)?;
    Ok(Loaded {
        course: course.clone(),
        bank,
    })
}

/// Any quiz, archived ones too (an old attempt's).
async fn by_quiz_id(db: &impl ConnectionTrait, shelf: &Shelf, quiz_id: i64) -> AppResult<Loaded> {
    let bank = bank::of(db, Some(shelf), quiz_id).await?;
    let course = match shelf.course_by_id(bank.course_id) {
        Some(c) => c.clone(),
        None => course::Entity::find_by_id(bank.course_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?,
    };
    Ok(Loaded { course, bank })
}

/// The drawn questions of an attempt: question row id and the order its options are shown in.
type DrawRows = Vec<(i64, Vec<usize>)>;

fn draw_of(a: &attempt::Model) -> AppResult<DrawRows> {
    serde_json::from_str(&a.draw).map_err(|_| AppError::Internal)
}

/// An attempt of `user`; someone else's is "not found", so ids reveal nothing.
async fn own_attempt(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> AppResult<attempt::Model> {
    attempt::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|a| a.person_id == user.id)
        .ok_or(AppError::NotFound)
}

fn is_over(a: &attempt::Model, now: DateTime<Utc>) -> bool {
    now > a.deadline_at + Duration::seconds(GRACE_SECONDS)
}

/// The pass mark the attempt started with, which grades it.
fn pass_mark(a: &attempt::Model) -> u32 {
    u32::try_from(a.pass_percent).unwrap_or(0).min(100)
}

/// What the trainee was told when the attempt started: the quiz as it is, with the attempt's own
/// terms (its questions, time limit and pass mark) where the quiz has changed since.
fn terms(loaded: &Loaded, a: &attempt::Model, drawn: usize) -> QuizInfo {
    QuizInfo {
        questions: drawn as u32,
        time_limit_minutes: u32::try_from((a.deadline_at - a.started_at).num_minutes())
            .unwrap_or(0),
        pass_percent: pass_mark(a),
        ..loaded.info()
    }
}

/// The graded attempts' percent and verdict, in attempt order, for [`rules::counting_attempt`].
fn graded(attempts: &[attempt::Model]) -> Vec<(f64, bool)> {
    attempts
        .iter()
        .filter_map(|a| Some((a.percent?, a.passed.unwrap_or(false))))
        .collect()
}

fn summary(a: &attempt::Model) -> AttemptSummary {
    AttemptSummary {
        id: a.id,
        number: a.number,
        status: a.status.clone(),
        started_at: crate::shell::time::local(a.started_at),
        percent: a.percent,
        passed: a.passed,
    }
}

async fn attempts_of(
    db: &impl ConnectionTrait,
    person: i64,
    quiz_id: i64,
) -> AppResult<Vec<attempt::Model>> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::PersonId.eq(person))
        .filter(attempt::Column::QuizId.eq(quiz_id))
        .order_by_asc(attempt::Column::Number)
        .all(db)
        .await?)
}

/// Grades the person's attempts whose time is up, so what they see is never stale.
async fn close_overdue(
    db: &(impl ConnectionTrait + TransactionTrait),
    shelf: &Shelf,
    attempts: &mut [attempt::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let overdue: Vec<attempt::Model> = attempts
        .iter()
        .filter(|a| a.status == "open" && is_over(a, now))
        .cloned()
        .collect();
    if overdue.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = overdue.iter().map(|a| a.id).collect();
    close(db, Some(shelf), overdue, "expired", now).await?;
    let fresh: HashMap<i64, attempt::Model> = attempt::Entity::find()
        .filter(attempt::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    for a in attempts.iter_mut() {
        if let Some(f) = fresh.get(&a.id) {
            *a = f.clone();
        }
    }
    Ok(())
}

pub async fn overview(
    db: &(impl ConnectionTrait + TransactionTrait),
    shelf: &Shelf,
    user: &CurrentUser,
    slug: &str,
    now: DateTime<Utc>,
) -> AppResult<QuizHome> {
    let loaded = by_course(shelf, slug)?;
    let settings = &loaded.bank.settings;
    let mut attempts = attempts_of(db, user.id, loaded.bank.quiz_id).await?;
    close_overdue(db, shelf, &mut attempts, now).await?;
    let counting = rules::counting_attempt(&graded(&attempts), settings.counts);
    Ok(QuizHome {
        info: loaded.info(),
        open_attempt: attempts.iter().find(|a| a.status == "open").map(|a| a.id),
        attempts_left: settings.attempts.saturating_sub(attempts.len() as u32),
        counting_percent: counting.map(|(percent, _)| percent),
        passed: counting.map(|(_, passed)| passed),
        attempts: attempts.iter().map(summary).collect(),
    })
}

/// Starts an attempt at the course's quiz, or resumes the open one: the questions are drawn
/// here and the attempt is written with the others started in the same moment (see
/// [`StartQueue`]). Returns the attempt's id.
pub async fn start(
    db: &DatabaseConnection,
    (shelf, queue): (&Shelf, &StartQueue),
    user: &CurrentUser,
    slug: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let loaded = by_course(shelf, slug)?;
    let (bank, settings) = (&loaded.bank, &loaded.bank.settings);
    let mut attempts = attempts_of(db, user.id, bank.quiz_id).await?;
    close_overdue(db, shelf, &mut attempts, now).await?;
    if let Some(open) = attempts.iter().find(|a| a.status == "open") {
        return Ok(open.id);
    }
    if attempts.len() as u32 >= settings.attempts {
        return Err(AppError::validation("quiz", "no_attempts_left"));
    }
    let (live, live_ids) = bank.live();
    let drawn = {
        let mut rng = rand::rng();
        rules::draw(
            live,
            settings.draw as usize,
            settings.shuffle_questions,
            settings.shuffle_options,
            &mut rng,
        )
    };
    let row_of: HashMap<&str, (i64, f64)> = live_ids
        .iter()
        .zip(live)
        .map(|(id, q)| (q.id.as_str(), (*id, q.points)))
        .collect();
    let mut draw: DrawRows = Vec::new();
    let mut possible = 0.0;
    for (key, order) in drawn.question_ids.iter().zip(drawn.option_orders) {
        if let Some((id, points)) = row_of.get(key.as_str()) {
            draw.push((*id, order));
            possible += points;
        }
    }
    let made = queue
        .write(
            db,
            Starting {
                quiz_id: bank.quiz_id,
                person_id: user.id,
                number: attempts.len() as i32 + 1,
                now,
                deadline: now + Duration::minutes(i64::from(settings.time_limit_minutes)),
                possible,
                pass_percent: settings.pass_percent,
                draw: serde_json::to_string(&draw).map_err(|_| AppError::Internal)?,
            },
        )
        .await?;
    match made {
        Some(id) => Ok(id),
        // A second "start" at the same moment, written first by an earlier batch or another
        // process: the unique (person, quiz, number) index refused this one; the attempt the
        // first one made is the one to resume.
        None => attempts_of(db, user.id, bank.quiz_id)
            .await?
            .into_iter()
            .find(|a| a.status == "open")
            .map(|a| a.id)
            .ok_or(AppError::Internal),
    }
}

/// A new attempt on its way to the database: drawn, numbered, not yet written.
pub struct Starting {
    pub quiz_id: i64,
    pub person_id: i64,
    /// 1 for the person's first attempt at the quiz.
    pub number: i32,
    pub now: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub possible: f64,
    /// The quiz's pass mark now: it grades this attempt whatever the quiz says later.
    pub pass_percent: u32,
    /// [`DrawRows`] as JSON.
    pub draw: String,
}

/// Attempts as trainees start them, written in batches: when a room starts the quiz in the
/// same second, one insert per two hundred attempts instead of a write turn each.
pub struct Starts;

impl BatchWrite for Starts {
    type Job = Starting;
    /// The new attempt's id; `None` when the person's attempt of that number already existed.
    type Outcome = Option<i64>;
    const WHAT: &'static str = "quiz attempts";
    fn write(
        db: &DatabaseConnection,
        jobs: &[Starting],
    ) -> impl std::future::Future<Output = Result<Vec<Option<i64>>, DbErr>> + Send {
        write_starts(db, jobs)
    }
}

/// One server's queue of attempts waiting to be started.
pub type StartQueue = WriteQueue<Starts>;

/// Inserts a batch of new attempts. An attempt number the person already has (two starts at
/// once) is skipped by the unique index; a job that asked for it gets the id of the one
/// written in this batch, if any.
async fn write_starts(
    db: &DatabaseConnection,
    jobs: &[Starting],
) -> Result<Vec<Option<i64>>, DbErr> {
    let row = |j: &Starting| attempt::ActiveModel {
        quiz_id: Set(j.quiz_id),
        person_id: Set(j.person_id),
        number: Set(j.number),
        status: Set("open".into()),
        started_at: Set(j.now),
        deadline_at: Set(j.deadline),
        finished_at: Set(None),
        earned: Set(None),
        possible: Set(j.possible),
        pass_percent: Set(j.pass_percent.min(100) as i32),
        percent: Set(None),
        passed: Set(None),
        draw: Set(j.draw.clone()),
        points: Set(None),
        ..Default::default()
    };
    let mut made: HashMap<(i64, i64, i32), i64> = HashMap::new();
    for chunk in jobs.chunks(crate::db::BATCH) {
        let written = attempt::Entity::insert_many(chunk.iter().map(row))
            .on_conflict_do_nothing_on([
                attempt::Column::PersonId,
                attempt::Column::QuizId,
                attempt::Column::Number,
            ])
            .exec_with_returning_many(db)
            .await?;
        if let TryInsertResult::Inserted(rows) = written {
            made.extend(
                rows.into_iter()
                    .map(|a| ((a.person_id, a.quiz_id, a.number), a.id)),
            );
        }
    }
    Ok(jobs
        .iter()
        .map(|j| made.get(&(j.person_id, j.quiz_id, j.number)).copied())
        .collect())
}

pub async fn view(
    db: &(impl ConnectionTrait + TransactionTrait),
    shelf: &Shelf,
    user: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<AttemptSheet> {
    let mut a = own_attempt(db, user, id).await?;
    if a.status == "open" && is_over(&a, now) {
        close(db, Some(shelf), vec![a], "expired", now).await?;
        a = own_attempt(db, user, id).await?;
    }
    let loaded = by_quiz_id(db, shelf, a.quiz_id).await?;
    let draw = draw_of(&a)?;
    let saved: HashMap<i64, Response> = answers_of(db, a.id).await?;
    let mut questions = Vec::new();
    for (qid, order) in &draw {
        let Some(q) = loaded.bank.question(*qid) else {
            continue;
        };
        questions.push(QuestionView {
            id: *qid,
            kind: q.kind.code().to_string(),
            prompt: q.prompt.clone(),
            options: order
                .iter()
                .filter_map(|&i| q.options.get(i).map(|text| (i, text.clone())))
                .collect(),
            saved: saved.get(qid).map(encode),
        });
    }
    Ok(AttemptSheet {
        id: a.id,
        info: terms(&loaded, &a, draw.len()),
        number: a.number,
        seconds_left: if a.status == "open" {
            (a.deadline_at - now).num_seconds().max(0)
        } else {
            0
        },
        status: a.status,
        questions,
    })
}

async fn answers_of(
    db: &impl ConnectionTrait,
    attempt_id: i64,
) -> AppResult<HashMap<i64, Response>> {
    Ok(attempt_answer::Entity::find()
        .filter(attempt_answer::Column::AttemptId.eq(attempt_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.question_id, response_of(&r)?)))
        .collect())
}

/// A graded attempt's points per question, as stored on it.
fn points_text(per_question: &[(i64, f64)]) -> String {
    let map: BTreeMap<String, f64> = per_question
        .iter()
        .map(|(id, earned)| (id.to_string(), *earned))
        .collect();
    serde_json::to_string(&map).unwrap_or_default()
}

/// The points [`points_text`] stored; none before grading (or if unreadable).
fn points_of(a: &attempt::Model) -> HashMap<i64, f64> {
    a.points
        .as_deref()
        .and_then(|text| serde_json::from_str::<HashMap<String, f64>>(text).ok())
        .map(|map| {
            map.into_iter()
                .filter_map(|(id, earned)| Some((id.parse().ok()?, earned)))
                .collect()
        })
        .unwrap_or_default()
}

/// A saved answer as the grading rules read it (`None`: cleared).
fn response_of(row: &attempt_answer::Model) -> Option<Response> {
    serde_json::from_str(row.response.as_deref()?).ok()
}

/// An answer as the browser sends it and gets it back.
pub fn encode(r: &Response) -> String {
    match r {
        Response::Single(i) => i.to_string(),
        Response::Multiple(v) => v
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Response::TrueFalse(b) => b.to_string(),
        Response::Fill(s) => s.clone(),
    }
}

/// An answer that does not fit its question (an option that does not exist, say).
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidAnswer;

/// Parses an answer for a question of `kind` with `options` options; `None` clears it.
pub fn decode(
    kind: QuestionKind,
    options: usize,
    text: &str,
) -> Result<Option<Response>, InvalidAnswer> {
    let index = |s: &str| -> Result<usize, InvalidAnswer> {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|i| *i < options)
            .ok_or(InvalidAnswer)
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(match kind {
        QuestionKind::Single => Response::Single(index(text)?),
        QuestionKind::Multiple => {
            let mut v = text.split(',').map(index).collect::<Result<Vec<_>, _>>()?;
            v.sort_unstable();
            v.dedup();
            Response::Multiple(v)
        }
        QuestionKind::TrueFalse => match text.trim() {
            "true" => Response::TrueFalse(true),
            "false" => Response::TrueFalse(false),
            _ => return Err(InvalidAnswer),
        },
        QuestionKind::Fill => {
            if text.chars().count() > 500 {
                return Err(InvalidAnswer);
            }
            Response::Fill(text.to_string())
        }
    }))
}

/// An answer as the browser sends it: the attempt, the question's row and the answer's text
/// (see [`decode`]).
pub struct Answered<'a> {
    pub attempt: i64,
    pub question: i64,
    pub text: &'a str,
}

/// Saves one answer of an open attempt: written with the others saved in the same moment (see
/// [`SaveQueue`]).
pub async fn save(
    db: &DatabaseConnection,
    (shelf, queue): (&Shelf, &SaveQueue),
    user: &CurrentUser,
    given: Answered<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Answered {
        attempt: attempt_id,
        question: question_id,
        text: answer,
    } = given;
    let a = own_attempt(db, user, attempt_id).await?;
    if a.status != "open" || is_over(&a, now) {
        return Err(AppError::validation("quiz", "attempt_closed"));
    }
    if !draw_of(&a)?.iter().any(|d| d.0 == question_id) {
        return Err(AppError::validation("answer", "question_not_in_attempt"));
    }
    let bank = bank::of(db, Some(shelf), a.quiz_id).await?;
    let q = bank.question(question_id).ok_or(AppError::NotFound)?;
    let response = decode(q.kind, q.options.len(), answer)
        .map_err(|_| AppError::validation("answer", "answer_invalid"))?;
    let json = match &response {
        Some(r) => Some(serde_json::to_string(r).map_err(|_| AppError::Internal)?),
        None => None,
    };
    queue
        .write(
            db,
            Saving {
                attempt_id,
                question_id,
                response: json,
                now,
            },
        )
        .await
}

/// An answer on its way to the database: the response as JSON (`None`: cleared).
pub struct Saving {
    pub attempt_id: i64,
    pub question_id: i64,
    pub response: Option<String>,
    pub now: DateTime<Utc>,
}

/// Answers as trainees give them, written in batches: when a room answers in the same moment,
/// one statement per two hundred answers instead of a write turn each.
pub struct Saves;

impl BatchWrite for Saves {
    type Job = Saving;
    type Outcome = ();
    const WHAT: &'static str = "quiz answers";
    fn write(
        db: &DatabaseConnection,
        jobs: &[Saving],
    ) -> impl std::future::Future<Output = Result<Vec<()>, DbErr>> + Send {
        write_saves(db, jobs)
    }
}

/// One server's queue of answers waiting to be saved.
pub type SaveQueue = WriteQueue<Saves>;

/// Upserts a batch of answers; of two for the same question of the same attempt, the later
/// one stands.
async fn write_saves(db: &DatabaseConnection, jobs: &[Saving]) -> Result<Vec<()>, DbErr> {
    let mut latest: HashMap<(i64, i64), usize> = HashMap::new();
    for (i, j) in jobs.iter().enumerate() {
        latest.insert((j.attempt_id, j.question_id), i);
    }
    let mut rows: Vec<usize> = latest.into_values().collect();
    rows.sort_unstable();
    let upsert = |chunk: &[usize]| {
        let row = |j: &Saving| attempt_answer::ActiveModel {
            attempt_id: Set(j.attempt_id),
            question_id: Set(j.question_id),
            response: Set(j.response.clone()),
            saved_at: Set(j.now),
        };
        attempt_answer::Entity::insert_many(chunk.iter().map(|&i| row(&jobs[i]))).on_conflict(
            OnConflict::columns([
                attempt_answer::Column::AttemptId,
                attempt_answer::Column::QuestionId,
            ])
            .update_columns([
                attempt_answer::Column::Response,
                attempt_answer::Column::SavedAt,
            ])
            .to_owned(),
        )
    };
    if rows.len() <= crate::db::BATCH {
        // One statement: atomic without a transaction around it.
        upsert(&rows).exec_without_returning(db).await?;
    } else {
        let txn = db.begin().await?;
        for chunk in rows.chunks(crate::db::BATCH) {
            upsert(chunk).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
    }
    Ok(vec![(); jobs.len()])
}

/// Submits the trainee's attempt: graded with the others submitted in the same moment (see
/// [`GradeQueue`]).
pub async fn submit(
    db: &DatabaseConnection,
    shelf: &Shelf,
    queue: &GradeQueue,
    user: &CurrentUser,
    attempt_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let a = own_attempt(db, user, attempt_id).await?;
    if a.status == "open" {
        let status = if is_over(&a, now) {
            "expired"
        } else {
            "submitted"
        };
        let bank = bank::of(db, Some(shelf), a.quiz_id).await?;
        queue.write(db, Grading::new(a, bank, status, now)?).await?;
    }
    Ok(())
}

/// An open attempt ready to be graded: everything that does not change once it is drawn (its
/// questions, its pass mark), read before the write turn.
pub struct Grading {
    attempt: attempt::Model,
    bank: Arc<Bank>,
    /// The drawn questions' row ids.
    drawn: Vec<i64>,
    status: String,
    now: DateTime<Utc>,
}

impl Grading {
    fn new(
        attempt: attempt::Model,
        bank: Arc<Bank>,
        status: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Grading> {
        Ok(Grading {
            drawn: draw_of(&attempt)?.into_iter().map(|(id, _)| id).collect(),
            attempt,
            bank,
            status: status.to_string(),
            now,
        })
    }
}

/// Grades open `attempts` from what was saved and closes them with `status`, together, in this
/// call. Returns, for each, whether this call graded it (another grader may have been first).
async fn close(
    db: &(impl ConnectionTrait + TransactionTrait),
    shelf: Option<&Shelf>,
    attempts: Vec<attempt::Model>,
    status: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<bool>> {
    if attempts.is_empty() {
        return Ok(Vec::new());
    }
    // Each quiz's bank once, however many of its attempts are due.
    let mut banks: HashMap<i64, Arc<Bank>> = HashMap::new();
    let mut jobs = Vec::with_capacity(attempts.len());
    for a in attempts {
        let bank = match banks.get(&a.quiz_id) {
            Some(b) => b.clone(),
            None => {
                let b = bank::of(db, shelf, a.quiz_id).await?;
                banks.insert(a.quiz_id, b.clone());
                b
            }
        };
        jobs.push(Grading::new(a, bank, status, now)?);
    }
    let _turn = crate::db::writer_turn(db).await;
    Ok(write_grades(db, &jobs).await?)
}

/// Grades an open attempt from what was saved and closes it with `status`. Safe to race: of two
/// processes grading the same attempt, one writes and the other changes nothing. Returns whether
/// this call graded it.
pub async fn grade(
    db: &(impl ConnectionTrait + TransactionTrait),
    attempt_id: i64,
    status: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(a) = attempt::Entity::find_by_id(attempt_id).one(db).await? else {
        return Ok(false);
    };
    if a.status != "open" {
        return Ok(false);
    }
    Ok(close(db, None, vec![a], status, now)
        .await?
        .first()
        .copied()
        .unwrap_or(false))
}

/// Quiz submissions, graded in batches: when a whole room submits at once, the write turns no
/// longer run one after another, one attempt each.
pub struct Gradings;

impl BatchWrite for Gradings {
    type Job = Grading;
    type Outcome = bool;
    const WHAT: &'static str = "quiz grades";
    fn write(
        db: &DatabaseConnection,
        jobs: &[Grading],
    ) -> impl std::future::Future<Output = Result<Vec<bool>, DbErr>> + Send {
        write_grades(db, jobs)
    }
}

/// One server's queue of attempts waiting to be graded.
pub type GradeQueue = WriteQueue<Gradings>;

/// Attempts one grading statement carries: six values and an id each.
const GRADE_BATCH: usize = 100;

/// Grades `jobs` together: reads what was saved, then in one transaction closes the attempts
/// still open with their scores and every drawn question's points, answered or not, for item
/// analysis (one statement per hundred, which is also the claim: an attempt another grader
/// closed first is left alone). Returns, for each job, whether this call graded it.
///
/// On SQLite the caller holds the writer's turn, so no answer is saved between the read and the
/// claim.
async fn write_grades(
    db: &(impl ConnectionTrait + TransactionTrait),
    jobs: &[Grading],
) -> Result<Vec<bool>, DbErr> {
    // The same attempt twice in a batch (two submits at once) is graded by the first.
    let mut seen = HashSet::new();
    let firsts: Vec<usize> = (0..jobs.len())
        .filter(|&i| seen.insert(jobs[i].attempt.id))
        .collect();
    let mut saved: HashMap<i64, HashMap<i64, Response>> = HashMap::new();
    for chunk in firsts.chunks(crate::db::BATCH) {
        for row in attempt_answer::Entity::find()
            .filter(
                attempt_answer::Column::AttemptId.is_in(chunk.iter().map(|&i| jobs[i].attempt.id)),
            )
            .all(db)
            .await?
        {
            if let Some(r) = response_of(&row) {
                saved
                    .entry(row.attempt_id)
                    .or_default()
                    .insert(row.question_id, r);
            }
        }
    }
    let scores: HashMap<i64, rules::Score> = firsts
        .iter()
        .map(|&i| {
            let j = &jobs[i];
            let answers = saved.get(&j.attempt.id);
            let score = rules::score(
                j.drawn.iter().filter_map(|qid| {
                    let q = j.bank.question(*qid)?;
                    Some((*qid, q, answers.and_then(|a| a.get(qid))))
                }),
                j.attempt.possible,
                pass_mark(&j.attempt),
            );
            (j.attempt.id, score)
        })
        .collect();

    let txn = db.begin().await?;
    let mut claimed = HashSet::new();
    for chunk in firsts.chunks(GRADE_BATCH) {
        let case = |value: &dyn Fn(&Grading, &rules::Score) -> sea_orm::Value,
                    column: attempt::Column| {
            let mut case = CaseStatement::new();
            for &i in chunk {
                let j = &jobs[i];
                case = case.case(
                    attempt::Column::Id.eq(j.attempt.id),
                    Expr::val(value(j, &scores[&j.attempt.id])),
                );
            }
            let case: Expr = case.finally(Expr::col(column)).into();
            case
        };
        let closed = attempt::Entity::update_many()
            .col_expr(
                attempt::Column::Status,
                case(&|j, _| j.status.clone().into(), attempt::Column::Status),
            )
            .col_expr(
                attempt::Column::FinishedAt,
                case(&|j, _| Some(j.now).into(), attempt::Column::FinishedAt),
            )
            .col_expr(
                attempt::Column::Earned,
                case(&|_, s| Some(s.earned).into(), attempt::Column::Earned),
            )
            .col_expr(
                attempt::Column::Percent,
                case(&|_, s| Some(s.percent).into(), attempt::Column::Percent),
            )
            .col_expr(
                attempt::Column::Passed,
                case(&|_, s| Some(s.passed).into(), attempt::Column::Passed),
            )
            .col_expr(
                attempt::Column::Points,
                case(
                    &|_, s| Some(points_text(&s.per_question)).into(),
                    attempt::Column::Points,
                ),
            )
            .filter(attempt::Column::Id.is_in(chunk.iter().map(|&i| jobs[i].attempt.id)))
            .filter(attempt::Column::Status.eq("open"))
            .exec_with_returning(&txn)
            .await?;
        claimed.extend(closed.iter().map(|a| a.id));
    }
    txn.commit().await?;
    let mut told = HashSet::new();
    Ok(jobs
        .iter()
        .map(|j| claimed.contains(&j.attempt.id) && told.insert(j.attempt.id))
        .collect())
}

/// Grades every open attempt whose deadline (plus the grace) has passed; the server runs this
/// every few seconds. Returns how many this call graded.
pub async fn grade_overdue(
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
) -> AppResult<usize> {
    grade_overdue_of(db, None, now).await
}

/// [`grade_overdue`] for one quiz's attempts only (`None`: every quiz's).
pub async fn grade_overdue_of(
    db: &(impl ConnectionTrait + TransactionTrait),
    quiz: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut due = attempt::Entity::find()
        .filter(attempt::Column::Status.eq("open"))
        .filter(attempt::Column::DeadlineAt.lt(now - Duration::seconds(GRACE_SECONDS)));
    if let Some(q) = quiz {
        due = due.filter(attempt::Column::QuizId.eq(q));
    }
    let due: Vec<attempt::Model> = due.all(db).await?;
    let graded = close(db, None, due, "expired", now).await?;
    Ok(graded.into_iter().filter(|g| *g).count())
}

fn correct_text(q: &Question) -> String {
    match &q.answer {
        Answer::Single(i) => i.to_string(),
        Answer::Multiple(v) => v
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Answer::TrueFalse(b) => b.to_string(),
        Answer::Fill(accepted) => accepted.join(" / "),
    }
}

pub async fn review(
    db: &(impl ConnectionTrait + TransactionTrait),
    shelf: &Shelf,
    user: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<ReviewView> {
    let mut a = attempt::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|a| a.person_id == user.id || user.has_any(STAFF))
        .ok_or(AppError::NotFound)?;
    if a.status == "open" && is_over(&a, now) {
        close(db, Some(shelf), vec![a], "expired", now).await?;
        a = attempt::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    if a.status == "open" {
        // No key before grading.
        return Err(AppError::validation("quiz", "attempt_not_graded"));
    }
    let loaded = by_quiz_id(db, shelf, a.quiz_id).await?;
    let draw = draw_of(&a)?;
    let saved = answers_of(db, a.id).await?;
    // Each question's points as graded (a key corrected since does not regrade the attempt).
    let points = points_of(&a);
    let mut items = Vec::new();
    for (qid, _) in &draw {
        let Some(q) = loaded.bank.question(*qid) else {
            continue;
        };
        items.push(ReviewItem {
            kind: q.kind.code().to_string(),
            prompt: q.prompt.clone(),
            options: q.options.clone(),
            yours: saved.get(qid).map(encode),
            correct: correct_text(q),
            earned: points
                .get(qid)
                .copied()
                .unwrap_or_else(|| rules::grade(q, saved.get(qid))),
            points: q.points,
            explanation: q.explanation.clone(),
        });
    }
    let person = person::Entity::find_by_id(a.person_id)
        .one(db)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(ReviewView {
        info: terms(&loaded, &a, draw.len()),
        number: a.number,
        status: a.status,
        earned: a.earned.unwrap_or(0.0),
        possible: a.possible,
        percent: a.percent.unwrap_or(0.0),
        passed: a.passed.unwrap_or(false),
        items,
        person,
    })
}

pub async fn results(
    db: &(impl ConnectionTrait + TransactionTrait),
    shelf: &Shelf,
    _user: &CurrentUser,
    slug: &str,
    now: DateTime<Utc>,
) -> AppResult<QuizReport> {
    let loaded = by_course(shelf, slug)?;
    let settings = &loaded.bank.settings;
    // The report counts this quiz's timed-out attempts as graded: grade those (only) first.
    grade_overdue_of(db, Some(loaded.bank.quiz_id), now).await?;
    let attempts: Vec<attempt::Model> = attempt::Entity::find()
        .filter(attempt::Column::QuizId.eq(loaded.bank.quiz_id))
        .filter(attempt::Column::Status.ne("open"))
        .order_by_asc(attempt::Column::Id)
        .all(db)
        .await?;
    let people: HashMap<i64, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(attempts.iter().map(|a| a.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let enterprises: HashMap<i64, String> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(people.values().filter_map(|p| p.enterprise_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let rows: Vec<ResultRow> = attempts
        .iter()
        .map(|a| {
            let p = people.get(&a.person_id);
            ResultRow {
                attempt_id: a.id,
                person: p.map(|p| p.name.clone()).unwrap_or_default(),
                enterprise: p
                    .and_then(|p| p.enterprise_id)
                    .and_then(|e| enterprises.get(&e).cloned())
                    .unwrap_or_default(),
                tier: p.and_then(|p| p.tier.clone()).unwrap_or_default(),
                number: a.number,
                status: a.status.clone(),
                percent: a.percent.unwrap_or(0.0),
                passed: a.passed.unwrap_or(false),
            }
        })
        .collect();

    // The attempt that counts, per person.
    let mut per_person: HashMap<i64, Vec<(f64, bool)>> = HashMap::new();
    for a in &attempts {
        per_person
            .entry(a.person_id)
            .or_default()
            .push((a.percent.unwrap_or(0.0), a.passed.unwrap_or(false)));
    }
    let counted: Vec<(i64, (f64, bool))> = per_person
        .into_iter()
        .filter_map(|(p, history)| {
            rules::counting_attempt(&history, settings.counts).map(|s| (p, s))
        })
        .collect();
    // A person counts in every group they belong to (a trainee seated in two sessions that
    // teach this course counts in both).
    let group = |labels_of: &dyn Fn(i64, &person::Model) -> Vec<String>| -> Vec<GroupRow> {
        let mut groups: HashMap<String, Vec<(f64, bool)>> = HashMap::new();
        for (p, score) in &counted {
            if let Some(person) = people.get(p) {
                for label in labels_of(*p, person) {
                    groups.entry(label).or_default().push(*score);
                }
            }
        }
        let mut out: Vec<GroupRow> = groups
            .into_iter()
            .map(|(label, scores)| GroupRow {
                people: scores.len() as u32,
                mean_percent: rules::percent(
                    scores.iter().map(|(percent, _)| percent).sum::<f64>(),
                    scores.len() as f64 * 100.0,
                ),
                passed: scores.iter().filter(|(_, passed)| *passed).count() as u32,
                label,
            })
            .collect();
        out.sort_by(|a, b| a.label.cmp(&b.label));
        out
    };
    let by_tier = group(&|_, p| vec![p.tier.clone().unwrap_or_default()]);
    let by_enterprise = group(&|_, p| {
        vec![p
            .enterprise_id
            .and_then(|e| enterprises.get(&e).cloned())
            .unwrap_or_default()]
    });
    // Per session (期) that teaches this course: the people holding a seat in it.
    let teaching: Vec<session::Model> = session::Entity::find()
        .order_by_asc(session::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .filter(|s| {
            crate::scheduling::service::list(&s.courses)
                .iter()
                .any(|c| c == slug)
        })
        .collect();
    let number_of: HashMap<i64, i32> = teaching.iter().map(|s| (s.id, s.number)).collect();
    let mut sessions_of: HashMap<i64, Vec<String>> = HashMap::new();
    for seat in enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.is_in(teaching.iter().map(|s| s.id)))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .all(db)
        .await?
    {
        if let Some(n) = number_of.get(&seat.session_id) {
            sessions_of
                .entry(seat.person_id)
                .or_default()
                .push(format!("第{n}期"));
        }
    }
    let by_session = group(&|id, _| sessions_of.get(&id).cloned().unwrap_or_default());

    // Item analysis over every graded attempt: each drawn question's points (on the attempt)
    // and the option chosen (its saved answer).
    let mut chosen: HashMap<(i64, i64), String> = HashMap::new();
    for chunk in attempts.chunks(crate::db::BATCH) {
        for ans in attempt_answer::Entity::find()
            .filter(attempt_answer::Column::AttemptId.is_in(chunk.iter().map(|a| a.id)))
            .filter(attempt_answer::Column::Response.is_not_null())
            .all(db)
            .await?
        {
            if let Some(r) = ans.response {
                chosen.insert((ans.attempt_id, ans.question_id), r);
            }
        }
    }
    let bank = &loaded.bank.all;
    let mut by_question: HashMap<i64, Vec<ItemResponse>> = HashMap::new();
    let possible: HashMap<i64, f64> = bank.iter().map(|q| (q.id, q.question.points)).collect();
    for a in &attempts {
        let total = a.percent.unwrap_or(0.0);
        for (question, earned) in points_of(a) {
            by_question.entry(question).or_default().push(ItemResponse {
                attempt_total: total,
                earned,
                possible: possible.get(&question).copied().unwrap_or(1.0),
                choice: chosen
                    .get(&(a.id, question))
                    .and_then(|r| serde_json::from_str(r).ok()),
            });
        }
    }
    let mut items = Vec::new();
    for row in bank {
        let q = &row.question;
        let responses = by_question.remove(&row.id).unwrap_or_default();
        if responses.is_empty() && row.archived {
            continue;
        }
        let stats = rules::item_stats(q, &responses);
        items.push(ItemRow {
            key: q.id.clone(),
            kind: q.kind.code().to_string(),
            prompt: q.prompt.clone(),
            options: q.options.clone(),
            responses: stats.responses as u32,
            facility: stats.facility,
            discrimination: stats.discrimination,
            option_counts: stats.option_counts.iter().map(|c| *c as u32).collect(),
        });
    }
    Ok(QuizReport {
        info: loaded.info(),
        rows,
        by_tier,
        by_enterprise,
        by_session,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_decode_by_question_kind_and_refuse_what_does_not_fit() {
        assert_eq!(
            decode(QuestionKind::Single, 4, "2"),
            Ok(Some(Response::Single(2)))
        );
        assert_eq!(decode(QuestionKind::Single, 4, "4"), Err(InvalidAnswer));
        assert_eq!(
            decode(QuestionKind::Multiple, 4, "3,0,3"),
            Ok(Some(Response::Multiple(vec![0, 3])))
        );
        assert_eq!(decode(QuestionKind::Multiple, 4, "0,x"), Err(InvalidAnswer));
        assert_eq!(
            decode(QuestionKind::TrueFalse, 0, "false"),
            Ok(Some(Response::TrueFalse(false)))
        );
        assert_eq!(
            decode(QuestionKind::TrueFalse, 0, "maybe"),
            Err(InvalidAnswer)
        );
        assert_eq!(
            decode(QuestionKind::Fill, 0, "１．７５"),
            Ok(Some(Response::Fill("１．７５".into())))
        );
        assert_eq!(decode(QuestionKind::Fill, 0, "  "), Ok(None));
        assert_eq!(
            decode(QuestionKind::Fill, 0, &"长".repeat(501)),
            Err(InvalidAnswer)
        );
    }

    #[test]
    fn a_saved_answer_reads_back_as_it_was_sent() {
        for (kind, n, text) in [
            (QuestionKind::Single, 4, "1"),
            (QuestionKind::Multiple, 4, "0,2"),
            (QuestionKind::TrueFalse, 0, "true"),
            (QuestionKind::Fill, 0, "ＣＯ２"),
        ] {
            let decoded = decode(kind, n, text).unwrap().unwrap();
            assert_eq!(encode(&decoded), text);
        }
    }
}
