//! Reading Wikidata's JSON dump format into a compact index for the linker.
//!
//! The entry point is [`IndexBuilder`]: feed it dump files (`.json`, `.json.gz`, `.json.bz2`, or
//! any reader) and it keeps, per item, the labels and aliases in the chosen languages, a description,
//! the instance-of (P31) and subclass-of (P279) classes, the items it relates to through a few
//! geographic and organisational properties (for the linker's coherence score), its demonyms (P1549)
//! and its sitelink count (a popularity prior). The dump is read line by line in constant memory; a malformed line is
//! reported with its number and skipped. One thread reads and splits lines, the others parse them;
//! the items reach an [`ItemSink`] in the dump's order: kept as [`Items`], or written as they come
//! into the linker's on-disk index (`linking::index`).
//!
//! Real dumps vary, and the reader takes them as they are: item values with only `numeric-id`,
//! `somevalue`/`novalue` snaks without a value, deprecated statements (ignored), empty maps written
//! as `[]`, and properties and lexemes mixed in (skipped).

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Properties whose item values the index keeps as relations between items, for coherence: country,
/// located in, location, part of, member of, headquarters, citizenship, shares border with, capital,
/// capital of, continent, contains.
pub const RELATION_PROPERTIES: [&str; 12] =
    ["P17", "P131", "P276", "P361", "P463", "P159", "P27", "P47", "P36", "P1376", "P30", "P150"];

/// Lines longer than this are reported and skipped, so one bad line cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Errors that stop an index build or load (a malformed dump *line* does not: see [`DumpProblem`]).
#[derive(Debug, thiserror::Error)]
pub enum WikidataError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: io::Error,
    },
    /// An index file that is not one, or is truncated or corrupted.
    #[error("{path}: {message}")]
    BadIndex {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A folder given as a dump that holds no dump files.
    #[error("{path} holds no dump files (*.json, *.json.gz, *.json.bz2)")]
    NoDumps {
        /// The folder.
        path: String,
    },
}

/// A dump line that could not be read; the build goes on without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpProblem {
    /// The dump's name.
    pub source: String,
    /// Line number, from 1.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DumpProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.message)
    }
}

/// One item as the linker needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    /// The item id, such as "Q7184".
    pub id: String,
    /// Labels in the index's languages, in their order, without repeats.
    pub labels: Vec<String>,
    /// Aliases in the index's languages.
    pub aliases: Vec<String>,
    /// The description in the first index language that has one.
    pub description: Option<String>,
    /// Instance of (P31), non-deprecated.
    pub p31: Vec<String>,
    /// Subclass of (P279), non-deprecated.
    pub p279: Vec<String>,
    /// Items it points to through [`RELATION_PROPERTIES`].
    pub related: Vec<String>,
    /// Demonyms (P1549) in the index's languages, non-deprecated, every form listed: "Israeli",
    /// "Israelis".
    pub demonyms: Vec<String>,
    /// Number of sitelinks (Wikipedia and sister-project pages).
    pub sitelinks: u32,
}

/// The items of one or more dumps, sorted by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Items {
    /// Languages of labels, aliases and descriptions.
    pub languages: Vec<String>,
    /// Items sorted by numeric id.
    pub items: Vec<Item>,
}

/// What an index build read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildReport {
    /// Lines read.
    pub lines: u64,
    /// Bytes read (as stored, compressed or not).
    pub bytes: u64,
    /// Items kept.
    pub items: u64,
    /// Properties, lexemes and other entities skipped.
    pub skipped: u64,
    /// Malformed lines, each reported.
    pub problems: Vec<DumpProblem>,
}

/// Where an [`IndexBuilder`] puts the items it reads, in the dump's order.
pub trait ItemSink: Send {
    /// Takes one item.
    fn add(&mut self, item: Item) -> io::Result<()>;
}

impl ItemSink for Vec<Item> {
    fn add(&mut self, item: Item) -> io::Result<()> {
        self.push(item);
        Ok(())
    }
}

/// Reads dumps into [`Items`] (or into another [`ItemSink`], such as the on-disk index's writer).
pub struct IndexBuilder<S: ItemSink = Vec<Item>> {
    languages: Vec<String>,
    sink: S,
    threads: usize,
    report: BuildReport,
    /// Bytes read so far, shared with a progress display.
    progress: Arc<AtomicU64>,
}

