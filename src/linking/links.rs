//! Applying the linker: gathering mentions from the store or from facts, writing links into the
//! knowledge base (their own graph, with score and method), review sheets a person can edit, and
//! gold files for evaluation.
//!
//! Links live in the graph `{base}links` ([`Base::links_graph`]). Each linked entity gets
//! `entity fg:wikidata wd:Q…` there, and a link node `{base}links/{entity path}` ([`Base::link_node`]) typed `fg:Link` with `fg:subject`, `fg:wikidata`,
//! `fg:score` (not for the extractor's), `fg:method` and, for the linker, its features in
//! `fg:description`. Relinking replaces the linker's and the extractor's links; reviewed links survive it.

use crate::facts::validate::ValidDocument;
use crate::linking::linker::{points, Context, Decision, Linker, Mention};
use crate::rdf::iri::{self, Base};
use crate::rdf::ontology::Vocabulary;
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, Write};

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A sheet or gold file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// A line of a sheet or gold file that does not parse.
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// Line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// One entity to link, as found in the store.
#[derive(Debug, Clone)]
pub struct StoreEntity {
    /// The entity's node.
    pub node: NamedNode,
    /// What the linker sees: its names and description over every article that mentions it.
    pub mention: Mention,
    /// Wikidata ids already attached in the article graphs (by the extractor).
    pub supplied: BTreeSet<String>,
}

/// Articles a job reads (and links) at once: with the entities, all that is in memory.
const ARTICLES_PER_JOB: usize = 32;

/// A batch of articles, and what a worker found in each (or the store's failure).
struct Job<T> {
    articles: Vec<NamedNode>,
    found: Vec<T>,
    failed: Option<StoreError>,
}

impl<T> Default for Job<T> {
    fn default() -> Self {
        Job { articles: Vec::new(), found: Vec::new(), failed: None }
    }
}

/// Runs `work` on the store's articles in batches on `threads` threads and hands each article's
/// result to `consume` in article (IRI) order.
fn per_article<T: Send>(
    kb: &KnowledgeBase,
    v: &Vocabulary,
    threads: usize,
    work: impl Fn(&NamedNode) -> Result<T, StoreError> + Sync,
    mut consume: impl FnMut(T),
) -> Result<(), StoreError> {
    let articles = kb.articles(v.article.as_ref())?;
    crate::parallel::ordered::<Job<T>, _, StoreError>(
        threads,
        |feed| {
            for chunk in articles.chunks(ARTICLES_PER_JOB) {
                let mut job = feed.job();
                job.articles.clear();
                job.articles.extend_from_slice(chunk);
                if feed.send(job).is_err() {
                    return;
                }
            }
        },
        |job| {
            job.found.clear();
            for article in &job.articles {
                match work(article) {
                    Ok(found) => job.found.push(found),
                    Err(error) => {
                        job.failed = Some(error);
                        return;
                    }
                }
            }
        },
        |job| {
            if let Some(error) = job.failed.take() {
                return Err(error);
            }
            job.found.drain(..).for_each(&mut consume);
            Ok(())
        },
    )
}

/// An entity as one article graph describes it: node, type, names (labels then aliases, each
/// sorted), description and the extractor's Wikidata ids, in the order of its type triples.
type Described = (NamedNode, crate::facts::EntityType, Vec<String>, Option<String>, BTreeSet<String>);

fn describe_entities(kb: &KnowledgeBase, v: &Vocabulary, article: &NamedNode) -> Result<Vec<Described>, StoreError> {
    let store = kb.store();
    let graph = GraphNameRef::NamedNode(article.as_ref());
    let mut found = Vec::new();
    for quad in store.quads_for_pattern(None, Some(rdf::TYPE), None, Some(graph)) {
        let quad = quad?;
        let (NamedOrBlankNode::NamedNode(node), Term::NamedNode(class)) = (&quad.subject, &quad.object) else { continue };
        let Some(kind) = v.entity_type(class.as_ref()) else { continue };
        let mut names = Vec::new();
        let mut aliases = Vec::new();
        let mut description = None;
        let mut supplied = BTreeSet::new();
        for q in store.quads_for_pattern(Some(node.as_ref().into()), None, None, Some(graph)) {
            let q = q?;
            match (&q.object, q.predicate.as_ref()) {
                (Term::Literal(l), p) if p == rdfs::LABEL => names.push(l.value().to_string()),
                (Term::Literal(l), p) if p == v.alias.as_ref() => aliases.push(l.value().to_string()),
                (Term::Literal(l), p) if p == v.description.as_ref() => description = Some(l.value().to_string()),
                (Term::NamedNode(w), p) if p == v.wikidata.as_ref() => {
                    if let Some(qid) = iri::wikidata_qid(w.as_str()) {
                        supplied.insert(qid.to_string());
                    }
                }
                _ => {}
            }
        }
        names.sort();
        aliases.sort();
        names.extend(aliases);
        found.push((node.clone(), kind, names, description, supplied));
    }
    Ok(found)
}

