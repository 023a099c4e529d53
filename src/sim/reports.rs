//! What the model engine reports: `Stats`, `Frame` and the hang report's view of a stopped
//! run. It reads the run and changes nothing but the frame's move buffer.

use super::*;

impl Sim {
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
        // Without a budget of the scenario's own the page shows no memory: the bytes are 0.
        let accounting =
            self.memory_accounting(self.scenario.memory.as_ref().map_or(0, |m| m.item_bytes));
        Stats {
            status: self.status,
            virtual_time_us: now,
            items_done: self.items_done,
            items_total: self.scenario.items,
            throughput_per_s: crate::stats::rate_per_s(self.items_done, now),
            theoretical_per_s: theoretical,
            latency: self.latency.summary(),
            threads,
            queues: self
                .queues
                .iter()
                .zip(&accounting)
                .map(|(q, a)| QueueStats {
                    name: q.name.clone(),
                    maxsize: q.maxsize,
                    len: q.len() as u64,
                    mean_len: q.mean_len(now),
                    max_len: q.max_len,
                    unfinished_tasks: q.unfinished,
                    puts: q.puts,
                    gets: q.gets,
                    items: a.items,
                    bytes: a.bytes,
                })
                .collect(),
            stages,
            bottleneck,
            polls,
            wasted_polls,
            wasted_cpu_us,
            memory_bytes: crate::stats::memory_total(&accounting),
            peak_items_queued: self.peak_items.max(self.queued_items),
            peak_memory_bytes: crate::stats::peak_bytes(
                self.peak_items,
                self.scenario.memory.as_ref(),
                crate::stats::memory_total(&accounting),
            ),
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
        self.fill_frame(f, true);
    }

    /// [`Sim::frame_into`] without each queue's items (`queue_start` all 0, `queue_items`
    /// empty): what a recording of the whole run needs at every moment, in time that does not
    /// grow with the items queued.
    pub fn frame_into_without_items(&mut self, f: &mut Frame) {
        self.fill_frame(f, false);
    }

    /// The memory budget's accounting now, queue by queue, at `item_bytes` an item.
    pub(crate) fn memory_accounting(&self, item_bytes: u64) -> Vec<crate::stats::QueueBytes> {
        crate::stats::memory_accounting(
            self.queues
                .iter()
                .map(|q| (q.name.clone(), q.items_without_sentinels())),
            (self.done_queue != NO_QUEUE).then_some(self.done_queue),
            self.budget_counts_done,
            item_bytes,
        )
    }

    /// Items queued in all queues now, SENTINELs left out (what the memory budget counts).
    pub fn items_queued(&self) -> u64 {
        self.queued_items
    }

    fn fill_frame(&mut self, f: &mut Frame, with_items: bool) {
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
            if with_items {
                f.queue_items.extend(q.items.iter().map(|t| {
                    if t.is_sentinel() {
                        SENTINEL_ID
                    } else {
                        t.id as u32
                    }
                }));
            }
        }
        f.queue_start.push(f.queue_items.len() as u32);
        f.moves.clear();
        if let Some(m) = &mut self.moves {
            std::mem::swap(&mut f.moves, m);
        }
        f.moves_lost = std::mem::take(&mut self.moves_lost);
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
    fn program(&self, t: usize) -> usize {
        let entry = self.threads[t].entry;
        self.entry.iter().position(|&e| e == entry).unwrap_or(0)
    }
    fn scenario(&self) -> &crate::scenario::Scenario {
        &self.scenario
    }
}
