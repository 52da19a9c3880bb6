//! Where the binary writes: colour only on a terminal, files replaced atomically, progress bars only
//! on a terminal, and the aligned result table.

use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::model::Term;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Colour on a terminal only, and never when NO_COLOR is set.
pub struct Style {
    colour: bool,
}

impl Style {
    pub fn stderr() -> Style {
        Style { colour: io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    pub fn red(&self, text: &str) -> String {
        self.paint("1;31", text)
    }

    pub fn green(&self, text: &str) -> String {
        self.paint("32", text)
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// Standard output, or a file written beside its final name and renamed into place on success, so
/// a failed run never leaves a half-written file; a device or a pipe is written directly.
pub struct Output {
    writer: io::BufWriter<Box<dyn Write>>,
    rename: Option<(PathBuf, PathBuf)>,
}

impl Output {
    pub fn open(path: Option<&Path>) -> io::Result<Output> {
        match path {
            None => Ok(Output { writer: io::BufWriter::with_capacity(1 << 20, Box::new(io::stdout().lock())), rename: None }),
            Some(path) if path.as_os_str() == "-" => Output::open(None),
            // A device or a pipe (`-o /dev/null`, a FIFO) is written as it is: renaming a file onto
            // it would replace it.
            Some(path) if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| io::Error::new(e.kind(), format!("cannot write to {}: {e}", path.display())))?;
                Ok(Output { writer: io::BufWriter::with_capacity(1 << 20, Box::new(file)), rename: None })
            }
            Some(path) => {
                let name = path
                    .file_name()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a file name", path.display())))?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", parent.display())))?;
                }
                let temporary = path.with_file_name(format!(".{}.partial-{}", name.to_string_lossy(), std::process::id()));
                let file = std::fs::File::create(&temporary)
                    .map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display())))?;
                Ok(Output { writer: io::BufWriter::with_capacity(1 << 20, Box::new(file)), rename: Some((temporary, path.to_path_buf())) })
            }
        }
    }

    /// Flushes, and moves a file into place.
    pub fn commit(mut self) -> io::Result<()> {
        self.writer.flush()?;
        if let Some((temporary, path)) = self.rename.take() {
            std::fs::rename(&temporary, &path)?;
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Some((temporary, _)) = self.rename.take() {
            let _ = std::fs::remove_file(temporary);
        }
    }
}

/// A progress bar with `template` on a terminal; hidden otherwise.
fn progress(total: u64, template: &str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(ProgressStyle::with_template(template).expect("the template is valid").progress_chars("=> "));
    bar
}

