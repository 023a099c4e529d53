//! The WebAssembly bindings, and nothing else: one `Lab` class over [`Engine`] that checks and
//! converts arguments, calls the engine and turns typed errors into JS `Error`s naming the
//! argument. Structured values cross as JS objects (serde-wasm-bindgen); no policy lives here.

use crate::engine::{Engine, EngineError, EngineKind};
use crate::scenario::{preset, presets as all_presets, BuilderSpec, Lang, Scenario, ScenarioError};
use crate::sim::Sim;
use crate::stats::{Frame, Status};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;
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

/// The last panic's message and location, for the page to show (a panic in a Web Worker of the
/// threaded build aborts that worker; the page reads this after the `RuntimeError`).
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Panics so far in this instance of the module, on any of its threads: a sweep on the pool
/// compares it with its start, since a pool thread that panics dies with its run unfinished.
#[cfg(feature = "threads")]
static PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Installs the panic hook when the module starts (in every Web Worker too): the message and
/// location go to the console and to [`last_panic`], instead of a bare `unreachable`. A failed
/// allocation becomes a panic that says its size (`crate::oom`), and so reaches the hook too.
#[wasm_bindgen(start)]
pub fn start() {
    crate::oom::panic_on_alloc_error();
    std::panic::set_hook(Box::new(|info| {
        let message = format!("pipeline-lab panicked: {info}");
        console_error(&message);
        // On real threads a panic aborts the Web Worker: the run it ran ends with a report
        // naming the thread, and its place in the pool is given back.
        #[cfg(feature = "threads")]
        crate::live::note_panic(&info.to_string());
        #[cfg(feature = "threads")]
        PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut last) = LAST_PANIC.try_lock() {
            *last = Some(message);
        }
    }));
}

/// Test only: the next thread of a live run to look dies of `kind`, `'panic'` or `'alloc'` (an
/// allocation larger than the module's memory), so that a browser test can check that the run
/// ends with a report and the pool runs on (src/live/fault.rs).
#[cfg(feature = "threads")]
#[wasm_bindgen(js_name = testOnlyInjectLiveFault)]
pub fn test_only_inject_live_fault(kind: JsValue) -> Result<(), JsError> {
    use crate::live::{inject_fault, Fault};
    match string_arg("kind", &kind)?.as_str() {
        "panic" => inject_fault(Fault::Panic),
        "alloc" => inject_fault(Fault::Alloc),
        other => {
            return Err(JsError::new(&format!(
                "kind: `{other}` is not 'panic' or 'alloc'"
            )))
        }
    }
    Ok(())
}

/// The last panic's message and location, or `undefined` when there was none.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.try_lock().ok().and_then(|last| last.clone())
}

/// A Rust value as a plain JS object (maps as objects, `None` as `null`), as JSON would give it.
fn to_js<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("{what}: {e}")))
}

