//! Where received records go: the [`Store`] trait, the embedded
//! [`FileStore`], and the resend filter ([`Dedup`]) in front of any store.
//!
//! The receiver hands a store one batch at a time (records from every
//! connection, gathered while the previous batch was being fsynced: group
//! commit) and acknowledges the batch's records only when
//! [`Store::write_batch`] returned, so "acked" means "durable" whatever
//! the store is. A later ClickHouse store implements the same trait: a
//! batch is one insert, made idempotent by the batch's id.

pub mod index;

#[cfg(feature = "server")]
mod file;
#[cfg(feature = "server")]
pub use file::{FileOptions, FileStore};

use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use thiserror::Error;

/// Why a batch was not stored. Nothing of a failed batch is kept, so its
/// records are not acked and the clients send them again.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No space left (ENOSPC, EDQUOT, or under the configured reserve):
    /// replied with DISKFULL.
    #[error("disk full: {0}")]
    Full(String),
    /// Any other failure to write or sync: replied with DISKERROR.
    #[error("write error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// Sort an I/O error: full disks are told apart from other failures.
    pub fn from_io(what: &str, e: std::io::Error) -> StoreError {
        match e.raw_os_error() {
            Some(libc::ENOSPC) | Some(libc::EDQUOT) => StoreError::Full(format!("{what}: {e}")),
            _ => StoreError::Io(std::io::Error::new(e.kind(), format!("{what}: {e}"))),
        }
    }
}

/// How much room the store has, checked before each batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// Plenty.
    Ok,
    /// Under the low-water mark: records are stored and replied to with
    /// DISKLOW instead of ACK, as auditd does with its space warning.
    Low(u64),
    /// Under the reserve: nothing is written, replies are DISKFULL.
    Full(u64),
}

/// A durable destination for record lines.
pub trait Store: Send {
    /// Store the lines (each without its `\n`) and make them durable
    /// before returning. On error nothing of the batch may remain.
    fn write_batch(&mut self, lines: &[&[u8]]) -> Result<(), StoreError>;

    /// The room left, for the DISKLOW/DISKFULL replies.
    fn space(&mut self) -> Space;

    /// Call `f` with up to `n` of the most recently stored lines, newest
    /// first, so a restarted receiver recognises resends of records it
    /// had stored before it died.
    fn recent(&mut self, n: usize, f: &mut dyn FnMut(&[u8])) -> Result<(), StoreError>;

    /// Finish: write what is buffered (the index), sync, close.
    fn close(&mut self) -> Result<(), StoreError>;
}

/// The identity of a record for resend detection: a 128-bit hash of the
/// whole line, which holds the node, the time, the serial and the record
/// itself. Two hashers with different fixed keys make a false match (a
/// lost record) about 2^-100 likely within the window.
pub fn record_key(line: &[u8]) -> u128 {
    let mut a = std::hash::DefaultHasher::new();
    line.hash(&mut a);
    let mut b = std::hash::DefaultHasher::new();
    0x5eed_u32.hash(&mut b);
    line.hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// Hashing for sets of [`record_key`]s. The key is a hash of the line
/// already, so one folded multiply with random per-set seeds is enough to
/// place it (SipHash again per lookup cost more than the rest of the
/// set's work). The seeds matter: `record_key` is unkeyed (its value is
/// stored, see the ClickHouse sink), so a client could choose lines whose
/// keys agree in their low bits; through unknown seeds such keys land
/// anywhere.
#[derive(Clone, Copy, Debug)]
pub struct KeyHasher {
    seed: (u64, u64),
}

impl Default for KeyHasher {
    fn default() -> Self {
        use std::hash::BuildHasher;
        let r = std::hash::RandomState::new();
        KeyHasher {
            seed: (r.hash_one(1u8), r.hash_one(2u8) | 1),
        }
    }
}

impl std::hash::BuildHasher for KeyHasher {
    type Hasher = KeyHash;
    fn build_hasher(&self) -> KeyHash {
        KeyHash {
            seed: self.seed,
            h: 0,
        }
    }
}

/// The hasher of [`KeyHasher`].
#[derive(Clone, Copy, Debug)]
pub struct KeyHash {
    seed: (u64, u64),
    h: u64,
}

impl Hasher for KeyHash {
    fn finish(&self) -> u64 {
        self.h
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached for u128 keys (they use write_u128); anything else
        // is folded in 8 bytes at a time.
        for c in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        let m = u128::from(x ^ self.h ^ self.seed.0) * u128::from(self.seed.1);
        self.h = m as u64 ^ (m >> 64) as u64;
    }

    fn write_u128(&mut self, k: u128) {
        self.write_u64(k as u64 ^ (k >> 64) as u64);
    }
}

/// The keys of the last `cap` stored records: a resend of any of them is
/// acked without being stored again. Bounded: the oldest key leaves when
/// a new one comes (a client resends what was in flight when it lost the
/// connection, seconds old; the window holds far more than that).
#[derive(Debug)]
pub struct Dedup {
    cap: usize,
    set: HashSet<u128, KeyHasher>,
    order: VecDeque<u128>,
}

impl Dedup {
    /// A window of `cap` records.
    pub fn new(cap: usize) -> Dedup {
        Dedup {
            cap,
            set: HashSet::with_capacity_and_hasher(cap.min(1 << 20), KeyHasher::default()),
            order: VecDeque::with_capacity(cap.min(1 << 20)),
        }
    }

    /// Whether the key is in the window.
    pub fn contains(&self, k: u128) -> bool {
        self.set.contains(&k)
    }

    /// Remember a stored record.
    pub fn insert(&mut self, k: u128) {
        if self.cap == 0 || !self.set.insert(k) {
            return;
        }
        self.order.push_back(k);
        while self.order.len() > self.cap {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_window_is_bounded() {
        let mut d = Dedup::new(3);
        for i in 0..10u8 {
            d.insert(record_key(&[i]));
        }
        assert_eq!(d.len(), 3);
        assert!(d.contains(record_key(&[9])));
        assert!(!d.contains(record_key(&[6])));
        assert_ne!(record_key(b"a"), record_key(b"b"));
    }
}
