//! The programme form, checked: every field parsed into its domain type, or the field named.
use chrono::NaiveDate;

use super::ProgrammeForm;
use crate::certificate::rules::TierRule;
use crate::error::AppError;
use crate::people::tier::Tier;

/// The longest programme the form accepts, in days, the first and last included.
pub const MAX_DAYS: i64 = 366;
/// The most delegates of one tier a quota may ask of an enterprise.
pub const MAX_QUOTA: u32 = 50;

/// The programme as the form describes it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeInput {
    pub title_zh: String,
    pub title_en: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue_zh: String,
    pub venue_en: String,
    pub host_zh: String,
    pub organisers_zh: Vec<String>,
    pub min_attendance_percent: u8,
    pub require_quiz: bool,
    /// Tiers with a minimum above zero, in the tiers' order.
    pub quotas: Vec<(Tier, u32)>,
    /// Tiers with a certificate rule of their own, in the tiers' order.
    pub tier_rules: Vec<TierRule>,
}

fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, AppError> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(AppError::validation(field, "required"));
    }
    if value.chars().count() > max {
        return Err(AppError::validation(field, "too_long"));
    }
    Ok(value.to_string())
}

fn date(field: &str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::validation(field, "date_invalid"))
}

/// The quotas typed as `tier:minimum` pairs; a blank or zero minimum asks for nobody.
fn quotas(list: &str) -> Result<Vec<(Tier, u32)>, AppError> {
    let invalid = || AppError::validation("quotas", "quota_invalid");
    let mut out: Vec<(Tier, u32)> = Vec::new();
    for pair in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (tier, min) = pair.split_once(':').ok_or_else(invalid)?;
        let tier = Tier::parse(tier).ok_or(AppError::validation("quotas", "tier_invalid"))?;
        let min = min.trim();
        let min = if min.is_empty() {
            0
        } else {
            min.parse::<u32>().map_err(|_| invalid())?
        };
        if min > MAX_QUOTA || out.iter().any(|(t, _)| *t == tier) {
            return Err(invalid());
        }
        if min > 0 {
            out.push((tier, min));
        }
    }
    out.sort_by_key(|(t, _)| *t);
    Ok(out)
}

fn percent(field: &str, value: &str) -> Result<u8, AppError> {
    value
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|p| *p <= 100)
        .ok_or(AppError::validation(field, "percent_invalid"))
}

/// The tiers' own rules typed as `tier:percent:quiz`; an entry with both parts blank is none.
fn tier_rules(list: &str) -> Result<Vec<TierRule>, AppError> {
    let invalid = || AppError::validation("tier_rules", "tier_rule_invalid");
    let mut out: Vec<TierRule> = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let mut parts = entry.split(':').map(str::trim);
        let (Some(tier), Some(min), Some(quiz), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let tier = Tier::parse(tier).ok_or(AppError::validation("tier_rules", "tier_invalid"))?;
        let min = if min.is_empty() {
            None
        } else {
            Some(u32::from(percent("tier_rules", min)?))
        };
        let quiz = match quiz {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            _ => return Err(invalid()),
        };
        if out.iter().any(|r| r.tier == tier) {
            return Err(invalid());
        }
        if min.is_some() || quiz.is_some() {
            out.push(TierRule {
                tier,
                min_attendance_percent: min,
                require_quiz: quiz,
            });
        }
    }
    out.sort_by_key(|r| r.tier);
    Ok(out)
}

