//! Reading: each lesson keeps its rendered, sanitised HTML and table of contents (made once, at
//! sync), and each person's progress per lesson.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000003_learning"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(Lesson::Table)
                .add_column(
                    ColumnDef::new(Lesson::BodyHtml)
                        .text()
                        .not_null()
                        .default(""),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Lesson::Table)
                .add_column(ColumnDef::new(Lesson::Toc).text().not_null().default("[]"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LessonProgress::Table)
                .col(
                    ColumnDef::new(LessonProgress::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(LessonProgress::LessonId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(LessonProgress::OpenedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(LessonProgress::CompletedAt).timestamp_with_time_zone())
                .primary_key(
                    Index::create()
                        .col(LessonProgress::PersonId)
                        .col(LessonProgress::LessonId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(LessonProgress::Table, LessonProgress::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(LessonProgress::Table, LessonProgress::LessonId)
                        .to(Lesson::Table, Lesson::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_lesson_progress_lesson")
                .table(LessonProgress::Table)
                .col(LessonProgress::LessonId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LessonProgress::Table).to_owned())
            .await?;
        for col in [Lesson::Toc, Lesson::BodyHtml] {
            m.alter_table(
                Table::alter()
                    .table(Lesson::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Lesson {
    Table,
    Id,
    BodyHtml,
    Toc,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum LessonProgress {
    Table,
    PersonId,
    LessonId,
    OpenedAt,
    CompletedAt,
}
