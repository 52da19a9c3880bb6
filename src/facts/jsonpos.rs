//! Where each value of a JSON text starts, by JSON path, so that problems found on the parsed value
//! can be reported at a line and column.
//!
//! serde_json keeps no positions in a parsed [`serde_json::Value`]; rather than parsing every input
//! twice, [`PositionIndex::build`] scans a text only when it has problems to report. The scanner
//! assumes the text is syntactically valid JSON (it was parsed before); on anything else it stops and
//! the positions it has not reached fall back to the start of the text.

use super::problem::Position;
use std::collections::HashMap;

/// Start positions of the values and object keys in one JSON text.
#[derive(Debug, Default)]
pub struct PositionIndex {
    values: HashMap<String, Position>,
    keys: HashMap<String, Position>,
}

impl PositionIndex {
    /// Scans `text` and records every value's position under its path (`$`, `$.a`, `$.a[0].b`).
    pub fn build(text: &str) -> PositionIndex {
        let mut scanner = Scanner { chars: text.char_indices().peekable(), line: 1, column: 1 };
        let mut index = PositionIndex::default();
        let mut path = String::from("$");
        scanner.value(&mut path, &mut index, 0);
        index
    }

    /// Where the value at `path` starts; for a path the text does not have, its nearest ancestor's.
    pub fn value(&self, path: &str) -> Position {
        let mut path = path;
        loop {
            if let Some(position) = self.values.get(path) {
                return *position;
            }
            match parent(path) {
                Some(parent) => path = parent,
                None => return Position::START,
            }
        }
    }

    /// Where the key of the member at `path` starts (for unknown fields), else the value's position.
    pub fn key(&self, path: &str) -> Position {
        self.keys.get(path).copied().unwrap_or_else(|| self.value(path))
    }
}

/// `$.a[0].b` → `$.a[0]` → `$.a` → `$`.
fn parent(path: &str) -> Option<&str> {
    if path == "$" {
        return None;
    }
    let cut = path.rfind(['.', '['])?;
    Some(&path[..cut])
}

/// Appends the member `name` to a JSON path, quoting names that are not plain identifiers.
pub fn push_member(path: &mut String, name: &str) {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        path.push('.');
        path.push_str(name);
    } else {
        path.push_str("[\"");
        for c in name.chars() {
            match c {
                '"' => path.push_str("\\\""),
                '\\' => path.push_str("\\\\"),
                c if c.is_control() => path.push_str(&format!("\\u{:04x}", c as u32)),
                c => path.push(c),
            }
        }
        path.push_str("\"]");
    }
}

/// Appends the array index `index` to a JSON path.
pub fn push_index(path: &mut String, index: usize) {
    path.push('[');
    path.push_str(&index.to_string());
    path.push(']');
}

struct Scanner<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: u64,
    column: u64,
}

/// serde_json refuses deeper nesting than this, so valid input never reaches it.
const MAX_DEPTH: usize = 256;

impl Scanner<'_> {
    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.bump();
        }
    }

    fn position(&self) -> Position {
        Position { line: self.line, column: self.column }
    }

    /// Scans one value; returns false when the text is not JSON after all.
    fn value(&mut self, path: &mut String, index: &mut PositionIndex, depth: usize) -> bool {
        self.skip_whitespace();
        index.values.insert(path.clone(), self.position());
        if depth > MAX_DEPTH {
            return false;
        }
        match self.peek() {
            Some('{') => self.object(path, index, depth),
            Some('[') => self.array(path, index, depth),
            Some('"') => self.string(None),
            Some(_) => {
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.')) {
                    self.bump();
                }
                true
            }
            None => false,
        }
    }

    fn object(&mut self, path: &mut String, index: &mut PositionIndex, depth: usize) -> bool {
        self.bump(); // '{'
        self.skip_whitespace();
        if self.peek() == Some('}') {
            self.bump();
            return true;
        }
        loop {
            self.skip_whitespace();
            let key_position = self.position();
            let mut key = String::new();
            if self.peek() != Some('"') || !self.string(Some(&mut key)) {
                return false;
            }
            let length = path.len();
            push_member(path, &key);
            index.keys.insert(path.clone(), key_position);
            self.skip_whitespace();
            if self.bump() != Some(':') || !self.value(path, index, depth + 1) {
                return false;
            }
            path.truncate(length);
            self.skip_whitespace();
            match self.bump() {
                Some(',') => continue,
                Some('}') => return true,
                _ => return false,
            }
        }
    }

    fn array(&mut self, path: &mut String, index: &mut PositionIndex, depth: usize) -> bool {
        self.bump(); // '['
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.bump();
            return true;
        }
        let mut i = 0;
        loop {
            let length = path.len();
            push_index(path, i);
            if !self.value(path, index, depth + 1) {
                return false;
            }
            path.truncate(length);
            i += 1;
            self.skip_whitespace();
            match self.bump() {
                Some(',') => continue,
                Some(']') => return true,
                _ => return false,
            }
        }
    }

    /// Scans a string literal, decoding it into `out` when asked (object keys).
    fn string(&mut self, mut out: Option<&mut String>) -> bool {
        self.bump(); // opening quote
        loop {
            match self.bump() {
                None => return false,
                Some('"') => return true,
                Some('\\') => {
                    let Some(escape) = self.bump() else { return false };
                    let decoded = match escape {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        'b' => '\u{8}',
                        'f' => '\u{c}',
                        'u' => {
                            let mut code = 0u32;
                            for _ in 0..4 {
                                let Some(digit) = self.bump().and_then(|c| c.to_digit(16)) else { return false };
                                code = code * 16 + digit;
                            }
                            // A surrogate pair's halves are kept as U+FFFD: only keys are decoded,
                            // and our keys are ASCII.
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        other => other,
                    };
                    if let Some(out) = out.as_deref_mut() {
                        out.push(decoded);
                    }
                }
                Some(c) => {
                    if let Some(out) = out.as_deref_mut() {
                        out.push(c);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_nested_values_and_keys() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c d\": null\n}";
        let index = PositionIndex::build(text);
        assert_eq!(index.value("$"), Position { line: 1, column: 1 });
        assert_eq!(index.value("$.a"), Position { line: 2, column: 8 });
        assert_eq!(index.value("$.a[1].b"), Position { line: 2, column: 18 });
        assert_eq!(index.key("$.a[1].b"), Position { line: 2, column: 13 });
        assert_eq!(index.value("$[\"c d\"]"), Position { line: 3, column: 10 });
        // A missing member reports at its parent.
        assert_eq!(index.value("$.a[1].zzz"), Position { line: 2, column: 12 });
    }

    #[test]
    fn columns_count_code_points() {
        let index = PositionIndex::build("{\"é\": \"€\", \"k\": 1}");
        assert_eq!(index.value("$.k"), Position { line: 1, column: 17 });
    }
}