impl IndexBuilder {
    /// A builder keeping labels in `languages` (in order of preference), and the items in memory.
    pub fn new(languages: Vec<String>) -> IndexBuilder {
        IndexBuilder::with_sink(languages, Vec::new())
    }

    /// The items read (sorted by id; a later duplicate replaces an earlier one) and what was read.
    pub fn finish(self) -> (Items, BuildReport) {
        let languages = self.languages.clone();
        let (mut read, report) = self.into_parts();
        read.sort_by_key(|item| numeric_id(&item.id));
        let mut items: Vec<Item> = Vec::with_capacity(read.len());
        for item in read {
            match items.last_mut() {
                Some(last) if last.id == item.id => *last = item,
                _ => items.push(item),
            }
        }
        (Items { languages, items }, report)
    }
}

impl<S: ItemSink> IndexBuilder<S> {
    /// A builder keeping labels in `languages` (in order of preference) that gives the items to
    /// `sink`, parsing on every core ([`crate::parallel::default_threads`]).
    pub fn with_sink(languages: Vec<String>, sink: S) -> IndexBuilder<S> {
        let threads = crate::parallel::default_threads();
        IndexBuilder { languages, sink, threads, report: BuildReport::default(), progress: Arc::new(AtomicU64::new(0)) }
    }

    /// The number of threads parsing lines (at least one).
    pub fn threads(mut self, threads: usize) -> IndexBuilder<S> {
        self.threads = threads.max(1);
        self
    }

    /// The sink and what was read.
    pub fn into_parts(self) -> (S, BuildReport) {
        (self.sink, self.report)
    }

    /// A counter of bytes read, for progress displays.
    pub fn progress(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.progress)
    }

    /// Reads a dump file, decompressing `.gz` and `.bz2` (a bzip2 file of many streams on every
    /// core, see `linking::bz2`); `-` is standard input.
    pub fn read_path(&mut self, path: &Path) -> Result<(), WikidataError> {
        let name = path.display().to_string();
        let io_error = |source| WikidataError::Io { path: name.clone(), source };
        if path.as_os_str() == "-" {
            return self.read(io::stdin(), "-").map_err(io_error);
        }
        let file = std::fs::File::open(path).map_err(io_error)?;
        let counted = Counting { inner: file, counter: Arc::clone(&self.progress) };
        let text = path.to_string_lossy();
        if text.ends_with(".gz") {
            self.read(flate2::read::MultiGzDecoder::new(BufReader::new(counted)), &name).map_err(io_error)
        } else if text.ends_with(".bz2") {
            self.read(super::bz2::ParallelBzDecoder::new(counted, self.threads), &name).map_err(io_error)
        } else {
            self.read(counted, &name).map_err(io_error)
        }
    }

    /// Reads one dump from `reader`: a helper thread reads (and decompresses) it in chunks of
    /// whole lines, `threads` workers split and parse them, and the items are kept in the dump's
    /// order (as if read by one thread).
    pub fn read(&mut self, reader: impl Read + Send, source: &str) -> io::Result<()> {
        let threads = self.threads.max(1);
        let (chunks, chunk_receiver) = std::sync::mpsc::sync_channel::<(u64, Chunk)>(threads * 2);
        let chunk_receiver = std::sync::Mutex::new(chunk_receiver);
        let (recycle, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
        let (results, result_receiver) = std::sync::mpsc::sync_channel::<(u64, Vec<Parsed>)>(threads * 2);
        let languages = &self.languages.clone();
        std::thread::scope(|scope| {
            let reading = scope.spawn(move || read_chunks(reader, chunks, recycled));
            for _ in 0..threads {
                let (results, recycle) = (results.clone(), recycle.clone());
                let chunk_receiver = &chunk_receiver;
                scope.spawn(move || loop {
                    let next = chunk_receiver.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ()));
                    let Ok((number, chunk)) = next else { break };
                    if results.send((number, parse_chunk(languages, &chunk))).is_err() {
                        break;
                    }
                    match chunk {
                        // A buffer grown for a long line is not kept.
                        Chunk::Lines(_, buffer, _) if buffer.len() <= 2 * CHUNK_BYTES => {
                            let _ = recycle.send(buffer);
                        }
                        _ => {}
                    }
                });
            }
            drop(results);
            let mut pending = BTreeMap::new();
            let mut next = 0u64;
            let mut outcome = Ok(());
            for (number, parsed) in result_receiver {
                pending.insert(number, parsed);
                while let Some(parsed) = pending.remove(&next) {
                    next += 1;
                    for parsed in parsed {
                        if outcome.is_ok() {
                            outcome = self.keep(parsed, source);
                        }
                    }
                }
            }
            let (lines, bytes, read) = reading.join().expect("the line reader does not panic");
            self.report.lines += lines;
            self.report.bytes += bytes;
            read.and(outcome)
        })
    }

    fn keep(&mut self, parsed: Parsed, source: &str) -> io::Result<()> {
        match parsed {
            Parsed::Item(item) => {
                self.sink.add(item)?;
                self.report.items += 1;
            }
            Parsed::Skipped => self.report.skipped += 1,
            Parsed::Problem(line, message) => self.problem(source, line, message),
            Parsed::Blank => {}
        }
        Ok(())
    }

    fn problem(&mut self, source: &str, line: u64, message: String) {
        self.report.problems.push(DumpProblem { source: source.to_string(), line, message });
    }

}

