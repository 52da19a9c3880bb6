//! The linker's index on disk, opened without loading it.
//!
//! One file, memory-mapped: a header (magic, format version, six sections each with its offset,
//! length and CRC-32, and the header's own CRC-32), then the sections:
//!
//! | section | what |
//! |---|---|
//! | meta | the label languages, the item count, the most sitelinks of any item |
//! | ids | each row's numeric item id, u64, ascending (an id's row is found by binary search) |
//! | offsets | where each row's record starts in `records`, u64, one more than rows |
//! | records | per item: sitelinks, labels, aliases, description, P31, P279, related items, demonyms |
//! | names | an FST from each normalised name ([`normalise`]) to its postings |
//! | postings | per name: a count, then (row u32, how the name matched u8) |
//!
//! Opening checks the header, the version and every section's checksum in one sequential read
//! (nothing is kept in memory), then the tables' shapes and the FST's own checksum, so a truncated, corrupted or foreign file
//! is refused with a clear error before any lookup. Records are decoded on demand with every
//! length bounds-checked. Names are normalised when the index is written: a change to
//! [`normalise`] or to what makes an alias weak needs a new [`VERSION`].

use crate::linking::names::{is_weak_alias, normalise, NameMatch};
use crate::linking::wikidata::{numeric_id, Item, ItemSink, Items, WikidataError};
use crate::linking::sort::ExternalSorter;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// The first eight bytes of an index file.
pub const MAGIC: [u8; 8] = *b"FGWDIDX\0";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

const SECTIONS: usize = 6;
const META: usize = 0;
const IDS: usize = 1;
const OFFSETS: usize = 2;
const RECORDS: usize = 3;
const NAMES: usize = 4;
const POSTINGS: usize = 5;
const SECTION_NAMES: [&str; SECTIONS] = ["meta", "ids", "offsets", "records", "names", "postings"];
/// Magic, version, section count, six (offset, length, crc, reserved), the header's crc.
const HEADER_BYTES: usize = 8 + 4 + 4 + SECTIONS * 24 + 4;

/// The bytes of an index: a mapped file or a buffer.
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Owned(bytes) => bytes,
        }
    }
}

/// One section of the bytes, for the FST.
#[derive(Clone)]
struct Section {
    bytes: Arc<Bytes>,
    range: Range<usize>,
}

impl AsRef<[u8]> for Section {
    fn as_ref(&self) -> &[u8] {
        &self.bytes.as_ref().as_ref()[self.range.clone()]
    }
}

/// An opened index.
pub struct Index {
    name: String,
    bytes: Arc<Bytes>,
    sections: [Range<usize>; SECTIONS],
    names: fst::Map<Section>,
    languages: Vec<String>,
    rows: u32,
    max_sitelinks: u32,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("name", &self.name).field("rows", &self.rows).field("languages", &self.languages).finish()
    }
}

