//! YAML documents as a small tree, built from `yaml-rust2`'s event
//! parser with limits.
//!
//! Sigma rules use a sliver of YAML: mappings, sequences and scalars,
//! with several documents per file for correlations. The tree keeps what
//! the rule compiler needs and nothing else:
//!
//! * mapping keys in file order (`detection:` lists selections in the
//!   order the author wrote them, and error messages follow it);
//! * for each scalar, whether it was plain (unquoted): only a plain `777`
//!   is a number and only a plain `null`/`~`/empty is null, as YAML 1.2's
//!   core schema says, while `'777'` stays a string;
//! * the line of each node, for messages.
//!
//! Why not `Yaml::load_from_str`: it expands aliases by cloning, so a
//! "billion laughs" file of a few hundred bytes takes gigabytes, and it
//! recurses once per nesting level. Rules from the Internet are input
//! like any other, so this builder refuses aliases (no Sigma rule uses
//! them), caps the nesting depth and the number of nodes, and works with
//! an explicit stack.

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deepest nesting accepted (a Sigma rule needs about 6).
pub const MAX_DEPTH: usize = 64;
/// Most nodes in one file (the largest SigmaHQ rule has a few hundred).
pub const MAX_NODES: usize = 200_000;

/// One YAML node.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A scalar: its text and whether it was written plain (unquoted,
    /// not a block scalar).
    Scalar {
        /// The text.
        text: String,
        /// Unquoted: may be a number, a boolean or null.
        plain: bool,
        /// 1-based line.
        line: usize,
    },
    /// A sequence.
    Seq(Vec<Node>, usize),
    /// A mapping, keys in file order. Keys are scalars (a complex key is
    /// refused while building).
    Map(Vec<(String, Node)>, usize),
}

impl Node {
    /// The 1-based line where the node starts.
    pub fn line(&self) -> usize {
        match self {
            Node::Scalar { line, .. } | Node::Seq(_, line) | Node::Map(_, line) => *line,
        }
    }

    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m, _) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// Whether the node is YAML null (a plain `null`, `~`, `Null`, `NULL`
    /// or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { text, plain: true, .. }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// Why a YAML file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    /// The YAML itself is malformed.
    #[error("line {line}, column {col}: {message}")]
    Syntax {
        /// What the scanner said.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
    },
    /// An alias (`*name`): refused, see the module doc.
    #[error("line {0}: YAML aliases are not accepted in rules")]
    Alias(usize),
    /// A mapping key that is not a scalar.
    #[error("line {0}: a mapping key must be a plain value")]
    ComplexKey(usize),
    /// The same key twice in one mapping.
    #[error("line {line}: key '{key}' appears twice in one mapping")]
    DuplicateKey {
        /// The key.
        key: String,
        /// Where the second one is.
        line: usize,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("line {0}: nested deeper than {MAX_DEPTH} levels")]
    TooDeep(usize),
    /// More than [`MAX_NODES`] nodes.
    #[error("more than {MAX_NODES} YAML nodes")]
    TooLarge,
}

/// A container being filled.
enum Open {
    Seq(Vec<Node>, usize),
    /// The entries so far and the key waiting for its value.
    Map(Vec<(String, Node)>, Option<String>, usize),
}

/// Parse every document of `src`. An empty document (`---` alone) gives
/// nothing.
pub fn parse(src: &str) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(src);
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut nodes = 0usize;
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| YamlError::Syntax {
            message: e.info().to_string(),
            line: e.marker().line(),
            col: e.marker().col() + 1,
        })?;
        let line = mark.line();
        let done: Option<Node> = match ev {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {
                continue
            }
            Event::Alias(_) => return Err(YamlError::Alias(line)),
            Event::Scalar(text, style, _, _) => Some(Node::Scalar {
                text,
                plain: style == TScalarStyle::Plain,
                line,
            }),
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(YamlError::TooDeep(line));
                }
                stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Open::Seq(Vec::new(), line)
                } else {
                    Open::Map(Vec::new(), None, line)
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(v, l)) => Some(Node::Seq(v, l)),
                Some(Open::Map(m, _, l)) => Some(Node::Map(m, l)),
                None => continue,
            },
        };
        let Some(node) = done else { continue };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(YamlError::TooLarge);
        }
        match stack.last_mut() {
            None => {
                if !node.is_null() {
                    docs.push(node);
                }
            }
            Some(Open::Seq(v, _)) => v.push(node),
            Some(Open::Map(m, key, _)) => match key.take() {
                None => match node {
                    Node::Scalar { text, .. } => {
                        if m.iter().any(|(k, _)| *k == text) {
                            return Err(YamlError::DuplicateKey { key: text, line });
                        }
                        *key = Some(text);
                    }
                    other => return Err(YamlError::ComplexKey(other.line())),
                },
                Some(k) => m.push((k, node)),
            },
        }
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str, plain: bool) -> Node {
        Node::Scalar {
            text: text.into(),
            plain,
            line: 0,
        }
    }

    /// The tree without lines, for comparisons.
    fn strip(n: &Node) -> Node {
        match n {
            Node::Scalar { text, plain, .. } => s(text, *plain),
            Node::Seq(v, _) => Node::Seq(v.iter().map(strip).collect(), 0),
            Node::Map(m, _) => Node::Map(m.iter().map(|(k, v)| (k.clone(), strip(v))).collect(), 0),
        }
    }

    #[test]
    fn mappings_keep_their_order_and_scalars_their_style() {
        let d = parse("b: 777\na: '777'\nc:\n  - x\n  - ~\n").unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(
            strip(&d[0]),
            Node::Map(
                vec![
                    ("b".into(), s("777", true)),
                    ("a".into(), s("777", false)),
                    ("c".into(), Node::Seq(vec![s("x", true), s("~", true)], 0)),
                ],
                0
            )
        );
        assert!(d[0]
            .get("c")
            .is_some_and(|c| matches!(c, Node::Seq(v, _) if v[1].is_null())));
    }

    #[test]
    fn several_documents() {
        let d = parse("a: 1\n---\nb: 2\n---\n").unwrap();
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn aliases_duplicates_and_depth_are_refused() {
        assert!(matches!(
            parse("a: &x 1\nb: *x\n"),
            Err(YamlError::Alias(2))
        ));
        assert!(matches!(
            parse("a: 1\na: 2\n"),
            Err(YamlError::DuplicateKey { .. })
        ));
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(matches!(parse(&deep), Err(YamlError::TooDeep(_))));
        assert!(matches!(parse("a: [1, 2"), Err(YamlError::Syntax { .. })));
        assert!(matches!(
            parse("? [a]\n: 1\n"),
            Err(YamlError::ComplexKey(_))
        ));
    }
}