/// What one dump line held.
enum Parsed {
    Item(Item),
    /// A property, lexeme or other entity.
    Skipped,
    /// A malformed or overlong line: its number and what is wrong.
    Problem(u64, String),
    /// Blank, or the array's brackets.
    Blank,
}

/// The bytes read at a time, cut at the last newline into a chunk of whole lines.
const CHUNK_BYTES: usize = 4 << 20;

/// What the reading thread hands the parsers.
enum Chunk {
    /// Whole lines (the last without its newline at the end of the input): the first one's number,
    /// a buffer and the length of the lines at its start. The parsers hand the buffer back to the
    /// reading thread, which reads into it again without clearing it.
    Lines(u64, Vec<u8>, usize),
    /// A line longer than [`MAX_LINE_BYTES`], skipped: its number.
    TooLong(u64),
}

/// Reads `reader` into numbered chunks of whole lines for the parsers, holding at most
/// [`MAX_LINE_BYTES`] and a chunk of one line, into buffers the parsers give back through
/// `recycled` when they can; returns the lines and bytes read.
fn read_chunks(mut reader: impl Read, chunks: std::sync::mpsc::SyncSender<(u64, Chunk)>, recycled: std::sync::mpsc::Receiver<Vec<u8>>) -> (u64, u64, io::Result<()>) {
    let (mut lines, mut bytes, mut number) = (0u64, 0u64, 0u64);
    let mut send = |chunk: Chunk| {
        number += 1;
        chunks.send((number - 1, chunk)).is_ok()
    };
    // The chunk being filled: its first `filled` bytes are read, the rest is room.
    let mut buffer: Vec<u8> = Vec::new();
    let mut filled = 0;
    loop {
        let target = filled + CHUNK_BYTES;
        if buffer.len() < target {
            // A new buffer, or a long line: room for the longest taken once, not grown by doubling.
            let room = if filled >= CHUNK_BYTES { MAX_LINE_BYTES + CHUNK_BYTES } else { target };
            buffer.resize(room.max(target), 0);
        }
        let mut end = false;
        while filled < target {
            match reader.read(&mut buffer[filled..target]) {
                Ok(0) => {
                    end = true;
                    break;
                }
                Ok(n) => {
                    filled += n;
                    bytes += n as u64;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return (lines, bytes, Err(error)),
            }
        }
        let cut = match memchr::memrchr(b'\n', &buffer[..filled]) {
            Some(last) if !end => last + 1,
            Some(_) => filled,
            None if filled <= MAX_LINE_BYTES && end => filled,
            None if filled <= MAX_LINE_BYTES => continue,
            None => {
                // A line past the limit: skipped up to its newline without being held.
                buffer = recycled.try_recv().unwrap_or_default();
                filled = 0;
                let mut rest = vec![0; 1 << 16];
                loop {
                    let n = match reader.read(&mut rest) {
                        Ok(n) => n,
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                        Err(error) => return (lines, bytes, Err(error)),
                    };
                    bytes += n as u64;
                    if n == 0 {
                        break;
                    }
                    if let Some(at) = memchr::memchr(b'\n', &rest[..n]) {
                        filled = n - at - 1;
                        if buffer.len() < filled {
                            buffer.resize(filled, 0);
                        }
                        buffer[..filled].copy_from_slice(&rest[at + 1..n]);
                        break;
                    }
                }
                lines += 1;
                if !send(Chunk::TooLong(lines)) || filled == 0 && end {
                    break;
                }
                continue;
            }
        };
        // What follows the last newline starts the next buffer.
        let mut next = recycled.try_recv().unwrap_or_default();
        let rest = filled - cut;
        if next.len() < rest {
            next.resize(rest, 0);
        }
        next[..rest].copy_from_slice(&buffer[cut..filled]);
        let chunk = std::mem::replace(&mut buffer, next);
        filled = rest;
        let text = &chunk[..cut];
        let count = memchr::memchr_iter(b'\n', text).count() as u64 + u64::from(!text.is_empty() && !text.ends_with(b"\n"));
        let first = lines + 1;
        lines += count;
        if count > 0 && !send(Chunk::Lines(first, chunk, cut)) {
            break;
        }
        if end {
            break;
        }
    }
    (lines, bytes, Ok(()))
}

/// Splits a chunk into lines and parses them.
fn parse_chunk(languages: &[String], chunk: &Chunk) -> Vec<Parsed> {
    match chunk {
        Chunk::TooLong(line) => vec![Parsed::Problem(*line, format!("line longer than {} MiB skipped", MAX_LINE_BYTES >> 20))],
        Chunk::Lines(first, bytes, len) => {
            let text = bytes[..*len].strip_suffix(b"\n").unwrap_or(&bytes[..*len]);
            let mut parsed = Vec::with_capacity(1024);
            let mut start = 0;
            for (number, end) in (*first..).zip(memchr::memchr_iter(b'\n', text).chain([text.len()])) {
                parsed.push(parse_line(languages, number, &text[start..end]));
                start = end + 1;
            }
            parsed
        }
    }
}

/// Parses one dump line.
fn parse_line(languages: &[String], number: u64, line: &[u8]) -> Parsed {
    let mut text = trim_ascii(line);
    if text.is_empty() || text == b"[" || text == b"]" {
        return Parsed::Blank;
    }
    if let Some(stripped) = text.strip_suffix(b",") {
        text = stripped;
    }
    let seed = EntitySeed { languages };
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    match seed.deserialize(&mut deserializer).and_then(|e| deserializer.end().map(|()| e)) {
        Ok(Some(item)) => Parsed::Item(item),
        Ok(None) => Parsed::Skipped,
        Err(error) => Parsed::Problem(number, format!("malformed entity: {error}")),
    }
}

/// Whether `id` is an item id in Wikidata's own spelling: `Q` and a number (that fits in 64 bits)
/// without sign or leading zero.
pub fn is_item_id(id: &str) -> bool {
    let digits = id.strip_prefix('Q').unwrap_or("");
    !digits.is_empty() && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) && digits.parse::<u64>().is_ok()
}

