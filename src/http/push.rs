//! Sending the knowledge base to an existing SPARQL 1.1 server, one graph per request.
//!
//! Every named graph of the store (each article, the ontology, the Wikidata links) goes to the
//! server under the same name, replacing what the server had there: with the Graph Store HTTP
//! Protocol (`PUT ?graph=IRI`) when a graph store URL is given, else with SPARQL Update
//! (`DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }`). Replacing makes a push idempotent
//! and safe to retry.
//!
//! What was sent is remembered *on the server*, in a manifest graph (`{base}push-manifest`) of
//! `<graph> fg:contentHash "sha256:…"` triples, read back with a SPARQL query before each push:
//! a graph whose N-Triples hash to the recorded value is skipped. Keeping the manifest beside
//! the data means any machine can push (mapping shards, say) and a server that was wiped gets
//! everything again. The manifest is written after the graphs it describes (every
//! [`PushOptions::checkpoint`] graphs and at the end, also after a failure), so it never claims a
//! graph the server has not received.

use crate::http::remote::{Remote, RemoteError};
use crate::http::sparql_client;
use crate::rdf::serialize::{Format, LineWriter};
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Term};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Where a push goes.
#[derive(Debug, Clone)]
pub struct PushTarget {
    /// The server's SPARQL query endpoint: without a graph store, the manifest is read there.
    pub endpoint: Option<String>,
    /// Its Graph Store HTTP Protocol endpoint, if it has one: graphs are `PUT` there.
    pub graph_store: Option<String>,
    /// Its SPARQL Update endpoint, used when there is no graph store (defaults to `endpoint`).
    pub update: Option<String>,
}

impl PushTarget {
    fn method(&self) -> &'static str {
        if self.graph_store.is_some() { "graph store protocol" } else { "SPARQL update" }
    }
}

/// How a push runs.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Requests in flight at once.
    pub jobs: usize,
    /// Send every graph, even those the manifest says are unchanged.
    pub force: bool,
    /// Decide what would be sent, send nothing.
    pub dry_run: bool,
    /// Also delete from the server the graphs this store pushed before but no longer has.
    pub prune: bool,
    /// Write the manifest after this many graphs (and at the end).
    pub checkpoint: usize,
    /// Graphs of the store not to push (nor prune), such as the links graph from a shard.
    pub skip: Vec<NamedNode>,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions { jobs: 4, force: false, dry_run: false, prune: false, checkpoint: 1000, skip: Vec::new() }
    }
}

/// What a push did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default)]
pub struct PushReport {
    /// Graphs in the store.
    pub graphs: usize,
    /// Graphs sent so far (with `dry_run`: that would be sent).
    pub sent: usize,
    /// Graphs skipped as unchanged.
    pub unchanged: usize,
    /// Graphs deleted from the server (`prune`).
    pub pruned: usize,
    /// Triples sent.
    pub triples: u64,
    /// Request bytes sent (graph bodies).
    pub bytes: u64,
    /// Requests that needed more than one attempt.
    pub retried: u64,
    /// How the graphs were sent.
    pub method: &'static str,
    /// Wall time.
    pub elapsed: Duration,
}

/// Why a push failed; `report` says what had been done by then.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The manifest could not be read from the server.
    #[error("cannot read the push manifest from {endpoint}: {source}")]
    Manifest {
        /// The query endpoint.
        endpoint: String,
        /// Why.
        source: RemoteError,
    },
    /// A request failed for good.
    #[error("sending {graph}: {source}")]
    Send {
        /// The graph.
        graph: String,
        /// Why.
        source: RemoteError,
        /// What was done before the failure (the manifest records it).
        report: Box<PushReport>,
    },
}

/// One graph's body and hash.
#[derive(Debug)]
struct Prepared {
    graph: NamedNode,
    hash: String,
    triples: u64,
    /// N-Triples of the graph (the Graph Store body, and what is hashed).
    body: Vec<u8>,
}

