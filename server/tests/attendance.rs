//! Attendance on SQLite and PostgreSQL through the real server: QR check-in with rotating signed
//! codes (present, late, once only; forged, expired and not-enrolled refused), roll call with
//! its history, exports, and the progress dashboard scoped to a district.
mod common;

use academy_app::attendance::entity::{attendance, attendance_change};
use academy_app::attendance::rules::{sign, slot_of, Token};
use academy_app::attendance::service::signing_secret;
use academy_app::auth::Role;
use academy_app::people::entity::{district, enterprise, person};
use academy_app::scheduling::entity::{lecturer, session};
use academy_app::scheduling::service::enrol;
use chrono::{Duration, Utc};
use common::{
    call, json, on_each_database, person_with_roles, session_cookie, sign_in, TestApp, TestDb,
};
use common::{urlencode, PASSWORD};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;

const SECRET: &str = "a test secret shared by every process";

/// Session 3 of the demo programme, moved so that it started `started_ago` minutes ago, as one
/// period (its morning and afternoon are those of 15 July).
async fn running_session(db: &TestDb, started_ago: i64) -> session::Model {
    let s = session::Entity::find()
        .filter(session::Column::Number.eq(3))
        .one(&db.db)
        .await
        .unwrap()
        .unwrap();
    let now = Utc::now();
    let mut row: session::ActiveModel = s.into();
    row.starts_at = Set(now - Duration::minutes(started_ago));
    row.ends_at = Set(now + Duration::hours(2));
    row.periods = Set(String::new());
    row.update(&db.db).await.unwrap()
}

/// Names `person_id` a lecturer of session `s`, through a lecturer linked to their account.
async fn teaches(db: &TestDb, s: &session::Model, person_id: i64) {
    let l = lecturer::ActiveModel {
        name: Set(format!("讲师{person_id}")),
        organisation: Set("天津大学".into()),
        person_id: Set(Some(person_id)),
        ..Default::default()
    }
    .insert(&db.db)
    .await
    .unwrap();
    let mut names = academy_app::scheduling::service::list(&s.lecturers);
    names.push(l.name);
    let mut row: session::ActiveModel = s.clone().into();
    row.lecturers = Set(serde_json::to_string(&names).unwrap());
    row.update(&db.db).await.unwrap();
}

async fn spawn(db: &TestDb) -> TestApp {
    TestApp::spawn_with(db, |a| {
        a.secret = Some(SECRET.into());
        a.checkin_rotate_seconds = 20;
        a.checkin_grace_seconds = 10;
        a.late_after_minutes = 15;
    })
    .await
}

async fn login(app: &TestApp, n: usize) -> String {
    session_cookie(&sign_in(app, &format!("actor{n}@example.com"), PASSWORD).await).unwrap()
}

fn refusal(body: &Value) -> (&str, &str) {
    (
        body["Validation"]["field"].as_str().unwrap_or(""),
        body["Validation"]["message"].as_str().unwrap_or(""),
    )
}

