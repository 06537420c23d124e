//! Roles a person can hold; a person may hold several.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Trainee,
    Instructor,
    Scheduler,
    Organiser,
    DistrictOfficial,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Trainee,
        Role::Instructor,
        Role::Scheduler,
        Role::Organiser,
        Role::DistrictOfficial,
        Role::Admin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Trainee => "trainee",
            Role::Instructor => "instructor",
            Role::Scheduler => "scheduler",
            Role::Organiser => "organiser",
            Role::DistrictOfficial => "district_official",
            Role::Admin => "admin",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn every_role_round_trips_through_its_code() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