/// The number of an id such as "Q7184" (0 for anything else).
pub fn numeric_id(id: &str) -> u64 {
    id.get(1..).and_then(|n| n.parse().ok()).unwrap_or(0)
}

struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |i| i + 1);
    &bytes[start..end]
}

// ---------------------------------------------------------------------------------------------
// Deserialising one dump entity, skipping what the index does not keep.
// ---------------------------------------------------------------------------------------------

struct EntitySeed<'l> {
    languages: &'l [String],
}

#[derive(Deserialize)]
struct Text<'a> {
    #[serde(borrow)]
    value: Cow<'a, str>,
}

impl<'de> DeserializeSeed<'de> for EntitySeed<'_> {
    type Value = Option<Item>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Item>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntitySeed<'_> {
    type Value = Option<Item>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Wikidata entity object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Item>, A::Error> {
        let mut kind: Option<Cow<'de, str>> = None;
        let mut id: Option<Cow<'de, str>> = None;
        let mut labels: BTreeMap<&str, Text<'de>> = BTreeMap::new();
        let mut descriptions: BTreeMap<&str, Text<'de>> = BTreeMap::new();
        let mut aliases: BTreeMap<&str, Vec<Text<'de>>> = BTreeMap::new();
        let mut claims = Claims::default();
        let mut sitelinks = 0u32;
        let languages = self.languages;
        while let Some(key) = map.next_key::<RawKey>()? {
            match key.0.as_ref() {
                b"type" => kind = Some(map.next_value()?),
                b"id" => id = Some(map.next_value()?),
                b"labels" => labels = map.next_value_seed(InLanguages::new(languages))?,
                b"descriptions" => descriptions = map.next_value_seed(InLanguages::new(languages))?,
                b"aliases" => aliases = map.next_value_seed(InLanguages::new(languages))?,
                b"claims" | b"statements" => claims = map.next_value()?,
                b"sitelinks" => sitelinks = map.next_value::<CountEntries>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let kind = kind.ok_or_else(|| de::Error::missing_field("type"))?;
        let id = id.ok_or_else(|| de::Error::missing_field("id"))?;
        if kind != "item" {
            return Ok(None);
        }
        if !is_item_id(&id) {
            return Err(de::Error::custom(format!("{id:?} is not an item id (Q followed by a number without leading zeros)")));
        }
        let mut item = Item { id: id.into_owned(), sitelinks, ..Item::default() };
        for language in self.languages {
            if let Some(label) = labels.get(language.as_str()) {
                if !item.labels.iter().any(|l| l == label.value.as_ref()) {
                    item.labels.push(label.value.to_string());
                }
            }
            for alias in aliases.get(language.as_str()).map(Vec::as_slice).unwrap_or_default() {
                if !item.aliases.iter().any(|a| a == alias.value.as_ref()) && !item.labels.iter().any(|l| l == alias.value.as_ref()) {
                    item.aliases.push(alias.value.to_string());
                }
            }
            if item.description.is_none() {
                item.description = descriptions.get(language.as_str()).map(|d| d.value.to_string());
            }
        }
        for language in self.languages {
            for (text, _) in claims.demonyms.iter().filter(|(_, l)| l == language) {
                if !item.demonyms.contains(text) {
                    item.demonyms.push(text.clone());
                }
            }
        }
        item.p31 = claims.p31;
        item.p279 = claims.p279;
        item.related = claims.related;
        Ok(Some(item))
    }
}

/// A map key's bytes (escapes resolved), for comparing with ASCII names without checking UTF-8.
struct RawKey<'de>(Cow<'de, [u8]>);

