pub mod attendance;
pub mod attendance_change;
pub mod setting;
