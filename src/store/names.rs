//! The name index: every distinct name and alias in the store (a string, and its language tag if
//! it has one), in the form names are searched in
//! ([`crate::text::search_fold`]), kept in one file in the store folder by the writers. Finding the
//! names that contain a text is then one scan of a few megabytes in memory instead of reading every
//! name from the store (`find-entity`: docs/query-performance.md).
//!
//! The index holds every name the store holds, and may hold more: `load` adds the names of what it
//! loads, `remove` leaves the index as it is, and `optimize` writes it again from the store. A query
//! that uses it looks each name up in the store afterwards, so a name no article gives any more
//! finds nothing. A store without the file (or with one it cannot read) is searched by the query's
//! own SPARQL; the next write makes the file from the store.

use super::{KnowledgeBase, StoreError};
use oxigraph::model::vocab::rdfs;
use oxigraph::model::{Literal, NamedNodeRef, Term};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The name of the index file inside a store folder.
pub const NAMES_FILE: &str = "factgraph-names";

/// The file's first bytes: what it is and its format's version.
const MAGIC: &[u8] = b"factgraph names 1\n";

/// A name: its text and its language tag (empty for a plain string).
pub type Name = (String, String);

/// The names of a store, searchable by substring. Opening one reads the file and checks it; no
/// name is copied out of it until it is asked for.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// The file's bytes (see [`NameIndex::encode`]).
    bytes: Vec<u8>,
    /// Where each name's text and language tag are in `bytes`, in the names' order (sorted,
    /// distinct).
    names: Vec<[u32; 4]>,
    /// Where the folded forms start in `bytes`: each is followed by a NUL, which none holds.
    folded: usize,
    /// Where each name's NUL is, counted from `folded`.
    ends: Vec<u32>,
}

impl NameIndex {
    /// An index of `names` (in any order, repeats allowed).
    pub fn new(names: impl IntoIterator<Item = Name>) -> NameIndex {
        let names: BTreeSet<Name> = names.into_iter().collect();
        NameIndex::decode(NameIndex::encode(&names)).expect("an encoded index decodes")
    }

    /// The index of the names and aliases (`rdfs:label`, `alias`) the store at `kb` holds.
    pub fn from_store(kb: &KnowledgeBase, alias: NamedNodeRef<'_>) -> Result<NameIndex, StoreError> {
        let mut names = BTreeSet::new();
        for predicate in [rdfs::LABEL, alias] {
            for quad in kb.store().quads_for_pattern(None, Some(predicate), None, None) {
                if let Term::Literal(literal) = quad?.object {
                    names.extend(name(&literal));
                }
            }
        }
        Ok(NameIndex::new(names))
    }

    /// The store's index, or `None` when its folder has no index file or one this version cannot
    /// read (too short, another format, lengths that do not add up, names out of order).
    pub fn open(store: &Path) -> Option<NameIndex> {
        NameIndex::decode(std::fs::read(store.join(NAMES_FILE)).ok()?)
    }

