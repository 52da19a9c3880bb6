//! The knowledge base's IRI scheme, its public contract: the base IRI, and every node, graph and link
//! IRI built under it.
//!
//! Which path an article, entity or statement gets is decided in [`crate::facts::identity`]
//! (validation needs it too, for identity collisions); this module puts those paths under the base.
//! Everything else is named here:
//!
//! | IRI | what |
//! |---|---|
//! | `{base}article/{doc}` | an article's node and the name of its graph |
//! | `{base}entity/…`, `{base}article/{doc}/group/{id}` | an entity ([`crate::facts::identity`]) |
//! | `{article}/{kind}/{id}` | a statement node (role, relation, event, quote, claim) |
//! | `{statement}/evidence/{n}`, `{article}/mention/{id}/{n}` | evidence nodes, numbered from 1 |
//! | `{base}links`, `{base}links/{entity path}` | the links graph and its link nodes |
//! | `{base}push-manifest` | the manifest graph `push` writes on a server |
//! | `http://www.wikidata.org/entity/{qid}` | a Wikidata item |
//!
//! ```
//! use factgraph::rdf::iri::{self, Base};
//!
//! let base = Base::new("https://example.org/kb/").unwrap();
//! let article = base.article("reuters-2021-10-21");
//! assert_eq!(article.as_str(), "https://example.org/kb/article/reuters-2021-10-21");
//! assert_eq!(iri::statement(article.as_ref(), "role", "r1").as_str(), "https://example.org/kb/article/reuters-2021-10-21/role/r1");
//! assert_eq!(base.links_graph().as_str(), "https://example.org/kb/links");
//! assert_eq!(iri::wikidata_qid(iri::wikidata_item("Q7184").as_str()), Some("Q7184"));
//! ```

use crate::facts::identity::{push_article_path, push_entity_path, push_statement_suffix};
use crate::facts::{Entity, EntityType};
use crate::text::iri_segment;
use iri_string::types::IriStr;
use oxigraph::model::{NamedNode, NamedNodeRef};

/// The Wikidata entity namespace that `fg:wikidata` links point into.
pub const WIKIDATA_ENTITY: &str = "http://www.wikidata.org/entity/";

/// Where Wikidata shows an item to people.
pub const WIKIDATA_PAGE: &str = "https://www.wikidata.org/wiki/";

/// The default base IRI of the knowledge base's own nodes.
pub const DEFAULT_BASE: &str = "https://factgraph.example/kb/";

/// A base IRI that is not usable.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// Not an absolute IRI.
    #[error("the base {base:?} is not an absolute IRI: {reason}")]
    NotAbsolute {
        /// The base as given.
        base: String,
        /// The parser's reason.
        reason: String,
    },
    /// Does not end with '/' or '#', so paths could not be appended.
    #[error("the base {0:?} must end with '/' or '#'")]
    NoSeparator(String),
}

/// The base IRI under which articles, entities, statements and links are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base(String);

impl Base {
    /// Checks `base` with iri-string: an absolute IRI ending in '/' or '#'.
    pub fn new(base: &str) -> Result<Base, BaseError> {
        IriStr::new(base).map_err(|e| BaseError::NotAbsolute { base: base.to_string(), reason: e.to_string() })?;
        if !base.ends_with('/') && !base.ends_with('#') {
            return Err(BaseError::NoSeparator(base.to_string()));
        }
        Ok(Base(base.to_string()))
    }

    /// The base as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The node at `path` under the base; `path` must already be escaped.
    fn node(&self, path: &str) -> NamedNode {
        let mut iri = String::with_capacity(self.0.len() + path.len());
        iri.push_str(&self.0);
        iri.push_str(path);
        NamedNode::new_unchecked(iri)
    }

    /// The node (and graph name) of an article.
    pub fn article(&self, document_id: &str) -> NamedNode {
        let mut iri = String::with_capacity(self.0.len() + 8 + document_id.len());
        iri.push_str(&self.0);
        push_article_path(&mut iri, document_id);
        NamedNode::new_unchecked(iri)
    }

    /// The node of an entity of a document.
    pub fn entity(&self, document_id: &str, entity: &Entity) -> NamedNode {
        let mut iri = String::with_capacity(self.0.len() + 16 + entity.name.len());
        iri.push_str(&self.0);
        push_entity_path(&mut iri, document_id, entity);
        NamedNode::new_unchecked(iri)
    }

