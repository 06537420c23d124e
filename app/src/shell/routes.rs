//! Every page is a lazily loaded route: built with `cargo leptos build --split`, each page's code
//! is a wasm chunk of its own, fetched when the page is first shown (and preloaded from `<head>`
//! when the server renders it), so the bundle every visit downloads holds only the framework,
//! the layout and the translations. Without `--split` the same routes are ordinary ones.

use leptos::prelude::*;
use leptos_meta::{Link, Meta};
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
                        {chunk_preloads(stringify!($route))}
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

/// On the server, a `<link rel="preload">` in `<head>` for each wasm chunk of the route (from
/// cargo-leptos' split manifest) and a `modulepreload` for the chunk loader, so the browser
/// fetches them beside the main wasm instead of after it has started. (leptos_integration_utils
/// 0.8 means to add these itself, but looks for the manifest outside the response's owner and
/// never finds it.) They are registered after the route's `<meta>`, the last head tag the browser
/// hydrates, so it never has to claim them; in the body the list is just the marker that an
/// empty list hydrates against. Nothing without `--split` (no manifest) or in tests.
fn chunk_preloads(route: &'static str) -> impl IntoView {
    // Concrete lists: an `AnyView` of a head tag leaves a marker in the body that the browser,
    // rendering no list items, would not expect.
    #[cfg(feature = "ssr")]
    let (loader, chunks) = match split_manifest::chunks(route) {
        Some(split) => (vec![split.loader.clone()], split.chunks.to_vec()),
        None => (Vec::new(), Vec::new()),
    };
    #[cfg(not(feature = "ssr"))]
    let (loader, chunks) = {
        let _ = route;
        (Vec::<String>::new(), Vec::<String>::new())
    };
    let loader = loader
        .into_iter()
        .map(|href| view! { <Link rel="modulepreload" href=href /> })
        .collect::<Vec<_>>();
    let chunks = chunks
        .into_iter()
        .map(|href| {
            view! { <Link rel="preload" href=href as_="fetch" type_="application/wasm" crossorigin="" /> }
        })
        .collect::<Vec<_>>();
    (loader, chunks)
}

#[cfg(feature = "ssr")]
pub mod split_manifest {
    use std::collections::HashMap;
    use std::sync::{Arc, OnceLock};

    /// The split build's manifest: split name → the chunks it needs.
    static MANIFEST: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    /// Each route's preloads, worked out once (`None`: nothing to preload).
    type Routes = HashMap<&'static str, Option<Arc<Split>>>;
    static ROUTES: std::sync::Mutex<Option<Routes>> = std::sync::Mutex::new(None);

    /// What a route's page preloads: the chunk loader's URL and its chunks' URLs.
    pub struct Split {
        pub loader: String,
        pub chunks: Vec<String>,
    }

    const LOADER: &str = "__wasm_split.______________________.js";

    /// What to preload for a route; `None` when the site was not built with `--split` or the
    /// route has no split.
    pub fn chunks(route: &'static str) -> Option<Arc<Split>> {
        let mut routes = ROUTES
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let routes = routes.get_or_insert_with(HashMap::new);
        if let Some(found) = routes.get(route) {
            return found.clone();
        }
        let pkg = pkg_dir();
        let manifest = MANIFEST.get_or_init(|| {
            pkg.as_ref()
                .and_then(|(dir, _)| {
                    std::fs::read_to_string(dir.join("__wasm_split_manifest.json")).ok()
                })
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default()
        });
        let split = match (&pkg, route_chunks(manifest, route)) {
            (Some((_, url)), Some(chunks)) => Some(Arc::new(Split {
                loader: format!("{url}/{LOADER}"),
                chunks: chunks
                    .iter()
                    .map(|chunk| format!("{url}/{chunk}.wasm"))
                    .collect(),
            })),
            _ => None,
        };
        routes.insert(route, split.clone());
        split
    }

    /// The site's pkg folder on disk and its URL path, from the Leptos options.
    fn pkg_dir() -> Option<(std::path::PathBuf, String)> {
        let options = crate::state::app_state().ok()?.leptos_options;
        let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
        Some((dir, format!("/{}", options.site_pkg_dir)))
    }

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
