//! Sigma rule documents: what a YAML document says, checked, before any
//! matcher is built.
//!
//! [`parse_document`] turns one YAML document into a [`Document`]: a
//! detection rule ([`Rule`]: metadata, log source, selections and the
//! condition text) or a correlation ([`crate::correlation::CorrelationSrc`]).
//! Everything a rule needs that the engine does not do is an
//! [`Unsupported`] with the reason, so the caller can report the rule by
//! name instead of skipping it.

use std::fmt;

use crate::yaml::Node;

/// Sigma's `level`, ordered from least to most severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `informational`
    Informational,
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

impl Level {
    /// Every level, least severe first.
    pub const ALL: [Level; 5] = [
        Level::Informational,
        Level::Low,
        Level::Medium,
        Level::High,
        Level::Critical,
    ];

    /// The level's name as Sigma writes it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// The level named `s` (case-insensitive).
    pub fn from_name(s: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `logsource:` of a rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSource {
    /// `product` (`linux`).
    pub product: Option<String>,
    /// `service` (`auditd`).
    pub service: Option<String>,
    /// `category` (`process_creation`).
    pub category: Option<String>,
    /// `definition`: what the log must contain (often the audit rule the
    /// detection needs, e.g. `-w /usr/bin/wget -p x -k susp_activity`).
    pub definition: Option<String>,
}

impl LogSource {
    /// A short name: the service or the category (`auditd`,
    /// `process_creation`), else the product.
    pub fn label(&self) -> Option<String> {
        self.service
            .clone()
            .or_else(|| self.category.clone())
            .or_else(|| self.product.clone())
    }
}

/// What a rule says about itself: everything an alert carries.
///
/// `author` and the rule's link are kept because SigmaHQ's Detection Rule
/// License requires them in every output that uses a rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta {
    /// `id` (a UUID in SigmaHQ).
    pub id: Option<String>,
    /// `name` (correlations refer to rules by id or name).
    pub name: Option<String>,
    /// `title`.
    pub title: String,
    /// `status` (`test`, `stable`, `experimental`, `deprecated`,
    /// `unsupported`).
    pub status: Option<String>,
    /// `level`; a rule without one is treated as `medium` for
    /// `--min-level`, as pySigma's default.
    pub level: Option<Level>,
    /// `tags` (ATT&CK `attack.t1027.001`, ...).
    pub tags: Vec<String>,
    /// `author`.
    pub author: Option<String>,
    /// `references`.
    pub references: Vec<String>,
    /// `description`.
    pub description: Option<String>,
    /// Where the rule was read from (a path, or the name given to
    /// [`crate::RuleSet::add_str`]).
    pub source: String,
    /// The rule's place upstream, for the DRL attribution: SigmaHQ's
    /// repository path when the source path holds one
    /// (`.../rules/linux/auditd/...`), else none.
    pub link: Option<String>,
}

impl Meta {
    /// The level used for `--min-level` (medium when the rule has none).
    pub fn effective_level(&self) -> Level {
        self.level.unwrap_or(Level::Medium)
    }

    /// A name for messages: the title, and the source.
    pub fn display(&self) -> String {
        format!("'{}' ({})", self.title, self.source)
    }
}

/// Something a rule needs that the engine does not do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
    /// The YAML is not a Sigma rule.
    #[error("not a Sigma rule: {0}")]
    Malformed(String),
    /// A modifier the engine does not implement (`base64offset`, ...).
    #[error("modifier '{modifier}' of field '{field}' is not supported")]
    Modifier {
        /// The field key as written.
        field: String,
        /// The modifier.
        modifier: String,
    },
    /// A condition construct the engine does not implement: `near`,
    /// aggregations `| count() ...` (Sigma v1; v2 correlation rules are
    /// supported).
    #[error("condition: {0}")]
    Condition(String),
    /// A log source this engine does not serve from audit events.
    #[error("log source {0} is not served from audit events")]
    LogSource(String),
    /// A field of a mapped log source that audit events do not have.
    #[error("field '{field}' of {category} has no source in audit events")]
    Field {
        /// The field.
        field: String,
        /// The log source category.
        category: String,
    },
    /// `status: deprecated|unsupported`: loaded only on request.
    #[error("status '{0}' (loaded only with --all-status)")]
    Status(String),
    /// A correlation the engine cannot run.
    #[error("correlation: {0}")]
    Correlation(String),
}

