//! One engine interface: the bindings, the command line, the benches and the tests drive a run
//! through [`Engine`], whichever engine runs it, and ask [`Capabilities`] what it can do. It holds
//! the policy that differs between the engines (replay, pool limits); no queue semantics.
//!
//! The enum dispatches with `match`, in the style of crossbeam-channel's flavours: the model
//! engine ([`Sim`]: one thread, virtual time, deterministic) and, where threads exist, the live
//! engine ([`Live`]: one real thread per scenario thread).
//!
//! ```
//! use pipeline_lab::engine::Engine;
//! use pipeline_lab::scenario::preset;
//! use pipeline_lab::stats::Status;
//!
//! let mut run = Engine::model(preset("p5").unwrap()).unwrap();
//! while run.run_slice() == Status::Running {}
//! assert_eq!(run.console_lines(), ["1000 items processed"]);
//! assert!(run.capabilities().can_replay);
//! ```

use crate::limits::MAX_WORKERS;
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
use crate::live::{threads_needed, ClockMode, Live, LiveError, LiveOptions, Spawner};
use crate::scenario::{Lang, Scenario, ScenarioError};
use crate::sim::{LastOp, LoggedControl, Progress, Sim};
use crate::stats::{Frame, HangReport, Stats, Status};
use serde::{Deserialize, Serialize};
use std::fmt;
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
use std::sync::Arc;

/// Virtual time that one [`Engine::step_event`] advances on real threads, which have no "next
/// event" to run to: 1 ms.
pub const LIVE_STEP_EVENT_US: u64 = 1_000;

/// Virtual time one [`Engine::run_slice`] of the model engine covers (the command line prints
/// the console between slices).
const MODEL_SLICE_US: u64 = 1_000_000;

/// Which engine runs a scenario.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// The deterministic model engine on virtual time.
    #[default]
    Model,
    /// The live engine: every thread of the program on a real thread.
    Live,
}

impl EngineKind {
    pub fn parse(name: &str) -> Option<EngineKind> {
        match name {
            "model" => Some(EngineKind::Model),
            "live" | "threads" => Some(EngineKind::Live),
            _ => None,
        }
    }
}

/// What a run can do, so that callers ask instead of matching on the engine.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub engine: EngineKind,
    /// The same scenario and seed give the same run, operation for operation.
    pub deterministic: bool,
    /// `seek` may go back (by replay) and so step back works.
    pub can_replay: bool,
    /// A step can stop after a number of operations (slow motion by operation).
    pub can_step_by_operation: bool,
    /// `step_event` runs to the next moment something happens; otherwise it advances
    /// `step_event_us` of virtual time.
    pub steps_to_next_event: bool,
    pub step_event_us: u64,
    /// Most workers a stage may have in this run.
    pub max_workers: u32,
    /// Threads a run may hold at once, where a fixed pool runs it (the browser's Web Workers).
    pub pool_threads: Option<u32>,
}

