//! A course folder: `course.toml`, the lesson files and their links, `quiz.toml`.
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Parser, Tag};
use serde::Deserialize;
use toml::Spanned;

use super::model::{Course, CourseKind, Lesson};
use super::quiz;
use super::source::{hex_sha256, is_valid_id, Doc, Problem, SourceFile};

/// The Markdown extensions lessons are written with; render them with the same options.
pub fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCourse {
    id: Spanned<String>,
    kind: Spanned<String>,
    tiers: Spanned<Vec<Spanned<String>>>,
    order: Spanned<i64>,
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    summary_zh: Spanned<String>,
    summary_en: Spanned<String>,
    hours: Spanned<f64>,
    lecturer_role: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrontMatter {
    id: Spanned<String>,
    title_zh: Spanned<String>,
    title_en: Spanned<String>,
    order: Spanned<i64>,
    minutes: Spanned<i64>,
}

/// Where a value was written: for reporting duplicates and naming the first occurrence.
#[derive(Clone, Debug)]
pub(crate) struct At {
    pub path: PathBuf,
    pub line: usize,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// A `[text](lesson:<id>)` link, resolved once every lesson is known.
pub(crate) struct LessonLink {
    pub at: At,
    pub target: String,
}

/// A course folder as far as it could be read; the cross-file checks use the positions.
pub(crate) struct LoadedCourse {
    /// The folder name: the course id it should have.
    pub folder: String,
    /// `None` if `course.toml` is missing or unreadable.
    pub course: Option<Course>,
    pub id_at: Option<At>,
    pub order_at: Option<At>,
    /// Every lesson with a readable front matter, with the position of its id.
    pub lesson_ids: Vec<(String, At)>,
    pub links: Vec<LessonLink>,
}

pub(crate) fn load_dir(dir: &Path, problems: &mut Vec<Problem>) -> LoadedCourse {
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut loaded = LoadedCourse {
        folder: folder.clone(),
        course: None,
        id_at: None,
        order_at: None,
        lesson_ids: Vec::new(),
        links: Vec::new(),
    };

    let mut md_files = Vec::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if !path.is_file() || name.starts_with('.') {
                    continue;
                }
                if name.ends_with(".md") {
                    md_files.push(path);
                } else if name.ends_with(".toml") && name != "course.toml" && name != "quiz.toml" {
                    problems.push(Problem::new(
                        path,
                        1,
                        "unexpected file: a course folder holds course.toml, quiz.toml, lessons \
                         (*.md) and the files they link to",
                    ));
                }
            }
        }
        Err(e) => {
            problems.push(Problem::new(dir, 1, format!("cannot read the folder: {e}")));
            return loaded;
        }
    }
    md_files.sort();

    // Lessons.
    let mut lessons: Vec<Lesson> = Vec::new();
    let mut orders: Vec<(i32, String, At)> = Vec::new();
    for path in &md_files {
        let read = load_lesson(path, dir, problems, &mut loaded.links);
        if let Some(id) = read.id {
            loaded.lesson_ids.push(id);
        }
        if let Some((lesson, order_at)) = read.lesson {
            if let Some((_, first_id, first)) = orders.iter().find(|(o, _, _)| *o == lesson.order) {
                problems.push(Problem::new(
                    &order_at.path,
                    order_at.line,
                    format!(
                        "lesson order {} is already used by lesson `{first_id}` ({first})",
                        lesson.order
                    ),
                ));
            } else {
                orders.push((lesson.order, lesson.id.clone(), order_at));
            }
            lessons.push(lesson);
        }
    }
    lessons.sort_by_key(|l| l.order);

    // course.toml
    let course_path = dir.join("course.toml");
    if !course_path.is_file() {
        problems.push(Problem::new(
            &course_path,
            1,
            "missing: every course folder needs a course.toml",
        ));
        return loaded;
    }
    let course_file = match SourceFile::read(&course_path) {
        Ok(f) => f,
        Err(p) => {
            problems.push(p);
            return loaded;
        }
    };

    // quiz.toml (optional)
    let quiz_path = dir.join("quiz.toml");
    let mut quiz_bytes: Vec<u8> = Vec::new();
    let quiz = if quiz_path.is_file() {
        match SourceFile::read(&quiz_path) {
            Ok(f) => {
                quiz_bytes = f.bytes.clone();
                quiz::load(&f, problems)
            }
            Err(p) => {
                problems.push(p);
                None
            }
        }
    } else {
        None
    };

    let mut doc = Doc::new(&course_file, 0..course_file.text.len(), problems);
    let Some(raw) = doc.parse::<RawCourse>() else {
        return loaded;
    };
    let id = raw.id.get_ref().clone();
    if !is_valid_id(&id) {
        doc.report_at(
            &raw.id,
            format!("course id `{id}` must be lowercase letters, digits and '-'"),
        );
    } else if id != folder {
        doc.report_at(
            &raw.id,
            format!("course id `{id}` must equal its folder name `{folder}`"),
        );
    }
    let kind = CourseKind::parse(raw.kind.get_ref()).unwrap_or_else(|| {
        doc.report_at(
            &raw.kind,
            format!(
                "unknown course kind `{}`; use \"curriculum\" or \"lecture\"",
                raw.kind.get_ref()
            ),
        );
        CourseKind::Curriculum
    });
    let tiers = doc.tiers(&raw.tiers, "tiers");
    let order = doc.int_in(
        &raw.order,
        "order",
        i64::from(i32::MIN)..=i64::from(i32::MAX),
    ) as i32;
    let hours = *raw.hours.get_ref();
    if !(hours.is_finite() && hours > 0.0) {
        doc.report_at(
            &raw.hours,
            format!("`hours` must be more than 0, not {hours}"),
        );
    }
    let course = Course {
        id: id.clone(),
        kind,
        tiers,
        order,
        title_zh: doc.non_empty(&raw.title_zh, "title_zh"),
        title_en: doc.non_empty(&raw.title_en, "title_en"),
        summary_zh: doc.non_empty(&raw.summary_zh, "summary_zh"),
        summary_en: doc.non_empty(&raw.summary_en, "summary_en"),
        hours,
        lecturer_role: doc.non_empty(&raw.lecturer_role, "lecturer_role"),
        lessons,
        quiz,
        dir: dir.to_path_buf(),
        hash: hex_sha256(&[&course_file.bytes, &quiz_bytes]),
    };
    if course.lessons.is_empty() && md_files.is_empty() {
        doc.report(0..0, "the course has no lessons (*.md files)");
    }
    loaded.id_at = Some(At {
        path: course_path.clone(),
        line: doc.line(&raw.id.span()),
    });
    loaded.order_at = Some(At {
        path: course_path,
        line: doc.line(&raw.order.span()),
    });
    loaded.course = Some(course);
    loaded
}

