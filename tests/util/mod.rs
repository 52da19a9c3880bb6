//! The test harness: a temporary folder per test and a wrapper around the `factgraph` binary that
//! shows the command, its stdout and its stderr when an expectation fails.

#![allow(dead_code)]

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, Quad};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A finished run of the binary.
pub struct Run {
    pub command: String,
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!("command: {}\nexit: {}\n--- stdout\n{}\n--- stderr\n{}", self.command, self.status, self.stdout, self.stderr)
    }

    /// Panics unless the run succeeded.
    pub fn success(self) -> Run {
        assert_eq!(self.status, 0, "expected success\n{}", self.describe());
        self
    }

    /// Panics unless the run exited with `code`.
    pub fn code(self, code: i32) -> Run {
        assert_eq!(self.status, code, "expected exit code {code}\n{}", self.describe());
        self
    }

    /// Panics unless stderr contains `needle`.
    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}\n{}", self.describe());
        self
    }

    /// Panics unless stdout contains `needle`.
    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}\n{}", self.describe());
        self
    }
}

/// A temporary working folder with a `factgraph` command runner.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox { dir: tempfile::tempdir().expect("a temporary folder") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The store folder used by `run_in_store`.
    pub fn store(&self) -> PathBuf {
        self.path().join("store")
    }

    /// Runs `factgraph ARGS` with the repository root as working directory.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_from(&root(), args, None)
    }

    /// Runs `factgraph ARGS --store <sandbox store>` from the repository root.
    pub fn run_in_store(&self, args: &[&str]) -> Run {
        let store = self.store();
        let mut all: Vec<&str> = args.to_vec();
        all.push("--store");
        all.push(store.to_str().expect("UTF-8 temp path"));
        self.run_from(&root(), &all, None)
    }

    /// Writes `articles` synthetic articles (`factgraph generate`, seed `seed`) to the file `name`
    /// in the sandbox, and returns its path.
    pub fn generate(&self, name: &str, articles: usize, seed: u64) -> PathBuf {
        let path = self.path().join(name);
        self.run(&["generate", "--articles", &articles.to_string(), "--seed", &seed.to_string(), "-o", path.to_str().expect("UTF-8 temp path")]).success();
        path
    }

    /// Runs `factgraph ARGS` in `dir`, with `stdin` as standard input.
    pub fn run_from(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
        run_binary(dir, args, stdin)
    }
}

/// Runs the binary in `dir`.
pub fn run_binary(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_factgraph"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1").env_remove("FACTGRAPH_STORE");
    command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the factgraph binary runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().expect("piped stdin").write_all(input).expect("stdin written");
    }
    let output = child.wait_with_output().expect("the binary finishes");
    Run {
        command: format!("(cd {} && factgraph {})", dir.display(), args.join(" ")),
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Parses RDF text into a set of quads in N-Quads form (for graph comparison: no blank nodes occur).
pub fn parse_rdf(text: &[u8], format: RdfFormat, keep_graphs: bool) -> BTreeSet<String> {
    RdfParser::from_format(format)
        .for_slice(text)
        .map(|q| {
            let mut q: Quad = q.unwrap_or_else(|e| panic!("{format} output does not parse: {e}"));
            if !keep_graphs {
                q.graph_name = GraphName::DefaultGraph;
            }
            q.to_string()
        })
        .collect()
}

/// Compares a file with `actual`; with FACTGRAPH_BLESS=1 rewrites the file instead.
pub fn expect_file(path: &Path, actual: &str) {
    if std::env::var_os("FACTGRAPH_BLESS").is_some() {
        std::fs::write(path, actual).expect("expected file written");
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e} (run with FACTGRAPH_BLESS=1 to create it)", path.display()));
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "{} differs ({} vs {} lines)\n{}\n--- actual\n{actual}",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// The graph names of N-Quads text.
pub fn graph_names(nquads: &[u8]) -> BTreeSet<String> {
    RdfParser::from_format(RdfFormat::NQuads)
        .for_slice(nquads)
        .map(|q| q.expect("N-Quads parse").graph_name.to_string())
        .collect()
}