/// The entities of an article graph, in IRI order, and its words: its text, or else its evidence
/// spans.
fn article_context(kb: &KnowledgeBase, v: &Vocabulary, article: &NamedNode) -> Result<(BTreeSet<NamedNode>, Context), StoreError> {
    let store = kb.store();
    let graph = GraphNameRef::NamedNode(article.as_ref());
    let mut nodes = BTreeSet::new();
    for quad in store.quads_for_pattern(None, Some(rdf::TYPE), None, Some(graph)) {
        let quad = quad?;
        let (NamedOrBlankNode::NamedNode(node), Term::NamedNode(class)) = (&quad.subject, &quad.object) else { continue };
        if v.entity_type(class.as_ref()).is_some() {
            nodes.insert(node.clone());
        }
    }
    let mut text = String::new();
    let texts = store
        .quads_for_pattern(Some(article.as_ref().into()), Some(v.text.as_ref()), None, Some(graph))
        .chain(store.quads_for_pattern(None, Some(v.exact.as_ref()), None, Some(graph)));
    for quad in texts {
        if let Term::Literal(l) = quad?.object {
            text.push_str(l.value());
            text.push('\n');
        }
    }
    Ok((nodes, Context::of(&text)))
}

/// Every entity of every article graph, each with the linker's decision, in IRI order.
///
/// It reads the store twice, article by article in batches on `threads` threads. The first pass
/// gathers each entity's names, description and supplied ids over all its articles; the second
/// links each article's entities together, with the article's words as context. An entity in
/// several articles keeps its best decision, or none if two articles link it to different items.
/// Memory holds the entities and their decisions, and a few batches of articles: not the articles'
/// words, nor which articles mention what.
pub fn link_store(kb: &KnowledgeBase, v: &Vocabulary, linker: &Linker<'_>, threads: usize) -> Result<Vec<(StoreEntity, Decision)>, StoreError> {
    let mut entities: BTreeMap<NamedNode, StoreEntity> = BTreeMap::new();
    per_article(kb, v, threads, |article| describe_entities(kb, v, article), |found| {
        for (node, kind, names, description, supplied) in found {
            let entry = entities.entry(node.clone()).or_insert_with(|| StoreEntity {
                mention: Mention { key: node.as_str().to_string(), kind, names: Vec::new(), description: None },
                node,
                supplied: BTreeSet::new(),
            });
            for name in names {
                if !entry.mention.names.contains(&name) {
                    entry.mention.names.push(name);
                }
            }
            if entry.mention.description.is_none() {
                entry.mention.description = description;
            }
            entry.supplied.extend(supplied);
        }
    })?;
    let mut best: BTreeMap<NamedNode, Decision> = BTreeMap::new();
    let entities_ref = &entities;
    per_article(
        kb,
        v,
        threads,
        |article| {
            let (nodes, context) = article_context(kb, v, article)?;
            let batch: Vec<Mention> = nodes.iter().map(|n| entities_ref[n].mention.clone()).collect();
            Ok(nodes.into_iter().zip(linker.link(&batch, &context)).collect::<Vec<_>>())
        },
        |decided| {
            for (node, decision) in decided {
                keep_best(&mut best, node, decision);
            }
        },
    )?;
    Ok(entities
        .into_values()
        .filter_map(|entity| {
            let decision = best.remove(&entity.node)?;
            Some((entity, decision))
        })
        .collect())
}

