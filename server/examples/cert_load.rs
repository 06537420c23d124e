//! Certificates at scale: every trainee of the 2014 programme (500) is issued a
//! certificate and its message is queued in one transaction; the PDFs are rendered on all cores;
//! then the release server's mail worker sends all of them, PDF attached, to an SMTP server on
//! loopback (`academy_server::smtp_sink`). Reports the time of each stage, the send rate, that
//! every message arrived once, and the server's peak memory.
//!
//! ```sh
//! bash .ci/bench      # builds the release server, then runs every benchmark
//! cargo run --release -p academy --example cert_load
//! ```
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use academy_app::auth::{CurrentUser, Role};
use academy_app::certificate::entity::certificate;
use academy_app::mail::entity::outbox;
use academy_app::people::entity::person_role;
use academy_app::scheduling::entity::programme;
use academy_server::smtp_sink::SmtpSink;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde_json::json;
use support::{peak_rss_mb, start_server};

/// Certificates issued and sent: one for each trainee of the 2014 programme.
const TRAINEES: usize = 500;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let work = std::env::temp_dir().join(format!("academy-certs-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let bench_db = support::BenchDb::fresh(&work, "certificates").await?;
    let url = bench_db.url.clone();
    let db_label = bench_db.label();
    let public_url = "http://127.0.0.1:3000";

    // The 2014 programme with its trainees; the rule asks for no hours and no quiz, so every
    // trainee with a session is eligible.
    let db = academy_server::open_database(&url).await?;
    academy_server::seed::seed_demo(&db, Path::new("content")).await?;
    programme::Entity::update_many()
        .col_expr(programme::Column::MinAttendancePercent, 0.into())
        .col_expr(programme::Column::RequireQuiz, false.into())
        .exec(&db)
        .await?;
    // The demo has 491 delegates (the report's "近500人"); the benchmark tops them up to 500
    // trainees of the auditors' tier.
    let have = person_role::Entity::find()
        .filter(person_role::Column::Role.eq(Role::Trainee.code()))
        .count(&db)
        .await? as usize;
    if have < TRAINEES {
        support::trainees(&db, TRAINEES - have, "1390").await?;
    }
    let organiser = academy_app::admin::service::create_person(
        &db,
        &CurrentUser::with_roles(0, "benchmark", &[Role::Admin]),
        academy_app::admin::service::PersonForCreate {
            name: "发证人".into(),
            phone: None,
            email: Some("organiser@example.com".into()),
            tier: None,
            roles: vec![Role::Organiser],
            district_id: None,
        },
    )
    .await?;
    let organiser = academy_app::auth::service::load_user(&db, organiser.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the organiser was not created"))?;

    // 1. Issue and queue: certificates and their messages, one transaction.
    let began = Instant::now();
    let report = academy_app::certificate::service::issue(
        &db,
        &organiser,
        academy_app::certificate::service::Pick::default(),
        public_url,
        chrono::Utc::now(),
    )
    .await?;
    let queue_time = began.elapsed();
    let n = report.issued as usize;
    let queued = outbox::Entity::find().count(&db).await? as usize;

    // 2. Render every PDF, on every core.
    let serials: Vec<String> = certificate::Entity::find()
        .select_only()
        .column(certificate::Column::Serial)
        .into_tuple()
        .all(&db)
        .await?;
    let began = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let mut bytes = 0usize;
    for serial in serials.clone() {
        let db = db.clone();
        set.spawn(async move {
            academy_app::certificate::service::render_pdf(&db, &serial, public_url).await
        });
    }
    while let Some(done) = set.join_next().await {
        bytes += done??.len();
    }
    let gen_time = began.elapsed();

    // 3. Send: the release server's worker delivers every queued message to the SMTP sink.
    let sink = SmtpSink::start().await?;
    let port = sink.addr.port().to_string();
    let began = Instant::now();
    let (mut server, pid, _) = start_server(
        &url,
        &[
            ("ACADEMY_SMTP_HOST", "127.0.0.1"),
            ("ACADEMY_SMTP_PORT", &port),
            ("ACADEMY_SMTP_TLS", "none"),
            ("ACADEMY_PUBLIC_URL", public_url),
        ],
    )
    .await?;
    let arrived = sink.wait_for(n, Duration::from_secs(300)).await;
    let send_time = began.elapsed();
    let received = sink.received();
    let first_to_last = match (received.first(), received.last()) {
        (Some(a), Some(b)) => b.at.duration_since(a.at),
        _ => Duration::ZERO,
    };
    // The last "250" is in; its database write follows.
    let mut sent = 0;
    for _ in 0..100 {
        sent = outbox::Entity::find()
            .filter(outbox::Column::Status.eq("sent"))
            .count(&db)
            .await?;
        if sent as usize >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids: std::collections::HashSet<String> =
        received.iter().filter_map(|r| r.message_id()).collect();
    let peak_mb = peak_rss_mb(pid);
    server.kill().await.ok();
    db.close().await?;
    let _ = std::fs::remove_dir_all(&work);
    bench_db.remove().await;

    let cores = std::thread::available_parallelism()
        .map(|c| c.get())
        .unwrap_or(0);
    println!("\ncertificates: {n} issued, release build on {db_label}, {cores} cores");
    println!("| stage | count | seconds | per second |");
    println!("| --- | ---: | ---: | ---: |");
    for (stage, count, t) in [
        ("issue + queue (one transaction)", n, queue_time),
        ("render the PDFs (all cores)", serials.len(), gen_time),
        (
            "send to SMTP (server start to last arrival)",
            arrived,
            send_time,
        ),
    ] {
        println!(
            "| {stage} | {count} | {:.2} | {:.0} |",
            t.as_secs_f64(),
            count as f64 / t.as_secs_f64()
        );
    }
    println!(
        "queued {queued}, arrived {arrived}, distinct Message-IDs {}, marked sent {sent}; PDFs {:.1} KB each on average",
        ids.len(),
        bytes as f64 / serials.len().max(1) as f64 / 1024.0
    );
    println!("server peak resident memory: {peak_mb:.1} MB");
    let out = Path::new("target/bench");
    std::fs::create_dir_all(out)?;
    std::fs::write(
        bench_db.report_path("certificates"),
        serde_json::to_string_pretty(&json!({
            "database": bench_db.backend,
            "certificates": n,
            "cores": cores,
            "issue_and_queue_s": queue_time.as_secs_f64(),
            "render_s": gen_time.as_secs_f64(),
            "send_s": send_time.as_secs_f64(),
            "send_first_to_last_s": first_to_last.as_secs_f64(),
            "arrived": arrived,
            "distinct_message_ids": ids.len(),
            "server_peak_rss_mb": peak_mb,
        }))?,
    )?;
    if arrived != n || ids.len() != n {
        anyhow::bail!("{arrived} of {n} messages arrived ({} distinct)", ids.len());
    }
    Ok(())
}
