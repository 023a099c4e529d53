//! The WebAssembly bindings, and nothing else: a `Lab` handle that converts arguments, calls
//! the engine and turns typed errors into JS `Error`s. No simulation logic lives here.

use crate::scenario::{
    preset, presets as all_presets, Lang, PipelineSpec, Scenario, ScenarioError,
};
use crate::sim::Sim;
use crate::stats::{Frame, Status};
use wasm_bindgen::prelude::*;

#[cfg(all(feature = "threads", not(target_feature = "atomics")))]
compile_error!("the `threads` build needs atomics and shared memory: use scripts/build-wasm-mt.sh");

/// `initThreadPool(n)` for the threaded build: starts n Web Workers sharing this module's memory.
/// (Exported to JS by its own `#[wasm_bindgen]`; the `use` only links it in.)
#[cfg(feature = "threads")]
#[allow(unused_imports)]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Operations one `step` call may run, so that a call from the page's main thread stays within
/// a few milliseconds even when a huge batch happens at one instant.
const STEP_BUDGET_OPS: u64 = 200_000;

/// The presets as JSON: `[{id, title: {en, ko}, summary: {en, ko}}]`.
#[wasm_bindgen]
pub fn presets() -> String {
    serde_json::to_string(&all_presets()).unwrap_or_else(|_| "[]".into())
}

/// One run of the model engine, as the page drives it.
#[wasm_bindgen]
pub struct Lab {
    sim: Sim,
    frame: Frame,
}

fn lang(code: &str) -> Result<Lang, JsError> {
    Lang::parse(code).ok_or_else(|| JsError::new(&format!("lang: `{code}` is not en or ko")))
}

/// Milliseconds from JS to whole microseconds, rounded (so `seek(timeMs())` lands exactly).
fn to_us(what: &str, ms: f64) -> Result<u64, JsError> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(JsError::new(&format!(
            "{what}: the time must be a number >= 0 ms, got {ms}"
        )));
    }
    Ok((ms * 1000.0).round().min(u64::MAX as f64 / 2.0) as u64)
}

fn js(e: ScenarioError) -> JsError {
    JsError::new(&e.to_string())
}

