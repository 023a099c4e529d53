//! One scenario thread on a real thread: runs its program's operations with the model engine's
//! semantics (see `src/sim`). It must not decide anything beyond its own thread: when every
//! thread waits, what happens next is `Shared::on_idle`'s business.

use super::queue::{Blocker, GetError, QueueWait, Stopped, TaskDoneGetError, Token};
use super::shared::Progress;
use super::shared::{lock, Shared, ThreadSlot, Wait, EXITING, NO_STARTER, RETIRING, UNCOUNTED};
use super::spawn::SpawnError;
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
/// No fused `get` follows this op.
const NOT_FUSED: usize = usize::MAX;
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

/// The job a spawner runs for scenario thread `t` before it starts (see `Shared::stand_by`):
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
            return;
        }
        std::thread::park();
    }
}

/// The job a spawner runs for scenario thread `t`.
pub(crate) fn run(sh: Arc<Shared>, t: usize) {
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
            ops: 0,
            items_done: 0,
            latencies: Vec::new(),
            skip_durations: sh.clock.mode == super::ClockMode::Free,
            now_cache: sh.clock.now(),
            now_calls: 0,
            ids: 0..0,
            task_done_then_get: fuse_task_done_then_get(&sh.programs[slot.prog]),
            memory: {
                let m = sh.scenario.memory_budget();
                (m.item_bytes, m.budget_bytes)
            },
            budget_counts_done: sh.scenario.memory.is_some()
                || sh
                    .scenario
                    .done_queue
                    .is_some_and(|q| sh.scenario.queue_taken_from(q)),
            queued_delta: 0,
            memory_batch: if sh.scenario.memory.is_some() {
                1
            } else {
                DEFAULT_BUDGET_BATCH
            },
            next_check: PROGRESS_CHECK_OPS,
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
                            None => {
                                return self
                                    .raise(op.line, "NameError: the thread holds no item to put")
                            }
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
                                return self.raise(
                                    op.line,
                                    "ValueError: task_done() called too many times",
                                )
                            }
                        }
                        continue;
                    }
                    match sh.queues[queue].task_done(self) {
                        Ok(()) => self.pc += 1,
                        Err(_) => {
                            return self
                                .raise(op.line, "ValueError: task_done() called too many times")
                        }
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
                OpKind::Start { thread } => match self.start(thread)? {
                    Start::Began => self.pc += 1,
                    Start::Twice => {
                        return self
                            .raise(op.line, "RuntimeError: threads can only be started once")
                    }
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
                    ThreadState::NotStarted => {
                        return self.raise(
                            op.line,
                            "RuntimeError: cannot join thread before it is started",
                        )
                    }
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
                            return self.raise(
                                op.line,
                                "RuntimeError: cannot join thread before it is started",
                            )
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
            for st in &sh.stages {
                if st.input == q {
                    st.closing.store(true, Ordering::SeqCst);
                }
            }
            return Ok(());
        }
        let counted = if self.done_queue == Some(q) {
            self.item_done(token.born);
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
            let bytes = queued.saturating_mul(item_bytes);
            if bytes > budget {
                self.memory_error(q, queued, bytes, budget);
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
        let now = self.time();
        self.items_done += 1;
        self.slot
            .items_done
            .store(self.items_done, Ordering::Relaxed);
        self.latencies.push(now.saturating_sub(born));
        if self.latencies.len() >= LATENCY_BATCH {
            self.flush();
        }
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
        if let Err(e) = sh.launch(target) {
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
        let name = &self.slot.name;
        self.sh.print(ConsoleLine {
            time_us: self.time(),
            thread: self.t,
            line,
            en: format!("Exception in thread {name}: {error}"),
            ko: format!("스레드 {name} 에서 예외 발생: {error}"),
        });
        self.end();
        Ok(())
    }

    fn memory_error(&mut self, q: usize, queued: u64, bytes: u64, budget: u64) {
        let sh = self.sh;
        // Blame the queue that grew most, not the one whose put happened to cross the line.
        let longest = (0..sh.queues.len())
            .max_by_key(|&i| sh.queues[i].qsize())
            .unwrap_or(q);
        let name = &sh.queues[longest].name;
        let message = format!(
            "MemoryError: {queued} items queued ({} MiB) exceed the memory budget of {} MiB; `{name}` grew without bound",
            bytes >> 20,
            budget >> 20
        );
        let now = self.time();
        let mut report = lock(&sh.memory_error);
        if sh.sched.end(Status::MemoryError) {
            sh.print(ConsoleLine {
                time_us: now,
                thread: self.t,
                line: self.prog.get(self.pc).map_or(0, |op| op.line),
                en: message.clone(),
                ko: format!(
                    "MemoryError: 큐에 쌓인 아이템 {queued}개({} MiB)가 메모리 예산 {} MiB를 넘었습니다; `{name}` 가 끝없이 커졌습니다",
                    bytes >> 20,
                    budget >> 20
                ),
            });
            *report = Some(MemoryErrorReport {
                at_us: now,
                queue: name.clone(),
                items_queued: queued,
                bytes,
                budget_bytes: budget,
                message,
            });
            drop(report);
            sh.halt();
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
}

/// Finds `task_done(q); jump t; get(q)` (at `t`) in a program: `ClosableQueue.__iter__`
/// between two items. Run as one, it takes the queue's lock once instead of twice.
fn fuse_task_done_then_get(prog: &[Op]) -> Vec<usize> {
    (0..prog.len())
        .map(
            |pc| match (prog[pc].kind, prog.get(pc + 1).map(|o| o.kind)) {
                (OpKind::TaskDone { queue }, Some(OpKind::Jump { target })) => {
                    match prog.get(target) {
                        Some(Op {
                            kind: OpKind::Get { queue: q },
                            ..
                        }) if *q == queue => target,
                        _ => NOT_FUSED,
                    }
                }
                _ => NOT_FUSED,
            },
        )
        .collect()
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
