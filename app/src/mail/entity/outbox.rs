use sea_orm::entity::prelude::*;

/// One message to send. Written in the same transaction as what it announces; the worker
/// claims it with a lease, sends it, and marks it sent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// `certificate`, `promoted`, `cancelled`, `reminder`, `login_link`, `notice`.
    pub kind: String,
    pub person_id: Option<i64>,
    /// `None`: the person had no email when it was written; it is looked up again at send time.
    pub to_address: Option<String>,
    pub to_name: String,
    pub locale: String,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub text_body: String,
    #[sea_orm(column_type = "Text")]
    pub html_body: String,
    /// JSON of [`crate::mail::Attachment`], made at send time (a certificate PDF, a session .ics).
    pub attachment: Option<String>,
    /// The `Message-ID` header, fixed when the row is written: every retry sends the same one.
    pub message_id: String,
    /// Groups the messages of one bulk action, for its progress bar.
    pub batch: Option<String>,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
