//! Parameter sweeps: one builder pipeline, one parameter (or two, as a grid) taken over a list
//! of values, a few replications (seeds) a point, each run on the model engine to its end. Pure:
//! it says what to run and summarises; who runs the runs (one thread, rayon's pool) is the
//! caller's choice, and the results do not depend on it.

use crate::engine::Engine;
use crate::scenario::{Arrival, PipelineSpec, ScenarioError, Service};
use crate::stats::Status;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// The parameter a sweep varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Param {
    /// `maxsize` of one stage's input queue, or of every stage's when `stage` is `None`.
    Maxsize { stage: Option<usize> },
    /// Workers of one stage.
    Workers { stage: usize },
    /// Items a second from a Poisson source (instead of every item at once).
    ArrivalRate,
    /// Mean service time of one stage, in microseconds (its distribution's shape is kept).
    ServiceMean { stage: usize },
    /// Items the source puts.
    Items,
}

impl Param {
    /// `maxsize`, `maxsize:1`, `workers:1`, `rate`, `service:0`, `items` (stages count from 0).
    pub fn parse(text: &str) -> Result<Param, String> {
        let (name, stage) = match text.split_once(':') {
            Some((name, stage)) => {
                let stage = stage
                    .parse::<usize>()
                    .map_err(|_| format!("`{stage}` is not a stage number (0, 1, ...)"))?;
                (name, Some(stage))
            }
            None => (text, None),
        };
        let need = |what: &str| {
            stage.ok_or_else(|| format!("{what} needs a stage: {what}:0, {what}:1, ..."))
        };
        match name {
            "maxsize" => Ok(Param::Maxsize { stage }),
            "workers" => Ok(Param::Workers {
                stage: need("workers")?,
            }),
            "service" => Ok(Param::ServiceMean {
                stage: need("service")?,
            }),
            "rate" if stage.is_none() => Ok(Param::ArrivalRate),
            "items" if stage.is_none() => Ok(Param::Items),
            _ => Err(format!(
                "`{text}` is not maxsize[:S], workers:S, service:S, rate or items"
            )),
        }
    }

    /// `spec` with this parameter set to `value`; a value the parameter cannot take is an
    /// error naming it.
    pub fn apply(self, spec: &PipelineSpec, value: f64) -> Result<PipelineSpec, ScenarioError> {
        let whole = |field: &str| -> Result<u64, ScenarioError> {
            if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < 2f64.powi(53) {
                Ok(value as u64)
            } else {
                Err(ScenarioError::Invalid {
                    field: field.into(),
                    reason: format!("{value} is not a whole number"),
                })
            }
        };
        let stage_of = |stage: usize| -> Result<usize, ScenarioError> {
            if stage < spec.workers.len() {
                Ok(stage)
            } else {
                Err(ScenarioError::OutOfRange {
                    field: "sweep.stage".into(),
                    value: stage.to_string(),
                    allowed: format!("0..={}", spec.workers.len() - 1),
                })
            }
        };
        let mut out = spec.clone();
        match self {
            Param::Maxsize { stage } => {
                let m = u32::try_from(whole("maxsize")?).unwrap_or(u32::MAX);
                match stage {
                    Some(s) => out.maxsize[stage_of(s)?] = m,
                    None => out.maxsize.iter_mut().for_each(|x| *x = m),
                }
            }
            Param::Workers { stage } => {
                out.workers[stage_of(stage)?] = u32::try_from(whole("workers")?).unwrap_or(u32::MAX)
            }
            Param::ArrivalRate => out.arrival = Arrival::Rate { per_s: value },
            Param::ServiceMean { stage } => {
                let s = stage_of(stage)?;
                let mean = whole("service")?;
                out.service[s] = match out.service[s] {
                    Service::Const { .. } => Service::Const { us: mean },
                    Service::Exp { .. } => Service::Exp { mean_us: mean },
                    Service::Uniform { lo_us, hi_us } => {
                        // The same spread around the new mean, cut at zero.
                        let half = (hi_us - lo_us) / 2;
                        Service::Uniform {
                            lo_us: mean.saturating_sub(half),
                            hi_us: mean + half,
                        }
                    }
                };
            }
            Param::Items => out.items = whole("items")?,
        }
        out.validate()?;
        Ok(out)
    }
}

