use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub programme_id: i64,
    /// The 期 number within the programme.
    pub number: i32,
    pub title_zh: String,
    pub title_en: String,
    /// JSON array of tier codes.
    #[sea_orm(column_type = "Text")]
    pub tiers: String,
    /// JSON array of course ids.
    #[sea_orm(column_type = "Text")]
    pub courses: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub room_id: i64,
    pub capacity: i32,
    /// JSON array of lecturer names.
    #[sea_orm(column_type = "Text")]
    pub lecturers: String,
    /// The periods (时段) as text, `上午 08:30-12:00; 下午 13:30-17:00`; empty when the session
    /// is not split (see [`crate::scheduling::periods`]).
    #[sea_orm(column_type = "Text")]
    pub periods: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::programme::Entity",
        from = "Column::ProgrammeId",
        to = "super::programme::Column::Id"
    )]
    Programme,
}

impl Related<super::programme::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Programme.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
