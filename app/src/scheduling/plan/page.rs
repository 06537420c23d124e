//! `/admin/plan` (排课): the sessions with a form to add or change one, the rooms, the
//! lecturers, and the enterprises short of their quota. The forms keep what was typed when the
//! server refuses it, so the scheduler fixes the one field the message names.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{
    plan_overview, DeleteSession, Plan, SaveLecturer, SaveRoom, SaveSession, SessionDraft,
};
use crate::error::{error_text, AppError};
use crate::i18n::*;
use crate::people::tier::Tier;
use crate::shell::{localised, tier_name};

fn has(list: &str, item: &str) -> bool {
    list.split(',').any(|x| x == item)
}

fn toggle(list: &str, item: &str) -> String {
    let mut items: Vec<&str> = list.split(',').filter(|x| !x.is_empty()).collect();
    match items.iter().position(|x| *x == item) {
        Some(i) => {
            items.remove(i);
        }
        None => items.push(item),
    }
    items.join(",")
}

#[component]
fn Outcome(
    result: Signal<Option<Result<i64, AppError>>>,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        result.get().map(|r| match r {
            Ok(_) => view! { <p class="alert alert--success" role="status" data-testid=format!("{testid}-saved")>{t!(i18n, plan_saved)}</p> }.into_any(),
            Err(err) => view! { <p class="alert alert--error" role="alert" data-testid=format!("{testid}-error")>{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
        })
    }
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveSession>::new();
    let remove = ServerAction::<DeleteSession>::new();
    let save_room = ServerAction::<SaveRoom>::new();
    let save_lecturer = ServerAction::<SaveLecturer>::new();
    let plan = Resource::new(
        move || {
            (
                save.version().get(),
                remove.version().get(),
                save_room.version().get(),
                save_lecturer.version().get(),
            )
        },
        |_| plan_overview(),
    );
    // The session form; an empty number means "fill in a new one once the plan is here".
    let form = RwSignal::new(SessionDraft::default());
    let room_form = RwSignal::new((0i64, String::new(), String::new()));
    let lecturer_form = RwSignal::new((0i64, String::new(), String::new(), String::new()));
    Effect::new(move |_| {
        if let Some(Ok(p)) = plan.get() {
            if form.with_untracked(|f| f.id == 0 && f.number.is_empty()) {
                form.set(p.blank());
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            form.set(SessionDraft::default());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_room.value().get() {
            room_form.set((0, String::new(), String::new()));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save_lecturer.value().get() {
            lecturer_form.set((0, String::new(), String::new(), String::new()));
        }
    });
    let session_result = Signal::derive(move || save.value().get());
    let room_result = Signal::derive(move || save_room.value().get());
    let lecturer_result = Signal::derive(move || save_lecturer.value().get());
    let delete_error = move || {
        remove.value().get().and_then(Result::err).map(|err| view! {
            <p class="alert alert--error" role="alert" data-testid="delete-error">{error_text(i18n.get_locale(), &err)}</p>
        })
    };

    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, plan_title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, plan_title)}</h1>
            <p class="muted">{t!(i18n, plan_intro)}</p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match plan.await {
                        Ok(p) => view! {
                            <PlanBody plan=p form room_form lecturer_form save remove save_room save_lecturer
                                session_result room_result lecturer_result />
                        }.into_any(),
                        Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                    }
                })}
            </Transition>
            {delete_error}
        </section>
    }
}

