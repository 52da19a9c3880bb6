//! Applying the linker: gathering mentions from the store or from facts, writing links into the
//! knowledge base (their own graph, with score and method), review sheets a person can edit, and
//! gold files for evaluation.
//!
//! Links live in the graph `{base}links` ([`Base::links_graph`]). Each linked entity gets
//! `entity fg:wikidata wd:Q…` there, and a link node `{base}links/{entity path}` ([`Base::link_node`]) typed `fg:Link` with `fg:subject`, `fg:wikidata`,
//! `fg:score` (not for the extractor's), `fg:method` and, for the linker, its features in
//! `fg:description`. Relinking replaces the linker's and the extractor's links; reviewed links survive it.

use crate::facts::validate::ValidDocument;
use crate::facts::EntityType;
use crate::linking::linker::{points, Candidate, Context, Decision, Features, Linker, Mention, NameMatch};
use crate::linking::sort::{ExternalSorter, Sorted};
use crate::rdf::iri::{self, Base};
use crate::rdf::ontology::Vocabulary;
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::{PreparedSparqlQuery, QueryEvaluationError, QueryResults, QuerySolutionIter, SparqlEvaluator, Variable};
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
    /// The decisions could not be sorted in temporary files.
    #[error("cannot sort the decisions in temporary files: {0}")]
    Spill(io::Error),
    /// The review sheet could not be written.
    #[error("cannot write the review sheet: {0}")]
    Sheet(io::Error),
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

/// Articles a job reads (and links) at once.
const ARTICLES_PER_JOB: usize = 32;

/// Entities a job gathers, or whose decisions it merges, at once: little work each.
const ENTITIES_PER_JOB: usize = 256;

/// How [`link_store`] uses threads and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSettings {
    /// Threads that read and link articles.
    pub threads: usize,
    /// Index items (and their classes) the linker keeps decoded, the most recently used
    /// ([`Linker::with_cache`]).
    pub cache: usize,
    /// Bytes of decisions held in memory; beyond that, sorted runs go to temporary files.
    pub memory: usize,
}

/// Memory [`LinkSettings::default`] gives the decisions, in MiB.
pub const DEFAULT_MEMORY_MIB: usize = 128;

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings { threads: crate::parallel::default_threads(), cache: crate::linking::linker::DEFAULT_CACHE, memory: DEFAULT_MEMORY_MIB << 20 }
    }
}

/// A batch of jobs (articles, or sorted records), and what a worker made of each (or its failure).
struct Job<I, T> {
    input: Vec<I>,
    found: Vec<T>,
    failed: Option<LinkError>,
}

impl<I, T> Default for Job<I, T> {
    fn default() -> Self {
        Job { input: Vec::new(), found: Vec::new(), failed: None }
    }
}