/// The mentions of validated documents, one group per document with its context (the text, or
/// else the evidence), keyed `document/local-id`. Wikidata ids the extractor supplied are ignored
/// (evaluation must not see the answers).
pub fn facts_mentions(documents: &[&ValidDocument]) -> Vec<(Vec<Mention>, Context)> {
    documents
        .iter()
        .map(|d| {
            let mentions = d
                .facts
                .entities
                .iter()
                .map(|e| Mention {
                    key: format!("{}/{}", d.facts.document.id, e.id),
                    kind: e.kind,
                    names: std::iter::once(e.name.clone()).chain(e.aliases.iter().cloned()).collect(),
                    description: e.description.clone(),
                })
                .collect();
            let text = match &d.text {
                Some(text) => text.clone(),
                None => evidence_text(&d.facts),
            };
            (mentions, Context::of(&text))
        })
        .collect()
}

/// Every evidence span's text of a document, for documents without a text.
fn evidence_text(facts: &crate::facts::FactsDocument) -> String {
    let mut text = String::new();
    let mut add = |spans: &[crate::facts::Evidence]| {
        for span in spans {
            text.push_str(&span.text);
            text.push('\n');
        }
    };
    facts.entities.iter().for_each(|e| add(&e.evidence));
    facts.roles.iter().for_each(|x| add(&x.evidence));
    facts.relations.iter().for_each(|x| add(&x.evidence));
    facts.events.iter().for_each(|x| add(&x.evidence));
    facts.quotes.iter().for_each(|x| add(&x.evidence));
    facts.claims.iter().for_each(|x| add(&x.evidence));
    text
}

/// Adds one article's decision for an entity to the decisions of the articles before it: the first
/// link stands unless a later one has more points, and two different items leave it unlinked.
fn keep_best<K: Ord>(best: &mut BTreeMap<K, Decision>, key: K, decision: Decision) {
    let Some(previous) = best.get_mut(&key) else {
        best.insert(key, decision);
        return;
    };
    let (a, b) = (previous.link.as_ref().map(|c| c.qid.clone()), decision.link.as_ref().map(|c| c.qid.clone()));
    match (a, b) {
        (Some(a), Some(b)) if a != b => {
            previous.reason = format!("articles disagree: {a} in one, {b} in another");
            previous.link = None;
        }
        (None, Some(_)) if !previous.reason.starts_with("articles disagree") => *previous = decision,
        (Some(_), Some(_)) if decision.link.as_ref().unwrap().points > previous.link.as_ref().unwrap().points => *previous = decision,
        _ => {}
    }
}

/// A link to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    /// The entity node.
    pub entity: NamedNode,
    /// The item id; `None` records a reviewed NIL (a person decided there is no item).
    pub qid: Option<String>,
    /// The score (1 for reviewed links; none for the extractor's, which come without one).
    pub score: Option<f64>,
    /// "linker", "review" or "extractor".
    pub method: &'static str,
    /// Features, in words.
    pub note: String,
}