impl<'de> Deserialize<'de> for RawKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = RawKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<RawKey<'de>, E> {
                Ok(RawKey(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<RawKey<'de>, E> {
                Ok(RawKey(Cow::Owned(v.to_vec())))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<RawKey<'de>, E> {
                Ok(RawKey(Cow::Borrowed(v.as_bytes())))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKey<'de>, E> {
                Ok(RawKey(Cow::Owned(v.as_bytes().to_vec())))
            }
        }
        deserializer.deserialize_bytes(KeyVisitor)
    }
}

/// A map by language code (or Wikidata's `[]` for an empty one) read into the entries of the
/// index's languages; the others are skipped without being built.
struct InLanguages<'l, V> {
    languages: &'l [String],
    value: std::marker::PhantomData<V>,
}

impl<'l, V> InLanguages<'l, V> {
    fn new(languages: &'l [String]) -> Self {
        InLanguages { languages, value: std::marker::PhantomData }
    }
}

impl<'de, 'l, V: Deserialize<'de>> DeserializeSeed<'de> for InLanguages<'l, V> {
    type Value = BTreeMap<&'l str, V>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'l, V: Deserialize<'de>> Visitor<'de> for InLanguages<'l, V> {
    type Value = BTreeMap<&'l str, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map by language (or an empty array)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<RawKey>()? {
            match self.languages.iter().find(|l| l.as_bytes() == key.0.as_ref()) {
                Some(language) => {
                    out.insert(language.as_str(), map.next_value()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(BTreeMap::new())
    }
}

/// Counts a map's entries (or an empty array's) without keeping them.
struct CountEntries(u32);

impl<'de> Deserialize<'de> for CountEntries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Counter;
        impl<'de> Visitor<'de> for Counter {
            type Value = u32;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of sitelinks")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u32, A::Error> {
                let mut n = 0;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(n)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u32, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(0)
            }
        }
        deserializer.deserialize_any(Counter).map(CountEntries)
    }
}

