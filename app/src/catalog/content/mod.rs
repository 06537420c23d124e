//! The content loader: reads `content/` (see `content/README.md`), validates every file and
//! every reference between files, and either returns the whole [`ContentSet`] or every
//! [`Problem`] found, each at its file and line.
//!
//! ```text
//! content/programmes/<id>.toml
//! content/courses/<id>/course.toml, NN-<slug>.md, quiz.toml, images/…
//! ```
mod course;
mod model;
mod programme;
mod quiz;
mod source;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use course::markdown_options;
pub use model::*;
pub use source::Problem;

use course::{At, LoadedCourse};

/// Reads and validates everything under `root`. Problems are sorted by file and line; paths
/// are `root` joined with the file's place under it.
pub fn load(root: &Path) -> Result<ContentSet, Vec<Problem>> {
    let mut problems = Vec::new();

    let courses_dir = root.join("courses");
    let mut loaded: Vec<LoadedCourse> = Vec::new();
    match sorted_entries(&courses_dir) {
        Ok(entries) => {
            for dir in entries.into_iter().filter(|p| p.is_dir()) {
                loaded.push(course::load_dir(&dir, &mut problems));
            }
        }
        Err(e) => problems.push(Problem::new(
            &courses_dir,
            1,
            format!("cannot read the courses folder: {e}"),
        )),
    }
    check_courses(&loaded, &mut problems);

    // A course whose course.toml is unusable, or whose id is not its folder name (reported
    // already), still exists for programmes under its folder name.
    let mut course_tiers = programme::CourseTiers::new();
    for l in &loaded {
        let tiers = l.course.as_ref().map(|c| c.tiers.clone());
        course_tiers.insert(l.folder.clone(), tiers.clone());
        if let Some(c) = &l.course {
            course_tiers.insert(c.id.clone(), tiers);
        }
    }
    let programmes_dir = root.join("programmes");
    let mut programmes = Vec::new();
    if programmes_dir.exists() {
        match sorted_entries(&programmes_dir) {
            Ok(entries) => {
                let mut first: HashMap<String, At> = HashMap::new();
                for path in entries
                    .into_iter()
                    .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
                {
                    let Some(p) = programme::load(&path, &course_tiers, &mut problems) else {
                        continue;
                    };
                    let id = p.programme.id.clone();
                    if let Some(at) = first.get(&id) {
                        problems.push(Problem::new(
                            &path,
                            p.id_line,
                            format!("programme id `{id}` is already used by {at}"),
                        ));
                    } else {
                        first.insert(
                            id,
                            At {
                                path: path.clone(),
                                line: p.id_line,
                            },
                        );
                    }
                    programmes.push(p.programme);
                }
            }
            Err(e) => problems.push(Problem::new(
                &programmes_dir,
                1,
                format!("cannot read the programmes folder: {e}"),
            )),
        }
    }

    if !problems.is_empty() {
        problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        return Err(problems);
    }
    let mut courses: Vec<Course> = loaded.into_iter().filter_map(|l| l.course).collect();
    courses.sort_by_key(|c| c.order);
    Ok(ContentSet {
        programmes,
        courses,
    })
}

/// Every problem in the content under `root`; empty if it is all valid.
pub fn check(root: &Path) -> Vec<Problem> {
    match load(root) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    }
}

/// The entries of a folder in name order, without hidden ones (`.DS_Store`, editor files).
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    entries.sort();
    Ok(entries)
}

/// The checks across course folders: unique course ids and orders, unique lesson ids, and every
/// `lesson:` link resolving.
fn check_courses(loaded: &[LoadedCourse], problems: &mut Vec<Problem>) {
    let mut course_ids: HashMap<&str, &At> = HashMap::new();
    let mut orders: HashMap<i32, (&str, &At)> = HashMap::new();
    for l in loaded {
        let (Some(course), Some(id_at), Some(order_at)) = (&l.course, &l.id_at, &l.order_at) else {
            continue;
        };
        if let Some(first) = course_ids.get(course.id.as_str()) {
            problems.push(Problem::new(
                &id_at.path,
                id_at.line,
                format!("course id `{}` is already used by {first}", course.id),
            ));
        } else {
            course_ids.insert(&course.id, id_at);
        }
        if let Some((other, first)) = orders.get(&course.order) {
            problems.push(Problem::new(
                &order_at.path,
                order_at.line,
                format!(
                    "course order {} is already used by course `{other}` ({first})",
                    course.order
                ),
            ));
        } else {
            orders.insert(course.order, (&course.id, order_at));
        }
    }

    let mut lesson_ids: HashMap<&str, &At> = HashMap::new();
    for (id, at) in loaded.iter().flat_map(|l| &l.lesson_ids) {
        if let Some(first) = lesson_ids.get(id.as_str()) {
            problems.push(Problem::new(
                &at.path,
                at.line,
                format!("lesson id `{id}` is already used by {first}"),
            ));
        } else {
            lesson_ids.insert(id, at);
        }
    }

    for link in loaded.iter().flat_map(|l| &l.links) {
        if !lesson_ids.contains_key(link.target.as_str()) {
            problems.push(Problem::new(
                &link.at.path,
                link.at.line,
                format!(
                    "link `lesson:{}`: no lesson has the id `{}`",
                    link.target, link.target
                ),
            ));
        }
    }
}
