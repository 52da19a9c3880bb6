//! Sorting quads in the pretty formats' order with bounded memory.
//!
//! Each quad becomes one *key*: a byte string whose byte order is exactly
//! [`crate::rdf::serialize::compare_quads`]' order, and which holds everything needed to rebuild the
//! quad, so a sorted run is just its keys and de-duplication is comparing neighbours. Keys collect in
//! an in-memory chunk; a full chunk is sorted and, when more than one chunk is needed, written to a
//! temporary file (a *run*). [`Sorted`] merges the runs and hands out each distinct quad once, in
//! order. Memory is the chunk budget, whatever the number of quads.
//!
//! The key layout, in order: the graph (tag `0` default, `1` IRI, `2` blank node), the subject
//! (`1` IRI, `2` blank node), the predicate's rank (`0` `rdf:type`, `1` `rdfs:label`, `2` any other,
//! which is followed by its IRI), and the object (`1` IRI, `2` blank node, `3` literal: value,
//! datatype, then `0` or `1` and the language tag). Strings end with the bytes `0, 1`, and a `0` byte
//! inside a string is written `0, 255`, so a string sorts before any longer string it begins.

use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{BlankNodeRef, GraphNameRef, LiteralRef, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

/// The chunk budget of a [`Sorter`] unless told otherwise: keys and their index.
pub const DEFAULT_CHUNK_BYTES: usize = 48 << 20;

/// Appends the key of `quad` to `out`; `keep_graph: false` sorts it as if in the default graph.
pub fn encode(quad: QuadRef<'_>, keep_graph: bool, out: &mut Vec<u8>) -> io::Result<()> {
    match quad.graph_name {
        GraphNameRef::NamedNode(n) if keep_graph => {
            out.push(1);
            string(n.as_str(), out);
        }
        GraphNameRef::BlankNode(b) if keep_graph => {
            out.push(2);
            string(b.as_str(), out);
        }
        _ => out.push(0),
    }
    match quad.subject {
        NamedOrBlankNodeRef::NamedNode(n) => {
            out.push(1);
            string(n.as_str(), out);
        }
        NamedOrBlankNodeRef::BlankNode(b) => {
            out.push(2);
            string(b.as_str(), out);
        }
        #[allow(unreachable_patterns)]
        _ => return Err(unsupported()),
    }
    if quad.predicate == rdf::TYPE {
        out.push(0);
    } else if quad.predicate == rdfs::LABEL {
        out.push(1);
    } else {
        out.push(2);
        string(quad.predicate.as_str(), out);
    }
    match quad.object {
        TermRef::NamedNode(n) => {
            out.push(1);
            string(n.as_str(), out);
        }
        TermRef::BlankNode(b) => {
            out.push(2);
            string(b.as_str(), out);
        }
        TermRef::Literal(l) => {
            out.push(3);
            string(l.value(), out);
            string(l.datatype().as_str(), out);
            match l.language() {
                None => out.push(0),
                Some(language) => {
                    out.push(1);
                    string(language, out);
                }
            }
        }
        #[allow(unreachable_patterns)]
        _ => return Err(unsupported()),
    }
    Ok(())
}

fn unsupported() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "RDF 1.2 triple terms cannot be written in sorted order")
}

fn string(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    if bytes.contains(&0) {
        for &b in bytes {
            out.push(b);
            if b == 0 {
                out.push(255);
            }
        }
    } else {
        out.extend_from_slice(bytes);
    }
    out.extend_from_slice(&[0, 1]);
}

/// Reads keys back: a cursor over one key.
struct Reader<'a> {
    key: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> io::Result<u8> {
        let (&first, rest) = self.key.split_first().ok_or_else(corrupt)?;
        self.key = rest;
        Ok(first)
    }

    fn string(&mut self) -> io::Result<Cow<'a, str>> {
        let key = self.key;
        let mut i = 0;
        let mut escaped = false;
        loop {
            match key.get(i..i + 2) {
                Some([0, 1]) => break,
                Some([0, 255]) => {
                    escaped = true;
                    i += 2;
                }
                Some(_) => i += 1,
                None => return Err(corrupt()),
            }
        }
        self.key = &key[i + 2..];
        let raw = &key[..i];
        if escaped {
            let mut bytes = Vec::with_capacity(i);
            let mut j = 0;
            while j < raw.len() {
                bytes.push(raw[j]);
                j += if raw[j] == 0 { 2 } else { 1 };
            }
            String::from_utf8(bytes).map(Cow::Owned).map_err(|_| corrupt())
        } else {
            std::str::from_utf8(raw).map(Cow::Borrowed).map_err(|_| corrupt())
        }
    }
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "a temporary sort file is corrupt")
}

