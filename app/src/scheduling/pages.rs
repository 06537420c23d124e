//! Schedule pages: the week by room (`/schedule`), a session with its roster (`/sessions/:id`),
//! its printable sign-in sheet (`/sessions/:id/sheet`) and "my schedule" (`/my/schedule`).
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{
    list_sessions, my_schedule, session_detail, Bulk, CancelPeople, CancelPerson, CancelSelf,
    EnrolPeople, EnrolSelf, MovePeople, SessionCard,
};
use crate::catalog::pages::ErrorPage;
use crate::error::error_text;
use crate::error::AppError;
use crate::i18n::*;
use crate::shell::{localised, tier_name};

fn status_label(locale: Locale, card: &SessionCard) -> Option<String> {
    match card.my_status.as_deref() {
        Some("enrolled") => Some(td_string!(locale, sched_you_enrolled).to_string()),
        Some("waitlisted") => Some(format!(
            "{} {}",
            td_string!(locale, sched_you_waitlisted),
            card.my_position.unwrap_or(0)
        )),
        _ => None,
    }
}

#[component]
fn SeatsLine(card: SessionCard) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="muted" data-testid="seats">
            {move || format!(
                "{} {}/{} · {} {}",
                t_string!(i18n, sched_enrolled), card.enrolled, card.capacity,
                t_string!(i18n, sched_waitlist), card.waitlisted
            )}
        </span>
    }
}

