//! The model engine's queue: Python's `queue.Queue` semantics (maxsize, unfinished tasks) for
//! all three flavours, with the waiter lists the scheduler parks threads on. No scheduling here.

use crate::ring::Ring;
use crate::scenario::{QueueKind, QueueSpec};
use crate::stats::TimeIntegral;

pub(crate) use crate::token::Token;

/// `put` on a full queue (`queue.Full`); the caller still holds its token.
pub(crate) struct Full;
/// `get` on an empty queue (`queue.Empty`, or `IndexError` for the polling deque).
pub(crate) struct Empty;
/// `task_done()` called more times than there were items (`ValueError`).
pub(crate) struct TooManyTaskDone;

pub(crate) struct SimQueue {
    pub name: String,
    pub kind: QueueKind,
    /// 0 = unbounded.
    pub maxsize: u32,
    pub items: Ring<Token>,
    /// A queue that no thread ever takes from (`done_queue`) keeps only a count, so that a
    /// run of ten million items does not hold ten million tokens.
    pub sink: bool,
    /// Items put on a sink.
    sunk: u64,
    /// Python's `unfinished_tasks`: puts minus `task_done` calls.
    pub unfinished: u64,
    /// Threads parked in `get` (`not_empty.wait()`), longest waiter first.
    pub get_waiters: Ring<u32>,
    /// Threads parked in `put` (`not_full.wait()`).
    pub put_waiters: Ring<u32>,
    /// Threads parked in `join` (`all_tasks_done.wait()`).
    pub join_waiters: Vec<u32>,
    /// Busy-waiting threads that watch this queue's length.
    pub spinners: Vec<u32>,
    pub puts: u64,
    pub gets: u64,
    pub max_len: u64,
    /// Length over time, for the mean.
    area: TimeIntegral,
    /// SENTINELs in the queue now (the interpreter counts them in and out), so that the memory
    /// accounting can leave them out.
    pub sentinels: u64,
}

impl SimQueue {
    pub fn new(spec: &QueueSpec, sink: bool) -> SimQueue {
        SimQueue {
            name: spec.name.clone(),
            kind: spec.kind,
            maxsize: spec.maxsize,
            items: Ring::new(),
            sink,
            sunk: 0,
            unfinished: 0,
            get_waiters: Ring::new(),
            put_waiters: Ring::new(),
            join_waiters: Vec::new(),
            spinners: Vec::new(),
            puts: 0,
            gets: 0,
            max_len: 0,
            area: TimeIntegral::default(),
            sentinels: 0,
        }
    }

    /// Items in the queue now, SENTINELs left out: what the memory budget counts of it.
    pub fn items_without_sentinels(&self) -> u64 {
        (self.len() as u64).saturating_sub(self.sentinels)
    }

    /// `qsize()`.
    #[inline]
    pub fn len(&self) -> usize {
        self.items.len() + self.sunk as usize
    }

    #[inline]
    pub fn is_full(&self) -> bool {
        self.maxsize != 0 && self.len() >= self.maxsize as usize
    }

    /// `put_nowait`: appends unless full. The polling deque is never full.
    #[inline]
    pub fn try_put(&mut self, token: Token, now: u64) -> Result<(), Full> {
        if self.is_full() {
            return Err(Full);
        }
        self.area.enter(now);
        if self.sink {
            self.sunk += 1;
        } else {
            self.items.push_back(token);
        }
        self.puts += 1;
        if self.kind != QueueKind::Polling {
            self.unfinished += 1;
        }
        self.max_len = self.max_len.max(self.len() as u64);
        Ok(())
    }

    /// `get_nowait` (or the deque's `popleft`).
    #[inline]
    pub fn try_get(&mut self, now: u64) -> Result<Token, Empty> {
        let token = self.items.pop_front().ok_or(Empty)?;
        self.area.leave(now);
        self.gets += 1;
        Ok(token)
    }

    /// `task_done()`: returns true when the count reached zero (joiners wake).
    #[inline]
    pub fn task_done(&mut self) -> Result<bool, TooManyTaskDone> {
        if self.unfinished == 0 {
            return Err(TooManyTaskDone);
        }
        self.unfinished -= 1;
        Ok(self.unfinished == 0)
    }

    pub fn mean_len(&self, now: u64) -> f64 {
        self.area.mean_at(self.len() as u64, now)
    }
}
