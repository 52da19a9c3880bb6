//! Reading Wikidata's JSON dump format into a compact index for the linker.
//!
//! The entry point is [`IndexBuilder`]: feed it dump files (`.json`, `.json.gz`, `.json.bz2`, or
//! any reader) and it keeps, per item, the labels and aliases in the chosen languages, a description,
//! the instance-of (P31) and subclass-of (P279) classes, the items it relates to through a few
//! geographic and organisational properties (for the linker's coherence score) and its sitelink
//! count (a popularity prior). The dump is read line by line in constant memory; a malformed line is
//! reported with its number and skipped. [`Index`] is saved and loaded as JSON Lines.
//!
//! Real dumps vary, and the reader takes them as they are: item values with only `numeric-id`,
//! `somevalue`/`novalue` snaks without a value, deprecated statements (ignored), empty maps written
//! as `[]`, and properties and lexemes mixed in (skipped).

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
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
    /// An index file that is not one.
    #[error("{path}:{line}: not a factgraph Wikidata index: {message}")]
    BadIndex {
        /// The file.
        path: String,
        /// Line number.
        line: u64,
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The item id, such as "Q7184".
    pub id: String,
    /// Labels in the index's languages, in their order, without repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Aliases in the index's languages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The description in the first index language that has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Instance of (P31), non-deprecated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub p31: Vec<String>,
    /// Subclass of (P279), non-deprecated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub p279: Vec<String>,
    /// Items it points to through [`RELATION_PROPERTIES`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<String>,
    /// Number of sitelinks (Wikipedia and sister-project pages).
    #[serde(default)]
    pub sitelinks: u32,
}

/// The header line of an index file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexHeader {
    /// Always 1 for this layout.
    pub factgraph_wikidata_index: u32,
    /// The label languages kept.
    pub languages: Vec<String>,
    /// Number of items.
    pub items: usize,
}

/// The items of one or more dumps, sorted by id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Index {
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

/// Reads dumps into an [`Index`].
pub struct IndexBuilder {
    languages: Vec<String>,
    items: Vec<Item>,
    report: BuildReport,
    /// Bytes read so far, shared with a progress display.
    progress: Arc<AtomicU64>,
}

impl IndexBuilder {
    /// A builder keeping labels in `languages` (in order of preference).
    pub fn new(languages: Vec<String>) -> IndexBuilder {
        IndexBuilder { languages, items: Vec::new(), report: BuildReport::default(), progress: Arc::new(AtomicU64::new(0)) }
    }

    /// A counter of bytes read, for progress displays.
    pub fn progress(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.progress)
    }

    /// Reads a dump file, decompressing `.gz` and `.bz2`; `-` is standard input.
    pub fn read_path(&mut self, path: &Path) -> Result<(), WikidataError> {
        let name = path.display().to_string();
        let io_error = |source| WikidataError::Io { path: name.clone(), source };
        if path.as_os_str() == "-" {
            return self.read(io::stdin().lock(), "-").map_err(io_error);
        }
        let file = std::fs::File::open(path).map_err(io_error)?;
        let counted = Counting { inner: file, counter: Arc::clone(&self.progress) };
        let text = path.to_string_lossy();
        if text.ends_with(".gz") {
            self.read(flate2::read::MultiGzDecoder::new(BufReader::new(counted)), &name).map_err(io_error)
        } else if text.ends_with(".bz2") {
            self.read(bzip2::read::MultiBzDecoder::new(BufReader::new(counted)), &name).map_err(io_error)
        } else {
            self.read(counted, &name).map_err(io_error)
        }
    }

    /// Reads one dump from `reader`.
    pub fn read(&mut self, reader: impl Read, source: &str) -> io::Result<()> {
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut line = Vec::new();
        let mut number = 0u64;
        loop {
            line.clear();
            let outcome = read_bounded_line(&mut reader, &mut line, MAX_LINE_BYTES)?;
            if outcome == LineOutcome::End {
                break;
            }
            number += 1;
            self.report.lines += 1;
            self.report.bytes += line.len() as u64 + 1;
            if outcome == LineOutcome::TooLong {
                self.problem(source, number, format!("line longer than {} MiB skipped", MAX_LINE_BYTES >> 20));
                continue;
            }
            let mut text = trim_ascii(&line);
            if text.is_empty() || text == b"[" || text == b"]" {
                continue;
            }
            if let Some(stripped) = text.strip_suffix(b",") {
                text = stripped;
            }
            let seed = EntitySeed { languages: &self.languages };
            let mut deserializer = serde_json::Deserializer::from_slice(text);
            match seed.deserialize(&mut deserializer).and_then(|e| deserializer.end().map(|()| e)) {
                Ok(Some(item)) => {
                    self.items.push(item);
                    self.report.items += 1;
                }
                Ok(None) => self.report.skipped += 1,
                Err(error) => self.problem(source, number, format!("malformed entity: {error}")),
            }
        }
        Ok(())
    }

    fn problem(&mut self, source: &str, line: u64, message: String) {
        self.report.problems.push(DumpProblem { source: source.to_string(), line, message });
    }

    /// The index (items sorted by id; a later duplicate replaces an earlier one) and what was read.
    pub fn finish(mut self) -> (Index, BuildReport) {
        self.items.sort_by_key(|item| numeric_id(&item.id));
        let mut items: Vec<Item> = Vec::with_capacity(self.items.len());
        for item in self.items {
            match items.last_mut() {
                Some(last) if last.id == item.id => *last = item,
                _ => items.push(item),
            }
        }
        (Index { languages: self.languages, items }, self.report)
    }
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

