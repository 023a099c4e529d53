//! What both engines report: `Stats` (totals, percentiles, Little's law, the bottleneck, the
//! console, the hang report) and `Frame` (what the canvas draws this instant, as flat arrays).

use serde::{Deserialize, Serialize};

/// What a thread is doing; the page draws each with its own colour and shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum ThreadState {
    NotStarted = 0,
    /// Runnable or running zero-time operations.
    Running = 1,
    /// Inside a stage function (`func(item)`).
    Working = 2,
    BlockedGet = 3,
    BlockedPut = 4,
    /// The polling worker's `time.sleep` after an empty `get`.
    Polling = 5,
    Sleeping = 6,
    /// The main thread's busy-wait: CPU burnt for nothing.
    Spinning = 7,
    /// In `queue.join()` or `thread.join()`.
    Joining = 8,
    Ended = 9,
}

impl ThreadState {
    pub const COUNT: usize = 10;
    pub const ALL: [ThreadState; ThreadState::COUNT] = [
        ThreadState::NotStarted,
        ThreadState::Running,
        ThreadState::Working,
        ThreadState::BlockedGet,
        ThreadState::BlockedPut,
        ThreadState::Polling,
        ThreadState::Sleeping,
        ThreadState::Spinning,
        ThreadState::Joining,
        ThreadState::Ended,
    ];

    /// True while the thread exists and has not returned.
    pub fn is_alive(self) -> bool {
        !matches!(self, ThreadState::NotStarted | ThreadState::Ended)
    }
}

/// How a run ended, or `Running`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    Finished,
    Hang,
    MemoryError,
}

/// Why a hung run can never go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HangKind {
    /// Threads block each other through full queues.
    Deadlock,
    /// `queue.join()` waits for `task_done` calls that no thread will make.
    JoinNeverReturns,
    /// A worker waits on `get` for a SENTINEL that never comes, so it never ends.
    WorkerNeverEnds,
    /// Every thread waits and none of the above explains it.
    AllBlocked,
    /// Threads run without end: none waits, sleeps or finishes an item (see
    /// `sim::LIVELOCK_OPS`).
    Livelock,
    /// The run would go past `sim::HORIZON_US` of virtual time (a loop that sleeps forever):
    /// it can never finish.
    Horizon,
    /// A thread of the engine itself failed (a panic, an allocation that failed, a thread
    /// lost): the run cannot go on. Only the live engine has threads to lose.
    ThreadLost,
    /// Threads keep polling (sleeping between polls) while no item is made or finished and no
    /// thread is left in work or a sleep that could give them one (see `sim::LIVELOCK_OPS`).
    Stall,
}

/// What one waiting thread waits on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub thread: usize,
    pub name: String,
    pub state: ThreadState,
    /// The Python line it is stuck on (1-based; 0 when none).
    pub line: u32,
    /// For example `get() on resize_queue (empty, no thread left that puts)`.
    pub on: String,
}

/// The report of a hung run: which thread waits on what, forever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HangReport {
    pub kind: HangKind,
    pub at_us: u64,
    pub waiting: Vec<Waiting>,
    /// What went wrong, naming the threads at fault, in the run's language: the page's headline
    /// (it words no hang itself).
    pub headline: String,
    /// The headline and what each waiting thread waits on, for people.
    pub message: String,
    /// The wait-for chain from the thread the program waits on to the root cause; `None` for a
    /// livelock or the time limit, where no thread waits on another.
    pub chain: Option<HangChain>,
}

/// The wait-for chain behind a hang (built by `python::chain`), worded in the run's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HangChain {
    /// From the thread the program waits on first (main, while it lives) to the last waiter
    /// before the cause, each link's `next` the following link's thread.
    pub links: Vec<ChainLink>,
    pub root: ChainRoot,
    /// The other waiting threads, off the chain, each with who could release it.
    pub others: Vec<ChainLink>,
}

/// One waiting thread: what it waits on, and which threads could release it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainLink {
    pub thread: usize,
    pub name: String,
    /// The Python line it waits at (0 when none).
    pub line: u32,
    pub wait: ChainWait,
    /// The queue waited on (`get`, `put`, `join`, a busy-wait).
    pub queue: Option<usize>,
    /// The thread joined (`thread.join()`).
    pub target: Option<usize>,
    /// Threads that could release it (put, get, call `task_done()`, end).
    pub releasers: Vec<usize>,
    /// The releaser the chain goes on to; `None` at the chain's end and off the chain.
    pub next: Option<usize>,
    /// The link in a sentence.
    pub text: String,
}

