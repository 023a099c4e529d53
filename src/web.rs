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

#[wasm_bindgen]
impl Lab {
    /// A preset run (`p1`..`p6`, `f1`..`f4`).
    #[wasm_bindgen(constructor)]
    pub fn new(preset_id: &str, lang_code: &str) -> Result<Lab, JsError> {
        let scenario = preset(preset_id).ok_or_else(|| {
            js(ScenarioError::UnknownPreset {
                id: preset_id.to_string(),
            })
        })?;
        Lab::start(scenario, lang_code)
    }

    /// A builder pipeline from the sliders' JSON (`PipelineSpec`).
    #[wasm_bindgen(js_name = fromPipeline)]
    pub fn from_pipeline(spec_json: &str, lang_code: &str) -> Result<Lab, JsError> {
        let spec: PipelineSpec = serde_json::from_str(spec_json).map_err(|e| {
            js(ScenarioError::Json {
                message: e.to_string(),
            })
        })?;
        Lab::start(spec.build().map_err(js)?, lang_code)
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
        serde_json::to_string(&self.sim.stats())
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
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
}
