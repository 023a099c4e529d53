//! Python's `queue.Queue` (and `ClosableQueue`, and the polling `MyQueue` deque) on real threads:
//! a lock around the items and CPython's three conditions as FIFO lists of waiting threads
//! (`not_empty`, `not_full`, `all_tasks_done`), with counters in atomics so that readers never
//! take the lock. It must not know about programs, the clock or the run's status: how a thread
//! waits and how it is woken is the [`Blocker`]'s business.
//!
//! Why waiter lists and not `std::sync::Condvar`: CPython's `Condition` is exactly this (a
//! deque of per-waiter locks; `notify` releases the first), and the engine needs what a
//! `Condvar` cannot give: the waker knows *which* thread it woke (so it can count it as running
//! before it runs, which is what makes hang detection exact), a worker told to retire can be
//! taken off the list, and a stop can wake everyone without taking any lock.

use super::lock::{Backoff, Held, SpinLock};
use super::pad::Padded;
use crate::ring::Ring;
use crate::scenario::{QueueKind, QueueSpec};
use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

pub(crate) use crate::token::Token;

/// `get` on an empty queue without waiting (`queue.Empty`; `IndexError` for the deque).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Empty;

/// `task_done()` called more times than items were put (`ValueError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooManyTaskDone;

/// The run is stopping: the waiting thread must return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stopped;

/// Why `task_done_then_get` returned without an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskDoneGetError {
    /// The `task_done()` raised; nothing was got.
    TooManyTaskDone,
    Stopped,
    Retired,
}

/// Why a blocking `get` returned without an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GetError {
    Stopped,
    /// The thread was told to retire (fewer workers) and must not take another item.
    Retired,
}

/// What a waiting thread waits for on a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QueueWait {
    /// `not_empty.wait()` in `get`.
    Get,
    /// `not_full.wait()` in `put`.
    Put,
    /// `all_tasks_done.wait()` in `join`.
    Join,
    /// A busy-wait on the queue's length (woken by every `put`).
    Spin,
}

/// The calling thread, as the queue sees it: it can wait and it can wake others.
pub(crate) trait Blocker {
    /// The scenario thread's index (what waiter lists hold).
    fn me(&self) -> u32;
    /// Clears the caller's wake flag; the queue calls it under its lock, before it puts the
    /// caller on a waiter list, so a wake that follows cannot be lost.
    fn arm(&self);
    /// Waits, with the queue's lock released, until a waker takes the caller off the list.
    fn block(&mut self, queue: usize, why: QueueWait) -> Result<(), Stopped>;
    /// Wakes `who`, just taken off a waiter list.
    fn wake(&self, who: u32);
    /// Virtual time now, for the mean length.
    fn now(&mut self) -> u64;
    /// True when the caller must retire rather than wait for another item.
    fn retiring(&self) -> bool {
        false
    }
    /// The caller's `token` is going into queue `queue`, under its lock: what must be counted
    /// before another thread can see the item there.
    fn entering(&mut self, _queue: usize, _token: &Token) {}
}

/// Threads waiting on a queue: CPython's three conditions, plus the busy-waiters. Read only
/// when [`Inner`]'s counts say someone waits, so put and get do not touch it.
#[derive(Default)]
struct Waiters {
    /// Threads in `get`, longest waiter first.
    not_empty: VecDeque<u32>,
    /// Threads in `put`, longest waiter first.
    not_full: VecDeque<u32>,
    /// Threads in `join`.
    all_tasks_done: Vec<u32>,
    /// Threads busy-waiting on the length.
    spinners: Vec<u32>,
}

/// What the lock guards and every put and get reads.
#[repr(C)]
struct Inner {
    items: Ring<Token>,
    /// 0 = unbounded.
    maxsize: u32,
    /// `waiters.not_empty.len()`.
    getters: u16,
    /// `waiters.not_full.len()`.
    putters: u16,
    /// `waiters.spinners.len()`.
    spinners: u16,
    /// A queue that no thread takes from (`done_queue`) keeps only a count, as the model
    /// engine's does: a run of ten million items holds no ten million tokens.
    sink: bool,
    /// Items put on a sink.
    sunk: u32,
}

