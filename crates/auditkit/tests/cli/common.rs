//! Helpers more than one module of this binary runs with (the ones every
//! crate's tests share live in `auditkit-testsupport`).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `auditkit collect` and its log lines, killed (-9) on drop
/// if still running.
pub struct Collector {
    child: Child,
    /// The plain listener's address.
    pub addr: SocketAddr,
    /// The TLS listener's, with `--tls-listen`.
    pub tls: Option<SocketAddr>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Collector {
    /// Start a collector on `store` listening on `listen` (port 0: any),
    /// with `extra` options, and wait until it says where it listens.
    pub fn start<S: AsRef<OsStr>>(store: &Path, listen: &str, extra: &[S]) -> Collector {
        let mut child = Command::new(env!("CARGO_BIN_EXE_auditkit"))
            .args(["collect", "--listen", listen, "--store"])
            .arg(store)
            .args(["--stats-interval", "0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start auditkit collect");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let err = child.stderr.take().expect("stderr");
        let l2 = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                if let Some(a) = line.strip_prefix("auditkit collect: TLS listening on ") {
                    let _ = tx.send((true, a.to_string()));
                }
                if let Some(a) = line
                    .strip_prefix("auditkit collect: listening on ")
                    .and_then(|r| r.split(',').next())
                {
                    let _ = tx.send((false, a.to_string()));
                }
                l2.lock().unwrap().push(line);
            }
        });
        let want_tls = extra.iter().any(|a| a.as_ref() == "--tls-listen");
        let (mut tls, mut addr) = (None, None);
        while addr.is_none() || (want_tls && tls.is_none()) {
            let (is_tls, a) = rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("collector did not start: {:?}", log.lock().unwrap()));
            let a: SocketAddr = a.parse().expect("listen address");
            if is_tls {
                tls = Some(a);
            } else {
                addr = Some(a);
            }
        }
        Collector {
            child,
            addr: addr.expect("listen address"),
            tls,
            log,
        }
    }

    /// [`Collector::start`] with no other option.
    pub fn start_plain(store: &Path, listen: &str) -> Collector {
        Collector::start::<&str>(store, listen, &[])
    }

    /// Its log lines so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Wait until a log line contains `s`.
    pub fn wait_log(&self, s: &str) -> bool {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            if self.log().iter().any(|l| l.contains(s)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Send it `sig`.
    pub fn signal(&self, sig: i32) {
        // SAFETY: a plain kill(2) of our own child.
        unsafe {
            libc::kill(self.child.id() as i32, sig);
        }
    }

    /// `kill -9` and wait (a crash).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait: the exit status.
    pub fn stop(mut self) -> Option<i32> {
        self.terminate()
    }

    /// SIGTERM and wait; it must exit 0 (its log shown when not).
    pub fn stop_ok(mut self) {
        let code = self.terminate();
        assert_eq!(code, Some(0), "{:?}", self.log());
    }

    fn terminate(&mut self) -> Option<i32> {
        self.signal(libc::SIGTERM);
        let st = self.child.wait().expect("wait");
        // Give the log reader the last lines.
        std::thread::sleep(Duration::from_millis(50));
        st.code()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.kill();
    }
}
