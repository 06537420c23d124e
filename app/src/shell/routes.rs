//! Every page is a lazily loaded route: built with `cargo leptos build --split`, each page's code
//! is a wasm chunk of its own, fetched when the page is first shown (and preloaded from `<head>`
//! when the server renders it: Leptos' `HydrationScripts` reads the split manifest and each
//! lazy route names its chunks), so the bundle every visit downloads holds only the framework,
//! the layout and the translations. Without `--split` the same routes are ordinary ones.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::{lazy_route, LazyRoute};

/// A lazily loaded route showing one page component that takes no props. The page also names
/// its route in `<meta name="academy-page">`, so the browser can fetch that route's chunk
/// before it hydrates (see `preload`).
macro_rules! lazy_page {
    ($($route:ident => $page:path;)+) => {
        $(
            pub struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                fn view(_this: Self) -> AnyView {
                    view! {
                        <Meta name="academy-page" content=stringify!($route) />
                        {$page()}
                    }
                    .into_any()
                }
            }
        )+

        /// Fetches the chunks of the route the server rendered, named by the page's
        /// `<meta name="academy-page">`. Awaited before hydration, it lets the router walk the
        /// server's HTML in one go, as with a single bundle: without it, the layout hydrates,
        /// then waits for the page's chunk, and meanwhile the `<title>` is empty and the
        /// layout's effects run against a page that is not hydrated yet.
        #[cfg(feature = "hydrate")]
        pub async fn preload(route: &str) {
            match route {
                $(stringify!($route) => <$route as LazyRoute>::preload().await,)+
                _ => {}
            }
        }
    };
}

lazy_page! {
    HomeRoute => crate::home::HomePage;
    SignInRoute => crate::auth::pages::SignInPage;
    WelcomeRoute => crate::auth::pages::WelcomePage;
    AccountRoute => crate::auth::pages::AccountPage;
    CatalogRoute => crate::catalog::pages::CatalogPage;
    CourseRoute => crate::catalog::pages::CoursePage;
    LessonRoute => crate::catalog::pages::LessonPage;
    MyLearningRoute => crate::catalog::pages::MyLearningPage;
    QuizRoute => crate::quiz::pages::QuizPage;
    AttemptRoute => crate::quiz::pages::AttemptPage;
    ReviewRoute => crate::quiz::pages::ReviewPage;
    QuizResultsRoute => crate::quiz::pages::QuizResultsPage;
    ScheduleRoute => crate::scheduling::pages::SchedulePage;
    SessionRoute => crate::scheduling::pages::SessionPage;
    SignInSheetRoute => crate::scheduling::pages::SignInSheetPage;
    ProjectorRoute => crate::attendance::pages::ProjectorPage;
    RollCallRoute => crate::attendance::pages::RollCallPage;
    CheckInRoute => crate::attendance::pages::CheckInPage;
    ProgressRoute => crate::attendance::pages::ProgressPage;
    CertificatesRoute => crate::certificate::pages::CertificatesPage;
    VerifyRoute => crate::certificate::pages::VerifyPage;
    MyCertificatesRoute => crate::certificate::pages::MyCertificatesPage;
    MyScheduleRoute => crate::scheduling::pages::MySchedulePage;
    PeopleAdminRoute => crate::admin::pages::PeopleAdminPage;
    AuditRoute => crate::admin::pages::AuditPage;
    MailRoute => crate::mail::pages::MailPage;
    ImportRoute => crate::people::import::page::ImportPage;
    EnterprisesRoute => crate::people::enterprises::page::EnterprisesPage;
    PlanRoute => crate::scheduling::plan::page::PlanPage;
    ProgrammeRoute => crate::scheduling::programme::page::ProgrammePage;
    PersonAdminRoute => crate::admin::pages::PersonAdminPage;
}

/// Reading cargo-leptos' split manifest, for the benchmark that weighs each page's download.
/// (The server no longer adds its own preloads: Leptos 0.8.23 adds every chunk of the route,
/// and ours doubled them, 163 `<link>` tags more on the catalog page, rendered on each request.)
#[cfg(feature = "ssr")]
pub mod split_manifest {
    use std::collections::HashMap;

    /// `#[lazy_route]` names a route's view split `__{route in snake case}_view_{hash}`.
    pub fn route_chunks<'m>(
        manifest: &'m HashMap<String, Vec<String>>,
        route: &str,
    ) -> Option<&'m Vec<String>> {
        let prefix = format!("__{}_view_", snake(route));
        manifest
            .iter()
            .find(|(key, _)| key.starts_with(&prefix))
            .map(|(_, chunks)| chunks)
    }

    /// `CatalogRoute` → `catalog_route`.
    fn snake(name: &str) -> String {
        let mut out = String::with_capacity(name.len() + 4);
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_route_finds_its_own_view_split_and_not_a_longer_name() {
            let manifest: HashMap<String, Vec<String>> = serde_json::from_str(
                r#"{"__quiz_route_view_123": ["chunk_1", "split_quiz"],
                    "__quiz_results_route_view_456": ["chunk_2"],
                    "__catalog_route_data_9": ["chunk_3"]}"#,
            )
            .unwrap();
            assert_eq!(
                route_chunks(&manifest, "QuizRoute").unwrap(),
                &vec!["chunk_1".to_string(), "split_quiz".to_string()]
            );
            assert_eq!(
                route_chunks(&manifest, "QuizResultsRoute").unwrap(),
                &vec!["chunk_2".to_string()]
            );
            assert!(route_chunks(&manifest, "CatalogRoute").is_none());
        }
    }
}
