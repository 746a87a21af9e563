//! The queue between a live run's reader thread and its chunk source,
//! bounded in bytes.
//!
//! The reader hands over whole lines a read at a time: one buffer per
//! read, whatever its number of lines, so the queue's length says nothing
//! about its memory. It is bounded by the bytes it holds instead: a send
//! waits while the queued buffers and the new one would exceed the bound,
//! except into an empty queue, so the queue never holds more than the
//! bound or one buffer, whichever is larger (a buffer is at most one read
//! plus one line cut at the longest line).
//!
//! One sender, one receiver. Each side signals the other's condition
//! variable only when the other is waiting on it (and clears the other's
//! waiting flag, which the other sets again if it has to wait on): a send
//! into a queue the receiver is busy with costs a lock and no system
//! call.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

struct State {
    bufs: VecDeque<Vec<u8>>,
    /// Capacity of the buffers in `bufs`: what they hold in memory.
    bytes: usize,
    sender_alive: bool,
    receiver_alive: bool,
    sender_waiting: bool,
    receiver_waiting: bool,
    /// [`Waker::wake`] was called and the receiver has not seen it yet.
    woken: bool,
}

struct Queue {
    state: Mutex<State>,
    /// The receiver waits here for a buffer.
    ready: Condvar,
    /// The sender waits here for room.
    room: Condvar,
    max: usize,
}

impl Queue {
    /// The state, even if a thread panicked holding it (the state is
    /// consistent between statements: a panic cannot leave it half
    /// updated).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Release `s` and wake the receiver if it waits. The signal goes
    /// after unlocking: woken under the lock, the receiver would wait
    /// again at once, for the lock.
    fn unlock_and_wake_receiver(&self, mut s: MutexGuard<'_, State>) {
        let wake = std::mem::take(&mut s.receiver_waiting);
        drop(s);
        if wake {
            self.ready.notify_one();
        }
    }
}

/// The reader's end.
pub(crate) struct Sender(Arc<Queue>);

/// The chunk source's end.
pub(crate) struct Receiver(Arc<Queue>);

/// Wakes the receiver from another thread (after a signal).
pub(crate) struct Waker(Arc<Queue>);

/// What a wait for a buffer gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Recv {
    Data(Vec<u8>),
    /// Nothing came within the wait.
    Timeout,
    /// [`Waker::wake`] was called.
    Woken,
    /// The sender is gone and everything it sent was received.
    Closed,
}

/// A queue holding at most `max` bytes (or one larger buffer).
pub(crate) fn bounded(max: usize) -> (Sender, Receiver) {
    let q = Arc::new(Queue {
        state: Mutex::new(State {
            bufs: VecDeque::new(),
            bytes: 0,
            sender_alive: true,
            receiver_alive: true,
            sender_waiting: false,
            receiver_waiting: false,
            woken: false,
        }),
        ready: Condvar::new(),
        room: Condvar::new(),
        max,
    });
    (Sender(q.clone()), Receiver(q))
}

impl Sender {
    /// Queue `buf`, waiting for room. Gives it back when the receiver is
    /// gone.
    pub(crate) fn send(&self, buf: Vec<u8>) -> Result<(), Vec<u8>> {
        let size = buf.capacity();
        let q = &*self.0;
        let mut s = q.lock();
        while s.receiver_alive && s.bytes > 0 && s.bytes + size > q.max {
            s.sender_waiting = true;
            s = q.room.wait(s).unwrap_or_else(|p| p.into_inner());
            s.sender_waiting = false;
        }
        if !s.receiver_alive {
            return Err(buf);
        }
        s.bytes += size;
        s.bufs.push_back(buf);
        q.unlock_and_wake_receiver(s);
        Ok(())
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.sender_alive = false;
        self.0.unlock_and_wake_receiver(s);
    }
}

