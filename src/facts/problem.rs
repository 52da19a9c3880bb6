//! What is wrong with the input, and where: the one report every stage of reading facts gives.

use std::fmt;

/// A 1-based line and column; columns count Unicode code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: u64,
    /// Column, from 1, in code points.
    pub column: u64,
}

impl Position {
    /// The first character of a text.
    pub const START: Position = Position { line: 1, column: 1 };
}

/// One problem in the input: `source:line:column: json.path: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name as given, or `-` for stdin.
    pub source: String,
    /// Where the offending value starts.
    pub position: Position,
    /// JSON path of the offending value.
    pub path: String,
    /// What is wrong, naming the offending value and what was expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}: {}", self.source, self.position.line, self.position.column, self.path, self.message)
    }
}