/// Pushes every named graph of `kb` (but the manifest) to `target`; `progress` is called after
/// each graph with the report so far.
pub fn push(
    kb: &KnowledgeBase,
    remote: &Remote,
    target: &PushTarget,
    manifest: NamedNodeRef<'_>,
    hash_property: NamedNodeRef<'_>,
    options: &PushOptions,
    progress: impl Fn(&PushReport) + Sync,
) -> Result<PushReport, PushError> {
    let started = Instant::now();
    let graphs: Vec<NamedNode> = kb.graphs()?.into_iter().filter(|g| g.as_ref() != manifest && !options.skip.contains(g)).collect();
    let recorded = read_manifest(remote, target, manifest, hash_property)
        .map_err(|source| PushError::Manifest { endpoint: target.graph_store.clone().or(target.endpoint.clone()).unwrap_or_default(), source })?;

    let mut report = PushReport { graphs: graphs.len(), method: target.method(), ..PushReport::default() };
    let stale: Vec<String> = if options.prune {
        let local: std::collections::HashSet<&str> = graphs.iter().map(NamedNode::as_str).collect();
        recorded.keys().filter(|g| !local.contains(g.as_str()) && !options.skip.iter().any(|s| s.as_str() == g.as_str())).cloned().collect()
    } else {
        Vec::new()
    };
    if options.dry_run {
        for graph in &graphs {
            let prepared = prepare(kb, graph)?;
            if !options.force && recorded.get(graph.as_str()) == Some(&prepared.hash) {
                report.unchanged += 1;
            } else {
                report.sent += 1;
                report.triples += prepared.triples;
                report.bytes += prepared.body.len() as u64;
            }
        }
        report.pruned = stale.len();
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    progress(&report);

    // What the server holds, as far as we know: starts as the manifest read, updated as graphs go.
    // The requests go through a queue of their own rather than `crate::parallel::ordered`: their
    // times are uneven (a retry waits seconds) and their order does not matter (the manifest is a
    // set), so every sender takes the next graph as soon as it is free, where `ordered` would hand
    // graphs out in turn and hold every sender back behind one slow request.
    let state = Mutex::new((recorded, report, 0usize));
    let jobs = options.jobs.max(1);
    let (work_sender, work_receiver) = sync_channel::<Prepared>(jobs * 2);
    let work_receiver = Arc::new(Mutex::new(work_receiver));
    let (done_sender, done_receiver) = channel::<Result<(Prepared, u32), (String, RemoteError)>>();
    let failure: Mutex<Option<(String, RemoteError)>> = Mutex::new(None);
    let stop = std::sync::atomic::AtomicBool::new(false);

    std::thread::scope(|scope| -> Result<(), PushError> {
        for _ in 0..jobs {
            let work_receiver = Arc::clone(&work_receiver);
            let done_sender = done_sender.clone();
            let stop = &stop;
            scope.spawn(move || {
                loop {
                    let next = work_receiver.lock().expect("the work queue is not poisoned").recv();
                    let Ok(prepared) = next else { break };
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        continue;
                    }
                    let result = send_graph(remote, target, &prepared);
                    let message = match result {
                        Ok(attempts) => Ok((prepared, attempts)),
                        Err(error) => {
                            stop.store(true, std::sync::atomic::Ordering::Relaxed);
                            Err((prepared.graph.as_str().to_string(), error))
                        }
                    };
                    if done_sender.send(message).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_sender);
        // The collector: records each graph sent, writes the manifest at checkpoints.
        let collector = scope.spawn(|| {
            for message in done_receiver {
                match message {
                    Ok((prepared, attempts)) => {
                        let checkpoint_due = {
                            let mut guard = state.lock().expect("the push state is not poisoned");
                            let (recorded, report, since) = &mut *guard;
                            recorded.insert(prepared.graph.as_str().to_string(), prepared.hash);
                            report.sent += 1;
                            report.triples += prepared.triples;
                            report.bytes += prepared.body.len() as u64;
                            report.retried += u64::from(attempts > 1);
                            *since += 1;
                            progress(report);
                            *since >= options.checkpoint
                        };
                        if checkpoint_due {
                            let snapshot = {
                                let mut guard = state.lock().expect("the push state is not poisoned");
                                guard.2 = 0;
                                guard.0.clone()
                            };
                            if let Err(error) = write_manifest(remote, target, manifest, hash_property, &snapshot) {
                                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                                failure.lock().expect("not poisoned").get_or_insert((manifest.as_str().to_string(), error));
                            }
                        }
                    }
                    Err(error) => {
                        failure.lock().expect("not poisoned").get_or_insert(error);
                    }
                }
            }
        });
        // The producer: this thread reads, serialises and hashes each graph in IRI order, and
        // hands on those that differ from the manifest.
        let mut read_error = None;
        for graph in &graphs {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                break;
            }
            match prepare(kb, graph) {
                Ok(prepared) => {
                    let unchanged = {
                        let mut guard = state.lock().expect("the push state is not poisoned");
                        let unchanged = !options.force && guard.0.get(graph.as_str()) == Some(&prepared.hash);
                        if unchanged {
                            guard.1.unchanged += 1;
                            progress(&guard.1);
                        }
                        unchanged
                    };
                    if !unchanged && work_sender.send(prepared).is_err() {
                        break;
                    }
                }
                Err(error) => {
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    read_error = Some(error);
                    break;
                }
            }
        }
        drop(work_sender);
        collector.join().expect("the collector does not panic");
        match read_error {
            Some(error) => Err(error.into()),
            None => Ok(()),
        }
    })?;

    let (mut recorded, mut report, _) = state.into_inner().expect("the push state is not poisoned");
    let failed = failure.into_inner().expect("not poisoned");
    if failed.is_none() {
        for graph in &stale {
            let deleted = match &target.graph_store {
                Some(store) => sparql_client::delete_graph(remote, store, graph),
                None => update(remote, target, &format!("DROP SILENT GRAPH <{graph}>")).map(|_| ()),
            };
            if let Err(source) = deleted {
                let _ = write_manifest(remote, target, manifest, hash_property, &recorded);
                report.elapsed = started.elapsed();
                return Err(PushError::Send { graph: graph.clone(), source, report: Box::new(report) });
            }
            recorded.remove(graph);
            report.pruned += 1;
        }
    }
    // The final manifest, also after a failure: it records exactly the graphs that arrived.
    let written = if report.sent > 0 || report.pruned > 0 { write_manifest(remote, target, manifest, hash_property, &recorded) } else { Ok(()) };
    report.elapsed = started.elapsed();
    if let Some((graph, source)) = failed {
        return Err(PushError::Send { graph, source, report: Box::new(report) });
    }
    if let Err(source) = written {
        return Err(PushError::Send { graph: manifest.as_str().to_string(), source, report: Box::new(report) });
    }
    Ok(report)
}

/// Reads one graph of the store as N-Triples and hashes it. The store's order is deterministic,
/// so the same content always gives the same bytes and hash.
fn prepare(kb: &KnowledgeBase, graph: &NamedNode) -> Result<Prepared, StoreError> {
    let io = |source| StoreError::Io { path: kb.path().to_path_buf(), source };
    let mut writer = LineWriter::new(Format::NTriples, Vec::with_capacity(64 * 1024));
    let mut triples = 0u64;
    for quad in kb.store().quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph.as_ref()))) {
        writer.write(quad?.as_ref()).map_err(io)?;
        triples += 1;
    }
    let body = writer.finish().map_err(io)?;
    Ok(Prepared { graph: graph.clone(), hash: content_hash(&body), triples, body })
}