/// Writes links into the links graph, in one transaction. A link without an item records a reviewed
/// NIL: a link node with its method and no `fg:wikidata`. Every earlier link made by one of
/// `replace_methods` goes, and so does any earlier link of an entity in `links` or `unlink`; links of
/// other entities made another way (a person's review) stay.
pub fn write_links(
    kb: &KnowledgeBase,
    base: &Base,
    v: &Vocabulary,
    links: &[NewLink],
    unlink: &[NamedNode],
    replace_methods: &[&str],
) -> Result<usize, StoreError> {
    let store = kb.store();
    let graph = base.links_graph();
    let g = GraphNameRef::NamedNode(graph.as_ref());
    let mut transaction = store.start_transaction()?;
    // Which entities' links to drop: all links made by `replace_methods`, and those of the entities relinked now.
    let relinked: BTreeSet<&NamedNode> = links.iter().map(|l| &l.entity).chain(unlink).collect();
    let mut drop_nodes: Vec<(NamedNode, NamedOrBlankNode)> = Vec::new();
    for quad in store.quads_for_pattern(None, Some(v.method.as_ref()), None, Some(g)) {
        let quad = quad?;
        let NamedOrBlankNode::NamedNode(link_node) = &quad.subject else { continue };
        let subject = store
            .quads_for_pattern(Some(link_node.as_ref().into()), Some(v.subject.as_ref()), None, Some(g))
            .next()
            .transpose()?
            .and_then(|q| match q.object {
                Term::NamedNode(n) => Some(n),
                _ => None,
            });
        let method_matches = matches!(&quad.object, Term::Literal(l) if replace_methods.contains(&l.value()));
        if let Some(subject) = subject {
            if method_matches || relinked.contains(&subject) {
                drop_nodes.push((subject, quad.subject.clone()));
            }
        }
    }
    for (subject, link_node) in drop_nodes {
        let to_remove: Vec<Quad> = store
            .quads_for_pattern(Some(link_node.as_ref()), None, None, Some(g))
            .chain(store.quads_for_pattern(Some(subject.as_ref().into()), Some(v.wikidata.as_ref()), None, Some(g)))
            .collect::<Result<_, _>>()?;
        for quad in &to_remove {
            transaction.remove(quad);
        }
    }
    for link in links {
        let node = base.link_node(link.entity.as_ref());
        let add = |t: &mut oxigraph::store::Transaction<'_>, s: &NamedNode, p: NamedNodeRef<'_>, o: Term| {
            t.insert(&Quad::new(s.clone(), p.into_owned(), o, graph.clone()));
        };
        add(&mut transaction, &node, rdf::TYPE, v.link.clone().into());
        add(&mut transaction, &node, v.subject.as_ref(), link.entity.clone().into());
        if let Some(qid) = &link.qid {
            let item = iri::wikidata_item(qid);
            add(&mut transaction, &link.entity, v.wikidata.as_ref(), item.clone().into());
            add(&mut transaction, &node, v.wikidata.as_ref(), item.into());
        }
        if let Some(score) = link.score {
            add(&mut transaction, &node, v.score.as_ref(), Literal::new_typed_literal(format!("{score:.3}"), xsd::DECIMAL).into());
        }
        add(&mut transaction, &node, v.method.as_ref(), Literal::new_simple_literal(link.method).into());
        if !link.note.is_empty() {
            add(&mut transaction, &node, v.description.as_ref(), Literal::new_simple_literal(link.note.clone()).into());
        }
    }
    transaction.commit()?;
    store.flush()?;
    Ok(links.len())
}

/// Entities whose link (or NIL) a person set through a review sheet: the linker leaves them alone.
pub fn reviewed_entities(kb: &KnowledgeBase, base: &Base, v: &Vocabulary) -> Result<BTreeSet<NamedNode>, StoreError> {
    let store = kb.store();
    let graph = base.links_graph();
    let g = GraphNameRef::NamedNode(graph.as_ref());
    let mut reviewed = BTreeSet::new();
    let review = Term::from(Literal::new_simple_literal("review"));
    for quad in store.quads_for_pattern(None, Some(v.method.as_ref()), Some(review.as_ref()), Some(g)) {
        let quad = quad?;
        for subject in store.quads_for_pattern(Some(quad.subject.as_ref()), Some(v.subject.as_ref()), None, Some(g)) {
            if let Term::NamedNode(n) = subject?.object {
                reviewed.insert(n);
            }
        }
    }
    Ok(reviewed)
}

/// The features of a decision's link, in words.
pub fn describe(decision: &Decision) -> String {
    match &decision.link {
        Some(c) => format!("{} ({:?}); {}", c.features.describe(), c.matched, decision.reason),
        None => decision.reason.clone(),
    }
}

/// The columns of a review sheet.
pub const SHEET_HEADER: &str = "entity\tname\ttype\tcontext\tchosen\tscore\talternatives\treason";

/// Writes a review sheet: one row per entity, `chosen` a QID or NIL, for a person to check and edit.
pub fn write_sheet(out: &mut impl Write, rows: &[(&StoreEntity, &Decision)]) -> io::Result<()> {
    writeln!(out, "{SHEET_HEADER}")?;
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    for (entity, decision) in rows {
        let chosen = decision.link.as_ref().map_or("NIL".to_string(), |c| c.qid.clone());
        let score = decision.link.as_ref().or(decision.candidates.first()).map_or(String::new(), |c| points(c.points));
        let alternatives: Vec<String> = decision
            .candidates
            .iter()
            .filter(|c| decision.link.as_ref().is_none_or(|l| l.qid != c.qid))
            .take(3)
            .map(|c| format!("{} {} ({})", c.qid, c.label, points(c.points)))
            .collect();
        let context = entity.mention.description.clone().unwrap_or_default();
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            entity.node.as_str(),
            clean(&entity.mention.names.join(" / ")),
            entity.mention.kind.as_str(),
            clean(&context),
            chosen,
            score,
            clean(&alternatives.join("; ")),
            clean(&decision.reason)
        )?;
    }
    Ok(())
}

