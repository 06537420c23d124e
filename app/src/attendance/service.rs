//! Attendance on the server. A check-in is one insert that does nothing when the row exists, so
//! a second scan, or two phones racing, can never count a trainee twice.
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::entity::{attendance, attendance_change, setting};
use super::queue::{CheckInQueue, Written};
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
use crate::scheduling::entity::session;
use crate::scheduling::periods;
use crate::scheduling::rules::SessionRole;
use crate::scheduling::service::{
    all_quizzes, card_of, is_enrolled, passed_tier_quiz, passes, period_minutes, periods_of,
    seated, session_and_programme, session_for, spans_of, tier_plans, tz_of,
};
use crate::state::AppConfig;

const SECRET_KEY: &str = "checkin_secret";

/// One mark per session, trainee and period.
pub(super) const KEY: [attendance::Column; 3] = [
    attendance::Column::SessionId,
    attendance::Column::PersonId,
    attendance::Column::Period,
];

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

/// The marks of one period of a session, by person.
async fn statuses(
    db: &impl ConnectionTrait,
    session_id: i64,
    period: i32,
) -> AppResult<HashMap<i64, attendance::Model>> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session_id))
        .filter(attendance::Column::Period.eq(period))
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
    let (s, _) = session_for(db, user, session_id, SessionRole::Runner).await?;
    let (p, card) = card_of(db, &s).await?;
    let tz = tz_of(&p.timezone);
    // The period on now (or next): its arrivals and counts.
    let period = period_in(&s, tz, None, now)?;
    let caption = period_caption(&s, tz, period as usize);
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
    let marks = statuses(db, session_id, period).await?;
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
        period: caption,
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

/// A split session's period as `上午 08:30–12:00`; empty for a session of one period.
fn period_caption(s: &session::Model, tz: chrono_tz::Tz, period: usize) -> String {
    let list = periods_of(s, tz);
    if list.len() < 2 {
        return String::new();
    }
    list.get(period).map(|p| p.caption()).unwrap_or_default()
}

/// A period of the session, or a validation error naming the field.
fn check_period(s: &session::Model, period: i32) -> AppResult<i32> {
    if period >= 0 && (period as usize) < period_minutes(s).len() {
        Ok(period)
    } else {
        Err(AppError::validation("period", "period_invalid"))
    }
}

/// The period asked for, checked against the session; `None` picks the one on now (or next).
fn period_in(
    s: &session::Model,
    tz: chrono_tz::Tz,
    asked: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<i32> {
    match asked {
        Some(p) => check_period(s, p),
        None => {
            let ends: Vec<DateTime<Utc>> = spans_of(s, tz).into_iter().map(|(_, e)| e).collect();
            Ok(periods::current(now, &ends) as i32)
        }
    }
}

/// The mark kept for a seat in a period, once written.
async fn mark_of(db: &impl ConnectionTrait, seat: Seat) -> AppResult<attendance::Model> {
    attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(seat.session))
        .filter(attendance::Column::PersonId.eq(seat.person))
        .filter(attendance::Column::Period.eq(seat.period))
        .one(db)
        .await?
        .ok_or(AppError::Internal)
}

/// A mark as it will be written (its `id` is not yet known and is not written).
fn unsaved(
    session_id: i64,
    person_id: i64,
    period: i32,
    status: Status,
    by: i64,
    now: DateTime<Utc>,
) -> attendance::Model {
    attendance::Model {
        id: 0,
        session_id,
        person_id,
        period,
        status: status.code().into(),
        note: String::new(),
        method: "manual".into(),
        checked_in_at: None,
        updated_by: Some(by),
        updated_at: now,
    }
}

/// The insert of a mark not yet stored: every column but the id.
pub(super) fn insert_of(a: &attendance::Model) -> attendance::ActiveModel {
    attendance::ActiveModel {
        session_id: Set(a.session_id),
        person_id: Set(a.person_id),
        period: Set(a.period),
        status: Set(a.status.clone()),
        note: Set(a.note.clone()),
        method: Set(a.method.clone()),
        checked_in_at: Set(a.checked_in_at),
        updated_by: Set(a.updated_by),
        updated_at: Set(a.updated_at),
        ..Default::default()
    }
}

