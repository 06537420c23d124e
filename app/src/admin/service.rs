//! People administration on the server: parsing input into domain types, queries with filters,
//! and writes that leave an audit entry in the same transaction.
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, Condition,
    ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionSession, TransactionTrait,
};

use super::{AuditRow, CreatedPerson, DistrictOption, PeoplePage, PersonRow};
use crate::auth::entity::audit_log;
use crate::auth::service::{audit, issue_login_token, Identifier};
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::people::entity::{district, enterprise, person, person_role};
use crate::people::tier::Tier;

pub const PER_PAGE: u64 = 50;

pub struct PeopleFilter {
    /// One person only.
    pub id: Option<i64>,
    pub query: Option<String>,
    /// Part of the enterprise's name.
    pub enterprise: Option<String>,
    pub role: Option<Role>,
    pub district_id: Option<i64>,
    pub page: u64,
}

/// The district a person may look at: a district official is held to their own, whatever
/// they ask for; staff may filter by any.
pub fn scoped_district(user: &CurrentUser, asked: Option<i64>) -> AppResult<Option<i64>> {
    if user.has_any(&[Role::Admin, Role::Scheduler, Role::Organiser]) {
        return Ok(asked);
    }
    if user.has(Role::DistrictOfficial) {
        return match user.district_id {
            Some(own) => Ok(Some(own)),
            None => Err(AppError::Forbidden),
        };
    }
    Err(AppError::Forbidden)
}

pub async fn list_people(db: &impl ConnectionTrait, f: &PeopleFilter) -> AppResult<PeoplePage> {
    let mut cond = Condition::all();
    if let Some(id) = f.id {
        cond = cond.add(person::Column::Id.eq(id));
    }
    if let Some(q) = &f.query {
        let like = format!("%{}%", q.trim());
        cond = cond.add(
            Condition::any()
                .add(person::Column::Name.like(like.clone()))
                .add(person::Column::Phone.like(like.clone()))
                .add(person::Column::Email.like(like)),
        );
    }
    if let Some(name) = &f.enterprise {
        let enterprise_ids = enterprise::Entity::find()
            .select_only()
            .column(enterprise::Column::Id)
            .filter(enterprise::Column::Name.like(format!("%{}%", name.trim())))
            .into_tuple::<i64>()
            .all(db)
            .await?;
        cond = cond.add(person::Column::EnterpriseId.is_in(enterprise_ids));
    }
    if let Some(role) = f.role {
        let ids = person_role::Entity::find()
            .select_only()
            .column(person_role::Column::PersonId)
            .filter(person_role::Column::Role.eq(role.code()))
            .into_tuple::<i64>()
            .all(db)
            .await?;
        cond = cond.add(person::Column::Id.is_in(ids));
    }
    if let Some(d) = f.district_id {
        let enterprise_ids = enterprise::Entity::find()
            .select_only()
            .column(enterprise::Column::Id)
            .filter(enterprise::Column::DistrictId.eq(d))
            .into_tuple::<i64>()
            .all(db)
            .await?;
        cond = cond.add(person::Column::EnterpriseId.is_in(enterprise_ids));
    }
    let query = person::Entity::find()
        .filter(cond)
        .order_by_asc(person::Column::Id);
    let total = query.clone().count(db).await?;
    let people = query
        .offset((f.page - 1) * PER_PAGE)
        .limit(PER_PAGE)
        .all(db)
        .await?;

    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for r in person_role::Entity::find()
        .filter(person_role::Column::PersonId.is_in(ids))
        .all(db)
        .await?
    {
        if let Some(role) = Role::parse(&r.role) {
            roles.entry(r.person_id).or_default().push(role);
        }
    }
    let enterprises: HashMap<i64, enterprise::Model> = enterprise::Entity::find()
        .filter(enterprise::Column::Id.is_in(people.iter().filter_map(|p| p.enterprise_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let districts: HashMap<i64, String> = district::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name_zh))
        .collect();
    let rows = people
        .into_iter()
        .map(|p| {
            let ent = p.enterprise_id.and_then(|id| enterprises.get(&id));
            let mut r = roles.remove(&p.id).unwrap_or_default();
            r.sort();
            PersonRow {
                id: p.id,
                name: p.name,
                phone: p.phone,
                email: p.email,
                enterprise: ent.map(|e| e.name.clone()),
                district: ent
                    .and_then(|e| e.district_id)
                    .and_then(|d| districts.get(&d).cloned()),
                tier: p.tier,
                roles: r,
                has_password: p.password_hash.is_some(),
            }
        })
        .collect();
    Ok(PeoplePage {
        rows,
        total,
        page: f.page,
        per_page: PER_PAGE,
    })
}

pub async fn list_districts(db: &impl ConnectionTrait) -> AppResult<Vec<DistrictOption>> {
    Ok(district::Entity::find()
        .order_by_asc(district::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|d| DistrictOption {
            id: d.id,
            name_zh: d.name_zh,
            name_en: d.name_en,
        })
        .collect())
}

/// A person to create, parsed: every field checked, errors name the field.
#[derive(Debug, PartialEq)]
pub struct PersonForCreate {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub tier: Option<Tier>,
    pub roles: Vec<Role>,
    pub district_id: Option<i64>,
}

/// An optional id from a form field: empty means none.
pub fn parse_id(field: &str, value: Option<&str>) -> AppResult<Option<i64>> {
    match blank(value) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::validation(field, "invalid_id")),
    }
}

