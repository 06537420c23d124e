//! Attendance rules as plain functions: statuses, the rotating check-in token, when a check-in
//! counts as present or late, attended hours, and who an enterprise still owes.
use std::collections::BTreeMap;

/// An attendance status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Present,
    Late,
    Excused,
    Absent,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Present,
        Status::Late,
        Status::Excused,
        Status::Absent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Late => "late",
            Status::Excused => "excused",
            Status::Absent => "absent",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// Whether the trainee was in the room (and so earns the session's hours).
    pub fn attended(self) -> bool {
        matches!(self, Status::Present | Status::Late)
    }
}

/// The time slot a moment falls in, for codes that change every `rotate_seconds`.
pub fn slot_of(unix_seconds: i64, rotate_seconds: i64) -> i64 {
    unix_seconds.div_euclid(rotate_seconds.max(1))
}

/// Seconds until the slot of `unix_seconds` ends.
pub fn seconds_left(unix_seconds: i64, rotate_seconds: i64) -> i64 {
    let rotate = rotate_seconds.max(1);
    rotate - unix_seconds.rem_euclid(rotate)
}

/// A token of slot `slot` is accepted until its slot ends plus `grace_seconds` (a phone that
/// scanned just before the code changed still gets in), and never before its slot begins.
pub fn token_fresh(slot: i64, unix_seconds: i64, rotate_seconds: i64, grace_seconds: i64) -> bool {
    let rotate = rotate_seconds.max(1);
    let begins = slot.saturating_mul(rotate);
    let ends = begins
        .saturating_add(rotate)
        .saturating_add(grace_seconds.max(0));
    begins <= unix_seconds && unix_seconds < ends
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a token at all (a damaged or hand-typed URL).
    Malformed,
    /// Well formed, but not signed with this platform's secret.
    Forged,
}

/// What a check-in token proves: the session and the time slot it was shown in.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct Token {
    pub session: i64,
    pub slot: i64,
}

#[cfg(feature = "ssr")]
mod signing {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    use super::{Token, TokenError};

    type HmacSha256 = Hmac<Sha256>;

    fn mac(secret: &[u8], session: i64, slot: i64) -> HmacSha256 {
        // HMAC takes a key of any length.
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
        mac.update(format!("checkin:{session}:{slot}").as_bytes());
        mac
    }

    /// `session.slot.signature`, safe in a URL.
    pub fn sign(secret: &[u8], token: Token) -> String {
        let tag = mac(secret, token.session, token.slot)
            .finalize()
            .into_bytes();
        format!(
            "{}.{}.{}",
            token.session,
            token.slot,
            URL_SAFE_NO_PAD.encode(&tag[..16])
        )
    }

    pub fn verify(secret: &[u8], text: &str) -> Result<Token, TokenError> {
        let mut parts = text.trim().splitn(3, '.');
        let (Some(session), Some(slot), Some(tag)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let session: i64 = session.parse().map_err(|_| TokenError::Malformed)?;
        let slot: i64 = slot.parse().map_err(|_| TokenError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TokenError::Malformed)?;
        if tag.len() != 16 {
            return Err(TokenError::Malformed);
        }
        // verify_truncated_left compares in constant time.
        mac(secret, session, slot)
            .verify_truncated_left(&tag)
            .map_err(|_| TokenError::Forged)?;
        Ok(Token { session, slot })
    }
}
#[cfg(feature = "ssr")]
pub use signing::{sign, verify};

/// Why a check-in is refused on time grounds.
#[derive(Debug, PartialEq, Eq)]
pub enum Window {
    TooEarly,
    Over,
}

/// The status a self check-in gets: present up to `late_after` after the start, late after
/// that, refused before the doors open (`opens_before` ahead of the start) or once it has ended.
pub fn arrival<T: PartialOrd>(now: T, opens: T, late_from: T, ends: T) -> Result<Status, Window> {
    if now < opens {
        Err(Window::TooEarly)
    } else if now >= ends {
        Err(Window::Over)
    } else if now > late_from {
        Ok(Status::Late)
    } else {
        Ok(Status::Present)
    }
}

/// A self check-in into a session of several periods, each with its window `(opens, late_from,
/// ends)` in time order: the first period still open takes it. Between two periods it is too
/// early (for the next); after the last, over.
pub fn arrival_in<T: PartialOrd + Copy>(
    now: T,
    windows: &[(T, T, T)],
) -> Result<(usize, Status), Window> {
    for (i, &(opens, late_from, ends)) in windows.iter().enumerate() {
        match arrival(now, opens, late_from, ends) {
            Ok(status) => return Ok((i, status)),
            Err(Window::TooEarly) => return Err(Window::TooEarly),
            Err(Window::Over) => {}
        }
    }
    Err(Window::Over)
}

/// Minutes a status earns out of a session of `minutes`: all of it when attended.
pub fn attended_minutes(status: Option<Status>, minutes: i64) -> i64 {
    match status {
        Some(s) if s.attended() => minutes.max(0),
        _ => 0,
    }
}

/// Share in whole percent, 0 when there is nothing to share.
pub fn percent(part: i64, whole: i64) -> u32 {
    if whole <= 0 {
        0
    } else {
        ((part.max(0) * 100) / whole).min(100) as u32
    }
}

/// One delegate as the dashboard counts them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delegate {
    pub tier: String,
    pub attended: bool,
    pub passed: bool,
}

/// Per tier of an enterprise: what the quota asks, and how many delegates are there, attended
/// and passed.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TierTally {
    pub required: u32,
    pub delegates: u32,
    pub attended: u32,
    pub passed: u32,
}