/// What a link's thread waits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainWait {
    /// `get()` on an empty queue.
    Get,
    /// `put()` on a full queue.
    Put,
    /// `queue.join()` with unfinished tasks.
    JoinQueue,
    /// `thread.join()` of a thread that does not end.
    JoinThread,
    /// A busy-wait on a queue's length.
    BusyWait,
    /// Nothing: it failed inside the engine.
    Lost,
    /// Nothing: it is still running.
    Running,
}

/// Where a wait-for chain ends: why no thread can go on, in Python's terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainRoot {
    pub kind: RootKind,
    /// The source line to look at (0 when there is none).
    pub line: u32,
    /// The queues it is about.
    pub queues: Vec<usize>,
    /// The threads it is about: the waiter left without a SENTINEL, the threads of a cycle...
    pub threads: Vec<usize>,
    /// The cause in a sentence, naming the line.
    pub text: String,
}

/// The kinds of root cause a wait-for chain ends at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RootKind {
    /// A worker waits in `for item in queue` for a SENTINEL no thread will put.
    MissingSentinel,
    /// `queue.join()` waits for `task_done()` calls no thread will make.
    TaskDoneMissing,
    /// Threads wait to put into full queues that only the others of the cycle take from.
    FullQueueCycle,
    /// Threads wait on each other in another cycle.
    WaitCycle,
    /// A `get()` on a queue no thread left will put into.
    NoPutter,
    /// A `put()` on a full queue no thread left will take from.
    NoTaker,
    /// The thread that could release the chain was never started.
    NeverStarted,
    /// The thread that could release the chain failed inside the engine.
    ThreadLost,
    /// The chain ends at a thread that is still running (only when the run was ended for it).
    StillRunning,
}

/// The simulated `MemoryError`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryErrorReport {
    pub at_us: u64,
    pub queue: String,
    /// The items the budget counted, and their bytes: the sums over `queues`.
    pub items_queued: u64,
    pub bytes: u64,
    pub budget_bytes: u64,
    pub message: String,
    /// The budget's accounting queue by queue when the error was raised; `bytes` is its sum.
    pub queues: Vec<QueueBytes>,
    /// `message` in Korean: the page shows the engine's sentence in the page's language.
    pub message_ko: String,
}

/// One queue's share of the memory budget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueueBytes {
    pub name: String,
    /// Items in the queue, SENTINELs left out.
    pub items: u64,
    /// What the budget counts of them: `items x item_bytes`; 0 for a `done_queue` whose items
    /// the budget does not count (see `Scenario::budget_counts_done`).
    pub bytes: u64,
}

/// The memory budget's accounting, queue by queue, the one definition both engines use: each
/// queue's items (name, items without SENTINELs) at `item_bytes` each, the done queue's only
/// when `counts_done`. The total an engine reports (and a `MemoryError` names) is the sum.
pub fn memory_accounting(
    queues: impl Iterator<Item = (String, u64)>,
    done_queue: Option<usize>,
    counts_done: bool,
    item_bytes: u64,
) -> Vec<QueueBytes> {
    queues
        .enumerate()
        .map(|(q, (name, items))| {
            let counted = budget_counts(q, done_queue, counts_done);
            QueueBytes {
                name,
                items,
                bytes: if counted {
                    items.saturating_mul(item_bytes)
                } else {
                    0
                },
            }
        })
        .collect()
}

/// Whether a memory budget counts queue `q`'s items: every queue but a done queue whose items
/// the engines keep only as a count.
pub fn budget_counts(q: usize, done_queue: Option<usize>, counts_done: bool) -> bool {
    counts_done || done_queue != Some(q)
}

/// The peak of the memory a budget counts: the most items ever queued at once, at the scenario's
/// bytes an item (0 without a budget of its own), and never less than what is queued now.
pub fn peak_bytes(
    peak_items: u64,
    memory: Option<&crate::scenario::MemoryBudget>,
    now_bytes: u64,
) -> u64 {
    memory
        .map_or(0, |m| peak_items.saturating_mul(m.item_bytes))
        .max(now_bytes)
}

