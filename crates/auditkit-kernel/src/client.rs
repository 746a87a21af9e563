//! [`Audit`]: requests and their answers over the socket.
//!
//! The kernel answers a request in two ways at once: with an ack
//! (`NLMSG_ERROR`, error 0, because we ask for one) and, for `GET` and
//! `LIST_RULES`, with data sent from a kernel thread, so the ack may come
//! before or after the data. A request is done when both have arrived
//! (and, for a list, `NLMSG_DONE`); an error code ends it at once.
//! Answers to other sequence numbers (a request that timed out earlier)
//! are skipped.

use std::time::{Duration, Instant};

use auditkit_rules::{KernelRule, Machine};

use crate::consts::{
    AUDIT_ADD_RULE, AUDIT_DEL_RULE, AUDIT_GET, AUDIT_GET_FEATURE, AUDIT_LIST_RULES, AUDIT_SET,
    NLMSG_DONE,
};
use crate::rule_data::{decode, encode, DecodeError};
use crate::socket::Socket;
use crate::status::{Features, Setting, Status};
use crate::wire::{request, split};
use crate::Error;

/// Whether a setting that cannot be undone may be made: `enabled 2` locks
/// the configuration until reboot, `failure 2` panics the machine when
/// records are lost. The default is to refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Allow {
    /// Refuse the setting (the default).
    #[default]
    Refuse,
    /// The user asked for it explicitly.
    Permit,
}

/// A rule as listed: the kernel's bytes (what `AUDIT_DEL_RULE` needs to
/// delete it, whatever we understand of it) and its decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRule {
    /// The `audit_rule_data` bytes the kernel sent.
    pub raw: Vec<u8>,
    /// The rule, or why it could not be read (a field of a newer kernel).
    pub rule: Result<KernelRule, DecodeError>,
}

/// What a request waits for besides the ack.
#[derive(Clone, Copy)]
enum Want {
    Ack,
    One(u16),
    Multi(u16),
}

/// The largest datagram we accept. A rule is 1040 bytes plus its strings
/// (up to 64 paths of 4096 bytes in theory); 512 KiB holds any of them.
const RECV_BUF: usize = 512 * 1024;

/// A connection to the kernel's audit subsystem.
#[derive(Debug)]
pub struct Audit {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
    native: Machine,
    timeout: Duration,
}

impl Audit {
    /// Open a connection; rules without an arch are read as `native`'s.
    pub fn open(native: Machine) -> Result<Audit, Error> {
        let sock = Socket::open().map_err(Error::Open)?;
        Ok(Audit {
            sock,
            seq: 0,
            buf: vec![0; RECV_BUF],
            native,
            timeout: Duration::from_secs(5),
        })
    }

    /// The machine rules without an arch belong to.
    pub fn native(&self) -> Machine {
        self.native
    }

