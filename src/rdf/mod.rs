//! The second stage: RDF. The knowledge base's IRI scheme, the ontology and its vocabulary, the
//! mapping of valid documents to quads, and writing quads in the RDF formats (sorted with bounded
//! memory for the pretty ones). [`Context`] bundles what a run needs of them.

pub mod context;
pub mod iri;
pub mod mapping;
pub mod ontology;
pub mod serialize;
pub mod sorter;

pub use context::{Context, ContextError};
