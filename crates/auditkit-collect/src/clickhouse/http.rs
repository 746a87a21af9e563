//! A minimal HTTP/1.1 client for ClickHouse's HTTP interface: one POST
//! per request (`Connection: close`), the query in the URL, the data in
//! the body, the answer's status and body back. Plain TCP only (a
//! ClickHouse on the collector's own host or network); no dependency.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where the server is: host, port, database and credentials from
/// `http://[USER[:PASSWORD]@]HOST[:PORT][/][?database=DB]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// Host name or address.
    pub host: String,
    /// Port (default 8123).
    pub port: u16,
    /// Database (default `auditkit`).
    pub database: String,
    /// User, if given.
    pub user: Option<String>,
    /// Password, if given.
    pub password: Option<String>,
    /// Keep rows this many days (`ttl_days=N`; servers with TTL only).
    pub ttl_days: Option<u32>,
}

impl Url {
    /// Parse; the error says what is wrong.
    pub fn parse(s: &str) -> Result<Url, &'static str> {
        let rest = s
            .strip_prefix("http://")
            .ok_or("expected http://HOST[:PORT][/?database=DB]")?;
        let (auth_host, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let auth_host = auth_host.trim_end_matches('/');
        if auth_host.contains('/') {
            return Err("no path is used: put the database in ?database=DB");
        }
        let (auth, hostport) = match auth_host.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, auth_host),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
                (h, p.parse().map_err(|_| "bad port")?)
            }
            _ => (hostport, 8123),
        };
        if host.is_empty() {
            return Err("no host");
        }
        let mut database = "auditkit".to_string();
        let mut ttl_days = None;
        for kv in query.unwrap_or("").split('&').filter(|kv| !kv.is_empty()) {
            match kv.split_once('=') {
                Some(("database", d))
                    if !d.is_empty()
                        && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
                {
                    database = d.to_string()
                }
                Some(("database", _)) => return Err("a database name is letters, digits and _"),
                Some(("ttl_days", n)) => {
                    ttl_days = Some(
                        n.parse()
                            .ok()
                            .filter(|&n| n > 0)
                            .ok_or("ttl_days is a number of days")?,
                    )
                }
                _ => return Err("the URL parameters are database=DB and ttl_days=N"),
            }
        }
        let (user, password) = match auth {
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (Some(u.to_string()), Some(p.to_string())),
                None => (Some(a.to_string()), None),
            },
            None => (None, None),
        };
        Ok(Url {
            host: host.trim_start_matches('[').trim_end_matches(']').into(),
            port,
            database,
            user,
            password,
            ttl_days,
        })
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// Connecting, sending or receiving.
    #[error("ClickHouse at {0}: {1}")]
    Io(String, std::io::Error),
    /// The server answered with an error status; its message.
    #[error("ClickHouse answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's message (cut to 2 KiB).
        body: String,
    },
    /// Not an HTTP answer.
    #[error("ClickHouse at {0}: not an HTTP response")]
    Garbled(String),
    /// An answer read into memory ([`post`]) was larger than
    /// [`MAX_ANSWER`].
    #[error("ClickHouse at {0}: the answer is larger than {MAX_ANSWER} bytes")]
    TooLarge(String),
    /// Writing the answer where [`post_to`] was told to.
    #[error("writing ClickHouse's answer: {0}")]
    Write(std::io::Error),
}

