//! The embedded knowledge base: an on-disk Oxigraph store with one named graph per article, the
//! ontology in its own graph, and all-or-nothing loads.
//!
//! The entry point is [`KnowledgeBase`]. Writers ([`KnowledgeBase::open`]) and readers
//! ([`KnowledgeBase::open_read_only`]) take a lock file in the store folder first: one writer at a
//! time and no reader beside it (Oxigraph documents a read-only open beside a writer as undefined
//! behaviour), any number of readers together. The folder itself is a plain Oxigraph store.

use crate::rdf::ontology::Ontology;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, QuadRef, Term};
use oxigraph::store::{StorageError, Store};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default store folder, relative to the working directory.
pub const DEFAULT_STORE: &str = "factgraph-store";

/// The name of the lock file inside a store folder.
pub const LOCK_FILE: &str = "factgraph.lock";

/// The folder inside a store folder that holds its kept listings ([`super::listings`]): results
/// evaluated from the store, which opening the store for writing removes first, so that none
/// outlives the store it was evaluated on.
pub const LISTINGS_DIR: &str = "factgraph-listings";

/// Errors of the store layer (see [`StoreError::kind`]).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another process holds the store's lock file.
    #[error("the store {path} is in use by another process ({})", if *writing { "it is being read or written" } else { "it is being written" })]
    InUse {
        /// The store folder.
        path: PathBuf,
        /// Whether this process asked to write (then any other reader or writer is in the way).
        writing: bool,
    },
    /// Another program (an `oxigraph serve`, say) holds RocksDB's own lock on the folder.
    #[error("the store {0} is in use by another process (another program holds RocksDB's lock)")]
    Locked(PathBuf),
    /// There is no store at the path (for commands that only read).
    #[error("there is no store at {0}")]
    Missing(PathBuf),
    /// The folder holds other files, so a new store is not made there.
    #[error("cannot open the store {0}: the folder exists and is not a factgraph store; give an empty or new folder")]
    NotAStore(PathBuf),
    /// The folder could not be created or its lock file opened.
    #[error("cannot open the store {path}: {source}")]
    Io {
        /// The store folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Oxigraph reported an error.
    #[error("store error: {0}")]
    Storage(#[from] StorageError),
}

/// What kind of failure a [`StoreError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreErrorKind {
    /// Another process holds the store.
    InUse,
    /// There is no store at the path.
    NotFound,
    /// The path is not one a store can be made at.
    Invalid,
    /// Reading or writing failed.
    Failed,
}

impl StoreError {
    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            StoreError::InUse { .. } | StoreError::Locked(_) => StoreErrorKind::InUse,
            StoreError::Missing(_) => StoreErrorKind::NotFound,
            StoreError::NotAStore(_) => StoreErrorKind::Invalid,
            StoreError::Io { .. } | StoreError::Storage(_) => StoreErrorKind::Failed,
        }
    }
}

/// An open knowledge base.
pub struct KnowledgeBase {
    store: Store,
    path: PathBuf,
    _lock: File,
}

