//! Finding and reading facts files: single JSON documents, JSON Lines, folders of both, and stdin.
//!
//! The entry point is [`list_sources`]; [`Source::for_each_document`] streams a source's documents,
//! each with the line it starts on, to [`crate::facts::validate`]. A document's `text_file` is read
//! here too, by [`TextRoot::read`], and only inside the folder the user allows.

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
    /// The folder that `text_file` references are relative to: the file's own, or the current
    /// folder for stdin.
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
                f(Ok(RawDocument { source: &self.name, first_line: 1, text }))
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
            Ok(text) => f(Ok(RawDocument { source: &self.name, first_line: number, text })),
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

/// The folder that every `text_file` must lie in, so that a facts file from elsewhere cannot read
/// the machine's other files (`/etc/…`) into the knowledge base. Paths are compared after resolving
/// `..` and symbolic links.
#[derive(Debug)]
pub struct TextRoot {
    /// The folder as given, for messages.
    shown: PathBuf,
    /// The folder with every link resolved.
    resolved: PathBuf,
    /// `text_file`s refused for lying outside.
    refused: std::sync::atomic::AtomicUsize,
}

/// Why a `text_file` gave no text. The messages name the path as joined to the facts file's folder.
#[derive(Debug, thiserror::Error)]
pub enum TextFileError {
    /// The value is an absolute path.
    #[error("{} is an absolute path; a text_file is read relative to the facts file, inside the text root {}", path.display(), root.display())]
    Absolute {
        /// The value.
        path: PathBuf,
        /// The text root as given.
        root: PathBuf,
    },
    /// The path leads outside the text root, through `..` or a symbolic link.
    #[error("{} is outside the text root {}", path.display(), root.display())]
    Outside {
        /// The path.
        path: PathBuf,
        /// The text root as given.
        root: PathBuf,
    },
    /// A folder, device, FIFO or socket.
    #[error("{} is not a regular file", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// Larger than [`MAX_TEXT_BYTES`].
    #[error("{} is larger than {} MiB", path.display(), MAX_TEXT_BYTES >> 20)]
    TooLarge {
        /// The path.
        path: PathBuf,
    },
    /// Not UTF-8.
    #[error("{} is not UTF-8 (invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The path.
        path: PathBuf,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// Missing or unreadable.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The largest article text read from a `text_file`.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

impl TextRoot {
    /// The folder `dir` (which must exist) as the text root.
    pub fn new(dir: &Path) -> Result<TextRoot, InputError> {
        let resolved = dir.canonicalize().map_err(|source| InputError::Io { path: dir.display().to_string(), source })?;
        Ok(TextRoot { shown: dir.to_path_buf(), resolved, refused: Default::default() })
    }

    /// The folder with every link resolved.
    pub fn resolved(&self) -> &Path {
        &self.resolved
    }

