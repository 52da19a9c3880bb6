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

use crate::http::remote::{Outgoing, Remote, RemoteError};
use crate::rdf::serialize::{Format, LineWriter};
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::{GraphNameRef, Literal, NamedNode, NamedNodeRef, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxhttp::model::Method;
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
                Some(store) => remote
                    .send(&Outgoing {
                        method: Method::DELETE,
                        url: &crate::http::remote::with_query_param(store, "graph", graph),
                        content_type: None,
                        accept: None,
                        body: b"",
                        allow_not_found: true,
                    })
                    .map(|_| ()),
                None => update(remote, target, &format!("DROP SILENT GRAPH <{graph}>")),
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
    let mut writer = LineWriter::new(Format::NTriples, Vec::with_capacity(64 * 1024));
    let mut triples = 0u64;
    for quad in kb.store().quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph.as_ref()))) {
        let quad = quad?;
        writer.write(quad.as_ref()).map_err(|e| StoreError::Io { path: kb.path().to_path_buf(), source: e })?;
        triples += 1;
    }
    let body = writer.finish().map_err(|e| StoreError::Io { path: kb.path().to_path_buf(), source: e })?;
    let hash = format!("sha256:{}", crate::http::remote::hex(&Sha256::digest(&body)));
    Ok(Prepared { graph: graph.clone(), hash, triples, body })
}

/// Sends one graph, replacing the server's graph of that name; returns the attempts it took.
fn send_graph(remote: &Remote, target: &PushTarget, prepared: &Prepared) -> Result<u32, RemoteError> {
    match &target.graph_store {
        Some(store) => {
            // The body is N-Triples, which needs no prefixes or escapes a server could misread.
            let answer = remote.send(&Outgoing {
                method: Method::PUT,
                url: &crate::http::remote::with_query_param(store, "graph", prepared.graph.as_str()),
                content_type: Some("application/n-triples"),
                accept: None,
                body: &prepared.body,
                allow_not_found: false,
            })?;
            Ok(answer.attempts)
        }
        None => {
            let text = format!(
                "DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}}} }}",
                graph = prepared.graph.as_str(),
                body = String::from_utf8_lossy(&prepared.body)
            );
            update_counting(remote, target, &text)
        }
    }
}

fn update(remote: &Remote, target: &PushTarget, text: &str) -> Result<(), RemoteError> {
    update_counting(remote, target, text).map(|_| ())
}

fn update_counting(remote: &Remote, target: &PushTarget, text: &str) -> Result<u32, RemoteError> {
    let url = target.update.as_deref().or(target.endpoint.as_deref()).unwrap_or_default();
    let body = format!("update={}", crate::http::serve::percent_encode(text));
    let answer = remote.send(&Outgoing {
        method: Method::POST,
        url,
        content_type: Some("application/x-www-form-urlencoded"),
        accept: None,
        body: body.as_bytes(),
        allow_not_found: false,
    })?;
    Ok(answer.attempts)
}