impl Param {
    /// Where `value` ranks among this parameter's values, smallest first: its own size, except
    /// that `maxsize` 0 (an unbounded queue) ranks above every bound.
    pub fn rank(self, value: f64) -> f64 {
        match self {
            Param::Maxsize { .. } if value == 0.0 => f64::INFINITY,
            _ => value,
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Param::Maxsize { stage: None } => write!(f, "maxsize"),
            Param::Maxsize { stage: Some(s) } => write!(f, "maxsize:{s}"),
            Param::Workers { stage } => write!(f, "workers:{stage}"),
            Param::ArrivalRate => write!(f, "rate"),
            Param::ServiceMean { stage } => write!(f, "service:{stage}"),
            Param::Items => write!(f, "items"),
        }
    }
}

/// A sweep: `base` with `param` set to each of `values`, `reps` runs a value. With `param2`, a
/// 2-D sweep: every value of `param` with every value of `values2` (a grid, row by row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    pub base: PipelineSpec,
    pub param: Param,
    pub values: Vec<f64>,
    pub reps: u32,
    /// The second parameter of a 2-D sweep (the grid's columns), or `None` for a 1-D sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param2: Option<Param>,
    /// The second parameter's values (empty for a 1-D sweep).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values2: Vec<f64>,
}

/// Most runs one sweep may ask for.
pub const MAX_RUNS: usize = 100_000;

/// One run of a sweep: which point, which replication, and its seed. A 2-D sweep's point `p`
/// is row `p / values2.len()` (the value of `param`), column `p % values2.len()`.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub point: usize,
    pub rep: u32,
    pub spec: PipelineSpec,
}

/// What one run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub point: usize,
    pub value: f64,
    /// The second parameter's value (a 2-D sweep only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value2: Option<f64>,
    pub rep: u32,
    pub seed: u64,
    pub status: Status,
    pub items_done: u64,
    pub virtual_time_us: u64,
    pub throughput_per_s: f64,
    /// The best throughput the stages allow (their smallest capacity).
    pub best_possible_per_s: Option<f64>,
    pub latency_p50_us: u64,
    pub latency_p95_us: u64,
    /// Time-average bytes queued (items waiting in queues x item size).
    pub mean_memory_bytes: f64,
    /// The most bytes queued at once (the same items, at their peak).
    pub peak_memory_bytes: u64,
    /// Busy fraction of each stage's workers.
    pub utilization: Vec<f64>,
}

/// A value's replications, summarised: mean, and the spread (min, max) of each figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointSummary {
    pub value: f64,
    /// The second parameter's value (a 2-D sweep only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value2: Option<f64>,
    pub runs: u32,
    /// Runs that did not finish (a hang or `MemoryError`).
    pub failed: u32,
    pub throughput_per_s: Spread,
    pub latency_p50_us: Spread,
    pub latency_p95_us: Spread,
    pub mean_memory_bytes: Spread,
    pub peak_memory_bytes: Spread,
    pub best_possible_per_s: Option<f64>,
    /// Utilization of the busiest stage.
    pub utilization_max: Spread,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    fn of(values: impl Iterator<Item = f64>) -> Spread {
        let (mut n, mut sum, mut min, mut max) = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            n += 1.0;
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
        if n == 0.0 {
            return Spread {
                mean: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        Spread {
            mean: sum / n,
            min,
            max,
        }
    }
}

/// A whole sweep's answer: every run, each value's summary, and the knee.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepResult {
    pub param: String,
    /// The second parameter of a 2-D sweep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param2: Option<String>,
    /// A 2-D sweep's grid: `values.len()` rows (values of `param`) of `values2.len()` columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grid: Option<Grid>,
    /// Points in `jobs()` order: value by value, or a 2-D sweep's grid row by row.
    pub points: Vec<PointSummary>,
    /// Index into `points` of the knee: the smallest value whose mean throughput reaches 95% of
    /// the best mean throughput of the sweep (where more stops paying). For a 2-D sweep, the
    /// first point that does in the parameters' order (fewest of `param`, then fewest of
    /// `param2`). An unbounded `maxsize` (0) ranks after every bound ([`Param::rank`]), whatever
    /// order the values were listed in. None when that point is at the top of the range (see
    /// `rising`) or no run moved an item.
    pub knee: Option<usize>,
    /// The point that would have been the knee when it is the highest value swept of a
    /// parameter swept over more than one value: throughput was still rising there, so the
    /// curve never levelled off and there is no knee within the range.
    pub rising: Option<usize>,
    pub runs: Vec<RunResult>,
}

