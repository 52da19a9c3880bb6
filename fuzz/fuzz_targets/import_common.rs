//! What the import fuzz targets require of any result: documents that are the same on a second
//! run and pass validation as `factgraph check` would read them back, or located problems.

use factgraph::facts::input::RawDocument;
use factgraph::import::{ImportError, Imported, Options};
use std::sync::OnceLock;

pub fn options() -> &'static Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS.get_or_init(Options::default)
}

/// Checks one import of the text named `source` (`lines` lines long), run twice.
pub fn check(source: &str, lines: u64, run: impl Fn() -> Result<Imported, ImportError>) {
    let written = |imported: Imported| -> Vec<String> {
        imported.documents.iter().map(|d| serde_json::to_string(d).expect("a document serialises")).collect()
    };
    match run() {
        Ok(imported) => {
            let documents = written(imported);
            let again = run().map(written).expect("the second run fails");
            assert_eq!(documents, again, "not deterministic");
            for json in &documents {
                let raw = RawDocument { source: "out", first_line: 1, text: json };
                if let Err(problems) = factgraph::facts::validate::validate(raw, |_| Err("imported documents carry their text")) {
                    panic!("an imported document fails check: {problems:?}\n{json}");
                }
            }
        }
        Err(ImportError::Invalid(problems)) => {
            assert!(!problems.is_empty(), "failed without a problem");
            for p in &problems {
                assert_eq!(p.source, source);
                assert!(p.position.line >= 1 && p.position.column >= 1, "unlocated problem {p}");
                assert!(p.position.line <= lines, "problem past the last line ({lines}): {p}");
                assert!(!p.message.is_empty(), "problem without a message: {p}");
            }
        }
        Err(other) => panic!("in-memory input gave {other}"),
    }
}
