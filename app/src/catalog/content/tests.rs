use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

fn real_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// A throw-away copy of the real content, removed when dropped.
struct Copy {
    root: PathBuf,
}

impl Copy {
    fn new(name: &str) -> Copy {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "academy-content-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&real_root(), &root);
        Copy { root }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Replaces the first occurrence of `from` in a file.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// The 1-based line of the first line containing `needle`.
    fn line_of(&self, rel: &str, needle: &str) -> usize {
        self.read(rel)
            .lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{rel} has no line with {needle:?}"))
            + 1
    }

    fn problems(&self) -> Vec<Problem> {
        let problems = check(&self.root);
        assert!(!problems.is_empty(), "expected problems, found none");
        problems
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Asserts that exactly one problem names `rel` at `line` with a message containing `text`.
fn assert_reported(problems: &[Problem], path: &Path, line: usize, text: &str) {
    let found = problems
        .iter()
        .any(|p| p.path == path && p.line == line && p.message.contains(text));
    assert!(
        found,
        "expected {}:{line}: …{text}…, got:\n{}",
        path.display(),
        problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_real_content_loads_with_no_problems() {
    let set = match load(&real_root()) {
        Ok(set) => set,
        Err(problems) => panic!(
            "{}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    assert_eq!(set.courses.len(), 7);
    assert_eq!(set.programmes.len(), 1);
    assert_eq!(set.courses[0].id, "leader-basics");
    assert!(set.lesson_count() >= 28);
    assert!(set.question_count() >= 100);
    let auditor = set.course("auditor-method").unwrap();
    assert_eq!(auditor.kind, CourseKind::Curriculum);
    assert_eq!(auditor.lessons[0].id, "auditor-method-01-overview");
    assert!(auditor.lessons[0].body_md.starts_with("\n# 审核方法总览"));
    assert_eq!(auditor.hash.len(), 64);
    let quiz = auditor.quiz.as_ref().unwrap();
    assert_eq!(quiz.counts, Counts::Best);
    let q01 = &quiz.questions[0];
    assert_eq!(q01.answer, Answer::Single(2));
    assert_eq!(q01.points, 1.0);
    let q05 = quiz.questions.iter().find(|q| q.id == "q05").unwrap();
    assert_eq!(q05.answer, Answer::Multiple(vec![0, 1, 3]));
    assert_eq!(q05.scoring, Scoring::Partial);
    let programme = &set.programmes[0];
    assert_eq!(programme.sessions.len(), 6);
    assert_eq!(
        programme.sessions[0].start,
        chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap()
    );
}

#[test]
fn problems_display_as_path_line_message() {
    let p = Problem::new("content/courses/x/course.toml", 3, "bad");
    assert_eq!(p.to_string(), "content/courses/x/course.toml:3: bad");
}

#[test]
fn a_broken_lesson_link_is_reported_with_file_and_line() {
    let copy = Copy::new("broken-link");
    let rel = "courses/auditor-method/01-overview.md";
    copy.edit(
        rel,
        "(lesson:auditor-method-03-pre-assessment)",
        "(lesson:auditor-method-99-nowhere)",
    );
    let line = copy.line_of(rel, "lesson:auditor-method-99-nowhere");
    let problems = copy.problems();
    assert_reported(
        &problems,
        &copy.path(rel),
        line,
        "auditor-method-99-nowhere",
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
}

#[test]
fn a_duplicate_lesson_id_is_reported_with_file_and_line() {
    let copy = Copy::new("duplicate-lesson");
    let first = "courses/auditor-method/01-overview.md";
    let second = "courses/boilers/02-operation.md";
    copy.edit(
        second,
        "id = \"boilers-02-operation\"",
        "id = \"auditor-method-01-overview\"",
    );
    let problems = copy.problems();
    let message = format!("already used by {}:2", copy.path(first).display());
    assert_reported(&problems, &copy.path(second), 2, &message);
    // The lesson the old id named no longer exists, so a link to it (if any) is reported too;
    // nothing else is.
    assert!(problems
        .iter()
        .all(|p| p.message.contains("already used") || p.message.contains("boilers-02")));
}

#[test]
fn a_bad_quiz_key_is_reported() {
    let copy = Copy::new("bad-key");
    let rel = "courses/auditor-method/quiz.toml";
    // q01 has four options: E is out of range.
    copy.edit(rel, "answer = \"C\"", "answer = \"E\"");
    let line = copy.line_of(rel, "answer = \"E\"");
    let problems = copy.problems();
    assert_reported(&problems, &copy.path(rel), line, "A–D");
    assert_eq!(problems.len(), 1, "{problems:?}");
}

#[test]
fn quiz_keys_of_every_kind_are_checked() {
    let copy = Copy::new("keys");
    let rel = "courses/motors/quiz.toml";
    let mut text = copy.read(rel);
    text.push_str(
        r#"
[[questions]]
id = "x1"
kind = "multiple"
prompt = "?"
options = ["a", "b", "c"]
answer = ["A", "A"]
explanation = "!"

[[questions]]
id = "x2"
kind = "true_false"
prompt = "?"
answer = "true"
explanation = "!"

[[questions]]
id = "x3"
kind = "fill"
prompt = "?"
answer = []
explanation = "!"

[[questions]]
id = "x4"
kind = "single"
prompt = "?"
options = ["only"]
answer = "A"
explanation = ""

[[questions]]
id = "x1"
kind = "essay"
prompt = "?"
answer = "A"
explanation = "!"
"#,
    );
    copy.write(rel, &text);
    let path = copy.path(rel);
    let line = |needle: &str| {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .map(|(i, _)| i + 1)
            .last()
            .unwrap()
    };
    let problems = copy.problems();
    assert_reported(&problems, &path, line("[\"A\", \"A\"]"), "twice");
    assert_reported(&problems, &path, line("answer = \"true\""), "true or false");
    assert_reported(&problems, &path, line("answer = []"), "list of accepted");
    assert_reported(&problems, &path, line("options = [\"only\"]"), "at least 2");
    assert_reported(&problems, &path, line("explanation = \"\""), "empty");
    assert_reported(
        &problems,
        &path,
        line("id = \"x1\""),
        "already used on line",
    );
    assert_reported(
        &problems,
        &path,
        line("kind = \"essay\""),
        "unknown question kind",
    );
}

#[test]
fn a_draw_larger_than_the_bank_is_reported() {
    let copy = Copy::new("draw");
    let rel = "courses/waste-heat/quiz.toml";
    copy.edit(rel, "draw = 10", "draw = 50");
    let problems = copy.problems();
    assert_reported(
        &problems,
        &copy.path(rel),
        copy.line_of(rel, "draw = 50"),
        "draw",
    );
}

#[test]
fn a_toml_syntax_error_reports_its_line() {
    let copy = Copy::new("syntax");
    let rel = "courses/boilers/course.toml";
    copy.edit(rel, "order = 5", "order = = 5");
    let line = copy.line_of(rel, "order = = 5");
    let problems = copy.problems();
    assert_reported(&problems, &copy.path(rel), line, "");
    assert_eq!(problems.len(), 1, "{problems:?}");
}

#[test]
fn a_syntax_error_in_front_matter_reports_its_line_in_the_lesson_file() {
    let copy = Copy::new("front-matter-syntax");
    let rel = "courses/motors/02-load-sizing.md";
    copy.edit(rel, "minutes = 30", "minutes = thirty");
    let problems = copy.problems();
    assert_reported(
        &problems,
        &copy.path(rel),
        copy.line_of(rel, "minutes = thirty"),
        "",
    );
}

#[test]
fn unknown_and_missing_fields_are_reported() {
    let copy = Copy::new("fields");
    let rel = "courses/leader-basics/course.toml";
    copy.edit(rel, "hours = 3.0", "hours = 3.0\nhour = 3");
    let problems = copy.problems();
    assert_reported(
        &problems,
        &copy.path(rel),
        copy.line_of(rel, "hour = 3"),
        "unknown field `hour`",
    );

    let copy = Copy::new("missing-field");
    copy.edit(rel, "hours = 3.0\n", "");
    let problems = copy.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.path == copy.path(rel) && p.message.contains("missing field `hours`")),
        "{problems:?}"
    );
}

#[test]
fn a_relative_image_that_does_not_exist_is_reported() {
    let copy = Copy::new("image");
    let rel = "courses/boilers/01-heat-balance.md";
    let mut text = copy.read(rel);
    text.push_str("\n\n热平衡示意：\n\n![热平衡](images/heat-balance.svg)\n");
    copy.write(rel, &text);
    let line = copy.line_of(rel, "images/heat-balance.svg");
    let problems = copy.problems();
    assert_reported(&problems, &copy.path(rel), line, "images/heat-balance.svg");
    assert_eq!(problems.len(), 1, "{problems:?}");

    // Once the file exists the link resolves; a path escaping the course folder does not.
    copy.write("courses/boilers/images/heat-balance.svg", "<svg/>");
    assert!(check(&copy.root).is_empty(), "{:?}", check(&copy.root));
    copy.edit(
        rel,
        "images/heat-balance.svg",
        "../motors/images/heat-balance.svg",
    );
    assert_reported(
        &copy.problems(),
        &copy.path(rel),
        line,
        "outside the course",
    );
}

#[test]
fn a_lesson_without_front_matter_is_reported() {
    let copy = Copy::new("no-front-matter");
    let rel = "courses/waste-heat/05-notes.md";
    copy.write(rel, "# 笔记\n\n正文\n");
    let problems = copy.problems();
    assert_reported(&problems, &copy.path(rel), 1, "+++");
}

#[test]
fn a_course_id_must_equal_its_folder_and_orders_must_be_unique() {
    let copy = Copy::new("course-ids");
    let motors = "courses/motors/course.toml";
    copy.edit(motors, "id = \"motors\"", "id = \"Motors\"");
    copy.edit(motors, "order = 6", "order = 5");
    let lesson = "courses/motors/03-vsd-fans-pumps.md";
    copy.edit(lesson, "order = 3", "order = 2");
    copy.edit(lesson, "minutes = 35", "minutes = 0");
    let problems = copy.problems();
    assert_reported(&problems, &copy.path(motors), 1, "lowercase");
    assert_reported(
        &problems,
        &copy.path(motors),
        4,
        "already used by course `boilers`",
    );
    let order_line = copy.line_of(lesson, "order = 2");
    assert_reported(&problems, &copy.path(lesson), order_line, "lesson order 2");
    let minutes_line = copy.line_of(lesson, "minutes = 0");
    assert_reported(&problems, &copy.path(lesson), minutes_line, "minutes");
}

#[test]
fn programme_sessions_are_checked_against_courses_rooms_and_each_other() {
    let copy = Copy::new("programme");
    let rel = "programmes/tj-cp-audit-2014.toml";
    // Session 6 moves onto session 1's morning in the same room, with an unknown course, a bad
    // tier and too many seats.
    copy.edit(rel, "date = \"2014-07-18\"", "date = \"2014-07-14\"");
    copy.edit(
        rel,
        "courses = [\"official-acceptance\"]",
        "courses = [\"official-acceptance\", \"nope\"]",
    );
    copy.edit(
        rel,
        "tiers = [\"official\", \"expert\"]",
        "tiers = [\"official\", \"boss\"]",
    );
    copy.edit(
        rel,
        "capacity = 100\nlecturers = [\"市环保局",
        "capacity = 130\nlecturers = [\"市环保局",
    );
    let text = copy.read(rel);
    let session6 = text.rfind("[[sessions]]").unwrap();
    let line_after = |needle: &str| {
        text[..session6 + text[session6..].find(needle).unwrap()]
            .matches('\n')
            .count()
            + 1
    };
    let path = copy.path(rel);
    let problems = copy.problems();
    assert_reported(
        &problems,
        &path,
        line_after("\"nope\""),
        "no course has the id `nope`",
    );
    assert_reported(
        &problems,
        &path,
        line_after("\"boss\""),
        "unknown tier `boss`",
    );
    assert_reported(&problems, &path, line_after("capacity = 130"), "120 seats");
    assert_reported(
        &problems,
        &path,
        line_after("room = "),
        "already taken by session 1",
    );
    assert_reported(
        &problems,
        &path,
        line_after("lecturers = "),
        "lecturer `市环保局清新空气指挥部办公室负责同志` already teaches session 1",
    );
}

#[test]
fn a_session_that_ends_before_it_starts_is_reported() {
    let copy = Copy::new("times");
    let rel = "programmes/tj-cp-audit-2014.toml";
    copy.edit(rel, "end = \"12:00\"", "end = \"08:00\"");
    let problems = copy.problems();
    assert_reported(
        &problems,
        &copy.path(rel),
        copy.line_of(rel, "end = \"08:00\""),
        "`start` must be before `end`",
    );
}

#[test]
fn a_tier_may_have_its_own_certificate_rule() {
    use crate::people::tier::Tier;
    let copy = Copy::new("tier-rules");
    let rel = "programmes/tj-cp-audit-2014.toml";
    copy.edit(
        rel,
        "require_quiz = true\n",
        "require_quiz = true\n\n[[certificate.tiers]]\ntier = \"official\"\nrequire_quiz = false\n\n[[certificate.tiers]]\ntier = \"leader\"\nmin_attendance_percent = 100\n",
    );
    let set = load(&copy.root).expect("the rules are valid");
    let rule = &set.programmes[0].certificate;
    assert_eq!(rule.min_attendance_percent, 80);
    assert_eq!(
        rule.tiers,
        vec![
            TierRule {
                tier: Tier::Leader,
                min_attendance_percent: Some(100),
                require_quiz: None,
            },
            TierRule {
                tier: Tier::Official,
                min_attendance_percent: None,
                require_quiz: Some(false),
            },
        ],
        "in the tiers' order, each part left out following the programme"
    );

    // A tier twice, a rule that sets nothing, and a share over 100 are each reported.
    copy.edit(
        rel,
        "min_attendance_percent = 100\n",
        "min_attendance_percent = 101\n\n[[certificate.tiers]]\ntier = \"official\"\nmin_attendance_percent = 60\n\n[[certificate.tiers]]\ntier = \"expert\"\n",
    );
    let text = copy.read(rel);
    let nth_line = |needle: &str, nth: usize| {
        let at = text.match_indices(needle).nth(nth).unwrap().0;
        text[..at].matches('\n').count() + 1
    };
    let path = copy.path(rel);
    let problems = copy.problems();
    assert_reported(
        &problems,
        &path,
        nth_line("tier = \"official\"", 1),
        "tier `official` has two certificate rules",
    );
    assert_reported(
        &problems,
        &path,
        nth_line("tier = \"expert\"", 0),
        "sets neither",
    );
    assert_reported(
        &problems,
        &path,
        nth_line("min_attendance_percent = 101", 0),
        "min_attendance_percent",
    );
}

#[test]
fn a_full_day_session_is_split_into_periods_and_bad_periods_are_reported() {
    let set = load(&real_root()).expect("the real content loads");
    let day = set.programmes[0]
        .sessions
        .iter()
        .find(|s| s.number == 3)
        .unwrap();
    let captions: Vec<String> = day.periods.iter().map(|p| p.caption()).collect();
    assert_eq!(captions, ["上午 08:30–12:00", "下午 13:30–17:00"]);
    assert!(set.programmes[0].sessions[0].periods.is_empty());

    let copy = Copy::new("periods");
    let rel = "programmes/tj-cp-audit-2014.toml";
    copy.edit(
        rel,
        "periods = \"上午 08:30-12:00；下午 13:30-17:00\"",
        "periods = \"上午 08:00-12:00；下午 13:30-17:00\"",
    );
    copy.edit(
        rel,
        "periods = \"上午 09:00-12:00；下午 13:30-16:30\"",
        "periods = \"上午 九点到十二点\"",
    );
    let path = copy.path(rel);
    let problems = copy.problems();
    assert_reported(
        &problems,
        &path,
        copy.line_of(rel, "上午 08:00-12:00"),
        "outside the session",
    );
    assert_reported(
        &problems,
        &path,
        copy.line_of(rel, "九点到十二点"),
        "上午 08:30-12:00",
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
}
