//! Scheduling rules as plain functions.

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
