//! The state one live run shares between its threads and its readers: thread slots (published
//! in atomics), stages, queues, the clock, and what happens when every thread waits (the clock
//! jumps, the run finishes, or it is hung). It must not interpret programs or put threads on
//! the spawner (`runner` does) nor build reports for people (`report` and `crate::python::hang`
//! do).

use super::clock::{Clock, ClockMode};
use super::lock::{lock, lock_spin, try_lock_briefly};
use super::pad::Padded;
use super::park::Parker;
use super::queue::LiveQueue;
use super::sched::Sched;
use super::spawn::Spawner;
use crate::python::hang::{HangView, Hung, WaitOn, Waits};
use crate::scenario::{Op, Rng, Scenario, Service};
use crate::sim::ConsoleLine;
use crate::stats::{HangKind, Histogram, MemoryErrorReport, Status, ThreadState, NO_ITEM};
use std::sync::atomic::{fence, AtomicBool, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// `deadline` of a thread that waits on no deadline.
pub(crate) const NO_DEADLINE: u64 = u64::MAX;
/// Set in `deadline` while the thread has published its deadline but not yet counted itself
/// as waiting on it: nobody may claim it yet (a claim compares it with "now" and always loses).
pub(crate) const UNCOUNTED: u64 = 1 << 63;
/// `starter` of a thread whose starter has been released (or that has none).
pub(crate) const NO_STARTER: u32 = u32::MAX;

/// `retire` values: a worker told to stop by a lower worker count ends at its next `get`.
pub(crate) const WORKING: u8 = 0;
pub(crate) const RETIRING: u8 = 1;
/// It has seen the order and is ending; it can no longer be kept.
pub(crate) const EXITING: u8 = 2;

/// What a waiting thread waits on, for the hang report (packed in one atomic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    Nothing,
    Queue(usize),
    Thread(usize),
}

impl Wait {
    pub fn encode(self) -> u64 {
        match self {
            Wait::Nothing => 0,
            Wait::Queue(q) => (1 << 32) | q as u64,
            Wait::Thread(t) => (2 << 32) | t as u64,
        }
    }

    pub fn decode(v: u64) -> Wait {
        let i = (v & 0xffff_ffff) as usize;
        match v >> 32 {
            1 => Wait::Queue(i),
            2 => Wait::Thread(i),
            _ => Wait::Nothing,
        }
    }
}

/// A thread's counters for one stage function it ran (on lines of their own: written per item).
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct StageCounters {
    /// Calls of the stage function finished.
    pub done: AtomicU64,
    /// Sum over those calls of the item's time in the stage (queued and in service).
    pub sojourn_us: AtomicU64,
    /// Time spent inside the stage function.
    pub busy_us: AtomicU64,
}