/// The shape of a 2-D sweep's points: rows are the values of `param`, columns of `param2`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grid {
    pub rows: Vec<f64>,
    pub columns: Vec<f64>,
}

impl Param {
    /// Whether `self` and `other` set the same field of the pipeline (a grid of them would set
    /// it twice).
    fn overlaps(self, other: Param) -> bool {
        match (self, other) {
            (Param::Maxsize { stage: a }, Param::Maxsize { stage: b }) => {
                a.is_none() || b.is_none() || a == b
            }
            (a, b) => a == b,
        }
    }
}

impl Sweep {
    /// A 1-D sweep: `param` over `values`.
    pub fn new(base: PipelineSpec, param: Param, values: Vec<f64>, reps: u32) -> Sweep {
        Sweep {
            base,
            param,
            values,
            reps,
            param2: None,
            values2: Vec::new(),
        }
    }

    /// A 2-D sweep: every value of `param` with every value of `param2`.
    pub fn grid(self, param2: Param, values2: Vec<f64>) -> Sweep {
        Sweep {
            param2: Some(param2),
            values2,
            ..self
        }
    }

    /// Points of the sweep: its values, or a 2-D sweep's cells.
    pub fn point_count(&self) -> usize {
        match self.param2 {
            Some(_) => self.values.len().saturating_mul(self.values2.len()),
            None => self.values.len(),
        }
    }

    /// The value of `param` and of `param2` (2-D only) at `point`.
    pub fn point_values(&self, point: usize) -> (f64, Option<f64>) {
        match self.param2 {
            Some(_) => {
                let columns = self.values2.len().max(1);
                (
                    self.values[point / columns],
                    Some(self.values2[point % columns]),
                )
            }
            None => (self.values[point], None),
        }
    }

    /// Every run, in order (point by point, replication by replication), each checked: a value
    /// the parameter cannot take, two parameters that set the same field, or too many runs, is
    /// an error naming it.
    pub fn jobs(&self) -> Result<Vec<Job>, ScenarioError> {
        let no_values2 = self.param2.is_some() && self.values2.is_empty();
        if self.values.is_empty() || self.reps == 0 || no_values2 {
            return Err(ScenarioError::Invalid {
                field: "sweep".into(),
                reason: "needs at least one value (of each parameter) and one replication".into(),
            });
        }
        if self.param2.is_none() && !self.values2.is_empty() {
            return Err(ScenarioError::Invalid {
                field: "sweep.values2".into(),
                reason: "goes with a second parameter (param2)".into(),
            });
        }
        if let Some(p2) = self.param2 {
            if self.param.overlaps(p2) {
                return Err(ScenarioError::Invalid {
                    field: "sweep.param2".into(),
                    reason: format!("{p2} sets what {} sets: pick another", self.param),
                });
            }
        }
        let total = self.point_count().saturating_mul(self.reps as usize);
        if total > MAX_RUNS {
            return Err(ScenarioError::OutOfRange {
                field: "sweep.runs".into(),
                value: total.to_string(),
                allowed: format!("1..={MAX_RUNS}"),
            });
        }
        let mut jobs = Vec::with_capacity(total);
        for point in 0..self.point_count() {
            let (value, value2) = self.point_values(point);
            let mut spec = self.param.apply(&self.base, value)?;
            if let (Some(p2), Some(v2)) = (self.param2, value2) {
                spec = p2.apply(&spec, v2)?;
            }
            for rep in 0..self.reps {
                let mut spec = spec.clone();
                // Replication r of every value uses the same seed: the values are compared on
                // the same random draws (common random numbers).
                spec.seed = self.base.seed.wrapping_add(rep as u64);
                jobs.push(Job { point, rep, spec });
            }
        }
        Ok(jobs)
    }

