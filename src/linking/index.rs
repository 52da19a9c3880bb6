//! The linker's index on disk, opened without loading it.
//!
//! One file, memory-mapped: a header (magic, format version, seven sections each with its offset and
//! length, the small sections' CRC-32, and the header's own CRC-32), then the sections:
//!
//! | section | what |
//! |---|---|
//! | meta | the label languages, the item count, the most sitelinks of any item, the number of shared descriptions |
//! | checks | the CRC-32 of every [`BLOCK`]-byte block of the five sections below |
//! | groups | per [`GROUP`] rows: the first row's numeric item id (u64) and where the group starts in `rows` (u64) |
//! | rows | per row, in id order: the id's increase over the previous row of its group (a varint), then the record: sitelinks, the first label, the description cut to [`DESCRIPTION_BYTES`] (inline, or the number of a shared one), the counts of the three lists below in one byte, then P31 and P279 (ascending ids as increases, varints) and the related items the index holds, as rows the same way |
//! | names | an FST from each normalised name ([`normalise`]) to its postings |
//! | postings | per name: a count, then per row its increase over the previous row and how the name matched, in one varint |
//! | descriptions | the descriptions many items share, most frequent first: where each ends (u32), then their text |
//!
//! Opening reads only the header, meta and checks (both checked against their CRC-32) and the
//! FST's header, footer and root node, so it costs the same at any size. A block of the other
//! sections is checked against its CRC-32 the first time a read touches it (the FST node by node,
//! each node's bytes before `fst` reads them), so a truncated, corrupted or foreign file gives an
//! error, never a wrong answer or a panic. Records are decoded on demand with every length
//! bounds-checked. Names are normalised when the index is written: a change to [`normalise`] or to
//! what makes an alias weak needs a new [`VERSION`].

use crate::linking::keep::{ClassGraph, Keep, KeepReport, Verdict};
use crate::linking::names::{is_weak_alias, normalise, NameMatch};
use crate::linking::wikidata::{numeric_id, Item, ItemSink, Items, WikidataError};
use crate::linking::sort::ExternalSorter;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The first eight bytes of an index file.
pub const MAGIC: [u8; 8] = *b"FGWDIDX\0";
/// The format version this build writes and reads.
pub const VERSION: u32 = 3;
/// The bytes of a checked block of the groups, rows, names, postings and descriptions sections.
pub const BLOCK: usize = 16 << 10;
/// Rows per group: a row is found from its group's start by skipping at most this many records.
pub const GROUP: usize = 64;
/// The most bytes of a description the index keeps, cut at a word's end.
pub const DESCRIPTION_BYTES: usize = 48;
/// The most distinct descriptions counted while an index is written, and so the most it shares.
pub const SHARED_DESCRIPTIONS: usize = 1 << 16;

const SECTIONS: usize = 7;
const META: usize = 0;
const CHECKS: usize = 1;
const GROUPS: usize = 2;
const ROWS: usize = 3;
const NAMES: usize = 4;
const POSTINGS: usize = 5;
const DESCRIPTIONS: usize = 6;
/// The sections checked block by block, when touched.
const BLOCKED: Range<usize> = GROUPS..SECTIONS;
const SECTION_NAMES: [&str; SECTIONS] = ["meta", "checks", "groups", "rows", "names", "postings", "descriptions"];
/// Magic, version, section count, seven (offset, length, crc, reserved), the header's crc.
const HEADER_BYTES: usize = 8 + 4 + 4 + SECTIONS * 24 + 4;
/// The most bytes an FST node spans before its address: 256 transitions of an input byte, an
/// address and an output of up to eight bytes each, the 256-byte transition index, the final
/// output and the state bytes.
const FST_NODE_BYTES: usize = 256 * 17 + 256 + 32;
/// The FST's footer: its length, root address and checksum.
const FST_FOOTER_BYTES: usize = 24;

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
    blocks: Blocks,
    names: fst::Map<Section>,
    languages: Vec<String>,
    rows: u32,
    max_sitelinks: u32,
    /// The number of shared descriptions.
    shared: u32,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("name", &self.name).field("rows", &self.rows).field("languages", &self.languages).finish()
    }
}

/// Where each section lies in `data` by the header, if it is within the data.
fn section_table(data: &[u8]) -> Option<[Range<usize>; SECTIONS]> {
    let mut sections: [Range<usize>; SECTIONS] = Default::default();
    for (i, section) in sections.iter_mut().enumerate() {
        let at = 16 + i * 24;
        let (start, len) = (u64_at(data, at), u64_at(data, at + 8));
        let end = start.checked_add(len).filter(|&end| end <= data.len() as u64)?;
        *section = start as usize..end as usize;
    }
    Some(sections)
}

/// The number of blocks of each section, and the first block of each in the checks section.
fn block_layout(sections: &[Range<usize>; SECTIONS]) -> ([usize; SECTIONS], usize) {
    let mut first = [0; SECTIONS];
    let mut total = 0;
    for i in BLOCKED {
        first[i] = total;
        total += sections[i].len().div_ceil(BLOCK);
    }
    (first, total)
}

/// Which blocks of the blocked sections have been checked against their CRC-32.
struct Blocks {
    /// The first block of each blocked section in the checks section.
    first: [usize; SECTIONS],
    /// One bit per block: set once the block matched its checksum.
    checked: Vec<AtomicU64>,
}

