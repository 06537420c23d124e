//! Certificates on SQLite and PostgreSQL through the real server: eligibility with reasons,
//! issuing once (a second press makes none), the public verify page, the PDF for its holder and
//! issuers only, and revocation shown on the verify page.
mod common;

use academy_app::auth::Role;
use academy_app::certificate::entity::certificate;
use academy_app::mail::entity::outbox;
use academy_app::people::entity::person;
use academy_app::scheduling::entity::session;
use academy_app::scheduling::service::enrol;
use chrono::Utc;
use common::{
    call, json, on_each_database, person_with_roles, session_cookie, sign_in, TestApp, PASSWORD,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

#[tokio::test]
async fn eligible_trainees_get_one_certificate_that_verifies_and_can_be_revoked() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let organiser = person_with_roles(&db, 1, &[Role::Organiser], None).await;
        // Organisers read rolls; the school marks them.
        let school = academy_app::auth::CurrentUser {
            roles: vec![Role::Scheduler],
            ..organiser.clone()
        };
        person_with_roles(&db, 2, &[Role::Trainee], None).await;
        let leaders = person::Entity::find()
            .filter(person::Column::Tier.eq("leader"))
            .all(&db.db)
            .await
            .unwrap();
        let (done, half) = (&leaders[0], &leaders[1]);
        // The leaders' sessions: 第一期 and 第二期. `done` attends both and passes the quiz of
        // a course of theirs; `half` attends only the first.
        let sessions = session::Entity::find()
            .filter(session::Column::Number.is_in([1, 2]))
            .all(&db.db)
            .await
            .unwrap();
        for s in &sessions {
            for p in [done, half] {
                if p.id == half.id && s.number == 2 {
                    continue;
                }
                enrol(&db.db, s.id, p.id, false, Utc::now()).await.unwrap();
                academy_app::attendance::service::mark(
                    &db.db,
                    &school,
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
        }
        common::pass_quiz(&db.db, "leader-basics", done.id).await;

        let app = TestApp::spawn(&db).await;
        let org = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let other = session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();

        let (status, board) = json(call(&app, Some(&org), "certificate_board", "").await).await;
        assert_eq!(status, 200, "{board}");
        let row = |id: i64| {
            board["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["person_id"] == id)
                .cloned()
                .unwrap()
        };
        assert_eq!(row(done.id)["eligible"], true, "{}", row(done.id));
        assert_eq!(row(done.id)["percent"], 100);
        let short = row(half.id);
        assert_eq!(short["eligible"], false);
        assert_eq!(short["reasons"], serde_json::json!(["attendance", "quiz"]));
        assert_eq!(short["percent"], 46, "3 of 6.5 hours");
        assert_eq!(short["min_percent"], 80);

        // The leaders' own rule (40% of their hours, no quiz) makes `half` eligible; the other
        // tiers keep the programme's rule. Then back to one rule for all.
        let set_tier_rules = |rules: &'static str| {
            let db = &db.db;
            async move {
                let p = academy_app::scheduling::service::current_programme(db)
                    .await
                    .unwrap();
                let mut row: academy_app::scheduling::entity::programme::ActiveModel = p.into();
                row.tier_rules = Set(rules.into());
                row.update(db).await.unwrap();
            }
        };
        set_tier_rules(r#"[{"tier":"leader","min_attendance_percent":40,"require_quiz":false}]"#)
            .await;
        let (_, own) = json(call(&app, Some(&org), "certificate_board", "").await).await;
        let half_row = own["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person_id"] == half.id)
            .cloned()
            .unwrap();
        assert_eq!(half_row["eligible"], true, "{half_row}");
        assert_eq!(half_row["min_percent"], 40);
        assert_eq!(
            own["tier_rules"],
            serde_json::json!([["leader", {"min_percent": 40, "require_quiz": false}]])
        );
        assert_eq!(
            (own["min_percent"].as_u64(), own["require_quiz"].as_bool()),
            (Some(80), Some(true))
        );
        set_tier_rules("[]").await;

        // Another enterprise's eligible: none; then the eligible leaders; pressing again, none.
        let elsewhere = format!(
            "tier=leader&enterprise={}",
            common::urlencode(&format!(
                "{}外",
                row(done.id)["enterprise"].as_str().unwrap()
            ))
        );
        let (_, none) = json(call(&app, Some(&org), "issue_certificates", &elsewhere).await).await;
        assert_eq!(none["issued"], 0, "{none}");
        assert_eq!(none["batch"], serde_json::Value::Null);
        let (status, first) =
            json(call(&app, Some(&org), "issue_certificates", "tier=leader").await).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["issued"], 1);
        assert!(
            first["batch"].is_string(),
            "a batch of messages to follow: {first}"
        );
        let (_, again) =
            json(call(&app, Some(&org), "issue_certificates", "tier=leader").await).await;
        assert_eq!(
            (again["issued"].as_u64(), again["already"].as_u64()),
            (Some(0), Some(1))
        );
        assert_eq!(certificate::Entity::find().count(&db.db).await.unwrap(), 1);
        let cert = certificate::Entity::find()
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(cert.person_id, done.id);
        assert!(cert.serial.starts_with("TCA2014-"), "{}", cert.serial);

        // Public verification: valid, and nothing more personal than the name.
        let body = format!("serial={}", cert.serial);
        let (status, v) = json(call(&app, None, "verify_certificate", &body).await).await;
        assert_eq!(status, 200);
        assert_eq!(v["valid"], true);
        assert_eq!(v["name"], done.name.as_str());
        let text = v.to_string();
        for private in [
            done.phone.clone().unwrap_or_default(),
            "enterprise".into(),
            "hours".into(),
        ] {
            assert!(!text.contains(&private), "{private} leaks: {text}");
        }
        let (status, _) = json(
            call(
                &app,
                None,
                "verify_certificate",
                "serial=TCA2014-0000000000",
            )
            .await,
        )
        .await;
        assert_eq!(status, 404);
        let (status, _) = json(call(&app, None, "verify_certificate", "serial=..%2Fx").await).await;
        assert_eq!(status, 404);
        let page = app.get(&format!("/verify/{}", cert.serial)).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains(&done.name));

        // The PDF: for an issuer and for the holder; another trainee is told it does not exist.
        let pdf_url = app.url(&format!("/certificates/{}/certificate.pdf", cert.serial));
        let get = |cookie: Option<String>| {
            let mut req = app.client.get(pdf_url.clone());
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            req.send()
        };
        let res = get(Some(org.clone())).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
        let holder = academy_app::auth::service::create_session(&db.db, done.id, None, Utc::now())
            .await
            .unwrap();
        let res = get(Some(format!("academy_session={holder}")))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(get(Some(other.clone())).await.unwrap().status(), 404);
        assert_eq!(get(None).await.unwrap().status(), 401);
        let (_, mine) = json(
            call(
                &app,
                Some(&format!("academy_session={holder}")),
                "my_certificates",
                "",
            )
            .await,
        )
        .await;
        assert_eq!(mine[0]["serial"], cert.serial.as_str());

        // Revocation needs a reason, shows on the verify page, and happens once.
        let (status, _) = json(
            call(
                &app,
                Some(&org),
                "revoke_certificate",
                &format!("{body}&reason="),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) = json(
            call(
                &app,
                Some(&org),
                "revoke_certificate",
                &format!("{body}&reason={}", common::urlencode("信息有误")),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
        let (_, v) = json(call(&app, None, "verify_certificate", &body).await).await;
        assert_eq!(v["valid"], false);
        assert_eq!(v["revoked_reason"], "信息有误");
        let (status, err) = json(
            call(
                &app,
                Some(&org),
                "revoke_certificate",
                &format!("{body}&reason=again"),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, err["Validation"]["message"].as_str()),
            (422, Some("already_revoked"))
        );
        // Its message, once sent, is not sent again: the certificate is revoked.
        let message = outbox::Entity::find()
            .filter(outbox::Column::IdempotencyKey.eq(format!("certificate:{}", cert.serial)))
            .one(&db.db)
            .await
            .unwrap()
            .expect("the certificate's message");
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Status, Expr::value("sent"))
            .filter(outbox::Column::Id.eq(message.id))
            .exec(&db.db)
            .await
            .unwrap();
        let (status, err) = json(
            call(
                &app,
                Some(&org),
                "resend_mail",
                &format!("id={}", message.id),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, err["Validation"]["message"].as_str()),
            (422, Some("resend_revoked"))
        );

        // A bulk issue leaves the revoked alone (it may have been for cause) and says so.
        let (_, bulk) =
            json(call(&app, Some(&org), "issue_certificates", "tier=leader").await).await;
        assert_eq!(
            (bulk["issued"].as_u64(), bulk["revoked"].as_u64()),
            (Some(0), Some(1)),
            "{bulk}"
        );
        // A re-issue replaces it, for the eligible only, once.
        let reissue = |id: i64| {
            let (app, org) = (&app, &org);
            async move {
                call(
                    app,
                    Some(org),
                    "reissue_certificate",
                    &format!("person_id={id}"),
                )
                .await
            }
        };
        let (status, err) = json(reissue(half.id).await).await;
        assert_eq!(
            (status, err["Validation"]["message"].as_str()),
            (422, Some("not_eligible"))
        );
        let (status, re) = json(reissue(done.id).await).await;
        assert_eq!(status, 200, "{re}");
        assert_eq!(re["issued"], 1);
        assert!(re["batch"].is_string(), "its message is queued: {re}");
        let (status, err) = json(reissue(done.id).await).await;
        assert_eq!(
            (status, err["Validation"]["message"].as_str()),
            (422, Some("certificate_in_force"))
        );
        let certs = certificate::Entity::find()
            .filter(certificate::Column::PersonId.eq(done.id))
            .all(&db.db)
            .await
            .unwrap();
        assert_eq!(certs.len(), 2);
        let new = certs.iter().find(|c| c.serial != cert.serial).unwrap();
        assert!(new.revoked_at.is_none());
        let (_, v) = json(call(&app, None, "verify_certificate", &body).await).await;
        assert_eq!(v["valid"], false, "the old serial stays revoked");
        let (_, v) = json(
            call(
                &app,
                None,
                "verify_certificate",
                &format!("serial={}", new.serial),
            )
            .await,
        )
        .await;
        assert_eq!(v["valid"], true);
        let (_, board) = json(call(&app, Some(&org), "certificate_board", "").await).await;
        let now_row = board["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person_id"] == done.id)
            .cloned()
            .unwrap();
        assert_eq!(now_row["serial"], new.serial.as_str());
        assert_eq!(now_row["revoked"], false);
        app.stop().await;
        db
    })
    .await;
}