/// The front matter (the bytes between the `+++` lines) and where the body starts.
fn split_front_matter(text: &str) -> Result<(std::ops::Range<usize>, usize), &'static str> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut lines = text[start..]
        .split_inclusive('\n')
        .scan(start, |offset, line| {
            let at = *offset;
            *offset += line.len();
            Some((at, line))
        });
    match lines.next() {
        Some((_, first)) if first.trim_end() == "+++" => {}
        _ => return Err("a lesson starts with a front matter block between `+++` lines"),
    }
    let fm_start = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    for (at, line) in lines {
        if line.trim_end() == "+++" {
            return Ok((fm_start..at, at + line.len()));
        }
    }
    Err("the front matter is not closed by a `+++` line")
}

/// What could be read of a lesson file.
#[derive(Default)]
struct ReadLesson {
    /// The lesson and where its `order` is, if the front matter is usable.
    lesson: Option<(Lesson, At)>,
    /// Its id and where it is, if one can be found: kept even when the front matter has other
    /// problems, so that links to the lesson do not fail too.
    id: Option<(String, At)>,
}

fn load_lesson(
    path: &Path,
    course_dir: &Path,
    problems: &mut Vec<Problem>,
    links: &mut Vec<LessonLink>,
) -> ReadLesson {
    let file = match SourceFile::read(path) {
        Ok(f) => f,
        Err(p) => {
            problems.push(p);
            return ReadLesson::default();
        }
    };
    let (fm, body_start) = match split_front_matter(&file.text) {
        Ok(split) => split,
        Err(message) => {
            problems.push(Problem::new(path, 1, message));
            return ReadLesson::default();
        }
    };
    scan_links(&file, body_start, course_dir, problems, links);

    let mut doc = Doc::new(&file, fm, problems);
    let at = |doc: &Doc<'_>, span: std::ops::Range<usize>| At {
        path: path.to_path_buf(),
        line: doc.line(&span),
    };
    let Some(raw) = doc.parse::<RawFrontMatter>() else {
        // Already reported; find the id anyway if the TOML itself is readable.
        #[derive(Deserialize)]
        struct JustId {
            id: Spanned<String>,
        }
        let id = toml::from_str::<JustId>(doc.text())
            .ok()
            .map(|j| (j.id.get_ref().clone(), at(&doc, j.id.span())));
        return ReadLesson { lesson: None, id };
    };
    let id = raw.id.get_ref().clone();
    if !is_valid_id(&id) {
        doc.report_at(
            &raw.id,
            format!("lesson id `{id}` must be lowercase letters, digits and '-'"),
        );
    }
    let order = doc.int_in(
        &raw.order,
        "order",
        i64::from(i32::MIN)..=i64::from(i32::MAX),
    ) as i32;
    let minutes = doc.positive(&raw.minutes, "minutes") as i32;
    let lesson = Lesson {
        id: id.clone(),
        title_zh: doc.non_empty(&raw.title_zh, "title_zh"),
        title_en: doc.non_empty(&raw.title_en, "title_en"),
        order,
        minutes,
        body_md: file.text[body_start..].to_string(),
        path: path.to_path_buf(),
        hash: file.hash(),
    };
    ReadLesson {
        id: Some((id, at(&doc, raw.id.span()))),
        lesson: Some((lesson, at(&doc, raw.order.span()))),
    }
}

