//! Importers: what extractors write (spaCy's `Doc.to_json()`, NIF 2.0, brat standoff) turned into
//! facts documents that pass `check`, with a [`Summary`] of what was kept, merged and dropped.
//!
//! The entry point is [`import`]; an [`Importer`] reads texts already in memory (the fuzz targets
//! use it). Every mention's offsets are checked against its document's text: a mismatch is an
//! [`ImportProblem`], or with [`Options::skip_invalid`] a dropped mention listed in the summary.
//! The same input always gives the same documents.

pub mod brat;
mod entities;
pub mod labels;
pub mod nif;
pub mod spacy;
pub mod summary;

pub use labels::{BratMapping, Labels};
pub use summary::{ImportError, ImportProblem, InvalidMention, Summary};

use crate::facts::problem::Position;
use crate::facts::{Evidence, FactsDocument};
use crate::text::CodePoints;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use summary::Problems;

/// The formats `factgraph import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// spaCy's `Doc.to_json()`: a JSON object, an array of them, or JSON Lines.
    Spacy,
    /// NIF 2.0 in any RDF syntax Oxigraph parses.
    Nif,
    /// brat standoff: `.txt` and `.ann` pairs.
    Brat,
}

/// What an import is told besides its inputs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Entity labels to entity types.
    pub labels: Labels,
    /// brat relation and event types to the facts format's.
    pub mapping: BratMapping,
    /// Leave out mentions whose offsets do not give their text (listed in the summary) instead of
    /// failing.
    pub skip_invalid: bool,
}

/// The documents of a successful import and what it did.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The documents, in input order.
    pub documents: Vec<FactsDocument>,
    /// What was kept, merged and dropped.
    pub summary: Summary,
}

/// Reads `paths` (files or folders) in `format`.
pub fn import(format: Format, paths: &[PathBuf], options: &Options) -> Result<Imported, ImportError> {
    let mut importer = Importer::new(options);
    match format {
        Format::Spacy => {
            for file in list_files(paths, &["json", "jsonl", "ndjson"], "spaCy JSON files (*.json, *.jsonl)")? {
                let text = read_text(&file)?;
                let lines = file.as_os_str() != "-" && matches!(extension(&file), "jsonl" | "ndjson");
                importer.spacy(&file.display().to_string(), &file_stem(&file), &text, lines);
            }
        }
        Format::Nif => {
            for file in list_files(paths, &["ttl", "nt", "nq", "trig", "n3", "rdf", "xml", "jsonld"], "RDF files")? {
                let bytes = std::fs::read(&file).map_err(|source| ImportError::Read { path: file.display().to_string(), source })?;
                importer.nif(&file.display().to_string(), &bytes, extension(&file));
            }
        }
        Format::Brat => {
            for ann in list_files(paths, &["ann"], "brat annotation files (*.ann)")? {
                let txt = ann.with_extension("txt");
                let annotations = read_text(&ann)?;
                let text = read_text(&txt)?;
                importer.brat(&ann.display().to_string(), &file_stem(&ann), &text, &annotations);
            }
        }
    }
    importer.finish()
}

fn extension(path: &Path) -> &str {
    path.extension().and_then(|e| e.to_str()).unwrap_or_default()
}

/// A file's name without its extension, as a document id (characters ids cannot hold become '-').
fn file_stem(path: &Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let id = safe_id(&stem);
    if id.is_empty() { "stdin".to_string() } else { id }
}

/// `text` with every character an id cannot hold replaced by '-', runs of them by one.
pub(crate) fn safe_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').chars().take(200).collect()
}

fn read_text(path: &Path) -> Result<String, ImportError> {
    let error = |source| ImportError::Read { path: path.display().to_string(), source };
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(error)?;
        bytes
    } else {
        std::fs::read(path).map_err(error)?
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        error(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("invalid UTF-8 at byte {at}")))
    })
}

/// Files given, and files with one of `extensions` under folders given, in name order.
fn list_files(paths: &[PathBuf], extensions: &[&str], what: &'static str) -> Result<Vec<PathBuf>, ImportError> {
    fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                walk(&entry, extensions, out)?;
            } else if extensions.contains(&extension(&entry)) {
                out.push(entry);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for path in paths {
        let error = |source| ImportError::Read { path: path.display().to_string(), source };
        if path.as_os_str() != "-" && std::fs::metadata(path).map_err(error)?.is_dir() {
            let before = files.len();
            walk(path, extensions, &mut files).map_err(error)?;
            if files.len() == before {
                return Err(ImportError::Empty { path: path.display().to_string(), what });
            }
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// A document's text while its mentions are read.
pub(crate) struct DocumentText<'t> {
    pub id: &'t str,
    pub text: &'t str,
    pub points: CodePoints,
}

impl<'t> DocumentText<'t> {
    pub fn new(id: &'t str, text: &'t str) -> DocumentText<'t> {
        DocumentText { id, text, points: CodePoints::new(text) }
    }
}

/// Reads inputs already in memory into facts documents; [`Importer::finish`] gives them, or every
/// problem.
pub struct Importer<'o> {
    options: &'o Options,
    documents: Vec<FactsDocument>,
    ids: HashSet<String>,
    summary: Summary,
    problems: Problems,
}

