//! The catalog (`/courses`), a course (`/courses/:slug`), the lesson reader (`/lessons/:slug`)
//! and "my learning" (`/learning`).
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::browse::{group, Filter, GroupKey};
use super::{
    course_detail, list_courses, my_learning, read_lesson, CourseCard, LessonView, MarkLesson,
    Progress,
};
use crate::codec::JsonBytes;
use crate::error::{error_text, AppError};
use crate::i18n::*;
use crate::people::tier::Tier;
use crate::shell::{localised, tier_name};

#[component]
pub fn ProgressBar(#[prop(into)] progress: Signal<Progress>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="progress" data-testid="progress">
            <div
                class="progress__track"
                role="progressbar"
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || progress.get().percent().to_string()
                aria-label=move || t_string!(i18n, learn_progress)
            >
                <div class="progress__fill" style:width=move || format!("{}%", progress.get().percent())></div>
            </div>
            <span class="progress__text" data-testid="progress-text">
                {move || {
                    let p = progress.get();
                    format!("{}/{} · {}%", p.done, p.total, p.percent())
                }}
            </span>
        </div>
    }
}

fn kind_name(locale: Locale, kind: &str) -> &'static str {
    match kind {
        "lecture" => td_string!(locale, learn_kind_lecture),
        _ => td_string!(locale, learn_kind_curriculum),
    }
}

