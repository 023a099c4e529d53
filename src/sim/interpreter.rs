//! The model engine's interpreter: one thread's instructions with Python's semantics (`get`,
//! `put`, `task_done`, `join`, `start`, `print`, raises, `MemoryError`). It never moves time.

use super::*;

impl Sim {
    /// Executes thread `t` until it blocks, starts timed work, yields or ends.
    pub(super) fn run_thread<const MARK: bool>(
        &mut self,
        t: usize,
        mut stop: u64,
        budget_end: u64,
        instrs: &[Instr],
    ) {
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
            self.count_op::<MARK>(t, pc);
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
                            if !self.fused_task_done::<MARK>(t, queue as usize, at, stop) {
                                // Out of operations, or one call too many: the `task_done`
                                // runs (or raises) on its own, at its own line.
                                at_mut(&mut self.threads, t).pc = at;
                            } else if let OpKind::Get { queue } = instrs[op.next as usize].kind {
                                // A worker's loop goes back to its `get`: run it here, as the
                                // loop would, without going through the dispatch.
                                if self.ops < stop {
                                    let pc = op.next as usize;
                                    self.count_op::<MARK>(t, pc);
                                    let get = &instrs[pc];
                                    if !self.get::<MARK>(t, queue, get.next, &get.fused, stop) {
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
                    if !self.get::<MARK>(t, queue, op.next, &op.fused, stop) {
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
    /// returns false when the thread stopped running (parked, working, ended). The fused check
    /// and `work` count as operations of their own: at `stop` the thread stops before them, at
    /// the instruction that runs them alone.
    #[inline(always)]
    pub(super) fn get<const MARK: bool>(
        &mut self,
        t: usize,
        queue: usize,
        next: u32,
        fused: &Fused,
        stop: u64,
    ) -> bool {
        if at(&self.threads, t).retiring {
            self.end_thread(t);
            return false;
        }
        match at_mut(&mut self.queues, queue).try_get(self.now) {
            Ok(token) => {
                self.took(t, queue, token, next);
                let (Fused::Sentinel { target, check } | Fused::SentinelWork { target, check, .. }) =
                    *fused
                else {
                    return true;
                };
                if let Fused::SentinelWork { stage, .. } = *fused {
                    // The usual case at once: an item, room for both operations, no trace.
                    if !token.is_sentinel()
                        && stop.saturating_sub(self.ops) >= 2
                        && self.trace.is_none()
                    {
                        self.ops += 2;
                        if MARK {
                            self.last_op = op_id(t, next);
                        }
                        return self.start_work(t, stage as usize);
                    }
                }
                if self.ops >= stop {
                    at_mut(&mut self.threads, t).pc = check;
                    return true;
                }
                self.count_op::<MARK>(t, check as usize);
                if token.is_sentinel() {
                    let th = at_mut(&mut self.threads, t);
                    th.held = None;
                    th.pc = target;
                    return true;
                }
                let Fused::SentinelWork { stage, .. } = *fused else {
                    return true;
                };
                // `next` is the `work`, where `took` left the thread.
                if self.ops >= stop {
                    return true;
                }
                self.count_op::<MARK>(t, next as usize);
                self.start_work(t, stage as usize)
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
    pub(super) fn task_done(&mut self, queue: usize) -> bool {
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

    /// The `task_done()` fused after a `put`, as an operation of its own (at `at`): false, with
    /// nothing done, when it must run alone instead (out of operations at `stop`, or a call
    /// once too often, which raises at its own line).
    #[inline(always)]
    pub(super) fn fused_task_done<const MARK: bool>(
        &mut self,
        t: usize,
        queue: usize,
        at: u32,
        stop: u64,
    ) -> bool {
        if self.ops >= stop || !self.task_done(queue) {
            return false;
        }
        self.count_op::<MARK>(t, at as usize);
        true
    }

    /// `work(stage)`, the instruction at the thread's `pc`: draws the service time and starts
    /// it. Returns false when the thread now waits for it; true when it took no time and the
    /// thread goes on.
    #[inline(always)]
    pub(super) fn start_work(&mut self, t: usize, stage: usize) -> bool {
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
    pub(super) fn put(
        &mut self,
        t: usize,
        queue: usize,
        mut token: Token,
        value: Value,
        next: u32,
    ) -> bool {
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
            self.queues[queue].sentinels += 1;
            self.closing(queue);
        } else {
            self.queued_items += 1;
            if self.done_queue == queue {
                self.items_done += 1;
                self.latency.record(now - token.born);
                // Kept as a count only: the default budget does not count it.
                self.queued_items -= u64::from(!self.budget_counts_done);
            }
            self.peak_items = self.peak_items.max(self.queued_items);
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
    pub(super) fn record_put(&mut self, t: usize, queue: usize, item: u64, value: Value) {
        let from = if value == Value::Held {
            place::THREAD | t as u32
        } else {
            place::SOURCE
        };
        self.record_move(item, from, place::QUEUE | queue as u32);
    }

    /// A SENTINEL went in: the stages reading this queue are shutting down.
    #[cold]
    pub(super) fn closing(&mut self, queue: usize) {
        for s in &mut self.stages {
            if s.input == queue {
                s.closing = true;
            }
        }
    }

    #[cold]
    pub(super) fn wake_spinners(&mut self, queue: usize) {
        let spinners = std::mem::take(&mut self.queues[queue].spinners);
        for w in spinners {
            self.make_ready(w as usize);
        }
    }

    /// A successful get: the token becomes the thread's held item.
    #[inline(always)]
    pub(super) fn took(&mut self, t: usize, queue: usize, token: Token, next: u32) {
        let waiter = at_mut(&mut self.queues, queue).put_waiters.pop_front();
        if !token.is_sentinel() {
            self.queued_items -= 1;
            if self.done_queue == NO_QUEUE {
                self.items_done += 1;
                self.latency.record(self.now - token.born);
            }
        } else {
            self.queues[queue].sentinels -= 1;
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
    pub(super) fn finish_work(&mut self, t: usize, stage: usize) {
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

    pub(super) fn start(&mut self, by: usize, t: usize) {
        let th = at_mut(&mut self.threads, t);
        th.since = self.now;
        self.make_ready(t);
        // The starter waits behind the new thread, as `Thread.start` waits for `_started`.
        self.ready.push_back(by as u32);
    }

    /// `thread.join()`; returns true when the thread has already ended.
    pub(super) fn join_thread(&mut self, t: usize, target: usize, line: u32) -> bool {
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

    pub(super) fn count(&self, c: Count) -> u64 {
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

    pub(super) fn print(
        &mut self,
        t: usize,
        line: u32,
        text: usize,
        args: crate::scenario::PrintArgs,
    ) {
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
    pub(super) fn raise(&mut self, t: usize, line: u32, error: &str) {
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

    pub(super) fn end_thread(&mut self, t: usize) {
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
    pub(super) fn main_ended(&mut self) {
        let live: Vec<usize> = (1..self.threads.len())
            .filter(|&i| self.threads[i].state.is_alive())
            .collect();
        if live.iter().all(|&i| self.threads[i].polls) {
            self.lingering = live;
            self.status = Status::Finished;
        }
    }

    /// No thread can run and no timer is pending.
    pub(super) fn nothing_left(&mut self) {
        if self.threads.iter().all(|t| !t.state.is_alive()) {
            self.status = Status::Finished;
        } else {
            self.report_hang(None);
        }
    }

    #[cold]
    pub(super) fn memory_error(&mut self, t: usize, queue: usize) {
        let m = self.scenario.memory_budget();
        let queues = self.memory_accounting(m.item_bytes);
        let bytes = crate::stats::memory_total(&queues);
        let items: u64 = queues.iter().filter(|q| q.bytes > 0).map(|q| q.items).sum();
        let longest = python::blamed_queue(self.queues.iter().map(|q| q.len()), queue);
        let q = self.queues[longest].name.clone();
        let held = queues.get(longest).map_or(0, |b| b.bytes);
        let said = python::memory_error(items, bytes, m.budget_bytes, &q, held);
        self.console.push(ConsoleLine {
            time_us: self.now,
            thread: t,
            line: self.current_line(t),
            en: said.en.clone(),
            ko: said.ko.clone(),
        });
        self.memory_error = Some(MemoryErrorReport {
            at_us: self.now,
            queue: q,
            items_queued: items,
            bytes,
            budget_bytes: m.budget_bytes,
            message: said.en,
            queues,
            message_ko: said.ko,
        });
        self.status = Status::MemoryError;
    }

    pub(super) fn current_line(&self, t: usize) -> u32 {
        let th = &self.threads[t];
        self.instrs[th.pc as usize].line
    }

    #[cold]
    pub(super) fn report_hang(&mut self, kind: Option<HangKind>) {
        self.hang = Some(Hung::seen(&*self, self.now, kind));
        self.status = Status::Hang;
    }
}
