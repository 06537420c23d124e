//! `/admin/import`: choose a file, check it or import it, and see every bad row. The browser
//! reads the file and sends it base64-encoded to [`super::import_people`]; what the page shows
//! while it waits says which step it is in.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{Column, ImportCounts, ImportIssue, ImportPeople, ImportReport};
use crate::error::{error_text, validation_message};
use crate::i18n::*;

/// Where the upload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Idle,
    Reading,
    /// The browser could not read the file, or it is too large: an i18n key below.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Refused(&'static str),
}

fn column_label(locale: Locale, column: Column) -> &'static str {
    match locale {
        Locale::zh_CN => column.header_zh(),
        Locale::en => column.header_en(),
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ImportPeople>::new();
    let stage = RwSignal::new(Stage::Idle);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let busy = move || stage.get() == Stage::Reading || action.pending().get();

    let start = move |check_only: bool| {
        if busy() {
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            use base64::Engine;
            let Some(el) = input.get_untracked() else {
                return;
            };
            let Some(file) = el.files().and_then(|f| f.get(0)) else {
                stage.set(Stage::Refused("no_file"));
                return;
            };
            if file.size() > super::MAX_FILE_BYTES as f64 {
                stage.set(Stage::Refused("too_large"));
                return;
            }
            stage.set(Stage::Reading);
            leptos::task::spawn_local(async move {
                let read = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await;
                match read {
                    Ok(buffer) => {
                        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                        stage.set(Stage::Idle);
                        action.dispatch(ImportPeople {
                            file_name: file.name(),
                            content: base64::engine::general_purpose::STANDARD.encode(bytes),
                            check_only,
                        });
                    }
                    Err(_) => stage.set(Stage::Refused("read_failed")),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (check_only, input);
        }
    };

    let status = move || {
        let locale = i18n.get_locale();
        match stage.get() {
            Stage::Reading => Some(busy_bar(td_string!(locale, imp_reading))),
            Stage::Refused(key) => {
                let text = match key {
                    "no_file" => td_string!(locale, imp_no_file),
                    "too_large" => td_string!(locale, imp_too_large),
                    _ => td_string!(locale, imp_read_failed),
                };
                Some(view! { <p class="alert alert--error" role="alert" data-testid="import-error">{text}</p> }.into_any())
            }
            Stage::Idle if action.pending().get() => {
                Some(busy_bar(td_string!(locale, imp_uploading)))
            }
            Stage::Idle => None,
        }
    };
    let result = move || {
        if action.pending().get() {
            return None;
        }
        action.value().get().map(|r| match r {
            Ok(report) => view! { <ReportView report /> }.into_any(),
            Err(err) => view! { <p class="alert alert--error" role="alert" data-testid="import-error">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
        })
    };

    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, imp_title).to_string()) />
        <section class="page">
            <p><A href="/admin/people">{t!(i18n, admin_people)}</A></p>
            <h1>{t!(i18n, imp_title)}</h1>
            <p>{t!(i18n, imp_intro)}</p>
            <p class="actions">
                {t!(i18n, imp_templates)}" "
                <a class="button button--secondary" href="/admin/import/template.xlsx" rel="external" download data-testid="template-xlsx">{t!(i18n, imp_template_xlsx)}</a>
                " "
                <a class="button button--secondary" href="/admin/import/template.csv" rel="external" download data-testid="template-csv">{t!(i18n, imp_template_csv)}</a>
            </p>
            <ColumnGuide />
            <form
                class="form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    start(false);
                }
            >
                <div class="field">
                    <label for="import-file">{t!(i18n, imp_file)}</label>
                    <input
                        id="import-file"
                        name="file"
                        type="file"
                        accept=".csv,.xlsx,.xls,.ods,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        node_ref=input
                        on:change=move |_| stage.set(Stage::Idle)
                        data-testid="import-file"
                    />
                </div>
                <div class="actions">
                    <button type="button" class="button button--secondary" data-testid="import-check" disabled=busy on:click=move |_| start(true)>
                        {t!(i18n, imp_check)}
                    </button>
                    " "
                    <button type="submit" class="button" data-testid="import-submit" disabled=busy>
                        {t!(i18n, imp_submit)}
                    </button>
                </div>
            </form>
            <div aria-live="polite">{status}</div>
            {result}
        </section>
    }
}

fn busy_bar(text: &'static str) -> AnyView {
    view! {
        <div class="progress" role="status" data-testid="import-busy">
            <div class="progress__track"><div class="progress__fill progress__fill--busy"></div></div>
            <span class="progress__text">{text}</span>
        </div>
    }
    .into_any()
}

