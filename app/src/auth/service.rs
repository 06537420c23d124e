//! Accounts on the server: passwords (argon2id), sessions and one-time login links stored in
//! the database, sign-in throttling, and the audit log. No HTTP here: callers pass what they read
//! from the request.
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    sea_query::Expr, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    EntityTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect, RelationTrait,
    TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::entity::{audit_log, auth_session, login_attempt, login_token};
use super::hashing;
use super::role::Role;
use super::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::people::entity::{person, person_role};

pub const SESSION_COOKIE: &str = "academy_session";
pub const SESSION_DAYS: i64 = 14;
pub const LOGIN_LINK_DAYS: i64 = 7;
pub const THROTTLE_MAX_FAILURES: u64 = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A random token for a cookie or a link: 32 bytes, URL-safe.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| AppError::Internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|err| {
            tracing::error!(%err, "password hashing failed");
            AppError::Internal
        })
}

/// Checks a password against a stored hash, in its turn on a hashing thread, with that thread's
/// working memory.
pub async fn check_password(password: &str, hash: &str) -> AppResult<bool> {
    let (pw, hash) = (password.to_string(), hash.to_string());
    hashing::in_turn(move |memory| hashing::verify_with(&pw, &hash, memory)).await
}

/// What an unknown account's password is checked against, so that the answer takes as long as
/// for a known one and timing does not reveal which accounts exist.
static UNKNOWN_ACCOUNT_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&new_token()).unwrap_or_default());

/// A password good enough to set: long enough, not all one character.
pub fn check_new_password(password: &str) -> Result<(), &'static str> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_PASSWORD_CHARS {
        return Err("password_too_short");
    }
    if chars.iter().all(|c| *c == chars[0]) {
        return Err("password_too_simple");
    }
    Ok(())
}

/// How a person types who they are: an email (lower-cased) or a phone number (digits only,
/// without a +86 prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifier {
    Email(String),
    Phone(String),
}

impl Identifier {
    pub fn parse(input: &str) -> Option<Identifier> {
        let s = input.trim();
        if s.contains('@') {
            let email = s.to_lowercase();
            let (local, domain) = email.split_once('@')?;
            if local.is_empty() || !domain.contains('.') || email.contains(char::is_whitespace) {
                return None;
            }
            return Some(Identifier::Email(email));
        }
        let digits: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits)
            .to_string();
        if digits.len() == 11
            && digits.starts_with('1')
            && digits.chars().all(|c| c.is_ascii_digit())
        {
            Some(Identifier::Phone(digits))
        } else {
            None
        }
    }

    fn key(&self) -> String {
        match self {
            Identifier::Email(e) => format!("account:{e}"),
            Identifier::Phone(p) => format!("account:{p}"),
        }
    }
}

pub async fn find_by_identifier(
    db: &impl ConnectionTrait,
    id: &Identifier,
) -> AppResult<Option<person::Model>> {
    let query = match id {
        Identifier::Email(e) => person::Entity::find().filter(person::Column::Email.eq(e.as_str())),
        Identifier::Phone(p) => person::Entity::find().filter(person::Column::Phone.eq(p.as_str())),
    };
    Ok(query.one(db).await?)
}

pub async fn load_user(
    db: &impl ConnectionTrait,
    person_id: i64,
) -> AppResult<Option<CurrentUser>> {
    match person::Entity::find_by_id(person_id).one(db).await? {
        Some(p) => user_of(db, p).await,
        None => Ok(None),
    }
}

/// The signed-in person a person row stands for, with their roles; `None` when deactivated.
async fn user_of(db: &impl ConnectionTrait, p: person::Model) -> AppResult<Option<CurrentUser>> {
    let roles = person_role::Entity::find()
        .filter(person_role::Column::PersonId.eq(p.id))
        .all(db)
        .await?;
    Ok(signed_in(p, &roles))
}