/// The stats as JSON, as both engines' classes return them.
fn stats_json(stats: &crate::stats::Stats) -> String {
    serde_json::to_string(stats).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// A builder pipeline from the sliders' JSON (`PipelineSpec`).
fn pipeline(spec_json: &str) -> Result<Scenario, JsError> {
    let spec: PipelineSpec = serde_json::from_str(spec_json).map_err(|e| {
        js(ScenarioError::Json {
            message: e.to_string(),
        })
    })?;
    spec.build().map_err(js)
}

fn preset_scenario(preset_id: &str) -> Result<Scenario, JsError> {
    preset(preset_id).ok_or_else(|| {
        js(ScenarioError::UnknownPreset {
            id: preset_id.to_string(),
        })
    })
}

/// The typed-array views over a class's `frame` field (a [`Frame`]), the same for every engine's
/// class: `threadStates`, `threadLines`, `threadItems`, `queueLens`, `queueMaxsize`,
/// `queueStarts`, `queueItems`, `moves`, `movesLost`. Each view is valid until the next call into
/// wasm (memory may grow and move the buffers): the page reads them at once.
macro_rules! frame_views {
    ($class:ident) => {
        #[wasm_bindgen]
        impl $class {
            #[wasm_bindgen(js_name = threadStates)]
            pub fn thread_states(&self) -> js_sys::Uint8Array {
                // SAFETY: the view is read before the next call into wasm, which could move the
                // buffer.
                unsafe { js_sys::Uint8Array::view(&self.frame.thread_state) }
            }

            #[wasm_bindgen(js_name = threadLines)]
            pub fn thread_lines(&self) -> js_sys::Uint32Array {
                // SAFETY: as above.
                unsafe { js_sys::Uint32Array::view(&self.frame.thread_line) }
            }

            #[wasm_bindgen(js_name = threadItems)]
            pub fn thread_items(&self) -> js_sys::Uint32Array {
                // SAFETY: as above.
                unsafe { js_sys::Uint32Array::view(&self.frame.thread_item) }
            }

            #[wasm_bindgen(js_name = queueLens)]
            pub fn queue_lens(&self) -> js_sys::Uint32Array {
                // SAFETY: as above.
                unsafe { js_sys::Uint32Array::view(&self.frame.queue_len) }
            }

            #[wasm_bindgen(js_name = queueMaxsize)]
            pub fn queue_maxsize(&self) -> js_sys::Uint32Array {
                // SAFETY: as above.
                unsafe { js_sys::Uint32Array::view(&self.frame.queue_maxsize) }
            }

            #[wasm_bindgen(js_name = queueStarts)]
            pub fn queue_starts(&self) -> js_sys::Uint32Array {
                // SAFETY: as above.
                unsafe { js_sys::Uint32Array::view(&self.frame.queue_start) }
            }

            #[wasm_bindgen(js_name = queueItems)]
            pub fn queue_items(&self) -> js_sys::Uint32Array {
                // SAFETY: as above.
                unsafe { js_sys::Uint32Array::view(&self.frame.queue_items) }
            }

            /// True when moves were dropped since the last frame: redraw from queue contents.
            #[wasm_bindgen(js_name = movesLost)]
            pub fn moves_lost(&self) -> bool {
                self.frame.moves_lost
            }

            pub fn moves(&self) -> js_sys::Uint32Array {
                // SAFETY: as above.
                unsafe { js_sys::Uint32Array::view(&self.frame.moves) }
            }
        }
    };
}

frame_views!(Lab);

#[wasm_bindgen]
impl Lab {
    /// A preset run (`p1`..`p6`, `f1`..`f4`).
    #[wasm_bindgen(constructor)]
    pub fn new(preset_id: &str, lang_code: &str) -> Result<Lab, JsError> {
        Lab::start(preset_scenario(preset_id)?, lang_code)
    }

    /// A builder pipeline from the sliders' JSON (`PipelineSpec`).
    #[wasm_bindgen(js_name = fromPipeline)]
    pub fn from_pipeline(spec_json: &str, lang_code: &str) -> Result<Lab, JsError> {
        Lab::start(pipeline(spec_json)?, lang_code)
    }

    /// Any scenario as JSON.
    #[wasm_bindgen(js_name = fromScenario)]
    pub fn from_scenario(json: &str, lang_code: &str) -> Result<Lab, JsError> {
        Lab::start(Scenario::from_json(json).map_err(js)?, lang_code)
    }

    fn start(scenario: Scenario, lang_code: &str) -> Result<Lab, JsError> {
        let lang = lang(lang_code)?;
        let mut sim = Sim::new(scenario).map_err(js)?.with_moves();
        sim.set_lang(lang);
        Ok(Lab {
            sim,
            frame: Frame::default(),
        })
    }

    /// Advances virtual time by `dt_ms` (bounded work per call); true while the run goes on.
    pub fn step(&mut self, dt_ms: f64) -> Result<bool, JsError> {
        let dt_us = to_us("step", dt_ms)?;
        Ok(self.sim.step_bounded(dt_us, STEP_BUDGET_OPS) == Status::Running)
    }

    /// Like `step`, with the caller's operation budget: slow motion runs a few operations at a
    /// time to show single puts and gets. Time stops where the budget stops.
    #[wasm_bindgen(js_name = stepBounded)]
    pub fn step_bounded(&mut self, dt_ms: f64, max_ops: u32) -> Result<bool, JsError> {
        let dt_us = to_us("stepBounded", dt_ms)?;
        Ok(self.sim.step_bounded(dt_us, max_ops.max(1) as u64) == Status::Running)
    }

    /// Runs to the next moment at which something happens.
    #[wasm_bindgen(js_name = stepEvent)]
    pub fn step_event(&mut self) -> bool {
        self.sim.step_event() == Status::Running
    }

    /// Goes to virtual time `t_ms` (backward by replay).
    pub fn seek(&mut self, t_ms: f64) -> Result<bool, JsError> {
        let t_us = to_us("seek", t_ms)?;
        Ok(self.sim.seek(t_us) == Status::Running)
    }

    /// Virtual time in milliseconds.
    #[wasm_bindgen(js_name = timeMs)]
    pub fn time_ms(&self) -> f64 {
        self.sim.now() as f64 / 1000.0
    }

    /// The stats as JSON (see `Stats`).
    pub fn stats(&self) -> String {
        stats_json(&self.sim.stats())
    }

    /// The scenario (source, queues, stages, threads) as JSON.
    pub fn scenario(&self) -> String {
        serde_json::to_string(self.sim.scenario()).unwrap_or_default()
    }

    /// Refreshes the frame; read it through the views below (valid until the next call).
    pub fn frame(&mut self) -> f64 {
        self.sim.frame_into(&mut self.frame);
        self.frame.time_us as f64
    }

    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&mut self, lang_code: &str) -> Result<(), JsError> {
        self.sim.set_lang(lang(lang_code)?);
        Ok(())
    }

    #[wasm_bindgen(js_name = setWorkers)]
    pub fn set_workers(&mut self, stage: u32, count: u32) -> Result<(), JsError> {
        self.sim.set_workers(stage as usize, count).map_err(js)
    }

    #[wasm_bindgen(js_name = setMaxsize)]
    pub fn set_maxsize(&mut self, queue: u32, maxsize: u32) -> Result<(), JsError> {
        self.sim.set_maxsize(queue as usize, maxsize).map_err(js)
    }

    /// Back to time 0 with the same scenario (changes made while running are forgotten).
    pub fn reset(&mut self) {
        let lang = self.sim.lang();
        if let Ok(mut fresh) = Sim::new(self.sim.scenario().clone()) {
            fresh = fresh.with_moves();
            fresh.set_lang(lang);
            self.sim = fresh;
        }
    }

    // --- Stepping by operation, and the control log a link replays -------------------------

    /// Operations run since the start (a whole number below 2^53).
    pub fn ops(&self) -> f64 {
        self.sim.ops() as f64
    }

    /// Runs exactly one operation (one Python line of one thread); true while the run goes on.
    #[wasm_bindgen(js_name = stepOp)]
    pub fn step_op(&mut self) -> bool {
        self.sim.step_op() == Status::Running
    }

    /// Goes to the state after `n` operations (backward by replay), running at most `max_ops`
    /// per call; true once there (or the run ended before). Call again until it is.
    #[wasm_bindgen(js_name = seekOps)]
    pub fn seek_ops(&mut self, n: f64, max_ops: u32) -> Result<bool, JsError> {
        if !n.is_finite() || n < 0.0 || n.fract() != 0.0 || n > MAX_SAFE_OPS {
            return Err(JsError::new(&format!(
                "seekOps: the operation count must be a whole number >= 0, got {n}"
            )));
        }
        Ok(self.sim.seek_ops(n as u64, max_ops.max(1) as u64))
    }

    /// Runs until one more item is done, at most `max_ops` operations; true once it got there
    /// (or the run ended).
    #[wasm_bindgen(js_name = stepItem)]
    pub fn step_item(&mut self, max_ops: u32) -> bool {
        self.sim.step_item(max_ops.max(1) as u64)
    }

    /// `[thread, line]` of the operation that ran last; `undefined` before the first.
    #[wasm_bindgen(js_name = lastOp)]
    pub fn last_op(&self) -> Option<Vec<u32>> {
        self.sim.last_op().map(|(t, line)| vec![t as u32, line])
    }

    /// More operations happen at this instant before virtual time moves.
    #[wasm_bindgen(js_name = instantPending)]
    pub fn instant_pending(&self) -> bool {
        self.sim.instant_pending()
    }

    /// The run goes on (neither finished, hung nor out of memory).
    pub fn running(&self) -> bool {
        self.sim.is_running()
    }

    /// The controls logged so far as JSON: `[{ops, at_us, control: {workers: {stage, count}} |
    /// {max_size: {queue, maxsize}}}]`.
    pub fn controls(&self) -> String {
        serde_json::to_string(self.sim.controls()).unwrap_or_else(|_| "[]".into())
    }

    /// Gives the run a control log (JSON, as `controls()` writes it) to apply as it reaches
    /// each control: a shared link's changes, replayed after the operations they followed.
    #[wasm_bindgen(js_name = replayControls)]
    pub fn replay_controls(&mut self, json: &str) -> Result<(), JsError> {
        let log: Vec<crate::sim::LoggedControl> = serde_json::from_str(json).map_err(|e| {
            js(ScenarioError::Json {
                message: format!("controls: {e}"),
            })
        })?;
        self.sim.replay_controls(&log).map_err(js)
    }
}

