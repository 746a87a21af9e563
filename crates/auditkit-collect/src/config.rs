//! The collector's settings: a TOML file (`--config FILE`) and flags of
//! the same names (`--max-idle 120` sets `max_idle = 120`), flags last.
//! auditd.conf's listener options keep their meaning under shorter names
//! (`client_ports` is `tcp_client_ports`, `max_per_addr` is
//! `tcp_max_per_addr`, `max_idle` is `tcp_client_max_idle`, `backlog` is
//! `tcp_listen_queue`); the rest are caps auditd does not have.
//!
//! [`Limits`] is the part SIGHUP can change on a running collector (who
//! may connect, and for how long); the listen address and the store need
//! a restart, and a reload that changes them says so.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use thiserror::Error;

/// A bad setting.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ConfigError {
    /// The TOML did not parse or had an unknown key or a wrong type.
    #[error("{0}")]
    Toml(String),
    /// A value out of range or malformed.
    #[error("{key}: {msg} (found '{value}')")]
    Value {
        /// The setting.
        key: String,
        /// What was given.
        value: String,
        /// What is wrong.
        msg: &'static str,
    },
    /// A key no setting has.
    #[error("unknown setting '{0}'")]
    Unknown(String),
}

/// An allow-list entry: an address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// Parse `ADDR` or `ADDR/PREFIX`.
    pub fn parse(s: &str) -> Option<Net> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|&p| p <= max)?,
            None => max,
        };
        Some(Net { addr, prefix })
    }

    /// Whether `ip` is inside (IPv4-mapped IPv6 peers match IPv4 nets).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let m = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & m == u32::from(a) & m
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let m = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & m == u128::from(a) & m
            }
            _ => false,
        }
    }
}

/// Every setting, with its default. Field names are the TOML keys.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where to listen (`ADDR:PORT`).
    pub listen: String,
    /// The store's directory.
    pub store: PathBuf,
    /// Where to serve the Prometheus counters (empty: nowhere).
    pub metrics: String,
    /// Seconds between two log lines of counters (0: never).
    pub stats_interval: u64,
    /// The accept backlog (auditd's `tcp_listen_queue`, default 5 there).
    pub backlog: u32,
    /// Allowed client source ports, `N` or `N-M` (auditd's
    /// `tcp_client_ports`; empty: any). `1-1023` asks for privileged ports.
    pub client_ports: String,
    /// Connections per source address (auditd's `tcp_max_per_addr`). A
    /// connection beyond it replaces the address's oldest one.
    pub max_per_addr: usize,
    /// Seconds a client may send nothing (auditd's `tcp_client_max_idle`;
    /// 0: no limit).
    pub max_idle: u64,
    /// Networks allowed to connect (empty: any).
    pub allow: Vec<String>,
    /// Connections at most; more are refused.
    pub max_connections: usize,
    /// Largest frame payload or ascii line accepted.
    pub max_frame: usize,
    /// Bytes of records queued for the store at most, over all
    /// connections; a connection over it waits (back pressure).
    pub max_buffered: usize,
    /// Records a connection may have waiting for their ack.
    pub max_in_flight: usize,
    /// Seconds a started frame may take to arrive whole (slow peers).
    pub frame_timeout: u64,
    /// Seconds a reply may take to be written (peers that do not read).
    pub write_timeout: u64,
    /// Seconds shutdown waits for connections to finish.
    pub shutdown_timeout: u64,
    /// Rotate a segment past this many bytes.
    pub rotate_size: u64,
    /// Rotate a segment older than this many seconds (0: never).
    pub rotate_time: u64,
    /// Bytes per index block.
    pub block_size: u64,
    /// Free bytes under which replies are DISKLOW.
    pub disk_low: u64,
    /// Free bytes under which records are refused with DISKFULL.
    pub disk_reserve: u64,
    /// Records remembered for resend detection.
    pub dedup_window: usize,
    /// Records per group commit at most.
    pub max_batch: usize,
    /// Assemble events from the stream (counted; the detection hook).
    pub assemble: bool,
    /// End-of-event timeout in seconds of event time.
    pub eoe_timeout: u64,
    /// A second listener speaking TLS (`ADDR:PORT`; empty: none), for
    /// `auditkit forward --tls-*`. The plain `listen` stays for
    /// audisp-remote.
    pub tls_listen: String,
    /// The collector's certificate chain (PEM) for `tls_listen`.
    pub tls_cert: PathBuf,
    /// Its private key (PEM).
    pub tls_key: PathBuf,
    /// The CA (PEM) that must have signed every forwarder's certificate.
    pub tls_client_ca: PathBuf,
    /// A ClickHouse server's HTTP URL (`http://HOST:PORT[/?database=D]`;
    /// empty: none): the stored records are also inserted there, behind
    /// the store (see [`crate::clickhouse`]).
    pub clickhouse: String,
    /// Records per ClickHouse insert at most.
    pub clickhouse_batch: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "0.0.0.0:60".into(),
            store: PathBuf::from("/var/lib/auditkit/collect"),
            metrics: String::new(),
            stats_interval: 300,
            backlog: 1024,
            client_ports: String::new(),
            max_per_addr: 1,
            max_idle: 0,
            allow: Vec::new(),
            max_connections: 4096,
            max_frame: crate::codec::MAX_PAYLOAD,
            max_buffered: 64 << 20,
            max_in_flight: 1024,
            frame_timeout: 30,
            write_timeout: 30,
            shutdown_timeout: 10,
            rotate_size: 64 << 20,
            rotate_time: 86_400,
            block_size: 1 << 20,
            disk_low: 256 << 20,
            disk_reserve: 1 << 20,
            dedup_window: 1 << 20,
            max_batch: 4096,
            assemble: true,
            eoe_timeout: auditkit_event::assemble::DEFAULT_EOE_TIMEOUT,
            tls_listen: String::new(),
            tls_cert: PathBuf::new(),
            tls_key: PathBuf::new(),
            tls_client_ca: PathBuf::new(),
            clickhouse: String::new(),
            clickhouse_batch: 10_000,
        }
    }
}