/// One scenario thread, as everyone else sees it. Only the thread itself writes its counters
/// and state (plain loads and stores of atomics), except where a field says otherwise.
/// Aligned so that neighbouring slots never share a cache line.
#[derive(Debug)]
#[repr(align(128))]
pub(crate) struct ThreadSlot {
    pub name: String,
    pub stage: Option<usize>,
    /// Index into [`Shared::programs`].
    pub prog: usize,
    /// Runs the polling worker's `while True`: it never ends by itself.
    pub polls: bool,
    /// The program only sleeps (`python::idles`): its sleep is no progress.
    pub idles: bool,
    pub parker: Parker,
    /// [`ThreadState`] as a byte. `NotStarted -> Running` (start) and `NotStarted -> Ended`
    /// (retired before it started) are compare-and-swaps by other threads.
    pub state: AtomicU8,
    pub since: AtomicU64,
    pub time_in: [AtomicU64; ThreadState::COUNT],
    pub pc: AtomicU32,
    /// Item id held, or `NO_ITEM` / `SENTINEL_ID`.
    pub held: AtomicU32,
    /// [`Wait`], encoded.
    pub wait: AtomicU64,
    /// When its timed wait ends; claimed (set back to `NO_DEADLINE`) by exactly one party.
    pub deadline: AtomicU64,
    /// `WORKING`, `RETIRING` or `EXITING`; written by controls and by the thread.
    pub retire: AtomicU8,
    /// The thread that started this one and waits until it first waits (CPython's
    /// `Thread.start` waits for the new thread to begin; the GIL lets it run until it blocks).
    pub starter: AtomicU32,
    /// Threads in `join()` on this one.
    pub joiners: Mutex<Vec<u32>>,
    /// A job already waits on a spawner's thread to run this one (see `runner::stand_by_job`).
    pub standby: AtomicBool,
    /// Set when this thread starts: its standby job runs it.
    pub go: AtomicBool,
    pub polled: AtomicU64,
    pub wasted_polls: AtomicU64,
    /// Operations executed (flushed in batches).
    pub ops: AtomicU64,
    /// Items this thread finished (put into `done_queue`, or took for good when there is none).
    pub items_done: AtomicU64,
    pub per_stage: Box<[StageCounters]>,
    /// No job runs this thread now: its job returned, or it never had one. A retired worker
    /// in this state can be taken back (`Live::set_workers`) without a new slot.
    pub job_over: AtomicBool,
}

impl ThreadSlot {
    pub fn new(
        name: String,
        stage: Option<usize>,
        prog: usize,
        polls: bool,
        stages: usize,
    ) -> ThreadSlot {
        ThreadSlot {
            name,
            stage,
            prog,
            polls,
            idles: false,
            parker: Parker::default(),
            state: AtomicU8::new(ThreadState::NotStarted as u8),
            since: AtomicU64::new(0),
            time_in: Default::default(),
            pc: AtomicU32::new(0),
            held: AtomicU32::new(NO_ITEM),
            wait: AtomicU64::new(0),
            deadline: AtomicU64::new(NO_DEADLINE),
            retire: AtomicU8::new(WORKING),
            starter: AtomicU32::new(NO_STARTER),
            joiners: Mutex::new(Vec::new()),
            standby: AtomicBool::new(false),
            go: AtomicBool::new(false),
            polled: AtomicU64::new(0),
            wasted_polls: AtomicU64::new(0),
            ops: AtomicU64::new(0),
            items_done: AtomicU64::new(0),
            per_stage: (0..stages).map(|_| StageCounters::default()).collect(),
            job_over: AtomicBool::new(true),
        }
    }

    /// A worker retired by a lower worker count that has ended and whose job has returned:
    /// a higher count may take it back.
    pub fn rehirable(&self) -> bool {
        self.state() == ThreadState::Ended
            && self.retire.load(Ordering::SeqCst) == EXITING
            && self.job_over.load(Ordering::SeqCst)
    }

    /// Makes a [`ThreadSlot::rehirable`] worker a worker again, not started, keeping its name
    /// and totals (as the model engine's `rehire` does). Its time since it ended counts as
    /// ended.
    pub fn rehire(&self, now: u64) {
        let since = self.since.swap(now, Ordering::SeqCst);
        self.time_in[ThreadState::Ended as usize]
            .fetch_add(now.saturating_sub(since), Ordering::SeqCst);
        self.standby.store(false, Ordering::SeqCst);
        self.go.store(false, Ordering::SeqCst);
        self.retire.store(WORKING, Ordering::SeqCst);
        self.state
            .store(ThreadState::NotStarted as u8, Ordering::SeqCst);
    }

    #[inline]
    pub fn state(&self) -> ThreadState {
        ThreadState::ALL[self.state.load(Ordering::SeqCst) as usize]
    }

