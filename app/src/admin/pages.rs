//! Admin pages: people and roles (search, filter, create with a first-login link), audit log.
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::{list_audit_log, list_districts, list_people, CreatePerson};
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
            q.get("page").and_then(|p| p.parse::<u64>().ok()),
        )
    };
    let create = ServerAction::<CreatePerson>::new();
    let people = Resource::new(
        move || (params(), create.version().get()),
        |((q, role, district, page), _)| list_people(q, role, district, page),
    );
    let districts = Resource::new(|| (), |_| list_districts());
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
        <Title text=move || t_string!(i18n, admin_people) />
        <section class="page">
            <h1>{t!(i18n, admin_people)}</h1>
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
                <button type="submit" class="button button--secondary">{t!(i18n, admin_filter)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match people.await {
                        Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t!(i18n, admin_no_people)}</p> }.into_any(),
                        Ok(page) => view! { <PeopleTable page /> }.into_any(),
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
fn PeopleTable(page: super::PeoplePage) -> impl IntoView {
    let i18n = use_i18n();
    let rows = page
        .rows
        .into_iter()
        .map(|p| {
            let roles = p.roles.clone();
            let tier = p.tier.clone();
            view! {
                <tr>
                    <td>{p.name.clone()}</td>
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
        <div class="table-wrap">
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
        <Title text=move || t_string!(i18n, admin_audit) />
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
                <button type="submit" class="button button--secondary">{t!(i18n, admin_filter)}</button>
            </Form>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="empty">{t!(i18n, admin_no_entries)}</p> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap">
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
