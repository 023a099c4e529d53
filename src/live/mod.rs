//! The live engine: the model engine's scenarios on real threads, one per scenario thread, with
//! Python's queue semantics and a shared clock. It must not hold simulation logic of its own
//! beyond what `crate::python` defines: same operations, same meaning, same reports (the hang
//! report from `crate::python::hang` over this engine's `HangView`).
//!
//! The modules, one job each:
//! - `queue`: Python's `queue.Queue` (and `ClosableQueue`, and the polling deque): a lock, the
//!   three conditions as lists of waiting threads, counters mirrored in atomics.
//! - `lock`: the queues' lock (a spin lock released with a plain store), the mutex helpers and
//!   the one `Backoff`.
//! - `park`: a thread's wake-up slot (lock-free to wake, no lost wake-ups).
//! - `pad`: cache-line padding for what threads write often.
//! - `clock`: what "now" is in each [`ClockMode`].
//! - `sched`: one atomic word: threads running, threads waiting on a deadline, the status.
//! - `shared`: the state a run's threads share, and what happens when every thread waits.
//! - `runner`: one scenario thread interpreting its program, and the jobs that put threads on
//!   the spawner.
//! - `report`: `Stats` and `Frame`, read without blocking.
//! - `spawn`: where threads come from ([`Spawner`]: `std::thread`, or a fixed pool).
//! - `fault`: test-only faults that make a live thread die ([`inject_fault`]).
//!
//! ```
//! use pipeline_lab::live::{Live, LiveOptions};
//! use pipeline_lab::scenario::preset;
//! use pipeline_lab::stats::Status;
//!
//! let live = Live::new(preset("p5").unwrap(), LiveOptions::default()).unwrap();
//! assert_eq!(live.wait(), Status::Finished);
//! assert_eq!(live.console_lines(), ["1000 items processed"]);
//! ```

mod clock;
mod fault;
mod lock;
mod pad;
mod park;
mod queue;
mod report;
mod runner;
mod sched;
mod shared;
mod spawn;

pub use clock::ClockMode;
pub use fault::{inject_fault, Fault, FAULT_ALLOC_BYTES};
pub use shared::note_panic;
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub use spawn::RayonSpawner;
pub use spawn::{Job, PoolSpawner, RelaySpawner, SpawnError, Spawner, ThreadSpawner};

use crate::limits::MAX_WORKERS;
use crate::python;
use crate::scenario::validate::{check_set_maxsize, check_set_workers, StageNow};
use crate::scenario::{Lang, QueueKind, Rng, Scenario, ScenarioError};
use crate::stats::{Frame, HangReport, Histogram, Stats, Status, ThreadState};
use lock::lock_spin;
use pad::Padded;
use queue::LiveQueue;
use report::LastSeen;
use shared::{LiveStage, Shared, ThreadSlot, Wait, EXITING, RETIRING, WORKING};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Most threads one run may make beyond the scenario's own (workers added by `set_workers`,
/// over and over; the ones told to go are kept first when the count goes back up).
const MAX_ADDED_THREADS: usize = 16 * 1024;

/// How a live run is set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveOptions {
    pub clock: ClockMode,
    /// Most workers `set_workers` may give a stage (at most the model engine's 32), or the
    /// stage's own count where that is more. With the scenario's own threads it sizes the
    /// thread demand checked against the spawner.
    pub max_workers: u32,
    /// Records item moves for [`Live::frame`] (costs a lock per move: for the page only).
    pub record_moves: bool,
    /// Keeps every item put on a queue that no thread takes from (`done_queue`), so that
    /// [`Live::queue_item_ids`] can show each arrived once. Off, such a queue keeps only its
    /// count, as the model engine's does (memory stays flat however many items run).
    pub keep_done_items: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            clock: ClockMode::Virtual,
            max_workers: MAX_WORKERS,
            record_moves: false,
            keep_done_items: false,
        }
    }
}