/// Runs `work` on what `produce` sends, `per_job` inputs a job on `threads` threads, and hands each
/// result to `consume` in the order sent. `produce` gets a function that sends one input and says
/// whether to go on.
fn in_batches<I: Send, T: Send, R: Send>(
    threads: usize,
    per_job: usize,
    produce: impl FnOnce(&mut dyn FnMut(I) -> bool) -> R + Send,
    work: impl Fn(&I) -> Result<T, LinkError> + Sync,
    mut consume: impl FnMut(T) -> Result<(), LinkError>,
) -> Result<R, LinkError> {
    crate::parallel::ordered::<Job<I, T>, _, LinkError>(
        threads,
        |feed| {
            let mut job = feed.job();
            job.input.clear();
            let mut stopped = false;
            let result = produce(&mut |input| {
                job.input.push(input);
                if job.input.len() == per_job {
                    let full = std::mem::replace(&mut job, feed.job());
                    job.input.clear();
                    stopped = feed.send(full).is_err();
                }
                !stopped
            });
            if !stopped && !job.input.is_empty() {
                let _ = feed.send(job);
            }
            result
        },
        |job| {
            job.found.clear();
            for input in &job.input {
                match work(input) {
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
            job.found.drain(..).try_for_each(&mut consume)
        },
    )
}

/// Runs `work` on each group of `sorter`'s records that share their first `key(record)` bytes,
/// `per_job` groups a job on `threads` threads, and hands what it made to `consume` in the sorted
/// order.
fn each_group<T: Send>(
    sorter: ExternalSorter,
    threads: usize,
    per_job: usize,
    key: fn(&[u8]) -> usize,
    work: impl Fn(&Vec<Vec<u8>>) -> Result<T, LinkError> + Sync,
    consume: impl FnMut(T) -> Result<(), LinkError>,
) -> Result<(), LinkError> {
    let sorted = sorter.finish().map_err(LinkError::Spill)?;
    in_batches(threads, per_job, |send| in_groups(sorted, key, send), work, consume)?
}

/// Adds records to a sort.
fn push_all(sorter: &mut ExternalSorter, records: Vec<Vec<u8>>) -> Result<(), LinkError> {
    records.into_iter().try_for_each(|record| sorter.push(record).map_err(LinkError::Spill))
}

/// Sends the records of `sorted` in groups that share their first `key(record)` bytes (one
/// entity's, or one article's), until `send` says to stop.
fn in_groups(sorted: Sorted, key: fn(&[u8]) -> usize, send: &mut dyn FnMut(Vec<Vec<u8>>) -> bool) -> Result<(), LinkError> {
    let mut group: Vec<Vec<u8>> = Vec::new();
    for record in sorted {
        let record = record.map_err(LinkError::Spill)?;
        if let Some(first) = group.first() {
            if first[..key(first)] != record[..key(&record)] && !send(std::mem::take(&mut group)) {
                return Ok(());
            }
        }
        group.push(record);
    }
    if !group.is_empty() {
        send(group);
    }
    Ok(())
}

/// The bytes of a record sorted by entity that name the entity: its IRI and the zero byte after it.
fn entity_prefix(record: &[u8]) -> usize {
    record.iter().position(|&b| b == 0).map_or(record.len(), |zero| zero + 1)
}

/// The bytes of a record sorted by article that name the article: its position in the store.
fn article_prefix(record: &[u8]) -> usize {
    record.len().min(8)
}

/// The queries that read an article graph (each run with the article as its default graph).
///
/// The store's quad iterator decodes every term of every quad it returns (a lookup of each IRI and
/// of each longer literal); a query decodes only the terms it projects, and these project numbers
/// for the classes and properties. Each seek costs more than the quads it skips, so the entity
/// query scans the article's types once and each entity's quads once, keeping the wanted classes
/// and properties with filters, rather than seeking each class and each property. Reading the
/// store is still most of what linking costs.
struct ArticleQueries {
    /// Each entity (a subject of one of the seven entity classes) with its class's number, and
    /// its labels, aliases, descriptions and Wikidata ids, each with its property's number.
    entities: PreparedSparqlQuery,
    /// The article's text.
    text: PreparedSparqlQuery,
    /// The exact text of every evidence span.
    evidence: PreparedSparqlQuery,
}

/// The properties [`ArticleQueries`]'s entity query numbers, in order.
const LABEL: i64 = 0;
const ALIAS: i64 = 1;
const DESCRIPTION: i64 = 2;
const WIKIDATA: i64 = 3;

impl ArticleQueries {
    /// The queries for the terms of `v`.
    fn new(v: &Vocabulary) -> ArticleQueries {
        // The terms of a list, and a term's number in it as nested IFs: both compare the stored
        // terms without decoding them.
        fn numbered<'a>(variable: &str, terms: impl IntoIterator<Item = &'a NamedNode>) -> (String, String) {
            let terms: Vec<String> = terms.into_iter().map(ToString::to_string).collect();
            let number = terms.iter().enumerate().rev().fold(String::from("-1"), |rest, (i, term)| format!("IF(?{variable} = {term}, {i}, {rest})"));
            (terms.join(", "), number)
        }
        let (classes, class) = numbered("type", v.entity_classes().map(|(_, class)| class));
        let label = rdfs::LABEL.into_owned();
        let (properties, property) = numbered("p", [&label, &v.alias, &v.description, &v.wikidata]);
        let parse = |query: String| SparqlEvaluator::new().parse_query(&query).expect("the linker's own queries parse");
        ArticleQueries {
            // One scan of the article's types, and one of each entity's quads (a filter placed
            // after the BIND makes Oxigraph's plan twice as slow).
            entities: parse(format!(
                "SELECT ?entity ?class ?property ?value WHERE {{ ?entity a ?type . FILTER(?type IN ({classes})) BIND({class} AS ?class) \
                 OPTIONAL {{ ?entity ?p ?value . FILTER(?p IN ({properties})) BIND({property} AS ?property) }} }}"
            )),
            text: parse(format!("SELECT ?article ?text WHERE {{ ?article {} ?text }}", v.text)),
            evidence: parse(format!("SELECT ?text WHERE {{ ?span {} ?text }}", v.exact)),
        }
    }

    /// The solutions of `query` on the graph `article`, `article` bound to `?article` if given.
    fn run<'a>(kb: &'a KnowledgeBase, query: &PreparedSparqlQuery, article: &NamedNode, bind: bool) -> Result<QuerySolutionIter<'a>, StoreError> {
        let mut prepared = query.clone();
        prepared.dataset_mut().set_default_graph(vec![article.clone().into()]);
        if bind {
            prepared = prepared.substitute_variable(Variable::new_unchecked("article"), article.clone());
        }
        match prepared.on_store(kb.store()).execute().map_err(query_failed)? {
            QueryResults::Solutions(solutions) => Ok(solutions),
            _ => unreachable!("the linker's queries are SELECT queries"),
        }
    }
}

/// A query's failure, as the store's.
fn query_failed(error: QueryEvaluationError) -> StoreError {
    match error {
        QueryEvaluationError::Dataset(inner) => match inner.downcast::<oxigraph::store::StorageError>() {
            Ok(storage) => StoreError::Storage(*storage),
            Err(inner) => StoreError::Storage(io::Error::other(inner).into()),
        },
        error => StoreError::Storage(io::Error::other(error).into()),
    }
}

/// An entity read by [`describe_entities`]: its classes' numbers, and its property values as read
/// with its first class.
#[derive(Default)]
struct Read {
    classes: Vec<i64>,
    names: Vec<String>,
    aliases: Vec<String>,
    description: Option<String>,
    supplied: BTreeSet<String>,
}

