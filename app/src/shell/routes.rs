//! Every page is a lazily loaded route: built with `cargo leptos build --split`, each page's code
//! is a wasm chunk of its own, fetched when the page is first shown (and preloaded from `<head>`
//! when the server renders it), so the bundle every visit downloads holds only the framework,
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
