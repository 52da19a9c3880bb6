//! The linking policy: what `factgraph link` does with the linker's decisions.
//!
//! [`link`] decides links for the store's entities. Entities whose link a person reviewed are left
//! alone; ids the extractor supplied are only checked against the index ([`SuppliedIdWarning`]); the
//! linker decides the rest. The decisions go into the store or into a review sheet ([`LinkTarget`]),
//! which [`accept`] writes back once a person has edited it. [`evaluate`] scores the linker's decisions on facts against a gold file.
//!
//! Each returns a plain report; the binary words it.

use crate::facts::validate::ValidDocument;
use crate::facts::EntityType;
use crate::linking::linker::{Decision, Evaluation, Linker};
use crate::linking::links::{self, LinkError, LinkSettings, LinkWriter, NewLink, StoreEntity};
use crate::linking::index::Index;
use crate::rdf::Context;
use crate::store::KnowledgeBase;
use oxigraph::model::NamedNode;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Write;
use std::path::Path;

/// A Wikidata id the extractor supplied that does not hold up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppliedIdWarning {
    /// The index has no such item.
    NotInIndex {
        /// The entity's node.
        entity: NamedNode,
        /// The id.
        qid: String,
    },
    /// The item's class does not fit the entity's type.
    WrongClass {
        /// The entity's node.
        entity: NamedNode,
        /// The id.
        qid: String,
        /// The item's class.
        class: String,
        /// The entity's type.
        kind: EntityType,
    },
}

impl fmt::Display for SuppliedIdWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuppliedIdWarning::NotInIndex { entity, qid } => write!(f, "{}: the extractor's {qid} is not in the index", entity.as_str()),
            SuppliedIdWarning::WrongClass { entity, qid, class, kind } => {
                write!(f, "{}: the extractor's {qid} is of class {class}, not a {}", entity.as_str(), kind.as_str())
            }
        }
    }
}

/// What [`link`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkReport {
    /// Entities the linker decided (neither reviewed nor with the extractor's id) and linked.
    pub linked: usize,
    /// Entities the linker decided and left unlinked (NIL).
    pub nil: usize,
    /// Entities with the extractor's Wikidata id, checked rather than linked (their links are
    /// recorded with method "extractor" and no score).
    pub supplied: usize,
    /// What checking those ids found.
    pub warnings: Vec<SuppliedIdWarning>,
    /// Entities whose link (or NIL) a person set: left alone.
    pub reviewed: usize,
}

/// Where [`link`] puts its decisions.
pub enum LinkTarget<'w> {
    /// Into the store's links graph: the linker's and the extractor's earlier links are replaced,
    /// reviewed links stay.
    Store,
    /// Into a review sheet (with its header); the store is unchanged.
    Sheet(&'w mut dyn Write),
}

/// Decides links for every entity of the store's articles with `index` (see the module's summary)
/// and writes them to `target`, handing each decided entity to `decided` first, in IRI order.
/// Memory is bounded by `settings` ([`links::link_store`]), not by the store.
pub fn link(
    kb: &KnowledgeBase,
    context: &Context,
    index: &Index,
    settings: &LinkSettings,
    mut target: LinkTarget<'_>,
    mut decided: impl FnMut(&StoreEntity, &Decision),
) -> Result<LinkReport, LinkError> {
    let v = &context.vocabulary;
    let linker = Linker::with_cache(index, settings.cache);
    let reviewed = links::reviewed_entities(kb, &context.base, v)?;
    let mut report = LinkReport { reviewed: reviewed.len(), ..LinkReport::default() };
    let mut writer = match &mut target {
        LinkTarget::Store => {
            links::drop_links(kb, &context.base, v, &["linker", "extractor"])?;
            Some(LinkWriter::new(kb, &context.base, v))
        }
        LinkTarget::Sheet(out) => {
            writeln!(out, "{}", links::SHEET_HEADER).map_err(LinkError::Sheet)?;
            None
        }
    };
    links::link_store(kb, v, &linker, settings, |entity, decision| {
        if reviewed.contains(&entity.node) {
            return Ok(());
        }
        if entity.supplied.is_empty() {
            decided(&entity, &decision);
            match &decision.link {
                Some(_) => report.linked += 1,
                None => report.nil += 1,
            }
            match (&mut target, &mut writer, &decision.link) {
                (LinkTarget::Sheet(out), _, _) => links::write_sheet_row(out, &entity, &decision).map_err(LinkError::Sheet)?,
                (_, Some(writer), Some(candidate)) => writer.add(NewLink {
                    entity: entity.node.clone(),
                    qid: Some(candidate.qid.clone()),
                    score: Some(candidate.score),
                    method: "linker",
                    note: links::describe(&decision),
                })?,
                _ => {}
            }
            return Ok(());
        }
        report.supplied += 1;
        for qid in &entity.supplied {
            if let Some(writer) = &mut writer {
                writer.add(NewLink { entity: entity.node.clone(), qid: Some(qid.clone()), score: None, method: "extractor", note: String::new() })?;
            }
            let warning = match linker.item(qid) {
                None => Some(SuppliedIdWarning::NotInIndex { entity: entity.node.clone(), qid: qid.clone() }),
                Some(_) => linker.type_fit(entity.mention.kind, qid).err().map(|class| SuppliedIdWarning::WrongClass {
                    entity: entity.node.clone(),
                    qid: qid.clone(),
                    class,
                    kind: entity.mention.kind,
                }),
            };
            report.warnings.extend(warning);
        }
        Ok(())
    })?;
    if let Some(writer) = writer {
        writer.finish()?;
    }
    Ok(report)
}

