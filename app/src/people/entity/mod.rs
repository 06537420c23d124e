pub mod district;
pub mod enterprise;
pub mod person;
pub mod person_role;
pub mod tier;