#[component]
pub fn SchedulePage() -> impl IntoView {
    let i18n = use_i18n();
    let schedule = Resource::new(|| (), |_| list_sessions());
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, nav_schedule).to_string()) />
        <section class="page">
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match schedule.await {
                        Ok(s) => {
                            let title = {
                                let (zh, en) = (s.programme_zh.clone(), s.programme_en.clone());
                                move || localised(i18n.get_locale(), &zh, &en)
                            };
                            let rooms = s.rooms.clone();
                            let days = s.days.clone();
                            let feeds = s.room_feeds.clone();
                            view! {
                                <h1>{t!(i18n, nav_schedule)}</h1>
                                <p class="muted">{title}</p>
                                <div class="table-wrap" tabindex="0">
                                    <table class="table calendar" data-testid="calendar">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t!(i18n, sched_room)}</th>
                                                {days.iter().map(|d| view! { <th scope="col">{d.clone()}</th> }).collect_view()}
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rooms.into_iter().map(|room| {
                                                let cells = days.iter().map(|day| {
                                                    let here: Vec<SessionCard> = s.sessions.iter().filter(|c| &c.date == day && c.room == room).cloned().collect();
                                                    view! {
                                                        <td>
                                                            {here.into_iter().map(|c| {
                                                                let t = c.clone();
                                                                let title = move || localised(i18n.get_locale(), &t.title_zh, &t.title_en);
                                                                let mine = c.clone();
                                                                view! {
                                                                    <a class="slot" class:slot--mine=c.my_status.is_some() href=format!("/sessions/{}", c.id) data-testid="slot">
                                                                        <strong>{format!("{}–{}", c.start, c.end)}</strong>
                                                                        <span>{title}</span>
                                                                        <SeatsLine card=c.clone() />
                                                                        {move || status_label(i18n.get_locale(), &mine).map(|s| view! { <span class="badge">{s}</span> })}
                                                                    </a>
                                                                }
                                                            }).collect_view()}
                                                        </td>
                                                    }
                                                }).collect_view();
                                                view! { <tr><th scope="row">{room}</th>{cells}</tr> }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {(!feeds.is_empty()).then(|| view! {
                                    <h2>{t!(i18n, sched_room_feeds)}</h2>
                                    <ul class="my-sessions" data-testid="room-feeds">
                                        {feeds.into_iter().map(|(room, url)| view! {
                                            <li><strong>{room}</strong><a href=url.clone() rel="external">{url.clone()}</a></li>
                                        }).collect_view()}
                                    </ul>
                                })}
                            }.into_any()
                        }
                        Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn SessionPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let enrol = ServerAction::<EnrolSelf>::new();
    let leave = ServerAction::<CancelSelf>::new();
    let enrol_other = ServerAction::<EnrolPeople>::new();
    let cancel_other = ServerAction::<CancelPerson>::new();
    let move_chosen = ServerAction::<MovePeople>::new();
    let cancel_chosen = ServerAction::<CancelPeople>::new();
    let detail = Resource::new(
        move || {
            (
                id(),
                enrol.version().get(),
                leave.version().get(),
                enrol_other.version().get(),
                cancel_other.version().get(),
                move_chosen.version().get(),
                cancel_chosen.version().get(),
            )
        },
        |(id, ..)| session_detail(id),
    );
    // The roster's ticked people; emptied once an action on them is done.
    let chosen = RwSignal::new(Vec::<i64>::new());
    let move_to = RwSignal::new(String::new());
    Effect::new(move |_| {
        move_chosen.version().get();
        cancel_chosen.version().get();
        chosen.set(Vec::new());
    });
    let bulk_report = move || {
        [
            enrol_other.value().get(),
            move_chosen.value().get(),
            cancel_chosen.value().get(),
        ]
        .into_iter()
        .flatten()
        .next_back()
        .map(|result| view! { <BulkReport result /> })
    };
    let feedback = move || {
        let errors = [
            enrol.value().get().and_then(Result::err),
            leave.value().get().and_then(Result::err),
            cancel_other.value().get().and_then(Result::err),
        ];
        errors.into_iter().flatten().next().map(|err| view! {
            <p class="alert alert--error" role="alert" data-testid="form-error">{error_text(i18n.get_locale(), &err)}</p>
        })
    };
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let c = d.card.clone();
                        let title = move || localised(i18n.get_locale(), &c.title_zh, &c.title_en);
                        let sid = d.card.id;
                        let mine = d.card.clone();
                        let tiers = d.card.tiers.clone();
                        let own = match (d.card.my_status.is_some(), d.can_enrol) {
                            (true, _) => view! {
                                <ActionForm action=leave>
                                    <input type="hidden" name="session" value=sid.to_string() />
                                    <button type="submit" class="button button--secondary" data-testid="leave">{t!(i18n, sched_leave)}</button>
                                </ActionForm>
                            }.into_any(),
                            (false, true) => view! {
                                <ActionForm action=enrol>
                                    <input type="hidden" name="session" value=sid.to_string() />
                                    <button type="submit" class="button" data-testid="enrol">{t!(i18n, sched_enrol)}</button>
                                </ActionForm>
                            }.into_any(),
                            (false, false) => ().into_any(),
                        };
                        let manage = d.can_manage.then(|| view! {
                            <ActionForm action=enrol_other attr:class="filters">
                                <input type="hidden" name="session" value=sid.to_string() />
                                <div class="field">
                                    <label for="enrol-login">{t!(i18n, sched_enrol_many)}</label>
                                    <textarea id="enrol-login" name="logins" rows="3" required></textarea>
                                </div>
                                <button type="submit" class="button" data-testid="enrol-someone">{t!(i18n, sched_enrol)}</button>
                            </ActionForm>
                        });
                        let targets = d.move_targets.clone();
                        let toolbar = (d.can_manage && d.roster.as_ref().is_some_and(|r| !r.is_empty())).then(|| view! {
                            <div class="filters" data-testid="roster-tools">
                                <p class="muted" data-testid="chosen-count">{move || t_string!(i18n, sched_selected).replace("{n}", &chosen.with(Vec::len).to_string())}</p>
                                <div class="field">
                                    <label for="move-to">{t!(i18n, sched_move_to)}</label>
                                    <select id="move-to" on:change=move |ev| move_to.set(event_target_value(&ev))>
                                        <option value="">"—"</option>
                                        {targets.into_iter().map(|(id, label)| view! { <option value=id.to_string()>{label}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button type="button" class="button" data-testid="move-selected"
                                    on:click=move |_| {
                                        let people = chosen.get_untracked().iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                                        let to = move_to.get_untracked().parse().unwrap_or(0);
                                        move_chosen.dispatch(MovePeople { session: sid, people, to });
                                    }>{t!(i18n, sched_move)}</button>
                                <button type="button" class="button button--danger" data-testid="cancel-selected"
                                    on:click=move |_| {
                                        let people = chosen.get_untracked().iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                                        cancel_chosen.dispatch(CancelPeople { session: sid, people });
                                    }>{t!(i18n, sched_cancel_selected)}</button>
                            </div>
                        });
                        let can_manage = d.can_manage;
                        let roster = d.roster.clone().map(|rows| view! {
                            <h2>{t!(i18n, sched_roster)}</h2>
                            <div class="table-wrap" tabindex="0">
                                <table class="table" data-testid="roster">
                                    <thead><tr>
                                        {can_manage.then(|| view! { <th><span class="visually-hidden">{t!(i18n, sched_select)}</span></th> })}
                                        <th>{t!(i18n, admin_name)}</th>
                                        <th>{t!(i18n, quiz_enterprise)}</th>
                                        <th>{t!(i18n, admin_tier)}</th>
                                        <th>{t!(i18n, quiz_status)}</th>
                                        {can_manage.then(|| view! { <th><span class="visually-hidden">{t!(i18n, sched_leave)}</span></th> })}
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| {
                                            let tier = r.tier.clone();
                                            let status = r.status.clone();
                                            let position = r.position;
                                            view! {
                                                <tr data-testid="roster-row" data-status=r.status.clone()>
                                                    {can_manage.then(|| {
                                                        let pid = r.person_id;
                                                        view! {
                                                            <td><input type="checkbox" data-testid="pick-person" aria-label=r.name.clone()
                                                                prop:checked=move || chosen.with(|c| c.contains(&pid))
                                                                on:change=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == pid) { c.remove(i); } else { c.push(pid); }) /></td>
                                                        }
                                                    })}
                                                    <td>{r.name.clone()}</td>
                                                    <td>{r.enterprise.clone()}</td>
                                                    <td>{move || tier_name(i18n.get_locale(), &tier)}</td>
                                                    <td>{move || if status == "enrolled" { t_string!(i18n, sched_enrolled).to_string() } else { format!("{} {}", t_string!(i18n, sched_waitlist), position.unwrap_or(0)) }}</td>
                                                    {can_manage.then(|| view! {
                                                        <td>
                                                            <ActionForm action=cancel_other>
                                                                <input type="hidden" name="session" value=sid.to_string() />
                                                                <input type="hidden" name="person" value=r.person_id.to_string() />
                                                                <button type="submit" class="button button--secondary button--small" data-testid="cancel-person">{t!(i18n, sched_cancel)}</button>
                                                            </ActionForm>
                                                        </td>
                                                    })}
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        });
                        view! {
                            <Title text=crate::shell::title_text(title.clone()) />
                            <section class="page">
                                <nav class="breadcrumbs"><A href="/schedule">{t!(i18n, nav_schedule)}</A></nav>
                                <h1>{title}</h1>
                                <dl class="facts">
                                    <dt>{t!(i18n, sched_when)}</dt>
                                    <dd data-testid="when">{format!("{} {}–{}", d.card.date, d.card.start, d.card.end)}</dd>
                                    {(!d.card.periods.is_empty()).then(|| view! {
                                        <dt>{t!(i18n, att_period)}</dt>
                                        <dd data-testid="periods">{d.card.periods.join("；")}</dd>
                                    })}
                                    <dt>{t!(i18n, sched_room)}</dt>
                                    <dd>{format!("{} · {}", d.venue_zh, d.card.room)}</dd>
                                    <dt>{t!(i18n, admin_tier)}</dt>
                                    <dd>{move || tiers.iter().map(|t| tier_name(i18n.get_locale(), t)).collect::<Vec<_>>().join("、")}</dd>
                                    <dt>{t!(i18n, sched_lecturers)}</dt>
                                    <dd>{d.lecturers.join("、")}</dd>
                                    <dt>{t!(i18n, sched_seats)}</dt>
                                    <dd><SeatsLine card=d.card.clone() /></dd>
                                </dl>
                                <p data-testid="my-place">{move || status_label(i18n.get_locale(), &mine)}</p>
                                <div class="actions">
                                    {own}
                                    <a class="button button--secondary" href=format!("/calendar/sessions/{sid}/session.ics") rel="external" download data-testid="ics">{t!(i18n, sched_add_calendar)}</a>
                                    {d.roster.is_some().then(|| view! {
                                        <A href=format!("/sessions/{sid}/sheet") attr:class="button button--secondary">{t!(i18n, sched_sheet)}</A>
                                        <A href=format!("/sessions/{sid}/attendance") attr:class="button button--secondary" attr:data-testid="roll-call-link">{t!(i18n, att_roll_call)}</A>
                                    })}
                                    {d.can_project.then(|| view! {
                                        <A href=format!("/sessions/{sid}/projector") attr:class="button button--secondary" attr:data-testid="projector-link">{t!(i18n, att_projector)}</A>
                                    })}
                                </div>
                                {feedback}
                                {manage}
                                {bulk_report}
                                {toolbar}
                                {roster}
                            </section>
                        }.into_any()
                    }
                    Err(err) => view! { <ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What a bulk action did: for how many, and who it failed for with the reason.
#[component]
fn BulkReport(result: Result<Bulk, AppError>) -> impl IntoView {
    let i18n = use_i18n();
    match result {
        Ok(b) => {
            let failed = b.failed.clone();
            let clean = failed.is_empty();
            view! {
                <div class="alert" class:alert--success=clean class:alert--error=!clean role="status" data-testid="bulk-report">
                    <p>{move || t_string!(i18n, sched_bulk_done).replace("{n}", &b.done.to_string())}</p>
                    {(!failed.is_empty()).then(|| view! {
                        <p>{t!(i18n, sched_bulk_failed)}</p>
                        <ul data-testid="bulk-failed">
                            {failed.into_iter().map(|(who, err)| view! {
                                <li>{move || format!("{who}: {}", error_text(i18n.get_locale(), &err))}</li>
                            }).collect_view()}
                        </ul>
                    })}
                </div>
            }.into_any()
        }
        Err(err) => view! { <p class="alert alert--error" role="alert" data-testid="form-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
    }
}

#[component]
pub fn SignInSheetPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let detail = Resource::new(id, session_detail);
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => {
                        let rows: Vec<_> = d.roster.clone().unwrap_or_default().into_iter().filter(|r| r.status == "enrolled").collect();
                        // A split day is signed once a period: a column each.
                        let sign_columns = d.card.periods.len().max(1);
                        let sign_width = (sign_columns > 1).then(|| format!("width: {}%", 36 / sign_columns as u32));
                        let sign_heads = if d.card.periods.is_empty() {
                            view! { <th class="sheet__sign">"签名"</th> }.into_any()
                        } else {
                            d.card.periods.iter().map(|p| view! { <th class="sheet__sign" style=sign_width.clone() data-testid="sheet-period">"签名"<br />{p.clone()}</th> }).collect_view().into_any()
                        };
                        view! {
                            <Title text=format!("签到表 · 第{}期", d.card.number) />
                            <section class="sheet">
                                <p class="no-print"><button type="button" class="button" on:click=move |_| { let _ = window().print(); }>{t!(i18n, sched_print)}</button></p>
                                <h1 class="sheet__title">{d.programme_zh.clone()}</h1>
                                <h2 class="sheet__subtitle">{format!("签到表 · {}", d.card.title_zh)}</h2>
                                <p class="sheet__meta">{format!("时间：{} {}–{}　地点：{} {}　应到：{}人", d.card.date, d.card.start, d.card.end, d.venue_zh, d.card.room, rows.len())}</p>
                                <table class="sheet__table" data-testid="sheet">
                                    <thead><tr><th class="sheet__no">"序号"</th><th>"姓名"</th><th>"单位"</th><th>"层次"</th>{sign_heads}</tr></thead>
                                    <tbody>
                                        {rows.into_iter().enumerate().map(|(i, r)| view! {
                                            <tr><td class="sheet__no">{i + 1}</td><td>{r.name}</td><td>{r.enterprise}</td><td>{tier_name(Locale::zh_CN, &r.tier)}</td>{(0..sign_columns).map(|_| view! { <td class="sheet__sign" style=sign_width.clone()></td> }).collect_view()}</tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
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
pub fn MySchedulePage() -> impl IntoView {
    let i18n = use_i18n();
    let mine = Resource::new(|| (), |_| my_schedule());
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, sched_mine).to_string()) />
        <section class="page page--narrow">
            <h1>{t!(i18n, sched_mine)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match mine.await {
                        Ok(m) => {
                            let notices = m.notices.into_iter().map(|n| view! {
                                <p class="alert alert--success" role="status" data-testid="notice">
                                    {move || format!("{} {}", n.at, t_string!(i18n, sched_promoted).replace("{n}", &n.session_number.to_string()))}
                                    " "<A href=format!("/sessions/{}", n.session_id)>{t!(i18n, sched_open)}</A>
                                </p>
                            }).collect_view();
                            // An instructor's own sessions, with the way to run them.
                            let teaching = (!m.teaching.is_empty()).then(|| view! {
                                <h2>{t!(i18n, sched_teaching)}</h2>
                                <ul class="my-sessions" data-testid="teaching">
                                    {m.teaching.clone().into_iter().map(|c| {
                                        let t = c.clone();
                                        let title = move || localised(i18n.get_locale(), &t.title_zh, &t.title_en);
                                        view! {
                                            <li data-testid="teaching-session">
                                                <A href=format!("/sessions/{}", c.id)>{title}</A>
                                                <span class="muted">{format!("{} {}–{} · {}", c.date, c.start, c.end, c.room)}</span>
                                                <A href=format!("/sessions/{}/attendance", c.id)>{t!(i18n, att_roll_call)}</A>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            });
                            let list = if m.sessions.is_empty() && !m.teaching.is_empty() {
                                ().into_any()
                            } else if m.sessions.is_empty() {
                                view! { <p class="empty">{t!(i18n, sched_none)}" "<A href="/schedule">{t!(i18n, nav_schedule)}</A></p> }.into_any()
                            } else {
                                view! {
                                    <ul class="my-sessions">
                                        {m.sessions.into_iter().map(|c| {
                                            let t = c.clone();
                                            let title = move || localised(i18n.get_locale(), &t.title_zh, &t.title_en);
                                            let s = c.clone();
                                            view! {
                                                <li data-testid="my-session">
                                                    <A href=format!("/sessions/{}", c.id)>{title}</A>
                                                    <span class="muted">{format!("{} {}–{} · {}", c.date, c.start, c.end, c.room)}</span>
                                                    <span class="badge">{move || status_label(i18n.get_locale(), &s)}</span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            };
                            let feed = m.feed_url.clone();
                            view! {
                                {notices}
                                {teaching}
                                {list}
                                <div class="field subscribe">
                                    <label for="feed-url">{t!(i18n, sched_subscribe)}</label>
                                    <p class="hint" id="feed-hint">{t!(i18n, sched_subscribe_hint)}</p>
                                    <input id="feed-url" type="text" readonly value=feed aria-describedby="feed-hint" data-testid="feed-url" />
                                </div>
                            }.into_any()
                        }
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
