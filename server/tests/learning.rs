//! Content sync and the lesson reader, on SQLite and PostgreSQL, through the real server.
mod common;

use academy_app::auth::Role;
use academy_app::catalog::content;
use academy_app::catalog::entity::{course, lesson, lesson_progress};
use academy_app::catalog::shelf::{version, ShelfCache};
use academy_app::catalog::sync::sync;
use common::{
    call, content_copy, content_root, on_each_database, person_with_roles, session_cookie, sign_in,
};
use common::{TestApp, PASSWORD};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[tokio::test]
async fn sync_twice_writes_nothing_the_second_time_and_archives_removed_lessons() {
    on_each_database(|db| async move {
        let set = content::load(&content_root()).unwrap();
        let first = sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
        assert_eq!(first.courses_created as usize, set.courses.len());
        assert_eq!(first.lessons_created as usize, set.lesson_count());
        assert_eq!(first.programmes_created, 1);
        let stamp = |l: lesson::Model| (l.slug, l.updated_at);
        let before: Vec<_> = lesson::Entity::find()
            .all(&db.db)
            .await
            .unwrap()
            .into_iter()
            .map(stamp)
            .collect();

        let stamped = version(&db.db).await.unwrap();
        assert!(
            stamped.is_some(),
            "a sync that changed the content stamps it"
        );
        let shelves = ShelfCache::default();
        let shelf = shelves.get(&db.db).await.unwrap();
        assert_eq!(shelf.courses.len(), set.courses.len());
        let (_, lessons, _) = shelf.lesson("boilers-04-coal-to-gas").unwrap();
        assert_eq!(
            lessons.len(),
            set.courses
                .iter()
                .find(|c| c.id == "boilers")
                .unwrap()
                .lessons
                .len()
        );

        let second = sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
        assert_eq!(second.changes(), 0, "{second:?} on {}", db.backend);
        assert_eq!(
            version(&db.db).await.unwrap(),
            stamped,
            "nothing changed, nothing stamped"
        );
        assert!(
            std::sync::Arc::ptr_eq(&shelf, &shelves.get(&db.db).await.unwrap()),
            "an unchanged stamp keeps the shelf"
        );
        let after: Vec<_> = lesson::Entity::find()
            .all(&db.db)
            .await
            .unwrap()
            .into_iter()
            .map(stamp)
            .collect();
        assert_eq!(before, after, "second sync rewrote rows on {}", db.backend);

        // A trainee has read the lesson that will be removed.
        let reader = person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let app = TestApp::spawn(&db).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let res = call(
            &app,
            Some(&cookie),
            "mark_lesson",
            "slug=boilers-04-coal-to-gas&done=true",
        )
        .await;
        assert_eq!(res.status(), 200);

        // Edit one lesson, remove another.
        let dir = content_copy();
        let edited = dir.join("courses/auditor-method/01-overview.md");
        let text = std::fs::read_to_string(&edited).unwrap();
        std::fs::write(&edited, format!("{text}\n\n## 补充\n\n新增的一段。\n")).unwrap();
        std::fs::remove_file(dir.join("courses/boilers/04-coal-to-gas.md")).unwrap();
        let changed = content::load(&dir).unwrap();
        let third = sync(&db.db, &changed, chrono::Utc::now()).await.unwrap();
        assert_eq!(
            (
                third.lessons_updated,
                third.lessons_archived,
                third.lessons_created,
                third.courses_updated
            ),
            (1, 1, 0, 0),
            "{third:?}"
        );
        assert_ne!(version(&db.db).await.unwrap(), stamped);
        let reloaded = shelves.get(&db.db).await.unwrap();
        assert!(
            reloaded.lesson("boilers-04-coal-to-gas").is_none(),
            "the shelf follows a sync"
        );
        assert!(shelf.lesson("boilers-04-coal-to-gas").is_some());
        let removed = lesson::Entity::find()
            .filter(lesson::Column::Slug.eq("boilers-04-coal-to-gas"))
            .one(&db.db)
            .await
            .unwrap()
            .expect("an archived lesson is kept");
        assert!(removed.archived);
        let progress = lesson_progress::Entity::find()
            .filter(lesson_progress::Column::PersonId.eq(reader.id))
            .filter(lesson_progress::Column::LessonId.eq(removed.id))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(progress, 1, "the reader's progress survives");
        let page = app
            .client
            .get(app.url("/lessons/boilers-04-coal-to-gas"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404, "an archived lesson is not shown");
        let page = app
            .client
            .get(app.url("/lessons/auditor-method-01-overview"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert!(page.text().await.unwrap().contains("新增的一段"));

        // Put the lesson back: it returns, with the reader's progress.
        let restored = sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
        assert_eq!(
            (restored.lessons_updated, restored.lessons_archived),
            (2, 0),
            "{restored:?}"
        );
        let courses = course::Entity::find()
            .filter(course::Column::Archived.eq(false))
            .count(&db.db)
            .await
            .unwrap();
        assert_eq!(courses as usize, set.courses.len());

        app.stop().await;
        std::fs::remove_dir_all(dir).ok();
        db
    })
    .await;
}

#[tokio::test]
async fn a_trainee_reads_a_lesson_marks_it_done_and_the_course_shows_progress() {
    on_each_database(|db| async move {
        let set = content::load(&content_root()).unwrap();
        sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
        person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let app = TestApp::spawn(&db).await;

        // Reading needs an account; the catalog does not.
        let anonymous = app.get("/lessons/auditor-method-01-overview").await;
        assert_eq!(anonymous.status(), 401);
        let catalog = app.get("/courses").await.text().await.unwrap();
        assert!(
            catalog.contains("清洁生产审核方法"),
            "catalog lists the courses"
        );

        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let page = app
            .client
            .get(app.url("/lessons/auditor-method-01-overview"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("<table>") || html.contains("<h2 id="),
            "rendered Markdown"
        );
        assert!(
            html.contains(r#"href="/lessons/auditor-method-02-planning""#),
            "next lesson link"
        );

        let res = call(
            &app,
            Some(&cookie),
            "mark_lesson",
            "slug=auditor-method-01-overview&done=true",
        )
        .await;
        let marked: serde_json::Value = res.json().await.unwrap();
        let total = set.course("auditor-method").unwrap().lessons.len();
        assert_eq!(
            marked,
            serde_json::json!({"done": true, "progress": {"done": 1, "total": total}})
        );
        // Marking again changes nothing; undoing takes it back.
        let again: serde_json::Value = call(
            &app,
            Some(&cookie),
            "mark_lesson",
            "slug=auditor-method-01-overview&done=true",
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(again["progress"]["done"], 1);

        let mine: serde_json::Value = call(&app, Some(&cookie), "my_learning", "")
            .await
            .json()
            .await
            .unwrap();
        let auditor = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["slug"] == "auditor-method")
            .expect("own tier's course");
        assert_eq!(auditor["progress"]["done"], 1);

        let undo: serde_json::Value = call(
            &app,
            Some(&cookie),
            "mark_lesson",
            "slug=auditor-method-01-overview&done=false",
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(undo["progress"]["done"], 0);
        assert_eq!(undo["done"], false);

        let missing = call(
            &app,
            Some(&cookie),
            "mark_lesson",
            "slug=no-such-lesson&done=true",
        )
        .await;
        assert_eq!(missing.status(), 404);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn script_in_a_lesson_is_inert_and_only_course_images_are_served() {
    on_each_database(|db| async move {
        let dir = content_copy();
        let course = dir.join("courses/auditor-method");
        std::fs::write(
            course.join("08-probe.md"),
            "+++\nid = \"auditor-method-08-probe\"\ntitle_zh = \"安全探针\"\ntitle_en = \"Probe\"\norder = 8\nminutes = 1\n+++\n\n正文\n\n<script>window.pwned = 1</script>\n\n<img src=\"x\" onerror=\"window.pwned = 2\">\n\n![图](images/probe.png)\n",
        )
        .unwrap();
        std::fs::create_dir_all(course.join("images")).unwrap();
        std::fs::write(course.join("images/probe.png"), b"\x89PNG\r\n\x1a\nprobe").unwrap();
        let set = content::load(&dir).unwrap_or_else(|p| panic!("{p:?}"));
        sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
        person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let app = TestApp::spawn_with(&db, |args| args.content_dir = dir.clone()).await;
        let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
        let html = app.client.get(app.url("/lessons/auditor-method-08-probe")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("正文"));
        assert!(!html.contains("window.pwned"), "script and handlers removed");
        assert!(html.contains(r#"src="/media/auditor-method/probe.png""#));

        let image = app.get("/media/auditor-method/probe.png").await;
        assert_eq!(image.status(), 200);
        assert_eq!(image.headers()["content-type"], "image/png");
        for path in ["/media/auditor-method/quiz.toml", "/media/auditor-method/..%2Fquiz.toml", "/media/auditor-method/missing.png"] {
            assert_eq!(app.get(path).await.status(), 404, "{path}");
        }
        app.stop().await;
        std::fs::remove_dir_all(dir).ok();
        db
    })
    .await;
}
