//! The organisers' views as the data grows: the 2014 programme (82 enterprises, ~500 trainees)
//! and ten times it (820 enterprises, ~4,900 trainees), each on a fresh database with every
//! trainee's attendance kept (nine in ten present). C organisers (20 by default) ask at the same
//! instant for the progress dashboard, its XLSX export, the trainee-hours export, the
//! certificate board and the roll call of the auditors' full day. Reports each step as a ratio
//! of the same run's `/healthz`, the ×10 figures against the ×1 ones, and the server's peak memory.
//!
//! ```sh
//! cargo run --release -p academy --example scale_load -- 1 10     # the scales to run
//! ```
mod support;

use std::path::Path;
use std::sync::Arc;

use academy_app::attendance::entity::attendance;
use academy_app::auth::{CurrentUser, Role};
use academy_app::people::entity::person;
use academy_app::scheduling::entity::{enrolment, programme, session};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use support::{print_table, run_step, start_server, Step};

/// Organisers asking at once.
const ORGANISERS: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut scales: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if scales.is_empty() {
        scales = vec![1, 10];
    }
    let mut runs = Vec::new();
    let mut label = "";
    for scale in scales {
        let (report, db_label) = run(scale).await?;
        label = db_label;
        runs.push(report);
    }
    if let [first, .., last] = runs.as_slice() {
        println!(
            "\n×{} against ×{} (p50 and p99 latency, each as a multiple of the smaller set's):",
            last.scale, first.scale
        );
        println!("| step | p50 ratio | p99 ratio |");
        println!("| --- | ---: | ---: |");
        for (a, b) in first.steps.iter().zip(&last.steps) {
            println!(
                "| {} | {:.1} | {:.1} |",
                a.name,
                b.pct(50.0) / a.pct(50.0).max(0.001),
                b.pct(99.0) / a.pct(99.0).max(0.001)
            );
        }
    }
    let report = json!({
        "scenario": "scale",
        "organisers": ORGANISERS,
        "database": if label == "SQLite" { "sqlite" } else { "postgres" },
        "runs": runs.iter().map(|r| json!({
            "scale": r.scale,
            "enterprises": r.enterprises,
            "trainees": r.trainees,
            "attendance_rows": r.rows,
            "steps": support::json_steps(&r.steps.iter().collect::<Vec<_>>()),
            "server_peak_rss_mb": r.peak_mb,
        })).collect::<Vec<_>>(),
    });
    std::fs::create_dir_all("target/bench")?;
    let path = if label == "SQLite" {
        "target/bench/scale.json"
    } else {
        "target/bench/scale-postgres.json"
    };
    std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    let failed: usize = runs
        .iter()
        .flat_map(|r| r.steps.iter())
        .map(|s| s.errors)
        .sum();
    anyhow::ensure!(failed == 0, "{failed} requests failed");
    Ok(())
}

struct Run {
    scale: usize,
    enterprises: usize,
    trainees: usize,
    rows: usize,
    steps: Vec<Step>,
    peak_mb: f64,
}