/// The entities of an article graph as it describes them, in IRI order: type, names (labels then
/// aliases, each sorted), description and the extractor's Wikidata ids.
fn describe_entities(kb: &KnowledgeBase, v: &Vocabulary, queries: &ArticleQueries, article: &NamedNode) -> Result<Vec<StoreEntity>, StoreError> {
    let number = |term: Option<&Term>| match term {
        Some(Term::Literal(l)) => l.value().parse::<i64>().ok(),
        _ => None,
    };
    let mut read: BTreeMap<NamedNode, Read> = BTreeMap::new();
    for solution in ArticleQueries::run(kb, &queries.entities, article, false)? {
        let solution = solution.map_err(query_failed)?;
        let values = solution.values();
        let (Some(Some(Term::NamedNode(node))), Some(class)) = (values.first(), number(values.get(1).and_then(Option::as_ref))) else { continue };
        let entity = read.entry(node.clone()).or_default();
        if !entity.classes.contains(&class) {
            entity.classes.push(class);
        }
        // The same values come again with each further class.
        if entity.classes[0] != class {
            continue;
        }
        match (number(values.get(2).and_then(Option::as_ref)), values.get(3).and_then(Option::as_ref)) {
            (Some(LABEL), Some(Term::Literal(l))) => entity.names.push(l.value().to_string()),
            (Some(ALIAS), Some(Term::Literal(l))) => entity.aliases.push(l.value().to_string()),
            (Some(DESCRIPTION), Some(Term::Literal(l))) => entity.description = Some(l.value().to_string()),
            (Some(WIKIDATA), Some(Term::NamedNode(w))) => entity.supplied.extend(iri::wikidata_qid(w.as_str()).map(str::to_string)),
            _ => {}
        }
    }
    let classes = v.entity_classes();
    let mut found = Vec::with_capacity(read.len());
    for (node, mut entity) in read {
        let kind = match entity.classes[..] {
            [class] => classes[class as usize].0,
            // Of several classes, the first in the store's order, as a scan of the node's types sees it.
            _ => first_entity_type(kb, v, article, &node)?,
        };
        entity.names.sort();
        entity.aliases.sort();
        entity.names.extend(entity.aliases);
        let mention = Mention { key: node.as_str().to_string(), kind, names: entity.names, description: entity.description };
        found.push(StoreEntity { node, mention, supplied: entity.supplied });
    }
    Ok(found)
}

/// The first of `node`'s entity classes in `article`, in the store's order.
fn first_entity_type(kb: &KnowledgeBase, v: &Vocabulary, article: &NamedNode, node: &NamedNode) -> Result<EntityType, StoreError> {
    for quad in kb.store().quads_for_pattern(Some(node.as_ref().into()), Some(rdf::TYPE), None, Some(GraphNameRef::NamedNode(article.as_ref()))) {
        if let Term::NamedNode(class) = quad?.object {
            if let Some(kind) = v.entity_type(class.as_ref()) {
                return Ok(kind);
            }
        }
    }
    Ok(EntityType::Other)
}

/// An article's words: its text, or else its evidence spans (as [`facts_mentions`] takes them).
fn article_words(kb: &KnowledgeBase, queries: &ArticleQueries, article: &NamedNode) -> Result<Context, StoreError> {
    fn add(text: &mut String, solutions: QuerySolutionIter<'_>, column: usize) -> Result<(), StoreError> {
        for solution in solutions {
            if let Some(Some(Term::Literal(l))) = solution.map_err(query_failed)?.values().get(column) {
                text.push_str(l.value());
                text.push('\n');
            }
        }
        Ok(())
    }
    let mut text = String::new();
    add(&mut text, ArticleQueries::run(kb, &queries.text, article, true)?, 1)?;
    if text.is_empty() {
        add(&mut text, ArticleQueries::run(kb, &queries.evidence, article, false)?, 0)?;
    }
    Ok(Context::of(&text))
}

/// Adds what a later article says of an entity to what the articles before it said: its names not
/// yet seen, a description if it had none, its Wikidata ids.
fn gather(entity: &mut StoreEntity, later: StoreEntity) {
    for name in later.mention.names {
        if !entity.mention.names.contains(&name) {
            entity.mention.names.push(name);
        }
    }
    if entity.mention.description.is_none() {
        entity.mention.description = later.mention.description;
    }
    entity.supplied.extend(later.supplied);
}

