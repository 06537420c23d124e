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
    /// The tiers with a certificate rule of their own, a comma list of `tier:percent:quiz`,
    /// where a blank percent keeps the programme's and `quiz` is `yes`, `no` or blank (keep):
    /// `official::no,leader:100:`.
    #[serde(default)]
    pub tier_rules: String,
}

impl ProgrammeForm {
    /// The form for a new programme: the usual rule (80% of the hours and the quiz), no quotas.
    pub fn blank() -> Self {
        ProgrammeForm {
            min_attendance_percent: "80".into(),
            require_quiz: true,
            ..Default::default()
        }
    }
}

/// A programme just made, and whether it is now the current one (the one that starts last).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeCreated {
    pub id: i64,
    pub current: bool,
}

/// One entry of `ProgrammeForm::tier_rules` as typed: (tier, percent, quiz).
type TierRuleText = (String, String, String);

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

impl ProgrammeForm {
    fn tier_rule_entries(&self) -> Vec<TierRuleText> {
        self.tier_rules
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|e| {
                let mut parts = e.splitn(3, ':').map(|p| p.trim().to_string());
                (
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// A tier's own rule as typed: (percent, quiz), both blank when it follows the programme.
    pub fn tier_rule(&self, tier: &str) -> (String, String) {
        self.tier_rule_entries()
            .into_iter()
            .find(|(t, _, _)| t == tier)
            .map(|(_, min, quiz)| (min, quiz))
            .unwrap_or_default()
    }

    /// The list with one tier's rule replaced; a rule with both parts blank is dropped.
    pub fn with_tier_rule(&self, tier: &str, min: &str, quiz: &str) -> String {
        crate::people::tier::Tier::ALL
            .iter()
            .map(|t| {
                let code = t.code();
                let (m, q) = if code == tier {
                    (min.trim().to_string(), quiz.trim().to_string())
                } else {
                    self.tier_rule(code)
                };
                (code, m, q)
            })
            .filter(|(_, m, q)| !m.is_empty() || !q.is_empty())
            .map(|(t, m, q)| format!("{t}:{m}:{q}"))
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

/// Creates a programme from the same form. The one that starts last is the current programme:
/// the planner, the dashboard and the certificates follow it.
#[server(endpoint = "create_programme")]
pub async fn create_programme(form: ProgrammeForm) -> Result<ProgrammeCreated, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("create_programme").await?;
            let state = crate::state::app_state()?;
            let english = crate::auth::request::cookie("lang").as_deref() == Some("en");
            service::create(&state.db, &user, &form, english, chrono::Utc::now()).await
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

    #[test]
    fn a_tier_rule_is_read_and_replaced_in_the_list() {
        let form = ProgrammeForm {
            tier_rules: "official::no, leader:100:".into(),
            ..Default::default()
        };
        assert_eq!(form.tier_rule("official"), ("".into(), "no".into()));
        assert_eq!(form.tier_rule("leader"), ("100".into(), "".into()));
        assert_eq!(form.tier_rule("expert"), ("".into(), "".into()));
        assert_eq!(
            form.with_tier_rule("expert", " 60 ", "yes"),
            "leader:100:,official::no,expert:60:yes",
            "in the tiers' order"
        );
        assert_eq!(form.with_tier_rule("leader", "", ""), "official::no");
    }
}