/// Largest operation count JS numbers hold exactly.
const MAX_SAFE_OPS: f64 = 9_007_199_254_740_991.0;

/// The live engine's class (threaded build only): the same scenario on real threads, Web Workers
/// from wasm-bindgen-rayon's pool. Its JS API is `Lab`'s where that makes sense. Every method
/// may run on the page's main thread, so none blocks: the clock is stepped with atomics, stats
/// and frames only try locks, and a reset that must wait for threads to end finishes later.
#[cfg(feature = "threads")]
mod live_lab {
    use super::*;
    use crate::live::{
        threads_needed, ClockMode, Live, LiveError, LiveOptions, RayonSpawner, RelaySpawner,
        Spawner,
    };
    use crate::sim::MAX_WORKERS;
    use std::sync::{Arc, OnceLock};

    /// Virtual time one `stepEvent` advances: real threads have no "next event" to run to.
    const STEP_EVENT_US: u64 = 1_000;

    /// One run of the live engine, as the page drives it.
    #[wasm_bindgen]
    pub struct LiveLab {
        live: Live,
        frame: Frame,
        /// `reset` found threads of the old run still ending: `step` finishes it.
        resetting: bool,
    }

    /// `max_workers` for `scenario` on a pool of `capacity` threads: the most workers a stage
    /// (up to the model engine's 32) for which every thread the run may start has a pool thread.
    /// Too few for the scenario's own threads: `PoolTooSmall`, with the numbers.
    pub(super) fn fit_max_workers(scenario: &Scenario, capacity: usize) -> Result<u32, LiveError> {
        (1..=MAX_WORKERS)
            .rev()
            .find(|&m| threads_needed(scenario, m) <= capacity)
            .ok_or(LiveError::PoolTooSmall {
                needed: threads_needed(scenario, 1),
                capacity,
            })
    }

