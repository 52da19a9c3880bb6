//! Loading facts files into the store: validate and map on one thread while the other feeds
//! Oxigraph's bulk loader; all or nothing.

use crate::facts::input::{list_sources, InputError, TextRoot};
use crate::facts::stream::{stream, Summary};
use crate::rdf::mapping::Mapper;
use crate::rdf::ontology::Ontology;
use super::KnowledgeBase;
use std::path::{Path, PathBuf};

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

/// Reads, validates, maps and loads `paths` into `kb` (`text_file`s are read inside `text_root`), on
/// two threads: one reads, validates and maps while the other feeds Oxigraph's bulk loader. New
/// articles go in one atomic bulk load; articles already in the store are replaced afterwards, each
/// in one transaction. If any document has a problem, nothing at all is written. `progress` is
/// called from time to time with quads written.
///
/// The bulk loader's batches hold `batch_megabytes` of quads in all (Oxigraph's
/// `with_max_memory_size_in_megabytes`; `None`: Oxigraph's default, a million quads a batch). Each
/// batch becomes one more file per index to read until the store is compacted
/// ([`super::KnowledgeBase::optimize`]): smaller batches save memory at the cost of reads.
///
/// The names and aliases loaded, and the entities that bear them, are added to the store's name
/// index ([`super::names`]), which is marked inexact before the store is written.
pub fn load(
    kb: &KnowledgeBase,
    mapper: &Mapper,
    paths: &[PathBuf],
    text_root: &TextRoot,
    batch_megabytes: Option<usize>,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<Loaded, LoadError> {
    use oxigraph::model::{GraphNameRef, Quad};
    use std::sync::mpsc::sync_channel;
    let started = std::time::Instant::now();
    let store = kb.store();
    let vocabulary = mapper.vocabulary();
    let (sender, receiver) = sync_channel::<(String, Vec<Quad>)>(MAPPED_AHEAD);
    let outcome = std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut names = super::names::Gathered::default();
            let read = stream::<InputError>(paths, text_root, |_, document| {
                let mut quads = Vec::with_capacity(512);
                mapper.map_into(&document, &mut |quad| quads.push(quad.into_owned()));
                names.add_graph(vocabulary, quads.iter().map(Quad::as_ref));
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
            });
            read.map(|summary| (summary, names))
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
        let (summary, names) = producer.join().expect("the reading thread does not panic")?;
        if let Some(error) = failure {
            return Err(error);
        }
        if !summary.is_clean() {
            return Ok(Loaded {
                summary,
                load: super::LoadSummary { added: 0, replaced: 0, quads: 0, elapsed: started.elapsed() },
            });
        }
        let exact = super::names::unsettle(kb.path())?;
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
        super::names::add(kb, vocabulary, names, exact && replaced.is_empty())?;
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

/// [`load`] into the store folder `store`, opened for writing and made (with the ontology graph)
/// if it does not exist. A store this call made is removed again when nothing was written (a
/// problem in the input, or a failure before the commit), with the folders above it that it made:
/// invalid input leaves no store folder.
/// Returns the open store with what was loaded, or `None` for the store when it was removed.
pub fn load_into(
    store: &Path,
    ontology: &Ontology,
    mapper: &Mapper,
    paths: &[PathBuf],
    text_root: &TextRoot,
    batch_megabytes: Option<usize>,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Result<(Loaded, Option<KnowledgeBase>), LoadError> {
    // Unreadable paths fail before a store folder is made.
    list_sources(paths)?;
    let existed = store.exists();
    // The folders above the store that opening it makes, deepest first.
    let parents: Vec<PathBuf> = store.ancestors().skip(1).take_while(|p| !p.as_os_str().is_empty() && !p.exists()).map(Path::to_path_buf).collect();
    let kb = KnowledgeBase::open(store)?;
    // Only an empty store can be this call's own: another writer that made it first and has
    // finished left the ontology graph in it at least (and one still writing holds the lock).
    let empty = kb.is_empty()?;
    let made = !existed && empty;
    // An empty store's name index is empty, and exact: the load adds its rows, where a missing
    // index would be made by reading every graph back from the store afterwards.
    let index = if empty { super::names::NameIndex::of(&super::names::Gathered::default()).write(store) } else { Ok(()) };
    let outcome = index
        .and_then(|()| kb.install_ontology(ontology))
        .map_err(LoadError::from)
        .and_then(|_| load(&kb, mapper, paths, text_root, batch_megabytes, progress));
    let written = matches!(&outcome, Ok(loaded) if loaded.summary.is_clean());
    if made && !written {
        discard(kb);
        for parent in &parents {
            if std::fs::remove_dir(parent).is_err() {
                break;
            }
        }
        return outcome.map(|loaded| (loaded, None));
    }
    outcome.map(|loaded| (loaded, Some(kb)))
}

/// Deletes a store this process made. It is first renamed aside while its lock is still held, so
/// that no other process can open it between the unlock and the deletion.
fn discard(kb: KnowledgeBase) {
    let path = kb.path().to_path_buf();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let aside = path.with_file_name(format!(".{name}.removing-{}", std::process::id()));
    if std::fs::rename(&path, &aside).is_ok() {
        drop(kb);
        let _ = std::fs::remove_dir_all(&aside);
    }
}
