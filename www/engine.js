// Engine client: loads the single-threaded wasm build and wraps one run of a preset.
// The only module that touches the wasm API; errors it throws are JS Errors for the caller.

let wasm = null;

/** Loads and instantiates pkg/st once. Resolves to the parsed preset list. */
export async function loadEngine() {
  if (!wasm) {
    // Imported dynamically so that a missing build is a catchable error, not a page that
    // silently never starts.
    const module = await import('../pkg/st/pipeline_lab.js');
    await module.default();
    wasm = module;
  }
  return JSON.parse(wasm.presets());
}

/** One run of a preset: virtual time only moves when `step` is called. */
export class EngineRun {
  constructor(presetId, lang) {
    if (!wasm) throw new Error('loadEngine() must finish before a run is created');
    this.presetId = presetId;
    this.lab = new wasm.Lab(presetId, lang);
    this.ended = false;
  }

  /** Advances virtual time by `dtMs`; returns false once the run has ended. */
  step(dtMs) {
    if (this.ended) return false;
    this.ended = !this.lab.step(dtMs);
    return !this.ended;
  }

  /** The current Stats snapshot as an object. */
  stats() {
    return JSON.parse(this.lab.stats());
  }

  /** Re-renders the console lines in `lang` ('en' | 'ko'). */
  setLang(lang) {
    this.lab.setLang(lang);
  }

  free() {
    this.lab?.free();
    this.lab = null;
  }
}
