//! The quiz moment that strains Moodle: N trainees (2,000 by default) start the same quiz at the
//! same second, each saves five answers one after another (all trainees at once), then all
//! submit. Runs against the release `academy`
//! binary on a fresh SQLite file, from this second process, on loopback only; reports p50/p95/p99
//! per step, errors, the server's peak memory, and in the same run the bare `/healthz`
//! throughput as the baseline.
//!
//! ```sh
//! bash .ci/bench            # builds the release server, then runs this
//! cargo run --release -p academy --example quiz_load -- 2000
//! ```
mod support;

use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};
use support::{outcome, print_table, run_rounds, run_step, start_server};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let trainees: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let work = std::env::temp_dir().join(format!("academy-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let bench_db = support::BenchDb::fresh(&work, "quiz").await?;
    let url = bench_db.url.clone();
    let db_label = bench_db.label();

    // The data: the content (courses, quizzes, the 2014 programme) and N signed-in trainees.
    let db = academy_server::open_database(&url).await?;
    academy_server::content_cmd::sync(&db, Path::new("content")).await?;
    let (_, cookies) = support::trainees(&db, trainees, "1390").await?;
    db.close().await?;

    // The release server, in its own process.
    let (mut server, pid, base) = start_server(&url, &[]).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    // Baseline: /healthz with as many requests in flight as trainees, same client.
    let baseline = run_step("healthz (baseline)", trainees, |_| {
        let client = client.clone();
        let url = format!("{base}/healthz");
        async move { outcome(client.get(url).send().await) }
    })
    .await
    .peak(pid);

    let post = |path: &'static str, cookie: String, body: String| {
        let client = client.clone();
        let url = format!("{base}/api/{path}");
        async move {
            client
                .post(url)
                .header("cookie", cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
        }
    };

    let cookies = Arc::new(cookies);
    let start = run_step("start attempt", trainees, |i| {
        let f = post("start_attempt", cookies[i].clone(), "course=boilers".into());
        async move { outcome(f.await) }
    })
    .await
    .peak(pid);

    // Each trainee's attempt and questions (not timed: it is the page load between steps).
    let mut sheets: Vec<(i64, Vec<(i64, String)>)> = Vec::new();
    for c in cookies.iter() {
        let overview: Value = post("quiz_overview", c.clone(), "course=boilers".into())
            .await?
            .json()
            .await?;
        let id = overview["open_attempt"].as_i64().unwrap_or(0);
        let sheet: Value = post("attempt_view", c.clone(), format!("attempt={id}"))
            .await?
            .json()
            .await?;
        let qs = sheet["questions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|q| Some((q["id"].as_i64()?, q["kind"].as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        sheets.push((id, qs));
    }
    let sheets = Arc::new(sheets);
    // The save step's peak is its own, not the (sequential) reading of the sheets above.
    support::take_peak_rss_mb(pid);
    // Everyone answers five questions, one after another, all at the same time.
    let save = run_rounds("save answer (5 in turn each)", trainees, 5, |i, round| {
        let (attempt, qs) = &sheets[i];
        let (q, kind) = qs.get(round).cloned().unwrap_or_default();
        // An answer of the question's kind: the first option, "true", or some text.
        let answer = match kind.as_str() {
            "true_false" => "true",
            "fill" => "1.75",
            _ => "0",
        };
        let f = post(
            "save_answer",
            cookies[i].clone(),
            format!("attempt={attempt}&question={q}&answer={answer}"),
        );
        async move { outcome(f.await) }
    })
    .await
    .peak(pid);
    let submit = run_step("submit", trainees, |i| {
        let f = post(
            "submit_attempt",
            cookies[i].clone(),
            format!("attempt={}", sheets[i].0),
        );
        async move { outcome(f.await) }
    })
    .await
    .peak(pid);

    let peak_mb = support::run_peak_mb(&[&baseline, &start, &save, &submit], pid);
    server.kill().await.ok();
    let _ = std::fs::remove_dir_all(&work);
    bench_db.remove().await;

    let steps = [&baseline, &start, &save, &submit];
    println!(
        "\nquiz load: {trainees} trainees at once, release server on {db_label}, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    print_table(&steps, &baseline);
    println!("server peak resident memory: {:.1} MB", peak_mb);
    let report = json!({
        "scenario": "quiz", "trainees": trainees, "database": bench_db.backend,
        "steps": steps.iter().map(|s| s.json()).collect::<Vec<_>>(),
        "server_peak_rss_mb": peak_mb,
    });
    std::fs::create_dir_all("target/bench")?;
    std::fs::write(
        bench_db.report_path("quiz"),
        serde_json::to_string_pretty(&report)?,
    )?;
    let failed: usize = steps.iter().skip(1).map(|s| s.errors).sum();
    anyhow::ensure!(failed == 0, "{failed} requests failed");
    Ok(())
}