impl Index {
    /// Opens and checks the index file at `path`, mapping it into memory.
    pub fn open(path: &Path) -> Result<Index, WikidataError> {
        let name = path.display().to_string();
        let io_error = |source| WikidataError::Io { path: name.clone(), source };
        let mut file = std::fs::File::open(path).map_err(io_error)?;
        if file.metadata().map_err(io_error)?.len() < HEADER_BYTES as u64 {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(io_error)?;
            return Index::from_parts(name, Bytes::Owned(bytes));
        }
        // SAFETY: the map is read-only; the file is ours to read, and every read is bounds-checked
        // against the map's length (a file truncated by another process while mapped is outside
        // what the index promises, as for any mapped file).
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_error)?;
        Index::from_parts(name, Bytes::Mapped(map))
    }

    /// Opens and checks an index held in memory; `name` is used in errors.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Index, WikidataError> {
        Index::from_parts(name.to_string(), Bytes::Owned(bytes))
    }

    /// Writes `items` as an index in memory and opens it: for small dumps and tests.
    pub fn from_items(languages: &[String], items: &[Item]) -> Index {
        let mut bytes = Vec::new();
        write(&mut bytes, languages, items).expect("writing to memory does not fail");
        Index::from_bytes("(memory)", bytes).expect("an index just written opens")
    }

    fn from_parts(name: String, bytes: Bytes) -> Result<Index, WikidataError> {
        let bad = |message: String| WikidataError::BadIndex { path: name.clone(), message };
        let data = bytes.as_ref();
        if data.len() < MAGIC.len() || data[..MAGIC.len()] != MAGIC {
            return Err(bad("not a factgraph Wikidata index (build one with `factgraph wikidata index`)".into()));
        }
        if data.len() < HEADER_BYTES {
            return Err(bad(format!("truncated: {} bytes, shorter than the header", data.len())));
        }
        let version = u32_at(data, 8);
        if version != VERSION {
            return Err(bad(format!("format version {version}, this build reads version {VERSION}: rebuild the index")));
        }
        if u32_at(data, 12) as usize != SECTIONS || crc32fast::hash(&data[..HEADER_BYTES - 4]) != u32_at(data, HEADER_BYTES - 4) {
            return Err(bad("the header is corrupted (checksum mismatch)".into()));
        }
        let mut sections: [Range<usize>; SECTIONS] = Default::default();
        for (i, section) in sections.iter_mut().enumerate() {
            let at = 16 + i * 24;
            let (start, len) = (u64_at(data, at), u64_at(data, at + 8));
            let end = start.checked_add(len).filter(|&end| end <= data.len() as u64);
            let Some(end) = end else {
                return Err(bad(format!("truncated: the {} section ends past the file's {} bytes", SECTION_NAMES[i], data.len())));
            };
            *section = start as usize..end as usize;
            if crc32fast::hash(&data[section.clone()]) != u32_at(data, at + 16) {
                return Err(bad(format!("the {} section is corrupted (checksum mismatch)", SECTION_NAMES[i])));
            }
        }
        let mut meta = Reader::new(&data[sections[META].clone()]);
        let parsed = (|| {
            let count = meta.u32()?;
            let mut languages = Vec::new();
            for _ in 0..count {
                languages.push(meta.string()?);
            }
            Some((languages, meta.u32()?, meta.u32()?))
        })();
        let Some((languages, rows, max_sitelinks)) = parsed else { return Err(bad("the meta section is malformed".into())) };
        let ids = &data[sections[IDS].clone()];
        let offsets = &data[sections[OFFSETS].clone()];
        if ids.len() != rows as usize * 8 || offsets.len() != (rows as usize + 1) * 8 {
            return Err(bad(format!("the id and offset tables do not hold {rows} items")));
        }
        let ascending = (1..rows as usize).all(|r| u64_at(ids, (r - 1) * 8) < u64_at(ids, r * 8));
        let records = sections[RECORDS].len() as u64;
        let bounded = (0..rows as usize).all(|r| u64_at(offsets, r * 8) <= u64_at(offsets, (r + 1) * 8)) && u64_at(offsets, rows as usize * 8) <= records;
        if !ascending || !bounded {
            return Err(bad("the id or offset table is out of order".into()));
        }
        let bytes = Arc::new(bytes);
        let section = Section { bytes: Arc::clone(&bytes), range: sections[NAMES].clone() };
        let names = fst::Map::new(section).map_err(|e| bad(format!("the names section is malformed: {e}")))?;
        // The FST trusts its bytes once opened: its own checksum too, so that bytes it did not
        // write (a section table pointing elsewhere) are refused here rather than read.
        names.as_fst().verify().map_err(|e| bad(format!("the names section is malformed: {e}")))?;
        Ok(Index { name, bytes, sections, names, languages, rows, max_sitelinks })
    }

    fn section(&self, which: usize) -> &[u8] {
        &self.bytes.as_ref().as_ref()[self.sections[which].clone()]
    }

    /// Where the names section (the FST) lies in the file.
    pub fn names_range(&self) -> Range<usize> {
        self.sections[NAMES].clone()
    }

    /// The label languages, in order of preference.
    pub fn languages(&self) -> &[String] {
        &self.languages
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.rows as usize
    }

    /// Whether the index has no items.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The most sitelinks of any item.
    pub fn max_sitelinks(&self) -> u32 {
        self.max_sitelinks
    }

    /// The numeric id of row `row` (rows are in id order).
    pub fn id(&self, row: u32) -> u64 {
        u64_at(self.section(IDS), row as usize * 8)
    }

    /// The row of the item `qid` ("Q42"), if the index has it.
    pub fn row(&self, qid: &str) -> Option<u32> {
        let id = numeric_id(qid);
        if id == 0 || format!("Q{id}") != qid {
            return None;
        }
        let (mut low, mut high) = (0u32, self.rows);
        while low < high {
            let middle = low + (high - low) / 2;
            match self.id(middle).cmp(&id) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }

    /// The item in row `row`, decoded.
    pub fn item(&self, row: u32) -> Result<Item, WikidataError> {
        let bad = || WikidataError::BadIndex { path: self.name.clone(), message: format!("the record of row {row} is malformed") };
        if row >= self.rows {
            return Err(bad());
        }
        let offsets = self.section(OFFSETS);
        let (start, end) = (u64_at(offsets, row as usize * 8) as usize, u64_at(offsets, (row as usize + 1) * 8) as usize);
        let mut reader = Reader::new(&self.section(RECORDS)[start..end]);
        decode_item(&mut reader, self.id(row)).filter(|_| reader.is_done()).ok_or_else(bad)
    }

    /// The rows whose normalised names equal `key`, with how each matched.
    pub fn lookup(&self, key: &str) -> Result<Vec<(u32, NameMatch)>, WikidataError> {
        let Some(offset) = self.names.get(key) else { return Ok(Vec::new()) };
        let bad = || WikidataError::BadIndex { path: self.name.clone(), message: format!("the postings of {key:?} are malformed") };
        let postings = self.section(POSTINGS);
        let mut reader = Reader::new(postings.get(offset as usize..).ok_or_else(bad)?);
        let count = reader.u32().ok_or_else(bad)?;
        let mut hits = Vec::with_capacity(count.min(1024) as usize);
        for _ in 0..count {
            let row = reader.u32().filter(|&r| r < self.rows).ok_or_else(bad)?;
            let how = reader.u8().and_then(name_match).ok_or_else(bad)?;
            hits.push((row, how));
        }
        Ok(hits)
    }
}

