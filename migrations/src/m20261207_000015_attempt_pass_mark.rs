//! An attempt keeps the pass mark in force when it started, as it keeps its questions, time
//! limit and possible points: it is graded by that mark and its review shows it, even after
//! the course files change the quiz. Attempts made before take their quiz's pass mark now.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000015_attempt_pass_mark"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(QuizAttempt::Table)
                .add_column(
                    ColumnDef::new(QuizAttempt::PassPercent)
                        .integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for row in db
            .query_all(
                Query::select()
                    .columns([Quiz::Id, Quiz::Settings])
                    .from(Quiz::Table),
            )
            .await?
        {
            let quiz: i64 = row.try_get("", "id")?;
            let settings: String = row.try_get("", "settings")?;
            let mark = serde_json::from_str::<serde_json::Value>(&settings)
                .ok()
                .and_then(|s| s.get("pass_percent")?.as_i64())
                .unwrap_or(0);
            db.execute(
                Query::update()
                    .table(QuizAttempt::Table)
                    .value(QuizAttempt::PassPercent, mark)
                    .and_where(Expr::col(QuizAttempt::QuizId).eq(quiz)),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(QuizAttempt::Table)
                .drop_column(QuizAttempt::PassPercent)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum QuizAttempt {
    Table,
    QuizId,
    PassPercent,
}

#[derive(DeriveIden)]
enum Quiz {
    Table,
    Id,
    Settings,
}
