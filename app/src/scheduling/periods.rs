//! Periods (时段): a session that spans a day is split into a morning and an afternoon, each
//! with its own check-in and roll call, and hours are counted from the periods attended (the
//! lunch break earns none). A session that is not split is one period: the whole session.
//!
//! Written as text, one period after another: `上午 08:30-12:00；下午 13:30-17:00`.
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

/// One period of a session, in the programme's local time on the session's day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// `上午`, `下午`, or empty (then the times name it).
    pub label: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Period {
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes().max(0)
    }

    /// `上午 08:30–12:00`, or just the times without a label.
    pub fn caption(&self) -> String {
        let times = format!(
            "{}–{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        );
        if self.label.is_empty() {
            times
        } else {
            format!("{} {times}", self.label)
        }
    }
}

/// Why a periods text is refused; each is a validation code of the `periods` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodError {
    /// Not `label HH:MM-HH:MM`, or a period that ends before it starts.
    Invalid,
    /// Two periods share time.
    Overlap,
    /// A period runs outside the session's start and end.
    Outside,
    /// More than [`MAX_PERIODS`].
    TooMany,
}

impl PeriodError {
    pub fn code(self) -> &'static str {
        match self {
            PeriodError::Invalid => "periods_invalid",
            PeriodError::Overlap => "periods_overlap",
            PeriodError::Outside => "period_outside_session",
            PeriodError::TooMany => "periods_too_many",
        }
    }
}

pub const MAX_PERIODS: usize = 6;

