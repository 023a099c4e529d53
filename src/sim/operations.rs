//! The model engine's second clock, for the lesson: operations (one Python line of one thread)
//! counted, stepped one at a time, sought by replay, and the control log a link replays.

use super::*;

impl Sim {
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

    /// The operation that ran last: its thread, its Python line and whether the thread ended
    /// with it; `None` before the first, and after a run of time (`step`, `run_to_end`), which
    /// keeps no record of it: only stepping by operation, by event or to an item, and seeking,
    /// say which line ran last. A thread that falls off the end of its program (an `End` with
    /// no line of its own) ended on its function's last line, which is the line given.
    pub fn last_op(&self) -> Option<LastOp> {
        (self.last_op != NO_OP).then(|| {
            let pc = (self.last_op & 0xffff_ffff) as usize;
            let thread = (self.last_op >> 32) as usize;
            // A thread runs nothing after its end: if it has ended, this operation ended it.
            let ended = self.threads[thread].state == ThreadState::Ended;
            let line = match self.instrs[pc].line {
                0 if ended => self.last_line(thread),
                line => line,
            };
            LastOp {
                thread,
                line,
                ended,
            }
        })
    }

    /// The last line of thread `t`'s function: the highest line its program names (0 for none).
    /// A program is the instructions from its entry up to the next program's entry.
    fn last_line(&self, t: usize) -> u32 {
        let entry = self.threads[t].entry;
        let end = self
            .entry
            .iter()
            .copied()
            .filter(|&e| e > entry)
            .min()
            .unwrap_or(self.instrs.len() as u32);
        self.instrs[entry as usize..end as usize]
            .iter()
            .map(|i| i.line)
            .max()
            .unwrap_or(0)
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
        self.advance::<true>(u64::MAX, 1);
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
        self.advance::<true>(u64::MAX, todo.min(max_ops));
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
            self.advance::<true>(u64::MAX, 1);
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
    pub(super) fn apply_logged(&mut self, c: Control) {
        let accepted = match c {
            Control::Workers { stage, count } => self.check_workers(stage, count).is_ok(),
            Control::MaxSize { queue, maxsize } => self.check_maxsize(queue, maxsize).is_ok(),
        };
        if accepted {
            self.apply(c);
        }
    }
}
