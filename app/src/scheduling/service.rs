//! Sessions and enrolments on the server. Enrolling and cancelling lock the session first (a
//! write on its row: a row lock on PostgreSQL, the write lock on SQLite), so however many people
//! press "enrol" at once, seats and waitlist places are handed out one at a time, in order.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::entity::{enrolment, lecturer, notice, programme, quota, room, session};
use super::periods::{self, Period};
use super::rules;
use super::{
    Bulk, EnrolOutcome, MyPlaces, NoticeView, RosterRow, Schedule, SessionCard, SessionInfo,
};
use crate::auth::{CurrentUser, Role};
use crate::catalog::content::Programme;
use crate::error::{AppError, AppResult};
use crate::people::entity::{enterprise, person};

/// Who sees rosters and may enrol or cancel anyone.
const MANAGERS: &[Role] = &[Role::Scheduler, Role::Admin];

pub fn tz_of(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

pub(crate) fn to_utc(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    tz.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_time(time).and_utc())
}

/// The session's periods, in programme time: its own, or the whole session as one period.
pub fn periods_of(s: &session::Model, tz: Tz) -> Vec<Period> {
    let start = s.starts_at.with_timezone(&tz).time();
    let end = s.ends_at.with_timezone(&tz).time();
    periods::or_whole(periods::parse(&s.periods).unwrap_or_default(), start, end)
}

/// Each period's start and end as instants (the whole session when it is not split).
pub fn spans_of(s: &session::Model, tz: Tz) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    match periods::parse(&s.periods) {
        Ok(list) if !list.is_empty() => {
            let day = s.starts_at.with_timezone(&tz).date_naive();
            list.iter()
                .map(|p| (to_utc(tz, day, p.start), to_utc(tz, day, p.end)))
                .collect()
        }
        _ => vec![(s.starts_at, s.ends_at)],
    }
}

/// The minutes each period earns, by index; a lunch break between periods earns none.
pub fn period_minutes(s: &session::Model) -> Vec<i64> {
    match periods::parse(&s.periods) {
        Ok(list) if !list.is_empty() => list.iter().map(Period::minutes).collect(),
        _ => vec![(s.ends_at - s.starts_at).num_minutes().max(0)],
    }
}

/// The minutes a session earns in all: the sum of its periods.
pub fn session_minutes(s: &session::Model) -> i64 {
    period_minutes(s).iter().sum()
}