/// Links every entity of every article graph and hands each, with its decision, to `each`, in IRI
/// order.
///
/// Three sorts, each in memory up to [`LinkSettings::memory`] and in temporary files beyond, keep
/// memory bounded by the settings rather than by the store; every step runs on
/// [`LinkSettings::threads`] threads beside the thread that reads a sort's output:
/// 1. each article's entities, as the article describes them, are read and sorted by entity. The
///    articles are read in the order the store keeps their graphs (fewer random reads), and
///    numbered in IRI order;
/// 2. each entity's names, description and extractor ids are gathered over its articles (in IRI
///    order; its type is the first article's) and sorted back by article, in the store's order;
/// 3. each article's entities are linked together, with the article's words as context, and the
///    decisions sorted by entity;
/// 4. an entity in several articles keeps its best decision, or none if two articles link it to
///    different items.
///
/// A decision keeps its best [`CANDIDATES_KEPT`] candidates. The store's article list is held
/// (about 100 bytes an article).
pub fn link_store(
    kb: &KnowledgeBase,
    v: &Vocabulary,
    linker: &Linker<'_>,
    settings: &LinkSettings,
    mut each: impl FnMut(StoreEntity, Decision) -> Result<(), LinkError>,
) -> Result<(), LinkError> {
    let articles = kb.articles(v.article.as_ref())?;
    let order = store_order(kb, &articles)?;
    let queries = ArticleQueries::new(v);
    let threads = settings.threads;
    // 1. By entity: the entity's IRI, its article's number in IRI order, then in the store's order.
    let mut by_entity = ExternalSorter::new(settings.memory);
    in_batches(
        threads,
        ARTICLES_PER_JOB,
        |send| order.iter().enumerate().take_while(|&(at, &seq)| send((at as u64, seq))).count(),
        |&(at, seq)| {
            let found = describe_entities(kb, v, &queries, &articles[seq as usize])?;
            Ok(found
                .iter()
                .map(|entity| {
                    let mut record = entity_key(&entity.node, seq);
                    record.extend_from_slice(&at.to_be_bytes());
                    encode_entity(entity, &mut record);
                    fitted(record)
                })
                .collect::<Vec<_>>())
        },
        |records| push_all(&mut by_entity, records),
    )?;
    // 2. By article, in the store's order: the article's place there and number, the entity's IRI.
    let mut by_article = ExternalSorter::new(settings.memory);
    each_group(
        by_entity,
        threads,
        ENTITIES_PER_JOB,
        entity_prefix,
        |group| {
            let mut gathered: Option<StoreEntity> = None;
            let mut places = Vec::with_capacity(group.len());
            for record in group {
                let (node, seq, body) = split_entity_key(record)?;
                let at = body.get(..8).ok_or_else(damaged)?;
                let entity = Reader(&body[8..]).entity(node).ok_or_else(damaged)?;
                match &mut gathered {
                    Some(gathered) => gather(gathered, entity),
                    None => gathered = Some(entity),
                }
                places.push((at, seq));
            }
            let entity = gathered.ok_or_else(damaged)?;
            Ok(places
                .into_iter()
                .map(|(at, seq)| {
                    let mut record = Vec::with_capacity(entity.node.as_str().len() + 128);
                    record.extend_from_slice(at);
                    record.extend_from_slice(&seq.to_be_bytes());
                    record.extend_from_slice(entity.node.as_str().as_bytes());
                    record.push(0);
                    encode_entity(&entity, &mut record);
                    fitted(record)
                })
                .collect::<Vec<_>>())
        },
        |records| push_all(&mut by_article, records),
    )?;
    // 3. Each article linked; the decisions by entity, then article in IRI order.
    let mut decisions = ExternalSorter::new(settings.memory);
    each_group(
        by_article,
        threads,
        ARTICLES_PER_JOB,
        article_prefix,
        |group| {
            let mut seq = 0;
            let mut entities = Vec::with_capacity(group.len());
            for record in group {
                seq = u64::from_be_bytes(record.get(8..16).ok_or_else(damaged)?.try_into().expect("eight bytes"));
                let rest = &record[16..];
                let split = rest.iter().position(|&b| b == 0).ok_or_else(damaged)?;
                let node = std::str::from_utf8(&rest[..split]).map_err(|_| damaged())?;
                entities.push(Reader(&rest[split + 1..]).entity(node).ok_or_else(damaged)?);
            }
            let article = articles.get(seq as usize).ok_or_else(damaged)?;
            let context = article_words(kb, &queries, article)?;
            let mentions: Vec<Mention> = entities.iter().map(|e| e.mention.clone()).collect();
            Ok(entities
                .iter()
                .zip(linker.link(&mentions, &context))
                .map(|(entity, decision)| {
                    let mut record = entity_key(&entity.node, seq);
                    encode_entity(entity, &mut record);
                    encode_decision(&decision, &mut record);
                    fitted(record)
                })
                .collect::<Vec<_>>())
        },
        |records| push_all(&mut decisions, records),
    )?;
    // 4. Each entity's decisions merged, in IRI order.
    each_group(
        decisions,
        threads,
        ENTITIES_PER_JOB,
        entity_prefix,
        |group| {
            let mut merged: Option<(StoreEntity, Decision)> = None;
            for record in group {
                let (node, _, body) = split_entity_key(record)?;
                let mut r = Reader(body);
                let (entity, decision) = r.entity(node).zip(r.decision(node)).ok_or_else(damaged)?;
                match &mut merged {
                    Some((_, best)) => merge(best, decision),
                    None => merged = Some((entity, decision)),
                }
            }
            merged.ok_or_else(damaged)
        },
        |(entity, decision)| each(entity, decision),
    )
}

/// The numbers (in IRI order) of `articles`, sorted, in the order the store keeps their graphs:
/// the order of the graph's key in every index that starts with the graph, so reading the articles
/// in it reads each index from one end to the other.
fn store_order(kb: &KnowledgeBase, articles: &[NamedNode]) -> Result<Vec<u64>, StoreError> {
    let mut order = Vec::with_capacity(articles.len());
    for graph in kb.store().named_graphs() {
        if let NamedOrBlankNode::NamedNode(graph) = graph? {
            if let Ok(seq) = articles.binary_search(&graph) {
                order.push(seq as u64);
            }
        }
    }
    Ok(order)
}

/// Candidates a decision keeps through [`link_store`]: the link, and the three runners-up a review
/// sheet shows (`--explain` shows four).
pub const CANDIDATES_KEPT: usize = 4;

/// Entity types in the order [`encode_entity`] numbers them.
const KINDS: [EntityType; 7] =
    [EntityType::Person, EntityType::Organisation, EntityType::Country, EntityType::City, EntityType::Place, EntityType::Group, EntityType::Other];