#[allow(clippy::too_many_arguments)]
#[component]
fn PlanBody(
    plan: Plan,
    form: RwSignal<SessionDraft>,
    room_form: RwSignal<(i64, String, String)>,
    lecturer_form: RwSignal<(i64, String, String, String)>,
    save: ServerAction<SaveSession>,
    remove: ServerAction<DeleteSession>,
    save_room: ServerAction<SaveRoom>,
    save_lecturer: ServerAction<SaveLecturer>,
    session_result: Signal<Option<Result<i64, AppError>>>,
    room_result: Signal<Option<Result<i64, AppError>>>,
    lecturer_result: Signal<Option<Result<i64, AppError>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let title = {
        let (zh, en) = (plan.programme_zh.clone(), plan.programme_en.clone());
        move || localised(i18n.get_locale(), &zh, &en)
    };
    let days = format!("{} – {}", plan.starts_on, plan.ends_on);
    let rows = plan.sessions.clone().into_iter().map(|s| {
        let draft = s.draft();
        let t = s.clone();
        let title = move || localised(i18n.get_locale(), &t.title_zh, &t.title_en);
        let tiers = s.tiers.clone();
        let tiers = move || tiers.iter().map(|c| tier_name(i18n.get_locale(), c)).collect::<Vec<_>>().join("、");
        let id = s.id;
        view! {
            <tr data-testid="plan-row">
                <td>{s.number}</td>
                <td>{title}<br /><span class="muted">{tiers}</span></td>
                <td>{format!("{} {}–{}", s.date, s.start, s.end)}{(!s.periods.is_empty()).then(|| view! { <br /><span class="muted" data-testid="plan-row-periods">{s.periods.clone()}</span> })}</td>
                <td>{s.room.clone()}</td>
                <td>{format!("{}/{}", s.enrolled, s.capacity)}</td>
                <td>{s.lecturers.join("、")}</td>
                <td class="actions">
                    <button type="button" class="button button--secondary" data-testid="edit-session"
                        on:click=move |_| form.set(draft.clone())>{t!(i18n, plan_edit)}</button>
                    {(s.enrolled == 0).then(|| view! {
                        <button type="button" class="button button--danger" data-testid="delete-session"
                            on:click=move |_| { remove.dispatch(DeleteSession { session: id }); }>{t!(i18n, plan_delete)}</button>
                    })}
                </td>
            </tr>
        }
    }).collect_view();

    let rooms = plan.rooms.clone();
    let room_options = move || {
        rooms.iter().map(|r| {
            let value = r.id.to_string();
            let selected = { let v = value.clone(); move || form.with(|f| f.room == v) };
            view! { <option value=value prop:selected=selected>{format!("{}（{}）", r.name, r.capacity)}</option> }
        }).collect_view()
    };
    let courses = plan.courses.clone();
    let lecturers = plan.lecturers.clone();
    let lecturer_picks = if lecturers.is_empty() {
        view! { <p class="muted">{t!(i18n, plan_no_lecturers)}</p> }.into_any()
    } else {
        lecturers.iter().map(|l| {
            let id = l.id.to_string();
            let (a, b) = (id.clone(), id.clone());
            view! {
                <label class="option option--inline">
                    <input type="checkbox" data-testid="pick-lecturer"
                        prop:checked=move || form.with(|f| has(&f.lecturers, &a))
                        on:change=move |_| form.update(|f| f.lecturers = toggle(&f.lecturers, &b)) />
                    <span>{l.name.clone()}</span>
                </label>
            }
        }).collect_view().into_any()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveSession {
            draft: form.get_untracked(),
        });
    };
    let heading = move || {
        let (id, n) = form.with(|f| (f.id, f.number.clone()));
        if id == 0 {
            t_string!(i18n, plan_new_session).to_string()
        } else {
            t_string!(i18n, plan_edit_session).replace("{n}", &n)
        }
    };

    let shortfalls = plan.shortfalls.clone();
    let short_enterprises = {
        let mut names: Vec<&str> = shortfalls.iter().map(|s| s.enterprise.as_str()).collect();
        names.sort();
        names.dedup();
        names.len()
    };
    let total = plan.enterprises;
    let quotas = plan.quotas.clone();

    view! {
        <p class="muted">{title}" · "{days}" · "
            <A href="/admin/programme" attr:data-testid="edit-programme">{t!(i18n, plan_edit_programme)}</A></p>
        <h2>{t!(i18n, plan_sessions)}</h2>
        <div class="table-wrap" tabindex="0">
            <table class="table" data-testid="plan-sessions">
                <thead><tr>
                    <th scope="col">{t!(i18n, plan_number)}</th>
                    <th scope="col">{t!(i18n, plan_title_zh)}</th>
                    <th scope="col">{t!(i18n, sched_when)}</th>
                    <th scope="col">{t!(i18n, sched_room)}</th>
                    <th scope="col">{t!(i18n, plan_capacity)}</th>
                    <th scope="col">{t!(i18n, plan_lecturers)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, plan_edit)}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>

        <form id="session-form" class="plan-form" on:submit=submit data-testid="session-form">
            <h3>{heading}</h3>
            <div class="plan-grid">
                {crate::bound_field!(i18n, form, "plan-number", plan_number, number, "number")}
                {crate::bound_field!(i18n, form, "plan-title-zh", plan_title_zh, title_zh, "text")}
                {crate::bound_field!(i18n, form, "plan-title-en", plan_title_en, title_en, "text")}
                {crate::bound_field!(i18n, form, "plan-date", plan_date, date, "date")}
                {crate::bound_field!(i18n, form, "plan-start", plan_start, start, "time")}
                {crate::bound_field!(i18n, form, "plan-end", plan_end, end, "time")}
                <div class="field">
                    <label for="plan-room">{t!(i18n, sched_room)}</label>
                    <select id="plan-room" data-testid="plan-room"
                        on:change=move |ev| form.update(|f| f.room = event_target_value(&ev))>
                        {room_options}
                    </select>
                </div>
                {crate::bound_field!(i18n, form, "plan-capacity", plan_capacity, capacity, "number")}
                <div class="field field--wide">
                    <label for="plan-periods">{t!(i18n, plan_periods)}</label>
                    <input id="plan-periods" type="text" data-testid="plan-periods" aria-describedby="plan-periods-hint"
                        placeholder=move || t_string!(i18n, plan_periods_placeholder)
                        prop:value=move || form.with(|f| f.periods.clone())
                        on:input=move |ev| form.update(|f| f.periods = event_target_value(&ev)) />
                    <p class="hint" id="plan-periods-hint">{t!(i18n, plan_periods_hint)}</p>
                </div>
            </div>
            <fieldset class="plan-picks">
                <legend>{t!(i18n, plan_tiers)}</legend>
                {Tier::ALL.into_iter().map(|tier| view! {
                    <label class="option option--inline">
                        <input type="checkbox" data-testid=format!("pick-tier-{}", tier.code())
                            prop:checked=move || form.with(|f| has(&f.tiers, tier.code()))
                            on:change=move |_| form.update(|f| f.tiers = toggle(&f.tiers, tier.code())) />
                        <span>{move || tier_name(i18n.get_locale(), tier.code())}</span>
                    </label>
                }).collect_view()}
            </fieldset>
            <fieldset class="plan-picks">
                <legend>{t!(i18n, plan_courses)}</legend>
                {courses.into_iter().map(|(id, zh, en)| {
                    let (a, b) = (id.clone(), id.clone());
                    view! {
                        <label class="option option--inline">
                            <input type="checkbox" data-testid=format!("pick-course-{id}")
                                prop:checked=move || form.with(|f| has(&f.courses, &a))
                                on:change=move |_| form.update(|f| f.courses = toggle(&f.courses, &b)) />
                            <span>{move || localised(i18n.get_locale(), &zh, &en)}</span>
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <fieldset class="plan-picks">
                <legend>{t!(i18n, plan_lecturers)}</legend>
                {lecturer_picks}
            </fieldset>
            <Outcome result=session_result testid="session" />
            <p class="actions">
                <button type="submit" class="button" data-testid="save-session">{t!(i18n, plan_save)}</button>
                {move || form.with(|f| f.id != 0).then(|| view! {
                    <button type="button" class="button button--secondary"
                        on:click=move |_| form.set(SessionDraft::default())>{t!(i18n, plan_cancel_edit)}</button>
                })}
            </p>
        </form>

        <h2>{t!(i18n, plan_rooms)}</h2>
        <div class="table-wrap" tabindex="0">
            <table class="table" data-testid="plan-rooms">
                <thead><tr>
                    <th scope="col">{t!(i18n, plan_room_name)}</th>
                    <th scope="col">{t!(i18n, plan_room_seats)}</th>
                    <th scope="col">{t!(i18n, plan_room_sessions)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, plan_edit)}</span></th>
                </tr></thead>
                <tbody>
                    {plan.rooms.clone().into_iter().map(|r| {
                        let edit = (r.id, r.name.clone(), r.capacity.to_string());
                        view! {
                            <tr>
                                <td>{r.name.clone()}</td>
                                <td>{r.capacity}</td>
                                <td>{r.sessions}</td>
                                <td><button type="button" class="button button--secondary"
                                    on:click=move |_| room_form.set(edit.clone())>{t!(i18n, plan_edit)}</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <form class="filters" data-testid="room-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (id, name, capacity) = room_form.get_untracked();
            save_room.dispatch(SaveRoom { id, name, capacity });
        }>
            <div class="field">
                <label for="room-name">{move || if room_form.with(|r| r.0 == 0) { t_string!(i18n, plan_new_room) } else { t_string!(i18n, plan_edit_room) }}</label>
                <input id="room-name" type="text" data-testid="room-name"
                    prop:value=move || room_form.with(|r| r.1.clone())
                    on:input=move |ev| room_form.update(|r| r.1 = event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="room-seats">{t!(i18n, plan_room_seats)}</label>
                <input id="room-seats" type="number" min="1" data-testid="room-seats"
                    prop:value=move || room_form.with(|r| r.2.clone())
                    on:input=move |ev| room_form.update(|r| r.2 = event_target_value(&ev)) />
            </div>
            <button type="submit" class="button" data-testid="save-room">{t!(i18n, plan_save)}</button>
        </form>
        <Outcome result=room_result testid="room" />

        <h2>{t!(i18n, plan_lecturer_list)}</h2>
        <div class="table-wrap" tabindex="0">
            <table class="table" data-testid="plan-lecturers">
                <thead><tr>
                    <th scope="col">{t!(i18n, plan_lecturer_name)}</th>
                    <th scope="col">{t!(i18n, plan_organisation)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, plan_edit)}</span></th>
                </tr></thead>
                <tbody>
                    {lecturers.into_iter().map(|l| {
                        let edit = (l.id, l.name.clone(), l.organisation.clone(), l.login.clone());
                        view! {
                            <tr data-testid="lecturer-row">
                                <td>{l.name.clone()}{l.account.map(|a| view! { <span class="badge">{a}</span> })}</td>
                                <td>{l.organisation.clone()}</td>
                                <td><button type="button" class="button button--secondary" data-testid="edit-lecturer"
                                    on:click=move |_| lecturer_form.set(edit.clone())>{t!(i18n, plan_edit)}</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <form class="filters" data-testid="lecturer-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (id, name, organisation, login) = lecturer_form.get_untracked();
            save_lecturer.dispatch(SaveLecturer { id, name, organisation, login });
        }>
            <div class="field">
                <label for="lecturer-name">{move || if lecturer_form.with(|l| l.0 == 0) { t_string!(i18n, plan_new_lecturer) } else { t_string!(i18n, plan_edit_lecturer) }}</label>
                <input id="lecturer-name" type="text" data-testid="lecturer-name"
                    prop:value=move || lecturer_form.with(|l| l.1.clone())
                    on:input=move |ev| lecturer_form.update(|l| l.1 = event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="lecturer-org">{t!(i18n, plan_organisation)}</label>
                <input id="lecturer-org" type="text" data-testid="lecturer-org"
                    prop:value=move || lecturer_form.with(|l| l.2.clone())
                    on:input=move |ev| lecturer_form.update(|l| l.2 = event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="lecturer-login">{t!(i18n, plan_account)}</label>
                <input id="lecturer-login" type="text" data-testid="lecturer-login"
                    prop:value=move || lecturer_form.with(|l| l.3.clone())
                    on:input=move |ev| lecturer_form.update(|l| l.3 = event_target_value(&ev)) />
            </div>
            <button type="submit" class="button" data-testid="save-lecturer">{t!(i18n, plan_save)}</button>
        </form>
        <Outcome result=lecturer_result testid="lecturer" />

        <h2>{t!(i18n, plan_shortfall)}</h2>
        <p class="muted">{t!(i18n, plan_shortfall_intro)}" "
            {move || t_string!(i18n, plan_quota_rule).to_string()}": "
            {move || quotas.iter().map(|(t, n)| format!("{} ≥ {n}", tier_name(i18n.get_locale(), t))).collect::<Vec<_>>().join("，")}
        </p>
        {if shortfalls.is_empty() {
            view! { <p class="alert alert--success" data-testid="shortfall-none">{t!(i18n, plan_shortfall_none)}</p> }.into_any()
        } else {
            view! {
                <p data-testid="shortfall-summary"><strong>{move || t_string!(i18n, plan_shortfall_summary)
                    .replace("{short}", &short_enterprises.to_string())
                    .replace("{total}", &total.to_string())}</strong></p>
                <div class="table-wrap" tabindex="0">
                    <table class="table" data-testid="shortfalls">
                        <thead><tr>
                            <th scope="col">{t!(i18n, plan_enterprise)}</th>
                            <th scope="col">{t!(i18n, plan_district)}</th>
                            <th scope="col">{t!(i18n, admin_tier)}</th>
                            <th scope="col">{t!(i18n, plan_required)}</th>
                            <th scope="col">{t!(i18n, plan_registered)}</th>
                            <th scope="col">{t!(i18n, plan_enrolled_n)}</th>
                            <th scope="col">{t!(i18n, plan_missing)}</th>
                        </tr></thead>
                        <tbody>
                            {shortfalls.into_iter().map(|s| {
                                let (zh, en) = (s.district_zh.clone(), s.district_en.clone());
                                let tier = s.tier.clone();
                                view! {
                                    <tr data-testid="shortfall-row">
                                        <td>{s.enterprise.clone()}</td>
                                        <td>{move || localised(i18n.get_locale(), &zh, &en)}</td>
                                        <td>{move || tier_name(i18n.get_locale(), &tier)}</td>
                                        <td>{s.required}</td>
                                        <td>{s.registered}</td>
                                        <td>{s.enrolled}</td>
                                        <td><strong>{s.required.saturating_sub(s.enrolled)}</strong></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}
