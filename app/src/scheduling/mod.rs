//! Programmes and, later, their sessions, rooms and lecturers.
#[cfg(feature = "ssr")]
pub mod entity;