/// The sum of an accounting's bytes.
pub fn memory_total(queues: &[QueueBytes]) -> u64 {
    queues.iter().map(|q| q.bytes).fold(0, u64::saturating_add)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Latency {
    pub count: u64,
    pub mean_us: f64,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreadStats {
    pub name: String,
    pub stage: Option<usize>,
    pub state: ThreadState,
    pub line: u32,
    pub busy_us: u64,
    pub blocked_on_get_us: u64,
    pub blocked_on_put_us: u64,
    pub polling_us: u64,
    pub sleeping_us: u64,
    pub spinning_us: u64,
    pub joining_us: u64,
    pub polled_count: u64,
    pub wasted_polls: u64,
    pub work_done: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueStats {
    pub name: String,
    pub maxsize: u32,
    pub len: u64,
    pub mean_len: f64,
    pub max_len: u64,
    pub unfinished_tasks: u64,
    pub puts: u64,
    pub gets: u64,
    /// Items in the queue now, SENTINELs left out (`len` counts them).
    pub items: u64,
    /// This queue's share of `Stats::memory_bytes` (see [`memory_accounting`]).
    pub bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageStats {
    pub name: String,
    pub workers: u32,
    pub service_mean_us: f64,
    /// `workers / mean service time`, items per virtual second.
    pub capacity_per_s: f64,
    pub completed: u64,
    /// Busy time over the time its workers were alive.
    pub utilization: f64,
    pub blocked_on_get_us: u64,
    pub blocked_on_put_us: u64,
    /// Little's law over the run so far, which holds exactly at every instant: L, the
    /// time-average number of items in the stage (queued for it or in service) ...
    pub little_l: f64,
    /// ... equals lambda, the items that entered the stage per virtual second ...
    pub little_lambda_per_s: f64,
    /// ... times W, their mean time in the stage so far (items still inside count the time
    /// they have spent up to now).
    pub little_w_us: f64,
    /// Mean time in the stage of the items that have left it (their whole stay).
    pub sojourn_mean_us: f64,
}

/// One shape for both engines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    pub status: Status,
    pub virtual_time_us: u64,
    /// Items done: put on `done_queue`, or in a program without one (P2-P4) taken off a
    /// queue for good by the thread that consumes it.
    pub items_done: u64,
    pub items_total: u64,
    /// Throughput: `items_done` over the virtual time elapsed since t = 0. `None` at t = 0,
    /// where a rate over no time is undefined.
    pub throughput_per_s: Option<f64>,
    /// The capacity bound (see [`theoretical_best`]) for the workers the stages have now: no
    /// long-run mean throughput can exceed it; a finite run may, by as much as its service times
    /// drew short of their means, or when workers were removed while it ran.
    pub theoretical_per_s: Option<f64>,
    pub latency: Latency,
    pub threads: Vec<ThreadStats>,
    pub queues: Vec<QueueStats>,
    pub stages: Vec<StageStats>,
    /// Index into `stages` of the busiest stage.
    pub bottleneck: Option<usize>,
    pub polls: u64,
    pub wasted_polls: u64,
    /// CPU time burnt by busy-waits and empty polls.
    pub wasted_cpu_us: u64,
    /// What the scenario's memory budget counts now: the sum of the queues' `bytes` (0 without
    /// a budget of the scenario's own).
    pub memory_bytes: u64,
    /// The most `memory_bytes` has been since t = 0 (at a `MemoryError`, the bytes that did
    /// not fit).
    pub peak_memory_bytes: u64,
    /// The most items (not SENTINELs) queued at once since t = 0, in the queues a memory
    /// budget counts (the done queue only where its items stay): with or without a budget of
    /// the scenario's own (sweeps weigh it at the pipeline's bytes an item).
    pub peak_items_queued: u64,
    pub memory_budget_bytes: Option<u64>,
    pub console: Vec<String>,
    /// Operations executed so far.
    pub events: u64,
    /// Threads still alive when the program finished (the polling workers never end).
    pub lingering: Vec<String>,
    pub hang: Option<HangReport>,
    pub memory_error: Option<MemoryErrorReport>,
}

/// What an engine measured of one stage; [`StageStats::derive`] computes the rest, the same
/// way for both engines.
pub struct StageTotals {
    pub name: String,
    pub workers: u32,
    pub service_mean_us: f64,
    pub completed: u64,
    /// Time its workers spent working, and alive (both up to now).
    pub busy_us: u64,
    pub alive_us: u64,
    pub blocked_on_get_us: u64,
    pub blocked_on_put_us: u64,
    /// Mean length of its input queue up to now.
    pub queue_mean: f64,
    /// Integral over time of items in service (item-microseconds).
    pub in_service_area: f64,
    /// Sum of the completed items' times in the stage (queued and in service).
    pub sojourn_sum_us: u128,
    /// Items (and SENTINELs) put into the stage's input queue so far.
    pub arrived: u64,
}

impl StageStats {
    /// The stage's stats at virtual time `now` from its totals.
    pub fn derive(t: StageTotals, now: u64) -> StageStats {
        let StageTotals {
            name,
            workers,
            service_mean_us: mean,
            completed,
            busy_us,
            alive_us,
            blocked_on_get_us,
            blocked_on_put_us,
            queue_mean,
            in_service_area,
            sojourn_sum_us,
            arrived,
        } = t;
        let ratio = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        let area = queue_mean * now as f64 + in_service_area;
        StageStats {
            name,
            workers,
            service_mean_us: mean,
            capacity_per_s: if mean > 0.0 {
                workers as f64 * 1e6 / mean
            } else {
                f64::INFINITY
            },
            completed,
            utilization: ratio(busy_us as f64, alive_us as f64),
            blocked_on_get_us,
            blocked_on_put_us,
            // The item-microseconds spent in the stage up to now, counted once and split
            // three ways, so that L = lambda x W to the rounding of the division.
            little_l: ratio(area, now as f64),
            little_lambda_per_s: ratio(arrived as f64 * 1e6, now as f64),
            little_w_us: ratio(area, arrived as f64),
            sojourn_mean_us: ratio(sojourn_sum_us as f64, completed as f64),
        }
    }
}

/// Throughput in items per second: `done` over `now_us` of virtual time; `None` at t = 0.
pub fn rate_per_s(done: u64, now_us: u64) -> Option<f64> {
    (now_us > 0).then(|| done as f64 * 1e6 / now_us as f64)
}

/// The capacity bound: the smallest `workers / mean service time` over the stages with workers.
///
/// What it bounds: in a tandem every item passes every stage, and stage i's c_i workers finish
/// at most c_i items per mean service time in the long run, so the long-run mean throughput
/// (the expected rate as the run grows without end) is at most min_i c_i / s_i, whatever the
/// distribution of service times. A finite run's realised rate obeys the same bound with the
/// mean of the service times it actually drew: done / elapsed <= c_i / (mean drawn at stage i),
/// so it exceeds this bound only by chance, by about cv / sqrt(n) for n draws of a distribution
/// with coefficient of variation cv (1 for exponential, 0 for constant).
pub fn theoretical_best(stages: &[StageStats]) -> Option<f64> {
    stages
        .iter()
        .filter(|s| s.workers > 0)
        .map(|s| s.capacity_per_s)
        .fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.min(c))))
        .filter(|c| c.is_finite())
}