/// A large Rust value as a plain JS object by way of JSON text and the engine's `JSON.parse`:
/// measured side by side in one page on a 3 x 16-worker run, `stats()` took 45 us this way
/// against 71 us through serde-wasm-bindgen's serializer, which builds the object field by field
/// across the boundary. The small values use [`to_js`].
fn to_js_via_json<T: Serialize + ?Sized>(what: &str, value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&format!("{what}: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new(&format!("{what}: JSON.parse failed")))
}

/// Every limit (stages, workers, `maxsize`, items, rates, pool): the page builds its sliders
/// from these, so the engine and the page cannot disagree.
#[wasm_bindgen]
pub fn limits() -> Result<JsValue, JsError> {
    to_js("limits", &crate::limits::limits())
}

/// A model-engine run over time, for the page's timelines (call it from a Web Worker: it runs
/// the whole program): `{threads, queues, spans: [[{start_us, end_us, state, line}]], lengths,
/// queued, hops, end_us, status}`. `controls` is the run's control log (as `Lab.controls()`
/// gives it, or `[]`); at most `maxEvents` moments are recorded.
#[wasm_bindgen(js_name = recordTimeline)]
pub fn record_timeline(
    scenario: JsValue,
    controls: JsValue,
    max_events: f64,
) -> Result<JsValue, JsValue> {
    let scenario: Scenario = from_js("scenario JSON", scenario)?;
    scenario.validate().map_err(scenario_error)?;
    let controls: Vec<crate::sim::LoggedControl> = from_js("controls", controls)?;
    let max_events = u32_arg("maxEvents", max_events)? as u64;
    let timeline = crate::timeline::Timeline::record_with(scenario, &controls, max_events)
        .map_err(engine_error)?;
    Ok(to_js_via_json("timeline", &timeline)?)
}

/// A model-engine run recorded whole, kept to answer questions about it (the timeline worker
/// keeps one): its timeline for the page, and any item's journey at any instant.
#[wasm_bindgen]
pub struct Recording {
    scenario: Scenario,
    timeline: crate::timeline::Timeline,
}

#[wasm_bindgen]
impl Recording {
    /// Records `scenario` with its control log, at most `maxEvents` moments (as
    /// `recordTimeline`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        scenario: JsValue,
        controls: JsValue,
        max_events: f64,
    ) -> Result<Recording, JsValue> {
        let scenario: Scenario = from_js("scenario JSON", scenario)?;
        scenario.validate().map_err(scenario_error)?;
        let controls: Vec<crate::sim::LoggedControl> = from_js("controls", controls)?;
        let max_events = u32_arg("maxEvents", max_events)? as u64;
        let timeline =
            crate::timeline::Timeline::record_with(scenario.clone(), &controls, max_events)
                .map_err(engine_error)?;
        Ok(Recording { scenario, timeline })
    }

    /// The timeline, as `recordTimeline` returns it.
    pub fn timeline(&self) -> Result<JsValue, JsError> {
        to_js_via_json("timeline", &self.timeline)
    }

    /// Item `item`'s journey as of virtual time `atUs`: `{item, at_us, status, born_us, end_us,
    /// latency_us, wait_us, service_us, blocked_put_us, legs: [...], done_items, p50_us,
    /// p95_us, slower_than}` (src/journey.rs).
    pub fn journey(&self, item: f64, at_us: f64) -> Result<JsValue, JsValue> {
        let item = u32_arg("item", item)?;
        let at_us = time_us_arg("atUs", at_us)?;
        let journey = crate::journey::Journey::of(&self.timeline, &self.scenario, item, at_us)
            .map_err(scenario_error)?;
        Ok(to_js_via_json("journey", &journey)?)
    }
}

/// A virtual time in microseconds: a whole number from 0 to 2^53.
fn time_us_arg(what: &str, value: f64) -> Result<u64, JsError> {
    if value.is_finite() && (0.0..=9_007_199_254_740_992.0).contains(&value) {
        Ok(value.floor() as u64)
    } else {
        Err(JsError::new(&format!(
            "{what}: expected a time in microseconds from 0 to 2^53, got {value}"
        )))
    }
}

/// The presets: `[{id, title: {en, ko}, summary: {en, ko}}]`.
#[wasm_bindgen]
pub fn presets() -> Result<JsValue, JsError> {
    to_js("presets", &all_presets())
}

/// How a run is made: which engine, and the live engine's clock (`"stepped"`, the default:
/// `step` advances time; `"free"`: durations skipped, for raw throughput; `"virtual"`; `"wall"`).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RunOptions {
    engine: EngineKind,
    #[cfg(feature = "threads")]
    clock: crate::live::ClockMode,
    /// Without threads there is no live engine, and so no clock to choose.
    #[cfg(not(feature = "threads"))]
    clock: Option<serde::de::IgnoredAny>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            engine: EngineKind::Model,
            #[cfg(feature = "threads")]
            clock: crate::live::ClockMode::Stepped,
            #[cfg(not(feature = "threads"))]
            clock: None,
        }
    }
}

fn run_options(value: JsValue) -> Result<RunOptions, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(RunOptions::default());
    }
    if !value.is_object() {
        return Err(JsError::new(
            "options: expected an object such as {engine: 'live', clock: 'free'}",
        ));
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("options: {e}")))
}

