//! Kept listings: the whole result of each listing (a saved SELECT query with no parameter but the
//! page), evaluated once and kept in the store folder, so that a page of it, its row count and the
//! whole of it are read from a file instead of being evaluated again (docs/query-performance.md,
//! "Kept listings").
//!
//! A listing is kept in two files in the folder `factgraph-listings` of the store folder:
//! `NAME.tsv`, the result in the SPARQL 1.1 TSV results format (a file any tool reads), and
//! `NAME.json`, what it is: the query's text, its row count, the file's length, and where every
//! [`MARK_EVERY`]th row starts (so a page deep in the result is a seek and a few lines).
//!
//! Kept listings are only ever exact: opening the store for writing ([`super::KnowledgeBase::open`],
//! which `load`, `remove`, `link` and `optimize` use) removes the folder before anything is
//! written, and they are written again only from the store as it then is (`optimize`). A listing is
//! used for a query only if the query's text is the one it was kept for, the query is given no
//! bindings but its page, and its files are whole; otherwise the query runs on the store as ever.

use super::query::{split_page, Page, QueryError, SavedQuery};
use super::KnowledgeBase;
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, QueryResultsSerializer, ReaderQueryResultsParserOutput};
use oxigraph::model::Term;
use oxigraph::sparql::{QueryEvaluationError, QueryResults, QuerySolutionIter, Variable};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use super::LISTINGS_DIR;

/// Every how many rows a listing's description notes where a row starts.
pub const MARK_EVERY: u64 = 1024;

/// The version of the description's format.
const FORMAT: u32 = 1;

/// What can go wrong while keeping or reading a listing.
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// The query failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A file could not be written or read.
    #[error("kept listing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A kept result could not be read back (the file was changed after it was written).
    #[error("kept listing {path}: {message}; run `factgraph optimize` to write it again")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// What a kept listing's `NAME.json` says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Description {
    /// [`FORMAT`].
    format: u32,
    /// The query's text, as the library holds it.
    query: String,
    /// The result's rows.
    rows: u64,
    /// The TSV file's length in bytes.
    bytes: u64,
    /// The length of the TSV file's header line, its line end included.
    header: u64,
    /// Every how many rows a start is noted ([`MARK_EVERY`]).
    every: u64,
    /// Where rows 0, `every`, 2 × `every`, … start in the TSV file.
    marks: Vec<u64>,
}

/// A kept listing of a store, checked and ready to read.
#[derive(Debug)]
pub struct Listing {
    tsv: PathBuf,
    description: Description,
}

/// Whether `query` is a listing: a query with no parameter but the page (`limit`, `offset`).
pub fn is_listing(query: &SavedQuery) -> bool {
    query.params.iter().all(|param| param.name == "limit" || param.name == "offset") && !query.ad_hoc
}

/// A listing kept by [`keep`]: its query's name, rows and bytes, and how long it took.
#[derive(Debug, Clone)]
pub struct Kept {
    /// The query's name.
    pub name: String,
    /// Its result's rows.
    pub rows: u64,
    /// The TSV file's length.
    pub bytes: u64,
    /// The evaluation and writing.
    pub elapsed: std::time::Duration,
}

/// Evaluates each listing among `queries` on the store at `kb` and keeps its whole result, on
/// `threads` threads (one listing a thread at a time), calling `done` as each is kept. Queries that
/// are not listings, or whose result is not a table of solutions, are left out.
pub fn keep_all(
    kb: &KnowledgeBase,
    queries: &[&SavedQuery],
    threads: usize,
    done: impl Fn(&Kept) + Sync,
) -> Result<Vec<Kept>, ListingError> {
    let listings: Vec<&SavedQuery> = queries.iter().copied().filter(|q| is_listing(q)).collect();
    let next = AtomicUsize::new(0);
    let kept = Mutex::new(Vec::new());
    let failed = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, listings.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(query) = listings.get(i) else { break };
                if failed.lock().map_or(true, |f| f.is_some()) {
                    break;
                }
                match keep(kb, query) {
                    Ok(Some(listing)) => {
                        done(&listing);
                        kept.lock().expect("no thread panics holding it").push(listing);
                    }
                    Ok(None) => {}
                    Err(error) => {
                        *failed.lock().expect("no thread panics holding it") = Some(error);
                        break;
                    }
                }
            });
        }
    });
    if let Some(error) = failed.into_inner().expect("no thread panicked holding it") {
        return Err(error);
    }
    let mut kept = kept.into_inner().expect("no thread panicked holding it");
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(kept)
}

