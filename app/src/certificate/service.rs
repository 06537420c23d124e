//! Certificates on the server. Issuing is an insert that does nothing when the person already
//! holds the programme's certificate (a unique index), so pressing "issue" twice, or two
//! organisers at once, never makes a second one.
use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::entity::certificate;
use super::pdf::{self, CertificateData, Fonts};
use super::rules::{self, Standing, TierRule};
use super::{EligibilityList, EligibilityRow, IssueReport, OwnCertificate, Snapshot, VerifyView};
use crate::attendance::report::attended_by_person;
use crate::attendance::rules::percent;
use crate::auth::{CurrentUser, Role};
use crate::error::{AppError, AppResult};
use crate::mail::templates::Template;
use crate::mail::{self, Attachment};
use crate::people::directory;
use crate::people::entity::{person, person_role};
use crate::people::tier::Tier;
use crate::scheduling::entity::programme;
use crate::scheduling::service::{
    all_quizzes, current_programme, passed_tier_quiz, passes, tier_plans, tz_of, TierPlan,
    TierPlans,
};

/// Who sees every certificate and may download any.
const ISSUERS: &[Role] = &[Role::Organiser, Role::Admin];

fn hours(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 10.0).round() / 10.0
}

struct Standings {
    programme: programme::Model,
    plans: HashMap<String, TierPlan>,
    rows: Vec<EligibilityRow>,
}