/// A string argument, or an error naming it.
fn string_arg(what: &str, value: &JsValue) -> Result<String, JsError> {
    value
        .as_string()
        .ok_or_else(|| JsError::new(&format!("{what}: expected a string, got {value:?}")))
}

fn lang_arg(value: &JsValue) -> Result<Lang, JsError> {
    let code = string_arg("lang", value)?;
    Lang::parse(&code).ok_or_else(|| JsError::new(&format!("lang: `{code}` is not en or ko")))
}

/// A whole number in `0..=u32::MAX` from JS, or an error naming the argument: no wrap modulo
/// 2^32, no NaN turned into 0.
fn u32_arg(what: &str, value: f64) -> Result<u32, JsError> {
    if value.is_finite() && value.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&value) {
        Ok(value as u32)
    } else {
        Err(JsError::new(&format!(
            "{what}: expected a whole number from 0 to {}, got {value}",
            u32::MAX
        )))
    }
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

fn scenario_error(e: ScenarioError) -> JsValue {
    JsError::new(&e.to_string()).into()
}

/// An engine error as a JS `Error`. `PoolTooSmall` gets `name = "PoolTooSmall"` and the numbers
/// as `needed` and `capacity`, so the page can say it in its own language.
fn engine_error(e: EngineError) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    #[cfg(feature = "threads")]
    if let EngineError::Live(crate::live::LiveError::PoolTooSmall { needed, capacity }) = e {
        error.set_name("PoolTooSmall");
        let _ = js_sys::Reflect::set(&error, &"needed".into(), &(needed as u32).into());
        let _ = js_sys::Reflect::set(&error, &"capacity".into(), &(capacity as u32).into());
    }
    error.into()
}

/// A value that is either JSON text or a JS object, deserialized into `T`. An object goes
/// through `JSON.stringify` and serde_json rather than serde-wasm-bindgen's deserializer: the
/// same parser for files, links and objects, and 100+ KiB less wasm than a second set of
/// `Deserialize` impls for the scenario's types (measured: pkg/st 532 KiB against 394 KiB).
fn from_js<T: serde::de::DeserializeOwned>(what: &str, value: JsValue) -> Result<T, JsValue> {
    let json = |message: String| scenario_error(ScenarioError::Json { message });
    let text = match value.as_string() {
        Some(text) => text,
        None if value.is_object() => js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| json(format!("{what}: the object cannot be written as JSON")))?,
        None => {
            return Err(JsError::new(&format!("{what}: expected an object or JSON text")).into())
        }
    };
    serde_json::from_str(&text).map_err(|e| json(format!("{what}: {e}")))
}

/// One run of a scenario on one engine, as the page drives it. Every method may run on the
/// page's main thread, so none blocks: the model engine's work per call is bounded, the live
/// engine's clock is stepped with atomics, its stats and frames only try locks, and a reset that
/// must wait for threads to end finishes on a later call.
#[wasm_bindgen]
pub struct Lab {
    engine: Engine,
    options: RunOptions,
    frame: Frame,
    /// `reset` found threads of the old run still ending: `step` finishes it.
    resetting: bool,
}

#[wasm_bindgen]
impl Lab {
    /// A preset run (`p1`..`p6`, `f1`..`f4`). `options`: `{engine: 'model' | 'live', clock}`
    /// (the live engine needs the threaded build and `initThreadPool` first).
    #[wasm_bindgen(constructor)]
    pub fn new(preset_id: JsValue, lang: JsValue, options: JsValue) -> Result<Lab, JsValue> {
        let id = string_arg("preset", &preset_id)?;
        let scenario =
            preset(&id).ok_or_else(|| scenario_error(ScenarioError::UnknownPreset { id }))?;
        Lab::start(scenario, &lang, options)
    }

    /// A builder pipeline (`PipelineSpec`, as an object or JSON text, with an optional `sink`:
    /// `'keep'` or `'count'`).
    #[wasm_bindgen(js_name = fromPipeline)]
    pub fn from_pipeline(spec: JsValue, lang: JsValue, options: JsValue) -> Result<Lab, JsValue> {
        let spec: BuilderSpec = from_js("pipeline", spec)?;
        Lab::start(spec.build().map_err(scenario_error)?, &lang, options)
    }