/// Evaluates `query` (a listing) on the store at `kb` and keeps its whole result; `None` if its
/// result is not a table of solutions.
pub fn keep(kb: &KnowledgeBase, query: &SavedQuery) -> Result<Option<Kept>, ListingError> {
    keep_marked(kb, query, MARK_EVERY)
}

/// [`keep`], noting where every `every`th row starts.
fn keep_marked(kb: &KnowledgeBase, query: &SavedQuery, every: u64) -> Result<Option<Kept>, ListingError> {
    let every = every.max(1);
    let started = std::time::Instant::now();
    let dir = kb.path().join(LISTINGS_DIR);
    std::fs::create_dir_all(&dir).map_err(|source| ListingError::Io { path: dir.clone(), source })?;
    let (tsv, json) = files(kb.path(), &query.name);
    let QueryResults::Solutions(solutions) = query.for_store(kb, &[]).execute(kb.store(), &[])? else {
        return Ok(None);
    };
    let temporary = dir.join(format!(".{}.tsv.{}", query.name, std::process::id()));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ListingError::Io { path, source }
    };
    let written = (|| {
        let file = std::fs::File::create(&temporary).map_err(io(&temporary))?;
        let written = std::rc::Rc::new(std::cell::Cell::new(0));
        let out = Counting { inner: io::BufWriter::with_capacity(1 << 20, file), bytes: written.clone() };
        let variables = solutions.variables().to_vec();
        let mut serializer =
            QueryResultsSerializer::from_format(QueryResultsFormat::Tsv).serialize_solutions_to_writer(out, variables).map_err(io(&temporary))?;
        // The serializer writes the header line as it starts, and each row as it is given.
        let header = written.get();
        let mut marks = Vec::new();
        let mut rows = 0u64;
        for solution in solutions {
            let solution = solution.map_err(|source| query.failed(source))?;
            if rows % every == 0 {
                marks.push(written.get());
            }
            serializer.serialize(&solution).map_err(io(&temporary))?;
            rows += 1;
        }
        let out = serializer.finish().map_err(io(&temporary))?;
        let bytes = written.get();
        out.inner.into_inner().map_err(|e| e.into_error()).and_then(|file| file.sync_all()).map_err(io(&temporary))?;
        Ok::<_, ListingError>(Description { format: FORMAT, query: query.text.clone(), rows, bytes, header, every, marks })
    })();
    let description = match written {
        Ok(description) => description,
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            return Err(error);
        }
    };
    std::fs::rename(&temporary, &tsv).map_err(io(&tsv))?;
    let text = serde_json::to_vec(&description).expect("a description serializes");
    let temporary = dir.join(format!(".{}.json.{}", query.name, std::process::id()));
    std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, &json)).map_err(io(&json))?;
    Ok(Some(Kept { name: query.name.clone(), rows: description.rows, bytes: description.bytes, elapsed: started.elapsed() }))
}