    /// Starts or retires a thread that has not started; false when it already has.
    pub fn leave_not_started(&self, to: ThreadState) -> bool {
        self.state
            .compare_exchange(
                ThreadState::NotStarted as u8,
                to as u8,
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok()
    }

    pub fn is_retiring(&self) -> bool {
        self.retire.load(Ordering::SeqCst) != WORKING
    }
}

/// A stage function and its workers.
#[derive(Debug)]
pub(crate) struct LiveStage {
    pub name: String,
    pub service: Service,
    /// Seeded as the model engine seeds it, so each stage draws the same sequence.
    pub rng: Mutex<Rng>,
    pub input: usize,
    /// Worker threads in the order they were made. Its lock also orders a control's change
    /// against `stop_threads` counting the workers and against `start_threads`.
    pub workers: Mutex<Vec<u32>>,
    pub target_workers: AtomicU32,
    /// `stop_threads` began (its worker count is fixed): controls are refused from now on.
    pub closing: AtomicBool,
    /// `start_threads` ran: workers added from now on start at once.
    pub started: AtomicBool,
}

impl LiveStage {
    /// One service time.
    #[inline]
    pub fn sample(&self) -> u64 {
        match self.service {
            Service::Const { us } => us,
            s => s.sample(&mut lock(&self.rng)),
        }
    }
}

/// See [`Shared::progress`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Progress {
    made: u64,
    done: u64,
    time: u64,
}

/// A job's place in [`Shared::running`], given back exactly once: when the job returns, or
/// when its thread dies first ([`note_panic`]).
pub(crate) struct Counted {
    running: Arc<AtomicUsize>,
    released: AtomicBool,
}

impl Counted {
    /// Counts one more job in `running`.
    pub(crate) fn new(running: &Arc<AtomicUsize>) -> Arc<Counted> {
        running.fetch_add(1, Ordering::SeqCst);
        Arc::new(Counted {
            running: running.clone(),
            released: AtomicBool::new(false),
        })
    }

