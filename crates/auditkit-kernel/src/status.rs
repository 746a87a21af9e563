//! `struct audit_status` and `struct audit_features`: decoding the kernel's
//! replies and encoding `AUDIT_SET` requests, as pure functions.

use crate::consts::{
    AUDIT_FEATURE_LOGINUID_IMMUTABLE, AUDIT_STATUS_BACKLOG_LIMIT, AUDIT_STATUS_BACKLOG_WAIT_TIME,
    AUDIT_STATUS_ENABLED, AUDIT_STATUS_FAILURE, AUDIT_STATUS_RATE_LIMIT, FEATURES_LEN, STATUS_LEN,
};
use crate::wire::{put_u32, u32_at};

/// The kernel's audit status (`auditctl -s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// 0 off, 1 on, 2 on and locked until reboot.
    pub enabled: u32,
    /// What to do when records are lost: 0 silent, 1 printk, 2 panic.
    pub failure: u32,
    /// The pid of the registered audit daemon, 0 for none.
    pub pid: u32,
    /// Records per second before the kernel drops (0: no limit).
    pub rate_limit: u32,
    /// Records queued before the kernel drops or waits.
    pub backlog_limit: u32,
    /// Records lost since boot (or the last reset).
    pub lost: u32,
    /// Records queued now.
    pub backlog: u32,
    /// Feature bitmap (the old `version` field).
    pub feature_bitmap: u32,
    /// How long (jiffies) a task waits when the backlog is full.
    pub backlog_wait_time: u32,
    /// Time spent waiting on a full backlog; `None` on kernels older than
    /// 5.9, whose reply stops before it (auditctl then omits the line).
    pub backlog_wait_time_actual: Option<u32>,
}

/// `struct audit_features`, of which auditctl shows one bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    /// `vers`.
    pub version: u32,
    /// Which feature bits are meaningful.
    pub mask: u32,
    /// Feature bits that are on.
    pub features: u32,
    /// Feature bits that are locked.
    pub lock: u32,
}

impl Features {
    /// `AUDIT_FEATURE_LOGINUID_IMMUTABLE`: (on, locked), when the kernel
    /// reports it.
    pub fn loginuid_immutable(&self) -> Option<(bool, bool)> {
        let bit = 1u32 << AUDIT_FEATURE_LOGINUID_IMMUTABLE;
        (self.mask & bit != 0).then_some((self.features & bit != 0, self.lock & bit != 0))
    }

    /// Decode the reply payload; missing trailing words read as 0.
    pub fn decode(payload: &[u8]) -> Features {
        let w = |i: usize| u32_at(payload, i * 4).unwrap_or(0);
        Features {
            version: w(0),
            mask: w(1),
            features: w(2),
            lock: w(3),
        }
    }

    /// The payload size the kernel sends.
    pub const LEN: usize = FEATURES_LEN;
}

impl Status {
    /// Decode an `AUDIT_GET` reply payload. Older kernels send a shorter
    /// struct: missing words read as 0, and `backlog_wait_time_actual` as
    /// absent, which is what auditctl does with the reply length.
    pub fn decode(payload: &[u8]) -> Status {
        let w = |i: usize| u32_at(payload, i * 4).unwrap_or(0);
        Status {
            enabled: w(1),
            failure: w(2),
            pid: w(3),
            rate_limit: w(4),
            backlog_limit: w(5),
            lost: w(6),
            backlog: w(7),
            feature_bitmap: w(8),
            backlog_wait_time: w(9),
            backlog_wait_time_actual: (payload.len() >= STATUS_LEN).then(|| w(10)),
        }
    }

    /// The lines `auditctl -s` prints for this status and these features.
    pub fn auditctl_lines(&self, features: Option<&Features>) -> Vec<String> {
        let mut v = vec![
            format!("enabled {}", self.enabled),
            format!("failure {}", self.failure),
            format!("pid {}", self.pid),
            format!("rate_limit {}", self.rate_limit),
            format!("backlog_limit {}", self.backlog_limit),
            format!("lost {}", self.lost),
            format!("backlog {}", self.backlog),
            format!("backlog_wait_time {}", self.backlog_wait_time),
        ];
        if let Some(a) = self.backlog_wait_time_actual {
            v.push(format!("backlog_wait_time_actual {a}"));
        }
        if let Some((on, locked)) = features.and_then(|f| f.loginuid_immutable()) {
            v.push(format!(
                "loginuid_immutable {} {}",
                u32::from(on),
                if locked { "locked" } else { "unlocked" }
            ));
        }
        v
    }
}

