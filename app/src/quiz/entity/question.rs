use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "question")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub quiz_id: i64,
    /// The question's id in `quiz.toml` (`q01`).
    pub key: String,
    pub position: i32,
    /// JSON of [`crate::catalog::content::Question`], key and explanation included: never sent
    /// to a browser before the attempt is graded.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    pub archived: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
