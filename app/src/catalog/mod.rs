//! Courses and lessons: the curricula loaded from `content/`.
#[cfg(feature = "ssr")]
pub mod content;
#[cfg(feature = "ssr")]
pub mod entity;