    /// The namespace of the entities named by Wikidata id or key (`entity:Q7184`).
    pub fn entity_namespace(&self) -> String {
        format!("{}entity/", self.0)
    }

    /// The namespace of the entities of type `kind` named by their name (`person:jens-stoltenberg`).
    pub fn entity_type_namespace(&self, kind: EntityType) -> String {
        format!("{}entity/{}/", self.0, kind.as_str())
    }

    /// The graph that holds the Wikidata links.
    pub fn links_graph(&self) -> NamedNode {
        self.node("links")
    }

    /// The link node of `entity` in the links graph: `links/` and the entity's path under the base
    /// (its whole IRI if it is not under the base) as one escaped segment.
    pub fn link_node(&self, entity: NamedNodeRef<'_>) -> NamedNode {
        let path = entity.as_str().strip_prefix(self.as_str()).unwrap_or(entity.as_str());
        let mut node_path = String::from("links/");
        iri_segment(path, &mut node_path);
        self.node(&node_path)
    }

    /// The graph `push` keeps on a server to record what it sent.
    pub fn manifest_graph(&self) -> NamedNode {
        self.node("push-manifest")
    }
}

impl Default for Base {
    fn default() -> Self {
        Base(DEFAULT_BASE.to_string())
    }
}

/// The node of statement `local_id` of kind `kind` ("role", "event"...) of `article`: the article's
/// IRI and [`push_statement_suffix`].
pub fn statement(article: NamedNodeRef<'_>, kind: &str, local_id: &str) -> NamedNode {
    let article = article.as_str();
    let mut iri = String::with_capacity(article.len() + kind.len() + local_id.len() + 2);
    iri.push_str(article);
    push_statement_suffix(&mut iri, kind, local_id);
    NamedNode::new_unchecked(iri)
}

/// The time-span node of one date of a statement or article `node`: `{node}/date/{role}`, where
/// `role` is the local name of the date's property (`date`, `start`, `end`, `asOf`, `published`).
pub fn time_span(node: NamedNodeRef<'_>, role: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}/date/{role}", node.as_str()))
}

/// The numbered evidence nodes of one statement or entity mention, built in one reused string.
#[derive(Debug, Clone)]
pub struct EvidenceNodes {
    iri: String,
    stem: usize,
}

impl EvidenceNodes {
    /// The evidence nodes of a statement: `{statement}/evidence/{n}`.
    pub fn of_statement(statement: NamedNodeRef<'_>) -> EvidenceNodes {
        let mut iri = String::with_capacity(statement.as_str().len() + 12);
        iri.push_str(statement.as_str());
        iri.push_str("/evidence/");
        EvidenceNodes::from_stem(iri)
    }

    /// The evidence nodes of the entity `local_id` as `article` mentions it:
    /// `{article}/mention/{local id}/{n}`.
    pub fn of_mention(article: NamedNodeRef<'_>, local_id: &str) -> EvidenceNodes {
        let mut iri = statement(article, "mention", local_id).into_string();
        iri.push('/');
        EvidenceNodes::from_stem(iri)
    }

    fn from_stem(iri: String) -> EvidenceNodes {
        let stem = iri.len();
        EvidenceNodes { iri, stem }
    }

    /// Evidence node `n` (from 1).
    pub fn node(&mut self, n: usize) -> NamedNodeRef<'_> {
        self.iri.truncate(self.stem);
        self.iri.push_str(itoa::Buffer::new().format(n));
        NamedNodeRef::new_unchecked(&self.iri)
    }
}

/// The node of Wikidata item `qid`.
pub fn wikidata_item(qid: &str) -> NamedNode {
    let mut iri = String::with_capacity(WIKIDATA_ENTITY.len() + qid.len());
    iri.push_str(WIKIDATA_ENTITY);
    iri.push_str(qid);
    NamedNode::new_unchecked(iri)
}

/// The item id of a Wikidata item's IRI; `None` for any other IRI.
pub fn wikidata_qid(iri: &str) -> Option<&str> {
    iri.strip_prefix(WIKIDATA_ENTITY)
}