/// The start of a record sorted by entity, then article: the entity's IRI, a zero byte (no IRI
/// holds one), the article's number.
fn entity_key(node: &NamedNode, seq: u64) -> Vec<u8> {
    let mut record = Vec::with_capacity(node.as_str().len() + 128);
    record.extend_from_slice(node.as_str().as_bytes());
    record.push(0);
    record.extend_from_slice(&seq.to_be_bytes());
    record
}

/// A record that starts with [`entity_key`]: the IRI, the article's number, the rest.
fn split_entity_key(record: &[u8]) -> Result<(&str, u64, &[u8]), LinkError> {
    let split = record.iter().position(|&b| b == 0).ok_or_else(damaged)?;
    let node = std::str::from_utf8(&record[..split]).map_err(|_| damaged())?;
    let seq = record.get(split + 1..split + 9).ok_or_else(damaged)?;
    Ok((node, u64::from_be_bytes(seq.try_into().expect("eight bytes")), &record[split + 9..]))
}

/// A record without its spare capacity: the sorts count the bytes of their records.
fn fitted(mut record: Vec<u8>) -> Vec<u8> {
    record.shrink_to_fit();
    record
}

/// A record read back from a temporary file does not decode.
fn damaged() -> LinkError {
    LinkError::Spill(io::Error::new(io::ErrorKind::InvalidData, "a record read back from a temporary file is damaged"))
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn put_optional(out: &mut Vec<u8>, s: Option<&str>) {
    out.push(u8::from(s.is_some()));
    put_text(out, s.unwrap_or(""));
}

/// An entity (but its IRI) as bytes, for sorting on disk: its fields in order, strings as a length
/// and UTF-8.
fn encode_entity(entity: &StoreEntity, out: &mut Vec<u8>) {
    let mention = &entity.mention;
    out.push(KINDS.iter().position(|k| *k == mention.kind).unwrap_or(KINDS.len() - 1) as u8);
    out.extend_from_slice(&(mention.names.len() as u32).to_le_bytes());
    mention.names.iter().for_each(|name| put_text(out, name));
    put_optional(out, mention.description.as_deref());
    out.extend_from_slice(&(entity.supplied.len() as u32).to_le_bytes());
    entity.supplied.iter().for_each(|qid| put_text(out, qid));
}

/// A decision (but its key) as bytes, like [`encode_entity`], with its best [`CANDIDATES_KEPT`]
/// candidates.
fn encode_decision(decision: &Decision, out: &mut Vec<u8>) {
    fn candidate(out: &mut Vec<u8>, c: &Candidate) {
        put_text(out, &c.qid);
        put_text(out, &c.label);
        put_optional(out, c.description.as_deref());
        let f = &c.features;
        for n in [c.points, f.name, f.kind, f.popularity, f.coherence, f.description] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        put_text(out, &c.matched);
        out.push(match c.how {
            NameMatch::Demonym => 0,
            NameMatch::WeakAlias => 1,
            NameMatch::Alias => 2,
            NameMatch::Label => 3,
        });
    }
    fn pairs(out: &mut Vec<u8>, pairs: &[(String, String)]) {
        out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
        for (a, b) in pairs {
            put_text(out, a);
            put_text(out, b);
        }
    }
    out.push(u8::from(decision.link.is_some()));
    if let Some(link) = &decision.link {
        candidate(out, link);
    }
    let kept = &decision.candidates[..decision.candidates.len().min(CANDIDATES_KEPT)];
    out.push(kept.len() as u8);
    kept.iter().for_each(|c| candidate(out, c));
    pairs(out, &decision.refused);
    pairs(out, &decision.unsupported);
    put_text(out, &decision.reason);
}

/// Reads back what [`encode_entity`] and [`encode_decision`] wrote; `None` when it is cut short
/// or damaged.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.bytes(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.bytes(4).map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")))
    }

    fn text(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.bytes(n)?.to_vec()).ok()
    }

    fn optional(&mut self) -> Option<Option<String>> {
        let some = self.u8()? == 1;
        Some(Some(self.text()?).filter(|_| some))
    }

    fn entity(&mut self, node: &str) -> Option<StoreEntity> {
        let kind = *KINDS.get(usize::from(self.u8()?))?;
        let names = (0..self.u32()?).map(|_| self.text()).collect::<Option<Vec<_>>>()?;
        let description = self.optional()?;
        let supplied = (0..self.u32()?).map(|_| self.text()).collect::<Option<BTreeSet<_>>>()?;
        let mention = Mention { key: node.to_string(), kind, names, description };
        Some(StoreEntity { node: NamedNode::new_unchecked(node), mention, supplied })
    }

    fn candidate(&mut self) -> Option<Candidate> {
        let (qid, label) = (self.text()?, self.text()?);
        let description = self.optional()?;
        let points = self.u32()?;
        let features = Features { name: self.u32()?, kind: self.u32()?, popularity: self.u32()?, coherence: self.u32()?, description: self.u32()? };
        let matched = self.text()?;
        let how = [NameMatch::Demonym, NameMatch::WeakAlias, NameMatch::Alias, NameMatch::Label].get(usize::from(self.u8()?)).copied()?;
        Some(Candidate { qid, label, description, points, score: f64::from(points) / 1000.0, features, matched, how })
    }

    fn pairs(&mut self) -> Option<Vec<(String, String)>> {
        (0..self.u32()?).map(|_| Some((self.text()?, self.text()?))).collect()
    }

    fn decision(&mut self, node: &str) -> Option<Decision> {
        let link = if self.u8()? == 1 { Some(self.candidate()?) } else { None };
        let candidates = (0..self.u8()?).map(|_| self.candidate()).collect::<Option<Vec<_>>>()?;
        let (refused, unsupported, reason) = (self.pairs()?, self.pairs()?, self.text()?);
        Some(Decision { key: node.to_string(), link, candidates, refused, unsupported, reason })
    }
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

