//! Attendance: one row per session and trainee with its status, every change kept with who made
//! it; the programme's quotas and certificate rule from its file; and settings shared by every
//! server process (the check-in signing secret when none is configured).
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000006_attendance"
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
        m.create_table(
            Table::create()
                .table(Attendance::Table)
                .col(id_col(Attendance::Id))
                .col(
                    ColumnDef::new(Attendance::SessionId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(Attendance::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(Attendance::Status).string().not_null())
                .col(
                    ColumnDef::new(Attendance::Note)
                        .string()
                        .not_null()
                        .default(""),
                )
                .col(ColumnDef::new(Attendance::Method).string().not_null())
                .col(
                    ColumnDef::new(Attendance::CheckedInAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(Attendance::UpdatedBy).big_integer().null())
                .col(at(Attendance::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Attendance::Table, Attendance::SessionId)
                        .to(Session::Table, Session::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Attendance::Table, Attendance::PersonId)
                        .to(Person::Table, Person::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attendance_session_person")
                .table(Attendance::Table)
                .col(Attendance::SessionId)
                .col(Attendance::PersonId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attendance_person")
                .table(Attendance::Table)
                .col(Attendance::PersonId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AttendanceChange::Table)
                .col(id_col(AttendanceChange::Id))
                .col(
                    ColumnDef::new(AttendanceChange::SessionId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AttendanceChange::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(AttendanceChange::Status).string().not_null())
                .col(ColumnDef::new(AttendanceChange::Note).string().not_null())
                .col(ColumnDef::new(AttendanceChange::Method).string().not_null())
                .col(
                    ColumnDef::new(AttendanceChange::ChangedBy)
                        .big_integer()
                        .not_null(),
                )
                .col(at(AttendanceChange::ChangedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attendance_change_session")
                .table(AttendanceChange::Table)
                .col(AttendanceChange::SessionId)
                .col(AttendanceChange::PersonId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ProgrammeQuota::Table)
                .col(id_col(ProgrammeQuota::Id))
                .col(
                    ColumnDef::new(ProgrammeQuota::ProgrammeId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(ProgrammeQuota::Tier).string().not_null())
                .col(ColumnDef::new(ProgrammeQuota::Min).integer().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .from(ProgrammeQuota::Table, ProgrammeQuota::ProgrammeId)
                        .to(Programme::Table, Programme::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_programme_quota_tier")
                .table(ProgrammeQuota::Table)
                .col(ProgrammeQuota::ProgrammeId)
                .col(ProgrammeQuota::Tier)
                .unique()
                .to_owned(),
        )
        .await?;

        // SQLite adds one column per statement.
        m.alter_table(
            Table::alter()
                .table(Programme::Table)
                .add_column(
                    ColumnDef::new(Programme::MinAttendancePercent)
                        .integer()
                        .not_null()
                        .default(80),
                )
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Programme::Table)
                .add_column(
                    ColumnDef::new(Programme::RequireQuiz)
                        .boolean()
                        .not_null()
                        .default(true),
                )
                .to_owned(),
        )
        .await?;

        // Programmes synced before this migration sync again, to fill in the new columns and quotas.
        m.get_connection()
            .execute_unprepared("UPDATE programme SET content_hash = ''")
            .await?;

        m.create_table(
            Table::create()
                .table(AppSetting::Table)
                .col(
                    ColumnDef::new(AppSetting::Key)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(AppSetting::Value).text().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AppSetting::Table.into_iden(),
            ProgrammeQuota::Table.into_iden(),
            AttendanceChange::Table.into_iden(),
            Attendance::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        for col in [Programme::RequireQuiz, Programme::MinAttendancePercent] {
            m.alter_table(
                Table::alter()
                    .table(Programme::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Programme {
    Table,
    Id,
    MinAttendancePercent,
    RequireQuiz,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    Id,
    SessionId,
    PersonId,
    Status,
    Note,
    Method,
    CheckedInAt,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AttendanceChange {
    Table,
    Id,
    SessionId,
    PersonId,
    Status,
    Note,
    Method,
    ChangedBy,
    ChangedAt,
}

#[derive(DeriveIden)]
enum ProgrammeQuota {
    Table,
    Id,
    ProgrammeId,
    Tier,
    Min,
}

#[derive(DeriveIden)]
enum AppSetting {
    Table,
    Key,
    Value,
}