/// Writes an index of `items` (any order; of two with one id the later is kept) to `out`, in
/// memory.
pub fn write(out: &mut impl Write, languages: &[String], items: &[Item]) -> io::Result<()> {
    let mut writer = IndexWriter::new(languages, usize::MAX)?;
    for item in items {
        writer.add(item)?;
    }
    writer.finish(out).map(|_| ())
}

/// Writes an index from items in any order, in memory bounded by a budget whatever their number:
/// records go to a temporary file as they come; ids and names are sorted externally (sorted runs
/// spilled to temporary files, then merged), and the sections are assembled at the end.
pub struct IndexWriter {
    languages: Vec<String>,
    records: BufWriter<File>,
    records_len: u64,
    /// Id (big-endian), sequence number (big-endian), record offset and length.
    ids: ExternalSorter,
    /// Normalised name, 0, id and sequence number (big-endian), how it matches.
    names: ExternalSorter,
    seq: u64,
    max_sitelinks: u32,
}

impl IndexWriter {
    /// A writer that keeps at most about `memory` bytes of ids and names in memory.
    pub fn new(languages: &[String], memory: usize) -> io::Result<IndexWriter> {
        Ok(IndexWriter {
            languages: languages.to_vec(),
            records: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            records_len: 0,
            ids: ExternalSorter::new(memory / 4),
            names: ExternalSorter::new(memory - memory / 4),
            seq: 0,
            max_sitelinks: 0,
        })
    }

    /// Adds an item; of two with one id, the later is kept. Items without an item id are ignored.
    pub fn add(&mut self, item: &Item) -> io::Result<()> {
        let id = numeric_id(&item.id);
        if id == 0 {
            return Ok(());
        }
        let mut record = Vec::with_capacity(256);
        encode_item(&mut record, item);
        self.records.write_all(&record)?;
        let mut key = Vec::with_capacity(28);
        key.extend_from_slice(&id.to_be_bytes());
        key.extend_from_slice(&self.seq.to_be_bytes());
        key.extend_from_slice(&self.records_len.to_le_bytes());
        key.extend_from_slice(&(record.len() as u32).to_le_bytes());
        self.ids.push(key)?;
        self.records_len += record.len() as u64;
        for (name, how) in item_names(item) {
            let mut entry = Vec::with_capacity(name.len() + 18);
            entry.extend_from_slice(name.as_bytes());
            entry.push(0);
            entry.extend_from_slice(&id.to_be_bytes());
            entry.extend_from_slice(&self.seq.to_be_bytes());
            entry.push(how as u8);
            self.names.push(entry)?;
        }
        self.max_sitelinks = self.max_sitelinks.max(item.sitelinks);
        self.seq += 1;
        Ok(())
    }

