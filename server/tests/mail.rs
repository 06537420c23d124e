//! Mail through a real SMTP server on loopback (`academy_server::smtp_sink`), on SQLite and
//! PostgreSQL: certificates issued while the relay is down all arrive once it is back, with the
//! PDF attached; a server process killed in the middle of sending loses nothing and sends
//! nothing twice once restarted; two server processes on one database share the queue.
mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

use academy_app::auth::Role;
use academy_app::mail::entity::{outbox, outbox_attempt};
use academy_app::mail::service::{enqueue, Outgoing, Recipient};
use academy_app::mail::templates::Template;
use academy_app::scheduling::entity::programme;
use academy_server::smtp_sink::{Received, SmtpSink};
use common::{
    call, eventually, json, on_each_database, person_with_roles, session_cookie, sign_in, TestApp,
    TestDb, PASSWORD, WITHIN,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

async fn count(db: &impl ConnectionTrait, status: &str) -> u64 {
    outbox::Entity::find()
        .filter(outbox::Column::Status.eq(status))
        .count(db)
        .await
        .unwrap()
}

fn unique_ids(received: &[Received]) -> HashSet<String> {
    received
        .iter()
        .map(|r| r.message_id().expect("every message has a Message-ID"))
        .collect()
}

/// The base64 body of the message's PDF attachment, decoded.
fn pdf_of(r: &Received) -> Vec<u8> {
    use base64::Engine;
    let text = String::from_utf8_lossy(&r.data);
    let at = text
        .find("Content-Type: application/pdf")
        .expect("a PDF part");
    let part = &text[at..];
    let body_start = part.find("\r\n\r\n").expect("part body") + 4;
    let body: String = part[body_start..]
        .lines()
        .take_while(|l| !l.starts_with("--"))
        .collect::<Vec<_>>()
        .join("");
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .expect("base64 PDF")
}

fn smtp_env(sink: SocketAddr) -> impl FnOnce(&mut academy_server::ServeArgs) {
    move |args| {
        args.mail.mail_worker = true;
        args.mail.smtp_host = Some("127.0.0.1".into());
        args.mail.smtp_port = Some(sink.port());
        args.mail.smtp_tls = "none".into();
        args.mail.mail_retry_seconds = 1;
        args.mail.mail_poll_ms = 100;
    }
}

#[tokio::test]
async fn certificates_issued_while_the_relay_is_down_all_arrive_once_with_their_pdf() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        // Everyone with a session is eligible: the rule asks for no hours and no quiz.
        programme::Entity::update_many()
            .col_expr(programme::Column::MinAttendancePercent, 0.into())
            .col_expr(programme::Column::RequireQuiz, false.into())
            .exec(&db.db)
            .await
            .unwrap();
        person_with_roles(&db, 1, &[Role::Organiser], None).await;
        let mut sink = SmtpSink::down().await.unwrap();
        let app = TestApp::spawn_with(&db, smtp_env(sink.addr)).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();

        let (status, report) =
            json(call(&app, Some(&cookie), "issue_certificates", "tier=leader").await).await;
        assert_eq!(status, 200, "{report}");
        let issued = report["issued"].as_u64().unwrap();
        assert!(issued >= 80, "one leader an enterprise: {report}");
        let batch = report["batch"]
            .as_str()
            .expect("a batch to follow")
            .to_string();
        // One message a certificate, written with it.
        assert_eq!(count(&db.db, "queued").await, issued);

        // The relay is down: every message is tried, fails, and waits for its retry.
        let tried = eventually(|| async {
            outbox::Entity::find()
                .filter(outbox::Column::Attempts.eq(0))
                .count(&db.db)
                .await
                .unwrap()
                == 0
        })
        .await;
        assert!(tried, "every message was tried while the relay was down");
        assert_eq!(count(&db.db, "sent").await, 0);
        let (_, progress) =
            json(call(&app, Some(&cookie), "mail_batch", &format!("batch={batch}")).await).await;
        assert_eq!(progress["queued"].as_u64(), Some(issued), "{progress}");
        assert!(progress["rows"][0]["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()));

        // The relay comes back: all arrive, once each.
        sink.resume().await.unwrap();
        assert_eq!(
            sink.wait_for(issued as usize, WITHIN).await,
            issued as usize
        );
        let all_sent = eventually(|| async { count(&db.db, "sent").await == issued }).await;
        assert!(all_sent);
        let received = sink.received();
        assert_eq!(received.len() as u64, issued, "no message twice");
        assert_eq!(unique_ids(&received).len() as u64, issued);
        let (_, progress) =
            json(call(&app, Some(&cookie), "mail_batch", &format!("batch={batch}")).await).await;
        assert_eq!(progress["sent"].as_u64(), Some(issued), "{progress}");
        assert_eq!(progress["queued"].as_u64(), Some(0));

        // A message holds the certificate PDF, whose text has the trainee's Chinese name.
        let first = &received[0];
        let subject = first.header("Subject").unwrap();
        assert!(
            subject.starts_with("=?utf-8?"),
            "encoded Chinese subject: {subject}"
        );
        let row = outbox::Entity::find()
            .filter(outbox::Column::MessageId.eq(first.message_id().unwrap()))
            .one(&db.db)
            .await
            .unwrap()
            .expect("the message's outbox row");
        assert_eq!(first.to, vec![row.to_address.clone().unwrap()]);
        let pdf = pdf_of(first);
        assert!(pdf.starts_with(b"%PDF"));
        let file = std::env::temp_dir().join(format!("academy-mail-{}.pdf", row.id));
        std::fs::write(&file, &pdf).unwrap();
        let text = std::process::Command::new("pdftotext")
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) runs");
        let _ = std::fs::remove_file(&file);
        let text = String::from_utf8_lossy(&text.stdout).replace(char::is_whitespace, "");
        assert!(
            text.contains(&row.to_name),
            "the PDF names {}: {text}",
            row.to_name
        );
        assert!(text.contains("证书") || text.contains("培训"), "{text}");
        // Every try is on record: at least one failure and then the success for each message.
        let attempts = outbox_attempt::Entity::find().count(&db.db).await.unwrap();
        assert!(
            attempts >= 2 * issued,
            "{attempts} attempts for {issued} messages"
        );

        // The organiser downloads the same message as an .eml file: same Message-ID, the PDF.
        let eml = |cookie: Option<&str>, id: i64| {
            let mut req = app
                .client
                .get(app.url(&format!("/admin/mail/{id}/message.eml")));
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            req.send()
        };
        let res = eml(Some(&cookie), row.id).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "message/rfc822");
        let text = res.text().await.unwrap();
        assert!(
            text.contains(&row.message_id),
            "{}",
            &text[..400.min(text.len())]
        );
        assert!(text.contains("application/pdf"));
        assert_eq!(eml(None, row.id).await.unwrap().status(), 401);
        assert_eq!(eml(Some(&cookie), i64::MAX).await.unwrap().status(), 404);

        sink.stop().await;
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_cancellation_announces_the_promotion_with_the_session_calendar_attached() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        // People first: an account is made in a transaction that reads before it writes, which
        // SQLite refuses while the server's workers write (see the README's known problems).
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        let sink = SmtpSink::start().await.unwrap();
        let app = TestApp::spawn_with(&db, smtp_env(sink.addr)).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        // A one-seat session: the second leader waits.
        let s = academy_app::scheduling::entity::session::Entity::find()
            .filter(academy_app::scheduling::entity::session::Column::Number.eq(1))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        academy_app::scheduling::entity::session::Entity::update_many()
            .col_expr(
                academy_app::scheduling::entity::session::Column::Capacity,
                1.into(),
            )
            .filter(academy_app::scheduling::entity::session::Column::Id.eq(s.id))
            .exec(&db.db)
            .await
            .unwrap();
        let leaders: Vec<academy_app::people::entity::person::Model> =
            academy_app::people::entity::person::Entity::find()
                .filter(academy_app::people::entity::person::Column::Tier.eq("leader"))
                .limit(2)
                .all(&db.db)
                .await
                .unwrap();
        for p in &leaders {
            academy_app::scheduling::service::enrol(&db.db, s.id, p.id, false, chrono::Utc::now())
                .await
                .unwrap();
        }
        let (status, body) = json(
            call(
                &app,
                Some(&cookie),
                "cancel_person",
                &format!("session={}&person={}", s.id, leaders[0].id),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(sink.wait_for(2, WITHIN).await, 2);
        let received = sink.received();
        let to_of = |p: &academy_app::people::entity::person::Model| {
            received
                .iter()
                .find(|r| r.to == vec![p.email.clone().unwrap()])
                .cloned()
                .unwrap_or_else(|| panic!("a message to {}", p.name))
        };
        let cancelled = String::from_utf8_lossy(&to_of(&leaders[0]).data).to_string();
        let promoted = String::from_utf8_lossy(&to_of(&leaders[1]).data).to_string();
        assert!(!cancelled.contains("text/calendar"));
        assert!(promoted.contains("text/calendar"), "the .ics is attached");
        assert!(
            promoted.contains("Content-Type: text/html"),
            "HTML with a text alternative"
        );
        assert!(promoted.contains("Content-Type: text/plain"));
        sink.wait_for(3, Duration::from_millis(300)).await;
        assert_eq!(sink.count(), 2, "one message each");
        app.stop().await;
        db
    })
    .await;
}

