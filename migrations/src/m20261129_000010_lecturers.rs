//! Lecturers become a directory the planner picks from: an external person with a name and an
//! organisation, or an account. Sessions keep naming them by name, which is unique here.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000010_lecturers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Lecturer::Table)
                .col(
                    ColumnDef::new(Lecturer::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(Lecturer::Name).string().not_null())
                .col(
                    ColumnDef::new(Lecturer::Organisation)
                        .string()
                        .not_null()
                        .default(""),
                )
                .col(ColumnDef::new(Lecturer::PersonId).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Lecturer::Table, Lecturer::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("lecturer_name_key")
                .table(Lecturer::Table)
                .col(Lecturer::Name)
                .unique()
                .to_owned(),
        )
        .await?;
        // Programmes synced before this migration sync again, so their lecturers are listed.
        // (No session could have been edited in the browser before the planner existed.)
        m.get_connection()
            .execute_unprepared("UPDATE programme SET content_hash = ''")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Lecturer::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Lecturer {
    Table,
    Id,
    Name,
    Organisation,
    PersonId,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}
