//! The name index: every distinct name and alias in the store (a string, and its language tag if
//! it has one), in the form names are searched in ([`crate::text::search_fold`]), and for each
//! name the entities that bear it, kept in one file in the store folder by the writers. Finding the
//! names that contain a text is then one scan of a few megabytes in memory instead of reading every
//! name from the store, and finding the entities that bear them a lookup (`find-entity`:
//! docs/query-performance.md).
//!
//! The index holds every name the store holds, and may hold more: `load` adds the names of what it
//! loads, `remove` leaves the names as they are, and `optimize` writes the index again from the
//! store. A query that uses only the names looks each one up in the store afterwards, so a name no
//! article gives any more finds nothing.
//!
//! The entities that bear a name are kept as rows: (name, entity, label, class), one for each label
//! and entity class that an article gives an entity together with the name (as its label or an
//! alias). The rows are *exact* when they are those the store holds, no more and no fewer: made
//! from the store, and kept exact by loads of new articles. A writer marks the file inexact before
//! it changes the store (in place, one byte), so that a write that stops half way leaves an
//! inexact index; reloading or removing an article leaves it inexact (rows of the old version may
//! remain) until `optimize` writes it again. Only exact rows stand in for the store.
//!
//! A store without the file (or with one it cannot read: another version, a checksum that does not
//! match) is searched by the query's own SPARQL; the next write makes the file from the store.

use super::{KnowledgeBase, StoreError};
use crate::rdf::ontology::Vocabulary;
use oxigraph::model::vocab::{rdf, rdfs, xsd};
use oxigraph::model::{GraphNameRef, Literal, LiteralRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

/// The name of the index file inside a store folder.
pub const NAMES_FILE: &str = "factgraph-names";

/// The file's first bytes: what it is and its format's version.
const MAGIC: &[u8] = b"factgraph names 2\n";

/// Where the byte that says whether the rows are exact is: right after the magic line, outside the
/// checksum, so that a writer can clear it in place.
const FLAG: usize = MAGIC.len();

/// Where the checksummed body starts: after the flag and the body's CRC-32.
const BODY: usize = FLAG + 1 + 4;

/// A name: its text and its language tag (empty for a plain string).
pub type Name = (String, String);

/// An entity that bears a name: the name as (text, language tag), the entity's IRI, a label that
/// an article that gives the name gives it too, and the entity's class in that article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bearer<'a> {
    /// The name or alias that matched.
    pub matched: (&'a str, &'a str),
    /// The entity's IRI.
    pub entity: &'a str,
    /// Its label in an article that gives it the name.
    pub label: (&'a str, &'a str),
    /// Its class in that article.
    pub class: &'a str,
}

/// Values numbered in the order they are first seen.
#[derive(Debug)]
struct Numbered<T> {
    numbers: HashMap<T, u32>,
    values: Vec<T>,
}

impl<T> Default for Numbered<T> {
    fn default() -> Self {
        Numbered { numbers: HashMap::new(), values: Vec::new() }
    }
}

impl<T: Hash + Eq + Clone> Numbered<T> {
    fn number(&mut self, value: T) -> u32 {
        let next = self.values.len() as u32;
        *self.numbers.entry(value).or_insert_with_key(|value| {
            self.values.push(value.clone());
            next
        })
    }

    /// The values in sorted order, and each value's rank in that order, by number: one sort for
    /// both.
    fn order(&self) -> (Vec<&T>, Vec<u32>)
    where
        T: Ord,
    {
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.values[*a as usize].cmp(&self.values[*b as usize]));
        let mut ranks = vec![0; order.len()];
        for (rank, number) in order.iter().enumerate() {
            ranks[*number as usize] = rank as u32;
        }
        (order.into_iter().map(|number| &self.values[number as usize]).collect(), ranks)
    }
}

/// Names and rows gathered from graphs, to make or extend an index.
#[derive(Debug, Default)]
pub struct Gathered {
    names: Numbered<Name>,
    entities: Numbered<String>,
    classes: Numbered<String>,
    /// (name, entity, label, class), by number.
    rows: HashSet<[u32; 4]>,
    /// A graph gave an entity a name the rows cannot hold (a blank node's, or one that is not a
    /// string): rows made from this are not exact.
    inexact: bool,
}

