//! The model engine: runs a scenario on virtual time, one thread, deterministically. Events are
//! ordered by (time, sequence), so ties are FIFO and a seed always replays the same run.
//!
//! Scheduling rule (it is what gives the note's print orders): a running thread goes on until
//! it blocks, starts timed work, or starts another thread (`start()` lets the new thread run
//! first, as CPython's `Thread.start` waits for it to begin). Woken threads queue FIFO and a
//! woken thread re-runs the operation it blocked in, as Python's `Condition.wait` loops do.
//!
//! Parts: `crate::python::code` compiles the programs into one instruction array (and
//! recognises the plain worker loop and the source loop, which `Sim::run_worker_loop` and
//! `Sim::run_source_loop` run without dispatch, step for step as the interpreter would);
//! `queue` is Python's queue; `timers` holds the deadlines, earliest first.

mod queue;
mod timers;

use crate::limits::{MAX_MAXSIZE, MAX_WORKERS};
use crate::python::code::{
    compile, source_loop, worker_loop, Fused, Instr, SourceLoop, WorkerLoop,
};
use crate::python::hang::{HangView, Hung, Waits};
use crate::python::{self, error};
use crate::ring::Ring;
use crate::scenario::validate::{check_set_maxsize, check_set_workers, StageNow};
use crate::scenario::{
    Count, Expr, Lang, OpKind, QueueKind, Rng, Scenario, ScenarioError, Service, Value,
};
use crate::stats::{
    place, Frame, HangKind, HangReport, Histogram, MemoryErrorReport, QueueStats, StageStats,
    StageTotals, Stats, Status, ThreadState, ThreadStats, TimeIntegral, NO_ITEM, SENTINEL_ID,
};
use queue::{SimQueue, Token};
/// Public for bench/cargo/handwritten.rs, which schedules with the same calendar.
#[doc(hidden)]
pub use timers::Timers;

/// `done_queue` when the scenario has none.
const NO_QUEUE: usize = usize::MAX;
/// A thread's `worker_loop` when its program is not a plain worker loop.
const NO_LOOP: u32 = u32::MAX;
/// `last_op` before any operation ran.
const NO_OP: u64 = u64::MAX;
/// Recorded moves (three words each) kept between two frames at most.
const MAX_MOVE_WORDS: usize = 3 * 1_000_000;

/// Virtual time a run may reach, in both engines: one simulated year. A run whose next deadline
/// lies past it (a loop that sleeps forever) can never finish, and ends with a
/// [`HangKind::Horizon`] report instead of running on, or wrapping its clock.
pub const HORIZON_US: u64 = 365 * 86_400 * 1_000_000;

/// Operations a run may execute without progress before it is reported as a livelock, in both
/// engines (the live engine counts them per thread). Progress is virtual time moving, or an item
/// made or finished (counted up to [`progress_cap`]); a thread that blocks lets the others run,
/// which is progress only through them. Progress is looked for only when the bound is reached,
/// so a livelock is reported within twice this many operations of the last progress. The bound
/// does not grow with the items.
pub const LIVELOCK_OPS: u64 = 1 << 22;

/// Items made and items finished count as progress up to this many each: a program that makes
/// items without end at one instant (and drops them) is a livelock too, once past it.
pub fn progress_cap(scenario: &Scenario) -> u64 {
    scenario.items.max(1 << 20)
}

/// Console lines a run keeps, in both engines: a program that prints in an endless loop must
/// not grow the console (which the memory budget does not count) without bound. Past it, one
/// last line says that the rest was dropped.
pub const MAX_CONSOLE_LINES: usize = 10_000;

/// Adds `line` to `console`, or the line that says the console is full (once).
pub(crate) fn push_console_line(console: &mut Vec<ConsoleLine>, line: ConsoleLine) {
    match console.len().cmp(&MAX_CONSOLE_LINES) {
        std::cmp::Ordering::Less => console.push(line),
        std::cmp::Ordering::Equal => console.push(ConsoleLine {
            en: format!("... (more than {MAX_CONSOLE_LINES} lines: the rest is not shown)"),
            ko: format!("... ({MAX_CONSOLE_LINES}줄이 넘어 나머지는 보이지 않습니다)"),
            ..line
        }),
        std::cmp::Ordering::Greater => {}
    }
}

/// A change made while the pipeline runs, kept so that a replay applies it at the same time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    Workers { stage: usize, count: u32 },
    MaxSize { queue: usize, maxsize: u32 },
}

/// A control as the run logged it: made after `ops` operations, at virtual time `at_us`. A
/// replay applies it after the same operation, so that a change made between two operations of
/// one instant comes back between the same two.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoggedControl {
    pub ops: u64,
    pub at_us: u64,
    pub control: Control,
}

/// What a call bounded by a number of operations did ([`Sim::seek_bounded`],
/// [`Sim::step_event_bounded`]): the page calls again on its next frame until it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// It got where it was asked to (or the run ended on the way): the run's status.
    Done(Status),
    /// The operations ran out first; virtual time stopped where the work did. Call again with
    /// the same arguments to go on.
    NotYet,
}

/// One executed operation, when tracing is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    pub time: u64,
    pub thread: u32,
    pub pc: u32,
}

/// A line the program printed, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleLine {
    pub time_us: u64,
    pub thread: usize,
    pub line: u32,
    pub en: String,
    pub ko: String,
}

/// What a parked thread waits on, for the hang report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    Nothing,
    Queue(u32),
    Thread(u32),
}

struct SimThread {
    name: String,
    stage: Option<usize>,
    /// Where its program starts in the compiled code (workers added later start there too).
    entry: u32,
    pc: u32,
    state: ThreadState,
    /// The state whose time runs from `since`: the state itself, except while running, which
    /// takes no virtual time (time moves only when no thread is ready), so that the state before
    /// it goes on counting and a wake-up costs no bookkeeping.
    timed: ThreadState,
    since: u64,
    time_in: [u64; ThreadState::COUNT],
    held: Option<Token>,
    counter: u64,
    polled: u64,
    wasted_polls: u64,
    work_done: u64,
    /// Told to stop by a lower worker count: it ends at its next `get`.
    retiring: bool,
    /// Runs the polling worker's `while True` loop: it never ends by itself.
    polls: bool,
    /// Its program is the plain worker loop `loops[worker_loop]`, which the scheduler runs
    /// without dispatch ([`NO_LOOP`] when it is not).
    worker_loop: u32,
    /// A loop that only puts new items (`main`'s `for _ in range(n): put(object())`), run
    /// without dispatch too.
    source_loop: Option<SourceLoop>,
    /// What it waits on: set by [`Sim::park`] with each waiting state and read only with one,
    /// so a wake-up leaves it stale.
    wait: Wait,
    joiners: Vec<u32>,
}

struct SimStage {
    service: Service,
    rng: Rng,
    input: usize,
    /// Worker threads in the order they were made.
    workers: Vec<u32>,
    /// How many workers the stage is meant to have (the scenario's, or the last change's).
    target_workers: u32,
    /// `close()` reached its input queue: the worker count is fixed from now on.
    closing: bool,
    /// The program can take more or fewer workers: it never closes the stage's queue, or it
    /// closes it once per worker (`for _ in threads: close()`).
    resizable: bool,
    started: bool,
    completed: u64,
    sojourn_sum: u128,
    in_service: u64,
    /// Items in service over time.
    in_service_area: TimeIntegral,
}

