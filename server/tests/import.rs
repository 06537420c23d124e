//! The import of enterprises and delegates over HTTP, on SQLite and PostgreSQL: a bad file lists
//! every bad row and writes nothing; a good file creates; the same file again changes nothing;
//! a corrected file updates without duplicating; XLSX reads like CSV; a trainee is refused.
mod common;

use academy_app::auth::Role;
use academy_app::mail::entity::outbox;
use academy_app::people::credit_code::check_char;
use academy_app::people::entity::{enterprise, person, person_role};
use academy_app::report::export::{to_xlsx, Cell, Table};
use base64::Engine;
use common::{
    call, json, on_each_database, person_with_roles, session_cookie, sign_in, urlencode, TestApp,
    TestDb, PASSWORD,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

const HEADER: &str = "企业名称,统一社会信用代码,所属区县,纳入原因,姓名,手机号,邮箱,层次,职务";

fn code(n: usize) -> String {
    let first = format!("91120116MA{:07}", 200 + n);
    format!("{first}{}", check_char(&first).unwrap())
}

/// Two enterprises, four delegates.
fn good_csv() -> String {
    let (a, b) = (code(1), code(2));
    [
        HEADER.to_string(),
        format!("天津甲化工有限公司,{a},滨海新区,VOCs,王伟,13800000001,wangwei@example.com,企业厂长（经理）,总经理"),
        format!("天津甲化工有限公司,{a},,,李娜,13800000002,,内审员,环保主管"),
        format!("天津乙热电有限公司,{b},东丽区,燃煤,张强,13800000003,,厂长,"),
        format!("天津乙热电有限公司,{b},东丽区,燃煤,刘芳,,liufang@example.com,内审员,"),
    ]
    .join("\n")
}

async fn import(
    app: &TestApp,
    cookie: &str,
    name: &str,
    bytes: &[u8],
    check_only: bool,
) -> (u16, Value) {
    let content = base64::engine::general_purpose::STANDARD.encode(bytes);
    let body = format!(
        "file_name={}&content={}&check_only={check_only}",
        urlencode(name),
        urlencode(&content)
    );
    json(call(app, Some(cookie), "import_people", &body).await).await
}

/// A scheduler, then the server, and the scheduler's session. People are made before the
/// server starts: its background workers write to SQLite too, and `create_person` reads first.
async fn scheduler_and_app(db: &TestDb, others: &[(usize, Role)]) -> (TestApp, String) {
    person_with_roles(db, 1, &[Role::Scheduler], None).await;
    for (n, role) in others {
        person_with_roles(db, *n, &[*role], None).await;
    }
    let app = TestApp::spawn(db).await;
    let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
    (app, cookie)
}

async fn counts(db: &TestDb) -> (u64, u64) {
    (
        enterprise::Entity::find().count(&db.db).await.unwrap(),
        person::Entity::find().count(&db.db).await.unwrap(),
    )
}

fn tally(report: &Value, what: &str) -> (u64, u64, u64) {
    let c = &report[what];
    (
        c["created"].as_u64().unwrap(),
        c["updated"].as_u64().unwrap(),
        c["unchanged"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn a_bad_file_lists_every_bad_row_with_its_column_and_writes_nothing() {
    on_each_database(|db| async move {
        let (app, cookie) = scheduler_and_app(&db, &[]).await;
        let before = counts(&db).await;
        let a = code(1);
        let mut bad_code = a.clone();
        bad_code.replace_range(17.., if a.ends_with('0') { "1" } else { "0" });
        let csv = [
            HEADER.to_string(),
            format!("天津甲化工有限公司,{a},滨海新区,VOCs,王伟,13800000001,,厂长,"),
            format!("天津乙公司,{bad_code},滨海新区,VOCs,李娜,138,,内审员,"),
            format!("天津丙公司,{},火星区,噪声,,13800000003,,学生,", code(3)),
            format!("天津甲化工有限公司,{a},,,赵六,13800000001,,内审员,"),
        ]
        .join("\n");
        let (status, report) = import(&app, &cookie, "bad.csv", csv.as_bytes(), false).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["written"], false);
        let issues: Vec<(u64, String, String, String)> = report["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["row"].as_u64().unwrap(),
                    i["header"].as_str().unwrap().to_string(),
                    i["letter"].as_str().unwrap().to_string(),
                    i["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(u64, &str, &str, &str)> = vec![
            (3, "统一社会信用代码", "B", "credit_code_check"),
            (3, "手机号", "F", "phone_invalid"),
            (4, "所属区县", "C", "district_unknown"),
            (4, "纳入原因", "D", "reason_invalid"),
            (4, "姓名", "E", "name_required"),
            (4, "层次", "H", "tier_invalid"),
            (5, "手机号", "F", "duplicate_in_file"),
        ];
        let expected: Vec<(u64, String, String, String)> = expected
            .into_iter()
            .map(|(r, h, l, c)| (r, h.into(), l.into(), c.into()))
            .collect();
        assert_eq!(issues, expected);
        assert_eq!(report["issues"][6]["other_row"], 2);
        assert_eq!(counts(&db).await, before, "nothing was written");
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_good_file_creates_the_same_file_changes_nothing_and_a_corrected_one_updates() {
    on_each_database(|db| async move {
        let (app, cookie) = scheduler_and_app(&db, &[(2, Role::Admin)]).await;
        let (_, people_before) = counts(&db).await;

        // Checking only writes nothing but says what would happen.
        let (status, checked) =
            import(&app, &cookie, "good.csv", good_csv().as_bytes(), true).await;
        assert_eq!(status, 200, "{checked}");
        assert_eq!(checked["written"], false);
        assert_eq!(tally(&checked, "people"), (4, 0, 0));
        assert_eq!(counts(&db).await, (0, people_before));

        let (status, report) =
            import(&app, &cookie, "good.csv", good_csv().as_bytes(), false).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["issues"], serde_json::json!([]));
        assert_eq!(report["written"], true);
        assert_eq!(report["rows"], 4);
        assert_eq!(tally(&report, "enterprises"), (2, 0, 0));
        assert_eq!(tally(&report, "people"), (4, 0, 0));
        assert_eq!(counts(&db).await, (2, people_before + 4));
        let wang = person::Entity::find()
            .filter(person::Column::Phone.eq("13800000001"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(wang.tier.as_deref(), Some("leader"));
        assert_eq!(wang.job_title.as_deref(), Some("总经理"));
        let jia = enterprise::Entity::find()
            .filter(enterprise::Column::CreditCode.eq(code(1)))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(wang.enterprise_id, Some(jia.id));
        assert_eq!(jia.reason.as_deref(), Some("vocs"));
        let trainees = person_role::Entity::find()
            .filter(person_role::Column::Role.eq("trainee"))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(trainees, 4);

        // Each new person has a first-login link that works; the two with an email address
        // get it by mail, written with the import.
        let logins = report["logins"].as_array().unwrap();
        assert_eq!(logins.len(), 4);
        assert_eq!(report["mailed"], 2);
        let mailed = || async {
            let mut to: Vec<String> = outbox::Entity::find()
                .filter(outbox::Column::Kind.eq("login_link"))
                .all(&db.db)
                .await
                .unwrap()
                .into_iter()
                .filter_map(|m| m.to_address)
                .collect();
            to.sort();
            to
        };
        assert_eq!(
            mailed().await,
            ["liufang@example.com", "wangwei@example.com"]
        );
        let letter = outbox::Entity::find()
            .filter(outbox::Column::ToAddress.eq("liufang@example.com"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let liu_path = logins.iter().find(|l| l["name"] == "刘芳").unwrap()["login_path"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            letter.text_body.contains(&liu_path),
            "the mail holds her link: {}",
            letter.text_body
        );
        let liu = logins.iter().find(|l| l["name"] == "刘芳").unwrap();
        let token = liu["login_path"]
            .as_str()
            .unwrap()
            .trim_start_matches("/welcome/");
        let body = format!("token={token}&new_password=abcdefgh1&confirm=abcdefgh1");
        assert_eq!(
            call(&app, None, "redeem_login_link", &body).await.status(),
            200
        );
        assert!(session_cookie(&sign_in(&app, "liufang@example.com", "abcdefgh1").await).is_some());

        // The same file again: nothing changes.
        let (_, again) = import(&app, &cookie, "good.csv", good_csv().as_bytes(), false).await;
        assert_eq!(tally(&again, "enterprises"), (0, 0, 2));
        assert_eq!(tally(&again, "people"), (0, 0, 4));
        assert_eq!(again["logins"], serde_json::json!([]));
        assert_eq!(again["mailed"], 0);
        assert_eq!(mailed().await.len(), 2, "no second welcome mail");
        assert_eq!(counts(&db).await, (2, people_before + 4));

        // A corrected file: the enterprise moved district, a name was misspelt, a tier was
        // wrong, and 刘芳 now gives her mobile number too. Updated in place, nobody duplicated.
        let corrected = good_csv()
            .replace("东丽区,燃煤,张强", "西青区,燃煤,张强")
            .replace(",东丽区,燃煤,刘芳,,", ",西青区,燃煤,刘芳,13800000004,")
            .replace("李娜,13800000002,,内审员", "李娜,13800000002,,厂长");
        let (_, fixed) = import(&app, &cookie, "fixed.csv", corrected.as_bytes(), false).await;
        assert_eq!(fixed["issues"], serde_json::json!([]), "{fixed}");
        assert_eq!(tally(&fixed, "enterprises"), (0, 1, 1));
        assert_eq!(tally(&fixed, "people"), (0, 2, 2));
        assert_eq!(counts(&db).await, (2, people_before + 4));
        let liu = person::Entity::find()
            .filter(person::Column::Email.eq("liufang@example.com"))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(liu.phone.as_deref(), Some("13800000004"));
        assert!(liu.password_hash.is_some(), "her account is the same one");

        // The import is in the audit log with its counts.
        let admin_cookie =
            session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        let (_, log) = json(
            call(
                &app,
                Some(&admin_cookie),
                "list_audit_log",
                "action=import_people",
            )
            .await,
        )
        .await;
        assert_eq!(log.as_array().unwrap().len(), 3, "{log}");
        assert!(log[0]["detail"].as_str().unwrap().contains("\"updated\":2"));
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn an_xlsx_file_with_numeric_phones_and_english_headers_is_read() {
    on_each_database(|db| async move {
        let (app, cookie) = scheduler_and_app(&db, &[]).await;
        let text = |s: &str| Cell::Text(s.to_string());
        let sheet = Table {
            name: "delegates".into(),
            headers: [
                "Name",
                "Phone",
                "Tier",
                "Enterprise",
                "Credit code",
                "District",
                "Reason",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![
                vec![
                    text("王伟"),
                    Cell::Number(13800000011.0),
                    text("leader"),
                    text("天津丁电镀厂"),
                    text(&code(9)),
                    text("heping"),
                    text("heavy metals"),
                ],
                vec![
                    text("李娜"),
                    Cell::Number(13800000012.0),
                    text("auditor"),
                    text("天津丁电镀厂"),
                    text(&code(9)),
                    text("和平"),
                    text("涉重"),
                ],
            ],
        };
        let bytes = to_xlsx(&[sheet]).unwrap();
        let (status, report) = import(&app, &cookie, "delegates.xlsx", &bytes, false).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["issues"], serde_json::json!([]), "{report}");
        assert_eq!(tally(&report, "people"), (2, 0, 0));
        let li = person::Entity::find()
            .filter(person::Column::Phone.eq("13800000012"))
            .one(&db.db)
            .await
            .unwrap();
        assert!(li.is_some());

        // The templates download, and the XLSX one imports as it is.
        let res = app
            .client
            .get(app.url("/admin/import/template.xlsx"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let template = res.bytes().await.unwrap();
        let (_, checked) = import(&app, &cookie, "template.xlsx", &template, true).await;
        assert_eq!(checked["issues"], serde_json::json!([]), "{checked}");
        assert_eq!(tally(&checked, "people"), (2, 0, 0));
        let csv = app
            .client
            .get(app.url("/admin/import/template.csv"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        let csv = csv.bytes().await.unwrap();
        let (_, checked) = import(&app, &cookie, "template.csv", &csv, true).await;
        assert_eq!(checked["issues"], serde_json::json!([]), "{checked}");
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_trainee_is_refused_and_a_staff_account_cannot_be_changed_by_import() {
    on_each_database(|db| async move {
        let (app, cookie) = scheduler_and_app(&db, &[(3, Role::Trainee)]).await;
        let trainee = session_cookie(&sign_in(&app, "actor3@example.com", PASSWORD).await).unwrap();
        let (status, _) = import(&app, &trainee, "good.csv", good_csv().as_bytes(), false).await;
        assert_eq!(status, 403);
        let template = app
            .client
            .get(app.url("/admin/import/template.csv"))
            .header("cookie", &trainee)
            .send()
            .await
            .unwrap();
        assert_eq!(template.status(), 403);
        assert_eq!(counts(&db).await.0, 0);

        // A row carrying the scheduler's own email is refused, not applied to their account.
        let csv = good_csv().replace("liufang@example.com", "actor1@example.com");
        let (status, report) = import(&app, &cookie, "sneaky.csv", csv.as_bytes(), false).await;
        assert_eq!(status, 200);
        assert_eq!(report["issues"][0]["code"], "staff_account", "{report}");
        assert_eq!(report["issues"][0]["row"], 5);
        assert_eq!(counts(&db).await.0, 0);
        app.stop().await;
        db
    })
    .await;
}
