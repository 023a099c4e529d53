//! One scenario thread on a real thread: runs its program's operations with the model engine's
//! semantics (see `src/sim`). It must not decide anything beyond its own thread: when every
//! thread waits, what happens next is `Shared::on_idle`'s business.

use super::lock::lock;
use super::queue::{Blocker, GetError, QueueWait, Stopped, TaskDoneGetError, Token};
use super::shared::{
    enter_job, leave_job, Counted, Progress, Shared, ThreadSlot, Wait, EXITING, NO_STARTER,
    RETIRING, UNCOUNTED,
};
use super::spawn::SpawnError;
use crate::python::code::{task_done_then_get, NOT_FUSED};
use crate::python::{self, error};
use crate::scenario::{Count, Expr, Op, OpKind, PrintArgs, PrintText, Value};
use crate::sim::ConsoleLine;
use crate::stats::{place, HangKind, MemoryErrorReport, Status, ThreadState, NO_ITEM, SENTINEL_ID};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{fence, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Latencies a thread collects before it records them under the shared histogram's lock.
const LATENCY_BATCH: usize = 256;
/// Item ids a thread reserves at a time.
const ID_BLOCK: u64 = 1024;
/// Most item moves kept for frames when no frame takes them.
const MAX_MOVES: usize = 3 * 1_000_000;
/// Operations between two looks at whether the run still makes progress.
const PROGRESS_CHECK_OPS: u64 = 1 << 16;
/// Wall time a thread must have run without any progress in the run, on top of
/// `sim::LIVELOCK_OPS` operations, before the run is a livelock: real threads may wait for a
/// core, and a thread that would have made progress must not be taken for a stuck one.
const LIVELOCK_WALL_US: u64 = 1_000_000;
/// Items a thread counts in or out of the memory budget's total before it adds them to it,
/// under the default budget (a scenario's own budget is counted item by item, exactly).
const DEFAULT_BUDGET_BATCH: i64 = 64;

/// The job a spawner runs for scenario thread `t` before it starts (see [`stand_by_job`]):
/// waits until it is let go, then runs it; returns without running it when the run ends first
/// or `t` will never start.
pub(crate) fn stand_by(sh: Arc<Shared>, t: usize) {
    let slot = sh.slot(t);
    slot.parker.bind();
    // Pairs with the fence in `Shared::wake_standby`.
    fence(Ordering::SeqCst);
    loop {
        if slot.go.load(Ordering::SeqCst) {
            return run(sh, t);
        }
        if sh.stop.load(Ordering::SeqCst) || slot.state() == ThreadState::Ended {
            slot.job_over.store(true, Ordering::SeqCst);
            return;
        }
        std::thread::park();
    }
}

/// The job a spawner runs for scenario thread `t`.
pub(crate) fn run(sh: Arc<Shared>, t: usize) {
    run_once(&sh, t);
    // Last: from here on a control may take this thread back on a new job.
    sh.slot(t).job_over.store(true, Ordering::SeqCst);
}

fn run_once(sh: &Arc<Shared>, t: usize) {
    let sh = sh.clone();
    let slot = sh.slot(t);
    slot.parker.bind();
    super::shared::note_thread(t);
    if sh.stop.load(Ordering::SeqCst) {
        return;
    }
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        #[cfg(test)]
        tests::inject_failure(&slot.name);
        let mut r = Runner::new(&sh, t);
        if r.run_program().is_err() {
            r.flush();
        }
    }));
    if let Err(payload) = outcome {
        // A bug in this engine, not in the scenario: the run ends and says why.
        let cause = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        sh.lose_thread(t, &cause);
    }
}

/// What `start()` did.
enum Start {
    Began,
    /// The thread had been started before (`RuntimeError`).
    Twice,
    Failed(SpawnError),
}

struct Runner<'a> {
    sh: &'a Arc<Shared>,
    t: usize,
    slot: &'a ThreadSlot,
    prog: &'a [Op],
    pc: usize,
    /// The item got by the last `get` (and worked on since).
    held: Option<Token>,
    /// The loop counter of `Repeat` / `Loop`.
    counter: u64,
    /// A starter still waits for this thread to first wait.
    has_starter: bool,
    ops: u64,
    items_done: u64,
    latencies: Vec<u64>,
    /// Free clock: durations are skipped and "now" is read every few calls only.
    skip_durations: bool,
    now_cache: u64,
    now_calls: u32,
    /// Item ids reserved and not used yet.
    ids: std::ops::Range<u64>,
    /// Per op: for a `task_done()` followed by a jump to a `get()` on the same queue (the
    /// `for item in queue` loop), the index of that `get`; else `NOT_FUSED`.
    task_done_then_get: Vec<usize>,
    /// (item bytes, budget bytes): the scenario's memory budget, or the default one.
    memory: (u64, u64),
    /// The budget counts the items put into `done_queue` (see `Sim`'s field of that name).
    budget_counts_done: bool,
    /// Items counted in (or out, below zero) and not yet added to `Shared::queued_items`.
    queued_delta: i64,
    /// How far `queued_delta` may go before it is added: 1 under the scenario's own budget.
    memory_batch: i64,
    /// `ops` at which this thread next looks at the run's progress.
    next_check: u64,
    /// The run's progress when this thread last saw it change, with the wall time and `ops`.
    quiet_since: Option<(Progress, u64, u64)>,
    done_queue: Option<usize>,
}