/// The model engine. Build it with [`Sim::new`], drive it with [`Sim::step`],
/// [`Sim::step_event`], [`Sim::run_to_end`] or [`Sim::seek`], read [`Sim::stats`] and [`Sim::frame`].
pub struct Sim {
    scenario: Scenario,
    /// Where each scenario thread's program starts in `instrs`.
    entry: Vec<u32>,
    /// The compiled instructions; shared, so that the scheduler loop holds them (one count per
    /// call) while it runs threads through `&mut self`.
    instrs: std::rc::Rc<[Instr]>,
    /// The plain worker loops found in the programs, which threads point into (shared for the
    /// same reason as `instrs`).
    loops: std::rc::Rc<[WorkerLoop]>,
    threads: Vec<SimThread>,
    queues: Vec<SimQueue>,
    stages: Vec<SimStage>,
    now: u64,
    seq: u64,
    ready: Ring<u32>,
    /// Deadlines, tagged with (sequence, thread): the sequence in the high 40 bits.
    timers: Timers,
    items_made: u64,
    items_done: u64,
    /// Items (not SENTINELs) sitting in queues: what the memory budget counts.
    queued_items: u64,
    /// The scenario's `done_queue`, or [`NO_QUEUE`].
    done_queue: usize,
    /// Most items that fit the memory budget (the scenario's, or the default one).
    memory_items: u64,
    /// The budget counts the items in `done_queue`: a scenario's own budget does, and so does
    /// the default one when a thread takes from it (else the engine keeps only their count).
    budget_counts_done: bool,
    latency: Histogram,
    console: Vec<ConsoleLine>,
    lang: Lang,
    status: Status,
    /// Why the run hung, kept as data so that the report follows the language.
    hang: Option<Hung>,
    memory_error: Option<MemoryErrorReport>,
    lingering: Vec<usize>,
    controls: Vec<LoggedControl>,
    /// Controls before this index have been applied (the rest wait for a replay to reach them).
    controls_applied: usize,
    trace: Option<Vec<TraceEvent>>,
    moves: Option<Vec<u32>>,
    /// Moves were dropped since the last frame.
    moves_lost: bool,
    /// Plain worker loops and source loops run without dispatch ([`Sim::run_worker_loop`],
    /// [`Sim::run_source_loop`]); off while tracing, which records each instruction. Turning it
    /// off clears the threads' loops; this flag only remembers it for a replay.
    fast_paths: bool,
    ops: u64,
    /// The last operation executed, `thread << 32 | pc` ([`NO_OP`] before the first), for the
    /// page's mark of the line that just ran.
    last_op: u64,
    /// `ops` when virtual time last moved (or progress was last seen): a run that executes
    /// [`LIVELOCK_OPS`] operations from there without progress is a livelock.
    ops_mark: u64,
    /// [`Sim::progress`] when last seen.
    progress_mark: u64,
    progress_cap: u64,
    /// Threads retired by a lower worker count and ended, per stage: a higher count takes them
    /// back before it makes new ones, so that the thread table stays bounded.
    retired: Vec<Vec<u32>>,
}

