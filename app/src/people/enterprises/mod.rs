//! The enterprise directory (`/admin/enterprises`, 企业): schedulers and admins add one
//! enterprise or correct it (name, unified social credit code, district, why it is in the
//! programme) without a spreadsheet, and see how many delegates each has.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub mod page;
pub mod rules;

#[cfg(feature = "ssr")]
pub mod service;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EnterpriseRow {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub district_id: Option<i64>,
    pub district_zh: String,
    pub district_en: String,
    /// `coal`, `vocs` or `heavy_metals`; empty when not recorded.
    pub reason: String,
    pub delegates: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnterpriseDirectory {
    pub rows: Vec<EnterpriseRow>,
    pub districts: Vec<crate::admin::DistrictOption>,
}

/// The form as typed: `id` 0 adds an enterprise, another id changes that one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseForm {
    pub id: i64,
    pub name: String,
    pub credit_code: String,
    pub district: String,
    pub reason: String,
}

#[server(endpoint = "list_enterprises")]
pub async fn list_enterprises() -> Result<EnterpriseDirectory, AppError> {
    crate::error::respond(
        async {
            crate::auth::require_user("list_enterprises").await?;
            let state = crate::state::app_state()?;
            service::directory(&state.db).await
        }
        .await,
    )
}

/// Adds or changes one enterprise; returns its id.
#[server(endpoint = "save_enterprise")]
pub async fn save_enterprise(form: EnterpriseForm) -> Result<i64, AppError> {
    crate::error::respond(
        async {
            let user = crate::auth::require_user("save_enterprise").await?;
            let state = crate::state::app_state()?;
            let english = crate::auth::request::cookie("lang").as_deref() == Some("en");
            service::save(&state.db, &user, &form, english, chrono::Utc::now()).await
        }
        .await,
    )
}