    pub(crate) fn release(&self) {
        if !self.released.swap(true, Ordering::SeqCst) {
            self.running.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The job starting on this thread runs for `sh`, counted by `counted` (for [`note_panic`]).
pub(crate) fn enter_job(sh: &Arc<Shared>, counted: Arc<Counted>) {
    let weak = Arc::downgrade(sh);
    CURRENT.with(|c| {
        *c.borrow_mut() = Some(CurrentJob {
            sh: weak,
            thread: usize::MAX,
            counted,
        })
    });
}

/// The job on this thread has returned.
pub(crate) fn leave_job() {
    CURRENT.with(|c| c.borrow_mut().take());
}

/// The run job on this thread, for [`note_panic`].
struct CurrentJob {
    sh: std::sync::Weak<Shared>,
    /// The scenario thread it runs (`usize::MAX` before it knows).
    thread: usize,
    counted: Arc<Counted>,
}

thread_local! {
    static CURRENT: std::cell::RefCell<Option<CurrentJob>> = const { std::cell::RefCell::new(None) };
}

/// Records which scenario thread this job runs, for [`note_panic`].
pub(crate) fn note_thread(t: usize) {
    CURRENT.with(|c| {
        if let Some(job) = c.borrow_mut().as_mut() {
            job.thread = t;
        }
    });
}

/// The thread calling this is dying of a panic (a panic hook calls it; where panics abort, as
/// in the browser, the job will never return): if it runs a live run's thread, that run ends
/// with a [`HangKind::ThreadLost`] report naming the thread and `message`, and the job's count
/// is given back so that a reset need not wait for it. Elsewhere it does nothing.
pub fn note_panic(message: &str) {
    let job = CURRENT
        .try_with(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take()))
        .ok()
        .flatten();
    let Some(job) = job else {
        return;
    };
    if let Some(sh) = job.sh.upgrade() {
        sh.lose_thread(job.thread, message);
    }
    job.counted.release();
}

/// Everything a run's threads share.
pub(crate) struct Shared {
    pub scenario: Scenario,
    pub programs: Vec<Vec<Op>>,
    pub queues: Vec<LiveQueue>,
    pub stages: Vec<LiveStage>,
    /// Slots `0..n_slots` are set; more are added by `set_workers`. Boxed, so that the table
    /// costs little beyond the slots in use.
    pub slots: Box<[OnceLock<Box<ThreadSlot>>]>,
    pub n_slots: AtomicUsize,
    pub clock: Clock,
    /// Changes whenever a thread starts or stops waiting.
    pub sched: Padded<Sched>,
    /// Every thread must return as soon as it sees this (the run ended, or a reset). Read by
    /// every operation, so it sits alone.
    pub stop: Padded<AtomicBool>,
    /// Threads started and not ended.
    pub alive: AtomicUsize,
    pub main_ended: AtomicBool,
    /// Bumped by every `put(object())`.
    pub items_made: Padded<AtomicU64>,
    /// Items (not SENTINELs) sitting in queues: what the memory budget counts (wraps below
    /// zero for a moment when a get counts an item out before its put counted it in).
    pub queued_items: Padded<AtomicU64>,
    /// The most items seen queued at once (when a put's batch was counted, when stats were
    /// read, and at a `MemoryError`).
    pub peak_items: Padded<AtomicU64>,
    /// Serializes what happens when every thread waits.
    pub idle: Mutex<()>,
    pub console: Mutex<Vec<ConsoleLine>>,
    pub latency: Mutex<Histogram>,
    pub hang: Mutex<Option<Hung>>,
    pub memory_error: Mutex<Option<MemoryErrorReport>>,
    pub lingering: Mutex<Vec<usize>>,
    /// Time at which the run ended (`u64::MAX` while it runs).
    pub ended_at: AtomicU64,
    /// Item moves for frames, three numbers each, when recording.
    pub moves: Option<Mutex<Vec<u32>>>,
    /// Some moves were dropped since the last frame (nobody read frames for a long while).
    pub moves_lost: AtomicBool,
    pub spawner: Arc<dyn Spawner>,
    /// Jobs handed to the spawner that have not returned yet.
    pub running: Arc<AtomicUsize>,
    /// Serializes adding thread slots.
    pub grow: Mutex<()>,
    /// The stall check's window, for runs that poll (`None` otherwise); read under `idle`.
    pub stall: Option<Mutex<StallWatch>>,
    /// SENTINELs in each queue now (counted in after a put, out after a get), so that the
    /// memory accounting can leave them out of `qsize()`.
    pub sentinels: Box<[AtomicU64]>,
}

/// The stall check's window, as the model engine keeps it: a run stalls when, over
/// `sim::LIVELOCK_OPS` operations, no item was made or finished and, at both ends, every thread
/// waited, none could make progress (`python::may_progress`) and no polled queue held anything.
/// On the stepped and wall clocks a window also ends after as many microseconds of the run's
/// time: there a poller wakes once a step, or once a real sleep, and could take days of real
/// time to run that many operations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StallWatch {
    /// Operations (all threads') at which the window ends.
    next: u64,
    /// The run's time at which the window ends (`u64::MAX` on the virtual clock).
    until_us: u64,
    progress: u64,
    quiet: bool,
}

impl StallWatch {
    fn new(ops: u64, now: u64, mode: ClockMode) -> StallWatch {
        let window = crate::sim::LIVELOCK_OPS;
        StallWatch {
            next: ops.saturating_add(window),
            until_us: match mode {
                ClockMode::Virtual => u64::MAX,
                _ => now.saturating_add(window),
            },
            progress: 0,
            quiet: false,
        }
    }

    /// The first window of a run on `mode`.
    pub(crate) fn first(mode: ClockMode) -> StallWatch {
        StallWatch::new(0, 0, mode)
    }
}

impl Shared {
    #[inline]
    pub fn slot(&self, t: usize) -> &ThreadSlot {
        self.slots[t].get().expect("slots below n_slots are set")
    }

    #[inline]
    pub fn n_threads(&self) -> usize {
        self.n_slots.load(Ordering::SeqCst)
    }