async fn standings(db: &impl ConnectionTrait) -> AppResult<Standings> {
    let p = current_programme(db).await?;
    let TierPlans {
        sessions,
        by_tier: plans,
    } = tier_plans(db, p.id).await?;
    let trainees: Vec<i64> = person_role::Entity::find()
        .select_only()
        .column(person_role::Column::PersonId)
        .filter(person_role::Column::Role.eq(Role::Trainee.code()))
        .into_tuple()
        .all(db)
        .await?;
    let labels = directory::labels(db, trainees.iter().copied()).await?;
    let attended = attended_by_person(db, &sessions).await?;
    let passed = passes(db, all_quizzes(&plans)).await?;
    // Each person's certificate in force, or else their latest revoked one.
    let mut issued: HashMap<i64, certificate::Model> = HashMap::new();
    for c in certificate::Entity::find()
        .filter(certificate::Column::ProgrammeId.eq(p.id))
        .order_by_asc(certificate::Column::IssuedAt)
        .order_by_asc(certificate::Column::Id)
        .all(db)
        .await?
    {
        let keep = issued
            .get(&c.person_id)
            .is_some_and(|held| held.revoked_at.is_none());
        if !keep {
            issued.insert(c.person_id, c);
        }
    }
    let programme_rule = requirement(&p);
    let tier_rules = tier_rules_of(&p);
    let mut rows: Vec<EligibilityRow> = trainees
        .iter()
        .filter_map(|id| {
            let l = labels.get(id)?;
            if l.tier.is_empty() {
                return None;
            }
            let plan = plans.get(&l.tier);
            let due = plan.map(|p| p.minutes).unwrap_or(0);
            let got = attended.get(id).copied().unwrap_or(0);
            let has_quiz = plan.is_some_and(|p| !p.quizzes.is_empty());
            let quiz_passed = passed_tier_quiz(&plans, &l.tier, *id, &passed);
            let standing = Standing {
                due_minutes: due,
                attended_minutes: got,
                has_quiz,
                quiz_passed,
            };
            let rule = rules::requirement_for(programme_rule, &tier_rules, &l.tier);
            let reasons = rules::shortfalls(&standing, rule.min_percent, rule.require_quiz);
            let cert = issued.get(id);
            Some(EligibilityRow {
                person_id: *id,
                name: l.name.clone(),
                enterprise: l.enterprise.clone(),
                tier: l.tier.clone(),
                hours_due: hours(due),
                hours_attended: hours(got),
                percent: percent(got, due),
                min_percent: rule.min_percent,
                quiz_passed: has_quiz.then_some(quiz_passed),
                eligible: reasons.is_empty(),
                reasons: reasons.iter().map(|r| r.code().to_string()).collect(),
                serial: cert.map(|c| c.serial.clone()),
                revoked: cert.is_some_and(|c| c.revoked_at.is_some()),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (!a.eligible, &a.tier, &a.enterprise, &a.name).cmp(&(
            !b.eligible,
            &b.tier,
            &b.enterprise,
            &b.name,
        ))
    });
    Ok(Standings {
        programme: p,
        plans,
        rows,
    })
}

/// The programme's own certificate rule.
fn requirement(p: &programme::Model) -> rules::Requirement {
    rules::Requirement {
        min_percent: p.min_attendance_percent.clamp(0, 100) as u32,
        require_quiz: p.require_quiz,
    }
}

/// The tiers whose certificate rule differs from the programme's.
pub fn tier_rules_of(p: &programme::Model) -> Vec<TierRule> {
    serde_json::from_str(&p.tier_rules).unwrap_or_else(|e| {
        tracing::error!(error = %e, "unreadable tier rules; the programme's rule applies");
        Vec::new()
    })
}

pub async fn board(db: &impl ConnectionTrait) -> AppResult<EligibilityList> {
    let s = standings(db).await?;
    let programme_rule = requirement(&s.programme);
    Ok(EligibilityList {
        tier_rules: tier_rules_of(&s.programme)
            .iter()
            .map(|r| {
                let code = r.tier.code();
                (
                    code.to_string(),
                    rules::requirement_for(programme_rule, &[*r], code),
                )
            })
            .collect(),
        programme_zh: s.programme.title_zh,
        programme_en: s.programme.title_en,
        min_percent: programme_rule.min_percent,
        require_quiz: programme_rule.require_quiz,
        rows: s.rows,
    })
}

fn chinese_date(d: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn programme_dates(p: &programme::Model) -> String {
    let (a, b) = (p.starts_on, p.ends_on);
    if a == b {
        chinese_date(a)
    } else if a.year() == b.year() && a.month() == b.month() {
        format!("{}至{}日", chinese_date(a), b.day())
    } else {
        format!("{}至{}", chinese_date(a), chinese_date(b))
    }
}

/// Whom to issue to: every eligible trainee, or those of one tier and/or one enterprise, or one
/// person. Only a pick of one person replaces a revoked certificate: a bulk issue leaves the
/// revoked alone, since a revocation may have been for cause.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pick<'a> {
    pub tier: Option<&'a str>,
    pub enterprise: Option<&'a str>,
    pub person: Option<i64>,
}

impl Pick<'_> {
    fn takes(&self, r: &EligibilityRow) -> bool {
        self.tier.is_none_or(|t| r.tier == t)
            && self.enterprise.is_none_or(|e| r.enterprise == e)
            && self.person.is_none_or(|p| r.person_id == p)
    }

    /// Whether `r` is to get a new certificate: none yet, or a revoked one replaced on purpose.
    fn due(&self, r: &EligibilityRow) -> bool {
        r.serial.is_none() || (r.revoked && self.person == Some(r.person_id))
    }
}

/// Issues a new certificate to one person whose certificate was revoked (a corrected name, say).
/// Refused when they hold one in force or are not eligible now.
pub async fn reissue(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    person_id: i64,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<IssueReport> {
    let s = standings(db).await?;
    let row = s
        .rows
        .iter()
        .find(|r| r.person_id == person_id)
        .ok_or(AppError::validation("person", "person_not_found"))?;
    if row.serial.is_some() && !row.revoked {
        return Err(AppError::validation("person", "certificate_in_force"));
    }
    if !row.eligible {
        return Err(AppError::validation("person", "not_eligible"));
    }
    let pick = Pick {
        person: Some(person_id),
        ..Pick::default()
    };
    issue(db, user, pick, public_url, now).await
}

/// Each certificate and the message that sends it are written in one transaction: a
/// certificate is never issued without its message, nor a message queued without its certificate.
pub async fn issue(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &CurrentUser,
    pick: Pick<'_>,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<IssueReport> {
    if let Some(t) = pick.tier {
        Tier::parse(t).ok_or(AppError::validation("tier", "tier_invalid"))?;
    }
    let tier = pick.tier;
    let s = standings(db).await?;
    let p = &s.programme;
    let issuers: Vec<String> = serde_json::from_str(&p.organisers_zh).unwrap_or_default();
    let issued_on = chinese_date(now.with_timezone(&tz_of(&p.timezone)).date_naive());
    let prefix = format!(
        "{}{}",
        p.slug
            .split('-')
            .filter_map(|w| w.chars().next())
            .filter(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_uppercase(),
        p.starts_on.year()
    );
    let mut report = IssueReport {
        issued: 0,
        already: 0,
        revoked: 0,
        batch: None,
    };
    let todo: Vec<&EligibilityRow> = s
        .rows
        .iter()
        .filter(|r| r.eligible && pick.takes(r))
        .collect();
    let people: HashMap<i64, person::Model> = person::Entity::find()
        .filter(person::Column::Id.is_in(todo.iter().filter(|r| pick.due(r)).map(|r| r.person_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let batch = uuid::Uuid::new_v4().to_string();
    let base = public_url.trim_end_matches('/');
    let txn = db.begin().await?;
    for row in todo {
        if !pick.due(row) {
            if row.revoked {
                report.revoked += 1;
            } else {
                report.already += 1;
            }
            continue;
        }
        let snapshot = Snapshot {
            name: row.name.clone(),
            enterprise: row.enterprise.clone(),
            tier_zh: Tier::name_zh_of(&row.tier),
            programme: p.title_zh.clone(),
            courses: s
                .plans
                .get(&row.tier)
                .map(|plan| plan.courses.clone())
                .unwrap_or_default(),
            hours: row.hours_attended,
            dates: programme_dates(p),
            issuers: issuers.clone(),
            issued_on: issued_on.clone(),
        };
        let serial = rules::serial(&prefix, rand::random::<u64>());
        let result = certificate::Entity::insert(certificate::ActiveModel {
            serial: Set(serial.clone()),
            person_id: Set(row.person_id),
            programme_id: Set(p.id),
            tier: Set(row.tier.clone()),
            hours: Set(row.hours_attended),
            snapshot: Set(serde_json::to_string(&snapshot).map_err(|_| AppError::Internal)?),
            issued_by: Set(user.id),
            issued_at: Set(now),
            ..Default::default()
        })
        // Any unique index may refuse it: the one on certificates in force (issued meanwhile
        // by another organiser or process) or, vanishingly rarely, the serial's.
        .on_conflict_do_nothing()
        .exec_without_returning(&txn)
        .await?;
        if !matches!(result, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            report.already += 1;
            continue;
        }
        report.issued += 1;
        let to = match people.get(&row.person_id) {
            Some(p) => mail::service::Recipient::of(p),
            None => continue,
        };
        let msg = mail::service::Outgoing {
            key: mail::rules::certificate_key(&serial),
            to: &to,
            template: Template::Certificate {
                name: row.name.clone(),
                programme: if to.english {
                    p.title_en.clone()
                } else {
                    p.title_zh.clone()
                },
                serial: serial.clone(),
                verify_url: format!("{base}/verify/{serial}"),
                download_url: format!("{base}/my/certificates"),
            },
            attachment: Some(Attachment::CertificatePdf {
                serial: serial.clone(),
            }),
            batch: Some(&batch),
        };
        mail::service::enqueue(&txn, msg, public_url, now).await?;
    }
    if report.issued > 0 {
        report.batch = Some(batch);
    }
    crate::auth::service::audit(
        &txn,
        Some(user),
        "certificates.issue",
        Some(("programme", p.id.to_string())),
        serde_json::json!({"tier": tier, "enterprise": pick.enterprise, "person": pick.person, "issued": report.issued, "already": report.already, "revoked": report.revoked}),
    )
    .await?;
    txn.commit().await?;
    mail::service::waker().notify_one();
    Ok(report)
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    serial: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation("reason", "reason_required"));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::validation("reason", "note_too_long"));
    }
    let cert = certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial.trim()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if cert.revoked_at.is_some() {
        return Err(AppError::validation("serial", "already_revoked"));
    }
    let mut row: certificate::ActiveModel = cert.into();
    row.revoked_at = Set(Some(now));
    row.revoked_by = Set(Some(user.id));
    row.revoked_reason = Set(Some(reason.to_string()));
    let cert = row.update(db).await?;
    crate::auth::service::audit(
        db,
        Some(user),
        "certificate.revoke",
        Some(("certificate", cert.serial.clone())),
        serde_json::json!({"reason": reason}),
    )
    .await?;
    Ok(())
}

async fn find(
    db: &impl ConnectionTrait,
    serial: &str,
) -> AppResult<(certificate::Model, Snapshot)> {
    let serial = serial.trim();
    if !rules::plausible_serial(serial) {
        return Err(AppError::NotFound);
    }
    let cert = certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let snapshot: Snapshot = serde_json::from_str(&cert.snapshot).map_err(|e| {
        tracing::error!(error = %e, serial, "unreadable certificate snapshot");
        AppError::Internal
    })?;
    Ok((cert, snapshot))
}

pub async fn verify(db: &impl ConnectionTrait, serial: &str) -> AppResult<VerifyView> {
    let (cert, s) = find(db, serial).await?;
    Ok(VerifyView {
        serial: cert.serial,
        valid: cert.revoked_at.is_none(),
        name: s.name,
        programme: s.programme,
        courses: s.courses,
        issued_on: s.issued_on,
        issuers: s.issuers,
        revoked_reason: cert.revoked_reason,
    })
}

pub async fn mine(db: &impl ConnectionTrait, user: &CurrentUser) -> AppResult<Vec<OwnCertificate>> {
    let certs = certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(user.id))
        .order_by_desc(certificate::Column::IssuedAt)
        .all(db)
        .await?;
    Ok(certs
        .into_iter()
        .filter_map(|c| {
            let s: Snapshot = serde_json::from_str(&c.snapshot).ok()?;
            Some(OwnCertificate {
                serial: c.serial,
                programme: s.programme,
                issued_on: s.issued_on,
                revoked: c.revoked_at.is_some(),
            })
        })
        .collect())
}

static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();

/// The certificate's PDF, for its holder or an issuer.
pub async fn pdf_for(
    db: &impl ConnectionTrait,
    user: &CurrentUser,
    serial: &str,
    public_url: &str,
) -> AppResult<Vec<u8>> {
    let (cert, _) = find(db, serial).await?;
    if cert.person_id != user.id && !user.has_any(ISSUERS) {
        // Not yours: as if it did not exist.
        return Err(AppError::NotFound);
    }
    render_pdf(db, serial, public_url).await
}

/// The certificate's PDF, for whoever is allowed (the caller checks). Rendering runs off the
/// async threads.
pub async fn render_pdf(
    db: &impl ConnectionTrait,
    serial: &str,
    public_url: &str,
) -> AppResult<Vec<u8>> {
    let (cert, s) = find(db, serial).await?;
    let data = CertificateData {
        serial: cert.serial.clone(),
        name: s.name,
        enterprise: s.enterprise,
        tier: s.tier_zh,
        programme: s.programme,
        courses: s.courses,
        hours: s.hours,
        dates: s.dates,
        issuers: s.issuers,
        issued_on: s.issued_on,
        verify_url: format!(
            "{}/verify/{}",
            public_url.trim_end_matches('/'),
            cert.serial
        ),
    };
    tokio::task::spawn_blocking(move || {
        let fonts = FONTS
            .get_or_init(|| Fonts::load().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| {
                tracing::error!(error = %e, "certificate fonts missing");
                AppError::Internal
            })?;
        pdf::render(&data, fonts).map_err(|e| {
            tracing::error!(error = %e, "certificate PDF failed");
            AppError::Internal
        })
    })
    .await
    .map_err(|_| AppError::Internal)?
}
