//! Finding and reading facts files: single JSON documents, JSON Lines, folders of both, and stdin.
//!
//! The entry point is [`list_sources`]; [`Source::for_each_document`] streams a source's documents,
//! each with the line it starts on, to [`crate::facts::validate`].

use crate::facts::problem::Position;
use crate::facts::problem::Problem;
use std::io::{BufRead, Read};
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

/// One input: a file, or standard input.
#[derive(Debug)]
pub struct Source {
    /// The name used in messages: the path as found, or `-` for stdin.
    pub name: String,
    /// The folder that `text_file` references are relative to.
    pub dir: PathBuf,
    /// Where the bytes come from: a file path, or `None` for stdin.
    pub path: Option<PathBuf>,
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

/// Expands `paths` (files, folders searched recursively in name order, `-` for stdin) into sources,
/// checking that each can be opened. Nothing is read yet.
pub fn list_sources(paths: &[PathBuf]) -> Result<Vec<Source>, InputError> {
    let mut sources = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let dir = std::env::current_dir().unwrap_or_default();
            sources.push(Source { name: "-".into(), dir, path: None, layout: Layout::Single });
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
            sources.extend(files.iter().map(|f| file_source(f)));
        } else {
            std::fs::File::open(path).map_err(io)?;
            sources.push(file_source(path));
        }
    }
    Ok(sources)
}

fn file_source(path: &Path) -> Source {
    let lines = matches!(path.extension().and_then(|e| e.to_str()), Some("jsonl" | "ndjson"));
    Source {
        name: path.display().to_string(),
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        path: Some(path.to_path_buf()),
        layout: if lines { Layout::Lines } else { Layout::Single },
    }
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

/// Stdin is one document when it parses as one JSON value; JSON Lines when its first non-blank line
/// is a whole JSON value by itself; otherwise one (malformed) document, reported at its error.
fn sniff_layout(bytes: &[u8]) -> Layout {
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return Layout::Single;
    }
    let first = bytes.split(|b| *b == b'\n').find(|line| !line.iter().all(u8::is_ascii_whitespace)).unwrap_or_default();
    if serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok() {
        Layout::Lines
    } else {
        Layout::Single
    }
}

impl Source {
    /// Calls `f` with each document of this source in order, or with the problem that makes a
    /// document (or a whole single-document file) unreadable, such as invalid UTF-8. JSON Lines are
    /// read one line at a time, so memory stays flat however long the file is.
    pub fn for_each_document<E>(&self, mut f: impl FnMut(Result<RawDocument<'_>, Problem>) -> Result<(), E>) -> Result<(), E>
    where
        E: From<InputError>,
    {
        let io = |source| InputError::Io { path: self.name.clone(), source };
        let (bytes, layout) = match &self.path {
            None => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes).map_err(io)?;
                let layout = sniff_layout(&bytes);
                (Some(bytes), layout)
            }
            Some(path) if self.layout == Layout::Single => (Some(std::fs::read(path).map_err(io)?), Layout::Single),
            Some(_) => (None, Layout::Lines),
        };
        match (bytes, layout) {
            (Some(bytes), Layout::Single) => {
                let text = match self.utf8(&bytes, 1) {
                    Ok(text) => text,
                    Err(problem) => return f(Err(problem)),
                };
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                f(Ok(RawDocument { source: &self.name, dir: &self.dir, first_line: 1, text }))
            }
            (Some(bytes), Layout::Lines) => {
                for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
                    self.line(line, i as u64 + 1, &mut f)?;
                }
                Ok(())
            }
            (None, _) => {
                let path = self.path.as_ref().expect("a file source");
                let mut reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(path).map_err(io)?);
                let mut line = Vec::new();
                let mut number = 0;
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line).map_err(io)? == 0 {
                        return Ok(());
                    }
                    number += 1;
                    let content = line.strip_suffix(b"\n").unwrap_or(&line);
                    self.line(content, number, &mut f)?;
                }
            }
        }
    }

    fn line<E>(&self, line: &[u8], number: u64, f: &mut impl FnMut(Result<RawDocument<'_>, Problem>) -> Result<(), E>) -> Result<(), E> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        match self.utf8(line, number) {
            Ok(text) => f(Ok(RawDocument { source: &self.name, dir: &self.dir, first_line: number, text })),
            Err(problem) => f(Err(problem)),
        }
    }

    /// The text of `bytes`, or the problem at the first invalid byte (`first_line` is its first line).
    fn utf8<'b>(&self, bytes: &'b [u8], first_line: u64) -> Result<&'b str, Problem> {
        std::str::from_utf8(bytes).map_err(|error| {
            let valid = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or_default();
            let line = first_line + valid.matches('\n').count() as u64;
            let column = 1 + valid.rsplit('\n').next().unwrap_or_default().chars().count() as u64;
            let byte = bytes[error.valid_up_to()];
            Problem {
                source: self.name.clone(),
                position: Position { line, column },
                path: "$".into(),
                message: format!(
                    "invalid UTF-8 (byte 0x{byte:02x} at offset {}); facts files must be UTF-8",
                    error.valid_up_to()
                ),
            }
        })
    }
}
