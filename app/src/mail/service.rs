//! The outbox on the server: writing messages (inside the caller's transaction), claiming them
//! for a worker with a lease, recording each try, and what the organiser's pages show.
use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionSession, TransactionTrait,
};

use super::entity::{outbox, outbox_attempt};
use super::rules::{self, AfterFailure, FAILED, QUEUED, SENT};
use super::templates::{self, Letter, SessionFacts, Template};
use super::{Attachment, BatchProgress, MailRow, OutboxPage};
use crate::error::{AppError, AppResult};
use crate::people::entity::person;
use crate::scheduling::entity::{programme, room, session};
use crate::scheduling::service::tz_of;

/// Wakes this process's worker when a message is written, so it need not wait for its next poll.
pub fn waker() -> &'static tokio::sync::Notify {
    static WAKE: OnceLock<tokio::sync::Notify> = OnceLock::new();
    WAKE.get_or_init(tokio::sync::Notify::new)
}

/// Who a message goes to.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub person_id: Option<i64>,
    pub name: String,
    pub address: Option<String>,
    pub english: bool,
}

impl Recipient {
    pub fn of(p: &person::Model) -> Recipient {
        Recipient {
            person_id: Some(p.id),
            name: p.name.clone(),
            address: p.email.clone(),
            english: p.locale.starts_with("en"),
        }
    }
}

pub async fn recipient(db: &impl ConnectionTrait, person_id: i64) -> AppResult<Recipient> {
    let p = person::Entity::find_by_id(person_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Recipient::of(&p))
}

/// A message to write: its idempotency key, recipient, template and what to attach.
pub struct Outgoing<'a> {
    pub key: String,
    pub to: &'a Recipient,
    pub template: Template,
    pub attachment: Option<Attachment>,
    /// The bulk action it belongs to, for its progress bar.
    pub batch: Option<&'a str>,
}

/// Writes a message to the outbox. Call it inside the transaction that makes what it announces.
/// A second message with the same key is not written; returns whether this one was.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    msg: Outgoing<'_>,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let result = outbox::Entity::insert(row_of(msg, public_url, now)?)
        .on_conflict_do_nothing_on([outbox::Column::IdempotencyKey])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// Writes many messages in a few statements (an import's welcome links); a message whose key is
/// already in the outbox is not written again. Returns how many were written.
pub async fn enqueue_many(
    db: &impl ConnectionTrait,
    msgs: Vec<Outgoing<'_>>,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let rows = msgs
        .into_iter()
        .map(|m| row_of(m, public_url, now))
        .collect::<AppResult<Vec<_>>>()?;
    let mut written = 0;
    for chunk in rows.chunks(crate::db::BATCH) {
        let result = outbox::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([outbox::Column::IdempotencyKey])
            .exec_without_returning(db)
            .await?;
        if let sea_orm::TryInsertResult::Inserted(n) = result {
            written += n;
        }
    }
    Ok(written)
}

fn row_of(
    msg: Outgoing<'_>,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<outbox::ActiveModel> {
    let Outgoing {
        key,
        to,
        template,
        attachment,
        batch,
    } = msg;
    let Letter {
        subject,
        text,
        html,
    } = templates::render(&template, to.english);
    let row = outbox::ActiveModel {
        idempotency_key: Set(key),
        kind: Set(template.kind().to_string()),
        person_id: Set(to.person_id),
        to_address: Set(to.address.clone()),
        to_name: Set(to.name.clone()),
        locale: Set(if to.english { "en" } else { "zh-CN" }.into()),
        subject: Set(subject),
        text_body: Set(text),
        html_body: Set(html),
        attachment: Set(attachment
            .map(|a| serde_json::to_string(&a))
            .transpose()
            .map_err(|_| AppError::Internal)?),
        batch: Set(batch.map(str::to_string)),
        ..Default::default()
    };
    Ok(queued(row, public_url, now))
}

