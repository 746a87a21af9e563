//! A minimal HTTP/1.1 client for ClickHouse's HTTP interface: one POST
//! per request (`Connection: close`), the query in the URL, the data in
//! the body, the answer's status and body back. Plain TCP only (a
//! ClickHouse on the collector's own host or network); no dependency.

use std::io::{Read, Write};
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

/// The largest answer read (a query's result).
pub const MAX_ANSWER: usize = 256 << 20;

/// POST `body` with `query` (and URL `params`, e.g. settings), and return
/// the answer's body.
pub fn post(
    url: &Url,
    query: &str,
    params: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, HttpError> {
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
    let mut resp = Vec::new();
    s.take(MAX_ANSWER as u64)
        .read_to_end(&mut resp)
        .map_err(io)?;
    let Some(end) = memchr::memmem::find(&resp, b"\r\n\r\n") else {
        return Err(HttpError::Garbled(at));
    };
    let headers = String::from_utf8_lossy(&resp[..end]).to_string();
    let status: u16 = headers
        .split_ascii_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpError::Garbled(at.clone()))?;
    let mut body = resp.split_off(end + 4);
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body).ok_or(HttpError::Garbled(at))?;
    }
    if status != 200 {
        let mut m = String::from_utf8_lossy(&body).trim().to_string();
        m.truncate(2048);
        return Err(HttpError::Status { status, body: m });
    }
    Ok(body)
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let i = memchr::memmem::find(b, b"\r\n")?;
        let size = std::str::from_utf8(&b[..i]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        b = &b[i + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
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
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").as_deref(),
            Some(&b"abcde"[..])
        );
    }
}