/// The parts of a decoded key; [`Parts::quad`] borrows them as a quad.
#[derive(Debug)]
pub struct Parts<'a> {
    graph: (u8, Cow<'a, str>),
    subject: (u8, Cow<'a, str>),
    predicate: Option<Cow<'a, str>>,
    predicate_rank: u8,
    object: (u8, Cow<'a, str>),
    datatype: Cow<'a, str>,
    language: Option<Cow<'a, str>>,
}

impl<'a> Parts<'a> {
    /// Splits a key made by [`encode`].
    pub fn decode(key: &'a [u8]) -> io::Result<Parts<'a>> {
        let mut r = Reader { key };
        let graph_tag = r.byte()?;
        let graph = if graph_tag == 0 { Cow::Borrowed("") } else { r.string()? };
        let subject = (r.byte()?, r.string()?);
        let predicate_rank = r.byte()?;
        let predicate = if predicate_rank == 2 { Some(r.string()?) } else { None };
        let object_tag = r.byte()?;
        let object = r.string()?;
        let (datatype, language) = if object_tag == 3 {
            let datatype = r.string()?;
            let language = if r.byte()? == 1 { Some(r.string()?) } else { None };
            (datatype, language)
        } else {
            (Cow::Borrowed(""), None)
        };
        if !r.key.is_empty() {
            return Err(corrupt());
        }
        Ok(Parts { graph: (graph_tag, graph), subject, predicate, predicate_rank, object: (object_tag, object), datatype, language })
    }

    /// The quad.
    pub fn quad(&self) -> io::Result<QuadRef<'_>> {
        let subject: NamedOrBlankNodeRef<'_> = match self.subject.0 {
            1 => NamedNodeRef::new_unchecked(&self.subject.1).into(),
            2 => BlankNodeRef::new_unchecked(&self.subject.1).into(),
            _ => return Err(corrupt()),
        };
        let predicate = match (self.predicate_rank, &self.predicate) {
            (0, _) => rdf::TYPE,
            (1, _) => rdfs::LABEL,
            (_, Some(p)) => NamedNodeRef::new_unchecked(p),
            _ => return Err(corrupt()),
        };
        let object: TermRef<'_> = match self.object.0 {
            1 => NamedNodeRef::new_unchecked(&self.object.1).into(),
            2 => BlankNodeRef::new_unchecked(&self.object.1).into(),
            3 => match &self.language {
                Some(language) => LiteralRef::new_language_tagged_literal_unchecked(&self.object.1, language).into(),
                None if self.datatype == xsd::STRING.as_str() => LiteralRef::new_simple_literal(&self.object.1).into(),
                None => LiteralRef::new_typed_literal(&self.object.1, NamedNodeRef::new_unchecked(&self.datatype)).into(),
            },
            _ => return Err(corrupt()),
        };
        let graph = match self.graph.0 {
            0 => GraphNameRef::DefaultGraph,
            1 => NamedNodeRef::new_unchecked(&self.graph.1).into(),
            2 => BlankNodeRef::new_unchecked(&self.graph.1).into(),
            _ => return Err(corrupt()),
        };
        Ok(QuadRef::new(subject, predicate, object, graph))
    }
}

/// Keys in memory: their bytes end to end and where each starts.
#[derive(Debug, Default)]
pub struct Chunk {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunk {
    /// An empty chunk.
    pub fn new() -> Chunk {
        Chunk::default()
    }