/// One setting of `AUDIT_SET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// `-e`.
    Enabled(u32),
    /// `-f`.
    Failure(u32),
    /// `-r`.
    RateLimit(u32),
    /// `-b`.
    BacklogLimit(u32),
    /// `--backlog_wait_time`.
    BacklogWaitTime(u32),
}

impl Setting {
    /// The `struct audit_status` payload that changes only this setting.
    pub fn encode(self) -> Vec<u8> {
        let mut s = vec![0u8; STATUS_LEN];
        let (mask, word, v) = match self {
            Setting::Enabled(v) => (AUDIT_STATUS_ENABLED, 1, v),
            Setting::Failure(v) => (AUDIT_STATUS_FAILURE, 2, v),
            Setting::RateLimit(v) => (AUDIT_STATUS_RATE_LIMIT, 4, v),
            Setting::BacklogLimit(v) => (AUDIT_STATUS_BACKLOG_LIMIT, 5, v),
            Setting::BacklogWaitTime(v) => (AUDIT_STATUS_BACKLOG_WAIT_TIME, 9, v),
        };
        put_u32(&mut s, 0, mask);
        put_u32(&mut s, word * 4, v);
        s
    }

    /// The value this setting has in `status`.
    pub fn current(self, status: &Status) -> Setting {
        match self {
            Setting::Enabled(_) => Setting::Enabled(status.enabled),
            Setting::Failure(_) => Setting::Failure(status.failure),
            Setting::RateLimit(_) => Setting::RateLimit(status.rate_limit),
            Setting::BacklogLimit(_) => Setting::BacklogLimit(status.backlog_limit),
            Setting::BacklogWaitTime(_) => Setting::BacklogWaitTime(status.backlog_wait_time),
        }
    }

    /// As a rules-file line (`-b 8192`).
    pub fn as_line(self) -> String {
        match self {
            Setting::Enabled(v) => format!("-e {v}"),
            Setting::Failure(v) => format!("-f {v}"),
            Setting::RateLimit(v) => format!("-r {v}"),
            Setting::BacklogLimit(v) => format!("-b {v}"),
            Setting::BacklogWaitTime(v) => format!("--backlog_wait_time {v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[u32]) -> Vec<u8> {
        w.iter().flat_map(|v| v.to_ne_bytes()).collect()
    }

    #[test]
    fn decode_full_and_short_status() {
        let full = words(&[0x7f, 1, 1, 0, 0, 64, 3, 0, 0x7f, 15000, 4]);
        let s = Status::decode(&full);
        assert_eq!(
            (s.enabled, s.failure, s.backlog_limit, s.lost),
            (1, 1, 64, 3)
        );
        assert_eq!(s.backlog_wait_time_actual, Some(4));
        assert_eq!(
            s.auditctl_lines(None),
            [
                "enabled 1",
                "failure 1",
                "pid 0",
                "rate_limit 0",
                "backlog_limit 64",
                "lost 3",
                "backlog 0",
                "backlog_wait_time 15000",
                "backlog_wait_time_actual 4"
            ]
        );
        let short = Status::decode(&full[..40]);
        assert_eq!(short.backlog_wait_time, 15000);
        assert_eq!(short.backlog_wait_time_actual, None);
        assert_eq!(Status::decode(&[]), Status::default());
    }

    #[test]
    fn features_line() {
        let f = Features::decode(&words(&[1, 3, 0, 2]));
        assert_eq!(f.loginuid_immutable(), Some((false, true)));
        let s = Status::default();
        assert_eq!(
            s.auditctl_lines(Some(&f)).last().map(String::as_str),
            Some("loginuid_immutable 0 locked")
        );
        assert_eq!(
            Features::decode(&words(&[1, 1, 1, 0])).loginuid_immutable(),
            None
        );
    }

    #[test]
    fn settings_encode_one_masked_word() {
        let p = Setting::BacklogWaitTime(60000).encode();
        assert_eq!(p.len(), 44);
        assert_eq!(u32_at(&p, 0), Some(0x20));
        assert_eq!(u32_at(&p, 36), Some(60000));
        assert_eq!(p.iter().filter(|b| **b != 0).count(), 3);
        let e = Setting::Enabled(1).encode();
        assert_eq!((u32_at(&e, 0), u32_at(&e, 4)), (Some(1), Some(1)));
        let b = Setting::BacklogLimit(8192).encode();
        assert_eq!((u32_at(&b, 0), u32_at(&b, 20)), (Some(0x10), Some(8192)));
        assert_eq!(Setting::Failure(1).as_line(), "-f 1");
    }
}