    /// A live engine error as a JS `Error`. `PoolTooSmall` gets `name = "PoolTooSmall"` and the
    /// numbers as `needed` and `capacity`, so the page can say it in its own language.
    fn live_error(e: LiveError) -> JsValue {
        let error = js_sys::Error::new(&e.to_string());
        if let LiveError::PoolTooSmall { needed, capacity } = e {
            error.set_name("PoolTooSmall");
            let _ = js_sys::Reflect::set(&error, &"needed".into(), &(needed as u32).into());
            let _ = js_sys::Reflect::set(&error, &"capacity".into(), &(capacity as u32).into());
        }
        error.into()
    }

    /// The clock named by JS: `"stepped"` (default: `step` advances time), `"free"` (durations
    /// skipped: raw throughput), `"virtual"` or `"wall"`.
    fn clock(name: Option<String>) -> Result<ClockMode, JsError> {
        let Some(name) = name else {
            return Ok(ClockMode::Stepped);
        };
        serde_json::from_value(serde_json::Value::String(name.clone())).map_err(|_| {
            JsError::new(&format!(
                "clock: `{name}` is not stepped, free, virtual or wall"
            ))
        })
    }

    #[wasm_bindgen]
    impl LiveLab {
        /// A preset run (`p1`..`p6`, `f1`..`f4`) on real threads. `initThreadPool` must have
        /// finished first. `clock` is optional (see `fromPipeline`).
        #[wasm_bindgen(constructor)]
        pub fn new(
            preset_id: &str,
            lang_code: &str,
            clock: Option<String>,
        ) -> Result<LiveLab, JsValue> {
            LiveLab::start(preset_scenario(preset_id)?, lang_code, clock)
        }