/// The person as the rest of the code sees them, with their roles; `None` when the account is
/// switched off.
fn signed_in(p: person::Model, role_rows: &[person_role::Model]) -> Option<CurrentUser> {
    if !p.active {
        return None;
    }
    let mut roles: Vec<Role> = role_rows
        .iter()
        .filter_map(|r| Role::parse(&r.role))
        .collect();
    roles.sort();
    let district_id = role_rows
        .iter()
        .find(|r| r.role == Role::DistrictOfficial.code())
        .and_then(|r| r.district_id);
    Some(CurrentUser {
        id: p.id,
        name: p.name,
        roles,
        district_id,
        enterprise_id: p.enterprise_id,
        tier: p.tier,
    })
}

/// The signed-in person behind a session cookie's token, if the session is live.
pub async fn user_for_session(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<CurrentUser>> {
    // The live session, its person and their roles in one query: every signed-in request
    // starts here.
    let found = person::Entity::find()
        .join(
            JoinType::InnerJoin,
            auth_session::Relation::Person.def().rev(),
        )
        .filter(auth_session::Column::TokenHash.eq(hash_token(token)))
        .filter(auth_session::Column::RevokedAt.is_null())
        .filter(auth_session::Column::ExpiresAt.gt(now))
        .find_with_related(person_role::Entity)
        .all(db)
        .await?;
    Ok(found
        .into_iter()
        .next()
        .and_then(|(p, roles)| signed_in(p, &roles)))
}

pub async fn create_session(
    db: &impl ConnectionTrait,
    person_id: i64,
    user_agent: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = new_token();
    let _turn = crate::db::writer_turn(db).await;
    auth_session::Entity::insert(auth_session::ActiveModel {
        token_hash: Set(hash_token(&token)),
        person_id: Set(person_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(SESSION_DAYS)),
        revoked_at: Set(None),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(200).collect())),
    })
    .exec(db)
    .await?;
    Ok(token)
}

pub async fn revoke_session(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, Expr::value(now))
        .filter(auth_session::Column::TokenHash.eq(hash_token(token)))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a person (after a password change, or when an admin revokes access).
