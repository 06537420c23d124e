//! A quiz as attempts need it: its settings and its whole question bank, parsed once. The live
//! quizzes ride on the catalog shelf (see `catalog::shelf`), so starting, saving and grading an
//! attempt read no quiz or question rows; an archived quiz (an old attempt's review) is read
//! from the database when asked for.
use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity::{question, quiz};
use crate::catalog::content::{Question, Quiz};
use crate::catalog::shelf::Shelf;
use crate::error::{AppError, AppResult};

/// One question of a bank and its row.
#[derive(Debug)]
pub struct BankQuestion {
    pub id: i64,
    /// No longer in the course files: never drawn again, still shown in old attempts.
    pub archived: bool,
    pub question: Question,
}

#[derive(Debug)]
pub struct Bank {
    pub quiz_id: i64,
    pub course_id: i64,
    pub settings: Quiz,
    /// Every question, archived ones too, in the file's order.
    pub all: Vec<BankQuestion>,
    /// The questions a new attempt draws from, in order, and their row ids.
    live: Vec<Question>,
    live_ids: Vec<i64>,
    by_id: HashMap<i64, usize>,
}

impl Bank {
    /// Parses a quiz row and its question rows (in any order).
    pub fn new(quiz: &quiz::Model, mut rows: Vec<question::Model>) -> AppResult<Bank> {
        let settings: Quiz = serde_json::from_str(&quiz.settings).map_err(|e| {
            tracing::error!(quiz = quiz.id, error = %e, "unreadable quiz settings");
            AppError::Internal
        })?;
        rows.sort_by_key(|r| (r.position, r.id));
        let all = rows
            .iter()
            .map(|r| {
                let question = serde_json::from_str(&r.data).map_err(|e| {
                    tracing::error!(question = r.id, error = %e, "unreadable question");
                    AppError::Internal
                })?;
                Ok(BankQuestion {
                    id: r.id,
                    archived: r.archived,
                    question,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let live_rows = all.iter().filter(|q| !q.archived);
        Ok(Bank {
            quiz_id: quiz.id,
            course_id: quiz.course_id,
            settings,
            live: live_rows.clone().map(|q| q.question.clone()).collect(),
            live_ids: live_rows.map(|q| q.id).collect(),
            by_id: all.iter().enumerate().map(|(i, q)| (q.id, i)).collect(),
            all,
        })
    }

    /// Reads one quiz and its bank from the database: two queries.
    pub async fn load(db: &impl ConnectionTrait, quiz_id: i64) -> AppResult<Bank> {
        let quiz = quiz::Entity::find_by_id(quiz_id)
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        let rows = question::Entity::find()
            .filter(question::Column::QuizId.eq(quiz_id))
            .all(db)
            .await?;
        Bank::new(&quiz, rows)
    }

    /// The live questions in order, with their row ids at the same places.
    pub fn live(&self) -> (&[Question], &[i64]) {
        (&self.live, &self.live_ids)
    }

    /// A question of this quiz by its row id.
    pub fn question(&self, id: i64) -> Option<&Question> {
        self.by_id.get(&id).map(|&i| &self.all[i].question)
    }
}

/// The bank of quiz `quiz_id`: from the shelf when the quiz is live, else from the database.
pub async fn of(
    db: &impl ConnectionTrait,
    shelf: Option<&Shelf>,
    quiz_id: i64,
) -> AppResult<Arc<Bank>> {
    match shelf.and_then(|s| s.quiz(quiz_id)) {
        Some(bank) => Ok(bank),
        None => Ok(Arc::new(Bank::load(db, quiz_id).await?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::content::{Answer, Counts, Layout, QuestionKind, Scoring};

    fn question(key: &str) -> Question {
        Question {
            id: key.to_string(),
            kind: QuestionKind::TrueFalse,
            category: None,
            points: 1.0,
            prompt: format!("prompt {key}"),
            options: Vec::new(),
            answer: Answer::TrueFalse(true),
            scoring: Scoring::AllOrNothing,
            explanation: String::new(),
        }
    }

    fn quiz_row(settings: &str) -> quiz::Model {
        quiz::Model {
            id: 7,
            course_id: 3,
            settings: settings.to_string(),
            content_hash: "h".into(),
            archived: false,
            updated_at: chrono::Utc::now(),
        }
    }

    fn settings() -> String {
        serde_json::to_string(&Quiz {
            title_zh: "测验".into(),
            title_en: "Quiz".into(),
            draw: 2,
            shuffle_questions: false,
            shuffle_options: false,
            time_limit_minutes: 10,
            attempts: 2,
            pass_percent: 60,
            counts: Counts::Best,
            layout: Layout::OnePerPage,
            questions: Vec::new(),
        })
        .unwrap()
    }

    fn row(id: i64, key: &str, position: i32, archived: bool) -> question::Model {
        question::Model {
            id,
            quiz_id: 7,
            key: key.into(),
            position,
            data: serde_json::to_string(&question(key)).unwrap(),
            archived,
        }
    }

    #[test]
    fn a_bank_draws_from_its_live_questions_in_order_and_finds_every_one_by_row() {
        let rows = vec![
            row(12, "q03", 2, false),
            row(10, "q01", 0, false),
            row(11, "gone", 1, true),
        ];
        let bank = Bank::new(&quiz_row(&settings()), rows).unwrap();
        assert_eq!((bank.quiz_id, bank.course_id), (7, 3));
        assert_eq!(bank.settings.pass_percent, 60);
        let (live, ids) = bank.live();
        assert_eq!(
            live.iter().map(|q| q.id.as_str()).collect::<Vec<_>>(),
            ["q01", "q03"]
        );
        assert_eq!(ids, [10, 12]);
        assert_eq!(
            bank.all.iter().map(|q| q.id).collect::<Vec<_>>(),
            [10, 11, 12]
        );
        // An archived question still reads back for the old attempts that drew it.
        assert_eq!(bank.question(11).map(|q| q.id.as_str()), Some("gone"));
        assert!(bank.question(99).is_none());
    }

    #[test]
    fn an_unreadable_quiz_or_question_is_an_error_not_a_panic() {
        assert_eq!(
            Bank::new(&quiz_row("{"), Vec::new()).err(),
            Some(AppError::Internal)
        );
        let mut broken = row(10, "q01", 0, false);
        broken.data = "[]".into();
        assert_eq!(
            Bank::new(&quiz_row(&settings()), vec![broken]).err(),
            Some(AppError::Internal)
        );
    }
}
