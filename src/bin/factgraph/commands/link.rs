//! `link` and `wikidata index`: the linking policy's reports, worded.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use factgraph::rdf::Context;
use factgraph::store::KnowledgeBase;
use crate::cli;
use crate::error::{AppError, Exit, Result};
use crate::output::{self, Output, Style};
use crate::plural;
use super::facts::{open_text_root, read_and_check, refuse_problems, text_root_hint};

/// Reads dump files (folders: their .json, .json.gz and .json.bz2 files) into the items of an
/// index in memory, with a progress bar in MB/s on a terminal.
pub(crate) fn build_index(paths: &[PathBuf], languages: &[String]) -> Result<(factgraph::linking::wikidata::Items, factgraph::linking::wikidata::BuildReport)> {
    let mut builder = factgraph::linking::wikidata::IndexBuilder::new(languages.to_vec());
    read_dumps(&mut builder, paths)?;
    Ok(builder.finish())
}

pub(crate) fn report_dump_problems(report: &factgraph::linking::wikidata::BuildReport) {
    for problem in report.problems.iter().take(20) {
        eprintln!("warning: {problem}");
    }
    if report.problems.len() > 20 {
        eprintln!("warning: … and {} more malformed lines", report.problems.len() - 20);
    }
}

pub(crate) fn wikidata_index(args: &cli::IndexArgs) -> Result<Exit> {
    let started = Instant::now();
    if args.keep.contains(&cli::KeepItems::All) && args.keep.len() > 1 {
        return Err(AppError::usage("--keep all keeps every item: give it alone, or types and languages"));
    }
    let keep = factgraph::linking::keep::Keep {
        types: args.keep.contains(&cli::KeepItems::Types).then(factgraph::linking::linker::type_classes),
        languages: args.keep.contains(&cli::KeepItems::Languages),
    };
    let writer = factgraph::linking::index::IndexWriter::new(&args.languages, (args.memory as usize) << 20)?.keep(keep.clone());
    let mut builder = factgraph::linking::wikidata::IndexBuilder::with_sink(args.languages.clone(), writer);
    read_dumps(&mut builder, &args.dumps)?;
    let (writer, report) = builder.into_parts();
    let mut output = Output::open(Some(&args.output))?;
    let kept = writer.finish(&mut output)?;
    report_dump_problems(&report);
    output.commit()?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "{} {} items from {} lines ({} skipped, {} malformed), {:.1} MB in {seconds:.2} s ({:.1} MB/s) into {}",
        Style::stderr().green("indexed:"),
        kept.items,
        report.lines,
        report.skipped,
        report.problems.len(),
        report.bytes as f64 / 1e6,
        report.bytes as f64 / 1e6 / seconds.max(1e-9),
        args.output.display()
    );
    if !keep.all() {
        eprintln!(
            "{} {} of {} items ({} only as classes the linker walks); dropped {} without a name in {} and {} of no type the linker accepts",
            Style::stderr().green("kept:"),
            kept.items,
            kept.items + kept.without_name + kept.not_typed,
            kept.classes,
            kept.without_name,
            args.languages.join(","),
            kept.not_typed
        );
    }
    Ok(Exit::Success)
}

/// The index named by --index, or built from --dump (default data/wikidata).
pub(crate) fn link_index(args: &cli::LinkArgs) -> Result<factgraph::linking::index::Index> {
    if let Some(path) = &args.index {
        return Ok(factgraph::linking::index::Index::open(path)?);
    }
    let dumps = if args.dump.is_empty() { vec![PathBuf::from("data/wikidata")] } else { args.dump.clone() };
    if args.dump.is_empty() && !dumps[0].is_dir() {
        return Err(AppError::usage("give --index INDEX or --dump DUMP (there is no data/wikidata folder here)"));
    }
    let (items, report) = build_index(&dumps, &args.languages)?;
    report_dump_problems(&report);
    Ok(items.index())
}

/// Links the store's entities and writes the links (or a review sheet). Returns a summary line.
pub(crate) fn link_store(
    kb: &KnowledgeBase,
    setup: &Context,
    index: &factgraph::linking::index::Index,
    settings: &factgraph::linking::links::LinkSettings,
    review: Option<&Path>,
    explain: bool,
) -> Result<String> {
    use factgraph::linking::policy::{self, LinkTarget};
    let show = |entity: &factgraph::linking::links::StoreEntity, decision: &factgraph::linking::linker::Decision| {
        if explain {
            let verdict = decision.link.as_ref().map_or("NIL".to_string(), |c| format!("{} {}", c.qid, c.label));
            eprintln!("{}  {}  ->  {verdict}: {}", entity.node.as_str(), entity.mention.names.join(" / "), decision.reason);
            for c in decision.candidates.iter().take(4) {
                eprintln!("    {} {:?} score {} = {}", c.qid, c.label, factgraph::linking::linker::points(c.points), c.features.describe());
            }
        }
    };
    let report = match review {
        Some(path) => {
            let mut output = Output::open(Some(path))?;
            let report = policy::link(kb, setup, index, settings, LinkTarget::Sheet(&mut output), show)?;
            output.commit()?;
            report
        }
        None => policy::link(kb, setup, index, settings, LinkTarget::Store, show)?,
    };
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let (linked, nil) = (report.linked, report.nil);
    if let Some(path) = review {
        return Ok(format!(
            "review sheet {} written: {linked} proposed links, {nil} NIL; the store is unchanged (apply with --accept)",
            path.display()
        ));
    }
    let kept = if report.reviewed == 0 { String::new() } else { format!(", {} kept as reviewed", report.reviewed) };
    Ok(format!(
        "{linked} linked, {nil} left unlinked (NIL), {} with the extractor's Wikidata id checked ({} problem{}){kept}",
        report.supplied,
        report.warnings.len(),
        plural(report.warnings.len())
    ))
}

