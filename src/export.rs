//! Exporting the store in the RDF formats, reading it on several threads with bounded memory.
//!
//! Reading dominates an export: Oxigraph stores terms as ids and looks each string up again for
//! every quad it hands out. Both writers therefore read through SPARQL queries that project only the
//! terms they need (a quad pattern with a bound graph or predicate is not decoded again for every
//! row), and spread the queries over threads:
//!
//! - [`write_lines`] (N-Triples, N-Quads) reads graph by graph, in graph IRI order, each graph in the
//!   store's key order, as before; the graphs are read on `threads` threads in turn and written in
//!   order, so the output is the same for any number of threads.
//! - [`write_sorted`] (Turtle, TriG, JSON-LD, RDF/XML) reads predicate by predicate on `threads`
//!   threads into a [`SortedWriter`], which sorts with a bounded amount of memory (runs beyond it go
//!   to temporary files) and writes every distinct quad once, in [`crate::serialize::compare_quads`]
//!   order: the output depends only on what the store holds.

use crate::serialize::{Format, LineWriter, Prefixes, SortedWriter};
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, Term};
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolutionIter, SparqlEvaluator};
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};

/// Errors of an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A read query failed.
    #[error("reading the store failed: {0}")]
    Query(#[from] QueryEvaluationError),
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl From<oxigraph::store::StorageError> for ExportError {
    fn from(error: oxigraph::store::StorageError) -> Self {
        ExportError::Store(error.into())
    }
}

/// What to export.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    /// One named graph.
    Graph(NamedNodeRef<'a>),
    /// Every graph but those in `skip`. The sorted formats include the default graph; the line
    /// formats write the named graphs only.
    All {
        /// Named graphs left out (the ontology's, unless asked for).
        skip: &'a [NamedNode],
    },
}

/// Graphs handed to one reading thread at a time by [`write_lines`].
const GRAPHS_PER_BATCH: usize = 16;
/// Batches that may wait for the writer, per reading thread.
const QUEUE_BATCHES: usize = 4;

/// Writes the selection as N-Triples or N-Quads: graph by graph in graph IRI order, each in the
/// store's key order, read on `threads` threads. Returns the number of quads written.
pub fn write_lines<W: Write>(kb: &KnowledgeBase, selection: Selection<'_>, format: Format, threads: usize, out: W) -> Result<(W, usize), ExportError> {
    let graphs: Vec<NamedNode> = match selection {
        Selection::Graph(graph) => vec![graph.into_owned()],
        Selection::All { skip } => kb.graphs()?.into_iter().filter(|g| !skip.contains(g)).collect(),
    };
    // The graph is the query's default graph: its quads come straight from the store's index, and
    // only the three projected terms are decoded.
    let query = SparqlEvaluator::new().parse_query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").map_err(|e| io::Error::other(e.to_string()))?;
    let read = |graph: &NamedNode, buffer: &mut Vec<u8>| -> Result<usize, ExportError> {
        let mut prepared = query.clone();
        prepared.dataset_mut().set_default_graph(vec![graph.clone().into()]);
        let QueryResults::Solutions(solutions) = prepared.on_store(kb.store()).execute()? else {
            return Err(io::Error::other("not a SELECT query").into());
        };
        let mut writer = LineWriter::new(format, &mut *buffer);
        let count = each_triple(solutions, &[0, 1, 2], |s, p, o| writer.write(QuadRef::new(s, p, o, graph.as_ref())))?;
        writer.finish()?;
        Ok(count)
    };
    let mut out = out;
    let threads = threads.clamp(1, graphs.len().max(1));
    if threads == 1 {
        let mut count = 0;
        let mut buffer = Vec::with_capacity(1 << 20);
        for graph in &graphs {
            count += read(graph, &mut buffer)?;
            out.write_all(&buffer)?;
            buffer.clear();
        }
        return Ok((out, count));
    }
    let batches: Vec<&[NamedNode]> = graphs.chunks(GRAPHS_PER_BATCH).collect();
    let read = &read;
    let batches = &batches;
    std::thread::scope(|scope| {
        let mut outputs: Vec<Receiver<Result<(Vec<u8>, usize), ExportError>>> = Vec::with_capacity(threads);
        for thread in 0..threads {
            let (sender, receiver) = sync_channel(QUEUE_BATCHES);
            outputs.push(receiver);
            scope.spawn(move || {
                // Batch n is read by thread n % threads; the writer takes them in turn.
                for batch in batches.iter().skip(thread).step_by(threads) {
                    let mut buffer = Vec::with_capacity(1 << 20);
                    let mut result = Ok(0);
                    for graph in batch.iter() {
                        match read(graph, &mut buffer) {
                            Ok(n) => result = result.map(|count| count + n),
                            Err(e) => {
                                result = Err(e);
                                break;
                            }
                        }
                    }
                    let failed = result.is_err();
                    if sender.send(result.map(|count| (buffer, count))).is_err() || failed {
                        return;
                    }
                }
            });
        }
        let mut count = 0;
        for n in 0..batches.len() {
            let (buffer, quads) = outputs[n % threads].recv().map_err(|_| io::Error::other("a reading thread stopped"))??;
            out.write_all(&buffer)?;
            count += quads;
        }
        Ok((out, count))
    })
}

/// Calls `f` with each solution's terms at `columns` (subject, predicate, object) as a triple;
/// returns how many there were. Solutions whose terms cannot form a triple are skipped (a store
/// cannot hold them).
fn each_triple(
    solutions: QuerySolutionIter<'_>,
    columns: &[usize; 3],
    mut f: impl FnMut(NamedOrBlankNodeRef<'_>, NamedNodeRef<'_>, oxigraph::model::TermRef<'_>) -> io::Result<()>,
) -> Result<usize, ExportError> {
    let mut count = 0;
    for solution in solutions {
        let solution = solution?;
        let values = solution.values();
        let (Some(Some(s)), Some(Some(Term::NamedNode(p))), Some(Some(o))) = (values.get(columns[0]), values.get(columns[1]), values.get(columns[2])) else {
            continue;
        };
        let s: NamedOrBlankNodeRef<'_> = match s {
            Term::NamedNode(n) => n.as_ref().into(),
            Term::BlankNode(b) => b.as_ref().into(),
            _ => continue,
        };
        f(s, p.as_ref(), o.as_ref())?;
        count += 1;
    }
    Ok(count)
}

/// How much of the sort budget each reading thread of [`write_sorted`] gets.
const SORT_BYTES: usize = crate::sorter::DEFAULT_CHUNK_BYTES;

/// What one query of [`write_sorted`] reads: one predicate, in the selected named graphs or in the
/// store's default graph.
struct Part {
    predicate: NamedNode,
    default_graph: bool,
}

/// Writes the selection sorted and de-duplicated as `format` (Turtle, TriG, JSON-LD or RDF/XML),
/// reading it predicate by predicate on `threads` threads. Returns the number of quads (triples)
/// written.
pub fn write_sorted<W: Write>(
    kb: &KnowledgeBase,
    selection: Selection<'_>,
    format: Format,
    prefixes: &Prefixes,
    threads: usize,
    out: W,
) -> Result<(W, usize), ExportError> {
    let mut parts = Vec::new();
    let mut predicates = |query: Option<String>, default_graph: bool| -> Result<(), ExportError> {
        let query = query.ok_or_else(|| io::Error::other("a graph name cannot be written in SPARQL"))?;
        let prepared = SparqlEvaluator::new().parse_query(&query).map_err(|e| io::Error::other(e.to_string()))?;
        let QueryResults::Solutions(solutions) = prepared.on_store(kb.store()).execute()? else {
            return Err(io::Error::other("not a SELECT query").into());
        };
        let mut found: Vec<NamedNode> = Vec::new();
        for solution in solutions {
            if let Some(Term::NamedNode(p)) = solution?.get("p") {
                found.push(p.clone());
            }
        }
        found.sort();
        parts.extend(found.into_iter().map(|predicate| Part { predicate, default_graph }));
        Ok(())
    };
    predicates(named_pattern(selection, "?p").map(|p| format!("SELECT DISTINCT ?p WHERE {{ {p} }}")), false)?;
    if matches!(selection, Selection::All { .. }) {
        predicates(Some("SELECT DISTINCT ?p WHERE { ?s ?p ?o }".into()), true)?;
    }
    let keep_graphs = format.keeps_graphs();
    let threads = threads.clamp(1, parts.len().max(1));
    let budget = (SORT_BYTES / threads).max(1 << 20);
    let next = AtomicUsize::new(0);
    // Each thread takes the next predicate until none is left, into its own sorter.
    let run = || -> Result<SortedWriter<'_>, ExportError> {
        let mut sorted = SortedWriter::with_chunk_bytes(format, prefixes, budget);
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(part) = parts.get(i) else { return Ok(sorted) };
            read_part(kb, selection, keep_graphs, part, &mut sorted)?;
        }
    };
    let sorted = if threads == 1 {
        run()?
    } else {
        let results: Vec<Result<SortedWriter<'_>, ExportError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(run)).collect();
            handles.into_iter().map(|h| h.join().expect("a reading thread does not panic")).collect()
        });
        let mut all = SortedWriter::with_chunk_bytes(format, prefixes, budget);
        for result in results {
            all.absorb(result?)?;
        }
        all
    };
    Ok(sorted.finish(out)?)
}