#[derive(Debug, PartialEq, Eq)]
enum LineOutcome {
    Line,
    TooLong,
    End,
}

/// Reads up to the next newline, keeping at most `limit` bytes of it.
fn read_bounded_line(reader: &mut impl BufRead, line: &mut Vec<u8>, limit: usize) -> io::Result<LineOutcome> {
    let mut seen_any = false;
    let mut too_long = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(if !seen_any { LineOutcome::End } else if too_long { LineOutcome::TooLong } else { LineOutcome::Line });
        }
        seen_any = true;
        let (chunk, found) = match buffer.iter().position(|b| *b == b'\n') {
            Some(i) => (&buffer[..i], Some(i + 1)),
            None => (buffer, None),
        };
        if !too_long {
            if line.len() + chunk.len() > limit {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        let consumed = found.unwrap_or(buffer.len());
        reader.consume(consumed);
        if found.is_some() {
            return Ok(if too_long { LineOutcome::TooLong } else { LineOutcome::Line });
        }
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
        let mut labels: BTreeMap<Cow<'de, str>, Text<'de>> = BTreeMap::new();
        let mut descriptions: BTreeMap<Cow<'de, str>, Text<'de>> = BTreeMap::new();
        let mut aliases: BTreeMap<Cow<'de, str>, Vec<Text<'de>>> = BTreeMap::new();
        let mut claims = Claims::default();
        let mut sitelinks = 0u32;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => kind = Some(map.next_value()?),
                "id" => id = Some(map.next_value()?),
                "labels" => labels = map.next_value::<MapOrEmpty<_>>()?.0,
                "descriptions" => descriptions = map.next_value::<MapOrEmpty<_>>()?.0,
                "aliases" => aliases = map.next_value::<MapOrEmpty<_>>()?.0,
                "claims" | "statements" => claims = map.next_value()?,
                "sitelinks" => sitelinks = map.next_value::<CountEntries>()?.0,
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
        let canonical = id.len() > 1 && id.starts_with('Q') && id[1..].bytes().all(|b| b.is_ascii_digit()) && !id[1..].starts_with('0');
        if !canonical {
            return Err(de::Error::custom(format!("{id:?} is not an item id (Q followed by a number without leading zeros)")));
        }
        let mut item = Item { id: id.into_owned(), sitelinks, ..Item::default_item() };
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
        item.p31 = claims.p31;
        item.p279 = claims.p279;
        item.related = claims.related;
        Ok(Some(item))
    }
}

impl Item {
    fn default_item() -> Item {
        Item {
            id: String::new(),
            labels: Vec::new(),
            aliases: Vec::new(),
            description: None,
            p31: Vec::new(),
            p279: Vec::new(),
            related: Vec::new(),
            sitelinks: 0,
        }
    }
}

/// Wikidata writes empty maps as `[]`; take either.
struct MapOrEmpty<T>(T);

impl<'de, K, V> Deserialize<'de> for MapOrEmpty<BTreeMap<K, V>>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V2<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Visitor<'de> for V2<K, V> {
            type Value = BTreeMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map (or an empty array)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(BTreeMap::new())
            }
        }
        deserializer.deserialize_any(V2(std::marker::PhantomData)).map(MapOrEmpty)
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
}