pub async fn revoke_all_sessions(
    db: &impl ConnectionTrait,
    person_id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    auth_session::Entity::update_many()
        .col_expr(auth_session::Column::RevokedAt, Expr::value(now))
        .filter(auth_session::Column::PersonId.eq(person_id))
        .filter(auth_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub enum SignInError {
    /// Wrong identifier or password; deliberately the same for an unknown account.
    Invalid,
    /// Too many failures for this account or address recently.
    Throttled,
}

async fn failures_since(
    db: &impl ConnectionTrait,
    key: &str,
    since: DateTime<Utc>,
) -> AppResult<u64> {
    Ok(login_attempt::Entity::find()
        .filter(login_attempt::Column::Key.eq(key))
        .filter(login_attempt::Column::At.gt(since))
        .count(db)
        .await?)
}

async fn record_failure(
    db: &impl ConnectionTrait,
    keys: &[String],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let rows: Vec<_> = keys
        .iter()
        .map(|k| login_attempt::ActiveModel {
            id: NotSet,
            key: Set(k.clone()),
            at: Set(now),
        })
        .collect();
    login_attempt::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

/// Checks the password; counts failures per account and per address in the database so that
/// every server process sees the same counters.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    identifier: &str,
    password: &str,
    client_ip: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Result<i64, SignInError>> {
    let since = now - Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let parsed = Identifier::parse(identifier);
    let mut keys = Vec::new();
    keys.push(match &parsed {
        Some(id) => id.key(),
        None => format!("account:{}", identifier.trim().to_lowercase()),
    });
    if let Some(ip) = client_ip {
        keys.push(format!("ip:{ip}"));
    }
    for key in &keys {
        if failures_since(db, key, since).await? >= THROTTLE_MAX_FAILURES {
            return Ok(Err(SignInError::Throttled));
        }
    }
    let person = match &parsed {
        Some(id) => find_by_identifier(db, id).await?,
        None => None,
    };
    let ok = match &person {
        Some(p) if p.active => match &p.password_hash {
            Some(hash) => check_password(password, hash).await?,
            None => false,
        },
        _ => {
            let pw = password.to_string();
            hashing::in_turn(move |memory| {
                hashing::verify_with(&pw, &UNKNOWN_ACCOUNT_HASH, memory)
            })
            .await?;
            false
        }
    };
    match (ok, person) {
        (true, Some(p)) => Ok(Ok(p.id)),
        _ => {
            record_failure(db, &keys, now).await?;
            Ok(Err(SignInError::Invalid))
        }
    }
}

pub async fn set_password(
    db: &impl ConnectionTrait,
    person_id: i64,
    password: &str,
) -> AppResult<()> {
    let pw = password.to_string();
    let hash = hashing::in_turn(move |_| hash_password(&pw)).await??;
    person::Entity::update_many()
        .col_expr(person::Column::PasswordHash, Expr::value(hash))
        .col_expr(person::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(person::Column::Id.eq(person_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A one-time link for a new person to set their own password (no password sent in clear).
pub async fn issue_login_token(
    db: &impl ConnectionTrait,
    person_id: i64,
    created_by: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = new_token();
    login_token::Entity::insert(login_token::ActiveModel {
        token_hash: Set(hash_token(&token)),
        person_id: Set(person_id),
        purpose: Set("first_login".into()),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(LOGIN_LINK_DAYS)),
        used_at: Set(None),
        created_by: Set(created_by),
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// The person a login link belongs to, if it is unused and unexpired.
pub async fn peek_login_token(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<person::Model>> {
    let Some(row) = login_token::Entity::find_by_id(hash_token(token))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.used_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    Ok(person::Entity::find_by_id(row.person_id).one(db).await?)
}

/// Uses a login link once: the conditional update makes a second use (even a concurrent one)
/// find nothing to update.
pub async fn redeem_login_token<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let txn = db.begin().await?;
    let hash = hash_token(token);
    let Some(row) = login_token::Entity::find_by_id(hash.clone())
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let updated = login_token::Entity::update_many()
        .col_expr(login_token::Column::UsedAt, Expr::value(now))
        .filter(login_token::Column::TokenHash.eq(hash))
        .filter(login_token::Column::UsedAt.is_null())
        .filter(login_token::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    set_password(&txn, row.person_id, password).await?;
    txn.commit().await?;
    Ok(Some(row.person_id))
}

pub async fn audit(
    db: &impl ConnectionTrait,
    actor: Option<&CurrentUser>,
    action: &str,
    target: Option<(&str, String)>,
    detail: serde_json::Value,
) -> AppResult<()> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: NotSet,
        at: Set(Utc::now()),
        actor_id: Set(actor.map(|a| a.id)),
        actor_name: Set(actor.map(|a| a.name.clone())),
        action: Set(action.into()),
        target_type: Set(target.as_ref().map(|(t, _)| t.to_string())),
        target_id: Set(target.map(|(_, id)| id)),
        detail: Set(detail.to_string()),
    })
    .exec(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_accept_emails_and_mainland_mobile_numbers() {
        assert_eq!(
            Identifier::parse(" Wang@Example.COM "),
            Some(Identifier::Email("wang@example.com".into()))
        );
        assert_eq!(
            Identifier::parse("+86 138-0000-0001"),
            Some(Identifier::Phone("13800000001".into()))
        );
        assert_eq!(Identifier::parse("12345"), None);
        assert_eq!(Identifier::parse("wang@localhost"), None);
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let mut memory = Vec::new();
        assert!(hashing::verify_with("correct horse", &hash, &mut memory));
        assert!(!hashing::verify_with("wrong horse", &hash, &mut memory));
        assert!(!hashing::verify_with("anything", "not a hash", &mut memory));
    }

    #[test]
    fn new_passwords_must_be_long_and_not_trivial() {
        assert_eq!(check_new_password("short"), Err("password_too_short"));
        assert_eq!(check_new_password("aaaaaaaaaa"), Err("password_too_simple"));
        assert_eq!(check_new_password("培训平台密码2014"), Ok(()));
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let a = new_token();
        assert_ne!(a, new_token());
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }
}