impl Sim {
    /// Validates the scenario and sets up a run at time 0 with only the main thread started.
    pub fn new(scenario: Scenario) -> Result<Sim, ScenarioError> {
        scenario.validate()?;
        let code = compile(scenario.threads.iter().map(|t| &t.program[..]));
        let taken_from: Vec<bool> = (0..scenario.queues.len())
            .map(|q| scenario.queue_taken_from(q))
            .collect();
        let queues = scenario
            .queues
            .iter()
            .zip(&taken_from)
            .map(|(spec, &taken)| SimQueue::new(spec, !taken))
            .collect();
        let stages = scenario
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| SimStage {
                service: s.service,
                rng: Rng::new(python::stage_seed(scenario.seed, i)),
                input: s.input,
                workers: Vec::new(),
                target_workers: 0,
                closing: false,
                resizable: scenario.stage_resizable(i),
                started: false,
                completed: 0,
                sojourn_sum: 0,
                in_service: 0,
                in_service_area: TimeIntegral::default(),
            })
            .collect();
        let mut sim = Sim {
            instrs: code.instrs.into(),
            loops: Vec::new().into(),
            entry: code.entry,
            threads: Vec::new(),
            queues,
            stages,
            now: 0,
            seq: 0,
            ready: Ring::new(),
            timers: Timers::new(timer_scale(&scenario)),
            items_made: 0,
            items_done: 0,
            queued_items: 0,
            done_queue: scenario.done_queue.unwrap_or(NO_QUEUE),
            memory_items: scenario.memory_budget().items(),
            budget_counts_done: scenario.memory.is_some()
                || scenario
                    .done_queue
                    .is_some_and(|q| scenario.queue_taken_from(q)),
            latency: Histogram::default(),
            console: Vec::new(),
            lang: Lang::En,
            status: Status::Running,
            hang: None,
            memory_error: None,
            lingering: Vec::new(),
            controls: Vec::new(),
            controls_applied: 0,
            trace: None,
            moves: None,
            moves_lost: false,
            fast_paths: true,
            ops: 0,
            last_op: NO_OP,
            ops_mark: 0,
            progress_mark: 0,
            progress_cap: progress_cap(&scenario),
            retired: vec![Vec::new(); scenario.stages.len()],
            scenario,
        };
        let mut loops = Vec::new();
        for (i, spec) in sim.scenario.threads.iter().enumerate() {
            let polls = python::polls_forever(&spec.program);
            let mut th = SimThread::new(spec.name.clone(), spec.stage, sim.entry[i], polls);
            if let Some(w) = worker_loop(&sim.instrs, sim.entry[i]) {
                th.worker_loop = loops.len() as u32;
                loops.push(w);
            }
            th.source_loop = source_loop(&sim.instrs, sim.entry[i]);
            sim.threads.push(th);
            if let Some(s) = spec.stage {
                sim.stages[s].workers.push(i as u32);
                sim.stages[s].target_workers += 1;
            }
        }
        sim.loops = loops.into();
        sim.set_state(0, ThreadState::Running);
        sim.ready.push_back(0);
        Ok(sim)
    }

    /// Records every executed operation (for replay checks); off by default.
    pub fn with_trace(mut self) -> Sim {
        self.trace = Some(Vec::new());
        self.drop_fast_paths();
        self
    }

    /// Runs every instruction through the interpreter, for tests that check the fast path
    /// against it and for benchmarks that price it.
    #[doc(hidden)]
    pub fn without_fast_path(mut self) -> Sim {
        self.drop_fast_paths();
        self
    }

    /// Forgets every thread's worker and source loop, so that the scheduler finds none to run
    /// directly (workers added later copy a thread that has none).
    fn drop_fast_paths(&mut self) {
        self.fast_paths = false;
        for th in &mut self.threads {
            th.worker_loop = NO_LOOP;
            th.source_loop = None;
        }
    }

    /// Records item moves for [`Sim::frame`]; off by default so that headless runs pay nothing.
    pub fn with_moves(mut self) -> Sim {
        self.moves = Some(Vec::new());
        self
    }

    /// Whether item moves are recorded for frames ([`Sim::with_moves`]).
    pub fn records_moves(&self) -> bool {
        self.moves.is_some()
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn now(&self) -> u64 {
        self.now
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn is_running(&self) -> bool {
        self.status == Status::Running
    }

    pub fn trace(&self) -> &[TraceEvent] {
        self.trace.as_deref().unwrap_or(&[])
    }

    pub fn console(&self) -> &[ConsoleLine] {
        &self.console
    }

    pub fn items_done(&self) -> u64 {
        self.items_done
    }

    /// Console lines in the current language.
    pub fn console_lines(&self) -> Vec<String> {
        self.console
            .iter()
            .map(|l| match self.lang {
                Lang::En => l.en.clone(),
                Lang::Ko => l.ko.clone(),
            })
            .collect()
    }

    /// Advances virtual time by `dt_us`, running everything due by then.
    pub fn step(&mut self, dt_us: u64) -> Status {
        let target = self.now.saturating_add(dt_us);
        self.advance(target, u64::MAX);
        self.status
    }

    /// Like [`Sim::step`] but stops after about `max_ops` operations, so that a caller on a
    /// page's main thread never waits long; time then stops where the work stopped.
    pub fn step_bounded(&mut self, dt_us: u64, max_ops: u64) -> Status {
        let target = self.now.saturating_add(dt_us);
        self.advance(target, max_ops);
        self.status
    }

    /// Runs up to and including the next point in time at which something happens. Unbounded:
    /// for native callers; a page calls [`Sim::step_event_bounded`].
    pub fn step_event(&mut self) -> Status {
        self.step_event_bounded(u64::MAX);
        self.status
    }

    /// [`Sim::step_event`] in at most about `max_ops` operations. `NotYet` leaves the run inside
    /// that point in time; the next call finishes it (and does not go on to the one after).
    pub fn step_event_bounded(&mut self, max_ops: u64) -> Progress {
        let next = if self.ready.is_empty() {
            let next_timer = self.timers.next_at();
            let next_control = self.controls.get(self.controls_applied).map(|c| c.at_us);
            match (next_timer, next_control) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b).unwrap_or(self.now),
            }
        } else {
            self.now
        };
        let reached = self.advance(next, max_ops);
        self.progress(reached)
    }

    /// Runs until the program finishes, hangs (a livelock and the [`HORIZON_US`] included) or
    /// raises `MemoryError`. Unbounded: for native callers.
    pub fn run_to_end(&mut self) -> Status {
        self.advance(u64::MAX, u64::MAX);
        self.status
    }

    /// Goes to virtual time `t`: forward by running, backward by replaying from the start with
    /// the same changes at the same times. Unbounded: for native callers; a page calls
    /// [`Sim::seek_bounded`].
    pub fn seek(&mut self, t: u64) -> Status {
        self.seek_bounded(t, u64::MAX);
        self.status
    }

    /// [`Sim::seek`] in at most about `max_ops` operations. Going back starts the replay at
    /// once (time 0); `NotYet` then leaves the run between 0 and `t`, and the next call with
    /// the same `t` goes on from there, so the page can show how far the replay got.
    pub fn seek_bounded(&mut self, t: u64, max_ops: u64) -> Progress {
        if t < self.now {
            self.restart();
        }
        let reached = self.advance(t, max_ops);
        self.progress(reached)
    }

    fn progress(&self, reached: bool) -> Progress {
        if reached || self.status != Status::Running {
            Progress::Done(self.status)
        } else {
            Progress::NotYet
        }
    }

    /// Back to time 0 with the same settings and the same changes at the same times.
    fn restart(&mut self) {
        let mut fresh = Sim::new(self.scenario.clone()).expect("validated before");
        fresh.lang = self.lang;
        fresh.trace = self.trace.as_ref().map(|_| Vec::new());
        fresh.moves = self.moves.as_ref().map(|_| Vec::new());
        fresh.controls = std::mem::take(&mut self.controls);
        if !self.fast_paths {
            fresh.drop_fast_paths();
        }
        *self = fresh;
    }

    /// Changes how many workers a stage has, from now on. Removed workers finish the item they
    /// hold and end at their next `get`; nothing is lost.
    pub fn set_workers(&mut self, stage: usize, count: u32) -> Result<(), ScenarioError> {
        self.check_workers(stage, count)?;
        self.log_control(Control::Workers { stage, count });
        Ok(())
    }

    /// Changes a queue's `maxsize`, from now on. Items above a lowered bound stay; `put` blocks
    /// until the queue drains below it.
    pub fn set_maxsize(&mut self, queue: usize, maxsize: u32) -> Result<(), ScenarioError> {
        self.check_maxsize(queue, maxsize)?;
        self.log_control(Control::MaxSize { queue, maxsize });
        Ok(())
    }

    fn check_workers(&self, stage: usize, count: u32) -> Result<(), ScenarioError> {
        check_set_workers(
            stage,
            self.stages.len(),
            count,
            MAX_WORKERS,
            self.is_running(),
            || {
                let s = &self.stages[stage];
                let now = StageNow {
                    closing: s.closing,
                    has_workers: !s.workers.is_empty(),
                    resizable: s.resizable,
                };
                (now, ())
            },
        )
    }

    fn check_maxsize(&self, queue: usize, maxsize: u32) -> Result<(), ScenarioError> {
        let kinds: Vec<QueueKind> = self.queues.iter().map(|q| q.kind).collect();
        check_set_maxsize(queue, &kinds, maxsize, self.is_running())
    }

    fn log_control(&mut self, c: Control) {
        // A change made after stepping back starts a new history from here.
        self.controls.truncate(self.controls_applied);
        self.controls.push(LoggedControl {
            ops: self.ops,
            at_us: self.now,
            control: c,
        });
        self.controls_applied += 1;
        self.apply(c);
    }

    fn apply(&mut self, c: Control) {
        match c {
            Control::MaxSize { queue, maxsize } => {
                let q = &mut self.queues[queue];
                let grew = q.maxsize != 0 && (maxsize == 0 || maxsize > q.maxsize);
                q.maxsize = maxsize;
                if grew {
                    // Every parked put re-checks; those that still do not fit park again.
                    while let Some(w) = self.queues[queue].put_waiters.pop_front() {
                        self.make_ready(w as usize);
                    }
                }
            }
            Control::Workers { stage, count } => {
                self.stages[stage].target_workers = count;
                let live: Vec<u32> = self.stages[stage]
                    .workers
                    .iter()
                    .copied()
                    .filter(|&w| {
                        let t = &self.threads[w as usize];
                        t.state != ThreadState::Ended && !t.retiring
                    })
                    .collect();
                let have = live.len() as u32;
                if count > have {
                    // Workers told to go that have not gone yet stay first, as in the live
                    // engine; then retired ones start over; only then are new ones made.
                    let mut need = count - have;
                    for i in 0..self.stages[stage].workers.len() {
                        if need == 0 {
                            break;
                        }
                        let th = &mut self.threads[self.stages[stage].workers[i] as usize];
                        if th.retiring && th.state != ThreadState::Ended {
                            th.retiring = false;
                            need -= 1;
                        }
                    }
                    for _ in 0..need {
                        self.add_worker(stage);
                    }
                } else {
                    for &w in live.iter().rev().take((have - count) as usize) {
                        self.retire(w as usize);
                    }
                }
            }
        }
    }

    fn add_worker(&mut self, stage: usize) {
        if let Some(t) = self.retired[stage].pop() {
            self.rehire(stage, t as usize);
            return;
        }
        let model = self.stages[stage].workers[0] as usize;
        let n = self.stages[stage].workers.len() + 1;
        let name = format!("{}-{}", self.scenario.stages[stage].name, n);
        let t = self.threads.len();
        let (entry, polls) = (self.threads[model].entry, self.threads[model].polls);
        let mut th = SimThread::new(name, Some(stage), entry, polls);
        th.since = self.now;
        th.worker_loop = self.threads[model].worker_loop;
        th.source_loop = self.threads[model].source_loop;
        self.threads.push(th);
        self.stages[stage].workers.push(t as u32);
        if self.stages[stage].started {
            self.make_ready(t);
        }
    }

    /// A retired worker that has ended starts over as a new worker of its stage, keeping its
    /// name and its totals (its slot in the thread table is reused, not a new one made).
    fn rehire(&mut self, stage: usize, t: usize) {
        let now = self.now;
        let th = &mut self.threads[t];
        debug_assert!(th.state == ThreadState::Ended && th.retiring);
        th.time_in[th.timed as usize] += now - th.since;
        th.since = now;
        th.timed = ThreadState::NotStarted;
        th.state = ThreadState::NotStarted;
        th.pc = th.entry;
        th.held = None;
        th.counter = 0;
        th.retiring = false;
        th.wait = Wait::Nothing;
        th.joiners.clear();
        if self.stages[stage].started {
            self.make_ready(t);
        }
    }

    fn retire(&mut self, t: usize) {
        self.threads[t].retiring = true;
        match self.threads[t].state {
            ThreadState::NotStarted => self.end_thread(t),
            ThreadState::BlockedGet => {
                if let Wait::Queue(q) = self.threads[t].wait {
                    self.queues[q as usize]
                        .get_waiters
                        .retain(|&w| w as usize != t);
                }
                self.end_thread(t);
            }
            // Working, polling or blocked on put: it ends at its next get, after its item.
            _ => {}
        }
    }

    /// Runs everything due up to `limit` (inclusive, and at most [`HORIZON_US`]) and at most
    /// `max_ops` operations, applying logged controls after the operation they followed. False
    /// when `max_ops` ran out first.
    fn advance(&mut self, limit: u64, max_ops: u64) -> bool {
        let limit = limit.min(HORIZON_US);
        let budget_end = self.ops.saturating_add(max_ops);
        while self.status == Status::Running {
            let Some(c) = self.controls.get(self.controls_applied).copied() else {
                return self.run(limit, budget_end);
            };
            let until = limit.min(c.at_us.max(self.now));
            let reached = self.run(until, budget_end.min(c.ops));
            if self.status != Status::Running {
                return true;
            }
            // Stopped before the change by the caller's budget or time limit. (A log whose
            // operation count the run never reaches by its time, one made by hand, applies it
            // at its time.)
            if self.ops < c.ops && !(reached && until == c.at_us) {
                return self.ops < budget_end;
            }
            // Every operation before the change has run, and in the run that made it nothing
            // else happened until it was made: only time passed.
            if c.at_us > limit {
                self.now = self.now.max(limit);
                return true;
            }
            self.now = self.now.max(c.at_us);
            self.controls_applied += 1;
            self.apply_logged(c.control);
        }
        true
    }

    /// The scheduler loop. Returns false when the operation budget ran out first.
    fn run(&mut self, limit: u64, budget_end: u64) -> bool {
        let instrs = std::rc::Rc::clone(&self.instrs);
        let loops = std::rc::Rc::clone(&self.loops);
        // The operation bound moves when time does (here), or when a thread saw progress (then
        // this copy is short, and the next thread to reach it renews it).
        let mut stop = self.op_bound(budget_end);
        loop {
            if self.status != Status::Running {
                return true;
            }
            if self.ops >= budget_end {
                return false;
            }
            // The next thread to run: the longest ready, else the one whose deadline is next.
            let t = match self.ready.pop_front() {
                Some(t) => t as usize,
                None => match self.timers.pop_due(limit) {
                    Some((at, tag)) => {
                        if at != self.now {
                            self.now = at;
                            self.ops_mark = self.ops;
                            stop = self.op_bound(budget_end);
                        }
                        let t = (tag & 0xff_ffff) as usize;
                        self.timer_fired(t, &instrs, &loops);
                        t
                    }
                    None if self.timers.is_empty() => {
                        self.nothing_left();
                        return true;
                    }
                    None => {
                        self.now = limit;
                        if limit == HORIZON_US {
                            // Only deadlines past the horizon are left: it can never finish.
                            self.report_hang(Some(HangKind::Horizon));
                        }
                        return true;
                    }
                },
            };
            self.resume(t, stop, budget_end, &instrs, &loops);
        }
    }

    /// Items made and finished so far, each counted up to `progress_cap`.
    #[inline]
    fn progress_count(&self) -> u64 {
        self.items_made.min(self.progress_cap) + self.items_done.min(self.progress_cap)
    }

    /// A thread reached its `stop` short of the budget's end: if the bound has moved since
    /// that `stop` was computed, or items moved since the bound was last set, the new bound, up
    /// to which the thread goes on; `None` when the run is a livelock.
    #[cold]
    #[inline(never)]
    fn renew_bound(&mut self, budget_end: u64) -> Option<u64> {
        let bound = self.op_bound(budget_end);
        if self.ops < bound {
            return Some(bound);
        }
        let progress = self.progress_count();
        if progress == self.progress_mark {
            return None;
        }
        self.progress_mark = progress;
        self.ops_mark = self.ops;
        Some(self.op_bound(budget_end))
    }

    /// Runs thread `t` until it blocks, starts timed work, yields or ends: a plain worker loop
    /// or a source loop directly, anything else through the interpreter.
    #[inline(always)]
    fn resume(
        &mut self,
        t: usize,
        stop: u64,
        budget_end: u64,
        instrs: &[Instr],
        loops: &[WorkerLoop],
    ) {
        let th = at(&self.threads, t);
        if let Some(w) = loops.get(th.worker_loop as usize) {
            if !self.run_worker_loop(t, w, stop) {
                return;
            }
        } else if let Some(s) = th.source_loop.filter(|s| s.put == th.pc) {
            if !self.run_source_loop(t, s, stop, budget_end) {
                return;
            }
        }
        self.run_thread(t, stop, budget_end, instrs);
    }

    /// What [`Sim::run_thread`] does for a worker at its loop's `put` or `get`, step for step
    /// (the same operation counts, budget stops and state changes), without fetching and
    /// dispatching instructions. Anything off the loop's usual path stops at an instruction
    /// boundary and returns true: the interpreter goes on from there.
    #[inline(always)]
    fn run_worker_loop(&mut self, t: usize, w: &WorkerLoop, stop: u64) -> bool {
        let th = at(&self.threads, t);
        if th.pc == w.put {
            let Some(token) = th.held else {
                return true;
            };
            if self.ops >= stop {
                return true;
            }
            self.ops += 1;
            self.last_op = op_id(t, w.put);
            if !self.put(t, w.output as usize, token, Value::Held, w.get) {
                return false;
            }
            if !self.task_done(w.input as usize) {
                at_mut(&mut self.threads, t).pc = w.task_done;
                return true;
            }
        } else if th.pc != w.get {
            return true;
        }
        // At the loop's `get`, whose fused SENTINEL check and `work` are known.
        if self.ops >= stop {
            return true;
        }
        self.ops += 1;
        self.last_op = op_id(t, w.get);
        let fused = Fused::SentinelWork {
            target: w.sentinel,
            stage: w.stage,
        };
        self.get(t, w.input as usize, w.work, &fused)
    }

    /// What [`Sim::run_thread`] does for a thread at its source loop's `put`: puts new items
    /// until the queue is full or the loop ends, with the same counts and budget stops. Returns
    /// true when the interpreter goes on (the loop ended, or the budget or livelock bound).
    #[inline(always)]
    fn run_source_loop(&mut self, t: usize, s: SourceLoop, mut stop: u64, budget_end: u64) -> bool {
        loop {
            // Every item it puts is progress: a long loop goes on here, not in the interpreter.
            if self.ops >= stop {
                if self.ops >= budget_end {
                    return true;
                }
                match self.renew_bound(budget_end) {
                    Some(bound) => stop = bound,
                    None => return true,
                }
            }
            self.ops += 1;
            self.last_op = op_id(t, s.put);
            let id = self.items_made;
            self.items_made += 1;
            let token = Token {
                id,
                born: self.now,
                entered: self.now,
            };
            if !self.put(t, s.queue as usize, token, Value::NewItem, s.exit) {
                return false;
            }
            let th = at_mut(&mut self.threads, t);
            th.counter = th.counter.saturating_sub(1);
            if th.counter == 0 {
                return true;
            }
            th.pc = s.put;
        }
    }

    /// How many operations a thread may run up to before it stops: the budget's end, or the
    /// livelock bound (operations since time last moved or progress was last seen), whichever
    /// is first.
    #[inline(always)]
    fn op_bound(&self, budget_end: u64) -> u64 {
        budget_end.min(self.ops_mark.saturating_add(LIVELOCK_OPS))
    }

    /// Books one executed operation: thread `t` runs the instruction at `pc`.
    #[inline(always)]
    fn count_op(&mut self, t: usize, pc: usize) {
        self.ops += 1;
        self.last_op = op_id(t, pc as u32);
        if self.trace.is_some() {
            self.record_trace(t, pc);
        }
    }

    /// Only runs built `with_trace` (tests of determinism); the page never traces.
    #[cold]
    fn record_trace(&mut self, t: usize, pc: usize) {
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                time: self.now,
                thread: t as u32,
                pc: pc as u32,
            });
        }
    }

    #[inline(always)]
    fn timer_fired(&mut self, t: usize, instrs: &[Instr], loops: &[WorkerLoop]) {
        let th = at(&self.threads, t);
        if let Some(w) = loops
            .get(th.worker_loop as usize)
            .filter(|w| w.work == th.pc)
        {
            // A worker loop's work ended: it goes on at its `put`.
            self.finish_work(t, w.stage as usize);
            at_mut(&mut self.threads, t).pc = w.put;
            self.set_state(t, ThreadState::Running);
            return;
        }
        let instr = &instrs[th.pc as usize];
        if let (ThreadState::Working, OpKind::Work { stage }) = (th.state, instr.kind) {
            self.finish_work(t, stage);
        }
        at_mut(&mut self.threads, t).pc = instr.next;
        self.set_state(t, ThreadState::Running);
    }

    /// Thread `t` waits until `at`. A deadline past [`HORIZON_US`] never comes due: when time
    /// reaches the horizon with only such deadlines left, the run ends ([`Sim::run`]).
    #[inline]
    fn push_timer(&mut self, t: usize, at: u64) {
        self.seq += 1;
        self.timers.push(at, (self.seq << 24) | t as u64, self.now);
    }

    #[inline]
    fn set_state(&mut self, t: usize, s: ThreadState) {
        let now = self.now;
        let th = at_mut(&mut self.threads, t);
        th.state = s;
        if s != ThreadState::Running {
            th.time_in[th.timed as usize] += now - th.since;
            th.since = now;
            th.timed = s;
        }
    }

    #[inline]
    fn make_ready(&mut self, t: usize) {
        self.set_state(t, ThreadState::Running);
        self.ready.push_back(t as u32);
    }

    #[inline]
    fn park(&mut self, t: usize, s: ThreadState, wait: Wait) {
        self.set_state(t, s);
        at_mut(&mut self.threads, t).wait = wait;
    }

    #[inline]
    fn record_move(&mut self, item: u64, from: u32, to: u32) {
        if let Some(m) = &mut self.moves {
            if m.len() >= MAX_MOVE_WORDS {
                // Nobody is reading frames (a hidden page, a headless run): drop the backlog
                // rather than grow without bound; the next frame's queue contents are exact.
                m.clear();
                self.moves_lost = true;
            }
            let id = if item == Token::SENTINEL {
                SENTINEL_ID
            } else {
                item as u32
            };
            m.extend_from_slice(&[id, from, to]);
        }
    }

    /// Executes thread `t` until it blocks, starts timed work, yields or ends.
    fn run_thread(&mut self, t: usize, mut stop: u64, budget_end: u64, instrs: &[Instr]) {
        loop {
            if self.ops >= stop {
                if self.ops >= budget_end {
                    // Out of budget: resume here first next time.
                    self.ready.push_front(t as u32);
                    return;
                }
                match self.renew_bound(budget_end) {
                    Some(bound) => stop = bound,
                    None => {
                        self.report_hang(Some(HangKind::Livelock));
                        return;
                    }
                }
            }
            let pc = at(&self.threads, t).pc as usize;
            self.count_op(t, pc);
            let op = &instrs[pc];
            match op.kind {
                OpKind::Put { queue, value } => {
                    let token = match value {
                        Value::NewItem => {
                            let id = self.items_made;
                            self.items_made += 1;
                            Token {
                                id,
                                born: self.now,
                                entered: self.now,
                            }
                        }
                        Value::Held => match at(&self.threads, t).held {
                            Some(tok) => tok,
                            None => {
                                self.raise(t, op.line, error::NAME_NO_ITEM);
                                return;
                            }
                        },
                        Value::Sentinel => Token::sentinel(self.now),
                    };
                    if !self.put(t, queue, token, value, op.next) {
                        return;
                    }
                    match op.fused {
                        Fused::Loop { target } => {
                            let th = at_mut(&mut self.threads, t);
                            th.counter = th.counter.saturating_sub(1);
                            if th.counter > 0 {
                                th.pc = target;
                            }
                        }
                        Fused::TaskDone { queue, at } => {
                            let done = self.task_done(queue as usize);
                            if !done {
                                // Too many: the `task_done` itself raises, at its own line.
                                at_mut(&mut self.threads, t).pc = at;
                            } else if let OpKind::Get { queue } = instrs[op.next as usize].kind {
                                // A worker's loop goes back to its `get`: run it here, as the
                                // loop would, without going through the dispatch.
                                if self.ops < stop {
                                    let pc = op.next as usize;
                                    self.count_op(t, pc);
                                    let get = &instrs[pc];
                                    if !self.get(t, queue, get.next, &get.fused) {
                                        return;
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
                OpKind::Close { queue } => {
                    if !self.put(
                        t,
                        queue,
                        Token::sentinel(self.now),
                        Value::Sentinel,
                        op.next,
                    ) {
                        return;
                    }
                }
                OpKind::Get { queue } => {
                    if !self.get(t, queue, op.next, &op.fused) {
                        return;
                    }
                }
                OpKind::PollGet { queue, on_empty } => {
                    if at(&self.threads, t).retiring {
                        self.end_thread(t);
                        return;
                    }
                    at_mut(&mut self.threads, t).polled += 1;
                    match at_mut(&mut self.queues, queue).try_get(self.now) {
                        Ok(token) => self.took(t, queue, token, op.next),
                        Err(_) => {
                            // IndexError: the poll found nothing.
                            let th = at_mut(&mut self.threads, t);
                            th.wasted_polls += 1;
                            th.pc = on_empty as u32;
                        }
                    }
                }
                OpKind::TaskDone { queue } => {
                    if !self.task_done(queue) {
                        self.raise(t, op.line, error::TASK_DONE_TOO_MANY);
                        return;
                    }
                    at_mut(&mut self.threads, t).pc = op.next;
                }
                OpKind::Join { queue } => {
                    if self.queues[queue].unfinished == 0 {
                        at_mut(&mut self.threads, t).pc = op.next;
                    } else {
                        at_mut(&mut self.queues, queue).join_waiters.push(t as u32);
                        self.park(t, ThreadState::Joining, Wait::Queue(queue as u32));
                        return;
                    }
                }
                OpKind::IfSentinel { target } => {
                    let th = at_mut(&mut self.threads, t);
                    if th.held.is_some_and(|h| h.is_sentinel()) {
                        th.held = None;
                        th.pc = target as u32;
                    } else {
                        th.pc = op.next;
                    }
                }
                OpKind::Work { stage } => {
                    if !self.start_work(t, stage) {
                        return;
                    }
                }
                OpKind::Sleep { us, polling } => {
                    let s = if polling {
                        ThreadState::Polling
                    } else {
                        ThreadState::Sleeping
                    };
                    self.set_state(t, s);
                    self.push_timer(t, self.now.saturating_add(us));
                    return;
                }
                OpKind::Print { text, args } => {
                    self.print(t, op.line, text as usize, args);
                    at_mut(&mut self.threads, t).pc = op.next;
                }
                OpKind::Start { thread } => {
                    if self.threads[thread].state != ThreadState::NotStarted {
                        self.raise(t, op.line, error::START_TWICE);
                        return;
                    }
                    if let Some(s) = self.threads[thread].stage {
                        // Workers added to this stage later start at once, like this one.
                        self.stages[s].started = true;
                    }
                    self.start(t, thread);
                    at_mut(&mut self.threads, t).pc = op.next;
                    return;
                }
                OpKind::StartStage { stage } => {
                    let next = self.stages[stage]
                        .workers
                        .iter()
                        .copied()
                        .find(|&w| self.threads[w as usize].state == ThreadState::NotStarted);
                    match next {
                        Some(w) => {
                            self.stages[stage].started = true;
                            // Re-run this op after the new thread had its turn: it starts the next.
                            self.start(t, w as usize);
                            return;
                        }
                        None => {
                            self.stages[stage].started = true;
                            at_mut(&mut self.threads, t).pc = op.next;
                        }
                    }
                }
                OpKind::JoinThread { thread } => {
                    if !self.join_thread(t, thread, op.line) {
                        return;
                    }
                    at_mut(&mut self.threads, t).pc = op.next;
                }
                OpKind::JoinStage { stage } => {
                    let next = self.stages[stage]
                        .workers
                        .iter()
                        .copied()
                        .find(|&w| self.threads[w as usize].state != ThreadState::Ended);
                    match next {
                        Some(w) => {
                            self.join_thread(t, w as usize, op.line);
                            return;
                        }
                        None => at_mut(&mut self.threads, t).pc = op.next,
                    }
                }
                OpKind::Repeat { times, end } => {
                    if let Count::Workers(s) = times {
                        // `for _ in threads:` has counted the workers: from here on a change
                        // would leave a worker without its SENTINEL, so the count is fixed.
                        self.stages[s].closing = true;
                    }
                    let n = self.count(times);
                    let th = at_mut(&mut self.threads, t);
                    th.counter = n;
                    th.pc = if n == 0 { end as u32 } else { op.next };
                }
                OpKind::Loop { target } => {
                    let th = at_mut(&mut self.threads, t);
                    th.counter = th.counter.saturating_sub(1);
                    th.pc = if th.counter > 0 {
                        target as u32
                    } else {
                        op.next
                    };
                }
                OpKind::BusyWait { queue, until } => {
                    if self.queues[queue].len() as u64 >= self.count(until) {
                        at_mut(&mut self.threads, t).pc = op.next;
                    } else {
                        self.queues[queue].spinners.push(t as u32);
                        self.park(t, ThreadState::Spinning, Wait::Queue(queue as u32));
                        return;
                    }
                }
                OpKind::Jump { target } => at_mut(&mut self.threads, t).pc = target as u32,
                OpKind::End => {
                    self.end_thread(t);
                    return;
                }
            }
        }
    }

    /// `item = queue.get()` (with a fused SENTINEL check and `work`), going on at `next`;
    /// returns false when the thread stopped running (parked, working, ended).
    #[inline(always)]
    fn get(&mut self, t: usize, queue: usize, next: u32, fused: &Fused) -> bool {
        if at(&self.threads, t).retiring {
            self.end_thread(t);
            return false;
        }
        match at_mut(&mut self.queues, queue).try_get(self.now) {
            Ok(token) => {
                self.took(t, queue, token, next);
                match *fused {
                    Fused::Sentinel { target } | Fused::SentinelWork { target, .. }
                        if token.is_sentinel() =>
                    {
                        let th = at_mut(&mut self.threads, t);
                        th.held = None;
                        th.pc = target;
                        true
                    }
                    Fused::SentinelWork { stage, .. } => self.start_work(t, stage as usize),
                    _ => true,
                }
            }
            Err(_) => {
                at_mut(&mut self.queues, queue)
                    .get_waiters
                    .push_back(t as u32);
                self.park(t, ThreadState::BlockedGet, Wait::Queue(queue as u32));
                false
            }
        }
    }

    /// `queue.task_done()`, waking the joiners when no task is left; false when it was called
    /// once too often (`ValueError`, nothing changed).
    #[inline(always)]
    fn task_done(&mut self, queue: usize) -> bool {
        match at_mut(&mut self.queues, queue).task_done() {
            Ok(zero) => {
                if zero {
                    let waiters = std::mem::take(&mut at_mut(&mut self.queues, queue).join_waiters);
                    for w in waiters {
                        self.make_ready(w as usize);
                    }
                }
                true
            }
            Err(_) => false,
        }
    }

    /// `work(stage)`, the instruction at the thread's `pc`: draws the service time and starts
    /// it. Returns false when the thread now waits for it; true when it took no time and the
    /// thread goes on.
    #[inline(always)]
    fn start_work(&mut self, t: usize, stage: usize) -> bool {
        let now = self.now;
        let st = at_mut(&mut self.stages, stage);
        let d = st.service.sample(&mut st.rng);
        st.in_service_area.enter(now);
        st.in_service += 1;
        if d == 0 {
            self.finish_work(t, stage);
            let th = at_mut(&mut self.threads, t);
            th.pc = self.instrs[th.pc as usize].next;
            true
        } else {
            self.set_state(t, ThreadState::Working);
            // Cannot overflow: `now` stays within the horizon (a year) and a draw within a few
            // dozen times a mean of at most a day.
            self.push_timer(t, now + d);
            false
        }
    }

    /// `put`; returns false when the thread parked (full) or the run ended (`MemoryError`).
    #[inline(always)]
    fn put(&mut self, t: usize, queue: usize, mut token: Token, value: Value, next: u32) -> bool {
        let now = self.now;
        token.entered = now;
        let q = at_mut(&mut self.queues, queue);
        if q.try_put(token, now).is_err() {
            q.put_waiters.push_back(t as u32);
            if value == Value::NewItem {
                // The item is made again when the put retries.
                self.items_made -= 1;
            }
            self.park(t, ThreadState::BlockedPut, Wait::Queue(queue as u32));
            return false;
        }
        let waiter = q.get_waiters.pop_front();
        let spinners = !q.spinners.is_empty();
        let th = at_mut(&mut self.threads, t);
        if value == Value::Held {
            th.held = None;
        }
        th.pc = next;
        if self.moves.is_some() {
            self.record_put(t, queue, token.id, value);
        }
        if token.is_sentinel() {
            self.closing(queue);
        } else {
            self.queued_items += 1;
            if self.done_queue == queue {
                self.items_done += 1;
                self.latency.record(now - token.born);
                // Kept as a count only: the default budget does not count it.
                self.queued_items -= u64::from(!self.budget_counts_done);
            }
            if self.queued_items > self.memory_items {
                self.memory_error(t, queue);
                return false;
            }
        }
        if let Some(w) = waiter {
            self.make_ready(w as usize);
        }
        if spinners {
            self.wake_spinners(queue);
        }
        true
    }

    #[cold]
    fn record_put(&mut self, t: usize, queue: usize, item: u64, value: Value) {
        let from = if value == Value::Held {
            place::THREAD | t as u32
        } else {
            place::SOURCE
        };
        self.record_move(item, from, place::QUEUE | queue as u32);
    }

    /// A SENTINEL went in: the stages reading this queue are shutting down.
    #[cold]
    fn closing(&mut self, queue: usize) {
        for s in &mut self.stages {
            if s.input == queue {
                s.closing = true;
            }
        }
    }

    #[cold]
    fn wake_spinners(&mut self, queue: usize) {
        let spinners = std::mem::take(&mut self.queues[queue].spinners);
        for w in spinners {
            self.make_ready(w as usize);
        }
    }

    /// A successful get: the token becomes the thread's held item.
    #[inline(always)]
    fn took(&mut self, t: usize, queue: usize, token: Token, next: u32) {
        let waiter = at_mut(&mut self.queues, queue).put_waiters.pop_front();
        if !token.is_sentinel() {
            self.queued_items -= 1;
            if self.done_queue == NO_QUEUE {
                self.items_done += 1;
                self.latency.record(self.now - token.born);
            }
        }
        if self.moves.is_some() {
            self.record_move(
                token.id,
                place::QUEUE | queue as u32,
                place::THREAD | t as u32,
            );
        }
        let th = at_mut(&mut self.threads, t);
        th.held = Some(token);
        th.pc = next;
        if let Some(w) = waiter {
            self.make_ready(w as usize);
        }
    }

    #[inline(always)]
    fn finish_work(&mut self, t: usize, stage: usize) {
        let now = self.now;
        let st = at_mut(&mut self.stages, stage);
        st.in_service_area.leave(now);
        st.in_service -= 1;
        st.completed += 1;
        let th = at_mut(&mut self.threads, t);
        th.work_done += 1;
        if let Some(h) = &mut th.held {
            st.sojourn_sum += (now - h.entered) as u128;
            h.entered = now;
        }
    }

    fn start(&mut self, by: usize, t: usize) {
        let th = at_mut(&mut self.threads, t);
        th.since = self.now;
        self.make_ready(t);
        // The starter waits behind the new thread, as `Thread.start` waits for `_started`.
        self.ready.push_back(by as u32);
    }

    /// `thread.join()`; returns true when the thread has already ended.
    fn join_thread(&mut self, t: usize, target: usize, line: u32) -> bool {
        match self.threads[target].state {
            ThreadState::Ended => true,
            ThreadState::NotStarted => {
                self.raise(t, line, error::JOIN_NOT_STARTED);
                false
            }
            _ => {
                self.threads[target].joiners.push(t as u32);
                self.park(t, ThreadState::Joining, Wait::Thread(target as u32));
                false
            }
        }
    }

    fn count(&self, c: Count) -> u64 {
        match c {
            Count::Const(n) => n,
            Count::Items => self.scenario.items,
            Count::Workers(s) => self.stages[s]
                .workers
                .iter()
                .filter(|&&w| {
                    let t = &self.threads[w as usize];
                    t.state != ThreadState::Ended && !t.retiring
                })
                .count() as u64,
        }
    }

    fn print(&mut self, t: usize, line: u32, text: usize, args: crate::scenario::PrintArgs) {
        let values: Vec<String> = [args.0, args.1]
            .into_iter()
            .flatten()
            .map(|e| match e {
                Expr::QSize(q) => self.queues[q].len().to_string(),
                Expr::PolledTotal => self
                    .threads
                    .iter()
                    .map(|t| t.polled)
                    .sum::<u64>()
                    .to_string(),
            })
            .collect();
        let text = &self.scenario.texts[text];
        let line = ConsoleLine {
            time_us: self.now,
            thread: t,
            line,
            en: text.fill(Lang::En, &values),
            ko: text.fill(Lang::Ko, &values),
        };
        push_console_line(&mut self.console, line);
    }

    /// An exception ends the thread and is printed, as Python's threading does.
    #[cold]
    fn raise(&mut self, t: usize, line: u32, error: &str) {
        let said = python::exception(&self.threads[t].name, error);
        self.console.push(ConsoleLine {
            time_us: self.now,
            thread: t,
            line,
            en: said.en,
            ko: said.ko,
        });
        self.end_thread(t);
    }

    fn end_thread(&mut self, t: usize) {
        self.set_state(t, ThreadState::Ended);
        if let (true, Some(stage)) = (self.threads[t].retiring, self.threads[t].stage) {
            self.retired[stage].push(t as u32);
        }
        at_mut(&mut self.threads, t).wait = Wait::Nothing;
        if let Some(tok) = at_mut(&mut self.threads, t).held.take() {
            // Python would drop it too; keep the books straight for the page.
            self.record_move(tok.id, place::THREAD | t as u32, place::DONE);
        }
        let joiners = std::mem::take(&mut at_mut(&mut self.threads, t).joiners);
        for j in joiners {
            self.make_ready(j as usize);
        }
        if t == 0 {
            self.main_ended();
        }
    }

    /// The program's end: when main returns, the run is over unless other threads still run
    /// to an end. Polling workers (`while True`) never end, so they are listed as lingering.
    fn main_ended(&mut self) {
        let live: Vec<usize> = (1..self.threads.len())
            .filter(|&i| self.threads[i].state.is_alive())
            .collect();
        if live.iter().all(|&i| self.threads[i].polls) {
            self.lingering = live;
            self.status = Status::Finished;
        }
    }

    /// No thread can run and no timer is pending.
    fn nothing_left(&mut self) {
        if self.threads.iter().all(|t| !t.state.is_alive()) {
            self.status = Status::Finished;
        } else {
            self.report_hang(None);
        }
    }

    #[cold]
    fn memory_error(&mut self, t: usize, queue: usize) {
        let m = self.scenario.memory_budget();
        let bytes = self.queued_items * m.item_bytes;
        let longest = python::blamed_queue(self.queues.iter().map(|q| q.len()), queue);
        let q = self.queues[longest].name.clone();
        let said = python::memory_error(self.queued_items, bytes, m.budget_bytes, &q);
        self.console.push(ConsoleLine {
            time_us: self.now,
            thread: t,
            line: self.current_line(t),
            en: said.en.clone(),
            ko: said.ko,
        });
        self.memory_error = Some(MemoryErrorReport {
            at_us: self.now,
            queue: q,
            items_queued: self.queued_items,
            bytes,
            budget_bytes: m.budget_bytes,
            message: said.en,
        });
        self.status = Status::MemoryError;
    }

    fn current_line(&self, t: usize) -> u32 {
        let th = &self.threads[t];
        self.instrs[th.pc as usize].line
    }

    #[cold]
    fn report_hang(&mut self, kind: Option<HangKind>) {
        self.hang = Some(Hung::seen(&*self, self.now, kind));
        self.status = Status::Hang;
    }

    /// The hang report in the current language, when the run hung.
    pub fn hang(&self) -> Option<HangReport> {
        self.hang.as_ref().map(|h| h.report(self.lang))
    }

    /// The totals, per thread, queue and stage, now.
    pub fn stats(&self) -> Stats {
        let now = self.now;
        let time_in = |th: &SimThread, s: ThreadState| {
            th.time_in[s as usize] + if th.timed == s { now - th.since } else { 0 }
        };
        let threads: Vec<ThreadStats> = self
            .threads
            .iter()
            .enumerate()
            .map(|(i, th)| ThreadStats {
                name: th.name.clone(),
                stage: th.stage,
                state: th.state,
                line: self.current_line(i),
                busy_us: time_in(th, ThreadState::Working),
                blocked_on_get_us: time_in(th, ThreadState::BlockedGet),
                blocked_on_put_us: time_in(th, ThreadState::BlockedPut),
                polling_us: time_in(th, ThreadState::Polling),
                sleeping_us: time_in(th, ThreadState::Sleeping),
                spinning_us: time_in(th, ThreadState::Spinning),
                joining_us: time_in(th, ThreadState::Joining),
                polled_count: th.polled,
                wasted_polls: th.wasted_polls,
                work_done: th.work_done,
            })
            .collect();
        let secs = now as f64 / 1e6;
        let per_s = |n: u64| if now == 0 { 0.0 } else { n as f64 / secs };
        let stages: Vec<StageStats> = self
            .stages
            .iter()
            .enumerate()
            .map(|(s, st)| {
                let workers = st.target_workers;
                let (mut busy, mut alive, mut bget, mut bput) = (0, 0, 0, 0);
                for &w in &st.workers {
                    let th = &self.threads[w as usize];
                    busy += time_in(th, ThreadState::Working);
                    bget += time_in(th, ThreadState::BlockedGet);
                    bput += time_in(th, ThreadState::BlockedPut);
                    alive += ThreadState::ALL
                        .iter()
                        .filter(|s| s.is_alive())
                        .map(|&s| time_in(th, s))
                        .sum::<u64>();
                }
                let mean = st.service.mean_us();
                let in_service_area = st.in_service_area.area_at(st.in_service, now) as f64;
                let queue_mean = self.queues[st.input].mean_len(now);
                StageStats::derive(
                    StageTotals {
                        name: self.scenario.stages[s].name.clone(),
                        workers,
                        service_mean_us: mean,
                        completed: st.completed,
                        busy_us: busy,
                        alive_us: alive,
                        blocked_on_get_us: bget,
                        blocked_on_put_us: bput,
                        queue_mean,
                        in_service_area,
                        sojourn_sum_us: st.sojourn_sum,
                        arrived: self.queues[st.input].puts,
                    },
                    now,
                )
            })
            .collect();
        let bottleneck = crate::stats::bottleneck(&stages);
        let theoretical = crate::stats::theoretical_best(&stages);
        let polls = threads.iter().map(|t| t.polled_count).sum();
        let wasted_polls = threads.iter().map(|t| t.wasted_polls).sum();
        let wasted_cpu_us = threads.iter().map(|t| t.spinning_us).sum();
        let item_bytes = self.scenario.memory.as_ref().map_or(0, |m| m.item_bytes);
        Stats {
            status: self.status,
            virtual_time_us: now,
            items_done: self.items_done,
            items_total: self.scenario.items,
            throughput_per_s: per_s(self.items_done),
            theoretical_per_s: theoretical,
            latency: self.latency.summary(),
            threads,
            queues: self
                .queues
                .iter()
                .map(|q| QueueStats {
                    name: q.name.clone(),
                    maxsize: q.maxsize,
                    len: q.len() as u64,
                    mean_len: q.mean_len(now),
                    max_len: q.max_len,
                    unfinished_tasks: q.unfinished,
                    puts: q.puts,
                    gets: q.gets,
                })
                .collect(),
            stages,
            bottleneck,
            polls,
            wasted_polls,
            wasted_cpu_us,
            memory_bytes: self.queued_items * item_bytes,
            memory_budget_bytes: self.scenario.memory.as_ref().map(|m| m.budget_bytes),
            console: self.console_lines(),
            events: self.ops,
            lingering: self
                .lingering
                .iter()
                .map(|&i| self.threads[i].name.clone())
                .collect(),
            hang: self.hang(),
            memory_error: self.memory_error.clone(),
        }
    }

    /// What the canvas draws now; takes the moves recorded since the last frame.
    pub fn frame(&mut self) -> Frame {
        let mut f = Frame {
            time_us: self.now,
            ..Frame::default()
        };
        self.frame_into(&mut f);
        f
    }

    /// Fills `f` in place, reusing its buffers (the page calls this every animation frame).
    pub fn frame_into(&mut self, f: &mut Frame) {
        f.time_us = self.now;
        f.thread_state.clear();
        f.thread_line.clear();
        f.thread_item.clear();
        for i in 0..self.threads.len() {
            let th = &self.threads[i];
            f.thread_state.push(th.state as u8);
            f.thread_line.push(if th.state == ThreadState::Ended {
                0
            } else {
                self.current_line(i)
            });
            f.thread_item.push(match th.held {
                None => NO_ITEM,
                Some(t) if t.is_sentinel() => SENTINEL_ID,
                Some(t) => t.id as u32,
            });
        }
        f.queue_start.clear();
        f.queue_items.clear();
        f.queue_len.clear();
        f.queue_maxsize.clear();
        for q in &self.queues {
            f.queue_len.push(q.len() as u32);
            f.queue_maxsize.push(q.maxsize);
            f.queue_start.push(f.queue_items.len() as u32);
            f.queue_items.extend(q.items.iter().map(|t| {
                if t.is_sentinel() {
                    SENTINEL_ID
                } else {
                    t.id as u32
                }
            }));
        }
        f.queue_start.push(f.queue_items.len() as u32);
        f.moves.clear();
        if let Some(m) = &mut self.moves {
            std::mem::swap(&mut f.moves, m);
        }
        f.moves_lost = std::mem::take(&mut self.moves_lost);
    }

    // --- The lesson's clock: operations ---------------------------------------------------
    //
    // Many operations happen at one virtual microsecond (P2-P4 run wholly at time 0), so a
    // lesson steps by operation: one dispatch of one thread, which is one Python line (a `get`,
    // a `put`, a `print`, a `task_done`, a thread start...; a `get` and its `if item is
    // SENTINEL` check, or a `put` and the `task_done` after it, are one operation, as the
    // engine fuses them). The fast paths count operations as the interpreter does, so an
    // operation count names one state of the run.

    /// Operations executed since the start.
    pub fn ops(&self) -> u64 {
        self.ops
    }

    /// The operation that ran last: its thread and Python line (0 for a thread falling off the
    /// end of its program); `None` before the first.
    pub fn last_op(&self) -> Option<(usize, u32)> {
        (self.last_op != NO_OP).then(|| {
            let pc = (self.last_op & 0xffff_ffff) as usize;
            ((self.last_op >> 32) as usize, self.instrs[pc].line)
        })
    }

    /// Threads are ready to run at the current instant: more operations happen before virtual
    /// time moves (Play paces these one by one with time standing still).
    pub fn instant_pending(&self) -> bool {
        self.is_running() && !self.ready.is_empty()
    }

    /// Runs exactly one operation of one thread, the next in the engine's order; when no thread
    /// is ready now, time first moves to the next deadline. At the end of the run it only
    /// settles the status (finished or hung), running nothing.
    pub fn step_op(&mut self) -> Status {
        self.advance(u64::MAX, 1);
        self.status
    }

    /// Goes to the state after exactly `n` operations, with the logged controls applied after
    /// the operations they followed: forward by running, backward by replaying from the start.
    /// Runs at most `max_ops` operations per call, so that a long seek can be spread over
    /// several calls; true once it got there (or the run ended before `n`).
    pub fn seek_ops(&mut self, n: u64, max_ops: u64) -> bool {
        if n < self.ops {
            self.restart();
        }
        let todo = n - self.ops;
        self.advance(u64::MAX, todo.min(max_ops));
        self.ops == n || !self.is_running()
    }

    /// Runs until one more item is done (or the run ends), at most `max_ops` operations; true
    /// when it got there. Each operation is run on its own, so it stops right after the one
    /// that finished the item.
    pub fn step_item(&mut self, max_ops: u64) -> bool {
        let done = self.items_done;
        for _ in 0..max_ops {
            if !self.is_running() || self.items_done > done {
                break;
            }
            self.advance(u64::MAX, 1);
        }
        !self.is_running() || self.items_done > done
    }

    /// The controls logged so far, in order: those made while running and those a replay has
    /// still to reach.
    pub fn controls(&self) -> &[LoggedControl] {
        &self.controls
    }

    /// Gives the run controls to apply when it reaches them (a shared link's log), replacing
    /// any it had not reached yet. They must come in order, none before the run's present,
    /// with stages, queues and values in range; a control that the run refuses when it gets
    /// there (a stage already shutting down) is skipped.
    pub fn replay_controls(&mut self, log: &[LoggedControl]) -> Result<(), ScenarioError> {
        let (mut ops, mut at_us) = (self.ops, self.now);
        for (i, c) in log.iter().enumerate() {
            let bad = |field: &str, value: String, allowed: String| ScenarioError::OutOfRange {
                field: format!("controls[{i}].{field}"),
                value,
                allowed,
            };
            if c.ops < ops {
                return Err(bad("ops", c.ops.to_string(), format!(">= {ops}")));
            }
            if c.at_us < at_us {
                return Err(bad("at_us", c.at_us.to_string(), format!(">= {at_us}")));
            }
            match c.control {
                Control::Workers { stage, count } => {
                    if stage >= self.stages.len() {
                        let allowed = format!("< {}", self.stages.len());
                        return Err(bad("stage", stage.to_string(), allowed));
                    }
                    if !(1..=MAX_WORKERS).contains(&count) {
                        let allowed = format!("1..={MAX_WORKERS}");
                        return Err(bad("count", count.to_string(), allowed));
                    }
                }
                Control::MaxSize { queue, maxsize } => {
                    if queue >= self.queues.len() {
                        let allowed = format!("< {}", self.queues.len());
                        return Err(bad("queue", queue.to_string(), allowed));
                    }
                    if maxsize > MAX_MAXSIZE {
                        let allowed = format!("0..={MAX_MAXSIZE}");
                        return Err(bad("maxsize", maxsize.to_string(), allowed));
                    }
                }
            }
            (ops, at_us) = (c.ops, c.at_us);
        }
        self.controls.truncate(self.controls_applied);
        self.controls.extend_from_slice(log);
        Ok(())
    }

    /// Applies a logged control that the run still accepts (a replayed log may hold one it
    /// refuses: it is skipped, as a refused change is).
    fn apply_logged(&mut self, c: Control) {
        let accepted = match c {
            Control::Workers { stage, count } => self.check_workers(stage, count).is_ok(),
            Control::MaxSize { queue, maxsize } => self.check_maxsize(queue, maxsize).is_ok(),
        };
        if accepted {
            self.apply(c);
        }
    }
}

/// What the hang report reads of a stopped run.
impl HangView for Sim {
    fn thread_count(&self) -> usize {
        self.threads.len()
    }
    fn thread_state(&self, t: usize) -> ThreadState {
        self.threads[t].state
    }
    fn waits(&self, t: usize) -> Waits {
        match self.threads[t].wait {
            Wait::Nothing => Waits::Nothing,
            Wait::Queue(q) => Waits::Queue(q as usize),
            Wait::Thread(o) => Waits::Thread(o as usize),
        }
    }
    fn thread_name(&self, t: usize) -> &str {
        &self.threads[t].name
    }
    fn line(&self, t: usize) -> u32 {
        self.current_line(t)
    }
    fn queue_name(&self, q: usize) -> &str {
        &self.queues[q].name
    }
    fn queue_len(&self, q: usize) -> u64 {
        self.queues[q].len() as u64
    }
    fn queue_maxsize(&self, q: usize) -> u32 {
        self.queues[q].maxsize
    }
    fn unfinished_tasks(&self, q: usize) -> u64 {
        self.queues[q].unfinished
    }
}

impl SimThread {
    fn new(name: String, stage: Option<usize>, entry: u32, polls: bool) -> SimThread {
        SimThread {
            name,
            stage,
            entry,
            pc: entry,
            state: ThreadState::NotStarted,
            timed: ThreadState::NotStarted,
            since: 0,
            time_in: [0; ThreadState::COUNT],
            held: None,
            counter: 0,
            polled: 0,
            wasted_polls: 0,
            work_done: 0,
            retiring: false,
            polls,
            worker_loop: NO_LOOP,
            source_loop: None,
            wait: Wait::Nothing,
            joiners: Vec::new(),
        }
    }
}

/// `last_op`'s packing of an operation: the thread in the high half, its instruction below.
#[inline(always)]
fn op_id(t: usize, pc: u32) -> u64 {
    ((t as u64) << 32) | pc as u64
}

/// A typical length of a deadline in this scenario, which sizes the timer calendar's buckets: the
/// shortest mean service time or sleep that is not zero (1 ms when there is none).
fn timer_scale(scenario: &Scenario) -> u64 {
    let services = scenario.stages.iter().map(|s| s.service.mean_us() as u64);
    let sleeps = scenario
        .threads
        .iter()
        .flat_map(|t| &t.program)
        .filter_map(|op| match op.kind {
            OpKind::Sleep { us, .. } => Some(us),
            _ => None,
        });
    services
        .chain(sleeps)
        .filter(|&us| us > 0)
        .min()
        .unwrap_or(1000)
}

/// `&v[i]` without the bounds check, for the hot loop's thread, queue and stage ids (about a
/// tenth of its instructions were bounds checks). Sound because every id was checked once:
/// thread ids come only from the scheduler's own lists, which hold ids of threads made; queue
/// and stage ids come from the programs, which `Sim::new` validated; none of the three tables
/// ever shrinks. Debug builds (every test) check each access anyway.
#[inline(always)]
fn at<T>(v: &[T], i: usize) -> &T {
    debug_assert!(i < v.len());
    // SAFETY: see above.
    unsafe { v.get_unchecked(i) }
}

/// `&mut v[i]` without the bounds check; see [`at`].
#[inline(always)]
fn at_mut<T>(v: &mut [T], i: usize) -> &mut T {
    debug_assert!(i < v.len());
    // SAFETY: as for `at`.
    unsafe { v.get_unchecked_mut(i) }
}
