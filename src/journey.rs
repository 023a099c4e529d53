//! One item's journey through a model-engine run: per queue its wait, per stage its service and
//! the time its thread was blocked on `put` holding it, who handled it, its latency against p50/p95.
//!
//! Built from a [`Timeline`] (the run recorded from its frames) and clipped at an instant, so an
//! item still in flight has a partial journey that grows, and a finished item's journey is the
//! same whenever it is asked (the model engine replays deterministically). The parts add up
//! exactly: `latency_us = Σ (wait_us + service_us + blocked_put_us)` over the legs, where
//! latency is the engine's own: from the `put` that made the item (`object()`) to the moment the
//! engine counted it done (its `put` into the done queue, or its `get` in a program without one).

use crate::engine::EngineError;
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::Sim;
use crate::stats::ThreadState;
use crate::timeline::Timeline;
use serde::Serialize;

/// Where the item is at the journey's instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// `object()` has not made it yet.
    NotMade,
    /// In a queue or in a worker's hands.
    InFlight,
    /// Counted done by the engine (its latency is final).
    Done,
    /// Its thread ended (raised) while holding it: it went nowhere.
    Dropped,
}

/// One hop: put into a queue, taken by a worker, held by it until its next `put` (or the end).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Leg {
    pub queue: usize,
    pub queue_name: String,
    /// The stage whose workers read this queue, if any.
    pub stage_name: Option<String>,
    pub put_by: usize,
    pub put_by_name: String,
    pub put_us: u64,
    /// The worker thread that took it (`None`: still waiting in the queue).
    pub got_by: Option<usize>,
    pub got_by_name: Option<String>,
    pub got_us: Option<u64>,
    /// Put → get (or → the journey's end while it waits).
    pub wait_us: u64,
    /// Get → the next `put` (or the end), less `blocked_put_us`: the stage function's time.
    pub service_us: u64,
    /// The part of get → next `put` its thread spent blocked in `put()` on a full queue while
    /// holding this item: back-pressure the item met, during which its worker took nothing else.
    pub blocked_put_us: u64,
    /// When this leg ends: the next `put`, the item's end (done, dropped) or the journey's instant.
    pub until_us: u64,
}

/// An item's path up to an instant, and how its latency compares with the run's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Journey {
    pub item: u32,
    /// The instant the journey is told at (virtual microseconds).
    pub at_us: u64,
    pub status: ItemStatus,
    pub born_us: Option<u64>,
    /// When the item's journey ended: done or dropped.
    pub end_us: Option<u64>,
    /// Born → done (or → the instant, in flight): exactly the sum of the legs' parts.
    pub latency_us: u64,
    pub wait_us: u64,
    pub service_us: u64,
    pub blocked_put_us: u64,
    pub legs: Vec<Leg>,
    /// Items done by the instant, and their latencies' p50 and p95 (nearest rank).
    pub done_items: u64,
    pub p50_us: Option<u64>,
    pub p95_us: Option<u64>,
    /// The share of done items (0..=1) whose latency was below this one's: it was slower than
    /// those (done items only).
    pub slower_than: Option<f64>,
}