/// Reads a reviewed sheet: entity IRI → chosen QID (or "NIL").
pub fn read_sheet(path: &std::path::Path) -> Result<Vec<(NamedNode, String)>, LinkError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| LinkError::Io { path: name.clone(), source })?;
    let mut rows = Vec::new();
    for (i, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| LinkError::Io { path: name.clone(), source })?;
        let syntax = |message: String| LinkError::Syntax { path: name.clone(), line: i + 1, message };
        if i == 0 {
            if !line.starts_with("entity\t") {
                return Err(syntax(format!("expected the header {SHEET_HEADER:?}")));
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        if columns.len() < 5 {
            return Err(syntax(format!("expected at least 5 tab-separated columns, found {}", columns.len())));
        }
        let entity = NamedNode::new(columns[0]).map_err(|e| syntax(format!("{:?} is not an IRI: {e}", columns[0])))?;
        let chosen = columns[4].trim();
        if !is_qid_or_nil(chosen) {
            return Err(syntax(format!("chosen must be a Wikidata item id such as Q7184, or NIL; found {chosen:?}")));
        }
        rows.push((entity, chosen.to_string()));
    }
    Ok(rows)
}

fn is_qid_or_nil(text: &str) -> bool {
    text == "NIL" || (text.len() > 1 && text.starts_with('Q') && text[1..].bytes().all(|b| b.is_ascii_digit()) && !text[1..].starts_with('0'))
}

/// Reads a gold file (tab-separated `document`, `entity`, `expected`, `name`): `document/entity` →
/// expected QID or NIL.
pub fn read_gold(path: &std::path::Path) -> Result<BTreeMap<String, String>, LinkError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| LinkError::Io { path: name.clone(), source })?;
    let mut gold = BTreeMap::new();
    for (i, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| LinkError::Io { path: name.clone(), source })?;
        let syntax = |message: String| LinkError::Syntax { path: name.clone(), line: i + 1, message };
        if i == 0 && line.starts_with("document\t") || line.trim().is_empty() {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        if columns.len() < 3 {
            return Err(syntax(format!("expected document, entity and expected, tab-separated; found {} columns", columns.len())));
        }
        let expected = columns[2].trim();
        if !is_qid_or_nil(expected) {
            return Err(syntax(format!("expected must be a Wikidata item id or NIL; found {expected:?}")));
        }
        let key = format!("{}/{}", columns[0].trim(), columns[1].trim());
        if gold.insert(key.clone(), expected.to_string()).is_some() {
            return Err(syntax(format!("{key} appears twice")));
        }
    }
    Ok(gold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linking::linker::{Candidate, Features, NameMatch};

    fn decision(qid: Option<&str>, points: u32, reason: &str) -> Decision {
        let link = qid.map(|qid| Candidate {
            qid: qid.into(),
            label: qid.into(),
            description: None,
            points,
            score: f64::from(points) / 1000.0,
            features: Features::default(),
            matched: qid.into(),
            how: NameMatch::Label,
        });
        Decision { key: "e".into(), link, candidates: Vec::new(), refused: Vec::new(), unsupported: Vec::new(), reason: reason.into() }
    }

    fn merged(decisions: Vec<Decision>) -> Decision {
        let mut best = BTreeMap::new();
        for d in decisions {
            keep_best(&mut best, 0, d);
        }
        best.remove(&0).unwrap()
    }

    #[test]
    fn an_entity_keeps_its_best_link_over_its_articles() {
        let nil = || decision(None, 0, "no candidate");
        assert_eq!(merged(vec![nil(), decision(Some("Q1"), 700, "a")]).link.unwrap().qid, "Q1");
        assert_eq!(merged(vec![decision(Some("Q1"), 700, "a"), nil()]).reason, "a");
        assert_eq!(merged(vec![decision(Some("Q1"), 700, "a"), decision(Some("Q1"), 800, "b")]).reason, "b");
        assert_eq!(merged(vec![decision(Some("Q1"), 800, "a"), decision(Some("Q1"), 800, "b")]).reason, "a");
    }

    #[test]
    fn articles_that_disagree_leave_the_entity_unlinked() {
        let split = merged(vec![decision(Some("Q1"), 700, "a"), decision(Some("Q2"), 900, "b"), decision(Some("Q3"), 990, "c")]);
        assert_eq!(split.link, None);
        assert_eq!(split.reason, "articles disagree: Q1 in one, Q2 in another");
    }
}
