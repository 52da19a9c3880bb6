//! One file per stage, as in the library: each command parses nothing (cli.rs did), calls the
//! library and words what it returns.

pub(crate) mod facts;
pub(crate) mod store;
pub(crate) mod query;
pub(crate) mod link;
pub(crate) mod open;
pub(crate) mod http;