    /// Any scenario (as an object or JSON text).
    #[wasm_bindgen(js_name = fromScenario)]
    pub fn from_scenario(
        scenario: JsValue,
        lang: JsValue,
        options: JsValue,
    ) -> Result<Lab, JsValue> {
        let scenario: Scenario = from_js("scenario JSON", scenario)?;
        scenario.validate().map_err(scenario_error)?;
        Lab::start(scenario, &lang, options)
    }

    fn start(scenario: Scenario, lang: &JsValue, options: JsValue) -> Result<Lab, JsValue> {
        let lang = lang_arg(lang)?;
        let options = run_options(options)?;
        let engine = launch(scenario, options)?.with_lang(lang);
        Ok(Lab {
            engine,
            options,
            frame: Frame::default(),
            resetting: false,
        })
    }

    /// Replaces the run with a new one of `scenario` (same engine, clock and language); the old
    /// run's threads are told to end and do so on their own.
    pub fn configure(&mut self, scenario: JsValue) -> Result<(), JsValue> {
        let scenario: Scenario = from_js("scenario JSON", scenario)?;
        scenario.validate().map_err(scenario_error)?;
        let lang = self.engine.lang();
        self.engine = launch(scenario, self.options)?.with_lang(lang);
        self.resetting = false;
        Ok(())
    }

    /// What this run can do: `{engine, deterministic, canReplay, canStepByOperation,
    /// stepsToNextEvent, stepEventUs, maxWorkers, poolThreads}`.
    pub fn capabilities(&self) -> Result<JsValue, JsError> {
        to_js("capabilities", &self.engine.capabilities())
    }

    /// Advances virtual time by `dt_ms` (bounded work per call); true while the run goes on
    /// (and while a reset is still finishing).
    pub fn step(&mut self, dt_ms: f64) -> Result<bool, JsValue> {
        self.step_bounded(dt_ms, STEP_BUDGET_OPS as f64)
    }

    /// Like `step`, with the caller's operation budget: slow motion runs a few operations at a
    /// time to show single puts and gets. Time stops where the budget stops. Real threads run
    /// as they run: the budget does not apply.
    #[wasm_bindgen(js_name = stepBounded)]
    pub fn step_bounded(&mut self, dt_ms: f64, max_ops: f64) -> Result<bool, JsValue> {
        let dt_us = to_us("step", dt_ms)?;
        let max_ops = u32_arg("maxOps", max_ops)?.max(1) as u64;
        if self.resetting && !self.finish_reset()? {
            return Ok(true);
        }
        Ok(self
            .engine
            .step_bounded(dt_us, max_ops.min(STEP_BUDGET_OPS))
            == Status::Running)
    }

    /// Runs to the next moment at which something happens (real threads: 1 ms of virtual time),
    /// in at most a call's budget of operations: a moment with more operations than that is
    /// finished by the next call. True while the run goes on.
    #[wasm_bindgen(js_name = stepEvent)]
    pub fn step_event(&mut self) -> Result<bool, JsValue> {
        if self.resetting && !self.finish_reset()? {
            return Ok(true);
        }
        self.engine.step_event_bounded(STEP_BUDGET_OPS);
        Ok(self.engine.is_running())
    }

    /// Goes toward virtual time `t_ms` (backward by replay on the model engine; refused on real
    /// threads, which cannot go back), in at most a call's budget of operations; true while the
    /// run goes on. `seekBounded` says whether it got there.
    pub fn seek(&mut self, t_ms: f64) -> Result<bool, JsValue> {
        self.seek_bounded(t_ms, STEP_BUDGET_OPS as f64)?;
        Ok(self.engine.is_running())
    }

