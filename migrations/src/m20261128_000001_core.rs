//! The core tables the rest of the domain hangs on: tiers, districts, enterprises, people and
//! their roles, programmes, courses and lessons.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_core"
    }
}

fn id(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}
fn text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().not_null().take()
}
fn text_null(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).string().null().take()
}
fn long_text(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).text().not_null().take()
}
fn int(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).integer().not_null().take()
}
fn flag(col: impl IntoIden, default: bool) -> ColumnDef {
    ColumnDef::new(col)
        .boolean()
        .not_null()
        .default(default)
        .take()
}
fn at(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}
fn fk_ref(col: impl IntoIden) -> ColumnDef {
    ColumnDef::new(col).big_integer().null().take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tier::Table)
                .col(ColumnDef::new(Tier::Code).string().not_null().primary_key())
                .col(text(Tier::NameZh))
                .col(text(Tier::NameEn))
                .col(int(Tier::Position))
                .to_owned(),
        )
        .await?;
        let tiers = [
            ("leader", "企业厂长（经理）", "Enterprise leaders", 1),
            ("auditor", "企业内审员", "Internal auditors", 2),
            ("consultant", "审核咨询服务机构", "Audit consultancies", 3),
            ("official", "区县工经委、环保局", "District officials", 4),
            ("expert", "清洁生产评估专家", "Assessment experts", 5),
        ];
        let mut insert = Query::insert()
            .into_table(Tier::Table)
            .columns([Tier::Code, Tier::NameZh, Tier::NameEn, Tier::Position])
            .to_owned();
        for (code, zh, en, pos) in tiers {
            insert.values_panic([code.into(), zh.into(), en.into(), pos.into()]);
        }
        m.exec_stmt(insert).await?;

        m.create_table(
            Table::create()
                .table(District::Table)
                .col(id(District::Id))
                .col(text(District::Code).unique_key().take())
                .col(text(District::NameZh))
                .col(text(District::NameEn))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Enterprise::Table)
                .col(id(Enterprise::Id))
                .col(text(Enterprise::Name))
                .col(text_null(Enterprise::CreditCode).unique_key().take())
                .col(fk_ref(Enterprise::DistrictId))
                .col(text_null(Enterprise::Reason))
                .col(at(Enterprise::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Enterprise::Table, Enterprise::DistrictId)
                        .to(District::Table, District::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Person::Table)
                .col(id(Person::Id))
                .col(text(Person::Name))
                .col(text_null(Person::Phone).unique_key().take())
                .col(text_null(Person::Email).unique_key().take())
                .col(fk_ref(Person::EnterpriseId))
                .col(text_null(Person::Tier))
                .col(text_null(Person::JobTitle))
                .col(
                    ColumnDef::new(Person::Locale)
                        .string()
                        .not_null()
                        .default("zh-CN"),
                )
                .col(text_null(Person::PasswordHash))
                .col(flag(Person::Active, true))
                .col(at(Person::CreatedAt))
                .col(at(Person::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Person::Table, Person::EnterpriseId)
                        .to(Enterprise::Table, Enterprise::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Person::Table, Person::Tier)
                        .to(Tier::Table, Tier::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_person_enterprise")
                .table(Person::Table)
                .col(Person::EnterpriseId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PersonRole::Table)
                .col(
                    ColumnDef::new(PersonRole::PersonId)
                        .big_integer()
                        .not_null(),
                )
                .col(text(PersonRole::Role))
                .col(fk_ref(PersonRole::DistrictId))
                .primary_key(
                    Index::create()
                        .col(PersonRole::PersonId)
                        .col(PersonRole::Role),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PersonRole::Table, PersonRole::PersonId)
                        .to(Person::Table, Person::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PersonRole::Table, PersonRole::DistrictId)
                        .to(District::Table, District::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Programme::Table)
                .col(id(Programme::Id))
                .col(text(Programme::Slug).unique_key().take())
                .col(text(Programme::TitleZh))
                .col(text(Programme::TitleEn))
                .col(ColumnDef::new(Programme::StartsOn).date().not_null())
                .col(ColumnDef::new(Programme::EndsOn).date().not_null())
                .col(text(Programme::Timezone))
                .col(text(Programme::VenueZh))
                .col(text(Programme::VenueEn))
                .col(text(Programme::HostZh))
                .col(long_text(Programme::OrganisersZh))
                .col(long_text(Programme::SummaryZh))
                .col(at(Programme::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Course::Table)
                .col(id(Course::Id))
                .col(text(Course::Slug).unique_key().take())
                .col(text(Course::Kind))
                .col(text(Course::TitleZh))
                .col(text(Course::TitleEn))
                .col(long_text(Course::SummaryZh))
                .col(long_text(Course::SummaryEn))
                .col(ColumnDef::new(Course::Hours).double().not_null())
                .col(text(Course::LecturerRole))
                .col(int(Course::Position))
                .col(flag(Course::Archived, false))
                .col(text(Course::ContentHash))
                .col(at(Course::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CourseTier::Table)
                .col(
                    ColumnDef::new(CourseTier::CourseId)
                        .big_integer()
                        .not_null(),
                )
                .col(text(CourseTier::Tier))
                .primary_key(
                    Index::create()
                        .col(CourseTier::CourseId)
                        .col(CourseTier::Tier),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CourseTier::Table, CourseTier::CourseId)
                        .to(Course::Table, Course::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CourseTier::Table, CourseTier::Tier)
                        .to(Tier::Table, Tier::Code),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Lesson::Table)
                .col(id(Lesson::Id))
                .col(text(Lesson::Slug).unique_key().take())
                .col(ColumnDef::new(Lesson::CourseId).big_integer().not_null())
                .col(text(Lesson::TitleZh))
                .col(text(Lesson::TitleEn))
                .col(int(Lesson::Position))
                .col(int(Lesson::Minutes))
                .col(long_text(Lesson::BodyMd))
                .col(text(Lesson::ContentHash))
                .col(flag(Lesson::Archived, false))
                .col(at(Lesson::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Lesson::Table, Lesson::CourseId)
                        .to(Course::Table, Course::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_lesson_course")
                .table(Lesson::Table)
                .col(Lesson::CourseId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Lesson::Table.into_iden(),
            CourseTier::Table.into_iden(),
            Course::Table.into_iden(),
            Programme::Table.into_iden(),
            PersonRole::Table.into_iden(),
            Person::Table.into_iden(),
            Enterprise::Table.into_iden(),
            District::Table.into_iden(),
            Tier::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Tier {
    Table,
    Code,
    NameZh,
    NameEn,
    Position,
}

#[derive(DeriveIden)]
enum District {
    Table,
    Id,
    Code,
    NameZh,
    NameEn,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    Id,
    Name,
    CreditCode,
    DistrictId,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
    Name,
    Phone,
    Email,
    EnterpriseId,
    Tier,
    JobTitle,
    Locale,
    PasswordHash,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PersonRole {
    Table,
    PersonId,
    Role,
    DistrictId,
}

#[derive(DeriveIden)]
enum Programme {
    Table,
    Id,
    Slug,
    TitleZh,
    TitleEn,
    StartsOn,
    EndsOn,
    Timezone,
    VenueZh,
    VenueEn,
    HostZh,
    OrganisersZh,
    SummaryZh,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Course {
    Table,
    Id,
    Slug,
    Kind,
    TitleZh,
    TitleEn,
    SummaryZh,
    SummaryEn,
    Hours,
    LecturerRole,
    Position,
    Archived,
    ContentHash,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CourseTier {
    Table,
    CourseId,
    Tier,
}

#[derive(DeriveIden)]
enum Lesson {
    Table,
    Id,
    Slug,
    CourseId,
    TitleZh,
    TitleEn,
    Position,
    Minutes,
    BodyMd,
    ContentHash,
    Archived,
    UpdatedAt,
}
