//! The commands on facts files: `check`, `map`, `generate` and `import`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use factgraph::facts::input::TextRoot;
use factgraph::facts::stream::{self, Checked};
use factgraph::parallel;
use factgraph::rdf::Context;
use factgraph::rdf::serialize;
use crate::cli;
use crate::error::{AppError, Exit, Result};
use crate::output::{Output, Style};
use crate::plural;

pub(crate) fn read_and_check(paths: &[PathBuf], root: &TextRoot) -> Result<Checked> {
    stream::check(paths, root).map_err(AppError::failure)
}

/// The folder `text_file`s must lie in: `--text-root`, or the current folder.
pub(crate) fn open_text_root(args: &cli::TextRootArgs) -> Result<TextRoot> {
    match &args.text_root {
        Some(dir) => TextRoot::new(dir).map_err(|e| AppError::usage(format!("--text-root: {e}"))),
        None => TextRoot::new(Path::new("./")).map_err(AppError::failure),
    }
}

/// When `text_file`s were refused for lying outside the text root: which folder that is and how
/// to widen it.
pub(crate) fn text_root_hint(root: &TextRoot, args: &cli::TextRootArgs) -> Option<String> {
    let refused = root.refused();
    let which = if args.text_root.is_some() { "given by --text-root" } else { "the current folder" };
    let them = if refused == 1 { "it" } else { "them" };
    (refused > 0).then(|| {
        format!(
            "{} {refused} text_file{} outside the text root {} ({which}); to read {them}, give --text-root DIR with a folder that holds {them}",
            Style::stderr().bold("hint:"),
            plural(refused),
            root.resolved().display(),
        )
    })
}

pub(crate) fn check(args: &cli::CheckArgs) -> Result<Exit> {
    let root = open_text_root(&args.text_root)?;
    let (checked, written) = if args.write_offsets {
        let (checked, written) = stream::check_writing_offsets(&args.paths, &root).map_err(AppError::failure)?;
        (checked, Some(written))
    } else {
        (read_and_check(&args.paths, &root)?, None)
    };
    if let Some(written) = written.filter(|_| checked.is_clean()) {
        let mut output = Output::open(args.output.as_deref())?;
        output.write_all(written.as_bytes())?;
        output.commit()?;
    }
    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    for problem in &checked.problems {
        writeln!(stdout, "{problem}")?;
    }
    if !args.quiet {
        if let Some(hint) = text_root_hint(&root, &args.text_root) {
            eprintln!("{hint}");
        }
        let style = Style::stderr();
        if checked.is_clean() {
            eprintln!(
                "{} {} document{} in {} file{}, no problems",
                style.green("ok:"),
                checked.seen,
                plural(checked.seen),
                checked.sources,
                plural(checked.sources)
            );
        } else {
            let invalid = checked.seen - checked.documents.len();
            eprintln!(
                "{} {} problem{} in {invalid} of {} document{} ({} file{})",
                style.red("invalid:"),
                checked.problems.len(),
                plural(checked.problems.len()),
                checked.seen,
                plural(checked.seen),
                checked.sources,
                plural(checked.sources)
            );
        }
    }
    Ok(if checked.is_clean() { Exit::Success } else { Exit::InvalidData })
}

pub(crate) fn map(args: &cli::MapArgs) -> Result<Exit> {
    let setup = Context::new(&args.base.base)?;
    let format = args.format.format();
    let threads = args.threads.map_or_else(parallel::default_threads, std::num::NonZeroUsize::get);
    let root = open_text_root(&args.text_root)?;
    let mut output = Output::open(args.output.output.as_deref())?;
    // Documents are validated and mapped on `threads` workers; their output is taken in input order.
    let summary = if format.is_line_based() {
        // Streamed: each document's lines are written as soon as the documents before it are. With a
        // problem anywhere, an output file is not put in place (stdout has what was streamed so far).
        let keep_graphs = format == serialize::Format::NQuads;
        let work = |document: &factgraph::facts::validate::ValidDocument, lines: &mut Vec<u8>| {
            setup.mapper.map_into(document, &mut |quad| serialize::write_line(quad, keep_graphs, lines));
        };
        stream::stream_parallel::<_, AppError>(&args.paths, &root, threads, work, |lines, new| Ok(output.write_all(&lines[new])?))?
    } else {
        // Sorted with bounded memory (see serialize::SortedWriter); the workers encode the quads.
        let mut sorted = serialize::SortedWriter::new(format, &setup.prefixes);
        let work = |document: &factgraph::facts::validate::ValidDocument, keys: &mut serialize::QuadKeys| {
            setup.mapper.map_into(document, &mut |quad| keys.push(quad, format, &setup.prefixes));
        };
        let summary = stream::stream_parallel::<_, AppError>(&args.paths, &root, threads, work, |keys, new| Ok(sorted.push_keys(keys, new)?))?;
        if summary.is_clean() {
            sorted.finish(&mut output)?;
        }
        summary
    };
    refuse_problems(&summary.problems, text_root_hint(&root, &args.text_root))?;
    output.commit()?;
    Ok(Exit::Success)
}

