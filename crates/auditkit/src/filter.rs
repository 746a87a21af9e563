//! Event filters of `auditkit search`: ausearch's criteria (with its
//! parse failures), then `--where` and the plain-language flags
//! (`--people`, `--daemons`, `--as-root-via-sudo`), all ANDed.

use anyhow::{anyhow, Result};
use auditkit_event::Event;
use auditkit_host::Accounts;
use auditkit_query::lang::{self, EventView, Names, Query};
use auditkit_query::{Criteria, ParseFailure, Wanted};

use crate::search_args::SearchArgs;

/// `--people`: events of a person who logged in (login uid of a regular
/// user, and a real login session).
pub const PEOPLE: &str = "raw(auid) >= 1000 and raw(auid) != 4294967295 and raw(ses) != 4294967295";
/// `--daemons`: events of processes no one logged in for (login uid unset).
pub const DAEMONS: &str = "raw(auid) = 4294967295";
/// `--as-root-via-sudo`: root powers used by someone who logged in as
/// another user (uid or euid 0, a real login uid that is not root, and a
/// real session), which is what sudo and su leave behind.
pub const AS_ROOT_VIA_SUDO: &str = "(raw(uid) = 0 or raw(euid) = 0) and raw(auid) != 0 \
     and raw(auid) != 4294967295 and raw(ses) != 4294967295";

/// What to do with an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Print it.
    Print,
    /// Not an answer.
    Skip,
    /// An answer ausearch would not print because it cannot parse it.
    Hidden(ParseFailure),
}

/// The compiled filters.
pub struct Filter {
    criteria: Criteria,
    wanted: Wanted,
    queries: Vec<Query>,
    names: Accounts,
    all_events: bool,
}

/// User and group names: this host's, or `--passwd`/`--group`.
pub fn load_names(a: &SearchArgs) -> Result<Accounts> {
    Ok(a.accounts()?.clone())
}

impl Filter {
    /// Compile the filters of the arguments.
    pub fn new(a: &SearchArgs) -> Result<Filter> {
        let mut queries = Vec::new();
        for w in &a.wheres {
            queries.push(lang::compile(w).map_err(|e| anyhow!("--where: {}", e.render(w)))?);
        }
        for (on, src) in [
            (a.people, PEOPLE),
            (a.daemons, DAEMONS),
            (a.as_root_via_sudo, AS_ROOT_VIA_SUDO),
        ] {
            if on {
                queries.push(lang::compile(src).map_err(|e| anyhow!("{}", e.render(src)))?);
            }
        }
        let names = if queries.is_empty() && !a.criteria.needs_accounts() && a.count_by.is_none() {
            Accounts::new()
        } else {
            load_names(a)?
        };
        Ok(Filter {
            wanted: a.criteria.wanted(),
            criteria: a.criteria.clone(),
            queries,
            names,
            all_events: a.all_events,
        })
    }

    /// The engine's prefilter for these filters (see
    /// `auditkit_query::prefilter`), if they give one.
    pub fn prefilter(&self) -> Option<auditkit_event::prefilter::Prefilter> {
        auditkit_query::prefilter::for_search(&self.criteria, &self.queries)
    }

    /// The names used for interpreted values.
    pub fn names(&self) -> &Accounts {
        &self.names
    }

    /// Decide for one event.
    pub fn check(&self, ev: &Event) -> Verdict {
        let out = self.criteria.evaluate(ev, &self.wanted, &self.names);
        if !out.matched {
            return Verdict::Skip;
        }
        if !self.queries.is_empty() {
            let view = EventView::new(ev);
            let names = Names { ids: &self.names };
            if !self.queries.iter().all(|q| q.matches(&view, &names)) {
                return Verdict::Skip;
            }
        }
        match out.failure {
            Some(f) if !self.all_events => Verdict::Hidden(f),
            _ => Verdict::Print,
        }
    }
}

impl auditkit_event::pipeline::Filter for Filter {
    type Verdict = Verdict;

    fn check(&self, ev: &Event) -> Verdict {
        Filter::check(self, ev)
    }
}
