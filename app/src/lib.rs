//! The academy web application: the HTML shell, the router and the domain modules.
//! Built twice: for the server (`ssr`, with SeaORM entities and services) and as the wasm
//! bundle that hydrates the pages (`hydrate`).
#![recursion_limit = "256"]

// leptos_i18n 0.6 also offers build.rs code generation; the macro does the same at compile time
// with less set-up, and still checks every key in both languages.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub use locales::i18n;

pub mod admin;
pub mod attendance;
pub mod auth;
pub mod catalog;
pub mod certificate;
pub mod codec;
pub mod error;
pub mod home;
pub mod mail;
pub mod people;
pub mod quiz;
pub mod report;
pub mod scheduling;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, Lazy, SsrMode,
};

use crate::i18n::*;
use crate::shell::routes;

/// The document around every page; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    set_page_csp();
    view! {
        <I18nContextProvider cookie_name="lang">
            <Stylesheet id="leptos" href="/pkg/academy.css" />
            <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
            <AppTitle />
            <Router>
                <shell::Layout>
                    // Pages whose status (404 for a missing lesson, 401 before sign-in) matters are
                    // rendered whole before the first byte, so the status is right.
                    <Routes fallback=shell::NotFound>
                        <Route path=path!("/") view={Lazy::<routes::HomeRoute>::new()} />
                        <Route path=path!("/sign-in") view={Lazy::<routes::SignInRoute>::new()} />
                        <Route path=path!("/welcome/:token") view={Lazy::<routes::WelcomeRoute>::new()} />
                        <Route path=path!("/account") view={Lazy::<routes::AccountRoute>::new()} />
                        <Route path=path!("/courses") view={Lazy::<routes::CatalogRoute>::new()} />
                        <Route path=path!("/courses/:slug") view={Lazy::<routes::CourseRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/lessons/:slug") view={Lazy::<routes::LessonRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/learning") view={Lazy::<routes::MyLearningRoute>::new()} />
                        <Route path=path!("/quizzes/:slug") view={Lazy::<routes::QuizRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/attempts/:id") view={Lazy::<routes::AttemptRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/attempts/:id/review") view={Lazy::<routes::ReviewRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/admin/quizzes/:slug") view={Lazy::<routes::QuizResultsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/schedule") view={Lazy::<routes::ScheduleRoute>::new()} />
                        <Route path=path!("/sessions/:id") view={Lazy::<routes::SessionRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/sessions/:id/sheet") view={Lazy::<routes::SignInSheetRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/sessions/:id/projector") view={Lazy::<routes::ProjectorRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/sessions/:id/attendance") view={Lazy::<routes::RollCallRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/check-in") view={Lazy::<routes::CheckInRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/progress") view={Lazy::<routes::ProgressRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/certificates") view={Lazy::<routes::CertificatesRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/verify/:serial") view={Lazy::<routes::VerifyRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("/my/certificates") view={Lazy::<routes::MyCertificatesRoute>::new()} />
                        <Route path=path!("/my/schedule") view={Lazy::<routes::MyScheduleRoute>::new()} />
                        <Route path=path!("/admin/people") view={Lazy::<routes::PeopleAdminRoute>::new()} />
                        <Route path=path!("/admin/audit") view={Lazy::<routes::AuditRoute>::new()} />
                        <Route path=path!("/admin/mail") view={Lazy::<routes::MailRoute>::new()} />
                        <Route path=path!("/admin/import") view={Lazy::<routes::ImportRoute>::new()} />
                        <Route path=path!("/admin/enterprises") view={Lazy::<routes::EnterprisesRoute>::new()} />
                        <Route path=path!("/admin/plan") view={Lazy::<routes::PlanRoute>::new()} />
                        <Route path=path!("/admin/programme") view={Lazy::<routes::ProgrammeRoute>::new()} />
                        <Route path=path!("/admin/people/:id") view={Lazy::<routes::PersonAdminRoute>::new()} ssr=SsrMode::Async />
                    </Routes>
                </shell::Layout>
            </Router>
        </I18nContextProvider>
    }
}

#[component]
fn AppTitle() -> impl IntoView {
    let i18n = use_i18n();
    // On the server the head is written after an async page has rendered, when reading the
    // locale signal can panic (see `shell::title_text`): the language is fixed there.
    let server_locale = i18n.get_locale_untracked();
    let formatter = move |text: String| {
        let locale = if cfg!(feature = "ssr") {
            server_locale
        } else {
            i18n.get_locale()
        };
        let product = td_string!(locale, product_name);
        if text.is_empty() {
            product.to_string()
        } else {
            format!("{text} · {product}")
        }
    };
    view! { <Title formatter /> }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Each page is a lazy route (see `shell::routes`): its chunk is fetched first, then the
    // router walks the server's HTML.
    wasm_bindgen_futures::spawn_local(async move {
        let Some(body) = document().body() else {
            return;
        };
        let page = document()
            .query_selector(r#"meta[name="academy-page"]"#)
            .ok()
            .flatten()
            .and_then(|meta| meta.get_attribute("content"));
        if let Some(page) = page {
            shell::routes::preload(&page).await;
        }
        leptos::mount::hydrate_from_async(body.clone(), App)
            .await
            .forget();
        // End-to-end tests wait for this before they interact with the page.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

/// Sets the page's Content-Security-Policy with this response's nonce, which the hydration
/// script and the streamed resources carry: no other inline script can run.
#[cfg(feature = "ssr")]
fn set_page_csp() {
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
