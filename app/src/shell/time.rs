//! Times as people in the programme read them: in its time zone, Asia/Shanghai.
use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;

/// `2014-07-15 09:00`, in Asia/Shanghai.
pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_times_show_in_china_standard_time() {
        let at = chrono::DateTime::parse_from_rfc3339("2014-07-15T01:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(super::local(at), "2014-07-15 09:00");
    }
}
