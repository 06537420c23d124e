//! The quiz moment that strains Moodle: N trainees (2,000 by default) start the same quiz at the
//! same second, each saves five answers, then all submit. Runs against the release `academy`
//! binary on a fresh SQLite file, from this second process, on loopback only; reports p50/p95/p99
//! per step, errors, the server's peak memory, and in the same run the bare `/healthz`
//! throughput as the baseline.
//!
//! ```sh
//! bash .ci/bench            # builds the release server, then runs this
//! cargo run --release -p academy --example quiz_load -- 2000
//! ```
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use academy_app::people::entity::{person, person_role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde_json::{json, Value};
use tokio::sync::Barrier;

struct Step {
    name: &'static str,
    latencies: Vec<Duration>,
    errors: usize,
    /// Failures by kind: `http 500`, `connect`, `timeout`, ...
    kinds: std::collections::BTreeMap<String, usize>,
    wall: Duration,
}

/// A response's outcome: fine, or what went wrong (an HTTP status or a transport failure).
fn outcome(res: Result<reqwest::Response, reqwest::Error>) -> Result<(), String> {
    match res {
        Ok(r) if r.status().is_success() || r.status().is_redirection() => Ok(()),
        Ok(r) => Err(format!("http {}", r.status().as_u16())),
        Err(e) if e.is_connect() => Err("connect".into()),
        Err(e) if e.is_timeout() => Err("timeout".into()),
        Err(e) => Err(format!(
            "transport: {}",
            std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.to_string())
        )),
    }
}

impl Step {
    fn pct(&self, p: f64) -> f64 {
        let mut v: Vec<f64> = self
            .latencies
            .iter()
            .map(|d| d.as_secs_f64() * 1000.0)
            .collect();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return 0.0;
        }
        let i = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
        v[i.min(v.len() - 1)]
    }
    fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    fn json(&self) -> Value {
        json!({"step": self.name, "requests": self.latencies.len() + self.errors, "errors": self.errors, "error_kinds": self.kinds,
               "rps": self.rps(), "p50_ms": self.pct(50.0), "p95_ms": self.pct(95.0), "p99_ms": self.pct(99.0)})
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let trainees: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let bin = std::env::var("ACADEMY_BIN").unwrap_or_else(|_| format!("{target}/release/academy"));
    let work = std::env::temp_dir().join(format!("academy-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let url = format!("sqlite://{}", work.join("bench.db").display());

    // The data: the content (courses, quizzes, the 2014 programme) and N signed-in trainees.
    let db = academy_server::open_database(&url).await?;
    academy_server::content_cmd::sync(&db, Path::new("content")).await?;
    let now = chrono::Utc::now();
    let rows: Vec<person::ActiveModel> = (0..trainees)
        .map(|i| person::ActiveModel {
            name: Set(format!("压测学员{i:05}")),
            phone: Set(Some(format!("1390{i:07}"))),
            email: Set(None),
            enterprise_id: Set(None),
            tier: Set(Some("auditor".into())),
            job_title: Set(None),
            locale: Set("zh-CN".into()),
            password_hash: Set(None),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        person::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await?;
    }
    let ids: Vec<i64> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Phone.like("1390%"))
        .into_tuple()
        .all(&db)
        .await?;
    for chunk in ids.chunks(500) {
        person_role::Entity::insert_many(chunk.iter().map(|id| person_role::ActiveModel {
            person_id: Set(*id),
            role: Set("trainee".into()),
            district_id: Set(None),
        }))
        .exec(&db)
        .await?;
    }
    let mut cookies = Vec::new();
    for id in &ids {
        let token = academy_app::auth::service::create_session(&db, *id, None, now).await?;
        cookies.push(format!("academy_session={token}"));
    }
    db.close().await?;

    // The release server, in its own process.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = tokio::process::Command::new(&bin)
        .env("DATABASE_URL", &url)
        .env("ACADEMY_ADDR", format!("127.0.0.1:{port}"))
        .env("ACADEMY_SYNC_CONTENT", "false")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            anyhow::anyhow!("cannot start {bin}: {e} (build it: cargo leptos build --release)")
        })?;
    let pid = server.id().unwrap_or(0);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut ready = false;
    for _ in 0..200 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::ensure!(ready, "the server did not come up");

    // Baseline: /healthz with as many requests in flight as trainees, same client.
    let baseline = run_step("healthz (baseline)", trainees, |_| {
        let client = client.clone();
        let url = format!("{base}/healthz");
        async move { outcome(client.get(url).send().await) }
    })
    .await;

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
    .await;

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
    let save = run_step("save answer (x5 each)", trainees * 5, |k| {
        let i = k % trainees;
        let (attempt, qs) = &sheets[i];
        let (q, kind) = qs.get(k / trainees).cloned().unwrap_or_default();
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
    .await;
    let submit = run_step("submit", trainees, |i| {
        let f = post(
            "submit_attempt",
            cookies[i].clone(),
            format!("attempt={}", sheets[i].0),
        );
        async move { outcome(f.await) }
    })
    .await;

    let peak_kb = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0);
    server.kill().await.ok();
    let _ = std::fs::remove_dir_all(&work);

    let steps = [&baseline, &start, &save, &submit];
    println!(
        "\nquiz load: {trainees} trainees at once, release server on SQLite, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    println!("| step | requests | errors | req/s | p50 ms | p95 ms | p99 ms | req/s vs /healthz |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for s in steps {
        println!(
            "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.2} |",
            s.name,
            s.latencies.len() + s.errors,
            s.errors,
            s.rps(),
            s.pct(50.0),
            s.pct(95.0),
            s.pct(99.0),
            s.rps() / baseline.rps()
        );
    }
    println!(
        "server peak resident memory: {:.1} MB",
        peak_kb as f64 / 1024.0
    );
    let report = json!({
        "scenario": "quiz", "trainees": trainees, "database": "sqlite",
        "steps": steps.iter().map(|s| s.json()).collect::<Vec<_>>(),
        "server_peak_rss_mb": peak_kb as f64 / 1024.0,
    });
    std::fs::create_dir_all("target/bench")?;
    std::fs::write(
        "target/bench/quiz.json",
        serde_json::to_string_pretty(&report)?,
    )?;
    let failed: usize = steps.iter().skip(1).map(|s| s.errors).sum();
    anyhow::ensure!(failed == 0, "{failed} requests failed");
    Ok(())
}

/// Runs `n` requests all at once (released together by a barrier) and times each.
async fn run_step<F, Fut>(name: &'static str, n: usize, make: F) -> Step
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n + 1));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let fut = make(i);
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let t = Instant::now();
            let ok = fut.await;
            (ok, t.elapsed())
        }));
    }
    barrier.wait().await;
    let began = Instant::now();
    let mut step = Step {
        name,
        latencies: Vec::with_capacity(n),
        errors: 0,
        kinds: Default::default(),
        wall: Duration::ZERO,
    };
    for t in tasks {
        match t.await {
            Ok((Ok(()), d)) => step.latencies.push(d),
            Ok((Err(kind), _)) => {
                step.errors += 1;
                *step.kinds.entry(kind).or_default() += 1;
            }
            Err(_) => {
                step.errors += 1;
                *step.kinds.entry("task panicked".into()).or_default() += 1;
            }
        }
    }
    step.wall = began.elapsed();
    step
}
