//! The second stage: RDF. The ontology and its vocabulary, the mapping of valid documents to quads,
//! and writing quads in the RDF formats (sorted with bounded memory for the pretty ones).

pub mod mapping;
pub mod ontology;
pub mod serialize;
pub mod sorter;