    /// Runs one job on the model engine to its end.
    pub fn run(&self, job: &Job) -> RunResult {
        let (value, value2) = self.point_values(job.point);
        let mut engine = job
            .spec
            .build()
            .map_err(crate::engine::EngineError::from)
            .and_then(Engine::model)
            .expect("jobs() validated every spec");
        let status = engine.run_to_end();
        let stats = engine.stats();
        let item_bytes = job.spec.item_bytes as f64;
        RunResult {
            point: job.point,
            value,
            value2,
            rep: job.rep,
            seed: job.spec.seed,
            status,
            items_done: stats.items_done,
            virtual_time_us: stats.virtual_time_us,
            // A run that ended at t = 0 finished nothing over no time: none a second.
            throughput_per_s: stats.throughput_per_s.unwrap_or(0.0),
            best_possible_per_s: stats.theoretical_per_s,
            latency_p50_us: stats.latency.p50_us,
            latency_p95_us: stats.latency.p95_us,
            mean_memory_bytes: stats
                .queues
                .iter()
                .filter(|q| q.name != "done_queue")
                .map(|q| q.mean_len * item_bytes)
                .sum(),
            peak_memory_bytes: stats.peak_items_queued.saturating_mul(job.spec.item_bytes),
            utilization: stats.stages.iter().map(|s| s.utilization).collect(),
        }
    }

    /// Summarises `runs` (in `jobs()` order, whoever ran them).
    pub fn summarize(&self, mut runs: Vec<RunResult>) -> SweepResult {
        runs.sort_by_key(|r| (r.point, r.rep));
        let points: Vec<PointSummary> = (0..self.point_count())
            .map(|i| {
                let (value, value2) = self.point_values(i);
                // The runs are sorted by point: this point's are one slice.
                let from = runs.partition_point(|r| r.point < i);
                let to = runs.partition_point(|r| r.point <= i);
                let of_point = || runs[from..to].iter();
                PointSummary {
                    value,
                    value2,
                    runs: of_point().count() as u32,
                    failed: of_point().filter(|r| r.status != Status::Finished).count() as u32,
                    throughput_per_s: Spread::of(of_point().map(|r| r.throughput_per_s)),
                    latency_p50_us: Spread::of(of_point().map(|r| r.latency_p50_us as f64)),
                    latency_p95_us: Spread::of(of_point().map(|r| r.latency_p95_us as f64)),
                    mean_memory_bytes: Spread::of(of_point().map(|r| r.mean_memory_bytes)),
                    peak_memory_bytes: Spread::of(of_point().map(|r| r.peak_memory_bytes as f64)),
                    best_possible_per_s: of_point().find_map(|r| r.best_possible_per_s),
                    utilization_max: Spread::of(
                        of_point().map(|r| r.utilization.iter().copied().fold(0.0, f64::max)),
                    ),
                }
            })
            .collect();
        let best = points
            .iter()
            .map(|p| p.throughput_per_s.mean)
            .fold(0.0, f64::max);
        // The first point by the parameters' order (fewest of `param`, then of `param2`; an
        // unbounded queue after every bound), whatever order the values were listed in.
        let rank = |i: usize| {
            let (value, value2) = self.point_values(i);
            let rank2 = match (self.param2, value2) {
                (Some(p2), Some(v2)) => p2.rank(v2),
                _ => 0.0,
            };
            (self.param.rank(value), rank2)
        };
        let first = (best > 0.0)
            .then(|| {
                (0..points.len())
                    .filter(|&i| points[i].throughput_per_s.mean >= 0.95 * best)
                    .min_by(|&a, &b| rank(a).partial_cmp(&rank(b)).unwrap_or(Ordering::Equal))
            })
            .flatten();
        let at_top = |i: usize| {
            let (value, value2) = self.point_values(i);
            is_top(self.param, &self.values, value)
                || matches!((self.param2, value2), (Some(p2), Some(v)) if is_top(p2, &self.values2, v))
        };
        let (knee, rising) = match first {
            Some(i) if at_top(i) => (None, Some(i)),
            other => (other, None),
        };
        SweepResult {
            param: self.param.to_string(),
            param2: self.param2.map(|p| p.to_string()),
            grid: self.param2.map(|_| Grid {
                rows: self.values.clone(),
                columns: self.values2.clone(),
            }),
            points,
            knee,
            rising,
            runs,
        }
    }

