//! The mail worker every server process runs: it writes tomorrow's reminders, claims due
//! messages from the outbox with a lease, sends them (SMTP, or `.eml` files when no SMTP server
//! is configured), and records each try. Workers of several processes share the queue: a claim
//! is a conditional update, so no two hold one message.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment as MailAttachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::DatabaseConnection;

use super::entity::outbox;
use super::service;
use super::Attachment;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP (a relay on the same machine or a private network).
    None,
    /// STARTTLS on the submission port (587).
    StartTls,
    /// TLS from the first byte (465).
    Tls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<TlsMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" | "off" => Some(TlsMode::None),
            "starttls" => Some(TlsMode::StartTls),
            "tls" | "smtps" | "implicit" => Some(TlsMode::Tls),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum TransportSettings {
    Smtp {
        host: String,
        port: u16,
        tls: TlsMode,
        user: Option<String>,
        password: Option<String>,
    },
    /// No SMTP server: each message becomes `<dir>/<id>.eml`.
    Files(PathBuf),
}

#[derive(Clone, Debug)]
pub struct MailSettings {
    pub transport: TransportSettings,
    /// The `From` header, e.g. `培训平台 <noreply@example.cn>`.
    pub from: String,
    /// The first retry waits this long; each later one twice as long (at most an hour).
    pub retry_base_seconds: u64,
    /// How often an idle worker looks for due messages (a message written in this process
    /// wakes it at once).
    pub poll: StdDuration,
    /// Messages sent at the same time.
    pub concurrency: usize,
    /// How long a claim holds before another worker may take the message over.
    pub lease_seconds: i64,
    pub public_url: String,
    /// Write the day-before reminders.
    pub reminders: bool,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// A failed try: its text for the record, and whether trying again cannot help.
struct Failure {
    text: String,
    permanent: bool,
}

impl Failure {
    fn permanent(text: impl Into<String>) -> Failure {
        Failure {
            text: text.into(),
            permanent: true,
        }
    }
    fn transient(text: impl Into<String>) -> Failure {
        Failure {
            text: text.into(),
            permanent: false,
        }
    }
}

fn transport(settings: &TransportSettings) -> Result<Transport, String> {
    match settings {
        TransportSettings::Files(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create the outbox folder {}: {e}", dir.display()))?;
            Ok(Transport::Files(dir.clone()))
        }
        TransportSettings::Smtp {
            host,
            port,
            tls,
            user,
            password,
        } => {
            let builder = match tls {
                TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
                TlsMode::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                    .map_err(|e| format!("SMTP TLS set-up failed: {e}"))?,
                TlsMode::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                    .map_err(|e| format!("SMTP TLS set-up failed: {e}"))?,
            };
            let mut builder = builder
                .port(*port)
                .timeout(Some(StdDuration::from_secs(30)));
            if let (Some(u), Some(p)) = (user, password) {
                builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
            }
            Ok(Transport::Smtp(builder.build()))
        }
    }
}

/// Runs the worker for ever. A bad mail configuration is logged once and the worker stops (the
/// rest of the server runs on; messages wait in the outbox).
pub async fn run(db: DatabaseConnection, settings: MailSettings) {
    let transport = match transport(&settings.transport) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            tracing::error!(error = %e, "mail is not sent: fix the mail settings and restart");
            return;
        }
    };
    let from: Mailbox = match settings.from.parse() {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, from = %settings.from, "mail is not sent: the From address is not valid");
            return;
        }
    };
    let worker = format!(
        "pid{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let settings = Arc::new(settings);
    let mut reminders_at = Utc::now() - Duration::minutes(5);
    loop {
        let now = Utc::now();
        if settings.reminders && now - reminders_at >= Duration::minutes(1) {
            reminders_at = now;
            match service::enqueue_reminders(&db, &settings.public_url, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(written = n, "wrote tomorrow's reminders"),
                Err(e) => tracing::warn!(error = %e, "could not write reminders"),
            }
        }
        let token = uuid::Uuid::new_v4().to_string();
        let claimed = match service::claim(
            &db,
            &token,
            settings.concurrency.max(1) as u64,
            Duration::seconds(settings.lease_seconds.max(5)),
            now,
        )
        .await
        {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the outbox");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                _ = service::waker().notified() => {}
                _ = tokio::time::sleep(settings.poll) => {}
            }
            continue;
        }
        let mut round = tokio::task::JoinSet::new();
        for msg in claimed {
            let (db, transport, from, settings, token, worker) = (
                db.clone(),
                transport.clone(),
                from.clone(),
                settings.clone(),
                token.clone(),
                worker.clone(),
            );
            round.spawn(async move {
                let result = deliver(&db, &transport, &from, &settings, &msg).await;
                let now = Utc::now();
                let claim = service::Claim {
                    token: &token,
                    worker: &worker,
                };
                let recorded = match result {
                    Ok(()) => service::mark_sent(&db, msg.id, claim, now).await,
                    Err(f) => {
                        tracing::warn!(id = msg.id, error = %f.text, permanent = f.permanent, "mail not sent");
                        service::mark_failed(
                            &db,
                            &msg,
                            claim,
                            &f.text,
                            f.permanent,
                            settings.retry_base_seconds,
                            now,
                        )
                        .await
                    }
                };
                if let Err(e) = recorded {
                    // The claim runs out and the message is tried again.
                    tracing::error!(id = msg.id, error = %e, "could not record a mail attempt");
                }
            });
        }
        while round.join_next().await.is_some() {}
    }
}

