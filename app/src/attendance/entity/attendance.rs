use sea_orm::entity::prelude::*;

/// One trainee's attendance at one session: the latest status.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_id: i64,
    pub person_id: i64,
    /// The period's index in the session (0 when it is not split).
    pub period: i32,
    /// `present`, `late`, `excused` or `absent`.
    pub status: String,
    pub note: String,
    /// `qr` (self check-in) or `manual` (roll call).
    pub method: String,
    pub checked_in_at: Option<DateTimeUtc>,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