    /// Adds the key of one quad.
    pub fn push(&mut self, quad: QuadRef<'_>, keep_graph: bool) -> io::Result<()> {
        let start = self.bytes.len();
        if let Err(e) = encode(quad, keep_graph, &mut self.bytes) {
            self.bytes.truncate(start);
            return Err(e);
        }
        self.ends.push(self.bytes.len());
        Ok(())
    }

    /// Empties the chunk, keeping its memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the chunk has no key.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes the chunk takes, roughly.
    pub fn size(&self) -> usize {
        self.bytes.len() + self.ends.len() * std::mem::size_of::<usize>() * 3
    }

    fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// The keys sorted, without duplicates.
    fn sorted(self) -> SortedChunk {
        let mut order: Vec<(usize, usize)> = (0..self.ends.len()).map(|i| (if i == 0 { 0 } else { self.ends[i - 1] }, self.ends[i])).collect();
        let bytes = self.bytes;
        order.sort_unstable_by(|a, b| bytes[a.0..a.1].cmp(&bytes[b.0..b.1]));
        order.dedup_by(|a, b| bytes[a.0..a.1] == bytes[b.0..b.1]);
        SortedChunk { bytes, order }
    }
}

struct SortedChunk {
    bytes: Vec<u8>,
    order: Vec<(usize, usize)>,
}

/// A temporary file removed when dropped.
struct TempFile {
    path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn temp_file() -> io::Result<(TempFile, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    loop {
        let n = COUNTER.fetch_add(1, AtomicOrdering::Relaxed);
        let path = dir.join(format!(".factgraph-sort-{}-{n}", std::process::id()));
        match File::options().read(true).write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((TempFile { path }, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io::Error::new(e.kind(), format!("cannot create a temporary sort file in {}: {e}", dir.display()))),
        }
    }
}

/// A sorted run: in memory, or in a temporary file.
enum Run {
    Memory(SortedChunk),
    File(TempFile),
}

/// Collects quads and sorts them with a bounded amount of memory.
pub struct Sorter {
    keep_graphs: bool,
    chunk_bytes: usize,
    chunk: Chunk,
    runs: Vec<Run>,
}

impl Sorter {
    /// A sorter; `keep_graphs: false` merges the graphs (every quad in the default graph).
    pub fn new(keep_graphs: bool) -> Sorter {
        Sorter::with_chunk_bytes(keep_graphs, DEFAULT_CHUNK_BYTES)
    }

    /// A sorter that writes a run to disk whenever its chunk passes `chunk_bytes`.
    pub fn with_chunk_bytes(keep_graphs: bool, chunk_bytes: usize) -> Sorter {
        Sorter { keep_graphs, chunk_bytes: chunk_bytes.max(1), chunk: Chunk::new(), runs: Vec::new() }
    }

    /// True when this sorter merges graphs.
    pub fn keeps_graphs(&self) -> bool {
        self.keep_graphs
    }

