//! Names for lists: a person's name, enterprise, district and tier, fetched for many at once.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity::{district, enterprise, person};
use crate::error::AppResult;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Label {
    pub name: String,
    pub enterprise_id: Option<i64>,
    pub enterprise: String,
    pub district_id: Option<i64>,
    pub district: String,
    pub tier: String,
}

/// Labels of these people (three queries, whatever their number).
pub async fn labels(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, Label>> {
    let people = person::Entity::find()
        .filter(person::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let enterprises: HashMap<i64, enterprise::Model> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(people.iter().filter_map(|p| p.enterprise_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let districts: HashMap<i64, String> = district::Entity::find()
        .filter(district::Column::Id.is_in(enterprises.values().filter_map(|e| e.district_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name_zh))
        .collect();
    Ok(people
        .into_iter()
        .map(|p| {
            let e = p.enterprise_id.and_then(|id| enterprises.get(&id));
            let district_id = e.and_then(|e| e.district_id);
            let label = Label {
                name: p.name,
                enterprise_id: p.enterprise_id,
                enterprise: e.map(|e| e.name.clone()).unwrap_or_default(),
                district_id,
                district: district_id
                    .and_then(|d| districts.get(&d).cloned())
                    .unwrap_or_default(),
                tier: p.tier.unwrap_or_default(),
            };
            (p.id, label)
        })
        .collect())
}
