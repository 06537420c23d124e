use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub title_zh: String,
    pub title_en: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub timezone: String,
    pub venue_zh: String,
    pub venue_en: String,
    pub host_zh: String,
    /// JSON array of organiser names.
    pub organisers_zh: String,
    pub summary_zh: String,
    pub created_at: DateTimeUtc,
    /// Hash of the programme file at the last sync.
    pub content_hash: String,
    /// Certificate rule: the share of the tier's hours a trainee must attend.
    pub min_attendance_percent: i32,
    /// Certificate rule: the tier's quiz must be passed too.
    pub require_quiz: bool,
    /// JSON list of `TierRule`: the tiers whose rule differs from the two fields above.
    #[sea_orm(column_type = "Text")]
    pub tier_rules: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
