//! The processes running on this host, from `/proc`: what a live
//! detector (`auditkit plugin`, `auditkit detect --live`) needs to know
//! about the processes that started before it did, so that their
//! children's alerts still name their ancestors.
//!
//! [`parse_stat`] and [`parse_status_uid`] are pure functions of the text
//! of `/proc/PID/stat` and `/proc/PID/status`; [`snapshot`] is the one
//! function that reads, under a root directory (`/proc` on this host, a
//! copied tree in tests), at most a given number of processes. A process
//! that exits while it is read is skipped, as `ps` does.

use std::fs;
use std::path::Path;

/// One process as `/proc` shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcInfo {
    /// Its pid.
    pub pid: u32,
    /// Its parent's pid.
    pub ppid: u32,
    /// `comm` (the name in parentheses in `stat`).
    pub comm: Vec<u8>,
    /// The target of `/proc/PID/exe` (empty when it cannot be read:
    /// kernel threads, other users' processes without privilege).
    pub exe: Vec<u8>,
    /// `/proc/PID/cmdline`, split at NULs.
    pub argv: Vec<Vec<u8>>,
    /// The target of `/proc/PID/cwd`.
    pub cwd: Vec<u8>,
    /// The real uid (`Uid:` of `status`).
    pub uid: Option<u32>,
    /// `/proc/PID/loginuid`, `None` when unset.
    pub auid: Option<u32>,
    /// Start time in clock ticks after boot (field 22 of `stat`).
    pub start_ticks: u64,
}

/// `pid`, `comm`, `ppid` and start time from `/proc/PID/stat`. `comm`
/// may hold spaces and parentheses, so it runs to the *last* `)`.
pub fn parse_stat(text: &[u8]) -> Option<(u32, Vec<u8>, u32, u64)> {
    let open = text.iter().position(|&b| b == b'(')?;
    let close = text.iter().rposition(|&b| b == b')')?;
    if close < open {
        return None;
    }
    let pid = std::str::from_utf8(&text[..open])
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let comm = text[open + 1..close].to_vec();
    let rest = std::str::from_utf8(text.get(close + 1..)?).ok()?;
    let f: Vec<&str> = rest.split_ascii_whitespace().collect();
    // f[0] is the state (field 3), f[1] ppid (4), f[19] starttime (22).
    let ppid = f.get(1)?.parse().ok()?;
    let start = f.get(19).and_then(|s| s.parse().ok()).unwrap_or(0);
    Some((pid, comm, ppid, start))
}

/// The real uid from `/proc/PID/status` (`Uid:\treal\teffective...`).
pub fn parse_status_uid(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_ascii_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Read the processes under `proc_root` (normally `/proc`), at most
/// `max`, lowest pids first; arguments and paths are cut to `max_bytes`.
pub fn snapshot(proc_root: &Path, max: usize, max_bytes: usize) -> Vec<ProcInfo> {
    let Ok(dir) = fs::read_dir(proc_root) else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    let mut out = Vec::new();
    for pid in pids {
        if out.len() >= max {
            break;
        }
        let d = proc_root.join(pid.to_string());
        let Some((_, comm, ppid, start_ticks)) =
            fs::read(d.join("stat")).ok().and_then(|t| parse_stat(&t))
        else {
            continue;
        };
        let link = |name: &str| -> Vec<u8> {
            use std::os::unix::ffi::OsStrExt;
            let mut v = fs::read_link(d.join(name))
                .map(|p| p.as_os_str().as_bytes().to_vec())
                .unwrap_or_default();
            v.truncate(max_bytes);
            v
        };
        let mut argv: Vec<Vec<u8>> = Vec::new();
        let mut left = max_bytes;
        if let Ok(c) = fs::read(d.join("cmdline")) {
            for a in c.split(|&b| b == 0) {
                if left == 0 {
                    break;
                }
                let a = &a[..a.len().min(left)];
                left = left.saturating_sub(a.len() + 1);
                argv.push(a.to_vec());
            }
            if argv.last().is_some_and(Vec::is_empty) {
                argv.pop();
            }
        }
        let uid = fs::read_to_string(d.join("status"))
            .ok()
            .and_then(|s| parse_status_uid(&s));
        let auid = fs::read_to_string(d.join("loginuid"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .filter(|&u| u != u32::MAX);
        out.push(ProcInfo {
            pid,
            ppid,
            comm,
            exe: link("exe"),
            argv,
            cwd: link("cwd"),
            uid,
            auid,
            start_ticks,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_odd_comm() {
        let t = b"1234 (a b) c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 100 18446744073709551615\n";
        let (pid, comm, ppid, start) = parse_stat(t).unwrap();
        assert_eq!((pid, ppid, start), (1234, 1, 98765));
        assert_eq!(comm, b"a b) c)");
        assert_eq!(parse_stat(b"garbage"), None);
        assert_eq!(parse_stat(b")( x"), None);
    }

    #[test]
    fn status_uid() {
        assert_eq!(
            parse_status_uid("Name:\tx\nUid:\t1000\t0\t0\t0\n"),
            Some(1000)
        );
        assert_eq!(parse_status_uid("Name:\tx\n"), None);
    }

    /// This process, read from the real /proc, is itself and a child of
    /// its parent, with this program as exe.
    #[test]
    fn snapshot_of_this_host_has_this_process() {
        let me = std::process::id();
        let all = snapshot(Path::new("/proc"), 1 << 20, 4096);
        let p = all.iter().find(|p| p.pid == me).expect("this process");
        assert_eq!(p.ppid, std::os::unix::process::parent_id());
        let exe = std::env::current_exe().unwrap();
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(p.exe, exe.as_os_str().as_bytes());
        assert!(!p.argv.is_empty());
        let few = snapshot(Path::new("/proc"), 3, 8);
        assert!(few.len() <= 3);
        assert!(few.iter().all(|p| p.exe.len() <= 8));
    }
}
