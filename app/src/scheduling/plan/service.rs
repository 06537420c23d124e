//! The planner on the server. Every change first takes the programme's lock (a write on its
//! row: a row lock on PostgreSQL, the write lock on SQLite), so two schedulers saving at once
//! are checked one after the other and cannot both book the same room.
use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::rules::{self, Booked, Clash};
use super::{Plan, PlanLecturer, PlanRoom, PlanSession, SessionDraft, Shortfall};
use crate::attendance::entity::attendance;
use crate::catalog::entity::course;
use crate::error::{AppError, AppResult};
use crate::people::entity::{district, enterprise, person};
use crate::scheduling::entity::{enrolment, lecturer, programme, room, session};
use crate::scheduling::periods;
use crate::scheduling::service::{counts, current_programme, json, list, to_utc, tz_of};

/// Takes the programme's lock for this transaction and returns it.
async fn lock_programme(txn: &impl ConnectionTrait) -> AppResult<programme::Model> {
    let p = current_programme(txn).await?;
    programme::Entity::update_many()
        .col_expr(programme::Column::Id, Expr::col(programme::Column::Id))
        .filter(programme::Column::Id.eq(p.id))
        .exec(txn)
        .await?;
    Ok(p)
}

fn conflict(clash: &Clash, english: bool) -> AppError {
    AppError::Conflict(rules::clash_text(clash, english))
}

pub async fn overview(db: &impl ConnectionTrait) -> AppResult<Plan> {
    let p = current_programme(db).await?;
    let tz = tz_of(&p.timezone);
    let rooms = room::Entity::find()
        .filter(room::Column::ProgrammeId.eq(p.id))
        .order_by_asc(room::Column::Id)
        .all(db)
        .await?;
    let sessions = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(p.id))
        .order_by_asc(session::Column::StartsAt)
        .order_by_asc(session::Column::Number)
        .all(db)
        .await?;
    let lecturers = lecturer::Entity::find()
        .order_by_asc(lecturer::Column::Name)
        .all(db)
        .await?;
    // Each linked account's name, and the login that links it (shown again when editing).
    let accounts: HashMap<i64, (String, String)> = person::Entity::find()
        .filter(person::Column::Id.is_in(lecturers.iter().filter_map(|l| l.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, (p.name, p.phone.or(p.email).unwrap_or_default())))
        .collect();
    let ids_by_name: HashMap<&str, i64> =
        lecturers.iter().map(|l| (l.name.as_str(), l.id)).collect();
    let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let seats = counts(db, &ids).await?;
    let room_names: HashMap<i64, &str> = rooms.iter().map(|r| (r.id, r.name.as_str())).collect();
    let plan_sessions = sessions
        .iter()
        .map(|s| {
            let start = s.starts_at.with_timezone(&tz);
            let names = list(&s.lecturers);
            PlanSession {
                id: s.id,
                number: s.number,
                title_zh: s.title_zh.clone(),
                title_en: s.title_en.clone(),
                tiers: list(&s.tiers),
                courses: list(&s.courses),
                date: start.format("%Y-%m-%d").to_string(),
                start: start.format("%H:%M").to_string(),
                end: s.ends_at.with_timezone(&tz).format("%H:%M").to_string(),
                room_id: s.room_id,
                room: room_names.get(&s.room_id).unwrap_or(&"").to_string(),
                capacity: s.capacity.max(0) as u32,
                enrolled: seats.enrolled.get(&s.id).copied().unwrap_or(0),
                lecturer_ids: names
                    .iter()
                    .filter_map(|n| ids_by_name.get(n.as_str()).copied())
                    .collect(),
                lecturers: names,
                periods: periods::text(&periods::parse(&s.periods).unwrap_or_default()),
            }
        })
        .collect::<Vec<_>>();
    let plan_rooms = rooms
        .iter()
        .map(|r| PlanRoom {
            id: r.id,
            name: r.name.clone(),
            capacity: r.capacity.max(0) as u32,
            sessions: sessions.iter().filter(|s| s.room_id == r.id).count() as u32,
        })
        .collect();
    let courses = course::Entity::find()
        .filter(course::Column::Archived.eq(false))
        .order_by_asc(course::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.slug, c.title_zh, c.title_en))
        .collect();
    let quotas = crate::scheduling::service::quotas(db, p.id).await?;
    let (enterprises, shortfalls) = shortfalls(db, &ids, &quotas).await?;
    Ok(Plan {
        programme_zh: p.title_zh,
        programme_en: p.title_en,
        starts_on: p.starts_on.format("%Y-%m-%d").to_string(),
        ends_on: p.ends_on.format("%Y-%m-%d").to_string(),
        rooms: plan_rooms,
        lecturers: lecturers
            .iter()
            .map(|l| PlanLecturer {
                id: l.id,
                name: l.name.clone(),
                organisation: l.organisation.clone(),
                account: l
                    .person_id
                    .and_then(|id| accounts.get(&id).map(|a| a.0.clone())),
                login: l
                    .person_id
                    .and_then(|id| accounts.get(&id).map(|a| a.1.clone()))
                    .unwrap_or_default(),
            })
            .collect(),
        sessions: plan_sessions,
        courses,
        quotas,
        enterprises,
        shortfalls,
    })
}

