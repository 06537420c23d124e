use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use super::{HomeOverview, ProgrammeCard};
use crate::catalog::entity::course;
use crate::error::AppResult;
use crate::people::entity::{enterprise, person};
use crate::scheduling::entity::programme;

pub async fn home_summary(db: &impl ConnectionTrait) -> AppResult<HomeOverview> {
    let programmes = programme::Entity::find()
        .order_by_desc(programme::Column::StartsOn)
        .all(db)
        .await?
        .into_iter()
        .map(|p| ProgrammeCard {
            slug: p.slug,
            title_zh: p.title_zh,
            title_en: p.title_en,
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            venue_zh: p.venue_zh,
            venue_en: p.venue_en,
            host_zh: p.host_zh,
        })
        .collect();
    Ok(HomeOverview {
        programmes,
        enterprises: enterprise::Entity::find().count(db).await?,
        people: person::Entity::find()
            .filter(person::Column::Tier.is_not_null())
            .count(db)
            .await?,
        courses: course::Entity::find()
            .filter(course::Column::Archived.eq(false))
            .count(db)
            .await?,
    })
}