/// Writes `n` messages to the outbox, as any feature would.
async fn queue(db: &TestDb, n: usize, tag: &str) {
    let now = chrono::Utc::now();
    for i in 0..n {
        let to = Recipient {
            person_id: None,
            name: format!("学员{i}"),
            address: Some(format!("trainee{i}@example.com")),
            english: i % 2 == 0,
        };
        let msg = Outgoing {
            key: format!("test:{tag}:{i}"),
            to: &to,
            template: Template::LoginLink {
                name: format!("学员{i}"),
                link: format!("http://127.0.0.1/welcome/{i}"),
            },
            attachment: None,
            batch: None,
        };
        enqueue(&db.db, msg, "http://127.0.0.1:3000", now)
            .await
            .unwrap();
    }
}

/// The `academy` binary as its own process, sending to `sink`.
async fn academy_process(db: &TestDb, sink: SocketAddr) -> (tokio::process::Child, u16) {
    let port = sink.port().to_string();
    common::academy_process(
        db,
        &[
            ("ACADEMY_SMTP_HOST", "127.0.0.1"),
            ("ACADEMY_SMTP_PORT", &port),
            ("ACADEMY_SMTP_TLS", "none"),
            ("ACADEMY_MAIL_POLL_MS", "100"),
            ("ACADEMY_MAIL_LEASE_SECONDS", "5"),
            ("ACADEMY_MAIL_RETRY_SECONDS", "1"),
            ("ACADEMY_MAIL_CONCURRENCY", "4"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_process_killed_while_sending_loses_nothing_and_sends_nothing_twice() {
    on_each_database(|db| async move {
        const N: usize = 60;
        let sink = SmtpSink::start().await.unwrap();
        // After 20 messages the relay holds its answer: the process is killed mid-send.
        sink.hold_after(20);
        let (mut first, _) = academy_process(&db, sink.addr).await;
        queue(&db, N, "kill").await;
        assert!(sink.wait_held(WITHIN).await, "a message is in flight");
        // Everything the relay accepted is marked sent before the kill, so the kill lands in
        // the middle of sending, not in the instant between "250" and the database write.
        let marked =
            eventually(|| async { count(&db.db, "sent").await as usize == sink.count() }).await;
        assert!(marked);
        first.kill().await.unwrap();
        // The relay drops the messages it never said 250 to once their client is gone.
        let dropped = eventually(|| async { !sink.wait_held(Duration::ZERO).await }).await;
        assert!(dropped);
        sink.release();
        let before = sink.count();
        assert!(before < N, "the kill left messages unsent ({before})");

        let (mut second, _) = academy_process(&db, sink.addr).await;
        assert_eq!(sink.wait_for(N, WITHIN).await, N);
        let all_sent = eventually(|| async { count(&db.db, "sent").await as usize == N }).await;
        assert!(all_sent);
        let received = sink.received();
        assert_eq!(received.len(), N, "nothing arrived twice");
        assert_eq!(unique_ids(&received).len(), N, "every message arrived");
        second.kill().await.unwrap();
        db
    })
    .await;
}

#[tokio::test]
async fn two_processes_on_one_database_share_the_queue_and_send_each_message_once() {
    on_each_database(|db| async move {
        const N: usize = 200;
        let sink = SmtpSink::start().await.unwrap();
        let (mut a, _) = academy_process(&db, sink.addr).await;
        let (mut b, _) = academy_process(&db, sink.addr).await;
        queue(&db, N, "pair").await;
        assert_eq!(sink.wait_for(N, WITHIN).await, N);
        let all_sent = eventually(|| async { count(&db.db, "sent").await as usize == N }).await;
        assert!(all_sent);
        let received = sink.received();
        assert_eq!(received.len(), N, "no message arrived twice");
        assert_eq!(unique_ids(&received).len(), N);
        let workers: Vec<String> = outbox_attempt::Entity::find()
            .select_only()
            .column(outbox_attempt::Column::Worker)
            .distinct()
            .into_tuple()
            .all(&db.db)
            .await
            .unwrap();
        eprintln!("{}: {N} messages sent by workers {workers:?}", db.backend);
        // Exactly one successful try a message: no message was sent by both workers. (A try
        // can fail and be retried, e.g. when SQLite is busy with the other process's write.)
        let sent_tries = outbox_attempt::Entity::find()
            .filter(outbox_attempt::Column::Ok.eq(true))
            .count(&db.db)
            .await
            .unwrap();
        let failed: Vec<Option<String>> = outbox_attempt::Entity::find()
            .select_only()
            .column(outbox_attempt::Column::Error)
            .filter(outbox_attempt::Column::Ok.eq(false))
            .into_tuple()
            .all(&db.db)
            .await
            .unwrap();
        eprintln!("{}: failed tries {failed:?}", db.backend);
        assert_eq!(sent_tries as usize, N, "one successful try each");
        a.kill().await.unwrap();
        b.kill().await.unwrap();
        db
    })
    .await;
}

#[tokio::test]
async fn reminders_go_out_once_the_day_before_each_session() {
    use academy_app::scheduling::entity::session;
    use chrono::{Duration as Days, TimeZone};
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let s = session::Entity::find()
            .filter(session::Column::Number.eq(1))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let leaders: Vec<academy_app::people::entity::person::Model> =
            academy_app::people::entity::person::Entity::find()
                .filter(academy_app::people::entity::person::Column::Tier.eq("leader"))
                .limit(3)
                .all(&db.db)
                .await
                .unwrap();
        for p in &leaders {
            academy_app::scheduling::service::enrol(&db.db, s.id, p.id, false, chrono::Utc::now())
                .await
                .unwrap();
        }
        let tz = chrono_tz::Asia::Shanghai;
        let day = s.starts_at.with_timezone(&tz).date_naive();
        let at = |d: chrono::NaiveDate, h: u32| {
            tz.from_local_datetime(&d.and_hms_opt(h, 0, 0).unwrap())
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let url = "http://127.0.0.1:3000";
        // Two days before: nothing yet.
        let early =
            academy_app::mail::service::enqueue_reminders(&db.db, url, at(day - Days::days(2), 10))
                .await
                .unwrap();
        assert_eq!(early, 0);
        // The day before: one each, and running again (another process, a minute later) none.
        let eve = at(day - Days::days(1), 8);
        let written = academy_app::mail::service::enqueue_reminders(&db.db, url, eve)
            .await
            .unwrap();
        assert_eq!(written as usize, leaders.len());
        let again =
            academy_app::mail::service::enqueue_reminders(&db.db, url, eve + Days::minutes(1))
                .await
                .unwrap();
        assert_eq!(again, 0);
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Kind.eq("reminder"))
            .all(&db.db)
            .await
            .unwrap();
        assert_eq!(rows.len(), leaders.len());
        let r = &rows[0];
        assert!(
            r.subject.starts_with("明日培训提醒：第1期"),
            "{}",
            r.subject
        );
        assert!(r
            .text_body
            .contains(&s.starts_at.with_timezone(&tz).format("%H:%M").to_string()));
        assert!(r.attachment.as_deref().unwrap().contains("session_ics"));
        db
    })
    .await;
}

/// An admin creates the trainee 李四 with an email (and so a first-login link by mail).
async fn create_lisi(app: &TestApp, cookie: &str) -> (u16, serde_json::Value) {
    json(
        call(
            app,
            Some(cookie),
            "create_person",
            "name=%E6%9D%8E%E5%9B%9B&phone=&email=lisi%40example.com&tier=auditor&role=trainee&district_id=",
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn a_new_account_gets_its_first_login_link_by_mail_when_it_has_an_email() {
    on_each_database(|db| async move {
        person_with_roles(&db, 1, &[Role::Admin], None).await;
        let sink = SmtpSink::start().await.unwrap();
        let app = TestApp::spawn_with(&db, smtp_env(sink.addr)).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let (status, created) = create_lisi(&app, &cookie).await;
        assert_eq!(status, 200, "{created}");
        let path = created["login_path"].as_str().unwrap().to_string();
        assert_eq!(sink.wait_for(1, WITHIN).await, 1);
        let r = &sink.received()[0];
        assert_eq!(r.to, vec!["lisi@example.com".to_string()]);
        let text = String::from_utf8_lossy(&r.data).replace("=\r\n", "");
        assert!(text.contains(&path[path.len() - 20..]), "the link is in the message");
        // Someone with a mobile number only gets no message; the link is shown to the creator.
        let (status, _) = json(
            call(
                &app,
                Some(&cookie),
                "create_person",
                "name=%E7%8E%8B%E4%BA%94&phone=13812345678&email=&tier=auditor&role=trainee&district_id=",
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Kind.eq("login_link"))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(rows, 1);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_sent_message_is_sent_again_once_as_a_new_message_to_the_current_address() {
    on_each_database(|db| async move {
        person_with_roles(&db, 1, &[Role::Admin], None).await;
        person_with_roles(&db, 2, &[Role::Trainee], None).await;
        // No worker yet: the copy waits in the queue while the button is pressed again.
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let trainee = session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        let (status, created) = create_lisi(&app, &cookie).await;
        assert_eq!(status, 200, "{created}");
        let link = outbox::Entity::find()
            .filter(outbox::Column::Kind.eq("login_link"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let person = link.person_id.unwrap();
        let facts = academy_app::mail::templates::SessionFacts {
            name: "李四".into(),
            number: 3,
            title: "第三期：企业内审员培训".into(),
            when: "2014-07-15 09:00–12:00".into(),
            room: "第一教室".into(),
            venue: "天津能源管理培训学校".into(),
            url: "http://127.0.0.1:3000/sessions/3".into(),
        };
        let to = Recipient {
            person_id: Some(person),
            name: "李四".into(),
            address: Some("lisi@example.com".into()),
            english: false,
        };
        enqueue(
            &db.db,
            Outgoing {
                key: "cancelled:3:test".into(),
                to: &to,
                template: Template::Cancelled(facts),
                attachment: None,
                batch: None,
            },
            "http://127.0.0.1:3000",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let original = outbox::Entity::find()
            .filter(outbox::Column::Kind.eq("cancelled"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let resend = |cookie: String, id: i64| {
            let app = &app;
            async move { json(call(app, Some(&cookie), "resend_mail", &format!("id={id}")).await).await }
        };

        // Still queued: nothing to send again.
        let (status, body) = resend(cookie.clone(), original.id).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Validation"]["message"], "resend_not_sent");

        // Both sent, then the person corrects their address. The old sign-in link is not sent
        // again: it may be used or have run out.
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, sea_orm::sea_query::Expr::value("sent"))
            .exec(&db.db)
            .await
            .unwrap();
        let (status, body) = resend(cookie.clone(), link.id).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["Validation"]["message"], "resend_login_link");
        academy_app::people::entity::person::Entity::update_many()
            .col_expr(
                academy_app::people::entity::person::Column::Email,
                sea_orm::sea_query::Expr::value("li.si@example.com"),
            )
            .filter(academy_app::people::entity::person::Column::Id.eq(person))
            .exec(&db.db)
            .await
            .unwrap();
        assert_eq!(resend(trainee, original.id).await.0, 403);
        assert_eq!(resend(cookie.clone(), 999_999).await.0, 404);
        let (status, copy) = resend(cookie.clone(), original.id).await;
        assert_eq!(status, 200, "{copy}");
        // Pressed again while the copy waits: the same copy, not a second one.
        let (_, again) = resend(cookie.clone(), original.id).await;
        assert_eq!(again, copy);
        let copy = outbox::Entity::find_by_id(copy.as_i64().unwrap())
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(copy.status, "queued");
        assert_eq!(copy.subject, original.subject);
        assert_eq!(copy.text_body, original.text_body);
        assert_ne!(copy.message_id, original.message_id);
        assert_eq!(copy.to_address.as_deref(), Some("li.si@example.com"));
        assert_eq!(outbox::Entity::find().count(&db.db).await.unwrap(), 3);
        app.stop().await;

        // With a worker: the copy arrives, once, at the corrected address.
        let sink = SmtpSink::start().await.unwrap();
        let app = TestApp::spawn_with(&db, smtp_env(sink.addr)).await;
        assert_eq!(sink.wait_for(1, WITHIN).await, 1);
        let received = sink.received();
        assert_eq!(received[0].to, vec!["li.si@example.com".to_string()]);
        assert_eq!(
            received[0].message_id().unwrap().trim_matches(['<', '>']),
            copy.message_id.trim_matches(['<', '>'])
        );
        assert!(eventually(|| async { count(&db.db, "sent").await == 3 }).await);
        app.stop().await;
        db
    })
    .await;
}
