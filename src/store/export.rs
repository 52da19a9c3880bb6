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
//! - [`write_sorted`] (Turtle, TriG, JSON-LD, RDF/XML) reads graph by graph (one graph alone:
//!   predicate by predicate, to use every thread) on `threads` threads, each into its own
//!   [`SortedWriter`], which sorts with a bounded amount of memory (runs beyond it go to temporary
//!   files); the writers are merged at the end and every distinct quad is written once, in
//!   [`crate::rdf::serialize::compare_quads`]
//!   order: the output depends only on what the store holds.

use crate::rdf::serialize::{Format, LineWriter, Prefixes, SortedWriter};
use crate::store::{KnowledgeBase, StoreError};
use oxigraph::model::{GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, QuadRef, Term};
use oxigraph::sparql::{PreparedSparqlQuery, QueryEvaluationError, QueryResults, QuerySolutionIter, SparqlEvaluator};
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Graphs read by one thread for [`write_lines`], and what reading them gave.
#[derive(Default)]
struct Lines<'a> {
    graphs: &'a [NamedNode],
    /// Their lines, in order.
    lines: Vec<u8>,
    quads: usize,
    error: Option<ExportError>,
}

/// Writes the selection as N-Triples or N-Quads: graph by graph in graph IRI order, each in the
/// store's key order, read on `threads` threads ([`crate::parallel::ordered`]). Returns the number
/// of quads written.
pub fn write_lines<W: Write>(kb: &KnowledgeBase, selection: Selection<'_>, format: Format, threads: usize, out: W) -> Result<(W, usize), ExportError> {
    let graphs: Vec<NamedNode> = match selection {
        Selection::Graph(graph) => vec![graph.into_owned()],
        Selection::All { skip } => kb.graphs()?.into_iter().filter(|g| !skip.contains(g)).collect(),
    };
    let query = parse(ALL_TRIPLES)?;
    let read = |graph: &NamedNode, buffer: &mut Vec<u8>| -> Result<usize, ExportError> {
        let solutions = select(kb, &query, graph.clone().into())?;
        let mut writer = LineWriter::new(format, &mut *buffer);
        let count = each_triple(solutions, &[0, 1, 2], |s, p, o| writer.write(QuadRef::new(s, p, o, graph.as_ref())))?;
        writer.finish()?;
        Ok(count)
    };
    let mut out = out;
    let mut count = 0;
    let threads = threads.clamp(1, graphs.len().div_ceil(GRAPHS_PER_BATCH).max(1));
    crate::parallel::ordered(
        threads,
        |feed| {
            for graphs in graphs.chunks(GRAPHS_PER_BATCH) {
                let mut job: Lines<'_> = feed.job();
                job.graphs = graphs;
                if feed.send(job).is_err() {
                    break;
                }
            }
        },
        |job: &mut Lines<'_>| {
            if job.lines.capacity() == 0 {
                job.lines.reserve(1 << 20);
            }
            for graph in job.graphs {
                match read(graph, &mut job.lines) {
                    Ok(n) => job.quads += n,
                    Err(e) => {
                        job.error = Some(e);
                        break;
                    }
                }
            }
        },
        |job| {
            if let Some(error) = job.error.take() {
                return Err(error);
            }
            out.write_all(&job.lines)?;
            count += job.quads;
            job.lines.clear();
            job.quads = 0;
            Ok(())
        },
    )?;
    Ok((out, count))
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
const SORT_BYTES: usize = crate::rdf::sorter::DEFAULT_CHUNK_BYTES;

/// What one query of [`write_sorted`] reads.
enum Part {
    /// A whole named graph (an article's, say): its quads in the store's key order, which keeps
    /// the terms a graph repeats (its nodes) together, so their strings are found in blocks the
    /// store has just read.
    Graph(NamedOrBlankNode),
    /// One predicate of the one graph selected, or of the store's default graph.
    Predicate { predicate: NamedNode, default_graph: bool },
}

