//! Tianjin's sixteen districts and counties (as in 2014) become reference data, like the tiers:
//! an import names an enterprise's district, so a fresh install must know them without the
//! demo seed. Districts already there (from `academy seed --demo`) are left as they are.
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000009_districts"
    }
}

const DISTRICTS: [(&str, &str, &str); 16] = [
    ("heping", "和平区", "Heping"),
    ("hedong", "河东区", "Hedong"),
    ("hexi", "河西区", "Hexi"),
    ("nankai", "南开区", "Nankai"),
    ("hebei", "河北区", "Hebei"),
    ("hongqiao", "红桥区", "Hongqiao"),
    ("dongli", "东丽区", "Dongli"),
    ("xiqing", "西青区", "Xiqing"),
    ("jinnan", "津南区", "Jinnan"),
    ("beichen", "北辰区", "Beichen"),
    ("wuqing", "武清区", "Wuqing"),
    ("baodi", "宝坻区", "Baodi"),
    ("binhai", "滨海新区", "Binhai New Area"),
    ("ninghe", "宁河县", "Ninghe County"),
    ("jinghai", "静海县", "Jinghai County"),
    ("jixian", "蓟县", "Ji County"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert()
            .into_table(District::Table)
            .columns([District::Code, District::NameZh, District::NameEn])
            .on_conflict(OnConflict::column(District::Code).do_nothing().to_owned())
            .to_owned();
        for (code, zh, en) in DISTRICTS {
            insert.values_panic([code.into(), zh.into(), en.into()]);
        }
        m.exec_stmt(insert).await
    }

    /// Removes the districts nothing refers to.
    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(District::Table)
            .and_where(Expr::col(District::Code).is_in(DISTRICTS.iter().map(|d| d.0)))
            .and_where(
                Expr::col(District::Id).not_in_subquery(
                    Query::select()
                        .column(Enterprise::DistrictId)
                        .from(Enterprise::Table)
                        .and_where(Expr::col(Enterprise::DistrictId).is_not_null())
                        .to_owned(),
                ),
            )
            .and_where(
                Expr::col(District::Id).not_in_subquery(
                    Query::select()
                        .column(PersonRole::DistrictId)
                        .from(PersonRole::Table)
                        .and_where(Expr::col(PersonRole::DistrictId).is_not_null())
                        .to_owned(),
                ),
            )
            .to_owned();
        m.exec_stmt(delete).await
    }
}

#[derive(DeriveIden)]
enum District {
    Table,
    Id,
    Code,
    NameZh,
    NameEn,
}

#[derive(DeriveIden)]
enum Enterprise {
    Table,
    DistrictId,
}

#[derive(DeriveIden)]
enum PersonRole {
    Table,
    DistrictId,
}