    pub fn slots(&self) -> impl Iterator<Item = &ThreadSlot> {
        (0..self.n_threads()).map(|t| self.slot(t))
    }

    /// Adds a thread slot; `None` when the run has made as many threads as it may.
    pub fn push_slot(&self, slot: ThreadSlot) -> Option<usize> {
        // The count is published after the slot is set, so readers never see an empty slot.
        let _one_at_a_time = lock_spin(&self.grow);
        let t = self.n_threads();
        let cell = self.slots.get(t)?;
        cell.set(Box::new(slot)).ok()?;
        self.n_slots.store(t + 1, Ordering::SeqCst);
        Some(t)
    }

    #[inline]
    pub fn current_line(&self, t: usize) -> u32 {
        let s = self.slot(t);
        self.programs[s.prog]
            .get(s.pc.load(Ordering::Relaxed) as usize)
            .map_or(0, |op| op.line)
    }

    /// Wakes `who`, a thread just taken off a waiter list, counting it as running first. For
    /// threads of the run (they are running, so the run cannot have ended under them).
    #[inline]
    pub fn wake(&self, who: u32) {
        self.sched.activate();
        self.unpark(who);
    }

    /// Wakes `who`, already counted as running (controls count it under the lock that took it
    /// off a waiter list).
    #[inline]
    pub fn unpark(&self, who: u32) {
        self.slot(who as usize).parker.wake();
    }

    /// Ends `t`'s timed wait if its deadline is at or before `now`; true when this call did.
    /// A deadline marked `UNCOUNTED` (or `NO_DEADLINE`) is never claimed.
    pub fn claim(&self, t: usize, now: u64) -> bool {
        let s = self.slot(t);
        let d = s.deadline.load(Ordering::SeqCst);
        if d > now
            || d & UNCOUNTED != 0
            || s.deadline
                .compare_exchange(d, NO_DEADLINE, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            return false;
        }
        self.sched.end_timed_wait();
        s.parker.wake();
        true
    }

    /// Wakes every thread whose deadline is at or before `now`. Lock-free.
    pub fn claim_due(&self, now: u64) {
        for t in 0..self.n_threads() {
            self.claim(t, now);
        }
    }

    /// Virtual clock: every thread waits, so time jumps to the earliest deadline.
    fn advance_to_next_deadline(&self) {
        let next = self
            .slots()
            .map(|s| match s.deadline.load(Ordering::SeqCst) {
                NO_DEADLINE => NO_DEADLINE,
                d => d & !UNCOUNTED,
            })
            .min()
            .unwrap_or(NO_DEADLINE);
        if next != NO_DEADLINE {
            let now = self.clock.advance_to(next);
            self.claim_due(now);
        }
    }

    /// Called by a thread whose wait (or end) left no thread running: jump the clock, finish
    /// the run, or report the hang.
    pub fn on_idle(&self) {
        let _serial = lock(&self.idle);
        loop {
            let w = self.sched.load();
            if w.status() != Status::Running || w.active() > 0 {
                return;
            }
            if w.timed() > 0 {
                if self.stalled(w) {
                    self.end_with(HangKind::Stall, None);
                    return;
                }
                if self.clock.mode == ClockMode::Virtual {
                    self.advance_to_next_deadline();
                }
                // Stepped and wall clocks: `step` or the sleepers themselves go on.
                return;
            }
            if self.alive.load(Ordering::SeqCst) == 0 {
                if self.sched.end_if_idle(Status::Finished) {
                    self.halt();
                    return;
                }
                continue;
            }
            // Read only now that no thread runs and none waits on a deadline, so what they
            // published is what they wait on.
            let report = Hung::seen(self, self.clock.now(), None);
            *lock(&self.hang) = Some(report);
            if self.sched.end_if_idle(Status::Hang) {
                self.halt();
                return;
            }
            *lock(&self.hang) = None;
        }
    }

