//! Mail pages: the outbox for organisers (`/admin/mail`) and the live progress of a bulk send,
//! shown under the action that started it.
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{mail_batch, mail_outbox, BatchProgress, MailRow, ResendMail, RetryMail};
use crate::catalog::pages::ErrorPage;
use crate::error::error_text;
use crate::i18n::*;
use crate::shell::{ticker, Refusal};

fn status_text(locale: Locale, status: &str) -> &'static str {
    match status {
        "sent" => td_string!(locale, mail_sent),
        "failed" => td_string!(locale, mail_failed),
        _ => td_string!(locale, mail_queued),
    }
}

fn kind_text(locale: Locale, kind: &str) -> &'static str {
    match kind {
        "certificate" => td_string!(locale, mail_kind_certificate),
        "promoted" => td_string!(locale, mail_kind_promoted),
        "cancelled" => td_string!(locale, mail_kind_cancelled),
        "moved" => td_string!(locale, mail_kind_moved),
        "reminder" => td_string!(locale, mail_kind_reminder),
        "login_link" => td_string!(locale, mail_kind_login_link),
        _ => td_string!(locale, mail_kind_other),
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "sent" => "status status--present",
        "failed" => "status status--absent",
        _ => "status status--late",
    }
}

/// The messages; with `resend`, a sent one can be queued again from its row.
#[component]
fn MailTable(
    rows: Vec<MailRow>,
    #[prop(optional)] resend: Option<ServerAction<ResendMail>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" data-testid="mail-rows">
                <thead><tr>
                    <th>{t!(i18n, mail_recipient)}</th>
                    <th>{t!(i18n, mail_subject)}</th>
                    <th>{t!(i18n, quiz_status)}</th>
                    <th>{t!(i18n, mail_attempts)}</th>
                    <th><span class="visually-hidden">{t!(i18n, mail_eml)}</span></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let status = r.status.clone();
                        let kind = r.kind.clone();
                        view! {
                            <tr data-testid="mail-row" data-status=r.status.clone()>
                                <td>{r.to_name.clone()}<br /><span class="muted">{r.to_address.clone()}</span></td>
                                <td><span class="muted">{move || kind_text(i18n.get_locale(), &kind)}</span><br />{r.subject.clone()}</td>
                                <td>
                                    <span class=status_class(&r.status)>{move || status_text(i18n.get_locale(), &status)}</span>
                                    {r.last_error.clone().map(|e| view! { <br /><span class="muted" data-testid="mail-error">{e}</span> })}
                                </td>
                                <td>{r.attempts}</td>
                                <td class="actions">
                                    <a href=format!("/admin/mail/{}/message.eml", r.id) rel="external" download data-testid="eml">{t!(i18n, mail_eml)}</a>
                                    {resend.filter(|_| r.status == "sent").map(|action| {
                                        let id = r.id;
                                        view! {
                                            <button type="button" class="button button--secondary" data-testid="resend"
                                                disabled=move || action.pending().get()
                                                on:click=move |_| { action.dispatch(ResendMail { id }); }>{t!(i18n, mail_resend)}</button>
                                        }
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The live progress of one bulk send: a bar, the counts, who failed and why, and "retry failed".
#[component]
pub fn BatchPanel(batch: String) -> impl IntoView {
    let i18n = use_i18n();
    let tick = ticker(1);
    let refusal = Refusal::new();
    let retry = ServerAction::<RetryMail>::new();
    let batch_key = batch.clone();
    let progress = Resource::new(
        move || (batch_key.clone(), tick.get(), retry.version().get()),
        move |(b, _, _)| refusal.ask(0, mail_batch(b)),
    );
    view! {
        <section class="panel" data-testid="batch" aria-live="polite">
            <h2>{t!(i18n, mail_progress_title)}</h2>
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || {
                    let batch = batch.clone();
                    Suspend::new(async move {
                    match progress.await {
                        Ok(p) => view! { <BatchBody p batch retry /> }.into_any(),
                        Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                    }
                })}}
            </Transition>
        </section>
    }
}

#[component]
fn BatchBody(p: BatchProgress, batch: String, retry: ServerAction<RetryMail>) -> impl IntoView {
    let i18n = use_i18n();
    let done = p.done();
    let finished = p.sent + p.failed;
    let failed_rows: Vec<MailRow> = p
        .rows
        .iter()
        .filter(|r| r.status != "sent")
        .cloned()
        .collect();
    view! {
        <progress class="progress" max=p.total.max(1) value=finished data-testid="batch-bar" aria-label=move || t_string!(i18n, mail_progress_title)></progress>
        <dl class="counts">
            <div class="counts__item"><dt>{t!(i18n, mail_total)}</dt><dd data-testid="batch-total">{p.total}</dd></div>
            <div class="counts__item"><dt>{t!(i18n, mail_queued)}</dt><dd data-testid="batch-queued">{p.queued}</dd></div>
            <div class="counts__item counts__item--main"><dt>{t!(i18n, mail_sent)}</dt><dd data-testid="batch-sent">{p.sent}</dd></div>
            <div class="counts__item"><dt>{t!(i18n, mail_failed)}</dt><dd data-testid="batch-failed">{p.failed}</dd></div>
        </dl>
        {done.then(|| view! { <p class="alert alert--success" role="status" data-testid="batch-done">{t!(i18n, mail_done)}</p> })}
        {(p.failed > 0).then(|| view! {
            <ActionForm action=retry>
                <input type="hidden" name="batch" value=batch.clone() />
                <button type="submit" class="button button--secondary" data-testid="retry-failed">{t!(i18n, mail_retry_failed)}</button>
            </ActionForm>
        })}
        {(!failed_rows.is_empty()).then(|| view! { <MailTable rows=failed_rows /> })}
    }
}

/// `/admin/mail`: every message, newest first, with its state, tries and last error.
#[component]
pub fn MailPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let status = move || query.read().get("status").unwrap_or_default();
    let retry = ServerAction::<RetryMail>::new();
    let resend = ServerAction::<ResendMail>::new();
    let tick = ticker(5);
    let refusal = Refusal::new();
    let page = Resource::new(
        move || {
            (
                status(),
                tick.get(),
                retry.version().get(),
                resend.version().get(),
            )
        },
        move |(s, _, _, _)| refusal.ask(0, mail_outbox(s)),
    );
    let resent = move || {
        resend.value().get().map(|r| match r {
            Ok(_) => view! { <p class="alert alert--success" role="status" data-testid="resent">{t!(i18n, mail_resent)}</p> }.into_any(),
            Err(err) => view! { <p class="alert alert--error" role="alert" data-testid="resend-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
        })
    };
    let tab = move |code: &'static str| {
        let href = if code.is_empty() {
            "/admin/mail".to_string()
        } else {
            format!("/admin/mail?status={code}")
        };
        view! {
            <a href=href class="tab" aria-current=move || (status() == code).then_some("page")>
                {move || if code.is_empty() { t_string!(i18n, cert_show_all) } else { status_text(i18n.get_locale(), code) }}
            </a>
        }
    };
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, mail_title).to_string()) />
        <section class="page">
            <h1>{t!(i18n, mail_title)}</h1>
            <p class="muted">{t!(i18n, mail_intro)}</p>
            <nav class="tabs" aria-label=move || t_string!(i18n, mail_title)>
                {tab("")}{tab("queued")}{tab("sent")}{tab("failed")}
            </nav>
            {resent}
            <Transition fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => view! {
                            <dl class="counts">
                                <div class="counts__item"><dt>{t!(i18n, mail_queued)}</dt><dd data-testid="outbox-queued">{p.queued}</dd></div>
                                <div class="counts__item counts__item--main"><dt>{t!(i18n, mail_sent)}</dt><dd data-testid="outbox-sent">{p.sent}</dd></div>
                                <div class="counts__item"><dt>{t!(i18n, mail_failed)}</dt><dd data-testid="outbox-failed">{p.failed}</dd></div>
                            </dl>
                            {(p.failed > 0).then(|| view! {
                                <ActionForm action=retry>
                                    <input type="hidden" name="batch" value="" />
                                    <button type="submit" class="button button--secondary" data-testid="retry-all">{t!(i18n, mail_retry_failed)}</button>
                                </ActionForm>
                            })}
                            {if p.rows.is_empty() {
                                view! { <p class="empty">{t!(i18n, mail_none)}</p> }.into_any()
                            } else {
                                view! { <MailTable rows=p.rows resend /> }.into_any()
                            }}
                        }.into_any(),
                        Err(err) => view! { <ErrorPage err /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