/// Writes the selection sorted and de-duplicated as `format` (Turtle, TriG, JSON-LD or RDF/XML),
/// reading it on `threads` threads: graph by graph when all graphs are selected (the default graph
/// predicate by predicate), predicate by predicate when one graph is. Returns the number of quads
/// (triples) written.
pub fn write_sorted<W: Write>(
    kb: &KnowledgeBase,
    selection: Selection<'_>,
    format: Format,
    prefixes: &Prefixes,
    threads: usize,
    out: W,
) -> Result<(W, usize), ExportError> {
    let mut parts: Vec<Part> = Vec::new();
    let mut predicates = |graph: GraphName| -> Result<(), ExportError> {
        let default_graph = graph.is_default_graph();
        let solutions = select(kb, &parse("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")?, graph)?;
        let mut found: Vec<NamedNode> = Vec::new();
        for solution in solutions {
            if let Some(Term::NamedNode(p)) = solution?.get("p") {
                found.push(p.clone());
            }
        }
        found.sort();
        parts.extend(found.into_iter().map(|predicate| Part::Predicate { predicate, default_graph }));
        Ok(())
    };
    let fixed_graph: GraphNameRef<'_> = match selection {
        Selection::Graph(g) => {
            predicates(g.into_owned().into())?;
            g.into()
        }
        Selection::All { skip } => {
            predicates(GraphName::DefaultGraph)?;
            parts.extend(named_graphs(kb, skip)?.into_iter().map(Part::Graph));
            GraphNameRef::DefaultGraph
        }
    };
    let keep_graphs = format.keeps_graphs();
    let all_triples = parse(ALL_TRIPLES)?;
    let threads = threads.clamp(1, parts.len().max(1));
    let budget = (SORT_BYTES / threads).max(1 << 20);
    let next = AtomicUsize::new(0);
    // Each thread takes the next part until none is left, into its own sorter.
    let run = || -> Result<SortedWriter<'_>, ExportError> {
        let mut sorted = SortedWriter::with_chunk_bytes(format, prefixes, budget);
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            match parts.get(i) {
                None => return Ok(sorted),
                Some(Part::Graph(graph)) => {
                    let g: GraphNameRef<'_> = if keep_graphs { graph.as_ref().into() } else { GraphNameRef::DefaultGraph };
                    let solutions = select(kb, &all_triples, graph.clone().into())?;
                    each_triple(solutions, &[0, 1, 2], |s, p, o| sorted.push(QuadRef::new(s, p, o, g)))?;
                }
                Some(Part::Predicate { predicate, default_graph }) => {
                    let g = if *default_graph { GraphNameRef::DefaultGraph } else { fixed_graph };
                    read_predicate(kb, predicate.as_ref(), g, &mut sorted)?;
                }
            }
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

/// The store's named graphs but those in `skip`: IRIs in order, then blank nodes (which our stores
/// never hold, but a store made elsewhere may).
fn named_graphs(kb: &KnowledgeBase, skip: &[NamedNode]) -> Result<Vec<NamedOrBlankNode>, ExportError> {
    let mut named = Vec::new();
    let mut blank = Vec::new();
    for graph in kb.store().named_graphs() {
        match graph? {
            NamedOrBlankNode::NamedNode(n) if skip.contains(&n) => {}
            NamedOrBlankNode::NamedNode(n) => named.push(n),
            NamedOrBlankNode::BlankNode(b) => blank.push(b),
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
    named.sort();
    blank.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    Ok(named.into_iter().map(NamedOrBlankNode::from).chain(blank.into_iter().map(NamedOrBlankNode::from)).collect())
}

/// Every triple of a query's default graph, which [`select`] sets to one graph of the store: its
/// quads come straight from the store's index, and only the three projected terms are decoded.
const ALL_TRIPLES: &str = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }";

/// One of the export's own queries, parsed.
fn parse(query: &str) -> Result<PreparedSparqlQuery, ExportError> {
    Ok(SparqlEvaluator::new().parse_query(query).map_err(|e| io::Error::other(e.to_string()))?)
}

/// Runs `query` with `graph` as its default graph.
fn select<'a>(kb: &'a KnowledgeBase, query: &PreparedSparqlQuery, graph: GraphName) -> Result<QuerySolutionIter<'a>, ExportError> {
    let mut prepared = query.clone();
    prepared.dataset_mut().set_default_graph(vec![graph]);
    match prepared.on_store(kb.store()).execute()? {
        QueryResults::Solutions(solutions) => Ok(solutions),
        _ => Err(io::Error::other("not a SELECT query").into()),
    }
}

/// Reads the quads of predicate `p` in graph `graph` into `sorted` (graphs merged unless the
/// format keeps them): through a query that projects only the subject and the object, or, for an
/// IRI SPARQL cannot write, through the store's quad iterator.
fn read_predicate(kb: &KnowledgeBase, p: NamedNodeRef<'_>, graph: GraphNameRef<'_>, sorted: &mut SortedWriter<'_>) -> Result<(), ExportError> {
    let Some(iri) = sparql_iri(p.as_str()) else {
        // The store's own iterator decodes every term of every quad, but takes any IRI.
        for quad in kb.store().quads_for_pattern(None, Some(p), None, Some(graph)) {
            sorted.push(quad?.as_ref())?;
        }
        return Ok(());
    };
    let solutions = select(kb, &parse(&format!("SELECT ?s ?o WHERE {{ ?s {iri} ?o }}"))?, graph.into_owned())?;
    for solution in solutions {
        let solution = solution?;
        let values = solution.values();
        let s: NamedOrBlankNodeRef<'_> = match values.first() {
            Some(Some(Term::NamedNode(n))) => n.as_ref().into(),
            Some(Some(Term::BlankNode(b))) => b.as_ref().into(),
            _ => continue,
        };
        let Some(Some(o)) = values.get(1) else { continue };
        sorted.push(QuadRef::new(s, p, o.as_ref(), graph))?;
    }
    Ok(())
}

/// `iri` as a SPARQL IRI reference, if it can be written as one.
fn sparql_iri(iri: &str) -> Option<String> {
    let plain = iri.chars().all(|c| c > ' ' && !matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\'));
    plain.then(|| format!("<{iri}>"))
}
