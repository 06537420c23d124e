//! Who may call what: the one table of rules. Every server function names itself here and
//! calls [`crate::auth::require`] first; a server function missing from the table is refused
//! (and a test fails), so a rule cannot be forgotten.
use super::role::Role;
use super::CurrentUser;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person.
    SignedIn,
    /// A signed-in person holding one of these roles.
    AnyOf(&'static [Role]),
}

const STAFF: &[Role] = &[Role::Admin, Role::Scheduler, Role::Organiser];

/// Server function endpoint (its name) → rule.
pub const RULES: &[(&str, Rule)] = &[
    ("home_summary", Rule::Public),
    ("whoami", Rule::Public),
    ("sign_in", Rule::Public),
    ("sign_out", Rule::Public),
    ("redeem_login_link", Rule::Public),
    ("change_password", Rule::SignedIn),
    (
        "list_people",
        Rule::AnyOf(&[
            Role::Admin,
            Role::Scheduler,
            Role::Organiser,
            Role::DistrictOfficial,
        ]),
    ),
    (
        "create_person",
        Rule::AnyOf(&[Role::Admin, Role::Scheduler]),
    ),
    ("set_roles", Rule::AnyOf(&[Role::Admin])),
    (
        "issue_login_link",
        Rule::AnyOf(&[Role::Admin, Role::Scheduler]),
    ),
    ("list_audit_log", Rule::AnyOf(&[Role::Admin])),
    ("person_admin", Rule::AnyOf(&[Role::Admin, Role::Scheduler])),
    ("revoke_sessions", Rule::AnyOf(&[Role::Admin])),
    ("list_districts", Rule::AnyOf(STAFF)),
    ("list_courses", Rule::Public),
    ("course_detail", Rule::Public),
    ("read_lesson", Rule::SignedIn),
    ("mark_lesson", Rule::SignedIn),
    ("my_learning", Rule::SignedIn),
    ("quiz_overview", Rule::SignedIn),
    ("start_attempt", Rule::SignedIn),
    ("attempt_view", Rule::SignedIn),
    ("save_answer", Rule::SignedIn),
    ("submit_attempt", Rule::SignedIn),
    ("attempt_review", Rule::SignedIn),
    ("list_sessions", Rule::SignedIn),
    ("session_detail", Rule::SignedIn),
    ("enrol_self", Rule::SignedIn),
    ("cancel_self", Rule::SignedIn),
    (
        "plan_overview",
        Rule::AnyOf(&[Role::Scheduler, Role::Admin]),
    ),
    ("save_session", Rule::AnyOf(&[Role::Scheduler, Role::Admin])),
    // The programme's details: the school plans it, organisers set its certificate rule.
    ("programme_details", Rule::AnyOf(STAFF)),
    ("save_programme", Rule::AnyOf(STAFF)),
    ("create_programme", Rule::AnyOf(STAFF)),
    (
        "delete_session",
        Rule::AnyOf(&[Role::Scheduler, Role::Admin]),
    ),
    ("save_room", Rule::AnyOf(&[Role::Scheduler, Role::Admin])),
    (
        "save_lecturer",
        Rule::AnyOf(&[Role::Scheduler, Role::Admin]),
    ),
    ("enrol_people", Rule::AnyOf(&[Role::Scheduler, Role::Admin])),
    ("move_people", Rule::AnyOf(&[Role::Scheduler, Role::Admin])),
    (
        "cancel_people",
        Rule::AnyOf(&[Role::Scheduler, Role::Admin]),
    ),
    ("enrol_person", Rule::AnyOf(&[Role::Scheduler, Role::Admin])),
    (
        "cancel_person",
        Rule::AnyOf(&[Role::Scheduler, Role::Admin]),
    ),
    ("my_schedule", Rule::SignedIn),
    (
        "quiz_results",
        Rule::AnyOf(&[
            Role::Instructor,
            Role::Organiser,
            Role::Scheduler,
            Role::Admin,
        ]),
    ),
    ("projector_board", Rule::AnyOf(MARKERS)),
    ("check_in", Rule::SignedIn),
    ("roll_call", Rule::AnyOf(ROLL_READERS)),
    ("mark_attendance", Rule::AnyOf(MARKERS)),
    ("mark_rest_absent", Rule::AnyOf(MARKERS)),
    ("progress_overview", Rule::AnyOf(FOLLOWERS)),
    ("certificate_board", Rule::AnyOf(ISSUERS)),
    ("issue_certificates", Rule::AnyOf(ISSUERS)),
    ("reissue_certificate", Rule::AnyOf(ISSUERS)),
    ("revoke_certificate", Rule::AnyOf(ISSUERS)),
    ("verify_certificate", Rule::Public),
    ("my_certificates", Rule::SignedIn),
    ("mail_outbox", Rule::AnyOf(ISSUERS)),
    ("mail_batch", Rule::AnyOf(ISSUERS)),
    ("retry_mail", Rule::AnyOf(ISSUERS)),
    ("resend_mail", Rule::AnyOf(ISSUERS)),
    ("import_people", Rule::AnyOf(IMPORTERS)),
    ("list_enterprises", Rule::AnyOf(IMPORTERS)),
    ("save_enterprise", Rule::AnyOf(IMPORTERS)),
];