/// The stage that limits the pipeline, the one definition the page shows too: among the stages
/// with workers nearly as busy as the busiest (within 5 points of utilization), the one with
/// the least capacity. Utilization alone would also mark every stage upstream of the slowest,
/// since a saturated source keeps them all busy. A stage without workers never counts (it
/// limits nothing it runs); there is no threshold beyond "some stage has been busy": `None`
/// until then.
pub fn bottleneck(stages: &[StageStats]) -> Option<usize> {
    let busiest = stages
        .iter()
        .filter(|s| s.workers > 0)
        .map(|s| s.utilization)
        .fold(f64::NAN, f64::max);
    // Before any stage has worked there is nothing to point at.
    if busiest.is_nan() || busiest <= 0.0 {
        return None;
    }
    stages
        .iter()
        .enumerate()
        .filter(|(_, s)| s.workers > 0 && s.utilization >= busiest - 0.05)
        .min_by(|a, b| a.1.capacity_per_s.total_cmp(&b.1.capacity_per_s))
        .map(|(i, _)| i)
}

/// Where an item is, for the page's moving tokens.
pub mod place {
    /// Not yet made (the producer's hand).
    pub const SOURCE: u32 = 0;
    /// `QUEUE | index`.
    pub const QUEUE: u32 = 1 << 24;
    /// `THREAD | index`.
    pub const THREAD: u32 = 2 << 24;
    /// Done or consumed.
    pub const DONE: u32 = 3 << 24;
}

