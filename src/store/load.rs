//! Loading facts files into the store: validate and map on one thread while the other feeds
//! Oxigraph's bulk loader; all or nothing.

use crate::facts::input::InputError;
use crate::facts::stream::{stream, Summary};
use std::path::PathBuf;

/// Errors of [`load`].
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// An input could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] super::StoreError),
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
    pub load: super::LoadSummary,
}

/// Documents mapped ahead of the loader. Mapping is some twenty times faster than loading, so
/// a short queue keeps the loader fed.
const MAPPED_AHEAD: usize = 32;

/// Reads, validates, maps and loads `paths` into `kb`, on two threads: one reads, validates and maps
/// while the other feeds Oxigraph's bulk loader. New articles go in one atomic bulk load; articles
/// already in the store are replaced afterwards, each in one transaction. If any document has a
/// problem, nothing at all is written. `progress` is called from time to time with quads written.
///
/// The bulk loader's batches hold `batch_megabytes` of quads in all (Oxigraph's
/// `with_max_memory_size_in_megabytes`; `None`: Oxigraph's default, a million quads a batch). Each
/// batch becomes one more file per index to read until the store is compacted
/// ([`super::KnowledgeBase::optimize`]): smaller batches save memory at the cost of reads.
pub fn load(
    kb: &super::KnowledgeBase,
    mapper: &crate::rdf::mapping::Mapper,
    paths: &[PathBuf],
    batch_megabytes: Option<usize>,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<Loaded, LoadError> {
    use oxigraph::model::{GraphNameRef, Quad};
    use std::sync::mpsc::sync_channel;
    let started = std::time::Instant::now();
    let store = kb.store();
    let (sender, receiver) = sync_channel::<(String, Vec<Quad>)>(MAPPED_AHEAD);
    let outcome = std::thread::scope(|scope| {
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
        if let Some(megabytes) = batch_megabytes {
            loader = loader.with_max_memory_size_in_megabytes(megabytes);
        }
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
                load: super::LoadSummary { added: 0, replaced: 0, quads: 0, elapsed: started.elapsed() },
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
            load: super::LoadSummary { added, replaced: replaced.len(), quads: written, elapsed: started.elapsed() },
        })
    });
    // The bulk loader is gone by now; whatever it wrote and did not commit is of no use.
    if !matches!(&outcome, Ok(loaded) if loaded.summary.is_clean()) {
        kb.remove_bulk_leftovers();
    }
    outcome
}
