//! The frame every page lives in: header with navigation and the language switch, footer, 404.
pub mod routes;
#[cfg(feature = "ssr")]
pub mod time;

/// A labelled input bound to one `String` field of a form kept in an `RwSignal`, with the input's
/// id as its test id: the fields the planner's and the programme's forms are made of. The caller
/// has `leptos::prelude::*` and `crate::i18n::*` in scope.
#[macro_export]
macro_rules! bound_field {
    ($i18n:ident, $form:ident, $id:literal, $label:ident, $field:ident, $type:literal) => {
        view! {
            <div class="field">
                <label for=$id>{t!($i18n, $label)}</label>
                <input id=$id type=$type data-testid=$id
                    prop:value=move || $form.with(|f| f.$field.clone())
                    on:input=move |ev| $form.update(|f| f.$field = event_target_value(&ev)) />
            </div>
        }
    };
}

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::auth::{whoami, Role};
use crate::i18n::*;

pub fn role_name(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Trainee => td_string!(locale, role_trainee),
        Role::Instructor => td_string!(locale, role_instructor),
        Role::Scheduler => td_string!(locale, role_scheduler),
        Role::Organiser => td_string!(locale, role_organiser),
        Role::DistrictOfficial => td_string!(locale, role_district_official),
        Role::Admin => td_string!(locale, role_admin),
    }
}

pub fn tier_name(locale: Locale, code: &str) -> &'static str {
    match code {
        "leader" => td_string!(locale, tier_leader),
        "auditor" => td_string!(locale, tier_auditor),
        "consultant" => td_string!(locale, tier_consultant),
        "official" => td_string!(locale, tier_official),
        "expert" => td_string!(locale, tier_expert),
        _ => "",
    }
}

/// A page title that follows the language in the browser but is plain text on the server. The
/// server writes `<title>` after an async page has rendered, when the page's reactive values may
/// already be gone: reading one there panicked under load (500 readers at once).
pub fn title_text(
    text: impl Fn() -> String + Send + Sync + 'static,
) -> leptos::text_prop::TextProp {
    if cfg!(feature = "ssr") {
        leptos::text_prop::TextProp::from(untrack(&text))
    } else {
        leptos::text_prop::TextProp::from(text)
    }
}