    /// The whole sweep on rayon's current pool, one run a task; `progress(done, total)` is
    /// called as runs end (from any thread). The result is the same whatever the pool's size:
    /// each run is deterministic, and they are kept in `jobs()` order.
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    pub fn run_parallel(
        &self,
        progress: impl Fn(usize, usize) + Sync,
    ) -> Result<SweepResult, ScenarioError> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let jobs = self.jobs()?;
        let done = AtomicUsize::new(0);
        let runs = jobs
            .par_iter()
            // One run a task, as in `start`.
            .with_max_len(1)
            .map(|j| {
                let r = self.run(j);
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, jobs.len());
                r
            })
            .collect();
        Ok(self.summarize(runs))
    }

    /// Starts the whole sweep on rayon's current pool and returns at once: one task a run (no
    /// barrier), each run handed to the returned [`Finished`] as it ends, with its wall time by
    /// `clock` (milliseconds from any origin: a Web Worker has no `Instant`). The runs are the
    /// same whatever the pool's size; only the order they end in differs.
    #[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
    pub fn start(
        self: std::sync::Arc<Self>,
        clock: fn() -> f64,
    ) -> Result<std::sync::Arc<Finished>, ScenarioError> {
        use rayon::prelude::*;
        let jobs = self.jobs()?;
        let finished = std::sync::Arc::new(Finished::new(jobs.len()));
        let out = finished.clone();
        rayon::spawn(move || {
            // One run a task: an idle thread steals a single run, never a run of several, so
            // the threads end within one run of each other.
            jobs.par_iter()
                .enumerate()
                .with_max_len(1)
                .for_each(|(index, job)| {
                    let from = clock();
                    let result = self.run(job);
                    out.push(Done {
                        index,
                        ms: clock() - from,
                        result,
                    });
                });
        });
        Ok(finished)
    }

    /// The whole sweep on this thread.
    pub fn run_all(&self) -> Result<SweepResult, ScenarioError> {
        let jobs = self.jobs()?;
        let runs = jobs.iter().map(|j| self.run(j)).collect();
        Ok(self.summarize(runs))
    }
}

/// One run of a sweep, ended: its index in `jobs()`, what it measured, and its wall time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Done {
    pub index: usize,
    pub result: RunResult,
    pub ms: f64,
}

/// The runs of a started sweep ([`Sweep::start`]) as they end: the pool's tasks push, one
/// consumer takes, waiting (so it must not be a browser's main thread).
#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
#[derive(Debug)]
pub struct Finished {
    state: std::sync::Mutex<Ended>,
    ready: std::sync::Condvar,
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
#[derive(Debug)]
struct Ended {
    runs: std::collections::VecDeque<Done>,
    /// Runs not yet taken (ended or not).
    left: usize,
}

#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
impl Finished {
    fn new(total: usize) -> Finished {
        Finished {
            state: std::sync::Mutex::new(Ended {
                runs: std::collections::VecDeque::new(),
                left: total,
            }),
            ready: std::sync::Condvar::new(),
        }
    }

    /// Runs that wake the taker early: else it takes them when its wait times out. On many
    /// cores runs end hundreds of times a second, and a wake-up for each would take a core's
    /// time from the runs for progress nobody sees (the page shows it every 200 ms).
    const WAKE_AT: usize = 16;

