// Engine client: picks and loads the wasm builds (pkg/st model; pkg/mt threads when isolated) and
// wraps one run; the only caller of the wasm API on the page's main thread besides summing a
// sweep (www/sweep.js), whose runs the Web Workers make. It must not touch the DOM.

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
  const limits = model.limits();
  THREAD_POOL_SIZE = limits.poolThreads;
  return { presets: model.presets(), threads: await threadsAvailability(), limits };
}

/** Whether the real-threads engine can be offered, and why not. */
export async function threadsAvailability() {
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
    // One more than the runs may use: the live engine starts threads through a relay on the pool,
    // so that the page's main thread never calls into rayon (src/live/spawn.rs, RelaySpawner).
    if (typeof module.initThreadPool === 'function') await module.initThreadPool(poolSize + 1);
    threaded = module;
  }
  return threaded;
}

/**
 * The threaded build's pool size, from the engine's limits (src/limits.rs, `poolThreads`): set by
 * `loadEngines()`. Each thread of a run (main and every worker) holds a pool thread for as long as
 * it runs, and the pool is built once per page (ARCHITECTURE.md): so a run may have that many
 * threads at once, counting the workers its sliders may add. The live engine refuses a bigger
 * program with a `PoolTooSmall` error that carries `needed` and `capacity`.
 */
export let THREAD_POOL_SIZE = null;

/**
 * Starts a run. `source` is {preset: id} or {pipeline: PipelineSpec object}; `engine` is
 * 'model' or 'threads'. Resolves to a Run (the threaded build loads on first use).
 */
export async function createRun(source, lang, engine = 'model') {
  const module = engine === 'threads' ? await loadThreaded(THREAD_POOL_SIZE) : model;
  if (!module) throw new Error('loadEngines() must finish before a run is created');
  const options = { engine: engine === 'threads' ? 'live' : 'model' };
  const lab =
    source.pipeline !== undefined
      ? module.Lab.fromPipeline(source.pipeline, lang, options)
      : new module.Lab(source.preset, lang, options);
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
    this.scenario = lab.scenario();
    /** What the engine can do (src/engine.rs, Capabilities): the page asks, never assumes. */
    this.capabilities = lab.capabilities();
    /** The pipeline's shape (src/shape.rs): groups, done queue, what can be resized and why. */
    this.shape = lab.shape();
  }

  /** Whether stepping back (replay) is possible: a deterministic engine only. */
  get canSeek() {
    return this.capabilities.canReplay;
  }

  /**
   * Whether the engine can stop after a given number of operations (slow motion); real threads
   * run as they run, and slow motion is the clock's speed alone.
   */
  get canLimitOps() {
    return this.capabilities.canStepByOperation;
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

  /**
   * Goes toward virtual time `tMs` (backward by replay) running at most `budget` operations;
   * true once there. Call again (next frame) until it is: `timeMs() / tMs` is the progress.
   */
  seekBounded(tMs, budget = 200_000) {
    const there = this.lab.seekBounded(Math.max(0, tMs), budget);
    this.ended = !this.lab.running();
    return there;
  }

  /** Goes to virtual time `tMs` (backward by replay), within one call's budget of work. */
  seek(tMs) {
    this.ended = !this.lab.seek(Math.max(0, tMs));
    return !this.ended;
  }

  timeMs() {
    return this.lab.timeMs();
  }

  /** The virtual time (ms) `stepEvent()` runs to next; null where it cannot be known (live). */
  nextEventMs() {
    return typeof this.lab.nextEventMs === 'function' ? (this.lab.nextEventMs() ?? null) : null;
  }

  /** Refreshes the frame and returns views over it (see FrameView). */
  frame() {
    const timeUs = this.lab.frame();
    return new FrameView(this.lab, timeUs);
  }

  /** The Stats snapshot, a plain object (call a few times a second, not every frame). */
  stats() {
    return this.lab.stats();
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

  // --- stepping by operation, and the control log a link replays (model engine only) ---------

  /** Whether the engine steps one operation (one Python line) at a time: the model engine. */
  get canStepOps() {
    return this.capabilities.canStepByOperation;
  }

  /** Operations run since the start. */
  ops() {
    return this.lab.ops();
  }

  /** Runs exactly one operation of one thread; false once the run has ended. */
  stepOp() {
    if (this.ended) return false;
    this.ended = !this.lab.stepOp();
    return !this.ended;
  }

  /**
   * Goes toward the state after `n` operations (backward by replay), at most `budget` operations
   * this call; true once there. Call again (next frame) until it is.
   */
  seekOps(n, budget = 200_000) {
    const there = this.lab.seekOps(n, budget);
    this.ended = !this.lab.running();
    return there;
  }

  /** Runs until one more item is done, at most `budget` operations; true once it got there. */
  stepItem(budget = 200_000) {
    if (this.ended) return true;
    const there = this.lab.stepItem(budget);
    this.ended = !this.lab.running();
    return there;
  }

  /**
   * {thread, line, ended} of the operation that ran last, or null before the first; `ended`:
   * the thread ended with it, and `line` is the line it ended on.
   */
  lastOp() {
    const last = this.lab.lastOp();
    return last ? { thread: last[0], line: last[1], ended: last[2] === 1 } : null;
  }

  /** Whether more operations happen at this instant before virtual time moves. */
  instantPending() {
    return this.lab.instantPending();
  }

  /** The controls logged so far: [{ops, at_us, control: {workers|max_size: {...}}}]. */
  controls() {
    return this.lab.controls();
  }

  /** Gives the run a control log (as `controls()` returns it) to apply as it reaches each one. */
  replayControls(log) {
    this.lab.replayControls(log);
  }
}