        /// A builder pipeline from the sliders' JSON. `clock`: `"stepped"` (the default: only
        /// `step` advances virtual time) or `"free"` (durations skipped, for raw throughput;
        /// `step` then only reports the status).
        #[wasm_bindgen(js_name = fromPipeline)]
        pub fn from_pipeline(
            spec_json: &str,
            lang_code: &str,
            clock: Option<String>,
        ) -> Result<LiveLab, JsValue> {
            LiveLab::start(pipeline(spec_json)?, lang_code, clock)
        }

        /// Any scenario as JSON.
        #[wasm_bindgen(js_name = fromScenario)]
        pub fn from_scenario(
            json: &str,
            lang_code: &str,
            clock: Option<String>,
        ) -> Result<LiveLab, JsValue> {
            LiveLab::start(Scenario::from_json(json).map_err(js)?, lang_code, clock)
        }

        fn start(
            scenario: Scenario,
            lang_code: &str,
            clock_name: Option<String>,
        ) -> Result<LiveLab, JsValue> {
            let lang = lang(lang_code)?;
            let clock = clock(clock_name)?;
            let options = LiveOptions {
                clock,
                // The canvas animates moves; a free-running run is for measuring throughput,
                // and recording costs a lock per move.
                record_moves: clock != ClockMode::Free,
                ..LiveOptions::default()
            };
            let live = launch(scenario, options)?;
            let mut lab = LiveLab {
                live,
                frame: Frame::default(),
                resetting: false,
            };
            lab.live.set_lang(lang);
            Ok(lab)
        }

        /// Replaces the run with a new one of `scenario_json` (same clock and language); the old
        /// run's threads are told to end and do so on their own.
        pub fn configure(&mut self, scenario_json: &str) -> Result<(), JsValue> {
            let scenario = Scenario::from_json(scenario_json).map_err(js)?;
            let lang = self.live.lang();
            self.live = launch(scenario, self.live.options())?;
            self.live.set_lang(lang);
            self.resetting = false;
            Ok(())
        }

        /// Advances the stepped clock by `dt_ms` and wakes the threads whose time has come
        /// (lock-free); true while the run goes on (and while a reset is still finishing).
        pub fn step(&mut self, dt_ms: f64) -> Result<bool, JsValue> {
            let dt_us = to_us("step", dt_ms)?;
            if self.resetting && !self.finish_reset()? {
                return Ok(true);
            }
            Ok(self.live.step(dt_us) == Status::Running)
        }

        /// Real threads cannot stop after a number of operations: the same as `step`.
        #[wasm_bindgen(js_name = stepBounded)]
        pub fn step_bounded(&mut self, dt_ms: f64, _max_ops: u32) -> Result<bool, JsValue> {
            self.step(dt_ms)
        }

        /// Real threads have no "next event" to run to: advances 1 ms of virtual time.
        #[wasm_bindgen(js_name = stepEvent)]
        pub fn step_event(&mut self) -> Result<bool, JsValue> {
            self.step(STEP_EVENT_US as f64 / 1000.0)
        }

        /// Goes forward to virtual time `t_ms`; going back is refused (a replay needs the model
        /// engine's determinism).
        pub fn seek(&mut self, t_ms: f64) -> Result<bool, JsValue> {
            let t_us = to_us("seek", t_ms)?;
            let now = self.live.now();
            if t_us < now {
                return Err(JsError::new(&format!(
                    "seek: step back is a model-engine feature (it replays the run); real threads cannot go back from {} ms to {} ms",
                    now as f64 / 1000.0,
                    t_us as f64 / 1000.0
                ))
                .into());
            }
            self.step((t_us - now) as f64 / 1000.0)
        }

        /// Virtual time in milliseconds (wall time since the start with the free clock).
        #[wasm_bindgen(js_name = timeMs)]
        pub fn time_ms(&self) -> f64 {
            self.live.now() as f64 / 1000.0
        }

        /// The stats as JSON (the model engine's shape); never blocks.
        pub fn stats(&self) -> String {
            stats_json(&self.live.stats())
        }