/// A new row's place in the queue, whatever it says: its own `Message-ID`, due now, unclaimed.
fn queued(row: outbox::ActiveModel, public_url: &str, now: DateTime<Utc>) -> outbox::ActiveModel {
    let uuid = uuid::Uuid::new_v4().to_string();
    outbox::ActiveModel {
        message_id: Set(rules::message_id(&uuid, public_url)),
        status: Set(QUEUED.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_by: Set(None),
        claimed_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
        ..row
    }
}

/// What a message about a session says: its number, title, local time, room and venue.
pub async fn session_facts(
    db: &impl ConnectionTrait,
    session_id: i64,
    name: &str,
    english: bool,
    public_url: &str,
) -> AppResult<SessionFacts> {
    let s = session::Entity::find_by_id(session_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = programme::Entity::find_by_id(s.programme_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let room = room::Entity::find_by_id(s.room_id)
        .one(db)
        .await?
        .map(|r| r.name)
        .unwrap_or_default();
    Ok(facts(&s, &p, room, name, english, public_url))
}

fn facts(
    s: &session::Model,
    p: &programme::Model,
    room: String,
    name: &str,
    english: bool,
    public_url: &str,
) -> SessionFacts {
    let tz = tz_of(&p.timezone);
    let (a, b) = (s.starts_at.with_timezone(&tz), s.ends_at.with_timezone(&tz));
    let when = if a.date_naive() == b.date_naive() {
        format!("{}–{}", a.format("%Y-%m-%d %H:%M"), b.format("%H:%M"))
    } else {
        format!(
            "{} – {}",
            a.format("%Y-%m-%d %H:%M"),
            b.format("%Y-%m-%d %H:%M")
        )
    };
    // A split day says when each period is: "（上午 08:30–12:00；下午 13:30–17:00）".
    let split: Vec<String> = crate::scheduling::periods::parse(&s.periods)
        .unwrap_or_default()
        .iter()
        .map(|p| p.caption())
        .collect();
    let when = if split.is_empty() {
        when
    } else {
        format!("{when}（{}）", split.join("；"))
    };
    SessionFacts {
        name: name.to_string(),
        number: s.number,
        title: if english {
            s.title_en.clone()
        } else {
            s.title_zh.clone()
        },
        when,
        room,
        venue: if english {
            p.venue_en.clone()
        } else {
            p.venue_zh.clone()
        },
        url: format!("{}/sessions/{}", public_url.trim_end_matches('/'), s.id),
    }
}

/// Writes a promotion or cancellation message about a place (inside the enrolment's transaction).
pub async fn announce_place(
    db: &impl ConnectionTrait,
    kind: &str,
    session_id: i64,
    person_id: i64,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = recipient(db, person_id).await?;
    let f = session_facts(db, session_id, &to.name, to.english, public_url).await?;
    let (template, attachment) = if kind == "promoted" {
        (
            Template::Promoted(f),
            Some(Attachment::SessionIcs { session_id }),
        )
    } else {
        (Template::Cancelled(f), None)
    };
    enqueue(
        db,
        Outgoing {
            key: rules::place_key(kind, session_id, person_id, now),
            to: &to,
            template,
            attachment,
            batch: None,
        },
        public_url,
        now,
    )
    .await?;
    Ok(())
}

/// Writes the message that tells a person a scheduler moved their place (inside the move's
/// transaction): the new session's facts, and its calendar file when they have a seat.
pub async fn announce_move(
    db: &impl ConnectionTrait,
    from_session: i64,
    to_session: i64,
    person_id: i64,
    waitlisted: Option<u32>,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = recipient(db, person_id).await?;
    let old = session_facts(db, from_session, &to.name, to.english, public_url).await?;
    let new = session_facts(db, to_session, &to.name, to.english, public_url).await?;
    let from = if to.english {
        format!("session {} ({})", old.number, old.when)
    } else {
        format!("第{}期（{}）", old.number, old.when)
    };
    enqueue(
        db,
        Outgoing {
            key: rules::place_key("moved", to_session, person_id, now),
            to: &to,
            template: Template::Moved {
                from,
                to: new,
                waitlisted,
            },
            attachment: waitlisted.is_none().then_some(Attachment::SessionIcs {
                session_id: to_session,
            }),
            batch: None,
        },
        public_url,
        now,
    )
    .await?;
    Ok(())
}

/// Mails a first-login link (inside the transaction that makes it); nothing when the person has
/// no email, since the link is also shown to whoever made it.
pub async fn announce_login_link(
    db: &impl ConnectionTrait,
    person_id: i64,
    token: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let to = recipient(db, person_id).await?;
    if to.address.is_none() {
        return Ok(());
    }
    enqueue(db, login_link(&to, token, public_url, now), public_url, now).await?;
    Ok(())
}

/// Mails the first-login links of many new accounts at once (an import), inside its
/// transaction; those without an email are skipped. Returns how many messages were written.
pub async fn announce_login_links(
    db: &impl ConnectionTrait,
    links: &[(Recipient, String)],
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let msgs = links
        .iter()
        .filter(|(to, _)| to.address.is_some())
        .map(|(to, token)| login_link(to, token, public_url, now))
        .collect();
    enqueue_many(db, msgs, public_url, now).await
}

fn login_link<'a>(
    to: &'a Recipient,
    token: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Outgoing<'a> {
    let link = format!("{}/welcome/{token}", public_url.trim_end_matches('/'));
    Outgoing {
        key: format!(
            "login_link:{}:{}",
            to.person_id.unwrap_or_default(),
            now.timestamp_micros()
        ),
        to,
        template: Template::LoginLink {
            name: to.name.clone(),
            link,
        },
        attachment: None,
        batch: None,
    }
}

/// Writes tomorrow's reminders: every trainee with a seat in a session that starts on the next
/// local day. The key makes each one message, however often and in however many processes this
/// runs. Returns how many were written.
pub async fn enqueue_reminders(
    db: &impl ConnectionTrait,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<u32> {
    use crate::scheduling::entity::enrolment;
    // Sessions starting within the next two days, then those whose local date is tomorrow.
    let sessions = session::Entity::find()
        .filter(session::Column::StartsAt.gt(now))
        .filter(session::Column::StartsAt.lte(now + Duration::hours(48)))
        .all(db)
        .await?;
    let mut written = 0;
    let mut programmes: HashMap<i64, Option<programme::Model>> = HashMap::new();
    for s in sessions {
        if let std::collections::hash_map::Entry::Vacant(e) = programmes.entry(s.programme_id) {
            e.insert(
                programme::Entity::find_by_id(s.programme_id)
                    .one(db)
                    .await?,
            );
        }
        let Some(Some(prog)) = programmes.get(&s.programme_id) else {
            continue;
        };
        let prog = prog.clone();
        let tz = tz_of(&prog.timezone);
        let tomorrow = now.with_timezone(&tz).date_naive() + Duration::days(1);
        if s.starts_at.with_timezone(&tz).date_naive() != tomorrow {
            continue;
        }
        let seated: Vec<i64> = enrolment::Entity::find()
            .select_only()
            .column(enrolment::Column::PersonId)
            .filter(enrolment::Column::SessionId.eq(s.id))
            .filter(enrolment::Column::Status.eq("enrolled"))
            .into_tuple()
            .all(db)
            .await?;
        let already: Vec<String> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::IdempotencyKey)
            .filter(outbox::Column::IdempotencyKey.starts_with(format!("reminder:{}:", s.id)))
            .into_tuple()
            .all(db)
            .await?;
        let todo: Vec<i64> = seated
            .into_iter()
            .filter(|pid| !already.contains(&rules::reminder_key(s.id, *pid)))
            .collect();
        if todo.is_empty() {
            continue;
        }
        let room = room::Entity::find_by_id(s.room_id)
            .one(db)
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
        let people = person::Entity::find()
            .filter(person::Column::Id.is_in(todo))
            .all(db)
            .await?;
        for p in people {
            let to = Recipient::of(&p);
            let f = facts(&s, &prog, room.clone(), &to.name, to.english, public_url);
            let msg = Outgoing {
                key: rules::reminder_key(s.id, p.id),
                to: &to,
                template: Template::Reminder(f),
                attachment: Some(Attachment::SessionIcs { session_id: s.id }),
                batch: None,
            };
            if enqueue(db, msg, public_url, now).await? {
                written += 1;
            }
        }
    }
    Ok(written)
}

/// Claims up to `limit` due messages for `claim` (a fresh token each round) until `lease` runs out.
/// The claim is one conditional update, so two workers never hold the same message.
pub async fn claim(
    db: &impl ConnectionTrait,
    token: &str,
    limit: u64,
    lease: Duration,
    now: DateTime<Utc>,
) -> AppResult<Vec<outbox::Model>> {
    let due: Vec<i64> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(outbox::Column::Status.eq(QUEUED))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .filter(free(now))
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ClaimedBy, Expr::value(token.to_string()))
        .col_expr(outbox::Column::ClaimedUntil, Expr::value(now + lease))
        .filter(outbox::Column::Id.is_in(due))
        .filter(outbox::Column::Status.eq(QUEUED))
        .filter(free(now))
        .exec(db)
        .await?;
    Ok(outbox::Entity::find()
        .filter(outbox::Column::ClaimedBy.eq(token))
        .filter(outbox::Column::Status.eq(QUEUED))
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?)
}

fn free(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(outbox::Column::ClaimedUntil.is_null())
        .add(outbox::Column::ClaimedUntil.lt(now))
}

/// A worker's hold on the messages of one round.
#[derive(Clone, Copy, Debug)]
pub struct Claim<'a> {
    /// Fresh each round; only its holder marks the messages.
    pub token: &'a str,
    /// The worker, for the record of tries.
    pub worker: &'a str,
}

