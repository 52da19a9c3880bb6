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
    let mut out = String::from("article/");
    iri_segment(document_id, &mut out);
    out
}

/// The path of an entity's node.
pub fn entity_path(document_id: &str, entity: &Entity) -> String {
    let mut out = String::new();
    if let Some(qid) = &entity.wikidata {
        out.push_str("entity/");
        iri_segment(qid, &mut out);
    } else if let Some(key) = &entity.key {
        out.push_str("entity/_");
        iri_segment(key, &mut out);
    } else if entity.kind == EntityType::Group {
        out.push_str(&article_path(document_id));
        out.push_str("/group/");
        iri_segment(&entity.id, &mut out);
    } else {
        out.push_str("entity/");
        out.push_str(entity.kind.as_str());
        out.push('/');
        let name = identity_name(&entity.name);
        if name.is_empty() {
            // A name of punctuation only: keep it whole rather than collapse it to nothing.
            out.push('_');
            iri_segment(&entity.name, &mut out);
        } else {
            iri_segment(&name, &mut out);
        }
    }
    out
}

/// The path of a statement node (role, relation, event, quote, claim) of an article.
pub fn statement_path(document_id: &str, kind: &str, local_id: &str) -> String {
    let mut out = article_path(document_id);
    out.push('/');
    out.push_str(kind);
    out.push('/');
    iri_segment(local_id, &mut out);
    out
}
