//! Admin pages: people and roles (search, filter, create with a first-login link), audit log.
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use leptos_router::hooks::use_params_map;

use super::{
    list_audit_log, list_districts, list_people, person_admin, CreatePerson, IssueLoginLink,
    RevokeSessions, SetRoles,
};
use crate::auth::Role;
use crate::error::error_text;
use crate::i18n::*;
use crate::shell::{role_name, tier_name};

#[component]
pub fn PeopleAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        (
            q.get("q"),
            q.get("role"),
            q.get("district"),
            q.get("enterprise"),
            q.get("page").and_then(|p| p.parse::<u64>().ok()),
        )
    };
    let create = ServerAction::<CreatePerson>::new();
    let people = Resource::new(
        move || (params(), create.version().get()),
        |((q, role, district, enterprise, page), _)| {
            list_people(q, role, district, enterprise, page)
        },
    );
    let districts = Resource::new(|| (), |_| list_districts());
    let me = Resource::new(|| (), |_| crate::auth::whoami());
    let created = move || {
        create.value().get().map(|result| match result {
            Ok(person) => view! {
                <div class="alert alert--success" role="status">
                    <p>{t!(i18n, admin_created)}</p>
                    <p>{t!(i18n, admin_login_link)}" "<a href=person.login_path.clone() data-testid="login-link">{person.login_path.clone()}</a></p>
                </div>
            }
            .into_any(),
            Err(err) => view! { <p class="alert alert--error" role="alert" data-testid="form-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
        })
    };
    let district_options = move || {
        districts
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                let label = match i18n.get_locale() {
                    Locale::zh_CN => d.name_zh.clone(),
                    Locale::en => d.name_en.clone(),
                };
                view! { <option value=d.id.to_string()>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, admin_people).to_string()) />
        <section class="page">
            <h1>{t!(i18n, admin_people)}</h1>
            <Transition>
                {move || Suspend::new(async move {
                    let importer = me.await.ok().flatten().is_some_and(|u| u.has_any(&[Role::Scheduler, Role::Admin]));
                    importer.then(|| view! {
                        <p><A href="/admin/import" attr:class="button button--secondary" attr:data-testid="import-link">{t!(i18n, imp_link)}</A></p>
                    })
                })}
            </Transition>
            <Form method="GET" action="" attr:class="filters">
                <div class="field">
                    <label for="q">{t!(i18n, admin_search)}</label>
                    <input id="q" name="q" type="search" prop:value=move || query.read().get("q").unwrap_or_default() />
                </div>
                <div class="field">
                    <label for="role-filter">{t!(i18n, auth_roles)}</label>
                    <select id="role-filter" name="role">
                        <option value="">{t!(i18n, admin_all)}</option>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.code() selected=move || query.read().get("role").as_deref() == Some(r.code())>{move || role_name(i18n.get_locale(), r)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="district-filter">{t!(i18n, admin_district)}</label>
                    <select id="district-filter" name="district">
                        <option value="">{t!(i18n, admin_all)}</option>
                        <Transition>{district_options}</Transition>
                    </select>
                </div>
                <div class="field">
                    <label for="enterprise-filter">{t!(i18n, prog_enterprise)}</label>
                    <input id="enterprise-filter" name="enterprise" type="search" prop:value=move || query.read().get("enterprise").unwrap_or_default() />
                </div>
                <button type="submit" class="button button--secondary">{t!(i18n, admin_filter)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t!(i18n, admin_no_people)}</p> }.into_any(),
                        Ok(page) => {
                            let q = query.read_untracked();
                            let base: Vec<(String, String)> = ["q", "role", "district", "enterprise"]
                                .into_iter()
                                .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
                                .collect();
                            view! { <PeopleTable page base /> }.into_any()
                        }
                        Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="page page--narrow">
            <h2>{t!(i18n, admin_create_person)}</h2>
            {created}
            <ActionForm action=create attr:class="form">
                <div class="field">
                    <label for="name">{t!(i18n, admin_name)}</label>
                    <input id="name" name="name" type="text" required />
                </div>
                <div class="field">
                    <label for="phone">{t!(i18n, admin_phone)}</label>
                    <input id="phone" name="phone" type="tel" inputmode="tel" />
                </div>
                <div class="field">
                    <label for="email">{t!(i18n, admin_email)}</label>
                    <input id="email" name="email" type="email" />
                </div>
                <div class="field">
                    <label for="role">{t!(i18n, admin_role)}</label>
                    <select id="role" name="role">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.code()>{move || role_name(i18n.get_locale(), r)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="tier">{t!(i18n, admin_tier)}</label>
                    <select id="tier" name="tier">
                        <option value="">{t!(i18n, admin_none)}</option>
                        {crate::people::tier::Tier::ALL.into_iter().map(|t| view! { <option value=t.code()>{move || tier_name(i18n.get_locale(), t.code())}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="district_id">{t!(i18n, admin_district)}</label>
                    <select id="district_id" name="district_id">
                        <option value="">{t!(i18n, admin_none)}</option>
                        <Transition>{district_options}</Transition>
                    </select>
                </div>
                <button type="submit" class="button" data-testid="create-person">{t!(i18n, admin_create_person)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn PeopleTable(page: super::PeoplePage, base: Vec<(String, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let pages = page.total.div_ceil(page.per_page.max(1)).max(1);
    let link = move |n: u64| {
        let mut parts: Vec<String> = base
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        parts.push(format!("page={n}"));
        format!("/admin/people?{}", parts.join("&"))
    };
    let prev = (page.page > 1).then(|| link(page.page - 1));
    let next = (page.page < pages).then(|| link(page.page + 1));
    let current = page.page;
    let rows = page
        .rows
        .into_iter()
        .map(|p| {
            let roles = p.roles.clone();
            let tier = p.tier.clone();
            view! {
                <tr>
                    <td><A href=format!("/admin/people/{}", p.id)>{p.name.clone()}</A></td>
                    <td>{p.phone.clone().unwrap_or_default()}<br /><span class="muted">{p.email.clone().unwrap_or_default()}</span></td>
                    <td>{p.enterprise.clone().unwrap_or_default()}</td>
                    <td>{p.district.clone().unwrap_or_default()}</td>
                    <td>{move || tier.as_deref().map(|t| tier_name(i18n.get_locale(), t)).unwrap_or_default()}</td>
                    <td>{move || roles.iter().map(|r| role_name(i18n.get_locale(), *r)).collect::<Vec<_>>().join("、")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p class="muted" data-testid="people-total">{t!(i18n, admin_total)}" "{page.total}</p>
        <div class="table-wrap" tabindex="0">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, admin_name)}</th>
                        <th scope="col">{t!(i18n, admin_contact)}</th>
                        <th scope="col">{t!(i18n, admin_enterprise)}</th>
                        <th scope="col">{t!(i18n, admin_district)}</th>
                        <th scope="col">{t!(i18n, admin_tier)}</th>
                        <th scope="col">{t!(i18n, auth_roles)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <nav class="pager" aria-label=move || t_string!(i18n, admin_pages) data-testid="people-pager">
            {prev.map(|href| view! { <a href=href rel="prev">{t!(i18n, admin_prev_page)}</a> })}
            <span class="muted">{format!("{current} / {pages}")}</span>
            {next.map(|href| view! { <a href=href rel="next" data-testid="next-page">{t!(i18n, admin_next_page)}</a> })}
        </nav>
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One person: roles (admins change them), a new first-login link, live sessions and "sign out
/// everywhere".
#[component]
pub fn PersonAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let set_roles = ServerAction::<SetRoles>::new();
    let issue = ServerAction::<IssueLoginLink>::new();
    let revoke = ServerAction::<RevokeSessions>::new();
    let person = Resource::new(
        move || (id(), set_roles.version().get(), revoke.version().get()),
        |(id, ..)| person_admin(id),
    );
    let districts = Resource::new(|| (), |_| list_districts());
    let feedback = move || {
        let errors = [
            set_roles.value().get().and_then(Result::err),
            issue.value().get().and_then(Result::err),
            revoke.value().get().and_then(Result::err),
        ];
        errors.into_iter().flatten().next().map(|err| view! {
            <p class="alert alert--error" role="alert" data-testid="form-error">{error_text(i18n.get_locale(), &err)}</p>
        })
    };
    view! {
        <Transition fallback=move || view! { <p class="page muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match person.await {
                    Ok(p) => {
                        let pid = p.row.id;
                        let chosen = RwSignal::new(p.row.roles.clone());
                        let district = RwSignal::new(p.district_id.map(|d| d.to_string()).unwrap_or_default());
                        let save = move |_| {
                            let roles = chosen.get_untracked().iter().map(|r| r.code()).collect::<Vec<_>>().join(",");
                            set_roles.dispatch(SetRoles { person_id: pid, roles, district_id: Some(district.get_untracked()) });
                        };
                        let district_options = move || districts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|d| {
                            let value = d.id.to_string();
                            let selected = district.get_untracked() == value;
                            let label = match i18n.get_locale() { Locale::zh_CN => d.name_zh.clone(), Locale::en => d.name_en.clone() };
                            view! { <option value=value selected=selected>{label}</option> }
                        }).collect_view();
                        let sessions = p.sessions.clone();
                        view! {
                            <Title text=p.row.name.clone() />
                            <section class="page page--narrow">
                                <nav class="breadcrumbs"><A href="/admin/people">{t!(i18n, admin_people)}</A></nav>
                                <h1>{p.row.name.clone()}</h1>
                                <p class="muted">{format!("{} {}", p.row.phone.clone().unwrap_or_default(), p.row.email.clone().unwrap_or_default())}</p>
                                {feedback}
                                <h2>{t!(i18n, auth_roles)}</h2>
                                <fieldset class="role-picks">
                                    <legend class="visually-hidden">{t!(i18n, auth_roles)}</legend>
                                    {Role::ALL.into_iter().map(|r| view! {
                                        <label class="option">
                                            <input type="checkbox" value=r.code() data-testid=format!("role-{}", r.code())
                                                prop:checked=move || chosen.with(|c| c.contains(&r))
                                                on:change=move |_| chosen.update(|c| if let Some(i) = c.iter().position(|x| *x == r) { c.remove(i); } else { c.push(r); }) />
                                            <span>{move || role_name(i18n.get_locale(), r)}</span>
                                        </label>
                                    }).collect_view()}
                                </fieldset>
                                <div class="field">
                                    <label for="role-district">{t!(i18n, admin_district)}</label>
                                    <select id="role-district" on:change=move |ev| district.set(event_target_value(&ev))>
                                        <option value="">{t!(i18n, admin_none)}</option>
                                        <Transition>{district_options}</Transition>
                                    </select>
                                </div>
                                <p><button type="button" class="button" data-testid="save-roles" on:click=save>{t!(i18n, admin_save_roles)}</button></p>
                                {move || set_roles.value().get().and_then(Result::ok).map(|_| view! { <p class="alert alert--success" role="status">{t!(i18n, admin_saved)}</p> })}
                                <h2>{t!(i18n, admin_login_link)}</h2>
                                <ActionForm action=issue>
                                    <input type="hidden" name="person_id" value=pid.to_string() />
                                    <button type="submit" class="button button--secondary" data-testid="issue-link">{t!(i18n, admin_new_link)}</button>
                                </ActionForm>
                                {move || issue.value().get().and_then(Result::ok).map(|c| view! {
                                    <p class="alert alert--success" role="status"><a href=c.login_path.clone() data-testid="login-link">{c.login_path.clone()}</a></p>
                                })}
                                <h2>{t!(i18n, admin_sessions)}</h2>
                                {if sessions.is_empty() {
                                    view! { <p class="muted" data-testid="no-sessions">{t!(i18n, admin_no_sessions)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul data-testid="sessions">
                                            {sessions.into_iter().map(|s| view! { <li>{format!("{} → {} · {}", s.created_at, s.expires_at, s.user_agent)}</li> }).collect_view()}
                                        </ul>
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="person_id" value=pid.to_string() />
                                            <button type="submit" class="button button--danger" data-testid="revoke-sessions">{t!(i18n, admin_revoke_sessions)}</button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(err) => view! { <crate::catalog::pages::ErrorPage err /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let entries = Resource::new(
        move || (query.read().get("action"), query.read().get("actor")),
        |(action, actor)| list_audit_log(action, actor),
    );
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, admin_audit).to_string()) />
        <section class="page">
            <h1>{t!(i18n, admin_audit)}</h1>
            <Form method="GET" action="" attr:class="filters">
                <div class="field">
                    <label for="action">{t!(i18n, admin_action)}</label>
                    <input id="action" name="action" type="text" prop:value=move || query.read().get("action").unwrap_or_default() />
                </div>
                <div class="field">
                    <label for="actor">{t!(i18n, admin_actor)}</label>
                    <input id="actor" name="actor" type="text" prop:value=move || query.read().get("actor").unwrap_or_default() />
                </div>
                <div class="field">
                    <label for="enterprise-filter">{t!(i18n, prog_enterprise)}</label>
                    <input id="enterprise-filter" name="enterprise" type="search" prop:value=move || query.read().get("enterprise").unwrap_or_default() />
                </div>
                <button type="submit" class="button button--secondary">{t!(i18n, admin_filter)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, admin_no_entries)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap" tabindex="0">
                                <table class="table" data-testid="audit-table">
                                    <thead><tr>
                                        <th scope="col">{t!(i18n, admin_when)}</th>
                                        <th scope="col">{t!(i18n, admin_actor)}</th>
                                        <th scope="col">{t!(i18n, admin_action)}</th>
                                        <th scope="col">{t!(i18n, admin_target)}</th>
                                        <th scope="col">{t!(i18n, admin_detail)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|r| view! {
                                            <tr>
                                                <td>{r.at}</td>
                                                <td>{r.actor.unwrap_or_default()}</td>
                                                <td><code>{r.action}</code></td>
                                                <td>{r.target.unwrap_or_default()}</td>
                                                <td class="detail">{r.detail}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
