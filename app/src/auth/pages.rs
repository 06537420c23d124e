//! Sign-in, first login (set your password), and my account.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    whoami, ChangePassword, PasswordProblem, RedeemLoginLink, SignIn, SignInFailure, SignOut,
};
use crate::error::error_text;
use crate::i18n::*;

#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let outcome = move || {
        action.value().get().map(|result| {
            let text = match result {
                Ok(Some(SignInFailure::Invalid)) => t_string!(i18n, auth_invalid).to_string(),
                Ok(Some(SignInFailure::Throttled)) => t_string!(i18n, auth_throttled).to_string(),
                Ok(None) => return view! { <p class="alert alert--success" role="status">{t!(i18n, auth_signed_in)}</p> }.into_any(),
                Err(err) => error_text(i18n.get_locale(), &err),
            };
            view! { <p class="alert alert--error" role="alert" data-testid="form-error">{text}</p> }.into_any()
        })
    };
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, auth_sign_in).to_string()) />
        <section class="page page--narrow">
            <h1>{t!(i18n, auth_sign_in)}</h1>
            {outcome}
            <ActionForm action attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <div class="field">
                    <label for="identifier">{t!(i18n, auth_identifier)}</label>
                    <p class="hint" id="identifier-hint">{t!(i18n, auth_identifier_hint)}</p>
                    <input id="identifier" name="identifier" type="text" autocomplete="username" required aria-describedby="identifier-hint" />
                </div>
                <div class="field">
                    <label for="password">{t!(i18n, auth_password)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                </div>
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {t!(i18n, auth_sign_in)}
                </button>
            </ActionForm>
        </section>
    }
}

pub fn password_problem_text(locale: Locale, problem: PasswordProblem) -> String {
    match problem {
        PasswordProblem::WrongCurrent => td_string!(locale, auth_wrong_current),
        PasswordProblem::TooShort => td_string!(locale, auth_password_too_short),
        PasswordProblem::TooSimple => td_string!(locale, auth_password_too_simple),
        PasswordProblem::Mismatch => td_string!(locale, auth_password_mismatch),
    }
    .to_string()
}

#[component]
pub fn WelcomePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let action = ServerAction::<RedeemLoginLink>::new();
    let outcome = move || {
        action.value().get().and_then(|result| {
            let text = match result {
                Ok(None) => return None,
                Ok(Some(problem)) => password_problem_text(i18n.get_locale(), problem),
                Err(crate::error::AppError::NotFound) => t_string!(i18n, auth_link_invalid).to_string(),
                Err(err) => error_text(i18n.get_locale(), &err),
            };
            Some(view! { <p class="alert alert--error" role="alert" data-testid="form-error">{text}</p> })
        })
    };
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, auth_welcome_title).to_string()) />
        <section class="page page--narrow">
            <h1>{t!(i18n, auth_welcome_title)}</h1>
            <p>{t!(i18n, auth_welcome_text)}</p>
            {outcome}
            <ActionForm action attr:class="form">
                <input type="hidden" name="token" prop:value=token />
                <div class="field">
                    <label for="new_password">{t!(i18n, auth_new_password)}</label>
                    <p class="hint" id="pw-hint">{t!(i18n, auth_password_rule)}</p>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="pw-hint" />
                </div>
                <div class="field">
                    <label for="confirm">{t!(i18n, auth_confirm_password)}</label>
                    <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8" />
                </div>
                <button type="submit" class="button">{t!(i18n, auth_set_password)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| whoami());
    view! {
        <Title text=crate::shell::title_text(move || t_string!(i18n, auth_account).to_string()) />
        <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! { <Account user /> }.into_any(),
                    Ok(None) => view! { <SignInPrompt /> }.into_any(),
                    Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn SignInPrompt() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page page--narrow">
            <h1>{t!(i18n, error_unauthorized)}</h1>
            <p><a class="button" href="/sign-in">{t!(i18n, auth_sign_in)}</a></p>
        </section>
    }
}

#[component]
fn Account(user: super::CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let change = ServerAction::<ChangePassword>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let roles = user
        .roles
        .iter()
        .map(|r| {
            let r = *r;
            view! { <li class="tag">{move || crate::shell::role_name(i18n.get_locale(), r)}</li> }
        })
        .collect_view();
    let outcome = move || {
        change.value().get().map(|result| match result {
            Ok(None) => view! { <p class="alert alert--success" role="status">{t!(i18n, auth_password_changed)}</p> }.into_any(),
            Ok(Some(problem)) => view! { <p class="alert alert--error" role="alert">{password_problem_text(i18n.get_locale(), problem)}</p> }.into_any(),
            Err(err) => view! { <p class="alert alert--error" role="alert">{error_text(i18n.get_locale(), &err)}</p> }.into_any(),
        })
    };
    view! {
        <section class="page page--narrow">
            <h1 data-testid="account-name">{user.name.clone()}</h1>
            <h2>{t!(i18n, auth_roles)}</h2>
            <ul class="tags" data-testid="account-roles">{roles}</ul>
            <ActionForm action=sign_out>
                <button type="submit" class="button button--secondary" data-testid="sign-out">{t!(i18n, auth_sign_out)}</button>
            </ActionForm>
        </section>
        <section class="page page--narrow">
            <h2>{t!(i18n, auth_change_password)}</h2>
            {outcome}
            <ActionForm action=change attr:class="form">
                <div class="field">
                    <label for="current">{t!(i18n, auth_current_password)}</label>
                    <input id="current" name="current" type="password" autocomplete="current-password" required />
                </div>
                <div class="field">
                    <label for="new_password">{t!(i18n, auth_new_password)}</label>
                    <p class="hint" id="pw-hint">{t!(i18n, auth_password_rule)}</p>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="pw-hint" />
                </div>
                <div class="field">
                    <label for="confirm">{t!(i18n, auth_confirm_password)}</label>
                    <input id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="8" />
                </div>
                <button type="submit" class="button">{t!(i18n, auth_change_password)}</button>
            </ActionForm>
        </section>
    }
}
