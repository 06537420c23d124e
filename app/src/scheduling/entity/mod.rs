pub mod enrolment;
pub mod lecturer;
pub mod notice;
pub mod programme;
pub mod quota;
pub mod room;
pub mod session;
