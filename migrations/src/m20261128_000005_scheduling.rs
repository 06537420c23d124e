//! Scheduling: rooms and sessions (期) of a programme, enrolments with a waitlist, and notices
//! shown on a person's page (a waitlist promotion, until mail exists).
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000005_scheduling"
    }
}

fn id_col(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

fn at(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Programme::Table)
                .add_column(
                    ColumnDef::new(Programme::ContentHash)
                        .string()
                        .not_null()
                        .default(""),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Room::Table)
                .col(id_col(Room::Id))
                .col(ColumnDef::new(Room::ProgrammeId).big_integer().not_null())
                .col(ColumnDef::new(Room::Name).string().not_null())
                .col(ColumnDef::new(Room::Capacity).integer().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Room::Table, Room::ProgrammeId)
                        .to(Programme::Table, Programme::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_room_programme_name")
                .table(Room::Table)
                .col(Room::ProgrammeId)
                .col(Room::Name)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Session::Table)
                .col(id_col(Session::Id))
                .col(
                    ColumnDef::new(Session::ProgrammeId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Session::Number).integer().not_null())
                .col(ColumnDef::new(Session::TitleZh).string().not_null())
                .col(ColumnDef::new(Session::TitleEn).string().not_null())
                .col(ColumnDef::new(Session::Tiers).text().not_null())
                .col(ColumnDef::new(Session::Courses).text().not_null())
                .col(at(Session::StartsAt))
                .col(at(Session::EndsAt))
                .col(ColumnDef::new(Session::RoomId).big_integer().not_null())
                .col(ColumnDef::new(Session::Capacity).integer().not_null())
                .col(ColumnDef::new(Session::Lecturers).text().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(Session::Table, Session::ProgrammeId)
                        .to(Programme::Table, Programme::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Session::Table, Session::RoomId)
                        .to(Room::Table, Room::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_session_programme_number")
                .table(Session::Table)
                .col(Session::ProgrammeId)
                .col(Session::Number)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Enrolment::Table)
                .col(id_col(Enrolment::Id))
                .col(
                    ColumnDef::new(Enrolment::SessionId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Enrolment::PersonId).big_integer().not_null())
                .col(ColumnDef::new(Enrolment::Status).string().not_null())
                .col(ColumnDef::new(Enrolment::Seq).big_integer().not_null())
                .col(at(Enrolment::CreatedAt))
                .col(at(Enrolment::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Enrolment::Table, Enrolment::SessionId)
                        .to(Session::Table, Session::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Enrolment::Table, Enrolment::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enrolment_session_person")
                .table(Enrolment::Table)
                .col(Enrolment::SessionId)
                .col(Enrolment::PersonId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_enrolment_person")
                .table(Enrolment::Table)
                .col(Enrolment::PersonId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Notice::Table)
                .col(id_col(Notice::Id))
                .col(ColumnDef::new(Notice::PersonId).big_integer().not_null())
                .col(ColumnDef::new(Notice::Kind).string().not_null())
                .col(ColumnDef::new(Notice::SessionId).big_integer())
                .col(at(Notice::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Notice::Table, Notice::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notice_person")
                .table(Notice::Table)
                .col(Notice::PersonId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notice::Table.into_iden(),
            Enrolment::Table.into_iden(),
            Session::Table.into_iden(),
            Room::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        m.alter_table(
            Table::alter()
                .table(Programme::Table)
                .drop_column(Programme::ContentHash)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Programme {
    Table,
    Id,
    ContentHash,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Room {
    Table,
    Id,
    ProgrammeId,
    Name,
    Capacity,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    ProgrammeId,
    Number,
    TitleZh,
    TitleEn,
    Tiers,
    Courses,
    StartsAt,
    EndsAt,
    RoomId,
    Capacity,
    Lecturers,
}

#[derive(DeriveIden)]
enum Enrolment {
    Table,
    Id,
    SessionId,
    PersonId,
    Status,
    Seq,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notice {
    Table,
    Id,
    PersonId,
    Kind,
    SessionId,
    CreatedAt,
}
