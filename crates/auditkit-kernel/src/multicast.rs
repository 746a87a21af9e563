//! Reading the kernel's audit records live, beside auditd: the netlink
//! multicast group `AUDIT_NLGRP_READLOG` (linux/audit.h), which the
//! kernel fills with a copy of every record it sends to auditd
//! (`kauditd_send_multicast_skb`), for any reader with `CAP_AUDIT_READ`.
//! auditd keeps its unicast channel; nothing here changes the audit
//! configuration.
//!
//! Each datagram holds one record: a netlink header whose type is the
//! record type (1300 for SYSCALL) and a payload `audit(SEC.MSEC:SERIAL):
//! body` without the `type=` prefix auditd adds when it writes a log.
//! [`to_line`] makes it the line auditd would have written (`type=SYSCALL
//! msg=audit(...): body`), so everything downstream (the parser, the
//! assembler, EOE handling) is the one that reads logs. The multicast
//! stream carries `EOE` records, as auditd's plugins see them.
//!
//! A slow reader loses records: the kernel drops what does not fit in
//! the socket's receive buffer (`ENOBUFS` on the next read), which
//! [`Live::next`] reports as [`Received::Lost`] and the caller counts.

use std::io;
use std::time::Duration;

use crate::socket::Socket;
use crate::wire;

/// `AUDIT_NLGRP_READLOG`: the multicast group of audit records.
pub const AUDIT_NLGRP_READLOG: u32 = 1;

/// The largest audit record the kernel sends (`MAX_AUDIT_MESSAGE_LENGTH`
/// is 8970 bytes), with room to spare.
const BUF: usize = 16 * 1024;

/// A reader of the live record stream.
#[derive(Debug)]
pub struct Live {
    sock: Socket,
    buf: Vec<u8>,
}

/// What one wait for a record gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// A record, as a log line with its newline.
    Line(Vec<u8>),
    /// Nothing within the timeout.
    Idle,
    /// The kernel dropped records because the reader was slow.
    Lost,
}

impl Live {
    /// Join the group. Fails with `EPERM` without `CAP_AUDIT_READ`, and
    /// with `EPROTONOSUPPORT` on a kernel without audit.
    pub fn open() -> io::Result<Live> {
        Ok(Live {
            sock: Socket::open_multicast(1 << (AUDIT_NLGRP_READLOG - 1))?,
            buf: vec![0; BUF],
        })
    }

    /// Wait at most `timeout` for the next record.
    pub fn next(&mut self, timeout: Duration) -> io::Result<Received> {
        match self.sock.recv(&mut self.buf, timeout) {
            Ok(None) => Ok(Received::Idle),
            Ok(Some(n)) => Ok(match parse(&self.buf[..n]) {
                Some((t, payload)) => Received::Line(to_line(t, payload)),
                None => Received::Idle,
            }),
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => Ok(Received::Lost),
            Err(e) => Err(e),
        }
    }
}

/// The record type and payload of one multicast datagram. The payload
/// runs to the message's length, or to the end of the datagram when the
/// header's length is off (older kernels counted only the payload in
/// some records); trailing NULs and newlines are dropped.
pub fn parse(datagram: &[u8]) -> Option<(u16, &[u8])> {
    let (t, payload) = match wire::split(datagram) {
        Ok(msgs) => {
            let m = msgs.into_iter().next()?;
            (m.msg_type, m.payload)
        }
        Err(_) if datagram.len() >= 16 => (
            u16::from_ne_bytes([datagram[4], datagram[5]]),
            &datagram[16..],
        ),
        Err(_) => return None,
    };
    let end = payload
        .iter()
        .rposition(|&b| b != 0 && b != b'\n')
        .map_or(0, |i| i + 1);
    Some((t, &payload[..end]))
}

/// The log line auditd writes for a record of type `t`:
/// `type=NAME msg=PAYLOAD\n`, with `UNKNOWN[N]` for a type without a name
/// (as auditd does).
pub fn to_line(t: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 32);
    out.extend_from_slice(b"type=");
    match auditkit_interp::msgtype::name(auditkit_interp::RecordType(i32::from(t))) {
        Some(n) => out.extend_from_slice(n.as_bytes()),
        None => out.extend_from_slice(format!("UNKNOWN[{t}]").as_bytes()),
    }
    out.extend_from_slice(b" msg=");
    out.extend_from_slice(payload);
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_become_log_lines() {
        let body = b"audit(1700000000.123:42): arch=c000003e syscall=59\0";
        let d = wire::request(1300, 0, body);
        let (t, p) = parse(&d).unwrap();
        assert_eq!(t, 1300);
        assert_eq!(
            to_line(t, p),
            b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59\n"
        );
        assert!(to_line(1399, b"x").starts_with(b"type=UNKNOWN[1399] msg="));
        // A header whose length is wrong: the rest of the datagram.
        let mut bad = d.clone();
        bad[0..4].copy_from_slice(&9999u32.to_ne_bytes());
        assert_eq!(parse(&bad).unwrap().1, &body[..body.len() - 1]);
        assert_eq!(parse(b"short"), None);
    }
}
