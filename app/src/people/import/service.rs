//! The import on the server: the file is read and checked whole ([`super::rules`]), then
//! checked against the database (a mobile number and an email that belong to two different
//! people, a staff account), then written in one transaction. An unchanged row writes nothing;
//! new people become trainees and get a first-login link.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, TransactionSession, TransactionTrait,
};

use super::rules::{self, CheckedFile, DelegateForImport, DistrictName, EnterpriseForImport};
use super::{Column, ImportCounts, ImportIssue, ImportReport, ImportedLogin};
use crate::auth::entity::audit_log;
use crate::auth::service::{audit, issue_login_token};
use crate::auth::{CurrentUser, Role};
use crate::error::AppResult;
use crate::people::entity::{district, enterprise, person, person_role};

use crate::db::BATCH as CHUNK;

/// Roles whose accounts an import may not change: a scheduler must not rename an admin by
/// putting their mobile number in a spreadsheet.
const PROTECTED: [Role; 4] = [
    Role::Admin,
    Role::Scheduler,
    Role::Organiser,
    Role::DistrictOfficial,
];

pub async fn import<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    actor: &CurrentUser,
    file_name: &str,
    bytes: &[u8],
    check_only: bool,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<ImportReport> {
    let mut report = ImportReport {
        file_name: file_name.chars().take(200).collect(),
        ..Default::default()
    };
    let table = match rules::read_table(bytes) {
        Ok(t) => t,
        Err(code) => {
            report.issues.push(rules::file_issue(code));
            return Ok(report);
        }
    };
    let districts: Vec<DistrictName> = district::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| DistrictName {
            id: d.id,
            code: d.code,
            name_zh: d.name_zh,
            name_en: d.name_en,
        })
        .collect();
    let checked = match rules::check_table(&table, &districts) {
        Ok(c) => c,
        Err(issues) => {
            report.issues = issues;
            return Ok(report);
        }
    };
    report.rows = checked.delegates.len() as u32;
    report.ignored_columns = checked.ignored_columns.clone();

    let txn = db.begin().await?;
    if !check_only {
        // The first statement writes, so on SQLite this transaction holds the write lock before
        // it reads: nothing can change between the checks below and the writes.
        audit(
            &txn,
            Some(actor),
            "import_people",
            None,
            serde_json::json!({ "file": report.file_name, "rows": report.rows }),
        )
        .await?;
    }
    let plan = plan(&txn, &checked).await?;
    if !plan.issues.is_empty() {
        report.issues = plan.issues;
        txn.rollback().await?;
        return Ok(report);
    }
    report.enterprises = plan.enterprise_counts;
    report.people = plan.people_counts;
    if check_only {
        txn.rollback().await?;
        return Ok(report);
    }
    let links = apply(&txn, actor, &checked, &plan, now).await?;
    // Their first-login links go out by mail in the same transaction: an import that is rolled
    // back sends nothing, and a written one is never without its messages.
    report.mailed = crate::mail::service::announce_login_links(&txn, &links.mail, public_url, now)
        .await? as u32;
    report.logins = links.shown;

    // The audit entry written first now gets the counts.
    if let Some(entry) = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("import_people"))
        .filter(audit_log::Column::ActorId.eq(actor.id))
        .order_by_desc(audit_log::Column::Id)
        .one(&txn)
        .await?
    {
        let detail = serde_json::json!({
            "file": report.file_name,
            "rows": report.rows,
            "enterprises": counts_json(report.enterprises),
            "people": counts_json(report.people),
        });
        audit_log::Entity::update_many()
            .set(audit_log::ActiveModel {
                detail: Set(detail.to_string()),
                ..Default::default()
            })
            .filter(audit_log::Column::Id.eq(entry.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    if report.mailed > 0 {
        crate::mail::service::waker().notify_one();
    }
    report.written = true;
    Ok(report)
}

/// The new accounts' first-login links: shown to the importer, and mailed to those with an
/// email address.
struct NewLogins {
    shown: Vec<ImportedLogin>,
    mail: Vec<(crate::mail::service::Recipient, String)>,
}

fn counts_json(c: ImportCounts) -> serde_json::Value {
    serde_json::json!({ "created": c.created, "updated": c.updated, "unchanged": c.unchanged })
}

/// What a delegate row does to the database.
enum PersonStep {
    Create,
    /// The stored person, and whether they still need the trainee role.
    Update(Box<person::Model>, bool),
    Unchanged,
}

/// The checked file against the database: what to write, or why not.
struct Plan {
    issues: Vec<ImportIssue>,
    /// Stored enterprises by credit code.
    stored: HashMap<String, enterprise::Model>,
    people: Vec<PersonStep>,
    enterprise_counts: ImportCounts,
    people_counts: ImportCounts,
}

fn enterprise_differs(stored: &enterprise::Model, e: &EnterpriseForImport) -> bool {
    stored.name != e.name
        || stored.district_id != Some(e.district_id)
        || stored.reason.as_deref() != Some(e.reason.code())
}

/// The person a row leaves behind: the file's values, and the stored ones where the file's
/// optional cells (the other contact, the job) are blank.
fn merged(
    stored: &person::Model,
    d: &DelegateForImport,
    enterprise_id: Option<i64>,
) -> person::Model {
    person::Model {
        name: d.name.clone(),
        phone: d.phone.clone().or_else(|| stored.phone.clone()),
        email: d.email.clone().or_else(|| stored.email.clone()),
        enterprise_id,
        tier: Some(d.tier.code().to_string()),
        job_title: d.job.clone().or_else(|| stored.job_title.clone()),
        ..stored.clone()
    }
}

async fn plan(db: &impl ConnectionTrait, file: &CheckedFile) -> AppResult<Plan> {
    let codes: Vec<String> = file
        .enterprises
        .iter()
        .map(|e| e.credit_code.clone())
        .collect();
    let mut stored = HashMap::new();
    for chunk in codes.chunks(CHUNK) {
        for e in enterprise::Entity::find()
            .filter(enterprise::Column::CreditCode.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(code) = e.credit_code.clone() {
                stored.insert(code, e);
            }
        }
    }
    let mut enterprise_counts = ImportCounts::default();
    for e in &file.enterprises {
        match stored.get(&e.credit_code) {
            None => enterprise_counts.created += 1,
            Some(s) if enterprise_differs(s, e) => enterprise_counts.updated += 1,
            Some(_) => enterprise_counts.unchanged += 1,
        }
    }

    // The people the file's mobile numbers and emails already belong to.
    let phones: Vec<String> = file
        .delegates
        .iter()
        .filter_map(|d| d.phone.clone())
        .collect();
    let emails: Vec<String> = file
        .delegates
        .iter()
        .filter_map(|d| d.email.clone())
        .collect();
    let mut people: HashMap<i64, person::Model> = HashMap::new();
    for chunk in phones.chunks(CHUNK) {
        for p in person::Entity::find()
            .filter(person::Column::Phone.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            people.insert(p.id, p);
        }
    }
    for chunk in emails.chunks(CHUNK) {
        for p in person::Entity::find()
            .filter(person::Column::Email.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            people.insert(p.id, p);
        }
    }
    let by_phone: HashMap<String, i64> = people
        .values()
        .filter_map(|p| p.phone.clone().map(|ph| (ph, p.id)))
        .collect();
    let by_email: HashMap<String, i64> = people
        .values()
        .filter_map(|p| p.email.clone().map(|e| (e, p.id)))
        .collect();
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    let ids: Vec<i64> = people.keys().copied().collect();
    for chunk in ids.chunks(CHUNK) {
        for r in person_role::Entity::find()
            .filter(person_role::Column::PersonId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(role) = Role::parse(&r.role) {
                roles.entry(r.person_id).or_default().push(role);
            }
        }
    }

    let mut issues = Vec::new();
    let mut steps = Vec::with_capacity(file.delegates.len());
    let mut people_counts = ImportCounts::default();
    let mut matched_rows: HashMap<i64, u32> = HashMap::new();
    for d in &file.delegates {
        let issue = |column: Column, code: &str, value: &str, other: Option<u32>| {
            let (letter, header) = file.columns.get(&column).cloned().unwrap_or_default();
            ImportIssue {
                row: d.row,
                column: Some(column),
                letter,
                header,
                code: code.into(),
                value: value.into(),
                other_row: other,
            }
        };
        let on_phone = d.phone.as_ref().and_then(|p| by_phone.get(p)).copied();
        let on_email = d.email.as_ref().and_then(|e| by_email.get(e)).copied();
        let id = match (on_phone, on_email) {
            (Some(a), Some(b)) if a != b => {
                let value = d.email.clone().unwrap_or_default();
                issues.push(issue(Column::Email, "already_registered", &value, None));
                steps.push(PersonStep::Unchanged);
                continue;
            }
            (a, b) => a.or(b),
        };
        let Some(id) = id else {
            people_counts.created += 1;
            steps.push(PersonStep::Create);
            continue;
        };
        let held = roles.get(&id).cloned().unwrap_or_default();
        let (column, value) = match (on_phone, &d.phone, &d.email) {
            (Some(_), Some(p), _) => (Column::Phone, p.clone()),
            (_, _, Some(e)) => (Column::Email, e.clone()),
            _ => (Column::Phone, String::new()),
        };
        if held.iter().any(|r| PROTECTED.contains(r)) {
            issues.push(issue(column, "staff_account", &value, None));
            steps.push(PersonStep::Unchanged);
            continue;
        }
        if let Some(&other) = matched_rows.get(&id) {
            issues.push(issue(column, "duplicate_in_file", &value, Some(other)));
            steps.push(PersonStep::Unchanged);
            continue;
        }
        matched_rows.insert(id, d.row);
        let current = &people[&id];
        let enterprise_id = stored.get(&d.credit_code).map(|e| e.id);
        let needs_role = !held.contains(&Role::Trainee);
        let enterprise_changes = enterprise_id.is_none();
        if enterprise_changes || needs_role || merged(current, d, enterprise_id) != *current {
            people_counts.updated += 1;
            steps.push(PersonStep::Update(Box::new(current.clone()), needs_role));
        } else {
            people_counts.unchanged += 1;
            steps.push(PersonStep::Unchanged);
        }
    }
    Ok(Plan {
        issues,
        stored,
        people: steps,
        enterprise_counts,
        people_counts,
    })
}

async fn apply(
    db: &impl ConnectionTrait,
    actor: &CurrentUser,
    file: &CheckedFile,
    plan: &Plan,
    now: DateTime<Utc>,
) -> AppResult<NewLogins> {
    // Enterprises: new ones in batches, changed ones one by one.
    let new: Vec<enterprise::ActiveModel> = file
        .enterprises
        .iter()
        .filter(|e| !plan.stored.contains_key(&e.credit_code))
        .map(|e| enterprise::ActiveModel {
            id: NotSet,
            name: Set(e.name.clone()),
            credit_code: Set(Some(e.credit_code.clone())),
            district_id: Set(Some(e.district_id)),
            reason: Set(Some(e.reason.code().to_string())),
            created_at: Set(now),
        })
        .collect();
    for chunk in new.chunks(CHUNK) {
        enterprise::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    for e in &file.enterprises {
        if let Some(s) = plan.stored.get(&e.credit_code) {
            if enterprise_differs(s, e) {
                enterprise::Entity::update_many()
                    .set(enterprise::ActiveModel {
                        name: Set(e.name.clone()),
                        district_id: Set(Some(e.district_id)),
                        reason: Set(Some(e.reason.code().to_string())),
                        ..Default::default()
                    })
                    .filter(enterprise::Column::Id.eq(s.id))
                    .exec(db)
                    .await?;
            }
        }
    }
    let mut enterprise_ids: HashMap<String, i64> = plan
        .stored
        .iter()
        .map(|(code, e)| (code.clone(), e.id))
        .collect();
    let new_codes: Vec<String> = file
        .enterprises
        .iter()
        .filter(|e| !plan.stored.contains_key(&e.credit_code))
        .map(|e| e.credit_code.clone())
        .collect();
    for chunk in new_codes.chunks(CHUNK) {
        for e in enterprise::Entity::find()
            .filter(enterprise::Column::CreditCode.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(code) = e.credit_code {
                enterprise_ids.insert(code, e.id);
            }
        }
    }

    // People who change, one statement each; then the new ones in batches.
    let mut new_people = Vec::new();
    let mut new_roles = Vec::new();
    for (d, step) in file.delegates.iter().zip(&plan.people) {
        let enterprise_id = enterprise_ids.get(&d.credit_code).copied();
        match step {
            PersonStep::Unchanged => {}
            PersonStep::Create => new_people.push(d),
            PersonStep::Update(stored, needs_role) => {
                let p = merged(stored, d, enterprise_id);
                person::Entity::update_many()
                    .set(person::ActiveModel {
                        name: Set(p.name),
                        phone: Set(p.phone),
                        email: Set(p.email),
                        enterprise_id: Set(p.enterprise_id),
                        tier: Set(p.tier),
                        job_title: Set(p.job_title),
                        updated_at: Set(now),
                        ..Default::default()
                    })
                    .filter(person::Column::Id.eq(stored.id))
                    .exec(db)
                    .await?;
                if *needs_role {
                    new_roles.push(stored.id);
                }
            }
        }
    }
    let rows: Vec<person::ActiveModel> = new_people
        .iter()
        .map(|d| person::ActiveModel {
            id: NotSet,
            name: Set(d.name.clone()),
            phone: Set(d.phone.clone()),
            email: Set(d.email.clone()),
            enterprise_id: Set(enterprise_ids.get(&d.credit_code).copied()),
            tier: Set(Some(d.tier.code().to_string())),
            job_title: Set(d.job.clone()),
            locale: Set("zh-CN".into()),
            password_hash: Set(None),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        person::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    // Their ids, by the mobile number or email each was created with.
    let phones: Vec<String> = new_people.iter().filter_map(|d| d.phone.clone()).collect();
    let emails: Vec<String> = new_people
        .iter()
        .filter(|d| d.phone.is_none())
        .filter_map(|d| d.email.clone())
        .collect();
    let mut id_of: HashMap<String, i64> = HashMap::new();
    for chunk in phones.chunks(CHUNK) {
        for p in person::Entity::find()
            .filter(person::Column::Phone.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(ph) = p.phone {
                id_of.insert(ph, p.id);
            }
        }
    }
    for chunk in emails.chunks(CHUNK) {
        for p in person::Entity::find()
            .filter(person::Column::Email.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            if let Some(e) = p.email {
                id_of.insert(e, p.id);
            }
        }
    }
    let mut logins = Vec::with_capacity(new_people.len());
    let mut created = Vec::with_capacity(new_people.len());
    for d in &new_people {
        let key = d
            .phone
            .clone()
            .or_else(|| d.email.clone())
            .unwrap_or_default();
        if let Some(&id) = id_of.get(&key) {
            created.push((d, id));
            new_roles.push(id);
        }
    }
    for chunk in new_roles.chunks(CHUNK) {
        person_role::Entity::insert_many(chunk.iter().map(|&id| person_role::ActiveModel {
            person_id: Set(id),
            role: Set(Role::Trainee.code().into()),
            district_id: Set(None),
        }))
        .exec(db)
        .await?;
    }
    let mut mail = Vec::with_capacity(created.len());
    for (d, id) in created {
        let token = issue_login_token(db, id, Some(actor.id), now).await?;
        logins.push(ImportedLogin {
            row: d.row,
            name: d.name.clone(),
            login_path: format!("/welcome/{token}"),
        });
        let to = crate::mail::service::Recipient {
            person_id: Some(id),
            name: d.name.clone(),
            address: d.email.clone(),
            english: false,
        };
        mail.push((to, token));
    }
    Ok(NewLogins {
        shown: logins,
        mail,
    })
}

/// The template: the columns with two example rows, and a second sheet that says what each
/// column takes (only the first sheet is read back).
pub fn template_tables() -> Vec<crate::report::export::Table> {
    use crate::i18n::Locale;
    use crate::people::credit_code::check_char;
    use crate::people::reason::InclusionReason;
    use crate::people::tier::Tier;
    use crate::report::export::{Cell, Table};
    let code = |first: &str| format!("{first}{}", check_char(first).unwrap_or('0'));
    let example = |cells: [String; 9]| cells.into_iter().map(Cell::Text).collect::<Vec<_>>();
    let first = code("91120116MA05JX0A0");
    let rows = vec![
        example([
            "天津示例化工有限公司".into(),
            first.clone(),
            "滨海新区".into(),
            InclusionReason::Vocs.name_zh().into(),
            "王伟".into(),
            "13800000001".into(),
            "wangwei@example.com".into(),
            Tier::Leader.name_zh().into(),
            "总经理".into(),
        ]),
        example([
            "天津示例化工有限公司".into(),
            first,
            "滨海新区".into(),
            InclusionReason::Vocs.name_zh().into(),
            "李娜".into(),
            "13800000002".into(),
            String::new(),
            Tier::Auditor.name_zh().into(),
            "环保主管".into(),
        ]),
    ];
    let guide = Column::ALL
        .into_iter()
        .map(|c| {
            let required = match c {
                Column::Phone | Column::Email => "二选一",
                Column::Job => "否",
                _ => "是",
            };
            vec![
                Cell::Text(c.header_zh().into()),
                Cell::Text(c.key().into()),
                Cell::Text(required.into()),
                Cell::Text(super::column_help(Locale::zh_CN, c).into()),
            ]
        })
        .collect();
    vec![
        Table {
            name: "学员导入".into(),
            headers: Column::ALL
                .iter()
                .map(|c| c.header_zh().to_string())
                .collect(),
            rows,
        },
        Table {
            name: "填写说明".into(),
            headers: vec![
                "列名".into(),
                "English header".into(),
                "必填".into(),
                "填写要求".into(),
            ],
            rows: guide,
        },
    ]
}
