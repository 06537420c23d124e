//! The planner's rules as plain functions: a session form parsed into a [`SessionPlan`], and the
//! clashes that refuse it (a room booked twice, a lecturer in two places, more seats than the
//! room has).
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::SessionDraft;
use crate::error::AppError;
use crate::people::tier::Tier;
use crate::scheduling::periods::{self, Period};

/// A session as the scheduler means it, checked field by field.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionPlan {
    pub number: u32,
    pub title_zh: String,
    pub title_en: String,
    pub tiers: Vec<Tier>,
    pub courses: Vec<String>,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub room_id: i64,
    pub capacity: u32,
    pub lecturer_ids: Vec<i64>,
    /// Empty for a session of one period.
    pub periods: Vec<Period>,
}

/// Another session, as far as a clash is concerned. Times are local to the programme.
#[derive(Clone, Debug, PartialEq)]
pub struct Booked {
    pub id: i64,
    pub number: i32,
    pub room_id: i64,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub lecturers: Vec<String>,
}

/// Why a session cannot go where the scheduler put it.
#[derive(Clone, Debug, PartialEq)]
pub enum Clash {
    /// The room is taken by another session at an overlapping time.
    Room { room: String, other: Booked },
    /// A lecturer teaches another session at an overlapping time.
    Lecturer { name: String, other: Booked },
    /// More seats than the room holds.
    Capacity { room: String, room_seats: u32 },
    /// Another session of the programme has this number.
    Number { number: u32 },
    /// Fewer seats than people already enrolled.
    BelowEnrolled { enrolled: u32 },
    /// At the new time, someone holding a place would be in another session of theirs.
    Trainee { name: String, other: Booked },
    /// The periods would change under attendance already marked by period.
    PeriodsInUse { marks: u32 },
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '，', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn positive(field: &str, raw: &str, max: u32) -> Result<u32, AppError> {
    match raw.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(AppError::validation(field, "number_invalid")),
    }
}

fn time(field: &str, raw: &str) -> Result<NaiveTime, AppError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| AppError::validation(field, "time_invalid"))
}

/// Parses the form; the first wrong field is named. `programme` is its first and last day.
pub fn parse_session(
    d: &SessionDraft,
    programme: (NaiveDate, NaiveDate),
) -> Result<SessionPlan, AppError> {
    let number = positive("number", &d.number, 999)?;
    let title_zh = d.title_zh.trim().to_string();
    if title_zh.is_empty() {
        return Err(AppError::validation("title_zh", "name_required"));
    }
    let title_en = d.title_en.trim().to_string();
    let mut tiers = Vec::new();
    for code in split(&d.tiers) {
        let tier = Tier::parse(code).ok_or_else(|| AppError::validation("tier", "tier_invalid"))?;
        if !tiers.contains(&tier) {
            tiers.push(tier);
        }
    }
    if tiers.is_empty() {
        return Err(AppError::validation("tier", "tier_required"));
    }
    let mut courses: Vec<String> = Vec::new();
    for c in split(&d.courses) {
        if !courses.iter().any(|x| x == c) {
            courses.push(c.to_string());
        }
    }
    let date = NaiveDate::parse_from_str(d.date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::validation("date", "date_invalid"))?;
    if date < programme.0 || date > programme.1 {
        return Err(AppError::validation("date", "date_outside_programme"));
    }
    let start = time("start", &d.start)?;
    let end = time("end", &d.end)?;
    if end <= start {
        return Err(AppError::validation("end", "end_before_start"));
    }
    let periods = periods::parse_within(&d.periods, start, end)
        .map_err(|e| AppError::validation("periods", e.code()))?;
    let room_id = d
        .room
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::validation("room", "room_required"))?;
    let capacity = positive("capacity", &d.capacity, 10_000)?;
    let mut lecturer_ids = Vec::new();
    for id in split(&d.lecturers) {
        let id = id
            .parse::<i64>()
            .map_err(|_| AppError::validation("lecturers", "invalid_id"))?;
        if !lecturer_ids.contains(&id) {
            lecturer_ids.push(id);
        }
    }
    Ok(SessionPlan {
        number,
        title_zh,
        title_en,
        tiers,
        courses,
        date,
        start,
        end,
        room_id,
        capacity,
        lecturer_ids,
        periods,
    })
}