    /// Goes toward virtual time `t_ms` running at most `maxOps` operations; true once there
    /// (or the run ended on the way). Call again with the same time until it is: `timeMs()`
    /// over `t_ms` is how far a long replay has got.
    #[wasm_bindgen(js_name = seekBounded)]
    pub fn seek_bounded(&mut self, t_ms: f64, max_ops: f64) -> Result<bool, JsValue> {
        let t_us = to_us("seek", t_ms)?;
        let max_ops = (u32_arg("maxOps", max_ops)? as u64).min(STEP_BUDGET_OPS);
        let progress = self
            .engine
            .seek_bounded(t_us, max_ops)
            .map_err(engine_error)?;
        Ok(progress != crate::sim::Progress::NotYet)
    }

    /// The virtual time in milliseconds that `stepEvent` runs to next (model engine; `undefined`
    /// on real threads): compare mode steps two runs to the sooner of theirs.
    #[wasm_bindgen(js_name = nextEventMs)]
    pub fn next_event_ms(&self) -> Option<f64> {
        self.engine.next_event_us().map(|us| us as f64 / 1000.0)
    }

    /// Virtual time in milliseconds (wall time since the start on the free clock).
    #[wasm_bindgen(js_name = timeMs)]
    pub fn time_ms(&self) -> f64 {
        self.engine.now() as f64 / 1000.0
    }

    /// The stats as an object (see `Stats`); never blocks.
    pub fn stats(&self) -> Result<JsValue, JsError> {
        to_js_via_json("stats", &self.engine.stats())
    }

