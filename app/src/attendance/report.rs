//! Attendance and progress as tables for CSV and XLSX: per session, per trainee (hours against
//! their tier's hours), per enterprise and per district.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entity::attendance;
use super::rules::{self, Status};
use super::ProgressReport;
use crate::error::AppResult;
use crate::people::directory;
use crate::people::entity::person;
use crate::people::tier::Tier;
use crate::report::export::{Cell, Table};
use crate::scheduling::entity::session;
use crate::scheduling::service::{
    current_programme, list, period_minutes, periods_of, seated, session_card, session_minutes,
    spans_of, tz_of,
};

fn status_zh(status: Option<&str>) -> &'static str {
    match status.and_then(Status::parse) {
        Some(Status::Present) => "出席",
        Some(Status::Late) => "迟到",
        Some(Status::Excused) => "请假",
        Some(Status::Absent) => "缺席",
        None => "未签到",
    }
}

/// The minutes of a session's period (0 for a period the session no longer has).
fn minutes_of(length: &HashMap<i64, Vec<i64>>, session_id: i64, period: i32) -> i64 {
    length
        .get(&session_id)
        .and_then(|periods| periods.get(usize::try_from(period).ok()?))
        .copied()
        .unwrap_or(0)
}

/// Minutes attended per person over `sessions`. Reads only the attended marks, and of each
/// only whose it is and which period: at ten times the 2014 programme that is about 40,000
/// marks, and an organiser's export should not hold every mark's full row to add them up.
pub async fn attended_by_person(
    db: &impl ConnectionTrait,
    sessions: &[session::Model],
) -> AppResult<HashMap<i64, i64>> {
    let length: HashMap<i64, Vec<i64>> =
        sessions.iter().map(|s| (s.id, period_minutes(s))).collect();
    let attended = Status::ALL.into_iter().filter(|s| s.attended());
    let mut minutes: HashMap<i64, i64> = HashMap::new();
    for (person, session, period) in attendance::Entity::find()
        .select_only()
        .columns([
            attendance::Column::PersonId,
            attendance::Column::SessionId,
            attendance::Column::Period,
        ])
        .filter(attendance::Column::SessionId.is_in(sessions.iter().map(|s| s.id)))
        .filter(attendance::Column::Status.is_in(attended.map(Status::code)))
        .into_tuple::<(i64, i64, i32)>()
        .all(db)
        .await?
    {
        *minutes.entry(person).or_default() += minutes_of(&length, session, period).max(0);
    }
    Ok(minutes)
}

fn hours(minutes: i64) -> Cell {
    Cell::Number((minutes as f64 / 60.0 * 100.0).round() / 100.0)
}

fn local(t: DateTime<Utc>, tz: chrono_tz::Tz, fmt: &str) -> String {
    t.with_timezone(&tz).format(fmt).to_string()
}