impl<'a> Runner<'a> {
    fn new(sh: &'a Arc<Shared>, t: usize) -> Runner<'a> {
        let slot = sh.slot(t);
        Runner {
            sh,
            t,
            slot,
            prog: &sh.programs[slot.prog],
            pc: 0,
            held: None,
            counter: 0,
            has_starter: slot.starter.load(Ordering::SeqCst) != NO_STARTER,
            // A worker taken back goes on from its totals.
            ops: slot.ops.load(Ordering::SeqCst),
            items_done: slot.items_done.load(Ordering::SeqCst),
            latencies: Vec::new(),
            skip_durations: sh.clock.mode == super::ClockMode::Free,
            now_cache: sh.clock.now(),
            now_calls: 0,
            ids: 0..0,
            task_done_then_get: task_done_then_get(&sh.programs[slot.prog]),
            memory: {
                let m = sh.scenario.memory_budget();
                (m.item_bytes, m.budget_bytes)
            },
            budget_counts_done: sh.scenario.budget_counts_done(),
            queued_delta: 0,
            memory_batch: if sh.scenario.memory.is_some() {
                1
            } else {
                DEFAULT_BUDGET_BATCH
            },
            next_check: slot.ops.load(Ordering::SeqCst) + PROGRESS_CHECK_OPS,
            quiet_since: None,
            done_queue: sh.scenario.done_queue,
        }
    }

    /// Runs until the program ends (Ok) or the run stops (Err).
    fn run_program(&mut self) -> Result<(), Stopped> {
        let sh = self.sh;
        loop {
            if sh.stop.load(Ordering::Relaxed) {
                return Err(Stopped);
            }
            let Some(&op) = self.prog.get(self.pc) else {
                self.end();
                return Ok(());
            };
            self.slot.pc.store(self.pc as u32, Ordering::Relaxed);
            self.ops += 1;
            if self.ops.is_multiple_of(1024) {
                self.slot.ops.store(self.ops, Ordering::Relaxed);
            }
            if self.ops >= self.next_check {
                self.check_progress()?;
            }
            match op.kind {
                OpKind::Put { queue, value } => {
                    let token = match value {
                        Value::NewItem => {
                            let now = self.time();
                            Token {
                                id: self.new_item_id(),
                                born: now,
                                entered: now,
                            }
                        }
                        Value::Held => match self.held {
                            Some(token) => token,
                            None => return self.raise(op.line, error::NAME_NO_ITEM),
                        },
                        Value::Sentinel => Token::sentinel(self.time()),
                    };
                    self.put(queue, token, value == Value::Held)?;
                    self.pc += 1;
                }
                OpKind::Close { queue } => {
                    let token = Token::sentinel(self.time());
                    self.put(queue, token, false)?;
                    self.pc += 1;
                }
                OpKind::Get { queue } => {
                    if self.slot.is_retiring() && self.exit_retiring() {
                        self.end();
                        return Ok(());
                    }
                    match sh.queues[queue].get(self) {
                        Ok(token) => {
                            self.took(queue, token);
                            self.pc += 1;
                        }
                        // Told to retire while the queue was empty; kept again: get again.
                        Err(GetError::Retired) => {
                            if self.exit_retiring() {
                                self.end();
                                return Ok(());
                            }
                        }
                        Err(GetError::Stopped) => return Err(Stopped),
                    }
                }
                OpKind::PollGet { queue, on_empty } => {
                    if self.slot.is_retiring() && self.exit_retiring() {
                        self.end();
                        return Ok(());
                    }
                    bump(&self.slot.polled);
                    match sh.queues[queue].try_get(self) {
                        Ok(token) => {
                            self.took(queue, token);
                            self.pc += 1;
                        }
                        Err(_) => {
                            // IndexError: the poll found nothing.
                            bump(&self.slot.wasted_polls);
                            self.pc = on_empty;
                        }
                    }
                }
                OpKind::TaskDone { queue } => {
                    let then_get = self.task_done_then_get[self.pc];
                    if then_get != NOT_FUSED && !self.slot.is_retiring() {
                        // `task_done()`, `Jump`, `get()`: one critical section.
                        self.pc = then_get;
                        self.slot.pc.store(then_get as u32, Ordering::Relaxed);
                        self.ops += 2;
                        match sh.queues[queue].task_done_then_get(self) {
                            Ok(token) => {
                                self.took(queue, token);
                                self.pc += 1;
                            }
                            // Done, and told to retire: the `get` op ends the thread.
                            Err(TaskDoneGetError::Retired) => {}
                            Err(TaskDoneGetError::Stopped) => return Err(Stopped),
                            Err(TaskDoneGetError::TooManyTaskDone) => {
                                return self.raise(op.line, error::TASK_DONE_TOO_MANY)
                            }
                        }
                        continue;
                    }
                    match sh.queues[queue].task_done(self) {
                        Ok(()) => self.pc += 1,
                        Err(_) => return self.raise(op.line, error::TASK_DONE_TOO_MANY),
                    }
                }
                OpKind::Join { queue } => {
                    sh.queues[queue].join(self)?;
                    self.pc += 1;
                }
                OpKind::IfSentinel { target } => {
                    if self.held.is_some_and(|h| h.is_sentinel()) {
                        self.held = None;
                        self.slot.held.store(NO_ITEM, Ordering::Relaxed);
                        self.pc = target;
                    } else {
                        self.pc += 1;
                    }
                }
                OpKind::Work { stage } => {
                    self.release_starter();
                    let d = sh.stages[stage].sample();
                    if d > 0 && !self.skip_durations {
                        let start = self.time();
                        self.wait_until(start.saturating_add(d), ThreadState::Working)?;
                        let busy = &self.slot.per_stage[stage].busy_us;
                        add(busy, self.time().saturating_sub(start));
                    }
                    self.finish_work(stage);
                    self.pc += 1;
                }
                OpKind::Sleep { us, polling } => {
                    self.release_starter();
                    if us > 0 && !self.skip_durations {
                        let state = if polling {
                            ThreadState::Polling
                        } else {
                            ThreadState::Sleeping
                        };
                        let now = self.time();
                        self.wait_until(now.saturating_add(us), state)?;
                    } else if polling {
                        // Free clock: the poller spins, but lets the others have the core.
                        std::thread::yield_now();
                    }
                    self.pc += 1;
                }
                OpKind::Print { text, args } => {
                    self.print(op.line, text, args);
                    self.pc += 1;
                }
                OpKind::Start { thread } => match self.start_by_name(thread)? {
                    Start::Began => self.pc += 1,
                    Start::Twice => return self.raise(op.line, error::START_TWICE),
                    Start::Failed(e) => return self.raise(op.line, &format!("RuntimeError: {e}")),
                },
                OpKind::StartStage { stage } => {
                    let st = &sh.stages[stage];
                    let next = {
                        let workers = lock(&st.workers);
                        st.started.store(true, Ordering::SeqCst);
                        workers
                            .iter()
                            .copied()
                            .find(|&w| sh.slot(w as usize).state() == ThreadState::NotStarted)
                    };
                    match next {
                        // Runs this op again after the new thread had its turn: it starts the
                        // next one. (A control may have started this one first: look again.)
                        Some(w) => {
                            if let Start::Failed(e) = self.start(w as usize)? {
                                return self.raise(op.line, &format!("RuntimeError: {e}"));
                            }
                        }
                        None => self.pc += 1,
                    }
                }
                OpKind::JoinThread { thread } => match sh.slot(thread).state() {
                    ThreadState::Ended => self.pc += 1,
                    ThreadState::NotStarted => return self.raise(op.line, error::JOIN_NOT_STARTED),
                    _ => {
                        self.join_thread(thread)?;
                        self.pc += 1;
                    }
                },
                OpKind::JoinStage { stage } => {
                    let next = lock(&sh.stages[stage].workers)
                        .iter()
                        .copied()
                        .find(|&w| sh.slot(w as usize).state() != ThreadState::Ended);
                    match next {
                        Some(w) if sh.slot(w as usize).state() == ThreadState::NotStarted => {
                            return self.raise(op.line, error::JOIN_NOT_STARTED)
                        }
                        // Runs this op again once that worker has ended.
                        Some(w) => self.join_thread(w as usize)?,
                        None => self.pc += 1,
                    }
                }
                OpKind::Repeat { times, end } => {
                    let n = self.count(times, true);
                    self.counter = n;
                    self.pc = if n == 0 { end } else { self.pc + 1 };
                }
                OpKind::Loop { target } => {
                    self.counter = self.counter.saturating_sub(1);
                    self.pc = if self.counter > 0 {
                        target
                    } else {
                        self.pc + 1
                    };
                }
                OpKind::BusyWait { queue, until } => {
                    let n = self.count(until, false);
                    sh.queues[queue].wait_len(n, self)?;
                    self.pc += 1;
                }
                OpKind::Jump { target } => self.pc = target,
                OpKind::End => {
                    self.end();
                    return Ok(());
                }
            }
        }
    }

    /// Every few thousand operations: ends the run as a livelock when nothing in it has moved
    /// (no item made or finished, virtual time still, no thread waiting on a deadline that
    /// passes by itself) for `sim::LIVELOCK_OPS` of this thread's operations and a second of
    /// wall time.
    #[cold]
    fn check_progress(&mut self) -> Result<(), Stopped> {
        self.next_check = self.ops + PROGRESS_CHECK_OPS;
        super::fault::strike();
        let sh = self.sh;
        let seen = sh.progress();
        let wall = super::clock::wall_us();
        match self.quiet_since {
            Some((before, since_wall, since_ops)) if before == seen => {
                if self.ops - since_ops >= crate::sim::LIVELOCK_OPS
                    && wall.saturating_sub(since_wall) >= LIVELOCK_WALL_US
                    && !sh.deadline_passes_by_itself()
                {
                    sh.end_with(HangKind::Livelock, None);
                    return Err(Stopped);
                }
            }
            _ => self.quiet_since = Some((seen, wall, self.ops)),
        }
        Ok(())
    }

    /// A fresh item id. Ids are reserved in blocks, so that the producer does not touch a
    /// shared counter per item; with one producer (every preset) they are 0, 1, 2, ...
    #[inline]
    fn new_item_id(&mut self) -> u64 {
        if self.ids.start == self.ids.end {
            let first = self.sh.items_made.fetch_add(ID_BLOCK, Ordering::Relaxed);
            self.ids = first..first + ID_BLOCK;
        }
        let id = self.ids.start;
        self.ids.start += 1;
        id
    }

    /// Virtual time now (the free clock reads the wall every 64 calls only).
    #[inline]
    fn time(&mut self) -> u64 {
        if self.skip_durations {
            self.now_calls = self.now_calls.wrapping_add(1);
            if self.now_calls % 64 == 1 {
                self.now_cache = self.now_cache.max(self.sh.clock.now());
            }
            self.now_cache
        } else {
            self.sh.clock.now()
        }
    }

    #[inline]
    fn set_state(&mut self, s: ThreadState) {
        let now = self.sh.clock.now().max(self.now_cache);
        self.now_cache = now;
        let slot = self.slot;
        let old = slot.state.load(Ordering::Relaxed) as usize;
        let since = slot.since.load(Ordering::Relaxed);
        add(&slot.time_in[old], now.saturating_sub(since));
        slot.since.store(now, Ordering::Relaxed);
        slot.state.store(s as u8, Ordering::SeqCst);
    }

    /// Publishes the counters kept locally.
    fn flush(&mut self) {
        self.slot.ops.store(self.ops, Ordering::Relaxed);
        if !self.latencies.is_empty() {
            let mut h = lock(&self.sh.latency);
            for v in self.latencies.drain(..) {
                h.record(v);
            }
        }
    }

    /// The first wait of a started thread lets its starter go on.
    #[inline]
    fn release_starter(&mut self) {
        if self.has_starter {
            self.has_starter = false;
            let s = self.slot.starter.swap(NO_STARTER, Ordering::SeqCst);
            if s != NO_STARTER {
                self.sh.slot(s as usize).parker.wake();
            }
        }
    }

    /// Waits until woken, counted as not running. The parker was armed by the caller before it
    /// published where it waits.
    fn park_idle(&mut self, state: ThreadState, wait: Wait) -> Result<(), Stopped> {
        let sh = self.sh;
        self.slot.wait.store(wait.encode(), Ordering::SeqCst);
        self.set_state(state);
        self.flush();
        self.release_starter();
        if sh.sched.deactivate() {
            sh.on_idle();
        }
        if !self.slot.parker.wait(&sh.stop) {
            return Err(Stopped);
        }
        self.slot
            .wait
            .store(Wait::Nothing.encode(), Ordering::SeqCst);
        self.set_state(ThreadState::Running);
        Ok(())
    }

    /// `work` or `sleep`: waits until the clock passes `deadline`.
    fn wait_until(&mut self, deadline: u64, state: ThreadState) -> Result<(), Stopped> {
        let sh = self.sh;
        let slot = self.slot;
        self.set_state(state);
        if deadline > crate::sim::HORIZON_US {
            // It would wake after the time limit: the run can never finish.
            self.flush();
            sh.end_with(HangKind::Horizon, None);
            return Err(Stopped);
        }
        self.flush();
        self.release_starter();
        slot.parker.arm();
        // Published first as not yet claimable: a `step` must not end this wait before the
        // wait is counted (it would move a thread from "timed" to "running" that was never
        // counted as timed: the count underflows, and the run reads as ended for a moment).
        // The virtual clock's jump still sees it, so time never skips past it.
        let deadline = deadline.min(UNCOUNTED - 1);
        slot.deadline.store(deadline | UNCOUNTED, Ordering::SeqCst);
        let last = sh.sched.start_timed_wait();
        slot.deadline.store(deadline, Ordering::SeqCst);
        if last {
            sh.on_idle();
        }
        if sh.clock.mode == super::ClockMode::Wall {
            loop {
                if sh.stop.load(Ordering::SeqCst) {
                    return Err(Stopped);
                }
                let now = sh.clock.now();
                if now >= deadline {
                    sh.claim(self.t, now);
                    break;
                }
                slot.parker.park_for(Duration::from_micros(deadline - now));
            }
        } else {
            // A step may have passed the deadline before it was published.
            let now = sh.clock.now();
            if now >= deadline {
                sh.claim(self.t, now);
            }
            if !slot.parker.wait(&sh.stop) {
                return Err(Stopped);
            }
        }
        super::fault::strike();
        self.set_state(ThreadState::Running);
        Ok(())
    }

    fn put(&mut self, q: usize, token: Token, from_thread: bool) -> Result<(), Stopped> {
        let sh = self.sh;
        sh.queues[q].put(token, self)?;
        if from_thread {
            self.held = None;
            self.slot.held.store(NO_ITEM, Ordering::Relaxed);
        }
        if sh.moves.is_some() {
            let from = if from_thread {
                place::THREAD | self.t as u32
            } else {
                place::SOURCE
            };
            self.record_move(token.id, from, place::QUEUE | q as u32);
        }
        if token.is_sentinel() {
            sh.sentinels[q].fetch_add(1, Ordering::Relaxed);
            for st in &sh.stages {
                if st.input == q {
                    st.closing.store(true, Ordering::SeqCst);
                }
            }
            return Ok(());
        }
        let counted = if self.done_queue == Some(q) {
            // Counted in `entering`, before the item showed in the queue.
            if self.latencies.len() >= LATENCY_BATCH {
                self.flush();
            }
            self.budget_counts_done
        } else {
            true
        };
        if counted {
            let (item_bytes, budget) = self.memory;
            self.queued_delta += 1;
            if self.queued_delta < self.memory_batch {
                return Ok(());
            }
            let delta = std::mem::take(&mut self.queued_delta);
            // A getter may count the item out before this put counts it in: the count can dip
            // below zero for a moment, so it wraps.
            let queued = (sh.queued_items.fetch_add(delta as u64, Ordering::SeqCst) as i64)
                .wrapping_add(delta);
            let queued = queued.max(0) as u64;
            sh.peak_items.fetch_max(queued, Ordering::Relaxed);
            let bytes = queued.saturating_mul(item_bytes);
            if bytes > budget {
                self.memory_error(q, queued, budget);
                return Err(Stopped);
            }
        }
        Ok(())
    }

    /// A successful get: the token becomes the thread's held item.
    #[inline]
    fn took(&mut self, q: usize, token: Token) {
        self.held = Some(token);
        let id = if token.is_sentinel() {
            SENTINEL_ID
        } else {
            token.id as u32
        };
        self.slot.held.store(id, Ordering::Relaxed);
        if !token.is_sentinel() {
            self.queued_delta -= 1;
            if self.queued_delta <= -self.memory_batch {
                let delta = std::mem::take(&mut self.queued_delta);
                self.sh
                    .queued_items
                    .fetch_sub(delta.unsigned_abs(), Ordering::SeqCst);
            }
            if self.done_queue.is_none() {
                self.item_done(token.born);
            }
        } else {
            self.sh.sentinels[q].fetch_sub(1, Ordering::Relaxed);
        }
        if self.sh.moves.is_some() {
            self.record_move(
                token.id,
                place::QUEUE | q as u32,
                place::THREAD | self.t as u32,
            );
        }
    }

    #[inline]
    fn item_done(&mut self, born: u64) {
        self.count_done(born);
        if self.latencies.len() >= LATENCY_BATCH {
            self.flush();
        }
    }

    /// Counts an item done and its latency, taking no lock (a queue's may be held).
    #[inline]
    fn count_done(&mut self, born: u64) {
        let now = self.time();
        self.items_done += 1;
        self.slot
            .items_done
            .store(self.items_done, Ordering::Relaxed);
        self.latencies.push(now.saturating_sub(born));
    }

    #[inline]
    fn finish_work(&mut self, stage: usize) {
        let now = self.time();
        let c = &self.slot.per_stage[stage];
        bump(&c.done);
        if let Some(h) = &mut self.held {
            add(&c.sojourn_us, now.saturating_sub(h.entered));
            h.entered = now;
        }
    }

    fn record_move(&self, item: u64, from: u32, to: u32) {
        if let Some(m) = &self.sh.moves {
            let id = if item == Token::SENTINEL {
                SENTINEL_ID
            } else {
                item as u32
            };
            let mut m = lock(m);
            if m.len() < MAX_MOVES {
                m.extend_from_slice(&[id, from, to]);
            } else {
                self.sh.moves_lost.store(true, Ordering::Relaxed);
            }
        }
    }

    /// A retiring worker sees its order; false when a control kept it meanwhile.
    fn exit_retiring(&self) -> bool {
        let r = &self.slot.retire;
        r.compare_exchange(RETIRING, EXITING, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
            || r.load(Ordering::SeqCst) == EXITING
    }

    /// `thread.start()`: the new thread runs until it first waits (or ends), then this one
    /// goes on.
    fn start(&mut self, target: usize) -> Result<Start, Stopped> {
        let sh = self.sh;
        let slot = sh.slot(target);
        if !slot.leave_not_started(ThreadState::Running) {
            return Ok(Start::Twice);
        }
        slot.since.store(self.time(), Ordering::Relaxed);
        slot.starter.store(self.t as u32, Ordering::SeqCst);
        self.slot.parker.arm();
        sh.sched.activate();
        if let Err(e) = launch(sh, target) {
            // This thread runs, so the count cannot reach zero here.
            sh.sched.deactivate();
            slot.starter.store(NO_STARTER, Ordering::SeqCst);
            slot.state.store(ThreadState::Ended as u8, Ordering::SeqCst);
            return Ok(Start::Failed(e));
        }
        // Like the model engine's ready queue: our own starter goes on as well.
        self.release_starter();
        self.flush();
        if !self.slot.parker.wait(&sh.stop) {
            return Err(Stopped);
        }
        Ok(Start::Began)
    }

    /// `thread.start()` of one thread by name (P1, P5): a worker marks its stage started, so
    /// that workers added to it later start at once, as in the model engine. Marked under the
    /// stage's lock, which `set_workers` holds while it decides whether to start the ones it adds.
    fn start_by_name(&mut self, target: usize) -> Result<Start, Stopped> {
        let sh = self.sh;
        if let Some(s) = sh.slot(target).stage {
            let st = &sh.stages[s];
            let _workers = lock(&st.workers);
            if sh.slot(target).state() == ThreadState::NotStarted {
                st.started.store(true, Ordering::SeqCst);
            }
        }
        self.start(target)
    }

    /// `thread.join()` on a started thread.
    fn join_thread(&mut self, target: usize) -> Result<(), Stopped> {
        let other = self.sh.slot(target);
        {
            let mut joiners = lock(&other.joiners);
            if other.state() == ThreadState::Ended {
                return Ok(());
            }
            self.slot.parker.arm();
            joiners.push(self.t as u32);
        }
        self.park_idle(ThreadState::Joining, Wait::Thread(target))
    }

    /// A count known only while running. `stop_threads` counting a stage's workers fixes the
    /// count: from then on controls may not change it (or the SENTINELs would not match).
    fn count(&self, c: Count, fixes_workers: bool) -> u64 {
        match c {
            Count::Const(n) => n,
            Count::Items => self.sh.scenario.items,
            Count::Workers(s) => {
                let st = &self.sh.stages[s];
                let workers = lock(&st.workers);
                if fixes_workers {
                    st.closing.store(true, Ordering::SeqCst);
                }
                workers
                    .iter()
                    .filter(|&&w| {
                        let slot = self.sh.slot(w as usize);
                        slot.state() != ThreadState::Ended && !slot.is_retiring()
                    })
                    .count() as u64
            }
        }
    }

    fn print(&mut self, line: u32, text: PrintText, args: PrintArgs) {
        let sh = self.sh;
        let values: Vec<String> = [args.0, args.1]
            .into_iter()
            .flatten()
            .map(|e| match e {
                Expr::QSize(q) => sh.queues[q].qsize().to_string(),
                Expr::PolledTotal => sh
                    .slots()
                    .map(|s| s.polled.load(Ordering::SeqCst))
                    .sum::<u64>()
                    .to_string(),
            })
            .collect();
        let text = &sh.scenario.texts[text as usize];
        sh.print(ConsoleLine {
            time_us: self.time(),
            thread: self.t,
            line,
            en: text.fill(crate::scenario::Lang::En, &values),
            ko: text.fill(crate::scenario::Lang::Ko, &values),
        });
    }

    /// An exception ends the thread and is printed, as Python's threading does.
    fn raise(&mut self, line: u32, error: &str) -> Result<(), Stopped> {
        let said = python::exception(&self.slot.name, error);
        self.sh.print(ConsoleLine {
            time_us: self.time(),
            thread: self.t,
            line,
            en: said.en,
            ko: said.ko,
        });
        self.end();
        Ok(())
    }

    fn memory_error(&mut self, q: usize, queued: u64, budget: u64) {
        let sh = self.sh;
        let longest = python::blamed_queue(sh.queues.iter().map(|q| q.qsize() as usize), q);
        let name = &sh.queues[longest].name;
        // The report's totals are its accounting's sums, so that the queues add up to them.
        // Other threads may have moved items since this put counted: when the accounting has
        // not yet seen the items that crossed the line, they are charged to this put's queue
        // (Python's `put` is where the error is raised), never dropped from the report.
        let mut queues = super::report::memory_accounting(sh, self.memory.0);
        let item_bytes = self.memory.0;
        let total = crate::stats::memory_total(&queues);
        if total <= budget && item_bytes > 0 {
            let seen: u64 = queues.iter().filter(|q| q.bytes > 0).map(|q| q.items).sum();
            if let Some(entry) = queues.get_mut(q) {
                let over = (budget - total) / item_bytes + 1;
                let missing = queued.saturating_sub(seen).max(over);
                entry.items = entry.items.saturating_add(missing);
                entry.bytes = entry.items.saturating_mul(item_bytes);
            }
        }
        let bytes = crate::stats::memory_total(&queues);
        let queued: u64 = queues.iter().filter(|q| q.bytes > 0).map(|q| q.items).sum();
        sh.peak_items.fetch_max(queued, Ordering::Relaxed);
        let held = queues.get(longest).map_or(0, |b| b.bytes);
        let said = python::memory_error(queued, bytes, budget, name, held);
        let now = self.time();
        // The report and the console line are in place before the status says the run ended,
        // so that whoever sees the status also sees them (the page reads them without waiting).
        {
            let mut report = lock(&sh.memory_error);
            if report.is_some() || sh.sched.status() != Status::Running {
                return;
            }
            *report = Some(MemoryErrorReport {
                at_us: now,
                queue: name.clone(),
                items_queued: queued,
                bytes,
                budget_bytes: budget,
                message: said.en.clone(),
                queues,
                message_ko: said.ko.clone(),
            });
        }
        let said_line = ConsoleLine {
            time_us: now,
            thread: self.t,
            line: self.prog.get(self.pc).map_or(0, |op| op.line),
            en: said.en,
            ko: said.ko,
        };
        sh.print(said_line.clone());
        if sh.sched.end(Status::MemoryError) {
            sh.halt();
        } else {
            // Another ending came first: its report and its words stand alone.
            *lock(&sh.memory_error) = None;
            let mut console = lock(&sh.console);
            if let Some(i) = console.iter().rposition(|l| *l == said_line) {
                console.remove(i);
            }
        }
    }

    /// The thread's `run` returns.
    fn end(&mut self) {
        let sh = self.sh;
        let slot = self.slot;
        self.release_starter();
        if let Some(token) = self.held.take() {
            // Python would drop it too; keep the books straight for the page.
            self.record_move(token.id, place::THREAD | self.t as u32, place::DONE);
        }
        slot.held.store(NO_ITEM, Ordering::Relaxed);
        slot.wait.store(Wait::Nothing.encode(), Ordering::SeqCst);
        self.flush();
        self.set_state(ThreadState::Ended);
        let joiners = std::mem::take(&mut *lock(&slot.joiners));
        for j in joiners {
            sh.wake(j);
        }
        sh.alive.fetch_sub(1, Ordering::SeqCst);
        if self.t == 0 {
            sh.main_ended.store(true, Ordering::SeqCst);
        }
        if sh.main_ended.load(Ordering::SeqCst) {
            sh.finish_if_only_pollers_left();
        }
        if sh.sched.deactivate() {
            sh.on_idle();
        }
    }
}

impl Blocker for Runner<'_> {
    #[inline]
    fn me(&self) -> u32 {
        self.t as u32
    }

    #[inline]
    fn arm(&self) {
        self.slot.parker.arm();
    }

    fn block(&mut self, queue: usize, why: QueueWait) -> Result<(), Stopped> {
        let state = match why {
            QueueWait::Get => ThreadState::BlockedGet,
            QueueWait::Put => ThreadState::BlockedPut,
            QueueWait::Join => ThreadState::Joining,
            QueueWait::Spin => ThreadState::Spinning,
        };
        self.park_idle(state, Wait::Queue(queue))
    }

    #[inline]
    fn wake(&self, who: u32) {
        self.sh.wake(who);
    }

    #[inline]
    fn now(&mut self) -> u64 {
        self.time()
    }

    #[inline]
    fn retiring(&self) -> bool {
        self.slot.is_retiring()
    }

    #[inline]
    fn entering(&mut self, queue: usize, token: &Token) {
        if self.done_queue == Some(queue) && !token.is_sentinel() {
            self.count_done(token.born);
        }
    }
}

/// `+= 1` on a counter only this thread writes (no read-modify-write instruction needed).
#[inline]
fn bump(c: &std::sync::atomic::AtomicU64) {
    add(c, 1);
}

#[inline]
fn add(c: &std::sync::atomic::AtomicU64, v: u64) {
    c.store(c.load(Ordering::Relaxed) + v, Ordering::Relaxed);
}

/// Runs thread `t` on the spawner. The caller has already counted it as running (see
/// `Sched::activate`) and set its slot's state to `Running`; on an error it undoes that.
pub(crate) fn spawn_thread(sh: &Arc<Shared>, t: usize) -> Result<(), SpawnError> {
    sh.alive.fetch_add(1, Ordering::SeqCst);
    sh.slot(t).job_over.store(false, Ordering::SeqCst);
    spawn_counted(sh, move |sh| run(sh, t)).inspect_err(|_| {
        sh.alive.fetch_sub(1, Ordering::SeqCst);
        sh.slot(t).job_over.store(true, Ordering::SeqCst);
    })
}

/// Hands `job` to the spawner, counted in `running` from now until it returns (or not at
/// all when the spawner refuses it).
fn spawn_counted(
    sh: &Arc<Shared>,
    job: impl FnOnce(Arc<Shared>) + Send + 'static,
) -> Result<(), SpawnError> {
    let counted = Counted::new(&sh.running);
    let owned = sh.clone();
    let mine = counted.clone();
    let job = Box::new(move || {
        enter_job(&owned, mine.clone());
        job(owned);
        leave_job();
        // Last: after this the job no longer touches the run.
        mine.release();
    });
    sh.spawner.spawn(job).inspect_err(|_| counted.release())
}

/// Hands thread `t`'s job to the spawner before `t` starts: the job waits until [`launch`]
/// lets it go, so that a `start()` wakes a waiting thread instead of making one. A `start()`
/// waits until the new thread first waits (as CPython's does), so a stage's workers start one
/// after another: on the browser's pool each spawn costs two thread wake-ups (the relay's and
/// the pool thread's), paid here all at once instead.
pub(crate) fn stand_by_job(sh: &Arc<Shared>, t: usize) -> Result<(), SpawnError> {
    sh.slot(t).job_over.store(false, Ordering::SeqCst);
    spawn_counted(sh, move |sh| stand_by(sh, t)).inspect_err(|_| {
        sh.slot(t).job_over.store(true, Ordering::SeqCst);
    })?;
    sh.slot(t).standby.store(true, Ordering::SeqCst);
    Ok(())
}

/// Runs thread `t`, already counted as running and set to `Running`: lets its standby job
/// go, or hands the spawner a new job.
pub(crate) fn launch(sh: &Arc<Shared>, t: usize) -> Result<(), SpawnError> {
    let slot = sh.slot(t);
    if !slot.standby.load(Ordering::SeqCst) {
        return spawn_thread(sh, t);
    }
    sh.alive.fetch_add(1, Ordering::SeqCst);
    slot.go.store(true, Ordering::SeqCst);
    sh.wake_standby(t);
    Ok(())
}

#[cfg(test)]
mod tests {
    //! A live thread that fails inside the engine ends its run with a report, gives back its
    //! place in the pool, and leaves the spawner ready for a reset and a normal run.

