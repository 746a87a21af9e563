//! Netlink framing as pure functions over bytes: building a request and
//! splitting a datagram into messages. No socket here, so every case
//! (short headers, lengths past the end, errors, acks) is tested without a
//! kernel.
//!
//! A netlink message is a 16-byte header (`len`, `type`, `flags`, `seq`,
//! `pid`, native endian) followed by the payload, padded to 4 bytes
//! (`NLMSG_ALIGN`). One datagram may hold several messages.

use crate::consts::{NLMSG_ERROR, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_REQUEST};

/// Round up to the 4-byte netlink alignment.
pub fn align(n: usize) -> usize {
    (n + 3) & !3
}

/// Read a native-endian u32 at `at` (the caller checked the length).
pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
}

/// Write a native-endian u32 at `at`.
pub(crate) fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
}

/// A request as the kernel expects it: header with `NLM_F_REQUEST |
/// NLM_F_ACK` (so every request is answered, even a successful `SET`),
/// then the payload, padded.
pub fn request(msg_type: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = NLMSG_HDRLEN + payload.len();
    let mut out = vec![0u8; align(len)];
    put_u32(&mut out, 0, len as u32);
    out[4..6].copy_from_slice(&msg_type.to_ne_bytes());
    out[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
    put_u32(&mut out, 8, seq);
    // pid 0: the kernel fills in our port id.
    out[NLMSG_HDRLEN..len].copy_from_slice(payload);
    out
}

/// One message of a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// `nlmsg_type`.
    pub msg_type: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`: the request this answers.
    pub seq: u32,
    /// `nlmsg_pid`: 0 for the kernel.
    pub pid: u32,
    /// The payload, without padding.
    pub payload: &'a [u8],
}

impl Message<'_> {
    /// For `NLMSG_ERROR`: 0 for an ack, else a negative errno.
    pub fn error_code(&self) -> Option<i32> {
        if self.msg_type != NLMSG_ERROR {
            return None;
        }
        u32_at(self.payload, 0).map(|v| v as i32)
    }
}

/// Why a datagram could not be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer bytes than a header at this offset.
    #[error("truncated netlink header at byte {0}")]
    ShortHeader(usize),
    /// A length field smaller than a header or past the end.
    #[error("netlink message at byte {at} claims {len} bytes, {avail} available")]
    BadLength {
        /// Offset of the message.
        at: usize,
        /// The claimed length.
        len: usize,
        /// Bytes left in the datagram.
        avail: usize,
    },
    /// An `NLMSG_ERROR` without room for its error code.
    #[error("netlink error message without an error code")]
    ShortError,
}

/// Split a datagram into messages.
pub fn split(buf: &[u8]) -> Result<Vec<Message<'_>>, FrameError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        if buf.len() - at < NLMSG_HDRLEN {
            return Err(FrameError::ShortHeader(at));
        }
        let len = u32_at(buf, at).unwrap_or(0) as usize;
        let avail = buf.len() - at;
        if len < NLMSG_HDRLEN || len > avail {
            return Err(FrameError::BadLength { at, len, avail });
        }
        let msg = Message {
            msg_type: u16::from_ne_bytes([buf[at + 4], buf[at + 5]]),
            flags: u16::from_ne_bytes([buf[at + 6], buf[at + 7]]),
            seq: u32_at(buf, at + 8).unwrap_or(0),
            pid: u32_at(buf, at + 12).unwrap_or(0),
            payload: &buf[at + NLMSG_HDRLEN..at + len],
        };
        if msg.msg_type == NLMSG_ERROR && msg.payload.len() < 4 {
            return Err(FrameError::ShortError);
        }
        out.push(msg);
        at += align(len).min(avail);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consts::{AUDIT_GET, NLMSG_DONE};

    fn msg(t: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
        let mut m = request(t, seq, payload);
        m[6..8].copy_from_slice(&flags.to_ne_bytes());
        m
    }

    #[test]
    fn request_layout() {
        let r = request(AUDIT_GET, 7, &[1, 2, 3]);
        assert_eq!(r.len(), 20);
        assert_eq!(u32_at(&r, 0), Some(19));
        assert_eq!(u16::from_ne_bytes([r[4], r[5]]), 1000);
        assert_eq!(u16::from_ne_bytes([r[6], r[7]]), 5);
        assert_eq!(u32_at(&r, 8), Some(7));
        assert_eq!(&r[16..20], &[1, 2, 3, 0]);
    }

    #[test]
    fn split_several_messages_with_padding() {
        let mut d = msg(AUDIT_GET, 0, 3, &[9, 9, 9, 9, 9]);
        d.extend(msg(NLMSG_DONE, 2, 3, &[0, 0, 0, 0]));
        let mut err = msg(NLMSG_ERROR, 0, 3, &(-17i32).to_ne_bytes());
        err.extend_from_slice(&[0; 16]);
        let l = err.len() as u32;
        err[0..4].copy_from_slice(&l.to_ne_bytes());
        d.extend(err);
        let m = split(&d).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].payload, &[9, 9, 9, 9, 9]);
        assert_eq!(m[1].msg_type, NLMSG_DONE);
        assert_eq!(m[2].error_code(), Some(-17));
        assert_eq!(m[0].error_code(), None);
    }

    #[test]
    fn split_refuses_bad_lengths() {
        assert_eq!(split(&[0; 8]), Err(FrameError::ShortHeader(0)));
        let mut d = msg(AUDIT_GET, 0, 1, &[1; 8]);
        d[0..4].copy_from_slice(&100u32.to_ne_bytes());
        assert!(matches!(
            split(&d),
            Err(FrameError::BadLength { len: 100, .. })
        ));
        d[0..4].copy_from_slice(&3u32.to_ne_bytes());
        assert!(matches!(
            split(&d),
            Err(FrameError::BadLength { len: 3, .. })
        ));
        let e = msg(NLMSG_ERROR, 0, 1, &[]);
        assert_eq!(split(&e), Err(FrameError::ShortError));
        assert_eq!(split(&[]), Ok(vec![]));
    }
}
