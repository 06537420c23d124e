//! Reports as tables, and the tables as files: CSV (UTF-8 with a byte-order mark, so Excel opens
//! Chinese text correctly) and XLSX (one sheet a table) through well-kept crates.
#[cfg(feature = "ssr")]
pub mod export;