/// Adds a later article's decision for an entity to the decision of the articles before it: the
/// first link stands unless a later one has more points, and two different items leave it unlinked.
fn merge(previous: &mut Decision, decision: Decision) {
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
        add_link(&mut transaction, base, v, link);
    }
    transaction.commit()?;
    store.flush()?;
    Ok(links.len())
}

/// The quads of one link, added to `transaction`.
fn add_link(transaction: &mut oxigraph::store::Transaction<'_>, base: &Base, v: &Vocabulary, link: &NewLink) {
    let graph = base.links_graph();
    let node = base.link_node(link.entity.as_ref());
    let mut add = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| transaction.insert(&Quad::new(s.clone(), p.into_owned(), o, graph.clone()));
    add(&node, rdf::TYPE, v.link.clone().into());
    add(&node, v.subject.as_ref(), link.entity.clone().into());
    if let Some(qid) = &link.qid {
        let item = iri::wikidata_item(qid);
        add(&link.entity, v.wikidata.as_ref(), item.clone().into());
        add(&node, v.wikidata.as_ref(), item.into());
    }
    if let Some(score) = link.score {
        add(&node, v.score.as_ref(), Literal::new_typed_literal(format!("{score:.3}"), xsd::DECIMAL).into());
    }
    add(&node, v.method.as_ref(), Literal::new_simple_literal(link.method).into());
    if !link.note.is_empty() {
        add(&node, v.description.as_ref(), Literal::new_simple_literal(link.note.clone()).into());
    }
}

/// Links a transaction of [`LinkWriter`] writes (and link nodes [`drop_links`] removes) at most.
const LINKS_PER_TRANSACTION: usize = 10_000;

/// Removes every link made by one of `methods` (and its entity's `fg:wikidata` in the links
/// graph), in transactions of [`LINKS_PER_TRANSACTION`] links. Returns how many went.
pub fn drop_links(kb: &KnowledgeBase, base: &Base, v: &Vocabulary, methods: &[&str]) -> Result<usize, StoreError> {
    let store = kb.store();
    let graph = base.links_graph();
    let g = GraphNameRef::NamedNode(graph.as_ref());
    let mut dropped = 0;
    for method in methods {
        let method = Term::from(Literal::new_simple_literal(*method));
        loop {
            let nodes: Vec<NamedOrBlankNode> = store
                .quads_for_pattern(None, Some(v.method.as_ref()), Some(method.as_ref()), Some(g))
                .take(LINKS_PER_TRANSACTION)
                .map(|q| q.map(|q| q.subject))
                .collect::<Result<_, _>>()?;
            if nodes.is_empty() {
                break;
            }
            let mut transaction = store.start_transaction()?;
            for node in &nodes {
                for quad in store.quads_for_pattern(Some(node.as_ref()), None, None, Some(g)) {
                    let quad = quad?;
                    if let (p, Term::NamedNode(subject)) = (quad.predicate.as_ref(), &quad.object) {
                        if p == v.subject.as_ref() {
                            for link in store.quads_for_pattern(Some(subject.as_ref().into()), Some(v.wikidata.as_ref()), None, Some(g)) {
                                transaction.remove(&link?);
                            }
                        }
                    }
                    transaction.remove(&quad);
                }
            }
            transaction.commit()?;
            dropped += nodes.len();
        }
    }
    Ok(dropped)
}

/// Writes links into the links graph as they come, in transactions of [`LINKS_PER_TRANSACTION`]
/// links (an interrupted run leaves the links written so far). [`LinkWriter::finish`] writes the
/// rest.
pub struct LinkWriter<'a> {
    kb: &'a KnowledgeBase,
    base: &'a Base,
    v: &'a Vocabulary,
    pending: Vec<NewLink>,
    written: usize,
}

