//! The commands on the store: `load`, `optimize`, `remove`, `export`, `stats` and `build` (the main job).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use factgraph::facts::stream;
use factgraph::parallel;
use factgraph::rdf::Context;
use factgraph::rdf::serialize;
use factgraph::store::KnowledgeBase;
use oxigraph::model::NamedNode;
use crate::cli::{self, ResultFormatArg};
use crate::error::{AppError, Exit, Result};
use crate::output::{self, Output, Style};
use crate::{display_paths, plural};
use super::facts::{open_text_root, refuse_problems, text_root_hint};
use super::link::{build_index, link_store, report_dump_problems};
use super::open::{has_listings, note_listings_dropped, open_for_writing};
use super::query::{query_library, write_results};
use factgraph::store::query::{QueryLibrary, SavedQuery};

/// Checks, maps and loads; prints the one-line summary. Returns the open store for further steps.
pub(crate) fn load_into(
    paths: &[PathBuf],
    text_root: &cli::TextRootArgs,
    store: &Path,
    tuning: &cli::LoadTuning,
    setup: &Context,
) -> Result<(KnowledgeBase, stream::Summary)> {
    let root = open_text_root(text_root)?;
    let bar = output::quad_progress(0);
    let reporter = bar.clone();
    let progress = move |n: u64| {
        reporter.set_length(n.max(reporter.length().unwrap_or(0)));
        reporter.set_position(n);
    };
    let had_listings = has_listings(store);
    let batch = Some(tuning.batch_memory as usize);
    // Opening the store for writing drops its kept listings even when the load then fails or is
    // refused (nothing written): the note says so on those paths too.
    let dropped = || {
        if had_listings && !has_listings(store) {
            note_listings_dropped();
        }
    };
    let (loaded, kb) = factgraph::store::load::load_into(store, &setup.ontology, &setup.mapper, paths, &root, batch, progress)
        .map_err(|e| {
            dropped();
            AppError::failure(e)
        })?;
    bar.finish_and_clear();
    refuse_problems(&loaded.summary.problems, text_root_hint(&root, text_root)).inspect_err(|_| dropped())?;
    let kb = kb.expect("a clean load keeps its store");
    let summary = loaded.load;
    let seconds = summary.elapsed.as_secs_f64();
    let articles = summary.added + summary.replaced;
    eprintln!(
        "{} {articles} article{} ({} new, {} replaced), {} quads in {seconds:.2} s ({:.0} quads/s) into {}",
        Style::stderr().green("loaded:"),
        plural(articles),
        summary.added,
        summary.replaced,
        summary.quads,
        summary.quads as f64 / seconds.max(1e-9),
        store.display()
    );
    if tuning.optimize {
        optimize_store(&kb, store, setup, &query_library(None)?, true, true)?;
    } else if had_listings {
        note_listings_dropped();
    }
    Ok((kb, loaded.summary))
}

