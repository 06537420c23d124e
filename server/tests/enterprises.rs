//! The enterprise form over HTTP, on SQLite and PostgreSQL: a scheduler adds an enterprise and
//! corrects it; a wrong credit code is named by its field and writes nothing; a code another
//! enterprise holds is refused naming that enterprise; a trainee may do neither.
mod common;

use academy_app::auth::Role;
use academy_app::people::credit_code::check_char;
use academy_app::people::entity::{district, enterprise};
use common::{call, json, on_each_database, person_with_roles, session_cookie, sign_in, urlencode};
use common::{TestApp, PASSWORD};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn code(n: usize) -> String {
    let first = format!("91120116MA{:07}", 300 + n);
    format!("{first}{}", check_char(&first).unwrap())
}

fn form(id: i64, name: &str, code: &str, district: i64, reason: &str) -> String {
    format!(
        "form[id]={id}&form[name]={}&form[credit_code]={}&form[district]={district}&form[reason]={reason}",
        urlencode(name),
        urlencode(code)
    )
}

#[tokio::test]
async fn a_scheduler_adds_and_corrects_an_enterprise_and_each_mistake_is_named() {
    on_each_database(|db| async move {
        person_with_roles(&db, 1, &[Role::Scheduler], None).await;
        person_with_roles(&db, 2, &[Role::Trainee], None).await;
        let districts = district::Entity::find().all(&db.db).await.unwrap();
        let (one, two) = (&districts[0], &districts[1]);
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let trainee = session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        let save = |cookie: String, body: String| {
            let app = &app;
            async move { json(call(app, Some(&cookie), "save_enterprise", &body).await).await }
        };

        // A trainee may neither list nor save.
        assert_eq!(
            call(&app, Some(&trainee), "list_enterprises", "")
                .await
                .status(),
            403
        );
        let (status, _) = save(
            trainee.clone(),
            form(0, "天津丙公司", &code(1), one.id, "coal"),
        )
        .await;
        assert_eq!(status, 403);

        // Added, with the code typed in lower case and spaces.
        let typed = format!(" {} ", code(1).to_lowercase());
        let (status, id) = save(
            cookie.clone(),
            form(0, "天津丙公司", &typed, one.id, "vocs"),
        )
        .await;
        assert_eq!(status, 200, "{id}");
        let id = id.as_i64().unwrap();
        let row = enterprise::Entity::find_by_id(id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.credit_code.as_deref(), Some(code(1).as_str()));
        assert_eq!(row.reason.as_deref(), Some("vocs"));

        // A wrong check character, a missing district, an unknown reason: each named, nothing
        // written.
        let mut wrong = code(2);
        let last = if wrong.ends_with('0') { '1' } else { '0' };
        wrong.pop();
        wrong.push(last);
        for (body, field, message) in [
            (
                form(0, "天津丁公司", &wrong, one.id, "coal"),
                "credit_code",
                "credit_code_check",
            ),
            (
                form(0, "天津丁公司", &code(2), 0, "coal"),
                "district_id",
                "district_required",
            ),
            (
                form(0, "天津丁公司", &code(2), one.id, "paper"),
                "inclusion_reason",
                "reason_invalid",
            ),
            (
                form(0, " ", &code(2), one.id, "coal"),
                "name",
                "name_required",
            ),
        ] {
            let (status, err) = save(cookie.clone(), body).await;
            assert_eq!(status, 422, "{err}");
            assert_eq!(err["Validation"]["field"], field);
            assert_eq!(err["Validation"]["message"], message);
        }
        assert_eq!(enterprise::Entity::find().count(&db.db).await.unwrap(), 1);

        // A second enterprise may not take the first one's code.
        let (status, err) = save(
            cookie.clone(),
            form(0, "天津丁公司", &code(1), one.id, "coal"),
        )
        .await;
        assert_eq!(status, 409);
        assert_eq!(
            err["Conflict"],
            format!("统一社会信用代码 {} 已属于天津丙公司", code(1))
        );

        // Corrected in place: a new name, district and reason; nobody duplicated.
        let (status, same) = save(
            cookie.clone(),
            form(id, "天津丙化工有限公司", &code(1), two.id, "heavy_metals"),
        )
        .await;
        assert_eq!(status, 200, "{same}");
        assert_eq!(same.as_i64(), Some(id));
        let row = enterprise::Entity::find_by_id(id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.name, "天津丙化工有限公司");
        assert_eq!(row.district_id, Some(two.id));
        assert_eq!(row.reason.as_deref(), Some("heavy_metals"));
        assert_eq!(
            enterprise::Entity::find()
                .filter(enterprise::Column::CreditCode.eq(code(1)))
                .count(&db.db)
                .await
                .unwrap(),
            1
        );

        // The directory lists it with its district.
        let (status, dir) = json(call(&app, Some(&cookie), "list_enterprises", "").await).await;
        assert_eq!(status, 200);
        assert_eq!(dir["rows"][0]["name"], "天津丙化工有限公司");
        assert_eq!(dir["rows"][0]["district_zh"], two.name_zh.as_str());
        assert_eq!(dir["rows"][0]["delegates"], 0);
        assert!(dir["districts"].as_array().unwrap().len() >= 2);
        app.stop().await;
        db
    })
    .await;
}
