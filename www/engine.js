// Engine client: picks and loads the wasm builds (pkg/st model; pkg/mt threads when isolated) and
// wraps one run; the only module that calls the wasm API. It must not touch the DOM.

let model = null; // the pkg/st module once loaded
let threaded = null; // the pkg/mt module once loaded

/**
 * What the page can run. Resolves to {presets, threads: {available, reason}}; `reason` is an
 * i18n key ('reasonIsolation' | 'reasonNoBuild' | 'reasonLoadFailed') when unavailable.
 */
export async function loadEngines() {
  if (!model) {
    // Imported dynamically so that a missing build is a catchable error.
    const module = await import('../pkg/st/pipeline_lab.js');
    await module.default();
    model = module;
  }
  return {
    presets: JSON.parse(model.presets()),
    threads: await threadsAvailability(),
    limits: model.limits ? model.limits() : null,
  };
}

/** Whether the real-threads engine can be offered, and why not. */
async function threadsAvailability() {
  if (!globalThis.crossOriginIsolated) return { available: false, reason: 'reasonIsolation' };
  // pkg/builds.json lists the builds present (the dev server makes it; `npm run build` writes it),
  // so that a missing threaded build is not a failed request in the console.
  let builds = [];
  try {
    const response = await fetch(new URL('../pkg/builds.json', import.meta.url), {
      cache: 'no-cache',
    });
    if (response.ok) builds = (await response.json()).builds ?? [];
  } catch {
    builds = [];
  }
  if (!builds.includes('mt')) return { available: false, reason: 'reasonNoBuild' };
  return { available: true, reason: null };
}

/** Loads pkg/mt and starts its thread pool with `poolSize` threads. */
async function loadThreaded(poolSize) {
  if (!threaded) {
    const module = await import('../pkg/mt/pipeline_lab.js');
    await module.default();
    // One more than the runs may use: LiveLab starts threads through a relay on the pool, so that
    // the page's main thread never calls into rayon (src/live/spawn.rs, RelaySpawner).
    if (typeof module.initThreadPool === 'function') await module.initThreadPool(poolSize + 1);
    threaded = module;
  }
  return threaded;
}

/**
 * The threaded build's pool size. Each thread of a run (main and every worker) holds a pool thread
 * for as long as it runs, and the pool is built once per page (shared/PLATFORM.md): so a run may
 * have 64 threads at once, main and 63 workers, counting the workers its sliders may add (3
 * stages of 16 workers and main leave each stage room to grow to 21). LiveLab refuses a bigger
 * program with a `PoolTooSmall` error that carries `needed` and `capacity`.
 */
export const THREAD_POOL_SIZE = 64;

/**
 * Starts a run. `source` is {preset: id} or {pipeline: PipelineSpec object}; `engine` is
 * 'model' or 'threads'. Resolves to a Run (the threaded build loads on first use).
 */
export async function createRun(source, lang, engine = 'model') {
  const module = engine === 'threads' ? await loadThreaded(THREAD_POOL_SIZE) : model;
  if (!module) throw new Error('loadEngines() must finish before a run is created');
  // The threaded build's live engine (LiveLab) when it has one; its Lab has the same API.
  const Lab = engine === 'threads' ? (module.LiveLab ?? module.Lab) : module.Lab;
  const lab =
    source.pipeline !== undefined
      ? Lab.fromPipeline(JSON.stringify(source.pipeline), lang)
      : new Lab(source.preset, lang);
  return new Run(lab, engine);
}

/**
 * A typed-array view of the latest frame. Valid only until the next call into wasm (memory may
 * grow and detach the views): read it at once.
 */
export class FrameView {
  constructor(lab, timeUs) {
    this.timeUs = timeUs;
    this.threadStates = lab.threadStates();
    this.threadLines = lab.threadLines();
    this.threadItems = lab.threadItems();
    this.queueStarts = lab.queueStarts();
    this.queueItems = lab.queueItems();
    // qsize() of each queue. A queue that no thread takes from (done_queue) lists no items, only
    // its length; builds without queueLens list every item.
    this.queueLens = typeof lab.queueLens === 'function' ? lab.queueLens() : null;
    this.moves = lab.moves();
  }

  queueLength(q) {
    return this.queueLens ? this.queueLens[q] : this.queueStarts[q + 1] - this.queueStarts[q];
  }
}

/** One run of a scenario on one engine. */
export class Run {
  constructor(lab, engine) {
    this.lab = lab;
    this.engine = engine;
    this.ended = false;
    this.scenario = JSON.parse(lab.scenario());
  }

  /** Whether stepping back (replay) is possible: the model engine only. */
  get canSeek() {
    return this.engine === 'model';
  }

  /**
   * Whether the engine can stop after a given number of operations (slow motion): the model
   * engine only; real threads run as they run, and slow motion is the clock's speed alone.
   */
  get canLimitOps() {
    return this.engine === 'model' && typeof this.lab.stepBounded === 'function';
  }

  /**
   * Advances virtual time by `dtMs`, or less when `maxOps` operations come first (only where
   * the engine has `stepBounded`); false once the run has ended.
   */
  step(dtMs, maxOps = null) {
    if (this.ended) return false;
    this.ended =
      maxOps !== null && this.canLimitOps
        ? !this.lab.stepBounded(dtMs, maxOps)
        : !this.lab.step(dtMs);
    return !this.ended;
  }

  /** Runs to the next moment at which something happens. */
  stepEvent() {
    if (this.ended) return false;
    this.ended = !this.lab.stepEvent();
    return !this.ended;
  }

  /** Goes to virtual time `tMs` (backward by replay). */
  seek(tMs) {
    this.ended = !this.lab.seek(Math.max(0, tMs));
    return !this.ended;
  }

  timeMs() {
    return this.lab.timeMs();
  }

  /** Refreshes the frame and returns views over it (see FrameView). */
  frame() {
    const timeUs = this.lab.frame();
    return new FrameView(this.lab, timeUs);
  }

  /** The Stats snapshot (JSON through wasm: call a few times a second, not every frame). */
  stats() {
    return JSON.parse(this.lab.stats());
  }

  setLang(lang) {
    this.lab.setLang(lang);
  }

  /** Changes a stage's worker count now; throws the engine's refusal as an Error. */
  setWorkers(stage, count) {
    this.lab.setWorkers(stage, count);
  }

  /** Changes a queue's maxsize now; throws the engine's refusal as an Error. */
  setMaxsize(queue, maxsize) {
    this.lab.setMaxsize(queue, maxsize);
  }

  free() {
    this.lab?.free();
    this.lab = null;
  }
}