/// Checks every link and image of a lesson body: relative paths must name a file inside the
/// course folder; `lesson:` links are collected for later.
fn scan_links(
    file: &SourceFile,
    body_start: usize,
    course_dir: &Path,
    problems: &mut Vec<Problem>,
    links: &mut Vec<LessonLink>,
) {
    let body = &file.text[body_start..];
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        let (dest, is_image) = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                if matches!(link_type, LinkType::Email) {
                    continue;
                }
                (dest_url, false)
            }
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            _ => continue,
        };
        let offset = body_start + range.start;
        let what = if is_image { "image" } else { "link" };
        match classify(&dest) {
            Target::Elsewhere => {}
            Target::Lesson(id) if is_image => problems.push(file.problem_at(
                offset,
                format!("an image cannot show the lesson `{id}`: give an image file"),
            )),
            Target::Lesson(id) => links.push(LessonLink {
                at: At {
                    path: file.path.clone(),
                    line: file.line_of(offset),
                },
                target: id,
            }),
            Target::File(rel) => {
                if let Some(message) = check_file(course_dir, &rel, what) {
                    problems.push(file.problem_at(offset, message));
                }
            }
            Target::Bad(message) if dest.trim().is_empty() => {
                problems.push(file.problem_at(offset, format!("{what} with {message}")))
            }
            Target::Bad(message) => {
                problems.push(file.problem_at(offset, format!("{what} `{dest}`: {message}")))
            }
        }
    }
}

enum Target {
    /// http(s), mailto or an anchor on the page.
    Elsewhere,
    Lesson(String),
    /// A path relative to the course folder, without query or fragment.
    File(String),
    Bad(String),
}

fn classify(dest: &str) -> Target {
    let dest = dest.trim();
    let lower = dest.to_ascii_lowercase();
    if dest.is_empty() {
        return Target::Bad("an empty target".into());
    }
    if dest.starts_with('#')
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
    {
        return Target::Elsewhere;
    }
    if let Some(rest) = dest.strip_prefix("lesson:") {
        let id = rest.split('#').next().unwrap_or_default().trim();
        return if id.is_empty() {
            Target::Bad("name the lesson: `lesson:<id>`".into())
        } else {
            Target::Lesson(id.to_string())
        };
    }
    if dest.starts_with("//") {
        return Target::Bad("write the full https:// address".into());
    }
    let head = dest.split(['/', '?', '#']).next().unwrap_or_default();
    if let Some((scheme, _)) = head.split_once(':') {
        return Target::Bad(format!(
            "unsupported scheme `{scheme}:`; use http(s)://, mailto:, lesson:<id> or a path \
             inside the course folder"
        ));
    }
    if dest.starts_with('/') || dest.starts_with('\\') {
        return Target::Bad("write the path relative to the course folder".into());
    }
    let path = dest.split(['?', '#']).next().unwrap_or_default();
    Target::File(percent_decode(path))
}

/// `None` if `rel` names an existing file inside the course folder, else what is wrong.
fn check_file(course_dir: &Path, rel: &str, what: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Some(format!("{what} `{rel}` points outside the course folder"));
                }
            }
            _ => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Some(format!("{what} `{rel}` does not name a file"));
    }
    if rel.ends_with(".md") {
        return Some(format!(
            "{what} `{rel}`: link to a lesson as `lesson:<id>`, not by its file name"
        ));
    }
    let full = parts
        .iter()
        .fold(course_dir.to_path_buf(), |p, s| p.join(s));
    if full.is_file() {
        None
    } else {
        Some(format!(
            "{what} `{rel}` not found: there is no {} in the course folder",
            parts.join("/")
        ))
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}
