//! Attendance pages: the projector (`/sessions/:id/projector`), the phone's check-in page
//! (`/check-in?t=…`), roll call (`/sessions/:id/attendance`) and the dashboard (`/progress`).
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    progress_overview, projector_board, roll_call, CheckIn, MarkAttendance, MarkRestAbsent,
    ProgressReport, RollRow,
};
use crate::auth::whoami;
use crate::catalog::pages::ErrorPage;
use crate::error::error_text;
use crate::i18n::*;
use crate::shell::{localised, ticker, tier_name, Refusal};

pub fn status_name(locale: Locale, status: &str) -> &'static str {
    match status {
        "present" => td_string!(locale, att_present),
        "late" => td_string!(locale, att_late),
        "excused" => td_string!(locale, att_excused),
        "absent" => td_string!(locale, att_absent),
        _ => td_string!(locale, att_unmarked),
    }
}

fn session_id() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

#[component]
fn CountLine(counts: super::Counts) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="counts" data-testid="counts">
            <div class="counts__item counts__item--main"><dt>{t!(i18n, att_checked_in)}</dt><dd data-testid="count-checked-in">{counts.checked_in()}</dd></div>
            <div class="counts__item"><dt>{t!(i18n, att_expected)}</dt><dd data-testid="count-expected">{counts.enrolled}</dd></div>
            <div class="counts__item"><dt>{t!(i18n, att_late)}</dt><dd>{counts.late}</dd></div>
            <div class="counts__item"><dt>{t!(i18n, att_excused)}</dt><dd data-testid="count-excused">{counts.excused}</dd></div>
            <div class="counts__item"><dt>{t!(i18n, att_absent)}</dt><dd>{counts.absent}</dd></div>
            <div class="counts__item"><dt>{t!(i18n, att_unmarked)}</dt><dd>{counts.unmarked()}</dd></div>
        </dl>
    }
}