fn time(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

fn one(raw: &str) -> Result<Period, PeriodError> {
    let raw = raw.trim();
    // The times are the last word; what comes before is the label.
    let (label, times) = match raw.rfind(char::is_whitespace) {
        Some(at) => (raw[..at].trim(), raw[at..].trim()),
        None => ("", raw),
    };
    let times = times.replace(['–', '—', '~', '～', '至'], "-");
    let (start, end) = times.split_once('-').ok_or(PeriodError::Invalid)?;
    let (start, end) = (
        time(start).ok_or(PeriodError::Invalid)?,
        time(end).ok_or(PeriodError::Invalid)?,
    );
    if end <= start || label.chars().count() > 20 {
        return Err(PeriodError::Invalid);
    }
    Ok(Period {
        label: label.to_string(),
        start,
        end,
    })
}

/// Reads `上午 08:30-12:00；下午 13:30-17:00` (separated by `;`, `；` or new lines; the label is
/// optional). Blank text is no periods. The periods come back in time order and may not share
/// time.
pub fn parse(text: &str) -> Result<Vec<Period>, PeriodError> {
    let mut periods = text
        .split([';', '；', '\n'])
        .filter(|p| !p.trim().is_empty())
        .map(one)
        .collect::<Result<Vec<_>, _>>()?;
    if periods.len() > MAX_PERIODS {
        return Err(PeriodError::TooMany);
    }
    periods.sort_by_key(|p| p.start);
    if periods.windows(2).any(|w| w[1].start < w[0].end) {
        return Err(PeriodError::Overlap);
    }
    Ok(periods)
}

/// [`parse`], and every period inside the session's `start` and `end`.
pub fn parse_within(
    text: &str,
    start: NaiveTime,
    end: NaiveTime,
) -> Result<Vec<Period>, PeriodError> {
    let periods = parse(text)?;
    if periods.iter().any(|p| p.start < start || p.end > end) {
        return Err(PeriodError::Outside);
    }
    Ok(periods)
}

/// The stored form: `上午 08:30-12:00; 下午 13:30-17:00`, empty for none. [`parse`] reads it back.
pub fn text(periods: &[Period]) -> String {
    periods
        .iter()
        .map(|p| {
            let times = format!("{}-{}", p.start.format("%H:%M"), p.end.format("%H:%M"));
            if p.label.is_empty() {
                times
            } else {
                format!("{} {times}", p.label)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The periods attendance is kept for: the given ones, or the whole session as one.
pub fn or_whole(periods: Vec<Period>, start: NaiveTime, end: NaiveTime) -> Vec<Period> {
    if periods.is_empty() {
        vec![Period {
            label: String::new(),
            start,
            end,
        }]
    } else {
        periods
    }
}

/// The period a moment belongs to for the roll call and the projector: the first that has not
/// yet ended (the running one, or else the next), or the last once all have.
pub fn current<T: PartialOrd>(now: T, ends: &[T]) -> usize {
    ends.iter()
        .position(|end| now < *end)
        .unwrap_or(ends.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn a_day_splits_into_a_morning_and_an_afternoon() {
        let p = parse("上午 08:30-12:00；下午 13:30-17:00").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].label, "上午");
        assert_eq!((p[0].start, p[0].end), (t(8, 30), t(12, 0)));
        assert_eq!(p[1].minutes(), 210);
        assert_eq!(p[0].caption(), "上午 08:30–12:00");
        // The stored text reads back the same.
        assert_eq!(text(&p), "上午 08:30-12:00; 下午 13:30-17:00");
        assert_eq!(parse(&text(&p)).unwrap(), p);
    }

    #[test]
    fn labels_are_optional_and_order_and_dashes_are_forgiven() {
        let p = parse("14:00～17:00\n 09:00–12:00 ;").unwrap();
        assert_eq!(p[0].start, t(9, 0));
        assert_eq!(p[0].label, "");
        assert_eq!(p[0].caption(), "09:00–12:00");
        assert_eq!(p[1].end, t(17, 0));
        assert_eq!(
            parse("Morning session 9:00-12:00").unwrap()[0].label,
            "Morning session"
        );
        assert_eq!(parse("  ").unwrap(), vec![]);
    }

    #[test]
    fn bad_periods_are_named() {
        assert_eq!(parse("上午"), Err(PeriodError::Invalid));
        assert_eq!(parse("上午 9点-12点"), Err(PeriodError::Invalid));
        assert_eq!(parse("上午 12:00-09:00"), Err(PeriodError::Invalid));
        assert_eq!(parse("上午 09:00-09:00"), Err(PeriodError::Invalid));
        assert_eq!(
            parse("上午 09:00-12:00；下午 11:30-14:00"),
            Err(PeriodError::Overlap)
        );
        assert_eq!(
            parse_within("上午 08:00-12:00", t(8, 30), t(17, 0)),
            Err(PeriodError::Outside)
        );
        assert_eq!(
            parse_within("下午 13:30-17:30", t(8, 30), t(17, 0)),
            Err(PeriodError::Outside)
        );
        assert!(parse_within("上午 08:30-12:00；下午 13:30-17:00", t(8, 30), t(17, 0)).is_ok());
        let many = (8..15)
            .map(|h| format!("{h:02}:00-{h:02}:30"))
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(parse(&many), Err(PeriodError::TooMany));
        assert_eq!(PeriodError::Overlap.code(), "periods_overlap");
    }

    #[test]
    fn an_unsplit_session_is_one_whole_period() {
        let whole = or_whole(vec![], t(9, 0), t(12, 0));
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].minutes(), 180);
        let split = or_whole(
            parse("08:30-12:00;13:30-17:00").unwrap(),
            t(8, 30),
            t(17, 0),
        );
        // The lunch break earns nothing: 7 hours, not 8.5.
        assert_eq!(split.iter().map(Period::minutes).sum::<i64>(), 420);
    }

    #[test]
    fn the_current_period_is_the_running_or_the_next_or_the_last() {
        let ends = [720, 1020]; // 12:00, 17:00 in minutes
        assert_eq!(current(500, &ends), 0, "before the morning");
        assert_eq!(current(719, &ends), 0);
        assert_eq!(current(720, &ends), 1, "lunch: the afternoon is next");
        assert_eq!(current(1100, &ends), 1, "after the day");
        assert_eq!(current(5, &[10]), 0);
    }
}
