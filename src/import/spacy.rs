//! spaCy's `Doc.to_json()`: `text`, `ents` (`start`, `end` in code points, `label`, optionally
//! `kb_id`); `tokens`, `sents` and the rest are skipped unread. A file holds one object, an array of
//! them, or (`.jsonl`, `.ndjson`) one object a line.
//!
//! The document id is the object's `"id"` when present, else the file name (with the line for JSON
//! Lines, the position for an array); the title is its `"title"`, else the text's first line.

use crate::facts::jsonpos::PositionIndex;
use crate::facts::problem::Position;
use crate::facts::validate::valid_id;
use crate::import::entities::{self, Mention};
use crate::import::labels::Label;
use crate::import::{possessive, spanless, DocumentText, Importer};
use serde::Deserialize;
use std::cell::OnceCell;

/// The fields of `Doc.to_json()` an import reads.
#[derive(Deserialize)]
struct Doc {
    text: String,
    #[serde(default)]
    ents: Vec<Ent>,
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    title: Option<String>,
}

/// One entity span.
#[derive(Deserialize)]
struct Ent {
    start: u64,
    end: u64,
    label: String,
    #[serde(default)]
    kb_id: Option<String>,
    /// Not written by spaCy; checked when another tool adds it.
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(u64),
}

/// A file is one document or an array of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Doc>),
    One(Doc),
}

impl Importer<'_> {
    /// Reads one file of `Doc.to_json()` output: JSON Lines when `lines`, else one object or an
    /// array. `source` names the file in messages, `stem` is the document id's fallback.
    pub fn spacy(&mut self, source: &str, stem: &str, text: &str, lines: bool) {
        self.summary.files += 1;
        if lines {
            for (i, line) in text.split('\n').enumerate() {
                let line = line.strip_suffix('\r').unwrap_or(line);
                if line.trim().is_empty() {
                    continue;
                }
                let number = i as u64 + 1;
                match serde_json::from_str::<Doc>(line) {
                    Ok(doc) => self.spacy_document(source, line, number, "$", doc, || format!("{stem}-{number}")),
                    Err(error) => self.json_problem(source, line, number, &error),
                }
            }
            return;
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // An array is parsed as one (its elements are never large next to the whole file).
        let parsed = if text.trim_start().starts_with('[') {
            serde_json::from_str::<Vec<Doc>>(text).map(OneOrMany::Many)
        } else {
            serde_json::from_str::<Doc>(text).map(OneOrMany::One)
        };
        match parsed {
            Ok(OneOrMany::One(doc)) => self.spacy_document(source, text, 1, "$", doc, || stem.to_string()),
            Ok(OneOrMany::Many(docs)) => {
                for (k, doc) in docs.into_iter().enumerate() {
                    self.spacy_document(source, text, 1, &format!("$[{k}]"), doc, || format!("{stem}-{}", k + 1));
                }
            }
            Err(error) => self.json_problem(source, text, 1, &error),
        }
    }

    /// serde_json's error at its place (its column counts bytes; ours, code points).
    fn json_problem(&mut self, source: &str, json: &str, first_line: u64, error: &serde_json::Error) {
        let line_text = json.split('\n').nth(error.line().saturating_sub(1)).unwrap_or_default();
        let mut cut = error.column().min(line_text.len());
        while !line_text.is_char_boundary(cut) {
            cut -= 1;
        }
        let column = line_text[..cut].chars().count().max(1) as u64;
        let line = error.line().max(1) as u64 + first_line - 1;
        let message = error.to_string();
        let message = message.rfind(" at line ").map_or(message.as_str(), |cut| &message[..cut]);
        self.problem(source, Position { line, column }, format!("malformed spaCy JSON: {message}"));
    }

    /// One `Doc.to_json()` object; `json` is the text it was read from (`path` its JSON path there),
    /// which starts on line `first_line` of the file.
    fn spacy_document(&mut self, source: &str, json: &str, first_line: u64, path: &str, doc: Doc, fallback: impl FnOnce() -> String) {
        // Positions are found only for problems: the index costs a pass over the text.
        let index = OnceCell::new();
        let at = |member: &str| {
            let position = index.get_or_init(|| PositionIndex::build(json)).value(&format!("{path}{member}"));
            Position { line: position.line + first_line - 1, column: position.column }
        };
        let id = match doc.id {
            Some(Id::Text(id)) => {
                if !valid_id(&id) {
                    self.problem(source, at(".id"), format!("invalid document id {id:?}; ids use letters, digits, '.', '_' and '-'"));
                    return;
                }
                id
            }
            Some(Id::Number(n)) => n.to_string(),
            None => fallback(),
        };
        if self.unportable(&doc.text, source, &|| at(".text"), "the text")
            || doc.title.as_deref().is_some_and(|title| self.unportable(title, source, &|| at(".title"), "the title"))
        {
            return;
        }
        let text = DocumentText::new(&id, &doc.text);
        let mut mentions = Vec::with_capacity(doc.ents.len());
        for (i, ent) in doc.ents.iter().enumerate() {
            self.summary.mentions += 1;
            let kind = match self.options.labels.get(&ent.label) {
                Some(Label::Entity(kind)) => kind,
                Some(Label::Skip) => {
                    self.summary.drop(format!("label {} is not an entity type", ent.label));
                    continue;
                }
                None => {
                    self.problems.unknown_label(&ent.label, source, at(&format!(".ents[{i}].label")));
                    continue;
                }
            };
            let (wikidata, refs) = match ent.kb_id.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
                Some(qid) if is_qid(qid) => (Some(qid.to_string()), Vec::new()),
                Some(other) => (None, vec![other.to_string()]),
                None => (None, Vec::new()),
            };
            let Some(mut span) = self.span(&text, ent.start, ent.end, ent.text.as_deref(), source, &|| at(&format!(".ents[{i}]"))) else {
                mentions.extend(spanless(ent.text.as_deref(), kind, &wikidata, &refs));
                continue;
            };
            if let Some(trim) = possessive(&span.text) {
                span.end = span.end.map(|end| end - trim);
                let keep = span.text.char_indices().rev().nth(trim as usize - 1).map_or(0, |(byte, _)| byte);
                span.text.truncate(keep);
                self.summary.possessives += 1;
            }
            mentions.push(Mention { text: span.text.clone(), spans: vec![span], kind, wikidata, refs, ties: Vec::new() });
        }
        let merged = entities::merge(&id, &mentions, &mut self.summary);
        let mut document = entities::document(id.clone(), doc.title, None, doc.text);
        document.entities = merged.entities;
        self.add(document, source, &|| at(""));
    }
}

/// A Wikidata item id: `Q` and a number without leading zeros.
pub(crate) fn is_qid(text: &str) -> bool {
    text.len() > 1 && text.starts_with('Q') && text[1..].bytes().all(|b| b.is_ascii_digit()) && !text[1..].starts_with('0')
}
