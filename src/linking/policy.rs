//! The linking policy: what `factgraph link` does with the linker's decisions.
//!
//! [`plan_links`] decides links for the store's entities. Entities whose link a person reviewed are
//! left alone; ids the extractor supplied are only checked against the index ([`SuppliedIdWarning`]);
//! the linker decides the rest. A [`LinkPlan`] is then written into the store ([`LinkPlan::apply`])
//! or as a review sheet ([`LinkPlan::write_sheet`]), which [`accept`] writes back once a person has
//! edited it. [`evaluate`] scores the linker's decisions on facts against a gold file.
//!
//! Each returns a plain report; the binary words it.

use crate::facts::validate::ValidDocument;
use crate::facts::EntityType;
use crate::linking::linker::{Decision, Evaluation, Linker};
use crate::linking::links::{self, LinkError, NewLink, StoreEntity};
use crate::linking::index::Index;
use crate::rdf::Context;
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::NamedNode;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{self, Write};
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

/// The links planned for the store's entities.
#[derive(Debug, Clone)]
pub struct LinkPlan {
    /// The entities the linker decided (neither reviewed nor with the extractor's id), in IRI order,
    /// each with its decision: the rows of a review sheet, and what `--explain` shows.
    pub decided: Vec<(StoreEntity, Decision)>,
    /// Entities with the extractor's Wikidata id, checked rather than linked.
    pub supplied: usize,
    /// The extractor's links of those entities, to record with method "extractor" and no score.
    pub supplied_links: Vec<NewLink>,
    /// What checking those ids found.
    pub warnings: Vec<SuppliedIdWarning>,
    /// Entities whose link (or NIL) a person set: the plan leaves them alone.
    pub reviewed: usize,
}

impl LinkPlan {
    /// Decided entities linked to an item.
    pub fn linked(&self) -> usize {
        self.decided.iter().filter(|(_, d)| d.link.is_some()).count()
    }

    /// Decided entities left unlinked (NIL).
    pub fn nil(&self) -> usize {
        self.decided.len() - self.linked()
    }

    /// Writes the decisions as a review sheet ([`links::write_sheet`]) instead of into the store.
    pub fn write_sheet(&self, out: &mut impl Write) -> io::Result<()> {
        let rows: Vec<(&StoreEntity, &Decision)> = self.decided.iter().map(|(e, d)| (e, d)).collect();
        links::write_sheet(out, &rows)
    }

    /// Writes the links into the store's links graph, the linker's and the extractor's: the earlier
    /// ones of both are replaced, the NIL entities lose theirs, reviewed links stay. Returns the
    /// number of links written.
    pub fn apply(&self, kb: &KnowledgeBase, context: &Context) -> Result<usize, StoreError> {
        let mut new_links = Vec::new();
        let mut unlink = Vec::new();
        for (entity, decision) in &self.decided {
            match &decision.link {
                Some(candidate) => new_links.push(NewLink {
                    entity: entity.node.clone(),
                    qid: Some(candidate.qid.clone()),
                    score: Some(candidate.score),
                    method: "linker",
                    note: links::describe(decision),
                }),
                None => unlink.push(entity.node.clone()),
            }
        }
        new_links.extend(self.supplied_links.iter().cloned());
        links::write_links(kb, &context.base, &context.vocabulary, &new_links, &unlink, &["linker", "extractor"])
    }
}

/// Decides links for every entity of the store's articles with `index` (see the module's summary).
pub fn plan_links(kb: &KnowledgeBase, context: &Context, index: &Index) -> Result<LinkPlan, StoreError> {
    let v = &context.vocabulary;
    let linker = Linker::new(index);
    let decided = links::link_store(kb, v, &linker, crate::parallel::default_threads())?;
    let reviewed = links::reviewed_entities(kb, &context.base, v)?;
    let mut plan = LinkPlan { decided: Vec::new(), supplied: 0, supplied_links: Vec::new(), warnings: Vec::new(), reviewed: reviewed.len() };
    for (entity, decision) in decided {
        if reviewed.contains(&entity.node) {
            continue;
        }
        if entity.supplied.is_empty() {
            plan.decided.push((entity, decision));
            continue;
        }
        plan.supplied += 1;
        for qid in &entity.supplied {
            let link = NewLink { entity: entity.node.clone(), qid: Some(qid.clone()), score: None, method: "extractor", note: String::new() };
            plan.supplied_links.push(link);
            let warning = match linker.item(qid) {
                None => Some(SuppliedIdWarning::NotInIndex { entity: entity.node.clone(), qid: qid.clone() }),
                Some(_) => linker.type_fit(entity.mention.kind, qid).err().map(|class| SuppliedIdWarning::WrongClass {
                    entity: entity.node.clone(),
                    qid: qid.clone(),
                    class,
                    kind: entity.mention.kind,
                }),
            };
            plan.warnings.extend(warning);
        }
    }
    Ok(plan)
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
