//! Quiz pages: the quiz of a course (`/quizzes/:course`), an attempt (`/attempts/:id`), its
//! review (`/attempts/:id/review`) and the results for staff (`/admin/quizzes/:course`).
use std::collections::HashMap;

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{
    attempt_review, attempt_view, quiz_overview, quiz_results, AttemptSheet, QuestionView,
    QuizInfo, ReviewItem, SaveAnswer, StartAttempt, SubmitAttempt,
};
use crate::catalog::pages::ErrorPage;
use crate::error::error_text;
use crate::i18n::*;
use crate::shell::{localised, tier_name};

fn letter(i: usize) -> char {
    char::from(b'A' + (i % 26) as u8)
}

fn kind_label(locale: Locale, kind: &str) -> &'static str {
    match kind {
        "single" => td_string!(locale, quiz_kind_single),
        "multiple" => td_string!(locale, quiz_kind_multiple),
        "true_false" => td_string!(locale, quiz_kind_true_false),
        _ => td_string!(locale, quiz_kind_fill),
    }
}

fn status_label(locale: Locale, status: &str) -> &'static str {
    match status {
        "open" => td_string!(locale, quiz_status_open),
        "expired" => td_string!(locale, quiz_status_expired),
        _ => td_string!(locale, quiz_status_submitted),
    }
}

fn clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{:02}:{:02}", s / 60, s % 60)
}

fn percent(p: f64) -> String {
    format!("{p:.1}%")
}

#[component]
fn QuizFacts(info: QuizInfo) -> impl IntoView {
    let i18n = use_i18n();
    let minutes = info.time_limit_minutes;
    let last = info.counts == "last";
    view! {
        <dl class="facts">
            <dt>{t!(i18n, quiz_questions)}</dt>
            <dd>{info.questions}</dd>
            <dt>{t!(i18n, quiz_time_limit)}</dt>
            <dd>{move || format!("{} {}", minutes, t_string!(i18n, learn_minutes))}</dd>
            <dt>{t!(i18n, quiz_pass_mark)}</dt>
            <dd>{format!("{}%", info.pass_percent)}</dd>
            <dt>{t!(i18n, quiz_attempts_allowed)}</dt>
            <dd>{info.attempts_allowed}</dd>
            <dt>{t!(i18n, quiz_counts)}</dt>
            <dd>{move || if last { t_string!(i18n, quiz_counts_last) } else { t_string!(i18n, quiz_counts_best) }}</dd>
        </dl>
    }
}