impl<'a> LinkWriter<'a> {
    /// A writer into `kb`'s links graph.
    pub fn new(kb: &'a KnowledgeBase, base: &'a Base, v: &'a Vocabulary) -> LinkWriter<'a> {
        LinkWriter { kb, base, v, pending: Vec::new(), written: 0 }
    }

    /// Adds a link; a full batch is written.
    pub fn add(&mut self, link: NewLink) -> Result<(), StoreError> {
        self.pending.push(link);
        if self.pending.len() >= LINKS_PER_TRANSACTION {
            self.write()?;
        }
        Ok(())
    }

    fn write(&mut self) -> Result<(), StoreError> {
        let mut transaction = self.kb.store().start_transaction()?;
        for link in self.pending.drain(..) {
            add_link(&mut transaction, self.base, self.v, &link);
            self.written += 1;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Writes what is left and flushes the store. Returns the number of links written.
    pub fn finish(mut self) -> Result<usize, StoreError> {
        self.write()?;
        self.kb.store().flush()?;
        Ok(self.written)
    }
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

/// Writes one row of a review sheet (after [`SHEET_HEADER`]): `chosen` a QID or NIL, for a person
/// to check and edit.
pub fn write_sheet_row(out: &mut (impl Write + ?Sized), entity: &StoreEntity, decision: &Decision) -> io::Result<()> {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
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
    )
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
        let mut decisions = decisions.into_iter();
        let mut best = decisions.next().unwrap();
        decisions.for_each(|d| merge(&mut best, d));
        best
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
    fn an_entity_and_its_decision_read_back_from_their_bytes_with_the_best_candidates() {
        let mut decision = decision(Some("Q1"), 700, "score 0.700, ahead of the runner-up by 0.100");
        let link = decision.link.clone().unwrap();
        decision.candidates = (0..6u32).map(|i| Candidate { qid: format!("Q{i}"), description: (i % 2 == 0).then(|| format!("d{i}")), points: 700 - i, score: f64::from(700 - i) / 1000.0, how: NameMatch::Demonym, ..link.clone() }).collect();
        decision.refused = vec![("Q8".into(), "Q34770".into())];
        decision.unsupported = vec![("Q9".into(), "US".into())];
        decision.key = "https://example.org/kb/entity/é".into();
        let node = NamedNode::new(&decision.key).unwrap();
        let mention = Mention { key: decision.key.clone(), kind: EntityType::Place, names: vec!["Ñ".into(), "N".into()], description: Some("town".into()) };
        let entity = StoreEntity { node, mention, supplied: ["Q1".to_string(), "Q2".to_string()].into() };
        let mut record = entity_key(&entity.node, 7);
        encode_entity(&entity, &mut record);
        encode_decision(&decision, &mut record);
        let decode = |record: &[u8]| -> Option<(StoreEntity, Decision)> {
            let (node, seq, body) = split_entity_key(record).ok()?;
            assert_eq!(seq, 7);
            let mut r = Reader(body);
            r.entity(node).zip(r.decision(node))
        };
        let (entity_back, back) = decode(&record).unwrap();
        assert_eq!((entity_back.node, entity_back.mention, entity_back.supplied), (entity.node, entity.mention, entity.supplied));
        decision.candidates.truncate(CANDIDATES_KEPT);
        assert_eq!(back, decision);
        for cut in [1, record.len() / 2, record.len() - 1] {
            assert!(decode(&record[..cut]).is_none(), "cut at {cut}");
        }
    }

    /// What [`describe_entities`] reads, the long way: every quad of every typed node through the
    /// store's iterator.
    fn described_by_scanning(kb: &KnowledgeBase, v: &Vocabulary, article: &NamedNode) -> Vec<(String, EntityType, Vec<String>, Option<String>, BTreeSet<String>)> {
        let store = kb.store();
        let graph = GraphNameRef::NamedNode(article.as_ref());
        let mut found = BTreeMap::new();
        for quad in store.quads_for_pattern(None, Some(rdf::TYPE), None, Some(graph)) {
            let quad = quad.unwrap();
            let (NamedOrBlankNode::NamedNode(node), Term::NamedNode(class)) = (quad.subject, &quad.object) else { continue };
            let Some(kind) = v.entity_type(class.as_ref()) else { continue };
            if found.contains_key(node.as_str()) {
                continue;
            }
            let (mut names, mut aliases, mut description, mut supplied) = (Vec::new(), Vec::new(), None, BTreeSet::new());
            for q in store.quads_for_pattern(Some(node.as_ref().into()), None, None, Some(graph)) {
                let q = q.unwrap();
                match (q.object, q.predicate.as_ref()) {
                    (Term::Literal(l), p) if p == rdfs::LABEL => names.push(l.value().to_string()),
                    (Term::Literal(l), p) if p == v.alias.as_ref() => aliases.push(l.value().to_string()),
                    (Term::Literal(l), p) if p == v.description.as_ref() => description = Some(l.value().to_string()),
                    (Term::NamedNode(w), p) if p == v.wikidata.as_ref() => supplied.extend(iri::wikidata_qid(w.as_str()).map(str::to_string)),
                    _ => {}
                }
            }
            names.sort();
            aliases.sort();
            names.extend(aliases);
            found.insert(node.as_str().to_string(), (kind, names, description, supplied));
        }
        found.into_iter().map(|(node, (kind, names, description, supplied))| (node, kind, names, description, supplied)).collect()
    }

    /// A new store in a temporary folder (kept while the folder lives), and the vocabulary.
    fn empty_store() -> (tempfile::TempDir, KnowledgeBase, Vocabulary) {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(&dir.path().join("store")).unwrap();
        (dir, kb, Vocabulary::new(&crate::rdf::ontology::Ontology::bundled().unwrap()).unwrap())
    }

    #[test]
    fn the_queries_read_the_entities_as_a_scan_of_every_quad_does() {
        let (_dir, kb, v) = empty_store();
        let article = NamedNode::new("https://example.org/kb/article/a").unwrap();
        let other = NamedNode::new("https://example.org/kb/article/b").unwrap();
        let node = |local: &str| NamedNode::new(format!("https://example.org/kb/entity/{local}")).unwrap();
        let text = |t: &str| Term::from(Literal::new_language_tagged_literal_unchecked(t, "en"));
        // Synthetic: awkward shapes a mapped article never has (two entity classes, a label that is
        // an IRI, two descriptions, a typed blank node) beside ordinary ones.
        let mut quads = vec![
            (node("p"), rdf::TYPE.into_owned(), Term::from(v.person.clone())),
            (node("p"), rdfs::LABEL.into_owned(), text("Zed Ames")),
            (node("p"), rdfs::LABEL.into_owned(), text("Anna Bell")),
            (node("p"), v.alias.clone(), text("A. Bell")),
            (node("p"), v.description.clone(), text("a singer whose name is long")),
            (node("p"), v.description.clone(), text("a second description")),
            (node("p"), v.wikidata.clone(), Term::from(iri::wikidata_item("Q42"))),
            (node("p"), v.wikidata.clone(), Term::from(iri::wikidata_item("Q7"))),
            (node("twice"), rdf::TYPE.into_owned(), Term::from(v.city.clone())),
            (node("twice"), rdf::TYPE.into_owned(), Term::from(v.country.clone())),
            (node("twice"), rdf::TYPE.into_owned(), Term::from(v.event.clone())),
            (node("twice"), rdfs::LABEL.into_owned(), text("Ostmark")),
            (node("twice"), v.alias.clone(), text("Ostmark-on-the-long-river")),
            (node("iri-label"), rdf::TYPE.into_owned(), Term::from(v.group.clone())),
            (node("iri-label"), rdfs::LABEL.into_owned(), Term::from(node("p"))),
            (node("bare"), rdf::TYPE.into_owned(), Term::from(v.entity.clone())),
            (node("event"), rdf::TYPE.into_owned(), Term::from(v.event.clone())),
            (node("event"), rdfs::LABEL.into_owned(), text("not an entity")),
        ];
        for (i, class) in [&v.organisation_class, &v.place_class].into_iter().enumerate() {
            quads.push((node(&format!("n{i}")), rdf::TYPE.into_owned(), Term::from(class.clone())));
            quads.push((node(&format!("n{i}")), rdfs::LABEL.into_owned(), text(&format!("Name {i}"))));
        }
        for (s, p, o) in &quads {
            kb.store().insert(&Quad::new(s.clone(), p.clone(), o.clone(), article.clone())).unwrap();
        }
        kb.store().insert(&Quad::new(node("p"), v.alias.clone(), text("only in b"), other.clone())).unwrap();
        kb.store()
            .insert(&Quad::new(oxigraph::model::BlankNode::default(), rdf::TYPE.into_owned(), v.person.clone(), article.clone()))
            .unwrap();
        let queries = ArticleQueries::new(&v);
        let read: Vec<_> = describe_entities(&kb, &v, &queries, &article)
            .unwrap()
            .into_iter()
            .map(|e| (e.node.as_str().to_string(), e.mention.kind, e.mention.names, e.mention.description, e.supplied))
            .collect();
        assert_eq!(read, described_by_scanning(&kb, &v, &article));
        assert_eq!(read.len(), 6, "{read:?}");
    }

    #[test]
    fn an_entity_is_gathered_over_its_articles_in_iri_order_whatever_order_the_store_reads_them_in() {
        let (_dir, kb, v) = empty_store();
        let node = NamedNode::new("https://example.org/kb/entity/shared").unwrap();
        let text = |t: String| Term::from(Literal::new_language_tagged_literal_unchecked(t, "en"));
        // Synthetic: twelve articles that each give the one entity another name and description.
        for i in 0..12 {
            let article = NamedNode::new(format!("https://example.org/kb/article/a{i:02}")).unwrap();
            for (s, p, o) in [
                (&article, rdf::TYPE.into_owned(), Term::from(v.article.clone())),
                (&article, v.text.clone(), text(format!("Article {i} about Name {i}."))),
                (&node, rdf::TYPE.into_owned(), Term::from(v.person.clone())),
                (&node, rdfs::LABEL.into_owned(), text(format!("Name {i:02}"))),
                (&node, v.description.clone(), text(format!("description {i:02}"))),
            ] {
                kb.store().insert(&Quad::new(s.clone(), p, o, article.clone())).unwrap();
            }
        }
        let articles = kb.articles(v.article.as_ref()).unwrap();
        let order = store_order(&kb, &articles).unwrap();
        assert_ne!(order[0], 0, "the store's order is not the IRI order here: {order:?}");
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..12).collect::<Vec<u64>>());
        let mut builder = crate::linking::wikidata::IndexBuilder::new(vec!["en".into()]);
        builder.read(r#"{"type":"item","id":"Q1","labels":{"en":{"value":"Elsewhere"}}}"#.as_bytes(), "test").unwrap();
        let index = builder.finish().0.index();
        let linker = Linker::new(&index);
        for (threads, memory) in [(1, 1 << 20), (3, 64)] {
            let mut seen = Vec::new();
            link_store(&kb, &v, &linker, &LinkSettings { threads, memory, ..LinkSettings::default() }, |entity, _| {
                seen.push(entity);
                Ok(())
            })
            .unwrap();
            assert_eq!(seen.len(), 1);
            let names: Vec<String> = (0..12).map(|i| format!("Name {i:02}")).collect();
            assert_eq!(seen[0].mention.names, names, "{threads} threads");
            assert_eq!(seen[0].mention.description.as_deref(), Some("description 00"), "{threads} threads");
        }
    }

    #[test]
    fn articles_that_disagree_leave_the_entity_unlinked() {
        let split = merged(vec![decision(Some("Q1"), 700, "a"), decision(Some("Q2"), 900, "b"), decision(Some("Q3"), 990, "c")]);
        assert_eq!(split.link, None);
        assert_eq!(split.reason, "articles disagree: Q1 in one, Q2 in another");
    }
}