/// A spinner with a message, for work of unknown length.
pub fn spinner(message: &'static str) -> ProgressBar {
    let bar = progress(0, "{spinner} {msg} ({elapsed})");
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A progress bar counting `what` (the last one done as its message).
pub fn count_progress(total: u64, what: &str) -> ProgressBar {
    progress(total, &format!("{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} {{msg}} ({{elapsed}})"))
}

/// A progress bar counting quads.
pub fn quad_progress(total: u64) -> ProgressBar {
    progress(total, "{spinner} loading [{bar:30}] {human_pos}/{human_len} quads ({per_sec}, {eta} left)")
}

/// A progress bar counting graphs pushed.
pub fn graph_progress(total: u64) -> ProgressBar {
    progress(total, "{spinner} pushing [{bar:30}] {human_pos}/{human_len} graphs ({per_sec}, {eta} left)")
}

/// A progress bar over bytes read, with MB/s.
pub fn byte_progress(total: u64) -> ProgressBar {
    progress(total, "{spinner} indexing [{bar:30}] {decimal_bytes}/{decimal_total_bytes} ({decimal_bytes_per_sec}, {eta} left)")
}

/// How one RDF term is shown to people: IRIs under the base as paths, known namespaces as prefixed
/// names, literals as their text.
pub fn cell(term: Option<&Term>, prefixes: &[(String, String)], base: &str) -> String {
    let Some(term) = term else { return String::new() };
    let text = match term {
        Term::NamedNode(node) => {
            let iri = node.as_str();
            if let Some(path) = iri.strip_prefix(base) {
                path.to_string()
            } else if let Some((prefix, local)) =
                prefixes.iter().find_map(|(p, ns)| iri.strip_prefix(ns.as_str()).map(|local| (p, local)))
            {
                format!("{prefix}:{local}")
            } else {
                format!("<{iri}>")
            }
        }
        Term::BlankNode(node) => format!("_:{}", node.as_str()),
        Term::Literal(literal) => literal.value().to_string(),
        #[allow(unreachable_patterns)]
        other => other.to_string(),
    };
    text.replace(['\n', '\r', '\t'], " ")
}

/// One cell of a table for people: its text (see [`cell`]) and whether it is an IRI.
pub struct Cell {
    pub text: String,
    pub iri: bool,
}

/// How a table for people is laid out.
pub struct Layout {
    /// The width to fit; `None` shows every column and whole cells.
    pub width: Option<usize>,
    /// What shows everything, for the note under a table that does not (`--wide or --format tsv`).
    pub everything: String,
}

/// Longest cell of a table that is fitted to a width.
const CELL_WIDTH: usize = 70;
/// Cells are not cut shorter than this to keep more columns: the rightmost columns go first.
const CELL_FLOOR: usize = 16;

impl Layout {
    /// Fits the terminal's width when `to_stdout` and standard output is a terminal, else 100
    /// columns; `wide` shows everything.
    pub fn new(wide: bool, to_stdout: bool, everything: String) -> Layout {
        let terminal = || terminal_size::terminal_size_of(io::stdout()).map(|(width, _)| usize::from(width.0));
        let width = if to_stdout { terminal().unwrap_or(100) } else { 100 };
        Layout { width: (!wide).then_some(width), everything }
    }

    /// Which columns to show, each with the length its cells are cut at, and a note that says
    /// what is not shown. Left out: IRI columns that have a label column beside them (`x` beside
    /// `xLabel` or `xName`) and empty columns; then, while the table is wider than the width with
    /// cells cut at [`CELL_FLOOR`], the rightmost column of IRIs, else the rightmost column. IRIs
    /// are shown whole or not at all; other cells are cut as little as the width allows.
    fn fit(&self, header: &[String], rows: &[Vec<Cell>]) -> (Vec<(usize, usize)>, Option<String>) {
        let Some(width) = self.width else { return ((0..header.len()).map(|i| (i, usize::MAX)).collect(), None) };
        let only_iris = |i: usize| rows.iter().all(|r| r[i].iri || r[i].text.is_empty()) && rows.iter().any(|r| r[i].iri);
        let labelled = |i: usize| only_iris(i) && header.iter().any(|h| *h == format!("{}Label", header[i]) || *h == format!("{}Name", header[i]));
        let empty = |i: usize| !rows.is_empty() && rows.iter().all(|r| r[i].text.is_empty());
        let (labelled, rest): (Vec<usize>, Vec<usize>) = (0..header.len()).partition(|&i| labelled(i));
        let (empty, mut shown): (Vec<usize>, Vec<usize>) = rest.into_iter().partition(|&i| empty(i));
        let longest = |i: usize| rows.iter().map(|r| r[i].text.chars().count()).chain([header[i].chars().count()]).max().unwrap_or(0);
        let natural: Vec<usize> = (0..header.len()).map(|i| if only_iris(i) { longest(i) } else { longest(i).min(CELL_WIDTH) }).collect();
        let cap_of = |i: usize, cap: usize| if only_iris(i) { natural[i] } else { natural[i].min(cap) };
        let total = |shown: &[usize], cap: usize| shown.iter().map(|&i| cap_of(i, cap)).sum::<usize>() + 2 * shown.len().saturating_sub(1);
        let mut dropped = Vec::new();
        while shown.len() > 1 && total(&shown, CELL_FLOOR) > width {
            let at = shown.iter().rposition(|&i| only_iris(i)).unwrap_or(shown.len() - 1);
            dropped.push(shown.remove(at));
        }
        dropped.sort();
        let cap = (1..=CELL_WIDTH).rev().find(|&cap| total(&shown, cap) <= width).unwrap_or(1);
        let names = |columns: &[usize]| columns.iter().map(|&i| header[i].as_str()).collect::<Vec<_>>().join(", ");
        let mut hidden = Vec::new();
        if !labelled.is_empty() {
            hidden.push(format!("{} (IRIs beside their labels)", names(&labelled)));
        }
        if !empty.is_empty() {
            hidden.push(format!("{} (empty)", names(&empty)));
        }
        if !dropped.is_empty() {
            hidden.push(format!("{} (no room)", names(&dropped)));
        }
        let mut note = Vec::new();
        if !hidden.is_empty() {
            note.push(format!("not shown: {}", hidden.join("; ")));
        }
        if shown.iter().any(|&i| natural[i] > cap_of(i, cap)) {
            note.push(format!("cells cut at {cap} characters"));
        }
        let note = (!note.is_empty()).then(|| format!("{}\nall of it: {}", wrap(&note.join("; "), width), self.everything));
        (shown.into_iter().map(|i| (i, cap_of(i, cap))).collect(), note)
    }
}

/// `text` broken at spaces into lines of at most `width` characters, the later ones indented.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            Some(_) => lines.push(format!("  {word}")),
            None => lines.push(word.to_string()),
        }
    }
    lines.join("\n")
}

