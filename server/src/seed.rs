//! `academy seed --demo`: the 2014 Tianjin programme with 82 enterprises and ~500 delegates in
//! five tiers, so a fresh install has something to show. Running it again changes nothing.
//! `--scale 10` makes ten times as many (820 enterprises, ~4,900 trainees), for load tests.
use academy_app::people::credit_code::check_char;
use std::path::Path;

use academy_app::people::entity::{district, enterprise, person, person_role};
use academy_app::people::tier::Tier;
use chrono::Utc;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

pub const DEMO_PROGRAMME: &str = "tj-cp-audit-2014";

/// Tianjin's districts and counties as they were in 2014.
pub const DISTRICTS: [(&str, &str, &str); 16] = [
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

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: [&str; 25] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强",
];
const TRADES: [(&str, &str); 6] = [
    ("热电", "coal"),
    ("钢铁", "coal"),
    ("化工", "vocs"),
    ("涂装", "vocs"),
    ("电镀", "heavy_metals"),
    ("蓄电池", "heavy_metals"),
];

pub struct SeedReport {
    pub created: bool,
    pub enterprises: usize,
    pub people: usize,
}

fn demo_credit_code(n: usize) -> String {
    let first = format!("911201{:02}MA{:07}", 10 + n % 16, 500_000 + n);
    let check = check_char(&first).unwrap_or('0');
    format!("{first}{check}")
}

/// Delegates an enterprise sends: one leader, two or three internal auditors, and now and then
/// a consultant working for it; the district officials and experts come on top.
fn delegates_of(n: usize) -> Vec<Tier> {
    let mut tiers = vec![Tier::Leader, Tier::Auditor, Tier::Auditor, Tier::Auditor];
    if n.is_multiple_of(2) {
        tiers.push(Tier::Auditor);
    }
    if n.is_multiple_of(3) {
        tiers.push(Tier::Consultant);
    }
    if n % 4 != 3 {
        tiers.push(Tier::Auditor);
    }
    tiers
}

/// Loads the content (the programme, courses and lessons) and then the demo enterprises and
/// people; a second run changes nothing.
pub async fn seed_demo(db: &DatabaseConnection, content_root: &Path) -> anyhow::Result<SeedReport> {
    seed_scaled(db, content_root, 1).await
}

/// [`seed_demo`] with `scale` times the enterprises, delegates, officials and experts.
pub async fn seed_scaled(
    db: &DatabaseConnection,
    content_root: &Path,
    scale: usize,
) -> anyhow::Result<SeedReport> {
    anyhow::ensure!(
        (1..=100).contains(&scale),
        "the scale is a whole number from 1 to 100"
    );
    crate::content_cmd::sync(db, content_root).await?;
    let existing = enterprise::Entity::find()
        .filter(enterprise::Column::CreditCode.eq(demo_credit_code(0)))
        .one(db)
        .await?;
    if existing.is_some() {
        return Ok(SeedReport {
            created: false,
            enterprises: 0,
            people: 0,
        });
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    for (code, zh, en) in DISTRICTS {
        let found = district::Entity::find()
            .filter(district::Column::Code.eq(code))
            .one(&txn)
            .await?;
        if found.is_none() {
            district::Entity::insert(district::ActiveModel {
                id: NotSet,
                code: Set(code.into()),
                name_zh: Set(zh.into()),
                name_en: Set(en.into()),
            })
            .exec(&txn)
            .await?;
        }
    }
    let districts = district::Entity::find().all(&txn).await?;

    let mut people = Vec::new();
    let mut person_no = 0usize;
    let enterprises = 82 * scale;
    for n in 0..enterprises {
        let (trade, reason) = TRADES[n % TRADES.len()];
        let district = &districts[n % districts.len()];
        let inserted = enterprise::Entity::insert(enterprise::ActiveModel {
            id: NotSet,
            name: Set(format!("天津示例{trade}有限公司（{:02}）", n + 1)),
            credit_code: Set(Some(demo_credit_code(n))),
            district_id: Set(Some(district.id)),
            reason: Set(Some(reason.into())),
            created_at: Set(now),
        })
        .exec(&txn)
        .await?;
        for tier in delegates_of(n) {
            person_no += 1;
            people.push(demo_person(
                person_no,
                Some(inserted.last_insert_id),
                tier,
                now,
            ));
        }
    }
    for tier in [Tier::Official, Tier::Expert] {
        for _ in 0..16 * scale {
            person_no += 1;
            people.push(demo_person(person_no, None, tier, now));
        }
    }
    let count = people.len();
    for chunk in people.chunks(200) {
        person::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    // Every delegate is a trainee.
    let ids: Vec<i64> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Email.like("trainee%@example.com"))
        .into_tuple()
        .all(&txn)
        .await?;
    for chunk in ids.chunks(300) {
        person_role::Entity::insert_many(chunk.iter().map(|id| person_role::ActiveModel {
            person_id: Set(*id),
            role: Set("trainee".into()),
            district_id: Set(None),
        }))
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(SeedReport {
        created: true,
        enterprises,
        people: count,
    })
}

fn demo_person(
    n: usize,
    enterprise_id: Option<i64>,
    tier: Tier,
    now: chrono::DateTime<Utc>,
) -> person::ActiveModel {
    let name = format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n / SURNAMES.len() + n) % GIVEN.len()]
    );
    person::ActiveModel {
        id: NotSet,
        name: Set(name),
        phone: Set(Some(format!("138{n:08}"))),
        email: Set(Some(format!("trainee{n:03}@example.com"))),
        enterprise_id: Set(enterprise_id),
        tier: Set(Some(tier.code().into())),
        job_title: Set(None),
        locale: Set("zh-CN".into()),
        password_hash: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use academy_app::people::credit_code::CreditCode;

    #[test]
    fn demo_credit_codes_are_valid_and_distinct() {
        // Ten times the programme (the load tests' set) still has a distinct valid code each.
        let codes: std::collections::HashSet<_> = (0..820).map(demo_credit_code).collect();
        assert_eq!(codes.len(), 820);
        for code in codes {
            assert!(CreditCode::parse(&code).is_ok(), "{code}");
        }
    }

    #[test]
    fn the_demo_has_about_five_hundred_trainees() {
        let total: usize = (0..82).map(|n| delegates_of(n).len()).sum::<usize>() + 32;
        assert!((450..=550).contains(&total), "{total}");
    }
}