/// Everyone seated in one session, with status, time and hours: a row per trainee and period
/// (one period for a session that is not split).
pub async fn session_table(db: &impl ConnectionTrait, session_id: i64) -> AppResult<Table> {
    let (s, p, _) = session_card(db, session_id).await?;
    let tz = tz_of(&p.timezone);
    let ids = seated(db, session_id).await?;
    let labels = directory::labels(db, ids.iter().copied()).await?;
    let marks: HashMap<(i64, i32), attendance::Model> = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| ((a.person_id, a.period), a))
        .collect();
    let spans = spans_of(&s, tz);
    let captions: Vec<String> = periods_of(&s, tz)
        .iter()
        .map(|p| {
            if spans.len() > 1 {
                p.label.clone()
            } else {
                String::new()
            }
        })
        .collect();
    let mut rows = Vec::new();
    for id in &ids {
        let l = labels.get(id).cloned().unwrap_or_default();
        for (period, (start, end)) in spans.iter().enumerate() {
            let a = marks.get(&(*id, period as i32));
            let status = a.and_then(|a| Status::parse(&a.status));
            let length = (*end - *start).num_minutes().max(0);
            rows.push(vec![
                Cell::from(format!("第{}期", s.number)),
                captions.get(period).cloned().unwrap_or_default().into(),
                local(*start, tz, "%Y-%m-%d").into(),
                local(*start, tz, "%H:%M").into(),
                local(*end, tz, "%H:%M").into(),
                hours(length),
                l.name.clone().into(),
                l.enterprise.clone().into(),
                l.district.clone().into(),
                Tier::name_zh_of(&l.tier).into(),
                status_zh(a.map(|a| a.status.as_str())).into(),
                a.and_then(|a| a.checked_in_at)
                    .map(|t| Cell::from(local(t, tz, "%H:%M:%S")))
                    .unwrap_or(Cell::Empty),
                a.map(|a| Cell::from(if a.method == "qr" { "扫码" } else { "点名" }))
                    .unwrap_or(Cell::Empty),
                a.map(|a| Cell::from(a.note.clone())).unwrap_or(Cell::Empty),
                hours(rules::attended_minutes(status, length)),
            ]);
        }
    }
    Ok(Table {
        name: format!("第{}期签到", s.number),
        headers: [
            "期次",
            "时段",
            "日期",
            "开始",
            "结束",
            "时长(小时)",
            "姓名",
            "企业",
            "区县",
            "层次",
            "状态",
            "签到时间",
            "方式",
            "备注",
            "出勤学时",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

/// Every trainee of the current programme: their tier's hours, hours attended, and the share.
pub async fn trainee_table(db: &impl ConnectionTrait, district: Option<i64>) -> AppResult<Table> {
    let p = current_programme(db).await?;
    let sessions = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(p.id))
        .all(db)
        .await?;
    let mut tier_minutes: HashMap<String, i64> = HashMap::new();
    for s in &sessions {
        for t in list(&s.tiers) {
            *tier_minutes.entry(t).or_default() += session_minutes(s);
        }
    }
    let attended = attended_by_person(db, &sessions).await?;
    let people: Vec<i64> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::EnterpriseId.is_not_null())
        .filter(person::Column::Tier.is_not_null())
        .order_by_asc(person::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let labels = directory::labels(db, people.iter().copied()).await?;
    let mut rows = Vec::new();
    for id in people {
        let Some(l) = labels.get(&id) else { continue };
        if district.is_some() && l.district_id != district {
            continue;
        }
        let due = tier_minutes.get(&l.tier).copied().unwrap_or(0);
        let got = attended.get(&id).copied().unwrap_or(0);
        rows.push(vec![
            l.name.clone().into(),
            l.enterprise.clone().into(),
            l.district.clone().into(),
            Tier::name_zh_of(&l.tier).into(),
            hours(due),
            hours(got),
            Cell::Number(rules::percent(got, due) as f64),
        ]);
    }
    Ok(Table {
        name: "学员学时".into(),
        headers: [
            "姓名",
            "企业",
            "区县",
            "层次",
            "本层次学时",
            "出勤学时",
            "出勤率(%)",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

/// The dashboard as two tables: enterprises (one column group per tier) and districts.
pub fn progress_tables(report: &ProgressReport) -> Vec<Table> {
    let mut headers = vec!["企业".to_string(), "区县".to_string()];
    for t in &report.tiers {
        let name = Tier::name_zh_of(t);
        headers.push(format!("{name}·应派"));
        headers.push(format!("{name}·人数"));
        headers.push(format!("{name}·已出勤"));
        headers.push(format!("{name}·测验通过"));
    }
    headers.push("是否达标".into());
    let enterprises = Table {
        name: "企业进度".into(),
        headers,
        rows: report
            .enterprises
            .iter()
            .map(|e| {
                let mut row: Vec<Cell> = vec![e.name.clone().into(), e.district.clone().into()];
                for t in &report.tiers {
                    match e.tiers.iter().find(|c| &c.tier == t) {
                        Some(c) => {
                            for n in [c.required, c.delegates, c.attended, c.passed] {
                                row.push(Cell::Number(n as f64));
                            }
                        }
                        None => row.extend([0.0, 0.0, 0.0, 0.0].map(Cell::Number)),
                    }
                }
                row.push(if e.done { "达标" } else { "未达标" }.into());
                row
            })
            .collect(),
    };
    let districts = Table {
        name: "区县进度".into(),
        headers: ["区县", "企业数", "达标企业", "达标率(%)"]
            .map(String::from)
            .to_vec(),
        rows: report
            .districts
            .iter()
            .map(|d| {
                vec![
                    d.name.clone().into(),
                    Cell::Number(d.enterprises as f64),
                    Cell::Number(d.done as f64),
                    Cell::Number(d.percent as f64),
                ]
            })
            .collect(),
    };
    vec![enterprises, districts]
}
