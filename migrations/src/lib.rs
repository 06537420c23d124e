//! Schema changes, one a file, each with `up` and `down`. `academy` applies them at start-up
//! (`academy migrate` runs them alone). Never edit a migration that has shipped: add a new one.
pub use sea_orm_migration::prelude::*;

mod m20261128_000001_core;
mod m20261128_000002_auth;
mod m20261128_000003_learning;
mod m20261128_000004_quiz;
mod m20261128_000005_scheduling;
mod m20261128_000006_attendance;
mod m20261128_000007_certificates;
mod m20261129_000008_mail;
mod m20261129_000009_districts;
mod m20261129_000010_lecturers;
mod m20261129_000011_reissue;
mod m20261129_000012_tier_rules;
mod m20261130_000013_periods;
mod m20261207_000014_attempt_points;
mod m20261207_000015_attempt_pass_mark;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_core::Migration),
            Box::new(m20261128_000002_auth::Migration),
            Box::new(m20261128_000003_learning::Migration),
            Box::new(m20261128_000004_quiz::Migration),
            Box::new(m20261128_000005_scheduling::Migration),
            Box::new(m20261128_000006_attendance::Migration),
            Box::new(m20261128_000007_certificates::Migration),
            Box::new(m20261129_000008_mail::Migration),
            Box::new(m20261129_000009_districts::Migration),
            Box::new(m20261129_000010_lecturers::Migration),
            Box::new(m20261129_000011_reissue::Migration),
            Box::new(m20261129_000012_tier_rules::Migration),
            Box::new(m20261130_000013_periods::Migration),
            Box::new(m20261207_000014_attempt_points::Migration),
            Box::new(m20261207_000015_attempt_pass_mark::Migration),
        ]
    }
}
