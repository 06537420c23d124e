//! Certificate pages: the organiser's list of eligible and not-yet-eligible trainees with issue
//! and revoke (`/certificates`), the public verify page (`/verify/:serial`) and the trainee's own
//! certificates (`/my/certificates`).
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{
    certificate_board, my_certificates, verify_certificate, EligibilityRow, IssueCertificates,
    ReissueCertificate, RevokeCertificate,
};
use crate::catalog::pages::ErrorPage;
use crate::error::error_text;
use crate::i18n::*;
use crate::mail::pages::BatchPanel;
use crate::people::tier::Tier;
use crate::shell::{localised, tier_name};

fn reason_text(locale: Locale, row: &EligibilityRow) -> String {
    row.reasons
        .iter()
        .map(|r| match r.as_str() {
            "attendance" => td_string!(locale, cert_short_attendance)
                .replace("{p}", &row.percent.to_string())
                .replace("{min}", &row.min_percent.to_string()),
            "quiz" => td_string!(locale, cert_short_quiz).to_string(),
            _ => td_string!(locale, cert_short_sessions).to_string(),
        })
        .collect::<Vec<_>>()
        .join("；")
}

#[component]
pub fn CertificatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let issue = ServerAction::<IssueCertificates>::new();
    let revoke = ServerAction::<RevokeCertificate>::new();
    let reissue = ServerAction::<ReissueCertificate>::new();
    let board = Resource::new(
        move || {
            (
                issue.version().get(),
                revoke.version().get(),
                reissue.version().get(),
            )
        },
        |_| certificate_board(),
    );
    let tier = RwSignal::new(String::new());
    let enterprise = RwSignal::new(String::new());
    let only = RwSignal::new(String::from("all"));
    let feedback = move || {
        if let Some(err) = issue
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
            .or_else(|| reissue.value().get().and_then(Result::err))
        {
            return Some(view! { <p class="alert alert--error" role="alert" data-testid="form-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any());
        }
        let reissued = reissue.value().get().and_then(Result::ok).map(|_| view! {
            <p class="alert alert--success" role="status" data-testid="reissue-result">{t!(i18n, cert_reissued)}</p>
        });
        let issued = issue.value().get().and_then(Result::ok).map(|r| {
            let skipped = (r.revoked > 0).then(|| view! {
                <p class="alert alert--warning" role="status" data-testid="skipped-revoked">{move || t_string!(i18n, cert_skipped_revoked).replace("{r}", &r.revoked.to_string())}</p>
            });
            view! {
                <p class="alert alert--success" role="status" data-testid="issue-result">{move || t_string!(i18n, cert_issued).replace("{n}", &r.issued.to_string()).replace("{m}", &r.already.to_string())}</p>
                {skipped}
                {r.batch.clone().map(|batch| view! { <BatchPanel batch /> })}
            }
        });
        Some(view! { {reissued}{issued} }.into_any())
    };
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, cert_title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, cert_title)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Ok(b) => {
                            let min = b.min_percent;
                            let rule = {
                                let q = b.require_quiz;
                                move || {
                                    let text = t_string!(i18n, cert_rule).replace("{min}", &min.to_string());
                                    if q { format!("{text}{}", t_string!(i18n, cert_rule_quiz)) } else { text }
                                }
                            };
                            // Tiers whose rule differs: "区县工经委、环保局：出勤 80%，无需通过测验".
                            let tier_rules = (!b.tier_rules.is_empty()).then(|| {
                                let list = b.tier_rules.clone();
                                view! {
                                    <ul class="muted tier-rules" data-testid="tier-rules">
                                        {list.into_iter().map(|(tier, r)| view! {
                                            <li>{move || t_string!(i18n, cert_tier_rule)
                                                .replace("{tier}", tier_name(i18n.get_locale(), &tier))
                                                .replace("{min}", &r.min_percent.to_string())
                                                .replace("{quiz}", if r.require_quiz { t_string!(i18n, cert_tier_rule_quiz) } else { t_string!(i18n, cert_tier_rule_no_quiz) })}</li>
                                        }).collect_view()}
                                    </ul>
                                }
                            });
                            let rows = StoredValue::new(b.rows.clone());
                            let visible = move || {
                                rows.with_value(|rows| rows.iter().filter(|r| {
                                    let (t, e) = (tier.get(), enterprise.get());
                                    (t.is_empty() || r.tier == t) && (e.is_empty() || r.enterprise == e) && match only.get().as_str() {
                                        "eligible" => r.eligible,
                                        "short" => !r.eligible,
                                        "issued" => r.serial.is_some(),
                                        _ => true,
                                    }
                                }).cloned().collect::<Vec<_>>())
                            };
                            let eligible = b.rows.iter().filter(|r| r.eligible).count();
                            let waiting = move || rows.with_value(|rows| rows.iter().filter(|r| {
                                let (t, e) = (tier.get(), enterprise.get());
                                r.eligible && r.serial.is_none() && (t.is_empty() || r.tier == t) && (e.is_empty() || r.enterprise == e)
                            }).count());
                            let issued = b.rows.iter().filter(|r| r.serial.is_some()).count();
                            let total = b.rows.len();
                            let enterprises: Vec<String> = b.rows.iter().map(|r| r.enterprise.clone()).filter(|e| !e.is_empty()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
                            view! {
                                <p class="muted">{move || localised(i18n.get_locale(), &b.programme_zh, &b.programme_en)}" · "{rule}" · "
                                    <A href="/admin/programme">{t!(i18n, plan_edit_programme)}</A></p>
                                {tier_rules}
                                <dl class="counts">
                                    <div class="counts__item"><dt>{t!(i18n, cert_trainees)}</dt><dd>{total}</dd></div>
                                    <div class="counts__item counts__item--main"><dt>{t!(i18n, cert_eligible)}</dt><dd data-testid="count-eligible">{eligible}</dd></div>
                                    <div class="counts__item"><dt>{t!(i18n, cert_issued_count)}</dt><dd data-testid="count-issued">{issued}</dd></div>
                                </dl>
                                <div class="filters">
                                    <div class="field">
                                        <label for="cert-tier">{t!(i18n, admin_tier)}</label>
                                        <select id="cert-tier" on:change=move |ev| tier.set(event_target_value(&ev)) prop:value=move || tier.get()>
                                            <option value="">{t!(i18n, cert_all_tiers)}</option>
                                            {Tier::ALL.into_iter().map(|t| view! { <option value=t.code()>{move || tier_name(i18n.get_locale(), t.code())}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="cert-enterprise">{t!(i18n, quiz_enterprise)}</label>
                                        <select id="cert-enterprise" on:change=move |ev| enterprise.set(event_target_value(&ev)) prop:value=move || enterprise.get()>
                                            <option value="">{t!(i18n, cert_all_enterprises)}</option>
                                            {enterprises.into_iter().map(|e| view! { <option value=e.clone()>{e.clone()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label for="cert-only">{t!(i18n, cert_show)}</label>
                                        <select id="cert-only" on:change=move |ev| only.set(event_target_value(&ev)) prop:value=move || only.get()>
                                            <option value="all">{t!(i18n, cert_show_all)}</option>
                                            <option value="eligible">{t!(i18n, cert_eligible)}</option>
                                            <option value="short">{t!(i18n, cert_not_yet)}</option>
                                            <option value="issued">{t!(i18n, cert_issued_count)}</option>
                                        </select>
                                    </div>
                                    <ActionForm action=issue>
                                        <input type="hidden" name="tier" prop:value=move || tier.get() />
                                        <input type="hidden" name="enterprise" prop:value=move || enterprise.get() />
                                        <button type="submit" class="button" data-testid="issue" disabled=move || { waiting() == 0 || issue.pending().get() }>
                                            {move || t_string!(i18n, cert_issue_n).replace("{n}", &waiting().to_string())}
                                        </button>
                                    </ActionForm>
                                </div>
                                {feedback}
                                <div class="table-wrap" tabindex="0">
                                    <table class="table" data-testid="certificates">
                                        <thead><tr>
                                            <th>{t!(i18n, admin_name)}</th>
                                            <th>{t!(i18n, quiz_enterprise)}</th>
                                            <th>{t!(i18n, admin_tier)}</th>
                                            <th>{t!(i18n, cert_hours)}</th>
                                            <th>{t!(i18n, cert_quiz)}</th>
                                            <th>{t!(i18n, quiz_status)}</th>
                                            <th>{t!(i18n, cert_certificate)}</th>
                                        </tr></thead>
                                        <tbody>
                                            <For each=visible key=|r| (r.person_id, r.serial.clone(), r.revoked) let:r>
                                                {
                                                    let tier = r.tier.clone();
                                                    let quiz = r.quiz_passed;
                                                    let eligible = r.eligible;
                                                    let why = {
                                                        let r = r.clone();
                                                        move || reason_text(i18n.get_locale(), &r)
                                                    };
                                                    let cert = r.serial.clone().map(|serial| {
                                                        let revoked = r.revoked;
                                                        let again = (revoked && eligible).then(|| view! {
                                                            <ActionForm action=reissue attr:class="roll__form">
                                                                <input type="hidden" name="person_id" value=r.person_id.to_string() />
                                                                <button type="submit" class="button button--small" data-testid="reissue" disabled=move || reissue.pending().get()>{t!(i18n, cert_reissue)}</button>
                                                            </ActionForm>
                                                        });
                                                        let form = (!revoked).then(|| {
                                                            let serial = serial.clone();
                                                            view! {
                                                                <ActionForm action=revoke attr:class="roll__form">
                                                                    <input type="hidden" name="serial" value=serial.clone() />
                                                                    <label class="visually-hidden" for=format!("reason-{serial}")>{t!(i18n, cert_revoke_reason)}</label>
                                                                    <input id=format!("reason-{serial}") name="reason" type="text" required maxlength="200" placeholder=move || t_string!(i18n, cert_revoke_reason) />
                                                                    <button type="submit" class="button button--secondary button--small" data-testid="revoke">{t!(i18n, cert_revoke)}</button>
                                                                </ActionForm>
                                                            }
                                                        });
                                                        view! {
                                                            <a href=format!("/certificates/{serial}/certificate.pdf") rel="external" data-testid="pdf">{serial.clone()}</a>
                                                            {revoked.then(|| view! { " "<span class="status status--absent">{t!(i18n, cert_revoked)}</span> })}
                                                            {form}
                                                            {again}
                                                        }
                                                    });
                                                    view! {
                                                        <tr data-testid="cert-row" data-eligible=eligible.to_string() data-person=r.person_id.to_string()>
                                                            <td>{r.name.clone()}</td>
                                                            <td>{r.enterprise.clone()}</td>
                                                            <td>{move || tier_name(i18n.get_locale(), &tier)}</td>
                                                            <td>{format!("{}/{} ({}%)", r.hours_attended, r.hours_due, r.percent)}</td>
                                                            <td>{move || match quiz { Some(true) => t_string!(i18n, cert_passed), Some(false) => t_string!(i18n, cert_not_passed), None => "–" }}</td>
                                                            <td>{move || if eligible { view! { <span class="status status--present">{t!(i18n, cert_eligible)}</span> }.into_any() } else { view! { <span class="muted" data-testid="why">{why.clone()}</span> }.into_any() }}</td>
                                                            <td>{cert}</td>
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

/// Public: anyone holding a certificate's serial (or its QR code) checks it here.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let serial = move || params.read().get("serial").unwrap_or_default();
    let found = Resource::new(serial, verify_certificate);
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, cert_verify_title).to_string()) />
        <section class="page page--narrow">
            <h1>{t!(i18n, cert_verify_title)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(v) => {
                            let valid = v.valid;
                            let reason = v.revoked_reason.clone();
                            view! {
                                <p class=if valid { "alert alert--success" } else { "alert alert--error" } role="status" data-testid="verdict" data-valid=valid.to_string()>
                                    <strong>{move || if valid { t_string!(i18n, cert_valid) } else { t_string!(i18n, cert_revoked) }}</strong>
                                    {reason.map(|r| view! { " · "{t!(i18n, cert_revoke_reason)}"："{r} })}
                                </p>
                                <dl class="facts">
                                    <dt>{t!(i18n, cert_serial)}</dt><dd data-testid="serial">{v.serial}</dd>
                                    <dt>{t!(i18n, admin_name)}</dt><dd data-testid="holder">{v.name}</dd>
                                    <dt>{t!(i18n, cert_programme)}</dt><dd>{v.programme}</dd>
                                    <dt>{t!(i18n, cert_courses)}</dt><dd>{v.courses.join("、")}</dd>
                                    <dt>{t!(i18n, cert_issued_on)}</dt><dd>{v.issued_on}</dd>
                                    <dt>{t!(i18n, cert_issuer)}</dt><dd>{v.issuers.join("、")}</dd>
                                </dl>
                            }.into_any()
                        }
                        Err(crate::error::AppError::NotFound) => view! {
                            <p class="alert alert--error" role="alert" data-testid="verdict" data-valid="false">{t!(i18n, cert_not_found)}</p>
                        }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn MyCertificatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let mine = Resource::new(|| (), |_| my_certificates());
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, cert_mine).to_string()) />
        <section class="page page--narrow">
            <h1>{t!(i18n, cert_mine)}</h1>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match mine.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, cert_none)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="my-sessions">
                                {list.into_iter().map(|c| view! {
                                    <li data-testid="my-certificate">
                                        <strong>{c.programme}</strong>
                                        <span class="muted">{format!("{} · {}", c.issued_on, c.serial)}</span>
                                        {if c.revoked {
                                            view! { <span class="status status--absent">{t!(i18n, cert_revoked)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <span>
                                                    <a class="button button--small" href=format!("/certificates/{}/certificate.pdf", c.serial) rel="external" data-testid="my-pdf">{t!(i18n, cert_download)}</a>" "
                                                    <A href=format!("/verify/{}", c.serial)>{t!(i18n, cert_verify_title)}</A>
                                                </span>
                                            }.into_any()
                                        }}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
