//! Sessions and enrolment on SQLite and PostgreSQL: the programme file's sessions are loaded,
//! 200 people enrolling into 50 seats at once give exactly 50 enrolled and 150 waitlisted in
//! order, a cancellation promotes the first on the waitlist with a notice, clashes are refused.
mod common;

use academy_app::auth::Role;
use academy_app::catalog::content;
use academy_app::catalog::sync::sync;
use academy_app::mail::entity::outbox;
use academy_app::scheduling::entity::{enrolment, notice, session};
use academy_app::scheduling::service::{cancel, enrol};
use common::{call, content_root, on_each_database, person_with_roles, session_cookie, sign_in};
use common::{TestApp, TestDb, PASSWORD};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::Value;

async fn load(db: &TestDb) {
    let set = content::load(&content_root()).unwrap();
    sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
}

async fn session_number(db: &TestDb, number: i32) -> session::Model {
    session::Entity::find()
        .filter(session::Column::Number.eq(number))
        .one(&db.db)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn the_programme_file_gives_six_sessions_and_a_second_sync_changes_nothing() {
    on_each_database(|db| async move {
        load(&db).await;
        let sessions = session::Entity::find().all(&db.db).await.unwrap();
        assert_eq!(sessions.len(), 6);
        let first = session_number(&db, 1).await;
        // 2014-07-14 09:00 in Tianjin is 01:00 UTC.
        assert_eq!(first.starts_at.to_rfc3339(), "2014-07-14T01:00:00+00:00");
        let set = content::load(&content_root()).unwrap();
        let again = sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
        assert_eq!(again.changes(), 0);
        db
    })
    .await;
}

#[tokio::test]
async fn two_hundred_at_once_into_fifty_seats_gives_fifty_and_a_waitlist_in_order() {
    on_each_database(|db| async move {
        load(&db).await;
        let s = session_number(&db, 3).await;
        let mut row: session::ActiveModel = s.clone().into();
        row.capacity = Set(50);
        row.update(&db.db).await.unwrap();
        let ids = common::numbered_trainees(&db, 200, "auditor").await;

        let mut tasks = Vec::new();
        for id in ids.clone() {
            let conn = db.db.clone();
            tasks.push(tokio::spawn(async move {
                enrol(&conn, s.id, id, false, chrono::Utc::now()).await
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.push(t.await.unwrap().expect("every enrolment succeeds"));
        }
        let enrolled = outcomes.iter().filter(|o| o.status == "enrolled").count();
        assert_eq!(enrolled, 50, "{}", db.backend);
        let mut positions: Vec<u32> = outcomes.iter().filter_map(|o| o.position).collect();
        positions.sort_unstable();
        assert_eq!(positions, (1..=150).collect::<Vec<u32>>(), "{}", db.backend);

        // The waitlist is served in arrival order: every seat went to an earlier arrival.
        let rows = enrolment::Entity::find()
            .filter(enrolment::Column::SessionId.eq(s.id))
            .order_by_asc(enrolment::Column::Seq)
            .all(&db.db)
            .await
            .unwrap();
        assert!(rows[..50].iter().all(|r| r.status == "enrolled"));
        assert!(rows[50..].iter().all(|r| r.status == "waitlisted"));

        // One seat frees: the first on the waitlist takes it and is told.
        cancel(
            &db.db,
            s.id,
            rows[0].person_id,
            "http://127.0.0.1:3000",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let promoted = enrolment::Entity::find_by_id(rows[50].id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(promoted.status, "enrolled");
        let told = notice::Entity::find()
            .filter(notice::Column::PersonId.eq(promoted.person_id))
            .all(&db.db)
            .await
            .unwrap();
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].kind, "promoted");
        let second = enrolment::Entity::find_by_id(rows[51].id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(second.status, "waitlisted");
        db
    })
    .await;
}

#[tokio::test]
async fn a_trainee_enrols_in_their_tier_is_refused_a_clash_and_sees_my_schedule() {
    on_each_database(|db| async move {
        load(&db).await;
        person_with_roles(&db, 1, &[Role::Trainee], None).await; // tier auditor
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let schedule: Value = call(&app, Some(&cookie), "list_sessions", "")
            .await
            .json()
            .await
            .unwrap();
        let sessions = schedule["sessions"].as_array().unwrap();
        let mine: Vec<&Value> = sessions
            .iter()
            .filter(|s| {
                s["tiers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == "auditor")
            })
            .collect();
        let other = sessions
            .iter()
            .find(|s| {
                !s["tiers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == "auditor")
            })
            .unwrap();
        let refused = call(
            &app,
            Some(&cookie),
            "enrol_self",
            &format!("session={}", other["id"]),
        )
        .await;
        assert_eq!(refused.status(), 422);

        let first = mine[0]["id"].as_i64().unwrap();
        let ok: Value = call(
            &app,
            Some(&cookie),
            "enrol_self",
            &format!("session={first}"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(ok["status"], "enrolled");
        // Enrolling twice changes nothing.
        let again: Value = call(
            &app,
            Some(&cookie),
            "enrol_self",
            &format!("session={first}"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(again["status"], "enrolled");

        // A session at the same time elsewhere clashes, and the message names the session.
        let s = session::Entity::find_by_id(first)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let mut twin: session::ActiveModel = session_number(&db, 6).await.into();
        twin.starts_at = Set(s.starts_at);
        twin.ends_at = Set(s.ends_at);
        twin.tiers = Set(r#"["auditor"]"#.into());
        let twin = twin.update(&db.db).await.unwrap();
        let clash = call(
            &app,
            Some(&cookie),
            "enrol_self",
            &format!("session={}", twin.id),
        )
        .await;
        assert_eq!(clash.status(), 409);
        let body = clash.text().await.unwrap();
        assert!(body.contains(&format!("第{}期", s.number)), "{body}");

        let me: Value = call(&app, Some(&cookie), "my_schedule", "")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["sessions"].as_array().unwrap().len(), 1);
        assert_eq!(me["sessions"][0]["my_status"], "enrolled");

        // A trainee sees no roster; a scheduler does, and the sign-in sheet lists the trainee.
        let detail: Value = call(
            &app,
            Some(&cookie),
            "session_detail",
            &format!("session={first}"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert!(detail["roster"].is_null());
        person_with_roles(&db, 2, &[Role::Scheduler], None).await;
        let scheduler =
            session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        let sheet = app
            .client
            .get(app.url(&format!("/sessions/{first}/sheet")))
            .header("cookie", &scheduler)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(sheet.contains("测试1"), "the trainee is on the sheet");
        assert!(sheet.contains("签名"));
        app.stop().await;
        db
    })
    .await;
}

async fn place(db: &TestDb, session: i64, person: i64) -> Option<String> {
    enrolment::Entity::find()
        .filter(enrolment::Column::SessionId.eq(session))
        .filter(enrolment::Column::PersonId.eq(person))
        .one(&db.db)
        .await
        .unwrap()
        .map(|e| e.status)
}

#[tokio::test]
async fn a_scheduler_enrols_several_then_moves_and_cancels_a_selection() {
    on_each_database(|db| async move {
        load(&db).await;
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        let ids = common::numbered_trainees(&db, 4, "auditor").await;
        let five = session_number(&db, 5).await;
        let mut row: session::ActiveModel = five.clone().into();
        row.capacity = Set(2);
        let five = row.update(&db.db).await.unwrap();
        let three = session_number(&db, 3).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();

        // Four mobile numbers and one nobody has, in one go: two seats, two on the waitlist.
        let logins = "13700000000\n13700000001\n13700000002 13700000003\nnobody@example.com";
        let (status, bulk) = common::json(
            call(
                &app,
                Some(&cookie),
                "enrol_people",
                &format!("session={}&logins={}", five.id, common::urlencode(logins)),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{bulk}");
        assert_eq!(bulk["done"], 4);
        assert_eq!(bulk["failed"][0][0], "nobody@example.com");
        assert_eq!(
            bulk["failed"][0][1]["Validation"]["message"],
            "person_not_found"
        );
        assert_eq!(
            place(&db, five.id, ids[0]).await.as_deref(),
            Some("enrolled")
        );
        assert_eq!(
            place(&db, five.id, ids[3]).await.as_deref(),
            Some("waitlisted")
        );

        // The two seat holders move to session 3; the waitlist of session 5 takes their seats.
        let (status, bulk) = common::json(
            call(
                &app,
                Some(&cookie),
                "move_people",
                &format!(
                    "session={}&people={},{}&to={}",
                    five.id, ids[1], ids[0], three.id
                ),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{bulk}");
        assert_eq!(bulk["done"], 2, "{bulk}");
        for id in &ids[..2] {
            assert_eq!(place(&db, five.id, *id).await.as_deref(), Some("cancelled"));
            assert_eq!(place(&db, three.id, *id).await.as_deref(), Some("enrolled"));
        }
        for id in &ids[2..] {
            assert_eq!(place(&db, five.id, *id).await.as_deref(), Some("enrolled"));
        }
        // Each person moved is told where to, with the new session's calendar file.
        let moved = |person: i64| {
            let db = db.db.clone();
            async move {
                outbox::Entity::find()
                    .filter(outbox::Column::Kind.eq("moved"))
                    .filter(outbox::Column::PersonId.eq(person))
                    .all(&db)
                    .await
                    .unwrap()
            }
        };
        for id in &ids[..2] {
            let told = moved(*id).await;
            assert_eq!(told.len(), 1, "one message for {id}");
            assert!(told[0].subject.contains("第3期"), "{}", told[0].subject);
            assert!(told[0].text_body.contains("第5期"), "{}", told[0].text_body);
            assert!(told[0]
                .attachment
                .as_deref()
                .is_some_and(|a| a.contains(&three.id.to_string())));
        }

        // A move into a session at the same time as one they are in is refused, and they keep
        // the place they had.
        let six = session_number(&db, 6).await;
        let mut twin: session::ActiveModel = six.clone().into();
        twin.starts_at = Set(three.starts_at);
        twin.ends_at = Set(three.ends_at);
        let twin = twin.update(&db.db).await.unwrap();
        enrol(&db.db, three.id, ids[2], false, chrono::Utc::now())
            .await
            .unwrap();
        let (status, bulk) = common::json(
            call(
                &app,
                Some(&cookie),
                "move_people",
                &format!("session={}&people={}&to={}", five.id, ids[2], twin.id),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(bulk["done"], 0);
        assert!(
            bulk["failed"][0][1]["Conflict"]
                .as_str()
                .unwrap()
                .contains("第3期"),
            "{bulk}"
        );
        assert_eq!(
            place(&db, five.id, ids[2]).await.as_deref(),
            Some("enrolled")
        );
        assert_eq!(place(&db, twin.id, ids[2]).await, None);
        assert!(
            moved(ids[2]).await.is_empty(),
            "a refused move tells nobody"
        );

        // Cancelling the selection; an empty selection is refused by name.
        let (status, bulk) = common::json(
            call(
                &app,
                Some(&cookie),
                "cancel_people",
                &format!("session={}&people={},{}", five.id, ids[2], ids[3]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(bulk["done"], 2);
        assert_eq!(
            place(&db, five.id, ids[3]).await.as_deref(),
            Some("cancelled")
        );
        let (status, body) = common::json(
            call(
                &app,
                Some(&cookie),
                "cancel_people",
                &format!("session={}&people=", five.id),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(body["Validation"]["message"], "nobody_selected");
        app.stop().await;
        db
    })
    .await;
}
