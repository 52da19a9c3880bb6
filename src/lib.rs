//! factgraph turns facts extracted from news articles into a linked, queryable RDF knowledge base.
//!
//! The pipeline reads left to right, one module a stage:
//! [`input`] (find and read facts files) → [`validate`] (every problem, located) → [`mapping`]
//! (facts to quads against the [`ontology`]) → [`store`] (an embedded Oxigraph store, one named
//! graph per article) → [`query`] (saved SPARQL queries with bound parameters) and [`serialize`]
//! (Turtle and the other RDF formats). Beside them, [`wikidata`] reads Wikidata dumps into an index,
//! [`linker`] decides links and [`links`] writes them into the store. [`pipeline`] strings the stages
//! together for the binary.
//!
//! The library never prints; it returns typed errors. The `factgraph` binary owns wording, exit
//! codes and progress display.

pub mod date;
pub mod export;
pub mod facts;
pub mod generate;
pub mod identity;
pub mod inline;
pub mod input;
pub mod jsonpos;
pub mod linker;
pub mod links;
pub mod mapping;
pub mod ontology;
pub mod pipeline;
pub mod push;
pub mod schema;
pub mod query;
pub mod remote;
pub mod serialize;
pub mod serve;
pub mod sorter;
pub mod stats;
pub mod store;
pub mod text;
pub mod validate;
pub mod wikidata;