    /// The scenario (source, queues, stages, threads) as an object.
    pub fn scenario(&self) -> Result<JsValue, JsError> {
        /// The scenario, with its source as the Korean note shows it beside it.
        #[derive(Serialize)]
        struct WithKorean<'a> {
            #[serde(flatten)]
            scenario: &'a Scenario,
            source_ko: Vec<String>,
        }
        let scenario = self.engine.scenario();
        to_js_via_json(
            "scenario",
            &WithKorean {
                scenario,
                source_ko: scenario.source_in(Lang::Ko),
            },
        )
    }

    /// The pipeline's shape (groups, queues, the done end, columns, which stages and queues can
    /// change while running, and why not), for the page to lay out without reading programs.
    pub fn shape(&self) -> Result<JsValue, JsError> {
        to_js("shape", &crate::shape::shape(self.engine.scenario()))
    }

    /// Refreshes the frame (never blocks); read it through the views below (valid until the
    /// next call into wasm, which may move the buffers). Returns its time in microseconds.
    pub fn frame(&mut self) -> f64 {
        self.engine.frame_into(&mut self.frame);
        self.frame.time_us as f64
    }

    #[wasm_bindgen(js_name = threadStates)]
    pub fn thread_states(&self) -> js_sys::Uint8Array {
        // SAFETY: the view is read before the next call into wasm, which could move the buffer.
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

    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&mut self, lang: JsValue) -> Result<(), JsError> {
        self.engine.set_lang(lang_arg(&lang)?);
        Ok(())
    }

    /// Changes a stage's worker count now; a refusal (a stage shutting down, more workers than
    /// the pool has threads for) is thrown as an `Error` with the reason.
    #[wasm_bindgen(js_name = setWorkers)]
    pub fn set_workers(&mut self, stage: f64, count: f64) -> Result<(), JsValue> {
        let stage = u32_arg("stage", stage)? as usize;
        let count = u32_arg("count", count)?;
        self.engine.set_workers(stage, count).map_err(engine_error)
    }

    /// Changes a queue's `maxsize` now (0: unbounded).
    #[wasm_bindgen(js_name = setMaxsize)]
    pub fn set_maxsize(&mut self, queue: f64, maxsize: f64) -> Result<(), JsValue> {
        let queue = u32_arg("queue", queue)? as usize;
        let maxsize = u32_arg("maxsize", maxsize)?;
        self.engine
            .set_maxsize(queue, maxsize)
            .map_err(engine_error)
    }

    /// Back to time 0 with the same scenario (changes made while running are forgotten),
    /// without waiting: true when the new run has started; false while the old run's threads
    /// are still ending (then `step` finishes the reset, or call `reset` again).
    pub fn reset(&mut self) -> Result<bool, JsValue> {
        self.resetting = true;
        self.finish_reset()
    }

    fn finish_reset(&mut self) -> Result<bool, JsValue> {
        let started = self.engine.reset().map_err(engine_error)?;
        self.resetting = !started;
        Ok(started)
    }

    /// Threads a run may hold at once on this page's pool (0 without one).
    #[wasm_bindgen(js_name = poolSize)]
    pub fn pool_size(&self) -> u32 {
        self.engine.capabilities().pool_threads.unwrap_or(0)
    }

    /// Most workers a stage may have in this run.
    #[wasm_bindgen(js_name = maxWorkers)]
    pub fn max_workers(&self) -> u32 {
        self.engine.capabilities().max_workers
    }

    /// Threads of this run still on a pool thread (0 once every one has returned, and always 0
    /// on the model engine).
    #[wasm_bindgen(js_name = threadsAlive)]
    pub fn threads_alive(&self) -> u32 {
        self.engine.threads_alive() as u32
    }

    // --- The second clock: operations (model engine; real threads throw naming the call) -------

    /// Operations run since the start (a whole number below 2^53; 0 on real threads).
    pub fn ops(&self) -> f64 {
        self.engine.ops().unwrap_or(0) as f64
    }

    /// Runs exactly one operation (one Python line of one thread); true while the run goes on.
    #[wasm_bindgen(js_name = stepOp)]
    pub fn step_op(&mut self) -> Result<bool, JsValue> {
        Ok(self.engine.step_op().map_err(engine_error)? == Status::Running)
    }

    /// Goes to the state after `n` operations (backward by replay), running at most `maxOps`
    /// this call; true once there (or the run ended before). Call again until it is.
    #[wasm_bindgen(js_name = seekOps)]
    pub fn seek_ops(&mut self, n: f64, max_ops: f64) -> Result<bool, JsValue> {
        if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_SAFE_OPS) {
            return Err(JsError::new(&format!(
                "seekOps: the operation count must be a whole number >= 0, got {n}"
            ))
            .into());
        }
        let max_ops = u32_arg("maxOps", max_ops)? as u64;
        self.engine
            .seek_ops(n as u64, max_ops.min(STEP_BUDGET_OPS))
            .map_err(engine_error)
    }

    /// Runs until one more item is done, at most `maxOps` operations; true once it got there
    /// (or the run ended).
    #[wasm_bindgen(js_name = stepItem)]
    pub fn step_item(&mut self, max_ops: f64) -> Result<bool, JsValue> {
        let max_ops = u32_arg("maxOps", max_ops)? as u64;
        self.engine
            .step_item(max_ops.min(STEP_BUDGET_OPS))
            .map_err(engine_error)
    }

    /// `[thread, line, ended]` of the operation that ran last (`ended` 1 when the thread ended
    /// with it, on that line); `undefined` before the first (and on real threads).
    #[wasm_bindgen(js_name = lastOp)]
    pub fn last_op(&self) -> Option<Vec<u32>> {
        self.engine
            .last_op()
            .map(|op| vec![op.thread as u32, op.line, op.ended as u32])
    }

    /// More operations happen at this instant before virtual time moves.
    #[wasm_bindgen(js_name = instantPending)]
    pub fn instant_pending(&self) -> bool {
        self.engine.instant_pending()
    }

    /// The run goes on (neither finished, hung nor out of memory).
    pub fn running(&self) -> bool {
        self.engine.is_running()
    }

    /// Item `item`'s journey up to the run's present (model engine: it replays the run, so
    /// call it where a replay may take a while; real threads throw naming `journey`).
    pub fn journey(&self, item: f64) -> Result<JsValue, JsValue> {
        let item = u32_arg("item", item)?;
        let journey = self.engine.journey(item).map_err(engine_error)?;
        Ok(to_js_via_json("journey", &journey)?)
    }

    /// The controls logged so far: `[{ops, at_us, control: {workers: {stage, count}} |
    /// {max_size: {queue, maxsize}}}]`.
    pub fn controls(&self) -> Result<JsValue, JsError> {
        to_js("controls", self.engine.controls())
    }

    /// Gives the run a control log (as `controls()` returns it, or its JSON) to apply as it
    /// reaches each control: a shared link's changes, replayed after the operations they
    /// followed.
    #[wasm_bindgen(js_name = replayControls)]
    pub fn replay_controls(&mut self, log: JsValue) -> Result<(), JsValue> {
        let log: Vec<crate::sim::LoggedControl> = from_js("controls", log)?;
        self.engine.replay_controls(&log).map_err(engine_error)
    }
}