/// What a load did (see [`crate::store::load::load`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSummary {
    /// Articles loaded for the first time.
    pub added: usize,
    /// Articles that were in the store and were replaced.
    pub replaced: usize,
    /// Quads written (after de-duplication within each article).
    pub quads: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl KnowledgeBase {
    /// Opens (creating if needed) the store at `path` for writing.
    ///
    /// A new store is created beside its final name and renamed into place once RocksDB has written
    /// all its column families, so a process killed while creating it leaves no half-made store.
    pub fn open(path: &Path) -> Result<KnowledgeBase, StoreError> {
        let io = |source| StoreError::Io { path: path.to_path_buf(), source };
        if !path.join("CURRENT").exists() {
            let is_empty_dir = std::fs::read_dir(path).map(|mut d| d.next().is_none()).unwrap_or(false);
            if path.exists() && !is_empty_dir && !path.join(LOCK_FILE).exists() {
                return Err(StoreError::NotAStore(path.to_path_buf()));
            }
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
            let temporary = path.with_file_name(format!(".{name}.creating-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&temporary);
            std::fs::create_dir_all(&temporary).map_err(io)?;
            drop(Store::open(&temporary).map_err(|e| classify(path, e))?);
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            // Renaming onto a missing or empty folder is atomic; onto a non-empty one it fails,
            // which means another process made the store first: use theirs.
            if let Err(error) = std::fs::rename(&temporary, path) {
                let _ = std::fs::remove_dir_all(&temporary);
                if !path.join("CURRENT").exists() {
                    return Err(io(error));
                }
            }
        }
        let lock = lock(path, true)?;
        // A bulk load killed before its commit leaves its sorted files behind; nothing else can be
        // using them now that we hold the lock.
        remove_bulk_leftovers(path);
        match std::fs::remove_dir_all(path.join(LISTINGS_DIR)) {
            Err(source) if source.kind() != std::io::ErrorKind::NotFound => return Err(StoreError::Io { path: path.join(LISTINGS_DIR), source }),
            _ => {}
        }
        let store = Store::open(path).map_err(|e| classify(path, e))?;
        Ok(KnowledgeBase { store, path: path.to_path_buf(), _lock: lock })
    }

    /// Compacts the store (Oxigraph's `optimize`): a bulk load leaves one file per batch and index,
    /// all of which every read consults; afterwards there are few, and queries and exports read
    /// two to three times faster. The content does not change.
    pub fn optimize(&self) -> Result<(), StoreError> {
        Ok(self.store.optimize()?)
    }

    /// Removes the sorted files of a bulk load that did not commit. Oxigraph removes its own on
    /// most failures, but not a file it was writing when the disk filled. Only for a store opened
    /// for writing (whose lock says no other process is loading).
    pub fn remove_bulk_leftovers(&self) {
        remove_bulk_leftovers(&self.path);
    }

    /// Opens an existing store at `path` for writing; a missing store is an error, not a new one.
    pub fn open_existing(path: &Path) -> Result<KnowledgeBase, StoreError> {
        require_store(path)?;
        KnowledgeBase::open(path)
    }

    /// Opens an existing store at `path` for reading only.
    pub fn open_read_only(path: &Path) -> Result<KnowledgeBase, StoreError> {
        require_store(path)?;
        let lock = lock(path, false)?;
        let store = Store::open_read_only(path).map_err(|e| classify(path, e))?;
        Ok(KnowledgeBase { store, path: path.to_path_buf(), _lock: lock })
    }

    /// The underlying Oxigraph store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the ontology into its own graph, replacing what was there, unless it is already equal.
    pub fn install_ontology(&self, ontology: &Ontology) -> Result<bool, StoreError> {
        let graph = GraphNameRef::NamedNode(ontology.iri.as_ref());
        let present: Vec<Quad> = self.store.quads_for_pattern(None, None, None, Some(graph)).collect::<Result<_, _>>()?;
        let wanted: std::collections::HashSet<QuadRef<'_>> =
            ontology.triples.iter().map(|t| t.as_ref().in_graph(graph)).collect();
        if present.len() == wanted.len() && present.iter().all(|q| wanted.contains(&q.as_ref())) {
            return Ok(false);
        }
        let mut transaction = self.store.start_transaction()?;
        transaction.clear_graph(graph)?;
        transaction.extend(wanted);
        transaction.commit()?;
        Ok(true)
    }

    /// Deletes an article's graph. Returns false if the store did not hold it.
    pub fn remove(&self, graph: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        if !self.store.contains_named_graph(graph)? {
            return Ok(false);
        }
        // The name index's rows may name what goes (`optimize` makes them exact again).
        let _ = super::names::unsettle(&self.path)?;
        let mut transaction = self.store.start_transaction()?;
        transaction.remove_named_graph(graph)?;
        transaction.commit()?;
        self.store.flush()?;
        Ok(true)
    }

    /// The article graphs: named graphs whose name is typed `article_class` inside them, in IRI order.
    pub fn articles(&self, article_class: NamedNodeRef<'_>) -> Result<Vec<NamedNode>, StoreError> {
        let mut articles = Vec::new();
        for graph in self.store.named_graphs() {
            let NamedOrBlankNode::NamedNode(graph) = graph? else { continue };
            let typed = QuadRef::new(graph.as_ref(), rdf::TYPE, article_class, GraphNameRef::NamedNode(graph.as_ref()));
            if self.store.contains(typed)? {
                articles.push(graph);
            }
        }
        articles.sort();
        Ok(articles)
    }

    /// Every named graph, in IRI order.
    pub fn graphs(&self) -> Result<Vec<NamedNode>, StoreError> {
        let mut graphs: Vec<NamedNode> = self
            .store
            .named_graphs()
            .filter_map(|g| match g {
                Ok(NamedOrBlankNode::NamedNode(n)) => Some(Ok(n)),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<Result<_, _>>()?;
        graphs.sort();
        Ok(graphs)
    }

    /// Number of quads in the store.
    pub fn len(&self) -> Result<usize, StoreError> {
        Ok(self.store.len()?)
    }

    /// True if the store holds no quads.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.store.is_empty()?)
    }

    /// Bytes the store folder takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        fn size(path: &Path) -> u64 {
            std::fs::read_dir(path)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|entry| match entry.metadata() {
                            Ok(m) if m.is_dir() => size(&entry.path()),
                            Ok(m) => m.len(),
                            Err(_) => 0,
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        size(&self.path)
    }

    /// Every quad of `graph`, or of all graphs but `skip` when `graph` is `None`.
    pub fn quads(&self, graph: Option<NamedNodeRef<'_>>, skip: &[NamedNode]) -> Result<Vec<Quad>, StoreError> {
        let iter = self.store.quads_for_pattern(None, None, None, graph.map(GraphNameRef::NamedNode));
        let mut quads = Vec::new();
        for quad in iter {
            let quad = quad?;
            if let oxigraph::model::GraphName::NamedNode(g) = &quad.graph_name {
                if skip.contains(g) {
                    continue;
                }
            }
            quads.push(quad);
        }
        Ok(quads)
    }

    /// True if a term is used as the subject of any quad.
    pub fn has_subject(&self, subject: &Term) -> Result<bool, StoreError> {
        let Term::NamedNode(node) = subject else { return Ok(false) };
        Ok(self.store.quads_for_pattern(Some(node.as_ref().into()), None, None, None).next().is_some())
    }
}

fn lock(path: &Path, exclusive: bool) -> Result<File, StoreError> {
    let lock_path = path.join(LOCK_FILE);
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .or_else(|e| if exclusive { Err(e) } else { File::open(&lock_path) })
        .map_err(|source| StoreError::Io { path: path.to_path_buf(), source })?;
    let locked = if exclusive { file.try_lock() } else { file.try_lock_shared() };
    match locked {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse { path: path.to_path_buf(), writing: exclusive }),
        Err(std::fs::TryLockError::Error(source)) => Err(StoreError::Io { path: path.to_path_buf(), source }),
    }
}

/// [`StoreError::Locked`] when RocksDB's own lock is held (by an `oxigraph serve` on the same
/// folder, say). Oxigraph reports it only as an I/O error of kind `Other` whose text is RocksDB's
/// ("While lock file: …/LOCK: …", or "lock hold by current process" within one process), so the
/// text is the only sign; other errors pass through as they are.
fn classify(path: &Path, error: StorageError) -> StoreError {
    match &error {
        StorageError::Io(io) if is_rocksdb_lock(io) => StoreError::Locked(path.to_path_buf()),
        _ => StoreError::Storage(error),
    }
}

/// True for RocksDB's "the LOCK file is held" error.
fn is_rocksdb_lock(error: &std::io::Error) -> bool {
    let text = error.to_string();
    error.kind() == std::io::ErrorKind::Other && (text.contains("While lock file") || text.contains("lock hold by current process"))
}

/// The `bulk-*.sst` files in the store folder `path`, removed (see [`KnowledgeBase::remove_bulk_leftovers`]).
fn remove_bulk_leftovers(path: &Path) {
    if let Ok(entries) = std::fs::read_dir(path) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("bulk-") && name.ends_with(".sst") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Fails with [`StoreError::Missing`] unless `path` holds a store.
fn require_store(path: &Path) -> Result<(), StoreError> {
    if path.join("CURRENT").exists() {
        Ok(())
    } else {
        Err(StoreError::Missing(path.to_path_buf()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kinds_of_store_errors() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kb");
        let missing = KnowledgeBase::open_read_only(&path).err().unwrap();
        assert!(matches!(missing, StoreError::Missing(_)));
        assert_eq!(missing.kind(), StoreErrorKind::NotFound);
        assert_eq!(missing.to_string(), format!("there is no store at {}", path.display()));

        let writer = KnowledgeBase::open(&path).unwrap();
        for refused in [KnowledgeBase::open(&path), KnowledgeBase::open_read_only(&path)] {
            let error = refused.err().unwrap();
            assert!(matches!(error, StoreError::InUse { .. }), "{error}");
            assert_eq!(error.kind(), StoreErrorKind::InUse);
        }
        drop(writer);

        std::fs::write(folder.path().join("notes.txt"), "mine").unwrap();
        let error = KnowledgeBase::open(folder.path()).err().unwrap();
        assert!(matches!(error, StoreError::NotAStore(_)), "{error}");
        assert_eq!(error.kind(), StoreErrorKind::Invalid);
    }

    /// RocksDB's own lock, held here by a plain Oxigraph store on the folder, is matched as
    /// `Locked` (the factgraph lock file is free, so only RocksDB can refuse).
    #[test]
    fn rocksdb_lock_is_locked() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("kb");
        drop(KnowledgeBase::open(&path).unwrap());
        let held = Store::open(&path).unwrap();
        let error = KnowledgeBase::open(&path).err().unwrap();
        assert!(matches!(&error, StoreError::Locked(p) if p == &path), "{error:?}");
        assert_eq!(error.kind(), StoreErrorKind::InUse);
        assert!(error.to_string().ends_with("(another program holds RocksDB's lock)"), "{error}");
        drop(held);
        assert!(KnowledgeBase::open(&path).is_ok());
    }
}
