//! Scheduling rules as plain functions.
use crate::auth::{CurrentUser, Role};

/// What someone may do with one session's people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SessionRole {
    /// Nothing beyond the public session page.
    Outsider,
    /// Read the roster, the attendance and its export.
    Reader,
    /// Also run the check-in projector and mark statuses.
    Runner,
}

/// The school (schedulers, admins) runs every session; an instructor runs the sessions they
/// teach (a lecturer of the session linked to their account) and no other; an organiser reads
/// every roster but marks none.
pub fn session_role(user: &CurrentUser, lecturer_accounts: &[i64]) -> SessionRole {
    if user.has_any(&[Role::Scheduler, Role::Admin])
        || (user.has(Role::Instructor) && lecturer_accounts.contains(&user.id))
    {
        SessionRole::Runner
    } else if user.has(Role::Organiser) {
        SessionRole::Reader
    } else {
        SessionRole::Outsider
    }
}

/// Two time ranges `[start, end)` overlap when each starts before the other ends; back-to-back
/// sessions (one ends at 12:00, the next starts at 12:00) do not.
pub fn overlaps<T: PartialOrd>(a: (T, T), b: (T, T)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Whether a session open to `tiers` takes a trainee of `tier` (a session without tiers takes
/// everyone).
pub fn tier_fits(tiers: &[String], tier: Option<&str>) -> bool {
    tiers.is_empty() || tier.is_some_and(|t| tiers.iter().any(|x| x == t))
}

/// The status a new arrival gets, given how many are enrolled already.
pub fn arrival_status(enrolled: u32, capacity: u32) -> &'static str {
    if enrolled < capacity {
        "enrolled"
    } else {
        "waitlisted"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_overlap_only_when_they_share_time() {
        assert!(overlaps((9, 12), (11, 14)));
        assert!(overlaps((9, 12), (10, 11)));
        assert!(!overlaps((9, 12), (12, 14)), "back to back");
        assert!(!overlaps((14, 17), (9, 12)));
    }

    fn user(id: i64, roles: &[Role]) -> CurrentUser {
        CurrentUser::with_roles(id, "测试", roles)
    }

    #[test]
    fn an_instructor_runs_only_the_sessions_they_teach() {
        use SessionRole::*;
        let teaches = [7, 9];
        assert_eq!(
            session_role(&user(7, &[Role::Instructor]), &teaches),
            Runner
        );
        assert_eq!(
            session_role(&user(8, &[Role::Instructor]), &teaches),
            Outsider
        );
        assert_eq!(session_role(&user(8, &[Role::Instructor]), &[]), Outsider);
        // Another role keeps what it gives.
        assert_eq!(
            session_role(&user(8, &[Role::Instructor, Role::Organiser]), &teaches),
            Reader
        );
        assert_eq!(session_role(&user(8, &[Role::Scheduler]), &[]), Runner);
        assert_eq!(session_role(&user(8, &[Role::Admin]), &[]), Runner);
        assert_eq!(session_role(&user(8, &[Role::Organiser]), &[]), Reader);
        // A trainee named as a lecturer by mistake gains nothing.
        assert_eq!(session_role(&user(7, &[Role::Trainee]), &teaches), Outsider);
        assert_eq!(
            session_role(&user(8, &[Role::DistrictOfficial]), &[]),
            Outsider
        );
    }

    #[test]
    fn tiers_and_seats() {
        let tiers = vec!["leader".to_string(), "consultant".to_string()];
        assert!(tier_fits(&tiers, Some("leader")));
        assert!(!tier_fits(&tiers, Some("auditor")));
        assert!(!tier_fits(&tiers, None));
        assert!(tier_fits(&[], None));
        assert_eq!(arrival_status(49, 50), "enrolled");
        assert_eq!(arrival_status(50, 50), "waitlisted");
    }
}
