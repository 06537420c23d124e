//! What the load benchmarks share: timing a burst of requests, their percentiles, starting the
//! release server in its own process, and reading its peak memory.
#![allow(dead_code)]
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::Barrier;

pub struct Step {
    pub name: &'static str,
    pub latencies: Vec<Duration>,
    pub errors: usize,
    /// Failures by kind: `http 500`, `connect`, `timeout`, ...
    pub kinds: std::collections::BTreeMap<String, usize>,
    pub wall: Duration,
    /// The server's peak resident memory during the step, in MB, when the scenario measured it
    /// ([`Step::peak`]).
    pub peak_mb: Option<f64>,
}

/// A response's outcome: fine, or what went wrong (an HTTP status or a transport failure).
pub fn outcome(res: Result<reqwest::Response, reqwest::Error>) -> Result<(), String> {
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
    fn tally(&mut self, outcome: Result<(), String>, took: Duration) {
        match outcome {
            Ok(()) => self.latencies.push(took),
            Err(kind) => {
                self.errors += 1;
                *self.kinds.entry(kind).or_default() += 1;
            }
        }
    }
    pub fn pct(&self, p: f64) -> f64 {
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
    pub fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    pub fn json(&self) -> Value {
        json!({"step": self.name, "requests": self.latencies.len() + self.errors, "errors": self.errors, "error_kinds": self.kinds,
               "rps": self.rps(), "p50_ms": self.pct(50.0), "p95_ms": self.pct(95.0), "p99_ms": self.pct(99.0),
               "server_peak_rss_mb": self.peak_mb})
    }
    /// Records the server's peak memory since the last step (see [`take_peak_rss_mb`]), so a
    /// scenario shows which of its steps holds the memory.
    pub fn peak(mut self, pid: u32) -> Step {
        self.peak_mb = Some(take_peak_rss_mb(pid));
        self
    }
}

/// Runs `n` requests all at once (released together by a barrier) and times each.
pub async fn run_step<F, Fut>(name: &'static str, n: usize, make: F) -> Step
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
    collect(name, tasks, began).await
}

/// `n` people released together, each making `rounds` requests one after another (as a trainee
/// answers one question, then the next); every request is timed.
pub async fn run_rounds<F, Fut>(name: &'static str, n: usize, rounds: usize, make: F) -> Step
where
    F: Fn(usize, usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n + 1));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let futs: Vec<Fut> = (0..rounds).map(|r| make(i, r)).collect();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut timed = Vec::with_capacity(futs.len());
            for fut in futs {
                let t = Instant::now();
                let ok = fut.await;
                timed.push((ok, t.elapsed()));
            }
            timed
        }));
    }
    barrier.wait().await;
    let began = Instant::now();
    let mut step = Step {
        name,
        latencies: Vec::with_capacity(n * rounds),
        errors: 0,
        kinds: Default::default(),
        wall: Duration::ZERO,
        peak_mb: None,
    };
    for t in tasks {
        match t.await {
            Ok(timed) => {
                for (ok, d) in timed {
                    step.tally(ok, d);
                }
            }
            Err(_) => step.tally(Err("task panicked".into()), Duration::ZERO),
        }
    }
    step.wall = began.elapsed();
    step
}

/// `n` auditor trainees (phones `{prefix}0000000`…), each with a server-side session; returns
/// their ids and session cookies, in the same order.
pub async fn trainees(
    db: &sea_orm::DatabaseConnection,
    n: usize,
    prefix: &str,
) -> anyhow::Result<(Vec<i64>, Vec<String>)> {
    use academy_app::people::entity::{person, person_role};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
    let now = chrono::Utc::now();
    let rows: Vec<person::ActiveModel> = (0..n)
        .map(|i| person::ActiveModel {
            name: Set(format!("压测学员{prefix}{i:05}")),
            phone: Set(Some(format!("{prefix}{i:07}"))),
            email: Set(Some(format!("trainee{prefix}{i:07}@bench.example"))),
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
        person::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    let ids: Vec<i64> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .filter(person::Column::Phone.like(format!("{prefix}%")))
        .order_by_asc(person::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for chunk in ids.chunks(500) {
        person_role::Entity::insert_many(chunk.iter().map(|id| person_role::ActiveModel {
            person_id: Set(*id),
            role: Set("trainee".into()),
            district_id: Set(None),
        }))
        .exec(db)
        .await?;
    }
    let mut cookies = Vec::with_capacity(ids.len());
    for id in &ids {
        let token = academy_app::auth::service::create_session(db, *id, None, now).await?;
        cookies.push(format!("academy_session={token}"));
    }
    Ok((ids, cookies))
}

/// Runs `n` requests started at even intervals over `over`, and times each.
pub async fn run_paced<F, Fut>(name: &'static str, n: usize, over: Duration, make: F) -> Step
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let began = Instant::now();
    let gap = over / (n.max(1) as u32);
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        tokio::time::sleep_until(tokio::time::Instant::from_std(began + gap * i as u32)).await;
        let fut = make(i);
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = fut.await;
            (ok, t.elapsed())
        }));
    }
    collect(name, tasks, began).await
}

type Timed = tokio::task::JoinHandle<(Result<(), String>, Duration)>;

