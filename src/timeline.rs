//! A run over time: each thread's states as spans (what it did, on which source line), each
//! queue's length as steps, and each item's hops from a `put` to the `get` that took it, recorded
//! from the model engine's frames; and the Chrome/Perfetto trace made from them. It must not
//! change the run it records: it only steps it and reads its frames.

use crate::engine::EngineError;
use crate::scenario::{OpKind, Scenario, Value as PutValue};
use crate::sim::{LoggedControl, Sim};
use crate::stats::{place, Frame, Status, ThreadState, SENTINEL_ID};
use serde::Serialize;
use serde_json::{json, Value};

/// One stretch of a thread in one state, on one source line: `[start_us, end_us)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start_us: u64,
    pub end_us: u64,
    pub state: ThreadState,
    pub line: u32,
}

/// An item's hop through a queue: put by one thread, taken by another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub item: u32,
    pub queue: usize,
    pub put_by: usize,
    pub put_us: u64,
    pub got_by: usize,
    pub got_us: u64,
}

/// A run recorded from its start to its end (or to the limit of events).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Timeline {
    pub threads: Vec<String>,
    pub queues: Vec<String>,
    /// Per thread, its spans in time order; together they tile `[start, end_us)` of the thread.
    pub spans: Vec<Vec<Span>>,
    /// Per queue, `(time, qsize)` at every change (the last of an instant: several puts and
    /// gets at one virtual time leave one step).
    pub lengths: Vec<Vec<(u64, u32)>>,
    /// Per queue, the longest `qsize()` was in the recording, within an instant too: the stats'
    /// `max_len`, which the page's queue table shows.
    pub max_lens: Vec<u64>,
    /// `(time, items queued in all queues)` at every change (SENTINELs not counted).
    pub queued: Vec<(u64, u64)>,
    pub hops: Vec<Hop>,
    pub end_us: u64,
    pub status: Status,
    /// Bytes an item takes, where the scenario has a memory budget.
    pub item_bytes: Option<u64>,
    /// Per item id, when `object()` made it (its first `put` went through); `u64::MAX` for an
    /// id not made in the recording. Not sent to the page: journeys are computed here.
    #[serde(skip)]
    pub born_us: Vec<u64>,
    /// `(item, time)` each time the engine counted an item done (its `put` into the done queue,
    /// or, in a program without one, each `get`), in time order: the run's latencies.
    #[serde(skip)]
    pub finished: Vec<(u32, u64)>,
    /// Puts no `get` took by the end of the recording (the done queue's among them).
    #[serde(skip)]
    pub untaken: Vec<Put>,
    /// `(item, thread, time)`: a thread ended (raised) holding the item, which went nowhere.
    #[serde(skip)]
    pub dropped: Vec<(u32, usize, u64)>,
}

/// An item's `put` into a queue that nothing took by the end of the recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Put {
    pub item: u32,
    pub queue: usize,
    pub by: usize,
    pub at_us: u64,
}

/// Events a recording takes at most before it stops (the run is cut there, and `status` says
/// `Running`): a trace of a few million events is already more than a viewer opens.
pub const MAX_EVENTS: u64 = 2_000_000;

impl Timeline {
    /// Runs `scenario` on the model engine from its start to its end, recording it one moment
    /// of virtual time at a time. (Real threads cannot be recorded this way: a recording needs
    /// the moves of every item, in the engine's one order.)
    pub fn record(scenario: Scenario) -> Result<Timeline, EngineError> {
        Timeline::record_with(scenario, &[], MAX_EVENTS)
    }

    /// Like [`Timeline::record`], with the controls a run was given while it ran (the page's
    /// control log), recording at most `max_events` moments.
    pub fn record_with(
        scenario: Scenario,
        controls: &[LoggedControl],
        max_events: u64,
    ) -> Result<Timeline, EngineError> {
        Timeline::record_until(scenario, controls, max_events, u64::MAX, 0)
    }

