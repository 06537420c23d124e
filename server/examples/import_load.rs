//! The import at the size the issue names: 200 enterprises and 1,000 delegates (valid credit
//! codes, every tier), on a fresh SQLite file. Times reading and checking the file (CSV and
//! XLSX), the first import (which writes everything, with 1,000 accounts and first-login links),
//! and a second import of the same file (which must change nothing). The target: under 5 s.
//!
//! ```sh
//! cargo run --release -p academy --example import_load            # 200 enterprises, 1,000 delegates
//! cargo run --release -p academy --example import_load -- 400 2000
//! ```
mod support;

use std::time::{Duration, Instant};

use academy_app::admin::service::{create_person, PersonForCreate};
use academy_app::auth::{service as auth, CurrentUser, Role};
use academy_app::people::credit_code::check_char;
use academy_app::people::import::{rules, service, Column, ImportReport};
use academy_app::people::tier::Tier;
use academy_app::report::export::{to_csv, to_xlsx, Cell, Table};
use serde_json::json;

const DISTRICTS: [&str; 4] = ["和平区", "滨海新区", "东丽", "Xiqing"];
const REASONS: [&str; 3] = ["年耗煤5000吨及以上", "VOCs", "涉重金属"];

fn table(enterprises: usize, delegates: usize) -> Table {
    let rows = (0..delegates)
        .map(|i| {
            let e = i % enterprises;
            let first = format!("911201{:02}MA{:07}", 10 + e % 16, 700_000 + e);
            let code = format!("{first}{}", check_char(&first).unwrap_or('0'));
            let tier = Tier::ALL[i % Tier::ALL.len()];
            [
                format!("天津测试企业{e:03}有限公司"),
                code,
                DISTRICTS[e % DISTRICTS.len()].to_string(),
                REASONS[e % REASONS.len()].to_string(),
                format!("学员{i:04}"),
                format!("1390{i:07}"),
                format!("delegate{i:04}@example.com"),
                tier.name_zh().to_string(),
                "环保主管".to_string(),
            ]
            .into_iter()
            .map(Cell::Text)
            .collect()
        })
        .collect();
    Table {
        name: "delegates".into(),
        headers: Column::ALL
            .iter()
            .map(|c| c.header_zh().to_string())
            .collect(),
        rows,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(r: &ImportReport) -> String {
    format!(
        "enterprises {}/{}/{}, people {}/{}/{} (created/updated/unchanged), {} issues",
        r.enterprises.created,
        r.enterprises.updated,
        r.enterprises.unchanged,
        r.people.created,
        r.people.updated,
        r.people.unchanged,
        r.issues.len()
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<usize>().ok());
    let enterprises = args.next().unwrap_or(200);
    let delegates = args.next().unwrap_or(1000);
    let work = std::env::temp_dir().join(format!("academy-import-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let bench_db = support::BenchDb::fresh(&work, "import").await?;
    let url = bench_db.url.clone();
    let db_label = bench_db.label();
    let db = academy_server::open_database(&url).await?;

    let system = CurrentUser::with_roles(0, "import bench", &[Role::Admin]);
    let created = create_person(
        &db,
        &system,
        PersonForCreate {
            name: "排课员".into(),
            phone: None,
            email: Some("scheduler@example.com".into()),
            tier: None,
            roles: vec![Role::Scheduler],
            district_id: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = auth::load_user(&db, created.id)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .ok_or_else(|| anyhow::anyhow!("no scheduler"))?;

    let sheet = table(enterprises, delegates);
    let csv = to_csv(&sheet)?;
    let xlsx = to_xlsx(std::slice::from_ref(&sheet))?;

    // Reading and checking alone (no database but the district list).
    let districts: Vec<rules::DistrictName> = {
        use sea_orm::EntityTrait;
        academy_app::people::entity::district::Entity::find()
            .all(&db)
            .await?
            .into_iter()
            .map(|d| rules::DistrictName {
                id: d.id,
                code: d.code,
                name_zh: d.name_zh,
                name_en: d.name_en,
            })
            .collect()
    };
    let t = Instant::now();
    let read = rules::read_table(&csv).map_err(|e| anyhow::anyhow!(e))?;
    let checked = rules::check_table(&read, &districts)
        .map_err(|issues| anyhow::anyhow!("{} issues, first {:?}", issues.len(), issues[0]))?;
    let check_csv = t.elapsed();
    let t = Instant::now();
    let read = rules::read_table(&xlsx).map_err(|e| anyhow::anyhow!(e))?;
    rules::check_table(&read, &districts)
        .map_err(|issues| anyhow::anyhow!("{} issues", issues.len()))?;
    let check_xlsx = t.elapsed();
    anyhow::ensure!(checked.enterprises.len() == enterprises.min(delegates));
    anyhow::ensure!(checked.delegates.len() == delegates);

    let now = chrono::Utc::now();
    let t = Instant::now();
    let first = service::import(
        &db,
        &actor,
        "bench.csv",
        &csv,
        false,
        "http://127.0.0.1",
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let first_time = t.elapsed();
    anyhow::ensure!(
        first.issues.is_empty() && first.written,
        "first import refused"
    );
    anyhow::ensure!(first.people.created as usize == delegates);

    let t = Instant::now();
    let again = service::import(
        &db,
        &actor,
        "bench.xlsx",
        &xlsx,
        false,
        "http://127.0.0.1",
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let again_time = t.elapsed();
    anyhow::ensure!(
        again.people.unchanged as usize == delegates && again.people.created == 0,
        "the re-import changed something: {}",
        summary(&again)
    );
    db.close().await?;
    let _ = std::fs::remove_dir_all(&work);
    bench_db.remove().await;

    println!(
        "\nimport: {enterprises} enterprises, {delegates} delegates, {db_label}, {} cores ({} KB CSV, {} KB XLSX)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        csv.len() / 1024,
        xlsx.len() / 1024
    );
    println!("| step | ms | result |");
    println!("| --- | ---: | --- |");
    println!(
        "| read + check CSV (no writes) | {:.0} | {} rows |",
        ms(check_csv),
        delegates
    );
    println!(
        "| read + check XLSX (no writes) | {:.0} | {} rows |",
        ms(check_xlsx),
        delegates
    );
    println!(
        "| first import, CSV (check + write) | {:.0} | {} |",
        ms(first_time),
        summary(&first)
    );
    println!(
        "| same file again, XLSX | {:.0} | {} |",
        ms(again_time),
        summary(&again)
    );
    let slowest = first_time.max(again_time);
    let verdict = if slowest < Duration::from_secs(5) {
        "PASS"
    } else {
        "FAIL"
    };
    println!(
        "target: an import under 5 s: {verdict} (slowest {:.2} s)",
        slowest.as_secs_f64()
    );
    let report = json!({
        "scenario": "import", "database": bench_db.backend, "enterprises": enterprises, "delegates": delegates,
        "check_csv_ms": ms(check_csv), "check_xlsx_ms": ms(check_xlsx),
        "first_import_ms": ms(first_time), "reimport_ms": ms(again_time),
    });
    std::fs::create_dir_all("target/bench")?;
    std::fs::write(
        bench_db.report_path("import"),
        serde_json::to_string_pretty(&report)?,
    )?;
    anyhow::ensure!(
        verdict == "PASS",
        "the import took {:.2} s",
        slowest.as_secs_f64()
    );
    Ok(())
}
