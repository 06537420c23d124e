//! iCalendar on SQLite and PostgreSQL: a session's .ics for signed-in people, a trainee's feed
//! and a room's feed behind signed URLs that calendar apps can fetch without signing in.
mod common;

use academy_app::auth::Role;
use academy_app::scheduling::entity::session;
use academy_app::scheduling::service::enrol;
use chrono::Utc;
use common::{
    call, on_each_database, person_with_roles, session_cookie, sign_in, TestApp, PASSWORD,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

fn assert_valid_ics(text: &str) {
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.trim_end().ends_with("END:VCALENDAR"));
    assert!(text.contains("VERSION:2.0") && text.contains("PRODID:"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "a line longer than 75 octets: {line}");
    }
}

#[tokio::test]
async fn sessions_download_and_feeds_open_only_with_their_signed_url() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let trainee = person_with_roles(&db, 1, &[Role::Trainee], None).await;
        person_with_roles(&db, 2, &[Role::Scheduler], None).await;
        let s3 = session::Entity::find()
            .filter(session::Column::Number.eq(3))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        enrol(&db.db, s3.id, trainee.id, false, Utc::now())
            .await
            .unwrap();
        let app = TestApp::spawn(&db).await;
        let me = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let scheduler =
            session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();

        // One session: 第三期, 15 July 2014 08:30–17:00 in Tianjin, which is 00:30–09:00 UTC.
        let path = format!("/calendar/sessions/{}/session.ics", s3.id);
        let res = app
            .client
            .get(app.url(&path))
            .header("cookie", &me)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        let ics = res.text().await.unwrap();
        assert_valid_ics(&ics);
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
        assert!(ics.contains("DTSTART:20140715T003000Z"), "{ics}");
        assert!(ics.contains("DTEND:20140715T090000Z"));
        assert!(ics.contains("多功能厅"));
        assert_eq!(app.get(&path).await.status(), 401);

        // The trainee's feed: their sessions, without a cookie; a changed URL opens nothing.
        let (_, mine): (u16, Value) = {
            let res = call(&app, Some(&me), "my_schedule", "").await;
            (res.status().as_u16(), res.json().await.unwrap())
        };
        let feed = mine["feed_url"].as_str().unwrap().to_string();
        let feed_path = feed.trim_start_matches(&app.base).to_string();
        assert!(
            feed_path.starts_with(&format!("/calendar/people/{}/", trainee.id)),
            "{feed}"
        );
        let res = app.get(&feed_path).await;
        assert_eq!(res.status(), 200);
        let ics = res.text().await.unwrap();
        assert_valid_ics(&ics);
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
        assert!(ics.contains("UID:session-tj-cp-audit-2014-3@academy"));
        let other = feed_path.replacen(
            &format!("/people/{}/", trainee.id),
            &format!("/people/{}/", trainee.id + 1),
            1,
        );
        assert_eq!(app.get(&other).await.status(), 404);
        let forged = feed_path.replacen("/schedule.ics", "x/schedule.ics", 1);
        assert_eq!(app.get(&forged).await.status(), 404);
        let room_with_person_token = feed_path.replacen("/people/", "/rooms/", 1);
        assert_eq!(app.get(&room_with_person_token).await.status(), 404);

        // Room feeds are listed for schedulers only; each holds the room's sessions.
        let res = call(&app, Some(&scheduler), "list_sessions", "").await;
        let schedule: Value = res.json().await.unwrap();
        let feeds = schedule["room_feeds"].as_array().unwrap();
        assert_eq!(feeds.len(), 3);
        let hall = feeds.iter().find(|f| f[0] == "多功能厅").unwrap()[1]
            .as_str()
            .unwrap()
            .to_string();
        let ics = app
            .get(hall.trim_start_matches(&app.base))
            .await
            .text()
            .await
            .unwrap();
        assert_valid_ics(&ics);
        assert_eq!(
            ics.matches("BEGIN:VEVENT").count(),
            3,
            "sessions 2, 3 and 4 are in the hall"
        );
        let res = call(&app, Some(&me), "list_sessions", "").await;
        let schedule: Value = res.json().await.unwrap();
        assert_eq!(schedule["room_feeds"].as_array().unwrap().len(), 0);
        app.stop().await;
        db
    })
    .await;
}