    /// The run up to its present: after exactly `ops` operations (even inside one moment of
    /// virtual time) and at time `now_us` (time may have passed since the last operation).
    pub fn record_to_present(
        scenario: Scenario,
        controls: &[LoggedControl],
        ops: u64,
        now_us: u64,
    ) -> Result<Timeline, EngineError> {
        Timeline::record_until(scenario, controls, MAX_EVENTS, ops, now_us)
    }

    fn record_until(
        scenario: Scenario,
        controls: &[LoggedControl],
        max_events: u64,
        max_ops: u64,
        now_us: u64,
    ) -> Result<Timeline, EngineError> {
        let mut sim = Sim::new(scenario.clone())?.with_moves();
        sim.replay_controls(controls)?;
        // Frames without the queues' items: a recording reads states, lengths and moves, and
        // copying every queued item at every moment would make it quadratic in the items.
        let mut frame = Frame::default();
        sim.frame_into_without_items(&mut frame);
        let mut rec = Recorder::new(&scenario, &frame, sim.items_queued());
        let mut events = 0;
        while sim.is_running() && events < max_events && sim.ops() < max_ops {
            sim.step_event_bounded(max_ops - sim.ops());
            sim.frame_into_without_items(&mut frame);
            rec.see(&frame, sim.items_queued());
            events += 1;
        }
        let stats = sim.stats();
        let max_lens = stats.queues.iter().map(|q| q.max_len).collect();
        let names = stats.threads.into_iter().map(|t| t.name).collect();
        // Stopped at an operation count, the present can be later than the last operation: only
        // time passed since, so every thread's state holds until then.
        let end_us = sim.now().max(now_us);
        let mut timeline = rec.finish(&scenario, names, end_us, sim.status());
        timeline.max_lens = max_lens;
        Ok(timeline)
    }

    /// The Chrome trace event format (JSON), which ui.perfetto.dev and chrome://tracing open:
    /// one track a thread with its states as complete slices named after the operation and its
    /// source line, a counter a queue, one for the items queued (and memory where budgeted), and
    /// a flow arrow from each `put` to the `get` that took the item.
    pub fn to_chrome_trace(&self, scenario: &Scenario) -> Value {
        let mut events = Vec::new();
        events.push(
            json!({"name": "process_name", "ph": "M", "pid": 1, "tid": 0,
            "args": {"name": format!("Pipeline Lab: {}", scenario.title.en)}}),
        );
        for (t, name) in self.threads.iter().enumerate() {
            events.push(json!({"name": "thread_name", "ph": "M", "pid": 1, "tid": t,
                "args": {"name": name}}));
            events.push(
                json!({"name": "thread_sort_index", "ph": "M", "pid": 1, "tid": t,
                "args": {"sort_index": t}}),
            );
        }
        for (t, spans) in self.spans.iter().enumerate() {
            for s in spans {
                let code = scenario
                    .source
                    .get((s.line as usize).wrapping_sub(1))
                    .map(|l| l.trim())
                    .unwrap_or("");
                events.push(json!({
                    "name": slice_name(s.state, code),
                    "cat": state_name(s.state),
                    "ph": "X", "pid": 1, "tid": t,
                    "ts": s.start_us, "dur": s.end_us - s.start_us,
                    "args": {"state": state_name(s.state), "line": s.line, "code": code},
                }));
            }
        }
        for (q, lengths) in self.lengths.iter().enumerate() {
            for &(ts, len) in lengths {
                events.push(
                    json!({"name": format!("{} qsize", self.queues[q]), "ph": "C",
                    "pid": 1, "ts": ts, "args": {"qsize": len}}),
                );
            }
        }
        for &(ts, n) in &self.queued {
            let mut args = json!({"items": n});
            if let Some(b) = self.item_bytes {
                args["bytes"] = json!(n * b);
            }
            events.push(
                json!({"name": "items queued (memory)", "ph": "C", "pid": 1, "ts": ts,
                "args": args}),
            );
        }
        for (id, h) in self.hops.iter().enumerate() {
            let name = format!("item {} via {}", h.item, self.queues[h.queue]);
            events.push(
                json!({"name": name, "cat": "item", "ph": "s", "id": id, "pid": 1,
                "tid": h.put_by, "ts": h.put_us}),
            );
            events.push(
                json!({"name": name, "cat": "item", "ph": "f", "bp": "e", "id": id,
                "pid": 1, "tid": h.got_by, "ts": h.got_us}),
            );
        }
        json!({
            "traceEvents": events,
            "displayTimeUnit": "ms",
            "otherData": {"program": scenario.id, "status": self.status, "end_us": self.end_us},
        })
    }
}