impl LiveOptions {
    pub fn with_clock(clock: ClockMode) -> LiveOptions {
        LiveOptions {
            clock,
            ..LiveOptions::default()
        }
    }

    /// These options, keeping the items of `done_queue` (for tests that check every item).
    pub fn keeping_done_items(self) -> LiveOptions {
        LiveOptions {
            keep_done_items: true,
            ..self
        }
    }
}

/// Why a live run could not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveError {
    Scenario(ScenarioError),
    /// The spawner has fewer threads than the scenario may need at once: running it would
    /// deadlock silently, with jobs queued behind blocked threads.
    PoolTooSmall {
        needed: usize,
        capacity: usize,
    },
    /// The main thread could not be started.
    Spawn(SpawnError),
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiveError::Scenario(e) => e.fmt(f),
            LiveError::PoolTooSmall { needed, capacity } => write!(
                f,
                "thread pool: this scenario may run {needed} threads at once (its threads, plus the workers set_workers may add), but the pool has {capacity}; make the pool at least {needed} threads, or lower max_workers"
            ),
            LiveError::Spawn(e) => write!(f, "main thread: {e}"),
        }
    }
}

impl std::error::Error for LiveError {}

impl From<ScenarioError> for LiveError {
    fn from(e: ScenarioError) -> Self {
        LiveError::Scenario(e)
    }
}

/// Threads a scenario may run at once: all of its threads, plus the workers that
/// `set_workers` may add to each stage that has workers (up to `max_workers`).
pub fn threads_needed(scenario: &Scenario, max_workers: u32) -> usize {
    let mut initial = vec![0usize; scenario.stages.len()];
    for t in &scenario.threads {
        if let Some(s) = t.stage {
            initial[s] += 1;
        }
    }
    let max = max_workers.clamp(1, MAX_WORKERS) as usize;
    scenario.threads.len()
        + initial
            .iter()
            .filter(|&&n| n > 0)
            .map(|&n| max.saturating_sub(n))
            .sum::<usize>()
}

/// A scenario running on real threads. Build it with [`Live::new`] (std threads) or
/// [`Live::with_spawner`]; it starts at once. Read [`Live::stats`] and [`Live::frame`] at any
/// time without blocking. Dropping it stops and ends every thread.
pub struct Live {
    sh: Arc<Shared>,
    spawner: Arc<dyn Spawner>,
    options: LiveOptions,
    lang: Lang,
    last: Mutex<LastSeen>,
}

impl Live {
    /// Runs `scenario` on `std::thread`s.
    pub fn new(scenario: Scenario, options: LiveOptions) -> Result<Live, LiveError> {
        Live::with_spawner(scenario, Arc::new(ThreadSpawner), options)
    }