/// The first reason the session cannot be saved as planned, checked in the order a scheduler
/// fixes them: the number, the room's size, the room's time, then each lecturer's time.
/// `me` is the session's own id when it is being edited (it never clashes with itself).
pub fn first_clash(
    me: Option<i64>,
    plan: &SessionPlan,
    room: (&str, u32),
    lecturers: &[String],
    others: &[Booked],
) -> Option<Clash> {
    let others: Vec<&Booked> = others.iter().filter(|o| Some(o.id) != me).collect();
    if others.iter().any(|o| o.number == plan.number as i32) {
        return Some(Clash::Number {
            number: plan.number,
        });
    }
    if plan.capacity > room.1 {
        return Some(Clash::Capacity {
            room: room.0.to_string(),
            room_seats: room.1,
        });
    }
    let span = (plan.date.and_time(plan.start), plan.date.and_time(plan.end));
    let mut overlapping: Vec<&&Booked> = others
        .iter()
        .filter(|o| crate::scheduling::rules::overlaps(span, (o.start, o.end)))
        .collect();
    overlapping.sort_by_key(|o| (o.start, o.number));
    if let Some(o) = overlapping.iter().find(|o| o.room_id == plan.room_id) {
        return Some(Clash::Room {
            room: room.0.to_string(),
            other: (**o).clone(),
        });
    }
    for name in lecturers {
        if let Some(o) = overlapping.iter().find(|o| o.lecturers.contains(name)) {
            return Some(Clash::Lecturer {
                name: name.clone(),
                other: (**o).clone(),
            });
        }
    }
    None
}

/// When a session moves in time: the first person holding a place in it who also holds one in
/// another session at the new time. `places` are (name, another session of theirs).
pub fn busy_trainee(
    me: i64,
    span: (NaiveDateTime, NaiveDateTime),
    places: &[(String, i64)],
    others: &[Booked],
) -> Option<Clash> {
    let mut busy: Vec<(&Booked, &String)> = places
        .iter()
        .filter(|(_, other)| *other != me)
        .filter_map(|(name, other)| {
            let o = others.iter().find(|o| o.id == *other)?;
            crate::scheduling::rules::overlaps(span, (o.start, o.end)).then_some((o, name))
        })
        .collect();
    busy.sort_by(|a, b| (a.0.start, a.0.number, a.1).cmp(&(b.0.start, b.0.number, b.1)));
    busy.first().map(|(o, name)| Clash::Trainee {
        name: (*name).clone(),
        other: (*o).clone(),
    })
}

/// The clash in words, naming what is in the way: "Room 201 is already booked for session 3,
/// 09:00-12:00 on 15 July".
pub fn clash_text(clash: &Clash, english: bool) -> String {
    let when = |o: &Booked| {
        if english {
            format!(
                "{}-{} on {}",
                o.start.format("%H:%M"),
                o.end.format("%H:%M"),
                o.start.format("%-d %B")
            )
        } else {
            format!(
                "{} {}–{}",
                o.start.format("%-m月%-d日"),
                o.start.format("%H:%M"),
                o.end.format("%H:%M")
            )
        }
    };
    match (clash, english) {
        (Clash::Room { room, other }, true) => format!(
            "{room} is already booked for session {}, {}",
            other.number,
            when(other)
        ),
        (Clash::Room { room, other }, false) => {
            format!("{room}已被第{}期占用（{}）", other.number, when(other))
        }
        (Clash::Lecturer { name, other }, true) => format!(
            "{name} already teaches session {}, {}",
            other.number,
            when(other)
        ),
        (Clash::Lecturer { name, other }, false) => {
            format!("{name}已在第{}期授课（{}）", other.number, when(other))
        }
        (Clash::Capacity { room, room_seats }, true) => {
            format!("{room} has only {room_seats} seats")
        }
        (Clash::Capacity { room, room_seats }, false) => {
            format!("{room}只有{room_seats}个座位")
        }
        (Clash::Number { number }, true) => format!("session {number} already exists"),
        (Clash::Number { number }, false) => format!("第{number}期已存在"),
        (Clash::BelowEnrolled { enrolled }, true) => {
            format!(
                "{enrolled} people are already enrolled; cancel places before lowering the seats"
            )
        }
        (Clash::BelowEnrolled { enrolled }, false) => {
            format!("已有{enrolled}人报名，请先取消部分报名再减少名额")
        }
        (Clash::Trainee { name, other }, true) => format!(
            "{name}, who has a place in this session, is also in session {}, {}",
            other.number,
            when(other)
        ),
        (Clash::Trainee { name, other }, false) => format!(
            "本期学员{name}同时报名了第{}期（{}），时间冲突",
            other.number,
            when(other)
        ),
        (Clash::PeriodsInUse { marks }, true) => format!(
            "{marks} attendance marks are kept by the current periods; they cannot change now"
        ),
        (Clash::PeriodsInUse { marks }, false) => {
            format!("已按现有时段记录了{marks}条签到，时段不能再更改")
        }
    }
}