async fn run(scale: usize) -> anyhow::Result<(Run, &'static str)> {
    let work = std::env::temp_dir().join(format!("academy-scale-{}-{scale}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let bench_db = support::BenchDb::fresh(&work, &format!("scale{scale}")).await?;
    let db_label = bench_db.label();
    let db = academy_server::open_database(&bench_db.url).await?;
    let seeded = academy_server::seed::seed_scaled(&db, Path::new("content"), scale).await?;
    let rows = attend(&db).await?;
    let organiser = academy_app::admin::service::create_person(
        &db,
        &CurrentUser::with_roles(0, "benchmark", &[Role::Admin]),
        academy_app::admin::service::PersonForCreate {
            name: "督导员".into(),
            phone: None,
            email: Some("organiser@example.com".into()),
            tier: None,
            roles: vec![Role::Organiser],
            district_id: None,
        },
    )
    .await?;
    let token =
        academy_app::auth::service::create_session(&db, organiser.id, None, chrono::Utc::now())
            .await?;
    let cookie = Arc::new(format!("academy_session={token}"));
    // The auditors' full day (morning and afternoon): the largest roll call.
    let full_day = session::Entity::find()
        .filter(session::Column::Number.eq(3))
        .one(&db)
        .await?
        .map(|s| s.id)
        .ok_or_else(|| anyhow::anyhow!("the 2014 programme has no session 3"))?;
    db.close().await?;

    let (mut server, pid, base) = start_server(&bench_db.url, &[]).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let get = |path: String, expect: &'static str| {
        let (client, base, cookie) = (client.clone(), base.clone(), cookie.clone());
        move |_: usize| {
            let f = client
                .get(format!("{base}{path}"))
                .header("cookie", cookie.as_str())
                .send();
            async move {
                match f.await {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(body) if expect.is_empty() => {
                            // A spreadsheet: an XLSX file is a zip archive.
                            if body.starts_with(b"PK") {
                                Ok(())
                            } else {
                                Err("not an XLSX file".into())
                            }
                        }
                        Ok(body) if String::from_utf8_lossy(&body).contains(expect) => Ok(()),
                        Ok(_) => Err("page without its content".into()),
                        Err(e) => Err(format!("body: {e}")),
                    },
                    other => support::outcome(other),
                }
            }
        }
    };
    let baseline = run_step("healthz (baseline)", ORGANISERS, |_| {
        let f = client.get(format!("{base}/healthz")).send();
        async move { support::outcome(f.await) }
    })
    .await
    .peak(pid);
    let steps = vec![
        run_step(
            "progress dashboard /progress",
            ORGANISERS,
            get("/progress".into(), "天津示例"),
        )
        .await
        .peak(pid),
        run_step(
            "progress export (XLSX)",
            ORGANISERS,
            get("/exports/progress/progress.xlsx".into(), ""),
        )
        .await
        .peak(pid),
        run_step(
            "trainee hours export (XLSX)",
            ORGANISERS,
            get("/exports/attendance/trainees.xlsx".into(), ""),
        )
        .await
        .peak(pid),
        run_step(
            "certificate board /certificates",
            ORGANISERS,
            get("/certificates".into(), "天津示例"),
        )
        .await
        .peak(pid),
        run_step(
            "roll call of the full day",
            ORGANISERS,
            get(format!("/sessions/{full_day}/attendance"), "天津示例"),
        )
        .await
        .peak(pid),
    ];
    let mut all: Vec<&Step> = vec![&baseline];
    all.extend(steps.iter());
    let peak_mb = support::run_peak_mb(&all, pid);
    server.kill().await.ok();
    let _ = std::fs::remove_dir_all(&work);
    bench_db.remove().await;

    println!(
        "\nscale ×{scale}: {} enterprises, {} trainees, {rows} attendance rows; {ORGANISERS} organisers at once, release server on {db_label}, {} cores",
        seeded.enterprises,
        seeded.people,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    print_table(&all, &baseline);
    println!("server peak resident memory: {peak_mb:.1} MB");
    let mut with_baseline = vec![baseline];
    with_baseline.extend(steps);
    Ok((
        Run {
            scale,
            enterprises: seeded.enterprises,
            trainees: seeded.people,
            rows,
            steps: with_baseline,
            peak_mb,
        },
        db_label,
    ))
}

/// Every trainee's seat in their tier's sessions and attendance at each period: nine in ten present, the
/// tenth absent. Returns the rows written.
async fn attend(db: &sea_orm::DatabaseConnection) -> anyhow::Result<usize> {
    let p = programme::Entity::find()
        .order_by_desc(programme::Column::StartsOn)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no programme"))?;
    let tz = academy_app::scheduling::service::tz_of(&p.timezone);
    let sessions = session::Entity::find()
        .filter(session::Column::ProgrammeId.eq(p.id))
        .all(db)
        .await?;
    let people = person::Entity::find()
        .filter(person::Column::Tier.is_not_null())
        .all(db)
        .await?;
    let now = chrono::Utc::now();
    let mut rows = Vec::new();
    let mut seats = Vec::new();
    for s in &sessions {
        let tiers: Vec<String> = serde_json::from_str(&s.tiers)?;
        let periods = academy_app::scheduling::service::periods_of(s, tz).len();
        for (n, person) in people.iter().enumerate() {
            if !person.tier.as_ref().is_some_and(|t| tiers.contains(t)) {
                continue;
            }
            // The roll call lists those holding a seat: everyone of the session's tiers is in.
            seats.push(enrolment::ActiveModel {
                session_id: Set(s.id),
                person_id: Set(person.id),
                status: Set("enrolled".into()),
                seq: Set(seats.len() as i64 + 1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
            for period in 0..periods {
                let status = if n % 10 == 9 { "absent" } else { "present" };
                rows.push(attendance::ActiveModel {
                    session_id: Set(s.id),
                    person_id: Set(person.id),
                    period: Set(period as i32),
                    status: Set(status.into()),
                    note: Set(String::new()),
                    method: Set("manual".into()),
                    checked_in_at: Set(None),
                    updated_by: Set(None),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
        }
    }
    for chunk in seats.chunks(academy_app::db::BATCH) {
        enrolment::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rows.chunks(academy_app::db::BATCH) {
        attendance::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(rows.len())
}