    /// Sorted runs spilled to temporary files so far.
    pub fn spilled_runs(&self) -> usize {
        self.ids.runs() + self.names.runs()
    }

    /// Writes the index to `out`; returns the number of items.
    pub fn finish(self, out: &mut impl Write) -> io::Result<u64> {
        let records_in = self.records.into_inner().map_err(io::IntoInnerError::into_error)?;
        // Rows: the ids in order, the last of each id kept; its record copied in row order.
        let mut ids = Spool::new()?;
        let mut offsets = Spool::new()?;
        let mut records = Spool::new()?;
        let mut superseded = std::collections::HashSet::new();
        let mut rows = 0u64;
        let mut pending: Option<[u64; 4]> = None;
        let keep = |row: [u64; 4], ids: &mut Spool, offsets: &mut Spool, records: &mut Spool| -> io::Result<()> {
            let mut record = vec![0; row[3] as usize];
            std::os::unix::fs::FileExt::read_exact_at(&records_in, &mut record, row[2])?;
            ids.write(&row[0].to_le_bytes())?;
            offsets.write(&records.len.to_le_bytes())?;
            records.write(&record)
        };
        for entry in self.ids.finish()? {
            let entry = entry?;
            let row = [be64(&entry[0..8]), be64(&entry[8..16]), u64_at(&entry, 16), u64::from(u32_at(&entry, 24))];
            if let Some(previous) = pending.replace(row) {
                if previous[0] == row[0] {
                    superseded.insert(previous[1]);
                } else {
                    keep(previous, &mut ids, &mut offsets, &mut records)?;
                    rows += 1;
                }
            }
        }
        if let Some(last) = pending {
            keep(last, &mut ids, &mut offsets, &mut records)?;
            rows += 1;
        }
        offsets.write(&records.len.to_le_bytes())?;
        let ids = ids.finish()?;
        // SAFETY: a temporary file of this process, read-only from here on.
        let id_table = if rows == 0 { Bytes::Owned(Vec::new()) } else { Bytes::Mapped(unsafe { memmap2::Mmap::map(&ids.file) }?) };
        let id_table = id_table.as_ref();
        let row_of = |id: u64| -> Option<u32> {
            let (mut low, mut high) = (0usize, rows as usize);
            while low < high {
                let middle = low + (high - low) / 2;
                match u64_at(id_table, middle * 8).cmp(&id) {
                    std::cmp::Ordering::Less => low = middle + 1,
                    std::cmp::Ordering::Greater => high = middle,
                    std::cmp::Ordering::Equal => return Some(middle as u32),
                }
            }
            None
        };
        // Names: each with its rows (a row once, with its best match), through the FST.
        let mut postings = Spool::new()?;
        let mut fst = fst::MapBuilder::new(BufWriter::new(Spool::new()?)).map_err(io::Error::other)?;
        let mut current: Option<(Vec<u8>, Vec<(u32, u8)>)> = None;
        let flush = |name: Vec<u8>, hits: Vec<(u32, u8)>, postings: &mut Spool, fst: &mut fst::MapBuilder<BufWriter<Spool>>| -> io::Result<()> {
            fst.insert(&name, postings.len).map_err(io::Error::other)?;
            postings.write(&(hits.len() as u32).to_le_bytes())?;
            for (row, how) in hits {
                postings.write(&row.to_le_bytes())?;
                postings.write(&[how])?;
            }
            Ok(())
        };
        for entry in self.names.finish()? {
            let entry = entry?;
            let split = entry.len() - 17;
            let (name, tail) = (&entry[..split - 1], &entry[split..]);
            let (id, seq, how) = (be64(&tail[0..8]), be64(&tail[8..16]), tail[16]);
            if superseded.contains(&seq) {
                continue;
            }
            let Some(row) = row_of(id) else { continue };
            match &mut current {
                Some((current_name, hits)) if current_name.as_slice() == name => match hits.last_mut() {
                    Some(last) if last.0 == row => last.1 = last.1.max(how),
                    _ => hits.push((row, how)),
                },
                _ => {
                    if let Some((done, hits)) = current.replace((name.to_vec(), vec![(row, how)])) {
                        flush(done, hits, &mut postings, &mut fst)?;
                    }
                }
            }
        }
        if let Some((done, hits)) = current {
            flush(done, hits, &mut postings, &mut fst)?;
        }
        let fst = fst.into_inner().map_err(io::Error::other)?.into_inner().map_err(io::IntoInnerError::into_error)?;
        let mut meta = Vec::new();
        put_u32(&mut meta, self.languages.len() as u32);
        for language in &self.languages {
            put_str(&mut meta, language);
        }
        let rows32 = u32::try_from(rows).map_err(|_| io::Error::other("more than 4,294,967,295 items"))?;
        put_u32(&mut meta, rows32);
        put_u32(&mut meta, self.max_sitelinks);
        let mut meta_spool = Spool::new()?;
        meta_spool.write(&meta)?;
        let sections = [meta_spool.finish()?, ids, offsets.finish()?, records.finish()?, fst.finish()?, postings.finish()?];
        write_sections(out, sections)?;
        Ok(rows)
    }
}