    /// The stall check, when every thread waits and some on a deadline (`w`, read under the
    /// `idle` lock): true when the run has stalled; else, at the end of a window, the next one
    /// begins. What the threads published is what they wait on, as long as `w` still holds.
    fn stalled(&self, w: super::sched::Word) -> bool {
        let Some(watch) = &self.stall else {
            return false;
        };
        let ops: u64 = self.slots().map(|s| s.ops.load(Ordering::SeqCst)).sum();
        let mut watch = lock(watch);
        let now = self.clock.now();
        if ops < watch.next && now < watch.until_us {
            return false;
        }
        let cap = crate::sim::progress_cap(&self.scenario);
        let progress = self.items_made.load(Ordering::SeqCst).min(cap) + self.items_done().min(cap);
        let quiet = !self
            .slots()
            .any(|s| crate::python::may_progress(s.state(), s.polls || s.idles))
            && !self
                .queues
                .iter()
                .any(|q| q.kind == crate::scenario::QueueKind::Polling && q.qsize() > 0)
            && self.sched.load() == w;
        if quiet && watch.quiet && progress == watch.progress {
            return true;
        }
        *watch = StallWatch {
            progress,
            quiet,
            ..StallWatch::new(ops, now, self.clock.mode)
        };
        false
    }

    /// Items finished, all threads'.
    pub fn items_done(&self) -> u64 {
        self.slots()
            .map(|s| s.items_done.load(Ordering::Relaxed))
            .sum()
    }

    /// What counts as the run's progress for the livelock check: items made and finished (each
    /// up to `sim::progress_cap`), and virtual time where threads move it (virtual and stepped
    /// clocks; on the others "now" is the wall's, and moves anyway).
    pub fn progress(&self) -> Progress {
        let cap = crate::sim::progress_cap(&self.scenario);
        Progress {
            made: self.items_made.load(Ordering::Relaxed).min(cap),
            done: self
                .slots()
                .map(|s| s.items_done.load(Ordering::Relaxed))
                .sum::<u64>()
                .min(cap),
            time: if self.clock.is_wall() {
                0
            } else {
                self.clock.now()
            },
        }
    }

    /// A thread waits on a deadline that passes without any thread running (wall clock), or
    /// that the page's steps will pass (stepped clock): the run is not stuck, only waiting.
    pub fn deadline_passes_by_itself(&self) -> bool {
        matches!(self.clock.mode, ClockMode::Wall | ClockMode::Stepped)
            && self.sched.load().timed() > 0
    }

    /// Ends the run as hung for `kind` whatever runs (a livelock, the time limit, a lost
    /// thread), with what each thread was doing; false when it had already ended. Takes no lock
    /// it might wait on for long: a panic hook may call it on a thread that holds one.
    pub fn end_with(&self, kind: HangKind, lost: Option<(usize, &str)>) -> bool {
        if self.sched.status() != Status::Running {
            return false;
        }
        let mut report = Hung::seen(self, self.clock.now(), Some(kind));
        if let Some((t, cause)) = lost {
            if let Some(w) = report.waiters.iter_mut().find(|w| w.thread == t) {
                w.on = WaitOn::Lost {
                    cause: cause.to_string(),
                };
            }
        }
        let Some(mut slot) = try_lock_briefly(&self.hang) else {
            // Held by the thread that failed: end the run without a report rather than wait.
            let ended = self.sched.end(Status::Hang);
            if ended {
                self.halt();
            }
            return ended;
        };
        if slot.is_some() {
            return false;
        }
        // The report is in place before the status says the run hung, so that whoever sees
        // the status also sees it (the page reads it without waiting).
        *slot = Some(report);
        drop(slot);
        if !self.sched.end(Status::Hang) {
            // Another ending came first: its report stands alone (this may run on any thread,
            // so it does not wait for the lock).
            if let Some(mut slot) = try_lock_briefly(&self.hang) {
                *slot = None;
            }
            return false;
        }
        self.halt();
        true
    }

