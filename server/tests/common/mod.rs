//! Test support: a fresh database per test (a SQLite file, and a new PostgreSQL database when
//! `ACADEMY_TEST_POSTGRES` holds a server URL) and the real server started on port 0.
#![allow(dead_code)]

use std::future::Future;

use academy_app::admin::service::{create_person, PersonForCreate};
use academy_app::auth::{service as auth, CurrentUser, Role};
use academy_server::ServeArgs;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tokio::sync::oneshot;

pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    pub db: DatabaseConnection,
    pg_admin: Option<(String, String)>,
    sqlite_file: Option<std::path::PathBuf>,
}

fn unique_name() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "academy_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros()
    )
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let file = std::env::temp_dir().join(format!("{}.db", unique_name()));
        let url = format!("sqlite://{}", file.display());
        let db = academy_server::open_database(&url)
            .await
            .expect("open sqlite test database");
        TestDb {
            url,
            backend: "sqlite",
            db,
            pg_admin: None,
            sqlite_file: Some(file),
        }
    }

    pub async fn postgres(server: &str) -> TestDb {
        let name = unique_name();
        let admin = Database::connect(server)
            .await
            .expect("connect to ACADEMY_TEST_POSTGRES");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let url = replace_db_name(server, &name);
        let db = academy_server::open_database(&url)
            .await
            .expect("open postgres test database");
        TestDb {
            url,
            backend: "postgres",
            db,
            pg_admin: Some((server.to_string(), name)),
            sqlite_file: None,
        }
    }

    /// Drops the database. Called after the test body has passed.
    pub async fn teardown(self) {
        let TestDb {
            db,
            pg_admin,
            sqlite_file,
            ..
        } = self;
        db.close().await.ok();
        if let Some((server, name)) = pg_admin {
            if let Ok(admin) = Database::connect(&server).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
                admin.close().await.ok();
            }
        }
        if let Some(file) = sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
    }
}

