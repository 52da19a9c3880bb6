//! factgraph turns facts extracted from news articles into a linked, queryable RDF knowledge base.
//!
//! The pipeline reads left to right, one folder a stage, in the code as in the README:
//! [`facts`] (find, read and validate facts files: every problem, located) → [`rdf`] (map facts to
//! quads against the ontology; write the RDF formats) → [`store`] (an embedded Oxigraph store, one
//! named graph per article: load, query, export, stats). Beside them, [`import`] turns extractor
//! output (spaCy, NIF, brat) into facts documents, [`linking`] reads Wikidata dumps into an index,
//! decides links and writes them into the store, and [`http`] talks to other SPARQL servers and
//! serves the store. Imports point down that order only (`tests/architecture.rs` checks it).
//!
//! The library never prints; it returns typed errors. The `factgraph` binary owns wording, exit
//! codes and progress display.
//!
//! # From a facts document to an answer
//!
//! ```
//! use factgraph::facts::input::RawDocument;
//! use factgraph::facts::validate::validate;
//! use factgraph::rdf::Context;
//! use factgraph::store::query::QueryLibrary;
//! use factgraph::store::KnowledgeBase;
//! use oxigraph::sparql::QueryResults;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let json = r#"{"format": "1",
//!   "document": {"id": "example", "title": "Example", "language": "en",
//!                "text": "Ann Example leads Exampleton."},
//!   "entities": [{"id": "ann", "type": "person", "name": "Ann Example",
//!                 "evidence": [{"start": 0, "end": 11, "text": "Ann Example"}]}]}"#;
//! // Validation is a pure function of the document; this one has its text inline, so no file is read.
//! let raw = RawDocument { source: "example.json", first_line: 1, text: json };
//! let valid = validate(raw, |_file: &str| Err::<String, _>("no text files here")).expect("a valid document");
//!
//! // The base IRI, the ontology and its vocabulary, the mapper and the prefixes of one run.
//! let context = Context::new("https://factgraph.example/kb/")?;
//! let quads = context.mapper.map(&valid);
//!
//! let folder = tempfile::tempdir()?;
//! let kb = KnowledgeBase::open(&folder.path().join("store"))?;
//! kb.install_ontology(&context.ontology)?;
//! kb.store().extend(quads)?;
//!
//! // A saved query, its parameters bound as terms (never pasted into the text).
//! let query = QueryLibrary::bundled()?.resolve("article-entities")?;
//! let bindings = query.bind(&[("article", "article/example")], &context.base)?;
//! let QueryResults::Solutions(rows) = query.execute(kb.store(), &bindings)? else { unreachable!() };
//! assert_eq!(rows.count(), 1);
//! # Ok(())
//! # }
//! ```

pub mod facts;
pub mod http;
pub mod import;
pub mod linking;
pub mod parallel;
pub mod rdf;
pub mod store;
pub mod text;