/// A writer that counts the bytes written through it, where its owner can read them.
struct Counting<W> {
    inner: W,
    bytes: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The TSV file and the description of the listing `name` in the store folder `store`.
fn files(store: &Path, name: &str) -> (PathBuf, PathBuf) {
    let dir = store.join(LISTINGS_DIR);
    (dir.join(format!("{name}.tsv")), dir.join(format!("{name}.json")))
}

impl Listing {
    /// The kept listing that answers `query` given `bindings` on the store folder `store`: `None`
    /// when the query is given bindings other than its page, or the store keeps no listing of
    /// this query's text, or the kept files are not whole.
    pub fn open(store: &Path, query: &SavedQuery, bindings: &[(Variable, Term)]) -> Option<(Listing, Page)> {
        let (page, rest) = split_page(&query.text, bindings);
        if !rest.is_empty() || !is_listing(query) {
            return None;
        }
        let (tsv, json) = files(store, &query.name);
        let description: Description = serde_json::from_slice(&std::fs::read(json).ok()?).ok()?;
        let whole = description.format == FORMAT
            && description.query == query.text
            && std::fs::metadata(&tsv).ok()?.len() == description.bytes
            && description.every > 0
            && description.marks.len() as u64 == description.rows.div_ceil(description.every)
            && description.marks.windows(2).all(|w| w[0] < w[1])
            && description.marks.last().is_none_or(|&last| description.header <= description.marks[0] && last < description.bytes);
        whole.then_some((Listing { tsv, description }, page))
    }

    /// The rows of the whole result.
    pub fn rows(&self) -> u64 {
        self.description.rows
    }

    /// The TSV file.
    pub fn path(&self) -> &Path {
        &self.tsv
    }

    /// Where row `row` starts in the TSV file (the file's length for the row after the last).
    fn start_of(&self, file: &mut std::fs::File, row: u64) -> Result<u64, ListingError> {
        let io = |source| ListingError::Io { path: self.tsv.clone(), source };
        let description = &self.description;
        if row >= description.rows {
            return Ok(description.bytes);
        }
        let mark = row / description.every;
        let mut at = description.marks[mark as usize];
        file.seek(SeekFrom::Start(at)).map_err(io)?;
        let mut lines = BufReader::with_capacity(1 << 16, file);
        let mut line = Vec::new();
        for _ in mark * description.every..row {
            line.clear();
            match lines.read_until(b'\n', &mut line).map_err(io)? {
                0 => return Err(ListingError::Damaged { path: self.tsv.clone(), message: "it has fewer rows than its description says".into() }),
                n => at += n as u64,
            }
        }
        Ok(at)
    }

    /// The TSV results of the rows `page` asks for: the file's header line, then the page's lines,
    /// as the TSV serializer wrote them.
    pub fn tsv(&self, page: Page) -> Result<impl Read + use<>, ListingError> {
        let io = |source| ListingError::Io { path: self.tsv.clone(), source };
        let mut file = std::fs::File::open(&self.tsv).map_err(io)?;
        let first = page.offset.min(self.description.rows);
        let last = page.limit.map_or(self.description.rows, |limit| first.saturating_add(limit));
        let end = self.start_of(&mut file, last)?;
        let start = self.start_of(&mut file, first)?;
        let mut header = vec![0; self.description.header as usize];
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.read_exact(&mut header).map_err(io)?;
        file.seek(SeekFrom::Start(start)).map_err(io)?;
        Ok(io::Cursor::new(header).chain(file.take(end - start)))
    }

