//! A thread's wake-up slot: the thread parks on it until someone wakes it. Waking is lock-free
//! and never lost (a flag plus `Thread::unpark`'s token), so a caller that must never block can
//! do it. It must not know why a thread waits: queues, the clock and joins decide that.

use super::lock::lock_spin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread::{self, Thread};
use std::time::Duration;

/// One per scenario thread. Like a waiter's lock in CPython's `threading.Condition`: the waker
/// takes the waiter off a list and wakes exactly that waiter.
#[derive(Debug, Default)]
pub(crate) struct Parker {
    /// Set by the waker, cleared by the waiter before it puts itself on a waiter list.
    woken: AtomicBool,
    /// The OS (or pool) thread running this scenario thread, once it runs: another one each
    /// time a retired worker is taken back. Held for a few instructions only, so any thread
    /// (the page's main thread included) takes it by spinning.
    thread: Mutex<Option<Thread>>,
}

impl Parker {
    /// Records the calling thread as the one to unpark. Called when a job starts.
    pub fn bind(&self) {
        let me = thread::current();
        *lock_spin(&self.thread) = Some(me);
    }

    /// Clears the flag; call before publishing that this thread waits (a list, a deadline).
    #[inline]
    pub fn arm(&self) {
        self.woken.store(false, Ordering::SeqCst);
    }

    /// Wakes the waiter. Lock-free; safe from any thread.
    #[inline]
    pub fn wake(&self) {
        self.woken.store(true, Ordering::SeqCst);
        self.unpark();
    }

    #[inline]
    pub fn is_woken(&self) -> bool {
        self.woken.load(Ordering::SeqCst)
    }

    /// Unparks without setting the flag: the thread re-checks why it waits (a stop, the clock).
    #[inline]
    pub fn unpark(&self) {
        if let Some(t) = lock_spin(&self.thread).as_ref() {
            t.unpark();
        }
    }

    /// Parks until woken or `stop` is set; true when woken.
    #[inline]
    pub fn wait(&self, stop: &AtomicBool) -> bool {
        loop {
            if self.is_woken() {
                return true;
            }
            if stop.load(Ordering::SeqCst) {
                return false;
            }
            thread::park();
        }
    }

    /// Parks once, for at most `timeout` (spurious and early returns are allowed).
    #[inline]
    pub fn park_for(&self, timeout: Duration) {
        thread::park_timeout(timeout);
    }
}
