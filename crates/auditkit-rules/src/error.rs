//! Typed errors of the rules library.

use thiserror::Error;

/// A line that could not be parsed: where, what was expected, what was found.
///
/// Displayed as `file:line:col: expected X, found "Y"`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}:{line}:{col}: expected {expected}{}", found_suffix(.found))]
pub struct ParseError {
    /// The file name given to the parser.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based byte column.
    pub col: u32,
    /// What the parser wanted at that place.
    pub expected: String,
    /// What it found (`None` at the end of the line).
    pub found: Option<String>,
}

fn found_suffix(found: &Option<String>) -> String {
    match found {
        Some(f) => format!(", found {f:?}"),
        None => ", found the end of the line".to_string(),
    }
}