/// Item id used for SENTINEL in frames.
pub const SENTINEL_ID: u32 = u32::MAX;
/// Held-item value for a thread holding nothing.
pub const NO_ITEM: u32 = u32::MAX - 1;

/// What the canvas needs this instant, as flat arrays that JS can view without copying.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Frame {
    pub time_us: u64,
    /// Per thread: [`ThreadState`] as a byte.
    pub thread_state: Vec<u8>,
    /// Per thread: the Python line it is on.
    pub thread_line: Vec<u32>,
    /// Per thread: the item held, [`SENTINEL_ID`] or [`NO_ITEM`].
    pub thread_item: Vec<u32>,
    /// Per queue: `qsize()`.
    pub queue_len: Vec<u32>,
    /// Per queue: `maxsize` now (0 = unbounded).
    pub queue_maxsize: Vec<u32>,
    /// Queue `q` holds `queue_items[queue_start[q]..queue_start[q + 1]]`, front first. A
    /// queue that no thread takes from (`done_queue`) lists no items, only its length.
    pub queue_start: Vec<u32>,
    pub queue_items: Vec<u32>,
    /// Moves since the last frame, three numbers each: item, from place, to place.
    pub moves: Vec<u32>,
    /// Some moves since the last frame were dropped (nobody read frames for a long while).
    pub moves_lost: bool,
}

/// The integral over time of a count that changes by ones (a queue's length, the items in
/// service), for its time average. Exact in integers.
///
/// Kept as the sums of the times things entered and left: the area up to `now` is
/// `count * now + left - entered` (each thing counts from its entering to its leaving, or to
/// `now`). So an engine's hot path adds one time per change, and the multiply happens only when
/// the area is read.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeIntegral {
    entered: u128,
    left: u128,
}

impl TimeIntegral {
    /// The count went up by one at `now`.
    #[inline]
    pub fn enter(&mut self, now: u64) {
        self.entered += now as u128;
    }

    /// The count went down by one at `now`.
    #[inline]
    pub fn leave(&mut self, now: u64) {
        self.left += now as u128;
    }

    /// The area up to `now`, `count` being the count now (entered minus left).
    pub fn area_at(&self, count: u64, now: u64) -> u128 {
        widening_mul(count, now) + self.left - self.entered
    }

    /// The time average of the count over `[0, now]` (`count` itself at time 0).
    pub fn mean_at(&self, count: u64, now: u64) -> f64 {
        if now == 0 {
            count as f64
        } else {
            self.area_at(count, now) as f64 / now as f64
        }
    }
}

/// `a * b` without overflow. WebAssembly has no 64x64->128 multiply (it calls `__multi3`, which
/// cost the model engine a few percent), so there two factors under 2^32, the usual case, take
/// a 64-bit multiply; 64-bit machines have the instruction.
#[inline]
fn widening_mul(a: u64, b: u64) -> u128 {
    #[cfg(target_arch = "wasm32")]
    if (a | b) >> 32 == 0 {
        return (a * b) as u128;
    }
    a as u128 * b as u128
}

/// Latency histogram with ~3% precision in constant memory, whatever the run's length.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum: u128,
    max: u64,
}

const SUB_BITS: u32 = 5;
const SUB: u64 = 1 << SUB_BITS;
const LINEAR: u64 = 2 * SUB;

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; Self::index(u64::MAX) + 1],
            total: 0,
            sum: 0,
            max: 0,
        }
    }
}

impl Histogram {
    #[inline]
    fn index(v: u64) -> usize {
        if v < LINEAR {
            v as usize
        } else {
            let e = 63 - v.leading_zeros() as u64; // >= SUB_BITS + 1
            let mantissa = (v >> (e - SUB_BITS as u64)) & (SUB - 1);
            (LINEAR + (e - SUB_BITS as u64 - 1) * SUB + mantissa) as usize
        }
    }

    /// The smallest value that falls in bucket `i`.
    fn low(i: usize) -> u64 {
        let i = i as u64;
        if i < LINEAR {
            i
        } else {
            let e = (i - LINEAR) / SUB + SUB_BITS as u64 + 1;
            let mantissa = (i - LINEAR) % SUB;
            (SUB + mantissa) << (e - SUB_BITS as u64)
        }
    }

