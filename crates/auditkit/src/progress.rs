//! A progress line on stderr for long scans, when stderr is a terminal.
//!
//! It shows bytes read, the share of the total when the inputs are plain
//! files of known size, and the rate; it appears only after half a second
//! (short searches never flash it), redraws at most ten times a second, and
//! is erased before the run's own messages are printed. The counter it
//! reads is the reader's, so it costs the pipeline nothing.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use auditkit_source::Report;
use std::time::{Duration, Instant};

/// State of the progress line.
pub struct Progress {
    bytes: Arc<Report>,
    total: Option<u64>,
    start: Instant,
    last: Option<Instant>,
    delay: Duration,
    enabled: bool,
    shown: bool,
}

impl Progress {
    /// A progress line over `bytes` (read so far) out of `total`, drawn
    /// only when `wanted` and stderr is a terminal. `AUDITKIT_PROGRESS_DELAY_MS`
    /// overrides the half-second delay (for tests).
    pub fn new(bytes: Arc<Report>, total: Option<u64>, wanted: bool) -> Progress {
        let delay = std::env::var("AUDITKIT_PROGRESS_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_millis(500), Duration::from_millis);
        Progress {
            bytes,
            total,
            start: Instant::now(),
            last: None,
            delay,
            enabled: wanted && std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    /// Redraw if it is time to.
    pub fn tick(&mut self) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let elapsed = now - self.start;
        if elapsed < self.delay {
            return;
        }
        if self
            .last
            .is_some_and(|l| now - l < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        let line = render(self.bytes.bytes(), self.total, elapsed);
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r\x1b[K{line}");
        let _ = e.flush();
        self.shown = true;
    }

    /// Erase the line.
    pub fn finish(&mut self) {
        if self.shown {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[K");
            let _ = e.flush();
            self.shown = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `auditkit: 123.4 MB of 420.0 MB (29%), 512 MB/s`
pub fn render(bytes: u64, total: Option<u64>, elapsed: Duration) -> String {
    let mb = |b: u64| b as f64 / 1e6;
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = mb(bytes) / secs;
    match total {
        Some(t) if t > 0 => format!(
            "auditkit: {:.1} MB of {:.1} MB ({}%), {:.0} MB/s",
            mb(bytes),
            mb(t),
            (bytes.min(t) * 100 / t),
            rate
        ),
        _ => format!("auditkit: {:.1} MB read, {:.0} MB/s", mb(bytes), rate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(
            render(123_400_000, Some(420_000_000), Duration::from_secs(1)),
            "auditkit: 123.4 MB of 420.0 MB (29%), 123 MB/s"
        );
        assert_eq!(
            render(5_000_000, None, Duration::from_millis(500)),
            "auditkit: 5.0 MB read, 10 MB/s"
        );
        // Past the total (a growing file): capped at 100%.
        assert!(render(11, Some(10), Duration::from_secs(1)).contains("(100%)"));
    }
}
