//! The stages strung together: read every input, validate every document, and keep the valid ones
//! together with every problem found.

use crate::input::{read_sources, InputError};
use crate::validate::{validate, Problem, ValidDocument};
use std::collections::HashMap;
use std::path::PathBuf;

/// What checking a set of inputs found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Valid documents in input order, each with `source:line` of where it starts.
    pub documents: Vec<(String, ValidDocument)>,
    /// Every problem, in input order.
    pub problems: Vec<Problem>,
    /// Number of files (or stdin) read.
    pub sources: usize,
    /// Number of documents seen, valid or not.
    pub seen: usize,
}

impl Checked {
    /// True when no problem was found.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Reads and validates every document of `paths` (files, folders, `-`).
///
/// Besides each document's own problems, two documents with one id are a problem: loading the second
/// would silently replace the first.
pub fn check(paths: &[PathBuf]) -> Result<Checked, InputError> {
    let sources = read_sources(paths)?;
    let mut checked = Checked { sources: sources.len(), ..Checked::default() };
    let mut ids: HashMap<String, String> = HashMap::new();
    for source in &sources {
        let documents = match source.documents() {
            Ok(documents) => documents,
            Err(problem) => {
                checked.problems.push(problem);
                continue;
            }
        };
        for raw in documents {
            checked.seen += 1;
            match validate(raw) {
                Ok(document) => {
                    let origin = format!("{}:{}", raw.source, raw.first_line);
                    let id = document.facts.document.id.clone();
                    if let Some(first) = ids.get(&id) {
                        checked.problems.push(Problem {
                            source: raw.source.to_string(),
                            position: {
                                let at = crate::jsonpos::PositionIndex::build(raw.text).value("$.document.id");
                                crate::jsonpos::Position { line: at.line + raw.first_line - 1, column: at.column }
                            },
                            path: "$.document.id".into(),
                            message: format!("duplicate document id {}; {first} already has it", crate::schema::quoted(&id)),
                        });
                        continue;
                    }
                    ids.insert(id, origin.clone());
                    checked.documents.push((origin, document));
                }
                Err(problems) => checked.problems.extend(problems),
            }
        }
    }
    Ok(checked)
}
