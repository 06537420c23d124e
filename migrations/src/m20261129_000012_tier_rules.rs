//! A certificate rule per tier: a tier may ask for its own share of hours, or drop or add the
//! quiz, where the programme's rule does not fit it (district officials who supervise rather
//! than audit, say). Kept as a JSON list on the programme; an empty list: one rule for all.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000012_tier_rules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Programme::Table)
                .add_column(
                    ColumnDef::new(Programme::TierRules)
                        .text()
                        .not_null()
                        .default("[]"),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Programme::Table)
                .drop_column(Programme::TierRules)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Programme {
    Table,
    TierRules,
}
