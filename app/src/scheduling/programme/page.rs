//! `/admin/programme` (培训项目): one form with the programme's details, its certificate rule and
//! the tiers each enterprise must send. What was typed stays when the server refuses it.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{programme_details, CreateProgramme, ProgrammeForm, SaveProgramme};
use crate::error::error_text;
use crate::i18n::*;
use crate::people::tier::Tier;
use crate::shell::tier_name;

#[component]
pub fn ProgrammePage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateProgramme>::new();
    // The current programme is read again after a creation (it may be the new one), not after a
    // refusal: that would redraw both forms and lose what was typed.
    let made = RwSignal::new(0u32);
    let details = Resource::new(move || made.get(), |_| programme_details());
    // 新建培训项目 opens an empty form below the current programme's; what is typed in it lives
    // here, so a redraw keeps it.
    let creating = RwSignal::new(false);
    let new_form = RwSignal::new(ProgrammeForm::blank());
    let created = move || {
        create.value().get().and_then(Result::ok).map(|c| {
            let text = if c.current {
                t_string!(i18n, prog_created_current)
            } else {
                t_string!(i18n, prog_created_not_current)
            };
            view! {
                <p class="alert alert--success" role="status" data-testid="programme-created">
                    {text}" "{c.current.then(|| view! { <A href="/admin/plan">{t!(i18n, plan_title)}</A> })}
                </p>
            }
        })
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            creating.set(false);
            new_form.set(ProgrammeForm::blank());
            made.update(|n| *n += 1);
        }
    });
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, prog_title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, prog_title)}</h1>
            <p class="muted">{t!(i18n, prog_intro)}" "<A href="/admin/plan">{t!(i18n, plan_title)}</A></p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        // The new programme's form is inside the boundary too: what follows a
                        // streamed boundary in the page did not hydrate.
                        Ok(form) => view! {
                            <ProgrammeFields initial=form />
                            {created}
                            <section class="plan-section" aria-labelledby="new-programme">
                                <h2 id="new-programme">{t!(i18n, prog_new)}</h2>
                                <p class="muted">{t!(i18n, prog_new_hint)}</p>
                                <Show when=move || creating.get() fallback=move || view! {
                                    <p><button type="button" class="button button--secondary" data-testid="new-programme"
                                        on:click=move |_| creating.set(true)>{t!(i18n, prog_new)}</button></p>
                                }>
                                    <NewProgramme create form=new_form />
                                </Show>
                            </section>
                        }.into_any(),
                        Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ProgrammeFields(initial: ProgrammeForm) -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveProgramme>::new();
    let form = RwSignal::new(initial);
    let outcome = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <p class="alert alert--success" role="status" data-testid="programme-saved">{t!(i18n, prog_saved)}</p> }.into_any(),
            Err(err) => view! { <p class="alert alert--error" role="alert" data-testid="programme-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveProgramme {
            form: form.get_untracked(),
        });
    };
    view! {
        <form class="plan-form" data-testid="programme-form" on:submit=submit>
            <div class="plan-grid">
                {crate::bound_field!(i18n, form, "prog-title-zh", prog_title_zh, title_zh, "text")}
                {crate::bound_field!(i18n, form, "prog-title-en", prog_title_en, title_en, "text")}
                {crate::bound_field!(i18n, form, "prog-starts-on", prog_starts_on, starts_on, "date")}
                {crate::bound_field!(i18n, form, "prog-ends-on", prog_ends_on, ends_on, "date")}
                {crate::bound_field!(i18n, form, "prog-venue-zh", prog_venue_zh, venue_zh, "text")}
                {crate::bound_field!(i18n, form, "prog-venue-en", prog_venue_en, venue_en, "text")}
                {crate::bound_field!(i18n, form, "prog-host-zh", prog_host_zh, host_zh, "text")}
            </div>
            <div class="field plan-section">
                <label for="prog-organisers">{t!(i18n, prog_organisers)}</label>
                <textarea id="prog-organisers" rows="3" data-testid="prog-organisers"
                    prop:value=move || form.with(|f| f.organisers_zh.clone())
                    on:input=move |ev| form.update(|f| f.organisers_zh = event_target_value(&ev))></textarea>
            </div>
            <fieldset class="plan-section">
                <legend>{t!(i18n, prog_rule)}</legend>
                <div class="plan-grid">
                    {crate::bound_field!(i18n, form, "prog-min-attendance", prog_min_attendance, min_attendance_percent, "number")}
                </div>
                <label class="option option--inline">
                    <input type="checkbox" data-testid="prog-require-quiz"
                        prop:checked=move || form.with(|f| f.require_quiz)
                        on:change=move |ev| form.update(|f| f.require_quiz = event_target_checked(&ev)) />
                    <span>{t!(i18n, prog_require_quiz)}</span>
                </label>
                <h3 class="plan-subhead">{t!(i18n, prog_tier_rules)}</h3>
                <p class="muted">{t!(i18n, prog_tier_rules_hint)}</p>
                <div class="table-wrap" tabindex="0">
                    <table class="table" data-testid="prog-tier-rules">
                        <thead><tr>
                            <th scope="col">{t!(i18n, admin_tier)}</th>
                            <th scope="col">{t!(i18n, prog_min_attendance)}</th>
                            <th scope="col">{t!(i18n, prog_tier_quiz)}</th>
                        </tr></thead>
                        <tbody>
                            {Tier::ALL.into_iter().map(|tier| view! { <TierRuleRow tier form /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </fieldset>
            <fieldset class="plan-section">
                <legend>{t!(i18n, prog_quotas)}</legend>
                <p class="muted">{t!(i18n, prog_quotas_hint)}</p>
                <div class="plan-grid">
                    {Tier::ALL.into_iter().map(|tier| {
                        let id = format!("prog-quota-{}", tier.code());
                        view! {
                            <div class="field">
                                <label for=id.clone()>{move || tier_name(i18n.get_locale(), tier.code())}</label>
                                <input id=id.clone() type="number" min="0" max="50" data-testid=id
                                    prop:value=move || form.with(|f| f.quota(tier.code()))
                                    on:input=move |ev| form.update(|f| f.quotas = f.with_quota(tier.code(), &event_target_value(&ev))) />
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            {outcome}
            <p class="actions">
                <button type="submit" class="button" data-testid="save-programme"
                    disabled=move || save.pending().get()>{t!(i18n, prog_save)}</button>
            </p>
        </form>
    }
}

/// The empty form of a new programme: the same fields, sent to `create_programme`.
#[component]
fn NewProgramme(
    create: ServerAction<CreateProgramme>,
    form: RwSignal<ProgrammeForm>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = move || {
        create.value().get().and_then(Result::err).map(|err| view! {
            <p class="alert alert--error" role="alert" data-testid="new-programme-error">{error_text(i18n.get_locale(), &err)}</p>
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateProgramme {
            form: form.get_untracked(),
        });
    };
    view! {
        <form class="plan-form" data-testid="new-programme-form" on:submit=submit>
            <div class="plan-grid">
                {crate::bound_field!(i18n, form, "new-title-zh", prog_title_zh, title_zh, "text")}
                {crate::bound_field!(i18n, form, "new-title-en", prog_title_en, title_en, "text")}
                {crate::bound_field!(i18n, form, "new-starts-on", prog_starts_on, starts_on, "date")}
                {crate::bound_field!(i18n, form, "new-ends-on", prog_ends_on, ends_on, "date")}
                {crate::bound_field!(i18n, form, "new-venue-zh", prog_venue_zh, venue_zh, "text")}
                {crate::bound_field!(i18n, form, "new-venue-en", prog_venue_en, venue_en, "text")}
                {crate::bound_field!(i18n, form, "new-host-zh", prog_host_zh, host_zh, "text")}
                {crate::bound_field!(i18n, form, "new-min-attendance", prog_min_attendance, min_attendance_percent, "number")}
            </div>
            <div class="field plan-section">
                <label for="new-organisers">{t!(i18n, prog_organisers)}</label>
                <textarea id="new-organisers" rows="3" data-testid="new-organisers"
                    prop:value=move || form.with(|f| f.organisers_zh.clone())
                    on:input=move |ev| form.update(|f| f.organisers_zh = event_target_value(&ev))></textarea>
            </div>
            {error}
            <p class="actions">
                <button type="submit" class="button" data-testid="create-programme"
                    disabled=move || create.pending().get()>{t!(i18n, prog_create)}</button>
            </p>
        </form>
    }
}

/// One tier's own certificate rule: a share of hours and the quiz, each blank to follow the
/// programme's.
#[component]
fn TierRuleRow(tier: Tier, form: RwSignal<ProgrammeForm>) -> impl IntoView {
    let i18n = use_i18n();
    let code = tier.code();
    let name = move || tier_name(i18n.get_locale(), code);
    let quiz_is = move |v: &'static str| move || form.with(|f| f.tier_rule(code).1 == v);
    view! {
        <tr data-testid=format!("tier-rule-{code}")>
            <th scope="row">{name}</th>
            <td>
                <input type="number" min="0" max="100" data-testid=format!("prog-tier-min-{code}")
                    aria-label=move || format!("{} · {}", name(), t_string!(i18n, prog_min_attendance))
                    placeholder=move || form.with(|f| f.min_attendance_percent.clone())
                    prop:value=move || form.with(|f| f.tier_rule(code).0)
                    on:input=move |ev| {
                        let min = event_target_value(&ev);
                        form.update(|f| f.tier_rules = f.with_tier_rule(code, &min, &f.tier_rule(code).1));
                    } />
            </td>
            <td>
                <select data-testid=format!("prog-tier-quiz-{code}")
                    aria-label=move || format!("{} · {}", name(), t_string!(i18n, prog_tier_quiz))
                    prop:value=move || form.with(|f| f.tier_rule(code).1)
                    on:change=move |ev| {
                        let quiz = event_target_value(&ev);
                        form.update(|f| f.tier_rules = f.with_tier_rule(code, &f.tier_rule(code).0, &quiz));
                    }>
                    <option value="" selected=quiz_is("")>{t!(i18n, prog_tier_quiz_same)}</option>
                    <option value="yes" selected=quiz_is("yes")>{t!(i18n, prog_tier_quiz_yes)}</option>
                    <option value="no" selected=quiz_is("no")>{t!(i18n, prog_tier_quiz_no)}</option>
                </select>
            </td>
        </tr>
    }
}
