//! Two `academy` processes on one database (the scale-out of the load issue), each started from
//! the real binary on its own port: a session made on one is valid on the other, a check-in
//! code shown by one is accepted by the other, and 200 enrolments into a 50-seat session sent
//! to both at once give exactly 50 seats and a waitlist of 150 in order. (Their mail workers
//! sharing the queue is `mail.rs`'s two-process test.) Runs on SQLite and on PostgreSQL.
mod common;

use academy_app::auth::Role;
use academy_app::catalog::content;
use academy_app::catalog::sync::sync;
use academy_app::scheduling::entity::{enrolment, session};
use common::{academy_process, content_root, on_each_database, person_with_roles, PASSWORD};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::Value;

#[derive(Clone)]
struct Node {
    base: String,
    client: reqwest::Client,
}

impl Node {
    fn new(port: u16) -> Node {
        Node {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .unwrap(),
        }
    }

    async fn call(&self, cookie: Option<&str>, endpoint: &str, body: &str) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string());
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let cookie = common::session_cookie(&res);
        let mut body: Value = res.json().await.unwrap_or(Value::Null);
        if let Some(c) = cookie {
            body["__cookie"] = Value::from(c);
        }
        (status, body)
    }

    async fn sign_in(&self, login: &str) -> String {
        let (status, body) = self
            .call(
                None,
                "sign_in",
                &format!(
                    "identifier={}&password={}",
                    common::urlencode(login),
                    common::urlencode(PASSWORD)
                ),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["__cookie"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn two_processes_share_sign_in_check_in_codes_and_the_seat_race() {
    on_each_database(|db| async move {
        let set = content::load(&content_root()).unwrap();
        sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        let trainee = person_with_roles(&db, 2, &[Role::Trainee], None).await;
        // Session 3 (the auditors') is running now; session 5 has 50 seats for the race.
        let now = chrono::Utc::now();
        let running = session::Entity::find()
            .filter(session::Column::Number.eq(3))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let mut row: session::ActiveModel = running.clone().into();
        row.starts_at = Set(now - chrono::Duration::minutes(5));
        row.ends_at = Set(now + chrono::Duration::hours(2));
        row.periods = Set(String::new());
        row.update(&db.db).await.unwrap();
        let race = session::Entity::find()
            .filter(session::Column::Number.eq(5))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let mut row: session::ActiveModel = race.clone().into();
        row.capacity = Set(50);
        row.update(&db.db).await.unwrap();
        academy_app::scheduling::service::enrol(&db.db, running.id, trainee.id, false, now)
            .await
            .unwrap();
        common::numbered_trainees(&db, 200, "consultant").await;

        let quiet = [("ACADEMY_MAIL_WORKER", "false")];
        let (mut pa, port_a) = academy_process(&db, &quiet).await;
        let (mut pb, port_b) = academy_process(&db, &quiet).await;
        let (a, b) = (Node::new(port_a), Node::new(port_b));

        // Signed in on A, known on B.
        let scheduler = a.sign_in("actor1@example.com").await;
        let (status, me) = b.call(Some(&scheduler), "whoami", "").await;
        assert_eq!(status, 200);
        assert_eq!(me["name"], "测试1", "{me}");
        let learner = b.sign_in("actor2@example.com").await;

        // The code A projects is accepted by B, once.
        let (status, board) = a
            .call(
                Some(&scheduler),
                "projector_board",
                &format!("session={}", running.id),
            )
            .await;
        assert_eq!(status, 200, "{board}");
        let url = board["url"].as_str().unwrap();
        let token = url.split("t=").nth(1).unwrap();
        let body = format!("token={token}");
        let (status, done) = b.call(Some(&learner), "check_in", &body).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["status"], "present");
        assert_eq!(done["already"], false);
        let (_, again) = a.call(Some(&learner), "check_in", &body).await;
        assert_eq!(again["already"], true, "{again}");
        // A forged code is refused by both.
        let forged = format!("token={}x", token.trim_end_matches('A'));
        assert_eq!(a.call(Some(&learner), "check_in", &forged).await.0, 422);
        assert_eq!(b.call(Some(&learner), "check_in", &forged).await.0, 422);

        // 200 enrolments into 50 seats, alternating between the processes, all at once.
        let mut calls = tokio::task::JoinSet::new();
        for i in 0..200 {
            let node = if i % 2 == 0 { a.clone() } else { b.clone() };
            let body = format!("session={}&login=1370000{i:04}", race.id);
            let cookie = scheduler.clone();
            calls.spawn(async move { node.call(Some(&cookie), "enrol_person", &body).await });
        }
        let results = calls.join_all().await;
        let mut seats = 0;
        let mut waiting = Vec::new();
        for (status, outcome) in &results {
            assert_eq!(*status, 200, "{outcome}");
            match outcome["status"].as_str() {
                Some("enrolled") => seats += 1,
                Some("waitlisted") => waiting.push(outcome["position"].as_u64().unwrap()),
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!(seats, 50);
        waiting.sort_unstable();
        assert_eq!(
            waiting,
            (1..=150).collect::<Vec<u64>>(),
            "each waitlist place once"
        );
        let stored = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(race.id))
            .order_by_asc(enrolment::Column::Seq)
            .all(&db.db)
            .await
            .unwrap();
        assert_eq!(stored.len(), 200);
        assert_eq!(stored.iter().filter(|e| e.status == "enrolled").count(), 50);
        // The first 50 to arrive hold the seats.
        assert!(stored[..50].iter().all(|e| e.status == "enrolled"));
        assert_eq!(
            enrolment::Entity::find()
                .filter(enrolment::Column::SessionId.eq(race.id))
                .filter(enrolment::Column::Status.eq("waitlisted"))
                .count(&db.db)
                .await
                .unwrap(),
            150
        );
        pa.kill().await.unwrap();
        pb.kill().await.unwrap();
        db
    })
    .await;
}
