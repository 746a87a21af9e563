//! Where the tests' data is: the workspace root, the shared corpus
//! (`../shared/corpus` beside the root, never copied into the repository),
//! and the example logs made with real auditd (`examples/`).
//!
//! Everything is found from this crate's manifest directory, by walking up
//! to the `Cargo.toml` that declares `[workspace]`: a test's own
//! `CARGO_MANIFEST_DIR` differs from crate to crate, and counting `../` by
//! hand broke each time a crate moved. `AUDITKIT_CORPUS` overrides the
//! corpus directory (for a checkout whose corpus lives elsewhere).

use std::path::{Path, PathBuf};

/// The workspace root (the directory whose `Cargo.toml` has `[workspace]`).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
        })
        .unwrap_or_else(|| panic!("no workspace Cargo.toml above {}", here.display()))
        .to_path_buf()
}

/// The shared corpus: `$AUDITKIT_CORPUS`, or `../shared/corpus` relative
/// to the workspace root. It may not exist; [`crate::need::corpus`] says so.
pub fn corpus() -> PathBuf {
    match std::env::var_os("AUDITKIT_CORPUS") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => workspace_root().join("../shared/corpus"),
    }
}

/// A path inside the corpus, e.g. `corpus_path("rules/neo23x0/audit.rules")`.
pub fn corpus_path(rel: &str) -> PathBuf {
    corpus().join(rel)
}

/// A path relative to the workspace root, e.g. `root_path("examples/raw.log")`.
pub fn root_path(rel: &str) -> PathBuf {
    workspace_root().join(rel)
}

/// The example logs made with real auditd (`tools/gen-test-logs.sh`):
/// plain, `log_format = ENRICHED`, and with `node=`.
pub const EXAMPLES: [&str; 3] = ["raw.log", "enriched.log", "node.log"];

/// The example logs' paths, in [`EXAMPLES`] order.
pub fn example_logs() -> Vec<PathBuf> {
    EXAMPLES
        .iter()
        .map(|n| workspace_root().join("examples").join(n))
        .collect()
}

/// The rules `tools/gen-test-logs.sh` loads when it makes the example
/// logs (its `auditctl` lines, with the generator's auid 1500 and its
/// watch path, a temporary directory: the key ties the events to it).
pub const EXAMPLE_RULES: &str = "\
-a always,exit -F arch=b64 -S execve -F auid=1500 -k akgen-exec
-a always,exit -F arch=b64 -S connect -F auid=1500 -k akgen-net
-a always,exit -F arch=b64 -S openat -F exit=-EACCES -F auid=1500 -k akgen-access
-a always,exit -F arch=b64 -S unlinkat -F auid=1500 -k akgen-del -k akgen-multi
-w /tmp/akgen.watch/watched -p wa -k akgen-watch
";

/// Every file below `dir` (recursively) whose name does not end in `.md`
/// (the corpus documents its sources in `SOURCES.md`), sorted; empty when
/// `dir` does not exist.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !p.to_string_lossy().ends_with(".md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every log of the corpus (`logs/`, sorted, without `SOURCES.md`).
pub fn corpus_logs() -> Vec<PathBuf> {
    files_under(&corpus().join("logs"))
}

/// Every file ending in `.rules` below `rules/SUB` of the corpus, sorted.
pub fn corpus_rule_files(sub: &str) -> Vec<PathBuf> {
    files_under(&corpus().join("rules").join(sub))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rules"))
        .collect()
}