    #[inline]
    pub fn record(&mut self, v: u64) {
        self.counts[Self::index(v)] += 1;
        self.total += 1;
        self.sum += v as u128;
        self.max = self.max.max(v);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The value at quantile `q` (0..=1), to the bucket's precision.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        // The largest sample is known exactly: a quantile that lands on it (every quantile
        // above the median of two items, say) is not rounded down to its bucket.
        if rank == self.total {
            return self.max;
        }
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::low(i).min(self.max);
            }
        }
        self.max
    }

    pub fn summary(&self) -> Latency {
        Latency {
            count: self.total,
            mean_us: if self.total == 0 {
                0.0
            } else {
                self.sum as f64 / self.total as f64
            },
            p50_us: self.quantile(0.50),
            p95_us: self.quantile(0.95),
            p99_us: self.quantile(0.99),
            max_us: self.max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantile_that_lands_on_the_slowest_item_is_that_items_latency() {
        // P3: two items, 0 and 100 ms: p95 and p99 are the slowest item's, not its bucket's.
        let mut h = Histogram::default();
        h.record(0);
        h.record(100_000);
        assert_eq!(h.quantile(0.5), 0);
        assert_eq!(h.quantile(0.95), 100_000);
        assert_eq!(h.quantile(0.99), 100_000);
        // Below the top, a bucket's low end, never above the true value.
        for v in 1..=100u64 {
            h.record(v * 1_000);
        }
        let p50 = h.quantile(0.5);
        assert!(p50 <= 51_000 && p50 as f64 >= 51_000.0 * 0.96, "{p50}");
    }

    fn stage(workers: u32, utilization: f64, capacity_per_s: f64) -> StageStats {
        StageStats {
            name: String::new(),
            workers,
            service_mean_us: 0.0,
            capacity_per_s,
            completed: 0,
            utilization,
            blocked_on_get_us: 0,
            blocked_on_put_us: 0,
            little_l: 0.0,
            little_lambda_per_s: 0.0,
            little_w_us: 0.0,
            sojourn_mean_us: 0.0,
        }
    }

    #[test]
    fn the_bottleneck_is_the_least_capacity_among_the_busiest_stages_with_workers() {
        // Both busy; the second has less capacity. A retired stage (no workers) never counts.
        let stages = [
            stage(3, 0.99, 300.0),
            stage(2, 0.97, 100.0),
            stage(0, 1.0, 10.0),
            stage(5, 0.4, 600.0),
        ];
        assert_eq!(bottleneck(&stages), Some(1));
        // Slightly busy still points somewhere; nothing busy points nowhere.
        assert_eq!(
            bottleneck(&[stage(1, 0.1, 5.0), stage(1, 0.0, 1.0)]),
            Some(0)
        );
        assert_eq!(bottleneck(&[stage(1, 0.0, 5.0)]), None);
    }

    #[test]
    fn time_integral_is_exact_for_small_and_huge_products() {
        let mut a = TimeIntegral::default();
        a.enter(0);
        a.enter(0);
        a.enter(4); // 2 over [0, 4), then 3
        a.leave(10);
        a.leave(10); // 3 over [4, 10), then 1
        assert_eq!(a.area_at(1, 10), 8 + 18);
        assert_eq!(a.area_at(1, 12), 8 + 18 + 2);
        assert_eq!(a.mean_at(1, 13), 29.0 / 13.0);
        assert_eq!(TimeIntegral::default().mean_at(7, 0), 7.0);
        // A million held to 2^50: the product is above 2^64.
        let mut big = TimeIntegral::default();
        for _ in 0..1u32 << 20 {
            big.enter(1 << 10);
        }
        let now = 1u64 << 50;
        assert_eq!(
            big.area_at(1 << 20, now),
            (1u128 << 20) * ((1u128 << 50) - (1 << 10))
        );
    }

    #[test]
    fn histogram_quantiles_are_within_a_few_percent() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v);
        }
        for (q, want) in [(0.5, 50_000.0), (0.95, 95_000.0), (0.99, 99_000.0)] {
            let got = h.quantile(q) as f64;
            assert!((got - want).abs() / want < 0.04, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.summary().max_us, 100_000);
        assert_eq!(h.quantile(0.0), 1);
    }

    #[test]
    fn histogram_buckets_are_monotonic() {
        let mut last = 0;
        for i in 0..Histogram::index(u64::MAX) {
            let low = Histogram::low(i);
            assert!(i == 0 || low > last, "bucket {i}");
            assert_eq!(Histogram::index(low), i);
            last = low;
        }
    }
}
