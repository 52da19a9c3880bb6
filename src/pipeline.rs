//! The stages strung together: read every input, validate every document, and hand each valid one
//! on as soon as it is read ([`stream`]), or keep them all ([`check`]).

use crate::input::{list_sources, InputError};
use crate::jsonpos::{Position, PositionIndex};
use crate::validate::{validate, Problem, ValidDocument};
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
/// in input order while the rest are still being read. Every problem is collected, including two
/// documents with one id (loading the second would silently replace the first). Callers that must
/// write nothing on bad input check [`Summary::is_clean`] before committing what `on_valid` built.
pub fn stream<E: From<InputError>>(
    paths: &[PathBuf],
    mut on_valid: impl FnMut(&str, ValidDocument) -> Result<(), E>,
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
            match validate(raw) {
                Ok(document) => {
                    let origin = format!("{}:{}", raw.source, raw.first_line);
                    let id = &document.facts.document.id;
                    if let Some(first) = ids.get(id) {
                        let at = PositionIndex::build(raw.text).value("$.document.id");
                        summary.problems.push(Problem {
                            source: raw.source.to_string(),
                            position: Position { line: at.line + raw.first_line - 1, column: at.column },
                            path: "$.document.id".into(),
                            message: format!("duplicate document id {}; {first} already has it", crate::schema::quoted(id)),
                        });
                        return Ok(());
                    }
                    ids.insert(id.clone(), origin.clone());
                    summary.valid += 1;
                    on_valid(&origin, document)
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

/// Reads and validates every document of `paths`, keeping the valid ones in memory.
pub fn check(paths: &[PathBuf]) -> Result<Checked, InputError> {
    let mut documents = Vec::new();
    let summary = stream::<InputError>(paths, |origin, document| {
        documents.push((origin.to_string(), document));
        Ok(())
    })?;
    Ok(Checked { documents, problems: summary.problems, sources: summary.sources, seen: summary.seen })
}

/// Errors of [`load`].
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// An input could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<oxigraph::store::StorageError> for LoadError {
    fn from(error: oxigraph::store::StorageError) -> Self {
        LoadError::Store(error.into())
    }
}

/// What [`load`] did.
#[derive(Debug)]
pub struct Loaded {
    /// What reading the inputs found; when it is not clean, nothing was written.
    pub summary: Summary,
    /// What was written (all zero when nothing was).
    pub load: crate::store::LoadSummary,
}

/// Reads, validates, maps and loads `paths` into `kb`, on two threads: one reads, validates and maps
/// while the other feeds Oxigraph's bulk loader. New articles go in one atomic bulk load; articles
/// already in the store are replaced afterwards, each in one transaction. If any document has a
/// problem, nothing at all is written. `progress` is called from time to time with quads written.
pub fn load(
    kb: &crate::store::KnowledgeBase,
    mapper: &crate::mapping::Mapper,
    paths: &[PathBuf],
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<Loaded, LoadError> {
    use oxigraph::model::{GraphNameRef, Quad};
    use std::sync::mpsc::sync_channel;
    let started = std::time::Instant::now();
    let store = kb.store();
    let (sender, receiver) = sync_channel::<(String, Vec<Quad>)>(256);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            stream::<InputError>(paths, |_, document| {
                let mut quads = Vec::with_capacity(512);
                mapper.map_into(&document, &mut |quad| quads.push(quad.into_owned()));
                // A document can state one triple twice (two mentions with one name, say).
                let keep: Vec<bool> = {
                    let mut seen = std::collections::HashSet::with_capacity(quads.len());
                    quads.iter().map(|quad| seen.insert(quad)).collect()
                };
                let mut position = 0;
                quads.retain(|_| {
                    position += 1;
                    keep[position - 1]
                });
                // A closed channel means the loader stopped on an error: keep validating anyway.
                let _ = sender.send((document.facts.document.id, quads));
                Ok(())
            })
        });
        let mut replaced: Vec<(String, Vec<Quad>)> = Vec::new();
        let mut added = 0usize;
        let mut written = 0u64;
        let mut failure: Option<LoadError> = None;
        let progress = std::sync::Arc::new(progress);
        let reporter = std::sync::Arc::clone(&progress);
        let mut loader = store.bulk_loader().on_progress(move |n| reporter(n));
        {
            let fresh = receiver.iter().filter_map(|(id, quads)| {
                let graph = mapper.base().article(&id);
                match store.contains_named_graph(graph.as_ref()) {
                    Ok(true) => {
                        replaced.push((id, quads));
                        None
                    }
                    Ok(false) => {
                        added += 1;
                        written += quads.len() as u64;
                        Some(quads)
                    }
                    Err(e) => {
                        failure.get_or_insert(e.into());
                        None
                    }
                }
            });
            if let Err(e) = loader.load_quads(fresh.flatten()) {
                failure.get_or_insert(e.into());
            }
        }
        // Drain whatever the producer still sends after a failure, so it can finish validating.
        for _ in receiver.iter() {}
        let summary = producer.join().expect("the reading thread does not panic")?;
        if let Some(error) = failure {
            return Err(error);
        }
        if !summary.is_clean() {
            return Ok(Loaded {
                summary,
                load: crate::store::LoadSummary { added: 0, replaced: 0, quads: 0, elapsed: started.elapsed() },
            });
        }
        loader.commit()?;
        for (id, quads) in &replaced {
            let graph = mapper.base().article(id);
            let mut transaction = store.start_transaction()?;
            transaction.clear_graph(GraphNameRef::NamedNode(graph.as_ref()))?;
            transaction.extend(quads.iter().map(Quad::as_ref));
            transaction.commit()?;
            written += quads.len() as u64;
            progress(written);
        }
        store.flush()?;
        Ok(Loaded {
            summary,
            load: crate::store::LoadSummary { added, replaced: replaced.len(), quads: written, elapsed: started.elapsed() },
        })
    })
}