impl ItemSink for IndexWriter {
    fn add(&mut self, item: Item) -> io::Result<()> {
        IndexWriter::add(self, &item)
    }
}

impl Items {
    /// The items as an index in memory, in the on-disk format.
    pub fn index(&self) -> Index {
        Index::from_items(&self.languages, &self.items)
    }
}

/// A section being written to a temporary file, with its length and checksum.
struct Spool {
    file: File,
    writer: Option<BufWriter<File>>,
    len: u64,
    crc: crc32fast::Hasher,
}

impl Spool {
    fn new() -> io::Result<Spool> {
        let file = tempfile::tempfile()?;
        Ok(Spool { writer: Some(BufWriter::with_capacity(1 << 20, file.try_clone()?)), file, len: 0, crc: crc32fast::Hasher::new() })
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.as_mut().expect("an unfinished spool").write_all(bytes)?;
        self.crc.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    fn finish(mut self) -> io::Result<Spool> {
        if let Some(writer) = self.writer.take() {
            writer.into_inner().map_err(io::IntoInnerError::into_error)?;
        }
        Ok(self)
    }
}

impl Write for Spool {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        Spool::write(self, bytes).map(|()| bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.as_mut().map_or(Ok(()), Write::flush)
    }
}

fn be64(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(bytes.try_into().expect("eight bytes"))
}

/// The normalised names of an item, each with how it matches: labels, aliases (weak when short or
/// common) and demonyms.
fn item_names(item: &Item) -> impl Iterator<Item = (String, NameMatch)> + '_ {
    let names = item
        .labels
        .iter()
        .map(|n| (n, NameMatch::Label))
        .chain(item.aliases.iter().map(|n| (n, NameMatch::Alias)))
        .chain(item.demonyms.iter().map(|n| (n, NameMatch::Demonym)));
    names.filter_map(|(name, how)| {
        let key = normalise(name);
        let how = if how == NameMatch::Alias && is_weak_alias(&key) { NameMatch::WeakAlias } else { how };
        (!key.is_empty()).then_some((key, how))
    })
}

fn write_sections(out: &mut impl Write, sections: [Spool; SECTIONS]) -> io::Result<()> {
    let mut header = Vec::with_capacity(HEADER_BYTES);
    header.extend_from_slice(&MAGIC);
    put_u32(&mut header, VERSION);
    put_u32(&mut header, SECTIONS as u32);
    let mut at = HEADER_BYTES as u64;
    for section in &sections {
        header.extend_from_slice(&at.to_le_bytes());
        header.extend_from_slice(&section.len.to_le_bytes());
        put_u32(&mut header, section.crc.clone().finalize());
        put_u32(&mut header, 0);
        at += section.len;
    }
    let crc = crc32fast::hash(&header);
    put_u32(&mut header, crc);
    out.write_all(&header)?;
    for mut section in sections {
        section.file.rewind()?;
        let copied = io::copy(&mut (&section.file).take(section.len), out)?;
        if copied != section.len {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "a temporary section file is shorter than written"));
        }
    }
    out.flush()
}