/// Waits for every timed request of a step and tallies latencies and failures by kind.
async fn collect(name: &'static str, tasks: Vec<Timed>, began: Instant) -> Step {
    let mut step = Step {
        name,
        latencies: Vec::with_capacity(tasks.len()),
        errors: 0,
        kinds: Default::default(),
        wall: Duration::ZERO,
        peak_mb: None,
    };
    for t in tasks {
        match t.await {
            Ok((ok, d)) => step.tally(ok, d),
            Err(_) => step.tally(Err("task panicked".into()), Duration::ZERO),
        }
    }
    step.wall = began.elapsed();
    step
}

/// The release server on a free loopback port with this database and extra environment; waits
/// until `/healthz` answers. Returns the child (killed on drop), its pid and base URL.
pub async fn start_server(
    database_url: &str,
    env: &[(&str, &str)],
) -> anyhow::Result<(tokio::process::Child, u32, String)> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let bin = std::env::var("ACADEMY_BIN").unwrap_or_else(|_| format!("{target}/release/academy"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cmd = tokio::process::Command::new(&bin);
    cmd.env("DATABASE_URL", database_url)
        .env("ACADEMY_ADDR", format!("127.0.0.1:{port}"))
        .env("ACADEMY_SYNC_CONTENT", "false")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let server = cmd.spawn().map_err(|e| {
        anyhow::anyhow!("cannot start {bin}: {e} (build it: cargo leptos build --release)")
    })?;
    let pid = server.id().unwrap_or(0);
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok((server, pid, base));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the server did not come up")
}

/// The peak resident memory of a process, in MB (Linux).
pub fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0) as f64
        / 1024.0
}

/// The server's peak resident memory since it started or since the last call, in MB, and the
/// peak set back to what it holds now (Linux: `5` written to `/proc/<pid>/clear_refs`), so the
/// next call measures the next step alone. The run's peak is the largest of these.
pub fn take_peak_rss_mb(pid: u32) -> f64 {
    let peak = peak_rss_mb(pid);
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    peak
}

/// The run's peak memory, in MB: the largest of its steps' peaks and of what came since.
pub fn run_peak_mb(steps: &[&Step], pid: u32) -> f64 {
    steps
        .iter()
        .filter_map(|s| s.peak_mb)
        .fold(peak_rss_mb(pid), f64::max)
}

/// Prints the Markdown table of steps, each also as a ratio of the baseline's requests/s.
pub fn print_table(steps: &[&Step], baseline: &Step) {
    println!("| step | requests | errors | req/s | p50 ms | p95 ms | p99 ms | req/s vs /healthz | server peak MB |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for s in steps {
        println!(
            "| {} | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.2} | {} |",
            s.name,
            s.latencies.len() + s.errors,
            s.errors,
            s.rps(),
            s.pct(50.0),
            s.pct(95.0),
            s.pct(99.0),
            s.rps() / baseline.rps(),
            s.peak_mb.map_or("–".to_string(), |mb| format!("{mb:.0}"))
        );
    }
}

pub fn json_steps(steps: &[&Step]) -> Vec<Value> {
    steps.iter().map(|s| s.json()).collect()
}

/// A benchmark's fresh database: a SQLite file in `work`, or, when `BENCH_POSTGRES` holds a
/// PostgreSQL server URL (`postgres://postgres@127.0.0.1:5432/postgres`), a new database on that
/// server, dropped again by [`BenchDb::remove`].
pub struct BenchDb {
    pub url: String,
    /// `sqlite` or `postgres`, as the reports name it.
    pub backend: &'static str,
    pg: Option<(String, String)>,
}

impl BenchDb {
    pub async fn fresh(work: &std::path::Path, scenario: &str) -> anyhow::Result<BenchDb> {
        use sea_orm::ConnectionTrait;
        let Some(server) = std::env::var("BENCH_POSTGRES")
            .ok()
            .filter(|s| !s.trim().is_empty())
        else {
            return Ok(BenchDb {
                url: format!("sqlite://{}", work.join("bench.db").display()),
                backend: "sqlite",
                pg: None,
            });
        };
        let name = format!("academy_bench_{scenario}_{}", std::process::id());
        let admin = sea_orm::Database::connect(&server).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        admin.close().await?;
        let (base, query) = match server.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (server.as_str(), None),
        };
        let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
        let host = match base[scheme_end..].find('/') {
            Some(slash) => &base[..scheme_end + slash],
            None => base,
        };
        let url = match query {
            Some(q) => format!("{host}/{name}?{q}"),
            None => format!("{host}/{name}"),
        };
        Ok(BenchDb {
            url,
            backend: "postgres",
            pg: Some((server, name)),
        })
    }

    /// "SQLite" or "PostgreSQL", for the printed heading.
    pub fn label(&self) -> &'static str {
        match self.backend {
            "postgres" => "PostgreSQL",
            _ => "SQLite",
        }
    }

    /// Where the scenario's JSON report goes: `target/bench/<scenario>.json` on SQLite,
    /// `target/bench/<scenario>-postgres.json` on PostgreSQL.
    pub fn report_path(&self, scenario: &str) -> String {
        match self.backend {
            "postgres" => format!("target/bench/{scenario}-postgres.json"),
            _ => format!("target/bench/{scenario}.json"),
        }
    }

    pub async fn remove(&self) {
        use sea_orm::ConnectionTrait;
        if let Some((server, name)) = &self.pg {
            if let Ok(admin) = sea_orm::Database::connect(server.as_str()).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
                admin.close().await.ok();
            }
        }
    }
}
