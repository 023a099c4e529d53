//! The run's one word of truth for idle and hang detection: how many threads are running, how
//! many wait on a deadline, and the run's status, packed in one atomic so that "nobody runs and
//! nobody has a deadline" is seen, and acted on, atomically. It must not wait or wake anyone.
//!
//! The rule that makes it exact: a thread that wakes another counts it as running *before* it
//! wakes it (and before it may itself wait), so the running count only reaches zero when no
//! running thread is left that could wake anyone.

use crate::stats::Status;
use std::sync::atomic::{AtomicU64, Ordering};

const ACTIVE: u64 = 1;
const TIMED: u64 = 1 << 24;
const COUNT_MASK: u64 = (1 << 24) - 1;
const STATUS_SHIFT: u32 = 48;

/// A snapshot of the word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Word(u64);

impl Word {
    /// Threads running (not waiting on anything).
    pub fn active(self) -> u64 {
        self.0 & COUNT_MASK
    }

    /// Threads waiting on a deadline of the clock.
    pub fn timed(self) -> u64 {
        (self.0 >> 24) & COUNT_MASK
    }

    pub fn status(self) -> Status {
        match self.0 >> STATUS_SHIFT {
            0 => Status::Running,
            1 => Status::Finished,
            2 => Status::Hang,
            _ => Status::MemoryError,
        }
    }
}

fn status_bits(s: Status) -> u64 {
    (match s {
        Status::Running => 0,
        Status::Finished => 1,
        Status::Hang => 2,
        Status::MemoryError => 3,
    }) << STATUS_SHIFT
}

#[derive(Debug, Default)]
pub(crate) struct Sched {
    word: AtomicU64,
}

impl Sched {
    pub fn load(&self) -> Word {
        Word(self.word.load(Ordering::SeqCst))
    }

    pub fn status(&self) -> Status {
        self.load().status()
    }

    /// Counts one more running thread (a thread about to be woken or started).
    #[inline]
    pub fn activate(&self) {
        self.word.fetch_add(ACTIVE, Ordering::SeqCst);
    }

    /// Like [`Sched::activate`], but only while the run goes on: for wakers that are not
    /// threads of the run (controls), which must not revive a run that has ended.
    pub fn try_activate(&self) -> bool {
        self.word
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                (Word(w).status() == Status::Running).then_some(w + ACTIVE)
            })
            .is_ok()
    }

    /// A running thread stops running (waits, or ends). True when it was the last one.
    #[inline]
    pub fn deactivate(&self) -> bool {
        Word(self.word.fetch_sub(ACTIVE, Ordering::SeqCst)).active() == 1
    }

    /// A running thread starts waiting on a deadline. True when it was the last one running.
    pub fn start_timed_wait(&self) -> bool {
        Word(
            self.word
                .fetch_add(TIMED.wrapping_sub(ACTIVE), Ordering::SeqCst),
        )
        .active()
            == 1
    }

    /// A thread whose deadline passed runs again (claimed by exactly one party).
    pub fn end_timed_wait(&self) {
        self.word
            .fetch_add(ACTIVE.wrapping_sub(TIMED), Ordering::SeqCst);
    }

    /// Ends the run with `status` if nobody runs or waits on a deadline (a hang, or every
    /// thread ended). False when a thread became runnable meanwhile.
    pub fn end_if_idle(&self, status: Status) -> bool {
        let idle = status_bits(Status::Running);
        self.word
            .compare_exchange(
                idle,
                status_bits(status),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
    }

    /// Ends the run with `status` whatever runs; false when it had already ended.
    pub fn end(&self, status: Status) -> bool {
        self.word
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                (Word(w).status() == Status::Running)
                    .then_some((w & !(0xff << STATUS_SHIFT)) | status_bits(status))
            })
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_move_between_running_and_timed_and_idle_ends_the_run() {
        let s = Sched::default();
        s.activate();
        s.activate();
        assert!(!s.start_timed_wait());
        assert_eq!((s.load().active(), s.load().timed()), (1, 1));
        assert!(!s.end_if_idle(Status::Hang));
        assert!(s.deactivate());
        assert!(!s.end_if_idle(Status::Hang), "a deadline is pending");
        s.end_timed_wait();
        assert!(s.deactivate());
        assert!(s.end_if_idle(Status::Hang));
        assert_eq!(s.status(), Status::Hang);
        assert!(!s.try_activate());
        assert!(!s.end(Status::Finished));
    }
}
