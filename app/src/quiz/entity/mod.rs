pub mod attempt;
pub mod attempt_answer;
pub mod question;
pub mod quiz;