#[component]
pub fn QuizPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let course = move || params.read().get("slug").unwrap_or_default();
    let start = ServerAction::<StartAttempt>::new();
    let overview = Resource::new(course, quiz_overview);
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => {
                        let info = o.info.clone();
                        let title = {
                            let info = info.clone();
                            move || localised(i18n.get_locale(), &info.title_zh, &info.title_en)
                        };
                        let course_title = {
                            let info = info.clone();
                            move || localised(i18n.get_locale(), &info.course_title_zh, &info.course_title_en)
                        };
                        let action = match (o.open_attempt, o.attempts_left) {
                            (Some(id), _) => view! {
                                <A href=format!("/attempts/{id}") attr:class="button" attr:data-testid="resume-quiz">{t!(i18n, quiz_resume)}</A>
                            }.into_any(),
                            (None, 0) => view! { <p class="muted">{t!(i18n, quiz_no_attempts_left)}</p> }.into_any(),
                            (None, _) => view! {
                                <ActionForm action=start>
                                    <input type="hidden" name="course" value=o.info.course_slug.clone() />
                                    <button type="submit" class="button" data-testid="start-quiz">{t!(i18n, quiz_start)}</button>
                                </ActionForm>
                            }.into_any(),
                        };
                        let result = o.counting_percent.map(|p| {
                            let passed = o.passed.unwrap_or(false);
                            view! {
                                <p class="result" class:result--pass=passed data-testid="counting-score">
                                    {t!(i18n, quiz_counting_score)}" "{percent(p)}" · "
                                    {move || if passed { t_string!(i18n, quiz_passed) } else { t_string!(i18n, quiz_failed) }}
                                </p>
                            }
                        });
                        view! {
                            <Title text=crate::shell::title_text(title.clone()) />
                            <section class="page page--narrow">
                                <nav class="breadcrumbs" aria-label=move || t_string!(i18n, learn_breadcrumbs)>
                                    <A href=format!("/courses/{}", info.course_slug)>{course_title}</A>
                                </nav>
                                <h1>{title}</h1>
                                <QuizFacts info=info.clone() />
                                {result}
                                <div class="actions">{action}</div>
                                {move || start.value().get().and_then(Result::err).map(|err| view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> })}
                                {(!o.attempts.is_empty()).then(|| view! {
                                    <h2>{t!(i18n, quiz_your_attempts)}</h2>
                                    <div class="table-wrap" tabindex="0">
                                        <table class="table" data-testid="attempts">
                                            <thead><tr>
                                                <th>{t!(i18n, quiz_attempt_no)}</th>
                                                <th>{t!(i18n, quiz_started)}</th>
                                                <th>{t!(i18n, quiz_status)}</th>
                                                <th>{t!(i18n, quiz_score)}</th>
                                            </tr></thead>
                                            <tbody>
                                                {o.attempts.into_iter().map(|a| {
                                                    let link = if a.status == "open" { format!("/attempts/{}", a.id) } else { format!("/attempts/{}/review", a.id) };
                                                    let status = a.status.clone();
                                                    view! {
                                                        <tr>
                                                            <td><a href=link>{a.number}</a></td>
                                                            <td>{a.started_at}</td>
                                                            <td>{move || status_label(i18n.get_locale(), &status)}</td>
                                                            <td>{a.percent.map(percent).unwrap_or_default()}</td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                })}
                            </section>
                        }.into_any()
                    }
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AttemptPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let attempt = Resource::new(id, attempt_view);
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match attempt.await {
                    Ok(a) if a.status != "open" => view! {
                        <section class="page page--narrow">
                            <p class="alert alert--success" role="status">{t!(i18n, quiz_closed)}</p>
                            <p><A href=format!("/attempts/{}/review", a.id) attr:class="button">{t!(i18n, quiz_see_review)}</A></p>
                        </section>
                    }.into_any(),
                    Ok(a) => view! { <AttemptForm attempt=a /> }.into_any(),
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AttemptForm(attempt: AttemptSheet) -> impl IntoView {
    let i18n = use_i18n();
    let id = attempt.id;
    let save = ServerAction::<SaveAnswer>::new();
    let submit = ServerAction::<SubmitAttempt>::new();
    let answers = RwSignal::new(
        attempt
            .questions
            .iter()
            .filter_map(|q| q.saved.clone().map(|s| (q.id, s)))
            .collect::<HashMap<i64, String>>(),
    );
    let total = attempt.questions.len();
    let one_per_page = attempt.info.layout == "one_per_page";
    let (current, set_current) = signal(0usize);
    let (left, set_left) = signal(attempt.seconds_left);
    let record = move |question: i64, answer: String| {
        answers.update(|m| {
            if answer.is_empty() {
                m.remove(&question);
            } else {
                m.insert(question, answer.clone());
            }
        });
        save.dispatch(SaveAnswer {
            attempt: id,
            question,
            answer,
        });
    };
    // The countdown; at zero the browser hands the attempt in. The server grades it at the
    // deadline anyway, whether or not this page is still open.
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                set_left.update(|s| *s = (*s - 1).max(0));
                if left.get_untracked() == 0
                    && !submit.pending().get_untracked()
                    && submit.value().get_untracked().is_none()
                {
                    submit.dispatch(SubmitAttempt { attempt: id });
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = set_left;
    let info = attempt.info.clone();
    let title = move || localised(i18n.get_locale(), &info.title_zh, &info.title_en);
    let answered = move || answers.with(|m| m.len());
    let ids: Vec<i64> = attempt.questions.iter().map(|q| q.id).collect();
    let save_state = move || {
        if save.pending().get() {
            t_string!(i18n, quiz_saving).to_string()
        } else {
            match save.value().get() {
                Some(Ok(())) => t_string!(i18n, quiz_saved).to_string(),
                Some(Err(err)) => error_text(i18n.get_locale(), &err),
                None => String::new(),
            }
        }
    };
    let questions = attempt
        .questions
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let shown = move || !one_per_page || current.get() == i;
            view! {
                <div class="question-wrap" style:display=move || if shown() { "block" } else { "none" }>
                    <QuestionInput index=i question=q answers record />
                </div>
            }
        })
        .collect_view();
    view! {
        <Title text=crate::shell::title_text(title.clone()) />
        <div class="reader quiz">
            <header class="quiz__bar">
                <h1 class="quiz__title">{title}</h1>
                <p class="quiz__timer" class:quiz__timer--low=move || { left.get() < 60 } data-testid="timer" role="timer" aria-live="off">
                    {t!(i18n, quiz_time_left)}" "{move || clock(left.get())}
                </p>
                <p class="quiz__progress" data-testid="answered">
                    {move || format!("{} {}/{}", t_string!(i18n, quiz_answered), answered(), total)}
                </p>
                <p class="muted quiz__saved" role="status" data-testid="save-state">{save_state}</p>
            </header>
            {one_per_page.then(|| {
                let ids = ids.clone();
                view! {
                    <nav class="quiz__dots" aria-label=move || t_string!(i18n, quiz_questions)>
                        {ids.into_iter().enumerate().map(|(i, qid)| view! {
                            <button type="button" class="dot"
                                class:dot--current=move || current.get() == i
                                class:dot--answered=move || answers.with(|m| m.contains_key(&qid))
                                aria-label=move || format!("{} {}", t_string!(i18n, quiz_question), i + 1)
                                on:click=move |_| set_current.set(i)>{i + 1}</button>
                        }).collect_view()}
                    </nav>
                }
            })}
            {questions}
            {one_per_page.then(|| view! {
                <nav class="pager quiz__pager">
                    <button type="button" class="button button--secondary" data-testid="prev-question"
                        disabled=move || current.get() == 0
                        on:click=move |_| set_current.update(|c| *c = c.saturating_sub(1))>{t!(i18n, quiz_prev)}</button>
                    <span class="muted">{move || format!("{} / {}", current.get() + 1, total)}</span>
                    <button type="button" class="button button--secondary" data-testid="next-question"
                        disabled=move || { current.get() + 1 >= total }
                        on:click=move |_| set_current.update(|c| *c = (*c + 1).min(total.saturating_sub(1)))>{t!(i18n, quiz_next)}</button>
                </nav>
            })}
            <ActionForm action=submit attr:class="quiz__submit">
                <input type="hidden" name="attempt" value=id.to_string() />
                <p class="muted">{move || {
                    let missing = total - answered().min(total);
                    if missing > 0 { format!("{} {}", missing, t_string!(i18n, quiz_unanswered)) } else { String::new() }
                }}</p>
                <button type="submit" class="button" data-testid="submit-quiz">{t!(i18n, quiz_submit)}</button>
                {move || submit.value().get().and_then(Result::err).map(|err| view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> })}
            </ActionForm>
        </div>
    }
}

#[component]
fn QuestionInput<F>(
    index: usize,
    question: QuestionView,
    answers: RwSignal<HashMap<i64, String>>,
    record: F,
) -> impl IntoView
where
    F: Fn(i64, String) + Copy + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let qid = question.id;
    let name = format!("q{qid}");
    let saved = question.saved.clone().unwrap_or_default();
    let kind = question.kind.clone();
    let body = match question.kind.as_str() {
        "single" | "multiple" => {
            let multiple = question.kind == "multiple";
            let chosen: Vec<String> = saved.split(',').map(str::to_string).collect();
            question
                .options
                .iter()
                .enumerate()
                .map(|(shown, (orig, text))| {
                    let orig = *orig;
                    let checked = chosen.iter().any(|c| c == &orig.to_string());
                    let on_change = move |_| {
                        if multiple {
                            let mut set: Vec<usize> = answers.with_untracked(|m| {
                                m.get(&qid)
                                    .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                                    .unwrap_or_default()
                            });
                            if let Some(pos) = set.iter().position(|x| *x == orig) {
                                set.remove(pos);
                            } else {
                                set.push(orig);
                            }
                            set.sort_unstable();
                            let text = set.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
                            record(qid, text);
                        } else {
                            record(qid, orig.to_string());
                        }
                    };
                    let input_type = if multiple { "checkbox" } else { "radio" };
                    view! {
                        <label class="option">
                            <input type=input_type name=name.clone() value=orig.to_string() checked=checked on:change=on_change />
                            <span class="option__letter">{letter(shown)}</span>
                            <span>{text.clone()}</span>
                        </label>
                    }
                })
                .collect_view()
                .into_any()
        }
        "true_false" => ["true", "false"]
            .into_iter()
            .map(|value| {
                let checked = saved == value;
                view! {
                    <label class="option">
                        <input type="radio" name=name.clone() value=value checked=checked on:change=move |_| record(qid, value.to_string()) />
                        <span>{move || if value == "true" { t_string!(i18n, quiz_true) } else { t_string!(i18n, quiz_false) }}</span>
                    </label>
                }
            })
            .collect_view()
            .into_any(),
        _ => view! {
            <label class="field">
                <span class="muted">{t!(i18n, quiz_fill_label)}</span>
                <input type="text" name=name.clone() value=saved autocomplete="off" data-testid="fill-input"
                    on:change=move |ev| record(qid, event_target_value(&ev)) />
            </label>
        }
        .into_any(),
    };
    view! {
        <fieldset class="question" data-testid="question" data-question=qid.to_string()>
            <legend>
                <span class="question__no">{index + 1}". "</span>
                <span class="question__kind">{move || kind_label(i18n.get_locale(), &kind)}</span>
                <span class="question__prompt">{question.prompt.clone()}</span>
            </legend>
            {body}
        </fieldset>
    }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let review = Resource::new(id, attempt_review);
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match review.await {
                    Ok(r) => {
                        let info = r.info.clone();
                        let title = move || localised(i18n.get_locale(), &info.title_zh, &info.title_en);
                        let status = r.status.clone();
                        let passed = r.passed;
                        view! {
                            <Title text=crate::shell::title_text(title.clone()) />
                            <div class="reader">
                                <nav class="breadcrumbs">
                                    <A href=format!("/quizzes/{}", r.info.course_slug)>{title.clone()}</A>
                                </nav>
                                <h1>{t!(i18n, quiz_review)}</h1>
                                <p class="muted">{r.person.clone()}" · "{move || status_label(i18n.get_locale(), &status)}</p>
                                <p class="result" class:result--pass=passed data-testid="score">
                                    <strong>{percent(r.percent)}</strong>
                                    {format!(" ({:.1} / {:.1}) · ", r.earned, r.possible)}
                                    {move || if passed { t_string!(i18n, quiz_passed) } else { t_string!(i18n, quiz_failed) }}
                                </p>
                                <ol class="review">
                                    {r.items.into_iter().map(|item| view! { <ReviewEntry item /> }).collect_view()}
                                </ol>
                            </div>
                        }.into_any()
                    }
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReviewEntry(item: ReviewItem) -> impl IntoView {
    let i18n = use_i18n();
    let right = item.earned >= item.points;
    let partly = !right && item.earned > 0.0;
    let yours: Vec<String> = item
        .yours
        .clone()
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    let correct: Vec<String> = item.correct.split(',').map(str::to_string).collect();
    let kind = item.kind.clone();
    let body = match item.kind.as_str() {
        "single" | "multiple" => view! {
            <ul class="review__options">
                {item.options.iter().enumerate().map(|(i, text)| {
                    let is_correct = correct.contains(&i.to_string());
                    let chosen = yours.contains(&i.to_string());
                    view! {
                        <li class:review__option--correct=is_correct class:review__option--chosen=chosen>
                            {text.clone()}
                            {chosen.then(|| view! { <span class="tag">{t!(i18n, quiz_your_choice)}</span> })}
                            {is_correct.then(|| view! { <span class="tag tag--ok">{t!(i18n, quiz_right_answer)}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any(),
        "true_false" => {
            let show = move |v: &str| if v == "true" { t_string!(i18n, quiz_true) } else if v == "false" { t_string!(i18n, quiz_false) } else { "—" };
            let y = item.yours.clone().unwrap_or_default();
            let c = item.correct.clone();
            view! {
                <p>{t!(i18n, quiz_your_answer)}" "{move || show(&y)}</p>
                <p>{t!(i18n, quiz_right_answer)}" "{move || show(&c)}</p>
            }.into_any()
        }
        _ => view! {
            <p>{t!(i18n, quiz_your_answer)}" "{item.yours.clone().unwrap_or_else(|| "—".into())}</p>
            <p>{t!(i18n, quiz_right_answer)}" "{item.correct.clone()}</p>
        }.into_any(),
    };
    view! {
        <li class="review__item" class:review__item--right=right class:review__item--partial=partly data-testid="review-item">
            <p class="question__kind">{move || kind_label(i18n.get_locale(), &kind)}" · "{format!("{:.1} / {:.1}", item.earned, item.points)}</p>
            <p class="question__prompt">{item.prompt.clone()}</p>
            {body}
            <p class="explanation" data-testid="explanation"><strong>{t!(i18n, quiz_explanation)}</strong>" "{item.explanation.clone()}</p>
        </li>
    }
}

#[component]
pub fn QuizResultsPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let course = move || params.read().get("slug").unwrap_or_default();
    let results = Resource::new(course, quiz_results);
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(r) => {
                        let info = r.info.clone();
                        let title = move || localised(i18n.get_locale(), &info.title_zh, &info.title_en);
                        let groups = |rows: Vec<super::GroupRow>, tiers: bool| rows.into_iter().map(|g| {
                            let label = g.label.clone();
                            view! {
                                <tr>
                                    <td>{move || if tiers { tier_name(i18n.get_locale(), &label).to_string() } else { label.clone() }}</td>
                                    <td>{g.people}</td>
                                    <td>{percent(g.mean_percent)}</td>
                                    <td>{g.passed}</td>
                                </tr>
                            }
                        }).collect_view();
                        let count = r.rows.len();
                        view! {
                            <Title text=crate::shell::title_text(title.clone()) />
                            <section class="page">
                                <h1>{title}" · "{t!(i18n, quiz_results)}</h1>
                                <p class="muted" data-testid="attempt-count">{move || format!("{} {}", count, t_string!(i18n, quiz_graded_attempts))}</p>
                                <p class="actions">
                                    <a class="button button--secondary" href=format!("/exports/quizzes/{}/quiz.xlsx", r.info.course_slug) download data-testid="export-xlsx">{t!(i18n, quiz_export_xlsx)}</a>
                                    <a class="button button--secondary" href=format!("/exports/quizzes/{}/results.csv", r.info.course_slug) download>{t!(i18n, quiz_export_results_csv)}</a>
                                    <a class="button button--secondary" href=format!("/exports/quizzes/{}/items.csv", r.info.course_slug) download>{t!(i18n, quiz_export_items_csv)}</a>
                                </p>
                                <h2>{t!(i18n, quiz_item_analysis)}</h2>
                                <p class="hint">{t!(i18n, quiz_item_analysis_hint)}</p>
                                <div class="table-wrap" tabindex="0">
                                    <table class="table" data-testid="item-analysis">
                                        <thead><tr>
                                            <th>{t!(i18n, quiz_question)}</th>
                                            <th>{t!(i18n, quiz_responses)}</th>
                                            <th>{t!(i18n, quiz_facility)}</th>
                                            <th>{t!(i18n, quiz_discrimination)}</th>
                                            <th>{t!(i18n, quiz_option_counts)}</th>
                                        </tr></thead>
                                        <tbody>
                                            {r.items.clone().into_iter().map(|item| view! {
                                                <tr data-testid="item-row">
                                                    <td><strong>{item.key.clone()}</strong>" "{item.prompt.clone()}</td>
                                                    <td>{item.responses}</td>
                                                    <td>{format!("{:.2}", item.facility)}</td>
                                                    <td>{item.discrimination.map(|d| format!("{d:.2}")).unwrap_or_else(|| "—".into())}</td>
                                                    <td>{item.option_counts.iter().enumerate().map(|(i, c)| {
                                                        if item.kind == "true_false" {
                                                            format!("{}:{c} ", if i == 0 { "✓" } else { "✗" })
                                                        } else {
                                                            format!("{}:{c} ", letter(i))
                                                        }
                                                    }).collect::<String>()}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <h2>{t!(i18n, quiz_by_tier)}</h2>
                                <div class="table-wrap" tabindex="0">
                                    <table class="table" data-testid="by-tier">
                                        <thead><tr><th>{t!(i18n, admin_tier)}</th><th>{t!(i18n, quiz_people)}</th><th>{t!(i18n, quiz_mean)}</th><th>{t!(i18n, quiz_passed)}</th></tr></thead>
                                        <tbody>{groups(r.by_tier.clone(), true)}</tbody>
                                    </table>
                                </div>
                                <h2>{t!(i18n, quiz_by_session)}</h2>
                                <div class="table-wrap" tabindex="0">
                                    <table class="table" data-testid="by-session">
                                        <thead><tr><th>{t!(i18n, f_session)}</th><th>{t!(i18n, quiz_people)}</th><th>{t!(i18n, quiz_mean)}</th><th>{t!(i18n, quiz_passed)}</th></tr></thead>
                                        <tbody>{groups(r.by_session.clone(), false)}</tbody>
                                    </table>
                                </div>
                                <h2>{t!(i18n, quiz_by_enterprise)}</h2>
                                <div class="table-wrap" tabindex="0">
                                    <table class="table">
                                        <thead><tr><th>{t!(i18n, quiz_enterprise)}</th><th>{t!(i18n, quiz_people)}</th><th>{t!(i18n, quiz_mean)}</th><th>{t!(i18n, quiz_passed)}</th></tr></thead>
                                        <tbody>{groups(r.by_enterprise.clone(), false)}</tbody>
                                    </table>
                                </div>
                                <h2>{t!(i18n, quiz_attempts)}</h2>
                                <div class="table-wrap" tabindex="0">
                                    <table class="table" data-testid="result-rows">
                                        <thead><tr><th>{t!(i18n, admin_name)}</th><th>{t!(i18n, quiz_enterprise)}</th><th>{t!(i18n, admin_tier)}</th><th>{t!(i18n, quiz_status)}</th><th>{t!(i18n, quiz_score)}</th></tr></thead>
                                        <tbody>
                                            {r.rows.clone().into_iter().map(|row| {
                                                let tier = row.tier.clone();
                                                let status = row.status.clone();
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/attempts/{}/review", row.attempt_id)>{row.person.clone()}</a></td>
                                                        <td>{row.enterprise.clone()}</td>
                                                        <td>{move || tier_name(i18n.get_locale(), &tier)}</td>
                                                        <td>{move || status_label(i18n.get_locale(), &status)}</td>
                                                        <td>{percent(row.percent)}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </section>
                        }.into_any()
                    }
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}