/// What a state is called in the trace.
fn state_name(state: ThreadState) -> &'static str {
    match state {
        ThreadState::NotStarted => "not started",
        ThreadState::Running => "running",
        ThreadState::Working => "working",
        ThreadState::BlockedGet => "blocked on get()",
        ThreadState::BlockedPut => "blocked on put()",
        ThreadState::Polling => "polling",
        ThreadState::Sleeping => "sleeping",
        ThreadState::Spinning => "busy-waiting",
        ThreadState::Joining => "joining",
        ThreadState::Ended => "ended",
    }
}

/// A slice's name: the state and the Python line it is on.
fn slice_name(state: ThreadState, code: &str) -> String {
    if code.is_empty() {
        state_name(state).to_string()
    } else {
        format!("{}: {code}", state_name(state))
    }
}

/// Turns a sequence of frames into spans, steps and hops.
struct Recorder {
    now: u64,
    /// Per thread: the open span's start, state and line.
    open: Vec<(u64, ThreadState, u32)>,
    spans: Vec<Vec<Span>>,
    lengths: Vec<Vec<(u64, u32)>>,
    queued: Vec<(u64, u64)>,
    /// Puts not yet taken: (item, queue) -> (thread, time).
    pending: std::collections::HashMap<(u32, usize), (usize, u64)>,
    /// Per queue, the thread whose program puts new items (`object()`) into it: a move from the
    /// source does not name its thread.
    source_of: Vec<usize>,
    hops: Vec<Hop>,
    done_queue: Option<usize>,
    born_us: Vec<u64>,
    finished: Vec<(u32, u64)>,
    dropped: Vec<(u32, usize, u64)>,
}

fn state_of(byte: u8) -> ThreadState {
    ThreadState::ALL
        .get(byte as usize)
        .copied()
        .unwrap_or(ThreadState::Running)
}

impl Recorder {
    fn new(scenario: &Scenario, f: &Frame, queued: u64) -> Recorder {
        let n = f.thread_state.len();
        Recorder {
            now: f.time_us,
            open: (0..n)
                .map(|t| (f.time_us, state_of(f.thread_state[t]), f.thread_line[t]))
                .collect(),
            spans: vec![Vec::new(); n],
            lengths: f
                .queue_len
                .iter()
                .map(|&len| vec![(f.time_us, len)])
                .collect(),
            queued: vec![(f.time_us, queued)],
            pending: std::collections::HashMap::with_capacity(scenario.queues.len() * 16),
            source_of: (0..scenario.queues.len())
                .map(|q| {
                    scenario
                        .threads
                        .iter()
                        .position(|t| {
                            t.program.iter().any(|op| {
                                matches!(op.kind, OpKind::Put { queue, value: PutValue::NewItem } if queue == q)
                            })
                        })
                        .unwrap_or(0)
                })
                .collect(),
            hops: Vec::new(),
            done_queue: scenario.done_queue,
            born_us: Vec::new(),
            finished: Vec::new(),
            dropped: Vec::new(),
        }
    }

