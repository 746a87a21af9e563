//! Reading rule files: a [`RuleSet`] collects the documents of files,
//! directories and strings, and every document it cannot use as a
//! [`Rejected`] with the reason. Nothing is skipped silently: a caller
//! prints the rejections (`auditkit detect --check-rules`).
//!
//! This is the one place of the crate that touches the file system, and
//! only to read what the caller names; parsing works on strings.

use std::path::{Path, PathBuf};

use crate::correlation::CorrelationSrc;
use crate::rule::{parse_document, DocError, Document, Meta, Rule, Unsupported};

/// Largest rule file read (the largest SigmaHQ rule is about 20 KiB).
pub const MAX_FILE: u64 = 4 << 20;
/// Most files read from one directory tree.
pub const MAX_FILES: usize = 100_000;

/// A document that is not used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Where it was read.
    pub source: String,
    /// The rule's metadata, when it could be read.
    pub meta: Option<Meta>,
    /// Why.
    pub reason: Unsupported,
    /// The log source it was written for (`auditd`, `process_creation`),
    /// when the document says.
    pub log_source: Option<String>,
}

impl Rejected {
    /// `source: 'title': reason`.
    pub fn describe(&self) -> String {
        match &self.meta {
            Some(m) => format!("{}: '{}': {}", self.source, m.title, self.reason),
            None => format!("{}: {}", self.source, self.reason),
        }
    }
}

/// Options of loading.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoadOptions {
    /// Also load rules whose status is `deprecated` or `unsupported`.
    pub all_status: bool,
}

/// Rules as read, not yet compiled ([`crate::Engine::new`] compiles them).
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    /// Detection rules.
    pub rules: Vec<Rule>,
    /// Correlation rules.
    pub correlations: Vec<CorrelationSrc>,
    /// What was not used.
    pub rejected: Vec<Rejected>,
    /// Options.
    pub options: LoadOptions,
}

/// Reading a path failed.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file or directory cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A directory tree holds more than [`MAX_FILES`] files.
    #[error("{0}: more than {MAX_FILES} rule files")]
    TooMany(PathBuf),
}

impl RuleSet {
    /// An empty set.
    pub fn new(options: LoadOptions) -> RuleSet {
        RuleSet {
            options,
            ..RuleSet::default()
        }
    }

    /// Add the documents of one YAML text named `source`.
    pub fn add_str(&mut self, source: &str, text: &str) {
        let docs = match crate::yaml::parse(text) {
            Ok(d) => d,
            Err(e) => {
                self.rejected.push(Rejected {
                    source: source.to_string(),
                    meta: None,
                    reason: Unsupported::Malformed(format!("YAML: {e}")),
                    log_source: None,
                });
                return;
            }
        };
        for d in &docs {
            match parse_document(d, source) {
                Ok(Document::Rule(r)) => {
                    let status = r.meta.status.as_deref().unwrap_or("");
                    if !self.options.all_status && matches!(status, "deprecated" | "unsupported") {
                        self.rejected.push(Rejected {
                            source: source.to_string(),
                            reason: Unsupported::Status(status.to_string()),
                            log_source: r.logsource.label(),
                            meta: Some(r.meta),
                        });
                    } else {
                        self.rules.push(r);
                    }
                }
                Ok(Document::Correlation(c)) => self.correlations.push(c),
                Err(e) => {
                    let DocError { meta, reason } = *e;
                    self.rejected.push(Rejected {
                        source: source.to_string(),
                        meta,
                        reason,
                        log_source: None,
                    })
                }
            }
        }
    }

    /// Add a file, or every `.yml`/`.yaml` file under a directory (in
    /// name order, so the order of rules, and of their alerts for one
    /// event, does not depend on the file system).
    pub fn add_path(&mut self, path: &Path) -> Result<(), LoadError> {
        let io = |e| LoadError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let md = std::fs::metadata(path).map_err(io)?;
        if md.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files)?;
            files.sort();
            for f in files {
                self.add_file(&f)?;
            }
            Ok(())
        } else {
            self.add_file(path)
        }
    }

    fn add_file(&mut self, path: &Path) -> Result<(), LoadError> {
        let io = |e| LoadError::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let source = path.display().to_string();
        let len = std::fs::metadata(path).map_err(io)?.len();
        if len > MAX_FILE {
            self.rejected.push(Rejected {
                source,
                meta: None,
                reason: Unsupported::Malformed(format!(
                    "file of {len} bytes, larger than {MAX_FILE}"
                )),
                log_source: None,
            });
            return Ok(());
        }
        let bytes = std::fs::read(path).map_err(io)?;
        match String::from_utf8(bytes) {
            Ok(text) => self.add_str(&source, &text),
            Err(_) => self.rejected.push(Rejected {
                source,
                meta: None,
                reason: Unsupported::Malformed("not UTF-8 text".into()),
                log_source: None,
            }),
        }
        Ok(())
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |e| LoadError::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(io)? {
            let e = e.map_err(io)?;
            let p = e.path();
            let ft = e.file_type().map_err(io)?;
            if ft.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                if out.len() >= MAX_FILES {
                    return Err(LoadError::TooMany(dir.to_path_buf()));
                }
                out.push(p);
            }
        }
    }
    Ok(())
}