pub(super) fn change_row(
    a: &attendance::Model,
    by: i64,
    now: DateTime<Utc>,
) -> attendance_change::ActiveModel {
    attendance_change::ActiveModel {
        session_id: Set(a.session_id),
        person_id: Set(a.person_id),
        period: Set(a.period),
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
    db: &DatabaseConnection,
    config: &AppConfig,
    queue: &CheckInQueue,
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
    let result = |status: &str, already: bool, at: DateTime<Utc>, period: usize| CheckInResult {
        session_id: s.id,
        period: period_caption(&s, tz, period),
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
    // Each period has its own doors: a split day is checked into in the morning and again after
    // lunch.
    let windows: Vec<_> = spans_of(&s, tz)
        .into_iter()
        .map(|(start, end)| {
            (
                start - Duration::minutes(c.opens_minutes_before),
                start + Duration::minutes(c.late_after_minutes),
                end,
            )
        })
        .collect();
    let (index, status) = rules::arrival_in(now, &windows).map_err(|w| match w {
        Window::TooEarly => AppError::validation("session", "checkin_not_open"),
        Window::Over => AppError::validation("session", "checkin_closed"),
    })?;
    let period = index as i32;
    let fresh = attendance::Model {
        method: "qr".into(),
        checked_in_at: Some(now),
        ..unsaved(s.id, user.id, period, status, user.id, now)
    };
    // The usual case: a first scan, written with the others of its moment (see `queue`).
    match queue.write(db, fresh.clone()).await? {
        Written::New => return Ok(result(status.code(), false, now, index)),
        Written::Existing(row) if row.status != Status::Absent.code() => {
            return Ok(result(
                &row.status,
                true,
                row.checked_in_at.unwrap_or(row.updated_at),
                index,
            ))
        }
        // Marked absent before they came, or left to be written alone: the careful way.
        Written::Existing(_) | Written::Retry => {}
    }
    let _turn = crate::db::writer_turn(db).await;
    let txn = db.begin().await?;
    // The insert comes first: it takes the write lock (SQLite) before anything is read.
    let inserted = attendance::Entity::insert(insert_of(&fresh))
        .on_conflict_do_nothing_on(KEY)
        .exec_without_returning(&txn)
        .await?;
    if was_inserted(inserted) {
        attendance_change::Entity::insert(change_row(&fresh, user.id, now))
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        return Ok(result(status.code(), false, now, index));
    }
    let row = mark_of(
        &txn,
        Seat {
            session: s.id,
            person: user.id,
            period,
        },
    )
    .await?;
    // Marked absent before they arrived: the scan is the better evidence. The update says
    // "still absent" in its filter, so of two scans racing (PostgreSQL takes both at once) one
    // changes the mark and the other is told it is already in.
    let (changed, row) = if row.status != Status::Absent.code() {
        (false, row)
    } else if attendance::Entity::update_many()
        .col_expr(attendance::Column::Status, Expr::value(status.code()))
        .col_expr(attendance::Column::Method, Expr::value("qr"))
        .col_expr(attendance::Column::CheckedInAt, Expr::value(Some(now)))
        .col_expr(attendance::Column::UpdatedBy, Expr::value(Some(user.id)))
        .col_expr(attendance::Column::UpdatedAt, Expr::value(now))
        .filter(attendance::Column::Id.eq(row.id))
        .filter(attendance::Column::Status.eq(Status::Absent.code()))
        .exec(&txn)
        .await?
        .rows_affected
        == 1
    {
        (true, row)
    } else {
        // The other scan changed it first: report the mark it wrote.
        let seat = Seat {
            session: s.id,
            person: user.id,
            period,
        };
        (false, mark_of(&txn, seat).await?)
    };
    let outcome = if changed {
        let row = attendance::Model {
            status: status.code().into(),
            method: "qr".into(),
            checked_in_at: Some(now),
            updated_by: Some(user.id),
            updated_at: now,
            ..row
        };
        change_row(&row, user.id, now).insert(&txn).await?;
        result(status.code(), false, now, index)
    } else {
        result(
            &row.status,
            true,
            row.checked_in_at.unwrap_or(row.updated_at),
            index,
        )
    };
    txn.commit().await?;
    Ok(outcome)
}

/// The roll of one period (`None`: the one on now, or next).
pub async fn roll_call(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    session_id: i64,
    period: Option<i32>,
    now: DateTime<Utc>,
) -> AppResult<RollSheet> {
    let (s, role) = session_for(db, user, session_id, SessionRole::Reader).await?;
    let (p, card) = card_of(db, &s).await?;
    let tz = tz_of(&p.timezone);
    let period = period_in(&s, tz, period, now)?;
    let seated = seated(db, session_id).await?;
    let marks = statuses(db, session_id, period).await?;
    let labels = directory::labels(db, seated.iter().copied()).await?;
    let changes: Vec<(i64, i64)> = attendance_change::Entity::find()
        .select_only()
        .column(attendance_change::Column::PersonId)
        .column_as(attendance_change::Column::Id.count(), "n")
        .filter(attendance_change::Column::SessionId.eq(session_id))
        .filter(attendance_change::Column::Period.eq(period))
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
        periods: {
            let list = periods_of(&s, tz);
            if list.len() < 2 {
                Vec::new()
            } else {
                list.iter().map(|p| p.caption()).collect()
            }
        },
        period,
    })
}