/// The Chinese or the English text, by locale; the Chinese one when there is no English.
pub fn localised(locale: Locale, zh: &str, en: &str) -> String {
    match locale {
        Locale::en if !en.is_empty() => en.to_string(),
        _ => zh.to_string(),
    }
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let (menu_open, set_menu_open) = signal(false);
    let me = Resource::new(|| (), |_| whoami());
    let toggle_locale = move |_| {
        let next = match i18n.get_locale() {
            Locale::zh_CN => Locale::en,
            Locale::en => Locale::zh_CN,
        };
        i18n.set_locale(next);
    };
    view! {
        <a class="skip-link" href="#main">{t!(i18n, skip_to_content)}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">"CP"</span>
                    <span class="brand__name">{t!(i18n, product_name)}</span>
                </A>
                <button
                    type="button"
                    class="nav-toggle"
                    aria-controls="site-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    {move || {
                        if menu_open.get() {
                            t_string!(i18n, nav_close)
                        } else {
                            t_string!(i18n, nav_menu)
                        }
                    }}
                </button>
                <nav
                    id="site-nav"
                    class="site-nav"
                    class:site-nav--open=move || menu_open.get()
                    aria-label=move || t_string!(i18n, nav_menu)
                >
                    <A href="/" attr:class="site-nav__link">
                        {t!(i18n, nav_home)}
                    </A>
                    <A href="/courses" attr:class="site-nav__link">
                        {t!(i18n, nav_catalog)}
                    </A>
                    <Transition>
                        {move || Suspend::new(async move {
                            let user = me.await.ok().flatten();
                            let staff = user.as_ref().is_some_and(|u| u.has_any(&[Role::Admin, Role::Scheduler, Role::Organiser, Role::DistrictOfficial]));
                            let admin = user.as_ref().is_some_and(|u| u.has(Role::Admin));
                            let issuer = user.as_ref().is_some_and(|u| u.has_any(&[Role::Admin, Role::Organiser]));
                            let planner = user.as_ref().is_some_and(|u| u.has_any(&[Role::Admin, Role::Scheduler]));
                            let signed_in = user.is_some();
                            view! {
                                <Show when=move || signed_in>
                                    <A href="/learning" attr:class="site-nav__link">{t!(i18n, nav_learning)}</A>
                                    <A href="/schedule" attr:class="site-nav__link">{t!(i18n, nav_schedule)}</A>
                                    <A href="/my/schedule" attr:class="site-nav__link">{t!(i18n, sched_mine)}</A>
                                    <A href="/my/certificates" attr:class="site-nav__link">{t!(i18n, cert_mine)}</A>
                                </Show>
                                <Show when=move || staff>
                                    <A href="/admin/people" attr:class="site-nav__link">{t!(i18n, nav_people)}</A>
                                </Show>
                                <Show when=move || planner>
                                    <A href="/admin/plan" attr:class="site-nav__link">{t!(i18n, nav_plan)}</A>
                                    <A href="/admin/enterprises" attr:class="site-nav__link">{t!(i18n, nav_enterprises)}</A>
                                </Show>
                                <Show when=move || staff>
                                    <A href="/progress" attr:class="site-nav__link">{t!(i18n, nav_progress)}</A>
                                </Show>
                                <Show when=move || issuer>
                                    <A href="/certificates" attr:class="site-nav__link">{t!(i18n, cert_title)}</A>
                                </Show>
                                <Show when=move || issuer>
                                    <A href="/admin/mail" attr:class="site-nav__link">{t!(i18n, nav_mail)}</A>
                                </Show>
                                <Show when=move || admin>
                                    <A href="/admin/audit" attr:class="site-nav__link">{t!(i18n, nav_audit)}</A>
                                </Show>
                                {match user {
                                    Some(u) => view! { <A href="/account" attr:class="site-nav__link site-nav__user" attr:data-testid="nav-account">{u.name}</A> }.into_any(),
                                    None => view! { <A href="/sign-in" attr:class="site-nav__link site-nav__user" attr:data-testid="nav-sign-in">{t!(i18n, nav_sign_in)}</A> }.into_any(),
                                }}
                            }
                        })}
                    </Transition>
                </nav>
                <button
                    type="button"
                    class="lang-switch"
                    data-testid="lang-switch"
                    title=move || t_string!(i18n, lang_switch_label)
                    on:click=toggle_locale
                >
                    {t!(i18n, lang_switch_to)}
                </button>
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1">
            {children()}
        </main>
        <footer class="site-footer">
            <p>{t!(i18n, footer_text)}</p>
            <p class="muted">{t!(i18n, footer_timezone)}</p>
        </footer>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, not_found_title).to_string()) />
        <section class="page page--narrow">
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, not_found_text)}</p>
            <p>
                <A href="/" attr:class="button">
                    {t!(i18n, not_found_back)}
                </A>
            </p>
        </section>
    }
}

/// Bumps a counter every `seconds` in the browser, for pages that follow the server live.
pub fn ticker(seconds: u64) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0u64);
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || set_tick.update(|n| *n += 1),
            std::time::Duration::from_secs(seconds),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_tick, seconds);
    tick
}

/// For a page that polls: a refusal that cannot change by asking again (forbidden, not found,
/// signed out) is remembered for that session id, and the page stops asking the server.
#[derive(Clone, Copy)]
pub struct Refusal(StoredValue<Option<(i64, crate::error::AppError)>>);

impl Refusal {
    pub fn new() -> Self {
        Refusal(StoredValue::new(None))
    }

    /// The answer of `ask`, or the refusal already given for `id`.
    pub async fn ask<T>(
        self,
        id: i64,
        ask: impl std::future::Future<Output = Result<T, crate::error::AppError>>,
    ) -> Result<T, crate::error::AppError> {
        use crate::error::AppError;
        if let Some((_, err)) = self.0.get_value().filter(|(at, _)| *at == id) {
            return Err(err);
        }
        let answer = ask.await;
        if let Err(err @ (AppError::Forbidden | AppError::NotFound | AppError::Unauthorized)) =
            &answer
        {
            self.0.set_value(Some((id, err.clone())));
        }
        answer
    }
}

impl Default for Refusal {
    fn default() -> Self {
        Self::new()
    }
}