/// Per enterprise and quota tier: delegates on file and those holding a seat in one of the
/// sessions; the rows where the seats fall short of the quota.
async fn shortfalls(
    db: &impl ConnectionTrait,
    sessions: &[i64],
    quotas: &[(String, u32)],
) -> AppResult<(u32, Vec<Shortfall>)> {
    let enterprises = enterprise::Entity::find()
        .order_by_asc(enterprise::Column::Name)
        .all(db)
        .await?;
    let districts: HashMap<i64, district::Model> = district::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let seated: std::collections::HashSet<i64> = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.is_in(sessions.iter().copied()))
        .filter(enrolment::Column::Status.eq("enrolled"))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.person_id)
        .collect();
    let delegates = person::Entity::find()
        .filter(person::Column::EnterpriseId.is_not_null())
        .filter(person::Column::Active.eq(true))
        .all(db)
        .await?;
    // (enterprise, tier) → (registered, enrolled)
    let mut tally: HashMap<(i64, &str), (u32, u32)> = HashMap::new();
    for d in &delegates {
        if let (Some(e), Some(t)) = (d.enterprise_id, d.tier.as_deref()) {
            let entry = tally.entry((e, t)).or_default();
            entry.0 += 1;
            entry.1 += u32::from(seated.contains(&d.id));
        }
    }
    let mut out = Vec::new();
    for e in &enterprises {
        let district = e.district_id.and_then(|d| districts.get(&d));
        for (tier, min) in quotas {
            let (registered, enrolled) = tally
                .get(&(e.id, tier.as_str()))
                .copied()
                .unwrap_or_default();
            if enrolled < *min {
                out.push(Shortfall {
                    enterprise: e.name.clone(),
                    district_zh: district.map(|d| d.name_zh.clone()).unwrap_or_default(),
                    district_en: district.map(|d| d.name_en.clone()).unwrap_or_default(),
                    tier: tier.clone(),
                    required: *min,
                    registered,
                    enrolled,
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.district_zh, &a.enterprise).cmp(&(&b.district_zh, &b.enterprise)));
    Ok((enterprises.len() as u32, out))
}

pub async fn save_session(
    db: &(impl ConnectionTrait + TransactionTrait),
    draft: &SessionDraft,
    english: bool,
) -> AppResult<i64> {
    let txn = db.begin().await?;
    let p = lock_programme(&txn).await?;
    let plan = rules::parse_session(draft, (p.starts_on, p.ends_on))?;
    let existing = match draft.id {
        0 => None,
        id => Some(
            session::Entity::find_by_id(id)
                .filter(session::Column::ProgrammeId.eq(p.id))
                .one(&txn)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
    };
    let r = room::Entity::find_by_id(plan.room_id)
        .filter(room::Column::ProgrammeId.eq(p.id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::validation("room", "room_required"))?;
    let chosen = lecturer::Entity::find()
        .filter(lecturer::Column::Id.is_in(plan.lecturer_ids.iter().copied()))
        .all(&txn)
        .await?;
    if chosen.len() != plan.lecturer_ids.len() {
        return Err(AppError::validation("lecturers", "invalid_id"));
    }
    // In the order the scheduler ticked them.
    let names: Vec<String> = plan
        .lecturer_ids
        .iter()
        .filter_map(|id| chosen.iter().find(|l| l.id == *id).map(|l| l.name.clone()))
        .collect();
    if !plan.courses.is_empty() {
        let known = course::Entity::find()
            .filter(course::Column::Slug.is_in(plan.courses.iter().cloned()))
            .all(&txn)
            .await?;
        if known.len() != plan.courses.len() {
            return Err(AppError::validation("courses", "course_unknown"));
        }
    }
    let tz = tz_of(&p.timezone);
    let others: Vec<Booked> = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(p.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| Booked {
            id: s.id,
            number: s.number,
            room_id: s.room_id,
            start: s.starts_at.with_timezone(&tz).naive_local(),
            end: s.ends_at.with_timezone(&tz).naive_local(),
            lecturers: list(&s.lecturers),
        })
        .collect();
    let room_seats = r.capacity.max(0) as u32;
    if let Some(clash) = rules::first_clash(
        existing.as_ref().map(|s| s.id),
        &plan,
        (&r.name, room_seats),
        &names,
        &others,
    ) {
        return Err(conflict(&clash, english));
    }
    if let Some(old) = &existing {
        let enrolled = counts(&txn, &[old.id])
            .await?
            .enrolled
            .get(&old.id)
            .copied()
            .unwrap_or(0);
        if plan.capacity < enrolled {
            return Err(conflict(&Clash::BelowEnrolled { enrolled }, english));
        }
        let span = (plan.date.and_time(plan.start), plan.date.and_time(plan.end));
        let moved = span.0 != old.starts_at.with_timezone(&tz).naive_local()
            || span.1 != old.ends_at.with_timezone(&tz).naive_local();
        if moved {
            let places = places_elsewhere(&txn, old.id).await?;
            if let Some(clash) = rules::busy_trainee(old.id, span, &places, &others) {
                return Err(conflict(&clash, english));
            }
        }
        // Marks are kept per period: once someone has one, the periods stay as they are.
        let periods_changed = periods::parse(&old.periods).unwrap_or_default() != plan.periods;
        if periods_changed {
            let marks = attendance::Entity::find()
                .filter(attendance::Column::SessionId.eq(old.id))
                .count(&txn)
                .await?;
            if marks > 0 {
                return Err(conflict(
                    &Clash::PeriodsInUse {
                        marks: marks as u32,
                    },
                    english,
                ));
            }
        }
    }
    let mut row: session::ActiveModel = match existing {
        Some(old) => old.into(),
        None => session::ActiveModel {
            programme_id: Set(p.id),
            ..Default::default()
        },
    };
    row.number = Set(plan.number as i32);
    row.title_zh = Set(plan.title_zh.clone());
    row.title_en = Set(plan.title_en.clone());
    row.tiers = Set(json(
        &plan.tiers.iter().map(|t| t.code()).collect::<Vec<_>>(),
    ));
    row.courses = Set(json(&plan.courses));
    row.starts_at = Set(to_utc(tz, plan.date, plan.start));
    row.ends_at = Set(to_utc(tz, plan.date, plan.end));
    row.room_id = Set(r.id);
    row.capacity = Set(plan.capacity as i32);
    row.lecturers = Set(json(&names));
    row.periods = Set(periods::text(&plan.periods));
    let saved = row.save(&txn).await?;
    let id = saved.id.try_as_ref().copied().ok_or(AppError::Internal)?;
    txn.commit().await?;
    Ok(id)
}

/// Everyone holding a place (a seat or on the waitlist) in `session`, with each other session
/// they hold a place in: (name, other session).
async fn places_elsewhere(
    db: &impl ConnectionTrait,
    session: i64,
) -> AppResult<Vec<(String, i64)>> {
    let holders: Vec<i64> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::PersonId)
        .filter(enrolment::Column::SessionId.eq(session))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .into_tuple()
        .all(db)
        .await?;
    if holders.is_empty() {
        return Ok(Vec::new());
    }
    let mut places = Vec::new();
    for chunk in holders.chunks(500) {
        let names: HashMap<i64, String> = person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let elsewhere: Vec<(i64, i64)> = enrolment::Entity::find()
            .select_only()
            .column(enrolment::Column::PersonId)
            .column(enrolment::Column::SessionId)
            .filter(enrolment::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(enrolment::Column::SessionId.ne(session))
            .filter(enrolment::Column::Status.ne("cancelled"))
            .into_tuple()
            .all(db)
            .await?;
        for (person, other) in elsewhere {
            places.push((names.get(&person).cloned().unwrap_or_default(), other));
        }
    }
    Ok(places)
}

pub async fn delete_session(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: i64,
    english: bool,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let p = lock_programme(&txn).await?;
    let s = session::Entity::find_by_id(id)
        .filter(session::Column::ProgrammeId.eq(p.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let places = enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(s.id))
        .filter(enrolment::Column::Status.ne("cancelled"))
        .all(&txn)
        .await?
        .len();
    if places > 0 {
        return Err(AppError::Conflict(if english {
            format!(
                "{places} people hold a place in session {}; cancel them first",
                s.number
            )
        } else {
            format!("第{}期还有{places}人报名或候补，请先取消", s.number)
        }));
    }
    // Attendance is a record of what happened: a session someone checked in to stays.
    let attended = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(s.id))
        .count(&txn)
        .await?;
    if attended > 0 {
        return Err(AppError::Conflict(if english {
            format!(
                "session {} has attendance on record ({attended}); it cannot be deleted",
                s.number
            )
        } else {
            format!("第{}期已有{attended}条签到记录，不能删除", s.number)
        }));
    }
    // Cancelled places go with it.
    enrolment::Entity::delete_many()
        .filter(enrolment::Column::SessionId.eq(s.id))
        .exec(&txn)
        .await?;
    session::Entity::delete_by_id(s.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn save_room(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: i64,
    name: &str,
    capacity: &str,
    english: bool,
) -> AppResult<i64> {
    let (name, seats) = rules::parse_room(name, capacity)?;
    let txn = db.begin().await?;
    let p = lock_programme(&txn).await?;
    let same_name = room::Entity::find()
        .filter(room::Column::ProgrammeId.eq(p.id))
        .filter(room::Column::Name.eq(&name))
        .filter(room::Column::Id.ne(id))
        .one(&txn)
        .await?;
    if same_name.is_some() {
        return Err(AppError::Conflict(if english {
            format!("there is already a room called {name}")
        } else {
            format!("已有名为{name}的教室")
        }));
    }
    let row = if id == 0 {
        room::ActiveModel {
            programme_id: Set(p.id),
            name: Set(name),
            capacity: Set(seats as i32),
            ..Default::default()
        }
        .insert(&txn)
        .await?
    } else {
        let old = room::Entity::find_by_id(id)
            .filter(room::Column::ProgrammeId.eq(p.id))
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        let bigger = session::Entity::find()
            .filter(session::Column::RoomId.eq(id))
            .filter(session::Column::Capacity.gt(seats as i32))
            .order_by_asc(session::Column::Number)
            .one(&txn)
            .await?;
        if let Some(s) = bigger {
            return Err(AppError::Conflict(if english {
                format!(
                    "session {} in this room has {} seats; lower it first",
                    s.number, s.capacity
                )
            } else {
                format!(
                    "本教室的第{}期有{}个名额，请先减少该期名额",
                    s.number, s.capacity
                )
            }));
        }
        let mut row: room::ActiveModel = old.into();
        row.name = Set(name);
        row.capacity = Set(seats as i32);
        row.update(&txn).await?
    };
    txn.commit().await?;
    Ok(row.id)
}

pub async fn save_lecturer(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: i64,
    name: &str,
    organisation: &str,
    login: &str,
    english: bool,
) -> AppResult<i64> {
    let (name, organisation) = rules::parse_lecturer(name, organisation)?;
    let login = login.trim();
    let txn = db.begin().await?;
    // The programme's lock: two schedulers saving at once are checked one after the other.
    lock_programme(&txn).await?;
    let account = if login.is_empty() {
        None
    } else {
        Some(crate::scheduling::service::person_by_login(&txn, login).await?)
    };
    let same_name = lecturer::Entity::find()
        .filter(lecturer::Column::Name.eq(&name))
        .filter(lecturer::Column::Id.ne(id))
        .one(&txn)
        .await?;
    if same_name.is_some() {
        return Err(AppError::Conflict(if english {
            format!("{name} is already a lecturer")
        } else {
            format!("讲师{name}已在名单中")
        }));
    }
    let row = if id == 0 {
        lecturer::ActiveModel {
            name: Set(name),
            organisation: Set(organisation),
            person_id: Set(account),
            ..Default::default()
        }
        .insert(&txn)
        .await?
    } else {
        let old = lecturer::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        if old.name != name {
            // Sessions name their lecturers: a new name follows into each of them, in every
            // programme (lecturers are shared, and who may run a session goes by the name).
            for s in session::Entity::find()
                .filter(session::Column::Lecturers.contains(old.name.as_str()))
                .all(&txn)
                .await?
            {
                let mut names = list(&s.lecturers);
                if let Some(slot) = names.iter_mut().find(|n| **n == old.name) {
                    *slot = name.clone();
                    let mut row: session::ActiveModel = s.into();
                    row.lecturers = Set(json(&names));
                    row.update(&txn).await?;
                }
            }
        }
        let mut row: lecturer::ActiveModel = old.into();
        row.name = Set(name);
        row.organisation = Set(organisation);
        row.person_id = Set(account);
        row.update(&txn).await?
    };
    txn.commit().await?;
    Ok(row.id)
}
