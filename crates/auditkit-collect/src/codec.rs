//! The audisp-remote wire format, as bytes in and bytes out: no sockets,
//! no runtime, no clock, so the receiver, the coming forwarder and the
//! fuzz target share one decoder.
//!
//! audit-userspace's "managed" format (`lib/private.h`): a 16-byte header,
//! every integer little-endian whatever the comment there says, then
//! `length` payload bytes:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `0xff0000fe` |
//! | 4 | 1 | header version (0) |
//! | 5 | 1 | message version (0) |
//! | 6 | 4 | type ([`Kind`]) |
//! | 10 | 2 | payload length |
//! | 12 | 4 | sequence id, echoed in the reply |
//!
//! A client in "ascii" mode sends bare `\n`-terminated lines instead and
//! gets no replies. auditd tells the two apart by the first bytes of the
//! connection (`src/auditd-listen.c`): the magic's first byte is `0xfe`,
//! which no record line starts with, so [`Decoder`] decides on the first
//! byte and keeps that mode for the connection.
//!
//! What auditd does not do and this decoder does: a frame longer than
//! the cap (default [`MAX_PAYLOAD`], auditd's own limit, 8970 bytes) is an
//! error, not a silently ignored length, and so are a wrong magic in the
//! middle of a managed stream, an unknown version and an ascii line over
//! the cap. The caller closes that connection and nothing else.

use thiserror::Error;

/// The magic that opens every managed frame.
pub const MAGIC: u32 = 0xff00_00fe;
/// Size of the header.
pub const HEADER_LEN: usize = 16;
/// The largest payload audit-userspace sends or accepts
/// (`MAX_AUDIT_MESSAGE_LENGTH` plus room, `AUDIT_RMW_MESSAGE_MAX` there).
pub const MAX_PAYLOAD: usize = 8970;

/// The message types, with audit-userspace's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A record line, client to server.
    Message,
    /// Keep-alive, client to server; answered with [`Kind::Ack`].
    Heartbeat,
    /// The record (or heartbeat) with this sequence id is taken.
    Ack,
    /// The server is shutting down (unsolicited, sequence 0).
    Ending,
    /// Taken, but the server's disk is running low.
    DiskLow,
    /// Not taken: the server's disk is full.
    DiskFull,
    /// Not taken: the server could not write.
    DiskError,
    /// Any other value: kept, so a reply with an unknown type can be
    /// classified by its mask bits as audisp-remote does.
    Other(u32),
}

/// The start of the payload `auditkit collect` puts in its ACK of a
/// HEARTBEAT (auditd's is empty, and audisp-remote ignores the payload
/// of an ACK), followed by the decimal number of records a connection may
/// have in flight. `auditkit forward` sends a HEARTBEAT first: with this
/// answer it pipelines up to that many records, with any other it works
/// stop-and-wait, as auditd's listener expects.
pub const HELLO: &[u8] = b"auditkit-collect window=";

/// The HEARTBEAT ACK payload of a server taking `window` records in flight.
pub fn hello(window: usize) -> Vec<u8> {
    let mut v = HELLO.to_vec();
    v.extend_from_slice(window.to_string().as_bytes());
    v
}

/// The window a HEARTBEAT ACK's payload offers (`None`: not a
/// pipelining server).
pub fn hello_window(payload: &[u8]) -> Option<usize> {
    std::str::from_utf8(payload.strip_prefix(HELLO)?)
        .ok()?
        .parse()
        .ok()
}

/// Mask bit of every reply type.
pub const REPLY: u32 = 0x4000_0000;
/// Mask bit of fatal replies.
pub const FATAL: u32 = 0x2000_0000;
/// Mask bit of warnings.
pub const WARN: u32 = 0x1000_0000;

impl Kind {
    /// The wire value.
    pub fn to_u32(self) -> u32 {
        match self {
            Kind::Message => 0,
            Kind::Heartbeat => 1,
            Kind::Ack => REPLY,
            Kind::Ending => REPLY | 1,
            Kind::DiskLow => REPLY | WARN | 1,
            Kind::DiskFull => REPLY | FATAL | 1,
            Kind::DiskError => REPLY | FATAL | 2,
            Kind::Other(v) => v,
        }
    }

    /// The kind of a wire value.
    pub fn from_u32(v: u32) -> Kind {
        [
            Kind::Message,
            Kind::Heartbeat,
            Kind::Ack,
            Kind::Ending,
            Kind::DiskLow,
            Kind::DiskFull,
            Kind::DiskError,
        ]
        .into_iter()
        .find(|k| k.to_u32() == v)
        .unwrap_or(Kind::Other(v))
    }

    /// Whether it is a server's reply.
    pub fn is_reply(self) -> bool {
        self.to_u32() & REPLY != 0
    }

    /// Whether the reply says the record was not taken (the client
    /// closes the connection on these).
    pub fn is_fatal(self) -> bool {
        self.to_u32() & FATAL != 0
    }
}

/// A frame's header, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// What the frame is.
    pub kind: Kind,
    /// Payload bytes after the header.
    pub len: u16,
    /// The sequence id.
    pub seq: u32,
}

