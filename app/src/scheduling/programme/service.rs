//! The programme's details on the server. A save writes its audit entry first, so on SQLite the
//! transaction holds the write lock before it reads the sessions it checks the dates against.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionSession, TransactionTrait,
};

use super::rules::{outside_text, parse_programme, session_left_out, tier_rules_text};
use super::{ProgrammeCreated, ProgrammeForm};
use crate::auth::service::audit;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::scheduling::entity::{programme, quota, session};
use crate::scheduling::service::{current_programme, json, list, tz_of};

pub async fn details(db: &impl ConnectionTrait) -> AppResult<ProgrammeForm> {
    let p = current_programme(db).await?;
    let quotas = crate::scheduling::service::quotas(db, p.id)
        .await?
        .into_iter()
        .map(|(tier, min)| format!("{tier}:{min}"))
        .collect::<Vec<_>>()
        .join(",");
    let tier_rules = tier_rules_text(&crate::certificate::service::tier_rules_of(&p));
    Ok(ProgrammeForm {
        title_zh: p.title_zh,
        title_en: p.title_en,
        starts_on: p.starts_on.format("%Y-%m-%d").to_string(),
        ends_on: p.ends_on.format("%Y-%m-%d").to_string(),
        venue_zh: p.venue_zh,
        venue_en: p.venue_en,
        host_zh: p.host_zh,
        organisers_zh: list(&p.organisers_zh).join("\n"),
        min_attendance_percent: p.min_attendance_percent.to_string(),
        require_quiz: p.require_quiz,
        quotas,
        tier_rules,
    })
}

/// A new programme with its rule and quotas; its rooms and sessions are planned next.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    form: &ProgrammeForm,
    english: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<ProgrammeCreated> {
    let input = parse_programme(form)?;
    let txn = db.begin().await?;
    audit(
        &txn,
        Some(user),
        "programme.create",
        None,
        serde_json::json!({
            "title_zh": input.title_zh,
            "starts_on": input.starts_on,
            "ends_on": input.ends_on,
        }),
    )
    .await?;
    let taken = programme::Entity::find()
        .filter(programme::Column::TitleZh.eq(&input.title_zh))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::Conflict(if english {
            format!("a programme named {} already exists", input.title_zh)
        } else {
            format!("已有名为{}的培训项目", input.title_zh)
        }));
    }
    // The same time zone as the programme before it (the platform's default otherwise).
    let timezone = match current_programme(&txn).await {
        Ok(p) => p.timezone,
        Err(AppError::NotFound) => "Asia/Shanghai".to_string(),
        Err(e) => return Err(e),
    };
    let row = programme::ActiveModel {
        // Not a programme file's id: the file sync never touches it.
        slug: Set(format!("programme-{}", uuid::Uuid::new_v4().simple())),
        title_zh: Set(input.title_zh),
        title_en: Set(input.title_en),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        timezone: Set(timezone),
        venue_zh: Set(input.venue_zh),
        venue_en: Set(input.venue_en),
        host_zh: Set(input.host_zh),
        organisers_zh: Set(json(&input.organisers_zh)),
        summary_zh: Set(String::new()),
        created_at: Set(now),
        content_hash: Set(String::new()),
        min_attendance_percent: Set(i32::from(input.min_attendance_percent)),
        require_quiz: Set(input.require_quiz),
        tier_rules: Set(json(&input.tier_rules)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (tier, min) in input.quotas {
        quota::ActiveModel {
            programme_id: Set(row.id),
            tier: Set(tier.code().to_string()),
            min: Set(min as i32),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let current = current_programme(&txn).await?.id == row.id;
    txn.commit().await?;
    Ok(ProgrammeCreated {
        id: row.id,
        current,
    })
}

pub async fn save(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    form: &ProgrammeForm,
    english: bool,
) -> AppResult<()> {
    let input = parse_programme(form)?;
    let txn = db.begin().await?;
    audit(
        &txn,
        Some(user),
        "programme.update",
        None,
        serde_json::json!({
            "title_zh": input.title_zh,
            "starts_on": input.starts_on,
            "ends_on": input.ends_on,
            "min_attendance_percent": input.min_attendance_percent,
            "require_quiz": input.require_quiz,
            "quotas": input.quotas.iter().map(|(t, n)| format!("{}:{n}", t.code())).collect::<Vec<_>>(),
            "tier_rules": input.tier_rules,
        }),
    )
    .await?;
    let p = current_programme(&txn).await?;
    let tz = tz_of(&p.timezone);
    let days: Vec<_> = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(p.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| (s.number, s.starts_at.with_timezone(&tz).date_naive()))
        .collect();
    let old = (p.starts_on, p.ends_on);
    let new = (input.starts_on, input.ends_on);
    if let Some((number, day)) = session_left_out(&days, old, new) {
        return Err(AppError::Conflict(outside_text(number, day, english)));
    }
    let programme_id = p.id;
    let mut row: programme::ActiveModel = p.into();
    row.title_zh = Set(input.title_zh);
    row.title_en = Set(input.title_en);
    row.starts_on = Set(input.starts_on);
    row.ends_on = Set(input.ends_on);
    row.venue_zh = Set(input.venue_zh);
    row.venue_en = Set(input.venue_en);
    row.host_zh = Set(input.host_zh);
    row.organisers_zh = Set(json(&input.organisers_zh));
    row.min_attendance_percent = Set(i32::from(input.min_attendance_percent));
    row.require_quiz = Set(input.require_quiz);
    row.tier_rules = Set(json(&input.tier_rules));
    row.update(&txn).await?;
    quota::Entity::delete_many()
        .filter(quota::Column::ProgrammeId.eq(programme_id))
        .exec(&txn)
        .await?;
    for (tier, min) in input.quotas {
        quota::ActiveModel {
            programme_id: Set(programme_id),
            tier: Set(tier.code().to_string()),
            min: Set(min as i32),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
