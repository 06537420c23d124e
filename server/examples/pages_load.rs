//! The pages a trainee reads and the door they come in by: N signed-in trainees (500 by default)
//! ask at the same instant for the catalog, a course page and a lesson (server-rendered HTML),
//! and M trainees (100 by default) sign in at once with a password (argon2, on purpose slow).
//! Runs against the release `academy` binary on a fresh database (SQLite, or PostgreSQL with
//! `BENCH_POSTGRES`), from this second process on loopback; the bare `/healthz` at the same
//! concurrency is the baseline. Target: the pages at 30% or more of the baseline's requests/s.
//!
//! ```sh
//! cargo run --release -p academy --example pages_load -- 500 100
//! ```
mod support;

use std::path::Path;
use std::sync::Arc;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use support::{outcome, peak_rss_mb, print_table, run_step, start_server};

const PASSWORD: &str = "bench-pass-2014";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<usize>().ok());
    let readers = args.next().unwrap_or(500);
    let signing_in = args.next().unwrap_or(100).min(readers);
    let work = std::env::temp_dir().join(format!("academy-pages-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let bench_db = support::BenchDb::fresh(&work, "pages").await?;
    let url = bench_db.url.clone();
    let db_label = bench_db.label();

    // The content and N trainees with sessions; the first M also get a password.
    let db = academy_server::open_database(&url).await?;
    academy_server::content_cmd::sync(&db, Path::new("content")).await?;
    let (ids, cookies) = support::trainees(&db, readers, "1370").await?;
    let hash = academy_app::auth::service::hash_password(PASSWORD)
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    {
        use academy_app::people::entity::person;
        use sea_orm::sea_query::Expr;
        person::Entity::update_many()
            .col_expr(person::Column::PasswordHash, Expr::value(hash))
            .filter(person::Column::Id.is_in(ids.iter().take(signing_in).copied()))
            .exec(&db)
            .await?;
    }
    db.close().await?;

    let (mut server, pid, base) = start_server(&url, &[]).await?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookies = Arc::new(cookies);

    let baseline = run_step("healthz (baseline)", readers, |_| {
        let f = client.get(format!("{base}/healthz")).send();
        async move { outcome(f.await) }
    })
    .await;
    // A page counts only when it is the page: HTML that holds what it should.
    let page = |path: &'static str, expect: &'static str| {
        let (client, base, cookies) = (client.clone(), base.clone(), cookies.clone());
        move |i: usize| {
            let f = client
                .get(format!("{base}{path}"))
                .header("cookie", cookies[i].clone())
                .send();
            async move {
                let res = f.await;
                let res = match res {
                    Ok(r) if r.status().is_success() => r,
                    other => return outcome(other),
                };
                match res.text().await {
                    Ok(body) if body.contains(expect) => Ok(()),
                    Ok(_) => Err("page without its content".into()),
                    Err(e) => Err(format!("body: {e}")),
                }
            }
        }
    };
    let catalog = run_step("catalog /courses", readers, page("/courses", "工业锅炉")).await;
    let course = run_step(
        "course page /courses/boilers",
        readers,
        page("/courses/boilers", "热平衡"),
    )
    .await;
    let lesson = run_step(
        "lesson page",
        readers,
        page("/lessons/boilers-01-heat-balance", "热平衡"),
    )
    .await;
    let sign_in = run_step("sign-in (password)", signing_in, |i| {
        let f = client
            .post(format!("{base}/api/sign_in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("identifier=1370{i:07}&password={PASSWORD}"))
            .send();
        async move {
            match f.await {
                Ok(r) if r.status().is_success() && r.headers().contains_key("set-cookie") => {
                    Ok(())
                }
                Ok(r) if r.status().is_success() => Err("refused".into()),
                other => outcome(other),
            }
        }
    })
    .await;

    let peak_mb = peak_rss_mb(pid);
    server.kill().await.ok();
    let _ = std::fs::remove_dir_all(&work);
    bench_db.remove().await;

    let steps = [&baseline, &catalog, &course, &lesson, &sign_in];
    println!(
        "\npages: {readers} signed-in readers at once, {signing_in} signing in at once, release server on {db_label}, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    print_table(&steps, &baseline);
    println!("server peak resident memory: {peak_mb:.1} MB");
    let report = json!({
        "scenario": "pages", "readers": readers, "signing_in": signing_in,
        "database": bench_db.backend,
        "steps": support::json_steps(&steps),
        "server_peak_rss_mb": peak_mb,
    });
    std::fs::create_dir_all("target/bench")?;
    std::fs::write(
        bench_db.report_path("pages"),
        serde_json::to_string_pretty(&report)?,
    )?;
    let failed: usize = steps.iter().map(|s| s.errors).sum();
    anyhow::ensure!(failed == 0, "{failed} requests failed");
    Ok(())
}