impl Blocks {
    /// Checks the blocks of section `which` that `range` (within the section) touches, each the
    /// first time; the error says what is wrong.
    fn check(&self, data: &[u8], sections: &[Range<usize>; SECTIONS], which: usize, range: Range<usize>) -> Result<(), String> {
        let section = &sections[which];
        if range.start > range.end || range.end > section.len() {
            return Err(format!("the {} section is malformed (a read past its end)", SECTION_NAMES[which]));
        }
        if range.is_empty() {
            return Ok(());
        }
        let checks = &data[sections[CHECKS].clone()];
        for block in range.start / BLOCK..=(range.end - 1) / BLOCK {
            let global = self.first[which] + block;
            let (word, bit) = (&self.checked[global / 64], 1u64 << (global % 64));
            if word.load(Ordering::Relaxed) & bit != 0 {
                continue;
            }
            let bytes = &data[section.start + block * BLOCK..section.start + ((block + 1) * BLOCK).min(section.len())];
            if crc32fast::hash(bytes) != u32_at(checks, global * 4) {
                return Err(format!("the {} section is corrupted (checksum mismatch in block {block})", SECTION_NAMES[which]));
            }
            word.fetch_or(bit, Ordering::Relaxed);
        }
        Ok(())
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
        if data.len() < 12 {
            return Err(bad(format!("truncated: {} bytes, shorter than the header", data.len())));
        }
        let version = u32_at(data, 8);
        if version != VERSION {
            return Err(bad(format!("format version {version}, this build reads version {VERSION}: rebuild the index")));
        }
        if data.len() < HEADER_BYTES {
            return Err(bad(format!("truncated: {} bytes, shorter than the header", data.len())));
        }
        if u32_at(data, 12) as usize != SECTIONS || crc32fast::hash(&data[..HEADER_BYTES - 4]) != u32_at(data, HEADER_BYTES - 4) {
            return Err(bad("the header is corrupted (checksum mismatch)".into()));
        }
        let Some(sections) = section_table(data) else {
            return Err(bad(format!("truncated: a section ends past the file's {} bytes", data.len())));
        };
        for i in [META, CHECKS] {
            if crc32fast::hash(&data[sections[i].clone()]) != u32_at(data, 16 + i * 24 + 16) {
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
            Some((languages, meta.u32()?, meta.u32()?, meta.u32()?))
        })();
        let Some((languages, rows, max_sitelinks, shared)) = parsed.filter(|_| meta.is_done()) else { return Err(bad("the meta section is malformed".into())) };
        let (first_block, blocks) = block_layout(&sections);
        if sections[CHECKS].len() != blocks * 4 || sections[GROUPS].len() != (rows as usize).div_ceil(GROUP) * 16 {
            return Err(bad(format!("the checks and groups sections do not fit {rows} items")));
        }
        if sections[DESCRIPTIONS].len() < shared as usize * 4 {
            return Err(bad(format!("the descriptions section does not fit {shared} descriptions")));
        }
        let blocks = Blocks { first: first_block, checked: (0..blocks.div_ceil(64)).map(|_| AtomicU64::new(0)).collect() };
        // The FST's header, and its footer with the root node before it, are read when it opens.
        let fst_len = sections[NAMES].len();
        blocks.check(data, &sections, NAMES, 0..fst_len.min(16)).map_err(bad)?;
        blocks.check(data, &sections, NAMES, fst_len.saturating_sub(FST_FOOTER_BYTES + FST_NODE_BYTES)..fst_len).map_err(bad)?;
        let bytes = Arc::new(bytes);
        let names_section = Section { bytes: Arc::clone(&bytes), range: sections[NAMES].clone() };
        let names = fst::Map::new(names_section).map_err(|e| bad(format!("the names section is malformed: {e}")))?;
        Ok(Index { name, bytes, sections, blocks, names, languages, rows, max_sitelinks, shared })
    }

    fn bad(&self, message: String) -> WikidataError {
        WikidataError::BadIndex { path: self.name.clone(), message }
    }

    /// The bytes `range` of section `which`, their blocks checked.
    fn checked(&self, which: usize, range: Range<usize>) -> Result<&[u8], WikidataError> {
        let data = self.bytes.as_ref().as_ref();
        self.blocks.check(data, &self.sections, which, range.clone()).map_err(|m| self.bad(m))?;
        Ok(&data[self.sections[which].clone()][range])
    }