/// The big screen: a QR code that changes, and the count rising as people arrive.
#[component]
pub fn ProjectorPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = session_id();
    let tick = ticker(2);
    // A refusal (not this person's session, no such session) is final: the page stops asking.
    let refusal = Refusal::new();
    let board = Resource::new(
        move || (id(), tick.get()),
        move |(id, _)| refusal.ask(id, projector_board(id)),
    );
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => {
                        let c = b.session.clone();
                        let title = move || localised(i18n.get_locale(), &c.title_zh, &c.title_en);
                        let crumb = title.clone();
                        let left = b.seconds_left;
                        let period = (!b.period.is_empty()).then(|| view! {
                            <p class="badge" data-testid="projector-period">{t!(i18n, att_period)}" "{b.period.clone()}</p>
                        });
                        let arrivals = if b.arrivals.is_empty() {
                            view! { <p class="muted">{t!(i18n, att_none_yet)}</p> }.into_any()
                        } else {
                            view! {
                                <ol class="arrivals" data-testid="arrivals">
                                    {b.arrivals.into_iter().map(|a| {
                                        let status = a.status.clone();
                                        view! {
                                            <li><span class="arrivals__time">{a.at}</span>" "<strong>{a.name}</strong>" "<span class="muted">{a.enterprise}</span>" "<span class="badge">{move || status_name(i18n.get_locale(), &status)}</span></li>
                                        }
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        };
                        view! {
                            <Title text=crate::shell::title_text(move || t_string!(i18n, att_projector).to_string()) />
                            <section class="page projector">
                                <nav class="breadcrumbs no-print"><A href=format!("/sessions/{}", b.session.id)>{crumb}</A></nav>
                                <h1 class="projector__title">{title}</h1>
                                <p class="muted">{format!("{} {}–{} · {}", b.session.date, b.session.start, b.session.end, b.session.room)}</p>
                                {period}
                                <div class="projector__body">
                                    <figure class="projector__qr">
                                        <div class="qr" data-testid="qr" data-url=b.url.clone() role="img" aria-label=move || t_string!(i18n, att_scan_hint) inner_html=b.qr_svg.clone()></div>
                                        <figcaption>
                                            <strong>{t!(i18n, att_scan_hint)}</strong>
                                            <span class="muted" data-testid="refresh-in">{move || t_string!(i18n, att_refresh_in).replace("{n}", &left.to_string())}</span>
                                        </figcaption>
                                    </figure>
                                    <div class="projector__side">
                                        <CountLine counts=b.counts.clone() />
                                        <h2>{t!(i18n, att_recent)}</h2>
                                        {arrivals}
                                    </div>
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

fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What a phone opens from the QR code: one tap checks the trainee in.
#[component]
pub fn CheckInPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("t").unwrap_or_default();
    let me = Resource::new(|| (), |_| whoami());
    let action = ServerAction::<CheckIn>::new();
    let outcome = move || {
        action.value().get().map(|result| match result {
            Ok(r) => {
                let (zh, en) = (r.title_zh.clone(), r.title_en.clone());
                let head = if r.already {
                    t_string!(i18n, att_already).to_string()
                } else if r.status == "late" {
                    t_string!(i18n, att_done_late).to_string()
                } else {
                    t_string!(i18n, att_done_present).to_string()
                };
                view! {
                    <div class="alert alert--success checkin__done" role="status" data-testid="checkin-result" data-status=r.status.clone() data-already=r.already.to_string()>
                        <strong>{head}</strong>
                        <span>{move || localised(i18n.get_locale(), &zh, &en)}</span>
                        {(!r.period.is_empty()).then(|| view! { <span data-testid="checkin-period">{format!("{} {}", t_string!(i18n, att_period), r.period)}</span> })}
                        <span>{format!("{} {}", t_string!(i18n, att_time), r.at)}</span>
                    </div>
                }
                .into_any()
            }
            Err(err) => view! {
                <p class="alert alert--error" role="alert" data-testid="form-error">{error_text(i18n.get_locale(), &err)}</p>
            }
            .into_any(),
        })
    };
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, att_checkin_title).to_string()) />
        <section class="page page--narrow checkin">
            <h1>{t!(i18n, att_checkin_title)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    let signed_in = me.await.ok().flatten().is_some();
                    let t = token();
                    if t.is_empty() {
                        view! { <p class="alert alert--error" role="alert">{t!(i18n, att_no_token)}</p> }.into_any()
                    } else if !signed_in {
                        let next = encode_component(&format!("/check-in?t={t}"));
                        view! {
                            <p class="alert" role="status">{t!(i18n, att_sign_in_first)}</p>
                            <p><A href=format!("/sign-in?next={next}") attr:class="button">{t!(i18n, nav_sign_in)}</A></p>
                        }.into_any()
                    } else {
                        let t = StoredValue::new(t);
                        view! {
                            {outcome}
                            <Show when=move || action.value().with(|v| !matches!(v, Some(Ok(_))))>
                                <ActionForm action attr:class="form">
                                    <input type="hidden" name="token" value=t.get_value() />
                                    <button type="submit" class="button button--large" data-testid="check-in" disabled=move || action.pending().get()>{t!(i18n, att_confirm)}</button>
                                </ActionForm>
                            </Show>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RollRowView(
    session: i64,
    period: i32,
    row: RollRow,
    can_mark: bool,
    mark: ServerAction<MarkAttendance>,
) -> impl IntoView {
    let i18n = use_i18n();
    let status = row.status.clone().unwrap_or_default();
    let shown = status.clone();
    let tier = row.tier.clone();
    let method = row.method.clone();
    let note = row.note.clone();
    let form = can_mark.then(|| {
        let current = status.clone();
        view! {
            <ActionForm action=mark attr:class="roll__form">
                <input type="hidden" name="session" value=session.to_string() />
                <input type="hidden" name="person" value=row.person_id.to_string() />
                <input type="hidden" name="period" value=period.to_string() />
                <label class="visually-hidden" for=format!("status-{}", row.person_id)>{t!(i18n, att_status)}</label>
                <select id=format!("status-{}", row.person_id) name="status" data-testid="status-select">
                    {["present", "late", "excused", "absent"].into_iter().map(|s| {
                        let selected = s == current;
                        view! { <option value=s selected=selected>{move || status_name(i18n.get_locale(), s)}</option> }
                    }).collect_view()}
                </select>
                <label class="visually-hidden" for=format!("note-{}", row.person_id)>{t!(i18n, att_note)}</label>
                <input id=format!("note-{}", row.person_id) name="note" type="text" maxlength="200" value=row.note.clone() placeholder=move || t_string!(i18n, att_note) />
                <button type="submit" class="button button--small" data-testid="mark">{t!(i18n, att_save)}</button>
            </ActionForm>
        }
    });
    view! {
        <tr data-testid="roll-row" data-person=row.person_id.to_string() data-status=status.clone()>
            <td>{row.name.clone()}</td>
            <td>{row.enterprise.clone()}</td>
            <td>{move || tier_name(i18n.get_locale(), &tier)}</td>
            <td><span class=format!("status status--{}", if shown.is_empty() { "none" } else { shown.as_str() })>{
                let s = shown.clone();
                move || status_name(i18n.get_locale(), &s)
            }</span></td>
            <td>{row.at.clone().unwrap_or_default()}" "<span class="muted">{move || match method.as_deref() {
                Some("qr") => t_string!(i18n, att_method_qr).to_string(),
                Some(_) => t_string!(i18n, att_method_manual).to_string(),
                None => String::new(),
            }}</span></td>
            <td>{if can_mark { None } else { Some(note) }}{form}</td>
        </tr>
    }
}

/// The roster with statuses: live, and editable by instructors and schedulers.
#[component]
pub fn RollCallPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = session_id();
    // `?period=1` picks the afternoon of a split session; without it, the period on now.
    let query = use_query_map();
    let period = move || {
        query
            .read()
            .get("period")
            .and_then(|p| p.parse::<i32>().ok())
    };
    let mark = ServerAction::<MarkAttendance>::new();
    let rest = ServerAction::<MarkRestAbsent>::new();
    let tick = ticker(4);
    let refusal = Refusal::new();
    // Live updates wait while someone is changing a row, so a half-made choice is not replaced;
    // saving (or leaving the row) lets them run again.
    let editing = RwSignal::new(false);
    let live = Memo::new(move |prev: Option<&u64>| {
        let t = tick.get();
        match prev {
            Some(p) if editing.get_untracked() => *p,
            _ => t,
        }
    });
    Effect::new(move |_| {
        mark.version().get();
        editing.set(false);
    });
    let roll = Resource::new(
        move || {
            (
                id(),
                period(),
                mark.version().get(),
                rest.version().get(),
                live.get(),
            )
        },
        move |(id, period, ..)| refusal.ask(id, roll_call(id, period)),
    );
    let feedback = move || {
        let err = mark
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| rest.value().get().and_then(Result::err));
        if let Some(err) = err {
            return Some(view! { <p class="alert alert--error" role="alert" data-testid="form-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any());
        }
        rest.value().get().and_then(Result::ok).map(|n| view! {
            <p class="alert alert--success" role="status">{move || t_string!(i18n, att_marked_rest).replace("{n}", &n.to_string())}</p>
        }.into_any())
    };
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match roll.await {
                    Ok(r) => {
                        let c = r.session.clone();
                        let title = move || localised(i18n.get_locale(), &c.title_zh, &c.title_en);
                        let crumb = title.clone();
                        let sid = r.session.id;
                        let can_mark = r.can_mark;
                        let this_period = r.period;
                        let periods = r.periods.clone();
                        let tabs = (!periods.is_empty()).then(move || view! {
                            <nav class="period-tabs" aria-label=move || t_string!(i18n, att_period) data-testid="period-tabs">
                                {periods.into_iter().enumerate().map(|(i, caption)| {
                                    let current = i as i32 == this_period;
                                    view! {
                                        <A href=format!("/sessions/{sid}/attendance?period={i}") attr:class="button button--secondary" attr:aria-current=current.then_some("page") attr:data-testid=format!("period-{i}")>{caption}</A>
                                    }
                                }).collect_view()}
                            </nav>
                        });
                        view! {
                            <Title text=crate::shell::title_text(move || t_string!(i18n, att_roll_call).to_string()) />
                            <section class="page">
                                <nav class="breadcrumbs"><A href=format!("/sessions/{sid}")>{crumb}</A></nav>
                                <h1>{t!(i18n, att_roll_call)}" · "{title}</h1>
                                <p class="muted">{format!("{} {}–{} · {}", r.session.date, r.session.start, r.session.end, r.session.room)}" · "{t!(i18n, att_live_hint)}</p>
                                {tabs}
                                <CountLine counts=r.counts.clone() />
                                <div class="actions">
                                    <A href=format!("/sessions/{sid}/projector") attr:class="button button--secondary">{t!(i18n, att_projector)}</A>
                                    <a class="button button--secondary" href=format!("/exports/attendance/sessions/{sid}/attendance.csv") rel="external" download>{t!(i18n, att_export_csv)}</a>
                                    <a class="button button--secondary" href=format!("/exports/attendance/sessions/{sid}/attendance.xlsx") rel="external" download data-testid="export-xlsx">{t!(i18n, att_export_xlsx)}</a>
                                    {can_mark.then(|| view! {
                                        <ActionForm action=rest>
                                            <input type="hidden" name="session" value=sid.to_string() />
                                            <input type="hidden" name="period" value=this_period.to_string() />
                                            <button type="submit" class="button button--secondary" data-testid="mark-rest">{t!(i18n, att_mark_rest)}</button>
                                        </ActionForm>
                                    })}
                                </div>
                                {feedback}
                                <div class="table-wrap" tabindex="0">
                                    <table class="table roll" data-testid="roll">
                                        <thead><tr>
                                            <th>{t!(i18n, admin_name)}</th>
                                            <th>{t!(i18n, quiz_enterprise)}</th>
                                            <th>{t!(i18n, admin_tier)}</th>
                                            <th>{t!(i18n, att_status)}</th>
                                            <th>{t!(i18n, att_time)}</th>
                                            <th>{t!(i18n, att_note)}</th>
                                        </tr></thead>
                                        <tbody on:focusin=move |_| editing.set(true) on:change=move |_| editing.set(true) on:focusout=move |_| editing.set(false)>
                                            {r.rows.into_iter().map(|row| view! { <RollRowView session=sid period=this_period row can_mark mark /> }).collect_view()}
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

/// Horizontal bars, one a district: the share of its enterprises done.
#[component]
fn DistrictChart(report: ProgressReport) -> impl IntoView {
    let i18n = use_i18n();
    let row_h = 28;
    let height = (report.districts.len() as i32 * row_h).max(row_h);
    view! {
        <svg class="chart" role="img" aria-label=move || t_string!(i18n, prog_by_district) viewBox=format!("0 0 600 {height}") preserveAspectRatio="xMinYMin meet" data-testid="district-chart">
            {report.districts.into_iter().enumerate().map(|(i, d)| {
                let y = i as i32 * row_h;
                let w = (d.percent as f64 / 100.0 * 380.0).round();
                view! {
                    <g>
                        <title>{format!("{} {}/{} ({}%)", d.name, d.done, d.enterprises, d.percent)}</title>
                        <text x="0" y=y + 19 class="chart__label">{d.name.clone()}</text>
                        <rect x="140" y=y + 5 width="380" height="18" class="chart__track" rx="3" />
                        <rect x="140" y=y + 5 width=w height="18" class="chart__bar" rx="3" />
                        <text x="530" y=y + 19 class="chart__value">{format!("{}%", d.percent)}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// 进度考核: per enterprise, whether its required tiers attended; per district, the share done.
#[component]
pub fn ProgressPage() -> impl IntoView {
    let i18n = use_i18n();
    let report = Resource::new(|| (), |_| progress_overview());
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, prog_title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, prog_title)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(r) => {
                            let summary = {
                                let (done, total, p) = (r.done, r.total, r.percent);
                                move || t_string!(i18n, prog_summary).replace("{done}", &done.to_string()).replace("{total}", &total.to_string()).replace("{p}", &p.to_string())
                            };
                            let tiers = r.tiers.clone();
                            let head_tiers = tiers.clone();
                            let scope = r.scope.clone().map(|d| view! { <p class="badge" data-testid="scope">{t!(i18n, prog_scope)}{d}</p> });
                            let staff_exports = r.scope.is_none().then(|| view! {
                                <a class="button button--secondary" href="/exports/attendance/trainees.xlsx" rel="external" download>{t!(i18n, prog_trainee_hours)}</a>
                            });
                            let percent = r.percent;
                            view! {
                                {scope}
                                <div class="progress-summary">
                                    <p class="progress-summary__text" data-testid="progress-summary">{summary}</p>
                                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=percent.to_string() aria-label=move || t_string!(i18n, prog_title)>
                                        <div class="progress__track"><div class="progress__fill" style=format!("width: {percent}%")></div></div>
                                        <span class="progress__text">{format!("{percent}%")}</span>
                                    </div>
                                </div>
                                <div class="actions">
                                    <a class="button button--secondary" href="/exports/progress/progress.csv" rel="external" download>{t!(i18n, att_export_csv)}</a>
                                    <a class="button button--secondary" href="/exports/progress/progress.xlsx" rel="external" download data-testid="progress-xlsx">{t!(i18n, att_export_xlsx)}</a>
                                    {staff_exports}
                                </div>
                                <h2>{t!(i18n, prog_by_district)}</h2>
                                <DistrictChart report=r.clone() />
                                <h2>{t!(i18n, prog_by_enterprise)}</h2>
                                <p class="hint">{t!(i18n, prog_cell_hint)}</p>
                                {if r.enterprises.is_empty() {
                                    view! { <p class="empty">{t!(i18n, prog_none)}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" tabindex="0">
                                            <table class="table" data-testid="progress-table">
                                                <thead><tr>
                                                    <th>{t!(i18n, prog_enterprise)}</th>
                                                    <th>{t!(i18n, prog_district)}</th>
                                                    {head_tiers.into_iter().map(|t| view! { <th>{move || tier_name(i18n.get_locale(), &t)}</th> }).collect_view()}
                                                    <th>{t!(i18n, quiz_status)}</th>
                                                </tr></thead>
                                                <tbody>
                                                    {r.enterprises.into_iter().map(|e| {
                                                        let cells = tiers.iter().map(|t| {
                                                            let cell = e.tiers.iter().find(|c| &c.tier == t).cloned();
                                                            match cell {
                                                                Some(c) => {
                                                                    let short = c.attended < c.required;
                                                                    view! { <td class:cell--short=short>{format!("{}/{} ({})", c.attended, c.required, c.passed)}</td> }.into_any()
                                                                }
                                                                None => view! { <td class="muted">"–"</td> }.into_any(),
                                                            }
                                                        }).collect_view();
                                                        let done = e.done;
                                                        view! {
                                                            <tr data-testid="progress-row" data-done=done.to_string()>
                                                                <td>{e.name}</td>
                                                                <td>{e.district}</td>
                                                                {cells}
                                                                <td><span class=if done { "status status--present" } else { "status status--absent" }>{move || if done { t_string!(i18n, prog_done) } else { t_string!(i18n, prog_not_done) }}</span></td>
                                                            </tr>
                                                        }
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
