//! The planner over HTTP, on SQLite and PostgreSQL: a scheduler builds sessions, rooms and
//! lecturers; a room booked twice, a lecturer in two places and more seats than the room has
//! are refused with what is in the way named, and nothing is written; the quota shortfall lists
//! the enterprises that have not put enough delegates into a session.
mod common;

use academy_app::attendance::entity::attendance;
use academy_app::auth::Role;
use academy_app::catalog::content;
use academy_app::catalog::sync::sync;
use academy_app::people::entity::{enterprise, person};
use academy_app::scheduling::entity::{lecturer, programme, room, session};
use common::{call, content_root, json, on_each_database, person_with_roles, session_cookie};
use common::{sign_in, TestApp, TestDb, PASSWORD};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::Value;

async fn load(db: &TestDb) {
    let set = content::load(&content_root()).unwrap();
    sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
}

/// A server function's form body: `defaults` under `name[...]`, with `fields` replaced.
fn body<'a>(name: &str, mut all: Vec<(&str, &'a str)>, fields: &[(&str, &'a str)]) -> String {
    for (k, v) in fields {
        all.iter_mut()
            .find(|(n, _)| n == k)
            .unwrap_or_else(|| panic!("no field {k}"))
            .1 = v;
    }
    all.iter()
        .map(|(k, v)| format!("{name}[{k}]={}", common::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn draft(fields: &[(&str, &str)]) -> String {
    let all: Vec<(&str, &str)> = vec![
        ("id", "0"),
        ("number", "7"),
        ("title_zh", "第七期：补训"),
        ("title_en", "Session 7: make-up"),
        ("tiers", "leader,auditor"),
        ("courses", "leader-basics"),
        ("date", "2014-07-16"),
        ("start", "09:00"),
        ("end", "12:00"),
        ("room", ""),
        ("capacity", "40"),
        ("lecturers", ""),
        ("periods", ""),
    ];
    body("draft", all, fields)
}

async fn sessions(db: &TestDb) -> u64 {
    session::Entity::find().count(&db.db).await.unwrap()
}

#[tokio::test]
async fn a_scheduler_builds_sessions_and_is_refused_each_clash_by_name() {
    on_each_database(|db| async move {
        load(&db).await;
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        person_with_roles(&db, 2, &[Role::Trainee], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let trainee =
            session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        let en = format!("{cookie}; lang=en");

        // A trainee may not plan.
        assert_eq!(
            call(&app, Some(&trainee), "save_room", "id=0&name=201&capacity=60")
                .await
                .status(),
            403
        );

        // A new room, and the programme file's lecturers are in the directory.
        let (status, room_id) = json(
            call(&app, Some(&cookie), "save_room", "id=0&name=201%E6%95%99%E5%AE%A4&capacity=60").await,
        )
        .await;
        assert_eq!(status, 200, "{room_id}");
        let room_id = room_id.as_i64().unwrap();
        let (_, same) = json(
            call(&app, Some(&cookie), "save_room", "id=0&name=201%E6%95%99%E5%AE%A4&capacity=30").await,
        )
        .await;
        assert!(same["Conflict"].as_str().unwrap().contains("已有名为201教室的教室"), "{same}");
        let yu = lecturer::Entity::find()
            .filter(lecturer::Column::Name.eq("南开大学教授于宏兵"))
            .one(&db.db)
            .await
            .unwrap()
            .expect("the file's lecturer is listed");
        let (status, expert) = json(
            call(
                &app,
                Some(&cookie),
                "save_lecturer",
                "id=0&name=%E5%BC%A0%E5%B7%A5&organisation=%E5%A4%A9%E6%B4%A5%E5%A4%A7%E5%AD%A6&login=",
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{expert}");
        let expert = expert.as_i64().unwrap();

        // Session 7 in the new room on 16 July.
        let before = sessions(&db).await;
        let room = room_id.to_string();
        let ok = call(
            &app,
            Some(&cookie),
            "save_session",
            &draft(&[("room", &room), ("lecturers", &expert.to_string())]),
        )
        .await;
        assert_eq!(ok.status(), 200);
        let seventh: i64 = ok.json().await.unwrap();
        assert_eq!(sessions(&db).await, before + 1);
        let row = session::Entity::find_by_id(seventh).one(&db.db).await.unwrap().unwrap();
        // 09:00 in Tianjin is 01:00 UTC.
        assert_eq!(row.starts_at.to_rfc3339(), "2014-07-16T01:00:00+00:00");
        assert_eq!(row.lecturers, r#"["张工"]"#);

        // The same room at an overlapping time: refused, naming the session and its time.
        let (status, body) = json(
            call(
                &app,
                Some(&en),
                "save_session",
                &draft(&[("number", "8"), ("room", &room), ("start", "10:00"), ("end", "11:00")]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(
            body["Conflict"],
            "201教室 is already booked for session 7, 09:00-12:00 on 16 July"
        );
        let (_, body) = json(
            call(
                &app,
                Some(&cookie),
                "save_session",
                &draft(&[("number", "8"), ("room", &room), ("start", "11:30"), ("end", "14:00")]),
            )
            .await,
        )
        .await;
        assert_eq!(body["Conflict"], "201教室已被第7期占用（7月16日 09:00–12:00）");

        // The lecturer elsewhere at that time: refused, naming them.
        let other_room = room::Entity::find()
            .filter(room::Column::Name.eq("第二教室"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let (status, body) = json(
            call(
                &app,
                Some(&cookie),
                "save_session",
                &draft(&[
                    ("number", "8"),
                    ("room", &other_room),
                    ("lecturers", &format!("{},{expert}", yu.id)),
                    ("date", "2014-07-16"),
                    ("start", "11:00"),
                    ("end", "12:30"),
                ]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(body["Conflict"], "张工已在第7期授课（7月16日 09:00–12:00）");

        // More seats than the room: refused.
        let (status, body) = json(
            call(
                &app,
                Some(&cookie),
                "save_session",
                &draft(&[("number", "8"), ("room", &room), ("date", "2014-07-17"), ("capacity", "61")]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(body["Conflict"], "201教室只有60个座位");

        // A wrong field is named.
        let (status, body) = json(
            call(
                &app,
                Some(&cookie),
                "save_session",
                &draft(&[("number", "8"), ("room", &room), ("date", "2014-07-17"), ("end", "08:00")]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(body["Validation"]["field"], "end");
        assert_eq!(sessions(&db).await, before + 1, "nothing refused was written");

        // Moving session 7 later in the same room does not clash with itself.
        let moved = call(
            &app,
            Some(&cookie),
            "save_session",
            &draft(&[
                ("id", &seventh.to_string()),
                ("room", &room),
                ("start", "10:00"),
                ("end", "12:30"),
                ("lecturers", &expert.to_string()),
            ]),
        )
        .await;
        assert_eq!(moved.status(), 200);
        let row = session::Entity::find_by_id(seventh).one(&db.db).await.unwrap().unwrap();
        assert_eq!(row.ends_at.to_rfc3339(), "2014-07-16T04:30:00+00:00");

        // A trainee holds places in session 7 and session 1 (14 July, 09:00-12:00): moving
        // session 7 onto session 1's time is refused, naming them; nothing moves.
        let holder = person::Entity::find()
            .filter(person::Column::Email.eq("actor2@example.com"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let first = session::Entity::find()
            .filter(session::Column::Number.eq(1))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        for s in [seventh, first.id] {
            academy_app::scheduling::service::enrol(&db.db, s, holder.id, false, chrono::Utc::now())
                .await
                .unwrap();
        }
        let (status, body) = json(
            call(
                &app,
                Some(&cookie),
                "save_session",
                &draft(&[
                    ("id", &seventh.to_string()),
                    ("room", &room),
                    ("date", "2014-07-14"),
                    ("start", "11:00"),
                    ("end", "12:30"),
                    ("lecturers", &expert.to_string()),
                ]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(
            body["Conflict"],
            format!("本期学员{}同时报名了第1期（7月14日 09:00–12:00），时间冲突", holder.name)
        );
        let row = session::Entity::find_by_id(seventh).one(&db.db).await.unwrap().unwrap();
        assert_eq!(row.ends_at.to_rfc3339(), "2014-07-16T04:30:00+00:00", "unchanged");
        // Once that place is cancelled, the same move goes through, and back again.
        academy_app::scheduling::service::cancel(&db.db, first.id, holder.id, "http://x", chrono::Utc::now())
            .await
            .unwrap();
        for (date, start, end) in [("2014-07-14", "11:00", "12:30"), ("2014-07-16", "10:00", "12:30")] {
            let res = call(
                &app,
                Some(&cookie),
                "save_session",
                &draft(&[
                    ("id", &seventh.to_string()),
                    ("room", &room),
                    ("date", date),
                    ("start", start),
                    ("end", end),
                    ("lecturers", &expert.to_string()),
                ]),
            )
            .await;
            assert_eq!(res.status(), 200);
        }
        academy_app::scheduling::service::cancel(&db.db, seventh, holder.id, "http://x", chrono::Utc::now())
            .await
            .unwrap();

        // A room cannot shrink below a session's seats.
        let (status, body) = json(
            call(&app, Some(&cookie), "save_room", &format!("id={room_id}&name=201&capacity=30")).await,
        )
        .await;
        assert_eq!(status, 409, "{body}");

        // Renaming a lecturer follows into their sessions.
        let renamed = call(
            &app,
            Some(&cookie),
            "save_lecturer",
            &format!("id={expert}&name=%E5%BC%A0%E9%AB%98%E5%B7%A5&organisation=&login="),
        )
        .await;
        assert_eq!(renamed.status(), 200);
        let row = session::Entity::find_by_id(seventh).one(&db.db).await.unwrap().unwrap();
        assert_eq!(row.lecturers, r#"["张高工"]"#);

        // The plan lists it all.
        let (status, plan) = json(call(&app, Some(&cookie), "plan_overview", "").await).await;
        assert_eq!(status, 200);
        assert_eq!(plan["sessions"].as_array().unwrap().len() as u64, before + 1);
        let seven = plan["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == seventh)
            .unwrap();
        assert_eq!(seven["start"], "10:00");
        assert_eq!(seven["room"], "201教室");
        assert_eq!(seven["lecturer_ids"], Value::from(vec![expert]));

        // A session with attendance on record stays, even with nobody enrolled any more.
        let trainee_id = person::Entity::find()
            .filter(person::Column::Email.eq("actor2@example.com"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let record = attendance::ActiveModel {
            session_id: Set(seventh),
            person_id: Set(trainee_id),
            status: Set("present".into()),
            note: Set(String::new()),
            method: Set("manual".into()),
            updated_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&db.db)
        .await
        .unwrap();
        let (status, body) =
            json(call(&app, Some(&cookie), "delete_session", &format!("session={seventh}")).await)
                .await;
        assert_eq!(status, 409);
        assert_eq!(body["Conflict"], "第7期已有1条签到记录，不能删除");
        attendance::Entity::delete_by_id(record.id)
            .exec(&db.db)
            .await
            .unwrap();

        // An empty session can go.
        let gone = call(&app, Some(&cookie), "delete_session", &format!("session={seventh}")).await;
        assert_eq!(gone.status(), 200);
        assert_eq!(sessions(&db).await, before);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_full_day_is_split_into_periods_until_attendance_is_kept_by_them() {
    on_each_database(|db| async move {
        load(&db).await;
        let trainee = person_with_roles(&db, 2, &[Role::Trainee], None).await;
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        // 第二教室 is free on 16 July.
        let room = room::Entity::find()
            .filter(room::Column::Name.eq("第二教室"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap()
            .id
            .to_string();
        let day = |periods: &'static str| {
            vec![
                ("room", room.clone()),
                ("end", "17:00".to_string()),
                ("periods", periods.to_string()),
            ]
        };
        let save = |fields: Vec<(&'static str, String)>| {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let body = draft(&fields);
            let app = &app;
            let cookie = cookie.clone();
            async move { json(call(app, Some(&cookie), "save_session", &body).await).await }
        };

        // A period outside the day, and two that overlap, are named.
        let (status, body) = save(day("上午 08:00-12:00")).await;
        assert_eq!(status, 422);
        assert_eq!(body["Validation"]["field"], "periods");
        assert_eq!(body["Validation"]["message"], "period_outside_session");
        let (_, body) = save(day("09:00-12:00；11:00-17:00")).await;
        assert_eq!(body["Validation"]["message"], "periods_overlap");

        // A morning and an afternoon: saved in order, listed, and shown on the session page.
        let (status, id) = save(day("下午 13:30-17:00；上午 09:00-12:00")).await;
        assert_eq!(status, 200, "{id}");
        let id = id.as_i64().unwrap();
        let row = session::Entity::find_by_id(id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.periods, "上午 09:00-12:00; 下午 13:30-17:00");
        let (_, plan) = json(call(&app, Some(&cookie), "plan_overview", "").await).await;
        let listed = plan["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap();
        assert_eq!(listed["periods"], "上午 09:00-12:00; 下午 13:30-17:00");
        let (status, detail) = json(
            call(
                &app,
                Some(&cookie),
                "session_detail",
                &format!("session={id}"),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{detail}");
        assert_eq!(
            detail["card"]["periods"],
            serde_json::json!(["上午 09:00–12:00", "下午 13:30–17:00"])
        );
        // Six and a half hours for its tiers, not eight: the lunch break earns none.
        let p = academy_app::scheduling::service::current_programme(&db.db)
            .await
            .unwrap();
        let plans = academy_app::scheduling::service::tier_plans(&db.db, p.id)
            .await
            .unwrap();
        let leader = plans.by_tier["leader"].minutes;
        assert_eq!(
            leader,
            180 + 210 + (180 + 210),
            "sessions 1, 2 and the new day"
        );

        // Once a mark is kept for the afternoon, the split stays; the rest can still change.
        attendance::ActiveModel {
            session_id: Set(id),
            person_id: Set(trainee.id),
            period: Set(1),
            status: Set("present".into()),
            note: Set(String::new()),
            method: Set("manual".into()),
            updated_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&db.db)
        .await
        .unwrap();
        let mut edit = day("");
        edit.push(("id", id.to_string()));
        let (status, body) = save(edit).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(
            body["Conflict"],
            "已按现有时段记录了1条签到，时段不能再更改"
        );
        let mut edit = day("上午 09:00-12:00；下午 13:30-17:00");
        edit.push(("id", id.to_string()));
        edit.push(("capacity", "30".into()));
        let (status, body) = save(edit).await;
        assert_eq!(status, 200, "{body}");
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn the_shortfall_lists_enterprises_without_enough_delegates_in_a_session() {
    on_each_database(|db| async move {
        load(&db).await;
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        let now = chrono::Utc::now();
        let mut firms = Vec::new();
        for name in ["天津甲化工有限公司", "天津乙钢铁有限公司"] {
            firms.push(
                enterprise::ActiveModel {
                    name: Set(name.into()),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&db.db)
                .await
                .unwrap()
                .id,
            );
        }
        // The first sends one leader and two auditors; the second one leader only.
        let mut people = Vec::new();
        for (i, (firm, tier)) in [
            (firms[0], "leader"),
            (firms[0], "auditor"),
            (firms[0], "auditor"),
            (firms[1], "leader"),
        ]
        .into_iter()
        .enumerate()
        {
            people.push(
                person::ActiveModel {
                    name: Set(format!("代表{i}")),
                    phone: Set(Some(format!("1390000{i:04}"))),
                    enterprise_id: Set(Some(firm)),
                    tier: Set(Some(tier.into())),
                    locale: Set("zh-CN".into()),
                    active: Set(true),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&db.db)
                .await
                .unwrap(),
            );
        }
        let sessions = session::Entity::find().all(&db.db).await.unwrap();
        let for_tier = |tier: &str| sessions.iter().find(|s| s.tiers.contains(tier)).unwrap().id;
        for p in &people {
            let tier = p.tier.clone().unwrap();
            academy_app::scheduling::service::enrol(&db.db, for_tier(&tier), p.id, false, now)
                .await
                .unwrap();
        }
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let (_, plan) = json(call(&app, Some(&cookie), "plan_overview", "").await).await;
        assert_eq!(plan["enterprises"], 2);
        let short = plan["shortfalls"].as_array().unwrap();
        assert_eq!(short.len(), 1, "{short:?}");
        assert_eq!(short[0]["enterprise"], "天津乙钢铁有限公司");
        assert_eq!(short[0]["tier"], "auditor");
        assert_eq!(short[0]["required"], 2);
        assert_eq!(short[0]["registered"], 0);
        assert_eq!(short[0]["enrolled"], 0);
        app.stop().await;
        db
    })
    .await;
}

fn programme_form(fields: &[(&str, &str)]) -> String {
    let all: Vec<(&str, &str)> = vec![
        ("title_zh", "2014年天津市清洁生产审核培训（修订）"),
        ("title_en", "Tianjin 2014 audit training (revised)"),
        ("starts_on", "2014-07-14"),
        ("ends_on", "2014-07-18"),
        ("venue_zh", "天津能源管理培训学校二号楼"),
        ("venue_en", ""),
        ("host_zh", "天津市节能协会"),
        ("organisers_zh", "天津市工业和信息化局\n天津市生态环境局"),
        ("min_attendance_percent", "75"),
        ("require_quiz", "false"),
        ("quotas", "leader:1,auditor:3"),
        ("tier_rules", "official::yes,leader:100:"),
    ];
    body("form", all, fields)
}

#[tokio::test]
async fn a_scheduler_corrects_the_programme_and_a_range_leaving_a_session_out_is_refused() {
    on_each_database(|db| async move {
        load(&db).await;
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        person_with_roles(&db, 2, &[Role::Trainee], None).await;
        person_with_roles(&db, 3, &[Role::Organiser], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let trainee = session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        let organiser =
            session_cookie(&sign_in(&app, "actor3@example.com", PASSWORD).await).unwrap();
        let current = |cookie: String| {
            let app = &app;
            async move { json(call(app, Some(&cookie), "programme_details", "").await).await }
        };

        // The form starts from the programme file.
        let (status, before) = current(cookie.clone()).await;
        assert_eq!(status, 200, "{before}");
        assert_eq!(
            before["title_zh"],
            "2014年天津市清洁生产强制审核企业专题培训"
        );
        assert_eq!(before["quotas"], "leader:1,auditor:2");
        assert_eq!(
            before["tier_rules"], "",
            "the 2014 file has one rule for all tiers"
        );
        assert_eq!(
            before["organisers_zh"],
            "天津市经济和信息化委员会\n天津市环境保护局"
        );

        // A trainee may neither read nor change it.
        assert_eq!(current(trainee.clone()).await.0, 403);
        let refused = call(&app, Some(&trainee), "save_programme", &programme_form(&[])).await;
        assert_eq!(refused.status(), 403);

        // Each mistake is named by its field, and nothing changes.
        for (fields, field, message) in [
            (vec![("title_zh", " ")], "title_zh", "required"),
            (
                vec![("ends_on", "2014-07-13")],
                "ends_on",
                "ends_before_starts",
            ),
            (
                vec![("min_attendance_percent", "120")],
                "min_attendance_percent",
                "percent_invalid",
            ),
            (vec![("quotas", "leader:x")], "quotas", "quota_invalid"),
            (
                vec![("tier_rules", "official::maybe")],
                "tier_rules",
                "tier_rule_invalid",
            ),
        ] {
            let (status, body) = json(
                call(
                    &app,
                    Some(&cookie),
                    "save_programme",
                    &programme_form(&fields),
                )
                .await,
            )
            .await;
            assert_eq!(status, 422, "{body}");
            assert_eq!(body["Validation"]["field"], field, "{body}");
            assert_eq!(body["Validation"]["message"], message, "{body}");
        }
        // Days that would leave session 6 (18 July) out: refused, naming it.
        let (status, body) = json(
            call(
                &app,
                Some(&cookie),
                "save_programme",
                &programme_form(&[("ends_on", "2014-07-17")]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 409, "{body}");
        assert!(
            body["Conflict"]
                .as_str()
                .unwrap()
                .starts_with("第6期（7月18日）在新的日期范围之外"),
            "{body}"
        );
        assert_eq!(current(cookie.clone()).await.1, before);

        // Saved: the details, the certificate rule and the quotas change together.
        let (status, body) =
            json(call(&app, Some(&cookie), "save_programme", &programme_form(&[])).await).await;
        assert_eq!(status, 200, "{body}");
        let (_, after) = current(cookie.clone()).await;
        assert_eq!(after["title_zh"], "2014年天津市清洁生产审核培训（修订）");
        assert_eq!(after["venue_zh"], "天津能源管理培训学校二号楼");
        assert_eq!(
            after["organisers_zh"],
            "天津市工业和信息化局\n天津市生态环境局"
        );
        assert_eq!(after["min_attendance_percent"], "75");
        assert_eq!(after["require_quiz"], false);
        assert_eq!(after["quotas"], "leader:1,auditor:3");
        assert_eq!(after["tier_rules"], "leader:100:,official::yes");
        let (_, plan) = json(call(&app, Some(&cookie), "plan_overview", "").await).await;
        assert_eq!(plan["programme_zh"], "2014年天津市清洁生产审核培训（修订）");
        assert_eq!(
            plan["quotas"],
            serde_json::json!([["leader", 1], ["auditor", 3]])
        );
        // The schedule's venue follows.
        let p = academy_app::scheduling::service::current_programme(&db.db)
            .await
            .unwrap();
        assert_eq!(p.venue_zh, "天津能源管理培训学校二号楼");
        assert_eq!(p.min_attendance_percent, 75);
        assert!(!p.require_quiz);
        // The organisers' certificate list shows the tiers' own rules over the programme's.
        let (status, board) =
            json(call(&app, Some(&organiser), "certificate_board", "").await).await;
        assert_eq!(status, 200, "{board}");
        assert_eq!(
            board["tier_rules"],
            serde_json::json!([
                ["leader", {"min_percent": 100, "require_quiz": false}],
                ["official", {"min_percent": 75, "require_quiz": true}],
            ])
        );
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_new_programme_is_created_and_is_current_when_it_starts_last() {
    on_each_database(|db| async move {
        load(&db).await;
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        person_with_roles(&db, 2, &[Role::Trainee], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let trainee = session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        let next_year = |fields: &[(&str, &str)]| {
            let mut all = vec![
                ("title_zh", "2015年天津市清洁生产审核培训"),
                ("starts_on", "2015-07-13"),
                ("ends_on", "2015-07-17"),
                ("quotas", "leader:2"),
                ("tier_rules", ""),
            ];
            all.extend_from_slice(fields);
            programme_form(&all)
        };
        let programmes = || async { programme::Entity::find().count(&db.db).await.unwrap() };
        assert_eq!(programmes().await, 1);

        // A trainee may not; a bad form is named and writes nothing.
        let refused = call(&app, Some(&trainee), "create_programme", &next_year(&[])).await;
        assert_eq!(refused.status(), 403);
        let (status, body) = json(
            call(
                &app,
                Some(&cookie),
                "create_programme",
                &next_year(&[("ends_on", "2015-07-01")]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(body["Validation"]["field"], "ends_on");
        assert_eq!(programmes().await, 1);

        // 2015 starts last: it is the current programme, empty, with its own quota.
        let (status, made) =
            json(call(&app, Some(&cookie), "create_programme", &next_year(&[])).await).await;
        assert_eq!(status, 200, "{made}");
        assert_eq!(made["current"], true);
        let (_, plan) = json(call(&app, Some(&cookie), "plan_overview", "").await).await;
        assert_eq!(plan["programme_zh"], "2015年天津市清洁生产审核培训");
        assert_eq!(plan["sessions"], Value::from(Vec::<Value>::new()));
        assert_eq!(plan["rooms"], Value::from(Vec::<Value>::new()));
        assert_eq!(plan["quotas"], serde_json::json!([["leader", 2]]));
        let row = programme::Entity::find_by_id(made["id"].as_i64().unwrap())
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.timezone, "Asia/Shanghai",
            "the time zone of the programme before"
        );
        assert!(row.min_attendance_percent == 75 && !row.require_quiz);

        // The same name twice is refused; an earlier programme is made but does not take over.
        let (status, body) =
            json(call(&app, Some(&cookie), "create_programme", &next_year(&[])).await).await;
        assert_eq!(status, 409);
        assert_eq!(
            body["Conflict"],
            "已有名为2015年天津市清洁生产审核培训的培训项目"
        );
        let (status, earlier) = json(
            call(
                &app,
                Some(&cookie),
                "create_programme",
                &next_year(&[
                    ("title_zh", "2013年试点培训"),
                    ("starts_on", "2013-05-06"),
                    ("ends_on", "2013-05-07"),
                ]),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{earlier}");
        assert_eq!(earlier["current"], false);
        let (_, details) = json(call(&app, Some(&cookie), "programme_details", "").await).await;
        assert_eq!(details["title_zh"], "2015年天津市清洁生产审核培训");

        // Syncing the programme files again leaves the programmes made in the browser alone.
        load(&db).await;
        assert_eq!(programmes().await, 3);
        let (_, details) = json(call(&app, Some(&cookie), "programme_details", "").await).await;
        assert_eq!(details["title_zh"], "2015年天津市清洁生产审核培训");
        app.stop().await;
        db
    })
    .await;
}
