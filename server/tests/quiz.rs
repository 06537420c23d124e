//! Quizzes through the real server on SQLite and PostgreSQL: the key never reaches the browser
//! before grading, answers survive a reload, grading happens on the server on submit and at the
//! deadline, limits hold, and the results carry the item analysis.
mod common;

use academy_app::auth::Role;
use academy_app::catalog::content::{self, Answer, Question};
use academy_app::catalog::shelf::Shelf;
use academy_app::catalog::sync::sync;
use academy_app::quiz::entity::{attempt, question};
use academy_app::quiz::service::grade_overdue;
use common::{call, content_root, on_each_database, person_with_roles, session_cookie, sign_in};
use common::{TestApp, TestDb, PASSWORD};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

const COURSE: &str = "boilers";

async fn setup(db: &TestDb) -> (TestApp, String) {
    let set = content::load(&content_root()).unwrap();
    sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
    person_with_roles(db, 1, &[Role::Trainee], None).await;
    let app = TestApp::spawn(db).await;
    let cookie = session_cookie(&sign_in(&app, "actor1@example.com", PASSWORD).await).unwrap();
    (app, cookie)
}

async fn start(app: &TestApp, cookie: &str) -> i64 {
    let res = call(
        app,
        Some(cookie),
        "start_attempt",
        &format!("course={COURSE}"),
    )
    .await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let overview: Value = call(
        app,
        Some(cookie),
        "quiz_overview",
        &format!("course={COURSE}"),
    )
    .await
    .json()
    .await
    .unwrap();
    overview["open_attempt"].as_i64().expect("an open attempt")
}

async fn view(app: &TestApp, cookie: &str, id: i64) -> (String, Value) {
    let text = call(app, Some(cookie), "attempt_view", &format!("attempt={id}"))
        .await
        .text()
        .await
        .unwrap();
    let json = serde_json::from_str(&text).unwrap();
    (text, json)
}

/// Submits attempt `id` as the holder of `cookie`; the response status tells how it went.
async fn submit(app: &TestApp, cookie: &str, id: i64) -> reqwest::StatusCode {
    call(
        app,
        Some(cookie),
        "submit_attempt",
        &format!("attempt={id}"),
    )
    .await
    .status()
}

/// The review of attempt `id`, as the holder of `cookie` reads it.
async fn review_of(app: &TestApp, cookie: &str, id: i64) -> Value {
    call(
        app,
        Some(cookie),
        "attempt_review",
        &format!("attempt={id}"),
    )
    .await
    .json()
    .await
    .unwrap()
}

async fn bank(db: &TestDb) -> Vec<(i64, Question)> {
    question::Entity::find()
        .all(&db.db)
        .await
        .unwrap()
        .into_iter()
        .map(|q| (q.id, serde_json::from_str(&q.data).unwrap()))
        .collect()
}

/// The content synced: the question bank, and a catalog shelf as a server process keeps it.
async fn synced(db: &TestDb) -> (Vec<(i64, Question)>, std::sync::Arc<Shelf>) {
    let set = content::load(&content_root()).unwrap();
    sync(&db.db, &set, chrono::Utc::now()).await.unwrap();
    let shelf = Shelf::load(&db.db).await.unwrap();
    (bank(db).await, std::sync::Arc::new(shelf))
}

