pub mod outbox;
pub mod outbox_attempt;