/// Append one managed frame to `out`. The payload is cut at `u16::MAX`
/// bytes (the length field's range); callers keep it under
/// [`MAX_PAYLOAD`].
pub fn encode(kind: Kind, seq: u32, payload: &[u8], out: &mut Vec<u8>) {
    let payload = &payload[..payload.len().min(u16::MAX as usize)];
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.push(0);
    out.push(0);
    out.extend_from_slice(&kind.to_u32().to_le_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(payload);
}

/// One managed frame as a vector (replies, tests).
pub fn frame(kind: Kind, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(HEADER_LEN + payload.len());
    encode(kind, seq, payload, &mut v);
    v
}

/// Why a stream is broken: the connection is closed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Bytes where a header should start that are not the magic.
    #[error("bad magic {0:#010x} at a frame boundary")]
    BadMagic(u32),
    /// A header or message version this decoder does not know.
    #[error("unknown header version {hdr} / message version {msg}")]
    Version {
        /// Byte 4.
        hdr: u8,
        /// Byte 5.
        msg: u8,
    },
    /// A payload longer than the cap.
    #[error("frame of {len} bytes is over the cap of {max}")]
    TooLong {
        /// The length (payload, or the ascii line so far).
        len: usize,
        /// The cap.
        max: usize,
    },
    /// A client frame of a reply type or an unknown type.
    #[error("unexpected frame type {0:#010x} from a client")]
    Unexpected(u32),
}

/// What one decoded unit is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A managed frame.
    Managed {
        /// Its header.
        header: Header,
        /// Its payload.
        payload: &'a [u8],
    },
    /// One ascii line, without its `\n` (and without a `\r` before it).
    Line(&'a [u8]),
}

/// The framing a connection uses, fixed by its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Nothing read yet.
    Unknown,
    /// 16-byte headers and replies.
    Managed,
    /// Lines, no replies.
    Ascii,
}

/// Which side's frames are expected: a server reads client frames
/// (MESSAGE, HEARTBEAT), a client reads replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Decoding what clients send.
    Server,
    /// Decoding what servers send (managed only).
    Client,
}

/// A stream decoder over a caller-owned buffer: [`Decoder::decode`] looks
/// at the bytes read so far and says how many make one frame, or that it
/// needs more. It holds no bytes itself, so the buffer's bound is the
/// caller's (at most the cap plus a header).
#[derive(Clone, Debug)]
pub struct Decoder {
    mode: Mode,
    side: Side,
    max: usize,
}

impl Decoder {
    /// A decoder for `side` with a payload cap of `max` bytes.
    pub fn new(side: Side, max: usize) -> Decoder {
        Decoder {
            mode: if side == Side::Client {
                Mode::Managed
            } else {
                Mode::Unknown
            },
            side,
            max,
        }
    }