    /// How many `text_file`s this root has refused for lying outside it (or being absolute).
    pub fn refused(&self) -> usize {
        self.refused.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The text of `text_file`, a path relative to `dir` (the facts file's folder) that must resolve
    /// inside this root and name a regular UTF-8 file of at most [`MAX_TEXT_BYTES`].
    pub fn read(&self, dir: &Path, text_file: &str) -> Result<String, TextFileError> {
        let given = Path::new(text_file);
        if given.has_root() {
            return Err(self.refuse(TextFileError::Absolute { path: given.to_path_buf(), root: self.shown.clone() }));
        }
        let path = dir.join(given);
        let io = |source| TextFileError::Io { path: path.clone(), source };
        let resolved = path.canonicalize().map_err(io)?;
        if !resolved.starts_with(&self.resolved) {
            return Err(self.refuse(TextFileError::Outside { path, root: self.shown.clone() }));
        }
        // A device or FIFO would be read forever or block: look before opening.
        let metadata = std::fs::metadata(&resolved).map_err(io)?;
        if !metadata.is_file() {
            return Err(TextFileError::NotAFile { path });
        }
        if metadata.len() > MAX_TEXT_BYTES {
            return Err(TextFileError::TooLarge { path });
        }
        let bytes = std::fs::read(&resolved).map_err(io)?;
        String::from_utf8(bytes).map_err(|error| TextFileError::NotUtf8 { offset: error.utf8_error().valid_up_to(), path })
    }

    fn refuse(&self, error: TextFileError) -> TextFileError {
        self.refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn text_files_are_read_only_inside_the_root() {
        let temporary = tempfile::tempdir().unwrap();
        let top = temporary.path().canonicalize().unwrap();
        let root_dir = top.join("root");
        let facts = root_dir.join("facts");
        fs::create_dir_all(&facts).unwrap();
        fs::create_dir_all(root_dir.join("texts")).unwrap();
        fs::write(root_dir.join("texts/a.txt"), "inside").unwrap();
        fs::write(root_dir.join("texts/latin1.txt"), b"caf\xe9").unwrap();
        fs::write(top.join("outside.txt"), "outside").unwrap();
        std::os::unix::fs::symlink("../../outside.txt", facts.join("link.txt")).unwrap();
        std::os::unix::fs::symlink("../texts/a.txt", facts.join("inner.txt")).unwrap();
        let root = TextRoot::new(&root_dir).unwrap();
        assert_eq!(root.read(&facts, "../texts/a.txt").unwrap(), "inside");
        assert_eq!(root.read(&facts, "inner.txt").unwrap(), "inside");
        let refusal = |file: &str| root.read(&facts, file).unwrap_err().to_string();
        let at = |file: &str| facts.join(file).display().to_string();
        let outside = format!("outside the text root {}", root_dir.display());
        assert_eq!(refusal("link.txt"), format!("{} is {outside}", at("link.txt")));
        assert_eq!(refusal("../../outside.txt"), format!("{} is {outside}", at("../../outside.txt")));
        let absolute = top.join("outside.txt");
        assert_eq!(
            refusal(absolute.to_str().unwrap()),
            format!("{} is an absolute path; a text_file is read relative to the facts file, inside the text root {}", absolute.display(), root_dir.display())
        );
        assert_eq!(root.refused(), 3);
        assert_eq!(refusal("../texts"), format!("{} is not a regular file", at("../texts")));
        assert_eq!(refusal("../texts/latin1.txt"), format!("{} is not UTF-8 (invalid byte at offset 3)", at("../texts/latin1.txt")));
        assert_eq!(refusal("none.txt"), format!("cannot read {}: No such file or directory (os error 2)", at("none.txt")));
        assert_eq!(root.refused(), 3, "only paths outside the root count as refused");
    }

    #[test]
    fn json_lines_are_split_with_their_line_numbers_and_bad_bytes_located() {
        let temporary = tempfile::tempdir().unwrap();
        let path = temporary.path().join("x.jsonl");
        fs::write(&path, b"{\"a\":1}\n\n  \n{\"b\":2}\r\n{\"c\":\"\xff\"}\n").unwrap();
        let sources = list_sources(std::slice::from_ref(&path)).unwrap();
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0].layout, Layout::Lines);
        assert_eq!(sources[0].dir, temporary.path());
        let mut seen = Vec::new();
        sources[0]
            .for_each_document(|document| {
                seen.push(match document {
                    Ok(raw) => format!("{}: {}", raw.first_line, raw.text),
                    Err(problem) => problem.to_string(),
                });
                Ok::<(), InputError>(())
            })
            .unwrap();
        let bad = format!("{}:5:7: $: invalid UTF-8 (byte 0xff at offset 6); facts files must be UTF-8", path.display());
        assert_eq!(seen, ["1: {\"a\":1}".to_string(), "4: {\"b\":2}".to_string(), bad]);
    }

    #[test]
    fn a_folder_gives_its_facts_files_in_name_order() {
        let temporary = tempfile::tempdir().unwrap();
        let dir = temporary.path();
        fs::create_dir_all(dir.join("a")).unwrap();
        for name in ["b.json", "a/c.ndjson", "notes.txt"] {
            fs::write(dir.join(name), "{}").unwrap();
        }
        let sources = list_sources(&[dir.to_path_buf()]).unwrap();
        let names: Vec<(String, Layout)> = sources.iter().map(|s| (s.name.clone(), s.layout)).collect();
        let named = |name: &str| dir.join(name).display().to_string();
        assert_eq!(names, [(named("a/c.ndjson"), Layout::Lines), (named("b.json"), Layout::Single)]);
        let empty = dir.join("a/empty");
        fs::create_dir(&empty).unwrap();
        assert!(matches!(list_sources(&[empty]), Err(InputError::Empty { .. })));
    }
}
