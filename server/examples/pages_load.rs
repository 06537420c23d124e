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
use support::{outcome, print_table, run_step, start_server};

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
    .await
    .peak(pid);
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
    let catalog = run_step("catalog /courses", readers, page("/courses", "工业锅炉"))
        .await
        .peak(pid);
    let course = run_step(
        "course page /courses/boilers",
        readers,
        page("/courses/boilers", "热平衡"),
    )
    .await
    .peak(pid);
    let lesson = run_step(
        "lesson page",
        readers,
        page("/lessons/boilers-01-heat-balance", "热平衡"),
    )
    .await
    .peak(pid);
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
    .await
    .peak(pid);

    // What a browser downloads to make each page interactive: the scripts and wasm the HTML
    // names (the main bundle and, when built with --split, the page's own chunks), gzipped.
    let mut bundles = Vec::new();
    for path in ["/", "/courses", "/lessons/boilers-01-heat-balance"] {
        bundles.push(page_bundle(&client, &base, path, &cookies[0]).await?);
    }

    let peak_mb = support::run_peak_mb(&[&baseline, &catalog, &course, &lesson, &sign_in], pid);
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
    println!("\n| page | files | js + wasm, gzip |\n| --- | ---: | ---: |");
    for b in &bundles {
        println!("| {} | {} | {:.0} KB |", b.path, b.files, b.gzip_kb);
    }
    let report = json!({
        "scenario": "pages", "readers": readers, "signing_in": signing_in,
        "database": bench_db.backend,
        "steps": support::json_steps(&steps),
        "server_peak_rss_mb": peak_mb,
        "bundles": bundles.iter().map(|b| json!({
            "path": b.path, "files": b.files, "gzip_kb": b.gzip_kb,
        })).collect::<Vec<_>>(),
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

struct Bundle {
    path: &'static str,
    files: usize,
    gzip_kb: f64,
}

/// The gzipped size of what a browser fetches to make a page interactive: the script and wasm
/// the page names under `/pkg/`, and, when the bundle is split, the chunk loader and every chunk
/// the split manifest lists for the route the page names in `<meta name="academy-page">` (the
/// chunks are fetched by the wasm, so the HTML does not name them).
async fn page_bundle(
    client: &reqwest::Client,
    base: &str,
    path: &'static str,
    cookie: &str,
) -> anyhow::Result<Bundle> {
    let html = client
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await?
        .text()
        .await?;
    let mut files: Vec<String> = html
        .split("/pkg/")
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find(['"', '\'', ')', ' '])?;
            let name = &rest[..end];
            (name.ends_with(".js") || name.ends_with(".wasm")).then(|| name.to_string())
        })
        .collect();
    let manifest = client
        .get(format!("{base}/pkg/__wasm_split_manifest.json"))
        .send()
        .await?;
    if manifest.status().is_success() {
        let manifest: std::collections::HashMap<String, Vec<String>> = manifest.json().await?;
        files.push("__wasm_split.______________________.js".into());
        if let Some(route) = page_route(&html) {
            let chunks =
                academy_app::shell::routes::split_manifest::route_chunks(&manifest, &route)
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("{path}: no chunks for {route}"))?;
            files.extend(chunks.into_iter().map(|c| format!("{c}.wasm")));
        }
    }
    files.sort();
    files.dedup();
    let mut bytes = 0usize;
    for file in &files {
        let res = client
            .get(format!("{base}/pkg/{file}"))
            .header("accept-encoding", "gzip")
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "/pkg/{file}: {}", res.status());
        let gzipped = res
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        let body = res.bytes().await?;
        bytes += if gzipped { body.len() } else { gzip_len(&body) };
    }
    Ok(Bundle {
        path,
        files: files.len(),
        gzip_kb: bytes as f64 / 1024.0,
    })
}

/// The route a page names in `<meta name="academy-page" content="…">`.
fn page_route(html: &str) -> Option<String> {
    let at = html.find(r#"name="academy-page""#)?;
    let tag = &html[html[..at].rfind('<')?..];
    let tag = &tag[..tag.find('>')?];
    let rest = &tag[tag.find("content=\"")? + 9..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The length of a body once gzipped (for a body the server sent as it is).
fn gzip_len(body: &[u8]) -> usize {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(body);
    enc.finish().map(|v| v.len()).unwrap_or(body.len())
}