    /// The file: the magic line; the number of names (u32, little-endian); each name's text and
    /// language tag, each as its length (u32) and its UTF-8 bytes; the length of the folded forms
    /// (u32) and the folded forms, each followed by a NUL.
    fn encode(names: &BTreeSet<Name>) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + names.iter().map(|(t, l)| 2 * t.len() + l.len() + 9).sum::<usize>());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(names.len() as u32).to_le_bytes());
        for text in names.iter().flat_map(|(text, language)| [text, language]) {
            bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        let mut folded = Vec::new();
        for (text, _) in names {
            folded.extend_from_slice(crate::text::search_fold(text).as_bytes());
            folded.push(0);
        }
        bytes.extend_from_slice(&(folded.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&folded);
        bytes
    }

    fn decode(bytes: Vec<u8>) -> Option<NameIndex> {
        let mut at = MAGIC.len();
        if !bytes.starts_with(MAGIC) {
            return None;
        }
        let length = |at: &mut usize| -> Option<usize> {
            let value = u32::from_le_bytes(bytes.get(*at..*at + 4)?.try_into().ok()?) as usize;
            *at += 4;
            Some(value)
        };
        let count = length(&mut at)?;
        let mut names = Vec::with_capacity(count.min(bytes.len() / 8));
        for _ in 0..count {
            let mut span = [0u32; 4];
            for half in [0, 2] {
                let size = length(&mut at)?;
                std::str::from_utf8(bytes.get(at..at + size)?).ok()?;
                span[half] = at as u32;
                at += size;
                span[half + 1] = at as u32;
            }
            names.push(span);
        }
        let size = length(&mut at)?;
        if at + size != bytes.len() || bytes.len() > u32::MAX as usize {
            return None;
        }
        let index = NameIndex { ends: memchr::memchr_iter(0, &bytes[at..]).map(|i| i as u32).collect(), folded: at, names, bytes };
        let sorted = index.names.windows(2).all(|w| index.name(w[0]) < index.name(w[1]));
        let languages: BTreeSet<&str> = index.names.iter().map(|span| index.name(*span).1).filter(|l| !l.is_empty()).collect();
        let tags_valid = languages.into_iter().all(|l| Literal::new_language_tagged_literal("", l).is_ok());
        let folded_whole = index.ends.len() == index.names.len() && index.bytes.last().is_none_or(|b| *b == 0 || size == 0);
        (sorted && tags_valid && folded_whole).then_some(index)
    }

    /// A name's text and language tag.
    fn name(&self, [text, text_end, language, language_end]: [u32; 4]) -> (&str, &str) {
        let part = |start: u32, end: u32| std::str::from_utf8(&self.bytes[start as usize..end as usize]).unwrap_or_default();
        (part(text, text_end), part(language, language_end))
    }

    /// Every name, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names.iter().map(|span| self.name(*span))
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

    /// The names (text, language tag) whose folded text contains `text`'s (every name for an empty
    /// text), in order.
    pub fn containing(&self, text: &str) -> Vec<(&str, &str)> {
        let needle = crate::text::search_fold(text);
        if needle.is_empty() {
            return self.iter().collect();
        }
        let mut found = Vec::new();
        let mut last = usize::MAX;
        for position in memchr::memmem::find_iter(&self.bytes[self.folded..], needle.as_bytes()) {
            let name = self.ends.partition_point(|&end| (end as usize) <= position);
            if name != last {
                found.push(self.name(self.names[name]));
                last = name;
            }
        }
        found
    }

    /// How many names the index holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True if it holds none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// After a write to the store at `kb`: adds `added` to its index, or, when there is no index it can
/// read, makes one from the store. If that fails the file is removed (so that queries search the
/// store itself) and the error returned.
pub fn add(kb: &KnowledgeBase, alias: NamedNodeRef<'_>, added: BTreeSet<Name>) -> Result<(), StoreError> {
    let updated = match NameIndex::open(kb.path()) {
        Some(index) => Ok(NameIndex::new(index.iter().map(|(t, l)| (t.to_string(), l.to_string())).chain(added))),
        None => NameIndex::from_store(kb, alias),
    };
    rewrite(kb, updated)
}

/// Writes the index again from the store at `kb` (after `optimize`: names no article gives any more
/// leave it). On failure as [`add`].
pub fn rebuild(kb: &KnowledgeBase, alias: NamedNodeRef<'_>) -> Result<(), StoreError> {
    rewrite(kb, NameIndex::from_store(kb, alias))
}

/// A literal as a [`Name`]: strings and language-tagged strings are names, other literals not.
pub fn name(literal: &Literal) -> Option<Name> {
    match literal.language() {
        Some(language) => Some((literal.value().to_string(), language.to_string())),
        None if literal.datatype() == oxigraph::model::vocab::xsd::STRING => Some((literal.value().to_string(), String::new())),
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

    fn names(list: &[&str]) -> NameIndex {
        NameIndex::new(list.iter().map(|s| (s.to_string(), "en".to_string())))
    }

    fn texts<'a>(found: Vec<(&'a str, &str)>) -> Vec<&'a str> {
        found.into_iter().map(|(text, _)| text).collect()
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

    #[test]
    fn written_and_read_back_and_damage_refused() {
        let folder = tempfile::tempdir().unwrap();
        let index = names(&["Ärzte ohne Grenzen", "NATO", "line\nbreak", ""]);
        index.write(folder.path()).unwrap();
        let read = NameIndex::open(folder.path()).unwrap();
        assert_eq!(read.iter().collect::<Vec<_>>(), index.iter().collect::<Vec<_>>());
        assert_eq!(read.iter().next(), Some(("", "en")));
        assert_eq!(texts(read.containing("arzte")), ["Ärzte ohne Grenzen"]);
        assert_eq!(texts(read.containing("line break")), ["line\nbreak"]);
        let bytes = index.bytes.clone();
        for cut in [0, MAGIC.len(), bytes.len() - 1] {
            assert!(NameIndex::decode(bytes[..cut].to_vec()).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(NameIndex::decode(longer).is_none());
        let unsorted = NameIndex::encode(&BTreeSet::from([("b".to_string(), String::new()), ("a".to_string(), String::new())]));
        let mut swapped = unsorted.clone();
        let (first, second) = (MAGIC.len() + 8, MAGIC.len() + 8 + 1 + 4 + 4);
        (swapped[first], swapped[second]) = (unsorted[second], unsorted[first]);
        assert!(NameIndex::decode(unsorted).is_some());
        assert!(NameIndex::decode(swapped).is_none(), "names out of order");
        assert!(NameIndex::open(&folder.path().join("missing")).is_none());
    }
}