    /// The connection's framing (known after the first byte).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Decode the first frame in `buf`: `Ok(None)` when more bytes are
    /// needed, `Ok(Some((frame, used)))` with the bytes it took, or the
    /// error that breaks the stream. Never panics, for any bytes.
    pub fn decode<'a>(&mut self, buf: &'a [u8]) -> Result<Option<(Frame<'a>, usize)>, DecodeError> {
        let Some(&first) = buf.first() else {
            return Ok(None);
        };
        if self.mode == Mode::Unknown {
            self.mode = if first == MAGIC.to_le_bytes()[0] {
                Mode::Managed
            } else {
                Mode::Ascii
            };
        }
        match self.mode {
            Mode::Ascii => self.line(buf),
            _ => self.managed(buf),
        }
    }

    fn line<'a>(&self, buf: &'a [u8]) -> Result<Option<(Frame<'a>, usize)>, DecodeError> {
        match memchr::memchr(b'\n', buf) {
            Some(i) if i > self.max => Err(DecodeError::TooLong {
                len: i,
                max: self.max,
            }),
            Some(i) => {
                let line = &buf[..i];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                Ok(Some((Frame::Line(line), i + 1)))
            }
            None if buf.len() > self.max => Err(DecodeError::TooLong {
                len: buf.len(),
                max: self.max,
            }),
            None => Ok(None),
        }
    }

    fn managed<'a>(&self, buf: &'a [u8]) -> Result<Option<(Frame<'a>, usize)>, DecodeError> {
        // The magic is checked as soon as its bytes are there, so garbage
        // is refused at once rather than after 16 bytes.
        let have = buf.len().min(4);
        if buf[..have] != MAGIC.to_le_bytes()[..have] {
            let mut m = [0u8; 4];
            m[..have].copy_from_slice(&buf[..have]);
            return Err(DecodeError::BadMagic(u32::from_le_bytes(m)));
        }
        let Some(h) = buf.get(..HEADER_LEN) else {
            return Ok(None);
        };
        if h[4] != 0 || h[5] != 0 {
            return Err(DecodeError::Version {
                hdr: h[4],
                msg: h[5],
            });
        }
        let kind = Kind::from_u32(u32::from_le_bytes([h[6], h[7], h[8], h[9]]));
        let len = u16::from_le_bytes([h[10], h[11]]);
        let seq = u32::from_le_bytes([h[12], h[13], h[14], h[15]]);
        if len as usize > self.max {
            return Err(DecodeError::TooLong {
                len: len as usize,
                max: self.max,
            });
        }
        let ok = match self.side {
            Side::Server => matches!(kind, Kind::Message | Kind::Heartbeat),
            Side::Client => kind.is_reply(),
        };
        if !ok {
            return Err(DecodeError::Unexpected(kind.to_u32()));
        }
        let end = HEADER_LEN + len as usize;
        let Some(payload) = buf.get(HEADER_LEN..end) else {
            return Ok(None);
        };
        Ok(Some((
            Frame::Managed {
                header: Header { kind, len, seq },
                payload,
            },
            end,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header bytes of a MESSAGE with seq 2 and 3 bytes of payload,
    /// as lib/private.h's macros pack them (least significant byte
    /// first); the interop test with the real audisp-remote decodes its
    /// frames with this layout.
    #[test]
    fn layout_is_little_endian() {
        let f = frame(Kind::Message, 2, b"abc");
        assert_eq!(
            f,
            [0xfe, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 3, 0, 2, 0, 0, 0, b'a', b'b', b'c']
        );
        assert_eq!(Kind::Ack.to_u32(), 0x4000_0000);
        assert_eq!(Kind::Ending.to_u32(), 0x4000_0001);
        assert_eq!(Kind::DiskLow.to_u32(), 0x5000_0001);
        assert_eq!(Kind::DiskFull.to_u32(), 0x6000_0001);
        assert_eq!(Kind::DiskError.to_u32(), 0x6000_0002);
        for v in [
            0,
            1,
            0x4000_0000,
            0x4000_0001,
            0x5000_0001,
            0x6000_0001,
            0x6000_0002,
            7,
        ] {
            assert_eq!(Kind::from_u32(v).to_u32(), v);
        }
    }

    #[test]
    fn byte_at_a_time_gives_the_same_frames() {
        let mut wire = frame(Kind::Message, 1, b"type=USER msg=audit(1.000:1): x");
        wire.extend(frame(Kind::Heartbeat, 2, b""));
        wire.extend(frame(Kind::Message, 3, b""));
        let mut d = Decoder::new(Side::Server, MAX_PAYLOAD);
        let mut got = Vec::new();
        let mut buf = Vec::new();
        for &b in &wire {
            buf.push(b);
            while let Some((f, n)) = d.decode(&buf).unwrap() {
                if let Frame::Managed { header, payload } = f {
                    got.push((header.kind, header.seq, payload.to_vec()));
                }
                buf.drain(..n);
            }
        }
        assert!(buf.is_empty());
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].2, b"type=USER msg=audit(1.000:1): x");
        assert_eq!(got[1].0, Kind::Heartbeat);
        assert_eq!(d.mode(), Mode::Managed);
    }

    #[test]
    fn ascii_lines() {
        let mut d = Decoder::new(Side::Server, 10);
        assert_eq!(
            d.decode(b"type=A\r\nx").unwrap(),
            Some((Frame::Line(b"type=A"), 8))
        );
        assert_eq!(d.mode(), Mode::Ascii);
        assert_eq!(d.decode(b"abc").unwrap(), None);
        assert!(matches!(
            d.decode(b"0123456789ab"),
            Err(DecodeError::TooLong { .. })
        ));
    }

    #[test]
    fn broken_streams_are_errors() {
        let mut d = Decoder::new(Side::Server, MAX_PAYLOAD);
        let mut f = frame(Kind::Message, 1, b"x");
        f[0] = 0xfe;
        f[1] = 1;
        assert!(matches!(d.decode(&f[..2]), Err(DecodeError::BadMagic(_))));
        let mut d = Decoder::new(Side::Server, 4);
        assert!(matches!(
            d.decode(&frame(Kind::Message, 1, b"12345")),
            Err(DecodeError::TooLong { len: 5, max: 4 })
        ));
        let mut d = Decoder::new(Side::Server, MAX_PAYLOAD);
        assert!(matches!(
            d.decode(&frame(Kind::Ack, 1, b"")),
            Err(DecodeError::Unexpected(0x4000_0000))
        ));
        let mut v = frame(Kind::Message, 1, b"");
        v[4] = 1;
        assert!(matches!(d.decode(&v), Err(DecodeError::Version { .. })));
        let mut c = Decoder::new(Side::Client, MAX_PAYLOAD);
        assert!(matches!(
            c.decode(&frame(Kind::Message, 1, b"")),
            Err(DecodeError::Unexpected(0))
        ));
        let ok = frame(Kind::DiskFull, 9, b"disk full");
        assert!(matches!(
            c.decode(&ok),
            Ok(Some((Frame::Managed { .. }, 25)))
        ));
    }

    proptest::proptest! {
        /// Any bytes: an error, a need for more, or a frame that uses at
        /// most the bytes given; never a panic.
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let mut d = Decoder::new(Side::Server, 32);
            if let Ok(Some((_, n))) = d.decode(&bytes) {
                proptest::prop_assert!(n <= bytes.len() && n > 0);
            }
        }
    }
}
