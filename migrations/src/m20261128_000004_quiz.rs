//! Quizzes: each course's quiz and question bank (loaded by `content sync`), attempts and the
//! answers saved as a trainee goes.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000004_quiz"
    }
}

fn at(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Quiz::Table)
                .col(
                    ColumnDef::new(Quiz::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(Quiz::CourseId)
                        .big_integer()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Quiz::Settings).text().not_null())
                .col(ColumnDef::new(Quiz::ContentHash).string().not_null())
                .col(
                    ColumnDef::new(Quiz::Archived)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(at(Quiz::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Quiz::Table, Quiz::CourseId)
                        .to(Course::Table, Course::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Question::Table)
                .col(
                    ColumnDef::new(Question::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Question::QuizId).big_integer().not_null())
                .col(ColumnDef::new(Question::Key).string().not_null())
                .col(ColumnDef::new(Question::Position).integer().not_null())
                .col(ColumnDef::new(Question::Data).text().not_null())
                .col(
                    ColumnDef::new(Question::Archived)
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Question::Table, Question::QuizId)
                        .to(Quiz::Table, Quiz::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_question_quiz_key")
                .table(Question::Table)
                .col(Question::QuizId)
                .col(Question::Key)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(QuizAttempt::Table)
                .col(
                    ColumnDef::new(QuizAttempt::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(QuizAttempt::QuizId).big_integer().not_null())
                .col(
                    ColumnDef::new(QuizAttempt::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(QuizAttempt::Number).integer().not_null())
                .col(ColumnDef::new(QuizAttempt::Status).string().not_null())
                .col(at(QuizAttempt::StartedAt))
                .col(at(QuizAttempt::DeadlineAt))
                .col(ColumnDef::new(QuizAttempt::FinishedAt).timestamp_with_time_zone())
                .col(ColumnDef::new(QuizAttempt::Earned).double())
                .col(ColumnDef::new(QuizAttempt::Possible).double().not_null())
                .col(ColumnDef::new(QuizAttempt::Percent).double())
                .col(ColumnDef::new(QuizAttempt::Passed).boolean())
                .col(ColumnDef::new(QuizAttempt::Draw).text().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(QuizAttempt::Table, QuizAttempt::QuizId)
                        .to(Quiz::Table, Quiz::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(QuizAttempt::Table, QuizAttempt::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One attempt per number: two "start" clicks at once cannot make two attempts.
        m.create_index(
            Index::create()
                .name("idx_attempt_person_quiz_number")
                .table(QuizAttempt::Table)
                .col(QuizAttempt::PersonId)
                .col(QuizAttempt::QuizId)
                .col(QuizAttempt::Number)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attempt_status_deadline")
                .table(QuizAttempt::Table)
                .col(QuizAttempt::Status)
                .col(QuizAttempt::DeadlineAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AttemptAnswer::Table)
                .col(
                    ColumnDef::new(AttemptAnswer::AttemptId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AttemptAnswer::QuestionId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(AttemptAnswer::Response).text())
                .col(at(AttemptAnswer::SavedAt))
                .col(ColumnDef::new(AttemptAnswer::Earned).double())
                .primary_key(
                    Index::create()
                        .col(AttemptAnswer::AttemptId)
                        .col(AttemptAnswer::QuestionId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AttemptAnswer::Table, AttemptAnswer::AttemptId)
                        .to(QuizAttempt::Table, QuizAttempt::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AttemptAnswer::Table, AttemptAnswer::QuestionId)
                        .to(Question::Table, Question::Id),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AttemptAnswer::Table.into_iden(),
            QuizAttempt::Table.into_iden(),
            Question::Table.into_iden(),
            Quiz::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Course {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Quiz {
    Table,
    Id,
    CourseId,
    Settings,
    ContentHash,
    Archived,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Question {
    Table,
    Id,
    QuizId,
    Key,
    Position,
    Data,
    Archived,
}

#[derive(DeriveIden)]
enum QuizAttempt {
    Table,
    Id,
    QuizId,
    PersonId,
    Number,
    Status,
    StartedAt,
    DeadlineAt,
    FinishedAt,
    Earned,
    Possible,
    Percent,
    Passed,
    Draw,
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