/// The page where Wikidata shows item `qid`.
pub fn wikidata_page(qid: &str) -> String {
    format!("{WIKIDATA_PAGE}{qid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: EntityType, name: &str) -> Entity {
        Entity {
            id: "e1".into(),
            kind,
            name: name.into(),
            aliases: Vec::new(),
            description: None,
            key: None,
            wikidata: None,
            evidence: Vec::new(),
            confidence: None,
        }
    }

    #[test]
    fn refuses_unusable_bases() {
        assert!(matches!(Base::new("not an iri"), Err(BaseError::NotAbsolute { .. })));
        assert!(matches!(Base::new("relative/"), Err(BaseError::NotAbsolute { .. })));
        assert!(matches!(Base::new("https://example.org/kb"), Err(BaseError::NoSeparator(_))));
        assert_eq!(Base::new("https://example.org/kb#").unwrap().as_str(), "https://example.org/kb#");
        assert_eq!(Base::default(), Base::new(DEFAULT_BASE).unwrap());
    }

    #[test]
    fn nodes_are_paths_under_the_base() {
        let base = Base::new("https://example.org/kb/").unwrap();
        assert_eq!(base.article("a b").as_str(), "https://example.org/kb/article/a%20b");
        assert_eq!(base.entity("doc", &entity(EntityType::Person, "Jens Stoltenberg")).as_str(), "https://example.org/kb/entity/person/jens-stoltenberg");
        let group = base.entity("doc", &entity(EntityType::Group, "separatists"));
        assert_eq!(group.as_str(), "https://example.org/kb/article/doc/group/e1");
        let keyed = Entity { key: Some("nato".into()), ..entity(EntityType::Organisation, "NATO") };
        assert_eq!(base.entity("doc", &keyed).as_str(), "https://example.org/kb/entity/_nato");
        let known = Entity { wikidata: Some("Q7184".into()), ..keyed };
        assert_eq!(base.entity("doc", &known).as_str(), "https://example.org/kb/entity/Q7184");
        assert!(base.entity("doc", &known).as_str().starts_with(&base.entity_namespace()));
        assert_eq!(base.entity_type_namespace(EntityType::City), "https://example.org/kb/entity/city/");
    }

    #[test]
    fn statements_and_evidence_extend_the_article() {
        let base = Base::default();
        let article = base.article("doc");
        let role = statement(article.as_ref(), "role", "r 1");
        assert_eq!(role.as_str(), "https://factgraph.example/kb/article/doc/role/r%201");
        let mut evidence = EvidenceNodes::of_statement(role.as_ref());
        assert_eq!(evidence.node(1).as_str(), "https://factgraph.example/kb/article/doc/role/r%201/evidence/1");
        assert_eq!(evidence.node(12).as_str(), "https://factgraph.example/kb/article/doc/role/r%201/evidence/12");
        assert_eq!(evidence.node(3).as_str(), "https://factgraph.example/kb/article/doc/role/r%201/evidence/3");
        let mut mention = EvidenceNodes::of_mention(article.as_ref(), "e1");
        assert_eq!(mention.node(2).as_str(), "https://factgraph.example/kb/article/doc/mention/e1/2");
    }

    #[test]
    fn links_graph_and_link_nodes() {
        let base = Base::default();
        assert_eq!(base.links_graph().as_str(), "https://factgraph.example/kb/links");
        assert_eq!(base.manifest_graph().as_str(), "https://factgraph.example/kb/push-manifest");
        let entity = base.entity("doc", &entity(EntityType::Person, "Jens Stoltenberg"));
        // The entity's path is one segment: its '/' escaped, so link nodes never nest.
        assert_eq!(base.link_node(entity.as_ref()).as_str(), "https://factgraph.example/kb/links/entity%2Fperson%2Fjens-stoltenberg");
        let outside = NamedNode::new("http://other.example/x").unwrap();
        assert!(base.link_node(outside.as_ref()).as_str().starts_with("https://factgraph.example/kb/links/http"));
    }

    #[test]
    fn wikidata_items_round_trip() {
        let item = wikidata_item("Q7184");
        assert_eq!(item.as_str(), "http://www.wikidata.org/entity/Q7184");
        assert_eq!(wikidata_qid(item.as_str()), Some("Q7184"));
        assert_eq!(wikidata_qid("https://factgraph.example/kb/entity/Q7184"), None);
        assert_eq!(wikidata_page("Q7184"), "https://www.wikidata.org/wiki/Q7184");
    }
}