/// Starts `user`'s attempt through the service and answers its first `k` questions right;
/// returns the attempt and the points those answers are worth.
async fn answered_right(
    db: &TestDb,
    (bank, shelf): (&[(i64, Question)], &Shelf),
    user: &academy_app::auth::CurrentUser,
    k: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> (i64, f64) {
    use academy_app::quiz::service::{self, SaveQueue, StartQueue};
    let (starts, saves) = (StartQueue::default(), SaveQueue::default());
    let id = service::start(&db.db, (shelf, &starts), user, COURSE, now)
        .await
        .unwrap();
    let sheet = service::view(&db.db, shelf, user, id, now).await.unwrap();
    let mut expected = 0.0;
    for qv in sheet.questions.iter().take(k) {
        let q = &bank.iter().find(|(qid, _)| *qid == qv.id).unwrap().1;
        let given = service::Answered {
            attempt: id,
            question: qv.id,
            text: &right_answer(q),
        };
        service::save(&db.db, (shelf, &saves), user, given, now)
            .await
            .unwrap();
        expected += q.points;
    }
    (id, expected)
}

fn right_answer(q: &Question) -> String {
    match &q.answer {
        Answer::Single(i) => i.to_string(),
        Answer::Multiple(v) => v
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Answer::TrueFalse(b) => b.to_string(),
        Answer::Fill(a) => format!(" {} ", a[0]),
    }
}

#[tokio::test]
async fn keys_stay_on_the_server_answers_survive_a_reload_and_submit_grades() {
    on_each_database(|db| async move {
        let (app, cookie) = setup(&db).await;
        let id = start(&app, &cookie).await;
        // Starting again resumes the same attempt.
        assert_eq!(start(&app, &cookie).await, id);

        let (text, attempt) = view(&app, &cookie, id).await;
        let questions = attempt["questions"].as_array().unwrap().clone();
        assert_eq!(questions.len(), 10, "the quiz draws 10");
        let bank = bank(&db).await;
        for (_, q) in &bank {
            assert!(
                !text.contains(&q.explanation),
                "explanation sent before grading"
            );
        }
        assert!(
            !text.contains("\"answer\"") && !text.contains("explanation"),
            "{text}"
        );
        let page = app
            .client
            .get(app.url(&format!("/attempts/{id}")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for (_, q) in &bank {
            assert!(
                !page.contains(&q.explanation),
                "explanation in the attempt page"
            );
        }

        // Answer the first half right (fill-ins in full-width would also count; see unit tests).
        let half: Vec<i64> = questions
            .iter()
            .take(5)
            .map(|q| q["id"].as_i64().unwrap())
            .collect();
        let mut expected = 0.0;
        for qid in &half {
            let q = &bank.iter().find(|(id, _)| id == qid).unwrap().1;
            let res = call(
                &app,
                Some(&cookie),
                "save_answer",
                &format!(
                    "attempt={id}&question={qid}&answer={}",
                    urlencoding(&right_answer(q))
                ),
            )
            .await;
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
            expected += q.points;
        }
        // A reload finds them.
        let (_, again) = view(&app, &cookie, id).await;
        let saved = again["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| !q["saved"].is_null())
            .count();
        assert_eq!(saved, 5);
        // An option that does not exist is refused (a fill-in would take "99" as text and
        // overwrite the right answer, so only a question with options is tried).
        let q0 = &bank.iter().find(|(id, _)| *id == half[0]).unwrap().1;
        if !q0.options.is_empty() {
            let bad = call(
                &app,
                Some(&cookie),
                "save_answer",
                &format!("attempt={id}&question={}&answer=99", half[0]),
            )
            .await;
            assert_eq!(bad.status(), 422);
        }

        let status = submit(&app, &cookie, id).await;
        assert!(status.is_success() || status.is_redirection());
        let review = review_of(&app, &cookie, id).await;
        let possible = review["possible"].as_f64().unwrap();
        assert_eq!(review["earned"].as_f64().unwrap(), expected);
        assert_eq!(
            review["percent"].as_f64().unwrap(),
            (expected / possible * 1000.0).round() / 10.0
        );
        assert_eq!(review["status"], "submitted");
        assert_eq!(review["items"].as_array().unwrap().len(), 10);
        assert!(review["items"][0]["explanation"].as_str().unwrap().len() > 10);

        // Closed: saving again is refused, submitting again changes nothing.
        let late = call(
            &app,
            Some(&cookie),
            "save_answer",
            &format!("attempt={id}&question={}&answer=0", half[0]),
        )
        .await;
        assert_eq!(late.status(), 422);
        submit(&app, &cookie, id).await;
        let same = review_of(&app, &cookie, id).await;
        assert_eq!(same["earned"], review["earned"]);

        // Someone else's attempt does not exist for another trainee.
        person_with_roles(&db, 2, &[Role::Trainee], None).await;
        let other = session_cookie(&sign_in(&app, "actor2@example.com", PASSWORD).await).unwrap();
        for endpoint in ["attempt_view", "attempt_review", "submit_attempt"] {
            let res = call(&app, Some(&other), endpoint, &format!("attempt={id}")).await;
            assert_eq!(res.status(), 404, "{endpoint}");
        }
        app.stop().await;
        db
    })
    .await;
}

fn urlencoding(s: &str) -> String {
    common::urlencode(s)
}

#[tokio::test]
async fn the_server_grades_an_attempt_when_its_time_runs_out_exactly_once() {
    on_each_database(|db| async move {
        let (app, cookie) = setup(&db).await;
        let id = start(&app, &cookie).await;
        let (_, attempt) = view(&app, &cookie, id).await;
        let first = attempt["questions"][0]["id"].as_i64().unwrap();
        let q = bank(&db)
            .await
            .into_iter()
            .find(|(qid, _)| *qid == first)
            .unwrap()
            .1;
        call(
            &app,
            Some(&cookie),
            "save_answer",
            &format!(
                "attempt={id}&question={first}&answer={}",
                urlencoding(&right_answer(&q))
            ),
        )
        .await;

        // The browser goes away; the deadline passes.
        let row = attempt::Entity::find_by_id(id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let later = row.deadline_at + chrono::Duration::seconds(60);
        assert_eq!(grade_overdue(&db.db, later).await.unwrap(), 1);
        assert_eq!(
            grade_overdue(&db.db, later).await.unwrap(),
            0,
            "graded once only"
        );
        let row = attempt::Entity::find_by_id(id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status, "expired");
        assert_eq!(row.earned, Some(q.points), "what was saved is graded");

        // Two graders at once (two server processes): one grades, the other changes nothing.
        let id2 = start(&app, &cookie).await;
        let (a, b) = tokio::join!(
            academy_app::quiz::service::grade(&db.db, id2, "expired", later),
            academy_app::quiz::service::grade(&db.db, id2, "expired", later)
        );
        let graded = [a.unwrap(), b.unwrap()].iter().filter(|g| **g).count();
        assert_eq!(graded, 1);

        // The third attempt is the last one allowed.
        let id3 = start(&app, &cookie).await;
        submit(&app, &cookie, id3).await;
        let refused = call(
            &app,
            Some(&cookie),
            "start_attempt",
            &format!("course={COURSE}"),
        )
        .await;
        assert_eq!(refused.status(), 422);
        let overview: Value = call(
            &app,
            Some(&cookie),
            "quiz_overview",
            &format!("course={COURSE}"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(overview["attempts_left"], 0);
        assert_eq!(overview["attempts"].as_array().unwrap().len(), 3);
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn instructors_see_results_with_item_analysis_and_trainees_do_not() {
    on_each_database(|db| async move {
        let (app, cookie) = setup(&db).await;
        let bank = bank(&db).await;
        // Five trainees: trainee k answers the first k questions right.
        let mut cookies = vec![cookie];
        // Trainees 2 and 3 hold seats in 第四期, which teaches the boilers course.
        let s4 = academy_app::scheduling::entity::session::Entity::find()
            .filter(academy_app::scheduling::entity::session::Column::Number.eq(4))
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        for n in 2..=5 {
            let p = person_with_roles(&db, n, &[Role::Trainee], None).await;
            if n <= 3 {
                academy_app::scheduling::service::enrol(
                    &db.db,
                    s4.id,
                    p.id,
                    false,
                    chrono::Utc::now(),
                )
                .await
                .unwrap();
            }
            cookies.push(
                session_cookie(&sign_in(&app, &format!("actor{n}@example.com"), PASSWORD).await)
                    .unwrap(),
            );
        }
        for (k, c) in cookies.iter().enumerate() {
            let id = start(&app, c).await;
            let (_, a) = view(&app, c, id).await;
            for q in a["questions"].as_array().unwrap().iter().take(k * 2) {
                let qid = q["id"].as_i64().unwrap();
                let question = &bank.iter().find(|(id, _)| *id == qid).unwrap().1;
                call(
                    &app,
                    Some(c),
                    "save_answer",
                    &format!(
                        "attempt={id}&question={qid}&answer={}",
                        urlencoding(&right_answer(question))
                    ),
                )
                .await;
            }
            submit(&app, c, id).await;
        }
        let refused = call(
            &app,
            Some(&cookies[0]),
            "quiz_results",
            &format!("course={COURSE}"),
        )
        .await;
        assert_eq!(refused.status(), 403);

        person_with_roles(&db, 9, &[Role::Instructor], None).await;
        let instructor =
            session_cookie(&sign_in(&app, "actor9@example.com", PASSWORD).await).unwrap();
        let results: Value = call(
            &app,
            Some(&instructor),
            "quiz_results",
            &format!("course={COURSE}"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(results["rows"].as_array().unwrap().len(), 5);
        let items = results["items"].as_array().unwrap();
        let responses: u64 = items.iter().map(|i| i["responses"].as_u64().unwrap()).sum();
        assert_eq!(responses, 50, "10 drawn questions x 5 attempts");
        assert!(items.iter().any(|i| i["discrimination"].is_number()));
        assert_eq!(results["by_tier"][0]["label"], "auditor");
        assert_eq!(results["by_tier"][0]["people"], 5);
        assert_eq!(results["by_session"][0]["label"], "第4期");
        assert_eq!(results["by_session"][0]["people"], 2);
        assert_eq!(results["by_session"].as_array().unwrap().len(), 1);
        // The instructor may open a trainee's review.
        let first = results["rows"][0]["attempt_id"].as_i64().unwrap();
        let review = call(
            &app,
            Some(&instructor),
            "attempt_review",
            &format!("attempt={first}"),
        )
        .await;
        assert_eq!(review.status(), 200);
        // The same, downloaded: CSV with a byte-order mark, and XLSX; refused to trainees.
        let get = |path: &str, cookie: Option<&str>| {
            let mut req = app.client.get(app.url(path));
            if let Some(c) = cookie {
                req = req.header("cookie", c.to_string());
            }
            req.send()
        };
        let csv = get("/exports/quizzes/boilers/items.csv", Some(&instructor))
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("题号,题型,题目,作答数"), "{text}");
        assert_eq!(text.lines().count(), 1 + items.len());
        let results = get("/exports/quizzes/boilers/results.csv", Some(&instructor))
            .await
            .unwrap();
        assert_eq!(results.text().await.unwrap().lines().count(), 6);
        let xlsx = get("/exports/quizzes/boilers/quiz.xlsx", Some(&instructor))
            .await
            .unwrap();
        assert_eq!(xlsx.status(), 200);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        assert_eq!(
            get("/exports/quizzes/boilers/quiz.xlsx", Some(&cookies[0]))
                .await
                .unwrap()
                .status(),
            403
        );
        assert_eq!(
            get("/exports/quizzes/boilers/quiz.xlsx", None)
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(
            get("/exports/quizzes/boilers/other.txt", Some(&instructor))
                .await
                .unwrap()
                .status(),
            404
        );

        let unused: Vec<_> = question::Entity::find()
            .filter(question::Column::Archived.eq(true))
            .all(&db.db)
            .await
            .unwrap();
        assert!(unused.is_empty());
        app.stop().await;
        db
    })
    .await;
}

#[tokio::test]
async fn a_room_submitting_at_once_is_graded_together_each_attempt_once_with_its_own_score() {
    use academy_app::quiz::service::{self, GradeQueue};
    use std::sync::Arc;

    on_each_database(|db| async move {
        let (bank, shelf) = synced(&db).await;
        // Whole seconds: PostgreSQL keeps microseconds, and the finish time is compared below.
        let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
        // Twelve trainees; trainee k answers the first k questions of their draw right.
        let mut room = Vec::new();
        for k in 0..12 {
            let user = person_with_roles(&db, 10 + k, &[Role::Trainee], None).await;
            let (id, expected) = answered_right(&db, (&bank, &shelf), &user, k, now).await;
            room.push((user, id, expected));
        }

        // Everyone submits at the same moment, and the first trainee twice.
        let queue = Arc::new(GradeQueue::default());
        let mut submits = tokio::task::JoinSet::new();
        for (user, id, _) in room.iter().chain(room.iter().take(1)) {
            let (db, shelf, queue) = (db.db.clone(), shelf.clone(), queue.clone());
            let (user, id) = (user.clone(), *id);
            submits
                .spawn(async move { service::submit(&db, &shelf, &queue, &user, id, now).await });
        }
        while let Some(done) = submits.join_next().await {
            assert_eq!(done.unwrap(), Ok(()));
        }

        for (_, id, expected) in &room {
            let a = attempt::Entity::find_by_id(*id)
                .one(&db.db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(a.status, "submitted");
            assert_eq!(a.earned, Some(*expected), "attempt {id}");
            assert_eq!(
                a.percent,
                Some((expected / a.possible * 1000.0).round() / 10.0)
            );
            assert_eq!(a.finished_at, Some(now));
            let points: std::collections::HashMap<String, f64> =
                serde_json::from_str(a.points.as_deref().expect("points are kept")).unwrap();
            assert_eq!(points.len(), 10, "points for every drawn question");
            assert_eq!(points.values().sum::<f64>(), *expected);
        }
        // A grade written in a batch is final: grading again finds nothing open.
        assert!(!service::grade(&db.db, room[0].1, "expired", now)
            .await
            .unwrap());
        db
    })
    .await;
}

#[tokio::test]
async fn answers_saved_at_once_are_all_kept_and_of_two_for_one_question_the_later_stands() {
    use academy_app::db::queue::BatchWrite;
    use academy_app::quiz::entity::attempt_answer;
    use academy_app::quiz::rules::Response;
    use academy_app::quiz::service::{self, SaveQueue, Saves, Saving, StartQueue};
    use std::sync::Arc;

    on_each_database(|db| async move {
        let (bank, shelf) = synced(&db).await;
        let starts = StartQueue::default();
        let now = chrono::Utc::now();
        let mut room = Vec::new();
        for k in 0..8 {
            let user = person_with_roles(&db, 10 + k, &[Role::Trainee], None).await;
            let id = service::start(&db.db, (&shelf, &starts), &user, COURSE, now)
                .await
                .unwrap();
            let sheet = service::view(&db.db, &shelf, &user, id, now).await.unwrap();
            room.push((user, id, sheet.questions));
        }

        // The whole room answers every question at the same moment, through one queue.
        let queue = Arc::new(SaveQueue::default());
        let mut saves = tokio::task::JoinSet::new();
        for (user, id, questions) in &room {
            for qv in questions {
                let q = &bank.iter().find(|(qid, _)| *qid == qv.id).unwrap().1;
                let (db, shelf, queue) = (db.db.clone(), shelf.clone(), queue.clone());
                let (user, id, qid, answer) = (user.clone(), *id, qv.id, right_answer(q));
                saves.spawn(async move {
                    let given = service::Answered {
                        attempt: id,
                        question: qid,
                        text: &answer,
                    };
                    service::save(&db, (&shelf, &queue), &user, given, now).await
                });
            }
        }
        let mut count = 0;
        while let Some(done) = saves.join_next().await {
            assert_eq!(done.unwrap(), Ok(()));
            count += 1;
        }
        assert_eq!(count, 80);
        let rows_of = |id: i64| {
            attempt_answer::Entity::find()
                .filter(attempt_answer::Column::AttemptId.eq(id))
                .all(&db.db)
        };
        for (_, id, questions) in &room {
            let rows = rows_of(*id).await.unwrap();
            assert_eq!(rows.len(), questions.len(), "attempt {id}");
            assert!(rows.iter().all(|r| r.response.is_some()));
        }

        // One batch holding two answers to one question, and a cleared one: the later stands.
        let (a, b) = (room[0].1, room[1].1);
        let (qa, qb) = (room[0].2[0].id, room[1].2[0].id);
        let json = |r: Response| Some(serde_json::to_string(&r).unwrap());
        let batch = [
            Saving {
                attempt_id: a,
                question_id: qa,
                response: json(Response::Fill("先".into())),
                now,
            },
            Saving {
                attempt_id: b,
                question_id: qb,
                response: None,
                now,
            },
            Saving {
                attempt_id: a,
                question_id: qa,
                response: json(Response::Fill("后".into())),
                now,
            },
        ];
        assert_eq!(Saves::write(&db.db, &batch).await.unwrap().len(), 3);
        let of = |rows: Vec<attempt_answer::Model>, q: i64| {
            rows.into_iter().find(|r| r.question_id == q).unwrap()
        };
        assert_eq!(
            of(rows_of(a).await.unwrap(), qa).response,
            json(Response::Fill("后".into()))
        );
        assert_eq!(of(rows_of(b).await.unwrap(), qb).response, None);
        db
    })
    .await;
}

#[tokio::test]
async fn an_edited_quiz_is_what_the_next_attempt_gets_and_old_attempts_keep_their_questions() {
    on_each_database(|db| async move {
        let (app, cookie) = setup(&db).await;
        let first = start(&app, &cookie).await;
        let (_, sheet) = view(&app, &cookie, first).await;
        let first_drawn: Vec<i64> = sheet["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["id"].as_i64().unwrap())
            .collect();
        let status = submit(&app, &cookie, first).await;
        assert!(status.is_success() || status.is_redirection());

        // The course files change while the server runs: a stricter pass mark, five questions a
        // draw, and every question replaced (the old ones are archived).
        let dir = common::content_copy();
        let file = dir.join(format!("courses/{COURSE}/quiz.toml"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("pass_percent = 60") && text.contains("draw = 10"));
        let edited = text
            .replace("pass_percent = 60", "pass_percent = 75")
            .replace("draw = 10", "draw = 5")
            .replace("id = \"q", "id = \"r");
        std::fs::write(&file, edited).unwrap();
        let report = sync(&db.db, &content::load(&dir).unwrap(), chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(report.quizzes_updated, 1, "{report:?}");

        let overview: Value = call(
            &app,
            Some(&cookie),
            "quiz_overview",
            &format!("course={COURSE}"),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(overview["info"]["pass_percent"], 75);
        assert_eq!(overview["info"]["questions"], 5);
        let second = start(&app, &cookie).await;
        let (_, sheet) = view(&app, &cookie, second).await;
        let drawn = sheet["questions"].as_array().unwrap();
        assert_eq!(drawn.len(), 5);
        for q in drawn {
            let id = q["id"].as_i64().unwrap();
            assert!(!first_drawn.contains(&id), "an archived question drawn");
        }
        // The first attempt's review still shows the ten questions it was given.
        let review = review_of(&app, &cookie, first).await;
        assert_eq!(review["items"].as_array().unwrap().len(), 10);
        db
    })
    .await;
}

#[tokio::test]
async fn points_graded_before_the_attempt_kept_them_move_onto_it_and_back() {
    use academy_app::quiz::service;
    use academy_migrations::{Migrator, MigratorTrait};
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    use sea_orm::ConnectionTrait;

    on_each_database(|db| async move {
        let (bank, shelf) = synced(&db).await;
        let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
        let user = person_with_roles(&db, 30, &[Role::Trainee], None).await;
        let (id, _) = answered_right(&db, (&bank, &shelf), &user, 2, now).await;
        assert!(service::grade(&db.db, id, "submitted", now).await.unwrap());
        let graded = attempt::Entity::find_by_id(id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        let points = |a: &attempt::Model| -> std::collections::HashMap<String, f64> {
            serde_json::from_str(a.points.as_deref().expect("points are kept")).unwrap()
        };
        let kept = points(&graded);
        assert_eq!(kept.len(), 10);
        assert!(graded.earned.unwrap() > 0.0);

        // Down to before the points moved (and before attempts kept their pass mark): the
        // points become a row per drawn question again, as they were.
        Migrator::down(&db.db, Some(2)).await.unwrap();
        let rows = db
            .db
            .query_all(
                Query::select()
                    .columns([Alias::new("question_id"), Alias::new("earned")])
                    .from(Alias::new("attempt_answer"))
                    .and_where(Expr::col(Alias::new("attempt_id")).eq(id)),
            )
            .await
            .unwrap();
        let rows: std::collections::HashMap<String, f64> = rows
            .iter()
            .map(|r| {
                let q: i64 = r.try_get("", "question_id").unwrap();
                (q.to_string(), r.try_get("", "earned").unwrap())
            })
            .collect();
        assert_eq!(rows, kept, "a row of points for every drawn question");

        // Up again: back on the attempt, and the answer rows hold only what was answered. The
        // attempt takes its quiz's pass mark.
        Migrator::up(&db.db, None).await.unwrap();
        let again = attempt::Entity::find_by_id(id)
            .one(&db.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(points(&again), kept);
        assert_eq!(again.pass_percent, 60);
        let answered = academy_app::quiz::entity::attempt_answer::Entity::find()
            .filter(academy_app::quiz::entity::attempt_answer::Column::AttemptId.eq(id))
            .all(&db.db)
            .await
            .unwrap();
        assert_eq!(answered.len(), 2);
        db
    })
    .await;
}

#[tokio::test]
async fn a_room_starting_at_once_gets_an_attempt_each_and_a_double_start_gets_the_same_one() {
    use academy_app::quiz::service::{self, StartQueue};
    use sea_orm::PaginatorTrait;
    use std::sync::Arc;

    on_each_database(|db| async move {
        let (_, shelf) = synced(&db).await;
        let now = chrono::Utc::now();
        let mut room = Vec::new();
        for k in 0..12 {
            room.push(person_with_roles(&db, 40 + k, &[Role::Trainee], None).await);
        }
        let starts = Arc::new(StartQueue::default());
        let mut started = tokio::task::JoinSet::new();
        // Everyone at the same second, and the first trainee twice.
        for user in room.iter().chain(room.iter().take(1)) {
            let (db, shelf, starts, user) =
                (db.db.clone(), shelf.clone(), starts.clone(), user.clone());
            started.spawn(async move {
                let id = service::start(&db, (&shelf, &starts), &user, COURSE, now).await;
                (user.id, id.unwrap())
            });
        }
        let mut ids: std::collections::HashMap<i64, Vec<i64>> = Default::default();
        while let Some(done) = started.join_next().await {
            let (person, id) = done.unwrap();
            ids.entry(person).or_default().push(id);
        }
        assert_eq!(ids.len(), 12);
        let twice = &ids[&room[0].id];
        assert_eq!(twice.len(), 2);
        assert_eq!(twice[0], twice[1], "both starts resume one attempt");
        let distinct: std::collections::HashSet<i64> = ids.values().map(|v| v[0]).collect();
        assert_eq!(distinct.len(), 12, "an attempt each");
        for (person, v) in &ids {
            let a = attempt::Entity::find_by_id(v[0])
                .one(&db.db)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (a.person_id, a.number, a.status.as_str()),
                (*person, 1, "open")
            );
        }
        assert_eq!(attempt::Entity::find().count(&db.db).await.unwrap(), 12);
        db
    })
    .await;
}

#[tokio::test]
async fn an_attempt_is_graded_and_reviewed_by_the_pass_mark_it_started_with() {
    use academy_app::quiz::service::{self, GradeQueue};
    use sea_orm::QueryOrder;
    on_each_database(|db| async move {
        let (questions, shelf) = synced(&db).await;
        let user = person_with_roles(&db, 1, &[Role::Trainee], None).await;
        let now = chrono::Utc::now();
        // Seven of ten right: 70%, a pass under the quiz's mark of 60 when the attempt starts.
        let (first, expected) = answered_right(&db, (&questions, &shelf), &user, 7, now).await;

        // The course files change before it is submitted: the pass mark rises to 75.
        let dir = common::content_copy();
        let file = dir.join(format!("courses/{COURSE}/quiz.toml"));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("pass_percent = 60"));
        std::fs::write(
            &file,
            text.replace("pass_percent = 60", "pass_percent = 75"),
        )
        .unwrap();
        sync(&db.db, &content::load(&dir).unwrap(), now)
            .await
            .unwrap();
        let stricter = Shelf::load(&db.db).await.unwrap();
        let questions = bank(&db).await;
        let grades = GradeQueue::default();

        service::submit(&db.db, &stricter, &grades, &user, first, now)
            .await
            .unwrap();
        let review = service::review(&db.db, &stricter, &user, first, now)
            .await
            .unwrap();
        assert_eq!(review.earned, expected);
        assert!((60.0..75.0).contains(&review.percent), "{}", review.percent);
        assert!(review.passed, "graded by the mark it started with");
        assert_eq!(review.info.pass_percent, 60);
        assert_eq!(review.info.questions, 10);
        assert_eq!(review.info.time_limit_minutes, 20);
        let items: f64 = review.items.iter().map(|i| i.earned).sum();
        assert_eq!(items, review.earned, "each question's points as graded");
        let score = review.percent;

        // The next attempt starts under the new mark, and the same score fails it.
        let (second, _) = answered_right(&db, (&questions, &stricter), &user, 7, now).await;
        let sheet = service::view(&db.db, &stricter, &user, second, now)
            .await
            .unwrap();
        assert_eq!(sheet.info.pass_percent, 75);
        service::submit(&db.db, &stricter, &grades, &user, second, now)
            .await
            .unwrap();
        let review = service::review(&db.db, &stricter, &user, second, now)
            .await
            .unwrap();
        assert_eq!(review.percent, score);
        assert!(!review.passed);
        assert_eq!(review.info.pass_percent, 75);

        // The best attempt counts: the pass, not the later fail with the same score.
        let home = service::overview(&db.db, &stricter, &user, COURSE, now)
            .await
            .unwrap();
        assert_eq!(home.info.pass_percent, 75);
        assert_eq!(home.counting_percent, Some(score));
        assert_eq!(home.passed, Some(true));
        let stored: Vec<i32> = attempt::Entity::find()
            .filter(attempt::Column::PersonId.eq(user.id))
            .order_by_asc(attempt::Column::Number)
            .all(&db.db)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.pass_percent)
            .collect();
        assert_eq!(stored, vec![60, 75]);
        db
    })
    .await;
}