/// What [`accept`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptReport {
    /// Entities linked to the item a person chose.
    pub linked: usize,
    /// Entities a person set to NIL.
    pub nil: usize,
}

/// Writes a reviewed sheet's choices into the store as reviewed links (and reviewed NILs), which
/// the linker never overwrites.
pub fn accept(kb: &KnowledgeBase, context: &Context, sheet: &Path) -> Result<AcceptReport, LinkError> {
    let rows = links::read_sheet(sheet)?;
    let new_links: Vec<NewLink> = rows
        .into_iter()
        .map(|(entity, chosen)| NewLink { entity, qid: (chosen != "NIL").then_some(chosen), score: Some(1.0), method: "review", note: String::new() })
        .collect();
    let nil = new_links.iter().filter(|l| l.qid.is_none()).count();
    links::write_links(kb, &context.base, &context.vocabulary, &new_links, &[], &["review"])?;
    Ok(AcceptReport { linked: new_links.len() - nil, nil })
}

/// The linker's decisions on facts, scored against a gold file.
#[derive(Debug, Clone)]
pub struct EvaluationReport {
    /// Every mention's decision, keyed `document/local-id`, in document order.
    pub decisions: Vec<Decision>,
    /// The scores, and the mistakes.
    pub evaluation: Evaluation,
}

impl EvaluationReport {
    /// Why the mention `key` was linked or not ("" for a key without a decision).
    pub fn reason(&self, key: &str) -> &str {
        self.decisions.iter().find(|d| d.key == key).map_or("", |d| d.reason.as_str())
    }
}

/// The gold file does not fit the facts.
#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    /// It names entities (`document/local-id`) the facts do not have.
    #[error("the gold names entities the facts do not have: {}", .0.join(", "))]
    UnknownEntities(Vec<String>),
}

/// Links the entities of `documents` with `index`, as if they had no Wikidata ids, and scores the
/// decisions against `gold` (`document/local-id` → expected QID or NIL, see [`links::read_gold`]).
pub fn evaluate(documents: &[&ValidDocument], index: &Index, gold: &BTreeMap<String, String>) -> Result<EvaluationReport, EvaluateError> {
    let linker = Linker::new(index);
    let mut decisions = Vec::new();
    for (group, context) in links::facts_mentions(documents) {
        decisions.extend(linker.link(&group, &context));
    }
    let known: BTreeSet<&str> = decisions.iter().map(|d| d.key.as_str()).collect();
    let missing: Vec<String> = gold.keys().filter(|k| !known.contains(k.as_str())).cloned().collect();
    if !missing.is_empty() {
        return Err(EvaluateError::UnknownEntities(missing));
    }
    let evaluation = Evaluation::of(&decisions, gold);
    Ok(EvaluationReport { decisions, evaluation })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::wikidata::IndexBuilder;

    fn document() -> ValidDocument {
        let facts = serde_json::from_str(
            r#"{"format": "1", "document": {"id": "doc", "title": "T"},
                "entities": [{"id": "nato", "type": "organisation", "name": "NATO", "wikidata": "Q7184"},
                             {"id": "x", "type": "person", "name": "Nobody Known"}]}"#,
        )
        .unwrap();
        ValidDocument { facts, text: None }
    }

    fn index() -> Index {
        let mut builder = IndexBuilder::new(vec!["en".into()]);
        let dump = r#"{"type":"item","id":"Q7184","labels":{"en":{"value":"NATO"}},"claims":{"P31":[{"mainsnak":{"datavalue":{"value":{"id":"Q484652"}}}}]},"sitelinks":{"enwiki":{}}}"#;
        builder.read(dump.as_bytes(), "test").unwrap();
        builder.finish().0.index()
    }

    #[test]
    fn evaluation_scores_every_mention_and_refuses_unknown_gold_keys() {
        let document = document();
        let gold: BTreeMap<String, String> = [("doc/nato", "Q7184"), ("doc/x", "NIL")].map(|(k, v)| (k.to_string(), v.to_string())).into();
        let report = evaluate(&[&document], &index(), &gold).unwrap();
        assert_eq!(report.decisions.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(), ["doc/nato", "doc/x"]);
        assert_eq!((report.evaluation.total, report.evaluation.gold_nils, report.evaluation.correct_nils), (2, 1, 1));
        assert!(!report.reason("doc/x").is_empty());
        assert_eq!(report.reason("doc/none"), "");
        let mut wrong = gold.clone();
        wrong.insert("doc/ghost".into(), "NIL".into());
        wrong.insert("other/y".into(), "Q1".into());
        let error = evaluate(&[&document], &index(), &wrong).unwrap_err();
        assert_eq!(error.to_string(), "the gold names entities the facts do not have: doc/ghost, other/y");
    }

    #[test]
    fn supplied_id_warnings_name_the_entity_and_the_id() {
        let entity = NamedNode::new("https://example.org/kb/entity/Q1").unwrap();
        let missing = SuppliedIdWarning::NotInIndex { entity: entity.clone(), qid: "Q1".into() };
        assert_eq!(missing.to_string(), "https://example.org/kb/entity/Q1: the extractor's Q1 is not in the index");
        let wrong = SuppliedIdWarning::WrongClass { entity, qid: "Q1".into(), class: "Q5".into(), kind: EntityType::City };
        assert_eq!(wrong.to_string(), "https://example.org/kb/entity/Q1: the extractor's Q1 is of class Q5, not a city");
    }
}