/// The statements the index keeps; all other properties are skipped unparsed.
#[derive(Default)]
struct Claims {
    p31: Vec<String>,
    p279: Vec<String>,
    related: Vec<String>,
    /// Demonyms (P1549) with their language.
    demonyms: Vec<(String, String)>,
}

struct Statement<'a> {
    mainsnak: Snak<'a>,
    rank: Option<Cow<'a, str>>,
}

struct Snak<'a> {
    snaktype: Option<Cow<'a, str>>,
    datavalue: Option<DataValue<'a>>,
}

struct DataValue<'a> {
    value: SnakValue<'a>,
}

/// Deserialises a statement, its main snak and the snak's data value as maps whose keys are
/// compared as bytes (not checked as UTF-8, as serde's derived field names would be); the fields
/// the index does not read are skipped unbuilt.
macro_rules! by_key {
    ($type:ident, $what:literal, |$map:ident| $body:block) => {
        impl<'de> Deserialize<'de> for $type<'de> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ByKey;
                impl<'de> Visitor<'de> for ByKey {
                    type Value = $type<'de>;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($what)
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut $map: A) -> Result<$type<'de>, A::Error> $body
                }
                deserializer.deserialize_map(ByKey)
            }
        }
    };
}

by_key!(Statement, "a statement", |map| {
    let (mut mainsnak, mut rank) = (None, None);
    while let Some(key) = map.next_key::<RawKey>()? {
        match key.0.as_ref() {
            b"mainsnak" => mainsnak = Some(map.next_value()?),
            b"rank" => rank = map.next_value::<Scalar>()?.text(),
            _ => map.next_value::<IgnoredAny>().map(drop)?,
        }
    }
    Ok(Statement { mainsnak: mainsnak.ok_or_else(|| de::Error::missing_field("mainsnak"))?, rank })
});

by_key!(Snak, "a snak", |map| {
    let (mut snaktype, mut datavalue) = (None, None);
    while let Some(key) = map.next_key::<RawKey>()? {
        match key.0.as_ref() {
            b"snaktype" => snaktype = map.next_value::<Scalar>()?.text(),
            b"datavalue" => datavalue = map.next_value()?,
            _ => map.next_value::<IgnoredAny>().map(drop)?,
        }
    }
    Ok(Snak { snaktype, datavalue })
});

by_key!(DataValue, "a data value", |map| {
    let mut value = None;
    while let Some(key) = map.next_key::<RawKey>()? {
        match key.0.as_ref() {
            b"value" => value = Some(map.next_value()?),
            _ => map.next_value::<IgnoredAny>().map(drop)?,
        }
    }
    Ok(DataValue { value: value.ok_or_else(|| de::Error::missing_field("value"))? })
});

/// The fields of a snak's value the index reads (an item's id, or a text and its language), each
/// kept only when it is a string or a number; any other value is taken and ignored.
#[derive(Default)]
struct SnakValue<'a> {
    id: Option<Cow<'a, str>>,
    entity_type: Option<Cow<'a, str>>,
    numeric_id: Option<u64>,
    text: Option<Cow<'a, str>>,
    language: Option<Cow<'a, str>>,
}