/// Rooms and sessions of a programme file, matched by room name and session number.
pub async fn sync_sessions(
    txn: &impl ConnectionTrait,
    programme_id: i64,
    p: &Programme,
) -> AppResult<()> {
    let mut rooms: HashMap<String, room::Model> = room::Entity::find()
        .filter(room::Column::ProgrammeId.eq(programme_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect();
    let mut room_ids = HashMap::new();
    for r in &p.rooms {
        let id = match rooms.remove(&r.name) {
            Some(old) if old.capacity == r.capacity as i32 => old.id,
            Some(old) => {
                let mut row: room::ActiveModel = old.into();
                row.capacity = Set(r.capacity as i32);
                row.update(txn).await?.id
            }
            None => {
                room::ActiveModel {
                    programme_id: Set(programme_id),
                    name: Set(r.name.clone()),
                    capacity: Set(r.capacity as i32),
                    ..Default::default()
                }
                .insert(txn)
                .await?
                .id
            }
        };
        room_ids.insert(r.name.clone(), id);
    }
    let tz = tz_of(&p.timezone);
    let mut sessions: HashMap<i32, session::Model> = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(programme_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.number, s))
        .collect();
    for s in &p.sessions {
        let room_id = *room_ids.get(&s.room).ok_or(AppError::Internal)?;
        let mut row = match sessions.remove(&(s.number as i32)) {
            Some(old) => old.into(),
            None => session::ActiveModel {
                programme_id: Set(programme_id),
                number: Set(s.number as i32),
                ..Default::default()
            },
        };
        row.title_zh = Set(s.title_zh.clone());
        row.title_en = Set(s.title_en.clone());
        row.tiers = Set(json(&s.tiers.iter().map(|t| t.code()).collect::<Vec<_>>()));
        row.courses = Set(json(&s.courses));
        row.starts_at = Set(to_utc(tz, s.date, s.start));
        row.ends_at = Set(to_utc(tz, s.date, s.end));
        row.room_id = Set(room_id);
        row.capacity = Set(s.capacity as i32);
        row.lecturers = Set(json(&s.lecturers));
        row.periods = Set(periods::text(&s.periods));
        row.save(txn).await?;
    }
    // Every lecturer named in the file is in the planner's directory.
    let mut names: Vec<&String> = p.sessions.iter().flat_map(|s| &s.lecturers).collect();
    names.sort();
    names.dedup();
    for name in names {
        lecturer::Entity::insert(lecturer::ActiveModel {
            name: Set(name.clone()),
            organisation: Set(String::new()),
            person_id: Set(None),
            ..Default::default()
        })
        .on_conflict_do_nothing_on([lecturer::Column::Name])
        .exec_without_returning(txn)
        .await?;
    }
    quota::Entity::delete_many()
        .filter(quota::Column::ProgrammeId.eq(programme_id))
        .exec(txn)
        .await?;
    for q in &p.quotas {
        quota::ActiveModel {
            programme_id: Set(programme_id),
            tier: Set(q.tier.code().to_string()),
            min: Set(q.min as i32),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// JSON of a list, for the text columns that hold one.
pub(crate) fn json<T: serde::Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// The programme's quotas as (tier code, minimum per enterprise), in the order they were set.
pub async fn quotas(db: &impl ConnectionTrait, programme_id: i64) -> AppResult<Vec<(String, u32)>> {
    Ok(quota::Entity::find()
        .filter(quota::Column::ProgrammeId.eq(programme_id))
        .order_by_asc(quota::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|q| (q.tier, q.min.max(0) as u32))
        .collect())
}

pub fn list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) struct Counts {
    pub enrolled: HashMap<i64, u32>,
    pub waitlisted: HashMap<i64, u32>,
}

pub(crate) async fn counts(db: &impl ConnectionTrait, sessions: &[i64]) -> AppResult<Counts> {
    let rows: Vec<(i64, String, i64)> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::SessionId)
        .column(enrolment::Column::Status)
        .column_as(enrolment::Column::Id.count(), "n")
        .filter(enrolment::Column::SessionId.is_in(sessions.iter().copied()))
        .group_by(enrolment::Column::SessionId)
        .group_by(enrolment::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut c = Counts {
        enrolled: HashMap::new(),
        waitlisted: HashMap::new(),
    };
    for (sid, status, n) in rows {
        match status.as_str() {
            "enrolled" => c.enrolled.insert(sid, n as u32),
            "waitlisted" => c.waitlisted.insert(sid, n as u32),
            _ => None,
        };
    }
    Ok(c)
}

/// A person's place in each session they are in: status and waitlist position.
async fn places(
    db: &impl ConnectionTrait,
    person: i64,
) -> AppResult<HashMap<i64, (String, Option<u32>)>> {
    let mine = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.eq(person))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for e in mine {
        let position = if e.status == "waitlisted" {
            Some(position_of(db, &e).await?)
        } else {
            None
        };
        out.insert(e.session_id, (e.status.clone(), position));
    }
    Ok(out)
}

async fn position_of(db: &impl ConnectionTrait, e: &enrolment::Model) -> AppResult<u32> {
    let ahead = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(e.session_id))
        .filter(enrolment::Column::Status.eq("waitlisted"))
        .filter(enrolment::Column::Seq.lt(e.seq))
        .count(db)
        .await?;
    Ok(ahead as u32 + 1)
}

fn card(
    s: &session::Model,
    tz: Tz,
    rooms: &HashMap<i64, room::Model>,
    c: &Counts,
    place: Option<&(String, Option<u32>)>,
) -> SessionCard {
    let start = s.starts_at.with_timezone(&tz);
    let end = s.ends_at.with_timezone(&tz);
    SessionCard {
        id: s.id,
        number: s.number,
        title_zh: s.title_zh.clone(),
        title_en: s.title_en.clone(),
        tiers: list(&s.tiers),
        date: start.format("%Y-%m-%d").to_string(),
        start: start.format("%H:%M").to_string(),
        end: end.format("%H:%M").to_string(),
        room: rooms
            .get(&s.room_id)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        capacity: s.capacity.max(0) as u32,
        enrolled: c.enrolled.get(&s.id).copied().unwrap_or(0),
        waitlisted: c.waitlisted.get(&s.id).copied().unwrap_or(0),
        my_status: place.map(|p| p.0.clone()),
        my_position: place.and_then(|p| p.1),
        periods: match periods::parse(&s.periods) {
            Ok(list) => list.iter().map(Period::caption).collect(),
            Err(_) => Vec::new(),
        },
    }
}

/// The programme on now: the one that starts last.
pub async fn current_programme(db: &impl ConnectionTrait) -> AppResult<programme::Model> {
    programme::Entity::find()
        .order_by_desc(programme::Column::StartsOn)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// What one tier of a programme is asked to do: the minutes of its sessions, its courses' titles
/// and its courses' quizzes (those not archived).
#[derive(Clone, Debug, Default)]
pub struct TierPlan {
    pub minutes: i64,
    pub courses: Vec<String>,
    pub quizzes: HashSet<i64>,
}

/// A programme's sessions, in time order, and what they ask of each tier.
pub struct TierPlans {
    pub sessions: Vec<session::Model>,
    pub by_tier: HashMap<String, TierPlan>,
}

/// Every quiz some tier is asked to pass.
pub fn all_quizzes(by_tier: &HashMap<String, TierPlan>) -> HashSet<i64> {
    by_tier
        .values()
        .flat_map(|p| p.quizzes.iter().copied())
        .collect()
}

/// Whether `person` passed one of their tier's quizzes, given who passed which quiz.
pub fn passed_tier_quiz(
    by_tier: &HashMap<String, TierPlan>,
    tier: &str,
    person: i64,
    passed: &HashSet<(i64, i64)>,
) -> bool {
    by_tier
        .get(tier)
        .is_some_and(|p| p.quizzes.iter().any(|q| passed.contains(&(person, *q))))
}

pub async fn tier_plans(db: &impl ConnectionTrait, programme: i64) -> AppResult<TierPlans> {
    use crate::catalog::entity::course;
    use crate::quiz::entity::quiz;
    let sessions = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(programme))
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    let courses: HashMap<String, course::Model> = course::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.slug.clone(), c))
        .collect();
    let mut quizzes: HashMap<i64, Vec<i64>> = HashMap::new();
    for q in quiz::Entity::find()
        .filter(quiz::Column::Archived.eq(false))
        .all(db)
        .await?
    {
        quizzes.entry(q.course_id).or_default().push(q.id);
    }
    let mut by_tier: HashMap<String, TierPlan> = HashMap::new();
    for s in &sessions {
        let minutes = session_minutes(s);
        for tier in list(&s.tiers) {
            let plan = by_tier.entry(tier).or_default();
            plan.minutes += minutes;
            for slug in list(&s.courses) {
                if let Some(c) = courses.get(&slug) {
                    if !plan.courses.contains(&c.title_zh) {
                        plan.courses.push(c.title_zh.clone());
                    }
                    plan.quizzes
                        .extend(quizzes.get(&c.id).cloned().unwrap_or_default());
                }
            }
        }
    }
    Ok(TierPlans { sessions, by_tier })
}

