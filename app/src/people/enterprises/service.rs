//! The enterprise directory on the server. A save writes its audit entry first, so on SQLite the
//! transaction holds the write lock before it checks the credit code is free.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::rules::parse_enterprise;
use super::{EnterpriseDirectory, EnterpriseForm, EnterpriseRow};
use crate::admin::DistrictOption;
use crate::auth::service::audit;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::people::entity::{district, enterprise, person};

pub async fn directory(db: &impl ConnectionTrait) -> AppResult<EnterpriseDirectory> {
    let districts = district::Entity::find()
        .order_by_asc(district::Column::Id)
        .all(db)
        .await?;
    let by_id: HashMap<i64, &district::Model> = districts.iter().map(|d| (d.id, d)).collect();
    let mut delegates: HashMap<i64, u32> = HashMap::new();
    for e in person::Entity::find()
        .select_only()
        .column(person::Column::EnterpriseId)
        .filter(person::Column::EnterpriseId.is_not_null())
        .filter(person::Column::Active.eq(true))
        .into_tuple::<Option<i64>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
    {
        *delegates.entry(e).or_default() += 1;
    }
    let rows = enterprise::Entity::find()
        .order_by_asc(enterprise::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|e| {
            let d = e.district_id.and_then(|id| by_id.get(&id));
            EnterpriseRow {
                id: e.id,
                delegates: delegates.get(&e.id).copied().unwrap_or(0),
                name: e.name,
                credit_code: e.credit_code.unwrap_or_default(),
                district_id: e.district_id,
                district_zh: d.map(|d| d.name_zh.clone()).unwrap_or_default(),
                district_en: d.map(|d| d.name_en.clone()).unwrap_or_default(),
                reason: e.reason.unwrap_or_default(),
            }
        })
        .collect();
    Ok(EnterpriseDirectory {
        rows,
        districts: districts
            .into_iter()
            .map(|d| DistrictOption {
                id: d.id,
                name_zh: d.name_zh,
                name_en: d.name_en,
            })
            .collect(),
    })
}

/// Adds (`form.id` 0) or changes an enterprise. A credit code belongs to one enterprise: a
/// second is refused, naming the one that has it.
pub async fn save(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    form: &EnterpriseForm,
    english: bool,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let input = parse_enterprise(form)?;
    let txn = db.begin().await?;
    audit(
        &txn,
        Some(user),
        if form.id == 0 {
            "enterprise.create"
        } else {
            "enterprise.update"
        },
        Some(("credit_code", input.credit_code.as_str().to_string())),
        serde_json::json!({"name": input.name, "district": input.district_id, "reason": input.reason.code()}),
    )
    .await?;
    district::Entity::find_by_id(input.district_id)
        .one(&txn)
        .await?
        .ok_or(AppError::validation("district_id", "district_required"))?;
    let holder = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(input.credit_code.as_str()))
        .filter(enterprise::Column::Id.ne(form.id))
        .one(&txn)
        .await?;
    if let Some(other) = holder {
        return Err(AppError::Conflict(if english {
            format!(
                "the credit code {} already belongs to {}",
                input.credit_code.as_str(),
                other.name
            )
        } else {
            format!(
                "统一社会信用代码 {} 已属于{}",
                input.credit_code.as_str(),
                other.name
            )
        }));
    }
    let saved = if form.id == 0 {
        enterprise::ActiveModel {
            name: Set(input.name),
            credit_code: Set(Some(input.credit_code.as_str().to_string())),
            district_id: Set(Some(input.district_id)),
            reason: Set(Some(input.reason.code().to_string())),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?
    } else {
        let old = enterprise::Entity::find_by_id(form.id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut row: enterprise::ActiveModel = old.into();
        row.name = Set(input.name);
        row.credit_code = Set(Some(input.credit_code.as_str().to_string()));
        row.district_id = Set(Some(input.district_id));
        row.reason = Set(Some(input.reason.code().to_string()));
        row.update(&txn).await?
    };
    txn.commit().await?;
    Ok(saved.id)
}