    /// Thread `t` failed inside the engine (a panic; `t` is `usize::MAX` when it is not known):
    /// the run ends with a report that names it and says why, and its console says so too.
    pub fn lose_thread(&self, t: usize, cause: &str) {
        if self.sched.status() != Status::Running {
            return;
        }
        let name = (t < self.n_threads()).then(|| self.slot(t).name.as_str());
        let name = name.unwrap_or("?");
        if let Some(mut console) = try_lock_briefly(&self.console) {
            console.push(ConsoleLine {
                time_us: self.now(),
                thread: t.min(self.n_threads().saturating_sub(1)),
                line: 0,
                en: format!(
                    "Exception in thread {name}: internal error of the live engine: {cause}"
                ),
                ko: format!("스레드 {name} 에서 예외 발생: 라이브 엔진 내부 오류: {cause}"),
            });
        }
        self.end_with(HangKind::ThreadLost, Some((t, cause)));
    }

    /// When main has returned and only polling workers (`while True`) are left, the program is
    /// over: they are listed as lingering and stopped.
    pub fn finish_if_only_pollers_left(&self) {
        let mut lingering = Vec::new();
        for (t, s) in self.slots().enumerate() {
            if s.state().is_alive() {
                if !s.polls {
                    return;
                }
                lingering.push(t);
            }
        }
        *lock(&self.lingering) = lingering;
        if self.sched.end(Status::Finished) {
            self.halt();
        }
    }

    /// Tells every thread to return and wakes them all. Lock-free.
    pub fn halt(&self) {
        let _ = self.ended_at.compare_exchange(
            u64::MAX,
            self.clock.now(),
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        self.stop.store(true, Ordering::SeqCst);
        for s in self.slots() {
            s.parker.unpark();
        }
    }

    /// Virtual time now; frozen once the run ended.
    pub fn now(&self) -> u64 {
        match self.ended_at.load(Ordering::SeqCst) {
            u64::MAX => self.clock.now(),
            t => t,
        }
    }

    /// Makes `t`'s standby job look again at `go`, the stop and `t`'s state.
    pub fn wake_standby(&self, t: usize) {
        // Pairs with the fence in `runner::stand_by`: it sees what the caller wrote, or it has
        // bound its parker before this unparks it.
        fence(Ordering::SeqCst);
        self.slot(t).parker.unpark();
    }

    /// Appends a console line; threads print rarely, and readers only try the lock.
    pub fn print(&self, line: ConsoleLine) {
        crate::sim::push_console_line(&mut lock(&self.console), line);
    }
}

/// What the hang report reads: what each thread published, and the queues.
impl HangView for Shared {
    fn thread_count(&self) -> usize {
        self.n_threads()
    }
    fn thread_state(&self, t: usize) -> ThreadState {
        self.slot(t).state()
    }
    fn waits(&self, t: usize) -> Waits {
        match Wait::decode(self.slot(t).wait.load(Ordering::SeqCst)) {
            Wait::Nothing => Waits::Nothing,
            Wait::Queue(q) => Waits::Queue(q),
            Wait::Thread(o) => Waits::Thread(o),
        }
    }
    fn thread_name(&self, t: usize) -> &str {
        &self.slot(t).name
    }
    fn line(&self, t: usize) -> u32 {
        self.current_line(t)
    }
    fn queue_name(&self, q: usize) -> &str {
        &self.queues[q].name
    }
    fn queue_len(&self, q: usize) -> u64 {
        self.queues[q].qsize()
    }
    fn queue_maxsize(&self, q: usize) -> u32 {
        self.queues[q].maxsize()
    }
    fn unfinished_tasks(&self, q: usize) -> u64 {
        self.queues[q].unfinished_tasks()
    }
    fn program(&self, t: usize) -> usize {
        self.slot(t).prog
    }
    fn scenario(&self) -> &Scenario {
        &self.scenario
    }
}