/// Who imports enterprises and delegates from a spreadsheet.
const IMPORTERS: &[Role] = &[Role::Scheduler, Role::Admin];

/// Who issues and revokes certificates.
const ISSUERS: &[Role] = &[Role::Organiser, Role::Admin];

/// Who runs a session's check-in and roll call (an instructor: the sessions they teach, checked
/// in the service by `scheduling::rules::session_role`).
const MARKERS: &[Role] = &[Role::Instructor, Role::Scheduler, Role::Admin];
/// Who reads rosters with attendance (an instructor: the sessions they teach).
const ROLL_READERS: &[Role] = &[
    Role::Instructor,
    Role::Organiser,
    Role::Scheduler,
    Role::Admin,
];
/// Who follows progress (a district official: their district only, checked in the service).
const FOLLOWERS: &[Role] = &[
    Role::Organiser,
    Role::DistrictOfficial,
    Role::Scheduler,
    Role::Admin,
];

/// Plain HTTP routes (downloads) → rule; their handlers call [`route_rule_for`].
pub const ROUTE_RULES: &[(&str, Rule)] = &[
    ("export_quiz", Rule::AnyOf(ROLL_READERS)),
    // An instructor: the sessions they teach only, checked in the handler.
    ("export_attendance", Rule::AnyOf(ROLL_READERS)),
    // Every trainee's hours: the school and the organisers, not instructors.
    ("export_hours", Rule::AnyOf(STAFF)),
    ("export_progress", Rule::AnyOf(FOLLOWERS)),
    // The holder or an issuer; the handler checks which.
    ("certificate_pdf", Rule::SignedIn),
    ("session_ics", Rule::SignedIn),
    ("import_template", Rule::AnyOf(IMPORTERS)),
    ("mail_eml", Rule::AnyOf(ISSUERS)),
];

pub fn route_rule_for(route: &str) -> Option<Rule> {
    ROUTE_RULES
        .iter()
        .find(|(name, _)| *name == route)
        .map(|(_, rule)| *rule)
}

pub fn rule_for(endpoint: &str) -> Option<Rule> {
    RULES
        .iter()
        .find(|(name, _)| *name == endpoint)
        .map(|(_, rule)| *rule)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not signed in: 401.
    SignInRequired,
    /// Signed in without the right role: 403.
    Deny,
}

pub fn decide(rule: Rule, user: Option<&CurrentUser>) -> Decision {
    match (rule, user) {
        (Rule::Public, _) => Decision::Allow,
        (_, None) => Decision::SignInRequired,
        (Rule::SignedIn, Some(_)) => Decision::Allow,
        (Rule::AnyOf(roles), Some(user)) => {
            if roles.iter().any(|r| user.roles.contains(r)) {
                Decision::Allow
            } else {
                Decision::Deny
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[Role]) -> CurrentUser {
        CurrentUser::with_roles(1, "测试", roles)
    }

    #[test]
    fn anonymous_people_must_sign_in_for_anything_but_public_rules() {
        assert_eq!(decide(Rule::Public, None), Decision::Allow);
        assert_eq!(decide(Rule::SignedIn, None), Decision::SignInRequired);
        assert_eq!(
            decide(Rule::AnyOf(&[Role::Admin]), None),
            Decision::SignInRequired
        );
    }

    #[test]
    fn a_role_rule_needs_one_of_its_roles() {
        let rule = Rule::AnyOf(&[Role::Admin, Role::Scheduler]);
        assert_eq!(decide(rule, Some(&user(&[Role::Trainee]))), Decision::Deny);
        assert_eq!(
            decide(rule, Some(&user(&[Role::Trainee, Role::Scheduler]))),
            Decision::Allow
        );
    }

    #[test]
    fn every_endpoint_has_exactly_one_rule() {
        let mut names: Vec<_> = RULES.iter().map(|(n, _)| *n).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}
