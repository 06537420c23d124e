//! People and the organisations they come from: tiers, districts, enterprises, persons and roles.
pub mod credit_code;
#[cfg(feature = "ssr")]
pub mod directory;
#[cfg(feature = "ssr")]
pub mod entity;
pub mod tier;
