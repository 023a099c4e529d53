//! The model engine's controls: `set_workers` and `set_maxsize` checked with Python's rules,
//! logged for replay, and applied (workers added, rehired, retired). No scheduling here.

use super::*;

impl Sim {
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

    pub(super) fn check_workers(&self, stage: usize, count: u32) -> Result<(), ScenarioError> {
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

    pub(super) fn check_maxsize(&self, queue: usize, maxsize: u32) -> Result<(), ScenarioError> {
        let kinds: Vec<QueueKind> = self.queues.iter().map(|q| q.kind).collect();
        check_set_maxsize(queue, &kinds, maxsize, self.is_running())
    }

    pub(super) fn log_control(&mut self, c: Control) {
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

    pub(super) fn apply(&mut self, c: Control) {
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

    pub(super) fn add_worker(&mut self, stage: usize) {
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
    pub(super) fn rehire(&mut self, stage: usize, t: usize) {
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

    pub(super) fn retire(&mut self, t: usize) {
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
}