/// Recomputes the checksums of an index's sections and header after its bytes were edited, when
/// its header can still be read: for tests and fuzzing that corrupt an index past its checksums, to
/// reach the checks behind them.
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_BYTES || bytes[..MAGIC.len()] != MAGIC {
        return;
    }
    for i in 0..SECTIONS {
        let at = 16 + i * 24;
        let (start, len) = (u64_at(bytes, at), u64_at(bytes, at + 8));
        if let Some(section) = start.checked_add(len).filter(|&end| end <= bytes.len() as u64).map(|end| start as usize..end as usize) {
            let crc = crc32fast::hash(&bytes[section]);
            bytes[at + 16..at + 20].copy_from_slice(&crc.to_le_bytes());
        }
    }
    let crc = crc32fast::hash(&bytes[..HEADER_BYTES - 4]);
    bytes[HEADER_BYTES - 4..HEADER_BYTES].copy_from_slice(&crc.to_le_bytes());
}

fn name_match(byte: u8) -> Option<NameMatch> {
    Some(match byte {
        0 => NameMatch::Demonym,
        1 => NameMatch::WeakAlias,
        2 => NameMatch::Alias,
        3 => NameMatch::Label,
        _ => return None,
    })
}

fn encode_item(out: &mut Vec<u8>, item: &Item) {
    put_u32(out, item.sitelinks);
    put_strs(out, &item.labels);
    put_strs(out, &item.aliases);
    match &item.description {
        Some(description) => {
            out.push(1);
            put_str(out, description);
        }
        None => out.push(0),
    }
    for ids in [&item.p31, &item.p279, &item.related] {
        let numbers: Vec<u64> = ids.iter().map(|id| numeric_id(id)).filter(|&n| n != 0).collect();
        put_u32(out, numbers.len() as u32);
        for n in numbers {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    put_strs(out, &item.demonyms);
}

fn decode_item(reader: &mut Reader<'_>, id: u64) -> Option<Item> {
    let sitelinks = reader.u32()?;
    let labels = reader.strings()?;
    let aliases = reader.strings()?;
    let description = match reader.u8()? {
        0 => None,
        1 => Some(reader.string()?),
        _ => return None,
    };
    let mut lists = [Vec::new(), Vec::new(), Vec::new()];
    for list in &mut lists {
        let count = reader.u32()?;
        for _ in 0..count {
            list.push(format!("Q{}", reader.u64()?));
        }
    }
    let [p31, p279, related] = lists;
    let demonyms = reader.strings()?;
    Some(Item { id: format!("Q{id}"), labels, aliases, description, p31, p279, related, demonyms, sitelinks })
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_u32(out, text.len() as u32);
    out.extend_from_slice(text.as_bytes());
}

fn put_strs(out: &mut Vec<u8>, texts: &[String]) {
    put_u32(out, texts.len() as u32);
    for text in texts {
        put_str(out, text);
    }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four bytes"))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
}

/// Bounds-checked reading of little-endian values; `None` past the end or on bad text.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")))
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8).map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
    }

    fn string(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?).ok().map(str::to_string)
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        let count = self.u32()?;
        let mut out = Vec::with_capacity(count.min(64) as usize);
        for _ in 0..count {
            out.push(self.string()?);
        }
        Some(out)
    }

    fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<Item> {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        vec![
            Item {
                id: "Q90".into(),
                labels: strings(&["Paris"]),
                aliases: strings(&["City of Light", "PR"]),
                description: Some("capital of France".into()),
                p31: strings(&["Q515"]),
                related: strings(&["Q142"]),
                sitelinks: 400,
                ..Item::default()
            },
            Item { id: "Q142".into(), labels: strings(&["France"]), demonyms: strings(&["French"]), sitelinks: 500, ..Item::default() },
            Item { id: "Q7".into(), labels: strings(&["First"]), ..Item::default() },
            Item { id: "Q7".into(), labels: strings(&["Paris"]), p279: strings(&["Q90"]), ..Item::default() },
        ]
    }

    fn bytes() -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, &["en".to_string(), "fr".to_string()], &items()).unwrap();
        out
    }

    #[test]
    fn items_names_and_ids_round_trip() {
        let index = Index::from_bytes("test", bytes()).unwrap();
        assert_eq!((index.len(), index.max_sitelinks(), index.languages()), (3, 500, &["en".to_string(), "fr".to_string()][..]));
        assert_eq!((0..3).map(|r| index.id(r)).collect::<Vec<_>>(), [7, 90, 142], "rows in id order");
        assert_eq!(index.row("Q90"), Some(1));
        for absent in ["Q91", "Q090", "P90", "Q", ""] {
            assert_eq!(index.row(absent), None, "{absent}");
        }
        let paris = index.item(1).unwrap();
        assert_eq!(paris, items()[0]);
        assert_eq!(index.item(0).unwrap().labels, ["Paris"], "the later of two items with one id is kept");
        assert_eq!(index.lookup("paris").unwrap(), [(0, NameMatch::Label), (1, NameMatch::Label)]);
        assert_eq!(index.lookup("city of light").unwrap(), [(1, NameMatch::Alias)]);
        assert_eq!(index.lookup("pr").unwrap(), [(1, NameMatch::WeakAlias)]);
        assert_eq!(index.lookup("french").unwrap(), [(2, NameMatch::Demonym)]);
        assert_eq!(index.lookup("first").unwrap(), [], "the replaced item's names are gone");
        assert!(index.item(3).is_err());
    }

    #[test]
    fn a_small_memory_budget_spills_and_writes_the_same_bytes() {
        let mut many = Vec::new();
        for n in (1..=400u32).rev() {
            let mut item = items()[n as usize % 4].clone();
            item.id = format!("Q{}", n % 350 + 1);
            item.labels.push(format!("name {n}"));
            many.push(item);
        }
        let mut unbounded = Vec::new();
        write(&mut unbounded, &["en".to_string()], &many).unwrap();
        let mut writer = IndexWriter::new(&["en".to_string()], 2000).unwrap();
        for item in &many {
            writer.add(item).unwrap();
        }
        assert!(writer.spilled_runs() > 10, "{} runs", writer.spilled_runs());
        let mut bounded = Vec::new();
        assert_eq!(writer.finish(&mut bounded).unwrap(), 350);
        assert!(bounded == unbounded, "the same index whatever the budget");
        let index = Index::from_bytes("idx", bounded).unwrap();
        assert_eq!(index.item(index.row("Q2").unwrap()).unwrap().labels.last().unwrap(), "name 1", "the later Q2 kept");
        assert_eq!(index.lookup("name 351").unwrap(), [], "an item replaced by a later one loses its names");
        assert_eq!(index.lookup("name 1").unwrap(), [(1, NameMatch::Label)]);
    }

    #[test]
    fn a_file_is_mapped_and_a_foreign_or_old_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wikidata.idx");
        std::fs::write(&path, bytes()).unwrap();
        let index = Index::open(&path).unwrap();
        assert_eq!(index.lookup("france").unwrap(), [(2, NameMatch::Label)]);
        let message = |bytes: Vec<u8>| Index::from_bytes("idx", bytes).unwrap_err().to_string();
        assert_eq!(message(b"{\"factgraph_wikidata_index\":1}\n".to_vec()), "idx: not a factgraph Wikidata index (build one with `factgraph wikidata index`)");
        let mut old = bytes();
        old[8] = 2;
        assert_eq!(message(old), "idx: format version 2, this build reads version 1: rebuild the index");
        let missing = Index::open(&dir.path().join("none.idx")).unwrap_err();
        assert!(matches!(missing, WikidataError::Io { .. }), "{missing}");
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        let good = bytes();
        for len in 0..good.len() {
            let error = Index::from_bytes("idx", good[..len].to_vec()).unwrap_err().to_string();
            assert!(error.contains("truncated") || error.contains("not a factgraph") || error.contains("corrupted"), "{len}: {error}");
        }
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            let error = Index::from_bytes("idx", bad).unwrap_err().to_string();
            assert!(error.contains("corrupted") || error.contains("not a factgraph") || error.contains("version"), "{at}: {error}");
        }
    }

    /// Past the checksums (a file edited and resealed), every change to the tables and records is
    /// refused at open or gives an error or the same answers, never a panic or a row out of range.
    /// The names section is the FST's own format, trusted once its checksum holds.
    #[test]
    fn resealed_edits_are_refused_or_read_safely() {
        let good = bytes();
        let names = Index::from_bytes("idx", good.clone()).unwrap().names_range();
        for at in (HEADER_BYTES..good.len()).filter(|at| !names.contains(at)) {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[at] ^= flip;
                reseal(&mut bad);
                let Ok(index) = Index::from_bytes("idx", bad) else { continue };
                for row in 0..index.len() as u32 + 1 {
                    let _ = index.item(row);
                }
                for key in ["paris", "france", "french", "pr", "city of light", "first"] {
                    if let Ok(hits) = index.lookup(key) {
                        assert!(hits.iter().all(|&(row, _)| (row as usize) < index.len()), "{at}: {hits:?}");
                    }
                }
            }
        }
    }
}