fn blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

pub fn parse_roles(codes: &[String], district_id: Option<i64>) -> AppResult<Vec<Role>> {
    let mut roles = Vec::new();
    for code in codes.iter().filter(|c| !c.trim().is_empty()) {
        let role =
            Role::parse(code).ok_or_else(|| AppError::validation("roles", "invalid_role"))?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.contains(&Role::DistrictOfficial) && district_id.is_none() {
        return Err(AppError::validation("district_id", "district_required"));
    }
    roles.sort();
    Ok(roles)
}

/// A person's name: trimmed, 1 to 50 characters. The field rules below are shared by the
/// person form and the spreadsheet import, and return the reason code of a refusal.
pub fn parse_name(input: &str) -> Result<String, &'static str> {
    let name = input.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err("name_required");
    }
    Ok(name.to_string())
}

/// An optional mobile number, normalised (`+86`, spaces and dashes removed).
pub fn parse_phone(input: Option<&str>) -> Result<Option<String>, &'static str> {
    match blank(input) {
        Some(p) => match Identifier::parse(p) {
            Some(Identifier::Phone(p)) => Ok(Some(p)),
            _ => Err("phone_invalid"),
        },
        None => Ok(None),
    }
}

/// An optional email, lower-cased.
pub fn parse_email(input: Option<&str>) -> Result<Option<String>, &'static str> {
    match blank(input) {
        Some(e) => match Identifier::parse(e) {
            Some(Identifier::Email(e)) => Ok(Some(e)),
            _ => Err("email_invalid"),
        },
        None => Ok(None),
    }
}

/// An optional tier, by its id or its Chinese name.
pub fn parse_tier(input: Option<&str>) -> Result<Option<Tier>, &'static str> {
    match blank(input) {
        Some(t) => Tier::parse(t).map(Some).ok_or("tier_invalid"),
        None => Ok(None),
    }
}

impl PersonForCreate {
    pub fn parse(
        name: &str,
        phone: Option<&str>,
        email: Option<&str>,
        tier: Option<&str>,
        roles: &[String],
        district_id: Option<i64>,
    ) -> AppResult<Self> {
        let name = parse_name(name).map_err(|code| AppError::validation("name", code))?;
        let phone = parse_phone(phone).map_err(|code| AppError::validation("phone", code))?;
        let email = parse_email(email).map_err(|code| AppError::validation("email", code))?;
        if phone.is_none() && email.is_none() {
            return Err(AppError::validation("phone", "phone_or_email_required"));
        }
        let tier = parse_tier(tier).map_err(|code| AppError::validation("tier", code))?;
        let mut roles = parse_roles(roles, district_id)?;
        if roles.is_empty() {
            roles.push(Role::Trainee);
        }
        if roles.contains(&Role::Trainee) && tier.is_none() {
            return Err(AppError::validation("tier", "tier_required"));
        }
        Ok(PersonForCreate {
            name,
            phone,
            email,
            tier,
            roles,
            district_id,
        })
    }
}

pub async fn create_person<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    input: PersonForCreate,
) -> AppResult<CreatedPerson> {
    create_person_mailing(db, actor, input, None).await
}

