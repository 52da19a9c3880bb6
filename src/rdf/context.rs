//! What a run needs to map, write and query under one base IRI: the base, the bundled ontology and
//! its vocabulary, the mapper, and the prefixes for the RDF formats and for tables.
//!
//! ```
//! use factgraph::rdf::Context;
//!
//! let context = Context::new("https://example.org/kb/").unwrap();
//! assert_eq!(context.base.as_str(), "https://example.org/kb/");
//! assert_eq!(context.mapper.base(), &context.base);
//! assert!(Context::new("https://example.org/kb").is_err());
//! ```

use crate::rdf::iri::{Base, BaseError, WIKIDATA_ENTITY};
use crate::rdf::mapping::Mapper;
use crate::rdf::ontology::{Ontology, OntologyError, Vocabulary};
use crate::rdf::serialize::Prefixes;

/// Why a [`Context`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The base IRI is not usable.
    #[error(transparent)]
    Base(#[from] BaseError),
    /// The bundled ontology does not parse or lacks a term the mapper writes.
    #[error(transparent)]
    Ontology(#[from] OntologyError),
}

/// The base, ontology, vocabulary, mapper and prefixes of one run.
#[derive(Debug, Clone)]
pub struct Context {
    /// The base IRI of the knowledge base's nodes.
    pub base: Base,
    /// The bundled ontology.
    pub ontology: Ontology,
    /// The ontology terms the mapper writes (and linking and stats read).
    pub vocabulary: Vocabulary,
    /// Maps valid documents to quads under `base`.
    pub mapper: Mapper,
    /// The prefixes offered to the pretty RDF formats.
    pub prefixes: Prefixes,
    /// The namespaces shown as prefixes in tables: the ontology's and Wikidata's (`wd`).
    pub table_prefixes: Vec<(String, String)>,
}

impl Context {
    /// Checks `base` and builds everything else from the bundled ontology.
    pub fn new(base: &str) -> Result<Context, ContextError> {
        let base = Base::new(base)?;
        let ontology = Ontology::bundled()?;
        let mapper = Mapper::new(&ontology, base.clone())?;
        let vocabulary = mapper.vocabulary().clone();
        let prefixes = Prefixes::standard(&ontology.prefix, &ontology.namespace, &base);
        let table_prefixes = vec![(ontology.prefix.clone(), ontology.namespace.clone()), ("wd".into(), WIKIDATA_ENTITY.into())];
        Ok(Context { base, ontology, vocabulary, mapper, prefixes, table_prefixes })
    }
}