/// `iri` as a SPARQL IRI reference, if it can be written as one.
fn sparql_iri(iri: &str) -> Option<String> {
    let plain = iri.chars().all(|c| c > ' ' && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\'));
    plain.then(|| format!("<{iri}>"))
}

/// The graph pattern of the selection's named graphs for predicate `predicate` (a variable or an
/// IRI reference), the graph bound to `?g` when all are selected.
fn named_pattern(selection: Selection<'_>, predicate: &str) -> Option<String> {
    match selection {
        Selection::Graph(g) => Some(format!("GRAPH {} {{ ?s {predicate} ?o }}", sparql_iri(g.as_str())?)),
        Selection::All { skip } => {
            let mut filters = String::new();
            for g in skip {
                filters.push_str(&format!(" FILTER(!sameTerm(?g, {}))", sparql_iri(g.as_str())?));
            }
            Some(format!("GRAPH ?g {{ ?s {predicate} ?o }}{filters}"))
        }
    }
}

/// Reads one predicate's quads into `sorted`: through a query that projects only the terms that
/// vary (the subject, the object, and the graph when the format keeps graphs and more than one is
/// read), or, for an IRI SPARQL cannot write, through the store's quad iterator.
fn read_part(kb: &KnowledgeBase, selection: Selection<'_>, keep_graphs: bool, part: &Part, sorted: &mut SortedWriter<'_>) -> Result<(), ExportError> {
    let p = part.predicate.as_ref();
    let project_graph = keep_graphs && !part.default_graph && matches!(selection, Selection::All { .. });
    let query = sparql_iri(p.as_str()).and_then(|iri| {
        let pattern = if part.default_graph { Some(format!("?s {iri} ?o")) } else { named_pattern(selection, &iri) }?;
        let projection = if project_graph { "?s ?o ?g" } else { "?s ?o" };
        SparqlEvaluator::new().parse_query(&format!("SELECT {projection} WHERE {{ {pattern} }}")).ok()
    });
    let Some(query) = query else {
        // The store's own iterator decodes every term of every quad, but takes any IRI.
        let graph = match (part.default_graph, selection) {
            (true, _) => Some(GraphNameRef::DefaultGraph),
            (false, Selection::Graph(g)) => Some(g.into()),
            (false, Selection::All { .. }) => None,
        };
        for quad in kb.store().quads_for_pattern(None, Some(p), None, graph) {
            let quad = quad?;
            if let (oxigraph::model::GraphName::NamedNode(g), Selection::All { skip }) = (&quad.graph_name, selection) {
                if skip.contains(g) {
                    continue;
                }
            }
            if graph.is_none() && quad.graph_name.is_default_graph() {
                continue;
            }
            sorted.push(quad.as_ref())?;
        }
        return Ok(());
    };
    let QueryResults::Solutions(solutions) = query.on_store(kb.store()).execute()? else {
        return Err(io::Error::other("not a SELECT query").into());
    };
    let fixed_graph: GraphNameRef<'_> = match selection {
        Selection::Graph(g) if !part.default_graph => g.into(),
        // The graph is projected, or does not matter (merged formats, the default graph).
        _ => GraphNameRef::DefaultGraph,
    };
    for solution in solutions {
        let solution = solution?;
        let values = solution.values();
        let s: NamedOrBlankNodeRef<'_> = match values.first() {
            Some(Some(Term::NamedNode(n))) => n.as_ref().into(),
            Some(Some(Term::BlankNode(b))) => b.as_ref().into(),
            _ => continue,
        };
        let Some(Some(o)) = values.get(1) else { continue };
        let g: GraphNameRef<'_> = match values.get(2) {
            Some(Some(Term::NamedNode(n))) if project_graph => n.as_ref().into(),
            Some(Some(Term::BlankNode(b))) if project_graph => b.as_ref().into(),
            _ => fixed_graph,
        };
        sorted.push(QuadRef::new(s, p, o.as_ref(), g))?;
    }
    Ok(())
}
