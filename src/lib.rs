//! factgraph turns facts extracted from news articles into a linked, queryable RDF knowledge base.
//!
//! The pipeline reads left to right, one folder a stage, in the code as in the README:
//! [`facts`] (find, read and validate facts files: every problem, located) → [`rdf`] (map facts to
//! quads against the ontology; write the RDF formats) → [`store`] (an embedded Oxigraph store, one
//! named graph per article: load, query, export, stats). Beside them, [`linking`] reads Wikidata
//! dumps into an index, decides links and writes them into the store, and [`http`] talks to other
//! SPARQL servers and serves the store. Imports point down that order only.
//!
//! The library never prints; it returns typed errors. The `factgraph` binary owns wording, exit
//! codes and progress display.

pub mod facts;
pub mod http;
pub mod import;
pub mod linking;
pub mod parallel;
pub mod rdf;
pub mod store;
pub mod text;
