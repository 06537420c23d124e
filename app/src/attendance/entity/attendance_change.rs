use sea_orm::entity::prelude::*;

/// Every change of an attendance status, with who made it and when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance_change")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_id: i64,
    pub person_id: i64,
    /// The period's index in the session (0 when it is not split).
    pub period: i32,
    pub status: String,
    pub note: String,
    pub method: String,
    pub changed_by: i64,
    pub changed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
