//! The home page: the programmes on the platform and what each kind of user does here.
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::*;

#[cfg(feature = "ssr")]
mod service;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeCard {
    pub slug: String,
    pub title_zh: String,
    pub title_en: String,
    pub starts_on: String,
    pub ends_on: String,
    pub venue_zh: String,
    pub venue_en: String,
    pub host_zh: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HomeOverview {
    pub programmes: Vec<ProgrammeCard>,
    pub enterprises: u64,
    pub people: u64,
    pub courses: u64,
}

/// Public: what the home page shows to anyone.
#[server(endpoint = "home_summary")]
pub async fn home_summary() -> Result<HomeOverview, AppError> {
    crate::error::respond(
        async {
            let state = crate::state::app_state()?;
            service::home_summary(&state.db).await
        }
        .await,
    )
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let summary = Resource::new(|| (), |_| home_summary());
    view! {
        <Title text="" />
        <section class="hero">
            <h1>{t!(i18n, product_name)}</h1>
            <p class="hero__tagline">{t!(i18n, product_tagline)}</p>
        </section>
        <section class="page" aria-labelledby="programmes-heading">
            <h2 id="programmes-heading">{t!(i18n, home_programmes)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(summary) => view! { <Summary summary /> }.into_any(),
                        Err(_) => view! { <p class="alert alert--error" role="alert">{t!(i18n, error_internal)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="page cards" aria-label=move || t_string!(i18n, home_tiers)>
            <article class="card">
                <h3>{t!(i18n, home_for_trainees)}</h3>
                <p>{t!(i18n, home_for_trainees_text)}</p>
            </article>
            <article class="card">
                <h3>{t!(i18n, home_for_school)}</h3>
                <p>{t!(i18n, home_for_school_text)}</p>
            </article>
            <article class="card">
                <h3>{t!(i18n, home_for_organisers)}</h3>
                <p>{t!(i18n, home_for_organisers_text)}</p>
            </article>
        </section>
    }
}

#[component]
fn Summary(summary: HomeOverview) -> impl IntoView {
    let i18n = use_i18n();
    if summary.programmes.is_empty() {
        return view! { <p class="empty">{t!(i18n, home_no_programmes)}</p> }.into_any();
    }
    let programmes = summary
        .programmes
        .into_iter()
        .map(|p| {
            let title = {
                let p = p.clone();
                move || match i18n.get_locale() {
                    Locale::zh_CN => p.title_zh.clone(),
                    Locale::en => p.title_en.clone(),
                }
            };
            let venue = {
                let p = p.clone();
                move || match i18n.get_locale() {
                    Locale::zh_CN => p.venue_zh.clone(),
                    Locale::en => p.venue_en.clone(),
                }
            };
            view! {
                <article class="programme" data-testid="programme">
                    <h3>{title}</h3>
                    <dl class="facts">
                        <dt>{t!(i18n, home_dates)}</dt>
                        <dd>{format!("{} – {}", p.starts_on, p.ends_on)}</dd>
                        <dt>{t!(i18n, home_venue)}</dt>
                        <dd>{venue}</dd>
                        <dt>{t!(i18n, home_host)}</dt>
                        <dd>{p.host_zh.clone()}</dd>
                    </dl>
                </article>
            }
        })
        .collect_view();
    view! {
        {programmes}
        <dl class="stats">
            <div class="stat">
                <dt>{t!(i18n, home_stats_enterprises)}</dt>
                <dd data-testid="stat-enterprises">{summary.enterprises}</dd>
            </div>
            <div class="stat">
                <dt>{t!(i18n, home_stats_people)}</dt>
                <dd data-testid="stat-people">{summary.people}</dd>
            </div>
            <div class="stat">
                <dt>{t!(i18n, home_stats_courses)}</dt>
                <dd data-testid="stat-courses">{summary.courses}</dd>
            </div>
        </dl>
    }
    .into_any()
}
