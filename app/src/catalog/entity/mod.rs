pub mod course;
pub mod course_tier;
pub mod lesson;
pub mod lesson_progress;