impl<'o> Importer<'o> {
    /// An importer with nothing read yet.
    pub fn new(options: &'o Options) -> Importer<'o> {
        Importer { options, documents: Vec::new(), ids: HashSet::new(), summary: Summary::default(), problems: Problems::default() }
    }

    /// The documents and summary, or every problem found (nothing when any was found).
    pub fn finish(self) -> Result<Imported, ImportError> {
        if !self.problems.is_empty() {
            return Err(ImportError::Invalid(self.problems.finish()));
        }
        let mut summary = self.summary;
        summary.documents = self.documents.len();
        Ok(Imported { documents: self.documents, summary })
    }

    fn problem(&mut self, source: &str, position: Position, message: impl Into<String>) {
        self.problems.push(source, position, message);
    }

    /// Adds a finished document, unless another has its id.
    fn add(&mut self, document: FactsDocument, source: &str, position: &dyn Fn() -> Position) {
        if self.ids.insert(document.document.id.clone()) {
            self.documents.push(document);
        } else {
            let message = format!("a second document with the id \"{}\"; document ids must be unique", document.document.id);
            self.problem(source, position(), message);
        }
    }

    /// True (and a problem recorded) when `text` holds a character RDF/XML cannot carry.
    fn unportable(&mut self, text: &str, source: &str, position: &dyn Fn() -> Position, what: &str) -> bool {
        let bad = text.chars().find(|c| ((*c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}'));
        match bad {
            Some(c) => {
                self.problem(source, position(), format!("{what} contains U+{:04X}, which RDF/XML and many RDF parsers cannot carry", c as u32));
                true
            }
            None => false,
        }
    }

    /// The evidence span `start..end` of a mention, checked against the text and, when the input
    /// gives it, the mention's own words. A mismatch is a problem (at `position()`, found only then),
    /// or with `skip_invalid` a mention dropped and listed.
    fn span(
        &mut self,
        document: &DocumentText<'_>,
        start: u64,
        end: u64,
        expected: Option<&str>,
        source: &str,
        position: &dyn Fn() -> Position,
    ) -> Option<Evidence> {
        let id = document.id;
        let fault = if start >= end {
            format!("mention {start}..{end} of document \"{id}\" is empty or reversed")
        } else {
            match document.points.byte_range(document.text, start, end) {
                None => format!(
                    "mention {start}..{end} of document \"{id}\" lies outside its text, which has {} characters",
                    document.points.len()
                ),
                Some(range) => {
                    let actual = &document.text[range];
                    match expected {
                        Some(words) if words != actual => {
                            format!("mention {start}..{end} of document \"{id}\" reads {actual:?} in the text, not {words:?}")
                        }
                        _ if actual.trim().is_empty() => format!("mention {start}..{end} of document \"{id}\" is blank"),
                        _ => return Some(Evidence::at(start, end, actual)),
                    }
                }
            }
        };
        self.reject(id, start, end, fault, source, position());
        None
    }

    /// A mention whose offsets do not give its text: a problem, or with `skip_invalid` a mention
    /// dropped and listed.
    fn reject(&mut self, document: &str, start: u64, end: u64, fault: String, source: &str, position: Position) {
        if self.options.skip_invalid {
            let at = ImportProblem { source: source.to_string(), position, message: fault };
            self.summary.invalid.push(InvalidMention { at, document: document.to_string(), start, end });
        } else {
            self.problem(source, position, format!("{fault}; --skip-invalid leaves such mentions out"));
        }
    }
}

/// The entity of a mention dropped by `--skip-invalid` that names a Wikidata item: kept without a
/// span, named by the words the input gives, so no identifier is lost.
pub(crate) fn spanless(words: Option<&str>, kind: crate::facts::EntityType, wikidata: &Option<String>, refs: &[String]) -> Option<entities::Mention> {
    let words = words.filter(|w| !w.trim().is_empty())?;
    wikidata.as_ref()?;
    Some(entities::Mention { spans: Vec::new(), text: words.to_string(), kind, wikidata: wikidata.clone(), refs: refs.to_vec(), ties: Vec::new() })
}

/// How many code points a trailing possessive ("’s", "'s") takes at the end of `text`, if it has one
/// after a word.
pub(crate) fn possessive(text: &str) -> Option<u64> {
    let head = text.strip_suffix("’s").or_else(|| text.strip_suffix("'s"))?;
    head.chars().last().filter(|c| c.is_alphanumeric() || c.is_ascii_punctuation() && *c == '.').map(|_| 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possessives_and_ids() {
        assert_eq!(possessive("Putin’s"), Some(2));
        assert_eq!(possessive("Putin's"), Some(2));
        assert_eq!(possessive("’s"), None);
        assert_eq!(possessive("Paris"), None);
        assert_eq!(safe_id("my file (1)"), "my-file-1");
    }
}