/// One selection of `detection:`.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectionSrc {
    /// Its name (`selection_execve`).
    pub name: String,
    /// Its body as written.
    pub body: Node,
}

/// A detection rule, parsed and checked for shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// What the rule says about itself.
    pub meta: Meta,
    /// `logsource:`.
    pub logsource: LogSource,
    /// The selections in file order.
    pub selections: Vec<SelectionSrc>,
    /// The condition(s) as written (a list means any of them).
    pub conditions: Vec<String>,
    /// `timeframe:` (only `near` and v1 aggregations use it).
    pub timeframe: Option<String>,
}

/// What one YAML document is.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    /// A detection rule.
    Rule(Rule),
    /// A correlation rule.
    Correlation(crate::correlation::CorrelationSrc),
}

fn str_field(doc: &Node, key: &str) -> Option<String> {
    match doc.get(key)? {
        n @ Node::Scalar { text, .. } if !n.is_null() => Some(text.clone()),
        _ => None,
    }
}

fn str_list(doc: &Node, key: &str) -> Vec<String> {
    match doc.get(key) {
        Some(Node::Seq(v, _)) => v
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect(),
        Some(n @ Node::Scalar { text, .. }) if !n.is_null() => vec![text.clone()],
        _ => Vec::new(),
    }
}

/// SigmaHQ's address of a rule read from a path inside a copy of its
/// repository: the part from `rules` (or `rules-*`, `deprecated`,
/// `unsupported`) on, under the repository's address.
fn sigmahq_link(source: &str) -> Option<String> {
    let parts: Vec<&str> = source.split('/').collect();
    let at = parts.iter().rposition(|p| {
        *p == "rules" || p.starts_with("rules-") || *p == "deprecated" || *p == "unsupported"
    })?;
    // Only a copy of SigmaHQ's tree: its top folder sits beside
    // the rules folders, and the path goes on below it.
    if at + 1 >= parts.len() {
        return None;
    }
    Some(format!(
        "https://github.com/SigmaHQ/sigma/blob/master/{}",
        parts[at..].join("/")
    ))
}

/// The metadata of a document.
pub(crate) fn meta(doc: &Node, source: &str) -> Result<Meta, Unsupported> {
    let title =
        str_field(doc, "title").ok_or_else(|| Unsupported::Malformed("no 'title'".into()))?;
    let level = match str_field(doc, "level") {
        None => None,
        Some(l) => Some(
            Level::from_name(&l)
                .ok_or_else(|| Unsupported::Malformed(format!("unknown level '{l}'")))?,
        ),
    };
    let author = str_field(doc, "author").or_else(|| {
        let a = str_list(doc, "author");
        (!a.is_empty()).then(|| a.join(", "))
    });
    Ok(Meta {
        id: str_field(doc, "id"),
        name: str_field(doc, "name"),
        title,
        status: str_field(doc, "status"),
        level,
        tags: str_list(doc, "tags"),
        author,
        references: str_list(doc, "references"),
        description: str_field(doc, "description"),
        source: source.to_string(),
        link: sigmahq_link(source),
    })
}

/// A document that cannot be used: its metadata when it could be read
/// (so the rule can be reported by name), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocError {
    /// The rule's metadata, if it could be read.
    pub meta: Option<Meta>,
    /// Why the document cannot be used.
    pub reason: Unsupported,
}

fn doc_err(meta: Option<Meta>, reason: Unsupported) -> Box<DocError> {
    Box::new(DocError { meta, reason })
}