pub(crate) fn link(args: &cli::LinkArgs) -> Result<Exit> {
    use factgraph::linking::{links, policy};
    let setup = Context::new(&args.base.base)?;
    let style = Style::stderr();
    if let Some(gold_path) = &args.evaluate {
        let gold = links::read_gold(gold_path)?;
        let paths = if args.paths.is_empty() { vec![PathBuf::from("data/facts")] } else { args.paths.clone() };
        let root = open_text_root(&args.text_root)?;
        let checked = read_and_check(&paths, &root)?;
        refuse_problems(&checked.problems, text_root_hint(&root, &args.text_root))?;
        let index = link_index(args)?;
        let documents: Vec<_> = checked.documents.iter().map(|(_, d)| d).collect();
        let report = policy::evaluate(&documents, &index, &gold).map_err(|e| AppError::invalid_data(e.to_string()))?;
        let evaluation = &report.evaluation;
        let mut out = io::stdout().lock();
        for (key, expected, got) in &evaluation.errors {
            writeln!(out, "error  {key}: expected {expected}, got {got} ({})", report.reason(key))?;
        }
        if args.explain {
            for d in &report.decisions {
                let got = d.link.as_ref().map_or("NIL", |c| c.qid.as_str());
                writeln!(out, "{}  {got}  {}", d.key, d.reason)?;
            }
        }
        writeln!(out, "entities        {}", evaluation.total)?;
        writeln!(out, "gold links      {}", evaluation.gold_links)?;
        writeln!(out, "gold NIL        {}", evaluation.gold_nils)?;
        writeln!(out, "correct links   {}", evaluation.correct_links)?;
        writeln!(out, "wrong links     {}", evaluation.wrong_links)?;
        writeln!(out, "missed links    {}", evaluation.missed)?;
        writeln!(out, "precision       {:.3}", evaluation.precision())?;
        writeln!(out, "recall          {:.3}", evaluation.recall())?;
        writeln!(out, "F1              {:.3}", evaluation.f1())?;
        writeln!(out, "NIL accuracy    {:.3}", evaluation.nil_accuracy())?;
        return Ok(Exit::Success);
    }
    if !args.paths.is_empty() {
        return Err(AppError::usage("FACTS paths go with --evaluate; to link facts, load them first (`factgraph load`), then run `factgraph link`"));
    }
    let kb = super::open::open_for_writing(&args.store.store)?;
    if let Some(sheet) = &args.accept {
        let accepted = policy::accept(&kb, &setup, sheet)?;
        eprintln!("{} {} reviewed links, {} entities set to NIL", style.green("accepted:"), accepted.linked, accepted.nil);
        return Ok(Exit::Success);
    }
    let index = link_index(args)?;
    let settings = factgraph::linking::links::LinkSettings { cache: args.cache, memory: args.memory << 20, ..Default::default() };
    let summary = link_store(&kb, &setup, &index, &settings, args.review.as_deref(), args.explain)?;
    eprintln!("{} {summary}", style.green("linked:"));
    Ok(Exit::Success)
}

/// Reads dump files (folders: their .json, .json.gz and .json.bz2 files) into `builder`, with a
/// progress bar in MB/s on a terminal.
fn read_dumps<S: factgraph::linking::wikidata::ItemSink>(builder: &mut factgraph::linking::wikidata::IndexBuilder<S>, paths: &[PathBuf]) -> Result<()> {
    use factgraph::linking::wikidata::{self, WikidataError};
    let files = wikidata::dump_files(paths).map_err(|e| match e {
        WikidataError::NoDumps { .. } => AppError::usage(e.to_string()),
        e => e.into(),
    })?;
    let total: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    let counter = builder.progress();
    let bar = output::byte_progress(total);
    let ticker = {
        let bar = bar.clone();
        let counter = std::sync::Arc::clone(&counter);
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&done);
        let handle = std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                bar.set_position(counter.load(std::sync::atomic::Ordering::Relaxed));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        (done, handle)
    };
    let result = files.iter().try_for_each(|file| builder.read_path(file));
    ticker.0.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = ticker.1.join();
    bar.finish_and_clear();
    Ok(result?)
}