/// A JSON value kept when it is a string, an unsigned number or an object (the fields of it a
/// snak's value has); any other value is taken and ignored.
enum Scalar<'a> {
    Text(Cow<'a, str>),
    Number(u64),
    Object(SnakValue<'a>),
    Other,
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Text(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
                let mut value = SnakValue::default();
                while let Some(key) = map.next_key::<RawKey>()? {
                    match (key.0.as_ref(), map.next_value::<Scalar<'de>>()?) {
                        (b"id", Scalar::Text(t)) => value.id = Some(t),
                        (b"entity-type", Scalar::Text(t)) => value.entity_type = Some(t),
                        (b"numeric-id", Scalar::Number(n)) => value.numeric_id = Some(n),
                        (b"text", Scalar::Text(t)) => value.text = Some(t),
                        (b"language", Scalar::Text(t)) => value.language = Some(t),
                        _ => {}
                    }
                }
                Ok(Scalar::Object(value))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

impl<'a> Scalar<'a> {
    /// The text, borrowed when it has no escapes; `None` for any other value.
    fn text(self) -> Option<Cow<'a, str>> {
        match self {
            Scalar::Text(text) => Some(text),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for SnakValue<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Scalar::deserialize(deserializer)? {
            Scalar::Object(value) => value,
            _ => SnakValue::default(),
        })
    }
}

impl Statement<'_> {
    /// Whether the statement has a value and is not deprecated.
    fn counts(&self) -> bool {
        self.rank.as_deref() != Some("deprecated") && self.mainsnak.snaktype.as_deref().unwrap_or("value") == "value"
    }

    /// The item this statement points to, unless deprecated, valueless or not item-valued.
    fn item_value(&self) -> Option<String> {
        if !self.counts() {
            return None;
        }
        let value = &self.mainsnak.datavalue.as_ref()?.value;
        if let Some(id) = &value.id {
            return is_item_id(id).then(|| id.to_string());
        }
        let number = value.numeric_id?;
        (value.entity_type.as_deref().unwrap_or("item") == "item" && number > 0).then(|| format!("Q{number}"))
    }

    /// The text and language of a monolingual text statement, unless deprecated or valueless.
    fn text_value(&self) -> Option<(String, String)> {
        if !self.counts() {
            return None;
        }
        let value = &self.mainsnak.datavalue.as_ref()?.value;
        Some((value.text.as_deref()?.to_string(), value.language.as_deref()?.to_string()))
    }
}

impl<'de> Deserialize<'de> for Claims {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ClaimsVisitor;
        impl<'de> Visitor<'de> for ClaimsVisitor {
            type Value = Claims;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of claims")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims, A::Error> {
                let mut claims = Claims::default();
                while let Some(property) = map.next_key::<RawKey>()? {
                    let target = match property.0.as_ref() {
                        b"P31" => &mut claims.p31,
                        b"P279" => &mut claims.p279,
                        b"P1549" => {
                            let statements: Vec<Statement> = map.next_value()?;
                            for value in statements.iter().filter_map(Statement::text_value) {
                                if !claims.demonyms.contains(&value) {
                                    claims.demonyms.push(value);
                                }
                            }
                            continue;
                        }
                        p if RELATION_PROPERTIES.iter().any(|r| r.as_bytes() == p) => &mut claims.related,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    let statements: Vec<Statement> = map.next_value()?;
                    for value in statements.iter().filter_map(Statement::item_value) {
                        if !target.contains(&value) {
                            target.push(value);
                        }
                    }
                }
                Ok(claims)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Claims, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Claims::default())
            }
        }
        deserializer.deserialize_any(ClaimsVisitor)
    }
}