impl Journey {
    /// Item `item`'s journey in `timeline` (recorded from `scenario`) as of `at_us` (clipped to
    /// the recording's end). An id the run never makes is an `OutOfRange` error naming `item`.
    pub fn of(
        timeline: &Timeline,
        scenario: &Scenario,
        item: u32,
        at_us: u64,
    ) -> Result<Journey, ScenarioError> {
        let made = (scenario.items as usize).max(timeline.born_us.len());
        if item as usize >= made {
            return Err(ScenarioError::OutOfRange {
                field: "item".into(),
                value: item.to_string(),
                allowed: if made == 0 {
                    "none: this run makes no items".into()
                } else {
                    format!("0..={}", made - 1)
                },
            });
        }
        let at = at_us.min(timeline.end_us);
        let born = timeline
            .born_us
            .get(item as usize)
            .copied()
            .filter(|&b| b != u64::MAX && b <= at);
        let done_queue = scenario.done_queue;
        let done = timeline
            .finished
            .iter()
            .find(|&&(i, t)| i == item && t <= at)
            .map(|&(_, t)| t);
        let dropped = timeline
            .dropped
            .iter()
            .find(|&&(i, _, t)| i == item && t <= at)
            .map(|&(_, _, t)| t);
        let end = done.or(dropped);
        let stop = end.unwrap_or(at);
        let status = match (born, done, dropped) {
            (None, _, _) => ItemStatus::NotMade,
            (_, Some(_), _) => ItemStatus::Done,
            (_, None, Some(_)) => ItemStatus::Dropped,
            _ => ItemStatus::InFlight,
        };
        // The item's puts up to its end, in time order: taken ones (hops) and one left in a queue.
        let mut puts: Vec<ItemPut> = Vec::new();
        if born.is_some() {
            for h in timeline.hops.iter().filter(|h| h.item == item) {
                if h.put_us <= stop && Some(h.queue) != done_queue {
                    let got = (h.got_us <= stop).then_some((h.got_by, h.got_us));
                    puts.push((h.queue, h.put_by, h.put_us, got));
                }
            }
            for p in timeline.untaken.iter().filter(|p| p.item == item) {
                if p.at_us <= stop && Some(p.queue) != done_queue {
                    puts.push((p.queue, p.by, p.at_us, None));
                }
            }
            puts.sort_by_key(|p| p.2);
        }
        let name = |t: usize| timeline.threads.get(t).cloned().unwrap_or_default();
        let mut legs = Vec::with_capacity(puts.len());
        for (k, &(queue, put_by, put_us, got)) in puts.iter().enumerate() {
            let until = puts.get(k + 1).map_or(stop, |p| p.2).max(put_us);
            let (wait_end, service_window) = match got {
                // Without a done queue the engine counts the item done when it is taken.
                Some((_, got_us)) if done_queue.is_none() => (got_us, (got_us, got_us)),
                Some((_, got_us)) => (got_us, (got_us, until)),
                None => (until, (until, until)),
            };
            let blocked = got.map_or(0, |(t, _)| {
                blocked_on_put(timeline, t, service_window.0, service_window.1)
            });
            legs.push(Leg {
                queue,
                queue_name: timeline.queues.get(queue).cloned().unwrap_or_default(),
                stage_name: scenario
                    .stages
                    .iter()
                    .find(|s| s.input == queue)
                    .map(|s| s.name.clone()),
                put_by,
                put_by_name: name(put_by),
                put_us,
                got_by: got.map(|g| g.0),
                got_by_name: got.map(|g| name(g.0)),
                got_us: got.map(|g| g.1),
                wait_us: wait_end - put_us,
                service_us: service_window.1 - service_window.0 - blocked,
                blocked_put_us: blocked,
                until_us: if done_queue.is_none() && got.is_some() {
                    wait_end
                } else {
                    until
                },
            });
            if done_queue.is_none() && got.is_some() {
                break;
            }
        }
        let latency_us = born.map_or(0, |b| stop - b);
        // The run's latencies by the instant: `finished` is in time order, so a prefix.
        let by_at = timeline.finished.partition_point(|&(_, t)| t <= at);
        let mut latencies: Vec<u64> = timeline.finished[..by_at]
            .iter()
            .filter_map(|&(i, t)| {
                let b = *timeline.born_us.get(i as usize)?;
                (b <= t).then_some(t - b)
            })
            .collect();
        latencies.sort_unstable();
        let rank = |p: f64| {
            let n = latencies.len();
            (n > 0).then(|| latencies[((p * n as f64).ceil() as usize).clamp(1, n) - 1])
        };
        let slower_than = (status == ItemStatus::Done && !latencies.is_empty()).then(|| {
            latencies.partition_point(|&l| l < latency_us) as f64 / latencies.len() as f64
        });
        Ok(Journey {
            item,
            at_us: at,
            status,
            born_us: born,
            end_us: end,
            latency_us,
            wait_us: legs.iter().map(|l| l.wait_us).sum(),
            service_us: legs.iter().map(|l| l.service_us).sum(),
            blocked_put_us: legs.iter().map(|l| l.blocked_put_us).sum(),
            legs,
            done_items: latencies.len() as u64,
            p50_us: rank(0.50),
            p95_us: rank(0.95),
            slower_than,
        })
    }

    /// Item `item`'s journey in the run `sim` is running, as of its present: the run is recorded
    /// again from its start (with its control log) up to the operation it is at.
    pub fn replay(sim: &Sim, item: u32) -> Result<Journey, EngineError> {
        let scenario = sim.scenario().clone();
        let timeline =
            Timeline::record_to_present(scenario.clone(), sim.controls(), sim.ops(), sim.now())?;
        Ok(Journey::of(&timeline, &scenario, item, sim.now())?)
    }
}

/// A `put` of the item: queue, thread, time, and the `get` that took it (thread, time), if one did.
type ItemPut = (usize, usize, u64, Option<(usize, u64)>);

/// Microseconds thread `t` spent blocked on `put` within `[from, to)`.
fn blocked_on_put(timeline: &Timeline, t: usize, from: u64, to: u64) -> u64 {
    let Some(spans) = timeline.spans.get(t) else {
        return 0;
    };
    let first = spans.partition_point(|s| s.end_us <= from);
    spans[first..]
        .iter()
        .take_while(|s| s.start_us < to)
        .filter(|s| s.state == ThreadState::BlockedPut)
        .map(|s| s.end_us.min(to) - s.start_us.max(from))
        .sum()
}