/// A parameter sweep (see `Sweep`), as the page's sweep workers run it: each worker makes its
/// own `Sweeper` and runs a share of the jobs one at a time (so it can report progress and be
/// stopped between runs); the page gathers the runs and asks any `Sweeper` to summarise them.
/// In the threaded build one worker may instead `start` every job on its rayon pool and take
/// the runs as they end (`next`).
#[wasm_bindgen]
pub struct Sweeper {
    sweep: std::sync::Arc<crate::sweep::Sweep>,
    jobs: Vec<crate::sweep::Job>,
    /// The runs of `start`, as they end, and the module's panics when it started.
    #[cfg(feature = "threads")]
    finished: Option<(std::sync::Arc<crate::sweep::Finished>, usize)>,
}

#[wasm_bindgen]
impl Sweeper {
    /// `sweep`: `{base: PipelineSpec, param: {kind: 'maxsize', stage} | {kind: 'workers', stage}
    /// | {kind: 'arrival_rate'} | {kind: 'service_mean', stage} | {kind: 'items'}, values: [..],
    /// reps, param2?, values2?}` (an object or JSON text; `param2` and `values2` make a 2-D
    /// sweep, a grid whose point `p` is row `p / values2.length`, column `p % values2.length`).
    /// A value the parameter cannot take throws, naming it.
    #[wasm_bindgen(constructor)]
    pub fn new(sweep: JsValue) -> Result<Sweeper, JsValue> {
        let sweep: crate::sweep::Sweep = from_js("sweep", sweep)?;
        sweep.base.validate().map_err(scenario_error)?;
        let jobs = sweep.jobs().map_err(scenario_error)?;
        Ok(Sweeper {
            sweep: std::sync::Arc::new(sweep),
            jobs,
            #[cfg(feature = "threads")]
            finished: None,
        })
    }

    /// How many runs the sweep makes (values x reps).
    #[wasm_bindgen(js_name = jobCount)]
    pub fn job_count(&self) -> u32 {
        self.jobs.len() as u32
    }

    /// Runs job `index` to its end on the model engine: `{point, value, rep, seed, status,
    /// items_done, throughput_per_s, latency_p50_us, ...}`. Blocks for the run's length: call it
    /// from a Web Worker, never from the page's main thread.
    pub fn run(&self, index: f64) -> Result<JsValue, JsValue> {
        let index = u32_arg("index", index)? as usize;
        let job = self.jobs.get(index).ok_or_else(|| {
            JsError::new(&format!(
                "index: {index} is past the last job ({})",
                self.jobs.len()
            ))
        })?;
        Ok(to_js("run", &self.sweep.run(job))?)
    }

    /// The sweep's answer from every run (as `run` returned them, in any order): each value's
    /// mean and spread, the knee, and the runs.
    pub fn summarize(&self, runs: JsValue) -> Result<JsValue, JsValue> {
        let runs: Vec<crate::sweep::RunResult> = from_js("runs", runs)?;
        Ok(to_js("sweep", &self.sweep.summarize(runs))?)
    }

    /// The summary as CSV, one row a run.
    pub fn csv(&self, runs: JsValue) -> Result<String, JsValue> {
        let runs: Vec<crate::sweep::RunResult> = from_js("runs", runs)?;
        Ok(self.sweep.summarize(runs).to_csv())
    }
}