async fn deliver(
    db: &DatabaseConnection,
    transport: &Transport,
    from: &Mailbox,
    settings: &MailSettings,
    msg: &outbox::Model,
) -> Result<(), Failure> {
    let message = compose(db, from, &settings.public_url, msg).await?;
    match transport {
        Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| Failure {
            permanent: e.is_permanent(),
            text: e.to_string(),
        }),
        Transport::Files(dir) => {
            let path = dir.join(format!("{}.eml", msg.id));
            let tmp = dir.join(format!(".{}.eml.tmp", msg.id));
            tokio::fs::write(&tmp, message.formatted())
                .await
                .map_err(|e| Failure::transient(format!("cannot write {}: {e}", tmp.display())))?;
            tokio::fs::rename(&tmp, &path)
                .await
                .map_err(|e| Failure::transient(format!("cannot write {}: {e}", path.display())))
        }
    }
}

/// One outbox message as an `.eml` file, built exactly as the worker sends it (same headers,
/// Message-ID, bodies and attachment; the Date is the time of download). `Err(text)` when it
/// cannot be built, e.g. the recipient has no email address.
pub async fn eml(
    db: &DatabaseConnection,
    from: &str,
    public_url: &str,
    id: i64,
) -> crate::error::AppResult<Result<Vec<u8>, String>> {
    use sea_orm::EntityTrait;
    let msg = outbox::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    let from: Mailbox = from.parse().map_err(|_| {
        tracing::error!(from, "the configured From address does not parse");
        crate::error::AppError::Internal
    })?;
    Ok(compose(db, &from, public_url, &msg)
        .await
        .map(|m| m.formatted())
        .map_err(|f| f.text))
}

async fn compose(
    db: &DatabaseConnection,
    from: &Mailbox,
    public_url: &str,
    msg: &outbox::Model,
) -> Result<Message, Failure> {
    let address = service::address_now(db, msg)
        .await
        .map_err(|e| Failure::transient(e.to_string()))?
        .ok_or_else(|| Failure::permanent("no email address"))?;
    let to = Mailbox::new(
        Some(msg.to_name.clone()),
        address
            .trim()
            .parse()
            .map_err(|_| Failure::permanent(format!("not an email address: {address}")))?,
    );
    let attachment = match msg.attachment.as_deref() {
        None => None,
        Some(json) => {
            let a: Attachment = serde_json::from_str(json)
                .map_err(|e| Failure::permanent(format!("unreadable attachment: {e}")))?;
            Some(attachment(db, &a, public_url).await?)
        }
    };
    build(msg, from, to, attachment)
}

async fn attachment(
    db: &DatabaseConnection,
    a: &Attachment,
    public_url: &str,
) -> Result<(String, Vec<u8>, ContentType), Failure> {
    match a {
        Attachment::CertificatePdf { serial } => {
            let pdf = crate::certificate::service::render_pdf(db, serial, public_url)
                .await
                .map_err(|e| Failure::transient(format!("certificate PDF: {e}")))?;
            Ok((
                format!("certificate-{serial}.pdf"),
                pdf,
                ContentType::parse("application/pdf")
                    .map_err(|e| Failure::permanent(e.to_string()))?,
            ))
        }
        Attachment::SessionIcs { session_id } => {
            let ics = crate::scheduling::calendar::session_ics(db, *session_id, public_url)
                .await
                .map_err(|e| Failure::transient(format!("calendar file: {e}")))?;
            Ok((
                format!("session-{session_id}.ics"),
                ics.into_bytes(),
                ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                    .map_err(|e| Failure::permanent(e.to_string()))?,
            ))
        }
    }
}

fn build(
    msg: &outbox::Model,
    from: &Mailbox,
    to: Mailbox,
    attachment: Option<(String, Vec<u8>, ContentType)>,
) -> Result<Message, Failure> {
    let body = MultiPart::alternative_plain_html(msg.text_body.clone(), msg.html_body.clone());
    let body = match attachment {
        None => body,
        Some((name, bytes, kind)) => MultiPart::mixed()
            .multipart(body)
            .singlepart(MailAttachment::new(name).body(bytes, kind)),
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(msg.subject.clone())
        .message_id(Some(msg.message_id.clone()))
        .multipart(body)
        .map_err(|e| Failure::permanent(format!("cannot build the message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::TlsMode;

    #[test]
    fn tls_modes_are_named_plainly() {
        assert_eq!(TlsMode::parse("STARTTLS"), Some(TlsMode::StartTls));
        assert_eq!(TlsMode::parse("tls"), Some(TlsMode::Tls));
        assert_eq!(TlsMode::parse("none"), Some(TlsMode::None));
        assert_eq!(TlsMode::parse("ssl3"), None);
    }
}
