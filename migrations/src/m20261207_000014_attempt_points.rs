//! A graded attempt keeps each drawn question's points on itself, as one JSON object
//! (`{"<question row id>": points}`), instead of one `attempt_answer` row per question. A
//! room of 2,000 submitting at once then writes 2,000 attempt rows, not 20,000 answer rows as
//! well. `attempt_answer` keeps only what the trainee answered. Points already written move
//! to the attempts.
use std::collections::BTreeMap;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use serde_json::{Map, Value};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000014_attempt_points"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(QuizAttempt::Table)
                .add_column(ColumnDef::new(QuizAttempt::Points).text())
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let mut points: BTreeMap<i64, Map<String, Value>> = BTreeMap::new();
        for row in db
            .query_all(
                Query::select()
                    .columns([
                        AttemptAnswer::AttemptId,
                        AttemptAnswer::QuestionId,
                        AttemptAnswer::Earned,
                    ])
                    .from(AttemptAnswer::Table)
                    .and_where(Expr::col(AttemptAnswer::Earned).is_not_null()),
            )
            .await?
        {
            let attempt: i64 = row.try_get("", "attempt_id")?;
            let question: i64 = row.try_get("", "question_id")?;
            let earned: f64 = row.try_get("", "earned")?;
            points
                .entry(attempt)
                .or_default()
                .insert(question.to_string(), earned.into());
        }
        for (attempt, points) in points {
            db.execute(
                Query::update()
                    .table(QuizAttempt::Table)
                    .value(QuizAttempt::Points, Value::Object(points).to_string())
                    .and_where(Expr::col(QuizAttempt::Id).eq(attempt)),
            )
            .await?;
        }
        // Rows that only carried points (a question left unanswered) carry nothing now.
        db.execute(
            Query::delete()
                .from_table(AttemptAnswer::Table)
                .and_where(Expr::col(AttemptAnswer::Response).is_null()),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(AttemptAnswer::Table)
                .drop_column(AttemptAnswer::Earned)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(AttemptAnswer::Table)
                .add_column(ColumnDef::new(AttemptAnswer::Earned).double())
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for row in db
            .query_all(
                Query::select()
                    .columns([QuizAttempt::Id, QuizAttempt::Points])
                    .from(QuizAttempt::Table)
                    .and_where(Expr::col(QuizAttempt::Points).is_not_null()),
            )
            .await?
        {
            let attempt: i64 = row.try_get("", "id")?;
            let text: String = row.try_get("", "points")?;
            let Ok(Value::Object(points)) = serde_json::from_str(&text) else {
                continue;
            };
            for (question, earned) in points {
                let (Ok(question), Some(earned)) = (question.parse::<i64>(), earned.as_f64())
                else {
                    continue;
                };
                // The row is dated when the attempt was graded.
                let row = Query::select()
                    .expr(Expr::val(attempt))
                    .expr(Expr::val(question))
                    .column(QuizAttempt::FinishedAt)
                    .expr(Expr::val(earned))
                    .from(QuizAttempt::Table)
                    .and_where(Expr::col(QuizAttempt::Id).eq(attempt))
                    .to_owned();
                db.execute(
                    Query::insert()
                        .into_table(AttemptAnswer::Table)
                        .columns([
                            AttemptAnswer::AttemptId,
                            AttemptAnswer::QuestionId,
                            AttemptAnswer::SavedAt,
                            AttemptAnswer::Earned,
                        ])
                        .select_from(row)
                        .map_err(|e| DbErr::Custom(e.to_string()))?
                        .on_conflict(
                            OnConflict::columns([
                                AttemptAnswer::AttemptId,
                                AttemptAnswer::QuestionId,
                            ])
                            .update_column(AttemptAnswer::Earned)
                            .to_owned(),
                        ),
                )
                .await?;
            }
        }
        m.alter_table(
            Table::alter()
                .table(QuizAttempt::Table)
                .drop_column(QuizAttempt::Points)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum QuizAttempt {
    Table,
    Id,
    FinishedAt,
    Points,
}

#[derive(DeriveIden)]
enum AttemptAnswer {
    Table,
    AttemptId,
    QuestionId,
    Response,
    SavedAt,
    Earned,
}
