//! Many facts files at once: read every input, validate every document, and hand each valid one
//! on as soon as it is read ([`stream`]), on several threads in input order ([`stream_parallel`]),
//! or keep them all ([`check`]). Duplicate document ids across inputs are caught here.

use super::input::{list_sources, InputError, RawDocument, Source, TextRoot};
use super::problem::{Position, Problem};
use super::jsonpos::PositionIndex;
use super::locate;
use super::validate::{validate, ValidDocument};
use crate::parallel::{BatchOutput, Feed};
use std::collections::HashMap;
use std::path::PathBuf;
/// What reading a set of inputs found.
#[derive(Debug, Default)]
pub struct Summary {
    /// Every problem, in input order.
    pub problems: Vec<Problem>,
    /// Number of files (or stdin) read.
    pub sources: usize,
    /// Number of documents seen, valid or not.
    pub seen: usize,
    /// Number of valid documents.
    pub valid: usize,
}

impl Summary {
    /// True when no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Validates every document of `paths` (files, folders, `-`), calling `on_valid` with each valid one
/// in input order while the rest are still being read; `text_file`s are read inside `text_root`. Every problem is collected, including two
/// documents with one id (loading the second would silently replace the first). Callers that must
/// write nothing on bad input check [`Summary::is_clean`] before committing what `on_valid` built.
pub fn stream<E: From<InputError>>(
    paths: &[PathBuf],
    text_root: &TextRoot,
    mut on_valid: impl FnMut(&str, ValidDocument) -> Result<(), E>,
) -> Result<Summary, E> {
    stream_raw(paths, text_root, |origin, _, document| on_valid(origin, document))
}

/// [`stream`], handing `on_valid` each valid document's JSON text too.
fn stream_raw<E: From<InputError>>(
    paths: &[PathBuf],
    text_root: &TextRoot,
    mut on_valid: impl FnMut(&str, &str, ValidDocument) -> Result<(), E>,
) -> Result<Summary, E> {
    let sources = list_sources(paths)?;
    let mut summary = Summary { sources: sources.len(), ..Summary::default() };
    let mut ids: HashMap<String, String> = HashMap::new();
    for source in &sources {
        source.for_each_document(|raw| {
            let raw = match raw {
                Ok(raw) => raw,
                Err(problem) => {
                    summary.seen += 1;
                    summary.problems.push(problem);
                    return Ok(());
                }
            };
            summary.seen += 1;
            match validate(raw, |file| text_root.read(&source.dir, file)) {
                Ok(document) => {
                    let origin = format!("{}:{}", raw.source, raw.first_line);
                    let id = &document.facts.document.id;
                    if let Some(first) = ids.get(id) {
                        summary.problems.push(duplicate(raw.source, raw.first_line, raw.text, id, first));
                        return Ok(());
                    }
                    ids.insert(id.clone(), origin.clone());
                    summary.valid += 1;
                    on_valid(&origin, raw.text, document)
                }
                Err(problems) => {
                    summary.problems.extend(problems);
                    Ok(())
                }
            }
        })?;
    }
    Ok(summary)
}

/// Documents the reader hands to one worker at a time: up to this many bytes of JSON text...
const BATCH_BYTES: usize = 256 << 10;
/// ...or this many documents.
const BATCH_DOCUMENTS: usize = 64;

/// A batch of documents on its way through [`stream_parallel`]: the reader fills `text` and
/// `items`, a worker turns the items into `outcomes` and `output`, the collector takes them in
/// input order and empties the batch for reuse.
#[derive(Default)]
struct Batch<O> {
    /// The documents' texts end to end (kept for duplicate ids' positions).
    text: String,
    items: Vec<Item>,
    /// An outcome per item.
    outcomes: Vec<Outcome>,
    /// The output of the valid documents, one after the other.
    output: O,
}

/// One document of a batch (its text is `text[start..end]`), or the problem that makes it unreadable.
enum Item {
    Raw { source: usize, first_line: u64, start: usize, end: usize },
    Unreadable(Problem),
}

/// What a worker found for one item.
enum Outcome {
    /// A valid document: its id, where it is, and where its part of the output lies.
    Valid { source: usize, first_line: u64, id: String, text: std::ops::Range<usize>, output: std::ops::Range<usize> },
    /// Every problem of an invalid (or unreadable) document.
    Invalid(Vec<Problem>),
}

/// Why the reader stopped early.
enum ReadStop {
    Input(InputError),
    /// The collector has gone (its sink failed): nothing more is wanted.
    Closed,
}

impl From<InputError> for ReadStop {
    fn from(error: InputError) -> Self {
        ReadStop::Input(error)
    }
}

/// Like [`stream`], on `threads` worker threads: documents are read on one thread, validated on the
/// workers and handed to `work`, which appends what it makes of each to its batch's output; `sink`
/// receives, on the calling thread and in input order, each output with the range that the new
/// documents' parts take in it (several documents at a time). The result is the same for any
/// number of threads. Duplicate document ids are caught in input order, as [`stream`] does; a
/// duplicate's part is left out. Memory stays flat ([`crate::parallel::ordered`]: the reader waits
/// while the workers' queues are full, and batches are reused). With `threads` <= 1, everything
/// runs on the calling thread.
pub fn stream_parallel<O, E>(
    paths: &[PathBuf],
    text_root: &TextRoot,
    threads: usize,
    work: impl Fn(&ValidDocument, &mut O) + Sync,
    mut sink: impl FnMut(&mut O, std::ops::Range<usize>) -> Result<(), E>,
) -> Result<Summary, E>
where
    O: BatchOutput,
    E: From<InputError>,
{
    let sources = list_sources(paths)?;
    let sources = &sources;
    let mut summary = Summary { sources: sources.len(), ..Summary::default() };
    let mut ids: HashMap<String, String> = HashMap::new();
    let read = crate::parallel::ordered(
        threads,
        |feed| read_batches(sources, feed),
        |batch| validate_batch(sources, text_root, batch, &work),
        |batch| collect(sources, batch, &mut ids, &mut summary, &mut sink),
    )?;
    match read {
        Ok(()) | Err(ReadStop::Closed) => Ok(summary),
        Err(ReadStop::Input(error)) => Err(error.into()),
    }
}

/// Reads every source, sending batches of documents on in turn.
fn read_batches<O: BatchOutput>(sources: &[Source], feed: &mut Feed<'_, Batch<O>>) -> Result<(), ReadStop> {
    let mut batch = feed.job();
    for (index, source) in sources.iter().enumerate() {
        source.for_each_document(|raw| {
            if batch.text.capacity() == 0 {
                batch.text.reserve(BATCH_BYTES + (64 << 10));
                batch.items.reserve(BATCH_DOCUMENTS);
            }
            match raw {
                Ok(raw) => {
                    let start = batch.text.len();
                    batch.text.push_str(raw.text);
                    batch.items.push(Item::Raw { source: index, first_line: raw.first_line, start, end: batch.text.len() });
                }
                Err(problem) => batch.items.push(Item::Unreadable(problem)),
            }
            if batch.text.len() >= BATCH_BYTES || batch.items.len() >= BATCH_DOCUMENTS {
                feed.send(std::mem::take(&mut batch)).map_err(|_| ReadStop::Closed)?;
                batch = feed.job();
            }
            Ok::<(), ReadStop>(())
        })?;
    }
    if !batch.items.is_empty() {
        feed.send(batch).map_err(|_| ReadStop::Closed)?;
    }
    Ok(())
}

/// Validates a batch's documents on a worker and runs `work` on each valid one.
fn validate_batch<O: BatchOutput>(sources: &[Source], text_root: &TextRoot, batch: &mut Batch<O>, work: &impl Fn(&ValidDocument, &mut O)) {
    let Batch { text, items, outcomes, output } = batch;
    for item in items.drain(..) {
        let outcome = match item {
            Item::Unreadable(problem) => Outcome::Invalid(vec![problem]),
            Item::Raw { source, first_line, start, end } => {
                let raw = RawDocument { source: &sources[source].name, first_line, text: &text[start..end] };
                match validate(raw, |file| text_root.read(&sources[source].dir, file)) {
                    Ok(document) => {
                        let from = output.len();
                        work(&document, output);
                        let id = document.facts.document.id;
                        Outcome::Valid { source, first_line, id, text: start..end, output: from..output.len() }
                    }
                    Err(problems) => Outcome::Invalid(problems),
                }
            }
        };
        outcomes.push(outcome);
    }
}

/// Takes a worked batch (in input order), catches duplicate ids and hands the new documents'
/// output to `sink`, then empties the batch for reuse.
fn collect<O: BatchOutput, E>(
    sources: &[Source],
    batch: &mut Batch<O>,
    ids: &mut HashMap<String, String>,
    summary: &mut Summary,
    sink: &mut impl FnMut(&mut O, std::ops::Range<usize>) -> Result<(), E>,
) -> Result<(), E> {
    // The parts of consecutive new documents, handed to `sink` together.
    let mut run: Option<std::ops::Range<usize>> = None;
    for outcome in batch.outcomes.drain(..) {
        summary.seen += 1;
        match outcome {
            Outcome::Invalid(problems) => summary.problems.extend(problems),
            Outcome::Valid { source, first_line, id, text: at, output: part } => {
                let name = &sources[source].name;
                if let Some(first) = ids.get(&id) {
                    summary.problems.push(duplicate(name, first_line, &batch.text[at], &id, first));
                    if let Some(run) = run.take() {
                        sink(&mut batch.output, run)?;
                    }
                    continue;
                }
                ids.insert(id, format!("{name}:{first_line}"));
                summary.valid += 1;
                run = Some(match run {
                    Some(run) => run.start..part.end,
                    None => part,
                });
            }
        }
    }
    if let Some(run) = run {
        sink(&mut batch.output, run)?;
    }
    batch.output.clear();
    batch.text.clear();
    Ok(())
}

/// The problem of a document whose id an earlier one (at `first`) already has.
fn duplicate(source: &str, first_line: u64, text: &str, id: &str, first: &str) -> Problem {
    let at = PositionIndex::build(text).value("$.document.id");
    Problem {
        source: source.to_string(),
        position: Position { line: at.line + first_line - 1, column: at.column },
        path: "$.document.id".into(),
        message: format!("duplicate document id {}; {first} already has it", super::schema::quoted(id)),
    }
}

/// What [`check`] found: the valid documents and every problem.
#[derive(Debug, Default)]
pub struct Checked {
    /// Valid documents in input order, each with `source:line` of where it starts.
    pub documents: Vec<(String, ValidDocument)>,
    /// Every problem, in input order.
    pub problems: Vec<Problem>,
    /// Number of files (or stdin) read.
    pub sources: usize,
    /// Number of documents seen, valid or not.
    pub seen: usize,
}

impl Checked {
    /// True when no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads and validates every document of `paths`, keeping the valid ones in memory; `text_file`s
/// are read inside `text_root`.
pub fn check(paths: &[PathBuf], text_root: &TextRoot) -> Result<Checked, InputError> {
    let mut documents = Vec::new();
    let summary = stream::<InputError>(paths, text_root, |origin, document| {
        documents.push((origin.to_string(), document));
        Ok(())
    })?;
    Ok(Checked { documents, problems: summary.problems, sources: summary.sources, seen: summary.seen })
}

/// [`check`], also writing the valid documents back, each as it was written (one per line for
/// JSON Lines) with every evidence span's offsets filled in ([`locate::write_offsets`]).
pub fn check_writing_offsets(paths: &[PathBuf], text_root: &TextRoot) -> Result<(Checked, String), InputError> {
    let mut documents = Vec::new();
    let mut written = String::new();
    let summary = stream_raw::<InputError>(paths, text_root, |origin, json, document| {
        // The text parsed as a document before it validated.
        written.push_str(&locate::write_offsets(json, &document.facts).unwrap_or_else(|_| json.to_string()));
        if !written.ends_with('\n') {
            written.push('\n');
        }
        documents.push((origin.to_string(), document));
        Ok(())
    })?;
    Ok((Checked { documents, problems: summary.problems, sources: summary.sources, seen: summary.seen }, written))
}

