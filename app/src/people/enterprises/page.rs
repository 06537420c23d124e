//! `/admin/enterprises` (企业): every enterprise with its code, district, reason and delegates,
//! a search box, and one form that adds an enterprise or corrects the one chosen with 编辑.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{list_enterprises, EnterpriseForm, EnterpriseRow, SaveEnterprise};
use crate::catalog::pages::ErrorPage;
use crate::error::error_text;
use crate::i18n::*;
use crate::people::reason::InclusionReason;
use crate::shell::localised;

fn reason_text(locale: Locale, code: &str) -> String {
    match InclusionReason::parse(code) {
        Some(r) => match locale {
            Locale::zh_CN => r.name_zh().to_string(),
            Locale::en => r.name_en().to_string(),
        },
        None => "–".to_string(),
    }
}

fn matches(r: &EnterpriseRow, query: &str) -> bool {
    let q = query.trim().to_uppercase();
    q.is_empty()
        || r.name.to_uppercase().contains(&q)
        || r.credit_code.contains(&q)
        || r.district_zh.contains(&q)
}

#[component]
pub fn EnterprisesPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveEnterprise>::new();
    let list = Resource::new(move || save.version().get(), |_| list_enterprises());
    // What is typed stays in the form when the server refuses it.
    let form = RwSignal::new(EnterpriseForm::default());
    let query = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            form.set(EnterpriseForm::default());
        }
    });
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, ent_title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, ent_title)}</h1>
            <p class="muted">{t!(i18n, ent_intro)}" "<A href="/admin/import">{t!(i18n, imp_title)}</A></p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(dir) => {
                            let districts = dir.districts.clone();
                            let rows = StoredValue::new(dir.rows.clone());
                            let total = dir.rows.len();
                            let visible = move || rows.with_value(|rows| rows.iter().filter(|r| matches(r, &query.get())).cloned().collect::<Vec<_>>());
                            view! {
                                <form class="panel" data-testid="enterprise-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    save.dispatch(SaveEnterprise { form: form.get_untracked() });
                                }>
                                    <h2>{move || if form.with(|f| f.id == 0) { t_string!(i18n, ent_new) } else { t_string!(i18n, ent_edit) }}</h2>
                                    <div class="filters">
                                        <div class="field">
                                            <label for="ent-name">{t!(i18n, f_enterprise_name)}</label>
                                            <input id="ent-name" type="text" data-testid="ent-name" maxlength="100"
                                                prop:value=move || form.with(|f| f.name.clone())
                                                on:input=move |ev| form.update(|f| f.name = event_target_value(&ev)) />
                                        </div>
                                        <div class="field">
                                            <label for="ent-code">{t!(i18n, f_credit_code)}</label>
                                            <input id="ent-code" type="text" data-testid="ent-code" maxlength="18" autocapitalize="characters" spellcheck="false"
                                                prop:value=move || form.with(|f| f.credit_code.clone())
                                                on:input=move |ev| form.update(|f| f.credit_code = event_target_value(&ev)) />
                                        </div>
                                        <div class="field">
                                            <label for="ent-district">{t!(i18n, f_district_id)}</label>
                                            <select id="ent-district" data-testid="ent-district"
                                                prop:value=move || form.with(|f| f.district.clone())
                                                on:change=move |ev| form.update(|f| f.district = event_target_value(&ev))>
                                                <option value="">"–"</option>
                                                {districts.into_iter().map(|d| {
                                                    let (zh, en) = (d.name_zh.clone(), d.name_en.clone());
                                                    view! { <option value=d.id.to_string()>{move || localised(i18n.get_locale(), &zh, &en)}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="ent-reason">{t!(i18n, f_inclusion_reason)}</label>
                                            <select id="ent-reason" data-testid="ent-reason"
                                                prop:value=move || form.with(|f| f.reason.clone())
                                                on:change=move |ev| form.update(|f| f.reason = event_target_value(&ev))>
                                                <option value="">"–"</option>
                                                {InclusionReason::ALL.into_iter().map(|r| view! {
                                                    <option value=r.code()>{move || reason_text(i18n.get_locale(), r.code())}</option>
                                                }).collect_view()}
                                            </select>
                                        </div>
                                    </div>
                                    <p class="actions">
                                        <button type="submit" class="button" data-testid="save-enterprise" disabled=move || save.pending().get()>{t!(i18n, plan_save)}</button>
                                        <button type="button" class="button button--secondary" on:click=move |_| form.set(EnterpriseForm::default())>{t!(i18n, ent_new)}</button>
                                    </p>
                                    {move || save.value().get().map(|r| match r {
                                        Ok(_) => view! { <p class="alert alert--success" role="status" data-testid="enterprise-saved">{t!(i18n, plan_saved)}</p> }.into_any(),
                                        Err(err) => view! { <p class="alert alert--error" role="alert" data-testid="enterprise-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                                    })}
                                </form>
                                <div class="filters">
                                    <div class="field">
                                        <label for="ent-search">{t!(i18n, ent_search)}</label>
                                        <input id="ent-search" type="search" data-testid="ent-search"
                                            prop:value=move || query.get()
                                            on:input=move |ev| query.set(event_target_value(&ev)) />
                                    </div>
                                    <p class="muted">{move || t_string!(i18n, ent_count).replace("{n}", &visible().len().to_string()).replace("{m}", &total.to_string())}</p>
                                </div>
                                <div class="table-wrap" tabindex="0">
                                    <table class="table" data-testid="enterprises">
                                        <thead><tr>
                                            <th scope="col">{t!(i18n, f_enterprise_name)}</th>
                                            <th scope="col">{t!(i18n, f_credit_code)}</th>
                                            <th scope="col">{t!(i18n, f_district_id)}</th>
                                            <th scope="col">{t!(i18n, f_inclusion_reason)}</th>
                                            <th scope="col">{t!(i18n, ent_delegates)}</th>
                                            <th scope="col"><span class="visually-hidden">{t!(i18n, plan_edit)}</span></th>
                                        </tr></thead>
                                        <tbody>
                                            <For each=visible key=|r| r.clone() let:r>
                                                {
                                                    let edit = EnterpriseForm {
                                                        id: r.id,
                                                        name: r.name.clone(),
                                                        credit_code: r.credit_code.clone(),
                                                        district: r.district_id.map(|d| d.to_string()).unwrap_or_default(),
                                                        reason: r.reason.clone(),
                                                    };
                                                    let (zh, en, reason) = (r.district_zh.clone(), r.district_en.clone(), r.reason.clone());
                                                    view! {
                                                        <tr data-testid="enterprise-row" data-code=r.credit_code.clone()>
                                                            <td>{r.name.clone()}</td>
                                                            <td><code>{r.credit_code.clone()}</code></td>
                                                            <td>{move || localised(i18n.get_locale(), &zh, &en)}</td>
                                                            <td>{move || reason_text(i18n.get_locale(), &reason)}</td>
                                                            <td>{r.delegates}</td>
                                                            <td><button type="button" class="button button--secondary button--small" data-testid="edit-enterprise"
                                                                on:click=move |_| form.set(edit.clone())>{t!(i18n, plan_edit)}</button></td>
                                                        </tr>
                                                    }
                                                }
                                            </For>
                                        </tbody>
                                    </table>
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