/// The hash the manifest records for a graph's N-Triples: `sha256:` and the digest in hexadecimal.
fn content_hash(ntriples: &[u8]) -> String {
    format!("sha256:{}", crate::http::remote::hex(&Sha256::digest(ntriples)))
}

/// The SPARQL Update that replaces graph `graph` (an IRI) with `ntriples`.
fn replace_graph(graph: &str, ntriples: &str) -> String {
    format!("DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}}} }}")
}

/// Sends one graph, replacing the server's graph of that name; returns the attempts it took.
fn send_graph(remote: &Remote, target: &PushTarget, prepared: &Prepared) -> Result<u32, RemoteError> {
    match &target.graph_store {
        Some(store) => sparql_client::put_graph(remote, store, prepared.graph.as_str(), &prepared.body),
        None => update(remote, target, &replace_graph(prepared.graph.as_str(), &String::from_utf8_lossy(&prepared.body))),
    }
}

/// Sends an update to the target's update endpoint; returns the attempts it took.
fn update(remote: &Remote, target: &PushTarget, text: &str) -> Result<u32, RemoteError> {
    let url = target.update.as_deref().or(target.endpoint.as_deref()).unwrap_or_default();
    sparql_client::update(remote, url, text)
}

/// Rows of the manifest read with SELECT at a time: Virtuoso's default cap on a result.
const MANIFEST_PAGE: usize = 10_000;