/// The tiers' own rules as the form types them (what [`tier_rules`] reads back).
pub fn tier_rules_text(rules: &[TierRule]) -> String {
    rules
        .iter()
        .map(|r| {
            let min = r.min_attendance_percent.map(|m| m.to_string());
            let quiz = r.require_quiz.map(|q| if q { "yes" } else { "no" });
            format!(
                "{}:{}:{}",
                r.tier.code(),
                min.unwrap_or_default(),
                quiz.unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn parse_programme(form: &ProgrammeForm) -> Result<ProgrammeInput, AppError> {
    let title_zh = text("title_zh", &form.title_zh, 120, true)?;
    let title_en = text("title_en", &form.title_en, 200, false)?;
    let starts_on = date("starts_on", &form.starts_on)?;
    let ends_on = date("ends_on", &form.ends_on)?;
    if ends_on < starts_on {
        return Err(AppError::validation("ends_on", "ends_before_starts"));
    }
    if (ends_on - starts_on).num_days() + 1 > MAX_DAYS {
        return Err(AppError::validation("ends_on", "programme_too_long"));
    }
    let venue_zh = text("venue_zh", &form.venue_zh, 120, true)?;
    let venue_en = text("venue_en", &form.venue_en, 200, false)?;
    let host_zh = text("host_zh", &form.host_zh, 120, false)?;
    let mut organisers_zh = Vec::new();
    for line in form.organisers_zh.lines() {
        let name = text("organisers", line, 120, false)?;
        if !name.is_empty() && !organisers_zh.contains(&name) {
            organisers_zh.push(name);
        }
    }
    if organisers_zh.is_empty() {
        return Err(AppError::validation("organisers", "required"));
    }
    if organisers_zh.len() > 10 {
        return Err(AppError::validation("organisers", "too_long"));
    }
    let min_attendance_percent = percent("min_attendance_percent", &form.min_attendance_percent)?;
    Ok(ProgrammeInput {
        title_zh,
        title_en,
        starts_on,
        ends_on,
        venue_zh,
        venue_en,
        host_zh,
        organisers_zh,
        min_attendance_percent,
        require_quiz: form.require_quiz,
        quotas: quotas(&form.quotas)?,
        tier_rules: tier_rules(&form.tier_rules)?,
    })
}

/// The first of the sessions (number, local date) that the old days held and the new ones
/// leave out. A session already outside the old days (a make-up day after the week, say) is not
/// the form's to refuse.
pub fn session_left_out(
    sessions: &[(i32, NaiveDate)],
    old: (NaiveDate, NaiveDate),
    new: (NaiveDate, NaiveDate),
) -> Option<(i32, NaiveDate)> {
    let within =
        |day: NaiveDate, (first, last): (NaiveDate, NaiveDate)| day >= first && day <= last;
    sessions
        .iter()
        .filter(|(_, day)| within(*day, old) && !within(*day, new))
        .min_by_key(|(number, day)| (*day, *number))
        .copied()
}

/// "第3期（7月16日）..." naming the session a new date range would leave outside.
pub fn outside_text(number: i32, day: NaiveDate, english: bool) -> String {
    if english {
        format!(
            "session {number} ({}) falls outside the new dates: move it first",
            day.format("%-d %B")
        )
    } else {
        format!(
            "第{number}期（{}）在新的日期范围之外，请先调整该期的日期",
            day.format("%-m月%-d日")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ProgrammeForm {
        ProgrammeForm {
            title_zh: " 2014年天津市清洁生产强制审核企业专题培训 ".into(),
            title_en: "Tianjin 2014".into(),
            starts_on: "2014-07-14".into(),
            ends_on: "2014-07-18".into(),
            venue_zh: "天津能源管理培训学校".into(),
            venue_en: String::new(),
            host_zh: String::new(),
            organisers_zh: "天津市经济和信息化委员会\n\n 天津市环境保护局 \n天津市环境保护局"
                .into(),
            min_attendance_percent: "80".into(),
            require_quiz: true,
            quotas: "auditor:2,leader:1,expert:0".into(),
            tier_rules: "official::no, expert::, leader:100:".into(),
        }
    }

    fn error_of(r: Result<ProgrammeInput, AppError>) -> (String, String) {
        match r {
            Err(AppError::Validation { field, message }) => (field, message),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_good_form_parses_trimmed_with_organisers_deduplicated_and_zero_quotas_dropped() {
        let p = parse_programme(&good()).unwrap();
        assert_eq!(p.title_zh, "2014年天津市清洁生产强制审核企业专题培训");
        assert_eq!(p.starts_on, d("2014-07-14"));
        assert_eq!(
            p.organisers_zh,
            vec!["天津市经济和信息化委员会", "天津市环境保护局"]
        );
        assert_eq!(p.min_attendance_percent, 80);
        assert_eq!(p.quotas, vec![(Tier::Leader, 1), (Tier::Auditor, 2)]);
        assert_eq!(
            p.tier_rules,
            vec![
                TierRule {
                    tier: Tier::Leader,
                    min_attendance_percent: Some(100),
                    require_quiz: None
                },
                TierRule {
                    tier: Tier::Official,
                    min_attendance_percent: None,
                    require_quiz: Some(false)
                },
            ],
            "in the tiers' order; a blank entry is none"
        );
        assert_eq!(tier_rules_text(&p.tier_rules), "leader:100:,official::no");
        assert_eq!(
            tier_rules(&tier_rules_text(&p.tier_rules)).unwrap(),
            p.tier_rules
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        type Case = (fn(&mut ProgrammeForm), &'static str, &'static str);
        let cases: Vec<Case> = vec![
            (|f| f.title_zh = "  ".into(), "title_zh", "required"),
            (|f| f.title_zh = "长".repeat(121), "title_zh", "too_long"),
            (
                |f| f.starts_on = "14/07/2014".into(),
                "starts_on",
                "date_invalid",
            ),
            (
                |f| f.ends_on = "2014-02-30".into(),
                "ends_on",
                "date_invalid",
            ),
            (
                |f| f.ends_on = "2014-07-13".into(),
                "ends_on",
                "ends_before_starts",
            ),
            (
                |f| f.ends_on = "2015-07-15".into(),
                "ends_on",
                "programme_too_long",
            ),
            (|f| f.venue_zh = "".into(), "venue_zh", "required"),
            (
                |f| f.organisers_zh = " \n ".into(),
                "organisers",
                "required",
            ),
            (
                |f| f.min_attendance_percent = "101".into(),
                "min_attendance_percent",
                "percent_invalid",
            ),
            (
                |f| f.min_attendance_percent = "八十".into(),
                "min_attendance_percent",
                "percent_invalid",
            ),
            (|f| f.quotas = "leader:-1".into(), "quotas", "quota_invalid"),
            (|f| f.quotas = "leader:51".into(), "quotas", "quota_invalid"),
            (
                |f| f.quotas = "leader:1,leader:2".into(),
                "quotas",
                "quota_invalid",
            ),
            (|f| f.quotas = "pilot:1".into(), "quotas", "tier_invalid"),
            (|f| f.quotas = "leader".into(), "quotas", "quota_invalid"),
            (
                |f| f.tier_rules = "official:101:".into(),
                "tier_rules",
                "percent_invalid",
            ),
            (
                |f| f.tier_rules = "official::maybe".into(),
                "tier_rules",
                "tier_rule_invalid",
            ),
            (
                |f| f.tier_rules = "official:60".into(),
                "tier_rules",
                "tier_rule_invalid",
            ),
            (
                |f| f.tier_rules = "official::no,official:60:".into(),
                "tier_rules",
                "tier_rule_invalid",
            ),
            (
                |f| f.tier_rules = "pilot::no".into(),
                "tier_rules",
                "tier_invalid",
            ),
        ];
        for (change, field, message) in cases {
            let mut form = good();
            change(&mut form);
            assert_eq!(
                error_of(parse_programme(&form)),
                (field.to_string(), message.to_string()),
                "{form:?}"
            );
        }
    }

    #[test]
    fn a_one_day_programme_and_a_full_year_are_accepted() {
        let mut form = good();
        form.ends_on = form.starts_on.clone();
        assert!(parse_programme(&form).is_ok());
        form.ends_on = "2015-07-14".into();
        assert!(parse_programme(&form).is_ok());
    }

    #[test]
    fn the_earliest_session_the_new_dates_leave_out_is_named() {
        let week = (d("2014-07-14"), d("2014-07-18"));
        let sessions = [
            (1, d("2014-07-14")),
            (6, d("2014-07-18")),
            (5, d("2014-07-17")),
            (7, d("2014-09-01")),
        ];
        assert_eq!(session_left_out(&sessions, week, week), None);
        assert_eq!(
            session_left_out(&sessions, week, (d("2014-07-14"), d("2014-07-16"))),
            Some((5, d("2014-07-17")))
        );
        assert_eq!(
            session_left_out(&sessions, week, (d("2014-07-15"), d("2014-07-18"))),
            Some((1, d("2014-07-14")))
        );
        assert_eq!(
            outside_text(5, d("2014-07-17"), false),
            "第5期（7月17日）在新的日期范围之外，请先调整该期的日期"
        );
        assert_eq!(
            outside_text(5, d("2014-07-17"), true),
            "session 5 (17 July) falls outside the new dates: move it first"
        );
    }
}
