use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lesson")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub course_id: i64,
    pub title_zh: String,
    pub title_en: String,
    pub position: i32,
    pub minutes: i32,
    #[sea_orm(column_type = "Text")]
    pub body_md: String,
    /// Rendered and sanitised at sync.
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    /// JSON array of [`crate::catalog::TocEntry`].
    #[sea_orm(column_type = "Text")]
    pub toc: String,
    pub content_hash: String,
    pub archived: bool,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
