//! People and the organisations they come from: tiers, districts, enterprises, persons and roles,
//! and their import from a spreadsheet.
pub mod credit_code;
#[cfg(feature = "ssr")]
pub mod directory;
pub mod enterprises;
#[cfg(feature = "ssr")]
pub mod entity;
pub mod import;
pub mod reason;
pub mod tier;
