//! Certificate rules as plain functions: who is eligible (and why not), and serials.

/// What a trainee has done towards their tier's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// Minutes of the sessions of their tier.
    pub due_minutes: i64,
    pub attended_minutes: i64,
    /// Their tier's courses have a quiz.
    pub has_quiz: bool,
    pub quiz_passed: bool,
}

/// Why a trainee is not (yet) eligible.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// No session of the programme is for their tier.
    NoSessions,
    /// Attended `percent` of their tier's hours; `needed` is the rule.
    Attendance { percent: u32, needed: u32 },
    /// The rule asks for the tier's quiz to be passed.
    Quiz,
}

impl Shortfall {
    pub fn code(&self) -> &'static str {
        match self {
            Shortfall::NoSessions => "no_sessions",
            Shortfall::Attendance { .. } => "attendance",
            Shortfall::Quiz => "quiz",
        }
    }
}

/// One tier's own certificate rule: a part left out follows the programme's rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TierRule {
    pub tier: crate::people::tier::Tier,
    #[serde(default)]
    pub min_attendance_percent: Option<u32>,
    #[serde(default)]
    pub require_quiz: Option<bool>,
}

/// What one tier must do for its certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Requirement {
    pub min_percent: u32,
    pub require_quiz: bool,
}

/// The requirement of `tier`: the parts its own rule sets, the programme's for the rest.
pub fn requirement_for(programme: Requirement, tiers: &[TierRule], tier: &str) -> Requirement {
    match tiers.iter().find(|r| r.tier.code() == tier) {
        Some(own) => Requirement {
            min_percent: own.min_attendance_percent.unwrap_or(programme.min_percent),
            require_quiz: own.require_quiz.unwrap_or(programme.require_quiz),
        },
        None => programme,
    }
}

/// Every reason the rule is not met; none means eligible.
pub fn shortfalls(s: &Standing, min_percent: u32, require_quiz: bool) -> Vec<Shortfall> {
    let mut out = Vec::new();
    if s.due_minutes <= 0 {
        out.push(Shortfall::NoSessions);
        return out;
    }
    // Whole minutes compared exactly: 80% of 600 minutes is 480, and 479 is short.
    if s.attended_minutes * 100 < s.due_minutes * i64::from(min_percent) {
        out.push(Shortfall::Attendance {
            percent: crate::attendance::rules::percent(s.attended_minutes, s.due_minutes),
            needed: min_percent,
        });
    }
    if require_quiz && s.has_quiz && !s.quiz_passed {
        out.push(Shortfall::Quiz);
    }
    out
}

/// Crockford base-32 without I, L, O, U: no letters that read as digits.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A serial: the prefix, then 10 characters from 50 random bits (a guess hits one of 500
/// certificates with a chance of about 1 in 2 trillion).
pub fn serial(prefix: &str, random: u64) -> String {
    let body: String = (0..10)
        .map(|i| ALPHABET[((random >> (i * 5)) & 31) as usize] as char)
        .collect();
    format!("{prefix}-{body}")
}

/// Whether `text` could be a serial at all (so a verify page can refuse junk without a query).
pub fn plausible_serial(text: &str) -> bool {
    let text = text.trim();
    (8..=40).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tier_rule_overrides_only_the_parts_it_sets() {
        use crate::people::tier::Tier;
        let programme = Requirement {
            min_percent: 80,
            require_quiz: true,
        };
        let tiers = [
            TierRule {
                tier: Tier::Official,
                min_attendance_percent: None,
                require_quiz: Some(false),
            },
            TierRule {
                tier: Tier::Leader,
                min_attendance_percent: Some(100),
                require_quiz: None,
            },
        ];
        assert_eq!(
            requirement_for(programme, &tiers, "official"),
            Requirement {
                min_percent: 80,
                require_quiz: false
            }
        );
        assert_eq!(
            requirement_for(programme, &tiers, "leader"),
            Requirement {
                min_percent: 100,
                require_quiz: true
            }
        );
        assert_eq!(requirement_for(programme, &tiers, "auditor"), programme);
        assert_eq!(requirement_for(programme, &[], "official"), programme);
        // The official who attended everything but failed the quiz is eligible; a leader at
        // 99% is not.
        let official = standing(600, 600, true, false);
        let r = requirement_for(programme, &tiers, "official");
        assert!(shortfalls(&official, r.min_percent, r.require_quiz).is_empty());
        let leader = standing(600, 594, true, true);
        let r = requirement_for(programme, &tiers, "leader");
        assert_eq!(
            shortfalls(&leader, r.min_percent, r.require_quiz),
            vec![Shortfall::Attendance {
                percent: 99,
                needed: 100
            }]
        );
    }

    fn standing(due: i64, attended: i64, has_quiz: bool, passed: bool) -> Standing {
        Standing {
            due_minutes: due,
            attended_minutes: attended,
            has_quiz,
            quiz_passed: passed,
        }
    }

    #[test]
    fn eighty_percent_and_the_quiz_make_a_trainee_eligible() {
        assert!(shortfalls(&standing(600, 480, true, true), 80, true).is_empty());
        assert_eq!(
            shortfalls(&standing(600, 479, true, true), 80, true),
            vec![Shortfall::Attendance {
                percent: 79,
                needed: 80
            }]
        );
        assert_eq!(
            shortfalls(&standing(600, 600, true, false), 80, true),
            vec![Shortfall::Quiz]
        );
        assert!(
            shortfalls(&standing(600, 600, true, false), 80, false).is_empty(),
            "the programme does not ask for the quiz"
        );
        assert!(
            shortfalls(&standing(600, 600, false, false), 80, true).is_empty(),
            "a tier without a quiz"
        );
        assert_eq!(
            shortfalls(&standing(600, 0, true, false), 80, true).len(),
            2,
            "every reason is given"
        );
        assert_eq!(
            shortfalls(&standing(0, 0, true, true), 80, true),
            vec![Shortfall::NoSessions]
        );
    }

    #[test]
    fn serials_are_unambiguous_and_differ_with_the_randomness() {
        let a = serial("TJCP2014", 0x3_1234_5678_9abc);
        let b = serial("TJCP2014", 0x3_1234_5678_9abd);
        assert_ne!(a, b);
        assert_eq!(a.len(), "TJCP2014-".len() + 10);
        assert!(a.starts_with("TJCP2014-"));
        assert!(!a[9..].contains(['I', 'L', 'O', 'U']));
        assert!(plausible_serial(&a));
        assert!(!plausible_serial("../etc/passwd"));
        assert!(!plausible_serial("abc"));
        assert!(!plausible_serial("tjcp2014-0000000000"));
    }
}