/// Where a mark goes: a session, a trainee with a seat in it, and one of its periods.
#[derive(Clone, Copy, Debug)]
pub struct Seat {
    pub session: i64,
    pub person: i64,
    pub period: i32,
}

/// Sets one trainee's status in one period; the trainee must hold a seat in the session.
pub async fn mark(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    seat: Seat,
    status: &str,
    note: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let status = Status::parse(status).ok_or(AppError::validation("status", "status_invalid"))?;
    let note = note.trim();
    if note.chars().count() > 200 {
        return Err(AppError::validation("note", "note_too_long"));
    }
    let Seat {
        session: session_id,
        person: person_id,
        period,
    } = seat;
    let (s, _) = session_for(db, user, session_id, SessionRole::Runner).await?;
    check_period(&s, period)?;
    if !is_enrolled(db, session_id, person_id).await? {
        return Err(AppError::validation("person", "person_not_enrolled"));
    }
    let txn = db.begin().await?;
    attendance::Entity::insert(attendance::ActiveModel {
        session_id: Set(session_id),
        person_id: Set(person_id),
        period: Set(period),
        status: Set(status.code().into()),
        note: Set(note.into()),
        method: Set("manual".into()),
        checked_in_at: Set(None),
        updated_by: Set(Some(user.id)),
        updated_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns(KEY)
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
    let row = mark_of(&txn, seat).await?;
    change_row(&row, user.id, now).insert(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Everyone seated and not yet marked in the period becomes absent in it.
pub async fn mark_rest_absent(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    session_id: i64,
    period: i32,
    now: DateTime<Utc>,
) -> AppResult<u32> {
    let (s, _) = session_for(db, user, session_id, SessionRole::Runner).await?;
    check_period(&s, period)?;
    let txn = db.begin().await?;
    let seated = seated(&txn, session_id).await?;
    let marks = statuses(&txn, session_id, period).await?;
    let mut n = 0;
    for id in seated.into_iter().filter(|id| !marks.contains_key(id)) {
        let absent = unsaved(session_id, id, period, Status::Absent, user.id, now);
        let inserted = attendance::Entity::insert(insert_of(&absent))
            .on_conflict_do_nothing_on(KEY)
            .exec_without_returning(&txn)
            .await?;
        if was_inserted(inserted) {
            attendance_change::Entity::insert(change_row(&absent, user.id, now))
                .exec_without_returning(&txn)
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
    // Whose delegate each is and of which tier: no more of a person's row than that.
    let people: Vec<(i64, Option<i64>, Option<String>)> = person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::EnterpriseId,
            person::Column::Tier,
        ])
        .filter(person::Column::EnterpriseId.is_in(enterprises.iter().map(|e| e.id)))
        .filter(person::Column::Active.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
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
    for (id, enterprise, tier) in people {
        if let (Some(e), Some(tier)) = (enterprise, tier) {
            by_enterprise.entry(e).or_default().push(rules::Delegate {
                attended: attended.contains(&id),
                passed: passed_tier_quiz(&plans, &tier, id, &passed),
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
