//! The model engine's scheduler: advances virtual time, runs ready threads FIFO, fires
//! deadlines, applies logged controls in order, and bounds the work per call. No Python here.

use super::*;

/// The stall check's window: a run stalls when, over [`LIVELOCK_OPS`] operations, no item was
/// made or finished and, at both ends, no thread could make progress (`python::may_progress`)
/// and no polled queue held anything. Only runs that poll are watched.
#[derive(Clone, Copy, Debug)]
pub(super) struct StallWatch {
    /// `ops` at which the window ends (`u64::MAX`: never watched).
    next: u64,
    /// `Sim::progress_count` when the window began.
    progress: u64,
    /// No thread could make progress when the window began.
    quiet: bool,
}

impl StallWatch {
    pub(super) fn new(polls: bool) -> StallWatch {
        StallWatch {
            next: if polls { LIVELOCK_OPS } else { u64::MAX },
            progress: 0,
            quiet: false,
        }
    }
}

impl Sim {
    /// Runs everything due up to `limit` (inclusive, and at most [`HORIZON_US`]) and at most
    /// `max_ops` operations, applying logged controls after the operation they followed. False
    /// when `max_ops` ran out first.
    pub(super) fn advance<const MARK: bool>(&mut self, limit: u64, max_ops: u64) -> bool {
        let ops = self.ops;
        let reached = self.advance_marked::<MARK>(limit, max_ops);
        if !MARK && self.ops != ops {
            // Operations ran without their record: which one was last is not known.
            self.last_op = NO_OP;
        }
        reached
    }

    fn advance_marked<const MARK: bool>(&mut self, limit: u64, max_ops: u64) -> bool {
        let limit = limit.min(HORIZON_US);
        let budget_end = self.ops.saturating_add(max_ops);
        while self.status == Status::Running {
            let Some(c) = self.controls.get(self.controls_applied).copied() else {
                return self.run::<MARK>(limit, budget_end);
            };
            let until = limit.min(c.at_us.max(self.now));
            let reached = self.run::<MARK>(until, budget_end.min(c.ops));
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
    pub(super) fn run<const MARK: bool>(&mut self, limit: u64, budget_end: u64) -> bool {
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
                            // Time moving is progress only while some thread could make some.
                            if self.ops >= self.stall.next && self.stalled() {
                                self.report_hang(Some(HangKind::Stall));
                                return true;
                            }
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
            self.resume::<MARK>(t, stop, budget_end, &instrs, &loops);
        }
    }

    /// Items made and finished so far, each counted up to `progress_cap`.
    #[inline]
    pub(super) fn progress_count(&self) -> u64 {
        self.items_made.min(self.progress_cap) + self.items_done.min(self.progress_cap)
    }

    /// The stall check, when virtual time moves at the end of a window (every thread waits):
    /// true when the run has stalled; else the next window begins.
    #[cold]
    #[inline(never)]
    fn stalled(&mut self) -> bool {
        let progress = self.progress_count();
        let quiet = !self
            .threads
            .iter()
            .any(|th| python::may_progress(th.state, th.polls || th.idles))
            && !self
                .queues
                .iter()
                .any(|q| q.kind == QueueKind::Polling && q.len() > 0);
        if quiet && self.stall.quiet && progress == self.stall.progress {
            return true;
        }
        self.stall = StallWatch {
            next: self.ops.saturating_add(LIVELOCK_OPS),
            progress,
            quiet,
        };
        false
    }

    /// A thread reached its `stop` short of the budget's end: if the bound has moved since
    /// that `stop` was computed, or items moved since the bound was last set, the new bound, up
    /// to which the thread goes on; `None` when the run is a livelock.
    #[cold]
    #[inline(never)]
    pub(super) fn renew_bound(&mut self, budget_end: u64) -> Option<u64> {
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
    pub(super) fn resume<const MARK: bool>(
        &mut self,
        t: usize,
        stop: u64,
        budget_end: u64,
        instrs: &[Instr],
        loops: &[WorkerLoop],
    ) {
        let th = at(&self.threads, t);
        if let Some(w) = loops.get(th.worker_loop as usize) {
            if !self.run_worker_loop::<MARK>(t, w, stop) {
                return;
            }
        } else if let Some(s) = th.source_loop.filter(|s| s.put == th.pc) {
            if !self.run_source_loop::<MARK>(t, s, stop, budget_end) {
                return;
            }
        }
        self.run_thread::<MARK>(t, stop, budget_end, instrs);
    }

    /// How many operations a thread may run up to before it stops: the budget's end, or the
    /// livelock bound (operations since time last moved or progress was last seen), whichever
    /// is first.
    #[inline(always)]
    pub(super) fn op_bound(&self, budget_end: u64) -> u64 {
        budget_end.min(self.ops_mark.saturating_add(LIVELOCK_OPS))
    }

    /// Books one executed operation: thread `t` runs the instruction at `pc`.
    #[inline(always)]
    pub(super) fn count_op<const MARK: bool>(&mut self, t: usize, pc: usize) {
        self.ops += 1;
        if MARK {
            self.last_op = op_id(t, pc as u32);
        }
        if self.trace.is_some() {
            self.record_trace(t, pc);
        }
    }

    /// Only runs built `with_trace` (tests of determinism); the page never traces.
    #[cold]
    pub(super) fn record_trace(&mut self, t: usize, pc: usize) {
        if let Some(trace) = &mut self.trace {
            trace.push(TraceEvent {
                time: self.now,
                thread: t as u32,
                pc: pc as u32,
            });
        }
    }

    #[inline(always)]
    pub(super) fn timer_fired(&mut self, t: usize, instrs: &[Instr], loops: &[WorkerLoop]) {
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
    pub(super) fn push_timer(&mut self, t: usize, at: u64) {
        self.seq += 1;
        self.timers.push(at, (self.seq << 24) | t as u64, self.now);
    }

    #[inline]
    pub(super) fn set_state(&mut self, t: usize, s: ThreadState) {
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
    pub(super) fn make_ready(&mut self, t: usize) {
        self.set_state(t, ThreadState::Running);
        self.ready.push_back(t as u32);
    }

    #[inline]
    pub(super) fn park(&mut self, t: usize, s: ThreadState, wait: Wait) {
        self.set_state(t, s);
        at_mut(&mut self.threads, t).wait = wait;
    }

    #[inline]
    pub(super) fn record_move(&mut self, item: u64, from: u32, to: u32) {
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
}
