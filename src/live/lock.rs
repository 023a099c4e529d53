//! Locking for threads that must not wait long, in one place: the queues' spin lock (one byte,
//! released with a plain store), the ways to take a std `Mutex` (never sleeping, or briefly, or
//! plainly), and the one [`Backoff`] every waiter spins with. No data, nothing of queues.
//!
//! Why not `std::sync::Mutex`: its release is a read-modify-write (it must learn whether a
//! sleeper needs a wake-up), and on the hot path of a queue every read-modify-write costs as
//! much as the rest of a `put` or a `get`. Nobody is woken here: a waiter spins, then yields,
//! then sleeps briefly and looks again, so the release need not know who waits. Critical
//! sections are a few dozen instructions, so waiters rarely get past spinning.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

/// The lock. Not fair, like std's.
#[derive(Debug, Default)]
pub(crate) struct SpinLock {
    locked: AtomicBool,
}

/// The lock held; released on drop.
#[must_use]
pub(crate) struct Held<'a>(&'a SpinLock);

impl Drop for Held<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

/// Spins, then yields, a few times before a thread sleeps: the awaited change (a lock let go,
/// an item or a free slot) usually comes within a few microseconds, and sleeping costs far more
/// than that (crossbeam-channel's `Backoff`, same limits).
pub(crate) struct Backoff(u32);

impl Backoff {
    /// Spins between looks for 1, 2, 4 .. 64 pause instructions, then yields.
    const SPIN_LIMIT: u32 = 6;
    const YIELD_LIMIT: u32 = 10;

    pub fn new() -> Backoff {
        Backoff(0)
    }

    /// Waits a little longer each call; false once it is time to sleep instead.
    #[inline]
    pub fn snooze(&mut self) -> bool {
        if self.0 <= Self::SPIN_LIMIT {
            for _ in 0..1 << self.0 {
                std::hint::spin_loop();
            }
        } else if self.0 <= Self::YIELD_LIMIT {
            std::thread::yield_now();
        } else {
            return false;
        }
        self.0 += 1;
        true
    }
}

impl SpinLock {
    /// How long a waiter sleeps, once done backing off, when the holder seems descheduled.
    const NAP: Duration = Duration::from_micros(20);

    /// Takes the lock; may sleep in the OS (not for a page's main thread: see `try_lock`).
    #[inline]
    pub fn lock(&self) -> Held<'_> {
        match self.try_lock() {
            Some(held) => held,
            None => self.lock_contended(),
        }
    }

    #[cold]
    fn lock_contended(&self) -> Held<'_> {
        let mut backoff = Backoff::new();
        loop {
            if !backoff.snooze() {
                std::thread::sleep(Self::NAP);
            }
            // Look before trying: a failed compare-and-swap takes the line from the holder.
            if !self.locked.load(Ordering::Relaxed) {
                if let Some(held) = self.try_lock() {
                    return held;
                }
            }
        }
    }

    /// Takes the lock if it is free now; never waits.
    #[inline]
    pub fn try_lock(&self) -> Option<Held<'_>> {
        self.locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            .then(|| Held(self))
    }

    /// Takes the lock without ever sleeping in the OS: for callers that must not block (the
    /// browser's main thread), against critical sections that are a few instructions long.
    pub fn lock_spin(&self) -> Held<'_> {
        spin_until(|| self.try_lock())
    }

    /// Tries a few times; `None` when the lock stays busy.
    pub fn try_lock_briefly(&self) -> Option<Held<'_>> {
        spin_briefly(|| self.try_lock())
    }
}

/// Takes a std `Mutex`, sleeping if need be (a poisoned one is taken as it is): for the run's
/// own threads, never for a page's main thread.
#[inline]
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// [`SpinLock::lock_spin`] for a std `Mutex` (a poisoned one is taken as it is).
pub(crate) fn lock_spin<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    spin_until(|| try_mutex(m))
}

/// [`SpinLock::try_lock_briefly`] for a std `Mutex`: the reader shows what it had before.
pub(crate) fn try_lock_briefly<T>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    spin_briefly(|| try_mutex(m))
}

fn try_mutex<T>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match m.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Tries until `try_take` succeeds, with a pause instruction between tries; never sleeps.
fn spin_until<G>(mut try_take: impl FnMut() -> Option<G>) -> G {
    loop {
        if let Some(g) = try_take() {
            return g;
        }
        std::hint::spin_loop();
    }
}

/// Tries a thousand times at most.
fn spin_briefly<G>(mut try_take: impl FnMut() -> Option<G>) -> Option<G> {
    (0..1000).find_map(|_| {
        let g = try_take();
        if g.is_none() {
            std::hint::spin_loop();
        }
        g
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::UnsafeCell;
    use std::sync::Arc;
    use std::thread;

    struct Counter {
        lock: SpinLock,
        n: UnsafeCell<u64>,
    }

    // SAFETY: `n` is only touched with `lock` held.
    unsafe impl Sync for Counter {}

    #[test]
    fn only_one_thread_at_a_time_holds_it() {
        let c = Arc::new(Counter {
            lock: SpinLock::default(),
            n: UnsafeCell::new(0),
        });
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let c = c.clone();
                thread::spawn(move || {
                    for _ in 0..20_000 {
                        let _held = c.lock.lock();
                        // SAFETY: the lock is held.
                        unsafe { *c.n.get() += 1 };
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let _held = c.lock.lock();
        // SAFETY: the lock is held.
        assert_eq!(unsafe { *c.n.get() }, 80_000);
    }

    #[test]
    fn try_lock_fails_while_held_and_succeeds_after_release() {
        let l = SpinLock::default();
        let held = l.lock();
        assert!(l.try_lock().is_none());
        assert!(l.try_lock_briefly().is_none());
        drop(held);
        assert!(l.try_lock().is_some());
    }
}
