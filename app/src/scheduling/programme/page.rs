//! `/admin/programme` (培训项目): one form with the programme's details, its certificate rule and
//! the tiers each enterprise must send. What was typed stays when the server refuses it.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{programme_details, ProgrammeForm, SaveProgramme};
use crate::error::error_text;
use crate::i18n::*;
use crate::people::tier::Tier;
use crate::shell::tier_name;

#[component]
pub fn ProgrammePage() -> impl IntoView {
    let i18n = use_i18n();
    let details = Resource::new(|| (), |_| programme_details());
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, prog_title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, prog_title)}</h1>
            <p class="muted">{t!(i18n, prog_intro)}" "<A href="/admin/plan">{t!(i18n, plan_title)}</A></p>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(form) => view! { <ProgrammeFields initial=form /> }.into_any(),
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
    macro_rules! field {
        ($id:literal, $label:ident, $field:ident, $type:literal) => {
            view! {
                <div class="field">
                    <label for=$id>{t!(i18n, $label)}</label>
                    <input id=$id type=$type data-testid=$id
                        prop:value=move || form.with(|f| f.$field.clone())
                        on:input=move |ev| form.update(|f| f.$field = event_target_value(&ev)) />
                </div>
            }
        };
    }
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
                {field!("prog-title-zh", prog_title_zh, title_zh, "text")}
                {field!("prog-title-en", prog_title_en, title_en, "text")}
                {field!("prog-starts-on", prog_starts_on, starts_on, "date")}
                {field!("prog-ends-on", prog_ends_on, ends_on, "date")}
                {field!("prog-venue-zh", prog_venue_zh, venue_zh, "text")}
                {field!("prog-venue-en", prog_venue_en, venue_en, "text")}
                {field!("prog-host-zh", prog_host_zh, host_zh, "text")}
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
                    {field!("prog-min-attendance", prog_min_attendance, min_attendance_percent, "number")}
                </div>
                <label class="option option--inline">
                    <input type="checkbox" data-testid="prog-require-quiz"
                        prop:checked=move || form.with(|f| f.require_quiz)
                        on:change=move |ev| form.update(|f| f.require_quiz = event_target_checked(&ev)) />
                    <span>{t!(i18n, prog_require_quiz)}</span>
                </label>
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
