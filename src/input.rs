//! Finding and reading facts files: single JSON documents, JSON Lines, folders of both, and stdin.
//!
//! The entry point is [`read_sources`]; [`Source::documents`] splits a source into the raw texts of
//! its documents, each with the line it starts on, for [`crate::validate`].

use crate::jsonpos::Position;
use crate::validate::Problem;
use std::io::Read;
use std::path::{Path, PathBuf};

/// File name endings read as facts when a folder is scanned.
pub const FACTS_EXTENSIONS: [&str; 3] = ["json", "jsonl", "ndjson"];

/// An input that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist or cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A folder held no facts files.
    #[error("{path}: no facts files (*.json, *.jsonl, *.ndjson) found")]
    Empty {
        /// The folder as given.
        path: String,
    },
}

/// How a source's text is split into documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The whole text is one document.
    Single,
    /// One document per line; blank lines are skipped.
    Lines,
}

/// The bytes of one input file (or of stdin).
#[derive(Debug)]
pub struct Source {
    /// The name used in messages: the path as found, or `-` for stdin.
    pub name: String,
    /// The folder that `text_file` references are relative to.
    pub dir: PathBuf,
    /// The raw content.
    pub bytes: Vec<u8>,
    /// How the content holds documents.
    pub layout: Layout,
}

/// One document's text inside a source.
#[derive(Debug, Clone, Copy)]
pub struct RawDocument<'a> {
    /// The source's name.
    pub source: &'a str,
    /// The folder `text_file` is relative to.
    pub dir: &'a Path,
    /// Line of the source on which the document starts (1-based).
    pub first_line: u64,
    /// The document's JSON text.
    pub text: &'a str,
}

/// Expands `paths` (files, folders searched recursively in name order, `-` for stdin) and reads them.
pub fn read_sources(paths: &[PathBuf]) -> Result<Vec<Source>, InputError> {
    let mut sources = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|source| InputError::Io { path: "-".into(), source })?;
            let layout = sniff_layout(&bytes);
            let dir = std::env::current_dir().unwrap_or_default();
            sources.push(Source { name: "-".into(), dir, bytes, layout });
            continue;
        }
        let io = |source| InputError::Io { path: path.display().to_string(), source };
        let metadata = std::fs::metadata(path).map_err(io)?;
        if metadata.is_dir() {
            let mut files = Vec::new();
            collect_facts_files(path, &mut files).map_err(io)?;
            if files.is_empty() {
                return Err(InputError::Empty { path: path.display().to_string() });
            }
            for file in files {
                sources.push(read_file(&file)?);
            }
        } else {
            sources.push(read_file(path)?);
        }
    }
    Ok(sources)
}

fn read_file(path: &Path) -> Result<Source, InputError> {
    let bytes = std::fs::read(path).map_err(|source| InputError::Io { path: path.display().to_string(), source })?;
    let lines = matches!(path.extension().and_then(|e| e.to_str()), Some("jsonl" | "ndjson"));
    Ok(Source {
        name: path.display().to_string(),
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        bytes,
        layout: if lines { Layout::Lines } else { Layout::Single },
    })
}

fn collect_facts_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.map(|entry| entry.map(|e| e.path())).collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_facts_files(&entry, out)?;
        } else if entry.extension().and_then(|e| e.to_str()).is_some_and(|e| FACTS_EXTENSIONS.contains(&e)) {
            out.push(entry);
        }
    }
    Ok(())
}

/// Stdin is one document when it parses as one JSON value, JSON Lines otherwise.
fn sniff_layout(bytes: &[u8]) -> Layout {
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        Layout::Single
    } else {
        Layout::Lines
    }
}

impl Source {
    /// The documents of this source, or the problem that stops it from being read (invalid UTF-8).
    pub fn documents(&self) -> Result<Vec<RawDocument<'_>>, Problem> {
        let text = std::str::from_utf8(&self.bytes).map_err(|error| {
            let valid = &self.bytes[..error.valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = 1 + valid.matches('\n').count() as u64;
            let column = 1 + valid.rsplit('\n').next().unwrap_or_default().chars().count() as u64;
            let byte = self.bytes[error.valid_up_to()];
            Problem {
                source: self.name.clone(),
                position: Position { line, column },
                path: "$".into(),
                message: format!(
                    "invalid UTF-8 (byte 0x{byte:02x} at offset {}); facts files must be UTF-8",
                    error.valid_up_to()
                ),
            }
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Ok(match self.layout {
            Layout::Single => vec![RawDocument { source: &self.name, dir: &self.dir, first_line: 1, text }],
            Layout::Lines => text
                .split('\n')
                .enumerate()
                .filter(|(_, line)| !line.trim().is_empty())
                .map(|(i, line)| RawDocument {
                    source: &self.name,
                    dir: &self.dir,
                    first_line: i as u64 + 1,
                    text: line.strip_suffix('\r').unwrap_or(line),
                })
                .collect(),
        })
    }
}
