use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub serial: String,
    pub person_id: i64,
    pub programme_id: i64,
    pub tier: String,
    pub hours: f64,
    /// JSON of [`crate::certificate::Snapshot`]: what the certificate states, fixed at issue.
    #[sea_orm(column_type = "Text")]
    pub snapshot: String,
    pub issued_by: i64,
    pub issued_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<i64>,
    pub revoked_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