/// Records a delivered message. Only the worker holding the claim marks it.
pub async fn mark_sent(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: i64,
    claim: Claim<'_>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Claim { token, worker } = claim;
    // The mark and its try are one write: a reader never sees a message sent without its try,
    // and a process stopped between the two leaves neither.
    let txn = db.begin().await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(SENT))
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        .col_expr(
            outbox::Column::Attempts,
            Expr::col(outbox::Column::Attempts).add(1),
        )
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(outbox::Column::LastError, Expr::value(None::<String>))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimedBy.eq(token))
        .exec(&txn)
        .await?;
    attempt(&txn, id, worker, None, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Records a failed try: retried later with back-off, or given up on.
pub async fn mark_failed(
    db: &(impl ConnectionTrait + TransactionTrait),
    msg: &outbox::Model,
    claim: Claim<'_>,
    error: &str,
    permanent: bool,
    retry_base_seconds: u64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Claim { token, worker } = claim;
    let attempts = msg.attempts + 1;
    let (status, next) = match rules::after_failure(now, attempts, permanent, retry_base_seconds) {
        AfterFailure::RetryAt(at) => (QUEUED, at),
        AfterFailure::GiveUp => (FAILED, now),
    };
    let txn = db.begin().await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(outbox::Column::LastError, Expr::value(error.to_string()))
        .filter(outbox::Column::Id.eq(msg.id))
        .filter(outbox::Column::ClaimedBy.eq(token))
        .exec(&txn)
        .await?;
    attempt(&txn, msg.id, worker, Some(error), now).await?;
    txn.commit().await?;
    Ok(())
}

async fn attempt(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    outbox_attempt::ActiveModel {
        outbox_id: Set(id),
        attempted_at: Set(now),
        worker: Set(worker.to_string()),
        ok: Set(error.is_none()),
        error: Set(error.map(str::to_string)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The current email of the message's person, when the row was written without one.
pub async fn address_now(
    db: &impl ConnectionTrait,
    msg: &outbox::Model,
) -> AppResult<Option<String>> {
    if let Some(a) = msg.to_address.as_ref().filter(|a| !a.trim().is_empty()) {
        return Ok(Some(a.clone()));
    }
    let Some(pid) = msg.person_id else {
        return Ok(None);
    };
    Ok(person::Entity::find_by_id(pid)
        .one(db)
        .await?
        .and_then(|p| p.email))
}

fn row(m: outbox::Model) -> MailRow {
    MailRow {
        id: m.id,
        kind: m.kind,
        to_name: m.to_name,
        to_address: m.to_address.unwrap_or_default(),
        subject: m.subject,
        status: m.status,
        attempts: m.attempts,
        last_error: m.last_error,
        created_at: m.created_at.to_rfc3339(),
        sent_at: m.sent_at.map(|t| t.to_rfc3339()),
    }
}

/// How far one bulk action's messages have got, with each recipient's state.
pub async fn batch_progress(db: &impl ConnectionTrait, batch: &str) -> AppResult<BatchProgress> {
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Batch.eq(batch))
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?;
    let count = |s: &str| rows.iter().filter(|r| r.status == s).count() as u32;
    Ok(BatchProgress {
        batch: batch.to_string(),
        total: rows.len() as u32,
        queued: count(QUEUED),
        sent: count(SENT),
        failed: count(FAILED),
        rows: rows.into_iter().map(row).collect(),
    })
}

/// The outbox, newest first, optionally of one status.
pub async fn page(
    db: &impl ConnectionTrait,
    status: Option<&str>,
    limit: u64,
) -> AppResult<OutboxPage> {
    let mut q = outbox::Entity::find().order_by_desc(outbox::Column::Id);
    if let Some(s) = status {
        if ![QUEUED, SENT, FAILED].contains(&s) {
            return Err(AppError::validation("status", "status_invalid"));
        }
        q = q.filter(outbox::Column::Status.eq(s));
    }
    let rows = q.limit(limit.clamp(1, 500)).all(db).await?;
    let count = |s: &'static str| async move {
        outbox::Entity::find()
            .filter(outbox::Column::Status.eq(s))
            .count(db)
            .await
    };
    Ok(OutboxPage {
        queued: count(QUEUED).await? as u32,
        sent: count(SENT).await? as u32,
        failed: count(FAILED).await? as u32,
        rows: rows.into_iter().map(row).collect(),
    })
}

/// Puts failed messages (of one batch, or all) back in the queue for a fresh round of tries.
pub async fn retry_failed(
    db: &impl ConnectionTrait,
    batch: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<u32> {
    let mut q = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(QUEUED))
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            outbox::Column::ClaimedUntil,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(outbox::Column::Status.eq(FAILED));
    if let Some(b) = batch {
        q = q.filter(outbox::Column::Batch.eq(b));
    }
    let n = q.exec(db).await?.rows_affected as u32;
    waker().notify_one();
    Ok(n)
}

/// Queues a copy of a sent message, for a recipient who says it never came: a new Message-ID,
/// the person's current address, the same subject, bodies and attachment. While an earlier copy
/// still waits in the queue, pressing again answers with that copy instead of a second one. A
/// certificate revoked since, or a first-login link, is not sent again. Returns the copy's id.
pub async fn resend(
    db: &(impl ConnectionTrait + TransactionTrait),
    user: &crate::auth::CurrentUser,
    id: i64,
    public_url: &str,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let txn = db.begin().await?;
    crate::auth::service::audit(
        &txn,
        Some(user),
        "mail.resend",
        Some(("outbox", id.to_string())),
        serde_json::json!({}),
    )
    .await?;
    let original = outbox::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if original.status != SENT {
        return Err(AppError::validation("status", "resend_not_sent"));
    }
    // An old link may have been used or have run out: a new one is issued on the person's page.
    if original.kind == "login_link" {
        return Err(AppError::validation("status", "resend_login_link"));
    }
    let attachment: Option<Attachment> = original
        .attachment
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok());
    if let Some(Attachment::CertificatePdf { serial }) = &attachment {
        use crate::certificate::entity::certificate;
        let revoked = certificate::Entity::find()
            .filter(certificate::Column::Serial.eq(serial.as_str()))
            .one(&txn)
            .await?
            .is_none_or(|c| c.revoked_at.is_some());
        if revoked {
            return Err(AppError::validation("status", "resend_revoked"));
        }
    }
    let prefix = format!("resend:{id}:");
    let copies = outbox::Entity::find()
        .filter(outbox::Column::IdempotencyKey.starts_with(&prefix))
        .all(&txn)
        .await?;
    if let Some(waiting) = copies.iter().find(|c| c.status == QUEUED) {
        txn.commit().await?;
        return Ok(waiting.id);
    }
    let address = match original.person_id {
        Some(pid) => person::Entity::find_by_id(pid)
            .one(&txn)
            .await?
            .and_then(|p| p.email)
            .or(original.to_address.clone()),
        None => original.to_address.clone(),
    };
    let key = format!("{prefix}{}", copies.len() + 1);
    let copy = outbox::ActiveModel {
        idempotency_key: Set(key.clone()),
        kind: Set(original.kind),
        person_id: Set(original.person_id),
        to_address: Set(address),
        to_name: Set(original.to_name),
        locale: Set(original.locale),
        subject: Set(original.subject),
        text_body: Set(original.text_body),
        html_body: Set(original.html_body),
        attachment: Set(original.attachment),
        batch: Set(None),
        ..Default::default()
    };
    outbox::Entity::insert(queued(copy, public_url, now))
        .on_conflict_do_nothing_on([outbox::Column::IdempotencyKey])
        .exec_without_returning(&txn)
        .await?;
    let copy = outbox::Entity::find()
        .filter(outbox::Column::IdempotencyKey.eq(key))
        .one(&txn)
        .await?
        .ok_or(AppError::Internal)?;
    txn.commit().await?;
    waker().notify_one();
    Ok(copy.id)
}
