//! Access control, end to end over HTTP: every server function is called anonymously and as
//! each role (and as a district official of another district), and must allow or refuse exactly
//! as the policy table says. A server function without a rule, or without a sample call here,
//! fails the test.
mod common;

use academy_app::auth::policy::{decide, rule_for, Decision, RULES};
use academy_app::auth::{CurrentUser, Role};
use academy_app::people::entity::{district, enterprise, person};
use common::{
    call, on_each_database, person_with_roles, session_cookie, sign_in, TestApp, PASSWORD,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// One call per server function, with arguments that get past parsing. `sign_out` comes last
/// because it ends the caller's session.
const SAMPLES: &[(&str, &str)] = &[
    ("home_summary", ""),
    ("whoami", ""),
    (
        "sign_in",
        "identifier=nobody%40example.com&password=wrong-password",
    ),
    (
        "redeem_login_link",
        "token=bogus&new_password=abcdefgh1&confirm=abcdefgh1",
    ),
    (
        "change_password",
        "current=wrong&new_password=abcdefgh1&confirm=abcdefgh1",
    ),
    ("list_people", ""),
    ("list_districts", ""),
    (
        "create_person",
        "name=&phone=&email=&tier=&role=trainee&district_id=",
    ),
    ("set_roles", "person_id=999999&roles=trainee&district_id="),
    ("issue_login_link", "person_id=999999"),
    ("list_audit_log", ""),
    ("person_admin", "person_id=999999"),
    ("revoke_sessions", "person_id=999999"),
    ("list_courses", ""),
    ("course_detail", "slug=auditor-method"),
    ("read_lesson", "slug=auditor-method-01-overview"),
    ("mark_lesson", "slug=auditor-method-01-overview&done=true"),
    ("my_learning", ""),
    ("quiz_overview", "course=auditor-method"),
    ("start_attempt", "course=auditor-method"),
    ("attempt_view", "attempt=999999"),
    ("save_answer", "attempt=999999&question=1&answer=0"),
    ("submit_attempt", "attempt=999999"),
    ("attempt_review", "attempt=999999"),
    ("quiz_results", "course=auditor-method"),
    ("list_sessions", ""),
    ("session_detail", "session=999999"),
    ("enrol_self", "session=999999"),
    ("cancel_self", "session=999999"),
    ("plan_overview", ""),
    (
        "save_session",
        "draft[id]=999999&draft[number]=9&draft[title_zh]=x&draft[title_en]=&draft[tiers]=leader&draft[courses]=&draft[date]=2014-07-15&draft[start]=09:00&draft[end]=10:00&draft[room]=999999&draft[capacity]=10&draft[lecturers]=",
    ),
    ("delete_session", "session=999999"),
    ("save_room", "id=999999&name=x&capacity=10"),
    ("save_lecturer", "id=999999&name=x&organisation=&login="),
    ("enrol_people", "session=999999&logins=nobody%40example.com"),
    ("move_people", "session=999999&people=999999&to=999998"),
    ("cancel_people", "session=999999&people=999999"),
    ("enrol_person", "session=999999&login=nobody%40example.com"),
    ("cancel_person", "session=999999&person=999999"),
    ("my_schedule", ""),
    ("projector_board", "session=999999"),
    ("check_in", "token=1.2.AAAAAAAAAAAAAAAAAAAAAA"),
    ("roll_call", "session=999999"),
    (
        "mark_attendance",
        "session=999999&person=999999&status=present&note=",
    ),
    ("mark_rest_absent", "session=999999"),
    ("progress_overview", ""),
    ("certificate_board", ""),
    ("issue_certificates", "tier=leader&enterprise="),
    ("reissue_certificate", "person_id=999999"),
    (
        "revoke_certificate",
        "serial=TJCP2014-0000000000&reason=test",
    ),
    ("verify_certificate", "serial=TJCP2014-0000000000"),
    ("my_certificates", ""),
    ("mail_outbox", "status=failed"),
    ("mail_batch", "batch=00000000-0000-0000-0000-000000000000"),
    ("retry_mail", "batch=00000000-0000-0000-0000-000000000000"),
    ("resend_mail", "id=999999"),
    ("import_people", "file_name=x.csv&content=&check_only=true"),
    ("list_enterprises", ""),
    (
        "save_enterprise",
        "form[id]=999999&form[name]=x&form[credit_code]=x&form[district]=1&form[reason]=coal",
    ),
    ("programme_details", ""),
    (
        "save_programme",
        // An empty title: the allowed are refused with a validation error, nothing changes.
        "form[title_zh]=&form[title_en]=&form[starts_on]=2014-07-14&form[ends_on]=2014-07-18&form[venue_zh]=x&form[venue_en]=&form[host_zh]=&form[organisers_zh]=x&form[min_attendance_percent]=80&form[require_quiz]=true&form[quotas]=",
    ),
    (
        "create_programme",
        // An empty title again: refused before anything is written.
        "form[title_zh]=&form[title_en]=&form[starts_on]=2015-07-13&form[ends_on]=2015-07-17&form[venue_zh]=x&form[venue_en]=&form[host_zh]=&form[organisers_zh]=x&form[min_attendance_percent]=80&form[require_quiz]=true&form[quotas]=",
    ),
    ("sign_out", ""),
];

struct Actor {
    label: String,
    user: Option<CurrentUser>,
    cookie: Option<String>,
}

#[tokio::test]
async fn every_server_function_allows_and_refuses_exactly_as_the_policy_says() {
    // Every registered server function has a rule and a sample call.
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        let name = path.trim_start_matches("/api/");
        assert!(
            rule_for(name).is_some(),
            "server function {path} has no policy rule"
        );
        assert!(
            SAMPLES.iter().any(|(n, _)| *n == name),
            "server function {path} has no sample call in this test"
        );
    }
    assert_eq!(SAMPLES.len(), RULES.len());

    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let districts = district::Entity::find().all(&db.db).await.unwrap();
        let (home, other) = (districts[0].id, districts[1].id);
        let app = TestApp::spawn(&db).await;

        let mut actors = vec![Actor {
            label: "anonymous".into(),
            user: None,
            cookie: None,
        }];
        let cases: Vec<(&str, Vec<Role>, Option<i64>)> = vec![
            ("trainee", vec![Role::Trainee], None),
            ("instructor", vec![Role::Instructor], None),
            ("scheduler", vec![Role::Scheduler], None),
            ("organiser", vec![Role::Organiser], None),
            (
                "district official",
                vec![Role::DistrictOfficial],
                Some(home),
            ),
            (
                "official of another district",
                vec![Role::DistrictOfficial],
                Some(other),
            ),
            ("admin", vec![Role::Admin], None),
        ];
        for (n, (label, roles, district)) in cases.into_iter().enumerate() {
            let user = person_with_roles(&db, n, &roles, district).await;
            let res = sign_in(&app, &format!("actor{n}@example.com"), PASSWORD).await;
            let cookie = session_cookie(&res).unwrap_or_else(|| panic!("{label} signs in"));
            actors.push(Actor {
                label: label.into(),
                user: Some(user),
                cookie: Some(cookie),
            });
        }

        for actor in &actors {
            for (endpoint, body) in SAMPLES {
                let rule = rule_for(endpoint).unwrap();
                let res = call(&app, actor.cookie.as_deref(), endpoint, body).await;
                let status = res.status().as_u16();
                match decide(rule, actor.user.as_ref()) {
                    Decision::Allow => assert!(
                        ![401, 403].contains(&status),
                        "{endpoint} as {}: expected allowed, got {status} ({})",
                        actor.label,
                        db.backend
                    ),
                    Decision::SignInRequired => assert_eq!(
                        status, 401,
                        "{endpoint} as {}: expected 401 ({})",
                        actor.label, db.backend
                    ),
                    Decision::Deny => assert_eq!(
                        status, 403,
                        "{endpoint} as {}: expected 403 ({})",
                        actor.label, db.backend
                    ),
                }
            }
        }
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_district_official_sees_only_their_own_district() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let districts = district::Entity::find().all(&db.db).await.unwrap();
        let (home, other) = (&districts[0], &districts[1]);
        person_with_roles(&db, 1, &[Role::DistrictOfficial], Some(home.id)).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();

        // Asking for another district still returns only the official's own.
        let body = format!("district_id={}", other.id);
        let res = call(&app, Some(&cookie), "list_people", &body).await;
        assert_eq!(res.status(), 200);
        let page: serde_json::Value = res.json().await.unwrap();
        let rows = page["rows"].as_array().unwrap();
        assert!(!rows.is_empty());
        for row in rows {
            assert_eq!(row["district"], home.name_zh.as_str(), "{row}");
        }
        let in_home = person::Entity::find()
            .filter(
                person::Column::EnterpriseId.is_in(
                    enterprise::Entity::find()
                        .filter(enterprise::Column::DistrictId.eq(home.id))
                        .all(&db.db)
                        .await
                        .unwrap()
                        .into_iter()
                        .map(|e| e.id),
                ),
            )
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(page["total"].as_u64().unwrap(), in_home);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_trainee_forging_a_scheduler_request_gets_403_and_nothing_changes() {
    on_each_database(|db| async move {
        person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let before = person::Entity::find().count(&db.db).await.unwrap();
        let res = call(
            &app,
            Some(&cookie),
            "create_person",
            "name=%E5%86%92%E5%90%8D&phone=13900000000&email=&tier=leader&role=trainee&district_id=",
        )
        .await;
        assert_eq!(res.status(), 403);
        assert_eq!(person::Entity::find().count(&db.db).await.unwrap(), before);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_session() {
    on_each_database(|db| async move {
        person_with_roles(&db, 1, &[Role::Admin], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let res = app
            .client
            .post(app.url("/api/issue_login_link"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "http://evil.example")
            .header("cookie", &cookie)
            .body("person_id=1")
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
async fn five_failures_lock_the_account_for_a_while_without_revealing_it_exists() {
    on_each_database(|db| async move {
        person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let app = TestApp::spawn(&db).await;
        for _ in 0..5 {
            let res = sign_in(&app, "actor1@example.com", "wrong-password").await;
            assert_eq!(res.json::<serde_json::Value>().await.unwrap(), "Invalid");
        }
        // Even the right password is refused now, and said so.
        let res = sign_in(&app, "actor1@example.com", PASSWORD).await;
        assert!(session_cookie(&res).is_none());
        assert_eq!(res.json::<serde_json::Value>().await.unwrap(), "Throttled");
        // An unknown account answers exactly like a known one with a wrong password.
        let unknown = sign_in(&app, "ghost@example.com", "wrong-password").await;
        assert_eq!(
            unknown.json::<serde_json::Value>().await.unwrap(),
            "Throttled",
            "the address is throttled too"
        );
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    on_each_database(|db| async move {
        person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let me: serde_json::Value = call(&app, Some(&cookie), "whoami", "")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["name"], "测试1");
        call(&app, Some(&cookie), "sign_out", "").await;
        // The old cookie, replayed, no longer signs anyone in.
        let me: serde_json::Value = call(&app, Some(&cookie), "whoami", "")
            .await
            .json()
            .await
            .unwrap();
        assert!(me.is_null());
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_first_login_link_works_once() {
    on_each_database(|db| async move {
        let admin = person_with_roles(&db, 1, &[Role::Admin], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let created: serde_json::Value = call(
            &app,
            Some(&cookie),
            "create_person",
            "name=%E6%9D%8E%E9%9D%99&phone=13900000001&email=&tier=auditor&role=trainee&district_id=",
        )
        .await
        .json()
        .await
        .unwrap();
        let token = created["login_path"].as_str().unwrap().trim_start_matches("/welcome/").to_string();
        let body = format!("token={token}&new_password=abcdefgh1&confirm=abcdefgh1");
        let first = call(&app, None, "redeem_login_link", &body).await;
        assert_eq!(first.status(), 200);
        assert!(session_cookie(&first).is_some());
        let second = call(&app, None, "redeem_login_link", &body).await;
        assert_eq!(second.status(), 404);
        // The new trainee signs in with the password they chose.
        assert!(session_cookie(&sign_in(&app, "13900000001", "abcdefgh1").await).is_some());
        // The admin's action is in the audit log.
        let log: serde_json::Value = call(&app, Some(&cookie), "list_audit_log", "action=create_person").await.json().await.unwrap();
        assert_eq!(log[0]["actor"], admin.name.as_str());
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn an_admin_sees_a_persons_sessions_and_signs_them_out_everywhere() {
    on_each_database(|db| async move {
        let trainee = person_with_roles(&db, 1, &[Role::Trainee], None).await;
        person_with_roles(&db, 2, &[Role::Admin], None).await;
        let app = TestApp::spawn(&db).await;
        let phone = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let laptop = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let admin = session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();

        let body = format!("person_id={}", trainee.id);
        let seen: serde_json::Value = call(&app, Some(&admin), "person_admin", &body)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(seen["sessions"].as_array().unwrap().len(), 2);
        assert_eq!(
            call(&app, Some(&admin), "revoke_sessions", &body)
                .await
                .status(),
            200
        );
        for cookie in [&phone, &laptop] {
            let me: serde_json::Value = call(&app, Some(cookie), "whoami", "")
                .await
                .json()
                .await
                .unwrap();
            assert!(me.is_null(), "{} still signed in", db.backend);
        }
        let seen: serde_json::Value = call(&app, Some(&admin), "person_admin", &body)
            .await
            .json()
            .await
            .unwrap();
        assert!(seen["sessions"].as_array().unwrap().is_empty());
        // The admin's own session is untouched.
        let me: serde_json::Value = call(&app, Some(&admin), "whoami", "")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["name"], "测试2");
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn staff_filter_people_by_enterprise_name() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let e = enterprise::Entity::find()
            .filter(enterprise::Column::Name.like("%（07）%"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let staff = person::Entity::find()
            .filter(person::Column::EnterpriseId.eq(e.id))
            .count(&db.db)
            .await
            .unwrap();
        let body = format!("enterprise={}", common::urlencode("（07）"));
        let res = call(&app, Some(&cookie), "list_people", &body).await;
        assert_eq!(res.status(), 200);
        let page: serde_json::Value = res.json().await.unwrap();
        assert_eq!(page["total"].as_u64().unwrap(), staff);
        for row in page["rows"].as_array().unwrap() {
            assert_eq!(row["enterprise"], e.name.as_str(), "{row}");
        }
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_session_token_finds_its_person_and_every_role_only_while_it_is_live() {
    use academy_app::auth::service::{create_session, revoke_session, user_for_session};
    use chrono::{Duration, Utc};
    use sea_orm::{ActiveModelTrait, Set};
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let home = district::Entity::find().one(&db.db).await.unwrap().unwrap();
        let official = person_with_roles(
            &db,
            1,
            &[Role::DistrictOfficial, Role::Instructor],
            Some(home.id),
        )
        .await;
        let plain = person_with_roles(&db, 2, &[], None).await;
        let now = Utc::now();
        let token = create_session(&db.db, official.id, None, now)
            .await
            .unwrap();
        let plain_token = create_session(&db.db, plain.id, None, now).await.unwrap();

        // One query brings the person, both roles and the official's district.
        let found = user_for_session(&db.db, &token, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found, official);
        assert_eq!(found.roles.len(), 2, "{}", db.backend);
        assert_eq!(found.district_id, Some(home.id));
        // A person with no role rows is still found, with no roles.
        let found = user_for_session(&db.db, &plain_token, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, plain.id);
        assert!(found.roles.is_empty());
        // An unknown token, an expired session, a switched-off account and a revoked session
        // find nobody.
        assert!(user_for_session(&db.db, "no-such-token", now)
            .await
            .unwrap()
            .is_none());
        let later =
            now + Duration::days(academy_app::auth::service::SESSION_DAYS) + Duration::seconds(1);
        assert!(user_for_session(&db.db, &token, later)
            .await
            .unwrap()
            .is_none());
        let mut off: person::ActiveModel = person::Entity::find_by_id(plain.id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        off.active = Set(false);
        off.update(&db.db).await.unwrap();
        assert!(user_for_session(&db.db, &plain_token, now)
            .await
            .unwrap()
            .is_none());
        revoke_session(&db.db, &token, now).await.unwrap();
        assert!(user_for_session(&db.db, &token, now)
            .await
            .unwrap()
            .is_none());
        db
    })
    .await;
}
