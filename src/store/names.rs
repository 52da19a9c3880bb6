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

/// The names of a store, searchable by substring.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// Every name as the store gives it, sorted, distinct.
    names: Vec<Name>,
    /// The names' folded forms, each followed by a NUL (which no folded form holds).
    folded: Vec<u8>,
    /// Where each name's NUL is in `folded`.
    ends: Vec<u32>,
}

impl NameIndex {
    /// An index of `names` (in any order, repeats allowed).
    pub fn new(names: impl IntoIterator<Item = Name>) -> NameIndex {
        let names: Vec<Name> = names.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
        let mut folded = Vec::new();
        let mut ends = Vec::with_capacity(names.len());
        for (text, _) in &names {
            folded.extend_from_slice(crate::text::search_fold(text).as_bytes());
            ends.push(folded.len() as u32);
            folded.push(0);
        }
        NameIndex { names, folded, ends }
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
    /// read (too short, another format, lengths that do not add up).
    pub fn open(store: &Path) -> Option<NameIndex> {
        let bytes = std::fs::read(store.join(NAMES_FILE)).ok()?;
        NameIndex::decode(&bytes)
    }

    fn decode(bytes: &[u8]) -> Option<NameIndex> {
        let mut rest = bytes.strip_prefix(MAGIC)?;
        let mut take = |n: usize| -> Option<&[u8]> {
            let (head, tail) = (rest.get(..n)?, rest.get(n..)?);
            rest = tail;
            Some(head)
        };
        let count = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let mut names = Vec::with_capacity(count.min(bytes.len() / 4));
        for _ in 0..count {
            let mut text = || -> Option<String> {
                let length = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
                String::from_utf8(take(length)?.to_vec()).ok()
            };
            names.push((text()?, text()?));
        }
        let length = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let folded = take(length)?.to_vec();
        if !rest.is_empty() || names.windows(2).any(|w| w[0] >= w[1]) {
            return None;
        }
        let languages: BTreeSet<&str> = names.iter().map(|(_, language)| language.as_str()).filter(|l| !l.is_empty()).collect();
        if languages.into_iter().any(|l| Literal::new_language_tagged_literal("", l).is_err()) {
            return None;
        }
        let ends: Vec<u32> = folded.iter().enumerate().filter(|(_, b)| **b == 0).map(|(i, _)| i as u32).collect();
        (ends.len() == names.len() && folded.last().is_none_or(|b| *b == 0)).then_some(NameIndex { names, folded, ends })
    }

    fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(MAGIC.len() + self.folded.len() * 2 + self.names.len() * 4 + 8);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(self.names.len() as u32).to_le_bytes());
        for text in self.names.iter().flat_map(|(text, language)| [text, language]) {
            bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
        }
        bytes.extend_from_slice(&(self.folded.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&self.folded);
        bytes
    }

    /// Writes the index into the store folder, replacing the file whole (written beside it, then
    /// renamed).
    pub fn write(&self, store: &Path) -> Result<(), StoreError> {
        let io = |source| StoreError::Io { path: store.to_path_buf(), source };
        let temporary: PathBuf = store.join(format!(".{NAMES_FILE}.{}", std::process::id()));
        let written = std::fs::File::create(&temporary)
            .and_then(|mut file| file.write_all(&self.encode()).and_then(|()| file.sync_all()))
            .and_then(|()| std::fs::rename(&temporary, store.join(NAMES_FILE)));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map_err(io)
    }

    /// The names whose folded text contains `text`'s (every name for an empty text), sorted.
    pub fn containing(&self, text: &str) -> Vec<&Name> {
        let needle = crate::text::search_fold(text);
        if needle.is_empty() {
            return self.names.iter().collect();
        }
        let mut found: Vec<&Name> = Vec::new();
        let mut last = usize::MAX;
        for position in memchr::memmem::find_iter(&self.folded, needle.as_bytes()) {
            let name = self.ends.partition_point(|&end| (end as usize) <= position);
            if name != last {
                found.push(&self.names[name]);
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
        Some(index) => Ok(NameIndex::new(index.names.into_iter().chain(added))),
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

/// A [`Name`] as a literal.
pub fn literal((text, language): &Name) -> Literal {
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

    fn texts<'a>(found: Vec<&'a Name>) -> Vec<&'a str> {
        found.into_iter().map(|(text, _)| text.as_str()).collect()
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
        assert_eq!(read.names, index.names);
        assert_eq!(texts(read.containing("arzte")), ["Ärzte ohne Grenzen"]);
        assert_eq!(texts(read.containing("line break")), ["line\nbreak"]);
        let bytes = index.encode();
        for cut in [0, MAGIC.len(), bytes.len() - 1] {
            assert!(NameIndex::decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(NameIndex::decode(&longer).is_none());
        assert!(NameIndex::open(&folder.path().join("missing")).is_none());
    }
}
