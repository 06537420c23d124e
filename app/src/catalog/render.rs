//! Lesson Markdown to safe HTML: pulldown-cmark (tables, footnotes, task lists), an id on every
//! heading and a table of contents from the `##` and `###` headings, `lesson:` links and
//! `images/` paths turned into site URLs, and ammonia removing anything that could run
//! (`<script>`, event handlers, `javascript:` links) whatever the lesson contains.
use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::content::markdown_options;
use super::TocEntry;

/// Bump when the HTML this module makes changes, so `content sync` renders every lesson again.
pub const RENDER_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// The page of a lesson, by its id.
pub fn lesson_href(lesson_id: &str) -> String {
    format!("/lessons/{lesson_id}")
}

/// An image of a course, as `media` serves it.
pub fn media_href(course_id: &str, file: &str) -> String {
    format!("/media/{course_id}/{file}")
}

pub fn render_lesson(markdown: &str, course_id: &str) -> Rendered {
    let mut events: Vec<Event> = Parser::new_ext(markdown, markdown_options())
        .map(|event| rewrite_urls(event, course_id))
        .collect();
    let toc = name_headings(&mut events);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    Rendered {
        html: sanitise(&html),
        toc,
    }
}

fn rewrite_urls<'a>(event: Event<'a>, course_id: &str) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: match dest_url.strip_prefix("lesson:") {
                Some(target) => CowStr::from(lesson_href(target)),
                None => dest_url,
            },
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: match dest_url.strip_prefix("images/") {
                Some(file) => CowStr::from(media_href(course_id, file)),
                None => dest_url,
            },
            title,
            id,
        }),
        other => other,
    }
}

/// Gives every heading a unique id made from its text, and returns the `##`/`###` ones.
fn name_headings(events: &mut [Event]) -> Vec<TocEntry> {
    let mut used = HashSet::new();
    let mut toc = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, .. }) = &events[i] {
            let level = *level;
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let anchor = unique(slug(&text), &mut used);
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(anchor.clone()));
            }
            let depth = match level {
                HeadingLevel::H2 => Some(2),
                HeadingLevel::H3 => Some(3),
                _ => None,
            };
            if let Some(level) = depth {
                toc.push(TocEntry {
                    level,
                    id: anchor,
                    text: text.trim().to_string(),
                });
            }
            i = j;
        }
        i += 1;
    }
    toc
}

/// Letters and digits of any script (so Chinese headings keep their words), lower-cased, with
/// one `-` for each run of anything else.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(c.to_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

fn unique(base: String, used: &mut HashSet<String>) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

fn sanitise(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["input"])
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("div", ["id", "class"])
        .add_tag_attributes("sup", ["id", "class"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Table alignment only: no other inline style.
            ("th" | "td", "style") => matches!(
                value,
                "text-align: left" | "text-align: center" | "text-align: right"
            )
            .then(|| value.into()),
            // Task-list boxes only, never a text field.
            ("input", "type") => (value == "checkbox").then(|| value.into()),
            _ => Some(value.into()),
        });
    builder.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_ids_and_the_second_and_third_levels_make_the_toc() {
        let r = render_lesson(
            "# 标题\n\n## 一、什么是清洁生产\n\n### 1.1 定义\n\n## 一、什么是清洁生产\n",
            "c",
        );
        assert!(
            r.html.contains(r#"<h2 id="一-什么是清洁生产">"#),
            "{}",
            r.html
        );
        assert!(r.html.contains(r#"<h3 id="1-1-定义">"#), "{}", r.html);
        assert!(
            r.html.contains(r#"<h2 id="一-什么是清洁生产-2">"#),
            "{}",
            r.html
        );
        let ids: Vec<_> = r.toc.iter().map(|t| (t.level, t.id.as_str())).collect();
        assert_eq!(
            ids,
            vec![
                (2, "一-什么是清洁生产"),
                (3, "1-1-定义"),
                (2, "一-什么是清洁生产-2")
            ]
        );
        assert_eq!(r.toc[0].text, "一、什么是清洁生产");
    }

    #[test]
    fn tables_footnotes_and_task_lists_render() {
        let r = render_lesson(
            "| 项目 | 数值 |\n|:--|--:|\n| 煤 | 5000 |\n\n正文[^1]\n\n[^1]: 注释\n\n- [x] 完成\n- [ ] 未完成\n",
            "c",
        );
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(
            r.html.contains(r#"style="text-align: right""#),
            "{}",
            r.html
        );
        assert!(r.html.contains("footnote-definition"), "{}", r.html);
        assert!(r.html.contains(r#"type="checkbox""#), "{}", r.html);
    }

    #[test]
    fn script_and_event_handlers_are_removed() {
        let r = render_lesson(
            "<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n[点我](javascript:alert(1))\n\n<p style=\"color:red\">红</p>\n\n<input type=\"text\" value=\"x\">\n",
            "c",
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("alert"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("color:red"), "{}", r.html);
        assert!(!r.html.contains(r#"type="text""#), "{}", r.html);
    }

    #[test]
    fn lesson_links_and_course_images_become_site_urls() {
        let r = render_lesson(
            "见[上一课](lesson:leader-basics-01-what-is-cp)。\n\n![流程图](images/flow.png)\n",
            "leader-basics",
        );
        assert!(
            r.html
                .contains(r#"href="/lessons/leader-basics-01-what-is-cp""#),
            "{}",
            r.html
        );
        assert!(
            r.html.contains(r#"src="/media/leader-basics/flow.png""#),
            "{}",
            r.html
        );
    }

    #[test]
    fn slugs_keep_letters_of_any_script() {
        assert_eq!(slug("Step 3: 物料平衡！"), "step-3-物料平衡");
        assert_eq!(slug("——"), "section");
    }
}