#[component]
fn CourseCardView(course: CourseCard) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/courses/{}", course.slug);
    let c = course.clone();
    let title = move || localised(i18n.get_locale(), &c.title_zh, &c.title_en);
    let c = course.clone();
    let summary = move || localised(i18n.get_locale(), &c.summary_zh, &c.summary_en);
    let kind = course.kind.clone();
    let progress = course.progress;
    let (hours, minutes) = (course.hours, course.minutes);
    view! {
        <article class="course-card" data-testid="course-card" data-course=course.slug.clone()>
            <p class="course-card__kind">{move || kind_name(i18n.get_locale(), &kind)}</p>
            <h3><A href=href>{title}</A></h3>
            <p class="course-card__summary">{summary}</p>
            <p class="muted">
                {move || format!("{} {} · {} {}", hours, t_string!(i18n, learn_hours), minutes, t_string!(i18n, learn_minutes))}
            </p>
            {progress.map(|p| view! { <ProgressBar progress=Signal::stored(p) /> })}
        </article>
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let catalog = Resource::<_, JsonBytes>::new_with_options(|| (), |_| list_courses(), false);
    let filter = move || {
        let q = query.read();
        Filter {
            tier: q.get("tier"),
            kind: q.get("kind"),
            q: q.get("q").unwrap_or_default(),
        }
    };
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, learn_catalog).to_string()) />
        <section class="page">
            <h1>{t!(i18n, learn_catalog)}</h1>
            <Form method="GET" action="" attr:class="filters">
                <div class="field">
                    <label for="course-q">{t!(i18n, learn_search)}</label>
                    <input id="course-q" name="q" type="search" prop:value=move || query.read().get("q").unwrap_or_default() />
                </div>
                <div class="field">
                    <label for="course-tier">{t!(i18n, admin_tier)}</label>
                    <select id="course-tier" name="tier">
                        <option value="">{t!(i18n, admin_all)}</option>
                        {Tier::ALL.into_iter().map(|t| view! {
                            <option value=t.code() selected=move || query.read().get("tier").as_deref() == Some(t.code())>
                                {move || tier_name(i18n.get_locale(), t.code())}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="course-kind">{t!(i18n, learn_kind)}</label>
                    <select id="course-kind" name="kind">
                        <option value="">{t!(i18n, admin_all)}</option>
                        {["curriculum", "lecture"].into_iter().map(|k| view! {
                            <option value=k selected=move || query.read().get("kind").as_deref() == Some(k)>
                                {move || kind_name(i18n.get_locale(), k)}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button--secondary">{t!(i18n, admin_filter)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match catalog.await {
                        Ok(catalog) => {
                            let groups = group(&catalog.courses, &filter(), catalog.my_tier.as_deref());
                            if groups.is_empty() {
                                return view! { <p class="empty">{t!(i18n, learn_no_courses)}</p> }.into_any();
                            }
                            let mine = catalog.my_tier.clone();
                            groups.into_iter().map(|g| {
                                let own = matches!(&g.key, GroupKey::Tier(t) if Some(t) == mine.as_ref());
                                let key = g.key.clone();
                                let heading = move || match &key {
                                    GroupKey::Tier(t) => format!("{}{}", tier_name(i18n.get_locale(), t), t_string!(i18n, learn_tier_courses)),
                                    GroupKey::Lectures => t_string!(i18n, learn_lectures).to_string(),
                                };
                                view! {
                                    <section class="course-group" data-testid="course-group">
                                        <h2>{heading}{own.then(|| view! { <span class="badge">{t!(i18n, learn_your_tier)}</span> })}</h2>
                                        <div class="course-grid">
                                            {g.courses.into_iter().map(|course| view! { <CourseCardView course /> }).collect_view()}
                                        </div>
                                    </section>
                                }
                            }).collect_view().into_any()
                        }
                        Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn CoursePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let detail = Resource::<_, JsonBytes>::new_with_options(slug, course_detail, false);
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let c = d.card.clone();
                        let title = move || localised(i18n.get_locale(), &c.title_zh, &c.title_en);
                        let c = d.card.clone();
                        let summary = move || localised(i18n.get_locale(), &c.summary_zh, &c.summary_en);
                        let tiers = d.card.tiers.clone();
                        let kind = d.card.kind.clone();
                        let hours = d.card.hours;
                        let start = match (&d.next_lesson, d.signed_in) {
                            (Some(next), true) => {
                                let started = d.card.progress.is_some_and(|p| p.done > 0);
                                Some(view! {
                                    <A href=format!("/lessons/{next}") attr:class="button" attr:data-testid="continue">
                                        {move || if started { t_string!(i18n, learn_continue) } else { t_string!(i18n, learn_start) }}
                                    </A>
                                }.into_any())
                            }
                            (Some(_), false) => Some(view! {
                                <A href=format!("/sign-in?next=/courses/{}", d.card.slug) attr:class="button">{t!(i18n, learn_sign_in_to_read)}</A>
                            }.into_any()),
                            (None, _) => None,
                        };
                        view! {
                            <Title text=crate::shell::title_text(title.clone()) />
                            <section class="page page--narrow">
                                <nav class="breadcrumbs" aria-label=move || t_string!(i18n, learn_breadcrumbs)>
                                    <A href="/courses">{t!(i18n, learn_catalog)}</A>
                                </nav>
                                <h1>{title}</h1>
                                <p class="chips">
                                    <span class="chip">{move || kind_name(i18n.get_locale(), &kind)}</span>
                                    {tiers.into_iter().map(|t| view! { <span class="chip">{move || tier_name(i18n.get_locale(), &t)}</span> }).collect_view()}
                                    <span class="chip">{move || format!("{} {}", hours, t_string!(i18n, learn_hours))}</span>
                                </p>
                                <p>{summary}</p>
                                {d.card.progress.map(|p| view! { <ProgressBar progress=Signal::stored(p) /> })}
                                <p class="actions">
                                    {start}
                                    {(d.has_quiz && d.signed_in).then(|| view! {
                                        <A href=format!("/quizzes/{}", d.card.slug) attr:class="button button--secondary" attr:data-testid="quiz-link">{t!(i18n, learn_take_quiz)}</A>
                                    })}
                                </p>
                                <h2>{t!(i18n, learn_lessons)}</h2>
                                <ol class="lesson-list">
                                    {d.lessons.into_iter().map(|l| {
                                        let lt = l.clone();
                                        let title = move || localised(i18n.get_locale(), &lt.title_zh, &lt.title_en);
                                        view! {
                                            <li class="lesson-list__item" class:lesson-list__item--done=l.done data-testid="lesson-item">
                                                <A href=format!("/lessons/{}", l.slug)>{title}</A>
                                                <span class="muted">{move || format!("{} {}", l.minutes, t_string!(i18n, learn_minutes))}</span>
                                                {l.done.then(|| view! { <span class="done-mark">{t!(i18n, learn_done)}</span> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ol>
                            </section>
                        }.into_any()
                    }
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A refusal or failure in place of a page, with a way to sign in where that is the fix.
#[component]
pub fn ErrorPage(err: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let sign_in = (err == AppError::Unauthorized).then(|| {
        let here = leptos_router::hooks::use_location();
        let href = format!("/sign-in?next={}", here.pathname.get_untracked());
        view! { <p><A href=href attr:class="button">{t!(i18n, nav_sign_in)}</A></p> }
    });
    view! {
        <section class="page page--narrow">
            <p class="alert alert--error" role="alert">{move || error_text(i18n.get_locale(), &err)}</p>
            {sign_in}
        </section>
    }
}

#[component]
pub fn LessonPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let lesson = Resource::<_, JsonBytes>::new_with_options(slug, read_lesson, false);
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match lesson.await {
                    Ok(view) => view! { <LessonReader lesson=view /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LessonReader(lesson: LessonView) -> impl IntoView {
    let i18n = use_i18n();
    let mark = ServerAction::<MarkLesson>::new();
    let (done, set_done) = signal(lesson.done);
    let (progress, set_progress) = signal(lesson.progress);
    Effect::new(move |_| {
        if let Some(Ok(marked)) = mark.value().get() {
            set_progress.set(marked.progress);
            set_done.set(marked.done);
        }
    });
    // Done when read to the end: the reader scrolled to the last screen of the lesson. This
    // happens once a visit, and never after the reader used the button: a reader who undid it
    // at the bottom of the page must not see it come back with the next small scroll.
    let decided = StoredValue::new(false);
    #[cfg(feature = "hydrate")]
    {
        let slug = lesson.slug.clone();
        let handle = window_event_listener(leptos::ev::scroll, move |_| {
            if decided.get_value() || done.get_untracked() || mark.pending().get_untracked() {
                return;
            }
            let w = window();
            let seen = w.scroll_y().unwrap_or(0.0)
                + w.inner_height()
                    .ok()
                    .and_then(|h| h.as_f64())
                    .unwrap_or(0.0);
            let full = document()
                .document_element()
                .map(|e| f64::from(e.scroll_height()))
                .unwrap_or(0.0);
            if full > 0.0 && seen >= full - 120.0 {
                decided.set_value(true);
                set_done.set(true);
                mark.dispatch(MarkLesson {
                    slug: slug.clone(),
                    done: true,
                });
            }
        });
        on_cleanup(move || handle.remove());
    }
    let l = lesson.clone();
    let title = move || localised(i18n.get_locale(), &l.title_zh, &l.title_en);
    let l = lesson.clone();
    let course_title = move || localised(i18n.get_locale(), &l.course_title_zh, &l.course_title_en);
    let toc = (!lesson.toc.is_empty()).then(|| {
        let entries = lesson.toc.clone();
        view! {
            <details class="toc" open>
                <summary>{t!(i18n, learn_contents)}</summary>
                <ol>
                    {entries.into_iter().map(|e| view! {
                        <li class=format!("toc__item toc__item--{}", e.level)><a href=format!("#{}", e.id)>{e.text}</a></li>
                    }).collect_view()}
                </ol>
            </details>
        }
    });
    let neighbour = move |link: Option<super::LessonLink>, rel: &'static str| {
        link.map(|n| {
            let nt = n.clone();
            let t = move || localised(i18n.get_locale(), &nt.title_zh, &nt.title_en);
            view! {
                <A href=format!("/lessons/{}", n.slug) attr:class=format!("pager__link pager__link--{rel}") attr:rel=rel attr:data-testid=rel>
                    <span class="muted">{move || if rel == "prev" { t_string!(i18n, learn_prev) } else { t_string!(i18n, learn_next) }}</span>
                    <span>{t}</span>
                </A>
            }
        })
    };
    let slug = lesson.slug.clone();
    let minutes = lesson.minutes;
    view! {
        <Title text=crate::shell::title_text(title.clone()) />
        <div class="reader">
            <nav class="breadcrumbs" aria-label=move || t_string!(i18n, learn_breadcrumbs)>
                <A href="/courses">{t!(i18n, learn_catalog)}</A>
                " › "
                <A href=format!("/courses/{}", lesson.course_slug)>{course_title}</A>
            </nav>
            <ProgressBar progress=progress />
            <header class="reader__header">
                <h1>{title}</h1>
                <p class="muted">{move || format!("{} {}", minutes, t_string!(i18n, learn_minutes))}</p>
            </header>
            {toc}
            <article class="prose" data-testid="lesson-body" inner_html=lesson.html.clone()></article>
            <ActionForm action=mark attr:class="reader__done">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="done" value=move || (!done.get()).to_string() />
                <button type="submit" class="button" class:button--secondary=move || done.get() data-testid="mark-done" on:click=move |_| decided.set_value(true) aria-pressed=move || done.get().to_string()>
                    {move || if done.get() { t_string!(i18n, learn_marked_done) } else { t_string!(i18n, learn_mark_done) }}
                </button>
                {move || mark.value().get().and_then(Result::err).map(|err| view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> })}
            </ActionForm>
            <nav class="pager" aria-label=move || t_string!(i18n, learn_pager)>
                {neighbour(lesson.prev.clone(), "prev")}
                {neighbour(lesson.next.clone(), "next")}
            </nav>
        </div>
    }
}

#[component]
pub fn MyLearningPage() -> impl IntoView {
    let i18n = use_i18n();
    let courses = Resource::<_, JsonBytes>::new_with_options(|| (), |_| my_learning(), false);
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, learn_mine).to_string()) />
        <section class="page">
            <h1>{t!(i18n, learn_mine)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match courses.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">{t!(i18n, learn_mine_empty)}" "<A href="/courses">{t!(i18n, learn_catalog)}</A></p>
                        }.into_any(),
                        Ok(list) => view! {
                            <div class="course-grid">
                                {list.into_iter().map(|course| view! { <CourseCardView course /> }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