    /// The bytes of section `which` from `start` to at most `len` further (less at its end), checked.
    fn checked_from(&self, which: usize, start: usize, len: usize) -> Result<&[u8], WikidataError> {
        let end = start.saturating_add(len).min(self.sections[which].len()).max(start);
        self.checked(which, start..end)
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

    /// Group `group`'s first id and the bytes of its rows, checked.
    fn group(&self, group: usize) -> Result<(u64, &[u8]), WikidataError> {
        let entry = self.checked(GROUPS, group * 16..group * 16 + 16)?;
        let (first, start) = (u64_at(entry, 0), u64_at(entry, 8));
        let end = if (group + 2) * 16 <= self.sections[GROUPS].len() {
            u64_at(self.checked(GROUPS, (group + 1) * 16..(group + 2) * 16)?, 8)
        } else {
            self.sections[ROWS].len() as u64
        };
        if start > end || end > self.sections[ROWS].len() as u64 {
            return Err(self.bad(format!("the groups section is malformed (group {group})")));
        }
        Ok((first, self.checked(ROWS, start as usize..end as usize)?))
    }

    /// The id and record bytes of row `row`.
    fn record(&self, row: u32) -> Result<(u64, &[u8]), WikidataError> {
        if row >= self.rows {
            return Err(self.bad(format!("row {row} is past the index's {} items", self.rows)));
        }
        let (mut id, bytes) = self.group(row as usize / GROUP)?;
        let mut reader = Reader::new(bytes);
        for _ in 0..row as usize % GROUP {
            next_record(&mut reader, &mut id).ok_or_else(|| self.bad(format!("the record of row {row} is malformed")))?;
        }
        let record = next_record(&mut reader, &mut id).ok_or_else(|| self.bad(format!("the record of row {row} is malformed")))?;
        Ok((id, record))
    }

    /// The numeric id of row `row` (rows are in id order).
    pub fn id(&self, row: u32) -> Result<u64, WikidataError> {
        self.record(row).map(|(id, _)| id)
    }

    /// The row of the item `qid` ("Q42"), if the index has it; `None` too when the blocks the
    /// search reads are corrupted (see [`Index::find_row`]).
    pub fn row(&self, qid: &str) -> Option<u32> {
        self.find_row(qid).ok().flatten()
    }

    /// The row of the item `qid` ("Q42"), if the index has it, or why it could not be searched.
    pub fn find_row(&self, qid: &str) -> Result<Option<u32>, WikidataError> {
        let id = numeric_id(qid);
        if id == 0 || format!("Q{id}") != qid || self.rows == 0 {
            return Ok(None);
        }
        // The last group whose first id is at most `id`.
        let groups = (self.rows as usize).div_ceil(GROUP);
        let (mut low, mut high) = (0usize, groups);
        while low < high {
            let middle = low + (high - low) / 2;
            if u64_at(self.checked(GROUPS, middle * 16..middle * 16 + 8)?, 0) <= id {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let Some(group) = low.checked_sub(1) else { return Ok(None) };
        let (mut current, bytes) = self.group(group)?;
        let mut reader = Reader::new(bytes);
        let in_group = GROUP.min(self.rows as usize - group * GROUP);
        for i in 0..in_group {
            next_record(&mut reader, &mut current).ok_or_else(|| self.bad(format!("the rows of group {group} are malformed")))?;
            if current >= id {
                return Ok((current == id).then_some((group * GROUP + i) as u32));
            }
        }
        Ok(None)
    }

    /// The item in row `row`, decoded: what the index keeps of it (see [`kept`]).
    pub fn item(&self, row: u32) -> Result<Item, WikidataError> {
        let (id, record) = self.record(row)?;
        let mut reader = Reader::new(record);
        let malformed = || self.bad(format!("the record of row {row} is malformed"));
        let (mut item, shared, related) = decode_item(&mut reader, id).filter(|_| reader.is_done()).ok_or_else(malformed)?;
        if let Some(number) = shared {
            item.description = Some(self.shared_description(number)?).filter(|d| !d.is_empty());
        }
        for target in related {
            let target = u32::try_from(target).map_err(|_| malformed())?;
            item.related.push(format!("Q{}", self.id(target)?));
        }
        Ok(item)
    }

    /// The shared description number `number`, checked.
    fn shared_description(&self, number: u64) -> Result<String, WikidataError> {
        let bad = || self.bad(format!("the descriptions section is malformed (description {number})"));
        let n = usize::try_from(number).ok().filter(|&n| n < self.shared as usize).ok_or_else(bad)?;
        let table = self.shared as usize * 4;
        let end = u32_at(self.checked(DESCRIPTIONS, n * 4..n * 4 + 4)?, 0) as usize;
        let start = if n == 0 { 0 } else { u32_at(self.checked(DESCRIPTIONS, n * 4 - 4..n * 4)?, 0) as usize };
        if start > end || end > self.sections[DESCRIPTIONS].len() - table {
            return Err(bad());
        }
        String::from_utf8(self.checked(DESCRIPTIONS, table + start..table + end)?.to_vec()).map_err(|_| bad())
    }

    /// The postings offset of a normalised name, reading the FST node by node, each node's bytes
    /// checked before `fst` reads them.
    fn name_offset(&self, key: &[u8]) -> Result<Option<usize>, WikidataError> {
        let fst = self.names.as_fst();
        let mut node = fst.root();
        let mut out = fst::raw::Output::zero();
        for &byte in key {
            let Some(i) = node.find_input(byte) else { return Ok(None) };
            let transition = node.transition(i);
            out = out.cat(transition.out);
            self.checked(NAMES, transition.addr.saturating_sub(FST_NODE_BYTES)..transition.addr.saturating_add(1))?;
            node = fst.node(transition.addr);
        }
        if !node.is_final() {
            return Ok(None);
        }
        Ok(Some(usize::try_from(out.cat(node.final_output()).value()).unwrap_or(usize::MAX)))
    }

    /// The rows whose normalised names equal `key`, with how each matched.
    pub fn lookup(&self, key: &str) -> Result<Vec<(u32, NameMatch)>, WikidataError> {
        let Some(offset) = self.name_offset(key.as_bytes())? else { return Ok(Vec::new()) };
        let bad = || self.bad(format!("the postings of {key:?} are malformed"));
        let mut reader = Reader::new(self.checked_from(POSTINGS, offset, 10)?);
        let count = reader.varint().filter(|&c| c <= u64::from(self.rows)).ok_or_else(bad)?;
        // A posting is at most five bytes: a row's increase (32 bits) and how it matched (2).
        let mut reader = Reader::new(self.checked_from(POSTINGS, offset, reader.at + count as usize * 5)?);
        reader.varint();
        let mut hits = Vec::with_capacity(count as usize);
        let mut row = 0u64;
        for i in 0..count {
            let posting = reader.varint().ok_or_else(bad)?;
            row = if i == 0 { posting >> 2 } else { row + (posting >> 2) };
            let how = name_match((posting & 3) as u8).ok_or_else(bad)?;
            let row = u32::try_from(row).ok().filter(|&r| r < self.rows).ok_or_else(bad)?;
            hits.push((row, how));
        }
        Ok(hits)
    }
}

/// The next record of a group: adds its id's increase to `id` and returns its bytes, found by
/// skipping its fields.
fn next_record<'a>(reader: &mut Reader<'a>, id: &mut u64) -> Option<&'a [u8]> {
    *id = id.checked_add(reader.varint()?)?;
    let start = reader.at;
    reader.varint()?;
    let label = usize::try_from(reader.varint()?).ok()?;
    reader.take(label)?;
    let description = reader.varint()?;
    if description & 1 == 0 {
        reader.take(usize::try_from(description >> 1).ok()?)?;
    }
    let [p31, p279, related] = read_counts(reader)?;
    for _ in 0..p31.checked_add(p279)?.checked_add(related)? {
        reader.varint()?;
    }
    Some(&reader.bytes[start..reader.at])
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

/// What the index keeps of an item, as [`Index::item`] gives it back: the first label (the others,
/// the aliases and the demonyms are in the names section, normalised), the description cut at a
/// word's end to at most [`DESCRIPTION_BYTES`], and the P31, P279 and related items as ascending
/// ids without repeats (the index keeps the related items it holds, by their rows).
pub fn kept(item: &Item) -> Item {
    let kept = Kept::of(item);
    let text = |text: &str| (!text.is_empty()).then(|| text.to_string());
    let qids = |numbers: Vec<u64>| numbers.into_iter().map(|n| format!("Q{n}")).collect();
    Item {
        id: item.id.clone(),
        labels: text(kept.label).into_iter().collect(),
        aliases: Vec::new(),
        description: text(kept.description),
        p31: qids(kept.p31),
        p279: qids(kept.p279),
        related: qids(kept.related),
        demonyms: Vec::new(),
        sitelinks: item.sitelinks,
    }
}

/// A description cut to at most [`DESCRIPTION_BYTES`], at the end of a word when it is longer (a
/// single longer word between two characters).
fn cut_description(text: &str) -> &str {
    if text.len() <= DESCRIPTION_BYTES {
        return text;
    }
    let mut end = DESCRIPTION_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &text[..end];
    let whole_words = if text[end..].starts_with(char::is_whitespace) { cut } else { cut.rfind(char::is_whitespace).map_or(cut, |at| &cut[..at]) };
    whole_words.trim_end()
}

/// Writes an index from items in any order, in memory bounded by a budget whatever their number:
/// records go to a temporary file as they come; ids and names are sorted externally (sorted runs
/// spilled to temporary files, then merged), and the sections are assembled at the end.
pub struct IndexWriter {
    languages: Vec<String>,
    keep: Keep,
    /// With [`Keep`] other than all: the P279 edges and P31 combinations read.
    classes: ClassGraph,
    records: BufWriter<File>,
    records_len: u64,
    /// Id (big-endian), sequence number (big-endian), record offset and length; with [`Keep`]
    /// other than all, then whether it has a name (a byte) and its P31 classes (ascending).
    ids: ExternalSorter,
    /// Normalised name, 0, id and sequence number (big-endian), how it matches.
    names: ExternalSorter,
    seq: u64,
    max_sitelinks: u32,
    descriptions: DescriptionCounts,
    record: Vec<u8>,
}

impl IndexWriter {
    /// A writer that keeps at most about `memory` bytes of ids and names in memory.
    pub fn new(languages: &[String], memory: usize) -> io::Result<IndexWriter> {
        Ok(IndexWriter {
            languages: languages.to_vec(),
            keep: Keep::default(),
            classes: ClassGraph::default(),
            records: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            records_len: 0,
            ids: ExternalSorter::new(memory / 4),
            names: ExternalSorter::new(memory - memory / 4),
            seq: 0,
            max_sitelinks: 0,
            descriptions: DescriptionCounts::default(),
            record: Vec::with_capacity(256),
        })
    }

    /// Keeps only the items `keep` says (see [`crate::linking::keep`]); the default keeps all.
    pub fn keep(mut self, keep: Keep) -> IndexWriter {
        self.keep = keep;
        self
    }

    /// Adds an item; of two with one id, the later is kept. Items without an item id are ignored.
    pub fn add(&mut self, item: &Item) -> io::Result<()> {
        let id = numeric_id(&item.id);
        if id == 0 {
            return Ok(());
        }
        let kept = Kept::of(item);
        self.descriptions.add(kept.description);
        self.record.clear();
        kept.encode(&mut self.record);
        self.records.write_all(&self.record)?;
        let mut key = Vec::with_capacity(28);
        key.extend_from_slice(&id.to_be_bytes());
        key.extend_from_slice(&self.seq.to_be_bytes());
        key.extend_from_slice(&self.records_len.to_le_bytes());
        key.extend_from_slice(&(self.record.len() as u32).to_le_bytes());
        if !self.keep.all() {
            let named = item_names(item).next().is_some();
            self.classes.add(id, &kept.p279, (named || !self.keep.languages).then_some(&kept.p31[..]));
            key.push(u8::from(named));
            put_ascending(&mut key, &kept.p31);
        }
        self.ids.push(key)?;
        self.records_len += self.record.len() as u64;
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

    /// Writes the index to `out`; returns what it kept and dropped.
    pub fn finish(self, out: &mut impl Write) -> io::Result<KeepReport> {
        let IndexWriter { languages, keep, classes, records, records_len, ids, names, max_sitelinks, descriptions, .. } = self;
        let records_in = records.into_inner().map_err(io::IntoInnerError::into_error)?;
        let classes = classes.finish(&keep);
        let mut report = KeepReport::default();
        let mut id_spool = Spool::new()?;
        let mut kept_records = Spool::new()?;
        let mut firsts = Vec::new();
        let mut superseded = std::collections::HashSet::new();
        let mut rows = 0u64;
        let names = std::thread::scope(|scope| -> io::Result<crate::linking::sort::Sorted> {
            // The names are sorted on another core while the ids are read.
            let names = scope.spawn(move || names.finish());
            // Rows: the ids in order, the last of each id kept, into a temporary id table (to find
            // rows by id below) with where each kept record is, and each group's first id.
            let mut pending: Option<([u64; 4], Verdict)> = None;
            let mut keep_row = |(row, verdict): ([u64; 4], Verdict)| -> io::Result<()> {
                match verdict {
                    Verdict::WithoutName => report.without_name += 1,
                    Verdict::NotTyped => report.not_typed += 1,
                    Verdict::Class => report.classes += 1,
                    Verdict::Candidate => {}
                }
                if matches!(verdict, Verdict::WithoutName | Verdict::NotTyped) {
                    return Ok(());
                }
                if rows % GROUP as u64 == 0 {
                    firsts.push(row[0]);
                }
                id_spool.write(&row[0].to_le_bytes())?;
                kept_records.write(&row[2].to_le_bytes())?;
                kept_records.write(&row[3].to_le_bytes())?;
                rows += 1;
                Ok(())
            };
            for entry in ids.finish()? {
                let entry = entry?;
                let row = [be64(&entry[0..8]), be64(&entry[8..16]), u64_at(&entry, 16), u64::from(u32_at(&entry, 24))];
                let verdict = match entry.get(28) {
                    None => Verdict::Candidate,
                    Some(&named) => {
                        let p31 = read_ascending(&mut Reader::new(&entry[29..])).ok_or_else(|| io::Error::other("a temporary id entry is malformed"))?;
                        classes.verdict(&keep, row[0], named == 1, &p31)
                    }
                };
                if let Some((previous, previous_verdict)) = pending.replace((row, verdict)) {
                    if previous[0] == row[0] {
                        superseded.insert(previous[1]);
                    } else {
                        keep_row((previous, previous_verdict))?;
                    }
                }
            }
            if let Some(last) = pending {
                keep_row(last)?;
            }
            names.join().expect("sorting names does not panic")
        })?;
        let (id_spool, kept_records) = (id_spool.finish()?, kept_records.finish()?);
        // SAFETY: temporary files of this process, read-only from here on.
        let map = |file: &File, len: u64| -> io::Result<Bytes> { Ok(if len == 0 { Bytes::Owned(Vec::new()) } else { Bytes::Mapped(unsafe { memmap2::Mmap::map(file) }?) }) };
        let (id_table, kept_table) = (map(&id_spool.file, id_spool.len)?, map(&kept_records.file, kept_records.len)?);
        let records_table = map(&records_in, records_len)?;
        let (id_table, kept_table, records_table, firsts) = (id_table.as_ref(), kept_table.as_ref(), records_table.as_ref(), &firsts);
        // A row by its id: the group whose first id is the last at most `id` (a table in
        // memory), then a search of its rows.
        let row_of = |id: u64| -> Option<u32> {
            let group = firsts.partition_point(|&first| first <= id).checked_sub(1)?;
            let (mut low, mut high) = (group * GROUP, (group * GROUP + GROUP).min(rows as usize));
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
        // The descriptions shared, each numbered, and their section.
        let shared_texts = descriptions.shared();
        let shared: HashMap<&[u8], u64> = shared_texts.iter().enumerate().map(|(n, text)| (&text[..], n as u64)).collect();
        let mut descriptions_out = Spool::new()?;
        let mut end = 0u32;
        for text in &shared_texts {
            end += text.len() as u32;
            descriptions_out.write(&end.to_le_bytes())?;
        }
        for text in &shared_texts {
            descriptions_out.write(text)?;
        }
        let (shared, row_of) = (&shared, &row_of);
        std::thread::scope(|scope| {
            // The records in row order (on another core), with each group's first id and start.
            let writing_rows = scope.spawn(move || -> io::Result<(Spool, Spool)> {
                let mut groups = Spool::new()?;
                let mut rows_out = Spool::new()?;
                let mut row_bytes = Vec::with_capacity(256);
                let mut previous_id = 0u64;
                for row in 0..rows as usize {
                    let id = u64_at(id_table, row * 8);
                    let start = u64_at(kept_table, row * 16) as usize;
                    let record = records_table.get(start..start + u64_at(kept_table, row * 16 + 8) as usize);
                    let record = record.ok_or_else(|| io::Error::other("a temporary record is past its file's end"))?;
                    if row % GROUP == 0 {
                        groups.write(&id.to_le_bytes())?;
                        groups.write(&rows_out.len.to_le_bytes())?;
                        previous_id = id;
                    }
                    row_bytes.clear();
                    put_varint(&mut row_bytes, id - previous_id);
                    final_record(record, &mut row_bytes, shared, row_of).ok_or_else(|| io::Error::other("a temporary record is malformed"))?;
                    rows_out.write(&row_bytes)?;
                    previous_id = id;
                }
                Ok((groups.finish()?, rows_out.finish()?))
            });
            // Names: each with its rows (a row once, with its best match), through the FST.
            let mut postings = Spool::new()?;
            let mut fst = fst::MapBuilder::new(BufWriter::new(Spool::new()?)).map_err(io::Error::other)?;
            let mut current: Option<(Vec<u8>, Vec<(u32, u8)>)> = None;
            let mut entry_bytes = Vec::new();
            let mut flush = |name: Vec<u8>, hits: Vec<(u32, u8)>, postings: &mut Spool, fst: &mut fst::MapBuilder<BufWriter<Spool>>| -> io::Result<()> {
                fst.insert(&name, postings.len).map_err(io::Error::other)?;
                entry_bytes.clear();
                put_varint(&mut entry_bytes, hits.len() as u64);
                let mut previous = 0;
                for (row, how) in hits {
                    put_varint(&mut entry_bytes, u64::from(row - previous) << 2 | u64::from(how));
                    previous = row;
                }
                postings.write(&entry_bytes)
            };
            for entry in names {
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
            let (groups, rows_out) = writing_rows.join().expect("writing rows does not panic")?;
            let mut meta = Vec::new();
            put_u32(&mut meta, languages.len() as u32);
            for language in &languages {
                put_str(&mut meta, language);
            }
            let rows32 = u32::try_from(rows).map_err(|_| io::Error::other("more than 4,294,967,295 items"))?;
            put_u32(&mut meta, rows32);
            put_u32(&mut meta, max_sitelinks);
            put_u32(&mut meta, shared_texts.len() as u32);
            let mut meta_spool = Spool::new()?;
            meta_spool.write(&meta)?;
            let blocked = [groups, rows_out, fst.finish()?, postings.finish()?, descriptions_out.finish()?];
            let mut checks = Spool::new()?;
            for section in &blocked {
                for crc in &section.blocks {
                    checks.write(&crc.to_le_bytes())?;
                }
            }
            let [groups, rows_out, fst, postings, descriptions_out] = blocked;
            write_sections(out, [meta_spool.finish()?, checks.finish()?, groups, rows_out, fst, postings, descriptions_out])?;
            report.items = rows;
            Ok(report)
        })
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

/// A section being written to a temporary file, with its length, its checksum and the checksums of
/// its [`BLOCK`]-byte blocks.
struct Spool {
    file: File,
    writer: Option<BufWriter<File>>,
    len: u64,
    crc: crc32fast::Hasher,
    blocks: Vec<u32>,
    block: crc32fast::Hasher,
}

impl Spool {
    fn new() -> io::Result<Spool> {
        let file = tempfile::tempfile()?;
        let writer = Some(BufWriter::with_capacity(1 << 20, file.try_clone()?));
        Ok(Spool { writer, file, len: 0, crc: crc32fast::Hasher::new(), blocks: Vec::new(), block: crc32fast::Hasher::new() })
    }

    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        self.writer.as_mut().expect("an unfinished spool").write_all(bytes)?;
        self.crc.update(bytes);
        while !bytes.is_empty() {
            let room = BLOCK - (self.len as usize % BLOCK);
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            self.block.update(now);
            self.len += now.len() as u64;
            if self.len as usize % BLOCK == 0 {
                self.blocks.push(std::mem::replace(&mut self.block, crc32fast::Hasher::new()).finalize());
            }
            bytes = rest;
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<Spool> {
        if let Some(writer) = self.writer.take() {
            writer.into_inner().map_err(io::IntoInnerError::into_error)?;
            if self.len as usize % BLOCK != 0 {
                self.blocks.push(std::mem::replace(&mut self.block, crc32fast::Hasher::new()).finalize());
            }
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
    for (i, section) in sections.iter().enumerate() {
        header.extend_from_slice(&at.to_le_bytes());
        header.extend_from_slice(&section.len.to_le_bytes());
        put_u32(&mut header, if BLOCKED.contains(&i) { 0 } else { section.crc.clone().finalize() });
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

/// Recomputes the checksums of an index's blocks, sections and header after its bytes were edited,
/// when its header can still be read: for tests and fuzzing that corrupt an index past its
/// checksums, to reach the checks behind them.
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() < HEADER_BYTES || bytes[..MAGIC.len()] != MAGIC {
        return;
    }
    let Some(sections) = section_table(bytes) else { return };
    let (first, blocks) = block_layout(&sections);
    if sections[CHECKS].len() == blocks * 4 {
        for i in BLOCKED {
            for (b, block) in bytes[sections[i].clone()].chunks(BLOCK).map(crc32fast::hash).enumerate().collect::<Vec<_>>() {
                let at = sections[CHECKS].start + (first[i] + b) * 4;
                bytes[at..at + 4].copy_from_slice(&block.to_le_bytes());
            }
        }
    }
    for i in [META, CHECKS] {
        let crc = crc32fast::hash(&bytes[sections[i].clone()]);
        bytes[16 + i * 24 + 16..16 + i * 24 + 20].copy_from_slice(&crc.to_le_bytes());
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

/// What the index keeps of an item ([`kept`]), as numbers: P31, P279 and related ids ascending
/// without repeats.
struct Kept<'a> {
    sitelinks: u32,
    label: &'a str,
    description: &'a str,
    p31: Vec<u64>,
    p279: Vec<u64>,
    related: Vec<u64>,
}

impl Kept<'_> {
    fn of(item: &Item) -> Kept<'_> {
        Kept {
            sitelinks: item.sitelinks,
            label: item.labels.first().map_or("", String::as_str),
            description: item.description.as_deref().map_or("", cut_description),
            p31: ascending(&item.p31),
            p279: ascending(&item.p279),
            related: ascending(&item.related),
        }
    }

    /// The temporary record: sitelinks, label, description, then P31, P279 and the related items'
    /// ids (each a count and ascending increases), which [`final_record`] writes as the row.
    fn encode(&self, out: &mut Vec<u8>) {
        put_varint(out, u64::from(self.sitelinks));
        put_str(out, self.label);
        put_str(out, self.description);
        for list in [&self.p31, &self.p279, &self.related] {
            put_ascending(out, list);
        }
    }
}

/// The numbers of item ids, ascending without repeats (ids that are not items left out).
fn ascending(ids: &[String]) -> Vec<u64> {
    let mut numbers: Vec<u64> = ids.iter().map(|id| numeric_id(id)).filter(|&n| n != 0).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

/// A count, then ascending numbers as their increases.
fn put_ascending(out: &mut Vec<u8>, numbers: &[u64]) {
    put_varint(out, numbers.len() as u64);
    put_increases(out, numbers);
}

/// Ascending numbers as their increases, the first as itself.
fn put_increases(out: &mut Vec<u8>, numbers: &[u64]) {
    let mut previous = 0;
    for &n in numbers {
        put_varint(out, n - previous);
        previous = n;
    }
}

fn read_ascending(reader: &mut Reader<'_>) -> Option<Vec<u64>> {
    let count = reader.varint()?;
    read_increases(reader, count)
}

/// `count` ascending numbers without repeats, written by [`put_increases`].
fn read_increases(reader: &mut Reader<'_>, count: u64) -> Option<Vec<u64>> {
    let mut numbers = Vec::with_capacity(count.min(64) as usize);
    let mut previous = 0u64;
    for i in 0..count {
        let step = reader.varint()?;
        previous = previous.checked_add(step).filter(|_| i == 0 || step != 0)?;
        numbers.push(previous);
    }
    Some(numbers)
}

/// Each list count's largest value in the counts byte (the mask of its bits) and where its bits
/// start: P31 and P279 in two bits each, related items in three. A count at its largest value is
/// followed by a varint of the rest.
const COUNTS: [(u64, u32); 3] = [(3, 0), (3, 2), (7, 4)];

/// The counts of a record's P31, P279 and related lists: one byte for most records.
fn put_counts(out: &mut Vec<u8>, counts: [usize; 3]) {
    let mut byte = 0u64;
    for (&count, &(most, shift)) in counts.iter().zip(&COUNTS) {
        byte |= (count as u64).min(most) << shift;
    }
    out.push(byte as u8);
    for (&count, &(most, _)) in counts.iter().zip(&COUNTS) {
        if count as u64 >= most {
            put_varint(out, count as u64 - most);
        }
    }
}

fn read_counts(reader: &mut Reader<'_>) -> Option<[u64; 3]> {
    let byte = u64::from(reader.u8()?);
    if byte >> 7 != 0 {
        return None;
    }
    let mut counts = [0; 3];
    for (count, &(most, shift)) in counts.iter_mut().zip(&COUNTS) {
        *count = byte >> shift & most;
        if *count == most {
            *count = count.checked_add(reader.varint()?)?;
        }
    }
    Some(counts)
}

/// A temporary record ([`Kept::encode`]) as its row's record: its description by number when it is
/// shared, the counts in one byte, and the related items' ids as their rows (those the index
/// does not hold dropped).
fn final_record(record: &[u8], out: &mut Vec<u8>, shared: &HashMap<&[u8], u64>, row_of: impl Fn(u64) -> Option<u32>) -> Option<()> {
    let mut reader = Reader::new(record);
    put_varint(out, reader.varint()?);
    let label = reader.bytes()?;
    put_varint(out, label.len() as u64);
    out.extend_from_slice(label);
    let description = reader.bytes()?;
    match shared.get(description) {
        Some(&number) => put_varint(out, number << 1 | 1),
        None => {
            put_varint(out, (description.len() as u64) << 1);
            out.extend_from_slice(description);
        }
    }
    let p31 = read_ascending(&mut reader)?;
    let p279 = read_ascending(&mut reader)?;
    let related: Vec<u64> = read_ascending(&mut reader)?.into_iter().filter_map(|id| row_of(id).map(u64::from)).collect();
    put_counts(out, [p31.len(), p279.len(), related.len()]);
    for list in [&p31, &p279, &related] {
        put_increases(out, list);
    }
    Some(())
}

/// How often descriptions occur, counted in bounded memory: at most [`SHARED_DESCRIPTIONS`]
/// distinct ones. When a new one finds the table full, every count is halved and those at zero
/// are dropped, so rare descriptions make room and frequent ones stay. The counts depend only on
/// the items' order, not on the memory budget.
#[derive(Default)]
struct DescriptionCounts {
    counts: HashMap<Box<[u8]>, u64>,
}

impl DescriptionCounts {
    fn add(&mut self, text: &str) {
        if let Some(count) = self.counts.get_mut(text.as_bytes()) {
            *count += 1;
            return;
        }
        if text.len() < 3 {
            return;
        }
        if self.counts.len() >= SHARED_DESCRIPTIONS {
            self.counts.retain(|_, count| {
                *count /= 2;
                *count > 0
            });
            if self.counts.len() >= SHARED_DESCRIPTIONS {
                return;
            }
        }
        self.counts.insert(text.as_bytes().into(), 1);
    }

    /// The descriptions counted more than once, most frequent first (ties in byte order).
    fn shared(self) -> Vec<Box<[u8]>> {
        let mut shared: Vec<(u64, Box<[u8]>)> = self.counts.into_iter().filter(|&(_, count)| count > 1).map(|(text, count)| (count, text)).collect();
        shared.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        shared.into_iter().map(|(_, text)| text).collect()
    }
}

/// A record's item, the number of its description when that is shared, and the rows of its
/// related items.
fn decode_item(reader: &mut Reader<'_>, id: u64) -> Option<(Item, Option<u64>, Vec<u64>)> {
    let sitelinks = u32::try_from(reader.varint()?).ok()?;
    let label = reader.string()?;
    let code = reader.varint()?;
    let (description, shared) = match code & 1 {
        0 => (std::str::from_utf8(reader.take(usize::try_from(code >> 1).ok()?)?).ok()?.to_string(), None),
        _ => (String::new(), Some(code >> 1)),
    };
    let [p31, p279, related] = read_counts(reader)?;
    let qids = |numbers: Vec<u64>| numbers.into_iter().filter(|&n| n != 0).map(|n| format!("Q{n}")).collect::<Vec<_>>();
    let p31 = qids(read_increases(reader, p31)?);
    let p279 = qids(read_increases(reader, p279)?);
    let related = read_increases(reader, related)?;
    let labels = if label.is_empty() { Vec::new() } else { vec![label] };
    let description = (!description.is_empty()).then_some(description);
    let item = Item { id: format!("Q{id}"), labels, aliases: Vec::new(), description, p31, p279, related: Vec::new(), demonyms: Vec::new(), sitelinks };
    Some((item, shared, related))
}

/// A variable-length unsigned integer: seven bits a byte, low first, the high bit set on all but the last.
fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
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

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// A length (varint) and that many bytes.
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.varint()?).ok()?;
        self.take(len)
    }

    fn string(&mut self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }

    fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

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
            Item {
                id: "Q142".into(),
                labels: strings(&["France"]),
                description: Some("a place in Europe".into()),
                demonyms: strings(&["French"]),
                sitelinks: 500,
                ..Item::default()
            },
            Item { id: "Q7".into(), labels: strings(&["First"]), ..Item::default() },
            Item { id: "Q7".into(), labels: strings(&["Paris"]), description: Some("a place in Europe".into()), p279: strings(&["Q90"]), ..Item::default() },
        ]
    }

    fn bytes() -> Vec<u8> {
        let mut out = Vec::new();
        write(&mut out, &["en".to_string(), "fr".to_string()], &items()).unwrap();
        out
    }

    /// Items enough for several groups and blocks in every blocked section.
    fn many() -> Vec<Item> {
        (1..=1500u64)
            .map(|n| Item {
                id: format!("Q{}", n * 7),
                labels: vec![format!("place {n}"), format!("lieu {n}")],
                aliases: vec![format!("{} {}", ["north", "south", "east"][n as usize % 3], n % 40)],
                description: Some(match n % 3 {
                    0 => "village in a land far away".to_string(),
                    1 => "capital".to_string(),
                    _ => format!("river number {n}"),
                }),
                p31: vec!["Q515".into(), format!("Q{}", n % 5 + 1)],
                related: vec![format!("Q{}", (n + 1) * 7), format!("Q{}", n * 7 + 1)],
                sitelinks: (n % 300) as u32,
                ..Item::default()
            })
            .collect()
    }

    fn keys(items: &[Item]) -> Vec<String> {
        let mut keys: Vec<String> = items.iter().flat_map(|i| item_names(i).map(|(k, _)| k)).collect();
        keys.extend(["absent", "", "place", "place 1x"].map(String::from));
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn items_names_and_ids_round_trip() {
        let index = Index::from_bytes("test", bytes()).unwrap();
        assert_eq!((index.len(), index.max_sitelinks(), index.languages()), (3, 500, &["en".to_string(), "fr".to_string()][..]));
        assert_eq!((0..3).map(|r| index.id(r).unwrap()).collect::<Vec<_>>(), [7, 90, 142], "rows in id order");
        assert_eq!(index.row("Q90"), Some(1));
        for absent in ["Q91", "Q090", "P90", "Q", "", "Q1", "Q1000"] {
            assert_eq!(index.row(absent), None, "{absent}");
        }
        let paris = index.item(1).unwrap();
        assert_eq!(paris, kept(&items()[0]));
        assert_eq!((paris.labels, paris.aliases), (vec!["Paris".to_string()], vec![]), "the first label kept, the aliases only as names");
        assert_eq!(index.item(0).unwrap().labels, ["Paris"], "the later of two items with one id is kept");
        assert_eq!(index.lookup("paris").unwrap(), [(0, NameMatch::Label), (1, NameMatch::Label)]);
        assert_eq!(index.lookup("city of light").unwrap(), [(1, NameMatch::Alias)]);
        assert_eq!(index.lookup("pr").unwrap(), [(1, NameMatch::WeakAlias)]);
        assert_eq!(index.lookup("french").unwrap(), [(2, NameMatch::Demonym)]);
        assert_eq!(index.lookup("first").unwrap(), [], "the replaced item's names are gone");
        assert_eq!(index.lookup("par").unwrap(), [], "a prefix is not a name");
        assert!(index.item(3).is_err());
    }

    #[test]
    fn records_are_compact_and_descriptions_cut_at_a_word() {
        let long = "a commune in the department of Seine-et-Marne in the Île-de-France region of France";
        let cut = cut_description(long);
        assert_eq!(cut, "a commune in the department of Seine-et-Marne in");
        assert!(cut.len() <= DESCRIPTION_BYTES && long.starts_with(cut));
        assert_eq!(cut_description("short"), "short");
        let accents = "é".repeat(40);
        assert_eq!(cut_description(&accents), "é".repeat(24), "one word longer than the cap is cut between characters");
        let items = many();
        let index = Index::from_items(&["en".to_string()], &items);
        let held: BTreeSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        for (row, item) in items.iter().enumerate() {
            let mut expected = kept(item);
            expected.related.retain(|id| held.contains(id.as_str()));
            assert_eq!(expected.related.len(), if row + 1 < items.len() { 1 } else { 0 }, "the related items the index holds");
            assert_eq!(index.item(row as u32).unwrap(), expected);
            assert_eq!(index.row(&item.id), Some(row as u32));
            assert_eq!(index.row(&format!("Q{}", numeric_id(&item.id) + 1)), None);
        }
        let sizes: Vec<usize> = index.sections.iter().map(|s| s.len()).collect();
        let labels: usize = items.iter().map(|i| i.labels[0].len()).sum();
        let per_item = (sizes[GROUPS] + sizes[ROWS] + sizes[POSTINGS] - labels) as f64 / items.len() as f64;
        assert!(per_item < 40.0, "{per_item:.1} bytes an item beside the names: {sizes:?}");
        assert!(sizes[ROWS] > 2 * BLOCK, "several blocks of rows: {sizes:?}");
        let shared = "village in a land far away".len() + "capital".len();
        assert_eq!(sizes[DESCRIPTIONS], 2 * 4 + shared, "the descriptions of many items shared, the others inline: {sizes:?}");
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
        assert_eq!(writer.finish(&mut bounded).unwrap().items, 350);
        assert!(bounded == unbounded, "the same index whatever the budget");
        let index = Index::from_bytes("idx", bounded).unwrap();
        assert_eq!(index.lookup("name 1").unwrap(), [(1, NameMatch::Label)], "the later Q2 kept");
        assert_eq!(index.lookup("name 351").unwrap(), [], "an item replaced by a later one loses its names");
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
        old[8] = 1;
        assert_eq!(message(old.clone()), "idx: format version 1, this build reads version 3: rebuild the index");
        old.truncate(40);
        assert_eq!(message(old), "idx: format version 1, this build reads version 3: rebuild the index", "whatever its length");
        let missing = Index::open(&dir.path().join("none.idx")).unwrap_err();
        assert!(matches!(missing, WikidataError::Io { .. }), "{missing}");
    }

    /// Every answer of an opened index: rows, ids and postings, or the error in their place.
    fn answers(index: &Index, items: &[Item], keys: &[String]) -> Vec<Result<String, String>> {
        let mut out = Vec::new();
        for row in 0..index.len() as u32 {
            out.push(index.item(row).map(|i| format!("{i:?}")).map_err(|e| e.to_string()));
        }
        for item in items {
            out.push(index.find_row(&item.id).map(|r| format!("{r:?}")).map_err(|e| e.to_string()));
        }
        for key in keys {
            out.push(index.lookup(key).map(|h| format!("{h:?}")).map_err(|e| e.to_string()));
        }
        out
    }

    /// A truncated file, or one with any byte changed, is refused when opened or when a read
    /// touches the changed block; every answer given is the good file's, never another.
    #[test]
    fn every_truncation_and_every_flipped_byte_is_refused() {
        for (items, step) in [(items(), 1), (many(), 1009)] {
            let mut good = Vec::new();
            write(&mut good, &["en".to_string()], &items).unwrap();
            let keys = keys(&items);
            let expected = answers(&Index::from_bytes("idx", good.clone()).unwrap(), &items, &keys);
            assert!(expected.iter().all(Result::is_ok));
            for len in (0..good.len()).step_by(step) {
                let error = Index::from_bytes("idx", good[..len].to_vec()).unwrap_err().to_string();
                assert!(error.contains("truncated") || error.contains("not a factgraph") || error.contains("corrupted"), "{len}: {error}");
            }
            for at in (0..good.len()).step_by(step) {
                let mut bad = good.clone();
                bad[at] ^= 0x10;
                let index = match Index::from_bytes("idx", bad) {
                    Err(error) => {
                        let error = error.to_string();
                        assert!(error.contains("corrupted") || error.contains("not a factgraph") || error.contains("version"), "{at}: {error}");
                        continue;
                    }
                    Ok(index) => index,
                };
                let got = answers(&index, &items, &keys);
                let mut refused = 0;
                for (got, expected) in got.iter().zip(&expected) {
                    match got {
                        Ok(_) => assert_eq!(got, expected, "byte {at}"),
                        Err(error) => {
                            assert!(error.contains("corrupted"), "byte {at}: {error}");
                            refused += 1;
                        }
                    }
                }
                assert!(refused > 0, "byte {at} changed without any read noticing");
            }
        }
    }

    /// Past the checksums (a file edited and resealed), every change to the tables and records is
    /// refused at open or gives an error or an answer, never a panic or a row out of range. The
    /// names section is the FST's own format, read only once its blocks' checksums hold.
    #[test]
    fn resealed_edits_are_refused_or_read_safely() {
        let good = bytes();
        let keys = keys(&items());
        let names = Index::from_bytes("idx", good.clone()).unwrap().names_range();
        for at in (HEADER_BYTES..good.len()).filter(|at| !names.contains(at)) {
            for flip in [0x01, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[at] ^= flip;
                reseal(&mut bad);
                let Ok(index) = Index::from_bytes("idx", bad) else { continue };
                let _ = answers(&index, &items(), &keys);
                for key in &keys {
                    if let Ok(hits) = index.lookup(key) {
                        assert!(hits.iter().all(|&(row, _)| (row as usize) < index.len()), "{at}: {hits:?}");
                    }
                }
            }
        }
    }
}
