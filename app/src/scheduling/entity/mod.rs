pub mod programme;
