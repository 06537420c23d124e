//! The outbox's rules: statuses, retry back-off, and the keys that make a message unique.
use chrono::{DateTime, Duration, Utc};

pub const QUEUED: &str = "queued";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// After this many failed tries a message is marked failed (an organiser can retry it).
pub const MAX_ATTEMPTS: i32 = 8;

/// When to try again after `attempts` failures: `base` doubled each time, at most an hour.
pub fn next_attempt(now: DateTime<Utc>, attempts: i32, base_seconds: u64) -> DateTime<Utc> {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    let delay = base_seconds.max(1).saturating_mul(1u64 << exp).min(3600);
    now + Duration::seconds(delay as i64)
}

/// What happens to a message after a failed try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(DateTime<Utc>),
    GiveUp,
}

pub fn after_failure(
    now: DateTime<Utc>,
    attempts: i32,
    permanent: bool,
    base_seconds: u64,
) -> AfterFailure {
    if permanent || attempts >= MAX_ATTEMPTS {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryAt(next_attempt(now, attempts, base_seconds))
    }
}

pub fn certificate_key(serial: &str) -> String {
    format!("certificate:{serial}")
}

pub fn reminder_key(session_id: i64, person_id: i64) -> String {
    format!("reminder:{session_id}:{person_id}")
}

/// A promotion or cancellation: one message per enrolment change (`at` tells two apart).
pub fn place_key(kind: &str, session_id: i64, person_id: i64, at: DateTime<Utc>) -> String {
    format!("{kind}:{session_id}:{person_id}:{}", at.timestamp_micros())
}

/// A `Message-ID` that is unique and the same for every retry of one outbox row.
pub fn message_id(uuid: &str, public_url: &str) -> String {
    let host = public_url
        .split("://")
        .nth(1)
        .unwrap_or(public_url)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("academy.local");
    format!("<{uuid}@{host}>")
}

/// A plausible email address: one `@`, something either side, a dot in the domain, no spaces.
pub fn plausible_address(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2014, 7, 13, 8, 0, 0).unwrap()
    }

    #[test]
    fn back_off_doubles_and_is_capped_at_an_hour() {
        let gaps: Vec<i64> = (1..=9)
            .map(|n| (next_attempt(t0(), n, 30) - t0()).num_seconds())
            .collect();
        assert_eq!(gaps, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!((next_attempt(t0(), 1, 0) - t0()).num_seconds(), 1);
    }

    #[test]
    fn permanent_errors_and_the_last_try_give_up() {
        assert_eq!(after_failure(t0(), 1, true, 30), AfterFailure::GiveUp);
        assert_eq!(
            after_failure(t0(), MAX_ATTEMPTS, false, 30),
            AfterFailure::GiveUp
        );
        assert_eq!(
            after_failure(t0(), 2, false, 30),
            AfterFailure::RetryAt(t0() + Duration::seconds(60))
        );
    }

    #[test]
    fn keys_name_what_they_announce() {
        assert_eq!(certificate_key("CPT2014-ABCD"), "certificate:CPT2014-ABCD");
        assert_eq!(reminder_key(3, 42), "reminder:3:42");
        assert_ne!(
            place_key("promoted", 3, 42, t0()),
            place_key("promoted", 3, 42, t0() + Duration::seconds(1))
        );
    }

    #[test]
    fn message_ids_use_the_public_host() {
        assert_eq!(
            message_id("abc", "https://train.example.cn/x"),
            "<abc@train.example.cn>"
        );
        assert_eq!(
            message_id("abc", "http://127.0.0.1:3000"),
            "<abc@127.0.0.1>"
        );
        assert_eq!(message_id("abc", ""), "<abc@academy.local>");
    }

    #[test]
    fn addresses_are_checked_for_shape() {
        assert!(plausible_address("wang@example.com"));
        assert!(!plausible_address("wang@example"));
        assert!(!plausible_address("wang example.com"));
        assert!(!plausible_address("@example.com"));
        assert!(!plausible_address("a b@example.com"));
    }
}
