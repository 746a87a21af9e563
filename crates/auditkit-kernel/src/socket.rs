//! The only place that calls into libc: one netlink socket of protocol
//! `NETLINK_AUDIT`, datagrams in and out, with a timeout. Everything about
//! what the bytes mean is in [`crate::wire`] and friends.

use std::io;
use std::mem;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use crate::consts::NETLINK_AUDIT;

/// A netlink socket connected to the kernel's audit subsystem.
#[derive(Debug)]
pub struct Socket {
    fd: OwnedFd,
}

fn kernel_addr() -> libc::sockaddr_nl {
    // SAFETY: sockaddr_nl is a plain C struct for which all-zero bytes are
    // a valid value (family, padding, pid 0 = the kernel, no groups).
    let mut a: libc::sockaddr_nl = unsafe { mem::zeroed() };
    a.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    a
}

impl Socket {
    /// Open the socket. Fails with `EPROTONOSUPPORT` when the kernel has no
    /// audit support, and later requests fail with `EPERM` without
    /// `CAP_AUDIT_CONTROL`.
    pub fn open() -> io::Result<Socket> {
        // SAFETY: socket() takes no pointers; a negative result is an error
        // reported through errno, which we read immediately.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                NETLINK_AUDIT,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fd is a freshly created descriptor that nothing else owns.
        Ok(Socket {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Open the socket and join netlink multicast `groups` (a bit mask:
    /// bit `n - 1` for group `n`), to read what the kernel broadcasts
    /// beside auditd. Needs `CAP_AUDIT_READ` for the audit groups.
    pub fn open_multicast(groups: u32) -> io::Result<Socket> {
        let s = Socket::open()?;
        let mut addr = kernel_addr();
        addr.nl_groups = groups;
        // SAFETY: the address pointer and length describe a live
        // sockaddr_nl; bind reads it and keeps no reference.
        let r = unsafe {
            libc::bind(
                s.fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_nl).cast(),
                mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(s)
    }

    /// Send one datagram to the kernel (port 0).
    pub fn send(&self, bytes: &[u8]) -> io::Result<()> {
        let addr = kernel_addr();
        loop {
            // SAFETY: the data pointer and length come from a live slice; the
            // address pointer and length describe a live sockaddr_nl.
            let n = unsafe {
                libc::sendto(
                    self.fd.as_raw_fd(),
                    bytes.as_ptr().cast(),
                    bytes.len(),
                    0,
                    (&addr as *const libc::sockaddr_nl).cast(),
                    mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if n as usize != bytes.len() {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "short netlink send",
                ));
            }
            return Ok(());
        }
    }

    /// Receive one datagram from the kernel into `buf`, waiting at most
    /// `timeout`. `Ok(None)` on timeout. Datagrams from anything but the
    /// kernel (port 0) are dropped, and a datagram larger than `buf` is an
    /// error rather than silently cut.
    pub fn recv(&self, buf: &mut [u8], timeout: Duration) -> io::Result<Option<usize>> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
        loop {
            // SAFETY: pfd is a live pollfd and we pass a count of 1.
            let r = unsafe { libc::poll(&mut pfd, 1, ms) };
            if r < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if r == 0 {
                return Ok(None);
            }
            let mut addr = kernel_addr();
            let mut alen = mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
            // SAFETY: buf is a live mutable slice of buf.len() bytes; addr and
            // alen describe a live sockaddr_nl the kernel may write into.
            let n = unsafe {
                libc::recvfrom(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    libc::MSG_DONTWAIT | libc::MSG_TRUNC,
                    (&mut addr as *mut libc::sockaddr_nl).cast(),
                    &mut alen,
                )
            };
            if n < 0 {
                let e = io::Error::last_os_error();
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
                ) {
                    continue;
                }
                return Err(e);
            }
            if addr.nl_pid != 0 {
                continue;
            }
            let n = n as usize;
            if n > buf.len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "netlink datagram of {n} bytes exceeds the {} byte buffer",
                        buf.len()
                    ),
                ));
            }
            return Ok(Some(n));
        }
    }
}