    /// Runs `scenario` on threads from `spawner`; refuses it when the spawner has fewer threads
    /// than the scenario may need.
    pub fn with_spawner(
        scenario: Scenario,
        spawner: Arc<dyn Spawner>,
        options: LiveOptions,
    ) -> Result<Live, LiveError> {
        scenario.validate()?;
        let needed = threads_needed(&scenario, options.max_workers);
        if let Some(capacity) = spawner.capacity() {
            if capacity < needed {
                return Err(LiveError::PoolTooSmall { needed, capacity });
            }
        }
        let sh = start(scenario, spawner.clone(), options)?;
        Ok(Live {
            sh,
            spawner,
            options,
            lang: Lang::En,
            last: Mutex::new(LastSeen::default()),
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.sh.scenario
    }

    pub fn options(&self) -> LiveOptions {
        self.options
    }

    /// Threads the spawner can run at once, where it has a fixed pool.
    pub fn pool_threads(&self) -> Option<usize> {
        self.spawner.capacity()
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn status(&self) -> Status {
        self.sh.sched.status()
    }

    pub fn is_running(&self) -> bool {
        self.status() == Status::Running
    }

    /// Virtual time now (wall time since the start with the free and wall clocks).
    pub fn now(&self) -> u64 {
        self.sh.now()
    }

    /// Stepped clock: advances virtual time by `dt_us` and wakes every thread whose deadline
    /// passed. Lock-free, so the browser's main thread may call it. Other clocks: no effect.
    pub fn step(&self, dt_us: u64) -> Status {
        if self.sh.clock.mode == ClockMode::Stepped && self.is_running() {
            let now = self.sh.clock.add(dt_us);
            self.sh.claim_due(now);
        }
        self.status()
    }

    /// Blocks until the run finishes, hangs or raises `MemoryError` (not for a page's main
    /// thread; with the stepped clock someone else must step).
    pub fn wait(&self) -> Status {
        self.wait_for(Duration::MAX)
    }

    /// Like [`Live::wait`], giving up after `timeout` (then the status is `Running`).
    pub fn wait_for(&self, timeout: Duration) -> Status {
        let start = clock::wall_us();
        let limit = u64::try_from(timeout.as_micros()).unwrap_or(u64::MAX);
        let mut pause = 20;
        loop {
            let s = self.status();
            if s != Status::Running || clock::wall_us().saturating_sub(start) >= limit {
                return s;
            }
            std::thread::sleep(Duration::from_micros(pause));
            pause = (pause * 2).min(1000);
        }
    }

    /// The totals, per thread, queue and stage, now; never blocks.
    pub fn stats(&self) -> Stats {
        report::stats(&self.sh, self.lang, &self.last)
    }

    /// What the canvas draws now; never blocks (queue contents are best effort).
    pub fn frame(&self) -> Frame {
        let mut f = Frame::default();
        self.frame_into(&mut f);
        f
    }

    /// Fills `f` in place, reusing its buffers.
    pub fn frame_into(&self, f: &mut Frame) {
        report::frame_into(&self.sh, f);
    }

    /// Console lines in the current language; never blocks.
    pub fn console_lines(&self) -> Vec<String> {
        report::console(&self.sh, self.lang, &self.last)
    }

    pub fn hang(&self) -> Option<HangReport> {
        lock::try_lock_briefly(&self.sh.hang).and_then(|h| h.as_ref().map(|h| h.report(self.lang)))
    }

    pub fn items_done(&self) -> u64 {
        self.sh
            .slots()
            .map(|s| s.items_done.load(Ordering::Relaxed))
            .sum()
    }

    /// The ids of the items in queue `queue`, front first (SENTINEL is `u64::MAX`). Waits for
    /// the queue's lock: for tests and tools, not for a page's main thread.
    pub fn queue_item_ids(&self, queue: usize) -> Vec<u64> {
        self.sh
            .queues
            .get(queue)
            .map(LiveQueue::item_ids)
            .unwrap_or_default()
    }

    /// Threads waiting now in `get` and in `put` on queue `queue` (read without the lock).
    pub fn blocked_on(&self, queue: usize) -> Option<(u32, u32)> {
        let q = self.sh.queues.get(queue)?;
        Some((q.blocked_gets(), q.blocked_puts()))
    }

    /// Jobs of this run still on a thread (0 once every thread has returned).
    pub fn threads_alive(&self) -> usize {
        self.sh.running.load(Ordering::SeqCst)
    }

    /// Most workers `set_workers` may give `stage`: `max_workers`, or the stage's own count
    /// where that is more (`threads_needed` counted them).
    pub fn max_workers_of(&self, stage: usize) -> u32 {
        let own = self
            .sh
            .scenario
            .threads
            .iter()
            .filter(|t| t.stage == Some(stage))
            .count() as u32;
        self.options.max_workers.max(own).clamp(1, MAX_WORKERS)
    }

    /// Changes how many workers a stage has, from now on, with the model engine's rules and
    /// errors. Removed workers finish the item they hold and end at their next `get`; workers
    /// told to go are kept again first when the count goes back up. Never sleeps in the OS.
    pub fn set_workers(&self, stage: usize, count: u32) -> Result<(), ScenarioError> {
        let sh = &self.sh;
        let max = self.max_workers_of(stage);
        let mut workers = check_set_workers(
            stage,
            sh.stages.len(),
            count,
            max,
            self.is_running(),
            || {
                // Held until the change is made, so no SENTINEL count can slip in between.
                let workers = lock_spin(&sh.stages[stage].workers);
                let now = StageNow {
                    closing: sh.stages[stage].closing.load(Ordering::SeqCst),
                    has_workers: !workers.is_empty(),
                    resizable: sh.scenario.stage_resizable(stage),
                };
                (now, workers)
            },
        )?;
        let st = &sh.stages[stage];
        let field = format!("stages[{stage}].workers");
        st.target_workers.store(count, Ordering::SeqCst);
        let staying: Vec<u32> = workers
            .iter()
            .copied()
            .filter(|&w| {
                let s = sh.slot(w as usize);
                s.state() != ThreadState::Ended && !s.is_retiring()
            })
            .collect();
        let have = staying.len() as u32;
        if count > have {
            let mut need = count - have;
            for &w in workers.iter() {
                if need == 0 {
                    break;
                }
                let retire = &sh.slot(w as usize).retire;
                if retire
                    .compare_exchange(RETIRING, WORKING, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    need -= 1;
                }
            }
            // Then retired workers that have ended start over, as in the model engine; only
            // then are new threads made, so the table stays bounded however often it changes.
            let mut added = Vec::new();
            for &w in workers.iter() {
                if need == 0 {
                    break;
                }
                let slot = sh.slot(w as usize);
                if slot.rehirable() {
                    slot.rehire(sh.now());
                    added.push(w as usize);
                    need -= 1;
                }
            }
            let mut refused = None;
            for _ in 0..need {
                let model = sh.slot(workers[0] as usize);
                let name = format!("{}-{}", st.name, workers.len() + 1);
                let slot =
                    ThreadSlot::new(name, Some(stage), model.prog, model.polls, sh.stages.len());
                let Some(t) = sh.push_slot(slot) else {
                    // The ones added so far stay, and start below like the others.
                    refused = Some(ScenarioError::invalid(
                        field,
                        "this run has made as many threads as it may; reset to add more",
                    ));
                    break;
                };
                workers.push(t as u32);
                added.push(t);
            }
            // Workers added to a running stage are counted as running before the stage's lock
            // is released, and launched after. From that release on, `stop_threads` may count
            // them and put a SENTINEL for each: were they counted as running only later, the
            // other threads could all end or wait meanwhile, and the run would be declared hung
            // (main in `join()`, waiting for the task_done of workers that had not started).
            let starting: Vec<usize> = if st.started.load(Ordering::SeqCst) {
                added
                    .into_iter()
                    .filter(|&t| self.ready_worker(t))
                    .collect()
            } else {
                Vec::new()
            };
            drop(workers);
            for t in starting {
                self.launch_worker(t);
            }
            if let Some(e) = refused {
                return Err(e);
            }
        } else {
            // Marked under the stage's lock, as `stop_threads` counts the workers under it:
            // a worker it counts never retires, or its SENTINEL would be left over. Taken off
            // the `get` list and counted as running under it too: once `stop_threads` skipped
            // a worker, `thread.join()` waits for it to retire, and a worker both off the
            // list and not counted (or on it, told to retire, with nobody to wake it) while
            // every thread waits reads as a hang.
            let leaving: Vec<u32> = staying
                .iter()
                .rev()
                .take((have - count) as usize)
                .copied()
                .filter(|&w| self.mark_retiring(w) && self.take_to_retire(stage, w))
                .collect();
            drop(workers);
            for w in leaving {
                sh.unpark(w);
            }
        }
        Ok(())
    }

    /// Sets a worker added to a running stage to `Running` and counts it as running; false
    /// when `start_threads` got it first, or the run has ended. Never sleeps in the OS.
    fn ready_worker(&self, t: usize) -> bool {
        let sh = &self.sh;
        let slot = sh.slot(t);
        if !slot.leave_not_started(ThreadState::Running) {
            return false;
        }
        slot.since.store(sh.now(), Ordering::SeqCst);
        if !sh.sched.try_activate() {
            slot.state
                .store(ThreadState::NotStarted as u8, Ordering::SeqCst);
            return false;
        }
        true
    }

    /// Runs a worker made ready by [`Live::ready_worker`].
    fn launch_worker(&self, t: usize) {
        let sh = &self.sh;
        let slot = sh.slot(t);
        if runner::launch(sh, t).is_err() {
            slot.state.store(ThreadState::Ended as u8, Ordering::SeqCst);
            if sh.sched.deactivate() {
                sh.on_idle();
            }
        }
    }

    /// Tells worker `w` to end at its next `get`; false when there is nothing more to do (it had
    /// not started, and now never will; or it was already told).
    fn mark_retiring(&self, w: u32) -> bool {
        let slot = self.sh.slot(w as usize);
        if slot.leave_not_started(ThreadState::Ended) {
            // Retired for good: it may be taken back once its standby job, if any, returns.
            slot.retire.store(EXITING, Ordering::SeqCst);
            self.sh.wake_standby(w as usize);
            return false;
        }
        slot.retire
            .compare_exchange(WORKING, RETIRING, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    /// A retiring worker waiting in `get` is taken off the list and counted as running; the
    /// caller wakes it, so it leaves now. True when it was waiting there.
    fn take_to_retire(&self, stage: usize, w: u32) -> bool {
        let sh = &self.sh;
        let mut queues = vec![sh.stages[stage].input];
        if let Wait::Queue(q) = Wait::decode(sh.slot(w as usize).wait.load(Ordering::SeqCst)) {
            if q != queues[0] {
                queues.push(q);
            }
        }
        queues
            .into_iter()
            .any(|q| sh.queues[q].remove_getter(w, || sh.sched.try_activate()))
    }

    /// Changes a queue's `maxsize`, from now on, with the model engine's rules and errors. Items
    /// above a lowered bound stay; `put` waits until the queue drains below it.
    pub fn set_maxsize(&self, queue: usize, maxsize: u32) -> Result<(), ScenarioError> {
        let sh = &self.sh;
        let kinds: Vec<QueueKind> = sh.queues.iter().map(|q| q.kind).collect();
        check_set_maxsize(queue, &kinds, maxsize, self.is_running())?;
        let q = &sh.queues[queue];
        // Putters are counted as running before they leave the list (see `set_maxsize`).
        q.set_maxsize(maxsize, || sh.sched.try_activate(), |w| sh.unpark(w));
        Ok(())
    }

    /// Tells every thread to return and wakes them all; does not wait. Lock-free.
    pub fn stop(&self) {
        self.sh.halt();
    }

    /// Stops this run, waits until every thread has returned, and starts the scenario again
    /// (changes made while running are forgotten). Blocks: not for a page's main thread (see
    /// [`Live::try_reset`]).
    pub fn reset(&mut self) -> Result<(), LiveError> {
        self.stop();
        self.join_threads();
        self.restart()
    }

    /// Non-blocking reset: stops the run, and starts again only once every thread has
    /// returned; `Ok(false)` means "not yet, call again".
    pub fn try_reset(&mut self) -> Result<bool, LiveError> {
        self.stop();
        if self.threads_alive() > 0 {
            return Ok(false);
        }
        self.restart().map(|()| true)
    }

    fn restart(&mut self) -> Result<(), LiveError> {
        self.sh = start(self.sh.scenario.clone(), self.spawner.clone(), self.options)?;
        *lock_spin(&self.last) = LastSeen::default();
        Ok(())
    }

    fn join_threads(&self) {
        let mut pause = 10;
        while self.threads_alive() > 0 {
            std::thread::sleep(Duration::from_micros(pause));
            pause = (pause * 2).min(1000);
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.stop();
        // A page's main thread may not wait; its threads end on their own once woken.
        if cfg!(not(target_arch = "wasm32")) {
            self.join_threads();
        }
    }
}

/// Sets up a run of `scenario` and starts its main thread.
fn start(
    scenario: Scenario,
    spawner: Arc<dyn Spawner>,
    options: LiveOptions,
) -> Result<Arc<Shared>, LiveError> {
    let programs: Vec<_> = scenario.threads.iter().map(|t| t.program.clone()).collect();
    let queues = scenario
        .queues
        .iter()
        .enumerate()
        .map(|(i, q)| {
            LiveQueue::new(
                i,
                q,
                !options.keep_done_items && !scenario.queue_taken_from(i),
            )
        })
        .collect();
    let stages: Vec<LiveStage> = scenario
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| LiveStage {
            name: s.name.clone(),
            service: s.service,
            rng: Mutex::new(Rng::new(python::stage_seed(scenario.seed, i))),
            input: s.input,
            workers: Mutex::new(Vec::new()),
            target_workers: AtomicU32::new(0),
            closing: AtomicBool::new(false),
            started: AtomicBool::new(false),
        })
        .collect();
    let slots: Box<[OnceLock<Box<ThreadSlot>>]> = (0..scenario.threads.len() + MAX_ADDED_THREADS)
        .map(|_| OnceLock::new())
        .collect();
    for (i, spec) in scenario.threads.iter().enumerate() {
        let polls = python::polls_forever(&spec.program);
        let mut slot = ThreadSlot::new(spec.name.clone(), spec.stage, i, polls, stages.len());
        slot.idles = python::idles(&spec.program);
        let _ = slots[i].set(Box::new(slot));
        if let Some(s) = spec.stage {
            stages[s]
                .workers
                .lock()
                .expect("not shared yet")
                .push(i as u32);
            stages[s].target_workers.fetch_add(1, Ordering::Relaxed);
        }
    }
    let sh = Arc::new(Shared {
        programs,
        queues,
        stages,
        slots,
        n_slots: AtomicUsize::new(scenario.threads.len()),
        clock: clock::Clock::new(options.clock),
        sched: Padded::default(),
        stop: Padded::default(),
        alive: AtomicUsize::new(0),
        main_ended: AtomicBool::new(false),
        items_made: Padded::default(),
        queued_items: Padded::default(),
        peak_items: Padded::default(),
        idle: Mutex::new(()),
        grow: Mutex::new(()),
        console: Mutex::new(Vec::new()),
        latency: Mutex::new(Histogram::default()),
        hang: Mutex::new(None),
        memory_error: Mutex::new(None),
        lingering: Mutex::new(Vec::new()),
        ended_at: AtomicU64::new(u64::MAX),
        moves: options.record_moves.then(|| Mutex::new(Vec::new())),
        moves_lost: AtomicBool::new(false),
        spawner,
        running: Arc::new(AtomicUsize::new(0)),
        stall: python::may_stall(scenario.threads.iter().map(|t| &t.program[..]))
            .then(|| Mutex::new(shared::StallWatch::first(options.clock))),
        sentinels: scenario.queues.iter().map(|_| AtomicU64::new(0)).collect(),
        scenario,
    });
    // The other threads' jobs wait on the spawner's threads until they are started. A refusal
    // here is not an error yet: that thread's `start()` spawns it, and reports it then.
    for t in 1..sh.n_threads() {
        let _ = runner::stand_by_job(&sh, t);
    }
    let main = sh.slot(0);
    main.leave_not_started(ThreadState::Running);
    sh.sched.activate();
    runner::spawn_thread(&sh, 0).map_err(LiveError::Spawn)?;
    Ok(sh)
}