/// What one graph says of one subject.
#[derive(Default)]
struct Subject<'a> {
    labels: Vec<Name>,
    aliases: Vec<Name>,
    classes: Vec<&'a str>,
    /// A label or alias that is not a string.
    other: bool,
}

impl Gathered {
    /// Adds the names and rows of one graph's quads (the quads of one article; their graph is not
    /// read): `rdfs:label`, the vocabulary's alias, and `rdf:type` with an entity class.
    pub fn add_graph<'a>(&mut self, vocabulary: &Vocabulary, quads: impl IntoIterator<Item = QuadRef<'a>>) {
        let mut subjects: HashMap<NamedOrBlankNodeRef<'a>, Subject<'a>> = HashMap::new();
        for quad in quads {
            let is_alias = quad.predicate == vocabulary.alias.as_ref();
            if quad.predicate == rdf::TYPE {
                if let TermRef::NamedNode(class) = quad.object {
                    if vocabulary.entity_type(class).is_some() {
                        subjects.entry(quad.subject).or_default().classes.push(class.as_str());
                    }
                }
            } else if quad.predicate == rdfs::LABEL || is_alias {
                let subject = subjects.entry(quad.subject).or_default();
                match quad.object {
                    TermRef::Literal(literal) => match name_of(literal) {
                        Some(name) if is_alias => subject.aliases.push(name),
                        Some(name) => subject.labels.push(name),
                        None => subject.other = true,
                    },
                    _ => subject.other = true,
                }
            }
        }
        for (node, subject) in subjects {
            let named = !subject.labels.is_empty() || !subject.aliases.is_empty() || subject.other;
            if !subject.classes.is_empty() && named && (subject.other || !matches!(node, NamedOrBlankNodeRef::NamedNode(_))) {
                self.inexact = true;
            }
            let labels: Vec<u32> = subject.labels.iter().map(|name| self.names.number(name.clone())).collect();
            let matched: Vec<u32> = subject.aliases.into_iter().map(|name| self.names.number(name)).chain(labels.iter().copied()).collect();
            let NamedOrBlankNodeRef::NamedNode(entity) = node else { continue };
            if subject.classes.is_empty() || labels.is_empty() {
                continue;
            }
            let entity = self.entities.number(entity.as_str().to_string());
            for class in subject.classes {
                let class = self.classes.number(class.to_string());
                for &name in &matched {
                    for &label in &labels {
                        self.rows.insert([name, entity, label, class]);
                    }
                }
            }
        }
    }

    /// Adds a name (as [`name`] makes them) without rows.
    pub fn add_name(&mut self, name: Name) {
        self.names.number(name);
    }

    /// Adds everything `other` gathered.
    pub fn extend(&mut self, other: Gathered) {
        let names: Vec<u32> = other.names.values.into_iter().map(|name| self.names.number(name)).collect();
        let entities: Vec<u32> = other.entities.values.into_iter().map(|entity| self.entities.number(entity)).collect();
        let classes: Vec<u32> = other.classes.values.into_iter().map(|class| self.classes.number(class)).collect();
        for [name, entity, label, class] in other.rows {
            self.rows.insert([names[name as usize], entities[entity as usize], names[label as usize], classes[class as usize]]);
        }
        self.inexact |= other.inexact;
    }

    /// Everything an index holds, its rows taken as exact (the caller knows whether they are).
    fn of_index(index: &NameIndex) -> Gathered {
        let mut gathered = Gathered::default();
        for name in index.iter() {
            gathered.add_name((name.0.to_string(), name.1.to_string()));
        }
        for entity in 0..index.entities.count() - 1 {
            gathered.entities.number(index.entity(entity as u32).to_string());
        }
        for class in 0..index.classes.count() - 1 {
            gathered.classes.number(index.class(class as u32).to_string());
        }
        for name in 0..index.len() {
            for row in index.row_starts.get(index, name)..index.row_starts.get(index, name + 1) {
                let [entity, label, class] = index.row(row);
                gathered.rows.insert([name as u32, entity, label, class]);
            }
        }
        gathered
    }

    /// The file (see [`NameIndex::open`]): the magic line; the flag (1: the rows are exact); the
    /// body's CRC-32; then the body, seven runs each led by its length (u32, little-endian, as
    /// every number): where each name's text and language tag start in the text (and where the
    /// last ends), where each name's rows start (and where the last ends), the rows (entity, label
    /// and class numbers), where each entity and each class starts in the text (and where the last
    /// ends), the text (UTF-8), and the folded forms (each followed by a NUL). Names, entities,
    /// classes and rows are sorted.
    fn encode(&self) -> Vec<u8> {
        let ((names, name_ranks), (entities, entity_ranks), (classes, class_ranks)) =
            (self.names.order(), self.entities.order(), self.classes.order());
        let mut rows: Vec<[u32; 4]> = self
            .rows
            .iter()
            .map(|[n, e, l, c]| [name_ranks[*n as usize], entity_ranks[*e as usize], name_ranks[*l as usize], class_ranks[*c as usize]])
            .collect();
        rows.sort_unstable();
        let mut text = String::new();
        let mut starts = |parts: &mut dyn Iterator<Item = &str>| -> Vec<u32> {
            let mut starts: Vec<u32> = parts.map(|part| (text.len() as u32, text.push_str(part)).0).collect();
            starts.push(text.len() as u32);
            starts
        };
        let name_starts = starts(&mut names.iter().flat_map(|(t, l)| [t.as_str(), l.as_str()]));
        let entity_starts = starts(&mut entities.iter().map(|e| e.as_str()));
        let class_starts = starts(&mut classes.iter().map(|c| c.as_str()));
        let mut row_starts = Vec::with_capacity(names.len() + 1);
        for name in 0..=names.len() as u32 {
            row_starts.push(rows.partition_point(|row| row[0] < name) as u32);
        }
        let mut folded = Vec::new();
        for (name, _) in &names {
            folded.extend_from_slice(crate::text::search_fold(name).as_bytes());
            folded.push(0);
        }
        let mut body = Vec::new();
        let numbers = |body: &mut Vec<u8>, values: &[u32]| {
            body.extend_from_slice(&(values.len() as u32).to_le_bytes());
            values.iter().for_each(|value| body.extend_from_slice(&value.to_le_bytes()));
        };
        numbers(&mut body, &name_starts);
        numbers(&mut body, &row_starts);
        numbers(&mut body, &rows.iter().flat_map(|row| [row[1], row[2], row[3]]).collect::<Vec<u32>>());
        numbers(&mut body, &entity_starts);
        numbers(&mut body, &class_starts);
        for blob in [text.as_bytes(), &folded] {
            body.extend_from_slice(&(blob.len() as u32).to_le_bytes());
            body.extend_from_slice(blob);
        }
        let mut bytes = Vec::with_capacity(BODY + body.len());
        bytes.extend_from_slice(MAGIC);
        bytes.push(u8::from(!self.inexact));
        bytes.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
        bytes.extend_from_slice(&body);
        bytes
    }
}

