//! Mail: the outbox (every message is a row first, written in the same transaction as what it
//! announces) and the record of every delivery attempt.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000008_mail"
    }
}

fn ts(col: Outbox) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn ts_null(col: Outbox) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(
                    ColumnDef::new(Outbox::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Outbox::IdempotencyKey).string().not_null())
                .col(ColumnDef::new(Outbox::Kind).string().not_null())
                .col(ColumnDef::new(Outbox::PersonId).big_integer().null())
                .col(ColumnDef::new(Outbox::ToAddress).string().null())
                .col(ColumnDef::new(Outbox::ToName).string().not_null())
                .col(ColumnDef::new(Outbox::Locale).string().not_null())
                .col(ColumnDef::new(Outbox::Subject).string().not_null())
                .col(ColumnDef::new(Outbox::TextBody).text().not_null())
                .col(ColumnDef::new(Outbox::HtmlBody).text().not_null())
                .col(ColumnDef::new(Outbox::Attachment).string().null())
                .col(ColumnDef::new(Outbox::MessageId).string().not_null())
                .col(ColumnDef::new(Outbox::Batch).string().null())
                .col(ColumnDef::new(Outbox::Status).string().not_null())
                .col(ColumnDef::new(Outbox::Attempts).integer().not_null())
                .col(ts(Outbox::NextAttemptAt))
                .col(ColumnDef::new(Outbox::ClaimedBy).string().null())
                .col(ts_null(Outbox::ClaimedUntil))
                .col(ColumnDef::new(Outbox::LastError).text().null())
                .col(ts(Outbox::CreatedAt))
                .col(ts_null(Outbox::SentAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Outbox::Table, Outbox::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;
        // The idempotency key makes every announcement one message, however many processes or
        // retries try to write it (`certificate:<serial>`, `reminder:<session>:<person>`, ...).
        m.create_index(
            Index::create()
                .name("idx_outbox_key")
                .table(Outbox::Table)
                .col(Outbox::IdempotencyKey)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_batch")
                .table(Outbox::Table)
                .col(Outbox::Batch)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(OutboxAttempt::Table)
                .col(
                    ColumnDef::new(OutboxAttempt::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(OutboxAttempt::OutboxId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(OutboxAttempt::AttemptedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(OutboxAttempt::Worker).string().not_null())
                .col(ColumnDef::new(OutboxAttempt::Ok).boolean().not_null())
                .col(ColumnDef::new(OutboxAttempt::Error).text().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(OutboxAttempt::Table, OutboxAttempt::OutboxId)
                        .to(Outbox::Table, Outbox::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_attempt_outbox")
                .table(OutboxAttempt::Table)
                .col(OutboxAttempt::OutboxId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(OutboxAttempt::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Outbox {
    Table,
    Id,
    IdempotencyKey,
    Kind,
    PersonId,
    ToAddress,
    ToName,
    Locale,
    Subject,
    TextBody,
    HtmlBody,
    Attachment,
    MessageId,
    Batch,
    Status,
    Attempts,
    NextAttemptAt,
    ClaimedBy,
    ClaimedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum OutboxAttempt {
    Table,
    Id,
    OutboxId,
    AttemptedAt,
    Worker,
    Ok,
    Error,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}