#[tokio::test]
async fn an_instructor_runs_the_sessions_they_teach_and_no_other() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let s = running_session(&db, 5).await;
        let trainee = person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let teacher = person_with_roles(&db, 2, &[Role::Instructor], None).await;
        person_with_roles(&db, 3, &[Role::Instructor], None).await;
        person_with_roles(&db, 4, &[Role::Organiser], None).await;
        teaches(&db, &s, teacher.id).await;
        enrol(&db.db, s.id, trainee.id, false, Utc::now())
            .await
            .unwrap();
        let app = spawn(&db).await;
        let (teacher_c, other_c, organiser_c) = (
            login(&app, 2).await,
            login(&app, 3).await,
            login(&app, 4).await,
        );
        let session = format!("session={}", s.id);
        let mark = format!("session={}&person={}&status=present", s.id, trainee.id);
        let export = |cookie: &str, path: &str| {
            app.client
                .get(app.url(path))
                .header("cookie", cookie.to_string())
                .send()
        };
        let session_csv = format!("/exports/attendance/sessions/{}/attendance.csv", s.id);
        let detail = format!("session={}", s.id);

        // The lecturer: the projector, the roster to mark, the session's export.
        let (status, _) =
            json(call(&app, Some(&teacher_c), "projector_board", &session).await).await;
        assert_eq!(status, 200);
        let (_, roll) = json(call(&app, Some(&teacher_c), "roll_call", &session).await).await;
        assert_eq!(roll["can_mark"], true, "{roll}");
        let (_, info) = json(call(&app, Some(&teacher_c), "session_detail", &detail).await).await;
        assert_eq!(info["can_project"], true, "{info}");
        assert_eq!(info["roster"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            export(&teacher_c, &session_csv).await.unwrap().status(),
            200
        );
        let (_, mine) = json(call(&app, Some(&teacher_c), "my_schedule", "").await).await;
        let taught: Vec<i64> = mine["teaching"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(taught, vec![s.id], "{mine}");

        // Another instructor: none of it, and nothing written.
        for endpoint in ["projector_board", "roll_call", "mark_rest_absent"] {
            let res = call(&app, Some(&other_c), endpoint, &session).await;
            assert_eq!(res.status(), 403, "{endpoint}");
        }
        let res = call(&app, Some(&other_c), "mark_attendance", &mark).await;
        assert_eq!(res.status(), 403);
        let (_, info) = json(call(&app, Some(&other_c), "session_detail", &detail).await).await;
        assert_eq!(info["can_project"], false, "{info}");
        assert!(info["roster"].is_null(), "{info}");
        assert_eq!(export(&other_c, &session_csv).await.unwrap().status(), 403);
        let (_, mine) = json(call(&app, Some(&other_c), "my_schedule", "").await).await;
        assert_eq!(mine["teaching"], serde_json::json!([]));
        // Every trainee's hours are for the school and the organisers.
        let all_hours = "/exports/attendance/trainees.csv";
        assert_eq!(export(&teacher_c, all_hours).await.unwrap().status(), 403);
        assert_eq!(export(&organiser_c, all_hours).await.unwrap().status(), 200);
        assert_eq!(attendance::Entity::find().count(&db.db).await.unwrap(), 0);

        // An organiser reads every roster but marks none.
        let (status, roll) =
            json(call(&app, Some(&organiser_c), "roll_call", &session).await).await;
        assert_eq!(status, 200);
        assert_eq!(roll["can_mark"], false, "{roll}");
        let res = call(&app, Some(&organiser_c), "mark_attendance", &mark).await;
        assert_eq!(res.status(), 403);
        let res = call(&app, Some(&organiser_c), "projector_board", &session).await;
        assert_eq!(res.status(), 403);

        // The lecturer marks; it is written once, by them.
        let (status, _) = json(call(&app, Some(&teacher_c), "mark_attendance", &mark).await).await;
        assert_eq!(status, 200);
        let rows = attendance::Entity::find().all(&db.db).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].updated_by, Some(teacher.id));
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_scanned_code_checks_in_once_and_bad_codes_are_refused() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let s = running_session(&db, 5).await;
        let a = person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let b = person_with_roles(&db, 2, &[Role::Trainee], None).await;
        person_with_roles(&db, 3, &[Role::Trainee], None).await;
        let instructor = person_with_roles(&db, 4, &[Role::Instructor], None).await;
        teaches(&db, &s, instructor.id).await;
        for p in [a.id, b.id] {
            enrol(&db.db, s.id, p, false, Utc::now()).await.unwrap();
        }
        let app = spawn(&db).await;
        let (ca, cb, cc, ci) = (
            login(&app, 1).await,
            login(&app, 2).await,
            login(&app, 3).await,
            login(&app, 4).await,
        );

        // The projector shows a signed code as a QR image; trainees may not open it.
        let (status, board) = json(
            call(
                &app,
                Some(&ci),
                "projector_board",
                &format!("session={}", s.id),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{board}");
        assert!(board["qr_svg"].as_str().unwrap().starts_with("<svg"));
        assert_eq!(board["counts"]["enrolled"], 2);
        assert_eq!(board["counts"]["present"], 0);
        let url = board["url"].as_str().unwrap().to_string();
        let token = url
            .split("?t=")
            .nth(1)
            .expect("the URL carries the code")
            .to_string();
        let res = call(
            &app,
            Some(&ca),
            "projector_board",
            &format!("session={}", s.id),
        )
        .await;
        assert_eq!(res.status(), 403);

        // First scan: present. Second scan: already, nothing written.
        let body = format!("token={}", urlencode(&token));
        let (status, first) = json(call(&app, Some(&ca), "check_in", &body).await).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["status"], "present");
        assert_eq!(first["already"], false);
        let (_, again) = json(call(&app, Some(&ca), "check_in", &body).await).await;
        assert_eq!(again["already"], true);
        assert_eq!(again["status"], "present");
        let rows = attendance::Entity::find()
            .filter(attendance::Column::PersonId.eq(a.id))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(rows, 1);

        // Not enrolled; forged; from another secret; expired; not a code at all.
        let (status, err) = json(call(&app, Some(&cc), "check_in", &body).await).await;
        assert_eq!((status, refusal(&err)), (422, ("session", "not_enrolled")));
        let slot = slot_of(Utc::now().timestamp(), 20);
        let forged = sign(
            b"someone else's secret",
            Token {
                session: s.id,
                slot,
            },
        );
        let (status, err) = json(
            call(
                &app,
                Some(&cb),
                "check_in",
                &format!("token={}", urlencode(&forged)),
            )
            .await,
        )
        .await;
        assert_eq!((status, refusal(&err)), (422, ("token", "token_invalid")));
        let mut tampered = token.clone();
        tampered.replace_range(0..s.id.to_string().len(), &(s.id + 1).to_string());
        let (status, err) = json(
            call(
                &app,
                Some(&cb),
                "check_in",
                &format!("token={}", urlencode(&tampered)),
            )
            .await,
        )
        .await;
        assert_eq!((status, refusal(&err)), (422, ("token", "token_invalid")));
        let old = sign(
            SECRET.as_bytes(),
            Token {
                session: s.id,
                slot: slot - 2,
            },
        );
        let (status, err) = json(
            call(
                &app,
                Some(&cb),
                "check_in",
                &format!("token={}", urlencode(&old)),
            )
            .await,
        )
        .await;
        assert_eq!((status, refusal(&err)), (422, ("token", "token_expired")));
        let (status, _) = json(call(&app, Some(&cb), "check_in", "token=hello").await).await;
        assert_eq!(status, 422);
        let res = call(&app, None, "check_in", &body).await;
        assert_eq!(res.status(), 401);

        // Twenty minutes after the start (grace 15): late.
        running_session(&db, 20).await;
        let (_, late) = json(call(&app, Some(&cb), "check_in", &body).await).await;
        assert_eq!(late["status"], "late", "{late}");

        // The instructor excuses b; the history keeps both changes and who made them.
        let (status, _) = json(
            call(
                &app,
                Some(&ci),
                "mark_attendance",
                &format!(
                    "session={}&person={}&status=excused&note={}",
                    s.id,
                    b.id,
                    urlencode("病假")
                ),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let history = attendance_change::Entity::find()
            .filter(attendance_change::Column::PersonId.eq(b.id))
            .all(&db.db)
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(
            (history[0].status.as_str(), history[0].changed_by),
            ("late", b.id)
        );
        assert_eq!(
            (
                history[1].status.as_str(),
                history[1].note.as_str(),
                history[1].changed_by
            ),
            ("excused", "病假", instructor.id)
        );
        // A status that does not exist, and someone without a seat, are refused.
        let (status, err) = json(
            call(
                &app,
                Some(&ci),
                "mark_attendance",
                &format!("session={}&person={}&status=here", s.id, b.id),
            )
            .await,
        )
        .await;
        assert_eq!((status, refusal(&err)), (422, ("status", "status_invalid")));
        let (status, err) = json(
            call(
                &app,
                Some(&ci),
                "mark_attendance",
                &format!("session={}&person={}&status=present", s.id, instructor.id),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, refusal(&err)),
            (422, ("person", "person_not_enrolled"))
        );
        let res = call(
            &app,
            Some(&ca),
            "mark_attendance",
            &format!("session={}&person={}&status=absent", s.id, b.id),
        )
        .await;
        assert_eq!(res.status(), 403);

        // Roll call shows it; nobody is left to mark absent.
        let (_, roll) =
            json(call(&app, Some(&ci), "roll_call", &format!("session={}", s.id)).await).await;
        assert_eq!(roll["counts"]["present"], 1);
        assert_eq!(roll["counts"]["excused"], 1);
        let (_, n) = json(
            call(
                &app,
                Some(&ci),
                "mark_rest_absent",
                &format!("session={}", s.id),
            )
            .await,
        )
        .await;
        assert_eq!(n, 0);

        // Exports: CSV with names and statuses, XLSX; not for trainees.
        let get = |path: String, cookie: &str| {
            app.client
                .get(app.url(&path))
                .header("cookie", cookie.to_string())
                .send()
        };
        let csv = get(
            format!("/exports/attendance/sessions/{}/attendance.csv", s.id),
            &ci,
        )
        .await
        .unwrap();
        assert_eq!(csv.status(), 200);
        let text = csv.text().await.unwrap();
        assert!(text.contains("测试1") && text.contains("出席"), "{text}");
        assert!(text.contains("测试2") && text.contains("请假") && text.contains("病假"));
        let xlsx = get(
            format!("/exports/attendance/sessions/{}/attendance.xlsx", s.id),
            &ci,
        )
        .await
        .unwrap();
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        let refused = get(
            format!("/exports/attendance/sessions/{}/attendance.csv", s.id),
            &ca,
        )
        .await
        .unwrap();
        assert_eq!(refused.status(), 403);
        app.stop().await;
        db
    })
    .await;
}

