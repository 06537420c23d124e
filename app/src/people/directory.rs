//! Names for lists: a person's name, enterprise, district and tier, fetched for many at once.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

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

/// Labels of these people (three queries, whatever their number). Only the columns a label
/// shows are read: an organiser's list of thousands should not hold every row whole.
pub async fn labels(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, Label>> {
    let people: Vec<(i64, String, Option<i64>, Option<String>)> = person::Entity::find()
        .select_only()
        .columns([
            person::Column::Id,
            person::Column::Name,
            person::Column::EnterpriseId,
            person::Column::Tier,
        ])
        .filter(person::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    let enterprises: HashMap<i64, (String, Option<i64>)> = enterprise::Entity::find()
        .select_only()
        .columns([
            enterprise::Column::Id,
            enterprise::Column::Name,
            enterprise::Column::DistrictId,
        ])
        .filter(enterprise::Column::Id.is_in(people.iter().filter_map(|p| p.2)))
        .into_tuple::<(i64, String, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, name, district)| (id, (name, district)))
        .collect();
    let districts: HashMap<i64, String> = district::Entity::find()
        .filter(district::Column::Id.is_in(enterprises.values().filter_map(|e| e.1)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name_zh))
        .collect();
    Ok(people
        .into_iter()
        .map(|(id, name, enterprise_id, tier)| {
            let e = enterprise_id.and_then(|id| enterprises.get(&id));
            let district_id = e.and_then(|e| e.1);
            let label = Label {
                name,
                enterprise_id,
                enterprise: e.map(|e| e.0.clone()).unwrap_or_default(),
                district_id,
                district: district_id
                    .and_then(|d| districts.get(&d).cloned())
                    .unwrap_or_default(),
                tier: tier.unwrap_or_default(),
            };
            (id, label)
        })
        .collect())
}
