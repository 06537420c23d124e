//! A revoked certificate can be replaced: the "one certificate a person and programme" rule now
//! holds for certificates in force only, so a corrected one can be issued after a revocation
//! while issuing twice (two organisers, two processes) still never makes a second live one.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000011_reissue"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_certificate_programme_person")
                .table(Certificate::Table)
                .to_owned(),
        )
        .await?;
        // A partial index: the same statement on SQLite and PostgreSQL.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_certificate_in_force \
                 ON certificate (programme_id, person_id) WHERE revoked_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_certificate_in_force")
                .table(Certificate::Table)
                .to_owned(),
        )
        .await?;
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
}

#[derive(DeriveIden)]
enum Certificate {
    Table,
    ProgrammeId,
    PersonId,
}
