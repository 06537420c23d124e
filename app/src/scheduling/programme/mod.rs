//! The programme's own details (`/admin/programme`, 培训项目): its name, dates, venue, organisers,
//! the certificate rule and the tiers each enterprise must send. The programme file seeds them;
//! the training school corrects them here without editing a file.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod page;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;

/// The form as typed. `organisers_zh` holds one organiser per line; `quotas` is a comma list of
/// `tier:minimum` (`leader:1,auditor:2`), a tier left out asks for nobody.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeForm {
    pub title_zh: String,
    pub title_en: String,
    pub starts_on: String,
    pub ends_on: String,
    pub venue_zh: String,
    pub venue_en: String,
    pub host_zh: String,
    pub organisers_zh: String,
    pub min_attendance_percent: String,
    pub require_quiz: bool,
    pub quotas: String,
}

impl ProgrammeForm {
    /// The minimum typed for a tier, as text (empty when the tier has none).
    pub fn quota(&self, tier: &str) -> String {
        self.quotas
            .split(',')
            .filter_map(|pair| pair.split_once(':'))
            .find(|(t, _)| t.trim() == tier)
            .map(|(_, n)| n.trim().to_string())
            .unwrap_or_default()
    }

    /// The same form with one tier's minimum replaced; an empty minimum drops the tier.
    pub fn with_quota(&self, tier: &str, min: &str) -> String {
        let mut pairs: Vec<(String, String)> = crate::people::tier::Tier::ALL
            .iter()
            .map(|t| (t.code().to_string(), self.quota(t.code())))
            .collect();
        if let Some(pair) = pairs.iter_mut().find(|(t, _)| t == tier) {
            pair.1 = min.trim().to_string();
        }
        pairs
            .into_iter()
            .filter(|(_, n)| !n.is_empty())
            .map(|(t, n)| format!("{t}:{n}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The programme's details for the form.
#[server(endpoint = "programme_details")]
pub async fn programme_details() -> Result<ProgrammeForm, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("programme_details").await?;
            let state = crate::state::app_state()?;
            service::details(&state.db).await
        }
        .await,
    )
}

/// Saves the programme's details; new days that would leave out a session the old days held
/// are refused with the session named.
#[server(endpoint = "save_programme")]
pub async fn save_programme(form: ProgrammeForm) -> Result<(), AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("save_programme").await?;
            let state = crate::state::app_state()?;
            let english = crate::auth::request::cookie("lang").as_deref() == Some("en");
            service::save(&state.db, &user, &form, english).await
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_is_read_and_replaced_in_the_list() {
        let form = ProgrammeForm {
            quotas: "leader:1, auditor:2".into(),
            ..Default::default()
        };
        assert_eq!(form.quota("auditor"), "2");
        assert_eq!(form.quota("expert"), "");
        assert_eq!(
            form.with_quota("expert", " 3 "),
            "leader:1,auditor:2,expert:3"
        );
        assert_eq!(form.with_quota("leader", ""), "auditor:2");
    }
}
