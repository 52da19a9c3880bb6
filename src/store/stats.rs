//! Counts that describe a knowledge base: articles, entities by type, statements by kind, Wikidata
//! links, quads and the store's size on disk.

use crate::rdf::ontology::Vocabulary;
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

/// What `factgraph stats` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Article graphs.
    pub articles: usize,
    /// Distinct entities per type, in a fixed order.
    pub entities_by_type: Vec<(&'static str, usize)>,
    /// Distinct statement nodes per kind, in a fixed order.
    pub statements_by_kind: Vec<(&'static str, usize)>,
    /// Distinct (entity, Wikidata item) links.
    pub links: usize,
    /// Quads in the store, all graphs.
    pub quads: usize,
    /// Bytes on disk.
    pub bytes: u64,
}

impl Stats {
    /// Counts everything in `kb`.
    pub fn collect(kb: &KnowledgeBase, v: &Vocabulary) -> Result<Stats, StoreError> {
        let store = kb.store();
        let distinct = |class: &NamedNode| -> Result<usize, StoreError> {
            let mut subjects = HashSet::new();
            for quad in store.quads_for_pattern(None, Some(rdf::TYPE), Some(class.as_ref().into()), None) {
                subjects.insert(quad?.subject);
            }
            Ok(subjects.len())
        };
        let entities_by_type =
            v.entity_classes().into_iter().map(|(kind, class)| Ok((kind.as_str(), distinct(class)?))).collect::<Result<_, StoreError>>()?;
        let statements_by_kind = vec![
            ("role", distinct(&v.role)?),
            ("relation", distinct(&v.relation)?),
            ("event", distinct(&v.event)?),
            ("quote", distinct(&v.quote)?),
            ("claim", distinct(&v.claim)?),
        ];
        let mut links: HashSet<(NamedOrBlankNode, Term)> = HashSet::new();
        for quad in store.quads_for_pattern(None, Some(v.wikidata.as_ref()), None, None) {
            let quad = quad?;
            links.insert((quad.subject, quad.object));
        }
        Ok(Stats {
            articles: kb.articles(v.article.as_ref())?.len(),
            entities_by_type,
            statements_by_kind,
            links: links.len(),
            quads: kb.len()?,
            bytes: kb.size_on_disk(),
        })
    }

    /// Total distinct entities.
    pub fn entities(&self) -> usize {
        self.entities_by_type.iter().map(|(_, n)| n).sum()
    }

    /// Total statement nodes.
    pub fn statements(&self) -> usize {
        self.statements_by_kind.iter().map(|(_, n)| n).sum()
    }

    /// A plain-text report.
    pub fn render(&self, store: &Path) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "store       {} ({:.1} MiB, {} quads)", store.display(), self.bytes as f64 / 1048576.0, self.quads);
        let _ = writeln!(out, "articles    {}", self.articles);
        let _ = writeln!(out, "entities    {}", self.entities());
        for (kind, n) in &self.entities_by_type {
            let _ = writeln!(out, "  {kind:<14}{n}");
        }
        let _ = writeln!(out, "statements  {}", self.statements());
        for (kind, n) in &self.statements_by_kind {
            let _ = writeln!(out, "  {kind:<14}{n}");
        }
        let _ = writeln!(out, "links       {} (entities and events tied to Wikidata items)", self.links);
        out
    }
}