/// The manifest as the server has it: graph IRI → content hash. Read with a Graph Store `GET`
/// when there is a graph store (no row limit applies), else with SELECTs of at most
/// [`MANIFEST_PAGE`] rows.
pub fn read_manifest(remote: &Remote, target: &PushTarget, manifest: NamedNodeRef<'_>, hash_property: NamedNodeRef<'_>) -> Result<BTreeMap<String, String>, RemoteError> {
    let mut recorded = BTreeMap::new();
    if let Some(store) = &target.graph_store {
        let triples = sparql_client::get_graph(remote, store, manifest.as_str())?.unwrap_or_default();
        let entries = triples.into_iter().filter(|t| t.predicate.as_ref() == hash_property).map(|t| (t.subject.into(), t.object));
        record(&mut recorded, entries);
        return Ok(recorded);
    }
    for page in 0.. {
        let rows = sparql_client::select(remote, target.endpoint.as_deref().unwrap_or_default(), &manifest_query(manifest, hash_property, page))?;
        let count = rows.len();
        record(&mut recorded, rows.into_iter().filter_map(|mut row| Some((row.get_mut(0)?.take()?, row.get_mut(1)?.take()?))));
        if count < MANIFEST_PAGE {
            break;
        }
    }
    Ok(recorded)
}

/// The SELECT that reads page `page` of the manifest.
fn manifest_query(manifest: NamedNodeRef<'_>, hash_property: NamedNodeRef<'_>, page: usize) -> String {
    format!(
        "SELECT ?graph ?hash WHERE {{ GRAPH {manifest} {{ ?graph {hash_property} ?hash }} }} ORDER BY ?graph LIMIT {MANIFEST_PAGE} OFFSET {}",
        page * MANIFEST_PAGE
    )
}

/// Adds the manifest entries among `(graph, hash)` pairs: an IRI and a literal; others are ignored.
fn record(recorded: &mut BTreeMap<String, String>, pairs: impl IntoIterator<Item = (Term, Term)>) {
    for pair in pairs {
        if let (Term::NamedNode(graph), Term::Literal(hash)) = pair {
            recorded.insert(graph.into_string(), hash.value().to_string());
        }
    }
}

/// The manifest's N-Triples: one `<graph> hash_property "hash"` line an entry, in graph order.
fn manifest_body(hash_property: NamedNodeRef<'_>, recorded: &BTreeMap<String, String>) -> String {
    let mut body = String::new();
    for (graph, hash) in recorded {
        body.push_str(&format!("<{graph}> {hash_property} {} .\n", Literal::new_simple_literal(hash)));
    }
    body
}