    fn transact(
        &mut self,
        what: &'static str,
        msg_type: u16,
        payload: &[u8],
        want: Want,
    ) -> Result<Vec<Vec<u8>>, Error> {
        self.seq = self.seq.wrapping_add(1).max(1);
        let seq = self.seq;
        self.sock
            .send(&request(msg_type, seq, payload))
            .map_err(|source| Error::Io { op: what, source })?;
        let deadline = Instant::now() + self.timeout;
        let (mut acked, mut done) = (false, false);
        let mut data = Vec::new();
        loop {
            let finished = match want {
                Want::Ack => acked,
                Want::One(_) => acked && !data.is_empty(),
                Want::Multi(_) => acked && done,
            };
            if finished {
                return Ok(data);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::Timeout(what));
            }
            let n = match self.sock.recv(&mut self.buf, left) {
                Ok(Some(n)) => n,
                Ok(None) => return Err(Error::Timeout(what)),
                Err(source) => return Err(Error::Io { op: what, source }),
            };
            for m in split(&self.buf[..n])? {
                if m.seq != seq {
                    continue;
                }
                if let Some(code) = m.error_code() {
                    if code != 0 {
                        return Err(Error::Kernel {
                            request: what,
                            errno: code.saturating_neg(),
                        });
                    }
                    acked = true;
                } else if m.msg_type == NLMSG_DONE {
                    done = true;
                } else if matches!(want, Want::One(t) | Want::Multi(t) if t == m.msg_type) {
                    data.push(m.payload.to_vec());
                }
            }
        }
    }

    /// `auditctl -s`: the status.
    pub fn status(&mut self) -> Result<Status, Error> {
        let d = self.transact("status request", AUDIT_GET, &[], Want::One(AUDIT_GET))?;
        Ok(Status::decode(d.first().map(Vec::as_slice).unwrap_or(&[])))
    }

    /// The kernel's feature bits (`loginuid_immutable`).
    pub fn features(&mut self) -> Result<Features, Error> {
        let d = self.transact(
            "feature request",
            AUDIT_GET_FEATURE,
            &[],
            Want::One(AUDIT_GET_FEATURE),
        )?;
        Ok(Features::decode(
            d.first().map(Vec::as_slice).unwrap_or(&[]),
        ))
    }

    /// Every loaded rule in the kernel's order, with its raw bytes.
    pub fn list(&mut self) -> Result<Vec<ListedRule>, Error> {
        let native = self.native;
        let d = self.transact(
            "rule list request",
            AUDIT_LIST_RULES,
            &[],
            Want::Multi(AUDIT_LIST_RULES),
        )?;
        Ok(d.into_iter()
            .map(|raw| {
                let rule = decode(&raw, native);
                ListedRule { raw, rule }
            })
            .collect())
    }

    /// Every loaded rule, decoded; fails on a rule this crate cannot read.
    pub fn list_rules(&mut self) -> Result<Vec<KernelRule>, Error> {
        self.list()?
            .into_iter()
            .enumerate()
            .map(|(index, l)| l.rule.map_err(|source| Error::Decode { index, source }))
            .collect()
    }

    /// `-a`: append a rule to its list (`-A` with `prepend`).
    pub fn add_rule(&mut self, rule: &KernelRule, prepend: bool) -> Result<(), Error> {
        let b = encode(rule, prepend)?;
        self.add_raw(&b)
    }

    /// Add a rule from its `audit_rule_data` bytes (to restore a listing).
    pub fn add_raw(&mut self, raw: &[u8]) -> Result<(), Error> {
        self.transact("add rule", AUDIT_ADD_RULE, raw, Want::Ack)
            .map(drop)
    }

    /// `-d`: delete the identical rule.
    pub fn delete_rule(&mut self, rule: &KernelRule) -> Result<(), Error> {
        let b = encode(rule, false)?;
        self.delete_raw(&b)
    }

    /// Delete a rule given the bytes the kernel listed it with.
    pub fn delete_raw(&mut self, raw: &[u8]) -> Result<(), Error> {
        self.transact("delete rule", AUDIT_DEL_RULE, raw, Want::Ack)
            .map(drop)
    }

    /// `-D`: delete every rule, as auditctl does (list, then delete each
    /// with the bytes it was listed with). Returns how many were deleted.
    pub fn delete_all(&mut self) -> Result<usize, Error> {
        let rules = self.list()?;
        for r in &rules {
            self.delete_raw(&r.raw)?;
        }
        Ok(rules.len())
    }

    /// Change one status setting. `Enabled(2)` and `Failure(2)` are refused
    /// unless `allow` is [`Allow::Permit`]; other values than 0, 1, 2 for
    /// those two are left to the kernel to refuse.
    pub fn set(&mut self, setting: Setting, allow: Allow) -> Result<(), Error> {
        if matches!(setting, Setting::Enabled(2) | Setting::Failure(2)) && allow != Allow::Permit {
            return Err(Error::Refused(setting));
        }
        self.transact("status change", AUDIT_SET, &setting.encode(), Want::Ack)
            .map(drop)
    }

    /// `-e`: 0 off, 1 on, 2 locked (needs [`Allow::Permit`]).
    pub fn set_enabled(&mut self, value: u32, allow: Allow) -> Result<(), Error> {
        self.set(Setting::Enabled(value), allow)
    }

    /// `-f`: 0 silent, 1 printk, 2 panic (needs [`Allow::Permit`]).
    pub fn set_failure(&mut self, value: u32, allow: Allow) -> Result<(), Error> {
        self.set(Setting::Failure(value), allow)
    }

    /// `-b`.
    pub fn set_backlog_limit(&mut self, value: u32) -> Result<(), Error> {
        self.set(Setting::BacklogLimit(value), Allow::Refuse)
    }

    /// `-r`.
    pub fn set_rate_limit(&mut self, value: u32) -> Result<(), Error> {
        self.set(Setting::RateLimit(value), Allow::Refuse)
    }

    /// `--backlog_wait_time`.
    pub fn set_backlog_wait_time(&mut self, value: u32) -> Result<(), Error> {
        self.set(Setting::BacklogWaitTime(value), Allow::Refuse)
    }
}