/// Session 3 of the 2014 file is a full day in two periods (上午 08:30-12:00, 下午 13:30-17:00):
/// each has its own check-in and roll call, and hours count the periods attended.
#[tokio::test]
async fn a_full_day_is_checked_in_and_counted_by_period() {
    use academy_app::attendance::service::check_in;
    use academy_app::error::AppError;
    use academy_app::state::AppConfig;
    use chrono::TimeZone;
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let s = session::Entity::find()
            .filter(session::Column::Number.eq(3))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.periods, "上午 08:30-12:00; 下午 13:30-17:00");
        let a = person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let b = person_with_roles(&db, 2, &[Role::Trainee], None).await;
        let instructor = person_with_roles(&db, 3, &[Role::Instructor], None).await;
        teaches(&db, &s, instructor.id).await;
        for p in [a.id, b.id] {
            enrol(&db.db, s.id, p, false, Utc::now()).await.unwrap();
        }

        // Check-in at fixed moments of 15 July 2014 (Tianjin is UTC+8), with codes of the moment.
        let config = AppConfig {
            signing_secret: SECRET.as_bytes().to_vec(),
            ..Default::default()
        };
        let queue = academy_app::attendance::queue::CheckInQueue::default();
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2014, 7, 15, h - 8, m, 0).unwrap();
        let scan = |who: &academy_app::auth::CurrentUser, h: u32, m: u32| {
            let now = at(h, m);
            let token = sign(
                SECRET.as_bytes(),
                Token {
                    session: s.id,
                    slot: slot_of(now.timestamp(), config.checkin.rotate_seconds),
                },
            );
            let (db, config, queue, who) = (&db.db, &config, &queue, who.clone());
            async move { check_in(db, config, queue, &who, &token, now).await }
        };
        let morning = scan(&a, 8, 40).await.unwrap();
        assert_eq!(
            (morning.status.as_str(), morning.period.as_str()),
            ("present", "上午 08:30–12:00")
        );
        assert_eq!(
            scan(&b, 12, 30).await,
            Err(AppError::validation("session", "checkin_not_open")),
            "lunch: the afternoon's doors open at 13:00"
        );
        let afternoon = scan(&a, 13, 50).await.unwrap();
        assert_eq!(
            (
                afternoon.status.as_str(),
                afternoon.period.as_str(),
                afternoon.already
            ),
            ("late", "下午 13:30–17:00", false),
            "a second check-in, for the afternoon, late after 13:45"
        );
        assert!(scan(&a, 14, 0).await.unwrap().already);
        assert_eq!(scan(&b, 13, 35).await.unwrap().status, "present");
        assert_eq!(
            scan(&b, 17, 0).await,
            Err(AppError::validation("session", "checkin_closed"))
        );
        let rows = attendance::Entity::find()
            .filter(attendance::Column::SessionId.eq(s.id))
            .filter(attendance::Column::PersonId.is_in([a.id, b.id]))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(rows, 3, "a: morning and afternoon; b: afternoon");

        // Roll call by period: the morning misses b, who is marked absent there only.
        let app = spawn(&db).await;
        let ci = login(&app, 3).await;
        let roll = |period: i32| {
            let (app, ci) = (&app, ci.clone());
            async move {
                let body = format!("session={}&period={period}", s.id);
                json(call(app, Some(&ci), "roll_call", &body).await).await
            }
        };
        let status_of = |roll: &Value, id: i64| {
            roll["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["person_id"] == id)
                .map(|r| r["status"].clone())
                .unwrap()
        };
        let (status, am) = roll(0).await;
        assert_eq!(status, 200, "{am}");
        assert_eq!(
            am["periods"],
            serde_json::json!(["上午 08:30–12:00", "下午 13:30–17:00"])
        );
        assert_eq!(am["period"], 0);
        assert_eq!(status_of(&am, a.id), "present");
        assert_eq!(status_of(&am, b.id), Value::Null);
        let (status, _) = json(
            call(
                &app,
                Some(&ci),
                "mark_attendance",
                &format!("session={}&person={}&status=absent&period=0", s.id, b.id),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let (_, pm) = roll(1).await;
        assert_eq!(status_of(&pm, a.id), "late");
        assert_eq!(
            status_of(&pm, b.id),
            "present",
            "the afternoon is untouched"
        );
        let (_, am) = roll(0).await;
        assert_eq!(status_of(&am, b.id), "absent");
        // A period the session does not have is refused by name.
        let (status, err) = roll(2).await;
        assert_eq!((status, refusal(&err)), (422, ("period", "period_invalid")));
        let (status, err) = json(
            call(
                &app,
                Some(&ci),
                "mark_attendance",
                &format!("session={}&person={}&status=absent&period=5", s.id, b.id),
            )
            .await,
        )
        .await;
        assert_eq!((status, refusal(&err)), (422, ("period", "period_invalid")));

        // The export has a row per trainee and period, with the period's times and hours.
        let csv = app
            .client
            .get(app.url(&format!(
                "/exports/attendance/sessions/{}/attendance.csv",
                s.id
            )))
            .header("cookie", ci.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let line = |name: &str, period: &str| {
            csv.lines()
                .find(|l| l.contains(name) && l.contains(&format!(",{period},")))
                .unwrap_or_else(|| panic!("no {period} row for {name} in {csv}"))
                .to_string()
        };
        let a_am = line("测试1", "上午");
        assert!(a_am.contains("08:30,12:00,3.5,"), "{a_am}");
        assert!(a_am.ends_with(",3.5"), "{a_am}");
        assert!(line("测试1", "下午").ends_with(",3.5"));
        let b_am = line("测试2", "上午");
        assert!(b_am.contains("缺席") && b_am.ends_with(",0"), "{b_am}");
        assert!(line("测试2", "下午").ends_with(",3.5"));

        // Certificates count hours by period: a attended 7 of the auditors' 10.5 hours (the
        // day's 7 and session 4's 3.5), b 3.5.
        let board = academy_app::certificate::service::board(&db.db)
            .await
            .unwrap();
        let hours = |id: i64| {
            let r = board.rows.iter().find(|r| r.person_id == id).unwrap();
            (r.hours_attended, r.hours_due)
        };
        assert_eq!(hours(a.id), (7.0, 10.5));
        assert_eq!(hours(b.id), (3.5, 10.5));
        app.stop().await;
        db
    })
    .await;
}

/// The whole room at once: the scans are written together (`attendance::queue`), yet each is
/// told the truth about its own mark, and five marked absent before they came become present.
#[tokio::test]
async fn thirty_trainees_scanning_twice_at_once_are_counted_once_each() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let s = running_session(&db, 0).await;
        let mut cookies = Vec::new();
        let app = spawn(&db).await;
        for n in 0..30 {
            let p = person_with_roles(&db, 100 + n, &[Role::Trainee], None).await;
            enrol(&db.db, s.id, p.id, false, Utc::now()).await.unwrap();
            cookies.push(login(&app, 100 + n).await);
            if n < 5 {
                attendance::ActiveModel {
                    session_id: Set(s.id),
                    person_id: Set(p.id),
                    period: Set(0),
                    status: Set("absent".into()),
                    note: Set(String::new()),
                    method: Set("manual".into()),
                    checked_in_at: Set(None),
                    updated_by: Set(None),
                    updated_at: Set(Utc::now()),
                    ..Default::default()
                }
                .insert(&db.db)
                .await
                .unwrap();
            }
        }
        let token = sign(
            SECRET.as_bytes(),
            Token {
                session: s.id,
                slot: slot_of(Utc::now().timestamp(), 20),
            },
        );
        let body = format!("token={}", urlencode(&token));
        let mut scans = tokio::task::JoinSet::new();
        for c in &cookies {
            for _ in 0..2 {
                let (client, url) = (app.client.clone(), app.url("/api/check_in"));
                let (cookie, body) = (c.clone(), body.clone());
                scans.spawn(async move {
                    let res = client
                        .post(url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("cookie", cookie)
                        .body(body)
                        .send()
                        .await
                        .unwrap();
                    json(res).await
                });
            }
        }
        let results = scans.join_all().await;
        let fresh = results
            .iter()
            .filter(|(status, r)| *status == 200 && r["already"] == false)
            .count();
        let repeats = results
            .iter()
            .filter(|(status, r)| *status == 200 && r["already"] == true)
            .count();
        assert_eq!((fresh, repeats), (30, 30), "{results:?}");
        let rows = attendance::Entity::find()
            .filter(attendance::Column::SessionId.eq(s.id))
            .count(&db.db)
            .await
            .unwrap();
        let changes = attendance_change::Entity::find()
            .filter(attendance_change::Column::SessionId.eq(s.id))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(
            (rows, changes),
            (30, 30),
            "25 new marks and 5 changed from absent"
        );
        let present = attendance::Entity::find()
            .filter(attendance::Column::SessionId.eq(s.id))
            .filter(attendance::Column::Status.eq("present"))
            .filter(attendance::Column::Method.eq("qr"))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(present, 30);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn the_dashboard_shows_quotas_met_and_a_district_official_sees_only_theirs() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let districts = district::Entity::find().all(&db.db).await.unwrap();
        let home = &districts[0];
        person_with_roles(&db, 1, &[Role::Organiser], None).await;
        person_with_roles(&db, 2, &[Role::DistrictOfficial], Some(home.id)).await;
        person_with_roles(&db, 3, &[Role::Trainee], None).await;
        let marker = person_with_roles(&db, 4, &[Role::Scheduler], None).await;

        // One enterprise of the home district sends its leader and two auditors, who attend.
        let e = enterprise::Entity::find()
            .filter(enterprise::Column::DistrictId.eq(home.id))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let staff = person::Entity::find()
            .filter(person::Column::EnterpriseId.eq(e.id))
            .all(&db.db)
            .await
            .unwrap();
        let leader = staff
            .iter()
            .find(|p| p.tier.as_deref() == Some("leader"))
            .unwrap();
        let auditors: Vec<_> = staff
            .iter()
            .filter(|p| p.tier.as_deref() == Some("auditor"))
            .take(2)
            .collect();
        let s = running_session(&db, 0).await;
        for p in std::iter::once(leader).chain(auditors.iter().copied()) {
            enrol(&db.db, s.id, p.id, false, Utc::now()).await.unwrap();
            academy_app::attendance::service::mark(
                &db.db,
                &marker,
                academy_app::attendance::service::Seat {
                    session: s.id,
                    person: p.id,
                    period: 0,
                },
                "present",
                "",
                Utc::now(),
            )
            .await
            .unwrap();
        }

        let app = spawn(&db).await;
        let (organiser, official, trainee) = (
            login(&app, 1).await,
            login(&app, 2).await,
            login(&app, 3).await,
        );
        let (status, all) = json(call(&app, Some(&organiser), "progress_overview", "").await).await;
        assert_eq!(status, 200, "{all}");
        assert_eq!(all["total"], 82);
        assert_eq!(all["done"], 1);
        assert_eq!(all["tiers"][0], "leader");
        assert_eq!(all["tiers"][1], "auditor");
        let row = all["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == e.id)
            .unwrap();
        assert_eq!(row["done"], true);
        assert!(all["districts"].as_array().unwrap().len() > 1);

        // "Passed" counts a quiz of the leader's own courses only: the internal auditors' quiz
        // does not count, the leaders' course quiz does.
        let leader_cell = |report: &Value| {
            report["enterprises"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == e.id)
                .unwrap()["tiers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["tier"] == "leader")
                .cloned()
                .unwrap()
        };
        assert_eq!(leader_cell(&all)["passed"], 0);
        common::pass_quiz(&db.db, "auditor-method", leader.id).await;
        let (_, all) = json(call(&app, Some(&organiser), "progress_overview", "").await).await;
        assert_eq!(leader_cell(&all)["passed"], 0, "another tier's quiz");
        common::pass_quiz(&db.db, "leader-basics", leader.id).await;
        let (_, all) = json(call(&app, Some(&organiser), "progress_overview", "").await).await;
        assert_eq!(leader_cell(&all)["passed"], 1, "their own tier's quiz");

        let (_, mine) = json(call(&app, Some(&official), "progress_overview", "").await).await;
        let in_home = enterprise::Entity::find()
            .filter(enterprise::Column::DistrictId.eq(home.id))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(mine["total"], in_home);
        assert_eq!(mine["scope"], home.name_zh.as_str());
        for r in mine["enterprises"].as_array().unwrap() {
            assert_eq!(r["district"], home.name_zh.as_str());
        }
        assert_eq!(mine["districts"].as_array().unwrap().len(), 1);
        assert_eq!(mine["done"], 1);

        let xlsx = app
            .client
            .get(app.url("/exports/progress/progress.xlsx"))
            .header("cookie", official.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), 200);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        let csv = app
            .client
            .get(app.url("/exports/progress/progress.csv"))
            .header("cookie", official.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            csv.lines().count() as u64,
            in_home + 1,
            "a header and one line an enterprise"
        );
        let res = call(&app, Some(&trainee), "progress_overview", "").await;
        assert_eq!(res.status(), 403);
        let res = app
            .client
            .get(app.url("/exports/progress/progress.csv"))
            .header("cookie", trainee)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn every_process_on_one_database_signs_with_the_same_secret() {
    on_each_database(|db| async move {
        let first = signing_secret(&db.db, None).await.unwrap();
        let second = signing_secret(&db.db, None).await.unwrap();
        assert!(first.len() >= 32);
        assert_eq!(first, second, "kept in the database, not made again");
        let configured = signing_secret(&db.db, Some("from-config")).await.unwrap();
        assert_eq!(configured, b"from-config");
        db
    })
    .await;
}