impl Receiver {
    /// The next buffer, waiting at most `wait` (`None`: for as long as it
    /// takes).
    pub(crate) fn recv(&self, wait: Option<Duration>) -> Recv {
        let q = &*self.0;
        let deadline = wait.map(|w| Instant::now() + w);
        let mut s = q.lock();
        loop {
            s = match Self::pop(q, s) {
                Ok(b) => return Recv::Data(b),
                Err(s) => s,
            };
            if s.woken {
                s.woken = false;
                return Recv::Woken;
            }
            if !s.sender_alive {
                return Recv::Closed;
            }
            s.receiver_waiting = true;
            s = match deadline {
                None => q.ready.wait(s).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        s.receiver_waiting = false;
                        return Recv::Timeout;
                    }
                    q.ready
                        .wait_timeout(s, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
            s.receiver_waiting = false;
        }
    }

    /// The next buffer if one is queued.
    pub(crate) fn try_recv(&self) -> Option<Vec<u8>> {
        let q = &*self.0;
        Self::pop(q, q.lock()).ok()
    }

    /// The front buffer, if any. Unlocks `s` when there is one (to signal
    /// the sender after unlocking), keeps it locked when there is none,
    /// so that no buffer can come between this look and a wait.
    fn pop<'a>(
        q: &'a Queue,
        mut s: MutexGuard<'a, State>,
    ) -> Result<Vec<u8>, MutexGuard<'a, State>> {
        let Some(b) = s.bufs.pop_front() else {
            return Err(s);
        };
        s.bytes -= b.capacity();
        let wake = std::mem::take(&mut s.sender_waiting);
        drop(s);
        if wake {
            q.room.notify_one();
        }
        Ok(b)
    }

    /// A handle that wakes this receiver's waits.
    pub(crate) fn waker(&self) -> Waker {
        Waker(self.0.clone())
    }

    /// Bytes queued now.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.0.lock().bytes
    }

    /// Whether the sender is waiting for room now.
    #[cfg(test)]
    pub(crate) fn sender_waiting(&self) -> bool {
        self.0.lock().sender_waiting
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.receiver_alive = false;
        s.bufs = VecDeque::new();
        s.bytes = 0;
        let wake = std::mem::take(&mut s.sender_waiting);
        drop(s);
        if wake {
            self.0.room.notify_one();
        }
    }
}

impl Waker {
    /// Make the receiver's current or next wait return [`Recv::Woken`].
    pub(crate) fn wake(&self) {
        let mut s = self.0.lock();
        s.woken = true;
        self.0.unlock_and_wake_receiver(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_waits_and_order_kept() {
        let (tx, rx) = bounded(10);
        tx.send(vec![1; 6]).unwrap();
        // A buffer larger than the bound goes into an empty queue only.
        let t = std::thread::spawn(move || {
            tx.send(vec![2; 20]).unwrap();
            tx.send(vec![3; 4]).unwrap();
        });
        while !rx.sender_waiting() {
            std::thread::yield_now();
        }
        assert_eq!(rx.bytes(), 6, "the large buffer waits for an empty queue");
        assert_eq!(rx.recv(None), Recv::Data(vec![1; 6]));
        assert_eq!(rx.recv(None), Recv::Data(vec![2; 20]));
        assert_eq!(rx.recv(None), Recv::Data(vec![3; 4]));
        t.join().unwrap();
        assert_eq!(rx.recv(None), Recv::Closed);
    }

    #[test]
    fn timeout_wake_and_a_gone_receiver() {
        let (tx, rx) = bounded(10);
        assert_eq!(rx.recv(Some(Duration::ZERO)), Recv::Timeout);
        assert_eq!(rx.try_recv(), None);
        let w = rx.waker();
        let t = std::thread::spawn(move || w.wake());
        // Without a timeout: only the waker ends this wait.
        assert_eq!(rx.recv(None), Recv::Woken);
        t.join().unwrap();
        tx.send(vec![0; 8]).unwrap();
        let t = std::thread::spawn(move || tx.send(vec![0; 8]));
        while !rx.sender_waiting() {
            std::thread::yield_now();
        }
        drop(rx);
        assert_eq!(t.join().unwrap(), Err(vec![0; 8]));
    }
}