/// The manifest as the server has it: graph IRI → content hash. Read with a Graph Store `GET`
/// when there is a graph store (no row limit applies), else with SELECTs of at most 10,000 rows
/// (Virtuoso's default cap on a result).
pub fn read_manifest(remote: &Remote, target: &PushTarget, manifest: NamedNodeRef<'_>, hash_property: NamedNodeRef<'_>) -> Result<BTreeMap<String, String>, RemoteError> {
    let mut recorded = BTreeMap::new();
    let mut record = |graph: &Term, hash: &Term| {
        if let (Term::NamedNode(graph), Term::Literal(hash)) = (graph, hash) {
            recorded.insert(graph.as_str().to_string(), hash.value().to_string());
        }
    };
    if let Some(store) = &target.graph_store {
        let url = crate::http::remote::with_query_param(store, "graph", manifest.as_str());
        let answer = remote.send(&Outgoing {
            method: Method::GET,
            url: &url,
            content_type: None,
            accept: Some("application/n-triples, text/turtle;q=0.9"),
            body: b"",
            allow_not_found: true,
        })?;
        if answer.status == oxhttp::model::StatusCode::NOT_FOUND {
            return Ok(recorded);
        }
        let content_type = answer.content_type.unwrap_or_default().to_ascii_lowercase();
        let format = if content_type.contains("n-triples") { oxigraph::io::RdfFormat::NTriples } else { oxigraph::io::RdfFormat::Turtle };
        for quad in oxigraph::io::RdfParser::from_format(format).for_slice(&answer.body) {
            let quad = quad.map_err(|e| RemoteError::BadResponse { url: url.clone(), message: e.to_string() })?;
            if quad.predicate.as_ref() == hash_property {
                record(&quad.subject.into(), &quad.object);
            }
        }
        return Ok(recorded);
    }
    const PAGE: usize = 10_000;
    for page in 0.. {
        let query = format!(
            "SELECT ?graph ?hash WHERE {{ GRAPH {manifest} {{ ?graph {hash_property} ?hash }} }} ORDER BY ?graph LIMIT {PAGE} OFFSET {}",
            page * PAGE
        );
        let rows = select(remote, target.endpoint.as_deref().unwrap_or_default(), &query)?;
        for row in &rows {
            if let (Some(Some(graph)), Some(Some(hash))) = (row.first(), row.get(1)) {
                record(graph, hash);
            }
        }
        if rows.len() < PAGE {
            break;
        }
    }
    Ok(recorded)
}

fn write_manifest(remote: &Remote, target: &PushTarget, manifest: NamedNodeRef<'_>, hash_property: NamedNodeRef<'_>, recorded: &BTreeMap<String, String>) -> Result<(), RemoteError> {
    let mut body = String::new();
    for (graph, hash) in recorded {
        body.push_str(&format!("<{graph}> {hash_property} {} .\n", Literal::new_simple_literal(hash)));
    }
    match &target.graph_store {
        Some(store) => remote
            .send(&Outgoing {
                method: Method::PUT,
                url: &crate::http::remote::with_query_param(store, "graph", manifest.as_str()),
                content_type: Some("application/n-triples"),
                accept: None,
                body: body.as_bytes(),
                allow_not_found: false,
            })
            .map(|_| ()),
        None => update(remote, target, &format!("DROP SILENT GRAPH {manifest} ;\nINSERT DATA {{ GRAPH {manifest} {{\n{body}}} }}")),
    }
}

/// Runs a SELECT at a SPARQL endpoint; each row has the query's variables in order.
pub fn select(remote: &Remote, endpoint: &str, query: &str) -> Result<Vec<Vec<Option<Term>>>, RemoteError> {
    let answer = query_endpoint(remote, endpoint, query, "application/sparql-results+json")?;
    let bad = |message: String| RemoteError::BadResponse { url: endpoint.to_string(), message };
    match QueryResultsParser::from_format(QueryResultsFormat::Json).for_slice(&answer.body).map_err(|e| bad(e.to_string()))? {
        SliceQueryResultsParserOutput::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let mut rows = Vec::new();
            for solution in solutions {
                let solution = solution.map_err(|e| bad(e.to_string()))?;
                rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
            }
            Ok(rows)
        }
        SliceQueryResultsParserOutput::Boolean(_) => Err(bad("a boolean where solutions were expected".into())),
    }
}

/// Sends a query with the SPARQL 1.1 Protocol (POST, form-encoded), asking for `accept`.
pub fn query_endpoint(remote: &Remote, endpoint: &str, query: &str, accept: &str) -> Result<crate::http::remote::Answer, RemoteError> {
    let body = format!("query={}", crate::http::serve::percent_encode(query));
    remote.send(&Outgoing {
        method: Method::POST,
        url: endpoint,
        content_type: Some("application/x-www-form-urlencoded"),
        accept: Some(accept),
        body: body.as_bytes(),
        allow_not_found: false,
    })
}