/// The dump files `paths` name, in order: a file as given (`-` is standard input), a folder by its
/// files whose names end in .json, .json.gz or .json.bz2, in name order. A folder without any is an
/// error.
pub fn dump_files(paths: &[impl AsRef<Path>]) -> Result<Vec<PathBuf>, WikidataError> {
    let mut files = Vec::new();
    for path in paths {
        let path = path.as_ref();
        if !path.is_dir() {
            files.push(path.to_path_buf());
            continue;
        }
        let name = path.display().to_string();
        let mut found: Vec<_> = std::fs::read_dir(path)
            .map_err(|source| WikidataError::Io { path: name.clone(), source })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.to_string_lossy();
                name.ends_with(".json") || name.ends_with(".json.gz") || name.ends_with(".json.bz2")
            })
            .collect();
        if found.is_empty() {
            return Err(WikidataError::NoDumps { path: name });
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(dump: &str) -> (Items, BuildReport) {
        let mut builder = IndexBuilder::new(vec!["en".into()]);
        builder.read(dump.as_bytes(), "test").unwrap();
        builder.finish()
    }

    #[test]
    fn reads_the_real_layout_and_its_variants() {
        let dump = r#"[
{"type":"property","id":"P31","labels":{"en":{"language":"en","value":"instance of"}},"claims":{}},
{"type":"item","id":"Q2","labels":{"en":{"language":"en","value":"B"},"fr":{"language":"fr","value":"Bé"}},"aliases":[],"claims":{"P31":[{"mainsnak":{"snaktype":"value","property":"P31","datavalue":{"value":{"entity-type":"item","numeric-id":5},"type":"wikibase-entityid"}},"rank":"normal"},{"mainsnak":{"snaktype":"value","property":"P31","datavalue":{"value":{"entity-type":"item","numeric-id":515,"id":"Q515"}}},"rank":"deprecated"}],"P27":[{"mainsnak":{"snaktype":"somevalue","property":"P27"},"rank":"normal"}],"P569":[{"mainsnak":{"snaktype":"value","datavalue":{"value":{"time":"+1952-10-07T00:00:00Z"}}}}]},"sitelinks":{"enwiki":{"site":"enwiki","title":"B"},"dewiki":{"site":"dewiki","title":"B"}}},
{"type":"lexeme","id":"L1","lemmas":{}},
not json at all,
{"type":"item","id":"Q1","labels":{"en":{"language":"en","value":"A"}},"aliases":{"en":[{"language":"en","value":"Alpha"},{"language":"en","value":"A"}]},"claims":[],"sitelinks":[]}
]"#;
        let (index, report) = build(dump);
        assert_eq!(index.items.len(), 2);
        assert_eq!(index.items[0].id, "Q1");
        assert_eq!(index.items[0].aliases, vec!["Alpha".to_string()]);
        assert_eq!(index.items[1].p31, vec!["Q5".to_string()], "numeric-id only, deprecated dropped");
        assert_eq!(index.items[1].related, Vec::<String>::new(), "somevalue has no value");
        assert_eq!(index.items[1].sitelinks, 2);
        assert_eq!(index.items[1].labels, vec!["B".to_string()]);
        assert_eq!(report.skipped, 2);
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].line, 5);
    }

    #[test]
    fn dump_files_lists_folders_and_keeps_files() {
        let dir = tempfile::tempdir().unwrap();
        let dumps = dir.path().join("dumps");
        std::fs::create_dir(&dumps).unwrap();
        for name in ["b.json.gz", "a.json", "c.json.bz2", "notes.txt"] {
            std::fs::write(dumps.join(name), "").unwrap();
        }
        let single = dir.path().join("single.json");
        let files = dump_files(&[&single, &dumps]).unwrap();
        assert_eq!(files, [single, dumps.join("a.json"), dumps.join("b.json.gz"), dumps.join("c.json.bz2")]);
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert!(matches!(dump_files(&[&empty]), Err(WikidataError::NoDumps { path }) if path == empty.display().to_string()));
    }

    #[test]
    fn chunks_hold_whole_lines_and_overlong_lines_are_skipped() {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1000);
        let mut text = b"a\n\nb".to_vec();
        let (lines, bytes, read) = std::thread::scope(|s| {
            let reading = s.spawn(|| read_chunks(&text[..], sender, std::sync::mpsc::channel().1));
            let chunks: Vec<(u64, Chunk)> = receiver.iter().collect();
            assert!(matches!(&chunks[..], [(0, Chunk::Lines(1, bytes, len))] if &bytes[..*len] == b"a\n\nb"));
            reading.join().unwrap()
        });
        assert_eq!((lines, bytes, read.is_ok()), (3, 4, true));
        text = vec![b'x'; MAX_LINE_BYTES + CHUNK_BYTES + 10];
        text.extend_from_slice(b"\n{}\n");
        let (sender, receiver) = std::sync::mpsc::sync_channel(1000);
        let (lines, _, _) = std::thread::scope(|s| {
            let reading = s.spawn(|| read_chunks(&text[..], sender, std::sync::mpsc::channel().1));
            let chunks: Vec<(u64, Chunk)> = receiver.iter().collect();
            assert!(matches!(&chunks[..], [(0, Chunk::TooLong(1)), (1, Chunk::Lines(2, bytes, len))] if &bytes[..*len] == b"{}\n"), "{}", chunks.len());
            reading.join().unwrap()
        });
        assert_eq!(lines, 2);
    }
}