/// Writes rows as an aligned table with a header rule, laid out as `layout` says, then the
/// number of rows and, when not everything is shown, a note that says so.
pub fn write_table(out: &mut impl Write, header: &[String], rows: &[Vec<Cell>], layout: &Layout) -> io::Result<()> {
    let (shown, note) = layout.fit(header, rows);
    let cut = |text: &str, cap: usize| -> String {
        if text.chars().count() > cap {
            let mut short: String = text.chars().take(cap.saturating_sub(1)).collect();
            short.push('…');
            short
        } else {
            text.to_string()
        }
    };
    let header: Vec<String> = shown.iter().map(|&(i, cap)| cut(&header[i], cap)).collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| shown.iter().map(|&(i, cap)| cut(&r[i].text, cap)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut text = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(c);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
        }
        text.trim_end().to_string()
    };
    writeln!(out, "{}", line(&header))?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", line(&rule))?;
    for row in &rows {
        writeln!(out, "{}", line(row))?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })?;
    if let Some(note) = note {
        writeln!(out, "{note}")?;
    }
    Ok(())
}

/// Writes a query's plan (`query --explain`): an indented tree, a step a line with its rows and
/// seconds, then the totals; or, with `json`, the same as one JSON object.
pub fn write_plan(explained: &factgraph::store::query::Explained, json: bool, out: &mut impl Write) -> io::Result<()> {
    use factgraph::store::query::PlanNode;
    fn to_json(node: &PlanNode) -> serde_json::Value {
        serde_json::json!({
            "step": node.name,
            "rows": node.rows,
            "seconds": node.seconds,
            "children": node.children.iter().map(to_json).collect::<Vec<_>>(),
        })
    }
    fn tree(node: &PlanNode, depth: usize, out: &mut impl Write) -> io::Result<()> {
        let rows = node.rows.map(|r| format!("{r} rows")).unwrap_or_default();
        let seconds = node.seconds.map(|s| format!(", {s:.3} s")).unwrap_or_default();
        writeln!(out, "{:indent$}{}  [{rows}{seconds}]", "", node.name, indent = depth * 2)?;
        node.children.iter().try_for_each(|child| tree(child, depth + 1, out))
    }
    if json {
        let value = serde_json::json!({
            "rows": explained.rows,
            "seconds": explained.elapsed.as_secs_f64(),
            "plan": to_json(&explained.plan),
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)
    } else {
        tree(&explained.plan, 0, out)?;
        writeln!(out, "{} rows in {:.3} s (steps' seconds include their children's)", explained.rows, explained.elapsed.as_secs_f64())
    }
}
