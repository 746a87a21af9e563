//! A set of rules files loaded the way the kernel would hold them, with the
//! file and line of every rule, for checks that must say *which* rule
//! satisfies a requirement.

use auditkit_interp::Machine;

use crate::ast::RuleFile;
use crate::ast::{Command, Control, RuleOp};
use crate::host::{Host, PathKind};
use crate::kernel_rule::KernelRule;
use crate::parse::parse_file;
use crate::print::canonical_with;
use crate::print::PrintState;
use crate::resolve::Resolver;
use crate::semantic::Candidate;
use crate::vercmp::version_cmp;

/// Where a rule was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// The file name as given.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// One loaded rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetRule {
    /// The kernel form.
    pub rule: KernelRule,
    /// Where it was written.
    pub origin: Origin,
    /// A `-w` watch whose path the host does not know to be a file.
    pub path_may_be_dir: bool,
}

impl SetRule {
    /// The rule as the semantic comparison takes it.
    pub fn candidate(&self) -> Candidate<'_> {
        Candidate {
            rule: &self.rule,
            path_may_be_dir: self.path_may_be_dir,
        }
    }
}

/// How the files are loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Each file with `auditctl -R`, in the order given (`-D` deletes what
    /// came before, rules after `-e 2` are refused).
    Files,
    /// A `rules.d` directory through `augenrules`: `.rules` files in
    /// `sort -V` order, one `-D` first, the last `-e` last.
    RulesD,
}

/// Rules files loaded in order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// The parsed files, in load order.
    pub files: Vec<RuleFile>,
    /// The loaded rules in list order (a prepended rule comes first).
    pub rules: Vec<SetRule>,
    /// The last `-e` and where it was written.
    pub enable: Option<(u8, Origin)>,
    /// Rules written after an `-e 2` in `Files` layout (the kernel refuses them).
    pub after_lock: Vec<Origin>,
    /// Lines that did not load (parse errors, refusals, duplicates).
    pub not_loaded: Vec<Origin>,
}

impl RuleSet {
    /// Load `(name, text)` files.
    pub fn load(
        files: &[(String, String)],
        layout: Layout,
        native: Machine,
        host: &dyn Host,
    ) -> RuleSet {
        let mut order: Vec<&(String, String)> = files.iter().collect();
        if layout == Layout::RulesD {
            order.retain(|(n, _)| {
                let base = n.rsplit('/').next().unwrap_or(n);
                base.ends_with(".rules") && !base.starts_with('.')
            });
            order.sort_by(|a, b| {
                version_cmp(
                    a.0.rsplit('/').next().unwrap_or(&a.0),
                    b.0.rsplit('/').next().unwrap_or(&b.0),
                )
            });
        }
        let resolver = Resolver { native, host };
        let mut set = RuleSet::default();
        for (name, text) in order {
            let (file, errors) = parse_file(name, text);
            for e in errors {
                set.not_loaded.push(Origin {
                    file: name.clone(),
                    line: e.line,
                });
            }
            for (line, cmd) in file.commands() {
                let origin = Origin {
                    file: name.clone(),
                    line: line.number,
                };
                let locked = layout == Layout::Files && matches!(set.enable, Some((2, _)));
                match cmd {
                    Command::Control(c) => match &c.value {
                        Control::Enable(v) if !locked => set.enable = Some((*v, origin)),
                        Control::DeleteAll(key) if layout == Layout::Files && !locked => {
                            set.rules.retain(|r| match key {
                                None => false,
                                Some(k) => !r.rule.keys().iter().any(|x| x.contains(k.as_str())),
                            })
                        }
                        _ => {}
                    },
                    Command::Rule(_) if locked => set.after_lock.push(origin),
                    Command::Rule(r) => {
                        let Ok(k) = resolver.resolve(r) else {
                            set.not_loaded.push(origin);
                            continue;
                        };
                        let path_may_be_dir = r.watch.as_ref().is_some_and(|w| {
                            host.path_kind(w.value.trim_end_matches('/')) != PathKind::Other
                        });
                        let exists = set.rules.iter().position(|x| x.rule == k);
                        let entry = SetRule {
                            rule: k,
                            origin: origin.clone(),
                            path_may_be_dir,
                        };
                        match (r.op, exists) {
                            (RuleOp::Append | RuleOp::Prepend, Some(_)) => {
                                set.not_loaded.push(origin)
                            }
                            (RuleOp::Append, None) => set.rules.push(entry),
                            (RuleOp::Prepend, None) => set.rules.insert(0, entry),
                            (RuleOp::Delete, Some(p)) => {
                                set.rules.remove(p);
                            }
                            (RuleOp::Delete, None) => set.not_loaded.push(origin),
                        }
                    }
                }
            }
            set.files.push(file);
        }
        set
    }

    /// What `auditctl -l` would list once the set is loaded.
    pub fn listing(&self, native: Machine) -> Vec<String> {
        let mut rules: Vec<&SetRule> = self.rules.iter().collect();
        rules.sort_by_key(|r| r.rule.list.number());
        let mut st = PrintState::default();
        rules
            .iter()
            .map(|r| canonical_with(&r.rule, native, &mut st))
            .collect()
    }
}
