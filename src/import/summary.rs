//! What an import reports: the problems that stop it (each at a file, line and column), and the
//! summary of a successful run (what was kept, merged and dropped, and why).

use crate::facts::problem::Position;
use std::collections::BTreeMap;
use std::fmt;

/// One thing wrong with the input: `source:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// The file name as given, or `-` for stdin.
    pub source: String,
    /// Where in the file (columns count code points).
    pub position: Position,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.source, self.position.line, self.position.column, self.message)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// An input could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path as given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// No input file of the format was found under a folder.
    #[error("{path}: no {what} found")]
    Empty {
        /// The folder as given.
        path: String,
        /// What was looked for.
        what: &'static str,
    },
    /// A `--labels` or `--mapping` file is malformed.
    #[error("{} problem{} in the mapping files", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Mapping(Vec<ImportProblem>),
    /// The input is malformed or does not match its text.
    #[error("{} problem{} in the input", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Invalid(Vec<ImportProblem>),
}

/// A mention dropped by `--skip-invalid`: its offsets do not give its text. When it names a
/// Wikidata item, its entity is kept without the span, so no identifier is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidMention {
    /// Where the mention stands in the input file.
    pub at: ImportProblem,
    /// The document it belongs to.
    pub document: String,
    /// Its offsets, in code points.
    pub start: u64,
    /// Its end offset, in code points.
    pub end: u64,
}

/// What an import read, kept, merged and dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Input files read.
    pub files: usize,
    /// Documents written.
    pub documents: usize,
    /// Mentions read (entity annotations of every label).
    pub mentions: usize,
    /// Mentions kept as evidence of an entity.
    pub kept: usize,
    /// Entities written.
    pub entities: usize,
    /// Mentions that joined an entity another mention started.
    pub merged: usize,
    /// Kept mentions joined to a full name by the surname rule ("Putin" to "Vladimir Putin").
    pub surnames: usize,
    /// Trailing possessives trimmed ("Putin’s" to "Putin").
    pub possessives: usize,
    /// Entities given a Wikidata id by the input.
    pub wikidata: usize,
    /// Relations written.
    pub relations: usize,
    /// Events written.
    pub events: usize,
    /// Mentions, relations, events and lines left out, counted by reason (such as
    /// `label DATE is not an entity type`).
    pub dropped: BTreeMap<String, usize>,
    /// Mentions dropped by `--skip-invalid`, in input order.
    pub invalid: Vec<InvalidMention>,
}

impl Summary {
    /// Counts one item left out for `reason`.
    pub fn drop(&mut self, reason: impl Into<String>) {
        *self.dropped.entry(reason.into()).or_default() += 1;
    }
}

/// Problems of one run, and the first position of each unknown label (reported once, counted).
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub list: Vec<ImportProblem>,
    /// Unknown labels in the order first seen, each with its first place and count.
    unknown: Vec<(String, ImportProblem, usize)>,
}

impl Problems {
    pub fn push(&mut self, source: &str, position: Position, message: impl Into<String>) {
        self.list.push(ImportProblem { source: source.to_string(), position, message: message.into() });
    }

    /// Records a use of a label the label table does not know.
    pub fn unknown_label(&mut self, label: &str, source: &str, position: Position) {
        match self.unknown.iter_mut().find(|(known, _, _)| known == label) {
            Some((_, _, count)) => *count += 1,
            None => {
                let first = ImportProblem { source: source.to_string(), position, message: String::new() };
                self.unknown.push((label.to_string(), first, 1));
            }
        }
    }

    /// Every problem, the unknown labels once each with their counts.
    pub fn finish(mut self) -> Vec<ImportProblem> {
        for (label, mut first, count) in self.unknown {
            let uses = if count == 1 { "1 mention".to_string() } else { format!("{count} mentions") };
            first.message = format!(
                "unknown label \"{label}\" ({uses}); map it to an entity type (or to - to leave it out) in a --labels file"
            );
            self.list.push(first);
        }
        self.list
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty() && self.unknown.is_empty()
    }
}
