//! Accounts: server-side sessions, one-time login links, sign-in attempts (for throttling)
//! and the audit log of privileged actions.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000002_auth"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthSession::Table)
                .col(
                    ColumnDef::new(AuthSession::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(AuthSession::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthSession::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthSession::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(AuthSession::RevokedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(AuthSession::UserAgent).string().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(AuthSession::Table, AuthSession::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_auth_session_person")
                .table(AuthSession::Table)
                .col(AuthSession::PersonId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginToken::Table)
                .col(
                    ColumnDef::new(LoginToken::TokenHash)
                        .string()
                        .not_null()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(LoginToken::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(LoginToken::Purpose).string().not_null())
                .col(
                    ColumnDef::new(LoginToken::CreatedAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(LoginToken::ExpiresAt)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(
                    ColumnDef::new(LoginToken::UsedAt)
                        .timestamp_with_time_zone()
                        .null(),
                )
                .col(ColumnDef::new(LoginToken::CreatedBy).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(LoginToken::Table, LoginToken::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(LoginAttempt::Table)
                .col(
                    ColumnDef::new(LoginAttempt::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(LoginAttempt::Key).string().not_null())
                .col(
                    ColumnDef::new(LoginAttempt::At)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_attempt_key_at")
                .table(LoginAttempt::Table)
                .col(LoginAttempt::Key)
                .col(LoginAttempt::At)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(
                    ColumnDef::new(AuditLog::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(
                    ColumnDef::new(AuditLog::At)
                        .timestamp_with_time_zone()
                        .not_null(),
                )
                .col(ColumnDef::new(AuditLog::ActorId).big_integer().null())
                .col(ColumnDef::new(AuditLog::ActorName).string().null())
                .col(ColumnDef::new(AuditLog::Action).string().not_null())
                .col(ColumnDef::new(AuditLog::TargetType).string().null())
                .col(ColumnDef::new(AuditLog::TargetId).string().null())
                .col(ColumnDef::new(AuditLog::Detail).text().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_log_at")
                .table(AuditLog::Table)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            LoginAttempt::Table.into_iden(),
            LoginToken::Table.into_iden(),
            AuthSession::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AuthSession {
    Table,
    TokenHash,
    PersonId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    UserAgent,
}

#[derive(DeriveIden)]
enum LoginToken {
    Table,
    TokenHash,
    PersonId,
    Purpose,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum LoginAttempt {
    Table,
    Id,
    Key,
    At,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorName,
    Action,
    TargetType,
    TargetId,
    Detail,
}