fn replace_db_name(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs `body` on a fresh SQLite database, then on a fresh PostgreSQL database when
/// `ACADEMY_TEST_POSTGRES` is set (CI always sets it).
pub async fn on_each_database<F, Fut>(body: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb>,
{
    let db = body(TestDb::sqlite().await).await;
    db.teardown().await;
    if let Ok(server) = std::env::var("ACADEMY_TEST_POSTGRES") {
        if !server.is_empty() {
            let db = body(TestDb::postgres(&server).await).await;
            db.teardown().await;
        }
    }
}

/// The project's `content/` folder.
pub fn content_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// A copy of `content/` to edit.
pub fn content_copy() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "academy-content-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    copy_dir(&content_root(), &dir);
    dir
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The real server on an ephemeral port.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(db: &TestDb) -> TestApp {
        Self::spawn_with(db, |_| {}).await
    }

    /// Like [`TestApp::spawn`] with changed settings.
    pub async fn spawn_with(db: &TestDb, change: impl FnOnce(&mut ServeArgs)) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let mut args = ServeArgs {
            addr,
            site_root: "target/site".into(),
            public_url: None,
            content_dir: content_root(),
            sync_content: false,
            quiz_sweep_seconds: 1,
            secure_cookies: false,
            secret: None,
            checkin_rotate_seconds: 20,
            checkin_grace_seconds: 10,
            late_after_minutes: 15,
            checkin_opens_minutes: 30,
            max_in_flight: academy_app::state::DEFAULT_MAX_IN_FLIGHT,
            // Tests that send mail turn the worker on with their own SMTP server.
            mail: academy_server::config::MailArgs {
                mail_worker: false,
                outbox_dir: std::env::temp_dir()
                    .join(format!("academy-outbox-{}", std::process::id())),
                ..Default::default()
            },
        };
        change(&mut args);
        let (stop, stopped) = oneshot::channel::<()>();
        let conn = db.db.clone();
        let handle = tokio::spawn(async move {
            academy_server::serve(conn, args, listener, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        TestApp {
            base: format!("http://{addr}"),
            // A request that hangs fails the test with a message instead of stalling CI.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .expect("client"),
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            // Graceful shutdown waits for open connections; do not wait for ever.
            if tokio::time::timeout(std::time::Duration::from_secs(30), handle)
                .await
                .is_err()
            {
                eprintln!("the test server did not stop within 30 s");
            }
        }
    }
}

/// How long a test waits for something to happen before it fails.
pub const WITHIN: std::time::Duration = std::time::Duration::from_secs(120);

/// Polls `check` until it holds or `WITHIN` passes; returns whether it held.
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WITHIN;
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(50));
    while tokio::time::Instant::now() < deadline {
        tick.tick().await;
        if check().await {
            return true;
        }
    }
    false
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `academy` binary as a process of its own on `db`, with extra settings; returns it once
/// it answers `/healthz`, with its port. It is killed when dropped.
pub async fn academy_process(db: &TestDb, env: &[(&str, &str)]) -> (tokio::process::Child, u16) {
    let port = free_port();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_academy"));
    command
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("ACADEMY_ADDR", format!("127.0.0.1:{port}"))
        .env("ACADEMY_SYNC_CONTENT", "false")
        .env("ACADEMY_CONTENT_DIR", content_root())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.spawn().expect("start the academy binary");
    let client = reqwest::Client::new();
    let up = eventually(|| {
        let client = client.clone();
        async move {
            client
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await;
    assert!(up, "the academy process answers /healthz");
    (child, port)
}

pub const PASSWORD: &str = "培训平台2014pw";

/// A person with a password and these roles, tier auditor, signing in as `actor{n}@example.com`.
pub async fn person_with_roles(
    db: &TestDb,
    n: usize,
    roles: &[Role],
    district_id: Option<i64>,
) -> CurrentUser {
    let system = CurrentUser::with_roles(0, "test", &[Role::Admin]);
    let created = create_person(
        &db.db,
        &system,
        PersonForCreate {
            name: format!("测试{n}"),
            phone: None,
            email: Some(format!("actor{n}@example.com")),
            tier: Some(academy_app::people::tier::Tier::Auditor),
            roles: roles.to_vec(),
            district_id,
        },
    )
    .await
    .unwrap();
    auth::set_password(&db.db, created.id, PASSWORD)
        .await
        .unwrap();
    auth::load_user(&db.db, created.id).await.unwrap().unwrap()
}

pub async fn sign_in(app: &TestApp, login: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/sign_in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "identifier={}&password={}",
            urlencode(login),
            urlencode(password)
        ))
        .send()
        .await
        .unwrap()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("academy_session=") && !v.starts_with("academy_session=;"))
        .map(|v| v.split(';').next().unwrap().to_string())
}

pub async fn call(
    app: &TestApp,
    cookie: Option<&str>,
    endpoint: &str,
    body: &str,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.send().await.unwrap()
}

/// A response's status and its JSON body (`null` when it has none).
pub async fn json(res: reqwest::Response) -> (u16, serde_json::Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

#[test]
fn postgres_urls_get_the_test_database_name() {
    assert_eq!(
        replace_db_name("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        replace_db_name("postgres://postgres@127.0.0.1:5432", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        replace_db_name("postgres://u:p@h/db?sslmode=disable", "t1"),
        "postgres://u:p@h/t1?sslmode=disable"
    );
}

/// Records a passed, submitted attempt of the course's quiz for the person (90 of 100).
pub async fn pass_quiz(db: &DatabaseConnection, course: &str, person: i64) {
    use academy_app::catalog::entity::course as course_entity;
    use academy_app::quiz::entity::{attempt, quiz};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let c = course_entity::Entity::find()
        .filter(course_entity::Column::Slug.eq(course))
        .one(db)
        .await
        .unwrap()
        .expect("the course exists");
    let q = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(c.id))
        .one(db)
        .await
        .unwrap()
        .expect("the course has a quiz");
    let now = chrono::Utc::now();
    attempt::ActiveModel {
        quiz_id: Set(q.id),
        person_id: Set(person),
        number: Set(1),
        status: Set("submitted".into()),
        started_at: Set(now),
        deadline_at: Set(now),
        finished_at: Set(Some(now)),
        earned: Set(Some(9.0)),
        possible: Set(10.0),
        pass_percent: Set(60),
        percent: Set(Some(90.0)),
        passed: Set(Some(true)),
        draw: Set("[]".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
}

/// `n` trainees of `tier` without accounts' passwords, 学员000… with phones 1370000xxxx; their
/// ids in that order.
pub async fn numbered_trainees(db: &TestDb, n: usize, tier: &str) -> Vec<i64> {
    use academy_app::people::entity::person;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
    let now = chrono::Utc::now();
    let rows: Vec<person::ActiveModel> = (0..n)
        .map(|i| person::ActiveModel {
            name: Set(format!("学员{i:03}")),
            phone: Set(Some(format!("1370000{i:04}"))),
            tier: Set(Some(tier.to_string())),
            locale: Set("zh-CN".into()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    person::Entity::insert_many(rows)
        .exec(&db.db)
        .await
        .unwrap();
    person::Entity::find()
        .filter(person::Column::Phone.like("1370000%"))
        .order_by_asc(person::Column::Id)
        .all(&db.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect()
}