/// The file's bytes, mapped or (for an index made in memory) owned.
#[derive(Debug)]
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Owned(bytes) => bytes,
        }
    }
}

/// A run of u32s in the file: where it starts and how many.
#[derive(Debug, Clone, Copy, Default)]
struct Numbers {
    at: usize,
    count: usize,
}

impl Numbers {
    fn count(self) -> usize {
        self.count
    }

    fn get(self, index: &NameIndex, i: usize) -> u32 {
        let at = self.at + 4 * i;
        u32::from_le_bytes(index.bytes[at..at + 4].try_into().expect("four bytes"))
    }
}

/// The names of a store, searchable by substring, and the entities that bear them. Opening one
/// maps the file and checks it; no name is copied out of it until it is asked for.
#[derive(Debug)]
pub struct NameIndex {
    bytes: Bytes,
    /// The rows are those the store holds.
    exact: bool,
    /// Where each name's text and language tag start in `text`, and where the last ends.
    names: Numbers,
    /// Where each name's rows start (counted in rows), and where the last ends.
    row_starts: Numbers,
    /// Each row's entity, label and class.
    rows: Numbers,
    entities: Numbers,
    classes: Numbers,
    /// Where the text starts in `bytes`.
    text: usize,
    /// Where the folded forms start in `bytes`: each is followed by a NUL, which none holds.
    folded: usize,
    /// Where each name's NUL is, counted from `folded`.
    ends: Vec<u32>,
}