/// Who passed which of `quizzes`: (person, quiz) pairs.
pub async fn passes(
    db: &impl ConnectionTrait,
    quizzes: HashSet<i64>,
) -> AppResult<HashSet<(i64, i64)>> {
    use crate::quiz::entity::attempt;
    Ok(attempt::Entity::find()
        .select_only()
        .column(attempt::Column::PersonId)
        .column(attempt::Column::QuizId)
        .filter(attempt::Column::Passed.eq(true))
        .filter(attempt::Column::QuizId.is_in(quizzes))
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

async fn rooms_of(
    db: &impl ConnectionTrait,
    programme: i64,
) -> AppResult<HashMap<i64, room::Model>> {
    Ok(room::Entity::find()
        .filter(room::Column::ProgrammeId.eq(programme))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// A session and its programme (two lookups by key: for hot paths such as check-in).
pub async fn session_and_programme(
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<(session::Model, programme::Model)> {
    // One query: every check-in and roster starts here.
    match session::Entity::find_by_id(id)
        .find_also_related(programme::Entity)
        .one(db)
        .await?
    {
        Some((s, Some(p))) => Ok((s, p)),
        _ => Err(AppError::NotFound),
    }
}

/// The accounts of the session's lecturers, for those linked to one.
pub async fn lecturer_accounts(
    db: &impl ConnectionTrait,
    s: &session::Model,
) -> AppResult<Vec<i64>> {
    let names = list(&s.lecturers);
    if names.is_empty() {
        return Ok(Vec::new());
    }
    Ok(lecturer::Entity::find()
        .filter(lecturer::Column::Name.is_in(names))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|l| l.person_id)
        .collect())
}

/// What `user` may do with the people of session `s` (see [`rules::session_role`]).
pub async fn role_in(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    s: &session::Model,
) -> AppResult<rules::SessionRole> {
    // Only an instructor's answer depends on who teaches the session.
    let accounts = if user.has(Role::Instructor) && !user.has_any(MANAGERS) {
        lecturer_accounts(db, s).await?
    } else {
        Vec::new()
    };
    Ok(rules::session_role(user, &accounts))
}

/// The session and what `user` may do with its people, when that is at least `needed`; 403
/// otherwise.
pub async fn session_for(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
    needed: rules::SessionRole,
) -> AppResult<(session::Model, rules::SessionRole)> {
    let s = session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = role_in(db, user, &s).await?;
    if role < needed {
        return Err(AppError::Forbidden);
    }
    Ok((s, role))
}

/// A session with its programme and its card (seats counted; no personal place).
pub async fn session_card(
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<(session::Model, programme::Model, SessionCard)> {
    let s = session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (p, card) = card_of(db, &s).await?;
    Ok((s, p, card))
}

/// The programme and card of a session already loaded.
pub async fn card_of(
    db: &impl ConnectionTrait,
    s: &session::Model,
) -> AppResult<(programme::Model, SessionCard)> {
    let p = programme::Entity::find_by_id(s.programme_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let rooms = rooms_of(db, p.id).await?;
    let c = counts(db, &[s.id]).await?;
    let card = card(s, tz_of(&p.timezone), &rooms, &c, None);
    Ok((p, card))
}

/// Whether the person holds a seat (not a waitlist place) in the session.
pub async fn is_enrolled(
    db: &impl ConnectionTrait,
    session_id: i64,
    person_id: i64,
) -> AppResult<bool> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .one(db)
        .await?
        .is_some())
}

/// Everyone holding a seat in the session, in arrival order.
pub async fn seated(db: &impl ConnectionTrait, session_id: i64) -> AppResult<Vec<i64>> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .order_by_asc(enrolment::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.person_id)
        .collect())
}

pub async fn schedule(db: &impl ConnectionTrait, user: &CurrentUser) -> AppResult<Schedule> {
    let p = current_programme(db).await?;
    let tz = tz_of(&p.timezone);
    let rooms = rooms_of(db, p.id).await?;
    let sessions = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(p.id))
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let c = counts(db, &ids).await?;
    let mine = places(db, user.id).await?;
    let cards: Vec<SessionCard> = sessions
        .iter()
        .map(|s| card(s, tz, &rooms, &c, mine.get(&s.id)))
        .collect();
    let mut days: Vec<String> = Vec::new();
    let mut day = p.starts_on;
    while day <= p.ends_on && days.len() < 31 {
        days.push(day.format("%Y-%m-%d").to_string());
        day = day.succ_opt().unwrap_or(day);
    }
    let mut room_names: Vec<(String, i64)> =
        rooms.values().map(|r| (r.name.clone(), r.id)).collect();
    room_names.sort_by_key(|r| r.1);
    Ok(Schedule {
        programme_zh: p.title_zh,
        programme_en: p.title_en,
        days,
        rooms: room_names.into_iter().map(|r| r.0).collect(),
        sessions: cards,
        room_feeds: Vec::new(),
    })
}

pub async fn detail(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    id: i64,
) -> AppResult<SessionInfo> {
    let s = session::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = programme::Entity::find_by_id(s.programme_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let tz = tz_of(&p.timezone);
    let rooms = rooms_of(db, p.id).await?;
    let c = counts(db, &[s.id]).await?;
    let mine = places(db, user.id).await?;
    let role = role_in(db, user, &s).await?;
    let roster = if role >= rules::SessionRole::Reader {
        Some(roster(db, s.id).await?)
    } else {
        None
    };
    let tiers = list(&s.tiers);
    let move_targets = if user.has_any(MANAGERS) {
        session::Entity::find()
            .filter(session::Column::ProgrammeId.eq(p.id))
            .filter(session::Column::Id.ne(s.id))
            .order_by_asc(session::Column::StartsAt)
            .all(db)
            .await?
            .into_iter()
            .map(|o| {
                let start = o.starts_at.with_timezone(&tz);
                let label = format!("{} · {}", o.title_zh, start.format("%m-%d %H:%M"));
                (o.id, label)
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(SessionInfo {
        card: card(&s, tz, &rooms, &c, mine.get(&s.id)),
        programme_zh: p.title_zh,
        venue_zh: p.venue_zh,
        lecturers: list(&s.lecturers),
        courses: list(&s.courses),
        roster,
        can_enrol: rules::tier_fits(&tiers, user.tier.as_deref()) && user.has(Role::Trainee),
        can_manage: user.has_any(MANAGERS),
        can_project: role == rules::SessionRole::Runner,
        move_targets,
    })
}

/// Everyone enrolled (by name), then the waitlist in its order.
pub async fn roster(db: &impl ConnectionTrait, session_id: i64) -> AppResult<Vec<RosterRow>> {
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .order_by_asc(enrolment::Column::Seq)
        .all(db)
        .await?;
    let people: HashMap<i64, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(rows.iter().map(|r| r.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let enterprises: HashMap<i64, String> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(people.values().filter_map(|p| p.enterprise_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let mut position = 0;
    let mut out: Vec<RosterRow> = rows
        .into_iter()
        .map(|e| {
            let p = people.get(&e.person_id);
            let waiting = e.status == "waitlisted";
            if waiting {
                position += 1;
            }
            RosterRow {
                person_id: e.person_id,
                name: p.map(|p| p.name.clone()).unwrap_or_default(),
                enterprise: p
                    .and_then(|p| p.enterprise_id)
                    .and_then(|id| enterprises.get(&id).cloned())
                    .unwrap_or_default(),
                tier: p.and_then(|p| p.tier.clone()).unwrap_or_default(),
                status: e.status,
                position: waiting.then_some(position),
            }
        })
        .collect();
    // Enrolled first, in name order for the sign-in sheet; the waitlist keeps its order.
    out.sort_by(|a, b| {
        (a.status != "enrolled", a.position, &a.enterprise, &a.name).cmp(&(
            b.status != "enrolled",
            b.position,
            &b.enterprise,
            &b.name,
        ))
    });
    Ok(out)
}

/// Takes the session's lock for this transaction: a write on its row. Returns the session.
async fn lock_session(txn: &impl ConnectionTrait, session_id: i64) -> AppResult<session::Model> {
    let locked = session::Entity::update_many()
        .col_expr(
            session::Column::Capacity,
            Expr::col(session::Column::Capacity),
        )
        .filter(session::Column::Id.eq(session_id))
        .exec(txn)
        .await?;
    if locked.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    session::Entity::find_by_id(session_id)
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)
}

fn clash_message(english: bool, other: &session::Model, tz: Tz) -> String {
    let start = other.starts_at.with_timezone(&tz);
    let end = other.ends_at.with_timezone(&tz);
    if english {
        format!(
            "the time clashes with session {} ({}, {}-{}) you are already in",
            other.number,
            start.format("%-d %B"),
            start.format("%H:%M"),
            end.format("%H:%M")
        )
    } else {
        format!(
            "与已报名的第{}期（{}，{}–{}）时间冲突",
            other.number,
            start.format("%-m月%-d日"),
            start.format("%H:%M"),
            end.format("%H:%M")
        )
    }
}

/// Enrols `person` in the session, or puts them on its waitlist when it is full. Enrolling
/// again changes nothing and returns the place they have.
pub async fn enrol(
    db: &(impl ConnectionTrait + TransactionTrait),
    session_id: i64,
    person_id: i64,
    english: bool,
    now: DateTime<Utc>,
) -> AppResult<EnrolOutcome> {
    let txn = db.begin().await?;
    let s = lock_session(&txn, session_id).await?;
    let existing = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .one(&txn)
        .await?;
    if let Some(e) = existing.as_ref().filter(|e| e.status != "cancelled") {
        let position = if e.status == "waitlisted" {
            Some(position_of(&txn, e).await?)
        } else {
            None
        };
        let outcome = EnrolOutcome {
            status: e.status.clone(),
            position,
        };
        txn.commit().await?;
        return Ok(outcome);
    }
    // A person cannot be in two places at once.
    let theirs: Vec<i64> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::SessionId)
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .into_tuple()
        .all(&txn)
        .await?;
    let clash = session::Entity::find()
        .filter(session::Column::Id.is_in(theirs))
        .filter(session::Column::StartsAt.lt(s.ends_at))
        .filter(session::Column::EndsAt.gt(s.starts_at))
        .one(&txn)
        .await?;
    if let Some(other) = clash {
        let tz = match programme::Entity::find_by_id(s.programme_id)
            .one(&txn)
            .await?
        {
            Some(p) => tz_of(&p.timezone),
            None => chrono_tz::Asia::Shanghai,
        };
        txn.rollback().await?;
        return Err(AppError::Conflict(clash_message(english, &other, tz)));
    }
    let enrolled = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .count(&txn)
        .await? as u32;
    let status = rules::arrival_status(enrolled, s.capacity.max(0) as u32);
    let last: Option<i64> = enrolment::Entity::find()
        .select_only()
        .column_as(enrolment::Column::Seq.max(), "seq")
        .filter(enrolment::Column::SessionId.eq(session_id))
        .into_tuple()
        .one(&txn)
        .await?
        .flatten();
    let seq = last.unwrap_or(0) + 1;
    let saved = match existing {
        Some(old) => {
            let mut row: enrolment::ActiveModel = old.into();
            row.status = Set(status.into());
            row.seq = Set(seq);
            row.updated_at = Set(now);
            row.update(&txn).await?
        }
        None => {
            enrolment::ActiveModel {
                session_id: Set(session_id),
                person_id: Set(person_id),
                status: Set(status.into()),
                seq: Set(seq),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let position = if status == "waitlisted" {
        Some(position_of(&txn, &saved).await?)
    } else {
        None
    };
    txn.commit().await?;
    Ok(EnrolOutcome {
        status: status.into(),
        position,
    })
}

pub async fn enrol_self(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    session_id: i64,
    english: bool,
    now: DateTime<Utc>,
) -> AppResult<EnrolOutcome> {
    let s = session::Entity::find_by_id(session_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if !user.has(Role::Trainee) || !rules::tier_fits(&list(&s.tiers), user.tier.as_deref()) {
        return Err(AppError::validation("session", "session_not_for_tier"));
    }
    enrol(db, session_id, user.id, english, now).await
}

pub async fn enrol_by_login(
    db: &(impl ConnectionTrait + TransactionTrait),
    session_id: i64,
    login: &str,
    english: bool,
    now: DateTime<Utc>,
) -> AppResult<EnrolOutcome> {
    let found = person_by_login(db, login).await?;
    enrol(db, session_id, found, english, now).await
}

/// The person with this mobile number or email.
pub async fn person_by_login(db: &impl ConnectionTrait, login: &str) -> AppResult<i64> {
    let login = login.trim();
    Ok(person::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(person::Column::Phone.eq(login))
                .add(person::Column::Email.eq(login.to_lowercase())),
        )
        .one(db)
        .await?
        .ok_or_else(|| AppError::validation("login", "person_not_found"))?
        .id)
}

/// Cancels a place. When it was a seat, the first on the waitlist takes it and gets a notice.
/// Both people get a message, written in the same transaction.
pub async fn cancel(
    db: &(impl ConnectionTrait + TransactionTrait),
    session_id: i64,
    person_id: i64,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let txn = db.begin().await?;
    cancel_in(&txn, session_id, person_id, public_url, now, true).await?;
    txn.commit().await?;
    crate::mail::service::waker().notify_one();
    Ok(())
}

/// Moves a person's place from one session to another in one transaction: the seat they leave
/// goes to the first on that waitlist (who is told), and they take a seat or a waitlist place in
/// the other session, and are told which. If the other session refuses them (a clash), nothing
/// changes and nobody is told.
pub async fn move_person(
    db: &(impl ConnectionTrait + TransactionTrait),
    from: i64,
    to: i64,
    person_id: i64,
    english: bool,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<EnrolOutcome> {
    if from == to {
        return Err(AppError::validation("session", "same_session"));
    }
    let txn = db.begin().await?;
    cancel_in(&txn, from, person_id, public_url, now, false).await?;
    let outcome = enrol(&txn, to, person_id, english, now).await?;
    let waitlisted = (outcome.status == "waitlisted").then_some(outcome.position.unwrap_or(0));
    crate::mail::service::announce_move(&txn, from, to, person_id, waitlisted, public_url, now)
        .await?;
    txn.commit().await?;
    crate::mail::service::waker().notify_one();
    Ok(outcome)
}

/// The work of [`cancel`] inside the caller's transaction; `tell` mails the person whose place
/// it was (a move tells nobody but the promoted).
async fn cancel_in(
    txn: &impl ConnectionTrait,
    session_id: i64,
    person_id: i64,
    public_url: &str,
    now: DateTime<Utc>,
    tell: bool,
) -> AppResult<()> {
    lock_session(txn, session_id).await?;
    let e = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let had_seat = e.status == "enrolled";
    let mut row: enrolment::ActiveModel = e.into();
    row.status = Set("cancelled".into());
    row.updated_at = Set(now);
    row.update(txn).await?;
    if had_seat {
        let next = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(session_id))
            .filter(enrolment::Column::Status.eq("waitlisted"))
            .order_by_asc(enrolment::Column::Seq)
            .one(txn)
            .await?;
        if let Some(next) = next {
            let promoted = next.person_id;
            let mut row: enrolment::ActiveModel = next.into();
            row.status = Set("enrolled".into());
            row.updated_at = Set(now);
            row.update(txn).await?;
            notice::ActiveModel {
                person_id: Set(promoted),
                kind: Set("promoted".into()),
                session_id: Set(Some(session_id)),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            crate::mail::service::announce_place(
                txn, "promoted", session_id, promoted, public_url, now,
            )
            .await?;
        }
    }
    if tell {
        crate::mail::service::announce_place(
            txn,
            "cancelled",
            session_id,
            person_id,
            public_url,
            now,
        )
        .await?;
    }
    Ok(())
}

/// At most this many people in one bulk action.
pub const BULK_MAX: usize = 500;

/// A list of person ids as the roster's selection sends it: "12,15,19".
pub fn parse_ids(list: &str) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id = part
            .parse::<i64>()
            .map_err(|_| AppError::validation("person", "invalid_id"))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::validation("person", "nobody_selected"));
    }
    if ids.len() > BULK_MAX {
        return Err(AppError::validation("person", "too_many_rows"));
    }
    Ok(ids)
}

/// Mobile numbers or emails, one a line (or separated by commas or spaces), each once.
pub fn parse_logins(text: &str) -> AppResult<Vec<String>> {
    let mut logins: Vec<String> = Vec::new();
    for l in text
        .split(|c: char| c == ',' || c == '，' || c == ';' || c.is_whitespace())
        .filter(|l| !l.is_empty())
    {
        if !logins.iter().any(|x| x == l) {
            logins.push(l.to_string());
        }
    }
    if logins.is_empty() {
        return Err(AppError::validation("login", "phone_or_email_required"));
    }
    if logins.len() > BULK_MAX {
        return Err(AppError::validation("login", "too_many_rows"));
    }
    Ok(logins)
}

/// Enrols each login in turn (seats first, then the waitlist, in the order given); who cannot
/// be enrolled is listed with the reason, and the others are enrolled all the same.
pub async fn enrol_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    session_id: i64,
    logins: &[String],
    english: bool,
    now: DateTime<Utc>,
) -> AppResult<Bulk> {
    session::Entity::find_by_id(session_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut out = Bulk::default();
    for login in logins {
        match enrol_by_login(db, session_id, login, english, now).await {
            Ok(_) => out.done += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => out.failed.push((login.clone(), err)),
        }
    }
    Ok(out)
}

/// The selected people's places in the session, in arrival order, with their names.
async fn selected(
    db: &impl ConnectionTrait,
    session_id: i64,
    people: &[i64],
) -> AppResult<Vec<(i64, String)>> {
    let places = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session_id))
        .filter(enrolment::Column::PersonId.is_in(people.iter().copied()))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .order_by_asc(enrolment::Column::Seq)
        .all(db)
        .await?;
    let names: HashMap<i64, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(people.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    Ok(places
        .into_iter()
        .map(|e| {
            let name = names.get(&e.person_id).cloned().unwrap_or_default();
            (e.person_id, name)
        })
        .collect())
}

/// Moves each selected person, in their arrival order, to session `to`; each move is whole or
/// not at all, and who could not be moved is listed with the reason.
pub async fn move_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    from: i64,
    to: i64,
    people: &[i64],
    english: bool,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<Bulk> {
    session::Entity::find_by_id(to)
        .one(db)
        .await?
        .ok_or_else(|| AppError::validation("session", "invalid_id"))?;
    let mut out = Bulk::default();
    for (person_id, name) in selected(db, from, people).await? {
        match move_person(db, from, to, person_id, english, public_url, now).await {
            Ok(_) => out.done += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => out.failed.push((name, err)),
        }
    }
    Ok(out)
}

/// Cancels each selected person's place; the waitlist moves up for each seat freed.
pub async fn cancel_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    session_id: i64,
    people: &[i64],
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<Bulk> {
    let mut out = Bulk::default();
    for (person_id, name) in selected(db, session_id, people).await? {
        match cancel(db, session_id, person_id, public_url, now).await {
            Ok(()) => out.done += 1,
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(err) => out.failed.push((name, err)),
        }
    }
    Ok(out)
}

pub async fn my_schedule(db: &impl ConnectionTrait, user: &CurrentUser) -> AppResult<MyPlaces> {
    let mine = places(db, user.id).await?;
    let all = session::Entity::find()
        .order_by_asc(session::Column::StartsAt)
        .all(db)
        .await?;
    // The lecturers linked to this account: an instructor's own sessions (another role linked
    // by mistake teaches nothing, as `rules::session_role` says).
    let my_names: HashSet<String> = if user.has(Role::Instructor) {
        lecturer::Entity::find()
            .filter(lecturer::Column::PersonId.eq(user.id))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.name)
            .collect()
    } else {
        HashSet::new()
    };
    let teaches = |s: &session::Model| list(&s.lecturers).iter().any(|n| my_names.contains(n));
    let (sessions, taught): (Vec<&session::Model>, Vec<&session::Model>) = (
        all.iter().filter(|s| mine.contains_key(&s.id)).collect(),
        all.iter().filter(|s| teaches(s)).collect(),
    );
    let programmes: HashMap<i64, programme::Model> = programme::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let rooms: HashMap<i64, room::Model> = room::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let ids: Vec<i64> = sessions.iter().chain(&taught).map(|s| s.id).collect();
    let c = counts(db, &ids).await?;
    let cards_of = |list: &[&session::Model]| -> Vec<SessionCard> {
        list.iter()
            .map(|s| {
                let tz = programmes
                    .get(&s.programme_id)
                    .map(|p| tz_of(&p.timezone))
                    .unwrap_or(chrono_tz::Asia::Shanghai);
                card(s, tz, &rooms, &c, mine.get(&s.id))
            })
            .collect()
    };
    let cards = cards_of(&sessions);
    let teaching = cards_of(&taught);
    let numbers: HashMap<i64, i32> = all.iter().map(|s| (s.id, s.number)).collect();
    let notices = notice::Entity::find()
        .filter(notice::Column::PersonId.eq(user.id))
        .order_by_desc(notice::Column::Id)
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .map(|n| NoticeView {
            kind: n.kind,
            session_id: n.session_id.unwrap_or_default(),
            session_number: n
                .session_id
                .and_then(|id| numbers.get(&id).copied())
                .unwrap_or_default(),
            at: crate::shell::time::local(n.created_at),
        })
        .collect();
    Ok(MyPlaces {
        sessions: cards,
        teaching,
        notices,
        feed_url: String::new(),
    })
}