/// The settings a running collector takes from a reload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Allowed networks (empty: any).
    pub allow: Vec<Net>,
    /// Allowed source ports, inclusive.
    pub client_ports: Option<(u16, u16)>,
    /// See [`Config::max_per_addr`].
    pub max_per_addr: usize,
    /// See [`Config::max_idle`] (`None`: no limit).
    pub max_idle: Option<Duration>,
    /// See [`Config::max_connections`].
    pub max_connections: usize,
    /// See [`Config::max_frame`].
    pub max_frame: usize,
    /// See [`Config::frame_timeout`].
    pub frame_timeout: Duration,
    /// See [`Config::write_timeout`].
    pub write_timeout: Duration,
}

fn bad(key: &str, value: &str, msg: &'static str) -> ConfigError {
    ConfigError::Value {
        key: key.into(),
        value: value.into(),
        msg,
    }
}

/// Parse `N` or `N-M`.
pub fn parse_ports(s: &str) -> Result<(u16, u16), ConfigError> {
    let e = || {
        bad(
            "client_ports",
            s,
            "expected N or N-M with 1 <= N <= M <= 65535",
        )
    };
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: u16 = a.trim().parse().map_err(|_| e())?;
    let b: u16 = b.trim().parse().map_err(|_| e())?;
    if a == 0 || a > b {
        return Err(e());
    }
    Ok((a, b))
}