impl NameIndex {
    /// An index of `names` (in any order, repeats allowed), without rows.
    pub fn new(names: impl IntoIterator<Item = Name>) -> NameIndex {
        let mut gathered = Gathered::default();
        names.into_iter().for_each(|name| gathered.add_name(name));
        NameIndex::of(&gathered)
    }

    /// The index of what `gathered` holds.
    pub fn of(gathered: &Gathered) -> NameIndex {
        NameIndex::decode(Bytes::Owned(gathered.encode())).expect("an encoded index decodes")
    }

    /// The index of the names and aliases (`rdfs:label`, the vocabulary's alias) the store at `kb`
    /// holds, with its exact rows: read graph by graph.
    pub fn from_store(kb: &KnowledgeBase, vocabulary: &Vocabulary) -> Result<NameIndex, StoreError> {
        let store = kb.store();
        let mut gathered = Gathered::default();
        let graphs: Vec<_> = store.named_graphs().collect::<Result<_, _>>()?;
        for graph in graphs.iter().map(|graph| GraphNameRef::from(graph.as_ref())).chain([GraphNameRef::DefaultGraph]) {
            let mut quads = Vec::new();
            for predicate in [rdfs::LABEL, vocabulary.alias.as_ref(), rdf::TYPE] {
                for quad in store.quads_for_pattern(None, Some(predicate), None, Some(graph)) {
                    quads.push(quad?);
                }
            }
            if graph.is_default_graph() {
                // `GRAPH ?article` never matches the default graph: its names are names, no rows.
                let names = quads.iter().filter_map(|quad| match &quad.object {
                    oxigraph::model::Term::Literal(literal) if quad.predicate != rdf::TYPE => name(literal),
                    _ => None,
                });
                names.for_each(|name| gathered.add_name(name));
            } else {
                gathered.add_graph(vocabulary, quads.iter().map(|quad| quad.as_ref()));
            }
        }
        Ok(NameIndex::of(&gathered))
    }

    /// The store's index, or `None` when its folder has no index file or one this version cannot
    /// read (another format, a checksum that does not match, lengths that do not add up).
    pub fn open(store: &Path) -> Option<NameIndex> {
        let file = std::fs::File::open(store.join(NAMES_FILE)).ok()?;
        // SAFETY: the file is only ever replaced whole (written beside it, then renamed), never
        // changed in place past its flag byte, which is read once, here.
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        NameIndex::decode(Bytes::Mapped(map))
    }

