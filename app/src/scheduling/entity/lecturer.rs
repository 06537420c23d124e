use sea_orm::entity::prelude::*;

/// Someone who teaches: an external person with a name and organisation, or an account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lecturer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique; sessions list their lecturers by this name.
    pub name: String,
    pub organisation: String,
    pub person_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
