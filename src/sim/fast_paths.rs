//! The model engine's fast paths: the plain worker loop and the source loop run without
//! dispatch, step for step as the interpreter would; anything unusual hands back to it.

use super::*;

impl Sim {
    /// What [`Sim::run_thread`] does for a worker at its loop's `put` or `get`, step for step
    /// (the same operation counts, budget stops and state changes), without fetching and
    /// dispatching instructions. Anything off the loop's usual path stops at an instruction
    /// boundary and returns true: the interpreter goes on from there.
    #[inline(always)]
    pub(super) fn run_worker_loop<const MARK: bool>(
        &mut self,
        t: usize,
        w: &WorkerLoop,
        stop: u64,
    ) -> bool {
        let th = at(&self.threads, t);
        if th.pc == w.put {
            let Some(token) = th.held else {
                return true;
            };
            if self.ops >= stop {
                return true;
            }
            self.ops += 1;
            if MARK {
                self.last_op = op_id(t, w.put);
            }
            if !self.put(t, w.output as usize, token, Value::Held, w.get) {
                return false;
            }
            if !self.fused_task_done::<MARK>(t, w.input as usize, w.task_done, stop) {
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
        if MARK {
            self.last_op = op_id(t, w.get);
        }
        let fused = Fused::SentinelWork {
            target: w.sentinel,
            stage: w.stage,
            check: w.check,
        };
        self.get::<MARK>(t, w.input as usize, w.work, &fused, stop)
    }

    /// What [`Sim::run_thread`] does for a thread at its source loop's `put`: puts new items
    /// until the queue is full or the loop ends, with the same counts and budget stops. Returns
    /// true when the interpreter goes on (the loop ended, or the budget or livelock bound).
    #[inline(always)]
    pub(super) fn run_source_loop<const MARK: bool>(
        &mut self,
        t: usize,
        s: SourceLoop,
        mut stop: u64,
        budget_end: u64,
    ) -> bool {
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
            if MARK {
                self.last_op = op_id(t, s.put);
            }
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
}