/// Prints every problem to stderr, and then `hint`; returns the error that ends the run if there
/// were any.
pub(crate) fn refuse_problems(problems: &[factgraph::facts::problem::Problem], hint: Option<String>) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let stderr = io::stderr();
    let mut stderr = stderr.lock();
    for problem in problems {
        let _ = writeln!(stderr, "{problem}");
    }
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "{hint}");
    }
    Err(AppError::invalid_data(format!(
        "{} problem{} in the input; nothing was written (see `factgraph check`)",
        problems.len(),
        plural(problems.len()),
    )))
}

pub(crate) fn generate(args: &cli::GenerateArgs) -> Result<Exit> {
    let generator = factgraph::facts::generate::Generator::for_articles(args.seed, args.articles);
    let mut output = Output::open(args.output.output.as_deref())?;
    for n in 0..args.articles {
        serde_json::to_writer(&mut output, &generator.document(n)).map_err(io::Error::from)?;
        output.write_all(b"\n")?;
    }
    output.commit()?;
    Ok(Exit::Success)
}

pub(crate) fn import(args: &cli::ImportArgs) -> Result<Exit> {
    use factgraph::import::{self, BratMapping, ImportError, Labels};
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| AppError::usage(format!("cannot read {}: {e}", path.display())))
    };
    let labels_text = args.labels.as_deref().map(read).transpose()?;
    let mapping_text = args.mapping.as_deref().map(read).transpose()?;
    let named = |path: &Option<PathBuf>, text: &Option<String>| -> Option<(String, String)> {
        Some((path.as_ref()?.display().to_string(), text.clone()?))
    };
    let (labels_file, mapping_file) = (named(&args.labels, &labels_text), named(&args.mapping, &mapping_text));
    let style = Style::stderr();
    let mapping_problems = |problems: Vec<import::ImportProblem>| {
        for problem in &problems {
            eprintln!("{problem}");
        }
        AppError::usage(format!("{} problem{} in the label or mapping file", problems.len(), plural(problems.len())))
    };
    let labels = Labels::new(labels_file.as_ref().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(mapping_problems)?;
    let mapping = BratMapping::new(mapping_file.as_ref().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(mapping_problems)?;
    let options = import::Options { labels, mapping, skip_invalid: args.skip_invalid };
    let format = match args.format {
        cli::ImportFormat::Spacy => import::Format::Spacy,
        cli::ImportFormat::Nif => import::Format::Nif,
        cli::ImportFormat::Brat => import::Format::Brat,
    };
    let imported = match import::import(format, &args.inputs, &options) {
        Ok(imported) => imported,
        Err(ImportError::Invalid(problems)) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            let n = problems.len();
            return Err(AppError::invalid_data(format!("{n} problem{} in the input; nothing written", plural(n))));
        }
        Err(error) => return Err(AppError::failure(error)),
    };
    let mut output = Output::open(Some(&args.output))?;
    for document in &imported.documents {
        serde_json::to_writer(&mut output, document).map_err(io::Error::from)?;
        output.write_all(b"\n")?;
    }
    output.commit()?;
    let s = &imported.summary;
    eprintln!(
        "{} {} document{} from {} file{}: {} mention{} read, {} kept as {} entit{} ({} merged, {} of them by surname; {} with a Wikidata id), {} relation{}, {} event{}",
        style.green("imported"),
        s.documents,
        plural(s.documents),
        s.files,
        plural(s.files),
        s.mentions,
        plural(s.mentions),
        s.kept,
        s.entities,
        if s.entities == 1 { "y" } else { "ies" },
        s.merged,
        s.surnames,
        s.wikidata,
        s.relations,
        plural(s.relations),
        s.events,
        plural(s.events),
    );
    if s.possessives > 0 {
        eprintln!("  trimmed {} trailing possessive{} (\"Putin’s\" → \"Putin\")", s.possessives, plural(s.possessives));
    }
    if !s.dropped.is_empty() {
        eprintln!("  left out:");
        for (reason, count) in &s.dropped {
            eprintln!("  {count:>7}  {reason}");
        }
    }
    if !s.invalid.is_empty() {
        let n = s.invalid.len();
        eprintln!("  dropped {n} mention{} whose offsets do not give their text (--skip-invalid):", plural(n));
        for invalid in &s.invalid {
            eprintln!("    {}", invalid.at);
        }
    }
    Ok(Exit::Success)
}
