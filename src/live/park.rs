//! A thread's wake-up slot: the thread parks on it until someone wakes it. Waking never waits
//! and is never lost (a flag plus `Thread::unpark`'s token), so a caller that must never block can
//! do it. It must not know why a thread waits: queues, the clock and joins decide that.

use super::lock::lock_spin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::Duration;

/// One per scenario thread. Like a waiter's lock in CPython's `threading.Condition`: the waker
/// takes the waiter off a list and wakes exactly that waiter.
#[derive(Debug, Default)]
pub(crate) struct Parker {
    /// Set by the waker, cleared by the waiter before it puts itself on a waiter list.
    woken: AtomicBool,
    /// The OS (or pool) thread that first ran this scenario thread.
    thread: OnceLock<Thread>,
    /// Set once the scenario thread has run on another OS thread (a retired worker taken back
    /// on a new job): from then on `moved_to` names the thread to unpark. Taken by spinning,
    /// for a few instructions only, so any thread (a page's main thread too) may wake it.
    moved: AtomicBool,
    moved_to: Mutex<Option<Thread>>,
}

impl Parker {
    /// Records the calling thread as the one to unpark. Called when a job starts.
    pub fn bind(&self) {
        let me = thread::current();
        if let Some(first) = self.thread.get() {
            if first.id() == me.id() && !self.moved.load(Ordering::SeqCst) {
                return;
            }
        } else if self.thread.set(me.clone()).is_ok() {
            return;
        }
        *lock_spin(&self.moved_to) = Some(me);
        // After the thread is named: a waker that sees `moved` finds it (see `unpark`).
        self.moved.store(true, Ordering::SeqCst);
    }

    /// Clears the flag; call before publishing that this thread waits (a list, a deadline).
    #[inline]
    pub fn arm(&self) {
        self.woken.store(false, Ordering::SeqCst);
    }

    /// Wakes the waiter. Lock-free (a spin of a few instructions once the thread has moved);
    /// safe from any thread.
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
        // A thread binds before it first looks at `woken`, so a waker that set `woken` after
        // that look sees `moved` as the binding left it (both sequentially consistent).
        if self.moved.load(Ordering::SeqCst) {
            if let Some(t) = lock_spin(&self.moved_to).as_ref() {
                t.unpark();
            }
        } else if let Some(t) = self.thread.get() {
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
