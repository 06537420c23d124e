//! Attendance on the server. A check-in is one insert that does nothing when the row exists, so
//! a second scan, or two phones racing, can never count a trainee twice.
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::entity::{attendance, attendance_change, setting};
use super::rules::{self, Status, Token, TokenError, Window};
use super::{
    Arrival, BoardView, CheckInResult, Counts, DistrictProgress, EnterpriseProgress,
    ProgressReport, RollRow, RollSheet, TierCell,
};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::people::directory;
use crate::people::entity::{district, enterprise, person};
use crate::scheduling::entity::programme;
use crate::scheduling::rules::SessionRole;
use crate::scheduling::service::{
    all_quizzes, is_enrolled, passed_tier_quiz, passes, seated, session_and_programme,
    session_card, session_for, tier_plans, tz_of,
};
use crate::state::AppConfig;

const SECRET_KEY: &str = "checkin_secret";

/// The signing secret: the configured one, or the one kept in the database (made by the first
/// process to need it), so every process on one database signs alike.
pub async fn signing_secret(
    db: &impl ConnectionTrait,
    configured: Option<&str>,
) -> AppResult<Vec<u8>> {
    if let Some(s) = configured.filter(|s| !s.trim().is_empty()) {
        return Ok(s.as_bytes().to_vec());
    }
    if let Some(row) = setting::Entity::find_by_id(SECRET_KEY).one(db).await? {
        return Ok(row.value.into_bytes());
    }
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let fresh = base64::engine::general_purpose::STANDARD.encode(bytes);
    setting::Entity::insert(setting::ActiveModel {
        key: Set(SECRET_KEY.into()),
        value: Set(fresh),
    })
    .on_conflict_do_nothing_on([setting::Column::Key])
    .exec_without_returning(db)
    .await?;
    // Another process may have won the race: everyone uses the stored one.
    let row = setting::Entity::find_by_id(SECRET_KEY)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    Ok(row.value.into_bytes())
}

/// A random secret for this process alone, for when the shared one cannot be read.
pub fn process_secret() -> Vec<u8> {
    use rand::RngCore;
    let mut bytes = vec![0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// Whether an insert with `ON CONFLICT DO NOTHING` wrote its row.
fn was_inserted(result: sea_orm::TryInsertResult<u64>) -> bool {
    matches!(result, sea_orm::TryInsertResult::Inserted(n) if n > 0)
}

fn qr_svg(url: &str) -> AppResult<String> {
    use qrcode::render::svg;
    let code =
        qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M).map_err(|e| {
            tracing::error!(error = %e, "QR encoding failed");
            AppError::Internal
        })?;
    let doc = code
        .render::<svg::Color>()
        .min_dimensions(320, 320)
        .quiet_zone(true)
        .build();
    // Inline in HTML: the `<svg>` element without the XML declaration.
    Ok(match doc.find("<svg") {
        Some(at) => doc[at..].to_string(),
        None => doc,
    })
}

async fn statuses(
    db: &impl ConnectionTrait,
    session_id: i64,
) -> AppResult<HashMap<i64, attendance::Model>> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.person_id, a))
        .collect())
}

fn count(seated: &[i64], marks: &HashMap<i64, attendance::Model>) -> Counts {
    let mut c = Counts {
        enrolled: seated.len() as u32,
        ..Default::default()
    };
    for id in seated {
        match marks.get(id).and_then(|a| Status::parse(&a.status)) {
            Some(Status::Present) => c.present += 1,
            Some(Status::Late) => c.late += 1,
            Some(Status::Excused) => c.excused += 1,
            Some(Status::Absent) => c.absent += 1,
            None => {}
        }
    }
    c
}