/// Compacts the store (when `compact`), writes its name index again and keeps the listings of
/// `library` (when `listings`), with progress, and says what it did and how long it took.
pub(crate) fn optimize_store(kb: &KnowledgeBase, store: &Path, setup: &Context, library: &QueryLibrary, compact: bool, listings: bool) -> Result<()> {
    let started = Instant::now();
    let mut done = Vec::new();
    if compact {
        let spinner = output::spinner("compacting the store");
        kb.optimize()?;
        spinner.finish_and_clear();
        done.push("compacted".to_string());
    }
    let spinner = output::spinner("writing the name index");
    factgraph::store::names::rebuild(kb, &setup.vocabulary)?;
    spinner.finish_and_clear();
    done.push("name index written".to_string());
    if listings {
        let (count, rows) = keep_listings(kb, library)?;
        done.push(format!("{count} listing{} kept: {rows} rows", plural(count)));
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("{} {} in {seconds:.2} s ({})", Style::stderr().green("optimized:"), store.display(), done.join("; "));
    Ok(())
}

/// Keeps the listings of `library` in the store at `kb`, with a progress bar; returns how many and
/// their rows.
fn keep_listings(kb: &KnowledgeBase, library: &QueryLibrary) -> Result<(usize, u64)> {
    use factgraph::store::listings;
    let queries: Vec<&SavedQuery> = library.iter().filter(|q| listings::is_listing(q)).collect();
    let bar = output::count_progress(queries.len() as u64, "keeping listings");
    let kept = listings::keep_all(kb, &queries, parallel::default_threads(), |kept| {
        bar.inc(1);
        bar.set_message(kept.name.clone());
    })
    .map_err(AppError::failure)?;
    bar.finish_and_clear();
    Ok((kept.len(), kept.iter().map(|k| k.rows).sum()))
}

pub(crate) fn optimize(args: &cli::OptimizeArgs) -> Result<Exit> {
    let setup = Context::new(factgraph::rdf::iri::DEFAULT_BASE)?;
    let library = query_library(args.queries.as_deref())?;
    let store = &args.store.store;
    // Without compaction nothing in the store changes: the readers' lock keeps writers out while
    // the name index and the listings are written from it, and lets `serve` go on reading.
    let had_listings = has_listings(store);
    let kb = if args.no_compact { KnowledgeBase::open_read_only(store)? } else { KnowledgeBase::open_existing(store)? };
    optimize_store(&kb, store, &setup, &library, !args.no_compact, !args.no_listings)?;
    if had_listings && !has_listings(store) {
        // Compacting opens the store for writing, which drops them; --no-listings keeps none again.
        note_listings_dropped();
    }
    Ok(Exit::Success)
}

pub(crate) fn load(args: &cli::LoadArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    load_into(&args.paths, &args.text_root, &args.store.store, &args.tuning, &setup)?;
    Ok(Exit::Success)
}

/// A document id or an article IRI, as the article's graph.
pub(crate) fn article_graph(id_or_iri: &str, setup: &Context) -> Result<NamedNode> {
    if id_or_iri.contains(':') {
        NamedNode::new(id_or_iri).map_err(|e| AppError::usage(format!("{id_or_iri:?} is not an IRI: {e}")))
    } else if factgraph::facts::validate::valid_id(id_or_iri) {
        Ok(setup.mapper.base().article(id_or_iri))
    } else {
        Err(AppError::usage(format!("{id_or_iri:?} is neither a document id nor an IRI")))
    }
}

pub(crate) fn remove(args: &cli::RemoveArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    let kb = open_for_writing(&args.store.store)?;
    let mut missing = Vec::new();
    for id in &args.ids {
        let graph = article_graph(id, &setup)?;
        if kb.remove(graph.as_ref())? {
            eprintln!("{} {}", Style::stderr().green("removed:"), graph.as_str());
        } else {
            missing.push(id.clone());
        }
    }
    if missing.is_empty() {
        Ok(Exit::Success)
    } else {
        Err(AppError::usage(format!("not in the store: {}", missing.join(", "))))
    }
}

/// Writes the store (or one graph) in `format`; returns the number of quads written.
pub(crate) fn export_to(kb: &KnowledgeBase, setup: &Context, graph: Option<&NamedNode>, with_ontology: bool, format: serialize::Format, out: &mut impl Write) -> Result<usize> {
    use factgraph::store::export::{self, ExportError, Selection};
    let skip: Vec<NamedNode> = if with_ontology || graph.is_some() { Vec::new() } else { vec![setup.ontology.iri.clone()] };
    let selection = match graph {
        Some(graph) => Selection::Graph(graph.as_ref()),
        None => Selection::All { skip: &skip },
    };
    // Read on every core; the output does not depend on the number of threads.
    let threads = parallel::default_threads();
    let written = if format.is_line_based() {
        export::write_lines(kb, selection, format, threads, out)
    } else {
        export::write_sorted(kb, selection, format, &setup.prefixes, threads, out)
    };
    match written {
        Ok((_, count)) => Ok(count),
        Err(ExportError::Io(e)) => Err(e.into()),
        Err(e) => Err(AppError::failure(e)),
    }
}

pub(crate) fn export(args: &cli::ExportArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    let kb = KnowledgeBase::open_read_only(&args.store.store)?;
    let graph = match &args.graph {
        Some(graph) => {
            let graph = article_graph(graph, &setup)?;
            if !kb.store().contains_named_graph(graph.as_ref()).map_err(AppError::failure)? {
                return Err(AppError::usage(format!("the store has no graph {}", graph.as_str())));
            }
            Some(graph)
        }
        None => None,
    };
    let mut output = Output::open(args.output.output.as_deref())?;
    export_to(&kb, &setup, graph.as_ref(), args.with_ontology, args.format.format(), &mut output)?;
    output.commit()?;
    Ok(Exit::Success)
}

pub(crate) fn stats(args: &cli::StoreArgs) -> Result<Exit> {
    let setup = Context::new(factgraph::rdf::iri::DEFAULT_BASE)?;
    let kb = KnowledgeBase::open_read_only(&args.store)?;
    let stats = factgraph::store::stats::Stats::collect(&kb, &setup.vocabulary)?;
    let mut out = io::stdout().lock();
    write!(out, "{}", stats.render(kb.path()))?;
    Ok(Exit::Success)
}

pub(crate) fn build(args: &cli::BuildArgs) -> Result<Exit> {
    let started = Instant::now();
    let style = Style::stderr();
    let setup = Context::new(&args.base.base)?;
    eprintln!("{} {}", style.bold("1. check"), display_paths(&args.paths));
    let (kb, checked) = load_into(&args.paths, &args.text_root, &args.store.store, &args.tuning, &setup)?;
    eprintln!("   {} document{} valid", checked.valid, plural(checked.valid));
    let wikidata = Path::new("data/wikidata");
    if wikidata.is_dir() {
        eprintln!("{} with the dumps in {}", style.bold("2. link"), wikidata.display());
        let (index, report) = build_index(&[wikidata.to_path_buf()], &["en".to_string()])?;
        report_dump_problems(&report);
        let outcome = link_store(&kb, &setup, &index.index(), &Default::default(), None, false)?;
        eprintln!("   {outcome}");
    } else {
        eprintln!("{} skipped: no data/wikidata folder", style.bold("2. link"));
    }
    eprintln!("{} saved query {:?}", style.bold("3. query"), args.showcase);
    let library = query_library(None)?;
    let saved = library.resolve(&args.showcase)?;
    let bindings = saved.bind(&[], setup.mapper.base())?;
    eprintln!("   {}", saved.title);
    let program = program();
    let store = if args.store.store == Path::new(factgraph::store::DEFAULT_STORE) {
        String::new()
    } else {
        format!(" --store {}", shell_word(&args.store.store.display().to_string()))
    };
    let layout = output::Layout::new(false, true, format!("{program} query {}{store} --wide", shell_word(&args.showcase)));
    let mut stdout = io::stdout().lock();
    write_results(&saved, &kb, &bindings, ResultFormatArg::Table, &layout, &setup, &mut stdout)?;
    stdout.flush()?;
    eprintln!("{} {}", style.bold("4. export"), args.export.display());
    let mut output = Output::open(Some(&args.export))?;
    let triples = export_to(&kb, &setup, None, false, serialize::Format::Turtle, &mut output)?;
    output.commit()?;
    let stats = factgraph::store::stats::Stats::collect(&kb, &setup.vocabulary)?;
    eprintln!(
        "{} {} article{}, {} entities, {} statements, {} Wikidata links; {} quads exported as Turtle; {:.2} s",
        style.green("done:"),
        stats.articles,
        plural(stats.articles),
        stats.entities(),
        stats.statements(),
        stats.links,
        triples,
        started.elapsed().as_secs_f64()
    );
    eprintln!("   next: {program} queries\n         {program} query articles{store}\n         {program} stats{store}");
    Ok(Exit::Success)
}

/// How to run this binary again from the current folder: its name when it was found on the PATH,
/// else its path (relative to the current folder when it is inside it).
pub(crate) fn program() -> String {
    let invoked = std::env::args().next().unwrap_or_else(|| "factgraph".into());
    let path = Path::new(&invoked);
    let relative = std::env::current_dir().ok().and_then(|dir| path.strip_prefix(dir).ok().map(Path::to_path_buf));
    match relative {
        Some(relative) => shell_word(&Path::new(".").join(relative).display().to_string()),
        None => shell_word(&invoked),
    }
}

/// `text` as one shell word: quoted when it holds anything but letters, digits and `/._-+=:,`.
pub(crate) fn shell_word(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,".contains(c)) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
