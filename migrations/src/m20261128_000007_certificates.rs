//! Certificates: one a trainee and programme, with a serial that cannot be guessed, a snapshot of
//! what it states (so the PDF and the verify page never change after issue), and revocation.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000007_certificates"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Certificate::Table)
                .col(
                    ColumnDef::new(Certificate::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Certificate::Serial).string().not_null())
                .col(
                    ColumnDef::new(Certificate::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Certificate::ProgrammeId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Certificate::Tier).string().not_null())
                .col(ColumnDef::new(Certificate::Hours).double().not_null())
                .col(ColumnDef::new(Certificate::Snapshot).text().not_null())
                .col(
                    ColumnDef::new(Certificate::IssuedBy)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Certificate::IssuedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Certificate::RevokedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(Certificate::RevokedBy).big_integer().null())
                .col(ColumnDef::new(Certificate::RevokedReason).string().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Certificate::Table, Certificate::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Certificate::Table, Certificate::ProgrammeId)
                        .to(Programme::Table, Programme::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_certificate_serial")
                .table(Certificate::Table)
                .col(Certificate::Serial)
                .unique()
                .to_owned(),
        )
        .await?;
        // One certificate a person and programme: issuing twice (two organisers, two processes)
        // can never make a second.
        m.create_index(
            Index::create()
                .name("idx_certificate_programme_person")
                .table(Certificate::Table)
                .col(Certificate::ProgrammeId)
                .col(Certificate::PersonId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Certificate::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Certificate {
    Table,
    Id,
    Serial,
    PersonId,
    ProgrammeId,
    Tier,
    Hours,
    Snapshot,
    IssuedBy,
    IssuedAt,
    RevokedAt,
    RevokedBy,
    RevokedReason,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Programme {
    Table,
    Id,
}