impl Inner {
    /// `qsize()`.
    #[inline]
    fn len(&self) -> usize {
        self.items.len() + self.sunk as usize
    }

    #[inline]
    fn is_full(&self) -> bool {
        self.maxsize != 0 && self.len() >= self.maxsize as usize
    }
}

/// The lock and everything a put or a get touches, in one cache line (line 0); what they only
/// read, or touch when someone waits, in the next one. The lock guards the two `UnsafeCell`s.
#[repr(C)]
struct Core {
    lock: SpinLock,
    inner: UnsafeCell<Inner>,
    // Counters (u32: a run puts at most ~1e9 items in a queue), written under the lock with
    // plain stores, read without it. The length and `unfinished_tasks` are differences.
    puts: AtomicU32,
    gets: AtomicU32,
    task_dones: AtomicU32,
    // Line 1.
    waiters: UnsafeCell<Waiters>,
    max_len: AtomicU64,
    /// Integral of the length over virtual time (f64 bits), and when it last changed.
    area_bits: AtomicU64,
    last_change: AtomicU64,
}

// SAFETY: `inner` and `waiters` are reached only through a `Guard`, which holds `lock`, so one
// thread at a time uses them; everything else in `Core` is atomic.
unsafe impl Sync for Core {}

/// The lock held: access to what it guards.
struct Guard<'a> {
    _held: Held<'a>,
    core: &'a Core,
}

impl Guard<'_> {
    #[inline]
    fn inner(&mut self) -> &mut Inner {
        // SAFETY: `_held` is the lock; the `&mut self` borrow keeps this reference unique.
        unsafe { &mut *self.core.inner.get() }
    }

    #[inline]
    fn waiters(&mut self) -> &mut Waiters {
        // SAFETY: as for `inner`; `waiters` is another cell, so the two never alias.
        unsafe { &mut *self.core.waiters.get() }
    }

    fn push_getter(&mut self, w: u32) {
        self.waiters().not_empty.push_back(w);
        self.inner().getters += 1;
    }

    #[inline]
    fn pop_getter(&mut self) -> Option<u32> {
        if self.inner().getters == 0 {
            return None;
        }
        self.inner().getters -= 1;
        self.waiters().not_empty.pop_front()
    }

    fn push_putter(&mut self, w: u32) {
        self.waiters().not_full.push_back(w);
        self.inner().putters += 1;
    }

    #[inline]
    fn pop_putter(&mut self) -> Option<u32> {
        if self.inner().putters == 0 {
            return None;
        }
        self.inner().putters -= 1;
        self.waiters().not_full.pop_front()
    }

    #[inline]
    fn take_spinners(&mut self) -> Vec<u32> {
        if self.inner().spinners == 0 {
            return Vec::new();
        }
        self.inner().spinners = 0;
        std::mem::take(&mut self.waiters().spinners)
    }
}

/// One queue of a run.
pub(crate) struct LiveQueue {
    core: Padded<Core>,
    pub id: usize,
    pub name: String,
    pub kind: QueueKind,
    // Mirrors that change only when threads start or stop waiting, or a control acts.
    maxsize: AtomicU32,
    blocked_gets: AtomicU32,
    blocked_puts: AtomicU32,
}

/// Wakes threads taken off a waiter list (no allocation was made when there are none).
#[inline]
fn wake_all<B: Blocker>(b: &B, who: Vec<u32>) {
    for w in who {
        b.wake(w);
    }
}

/// `+= 1` on a counter written only under the lock (a plain store, no locked instruction).
#[inline]
fn bump(c: &AtomicU32) {
    c.store(c.load(Ordering::Relaxed).wrapping_add(1), Ordering::Release);
}