    fn decode(bytes: Bytes) -> Option<NameIndex> {
        if !bytes.starts_with(MAGIC) || bytes.len() < BODY || bytes.len() > u32::MAX as usize || bytes[FLAG] > 1 {
            return None;
        }
        if crc32fast::hash(&bytes[BODY..]).to_le_bytes() != bytes[FLAG + 1..BODY] {
            return None;
        }
        let mut at = BODY;
        let mut run = |width: usize| -> Option<Numbers> {
            let count = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
            bytes.get(at + 4..at + 4 + count * width)?;
            let numbers = Numbers { at: at + 4, count };
            at += 4 + count * width;
            Some(numbers)
        };
        let [names, row_starts, rows, entities, classes] = [run(4)?, run(4)?, run(4)?, run(4)?, run(4)?];
        let (text, folded) = (run(1)?, run(1)?);
        let name_count = names.count / 2;
        let shaped = at == bytes.len()
            && names.count % 2 == 1
            && row_starts.count == name_count + 1
            && rows.count % 3 == 0
            && entities.count > 0
            && classes.count > 0
            && bytes.last().is_none_or(|b| *b == 0 || folded.count == 0);
        if !shaped {
            return None;
        }
        let ends = memchr::memchr_iter(0, &bytes[folded.at..]).map(|i| i as u32).collect();
        let exact = bytes[FLAG] == 1;
        let index = NameIndex { bytes, exact, names, row_starts, rows, entities, classes, text: text.at, folded: folded.at, ends };
        let text = std::str::from_utf8(&index.bytes[text.at..text.at + text.count]).ok()?;
        let ordered_within = |numbers: Numbers, end: usize, in_text: bool| {
            let mut last = 0;
            (0..numbers.count).all(|i| {
                let value = numbers.get(&index, i);
                let fits = value >= last && (value as usize) <= end && (!in_text || text.is_char_boundary(value as usize));
                last = value;
                fits
            })
        };
        let limits = [entities.count - 1, name_count, classes.count - 1];
        let valid = index.ends.len() == name_count
            && [names, entities, classes].into_iter().all(|numbers| ordered_within(numbers, text.len(), true))
            && ordered_within(row_starts, rows.count / 3, false)
            && row_starts.get(&index, name_count) as usize == rows.count / 3
            && (0..rows.count).all(|i| (rows.get(&index, i) as usize) < limits[i % 3]);
        valid.then_some(index)
    }

    /// A piece of the text.
    fn text(&self, start: u32, end: u32) -> &str {
        std::str::from_utf8(&self.bytes[self.text + start as usize..self.text + end as usize]).unwrap_or_default()
    }

    /// Name `i`'s text and language tag.
    fn name(&self, i: u32) -> (&str, &str) {
        let at = 2 * i as usize;
        let [text, language, end] = [at, at + 1, at + 2].map(|j| self.names.get(self, j));
        (self.text(text, language), self.text(language, end))
    }

    fn entity(&self, i: u32) -> &str {
        self.text(self.entities.get(self, i as usize), self.entities.get(self, i as usize + 1))
    }

    fn class(&self, i: u32) -> &str {
        self.text(self.classes.get(self, i as usize), self.classes.get(self, i as usize + 1))
    }

    /// Row `i`: its entity, label and class numbers.
    fn row(&self, i: u32) -> [u32; 3] {
        [0, 1, 2].map(|j| self.rows.get(self, 3 * i as usize + j))
    }

    /// Every name, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.len() as u32).map(|i| self.name(i))
    }

    /// Writes the index into the store folder, replacing the file whole (written beside it, then
    /// renamed).
    pub fn write(&self, store: &Path) -> Result<(), StoreError> {
        let io = |source| StoreError::Io { path: store.to_path_buf(), source };
        let temporary: PathBuf = store.join(format!(".{NAMES_FILE}.{}", std::process::id()));
        let written = std::fs::File::create(&temporary)
            .and_then(|mut file| file.write_all(&self.bytes).and_then(|()| file.sync_all()))
            .and_then(|()| std::fs::rename(&temporary, store.join(NAMES_FILE)));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map_err(io)
    }

    /// The numbers of the names whose folded text contains `text`'s (every name for an empty
    /// text), in order.
    fn matching(&self, text: &str) -> Vec<u32> {
        let needle = crate::text::search_fold(text);
        if needle.is_empty() {
            return (0..self.len() as u32).collect();
        }
        let mut found = Vec::new();
        for position in memchr::memmem::find_iter(&self.bytes[self.folded..], needle.as_bytes()) {
            let name = self.ends.partition_point(|&end| (end as usize) <= position) as u32;
            if found.last() != Some(&name) {
                found.push(name);
            }
        }
        found
    }

    /// The names (text, language tag) whose folded text contains `text`'s (every name for an empty
    /// text), in order.
    pub fn containing(&self, text: &str) -> Vec<(&str, &str)> {
        self.matching(text).into_iter().map(|name| self.name(name)).collect()
    }

    /// The entities that bear the names containing `text` (as [`NameIndex::containing`]), or
    /// `None` when the rows are not exact.
    pub fn bearers(&self, text: &str) -> Option<Vec<Bearer<'_>>> {
        if !self.exact {
            return None;
        }
        let mut found = Vec::new();
        for name in self.matching(text) {
            let matched = self.name(name);
            for row in self.row_starts.get(self, name as usize)..self.row_starts.get(self, name as usize + 1) {
                let [entity, label, class] = self.row(row);
                found.push(Bearer { matched, entity: self.entity(entity), label: self.name(label), class: self.class(class) });
            }
        }
        Some(found)
    }

    /// True if the rows are those the store holds (see the module's documentation).
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// How many names the index holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True if it holds none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// Before a write to the store at `store`: marks its index's rows as not exact, in place, so that
/// a write that does not finish leaves them so. Returns whether they were exact (false without an
/// index this version reads).
pub fn unsettle(store: &Path) -> Result<bool, StoreError> {
    let io = |source| StoreError::Io { path: store.to_path_buf(), source };
    let path = store.join(NAMES_FILE);
    let mut file = match std::fs::OpenOptions::new().read(true).write(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(e)),
    };
    let mut head = vec![0; FLAG + 1];
    let read = std::io::Read::read_exact(&mut file, &mut head);
    if read.is_err() || !head.starts_with(MAGIC) || head[FLAG] != 1 {
        return Ok(false);
    }
    file.seek(std::io::SeekFrom::Start(FLAG as u64)).and_then(|_| file.write_all(&[0])).and_then(|()| file.sync_data()).map_err(io)?;
    Ok(true)
}