    fn push(&self, done: Done) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.runs.push_back(done);
        // A full batch, or every run not yet taken has ended (the last one is never kept waiting).
        let wake = state.runs.len() >= Self::WAKE_AT || state.runs.len() == state.left;
        drop(state);
        if wake {
            self.ready.notify_one();
        }
    }

    /// The runs ended since the last call, at most `max` (at least 1), in the order they ended;
    /// when none has, waits up to `timeout` for [`Finished::WAKE_AT`] of them or the last one,
    /// and then gives what has ended, maybe none (so that a Web Worker gets back to its events
    /// now and then). `None` once every run has been taken.
    pub fn next(&self, max: usize, timeout: std::time::Duration) -> Option<Vec<Done>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.left == 0 {
            return None;
        }
        if state.runs.is_empty() {
            // One wait, no deadline loop: `Instant` does not exist on wasm32, and a spurious
            // wake-up only returns an empty list early.
            state = self
                .ready
                .wait_timeout(state, timeout)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let take = state.runs.len().min(max.max(1));
        let runs: Vec<Done> = state.runs.drain(..take).collect();
        state.left -= runs.len();
        Some(runs)
    }
}

/// Whether `value` ranks highest of `values` (by [`Param::rank`]) and they are more than one
/// value: the top of a range that was swept. An unbounded queue is never such a top: there is
/// no higher value to try.
fn is_top(param: Param, values: &[f64], value: f64) -> bool {
    if param.rank(value).is_infinite() {
        return false;
    }
    let highest = values
        .iter()
        .map(|&v| param.rank(v))
        .fold(f64::NEG_INFINITY, f64::max);
    values.iter().any(|&v| v != value) && param.rank(value) >= highest
}