        /// The scenario (source, queues, stages, threads) as JSON.
        pub fn scenario(&self) -> String {
            serde_json::to_string(self.live.scenario()).unwrap_or_default()
        }

        /// Refreshes the frame (never blocks); read it through the views.
        pub fn frame(&mut self) -> f64 {
            self.live.frame_into(&mut self.frame);
            self.frame.time_us as f64
        }

        #[wasm_bindgen(js_name = setLang)]
        pub fn set_lang(&mut self, lang_code: &str) -> Result<(), JsError> {
            self.live.set_lang(lang(lang_code)?);
            Ok(())
        }

        /// Changes a stage's worker count now. More than `maxWorkers()` is refused: the pool
        /// has no thread for them, and a worker waiting for one would hang the run.
        #[wasm_bindgen(js_name = setWorkers)]
        pub fn set_workers(&mut self, stage: u32, count: u32) -> Result<(), JsError> {
            let max = self.live.max_workers_of(stage as usize);
            if count > max {
                return Err(JsError::new(&format!(
                    "stages[{stage}].workers: {count} workers need more threads than the pool has; on real threads this run allows at most {max} a stage (a pool of {} threads)",
                    self.pool_size()
                )));
            }
            self.live.set_workers(stage as usize, count).map_err(js)
        }

        #[wasm_bindgen(js_name = setMaxsize)]
        pub fn set_maxsize(&mut self, queue: u32, maxsize: u32) -> Result<(), JsError> {
            self.live.set_maxsize(queue as usize, maxsize).map_err(js)
        }

        /// Back to time 0 with the same scenario, without waiting: true when the new run has
        /// started; false while the old run's threads are still ending (then `step` finishes
        /// the reset, or call `reset` again).
        pub fn reset(&mut self) -> Result<bool, JsValue> {
            self.resetting = true;
            self.finish_reset()
        }

        fn finish_reset(&mut self) -> Result<bool, JsValue> {
            let started = self.live.try_reset().map_err(live_error)?;
            self.resetting = !started;
            Ok(started)
        }

        /// Threads a run may have at once: wasm-bindgen-rayon's pool (`initThreadPool(n)`) less
        /// the one the relay holds.
        #[wasm_bindgen(js_name = poolSize)]
        pub fn pool_size(&self) -> u32 {
            rayon::current_num_threads().saturating_sub(1) as u32
        }

        /// Most workers a stage may have in this run (what the pool leaves room for, up to 32).
        #[wasm_bindgen(js_name = maxWorkers)]
        pub fn max_workers(&self) -> u32 {
            self.live.options().max_workers
        }

        /// Threads of this run still on a pool thread (0 once every one has returned).
        #[wasm_bindgen(js_name = threadsAlive)]
        pub fn threads_alive(&self) -> u32 {
            self.live.threads_alive() as u32
        }
    }

    frame_views!(LiveLab);

    /// The page's one relay onto the pool (it holds one pool thread for the page's lifetime):
    /// runs start and grow from the page's main thread, which must not call `rayon::spawn`
    /// itself (see `RelaySpawner`). Made by the first run, once the pool has long been idle.
    fn spawner() -> Result<Arc<dyn Spawner>, JsValue> {
        static RAYON: RayonSpawner = RayonSpawner;
        static RELAY: OnceLock<Arc<RelaySpawner>> = OnceLock::new();
        if let Some(relay) = RELAY.get() {
            return Ok(relay.clone());
        }
        let relay = RelaySpawner::new(&RAYON).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(RELAY.get_or_init(|| Arc::new(relay)).clone())
    }

    /// Starts `scenario` on the pool with the most workers a stage that the pool has room for.
    fn launch(scenario: Scenario, options: LiveOptions) -> Result<Live, JsValue> {
        scenario.validate().map_err(js)?;
        let spawner = spawner()?;
        let capacity = spawner.capacity().unwrap_or(usize::MAX);
        let max_workers = fit_max_workers(&scenario, capacity).map_err(live_error)?;
        Live::with_spawner(
            scenario,
            spawner,
            LiveOptions {
                max_workers,
                ..options
            },
        )
        .map_err(live_error)
    }
}
