use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quiz_attempt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub quiz_id: i64,
    pub person_id: i64,
    /// 1 for the first attempt.
    pub number: i32,
    /// `open`, `submitted` (by the trainee) or `expired` (graded by the server at the deadline).
    pub status: String,
    pub started_at: DateTimeUtc,
    pub deadline_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub earned: Option<f64>,
    pub possible: f64,
    /// The pass mark (percent) in force when the attempt started: it grades the attempt.
    pub pass_percent: i32,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    /// JSON: the drawn question row ids and each one's option order.
    #[sea_orm(column_type = "Text")]
    pub draw: String,
    /// JSON, set when graded: each drawn question's points, `{"<question row id>": points}`.
    #[sea_orm(column_type = "Text", nullable)]
    pub points: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
