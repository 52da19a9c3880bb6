//! The first stage: facts documents as users write them. Their format (serde types and the JSON
//! Schema), finding and reading facts files, and validation, which turns raw text into a
//! [`validate::ValidDocument`] or every [`problem::Problem`], located.

pub mod date;
mod format;
pub mod generate;
pub mod identity;
pub mod input;
pub(crate) mod jsonpos;
pub(crate) mod locate;
pub mod problem;
pub mod schema;
pub mod stream;
pub mod validate;

pub use format::*;
