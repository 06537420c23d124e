//! `programmes/<id>.toml`: dates, venue, rooms, quotas and the sessions.
use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;
use toml::Spanned;

use super::model::{CertificateRule, Programme, Quota, Room, Session, TierRule};
use super::source::{is_valid_id, Doc, Problem, SourceFile};
use crate::people::tier::Tier;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProgramme {
    id: Spanned<String>,
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    starts_on: Spanned<String>,
    ends_on: Spanned<String>,
    timezone: Spanned<String>,
    venue_zh: Spanned<String>,
    venue_en: Spanned<String>,
    organisers_zh: Spanned<Vec<String>>,
    organisers_en: Spanned<Vec<String>>,
    host_zh: Spanned<String>,
    host_en: Spanned<String>,
    summary_zh: Spanned<String>,
    summary_en: Option<Spanned<String>>,
    certificate: RawCertificate,
    #[serde(default)]
    quotas: Vec<RawQuota>,
    #[serde(default)]
    rooms: Vec<RawRoom>,
    #[serde(default)]
    sessions: Vec<RawSession>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificate {
    min_attendance_percent: Spanned<i64>,
    require_quiz: bool,
    #[serde(default)]
    tiers: Vec<RawTierRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTierRule {
    tier: Spanned<String>,
    min_attendance_percent: Option<Spanned<i64>>,
    require_quiz: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuota {
    tier: Spanned<String>,
    min: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoom {
    name: Spanned<String>,
    capacity: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSession {
    number: Spanned<i64>,
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    tiers: Spanned<Vec<Spanned<String>>>,
    courses: Spanned<Vec<Spanned<String>>>,
    date: Spanned<String>,
    start: Spanned<String>,
    end: Spanned<String>,
    room: Spanned<String>,
    capacity: Spanned<i64>,
    lecturers: Spanned<Vec<Spanned<String>>>,
    /// `上午 08:30-12:00；下午 13:30-17:00`: a session that spans a day, split.
    #[serde(default)]
    periods: Option<Spanned<String>>,
}

/// What a programme needs to know about the courses: their ids and tiers (`None` if the
/// course's own file is unusable).
pub(crate) type CourseTiers = HashMap<String, Option<Vec<Tier>>>;

/// A programme as far as it could be read, and the line of its id.
pub(crate) struct LoadedProgramme {
    pub programme: Programme,
    pub id_line: usize,
}

pub(crate) fn load(
    path: &Path,
    courses: &CourseTiers,
    problems: &mut Vec<Problem>,
) -> Option<LoadedProgramme> {
    let file = match SourceFile::read(path) {
        Ok(f) => f,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let mut doc = Doc::new(&file, 0..file.text.len(), problems);
    let raw = doc.parse::<RawProgramme>()?;

    let id = raw.id.get_ref().clone();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_valid_id(&id) {
        doc.report_at(
            &raw.id,
            format!("programme id `{id}` must be lowercase letters, digits and '-'"),
        );
    } else if id != stem {
        doc.report_at(
            &raw.id,
            format!("programme id `{id}` must equal its file name `{stem}.toml`"),
        );
    }
    let starts_on = date(&mut doc, &raw.starts_on, "starts_on");
    let ends_on = date(&mut doc, &raw.ends_on, "ends_on");
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        if e < s {
            doc.report_at(
                &raw.ends_on,
                format!("`ends_on` {e} is before `starts_on` {s}"),
            );
        }
    }
    for (list, field) in [
        (&raw.organisers_zh, "organisers_zh"),
        (&raw.organisers_en, "organisers_en"),
    ] {
        if list.get_ref().iter().any(|o| o.trim().is_empty()) {
            doc.report_at(list, format!("`{field}` has an empty name"));
        }
    }

    let mut certificate = CertificateRule {
        min_attendance_percent: doc.int_in(
            &raw.certificate.min_attendance_percent,
            "min_attendance_percent",
            0..=100,
        ) as u32,
        require_quiz: raw.certificate.require_quiz,
        tiers: Vec::new(),
    };
    for r in &raw.certificate.tiers {
        let min = r
            .min_attendance_percent
            .as_ref()
            .map(|m| doc.int_in(m, "min_attendance_percent", 0..=100) as u32);
        if let Some(tier) = doc.tier(&r.tier) {
            if certificate.tiers.iter().any(|other| other.tier == tier) {
                doc.report_at(
                    &r.tier,
                    format!("tier `{}` has two certificate rules", tier.code()),
                );
            } else if min.is_none() && r.require_quiz.is_none() {
                doc.report_at(
                    &r.tier,
                    format!(
                        "the rule of tier `{}` sets neither `min_attendance_percent` nor `require_quiz`",
                        tier.code()
                    ),
                );
            } else {
                certificate.tiers.push(TierRule {
                    tier,
                    min_attendance_percent: min,
                    require_quiz: r.require_quiz,
                });
            }
        }
    }
    certificate.tiers.sort_by_key(|r| r.tier);

    let mut quotas: Vec<Quota> = Vec::new();
    for q in &raw.quotas {
        let min = doc.int_in(&q.min, "min", 0..=i64::from(i32::MAX)) as u32;
        if let Some(tier) = doc.tier(&q.tier) {
            if quotas.iter().any(|other| other.tier == tier) {
                doc.report_at(&q.tier, format!("tier `{}` has two quotas", tier.code()));
            } else {
                quotas.push(Quota { tier, min });
            }
        }
    }

    let mut rooms: Vec<Room> = Vec::new();
    for r in &raw.rooms {
        let name = doc.non_empty(&r.name, "name");
        let capacity = doc.positive(&r.capacity, "capacity");
        if rooms.iter().any(|other| other.name == name) {
            doc.report_at(&r.name, format!("room `{name}` is listed twice"));
        } else {
            rooms.push(Room { name, capacity });
        }
    }

    let mut sessions: Vec<(Session, &RawSession)> = Vec::new();
    for s in &raw.sessions {
        if let Some(session) = session(&mut doc, s, &rooms, courses, starts_on, ends_on) {
            if let Some((first, _)) = sessions.iter().find(|(o, _)| o.number == session.number) {
                let message = format!(
                    "session number {} is already used by \"{}\"",
                    first.number, first.title_zh
                );
                doc.report_at(&s.number, message);
            }
            sessions.push((session, s));
        }
    }
    overlaps(&mut doc, &sessions);

    let summary_en = raw
        .summary_en
        .as_ref()
        .map(|s| doc.non_empty(s, "summary_en"));
    let programme = Programme {
        id,
        title_zh: doc.non_empty(&raw.title_zh, "title_zh"),
        title_en: doc.non_empty(&raw.title_en, "title_en"),
        starts_on: starts_on.unwrap_or_default(),
        ends_on: ends_on.unwrap_or_default(),
        timezone: doc.non_empty(&raw.timezone, "timezone"),
        venue_zh: doc.non_empty(&raw.venue_zh, "venue_zh"),
        venue_en: doc.non_empty(&raw.venue_en, "venue_en"),
        organisers_zh: raw.organisers_zh.get_ref().clone(),
        organisers_en: raw.organisers_en.get_ref().clone(),
        host_zh: doc.non_empty(&raw.host_zh, "host_zh"),
        host_en: doc.non_empty(&raw.host_en, "host_en"),
        summary_zh: doc.non_empty(&raw.summary_zh, "summary_zh"),
        summary_en,
        certificate,
        quotas,
        rooms,
        sessions: {
            let mut list: Vec<Session> = sessions.into_iter().map(|(s, _)| s).collect();
            list.sort_by_key(|s| s.number);
            list
        },
        path: path.to_path_buf(),
        hash: file.hash(),
    };
    let id_line = doc.line(&raw.id.span());
    Some(LoadedProgramme { programme, id_line })
}

fn date(doc: &mut Doc<'_>, value: &Spanned<String>, field: &str) -> Option<NaiveDate> {
    let s = value.get_ref().trim();
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            doc.report_at(
                value,
                format!("`{field}` must be a date like \"2014-07-14\", not \"{s}\""),
            );
            None
        }
    }
}

fn time(doc: &mut Doc<'_>, value: &Spanned<String>, field: &str) -> Option<NaiveTime> {
    let s = value.get_ref().trim();
    match NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
    {
        Ok(t) => Some(t),
        Err(_) => {
            doc.report_at(
                value,
                format!("`{field}` must be a time like \"09:00\", not \"{s}\""),
            );
            None
        }
    }
}

fn session(
    doc: &mut Doc<'_>,
    s: &RawSession,
    rooms: &[Room],
    courses: &CourseTiers,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
) -> Option<Session> {
    let number = doc.positive(&s.number, "number");
    let title_zh = doc.non_empty(&s.title_zh, "title_zh");
    let title_en = doc.non_empty(&s.title_en, "title_en");
    let tiers = doc.tiers(&s.tiers, "tiers");

    if s.courses.get_ref().is_empty() {
        doc.report_at(&s.courses, "`courses` must name at least one course");
    }
    let mut course_ids: Vec<String> = Vec::new();
    for c in s.courses.get_ref() {
        let id = c.get_ref();
        if course_ids.contains(id) {
            doc.report_at(c, format!("course `{id}` is listed twice"));
            continue;
        }
        course_ids.push(id.clone());
        match courses.get(id) {
            None => doc.report_at(c, format!("no course has the id `{id}`")),
            Some(None) => {}
            Some(Some(course_tiers)) => {
                for tier in &tiers {
                    if !course_tiers.contains(tier) {
                        let message = format!(
                            "course `{id}` is not meant for tier `{}` (its tiers: {})",
                            tier.code(),
                            course_tiers
                                .iter()
                                .map(|t| t.code())
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        doc.report_at(c, message);
                    }
                }
            }
        }
    }

    let date = date(doc, &s.date, "date");
    if let (Some(d), Some(first), Some(last)) = (date, starts_on, ends_on) {
        if d < first || d > last {
            doc.report_at(
                &s.date,
                format!("session date {d} is outside the programme ({first} to {last})"),
            );
        }
    }
    let start = time(doc, &s.start, "start");
    let end = time(doc, &s.end, "end");
    if let (Some(a), Some(b)) = (start, end) {
        if a >= b {
            let message = format!(
                "the session ends at {} but starts at {}: `start` must be before `end`",
                b.format("%H:%M"),
                a.format("%H:%M")
            );
            doc.report_at(&s.end, message);
        }
    }

    let room_name = s.room.get_ref();
    let capacity = doc.positive(&s.capacity, "capacity");
    match rooms.iter().find(|r| &r.name == room_name) {
        None => doc.report_at(
            &s.room,
            format!(
                "no room is named `{room_name}`; rooms: {}",
                rooms
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Some(room) if capacity > room.capacity => doc.report_at(
            &s.capacity,
            format!(
                "capacity {capacity} is more than the {} seats of room `{}`",
                room.capacity, room.name
            ),
        ),
        Some(_) => {}
    }

    let mut lecturers: Vec<String> = Vec::new();
    for l in s.lecturers.get_ref() {
        let name = l.get_ref().trim();
        if name.is_empty() {
            doc.report_at(l, "a lecturer's name is empty");
        } else if lecturers.iter().any(|o| o == name) {
            doc.report_at(l, format!("lecturer `{name}` is listed twice"));
        } else {
            lecturers.push(name.to_string());
        }
    }

    let mut periods = Vec::new();
    if let (Some(raw), Some(a), Some(b)) = (&s.periods, start, end) {
        use crate::scheduling::periods::{parse_within, PeriodError};
        match parse_within(raw.get_ref(), a, b) {
            Ok(list) => periods = list,
            Err(e) => {
                let why = match e {
                    PeriodError::Invalid => "each period must read like \"上午 08:30-12:00\" (a label, then start-end), separated by `;`",
                    PeriodError::Overlap => "two periods share time",
                    PeriodError::Outside => "a period runs outside the session's `start` and `end`",
                    PeriodError::TooMany => "a session has at most 6 periods",
                };
                doc.report_at(raw, format!("`periods`: {why}"));
            }
        }
    }

    Some(Session {
        number,
        title_zh,
        title_en,
        tiers,
        courses: course_ids,
        date: date?,
        start: start?,
        end: end?,
        room: room_name.clone(),
        capacity,
        lecturers,
        periods,
    })
}

/// No room and no lecturer in two sessions at overlapping times.
fn overlaps(doc: &mut Doc<'_>, sessions: &[(Session, &RawSession)]) {
    for (j, (b, raw_b)) in sessions.iter().enumerate() {
        for (a, _) in &sessions[..j] {
            let overlap = a.date == b.date && a.start < b.end && b.start < a.end && a.start < a.end;
            if !overlap {
                continue;
            }
            let when = format!(
                "session {} ({} {}–{})",
                a.number,
                a.date,
                a.start.format("%H:%M"),
                a.end.format("%H:%M")
            );
            if a.room == b.room {
                doc.report_at(
                    &raw_b.room,
                    format!("room `{}` is already taken by {when}", b.room),
                );
            }
            for l in raw_b.lecturers.get_ref() {
                let name = l.get_ref().trim();
                if a.lecturers.iter().any(|o| o == name) {
                    doc.report_at(l, format!("lecturer `{name}` already teaches {when}"));
                }
            }
        }
    }
}
