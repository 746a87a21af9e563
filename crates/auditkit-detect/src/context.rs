//! The process-tree hook: what a detection knows about the processes
//! around an event, supplied by whoever keeps the tree.
//!
//! The engine does not build process state itself: that needs every
//! event in log order (execve, clone, exit), so it lives in the ordered
//! stage of `auditkit detect` and in the plugin, and both hand the engine
//! a [`ProcessTree`]. The engine asks it for two things:
//!
//! * the fields of mapped rules that are about the parent
//!   (`ParentImage`, `ParentCommandLine` of `process_creation`), looked
//!   up by the event's `ppid`;
//! * the ancestor chain an alert carries ([`ancestors`]).
//!
//! Rules that read parent fields can only be decided where the tree is:
//! [`crate::Engine::needs_tree`] says whether there are any, and
//! [`crate::Scope`] splits matching into the part the parallel workers do
//! (no tree) and the part the ordered stage does.

/// What the tree knows about one process.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Process {
    /// Its pid.
    pub pid: u32,
    /// Its parent's pid, when known.
    pub ppid: Option<u32>,
    /// The executable (`exe=` of its last execve), decoded.
    pub exe: Option<Vec<u8>>,
    /// Its argv joined with spaces, decoded.
    pub cmdline: Option<Vec<u8>>,
    /// Its uid, when known.
    pub uid: Option<u32>,
}

/// Read access to a process tree.
pub trait ProcessTree {
    /// The process `pid`, if the tree knows it.
    fn process(&self, pid: u32) -> Option<Process>;
}

/// No tree: parent fields are absent and alerts carry no ancestors.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTree;

impl ProcessTree for NoTree {
    fn process(&self, _: u32) -> Option<Process> {
        None
    }
}

/// Levels of ancestors an alert carries at most.
pub const MAX_ANCESTORS: usize = 16;

/// The ancestors of a process whose parent is `ppid`: the parent first,
/// then its parent, up to `max` (at most [`MAX_ANCESTORS`]) levels,
/// stopping at pid 0 or 1's parent, at an unknown process, or at a cycle.
pub fn ancestors(tree: &dyn ProcessTree, ppid: u32, max: usize) -> Vec<Process> {
    let mut out: Vec<Process> = Vec::new();
    let mut next = Some(ppid);
    while let Some(pid) = next {
        if pid == 0 || out.len() >= max.min(MAX_ANCESTORS) || out.iter().any(|p| p.pid == pid) {
            break;
        }
        let Some(p) = tree.process(pid) else { break };
        next = p.ppid;
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct T(HashMap<u32, Process>);
    impl ProcessTree for T {
        fn process(&self, pid: u32) -> Option<Process> {
            self.0.get(&pid).cloned()
        }
    }

    fn p(pid: u32, ppid: u32) -> (u32, Process) {
        (
            pid,
            Process {
                pid,
                ppid: Some(ppid),
                ..Process::default()
            },
        )
    }

    #[test]
    fn chains_stop_at_unknowns_cycles_and_the_limit() {
        let t = T([p(10, 5), p(5, 1), p(1, 0)].into_iter().collect());
        let pids = |v: Vec<Process>| v.iter().map(|p| p.pid).collect::<Vec<_>>();
        assert_eq!(pids(ancestors(&t, 10, 8)), vec![10, 5, 1]);
        assert_eq!(pids(ancestors(&t, 10, 2)), vec![10, 5]);
        assert_eq!(pids(ancestors(&t, 99, 8)), Vec::<u32>::new());
        let c = T([p(2, 3), p(3, 2)].into_iter().collect());
        assert_eq!(pids(ancestors(&c, 2, 8)), vec![2, 3]);
        assert!(ancestors(&NoTree, 10, 8).is_empty());
    }
}