fn write_manifest(remote: &Remote, target: &PushTarget, manifest: NamedNodeRef<'_>, hash_property: NamedNodeRef<'_>, recorded: &BTreeMap<String, String>) -> Result<(), RemoteError> {
    let body = manifest_body(hash_property, recorded);
    match &target.graph_store {
        Some(store) => sparql_client::put_graph(remote, store, manifest.as_str(), body.as_bytes()),
        None => update(remote, target, &replace_graph(manifest.as_str(), &body)),
    }
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Quad};

    fn node(iri: &str) -> NamedNode {
        NamedNode::new(iri).unwrap()
    }

    const HASH: &str = "https://factgraph.example/ontology#contentHash";

    #[test]
    fn the_manifest_is_written_and_read_back() {
        let mut recorded = BTreeMap::new();
        recorded.insert("https://kb.example/b".to_string(), "sha256:2".to_string());
        recorded.insert("https://kb.example/a".to_string(), "sha256:\"1\"".to_string());
        let hash = node(HASH);
        let body = manifest_body(hash.as_ref(), &recorded);
        assert_eq!(
            body,
            "<https://kb.example/a> <https://factgraph.example/ontology#contentHash> \"sha256:\\\"1\\\"\" .\n\
             <https://kb.example/b> <https://factgraph.example/ontology#contentHash> \"sha256:2\" .\n"
        );
        let parsed = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::NTriples).for_slice(body.as_bytes()).map(|t| {
            let t = t.unwrap();
            (t.subject.into(), t.object)
        });
        let mut read = BTreeMap::new();
        record(&mut read, parsed);
        assert_eq!(read, recorded);
        assert!(manifest_body(hash.as_ref(), &BTreeMap::new()).is_empty());
    }

    #[test]
    fn manifest_entries_need_an_iri_and_a_literal() {
        let mut read = BTreeMap::new();
        let literal = |v: &str| Term::Literal(Literal::new_simple_literal(v));
        record(
            &mut read,
            [
                (node("https://kb.example/a").into(), literal("sha256:1")),
                (node("https://kb.example/b").into(), node("https://kb.example/not-a-hash").into()),
                (literal("not a graph"), literal("sha256:3")),
            ],
        );
        assert_eq!(read.into_iter().collect::<Vec<_>>(), [("https://kb.example/a".to_string(), "sha256:1".to_string())]);
    }

    #[test]
    fn the_manifest_is_read_page_by_page() {
        let (manifest, hash) = (node("https://kb.example/push-manifest"), node(HASH));
        let query = manifest_query(manifest.as_ref(), hash.as_ref(), 2);
        assert_eq!(
            query,
            "SELECT ?graph ?hash WHERE { GRAPH <https://kb.example/push-manifest> { ?graph <https://factgraph.example/ontology#contentHash> ?hash } } \
             ORDER BY ?graph LIMIT 10000 OFFSET 20000"
        );
        assert!(spargebra::SparqlParser::new().parse_query(&query).is_ok());
    }

    #[test]
    fn a_graph_is_replaced_by_one_update() {
        let update = replace_graph("https://kb.example/a", "<https://kb.example/s> <https://kb.example/p> \"o\" .\n");
        assert_eq!(
            update,
            "DROP SILENT GRAPH <https://kb.example/a> ;\n\
             INSERT DATA { GRAPH <https://kb.example/a> {\n<https://kb.example/s> <https://kb.example/p> \"o\" .\n} }"
        );
        assert!(spargebra::SparqlParser::new().parse_update(&update).is_ok());
        assert!(spargebra::SparqlParser::new().parse_update(&replace_graph("https://kb.example/empty", "")).is_ok());
    }

    #[test]
    fn hashes_are_sha256_in_hexadecimal() {
        assert_eq!(content_hash(b""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(content_hash(b"abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_graph_is_prepared_as_its_n_triples_and_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(&dir.path().join("store")).unwrap();
        let (a, b) = (node("https://kb.example/a"), node("https://kb.example/b"));
        let p = node("https://kb.example/p");
        for (s, o, g) in [("s2", "x", &a), ("s1", "y\nz", &a), ("s1", "w", &b)] {
            let quad = Quad::new(node(&format!("https://kb.example/{s}")), p.clone(), Literal::new_simple_literal(o), GraphName::from(g.clone()));
            kb.store().insert(&quad).unwrap();
        }
        let prepared = prepare(&kb, &a).unwrap();
        assert_eq!(prepared.graph, a);
        assert_eq!(prepared.triples, 2);
        // Escaped as N-Triples, without the graph (in the store's key order, which is not the IRIs').
        let body = String::from_utf8(prepared.body.clone()).unwrap();
        let mut lines: Vec<&str> = body.lines().collect();
        lines.sort_unstable();
        assert_eq!(lines, ["<https://kb.example/s1> <https://kb.example/p> \"y\\nz\" .", "<https://kb.example/s2> <https://kb.example/p> \"x\" ."]);
        assert!(body.ends_with(" .\n"));
        assert_eq!(prepared.hash, content_hash(&prepared.body));
        assert_eq!(prepare(&kb, &a).unwrap().hash, prepared.hash, "the same content, the same hash");
        assert_ne!(prepare(&kb, &b).unwrap().hash, prepared.hash);
        let empty = prepare(&kb, &node("https://kb.example/none")).unwrap();
        assert_eq!((empty.triples, empty.body.len()), (0, 0));
    }
}