/// The enterprise's tally by tier (every quota tier, plus any tier it sent), and whether every
/// quota is met by delegates who attended.
pub fn tally(
    quotas: &[(String, u32)],
    delegates: &[Delegate],
) -> (BTreeMap<String, TierTally>, bool) {
    let mut out: BTreeMap<String, TierTally> = BTreeMap::new();
    for (tier, min) in quotas {
        out.entry(tier.clone()).or_default().required = *min;
    }
    for d in delegates {
        let t = out.entry(d.tier.clone()).or_default();
        t.delegates += 1;
        if d.attended {
            t.attended += 1;
            if d.passed {
                t.passed += 1;
            }
        }
    }
    let done = out.values().all(|t| t.attended >= t.required);
    (out, done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_and_only_present_or_late_attended() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        assert_eq!(Status::parse(" late "), Some(Status::Late));
        assert_eq!(Status::parse("here"), None);
        assert!(Status::Present.attended() && Status::Late.attended());
        assert!(!Status::Excused.attended() && !Status::Absent.attended());
        assert_eq!(attended_minutes(Some(Status::Late), 180), 180);
        assert_eq!(attended_minutes(Some(Status::Excused), 180), 0);
        assert_eq!(attended_minutes(None, 180), 0);
    }

    #[test]
    fn slots_rotate_and_tokens_expire_after_the_grace() {
        assert_eq!(slot_of(100, 20), 5);
        assert_eq!(slot_of(119, 20), 5);
        assert_eq!(slot_of(120, 20), 6);
        assert_eq!(seconds_left(100, 20), 20);
        assert_eq!(seconds_left(119, 20), 1);
        // Slot 5 is shown from 100 to 119; with 5 s of grace it is accepted until 124.
        assert!(token_fresh(5, 100, 20, 5));
        assert!(token_fresh(5, 124, 20, 5));
        assert!(!token_fresh(5, 125, 20, 5));
        assert!(!token_fresh(5, 120, 20, 0), "rotated, no grace");
        assert!(!token_fresh(6, 119, 20, 5), "a slot from the future");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn tokens_round_trip_and_forgeries_are_caught() {
        let secret = b"a secret shared by every process";
        let t = Token {
            session: 3,
            slot: 88_000_123,
        };
        let text = sign(secret, t);
        assert_eq!(verify(secret, &text), Ok(t));
        assert_eq!(verify(b"another secret", &text), Err(TokenError::Forged));
        let other_session = text.replacen("3.", "4.", 1);
        assert_eq!(verify(secret, &other_session), Err(TokenError::Forged));
        assert_eq!(verify(secret, "3.88000123"), Err(TokenError::Malformed));
        assert_eq!(verify(secret, "x.y.z"), Err(TokenError::Malformed));
        assert_eq!(verify(secret, ""), Err(TokenError::Malformed));
    }

    #[test]
    fn arrivals_are_present_then_late_inside_the_window() {
        // opens 8:30, starts 9:00, late from 9:15, ends 12:00 (in minutes).
        let at = |now| arrival(now, 510, 555, 720);
        assert_eq!(at(500), Err(Window::TooEarly));
        assert_eq!(at(510), Ok(Status::Present));
        assert_eq!(at(555), Ok(Status::Present));
        assert_eq!(at(556), Ok(Status::Late));
        assert_eq!(at(719), Ok(Status::Late));
        assert_eq!(at(720), Err(Window::Over));
    }

    #[test]
    fn a_split_day_checks_in_to_the_period_that_is_open() {
        // Morning 8:30-12:00, afternoon 13:30-17:00; doors open 30 minutes before, late after 15.
        let day = [(480, 525, 720), (780, 825, 1020)];
        assert_eq!(arrival_in(470, &day), Err(Window::TooEarly));
        assert_eq!(arrival_in(500, &day), Ok((0, Status::Present)));
        assert_eq!(arrival_in(600, &day), Ok((0, Status::Late)));
        assert_eq!(arrival_in(740, &day), Err(Window::TooEarly), "lunch");
        assert_eq!(arrival_in(790, &day), Ok((1, Status::Present)));
        assert_eq!(arrival_in(900, &day), Ok((1, Status::Late)));
        assert_eq!(arrival_in(1020, &day), Err(Window::Over));
        // Back-to-back periods: the running one takes it until it ends.
        let back_to_back = [(480, 525, 720), (690, 735, 900)];
        assert_eq!(arrival_in(700, &back_to_back), Ok((0, Status::Late)));
        assert_eq!(arrival_in(720, &back_to_back), Ok((1, Status::Present)));
        assert_eq!(arrival_in::<i32>(5, &[]), Err(Window::Over));
    }

    #[test]
    fn an_enterprise_is_done_when_attendees_meet_every_quota() {
        let quotas = vec![("leader".to_string(), 1), ("auditor".to_string(), 2)];
        let d = |tier: &str, attended, passed| Delegate {
            tier: tier.into(),
            attended,
            passed,
        };
        let (t, done) = tally(
            &quotas,
            &[
                d("leader", true, true),
                d("auditor", true, false),
                d("auditor", false, false),
            ],
        );
        assert!(!done, "one auditor short");
        assert_eq!(t["auditor"].delegates, 2);
        assert_eq!(t["auditor"].attended, 1);
        assert_eq!(t["leader"].passed, 1);
        let (_, done) = tally(
            &quotas,
            &[
                d("leader", true, false),
                d("auditor", true, false),
                d("auditor", true, true),
                d("expert", false, false),
            ],
        );
        assert!(done);
        let (t, done) = tally(&quotas, &[]);
        assert!(!done);
        assert_eq!(t.len(), 2);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(0, 0), 0);
    }
}
