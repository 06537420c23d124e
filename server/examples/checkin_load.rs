//! The whole programme arriving within a minute: N trainees (500 by default), all enrolled in one
//! running session, scan the projected code: half of them spread evenly over 60 s, as people walk
//! in, then the other half at the same instant. Runs against the release `academy`
//! binary on a fresh SQLite file from this second process, on loopback; reports p50/p95/p99 of
//! the check-in request, errors, the server's peak memory, the bare `/healthz` baseline of the
//! same run, and proves from the database that no check-in was lost or doubled: every trainee
//! has exactly one attendance row, and a second scan by everyone changes nothing.
//!
//! ```sh
//! bash .ci/bench            # builds the release server, then runs this and the quiz benchmark
//! cargo run --release -p academy --example checkin_load -- 500
//! ```
mod support;

use std::path::Path;
use std::sync::Arc;

use academy_app::attendance::entity::attendance;
use academy_app::attendance::rules::{sign, slot_of, Token};
use academy_app::scheduling::entity::{enrolment, session};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::json;
use support::{outcome, print_table, run_step, start_server};

const SECRET: &str = "benchmark secret";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let trainees: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500);
    let work = std::env::temp_dir().join(format!("academy-checkin-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let bench_db = support::BenchDb::fresh(&work, "checkin").await?;
    let url = bench_db.url.clone();
    let db_label = bench_db.label();

    // The content, N trainees with sessions, all enrolled in 第三期, which is moved to now.
    let db = academy_server::open_database(&url).await?;
    academy_server::content_cmd::sync(&db, Path::new("content")).await?;
    let now = Utc::now();
    let (ids, cookies) = support::trainees(&db, trainees, "1380").await?;
    let s = session::Entity::find()
        .filter(session::Column::Number.eq(3))
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the programme has no session 3"))?;
    let mut moved: session::ActiveModel = s.into();
    moved.starts_at = Set(now - Duration::minutes(5));
    moved.ends_at = Set(now + Duration::hours(3));
    // One period: the file's morning and afternoon are on 15 July 2014, not today.
    moved.periods = Set(String::new());
    moved.capacity = Set(trainees.max(1) as i32);
    let s = moved.update(&db).await?;
    for (n, chunk) in ids.chunks(500).enumerate() {
        enrolment::Entity::insert_many(chunk.iter().enumerate().map(|(k, id)| {
            enrolment::ActiveModel {
                session_id: Set(s.id),
                person_id: Set(*id),
                status: Set("enrolled".into()),
                seq: Set((n * 500 + k) as i64),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        }))
        .exec(&db)
        .await?;
    }
    // Codes change every 60 s here, so the whole burst uses one code, as a room does.
    let (mut server, pid, base) = start_server(
        &url,
        &[
            ("ACADEMY_SECRET", SECRET),
            ("ACADEMY_CHECKIN_ROTATE_SECONDS", "60"),
            ("ACADEMY_CHECKIN_GRACE_SECONDS", "60"),
        ],
    )
    .await?;
    let client = reqwest::Client::new();
    let baseline = run_step("healthz (baseline)", trainees, |_| {
        let client = client.clone();
        let url = format!("{base}/healthz");
        async move { outcome(client.get(url).send().await) }
    })
    .await
    .peak(pid);
    let token = sign(
        SECRET.as_bytes(),
        Token {
            session: s.id,
            slot: slot_of(Utc::now().timestamp(), 60),
        },
    );
    let body = format!("token={token}");
    let cookies = Arc::new(cookies);
    let scan = |i: usize| {
        let client = client.clone();
        let url = format!("{base}/api/check_in");
        let (cookie, body) = (cookies[i].clone(), body.clone());
        async move {
            outcome(
                client
                    .post(url)
                    .header("cookie", cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await,
            )
        }
    };
    // Half the room arrives over a minute, as people walk in; then the other half at once.
    let half = trainees / 2;
    let paced = support::run_paced(
        "check-in (spread over 60 s)",
        half,
        std::time::Duration::from_secs(60),
        scan,
    )
    .await
    .peak(pid);
    let first = run_step("check-in (rest at once)", trainees - half, |i| {
        scan(half + i)
    })
    .await
    .peak(pid);
    let rows_after_first = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(s.id))
        .count(&db)
        .await?;
    let again = run_step("second scan (already in)", trainees, scan)
        .await
        .peak(pid);
    let rows_after_second = attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(s.id))
        .count(&db)
        .await?;
    let distinct: Vec<i64> = attendance::Entity::find()
        .select_only()
        .column(attendance::Column::PersonId)
        .distinct()
        .filter(attendance::Column::SessionId.eq(s.id))
        .into_tuple()
        .all(&db)
        .await?;
    let peak_mb = support::run_peak_mb(&[&baseline, &paced, &first, &again], pid);
    server.kill().await.ok();
    db.close().await?;
    let _ = std::fs::remove_dir_all(&work);
    bench_db.remove().await;

    let steps = [&baseline, &paced, &first, &again];
    println!(
        "\ncheck-in load: {trainees} trainees (half over 60 s, half at once), release server on {db_label}, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    print_table(&steps, &baseline);
    println!(
        "attendance rows: {rows_after_first} after the burst, {rows_after_second} after everyone \
         scanned again, {} distinct trainees (expected {trainees} each)",
        distinct.len()
    );
    println!("server peak resident memory: {peak_mb:.1} MB");
    let report = json!({
        "scenario": "checkin", "trainees": trainees, "database": bench_db.backend,
        "steps": support::json_steps(&steps),
        "rows_after_burst": rows_after_first, "rows_after_second_scan": rows_after_second,
        "server_peak_rss_mb": peak_mb,
    });
    std::fs::create_dir_all("target/bench")?;
    std::fs::write(
        bench_db.report_path("checkin"),
        serde_json::to_string_pretty(&report)?,
    )?;
    let failed = paced.errors + first.errors + again.errors;
    anyhow::ensure!(failed == 0, "{failed} check-in requests failed");
    anyhow::ensure!(
        rows_after_first == trainees as u64
            && rows_after_second == trainees as u64
            && distinct.len() == trainees,
        "check-ins lost or doubled"
    );
    Ok(())
}