/// After a write to the store at `kb`: adds `added` to its index, or, when there is no index it can
/// read, makes one from the store. The rows are marked exact if `exact` (they were before the
/// write, as [`unsettle`] said, and it replaced and removed nothing) and `added`'s are. If that
/// fails the file is removed (so that queries search the store itself) and the error returned.
pub fn add(kb: &KnowledgeBase, vocabulary: &Vocabulary, added: Gathered, exact: bool) -> Result<(), StoreError> {
    let updated = match NameIndex::open(kb.path()) {
        Some(index) => {
            let mut gathered = Gathered::of_index(&index);
            drop(index);
            gathered.extend(added);
            gathered.inexact |= !exact;
            Ok(NameIndex::of(&gathered))
        }
        None => NameIndex::from_store(kb, vocabulary),
    };
    rewrite(kb, updated)
}

/// Writes the index again from the store at `kb` (after `optimize`: names no article gives any more
/// leave it, and its rows are exact). On failure as [`add`].
pub fn rebuild(kb: &KnowledgeBase, vocabulary: &Vocabulary) -> Result<(), StoreError> {
    rewrite(kb, NameIndex::from_store(kb, vocabulary))
}

/// A literal as a [`Name`]: strings and language-tagged strings are names, other literals not.
pub fn name(literal: &Literal) -> Option<Name> {
    name_of(literal.as_ref())
}

fn name_of(literal: LiteralRef<'_>) -> Option<Name> {
    match literal.language() {
        Some(language) => Some((literal.value().to_string(), language.to_string())),
        None if literal.datatype() == xsd::STRING => Some((literal.value().to_string(), String::new())),
        None => None,
    }
}

/// A name (text, language tag) as a literal.
pub fn literal((text, language): (&str, &str)) -> Literal {
    if language.is_empty() {
        Literal::new_simple_literal(text)
    } else {
        Literal::new_language_tagged_literal_unchecked(text, language)
    }
}