    use crate::live::{note_panic, Live, LiveOptions, PoolSpawner};
    use crate::scenario::{preset, Scenario};
    use crate::stats::{HangKind, Status};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// A thread of this name panics when it starts (an engine bug, as a test sees one).
    const PANICS: &str = "test-panics";
    /// A thread of this name is lost as in the browser, where a panic aborts: the panic hook
    /// calls `note_panic`, and the job never returns (here: not for a while).
    const LOST: &str = "test-lost";
    const LOST_FOR: Duration = Duration::from_secs(3);

    pub(super) fn inject_failure(name: &str) {
        if name == PANICS {
            panic!("injected for a test");
        }
        if name == LOST {
            note_panic("injected loss for a test");
            std::thread::sleep(LOST_FOR);
        }
    }

    /// P6 with its first resize worker renamed `name`.
    fn failing(name: &str) -> Scenario {
        let mut s = preset("p6").unwrap();
        let t = s
            .threads
            .iter()
            .position(|t| t.stage.is_some())
            .expect("p6 has workers");
        s.threads[t].name = name.to_string();
        s
    }

    fn options() -> LiveOptions {
        LiveOptions {
            max_workers: 4,
            ..LiveOptions::default()
        }
    }

    fn reset_within(run: &mut Live, patience: Duration) {
        let start = Instant::now();
        while !run.try_reset().expect("restarts") {
            assert!(start.elapsed() < patience, "try_reset never succeeded");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn ends_with_a_lost_thread(run: &Live, name: &str, cause: &str) {
        assert_eq!(run.wait_for(Duration::from_secs(30)), Status::Hang);
        let hang = run.hang().expect("a report");
        assert_eq!(hang.kind, HangKind::ThreadLost);
        assert!(
            hang.message.starts_with(name) && hang.message.contains(cause),
            "{}",
            hang.message
        );
        assert!(
            run.console_lines().iter().any(|l| l.contains(cause)),
            "{:?}",
            run.console_lines()
        );
    }

    #[test]
    fn a_live_thread_that_panics_ends_the_run_with_a_report_and_the_pool_runs_on() {
        let pool = Arc::new(PoolSpawner::new(crate::live::threads_needed(
            &failing(PANICS),
            options().max_workers,
        )));
        let mut run = Live::with_spawner(failing(PANICS), pool.clone(), options()).unwrap();
        ends_with_a_lost_thread(&run, PANICS, "injected for a test");
        reset_within(&mut run, Duration::from_secs(30));
        drop(run);
        let normal = Live::with_spawner(preset("p6").unwrap(), pool.clone(), options()).unwrap();
        assert_eq!(normal.wait_for(Duration::from_secs(60)), Status::Finished);
        assert_eq!(normal.console_lines(), ["1000 items processed"]);
    }

    #[test]
    fn a_lost_live_thread_is_given_back_before_its_job_returns() {
        let needed = crate::live::threads_needed(&failing(LOST), options().max_workers);
        // One more thread: the lost job holds its own for a while.
        let pool = Arc::new(PoolSpawner::new(needed + 1));
        let mut run = Live::with_spawner(failing(LOST), pool.clone(), options()).unwrap();
        let start = Instant::now();
        ends_with_a_lost_thread(&run, LOST, "injected loss for a test");
        // The run gives its count back without the lost job: reset does not wait for it.
        reset_within(&mut run, LOST_FOR / 2);
        assert!(start.elapsed() < LOST_FOR, "reset waited for the lost job");
        drop(run);
        let normal = Live::with_spawner(preset("p6").unwrap(), pool.clone(), options()).unwrap();
        assert_eq!(normal.wait_for(Duration::from_secs(60)), Status::Finished);
        assert_eq!(normal.threads_alive(), 0);
    }
}