/// Parse one YAML document of `source`.
pub fn parse_document(doc: &Node, source: &str) -> Result<Document, Box<DocError>> {
    if !matches!(doc, Node::Map(..)) {
        return Err(doc_err(
            None,
            Unsupported::Malformed("the document is not a mapping".into()),
        ));
    }
    let meta = meta(doc, source).map_err(|e| doc_err(None, e))?;
    if doc.get("correlation").is_some() {
        return crate::correlation::parse(doc, meta.clone())
            .map(Document::Correlation)
            .map_err(|e| doc_err(Some(meta), e));
    }
    let fail = |e: Unsupported| doc_err(Some(meta.clone()), e);
    let ls = doc.get("logsource");
    let logsource = LogSource {
        product: ls.and_then(|l| str_field(l, "product")),
        service: ls.and_then(|l| str_field(l, "service")),
        category: ls.and_then(|l| str_field(l, "category")),
        definition: ls.and_then(|l| str_field(l, "definition")),
    };
    let Some(Node::Map(det, _)) = doc.get("detection") else {
        return Err(fail(Unsupported::Malformed(
            "no 'detection' mapping".into(),
        )));
    };
    let mut selections = Vec::new();
    let mut conditions = Vec::new();
    let mut timeframe = None;
    for (k, v) in det {
        match k.as_str() {
            "condition" => match v {
                Node::Scalar { text, .. } => conditions.push(text.clone()),
                Node::Seq(items, _) => {
                    for c in items {
                        match c.as_str() {
                            Some(t) => conditions.push(t.to_string()),
                            None => {
                                return Err(fail(Unsupported::Malformed(
                                    "a condition must be text".into(),
                                )))
                            }
                        }
                    }
                }
                Node::Map(..) => {
                    return Err(fail(Unsupported::Malformed(
                        "a condition must be text".into(),
                    )))
                }
            },
            "timeframe" => timeframe = v.as_str().map(str::to_string),
            _ => selections.push(SelectionSrc {
                name: k.clone(),
                body: v.clone(),
            }),
        }
    }
    if conditions.is_empty() {
        return Err(fail(Unsupported::Malformed("no 'condition'".into())));
    }
    Ok(Document::Rule(Rule {
        meta,
        logsource,
        selections,
        conditions,
        timeframe,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_and_names() {
        assert!(Level::Critical > Level::High && Level::Low > Level::Informational);
        assert_eq!(Level::from_name("HIGH"), Some(Level::High));
        assert_eq!(Level::from_name("severe"), None);
    }

    #[test]
    fn links_only_for_sigmahq_paths() {
        assert_eq!(
            sigmahq_link("../shared/corpus/sigma/rules/linux/auditd/x.yml").as_deref(),
            Some("https://github.com/SigmaHQ/sigma/blob/master/rules/linux/auditd/x.yml")
        );
        assert_eq!(sigmahq_link("mine/x.yml"), None);
    }

    #[test]
    fn a_rule_parses_with_its_metadata() {
        let d = crate::yaml::parse(
            "title: T\nid: 1\nlevel: high\nauthor: A\ntags: [attack.t1]\n\
             logsource: {product: linux, service: auditd}\n\
             detection:\n  sel: {type: EXECVE}\n  condition: sel\n",
        )
        .unwrap();
        let Ok(Document::Rule(r)) = parse_document(&d[0], "x.yml") else {
            panic!("not a rule");
        };
        assert_eq!(r.meta.level, Some(Level::High));
        assert_eq!(r.meta.tags, vec!["attack.t1".to_string()]);
        assert_eq!(r.logsource.service.as_deref(), Some("auditd"));
        assert_eq!(r.selections.len(), 1);
        assert_eq!(r.conditions, vec!["sel".to_string()]);
        let bad = crate::yaml::parse("title: T\ndetection: {sel: {a: 1}}\n").unwrap();
        let e = parse_document(&bad[0], "x").unwrap_err();
        assert!(e.meta.is_some() && matches!(e.reason, Unsupported::Malformed(_)));
    }
}