/// A room's name and seats, checked.
pub fn parse_room(name: &str, capacity: &str) -> Result<(String, u32), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "name_required"));
    }
    Ok((name.to_string(), positive("capacity", capacity, 10_000)?))
}

/// A lecturer's name and organisation, checked.
pub fn parse_lecturer(name: &str, organisation: &str) -> Result<(String, String), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "name_required"));
    }
    Ok((name.to_string(), organisation.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> SessionDraft {
        SessionDraft {
            id: 0,
            number: "7".into(),
            title_zh: "第七期：补训".into(),
            title_en: "Session 7: make-up".into(),
            tiers: "leader,auditor".into(),
            courses: "leader-basics".into(),
            date: "2014-07-16".into(),
            start: "09:00".into(),
            end: "12:00".into(),
            room: "3".into(),
            capacity: "60".into(),
            lecturers: "1, 2".into(),
            periods: String::new(),
        }
    }

    const DAYS: (NaiveDate, NaiveDate) = (
        NaiveDate::from_ymd_opt(2014, 7, 14).unwrap(),
        NaiveDate::from_ymd_opt(2014, 7, 18).unwrap(),
    );

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2014, 7, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn booked(id: i64, number: i32, room_id: i64, day: u32, from: u32, to: u32) -> Booked {
        Booked {
            id,
            number,
            room_id,
            start: at(day, from, 0),
            end: at(day, to, 0),
            lecturers: vec!["于宏兵".into()],
        }
    }

    #[test]
    fn a_good_form_parses_with_its_lists() {
        let p = parse_session(&draft(), DAYS).unwrap();
        assert_eq!(p.number, 7);
        assert_eq!(p.tiers, vec![Tier::Leader, Tier::Auditor]);
        assert_eq!(p.lecturer_ids, vec![1, 2]);
        assert_eq!(p.start, NaiveTime::from_hms_opt(9, 0, 0).unwrap());
        assert!(p.periods.is_empty());
        let mut split = draft();
        split.end = "17:00".into();
        split.periods = "上午 09:00-12:00；下午 13:30-17:00".into();
        let p = parse_session(&split, DAYS).unwrap();
        assert_eq!(p.periods.len(), 2);
        assert_eq!(p.periods[1].label, "下午");
    }

    #[test]
    fn each_wrong_field_is_named() {
        type Change = fn(&mut SessionDraft);
        let cases: Vec<(Change, &str, &str)> = vec![
            (|d| d.number = "0".into(), "number", "number_invalid"),
            (|d| d.title_zh = "  ".into(), "title_zh", "name_required"),
            (|d| d.tiers = "".into(), "tier", "tier_required"),
            (|d| d.tiers = "pilot".into(), "tier", "tier_invalid"),
            (|d| d.date = "16/07/2014".into(), "date", "date_invalid"),
            (
                |d| d.date = "2014-07-21".into(),
                "date",
                "date_outside_programme",
            ),
            (|d| d.start = "9点".into(), "start", "time_invalid"),
            (|d| d.end = "08:00".into(), "end", "end_before_start"),
            (|d| d.end = "09:00".into(), "end", "end_before_start"),
            (|d| d.room = "".into(), "room", "room_required"),
            (|d| d.capacity = "-5".into(), "capacity", "number_invalid"),
            (|d| d.lecturers = "x".into(), "lecturers", "invalid_id"),
            (|d| d.periods = "上午".into(), "periods", "periods_invalid"),
            (
                |d| d.periods = "08:00-10:00".into(),
                "periods",
                "period_outside_session",
            ),
            (
                |d| d.periods = "09:00-11:00;10:00-12:00".into(),
                "periods",
                "periods_overlap",
            ),
        ];
        for (change, field, code) in cases {
            let mut d = draft();
            change(&mut d);
            assert_eq!(
                parse_session(&d, DAYS),
                Err(AppError::validation(field, code)),
                "{field}"
            );
        }
    }

    #[test]
    fn a_room_booked_at_an_overlapping_time_is_named() {
        let plan = parse_session(&draft(), DAYS).unwrap();
        let others = vec![booked(30, 3, 3, 16, 11, 14), booked(40, 4, 9, 16, 9, 12)];
        let clash = first_clash(None, &plan, ("201教室", 80), &[], &others).unwrap();
        assert_eq!(
            clash_text(&clash, true),
            "201教室 is already booked for session 3, 11:00-14:00 on 16 July"
        );
        assert_eq!(
            clash_text(&clash, false),
            "201教室已被第3期占用（7月16日 11:00–14:00）"
        );
        // The same session, edited, does not clash with itself.
        assert_eq!(
            first_clash(Some(30), &plan, ("201教室", 80), &[], &others[..1]),
            None
        );
    }

    #[test]
    fn back_to_back_and_other_days_do_not_clash() {
        let plan = parse_session(&draft(), DAYS).unwrap();
        let others = vec![booked(30, 3, 3, 16, 12, 14), booked(31, 5, 3, 17, 9, 12)];
        assert_eq!(
            first_clash(None, &plan, ("201", 80), &["于宏兵".into()], &others),
            None
        );
    }

    #[test]
    fn a_lecturer_in_two_places_is_named() {
        let plan = parse_session(&draft(), DAYS).unwrap();
        let others = vec![booked(40, 4, 9, 16, 10, 11)];
        let clash = first_clash(None, &plan, ("201", 80), &["于宏兵".into()], &others).unwrap();
        assert_eq!(
            clash_text(&clash, true),
            "于宏兵 already teaches session 4, 10:00-11:00 on 16 July"
        );
        assert_eq!(
            first_clash(None, &plan, ("201", 80), &["张三".into()], &others),
            None
        );
    }

    #[test]
    fn more_seats_than_the_room_and_a_taken_number_are_refused() {
        let plan = parse_session(&draft(), DAYS).unwrap();
        assert_eq!(
            first_clash(None, &plan, ("201", 50), &[], &[]),
            Some(Clash::Capacity {
                room: "201".into(),
                room_seats: 50
            })
        );
        let others = vec![booked(70, 7, 9, 18, 9, 10)];
        assert_eq!(
            first_clash(None, &plan, ("201", 80), &[], &others),
            Some(Clash::Number { number: 7 })
        );
        assert_eq!(
            first_clash(Some(70), &plan, ("201", 80), &[], &others),
            None
        );
    }

    #[test]
    fn a_session_moved_onto_a_trainees_other_session_names_them() {
        let others = [booked(7, 3, 1, 15, 9, 12), booked(8, 4, 2, 16, 9, 12)];
        let places = vec![("王芳".to_string(), 7), ("李娜".to_string(), 8)];
        // Session 9 moves to the 15th, 10:00-11:00: 王芳 is in session 3 then.
        let clash = busy_trainee(9, (at(15, 10, 0), at(15, 11, 0)), &places, &others).unwrap();
        assert_eq!(
            clash_text(&clash, false),
            "本期学员王芳同时报名了第3期（7月15日 09:00–12:00），时间冲突"
        );
        assert!(clash_text(&clash, true)
            .starts_with("王芳, who has a place in this session, is also in session 3"));
        // Back to back, or another day: free.
        assert_eq!(
            busy_trainee(9, (at(15, 12, 0), at(15, 14, 0)), &places, &others),
            None
        );
        assert_eq!(
            busy_trainee(9, (at(17, 9, 0), at(17, 12, 0)), &places, &others),
            None
        );
        // A place in the session itself never clashes.
        let own = vec![("王芳".to_string(), 7)];
        assert_eq!(
            busy_trainee(7, (at(15, 10, 0), at(15, 11, 0)), &own, &others),
            None
        );
    }

    #[test]
    fn rooms_and_lecturers_need_a_name() {
        assert_eq!(parse_room(" 201 ", "60"), Ok(("201".into(), 60)));
        assert_eq!(
            parse_room("", "60"),
            Err(AppError::validation("name", "name_required"))
        );
        assert_eq!(
            parse_room("201", "0"),
            Err(AppError::validation("capacity", "number_invalid"))
        );
        assert_eq!(
            parse_lecturer(" 于宏兵 ", " 南开大学 "),
            Ok(("于宏兵".into(), "南开大学".into()))
        );
    }
}
