//! The foundation: the server starts on either database, answers health checks, renders the
//! shell in Chinese by default and in English on request, and seeds the demo idempotently.
mod common;

use academy_migrations::{Migrator, MigratorTrait};
use common::{on_each_database, TestApp};

#[tokio::test]
async fn healthz_answers_ok_while_the_database_answers() {
    on_each_database(|db| async move {
        let app = TestApp::spawn(&db).await;
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), 200, "{}", db.backend);
        assert_eq!(res.text().await.unwrap(), "ok");
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn healthz_answers_503_when_the_database_is_gone() {
    on_each_database(|db| async move {
        let app = TestApp::spawn(&db).await;
        db.db.clone().close().await.unwrap();
        let res = app.get("/healthz").await;
        assert_eq!(res.status(), 503, "{}", db.backend);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn the_home_page_renders_in_simplified_chinese_by_default() {
    on_each_database(|db| async move {
        academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        let app = TestApp::spawn(&db).await;
        let res = app.get("/").await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains(r#"lang="zh-CN""#), "{html}");
        assert!(html.contains("清洁生产审核培训平台"));
        assert!(
            html.contains("天津能源管理培训学校"),
            "demo programme shown"
        );
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn the_language_cookie_renders_english_on_the_server() {
    on_each_database(|db| async move {
        let app = TestApp::spawn(&db).await;
        let html = app
            .client
            .get(app.url("/"))
            .header("cookie", "lang=en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(r#"lang="en""#), "{html}");
        assert!(html.contains("Cleaner Production Audit Training"));
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn an_unknown_page_gets_a_translated_404() {
    on_each_database(|db| async move {
        let app = TestApp::spawn(&db).await;
        let res = app.get("/no-such-page").await;
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("页面不存在"));
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn pages_carry_a_nonce_based_content_security_policy() {
    on_each_database(|db| async move {
        let app = TestApp::spawn(&db).await;
        let res = app.get("/").await;
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("'nonce-"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let html = res.text().await.unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "scripts carry the nonce"
        );
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn migrations_roll_back_and_forward_cleanly() {
    on_each_database(|db| async move {
        Migrator::down(&db.db, None).await.unwrap();
        assert!(Migrator::get_applied_migrations(&db.db)
            .await
            .unwrap()
            .is_empty());
        Migrator::up(&db.db, None).await.unwrap();
        assert!(Migrator::get_pending_migrations(&db.db)
            .await
            .unwrap()
            .is_empty());
        db
    })
    .await;
}

#[tokio::test]
async fn the_demo_seed_loads_once_and_then_changes_nothing() {
    use academy_app::people::entity::{enterprise, person};
    use sea_orm::{EntityTrait, PaginatorTrait};
    on_each_database(|db| async move {
        let first = academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        assert!(first.created);
        let people = person::Entity::find().count(&db.db).await.unwrap();
        let second = academy_server::seed::seed_demo(&db.db, &common::content_root())
            .await
            .unwrap();
        assert!(!second.created);
        assert_eq!(enterprise::Entity::find().count(&db.db).await.unwrap(), 82);
        assert_eq!(person::Entity::find().count(&db.db).await.unwrap(), people);
        assert!((450..=550).contains(&people), "{people}");
        db
    })
    .await;
}