/// The sweep on the pool (threaded build): a Web Worker that has called `initThreadPool` starts
/// every run on it and takes them as they end. The page's main thread must not call these.
#[cfg(feature = "threads")]
#[wasm_bindgen]
impl Sweeper {
    /// Starts every run on this module's rayon pool, one task a run, and returns at once (once a
    /// sweeper; a second call throws).
    pub fn start(&mut self) -> Result<(), JsValue> {
        if self.finished.is_some() {
            return Err(JsError::new("start: this sweep has already started").into());
        }
        let panics = PANICS.load(std::sync::atomic::Ordering::SeqCst);
        let finished = self
            .sweep
            .clone()
            .start(worker_now_ms)
            .map_err(scenario_error)?;
        self.finished = Some((finished, panics));
        Ok(())
    }

    /// The runs ended since the last call, at most `max`: `[{index, result, ms}]` (result as
    /// `run` gives it, ms its wall time on its pool thread). Waits up to `timeoutMs` for one and
    /// then gives `[]`, so that the worker can see its messages; `null` once every run is taken.
    /// Throws when a thread of the pool has died (a panic, such as a failed allocation when the
    /// runs at once need more than the module's memory): its run would never come.
    pub fn next(&self, max: f64, timeout_ms: f64) -> Result<JsValue, JsValue> {
        let (finished, panics) = self
            .finished
            .as_ref()
            .ok_or_else(|| JsError::new("next: call start() first"))?;
        if PANICS.load(std::sync::atomic::Ordering::SeqCst) != *panics {
            // The panic's own message (its last line), without the location.
            let why = last_panic()
                .and_then(|p| p.lines().last().map(str::to_string))
                .unwrap_or_else(|| "it panicked".into());
            return Err(JsError::new(&format!("a pool thread died: {why}")).into());
        }
        let max = u32_arg("max", max)?.max(1) as usize;
        let timeout = to_us("timeoutMs", timeout_ms)?;
        match finished.next(max, std::time::Duration::from_micros(timeout)) {
            Some(runs) => Ok(to_js("runs", &runs)?),
            None => Ok(JsValue::NULL),
        }
    }
}

/// `performance.now()` of the Web Worker this runs on (a pool thread), in milliseconds.
#[cfg(feature = "threads")]
fn worker_now_ms() -> f64 {
    use wasm_bindgen::JsCast;
    thread_local! {
        static PERFORMANCE: Option<web_sys::Performance> = js_sys::global()
            .dyn_into::<web_sys::WorkerGlobalScope>()
            .ok()
            .and_then(|w| w.performance());
    }
    PERFORMANCE.with(|p| p.as_ref().map_or_else(js_sys::Date::now, |p| p.now()))
}

/// Largest operation count JS numbers hold exactly.
const MAX_SAFE_OPS: f64 = 9_007_199_254_740_991.0;

/// Starts `scenario` on the engine `options` name.
fn launch(scenario: Scenario, options: RunOptions) -> Result<Engine, JsValue> {
    match options.engine {
        EngineKind::Model => Ok(Engine::from(
            Sim::new(scenario).map_err(scenario_error)?.with_moves(),
        )),
        #[cfg(feature = "threads")]
        EngineKind::Live => threads::launch(scenario, options.clock),
        #[cfg(not(feature = "threads"))]
        EngineKind::Live => Err(JsError::new(
            "engine: real threads need the threaded build (pkg/mt) on a cross-origin isolated page",
        )
        .into()),
    }
}

/// The live engine on wasm-bindgen-rayon's pool (threaded build only).
#[cfg(feature = "threads")]
mod threads {
    use super::*;
    use crate::live::{ClockMode, LiveOptions, RayonSpawner, RelaySpawner, Spawner};
    use std::sync::{Arc, OnceLock};

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
    pub(super) fn launch(scenario: Scenario, clock: ClockMode) -> Result<Engine, JsValue> {
        let options = LiveOptions {
            clock,
            // The canvas animates moves; a free-running run is for measuring throughput, and
            // recording costs a lock per move.
            record_moves: clock != ClockMode::Free,
            ..LiveOptions::default()
        };
        Engine::live_on(scenario, spawner()?, options).map_err(engine_error)
    }
}