impl SweepResult {
    /// One CSV row a run: the parameter's value, the replication, and what it measured.
    pub fn to_csv(&self) -> String {
        let stages = self.runs.first().map_or(0, |r| r.utilization.len());
        let column = |p: &str| p.replace(':', "_stage_");
        let mut out = column(&self.param);
        if let Some(p2) = &self.param2 {
            out.push(',');
            out.push_str(&column(p2));
        }
        out.push_str(",rep,seed,status,items_done,virtual_time_us,throughput_per_s,best_possible_per_s,latency_p50_us,latency_p95_us,mean_memory_bytes,peak_memory_bytes");
        for s in 0..stages {
            out.push_str(&format!(",utilization_{s}"));
        }
        out.push('\n');
        for r in &self.runs {
            let status = serde_json::to_value(r.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let value2 = match (&self.param2, r.value2) {
                (Some(_), Some(v)) => format!(",{v}"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{}{},{},{},{},{},{},{},{},{},{},{},{}",
                r.value,
                value2,
                r.rep,
                r.seed,
                status,
                r.items_done,
                r.virtual_time_us,
                r.throughput_per_s,
                r.best_possible_per_s
                    .map_or(String::new(), |b| b.to_string()),
                r.latency_p50_us,
                r.latency_p95_us,
                r.mean_memory_bytes,
                r.peak_memory_bytes
            ));
            for u in &r.utilization {
                out.push_str(&format!(",{u}"));
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tandem_sweep(values: Vec<f64>, reps: u32) -> Sweep {
        Sweep::new(
            PipelineSpec::tandem([1, 1, 1], 10, 300, 1),
            Param::Workers { stage: 1 },
            values,
            reps,
        )
    }

    #[test]
    fn params_parse_and_print_the_same() {
        for text in [
            "maxsize",
            "maxsize:2",
            "workers:1",
            "rate",
            "service:0",
            "items",
        ] {
            assert_eq!(Param::parse(text).unwrap().to_string(), text);
        }
        for bad in ["workers", "speed", "maxsize:x", "rate:1"] {
            assert!(Param::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_value_the_parameter_cannot_take_is_refused_by_name() {
        let err = tandem_sweep(vec![2.5], 1).jobs().unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
        let err = tandem_sweep(vec![99.0], 1).jobs().unwrap_err();
        assert!(err.to_string().contains("workers[1]"), "{err}");
        let too_many = tandem_sweep(vec![1.0; 1000], 1000).jobs().unwrap_err();
        assert!(too_many.to_string().contains("sweep.runs"), "{too_many}");
    }

    #[test]
    fn each_point_equals_the_single_run_with_that_value_and_seed() {
        let sweep = tandem_sweep(vec![1.0, 2.0, 4.0], 2);
        let result = sweep.run_all().unwrap();
        assert_eq!(result.runs.len(), 6);
        for r in &result.runs {
            let mut spec = PipelineSpec::tandem([1, r.value as u32, 1], 10, 300, r.seed);
            spec.seed = r.seed;
            let mut alone = Engine::model(spec.build().unwrap()).unwrap();
            alone.run_to_end();
            let stats = alone.stats();
            assert_eq!(Some(r.throughput_per_s), stats.throughput_per_s);
            assert_eq!(r.latency_p95_us, stats.latency.p95_us);
            assert_eq!(r.items_done, 300);
        }
        // More resize workers never lower throughput much, and the knee is a point.
        assert!(result.knee.is_some());
        assert_eq!(result.points[0].runs, 2);
    }

    #[test]
    fn a_runs_peak_memory_is_at_least_its_mean_and_bounded_queues_bound_it() {
        // maxsize 1 and 10 on all three queues (the done queue keeps nothing here): at most
        // 3 x maxsize items queued at once, 1 MiB each, and never less than the mean.
        let mut sweep = tandem_sweep(vec![1.0, 10.0], 2);
        sweep.param = Param::Maxsize { stage: None };
        let result = sweep.run_all().unwrap();
        for r in &result.runs {
            assert!(r.peak_memory_bytes as f64 >= r.mean_memory_bytes, "{r:?}");
            assert!(r.peak_memory_bytes > 0, "{r:?}");
            assert!(
                r.peak_memory_bytes <= 3 * r.value as u64 * (1 << 20),
                "{r:?}"
            );
        }
        assert!(result.points[0].peak_memory_bytes.max < result.points[1].peak_memory_bytes.max);
    }

    #[test]
    fn an_unbounded_maxsize_ranks_after_every_bound_whatever_the_list_order() {
        let sweep = |values: Vec<f64>| {
            Sweep::new(
                PipelineSpec::tandem([1, 1, 1], 10, 300, 1),
                Param::Maxsize { stage: None },
                values,
                2,
            )
            .run_all()
            .unwrap()
        };
        let knee_value = |r: &SweepResult| r.knee.map(|k| r.points[k].value);
        // 0 (unbounded) listed first, and last: the same knee, a bound that is enough.
        let first = sweep(vec![0.0, 1.0, 2.0, 5.0, 10.0]);
        let last = sweep(vec![1.0, 2.0, 5.0, 10.0, 0.0]);
        assert_eq!(knee_value(&first), knee_value(&last));
        assert!(
            knee_value(&first).is_some_and(|v| v > 0.0),
            "{:?}",
            first.knee
        );
        // 10 is not the top of a range that holds the unbounded queue, and unbounded has no
        // higher value to try: never "still rising".
        assert_eq!((first.rising, last.rising), (None, None));
        assert!(!is_top(
            Param::Maxsize { stage: None },
            &[1.0, 10.0, 0.0],
            10.0
        ));
        assert!(!is_top(
            Param::Maxsize { stage: None },
            &[1.0, 10.0, 0.0],
            0.0
        ));
        assert!(is_top(Param::Maxsize { stage: None }, &[1.0, 10.0], 10.0));
        assert!(is_top(Param::Workers { stage: 0 }, &[0.0, 2.0], 2.0));
    }

    #[test]
    fn a_curve_still_rising_at_the_highest_value_has_no_knee_within_the_range() {
        // The tandem's resize (1.5 ms, the slowest) with 1 and 2 workers: 2 is the best and the
        // first within 5% of it, the top of the range.
        let result = tandem_sweep(vec![1.0, 2.0], 1).run_all().unwrap();
        let best = result.points[1].throughput_per_s.mean;
        assert!(result.points[0].throughput_per_s.mean < 0.95 * best);
        assert_eq!(result.knee, None);
        assert_eq!(result.rising, Some(1));
        // Swept further, the curve levels off inside the range: a knee, nothing rising.
        let wider = tandem_sweep(vec![1.0, 2.0, 3.0, 5.0], 1).run_all().unwrap();
        assert!(wider.knee.is_some_and(|k| k < 3), "{:?}", wider.knee);
        assert_eq!(wider.rising, None);
        // One value is no range: its point is the knee.
        let one = tandem_sweep(vec![2.0], 1).run_all().unwrap();
        assert_eq!((one.knee, one.rising), (Some(0), None));
    }

    #[test]
    fn a_grid_whose_first_cell_near_the_best_is_on_its_top_row_has_no_knee() {
        let grid = tandem_sweep(vec![1.0, 2.0], 1)
            .grid(Param::Workers { stage: 0 }, vec![1.0, 2.0])
            .run_all()
            .unwrap();
        let (row, _) = grid
            .rising
            .map(|i| (i / 2, i % 2))
            .expect("resize still rising at 2 workers");
        assert_eq!(row, 1);
        assert_eq!(grid.knee, None);
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let sweep = tandem_sweep(vec![1.0, 2.0, 3.0, 5.0], 3);
        let one = sweep.run_all().unwrap();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let many = pool.install(|| sweep.run_parallel(|_, _| {})).unwrap();
            assert_eq!(many, one, "{threads} threads");
        }
    }

    #[test]
    fn a_started_sweep_hands_over_every_run_once_and_they_do_not_depend_on_the_pool() {
        use std::sync::Arc;
        use std::time::Duration;
        let sweep = Arc::new(tandem_sweep(vec![1.0, 2.0, 3.0, 5.0], 3));
        let one = sweep.run_all().unwrap();
        let clock = || 0.5;
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let finished = pool.install(|| sweep.clone().start(clock)).unwrap();
            let mut runs = vec![None; one.runs.len()];
            let mut batches = 0;
            while let Some(batch) = finished.next(5, Duration::from_millis(20)) {
                assert!(batch.len() <= 5);
                batches += 1;
                for done in batch {
                    assert_eq!(done.ms, 0.0);
                    assert!(runs[done.index].is_none(), "run {} twice", done.index);
                    runs[done.index] = Some(done.result);
                }
            }
            assert!(batches >= one.runs.len() / 5, "{batches} batches");
            let runs: Vec<RunResult> = runs.into_iter().map(Option::unwrap).collect();
            assert_eq!(sweep.summarize(runs), one, "{threads} threads");
            // Taken whole, it stays ended.
            assert_eq!(finished.next(5, Duration::ZERO), None);
        }
    }

    #[test]
    fn a_taker_waiting_long_is_woken_by_the_last_run() {
        use std::time::{Duration, Instant};
        // Fewer runs than wake a taker early: only the last run's end wakes it.
        let sweep = std::sync::Arc::new(tandem_sweep(vec![1.0, 2.0], 1));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let finished = pool.install(|| sweep.clone().start(|| 0.0)).unwrap();
        let from = Instant::now();
        let mut taken = 0;
        while let Some(batch) = finished.next(64, Duration::from_secs(600)) {
            taken += batch.len();
        }
        assert_eq!(taken, 2);
        // Liveness, not speed: without the wake it would sit out the ten minutes.
        assert!(from.elapsed() < Duration::from_secs(300));
    }

    #[test]
    fn a_sweep_that_cannot_start_says_why_and_starts_nothing() {
        let err = std::sync::Arc::new(tandem_sweep(vec![2.5], 1))
            .start(|| 0.0)
            .unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
    }

    #[test]
    fn the_csv_has_a_row_a_run_with_the_plots_figures() {
        let result = tandem_sweep(vec![1.0, 3.0], 2).run_all().unwrap();
        let csv = result.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("workers_stage_1,rep,seed,status"));
        let first: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(first[0], "1");
        assert_eq!(first[3], "finished");
        assert_eq!(
            first[6].parse::<f64>().unwrap(),
            result.runs[0].throughput_per_s
        );
    }
}