#[derive(Deserialize)]
struct Statement {
    mainsnak: Snak,
    #[serde(default)]
    rank: Option<String>,
}

#[derive(Deserialize)]
struct Snak {
    #[serde(default)]
    snaktype: Option<String>,
    #[serde(default)]
    datavalue: Option<DataValue>,
}

#[derive(Deserialize)]
struct DataValue {
    value: serde_json::Value,
}

impl Statement {
    /// The item this statement points to, unless deprecated, valueless or not item-valued.
    fn item_value(&self) -> Option<String> {
        if self.rank.as_deref() == Some("deprecated") || self.mainsnak.snaktype.as_deref().unwrap_or("value") != "value" {
            return None;
        }
        let value = &self.mainsnak.datavalue.as_ref()?.value;
        if let Some(id) = value.get("id").and_then(serde_json::Value::as_str) {
            return id.starts_with('Q').then(|| id.to_string());
        }
        let kind = value.get("entity-type").and_then(serde_json::Value::as_str).unwrap_or("item");
        let number = value.get("numeric-id").and_then(serde_json::Value::as_u64)?;
        (kind == "item").then(|| format!("Q{number}"))
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
                while let Some(property) = map.next_key::<Cow<'de, str>>()? {
                    let target = match property.as_ref() {
                        "P31" => &mut claims.p31,
                        "P279" => &mut claims.p279,
                        p if RELATION_PROPERTIES.contains(&p) => &mut claims.related,
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

// ---------------------------------------------------------------------------------------------
// Saving and loading an index.
// ---------------------------------------------------------------------------------------------

impl Index {
    /// Writes the index as JSON Lines: a header, then one item per line in id order.
    pub fn write(&self, mut writer: impl Write) -> io::Result<()> {
        let header = IndexHeader { factgraph_wikidata_index: 1, languages: self.languages.clone(), items: self.items.len() };
        serde_json::to_writer(&mut writer, &header)?;
        writer.write_all(b"\n")?;
        for item in &self.items {
            serde_json::to_writer(&mut writer, item)?;
            writer.write_all(b"\n")?;
        }
        writer.flush()
    }

    /// Reads an index written by [`Index::write`] (gzip-compressed if the name ends in `.gz`).
    pub fn load(path: &Path) -> Result<Index, WikidataError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| WikidataError::Io { path: name.clone(), source })?;
        let reader: Box<dyn BufRead> = if name.ends_with(".gz") {
            Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
        } else {
            Box::new(BufReader::new(file))
        };
        let bad = |line: u64, message: String| WikidataError::BadIndex { path: name.clone(), line, message };
        let mut lines = reader.lines();
        let header = lines
            .next()
            .ok_or_else(|| bad(1, "the file is empty".into()))?
            .map_err(|source| WikidataError::Io { path: name.clone(), source })?;
        let header: IndexHeader = serde_json::from_str(&header).map_err(|e| bad(1, e.to_string()))?;
        let mut items = Vec::with_capacity(header.items);
        for (i, line) in lines.enumerate() {
            let line = line.map_err(|source| WikidataError::Io { path: name.clone(), source })?;
            items.push(serde_json::from_str(&line).map_err(|e| bad(i as u64 + 2, e.to_string()))?);
        }
        Ok(Index { languages: header.languages, items })
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

    fn build(dump: &str) -> (Index, BuildReport) {
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
    fn index_files_round_trip() {
        let (index, _) = build("[\n{\"type\":\"item\",\"id\":\"Q7\",\"labels\":{\"en\":{\"value\":\"Seven\"}}}\n]\n");
        let mut bytes = Vec::new();
        index.write(&mut bytes).unwrap();
        let dir = tempfile_dir();
        let path = dir.join("index.jsonl");
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(Index::load(&path).unwrap(), index);
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("factgraph-wikidata-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
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
    fn overlong_lines_are_skipped_in_bounded_memory() {
        let mut reader = std::io::Cursor::new(b"aaaaaaaaaa\nbb\n".to_vec());
        let mut line = Vec::new();
        assert_eq!(read_bounded_line(&mut reader, &mut line, 4).unwrap(), LineOutcome::TooLong);
        line.clear();
        assert_eq!(read_bounded_line(&mut reader, &mut line, 4).unwrap(), LineOutcome::Line);
        assert_eq!(line, b"bb");
    }
}
