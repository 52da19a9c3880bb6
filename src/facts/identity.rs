//! Which node an extracted item becomes: the IRI paths, relative to the knowledge base's base IRI,
//! of articles, entities and statements.
//!
//! One real-world entity is one node across all documents: by its Wikidata id when known
//! (`entity/Q7184`), else by its `key` (`entity/_{key}`: keys never clash with item ids), else by its type and identity name
//! (`entity/person/jens-stoltenberg`, see [`crate::text::identity_name`]). Collective and unnamed actors
//! ("separatists") without a key or Wikidata id belong to their article
//! (`article/{doc}/group/{id}`): two articles' "separatists" need not be the same people.

use crate::facts::{Entity, EntityType};
use crate::text::{identity_name, iri_segment};

/// The path of an article's node, which is also the name of its graph in the store.
pub fn article_path(document_id: &str) -> String {
    let mut out = String::new();
    push_article_path(&mut out, document_id);
    out
}

/// Appends [`article_path`] to `out` (the mapper builds whole IRIs, base first, in one string).
pub fn push_article_path(out: &mut String, document_id: &str) {
    out.push_str("article/");
    iri_segment(document_id, out);
}

/// The path of an entity's node.
pub fn entity_path(document_id: &str, entity: &Entity) -> String {
    let mut out = String::new();
    push_entity_path(&mut out, document_id, entity);
    out
}

/// Appends [`entity_path`] to `out`.
pub fn push_entity_path(out: &mut String, document_id: &str, entity: &Entity) {
    if let Some(qid) = &entity.wikidata {
        out.push_str("entity/");
        iri_segment(qid, out);
    } else if let Some(key) = &entity.key {
        out.push_str("entity/_");
        iri_segment(key, out);
    } else if entity.kind == EntityType::Group {
        push_article_path(out, document_id);
        out.push_str("/group/");
        iri_segment(&entity.id, out);
    } else {
        out.push_str("entity/");
        out.push_str(entity.kind.as_str());
        out.push('/');
        let name = identity_name(&entity.name);
        if name.is_empty() {
            // A name of punctuation only: keep it whole rather than collapse it to nothing.
            out.push('_');
            iri_segment(&entity.name, out);
        } else {
            iri_segment(&name, out);
        }
    }
}

/// The path of a statement node (role, relation, event, quote, claim) of an article.
pub fn statement_path(document_id: &str, kind: &str, local_id: &str) -> String {
    let mut out = article_path(document_id);
    push_statement_suffix(&mut out, kind, local_id);
    out
}

/// Appends what [`statement_path`] adds to the article's path: `/{kind}/{local id}`.
pub fn push_statement_suffix(out: &mut String, kind: &str, local_id: &str) {
    out.push('/');
    out.push_str(kind);
    out.push('/');
    iri_segment(local_id, out);
}