impl LiveQueue {
    /// A queue of a run; `sink` when no thread ever takes from it (it then keeps only a count).
    pub fn new(id: usize, spec: &QueueSpec, sink: bool) -> LiveQueue {
        LiveQueue {
            core: Padded(Core {
                lock: SpinLock::default(),
                inner: UnsafeCell::new(Inner {
                    items: Ring::new(),
                    maxsize: spec.maxsize,
                    getters: 0,
                    putters: 0,
                    spinners: 0,
                    sink,
                    sunk: 0,
                }),
                puts: AtomicU32::new(0),
                gets: AtomicU32::new(0),
                task_dones: AtomicU32::new(0),
                waiters: UnsafeCell::new(Waiters::default()),
                max_len: AtomicU64::new(0),
                area_bits: AtomicU64::new(0f64.to_bits()),
                last_change: AtomicU64::new(0),
            }),
            id,
            name: spec.name.clone(),
            kind: spec.kind,
            maxsize: AtomicU32::new(spec.maxsize),
            blocked_gets: AtomicU32::new(0),
            blocked_puts: AtomicU32::new(0),
        }
    }

    #[inline]
    fn lock(&self) -> Guard<'_> {
        Guard {
            _held: self.core.lock.lock(),
            core: &self.core,
        }
    }

    /// `qsize()` (read without the lock: puts minus gets).
    #[inline]
    pub fn qsize(&self) -> u64 {
        // Gets first: every get follows its put, so the difference never goes below zero.
        let gets = self.core.gets.load(Ordering::Acquire);
        self.core.puts.load(Ordering::Acquire).wrapping_sub(gets) as u64
    }

    pub fn maxsize(&self) -> u32 {
        self.maxsize.load(Ordering::Relaxed)
    }

    /// Python's `unfinished_tasks` (puts minus `task_done` calls; none for the deque).
    pub fn unfinished_tasks(&self) -> u64 {
        if self.kind == QueueKind::Polling {
            return 0;
        }
        let dones = self.core.task_dones.load(Ordering::Acquire);
        self.core.puts.load(Ordering::Acquire).wrapping_sub(dones) as u64
    }

    pub fn max_len(&self) -> u64 {
        self.core.max_len.load(Ordering::Relaxed)
    }

    pub fn puts(&self) -> u64 {
        self.core.puts.load(Ordering::Relaxed) as u64
    }

    pub fn gets(&self) -> u64 {
        self.core.gets.load(Ordering::Relaxed) as u64
    }

    /// Threads waiting now in `get`.
    pub fn blocked_gets(&self) -> u32 {
        self.blocked_gets.load(Ordering::Relaxed)
    }

    /// Threads waiting now in `put`.
    pub fn blocked_puts(&self) -> u32 {
        self.blocked_puts.load(Ordering::Relaxed)
    }

    /// The mean length from time 0 to `now`.
    pub fn mean_len(&self, now: u64) -> f64 {
        let len = self.qsize() as f64;
        let area = f64::from_bits(self.core.area_bits.load(Ordering::Relaxed))
            + len * now.saturating_sub(self.core.last_change.load(Ordering::Relaxed)) as f64;
        if now == 0 {
            len
        } else {
            area / now as f64
        }
    }

    /// Full by the counters and the bound (a hint: the lock decides).
    #[inline]
    fn is_full(&self) -> bool {
        let max = self.maxsize() as u64;
        max != 0 && self.qsize() >= max
    }

    /// Adds the length held since the last change to the area; call under the lock, before
    /// the length changes.
    #[inline]
    fn account(&self, len: usize, now: u64) {
        let c = &self.core;
        let last = c.last_change.load(Ordering::Relaxed);
        if now > last {
            let area = f64::from_bits(c.area_bits.load(Ordering::Relaxed))
                + len as f64 * (now - last) as f64;
            c.area_bits.store(area.to_bits(), Ordering::Relaxed);
            c.last_change.store(now, Ordering::Relaxed);
        }
    }

    /// `put(item)`: waits while `qsize() == maxsize` (never for the deque or `maxsize == 0`).
    #[inline]
    pub fn put<B: Blocker>(&self, mut token: Token, b: &mut B) -> Result<(), Stopped> {
        let mut g = self.lock();
        let mut backoff = Backoff::new();
        while g.inner().is_full() {
            if backoff.snooze() {
                drop(g);
                while self.is_full() && backoff.snooze() {}
                g = self.lock();
                continue;
            }
            backoff = Backoff::new();
            b.arm();
            g.push_putter(b.me());
            self.blocked_puts
                .store(g.inner().putters as u32, Ordering::Relaxed);
            drop(g);
            b.block(self.id, QueueWait::Put)?;
            g = self.lock();
        }
        let now = b.now();
        token.entered = now;
        b.entering(self.id, &token);
        let inner = g.inner();
        self.account(inner.len(), now);
        if inner.sink {
            inner.sunk += 1;
        } else {
            inner.items.push_back(token);
        }
        let len = inner.len() as u64;
        let c = &self.core;
        bump(&c.puts);
        if len > c.max_len.load(Ordering::Relaxed) {
            c.max_len.store(len, Ordering::Relaxed);
        }
        // `not_empty.notify()`: the longest-waiting getter.
        let getter = g.pop_getter();
        if getter.is_some() {
            self.blocked_gets
                .store(g.inner().getters as u32, Ordering::Relaxed);
        }
        let spinners = g.take_spinners();
        drop(g);
        if let Some(w) = getter {
            b.wake(w);
        }
        wake_all(b, spinners);
        Ok(())
    }

    /// `get()`: waits while empty. A retiring caller leaves instead (and takes nothing).
    #[inline]
    pub fn get<B: Blocker>(&self, b: &mut B) -> Result<Token, GetError> {
        let g = self.lock();
        self.get_locked(g, Vec::new(), b)
    }

    /// `task_done()` and then `get()`, in one critical section: `for item in queue` does
    /// exactly this between two items (`finally: self.task_done()`, then `self.get()`), with
    /// nothing a thread could observe in between. On `ValueError` nothing is got.
    #[inline]
    pub fn task_done_then_get<B: Blocker>(&self, b: &mut B) -> Result<Token, TaskDoneGetError> {
        let mut g = self.lock();
        let joiners = self
            .task_done_locked(&mut g)
            .map_err(|_| TaskDoneGetError::TooManyTaskDone)?;
        self.get_locked(g, joiners, b).map_err(|e| match e {
            GetError::Stopped => TaskDoneGetError::Stopped,
            GetError::Retired => TaskDoneGetError::Retired,
        })
    }

    /// The rest of `get` once the lock is held; `joiners` are woken at the first unlock.
    #[inline]
    fn get_locked<'q, B: Blocker>(
        &'q self,
        mut g: Guard<'q>,
        mut joiners: Vec<u32>,
        b: &mut B,
    ) -> Result<Token, GetError> {
        let mut backoff = Backoff::new();
        loop {
            // A retiring worker takes nothing more: the SENTINELs of `stop_threads` are
            // counted for the others. A wake-up it got for an item goes to the next getter.
            if b.retiring() {
                let next = if g.inner().items.is_empty() {
                    None
                } else {
                    g.pop_getter()
                };
                self.blocked_gets
                    .store(g.inner().getters as u32, Ordering::Relaxed);
                drop(g);
                wake_all(b, joiners);
                if let Some(w) = next {
                    b.wake(w);
                }
                return Err(GetError::Retired);
            }
            if let Some(token) = g.inner().items.pop_front() {
                return Ok(self.took(g, token, joiners, b));
            }
            if backoff.snooze() {
                drop(g);
                wake_all(b, std::mem::take(&mut joiners));
                while self.qsize() == 0 && backoff.snooze() {}
                g = self.lock();
                continue;
            }
            backoff = Backoff::new();
            b.arm();
            g.push_getter(b.me());
            self.blocked_gets
                .store(g.inner().getters as u32, Ordering::Relaxed);
            drop(g);
            wake_all(b, std::mem::take(&mut joiners));
            b.block(self.id, QueueWait::Get)
                .map_err(|_| GetError::Stopped)?;
            g = self.lock();
        }
    }

    /// `get_nowait()`, or the polling deque's `popleft()` that raises `IndexError` when empty.
    #[inline]
    pub fn try_get<B: Blocker>(&self, b: &mut B) -> Result<Token, Empty> {
        let mut g = self.lock();
        match g.inner().items.pop_front() {
            Some(token) => Ok(self.took(g, token, Vec::new(), b)),
            None => Err(Empty),
        }
    }

    #[inline]
    fn took<'q, B: Blocker>(
        &'q self,
        mut g: Guard<'q>,
        token: Token,
        joiners: Vec<u32>,
        b: &mut B,
    ) -> Token {
        let now = b.now();
        // The length before the pop counts up to now.
        self.account(g.inner().len() + 1, now);
        bump(&self.core.gets);
        // `not_full.notify()`.
        let putter = g.pop_putter();
        if putter.is_some() {
            self.blocked_puts
                .store(g.inner().putters as u32, Ordering::Relaxed);
        }
        drop(g);
        wake_all(b, joiners);
        if let Some(w) = putter {
            b.wake(w);
        }
        token
    }

    /// `task_done()`: raises when called more often than items were put; wakes `join`ers when
    /// no task is left unfinished.
    pub fn task_done<B: Blocker>(&self, b: &B) -> Result<(), TooManyTaskDone> {
        let mut g = self.lock();
        let joiners = self.task_done_locked(&mut g)?;
        drop(g);
        wake_all(b, joiners);
        Ok(())
    }

    /// `task_done` under the lock; returns the joiners to wake once it is released.
    #[inline]
    fn task_done_locked(&self, g: &mut Guard<'_>) -> Result<Vec<u32>, TooManyTaskDone> {
        let left = self.unfinished_tasks();
        if left == 0 {
            return Err(TooManyTaskDone);
        }
        bump(&self.core.task_dones);
        if left == 1 && !g.waiters().all_tasks_done.is_empty() {
            return Ok(std::mem::take(&mut g.waiters().all_tasks_done));
        }
        Ok(Vec::new())
    }

    /// `join()`: waits until every item put has been marked done.
    pub fn join<B: Blocker>(&self, b: &mut B) -> Result<(), Stopped> {
        loop {
            if self.unfinished_tasks() == 0 {
                return Ok(());
            }
            let mut g = self.lock();
            if self.unfinished_tasks() == 0 {
                return Ok(());
            }
            b.arm();
            g.waiters().all_tasks_done.push(b.me());
            drop(g);
            b.block(self.id, QueueWait::Join)?;
        }
    }

    /// `while len(queue.items) < at_least: ...`, without burning a core: the caller is woken by
    /// every `put` and looks again.
    pub fn wait_len<B: Blocker>(&self, at_least: u64, b: &mut B) -> Result<(), Stopped> {
        loop {
            if self.qsize() >= at_least {
                return Ok(());
            }
            let mut g = self.lock();
            if g.inner().len() as u64 >= at_least {
                return Ok(());
            }
            b.arm();
            g.waiters().spinners.push(b.me());
            g.inner().spinners += 1;
            drop(g);
            b.block(self.id, QueueWait::Spin)?;
        }
    }

    /// Changes `maxsize`; when the bound grew, every waiting `put` is woken to look again.
    /// `activate` counts one putter as running; it is called under the lock, before that putter
    /// leaves the list, and a putter it refuses (the run ended) stays on the list. A caller
    /// that is not a thread of the run is not counted as running itself: were the putters
    /// counted only after the lock is released, every thread could wait meanwhile, and the run
    /// would be declared hung with a putter that is about to be woken. Never sleeps in the OS
    /// (callers may be on a thread that must not block).
    pub fn set_maxsize(
        &self,
        maxsize: u32,
        mut activate: impl FnMut() -> bool,
        mut wake: impl FnMut(u32),
    ) {
        let mut g = Guard {
            _held: self.core.lock.lock_spin(),
            core: &self.core,
        };
        let inner = g.inner();
        let grew = inner.maxsize != 0 && (maxsize == 0 || maxsize > inner.maxsize);
        inner.maxsize = maxsize;
        self.maxsize.store(maxsize, Ordering::Relaxed);
        let mut putters = Vec::new();
        if grew {
            while g.inner().putters > 0 && activate() {
                putters.extend(g.pop_putter());
            }
        }
        self.blocked_puts
            .store(g.inner().putters as u32, Ordering::Relaxed);
        drop(g);
        for w in putters {
            wake(w);
        }
    }

    /// Takes `who` off the `get` waiters; true when it was waiting there and `activate` (called
    /// under the lock, before `who` leaves the list: see [`LiveQueue::set_maxsize`]) counted it
    /// as running. Never sleeps in the OS.
    pub fn remove_getter(&self, who: u32, activate: impl FnOnce() -> bool) -> bool {
        let mut g = Guard {
            _held: self.core.lock.lock_spin(),
            core: &self.core,
        };
        let waiting = &mut g.waiters().not_empty;
        let Some(i) = waiting.iter().position(|&w| w == who) else {
            return false;
        };
        if !activate() {
            return false;
        }
        g.waiters().not_empty.remove(i);
        g.inner().getters -= 1;
        self.blocked_gets
            .store(g.inner().getters as u32, Ordering::Relaxed);
        true
    }

    /// Appends the ids of the items, front first (`u32::MAX` for SENTINEL). Best effort: false
    /// when the lock stayed busy.
    pub fn item_ids_into(&self, out: &mut Vec<u32>) -> bool {
        let Some(held) = self.core.lock.try_lock_briefly() else {
            return false;
        };
        let mut g = Guard {
            _held: held,
            core: &self.core,
        };
        out.extend(g.inner().items.iter().map(|t| {
            if t.is_sentinel() {
                u32::MAX
            } else {
                t.id as u32
            }
        }));
        true
    }

    /// The ids of the items, front first; waits for the lock (not for a page's main thread).
    pub fn item_ids(&self) -> Vec<u64> {
        self.lock().inner().items.iter().map(|t| t.id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::park::Parker;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    use std::thread;
    use std::time::Duration;

    /// Plain threads with a parker each; no clock, no accounting.
    struct Plain {
        me: u32,
        parkers: Arc<Vec<Parker>>,
        stop: Arc<AtomicBool>,
    }

    impl Blocker for Plain {
        fn me(&self) -> u32 {
            self.me
        }
        fn arm(&self) {
            self.parkers[self.me as usize].arm();
        }
        fn block(&mut self, _: usize, _: QueueWait) -> Result<(), Stopped> {
            if self.parkers[self.me as usize].wait(&self.stop) {
                Ok(())
            } else {
                Err(Stopped)
            }
        }
        fn wake(&self, who: u32) {
            self.parkers[who as usize].wake();
        }
        fn now(&mut self) -> u64 {
            0
        }
    }

    fn setup(n: usize) -> (Arc<Vec<Parker>>, Arc<AtomicBool>) {
        let parkers: Vec<Parker> = (0..n).map(|_| Parker::default()).collect();
        (Arc::new(parkers), Arc::new(AtomicBool::new(false)))
    }

    fn spec(kind: QueueKind, maxsize: u32) -> QueueSpec {
        QueueSpec {
            name: "q".into(),
            kind,
            maxsize,
        }
    }

    fn item(id: u64) -> Token {
        Token {
            id,
            born: 0,
            entered: 0,
        }
    }

    fn plain(me: u32, p: &Arc<Vec<Parker>>, s: &Arc<AtomicBool>) -> Plain {
        p[me as usize].bind();
        Plain {
            me,
            parkers: p.clone(),
            stop: s.clone(),
        }
    }

    #[test]
    fn len_empty_full_and_fifo_order() {
        let (p, s) = setup(1);
        let mut b = plain(0, &p, &s);
        let q = LiveQueue::new(0, &spec(QueueKind::Queue, 3), false);
        assert_eq!(q.try_get(&mut b), Err(Empty));
        for i in 0..3 {
            q.put(item(i), &mut b).unwrap();
        }
        assert_eq!((q.qsize(), q.max_len(), q.unfinished_tasks()), (3, 3, 3));
        let got: Vec<u64> = (0..3).map(|_| q.get(&mut b).unwrap().id).collect();
        assert_eq!(got, [0, 1, 2]);
        assert_eq!((q.qsize(), q.puts(), q.gets()), (0, 3, 3));
    }

    #[test]
    fn task_done_underflow_is_an_error_and_join_waits_for_zero() {
        let (p, s) = setup(2);
        let q = Arc::new(LiveQueue::new(0, &spec(QueueKind::Queue, 0), false));
        let mut b = plain(0, &p, &s);
        assert_eq!(q.task_done(&b), Err(TooManyTaskDone));
        q.put(item(1), &mut b).unwrap();
        q.get(&mut b).unwrap();
        // Empty, but one task is unfinished: join waits until task_done.
        let (q2, p2, s2) = (q.clone(), p.clone(), s.clone());
        let joiner = thread::spawn(move || {
            let mut b = plain(1, &p2, &s2);
            q2.join(&mut b).unwrap();
        });
        while q.lock().waiters().all_tasks_done.is_empty() {
            thread::yield_now();
        }
        assert!(!joiner.is_finished());
        q.task_done(&b).unwrap();
        joiner.join().unwrap();
        assert_eq!(q.unfinished_tasks(), 0);
        assert_eq!(q.task_done(&b), Err(TooManyTaskDone));
    }

    #[test]
    fn put_blocks_while_full_until_a_get_and_a_larger_maxsize_wakes_it() {
        let (p, s) = setup(3);
        let q = Arc::new(LiveQueue::new(0, &spec(QueueKind::Queue, 1), false));
        let mut b = plain(0, &p, &s);
        q.put(item(0), &mut b).unwrap();
        let spawn_putter = |me: u32, id: u64| {
            let (q, p, s) = (q.clone(), p.clone(), s.clone());
            thread::spawn(move || {
                let mut b = plain(me, &p, &s);
                q.put(item(id), &mut b).unwrap();
            })
        };
        let first = spawn_putter(1, 1);
        while q.blocked_puts() == 0 {
            thread::yield_now();
        }
        assert_eq!(q.get(&mut b).unwrap().id, 0);
        first.join().unwrap();
        assert_eq!(q.qsize(), 1);
        let second = spawn_putter(2, 2);
        while q.blocked_puts() == 0 {
            thread::yield_now();
        }
        thread::sleep(Duration::from_millis(5));
        assert!(!second.is_finished());
        q.set_maxsize(2, || true, |w| p[w as usize].wake());
        second.join().unwrap();
        assert_eq!(q.item_ids(), [1, 2]);
    }

    #[test]
    fn a_stop_wakes_a_blocked_get() {
        let (p, s) = setup(1);
        let q = Arc::new(LiveQueue::new(0, &spec(QueueKind::Queue, 0), false));
        let (q2, p2, s2) = (q.clone(), p.clone(), s.clone());
        let getter = thread::spawn(move || {
            let mut b = plain(0, &p2, &s2);
            q2.get(&mut b)
        });
        while q.blocked_gets() == 0 {
            thread::yield_now();
        }
        s.store(true, Ordering::SeqCst);
        p[0].unpark();
        assert_eq!(getter.join().unwrap(), Err(GetError::Stopped));
    }

    #[test]
    fn the_lock_and_what_put_and_get_touch_fit_one_cache_line() {
        assert!(std::mem::offset_of!(Core, task_dones) + 4 <= 64);
        assert!(std::mem::offset_of!(Core, waiters) <= 64);
    }

    #[test]
    fn polling_deque_counts_no_unfinished_tasks() {
        let (p, s) = setup(1);
        let mut b = plain(0, &p, &s);
        let q = LiveQueue::new(0, &spec(QueueKind::Polling, 0), false);
        q.put(item(7), &mut b).unwrap();
        assert_eq!(q.unfinished_tasks(), 0);
        assert_eq!(q.try_get(&mut b).map(|t| t.id), Ok(7));
        assert_eq!(q.try_get(&mut b), Err(Empty));
    }
}
