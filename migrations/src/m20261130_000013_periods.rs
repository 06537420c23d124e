//! Periods (时段): a session that spans a day can be split into a morning and an afternoon,
//! written on the session as text (`上午 08:30-12:00; 下午 13:30-17:00`, empty when it is not
//! split). Attendance is kept per period: a trainee may be present in the morning and absent
//! in the afternoon, and earns the hours of the periods attended. Rows from before this
//! migration are period 0, the whole session.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000013_periods"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Session::Table)
                .add_column(
                    ColumnDef::new(Session::Periods)
                        .text()
                        .not_null()
                        .default(""),
                )
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per statement.
        for table in [
            Attendance::Table.into_iden(),
            AttendanceChange::Table.into_iden(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(
                        ColumnDef::new(Attendance::Period)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        }
        m.drop_index(
            Index::drop()
                .name("idx_attendance_session_person")
                .table(Attendance::Table)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attendance_session_person_period")
                .table(Attendance::Table)
                .col(Attendance::SessionId)
                .col(Attendance::PersonId)
                .col(Attendance::Period)
                .unique()
                .to_owned(),
        )
        .await?;
        // Programmes synced before this migration sync again, to read their sessions' periods.
        m.get_connection()
            .execute_unprepared("UPDATE programme SET content_hash = ''")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_attendance_session_person_period")
                .table(Attendance::Table)
                .to_owned(),
        )
        .await?;
        // Only the whole-session rows fit the old key.
        m.get_connection()
            .execute_unprepared("DELETE FROM attendance WHERE period <> 0")
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
        for table in [
            Attendance::Table.into_iden(),
            AttendanceChange::Table.into_iden(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column(Attendance::Period)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Session::Table)
                .drop_column(Session::Periods)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Periods,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    SessionId,
    PersonId,
    Period,
}

#[derive(DeriveIden)]
enum AttendanceChange {
    Table,
}