    /// Adds one quad.
    pub fn push(&mut self, quad: QuadRef<'_>) -> io::Result<()> {
        self.chunk.push(quad, self.keep_graphs)?;
        if self.chunk.size() >= self.chunk_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// Adds the keys `range` of a chunk made elsewhere (on another thread) with the same
    /// `keep_graphs`.
    pub fn push_keys(&mut self, chunk: &Chunk, range: std::ops::Range<usize>) -> io::Result<()> {
        for i in range {
            let key = chunk.key(i);
            self.chunk.bytes.extend_from_slice(key);
            self.chunk.ends.push(self.chunk.bytes.len());
            if self.chunk.size() >= self.chunk_bytes {
                self.spill()?;
            }
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        let chunk = std::mem::take(&mut self.chunk);
        self.runs.push(write_run(chunk)?);
        Ok(())
    }

    /// Sorts what is left and returns the merged, de-duplicated keys.
    pub fn finish(mut self) -> io::Result<Sorted> {
        let last = std::mem::take(&mut self.chunk);
        if !last.is_empty() {
            self.runs.push(Run::Memory(last.sorted()));
        }
        Sorted::new(self.runs)
    }

    /// Combines two sorters' contents (both must have the same `keep_graphs`).
    pub fn absorb(&mut self, mut other: Sorter) -> io::Result<()> {
        self.runs.append(&mut other.runs);
        let chunk = std::mem::take(&mut other.chunk);
        let keys = chunk.len();
        self.push_keys(&chunk, 0..keys)
    }
}

/// Sorts a chunk and writes it to a temporary file: each key as its length (LEB128) and its bytes.
fn write_run(chunk: Chunk) -> io::Result<Run> {
    let sorted = chunk.sorted();
    let (temp, file) = temp_file()?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    for &(start, end) in &sorted.order {
        let mut length = end - start;
        loop {
            let byte = (length & 0x7f) as u8;
            length >>= 7;
            if length == 0 {
                writer.write_all(&[byte])?;
                break;
            }
            writer.write_all(&[byte | 0x80])?;
        }
        writer.write_all(&sorted.bytes[start..end])?;
    }
    writer.flush()?;
    Ok(Run::File(temp))
}

/// Where the merge takes its next key from.
enum Source {
    Memory { chunk: SortedChunk, next: usize },
    File { reader: BufReader<File>, _temp: TempFile },
}

impl Source {
    /// Reads the next key into `key`; false at the end.
    fn next(&mut self, key: &mut Vec<u8>) -> io::Result<bool> {
        key.clear();
        match self {
            Source::Memory { chunk, next } => {
                let Some(&(start, end)) = chunk.order.get(*next) else { return Ok(false) };
                *next += 1;
                key.extend_from_slice(&chunk.bytes[start..end]);
                Ok(true)
            }
            Source::File { reader, .. } => {
                let mut length = 0usize;
                let mut shift = 0;
                loop {
                    let mut byte = [0u8];
                    if reader.read(&mut byte)? == 0 {
                        return if shift == 0 { Ok(false) } else { Err(corrupt()) };
                    }
                    length |= usize::from(byte[0] & 0x7f) << shift;
                    shift += 7;
                    if byte[0] & 0x80 == 0 {
                        break;
                    }
                    if shift > 63 {
                        return Err(corrupt());
                    }
                }
                key.resize(length, 0);
                reader.read_exact(key)?;
                Ok(true)
            }
        }
    }
}

/// One source's current key in the merge heap, ordered by key (then source, for a total order).
struct Head {
    key: Vec<u8>,
    source: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key).then(self.source.cmp(&other.source))
    }
}

/// The merged keys, each distinct key once, in order.
pub struct Sorted {
    sources: Vec<Source>,
    heap: BinaryHeap<Reverse<Head>>,
    /// The key handed out last (a duplicate of it is skipped).
    current: Vec<u8>,
    started: bool,
}

impl Sorted {
    fn new(runs: Vec<Run>) -> io::Result<Sorted> {
        let mut sources = Vec::with_capacity(runs.len());
        for run in runs {
            sources.push(match run {
                Run::Memory(chunk) => Source::Memory { chunk, next: 0 },
                Run::File(temp) => {
                    let mut file = File::open(&temp.path)?;
                    std::io::Seek::seek(&mut file, io::SeekFrom::Start(0))?;
                    Source::File { reader: BufReader::with_capacity(256 << 10, file), _temp: temp }
                }
            });
        }
        let mut heap = BinaryHeap::with_capacity(sources.len());
        for (i, source) in sources.iter_mut().enumerate() {
            let mut key = Vec::new();
            if source.next(&mut key)? {
                heap.push(Reverse(Head { key, source: i }));
            }
        }
        Ok(Sorted { sources, heap, current: Vec::new(), started: false })
    }

    /// The next distinct key, or `None` at the end. Decode it with [`Parts::decode`].
    pub fn next_key(&mut self) -> io::Result<Option<&[u8]>> {
        loop {
            let Some(Reverse(mut head)) = self.heap.pop() else { return Ok(None) };
            std::mem::swap(&mut self.current, &mut head.key);
            // `head.key` now holds the previous key: reuse its buffer for the source's next key.
            let previous_equal = self.started && head.key == self.current;
            let source = head.source;
            if self.sources[source].next(&mut head.key)? {
                self.heap.push(Reverse(head));
            }
            if previous_equal {
                continue;
            }
            self.started = true;
            return Ok(Some(&self.current));
        }
    }
}