fn rewrite(kb: &KnowledgeBase, index: Result<NameIndex, StoreError>) -> Result<(), StoreError> {
    let written = index.and_then(|index| index.write(kb.path()));
    if written.is_err() {
        let _ = std::fs::remove_file(kb.path().join(NAMES_FILE));
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdf::ontology::Ontology;
    use oxigraph::model::{BlankNode, GraphName, NamedNode, Quad, Term};

    fn names(list: &[&str]) -> NameIndex {
        NameIndex::new(list.iter().map(|s| (s.to_string(), "en".to_string())))
    }

    fn texts<'a>(found: Vec<(&'a str, &str)>) -> Vec<&'a str> {
        found.into_iter().map(|(text, _)| text).collect()
    }

    fn vocabulary() -> Vocabulary {
        Vocabulary::new(&Ontology::bundled().unwrap()).unwrap()
    }

    fn node(name: &str) -> NamedNode {
        NamedNode::new(format!("https://example.org/{name}")).unwrap()
    }

    /// An article's quads: `(subject, predicate, object)` with objects as strings ("@" for a
    /// language tag) or classes (`class:NAME`).
    fn article(v: &Vocabulary, triples: &[(&str, &str, &str)]) -> Vec<Quad> {
        triples
            .iter()
            .map(|(s, p, o)| {
                let subject: oxigraph::model::NamedOrBlankNode = if let Some(b) = s.strip_prefix("_:") { BlankNode::new(b).unwrap().into() } else { node(s).into() };
                let predicate = match *p {
                    "label" => rdfs::LABEL.into_owned(),
                    "alias" => v.alias.clone(),
                    "a" => rdf::TYPE.into_owned(),
                    other => node(other),
                };
                let object: Term = match o.split_once('@') {
                    _ if *p == "a" => v.entity_classes().into_iter().find(|(_, c)| c.as_str().ends_with(&format!("#{o}"))).map_or_else(|| node(o), |(_, c)| c.clone()).into(),
                    Some((text, language)) => Literal::new_language_tagged_literal(text, language).unwrap().into(),
                    None => Literal::new_simple_literal(*o).into(),
                };
                Quad::new(subject, predicate, object, GraphName::DefaultGraph)
            })
            .collect()
    }

    fn bearers(index: &NameIndex, text: &str) -> Vec<String> {
        let short = |iri: &str| iri.rsplit(['/', '#']).next().unwrap().to_string();
        index
            .bearers(text)
            .unwrap()
            .into_iter()
            .map(|b| format!("{}@{}: {} {}@{} {}", b.matched.0, b.matched.1, short(b.entity), b.label.0, b.label.1, short(b.class)))
            .collect()
    }

    #[test]
    fn substrings_ignoring_case_and_accents() {
        let index = names(&["Volodymyr Zelenskyy", "ZELENSKÝY", "Kaja Kallas", "Tanaka", "Kallas", "Tanaka"]);
        assert_eq!(index.len(), 5);
        assert_eq!(texts(index.containing("zelensky")), ["Volodymyr Zelenskyy", "ZELENSKÝY"]);
        assert_eq!(texts(index.containing("Zelenský")), ["Volodymyr Zelenskyy", "ZELENSKÝY"]);
        assert_eq!(texts(index.containing("ka")), ["Kaja Kallas", "Kallas", "Tanaka"]);
        assert_eq!(texts(index.containing("kal")), ["Kaja Kallas", "Kallas"]);
        assert_eq!(texts(index.containing("as Z")), Vec::<&str>::new(), "a match never runs from one name into the next");
        assert_eq!(index.containing("").len(), 5);
        assert!(index.containing("nobody").is_empty());
    }

    /// Each article gives its own rows: every name or alias with every label and entity class the
    /// same article gives the entity; subjects without a class or a label give names only.
    #[test]
    fn bearers_are_what_each_article_gives() {
        let v = vocabulary();
        let mut gathered = Gathered::default();
        let one = article(&v, &[("kallas", "label", "Kaja Kallas@en"), ("kallas", "alias", "Kallas"), ("kallas", "a", "Person"), ("article", "label", "Kallas speaks"), ("article", "a", "Article")]);
        let two = article(&v, &[("kallas", "label", "Kaja Kallas@et"), ("kallas", "a", "Person"), ("kallas", "a", "Entity"), ("estonia", "label", "Estonia"), ("estonia", "alias", "Eesti")]);
        gathered.add_graph(&v, one.iter().map(Quad::as_ref));
        gathered.add_graph(&v, two.iter().map(Quad::as_ref));
        let index = NameIndex::of(&gathered);
        assert!(index.is_exact());
        assert_eq!(texts(index.containing("kallas")), ["Kaja Kallas", "Kaja Kallas", "Kallas", "Kallas speaks"]);
        assert_eq!(
            bearers(&index, "kallas"),
            [
                "Kaja Kallas@en: kallas Kaja Kallas@en Person",
                "Kaja Kallas@et: kallas Kaja Kallas@et Entity",
                "Kaja Kallas@et: kallas Kaja Kallas@et Person",
                "Kallas@: kallas Kaja Kallas@en Person",
            ]
        );
        assert!(bearers(&index, "eesti").is_empty(), "Estonia has no entity class in its article");
        let mut blank = Gathered::default();
        let odd = article(&v, &[("_:b", "label", "Someone"), ("_:b", "a", "Person")]);
        blank.add_graph(&v, odd.iter().map(Quad::as_ref));
        let index = NameIndex::of(&blank);
        assert!(!index.is_exact() && index.bearers("someone").is_none(), "a blank node cannot be a row");
        assert_eq!(texts(index.containing("someone")), ["Someone"]);
    }

    #[test]
    fn written_and_read_back_and_damage_refused() {
        let folder = tempfile::tempdir().unwrap();
        let v = vocabulary();
        let mut gathered = Gathered::default();
        let quads = article(&v, &[("aerzte", "label", "Ärzte ohne Grenzen@en"), ("aerzte", "a", "Organisation"), ("nato", "label", "NATO@en"), ("line", "label", "line\nbreak@en"), ("empty", "label", "@en")]);
        gathered.add_graph(&v, quads.iter().map(Quad::as_ref));
        let index = NameIndex::of(&gathered);
        index.write(folder.path()).unwrap();
        let read = NameIndex::open(folder.path()).unwrap();
        assert_eq!(read.iter().collect::<Vec<_>>(), index.iter().collect::<Vec<_>>());
        assert_eq!(read.iter().next(), Some(("", "en")));
        assert_eq!(texts(read.containing("arzte")), ["Ärzte ohne Grenzen"]);
        assert_eq!(texts(read.containing("line break")), ["line\nbreak"]);
        assert_eq!(bearers(&read, "arzte"), ["Ärzte ohne Grenzen@en: aerzte Ärzte ohne Grenzen@en Organisation"]);
        let bytes = index.bytes.to_vec();
        let decode = |bytes: Vec<u8>| NameIndex::decode(Bytes::Owned(bytes));
        for cut in [0, MAGIC.len(), BODY, bytes.len() - 1] {
            assert!(decode(bytes[..cut].to_vec()).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(longer).is_none());
        for at in [BODY + 5, bytes.len() - 3] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 1;
            assert!(decode(flipped).is_none(), "a changed byte at {at}");
        }
        let mut older = bytes.clone();
        older[MAGIC.len() - 2] = b'1';
        assert!(decode(older).is_none(), "another version");
        assert!(NameIndex::open(&folder.path().join("missing")).is_none());
    }

    /// `unsettle` clears the flag in place; the rest of the file is as it was.
    #[test]
    fn unsettled_rows_are_not_used() {
        let folder = tempfile::tempdir().unwrap();
        assert!(!unsettle(folder.path()).unwrap());
        assert!(!folder.path().join(NAMES_FILE).exists(), "no file, nothing to do");
        let v = vocabulary();
        let mut gathered = Gathered::default();
        let quads = article(&v, &[("kallas", "label", "Kaja Kallas"), ("kallas", "a", "Person")]);
        gathered.add_graph(&v, quads.iter().map(Quad::as_ref));
        NameIndex::of(&gathered).write(folder.path()).unwrap();
        assert!(NameIndex::open(folder.path()).unwrap().is_exact());
        assert!(unsettle(folder.path()).unwrap());
        assert!(!unsettle(folder.path()).unwrap(), "already unsettled");
        let index = NameIndex::open(folder.path()).unwrap();
        assert!(!index.is_exact());
        assert!(index.bearers("kallas").is_none());
        assert_eq!(texts(index.containing("kallas")), ["Kaja Kallas"]);
    }
}
