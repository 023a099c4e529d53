//! The model engine: runs a scenario on virtual time, one thread, deterministically. Events are
//! ordered by (time, sequence), so ties are FIFO and a seed always replays the same run.
//!
//! Scheduling rule (it is what gives the note's print orders): a running thread goes on until
//! it blocks, starts timed work, or starts another thread (`start()` lets the new thread run
//! first, as CPython's `Thread.start` waits for it to begin). Woken threads queue FIFO and a
//! woken thread re-runs the operation it blocked in, as Python's `Condition.wait` loops do.
//!
//! Parts, one job a file (each adds methods to [`Sim`]): this file holds the types and the
//! public API; `scheduler` moves time and picks the next thread; `interpreter` runs one
//! thread's instructions with Python's semantics; `fast_paths` runs the plain worker loop and
//! the source loop without dispatch; `controls` changes workers and `maxsize` while running;
//! `reports` gives `Stats`, `Frame` and the hang view; `operations` is the lesson's clock.
//! `crate::python::code` compiles the programs into one instruction array; `queue` is Python's
//! queue; `timers` holds the deadlines, earliest first.

mod controls;
mod fast_paths;
mod interpreter;
mod operations;
mod queue;
mod reports;
mod scheduler;
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

pub use crate::limits::{HORIZON_US, LIVELOCK_OPS, MAX_CONSOLE_LINES};

/// Items made and items finished count as progress up to this many each: a program that makes
/// items without end at one instant (and drops them) is a livelock too, once past it.
pub fn progress_cap(scenario: &Scenario) -> u64 {
    scenario.items.max(1 << 20)
}

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
    /// The program only sleeps ([`python::idles`]): its sleep is no progress.
    idles: bool,
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
    /// The most `queued_items` has been since t = 0.
    peak_items: u64,
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
    /// The last operation executed, `thread << 32 | pc` ([`NO_OP`] before the first and after a
    /// run of time), for the page's mark of the line that just ran. Only runs that step or seek
    /// write it (`advance::<true>`): writing it at every operation cost a run of time ~4%.
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
    /// The stall check's window ([`scheduler::StallWatch`]).
    stall: scheduler::StallWatch,
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
            peak_items: 0,
            done_queue: scenario.done_queue.unwrap_or(NO_QUEUE),
            memory_items: scenario.memory_budget().items(),
            budget_counts_done: scenario.budget_counts_done(),
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
            stall: scheduler::StallWatch::new(python::may_stall(
                scenario.threads.iter().map(|t| &t.program[..]),
            )),
            scenario,
        };
        let mut loops = Vec::new();
        for (i, spec) in sim.scenario.threads.iter().enumerate() {
            let polls = python::polls_forever(&spec.program);
            let mut th = SimThread::new(spec.name.clone(), spec.stage, sim.entry[i], polls);
            th.idles = python::idles(&spec.program);
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
        self.advance::<false>(target, u64::MAX);
        self.status
    }

    /// Like [`Sim::step`] but stops after about `max_ops` operations, so that a caller on a
    /// page's main thread never waits long; time then stops where the work stopped.
    pub fn step_bounded(&mut self, dt_us: u64, max_ops: u64) -> Status {
        let target = self.now.saturating_add(dt_us);
        self.advance::<false>(target, max_ops);
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
        let next = self.next_event_us();
        let reached = self.advance::<true>(next, max_ops);
        self.progress(reached)
    }

    /// The virtual time [`Sim::step_event`] would run to: now while operations are due at this
    /// instant, else the next timer or logged control (now when there is none).
    pub fn next_event_us(&self) -> u64 {
        if self.ready.is_empty() {
            let next_timer = self.timers.next_at();
            let next_control = self.controls.get(self.controls_applied).map(|c| c.at_us);
            match (next_timer, next_control) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b).unwrap_or(self.now),
            }
        } else {
            self.now
        }
    }

    /// Runs until the program finishes, hangs (a livelock and the [`HORIZON_US`] included) or
    /// raises `MemoryError`. Unbounded: for native callers.
    pub fn run_to_end(&mut self) -> Status {
        self.advance::<false>(u64::MAX, u64::MAX);
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
        let reached = self.advance::<true>(t, max_ops);
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
            idles: false,
            worker_loop: NO_LOOP,
            source_loop: None,
            wait: Wait::Nothing,
            joiners: Vec::new(),
        }
    }
}

/// The operation that ran last, as the lesson's source panel marks it ([`Sim::last_op`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LastOp {
    pub thread: usize,
    /// Its Python line; for a thread's end, the line it ended on.
    pub line: u32,
    /// The thread ended with this operation (it returned, or raised).
    pub ended: bool,
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