/// Creates a person; with `public_url`, their first-login link is also mailed (when they have an
/// email), the message written in the same transaction as the account.
pub async fn create_person_mailing<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    input: PersonForCreate,
    public_url: Option<&str>,
) -> AppResult<CreatedPerson> {
    let txn = db.begin().await?;
    // A write first: SQLite refuses a transaction that reads and then writes while another
    // connection has written meanwhile ("database is locked"); writing first waits its turn.
    person::Entity::update_many()
        .col_expr(
            person::Column::Id,
            sea_orm::sea_query::Expr::col(person::Column::Id),
        )
        .filter(person::Column::Id.eq(-1))
        .exec(&txn)
        .await?;
    for (field, col, value) in [
        ("phone", person::Column::Phone, input.phone.clone()),
        ("email", person::Column::Email, input.email.clone()),
    ] {
        if let Some(v) = value {
            if person::Entity::find().filter(col.eq(v)).count(&txn).await? > 0 {
                return Err(AppError::validation(field, "already_registered"));
            }
        }
    }
    let now = Utc::now();
    let inserted = person::Entity::insert(person::ActiveModel {
        id: NotSet,
        name: Set(input.name.clone()),
        phone: Set(input.phone.clone()),
        email: Set(input.email.clone()),
        enterprise_id: Set(None),
        tier: Set(input.tier.map(|t| t.code().to_string())),
        job_title: Set(None),
        locale: Set("zh-CN".into()),
        password_hash: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(&txn)
    .await?;
    let id = inserted.last_insert_id;
    write_roles(&txn, id, &input.roles, input.district_id).await?;
    let token = issue_login_token(&txn, id, Some(actor.id), now).await?;
    if let Some(url) = public_url {
        crate::mail::service::announce_login_link(&txn, id, &token, url, now).await?;
    }
    audit(
        &txn,
        Some(actor),
        "create_person",
        Some(("person", id.to_string())),
        serde_json::json!({
            "name": input.name,
            "roles": input.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        }),
    )
    .await?;
    txn.commit().await?;
    crate::mail::service::waker().notify_one();
    Ok(CreatedPerson {
        id,
        login_path: format!("/welcome/{token}"),
    })
}

async fn write_roles(
    db: &impl ConnectionTrait,
    person_id: i64,
    roles: &[Role],
    district_id: Option<i64>,
) -> AppResult<()> {
    person_role::Entity::delete_many()
        .filter(person_role::Column::PersonId.eq(person_id))
        .exec(db)
        .await?;
    if roles.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = roles
        .iter()
        .map(|r| person_role::ActiveModel {
            person_id: Set(person_id),
            role: Set(r.code().into()),
            district_id: Set(if *r == Role::DistrictOfficial {
                district_id
            } else {
                None
            }),
        })
        .collect();
    person_role::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

pub async fn set_roles<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    person_id: i64,
    roles: &[Role],
    district_id: Option<i64>,
) -> AppResult<()> {
    if actor.id == person_id && !roles.contains(&Role::Admin) {
        // Removing one's own admin role could leave nobody able to manage accounts.
        return Err(AppError::validation("roles", "cannot_drop_own_admin"));
    }
    let txn = db.begin().await?;
    if person::Entity::find_by_id(person_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    write_roles(&txn, person_id, roles, district_id).await?;
    audit(
        &txn,
        Some(actor),
        "set_roles",
        Some(("person", person_id.to_string())),
        serde_json::json!({ "roles": roles.iter().map(|r| r.code()).collect::<Vec<_>>(), "district_id": district_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A new first-login link, shown to the actor and mailed to the person when they have an email.
pub async fn issue_link<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    person_id: i64,
    public_url: &str,
) -> AppResult<CreatedPerson> {
    let txn = db.begin().await?;
    if person::Entity::find_by_id(person_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let now = Utc::now();
    let token = issue_login_token(&txn, person_id, Some(actor.id), now).await?;
    crate::mail::service::announce_login_link(&txn, person_id, &token, public_url, now).await?;
    audit(
        &txn,
        Some(actor),
        "issue_login_link",
        Some(("person", person_id.to_string())),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    crate::mail::service::waker().notify_one();
    Ok(CreatedPerson {
        id: person_id,
        login_path: format!("/welcome/{token}"),
    })
}

pub async fn list_audit_log(
    db: &impl ConnectionTrait,
    action: Option<String>,
    actor: Option<String>,
) -> AppResult<Vec<AuditRow>> {
    let mut q = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(a) = action.filter(|a| !a.trim().is_empty()) {
        q = q.filter(audit_log::Column::Action.eq(a.trim()));
    }
    if let Some(a) = actor.filter(|a| !a.trim().is_empty()) {
        q = q.filter(audit_log::Column::ActorName.like(format!("%{}%", a.trim())));
    }
    Ok(q.limit(200)
        .all(db)
        .await?
        .into_iter()
        .map(|r| AuditRow {
            at: r
                .at
                .with_timezone(&chrono_tz::Asia::Shanghai)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            actor: r.actor_name,
            action: r.action,
            target: match (r.target_type, r.target_id) {
                (Some(t), Some(id)) => Some(format!("{t} #{id}")),
                _ => None,
            },
            detail: r.detail,
        })
        .collect())
}

/// Creates an admin from the command line (`academy admin create`).
pub async fn create_admin<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    name: &str,
    identifier: &str,
    password: &str,
) -> AppResult<i64> {
    crate::auth::service::check_new_password(password)
        .map_err(|m| AppError::validation("password", m))?;
    let (phone, email) = match Identifier::parse(identifier) {
        Some(Identifier::Phone(p)) => (Some(p), None),
        Some(Identifier::Email(e)) => (None, Some(e)),
        None => return Err(AppError::validation("login", "phone_or_email_required")),
    };
    let input = PersonForCreate {
        name: name.trim().to_string(),
        phone,
        email,
        tier: None,
        roles: vec![Role::Admin],
        district_id: None,
    };
    if input.name.is_empty() {
        return Err(AppError::validation("name", "name_required"));
    }
    let system = CurrentUser::with_roles(0, "academy admin create", &[Role::Admin]);
    let created = create_person(db, &system, input).await?;
    crate::auth::service::set_password(db, created.id, password).await?;
    person::Entity::update_many()
        .col_expr(person::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(person::Column::Id.eq(created.id))
        .exec(db)
        .await?;
    Ok(created.id)
}

/// A person with their live sessions; a district official's view stops at their district.
pub async fn person_admin(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    person_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<super::PersonAccount> {
    use crate::auth::entity::auth_session;
    let filter = PeopleFilter {
        id: Some(person_id),
        query: None,
        enterprise: None,
        role: None,
        district_id: scoped_district(actor, None)?,
        page: 1,
    };
    let row = list_people(db, &filter)
        .await?
        .rows
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let district_id = crate::people::entity::person_role::Entity::find()
        .filter(crate::people::entity::person_role::Column::PersonId.eq(person_id))
        .all(db)
        .await?
        .into_iter()
        .find_map(|r| r.district_id);
    let sessions = auth_session::Entity::find()
        .filter(auth_session::Column::PersonId.eq(person_id))
        .filter(auth_session::Column::RevokedAt.is_null())
        .filter(auth_session::Column::ExpiresAt.gt(now))
        .order_by_desc(auth_session::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|s| super::SessionRow {
            created_at: crate::shell::time::local(s.created_at),
            expires_at: crate::shell::time::local(s.expires_at),
            user_agent: s.user_agent.unwrap_or_default(),
        })
        .collect();
    Ok(super::PersonAccount {
        row,
        district_id,
        sessions,
    })
}

pub async fn revoke_sessions<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    person_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    person::Entity::find_by_id(person_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::auth::service::revoke_all_sessions(db, person_id, now).await?;
    audit(
        db,
        Some(actor),
        "revoke_sessions",
        Some(("person", person_id.to_string())),
        serde_json::json!({}),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_person_needs_a_name_and_a_phone_or_email() {
        assert_eq!(
            PersonForCreate::parse(" ", Some("13800000001"), None, Some("auditor"), &[], None),
            Err(AppError::validation("name", "name_required"))
        );
        assert_eq!(
            PersonForCreate::parse("王伟", None, None, Some("auditor"), &[], None),
            Err(AppError::validation("phone", "phone_or_email_required"))
        );
        assert_eq!(
            PersonForCreate::parse("王伟", Some("123"), None, Some("auditor"), &[], None),
            Err(AppError::validation("phone", "phone_invalid"))
        );
    }

    #[test]
    fn a_trainee_needs_a_tier_and_an_official_a_district() {
        assert_eq!(
            PersonForCreate::parse("王伟", Some("13800000001"), None, None, &[], None),
            Err(AppError::validation("tier", "tier_required"))
        );
        assert_eq!(
            PersonForCreate::parse(
                "王伟",
                None,
                Some("w@example.com"),
                None,
                &["district_official".into()],
                None
            ),
            Err(AppError::validation("district_id", "district_required"))
        );
        let ok = PersonForCreate::parse(
            "王伟",
            None,
            Some("W@Example.com"),
            Some("内审员"),
            &[],
            None,
        )
        .unwrap();
        assert_eq!(ok.roles, vec![Role::Trainee]);
        assert_eq!(ok.email.as_deref(), Some("w@example.com"));
        assert_eq!(ok.tier, Some(Tier::Auditor));
    }

    fn official(district: Option<i64>) -> CurrentUser {
        CurrentUser {
            district_id: district,
            ..CurrentUser::with_roles(9, "x", &[Role::DistrictOfficial])
        }
    }

    #[test]
    fn a_district_official_is_held_to_their_own_district() {
        assert_eq!(scoped_district(&official(Some(3)), Some(5)), Ok(Some(3)));
        assert_eq!(scoped_district(&official(Some(3)), None), Ok(Some(3)));
        assert_eq!(
            scoped_district(&official(None), None),
            Err(AppError::Forbidden)
        );
    }
}