pub async fn board(
    db: &impl ConnectionTrait,
    config: &AppConfig,
    user: &CurrentUser,
    session_id: i64,
    now: DateTime<Utc>,
) -> AppResult<BoardView> {
    session_for(db, user, session_id, SessionRole::Runner).await?;
    let (_, p, card) = session_card(db, session_id).await?;
    let tz = tz_of(&p.timezone);
    let rotate = config.checkin.rotate_seconds.max(1);
    let unix = now.timestamp();
    let token = rules::sign(
        &config.signing_secret,
        Token {
            session: session_id,
            slot: rules::slot_of(unix, rotate),
        },
    );
    let url = format!(
        "{}/check-in?t={token}",
        config.public_url.trim_end_matches('/')
    );
    let seated = seated(db, session_id).await?;
    let marks = statuses(db, session_id).await?;
    let mut arrived: Vec<&attendance::Model> = marks
        .values()
        .filter(|a| a.checked_in_at.is_some())
        .collect();
    arrived.sort_by_key(|a| std::cmp::Reverse(a.checked_in_at));
    arrived.truncate(12);
    let labels = directory::labels(db, arrived.iter().map(|a| a.person_id)).await?;
    Ok(BoardView {
        session: card,
        qr_svg: qr_svg(&url)?,
        url,
        seconds_left: rules::seconds_left(unix, rotate) as u32,
        rotate_seconds: rotate as u32,
        counts: count(&seated, &marks),
        arrivals: arrived
            .into_iter()
            .map(|a| {
                let l = labels.get(&a.person_id).cloned().unwrap_or_default();
                Arrival {
                    name: l.name,
                    enterprise: l.enterprise,
                    status: a.status.clone(),
                    at: a
                        .checked_in_at
                        .map(|t| t.with_timezone(&tz).format("%H:%M:%S").to_string())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    })
}

fn change_row(
    a: &attendance::Model,
    by: i64,
    now: DateTime<Utc>,
) -> attendance_change::ActiveModel {
    attendance_change::ActiveModel {
        session_id: Set(a.session_id),
        person_id: Set(a.person_id),
        status: Set(a.status.clone()),
        note: Set(a.note.clone()),
        method: Set(a.method.clone()),
        changed_by: Set(by),
        changed_at: Set(now),
        ..Default::default()
    }
}

/// Checks `user` in with a scanned code.
pub async fn check_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    config: &AppConfig,
    user: &CurrentUser,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<CheckInResult> {
    let token = rules::verify(&config.signing_secret, token).map_err(|e| match e {
        TokenError::Malformed | TokenError::Forged => {
            AppError::validation("token", "token_invalid")
        }
    })?;
    let (s, p) = match session_and_programme(db, token.session).await {
        Ok(found) => found,
        Err(AppError::NotFound) => return Err(AppError::validation("token", "token_invalid")),
        Err(e) => return Err(e),
    };
    let tz = tz_of(&p.timezone);
    let result = |status: &str, already: bool, at: DateTime<Utc>| CheckInResult {
        session_id: s.id,
        number: s.number,
        title_zh: s.title_zh.clone(),
        title_en: s.title_en.clone(),
        status: status.to_string(),
        already,
        at: at.with_timezone(&tz).format("%H:%M:%S").to_string(),
    };
    if !rules::token_fresh(
        token.slot,
        now.timestamp(),
        config.checkin.rotate_seconds,
        config.checkin.grace_seconds,
    ) {
        return Err(AppError::validation("token", "token_expired"));
    }
    if !is_enrolled(db, s.id, user.id).await? {
        return Err(AppError::validation("session", "not_enrolled"));
    }
    let c = &config.checkin;
    let status = rules::arrival(
        now,
        s.starts_at - Duration::minutes(c.opens_minutes_before),
        s.starts_at + Duration::minutes(c.late_after_minutes),
        s.ends_at,
    )
    .map_err(|w| match w {
        Window::TooEarly => AppError::validation("session", "checkin_not_open"),
        Window::Over => AppError::validation("session", "checkin_closed"),
    })?;
    let txn = db.begin().await?;
    // The insert comes first: it takes the write lock (SQLite) before anything is read.
    let inserted = attendance::Entity::insert(attendance::ActiveModel {
        session_id: Set(s.id),
        person_id: Set(user.id),
        status: Set(status.code().into()),
        note: Set(String::new()),
        method: Set("qr".into()),
        checked_in_at: Set(Some(now)),
        updated_by: Set(Some(user.id)),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([attendance::Column::SessionId, attendance::Column::PersonId])
    .exec_without_returning(&txn)
    .await?;
    let row = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(s.id))
        .filter(attendance::Column::PersonId.eq(user.id))
        .one(&txn)
        .await?
        .ok_or(AppError::Internal)?;
    let outcome = if was_inserted(inserted) {
        change_row(&row, user.id, now).insert(&txn).await?;
        result(status.code(), false, now)
    } else if row.status == Status::Absent.code() {
        // Marked absent before they arrived: the scan is the better evidence.
        let mut update: attendance::ActiveModel = row.into();
        update.status = Set(status.code().into());
        update.method = Set("qr".into());
        update.checked_in_at = Set(Some(now));
        update.updated_by = Set(Some(user.id));
        update.updated_at = Set(now);
        let row = update.update(&txn).await?;
        change_row(&row, user.id, now).insert(&txn).await?;
        result(status.code(), false, now)
    } else {
        result(
            &row.status,
            true,
            row.checked_in_at.unwrap_or(row.updated_at),
        )
    };
    txn.commit().await?;
    Ok(outcome)
}

pub async fn roll_call(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    session_id: i64,
) -> AppResult<RollSheet> {
    let (_, role) = session_for(db, user, session_id, SessionRole::Reader).await?;
    let (_, p, card) = session_card(db, session_id).await?;
    let tz = tz_of(&p.timezone);
    let seated = seated(db, session_id).await?;
    let marks = statuses(db, session_id).await?;
    let labels = directory::labels(db, seated.iter().copied()).await?;
    let changes: Vec<(i64, i64)> = attendance_change::Entity::find()
        .select_only()
        .column(attendance_change::Column::PersonId)
        .column_as(attendance_change::Column::Id.count(), "n")
        .filter(attendance_change::Column::SessionId.eq(session_id))
        .group_by(attendance_change::Column::PersonId)
        .into_tuple()
        .all(db)
        .await?;
    let changes: HashMap<i64, i64> = changes.into_iter().collect();
    let rows = seated
        .iter()
        .map(|id| {
            let l = labels.get(id).cloned().unwrap_or_default();
            let a = marks.get(id);
            RollRow {
                person_id: *id,
                name: l.name,
                enterprise: l.enterprise,
                tier: l.tier,
                status: a.map(|a| a.status.clone()),
                note: a.map(|a| a.note.clone()).unwrap_or_default(),
                method: a.map(|a| a.method.clone()),
                at: a
                    .and_then(|a| a.checked_in_at)
                    .map(|t| t.with_timezone(&tz).format("%H:%M").to_string()),
                changes: changes.get(id).copied().unwrap_or(0) as u32,
            }
        })
        .collect();
    Ok(RollSheet {
        session: card,
        counts: count(&seated, &marks),
        rows,
        can_mark: role == SessionRole::Runner,
    })
}

/// Sets one trainee's status; the trainee must hold a seat in the session.
pub async fn mark(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    session_id: i64,
    person_id: i64,
    status: &str,
    note: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let status = Status::parse(status).ok_or(AppError::validation("status", "status_invalid"))?;
    let note = note.trim();
    if note.chars().count() > 200 {
        return Err(AppError::validation("note", "note_too_long"));
    }
    session_for(db, user, session_id, SessionRole::Runner).await?;
    if !is_enrolled(db, session_id, person_id).await? {
        return Err(AppError::validation("person", "person_not_enrolled"));
    }
    let txn = db.begin().await?;
    attendance::Entity::insert(attendance::ActiveModel {
        session_id: Set(session_id),
        person_id: Set(person_id),
        status: Set(status.code().into()),
        note: Set(note.into()),
        method: Set("manual".into()),
        checked_in_at: Set(None),
        updated_by: Set(Some(user.id)),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([attendance::Column::SessionId, attendance::Column::PersonId])
            .update_columns([
                attendance::Column::Status,
                attendance::Column::Note,
                attendance::Column::Method,
                attendance::Column::UpdatedBy,
                attendance::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let row = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session_id))
        .filter(attendance::Column::PersonId.eq(person_id))
        .one(&txn)
        .await?
        .ok_or(AppError::Internal)?;
    change_row(&row, user.id, now).insert(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Everyone seated and not yet marked becomes absent.
pub async fn mark_rest_absent(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    session_id: i64,
    now: DateTime<Utc>,
) -> AppResult<u32> {
    session_for(db, user, session_id, SessionRole::Runner).await?;
    let txn = db.begin().await?;
    let seated = seated(&txn, session_id).await?;
    let marks = statuses(&txn, session_id).await?;
    let mut n = 0;
    for id in seated.into_iter().filter(|id| !marks.contains_key(id)) {
        let inserted = attendance::Entity::insert(attendance::ActiveModel {
            session_id: Set(session_id),
            person_id: Set(id),
            status: Set(Status::Absent.code().into()),
            note: Set(String::new()),
            method: Set("manual".into()),
            checked_in_at: Set(None),
            updated_by: Set(Some(user.id)),
            updated_at: Set(now),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([attendance::Column::SessionId, attendance::Column::PersonId])
        .exec_without_returning(&txn)
        .await?;
        if was_inserted(inserted) {
            attendance_change::ActiveModel {
                session_id: Set(session_id),
                person_id: Set(id),
                status: Set(Status::Absent.code().into()),
                note: Set(String::new()),
                method: Set("manual".into()),
                changed_by: Set(user.id),
                changed_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            n += 1;
        }
    }
    txn.commit().await?;
    Ok(n)
}

/// The district a person may see the progress of: `None` for all.
fn scope_of(user: &CurrentUser) -> AppResult<Option<i64>> {
    if user.has_any(&[Role::Organiser, Role::Admin, Role::Scheduler]) {
        Ok(None)
    } else if user.has(Role::DistrictOfficial) {
        user.district_id.map(Some).ok_or(AppError::Forbidden)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Per enterprise (in the asker's scope): delegates by tier, how many attended and passed, and
/// whether the programme's quotas are met; per district, the share of enterprises done.
pub async fn progress(db: &impl ConnectionTrait, user: &CurrentUser) -> AppResult<ProgressReport> {
    let scope = scope_of(user)?;
    let p = programme::Entity::find()
        .order_by_desc(programme::Column::StartsOn)
        .one(db)
        .await?;
    let quotas: Vec<(String, u32)> = match &p {
        Some(p) => crate::scheduling::service::quotas(db, p.id).await?,
        None => Vec::new(),
    };
    let mut q = enterprise::Entity::find().order_by_asc(enterprise::Column::Name);
    if let Some(d) = scope {
        q = q.filter(enterprise::Column::DistrictId.eq(d));
    }
    let enterprises = q.all(db).await?;
    let districts: HashMap<i64, String> = district::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name_zh))
        .collect();
    let people = person::Entity::find()
        .filter(person::Column::EnterpriseId.is_in(enterprises.iter().map(|e| e.id)))
        .filter(person::Column::Active.eq(true))
        .all(db)
        .await?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    // Attended a session of this programme; passed one of the quizzes of their tier's courses
    // in it (not any quiz).
    let (sessions, plans) = match &p {
        Some(p) => {
            let plans = tier_plans(db, p.id).await?;
            (plans.sessions, plans.by_tier)
        }
        None => (Vec::new(), HashMap::new()),
    };
    let attended: HashSet<i64> = attendance::Entity::find()
        .select_only()
        .column(attendance::Column::PersonId)
        .filter(attendance::Column::PersonId.is_in(ids.iter().copied()))
        .filter(attendance::Column::SessionId.is_in(sessions.iter().map(|s| s.id)))
        .filter(attendance::Column::Status.is_in([Status::Present.code(), Status::Late.code()]))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let passed = passes(db, all_quizzes(&plans)).await?;
    let mut by_enterprise: HashMap<i64, Vec<rules::Delegate>> = HashMap::new();
    for person in &people {
        if let (Some(e), Some(tier)) = (person.enterprise_id, person.tier.clone()) {
            by_enterprise.entry(e).or_default().push(rules::Delegate {
                attended: attended.contains(&person.id),
                passed: passed_tier_quiz(&plans, &tier, person.id, &passed),
                tier,
            });
        }
    }
    let mut tiers: Vec<String> = quotas.iter().map(|q| q.0.clone()).collect();
    let mut rows = Vec::new();
    let mut per_district: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for e in &enterprises {
        let delegates = by_enterprise.remove(&e.id).unwrap_or_default();
        let (tally, done) = rules::tally(&quotas, &delegates);
        for t in tally.keys() {
            if !tiers.contains(t) {
                tiers.push(t.clone());
            }
        }
        let district = e
            .district_id
            .and_then(|d| districts.get(&d).cloned())
            .unwrap_or_default();
        let entry = per_district.entry(district.clone()).or_default();
        entry.0 += 1;
        entry.1 += done as u32;
        rows.push(EnterpriseProgress {
            id: e.id,
            name: e.name.clone(),
            district,
            tiers: tally
                .into_iter()
                .map(|(tier, t)| TierCell {
                    tier,
                    required: t.required,
                    delegates: t.delegates,
                    attended: t.attended,
                    passed: t.passed,
                })
                .collect(),
            done,
        });
    }
    let total = rows.len() as u32;
    let done = rows.iter().filter(|r| r.done).count() as u32;
    Ok(ProgressReport {
        tiers,
        districts: per_district
            .into_iter()
            .map(|(name, (n, d))| DistrictProgress {
                name,
                enterprises: n,
                done: d,
                percent: rules::percent(d as i64, n as i64),
            })
            .collect(),
        enterprises: rows,
        total,
        done,
        percent: rules::percent(done as i64, total as i64),
        scope: scope.and_then(|d| districts.get(&d).cloned()),
    })
}