/// The columns, what each takes, and the rules, folded away until asked for.
#[component]
fn ColumnGuide() -> impl IntoView {
    let i18n = use_i18n();
    let accepts = move |c: Column| super::column_help(i18n.get_locale(), c);
    let required = move |c: Column| {
        let l = i18n.get_locale();
        match c {
            Column::Phone | Column::Email => td_string!(l, imp_one_of_two),
            c if c.required() => td_string!(l, imp_yes),
            Column::District | Column::Reason => td_string!(l, imp_yes),
            _ => td_string!(l, imp_no),
        }
    };
    view! {
        <details class="toc">
            <summary>{t!(i18n, imp_columns)}</summary>
            <div class="table-wrap" tabindex="0">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, imp_column)}</th>
                            <th scope="col">{t!(i18n, imp_required)}</th>
                            <th scope="col">{t!(i18n, imp_accepts)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {Column::ALL
                            .into_iter()
                            .map(|c| view! {
                                <tr>
                                    <td>{c.header_zh()}<br /><span class="muted">{c.key()}</span></td>
                                    <td>{move || required(c)}</td>
                                    <td>{move || accepts(c)}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="muted">{t!(i18n, imp_rules)}</p>
        </details>
    }
}

fn counts_text(locale: Locale, c: ImportCounts) -> String {
    format!(
        "{} {}，{} {}，{} {}",
        td_string!(locale, imp_created),
        c.created,
        td_string!(locale, imp_updated),
        c.updated,
        td_string!(locale, imp_unchanged),
        c.unchanged
    )
    .replace('，', if locale == Locale::en { ", " } else { "，" })
}

#[component]
fn ReportView(report: ImportReport) -> impl IntoView {
    let i18n = use_i18n();
    let ImportReport {
        file_name,
        rows,
        issues,
        ignored_columns,
        written,
        enterprises,
        people,
        logins,
        mailed,
    } = report;
    let ignored = (!ignored_columns.is_empty()).then(|| {
        let list = ignored_columns.join("、");
        view! { <p class="muted" data-testid="import-ignored">{t!(i18n, imp_ignored)}" "{list}</p> }
    });
    if !issues.is_empty() {
        let count = issues.len();
        return view! {
            <div class="alert alert--error" role="alert" data-testid="import-rejected">
                {file_name}" · "{t!(i18n, imp_rejected)}" "<strong data-testid="issue-count">{count}</strong>
            </div>
            {ignored}
            <IssueTable issues />
        }
        .into_any();
    }
    let summary = move || {
        let l = i18n.get_locale();
        format!(
            "{}{rows}。{}：{}；{}：{}",
            td_string!(l, imp_rows),
            td_string!(l, imp_enterprises),
            counts_text(l, enterprises),
            td_string!(l, imp_people),
            counts_text(l, people)
        )
    };
    let logins = (!logins.is_empty()).then(|| {
        let total = logins.len();
        let body = logins
            .into_iter()
            .map(|l| {
                view! {
                    <tr>
                        <td>{l.row}</td>
                        <td>{l.name}</td>
                        <td><a href=l.login_path.clone()>{l.login_path.clone()}</a></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <p class="muted" data-testid="import-mailed">{move || t_string!(i18n, imp_mailed).replace("{n}", &mailed.to_string()).replace("{m}", &(total - mailed as usize).to_string())}</p>
            <details class="toc" data-testid="import-logins">
                <summary>{t!(i18n, imp_logins)}</summary>
                <div class="table-wrap" tabindex="0">
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, imp_row)}</th>
                                <th scope="col">{t!(i18n, admin_name)}</th>
                                <th scope="col">{t!(i18n, imp_login)}</th>
                            </tr>
                        </thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            </details>
        }
    });
    view! {
        <div class="alert alert--success" role="status" data-testid=if written { "import-done" } else { "import-checked" }>
            <strong>
                {move || if written { t_string!(i18n, imp_done) } else { t_string!(i18n, imp_checked) }}
            </strong>
            " "{file_name}
            <br />
            <span data-testid="import-summary">{summary}</span>
        </div>
        {ignored}
        {logins}
    }
    .into_any()
}

#[component]
fn IssueTable(issues: Vec<ImportIssue>) -> impl IntoView {
    let i18n = use_i18n();
    let body = issues
        .into_iter()
        .map(|issue| {
            let ImportIssue {
                row,
                column,
                letter,
                header,
                code,
                value,
                other_row,
            } = issue;
            let where_ = move || {
                let l = i18n.get_locale();
                let name = if !header.is_empty() {
                    header.clone()
                } else {
                    column
                        .map(|c| column_label(l, c).to_string())
                        .unwrap_or_default()
                };
                match letter.as_str() {
                    "" => name,
                    letter => format!("{letter} · {name}"),
                }
            };
            let reason = move || {
                let l = i18n.get_locale();
                let text = validation_message(l, &code).to_string();
                match other_row {
                    Some(row) => format!("{text}（{}{row}）", td_string!(l, imp_other_row)),
                    None => text,
                }
            };
            view! {
                <tr data-testid="issue-row">
                    <td>{move || if row == 0 { t_string!(i18n, imp_whole_file).to_string() } else { row.to_string() }}</td>
                    <td>{where_}</td>
                    <td>{reason}</td>
                    <td><code>{value}</code></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" data-testid="issue-table">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, imp_row)}</th>
                        <th scope="col">{t!(i18n, imp_column)}</th>
                        <th scope="col">{t!(i18n, imp_problem)}</th>
                        <th scope="col">{t!(i18n, imp_value)}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