fn pct(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The largest answer [`post`] reads into memory (a query's result;
/// [`post_to`] streams any size).
pub const MAX_ANSWER: usize = 256 << 20;

/// The longest status line plus headers, chunk-size line, or error
/// message read from the server.
const MAX_HEAD: u64 = 64 << 10;

/// POST `body` with `query` (and URL `params`, e.g. settings), and return
/// the answer's body; one larger than [`MAX_ANSWER`] is an error.
pub fn post(
    url: &Url,
    query: &str,
    params: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, HttpError> {
    let mut out = Capped(Vec::new());
    match post_to(url, query, params, body, timeout, &mut out) {
        Ok(_) => Ok(out.0),
        Err(HttpError::Write(_)) => Err(HttpError::TooLarge(format!("{}:{}", url.host, url.port))),
        Err(e) => Err(e),
    }
}

/// A `Vec` that refuses to grow past [`MAX_ANSWER`].
struct Capped(Vec<u8>);

impl Write for Capped {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + b.len() > MAX_ANSWER {
            return Err(std::io::Error::other("answer too large"));
        }
        self.0.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// [`post`], but the answer's body goes to `out` as it arrives (chunked
/// transfer decoded), whatever its size: the fetch of `search` and
/// `report --clickhouse` writes it to a file, so memory stays bounded.
/// `timeout` is for connecting and for each read and write. Returns the
/// bytes written to `out`.
pub fn post_to(
    url: &Url,
    query: &str,
    params: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
    out: &mut dyn Write,
) -> Result<u64, HttpError> {
    let at = format!("{}:{}", url.host, url.port);
    let io = |e| HttpError::Io(at.clone(), e);
    let addr = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(io)?
        .next()
        .ok_or_else(|| io(std::io::Error::other("no address")))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(io)?;
    s.set_read_timeout(Some(timeout)).map_err(io)?;
    s.set_write_timeout(Some(timeout)).map_err(io)?;
    let mut path = String::from("/?database=");
    pct(&url.database, &mut path);
    path.push_str("&query=");
    pct(query, &mut path);
    for (k, v) in params {
        path.push('&');
        pct(k, &mut path);
        path.push('=');
        pct(v, &mut path);
    }
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {at}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(u) = &url.user {
        head.push_str(&format!("X-ClickHouse-User: {u}\r\n"));
    }
    if let Some(p) = &url.password {
        head.push_str(&format!("X-ClickHouse-Key: {p}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).map_err(io)?;
    s.write_all(body).map_err(io)?;
    let mut r = BufReader::with_capacity(64 << 10, s);
    // The status line and the headers, up to the empty line.
    let mut headers = Vec::new();
    loop {
        let n = line(&mut r, &mut headers).map_err(io)?;
        if n == 0 || headers.len() as u64 >= MAX_HEAD {
            return Err(HttpError::Garbled(at));
        }
        if headers.ends_with(b"\r\n\r\n") || headers == b"\r\n" {
            break;
        }
    }
    let headers = String::from_utf8_lossy(&headers).to_ascii_lowercase();
    let status: u16 = headers
        .split_ascii_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpError::Garbled(at.clone()))?;
    let chunked = headers.contains("transfer-encoding: chunked");
    let length = headers.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<u64>().ok())
    });
    if status != 200 {
        let mut msg = Vec::new();
        let mut w = Head(&mut msg);
        // The message as far as it is readable; a broken one is still an
        // error status.
        let _ = copy_body(&mut r, &mut w, chunked, length, &at);
        let mut m = String::from_utf8_lossy(&msg).trim().to_string();
        m.truncate(2048);
        return Err(HttpError::Status { status, body: m });
    }
    copy_body(&mut r, out, chunked, length, &at)
}

/// Up to [`MAX_HEAD`] bytes of a body (an error message); the rest is
/// dropped.
struct Head<'a>(&'a mut Vec<u8>);

impl Write for Head<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let room = (MAX_HEAD as usize).saturating_sub(self.0.len());
        self.0.extend_from_slice(&b[..b.len().min(room)]);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Read one line (through `\n`) of at most [`MAX_HEAD`] bytes onto `buf`.
fn line(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    r.take(MAX_HEAD).read_until(b'\n', buf)
}

/// Copy the body from `r` to `out`: chunked, `length` bytes, or up to the
/// end of the connection.
fn copy_body(
    r: &mut impl BufRead,
    out: &mut dyn Write,
    chunked: bool,
    length: Option<u64>,
    at: &str,
) -> Result<u64, HttpError> {
    let io = |e| HttpError::Io(at.to_string(), e);
    let garbled = || HttpError::Garbled(at.to_string());
    if !chunked {
        let n = copy(&mut r.take(length.unwrap_or(u64::MAX)), out, at)?;
        return match length {
            Some(l) if l != n => Err(garbled()),
            _ => Ok(n),
        };
    }
    let mut total = 0u64;
    let mut l = Vec::new();
    loop {
        l.clear();
        line(r, &mut l).map_err(io)?;
        let size = std::str::from_utf8(&l)
            .ok()
            .and_then(|t| t.split(';').next())
            .and_then(|t| u64::from_str_radix(t.trim(), 16).ok())
            .ok_or_else(garbled)?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                l.clear();
                if line(r, &mut l).map_err(io)? == 0 || l == b"\r\n" || l == b"\n" {
                    return Ok(total);
                }
            }
        }
        let n = copy(&mut r.take(size), out, at)?;
        if n != size {
            return Err(garbled());
        }
        total += n;
        l.clear();
        line(r, &mut l).map_err(io)?;
        if l != b"\r\n" {
            return Err(garbled());
        }
    }
}

/// `io::copy` that tells reading (the connection) from writing (`out`).
fn copy(r: &mut impl BufRead, out: &mut dyn Write, at: &str) -> Result<u64, HttpError> {
    let mut n = 0u64;
    loop {
        let b = r.fill_buf().map_err(|e| HttpError::Io(at.to_string(), e))?;
        if b.is_empty() {
            return Ok(n);
        }
        out.write_all(b).map_err(HttpError::Write)?;
        let k = b.len();
        n += k as u64;
        r.consume(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("http://127.0.0.1:18123/?database=fleet").unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.database.as_str()),
            ("127.0.0.1", 18123, "fleet")
        );
        let u = Url::parse("http://bob:pw@ch").unwrap();
        assert_eq!(u.port, 8123);
        assert_eq!(u.database, "auditkit");
        assert_eq!(u.user.as_deref(), Some("bob"));
        assert_eq!(u.password.as_deref(), Some("pw"));
        assert!(Url::parse("https://x").is_err());
        assert!(Url::parse("http://x/db").is_err());
        assert!(Url::parse("http://x/?database=a;b").is_err());
        assert!(Url::parse("http://x/?user=a").is_err());
        let body = |b: &[u8], chunked, length| {
            let mut out = Vec::new();
            copy_body(&mut &b[..], &mut out, chunked, length, "x").map(|_| out)
        };
        assert_eq!(
            body(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n", true, None).unwrap(),
            b"abcde"
        );
        assert!(body(b"3\r\nab", true, None).is_err());
        assert!(body(b"zz\r\n", true, None).is_err());
        assert_eq!(body(b"abcdef", false, Some(3)).unwrap(), b"abc");
        assert!(body(b"ab", false, Some(3)).is_err());
        assert_eq!(body(b"abcdef", false, None).unwrap(), b"abcdef");
    }
}