/// Why a call to an engine was refused. Each variant names what the caller can change.
#[derive(Clone, Debug, PartialEq)]
pub enum EngineError {
    /// A bad scenario or control value (the field and the reason).
    Scenario(ScenarioError),
    /// The live engine could not start the run (a pool too small, a thread refused).
    #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
    Live(LiveError),
    /// Going back needs a replay, which only a deterministic engine can do.
    CannotReplay { from_us: u64, to_us: u64 },
    /// A model-engine feature (stepping by operation, a control log to replay) asked of real
    /// threads, which run as they run.
    ModelOnly { what: &'static str },
    /// More workers than the pool has threads for.
    WorkersOverPool {
        stage: usize,
        count: u32,
        max: u32,
        pool: Option<u32>,
    },
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::Scenario(e) => e.fmt(f),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            EngineError::Live(e) => e.fmt(f),
            EngineError::CannotReplay { from_us, to_us } => write!(
                f,
                "seek: step back is a model-engine feature (it replays the run); real threads cannot go back from {} ms to {} ms",
                *from_us as f64 / 1000.0,
                *to_us as f64 / 1000.0
            ),
            EngineError::ModelOnly { what } => write!(
                f,
                "{what}: a model-engine feature (it needs a deterministic run); real threads run as they run"
            ),
            EngineError::WorkersOverPool {
                stage,
                count,
                max,
                pool,
            } => {
                write!(
                    f,
                    "stage {stage}: {count} workers need more threads than the pool has; on real threads this run allows at most {max} a stage"
                )?;
                if let Some(pool) = pool {
                    write!(f, " (a pool of {pool} threads)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for EngineError {}

impl From<ScenarioError> for EngineError {
    fn from(e: ScenarioError) -> Self {
        EngineError::Scenario(e)
    }
}

#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
impl From<LiveError> for EngineError {
    fn from(e: LiveError) -> Self {
        match e {
            LiveError::Scenario(e) => EngineError::Scenario(e),
            e => EngineError::Live(e),
        }
    }
}

/// One run of a scenario on one engine.
pub enum Engine {
    /// Boxed: the model engine's state is over a kilobyte, the live engine's a few pointers.
    Model(Box<Sim>),
    #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
    Live(Live),
}

impl From<Sim> for Engine {
    fn from(sim: Sim) -> Self {
        Engine::Model(Box::new(sim))
    }
}

impl Engine {
    /// The model engine on `scenario`.
    pub fn model(scenario: Scenario) -> Result<Engine, EngineError> {
        Ok(Engine::from(Sim::new(scenario)?))
    }

    /// The live engine on `std::thread`s (natively), with `options`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn live(scenario: Scenario, options: LiveOptions) -> Result<Engine, EngineError> {
        Ok(Engine::Live(Live::new(scenario, options)?))
    }

    /// The live engine on `spawner`'s threads, with the most workers a stage the spawner has
    /// room for (up to [`MAX_WORKERS`]). A spawner too small for the scenario's own threads is
    /// refused with the numbers ([`LiveError::PoolTooSmall`]).
    #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
    pub fn live_on(
        scenario: Scenario,
        spawner: Arc<dyn Spawner>,
        options: LiveOptions,
    ) -> Result<Engine, EngineError> {
        scenario.validate()?;
        let max_workers = match spawner.capacity() {
            Some(capacity) => fit_max_workers(&scenario, capacity)?,
            None => options.max_workers,
        };
        let options = LiveOptions {
            max_workers,
            ..options
        };
        Ok(Engine::Live(Live::with_spawner(
            scenario, spawner, options,
        )?))
    }

    pub fn kind(&self) -> EngineKind {
        match self {
            Engine::Model(_) => EngineKind::Model,
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(_) => EngineKind::Live,
        }
    }

    pub fn capabilities(&self) -> Capabilities {
        match self {
            Engine::Model(_) => Capabilities {
                engine: EngineKind::Model,
                deterministic: true,
                can_replay: true,
                can_step_by_operation: true,
                steps_to_next_event: true,
                step_event_us: 0,
                max_workers: MAX_WORKERS,
                pool_threads: None,
            },
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => Capabilities {
                engine: EngineKind::Live,
                deterministic: false,
                can_replay: false,
                can_step_by_operation: false,
                steps_to_next_event: false,
                step_event_us: LIVE_STEP_EVENT_US,
                max_workers: live.options().max_workers,
                pool_threads: live.pool_threads().map(|n| n as u32),
            },
        }
    }

    /// The model engine, where this run is on it (for its own tools: traces, replay by
    /// operation).
    pub fn as_model(&self) -> Option<&Sim> {
        match self {
            Engine::Model(sim) => Some(sim),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(_) => None,
        }
    }

    pub fn as_model_mut(&mut self) -> Option<&mut Sim> {
        match self {
            Engine::Model(sim) => Some(sim),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(_) => None,
        }
    }

    /// The live engine, where this run is on it.
    #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
    pub fn as_live(&self) -> Option<&Live> {
        match self {
            Engine::Live(live) => Some(live),
            Engine::Model(_) => None,
        }
    }

    pub fn scenario(&self) -> &Scenario {
        match self {
            Engine::Model(sim) => sim.scenario(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.scenario(),
        }
    }

    pub fn lang(&self) -> Lang {
        match self {
            Engine::Model(sim) => sim.lang(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.lang(),
        }
    }

    pub fn set_lang(&mut self, lang: Lang) {
        match self {
            Engine::Model(sim) => sim.set_lang(lang),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.set_lang(lang),
        }
    }

    /// This run in `lang` (a builder-style helper for constructors).
    pub fn with_lang(mut self, lang: Lang) -> Engine {
        self.set_lang(lang);
        self
    }

    /// Virtual time in microseconds (wall time since the start on the live engine's free and
    /// wall clocks).
    pub fn now(&self) -> u64 {
        match self {
            Engine::Model(sim) => sim.now(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.now(),
        }
    }

    pub fn status(&self) -> Status {
        match self {
            Engine::Model(sim) => sim.status(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.status(),
        }
    }

    pub fn is_running(&self) -> bool {
        self.status() == Status::Running
    }

    /// Advances virtual time by `dt_us`. The model engine stops early when it has run
    /// `max_ops` operations (the page's per-call budget, and slow motion by operation); real
    /// threads run as they run, and only the stepped clock moves.
    pub fn step_bounded(&mut self, dt_us: u64, max_ops: u64) -> Status {
        match self {
            Engine::Model(sim) => sim.step_bounded(dt_us, max_ops.max(1)),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.step(dt_us),
        }
    }

    /// Advances virtual time by `dt_us` with no operation budget.
    pub fn step(&mut self, dt_us: u64) -> Status {
        self.step_bounded(dt_us, u64::MAX)
    }

    /// The model engine runs to the next moment at which something happens; real threads
    /// advance [`LIVE_STEP_EVENT_US`].
    pub fn step_event(&mut self) -> Status {
        match self {
            Engine::Model(sim) => sim.step_event(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.step(LIVE_STEP_EVENT_US),
        }
    }

    /// The virtual time the next [`Engine::step_event`] runs to (model engine); `None` on real
    /// threads, whose next event cannot be known ahead.
    pub fn next_event_us(&self) -> Option<u64> {
        match self {
            Engine::Model(sim) => Some(sim.next_event_us()),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(_) => None,
        }
    }

    /// Goes to virtual time `t_us`: backward by replay on the model engine; real threads only
    /// go forward, and say so.
    pub fn seek(&mut self, t_us: u64) -> Result<Status, EngineError> {
        match self {
            Engine::Model(sim) => Ok(sim.seek(t_us)),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => {
                let now = live.now();
                if t_us < now {
                    return Err(EngineError::CannotReplay {
                        from_us: now,
                        to_us: t_us,
                    });
                }
                Ok(live.step(t_us - now))
            }
        }
    }

    /// The model engine, or `ModelOnly` naming `what` was asked.
    fn model_only(&mut self, what: &'static str) -> Result<&mut Sim, EngineError> {
        self.as_model_mut().ok_or(EngineError::ModelOnly { what })
    }

    /// Operations run since the start (the model engine's second clock); `None` on real threads.
    pub fn ops(&self) -> Option<u64> {
        self.as_model().map(Sim::ops)
    }

    /// Runs exactly one operation (one Python line of one thread).
    pub fn step_op(&mut self) -> Result<Status, EngineError> {
        Ok(self.model_only("stepOp")?.step_op())
    }

    /// Goes toward the state after `n` operations (backward by replay), running at most
    /// `max_ops` this call; `Ok(true)` once there (or the run ended before).
    pub fn seek_ops(&mut self, n: u64, max_ops: u64) -> Result<bool, EngineError> {
        Ok(self.model_only("seekOps")?.seek_ops(n, max_ops.max(1)))
    }

    /// Runs until one more item is done, at most `max_ops` operations; `Ok(true)` once there.
    pub fn step_item(&mut self, max_ops: u64) -> Result<bool, EngineError> {
        Ok(self.model_only("stepItem")?.step_item(max_ops.max(1)))
    }

    /// The thread, source line and ending of the operation that ran last, where the engine
    /// knows it.
    pub fn last_op(&self) -> Option<LastOp> {
        self.as_model().and_then(Sim::last_op)
    }

    /// More operations happen at this instant before virtual time moves (model engine).
    pub fn instant_pending(&self) -> bool {
        self.as_model().is_some_and(Sim::instant_pending)
    }

    /// The controls made so far, with the operation count and time of each (model engine; real
    /// threads keep none, as they cannot replay).
    pub fn controls(&self) -> &[LoggedControl] {
        self.as_model().map_or(&[], Sim::controls)
    }

    /// Item `item`'s journey up to the run's present (model engine: it replays the run with its
    /// control log; real threads keep no per-item record and refuse with `ModelOnly`).
    pub fn journey(&self, item: u32) -> Result<crate::journey::Journey, EngineError> {
        let sim = self
            .as_model()
            .ok_or(EngineError::ModelOnly { what: "journey" })?;
        crate::journey::Journey::replay(sim, item)
    }

    /// Gives the run a control log to apply as it reaches each control (a shared link's
    /// changes, replayed after the operations they followed).
    pub fn replay_controls(&mut self, log: &[LoggedControl]) -> Result<(), EngineError> {
        Ok(self.model_only("replayControls")?.replay_controls(log)?)
    }

    /// [`Engine::step_event`] in at most about `max_ops` operations (the page's main thread):
    /// `NotYet` leaves the model engine inside that moment, and the next call finishes it.
    pub fn step_event_bounded(&mut self, max_ops: u64) -> Progress {
        match self {
            Engine::Model(sim) => sim.step_event_bounded(max_ops.max(1)),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => Progress::Done(live.step(LIVE_STEP_EVENT_US)),
        }
    }

    /// [`Engine::seek`] in at most about `max_ops` operations: `NotYet` means call again with
    /// the same `t_us` (the replay went part of the way: `now() / t_us` is how far).
    pub fn seek_bounded(&mut self, t_us: u64, max_ops: u64) -> Result<Progress, EngineError> {
        match self {
            Engine::Model(sim) => Ok(sim.seek_bounded(t_us, max_ops.max(1))),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(_) => self.seek(t_us).map(Progress::Done),
        }
    }

    /// One slice of a run for a caller that runs it to the end (the command line, tests): a
    /// virtual second of the model engine, or up to 50 ms of wall time waiting for real threads
    /// (a stepped clock is advanced a millisecond instead). Blocks on the live engine: not for a
    /// page's main thread.
    pub fn run_slice(&mut self) -> Status {
        match self {
            Engine::Model(sim) => sim.step(MODEL_SLICE_US),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => {
                if live.options().clock == ClockMode::Stepped {
                    live.step(LIVE_STEP_EVENT_US)
                } else {
                    live.wait_for(std::time::Duration::from_millis(50))
                }
            }
        }
    }

    /// Runs to the end (finished, hung or `MemoryError`). Blocks: not for a page's main thread.
    pub fn run_to_end(&mut self) -> Status {
        while self.run_slice() == Status::Running {}
        self.status()
    }

    pub fn stats(&self) -> Stats {
        match self {
            Engine::Model(sim) => sim.stats(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.stats(),
        }
    }

    /// Fills `frame` with what the canvas draws now, reusing its buffers.
    pub fn frame_into(&mut self, frame: &mut Frame) {
        match self {
            Engine::Model(sim) => sim.frame_into(frame),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.frame_into(frame),
        }
    }

    pub fn frame(&mut self) -> Frame {
        let mut frame = Frame::default();
        self.frame_into(&mut frame);
        frame
    }

    /// The console so far, in the run's language.
    pub fn console_lines(&self) -> Vec<String> {
        match self {
            Engine::Model(sim) => sim.console_lines(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.console_lines(),
        }
    }

    pub fn hang(&self) -> Option<HangReport> {
        match self {
            Engine::Model(sim) => sim.hang(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.hang(),
        }
    }

    pub fn items_done(&self) -> u64 {
        match self {
            Engine::Model(sim) => sim.items_done(),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.items_done(),
        }
    }

    /// Most workers `stage` may have in this run.
    #[cfg_attr(
        all(target_arch = "wasm32", not(target_feature = "atomics")),
        allow(unused_variables)
    )]
    pub fn max_workers_of(&self, stage: usize) -> u32 {
        match self {
            // The model engine has no pool: every stage may grow to the limit.
            Engine::Model(_) => MAX_WORKERS,
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.max_workers_of(stage),
        }
    }

    /// Changes a stage's worker count now, with Python's rules; on real threads no more than the
    /// pool has threads for.
    pub fn set_workers(&mut self, stage: usize, count: u32) -> Result<(), EngineError> {
        match self {
            Engine::Model(sim) => Ok(sim.set_workers(stage, count)?),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => {
                // Within the limit but beyond what a fixed pool has threads for: say so (the
                // limit itself is Python's rule, checked below as on the model engine).
                let (max, pool) = (live.max_workers_of(stage), live.pool_threads());
                if pool.is_some()
                    && count > max
                    && count <= MAX_WORKERS
                    && stage < live.scenario().stages.len()
                {
                    return Err(EngineError::WorkersOverPool {
                        stage,
                        count,
                        max,
                        pool: pool.map(|n| n as u32),
                    });
                }
                Ok(live.set_workers(stage, count)?)
            }
        }
    }

    /// Changes a queue's `maxsize` now.
    pub fn set_maxsize(&mut self, queue: usize, maxsize: u32) -> Result<(), EngineError> {
        match self {
            Engine::Model(sim) => Ok(sim.set_maxsize(queue, maxsize)?),
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => Ok(live.set_maxsize(queue, maxsize)?),
        }
    }

    /// Back to time 0 with the same scenario and language (changes made while running are
    /// forgotten). Never blocks: `Ok(false)` while real threads of the old run are still ending
    /// (call again).
    pub fn reset(&mut self) -> Result<bool, EngineError> {
        match self {
            Engine::Model(sim) => {
                let lang = sim.lang();
                let moves = sim.records_moves();
                let mut fresh = Sim::new(sim.scenario().clone())?;
                if moves {
                    fresh = fresh.with_moves();
                }
                fresh.set_lang(lang);
                **sim = fresh;
                Ok(true)
            }
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => Ok(live.try_reset()?),
        }
    }

    /// Threads of this run still on a thread of their own (0 on the model engine, and once
    /// every real thread has returned).
    pub fn threads_alive(&self) -> usize {
        match self {
            Engine::Model(_) => 0,
            #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
            Engine::Live(live) => live.threads_alive(),
        }
    }
}

/// `max_workers` for `scenario` on a pool of `capacity` threads: the most workers a stage (up to
/// [`MAX_WORKERS`]) for which every thread the run may start has a pool thread. Too few for the
/// scenario's own threads: `PoolTooSmall`, with the numbers.
#[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
pub fn fit_max_workers(scenario: &Scenario, capacity: usize) -> Result<u32, LiveError> {
    (1..=MAX_WORKERS)
        .rev()
        .find(|&m| threads_needed(scenario, m) <= capacity)
        .ok_or(LiveError::PoolTooSmall {
            needed: threads_needed(scenario, 1),
            capacity,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::PoolSpawner;
    use crate::scenario::{preset, PipelineSpec};

    #[test]
    fn live_seek_back_is_refused_with_both_times() {
        let mut run = Engine::live(
            preset("p6").unwrap(),
            LiveOptions::with_clock(ClockMode::Stepped),
        )
        .unwrap();
        run.seek(5_000).unwrap();
        let err = run.seek(1_000).unwrap_err();
        assert_eq!(
            err,
            EngineError::CannotReplay {
                from_us: 5_000,
                to_us: 1_000
            }
        );
        assert!(err.to_string().contains("from 5 ms to 1 ms"), "{err}");
    }

    #[test]
    fn a_pool_sizes_the_workers_a_stage_may_grow_to() {
        let scenario = PipelineSpec::tandem([3, 4, 5], 10, 100, 1).build().unwrap();
        let pool: Arc<dyn Spawner> = Arc::new(PoolSpawner::new(30));
        let mut run = Engine::live_on(scenario, pool, LiveOptions::default()).unwrap();
        let caps = run.capabilities();
        assert_eq!(caps.pool_threads, Some(30));
        assert!(caps.max_workers >= 5 && caps.max_workers < MAX_WORKERS);
        let err = run.set_workers(0, caps.max_workers + 1).unwrap_err();
        assert!(
            matches!(err, EngineError::WorkersOverPool { stage: 0, .. }),
            "{err}"
        );
        run.set_workers(0, caps.max_workers).unwrap();
    }

    #[test]
    fn a_pool_too_small_for_the_programs_own_threads_is_refused_with_the_numbers() {
        let scenario = PipelineSpec::tandem([3, 4, 5], 10, 100, 1).build().unwrap();
        let pool: Arc<dyn Spawner> = Arc::new(PoolSpawner::new(4));
        let err = Engine::live_on(scenario, pool, LiveOptions::default())
            .err()
            .unwrap();
        assert!(
            matches!(
                err,
                EngineError::Live(LiveError::PoolTooSmall {
                    needed: 13,
                    capacity: 4
                })
            ),
            "{err}"
        );
    }

    #[test]
    fn model_reset_keeps_language_and_forgets_controls() {
        let mut run = Engine::model(preset("p6").unwrap())
            .unwrap()
            .with_lang(Lang::Ko);
        run.step(10_000);
        run.set_workers(1, 1).unwrap();
        assert!(run.reset().unwrap());
        assert_eq!(run.now(), 0);
        assert_eq!(run.lang(), Lang::Ko);
        run.run_to_end();
        assert_eq!(run.stats().stages[1].workers, 4);
    }
}