impl Config {
    /// Parse a TOML file's text.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let c: Config = toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        c.check()?;
        Ok(c)
    }

    /// Set one key from a flag's text value (`allow` appends).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(k: &str, v: &str) -> Result<T, ConfigError> {
            v.parse().map_err(|_| bad(k, v, "expected a number"))
        }
        let v = value.to_string();
        match key {
            "listen" => self.listen = v,
            "store" => self.store = PathBuf::from(v),
            "metrics" => self.metrics = v,
            "stats_interval" => self.stats_interval = num(key, value)?,
            "backlog" => self.backlog = num(key, value)?,
            "client_ports" => self.client_ports = v,
            "max_per_addr" => self.max_per_addr = num(key, value)?,
            "max_idle" => self.max_idle = num(key, value)?,
            "allow" => self.allow.push(v),
            "max_connections" => self.max_connections = num(key, value)?,
            "max_frame" => self.max_frame = num(key, value)?,
            "max_buffered" => self.max_buffered = num(key, value)?,
            "max_in_flight" => self.max_in_flight = num(key, value)?,
            "frame_timeout" => self.frame_timeout = num(key, value)?,
            "write_timeout" => self.write_timeout = num(key, value)?,
            "shutdown_timeout" => self.shutdown_timeout = num(key, value)?,
            "rotate_size" => self.rotate_size = num(key, value)?,
            "rotate_time" => self.rotate_time = num(key, value)?,
            "block_size" => self.block_size = num(key, value)?,
            "disk_low" => self.disk_low = num(key, value)?,
            "disk_reserve" => self.disk_reserve = num(key, value)?,
            "dedup_window" => self.dedup_window = num(key, value)?,
            "max_batch" => self.max_batch = num(key, value)?,
            "assemble" => {
                self.assemble = match value {
                    "yes" | "true" => true,
                    "no" | "false" => false,
                    _ => return Err(bad(key, value, "expected yes or no")),
                }
            }
            "eoe_timeout" => self.eoe_timeout = num(key, value)?,
            "tls_listen" => self.tls_listen = v,
            "tls_cert" => self.tls_cert = PathBuf::from(v),
            "tls_key" => self.tls_key = PathBuf::from(v),
            "tls_client_ca" => self.tls_client_ca = PathBuf::from(v),
            "clickhouse" => self.clickhouse = v,
            "clickhouse_batch" => self.clickhouse_batch = num(key, value)?,
            _ => return Err(ConfigError::Unknown(key.into())),
        }
        Ok(())
    }

    /// Check what serde cannot: addresses, ranges, caps above zero.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.listen_addr()?;
        if !self.metrics.is_empty() {
            self.metrics
                .parse::<SocketAddr>()
                .map_err(|_| bad("metrics", &self.metrics, "expected ADDR:PORT"))?;
        }
        self.limits()?;
        let pos = [
            ("max_per_addr", self.max_per_addr),
            ("max_connections", self.max_connections),
            ("max_in_flight", self.max_in_flight),
            ("max_batch", self.max_batch),
            ("backlog", self.backlog as usize),
        ];
        for (k, v) in pos {
            if v == 0 {
                return Err(bad(k, "0", "must be at least 1"));
            }
        }
        if self.max_frame == 0 || self.max_frame > u16::MAX as usize {
            return Err(bad(
                "max_frame",
                &self.max_frame.to_string(),
                "must be 1..=65535 (the length field's range)",
            ));
        }
        if self.max_buffered < self.max_frame {
            return Err(bad(
                "max_buffered",
                &self.max_buffered.to_string(),
                "must hold at least one frame (max_frame)",
            ));
        }
        if self.eoe_timeout == 0 {
            return Err(bad("eoe_timeout", "0", "must be at least 1"));
        }
        self.tls()?;
        if !self.clickhouse.is_empty() {
            crate::clickhouse::Url::parse(&self.clickhouse)
                .map_err(|msg| bad("clickhouse", &self.clickhouse, msg))?;
            if self.clickhouse_batch == 0 {
                return Err(bad("clickhouse_batch", "0", "must be at least 1"));
            }
        }
        Ok(())
    }

    /// The listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen
            .parse()
            .map_err(|_| bad("listen", &self.listen, "expected ADDR:PORT"))
    }

    /// The TLS listener's address and files, when `tls_listen` is set
    /// (all three files are then required).
    pub fn tls(&self) -> Result<Option<(SocketAddr, crate::tls::ServerTls)>, ConfigError> {
        if self.tls_listen.is_empty() {
            return Ok(None);
        }
        let addr = self
            .tls_listen
            .parse()
            .map_err(|_| bad("tls_listen", &self.tls_listen, "expected ADDR:PORT"))?;
        for (k, p) in [
            ("tls_cert", &self.tls_cert),
            ("tls_key", &self.tls_key),
            ("tls_client_ca", &self.tls_client_ca),
        ] {
            if p.as_os_str().is_empty() {
                return Err(bad(k, "", "needed with tls_listen"));
            }
        }
        Ok(Some((
            addr,
            crate::tls::ServerTls {
                cert: self.tls_cert.clone(),
                key: self.tls_key.clone(),
                client_ca: self.tls_client_ca.clone(),
            },
        )))
    }

    /// The reloadable part.
    pub fn limits(&self) -> Result<Limits, ConfigError> {
        let allow = self
            .allow
            .iter()
            .map(|s| Net::parse(s).ok_or_else(|| bad("allow", s, "expected ADDR or ADDR/PREFIX")))
            .collect::<Result<_, _>>()?;
        let client_ports = if self.client_ports.is_empty() {
            None
        } else {
            Some(parse_ports(&self.client_ports)?)
        };
        let secs = |s: u64| Duration::from_secs(s.max(1));
        Ok(Limits {
            allow,
            client_ports,
            max_per_addr: self.max_per_addr,
            max_idle: (self.max_idle > 0).then(|| Duration::from_secs(self.max_idle)),
            max_connections: self.max_connections,
            max_frame: self.max_frame,
            frame_timeout: secs(self.frame_timeout),
            write_timeout: secs(self.write_timeout),
        })
    }

    /// The store's settings.
    pub fn file_options(&self) -> crate::store::FileOptions {
        crate::store::FileOptions {
            rotate_bytes: self.rotate_size,
            rotate_secs: self.rotate_time,
            block_bytes: self.block_size,
            low_bytes: self.disk_low,
            reserve_bytes: self.disk_reserve,
        }
    }

    /// The writer's settings.
    pub fn writer_options(&self) -> crate::writer::WriterOptions {
        crate::writer::WriterOptions {
            max_batch: self.max_batch,
            queue: self.max_batch.saturating_mul(16),
            dedup: self.dedup_window,
            assemble: self.assemble,
            eoe_timeout: self.eoe_timeout,
            ..Default::default()
        }
    }

    /// What differs from `new` that a reload cannot apply.
    pub fn needs_restart(&self, new: &Config) -> Vec<&'static str> {
        let mut v = Vec::new();
        let (a, b) = (self, new);
        macro_rules! chk {
            ($($f:ident),*) => { $( if a.$f != b.$f { v.push(stringify!($f)); } )* };
        }
        chk!(
            listen,
            store,
            metrics,
            backlog,
            max_buffered,
            rotate_size,
            rotate_time,
            block_size,
            disk_low,
            disk_reserve,
            dedup_window,
            max_batch,
            assemble,
            eoe_timeout,
            stats_interval,
            max_in_flight,
            shutdown_timeout,
            tls_listen,
            tls_cert,
            tls_key,
            tls_client_ca,
            clickhouse,
            clickhouse_batch
        );
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nets() {
        let n = Net::parse("10.1.0.0/16").unwrap();
        assert!(n.contains("10.1.200.3".parse().unwrap()));
        assert!(!n.contains("10.2.0.1".parse().unwrap()));
        assert!(n.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(Net::parse("0.0.0.0/0")
            .unwrap()
            .contains("1.2.3.4".parse().unwrap()));
        assert!(Net::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert_eq!(Net::parse("10.0.0.0/33"), None);
        assert_eq!(Net::parse("x"), None);
    }

    #[test]
    fn toml_and_flags() {
        let c = Config::from_toml(
            "listen = \"127.0.0.1:6000\"\nstore = \"/tmp/s\"\nallow = [\"127.0.0.0/8\"]\nclient_ports = \"1-1023\"\nmax_idle = 120\n",
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:6000");
        let l = c.limits().unwrap();
        assert_eq!(l.client_ports, Some((1, 1023)));
        assert_eq!(l.max_idle, Some(Duration::from_secs(120)));
        assert!(matches!(
            Config::from_toml("lisen = \"x\""),
            Err(ConfigError::Toml(_))
        ));
        assert!(Config::from_toml("client_ports = \"9-3\"").is_err());
        let mut c = Config::default();
        c.set("max_idle", "5").unwrap();
        assert_eq!(c.max_idle, 5);
        assert!(c.set("max_idle", "x").is_err());
        assert_eq!(c.set("nope", "1"), Err(ConfigError::Unknown("nope".into())));
        let mut d = c.clone();
        d.listen = "127.0.0.1:1".into();
        d.max_idle = 9;
        assert_eq!(c.needs_restart(&d), vec!["listen"]);
    }
}