    fn see(&mut self, f: &Frame, queued: u64) {
        let now = f.time_us;
        self.now = now;
        // Threads added by a control appear at the end.
        while self.open.len() < f.thread_state.len() {
            let t = self.open.len();
            self.open
                .push((now, state_of(f.thread_state[t]), f.thread_line[t]));
            self.spans.push(Vec::new());
        }
        for t in 0..f.thread_state.len() {
            let (state, line) = (state_of(f.thread_state[t]), f.thread_line[t]);
            let (start, was, was_line) = self.open[t];
            if (state, line) != (was, was_line) {
                if now > start {
                    self.spans[t].push(Span {
                        start_us: start,
                        end_us: now,
                        state: was,
                        line: was_line,
                    });
                }
                self.open[t] = (now, state, line);
            }
        }
        for (q, &len) in f.queue_len.iter().enumerate() {
            let last = self.lengths[q].last().map(|&(_, n)| n);
            if last != Some(len) {
                push_step(&mut self.lengths[q], now, len);
            }
        }
        if self.queued.last().map(|&(_, n)| n) != Some(queued) {
            push_step(&mut self.queued, now, queued);
        }
        for m in f.moves.chunks_exact(3) {
            let (item, from, to) = (m[0], m[1], m[2]);
            if item == SENTINEL_ID {
                continue;
            }
            let kind = |p: u32| p & !0x00ff_ffff;
            let index = |p: u32| (p & 0x00ff_ffff) as usize;
            if kind(to) == place::QUEUE && (kind(from) == place::THREAD || from == place::SOURCE) {
                let by = if from == place::SOURCE {
                    self.source_of[index(to)]
                } else {
                    index(from)
                };
                if from == place::SOURCE {
                    let slot = item as usize;
                    if self.born_us.len() <= slot {
                        self.born_us.resize(slot + 1, u64::MAX);
                    }
                    self.born_us[slot] = now;
                }
                if self.done_queue == Some(index(to)) {
                    self.finished.push((item, now));
                }
                self.pending.insert((item, index(to)), (by, now));
            } else if kind(from) == place::QUEUE && kind(to) == place::THREAD {
                if self.done_queue.is_none() {
                    self.finished.push((item, now));
                }
                if let Some((put_by, put_us)) = self.pending.remove(&(item, index(from))) {
                    self.hops.push(Hop {
                        item,
                        queue: index(from),
                        put_by,
                        put_us,
                        got_by: index(to),
                        got_us: now,
                    });
                }
            } else if kind(from) == place::THREAD && to == place::DONE {
                self.dropped.push((item, index(from), now));
            }
        }
    }

    fn finish(
        mut self,
        scenario: &Scenario,
        threads: Vec<String>,
        end_us: u64,
        status: Status,
    ) -> Timeline {
        for (t, &(start, state, line)) in self.open.iter().enumerate() {
            if end_us > start {
                self.spans[t].push(Span {
                    start_us: start,
                    end_us,
                    state,
                    line,
                });
            }
        }
        let mut untaken: Vec<Put> = self
            .pending
            .iter()
            .map(|(&(item, queue), &(by, at_us))| Put {
                item,
                queue,
                by,
                at_us,
            })
            .collect();
        untaken.sort_unstable_by_key(|p| (p.at_us, p.item, p.queue));
        Timeline {
            threads,
            queues: scenario.queues.iter().map(|q| q.name.clone()).collect(),
            spans: self.spans,
            lengths: self.lengths,
            max_lens: Vec::new(),
            queued: self.queued,
            hops: self.hops,
            end_us,
            status,
            item_bytes: scenario.memory.as_ref().map(|m| m.item_bytes),
            born_us: self.born_us,
            finished: self.finished,
            untaken,
            dropped: self.dropped,
        }
    }
}

/// Adds `(now, value)` to a step series, replacing a step at the same instant.
fn push_step<T>(series: &mut Vec<(u64, T)>, now: u64, value: T) {
    match series.last_mut() {
        Some(last) if last.0 == now => last.1 = value,
        _ => series.push((now, value)),
    }
}