    /// The rows `page` asks for, as solutions.
    pub fn solutions(&self, page: Page) -> Result<QuerySolutionIter<'static>, ListingError> {
        let reader = BufReader::with_capacity(1 << 16, self.tsv(page)?);
        let path = self.tsv.clone();
        let damaged = move |message: String| ListingError::Damaged { path: path.clone(), message };
        let parsed = QueryResultsParser::from_format(QueryResultsFormat::Tsv).for_reader(reader).map_err(|e| damaged(e.to_string()))?;
        let ReaderQueryResultsParserOutput::Solutions(solutions) = parsed else {
            return Err(damaged("it is not a table of solutions".into()));
        };
        let variables: std::sync::Arc<[Variable]> = solutions.variables().into();
        let rows = solutions.map(move |solution| solution.map_err(|e| QueryEvaluationError::Dataset(Box::new(damaged(e.to_string())))));
        Ok(QuerySolutionIter::new(variables, rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Literal, NamedNode, Quad};

    const QUERY: &str = "# title: Things\n# description: Every thing and its note, some with a tab or a line end.\n\
        # param: limit integer = 100 | Rows.\n# param: offset integer = 0 | Skipped.\n\
        SELECT ?thing ?note WHERE { ?thing <http://example.org/note> ?note } ORDER BY ?thing ?note\n";

    /// A store of `n` things with a note each (notes with tabs, line ends, languages, numbers).
    fn store(n: usize) -> (tempfile::TempDir, KnowledgeBase) {
        let dir = tempfile::tempdir().unwrap();
        let kb = KnowledgeBase::open(&dir.path().join("store")).unwrap();
        let note = NamedNode::new("http://example.org/note").unwrap();
        for i in 0..n {
            let thing = NamedNode::new(format!("http://example.org/thing/{i:03}")).unwrap();
            let value = match i % 4 {
                0 => Literal::new_simple_literal(format!("a\tnote\nof {i}")),
                1 => Literal::new_language_tagged_literal(format!("note {i}"), "en").unwrap(),
                2 => Literal::from(i as i64),
                _ => Literal::new_typed_literal(format!("0{i}"), oxigraph::model::vocab::xsd::INTEGER),
            };
            kb.store().insert(&Quad::new(thing, note.clone(), value, GraphName::DefaultGraph)).unwrap();
        }
        (dir, kb)
    }

    fn page(limit: Option<u64>, offset: u64) -> Page {
        Page { limit, offset }
    }

    fn live_tsv(kb: &KnowledgeBase, query: &SavedQuery, page: Page) -> Vec<u8> {
        let QueryResults::Solutions(solutions) = query.execute(kb.store(), &[]).unwrap() else { panic!() };
        let mut out = Vec::new();
        let mut serializer = QueryResultsSerializer::from_format(QueryResultsFormat::Tsv)
            .serialize_solutions_to_writer(&mut out, solutions.variables().to_vec())
            .unwrap();
        for solution in solutions.skip(page.offset as usize).take(page.limit.unwrap_or(u64::MAX) as usize) {
            serializer.serialize(&solution.unwrap()).unwrap();
        }
        serializer.finish().unwrap();
        out
    }

    /// Every page, at every offset, read from the kept file (as TSV and as solutions written
    /// again), is the page of the query evaluated on the store.
    #[test]
    fn every_page_is_the_live_page() {
        let (_dir, kb) = store(23);
        let query = SavedQuery::parse("things", "things.rq", QUERY).unwrap();
        let kept = keep_marked(&kb, &query, 4).unwrap().unwrap();
        assert_eq!((kept.name.as_str(), kept.rows), ("things", 23));
        let (listing, whole) = Listing::open(kb.path(), &query, &[]).unwrap();
        assert!(whole.is_whole());
        assert_eq!(listing.rows(), 23);
        for limit in [None, Some(0), Some(1), Some(3), Some(4), Some(5), Some(30)] {
            for offset in 0..26 {
                let page = page(limit, offset);
                let expected = live_tsv(&kb, &query, page);
                let mut tsv = Vec::new();
                listing.tsv(page).unwrap().read_to_end(&mut tsv).unwrap();
                assert_eq!(String::from_utf8_lossy(&tsv), String::from_utf8_lossy(&expected), "{page:?}");
                let solutions = listing.solutions(page).unwrap();
                let mut again = Vec::new();
                let mut serializer = QueryResultsSerializer::from_format(QueryResultsFormat::Tsv)
                    .serialize_solutions_to_writer(&mut again, solutions.variables().to_vec())
                    .unwrap();
                for solution in solutions {
                    serializer.serialize(&solution.unwrap()).unwrap();
                }
                serializer.finish().unwrap();
                assert_eq!(again, expected, "{page:?}");
            }
        }
    }

    /// A listing answers only its own query's text without other bindings, only while its files
    /// are whole, and not after the store is opened for writing.
    #[test]
    fn used_only_when_it_is_exact() {
        let (dir, kb) = store(5);
        let query = SavedQuery::parse("things", "things.rq", QUERY).unwrap();
        keep(&kb, &query).unwrap().unwrap();
        let limit = (Variable::new("limit").unwrap(), Term::from(Literal::from(2)));
        let (_, page) = Listing::open(kb.path(), &query, std::slice::from_ref(&limit)).unwrap();
        assert_eq!(page.limit, Some(2));
        let other = SavedQuery::parse("things", "things.rq", &QUERY.replace("?note }", "?note . }")).unwrap();
        assert!(Listing::open(kb.path(), &other, &[]).is_none(), "another text");
        let bound = (Variable::new("thing").unwrap(), Term::from(NamedNode::new("http://example.org/thing/001").unwrap()));
        assert!(Listing::open(kb.path(), &query, &[bound]).is_none(), "a binding");
        let with_param = SavedQuery::parse("things", "things.rq", &QUERY.replace("# param: limit", "# param: thing iri = <http://example.org/thing/001> | A thing.\n# param: limit")).unwrap();
        assert!(!is_listing(&with_param));

        let (tsv, json) = files(kb.path(), "things");
        let text = std::fs::read(&tsv).unwrap();
        std::fs::write(&tsv, &text[..text.len() - 1]).unwrap();
        assert!(Listing::open(kb.path(), &query, &[]).is_none(), "a shortened file");
        std::fs::write(&tsv, &text).unwrap();
        assert!(Listing::open(kb.path(), &query, &[]).is_some());
        std::fs::write(&json, b"{").unwrap();
        assert!(Listing::open(kb.path(), &query, &[]).is_none(), "a broken description");
        keep(&kb, &query).unwrap().unwrap();

        let path = kb.path().to_path_buf();
        drop(kb);
        assert!(Listing::open(&path, &query, &[]).is_some());
        let kb = KnowledgeBase::open(&path).unwrap();
        assert!(!dir.path().join("store").join(LISTINGS_DIR).exists(), "opening for writing forgets the listings");
        assert!(Listing::open(kb.path(), &query, &[]).is_none());
    }

    /// Keeping several listings on two threads keeps each, in name order, and leaves out queries
    /// with parameters and results that are not tables.
    #[test]
    fn keep_all_keeps_the_listings() {
        let (_dir, kb) = store(7);
        let things = SavedQuery::parse("things", "things.rq", QUERY).unwrap();
        let count = SavedQuery::parse("count", "count.rq", "# title: Count\n# description: How many.\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n").unwrap();
        let ask = SavedQuery::parse("any", "any.rq", "# title: Any\n# description: Is there any.\nASK { ?s ?p ?o }\n").unwrap();
        let one = SavedQuery::parse("one", "one.rq", "# title: One\n# description: One.\n# param: s iri = <http://example.org/thing/001> | A thing.\nSELECT ?s ?o WHERE { ?s ?p ?o }\n").unwrap();
        let seen = Mutex::new(Vec::new());
        let kept = keep_all(&kb, &[&things, &count, &ask, &one], 2, |k| seen.lock().unwrap().push(k.name.clone())).unwrap();
        let names: Vec<_> = kept.iter().map(|k| (k.name.as_str(), k.rows)).collect();
        assert_eq!(names, [("count", 1), ("things", 7)]);
        seen.lock().unwrap().sort();
        assert_eq!(*seen.lock().unwrap(), ["count", "things"]);
        assert!(Listing::open(kb.path(), &ask, &[]).is_none());
    }
}
