pub mod audit_log;
pub mod auth_session;
pub mod login_attempt;
pub mod login_token;
