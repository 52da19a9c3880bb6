//! The third stage: the embedded Oxigraph store. Opening and locking it, loading facts into it,
//! exporting it, counting it, searching its names, and answering saved SPARQL queries over it.

pub mod export;
mod kb;
pub mod listings;
pub mod load;
pub mod names;
pub mod query;
pub mod stats;

pub use kb::{KnowledgeBase, LoadSummary, StoreError, StoreErrorKind, DEFAULT_STORE, LISTINGS_DIR};
