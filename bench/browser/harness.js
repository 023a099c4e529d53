// The browser side of bench/run.mjs: `window.bench` runs one measurement per call and resolves
// to plain JSON. It holds no results and draws nothing.
//
//   bench.env()         -> {crossOriginIsolated, userAgent, hardwareConcurrency}
//   bench.model({spec, minSeconds}) -> the model engine (pkg/st) on a PipelineSpec, in a Web
//                          Worker, repeated until minSeconds of running have passed
//   bench.liveInfo()    -> {available, reason}: whether pkg/mt has the live engine's API
//   bench.live(spec)    -> the live engine (pkg/mt, real threads) on a PipelineSpec
//   bench.baseline(spec) -> the same pipeline over crossbeam-channel on a pool of its own
//                          (pkg/mt-baseline, src/web_baseline.rs): what the browser allows a
//                          plain channel pipeline
//
// Every result is {ok: true, wall_s, ...} or {ok: false, error}.

let modelWorker = null;

/**
 * One model-engine run in a Web Worker (loaded once, reused), timed with performance.now(),
 * repeated until `minSeconds` of running have passed.
 */
function model({ spec, minSeconds = 0 }) {
  modelWorker ??= new Worker(new URL('./model-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve) => {
    modelWorker.onmessage = (e) => resolve(e.data);
    modelWorker.onerror = (e) =>
      resolve({ ok: false, error: e.message || 'worker failed to load' });
    modelWorker.postMessage({ spec, minSeconds });
  });
}

let threaded = null; // {available, reason, LiveLab}

/**
 * Loads the threaded build and starts its pool once. The pool is sized as the page sizes it
 * (www/engine.js THREAD_POOL_SIZE): every blocking thread holds a pool thread.
 */
async function loadThreaded() {
  if (threaded) return threaded;
  if (!globalThis.crossOriginIsolated) {
    threaded = { available: false, reason: 'the page is not cross-origin isolated' };
    return threaded;
  }
  let mod;
  try {
    mod = await import('../../pkg/mt/pipeline_lab.js');
    await mod.default();
  } catch (error) {
    threaded = { available: false, reason: `pkg/mt did not load: ${error?.message ?? error}` };
    return threaded;
  }
  // ?liveEngine=model tries the harness on pkg/mt's model engine (a dry run of the harness).
  const engine = new URLSearchParams(location.search).get('liveEngine') ?? 'live';
  let poolSize = 64;
  try {
    poolSize = (await import('../../www/engine.js')).THREAD_POOL_SIZE ?? poolSize;
  } catch {
    // the page's module is being rebuilt: keep the default
  }
  try {
    const t0 = performance.now();
    await mod.initThreadPool(poolSize + 1); // + the live engine's relay (src/live/spawn.rs)
    threaded = {
      available: true,
      reason: null,
      Lab: mod.Lab,
      engine,
      poolSize,
      poolStartS: (performance.now() - t0) / 1000,
    };
  } catch (error) {
    threaded = { available: false, reason: `initThreadPool failed: ${error?.message ?? error}` };
  }
  return threaded;
}

async function liveInfo() {
  const t = await loadThreaded();
  return {
    available: t.available,
    reason: t.reason,
    engine: t.engine,
    poolSize: t.poolSize,
    poolStartS: t.poolStartS,
  };
}

// The main thread must not block: it waits for the run with Atomics.waitAsync (a 1 ms timeout,
// no timer clamping), or setTimeout where that is missing.
const cell = globalThis.SharedArrayBuffer ? new Int32Array(new SharedArrayBuffer(4)) : null;
function pause() {
  if (cell && typeof Atomics.waitAsync === 'function') {
    const w = Atomics.waitAsync(cell, 0, 0, 1);
    return w.async ? w.value : Promise.resolve();
  }
  return new Promise((r) => setTimeout(r, 1));
}

/**
 * One live-engine run: from creating the run (its threads start) until step() reports that it
 * ended, polled every millisecond, as Python's runs are timed from thread start to the last join.
 */
async function live(spec) {
  const t = await loadThreaded();
  if (!t.available) return { ok: false, error: `not measured: ${t.reason}` };
  try {
    const t0 = performance.now();
    const lab = t.Lab.fromPipeline(spec, 'en', { engine: t.engine, clock: 'free' });
    let polls = 1;
    while (lab.step(1e12)) {
      // Hands over recorded moves (if any) as the page's frames do, so memory stays flat.
      if (typeof lab.frame === 'function') lab.frame();
      await pause();
      polls++;
    }
    const t1 = performance.now();
    const stats = lab.stats();
    lab.free();
    return {
      ok: true,
      wall_s: (t1 - t0) / 1000,
      polls,
      items_done: stats.items_done,
      status: stats.status,
    };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error) };
  }
}

let baselineMod = null;

/** One crossbeam-channel run, timed as `live` is: from the start until the state says it ended. */
async function baseline(spec) {
  if (!globalThis.crossOriginIsolated) return { ok: false, error: 'not cross-origin isolated' };
  try {
    if (!baselineMod) {
      const mod = await import('../../pkg/mt-baseline/pipeline_lab.js');
      await mod.default();
      await mod.initThreadPool(16); // up to 15 workers and the driver
      baselineMod = mod;
    }
    const t0 = performance.now();
    baselineMod.baselineStart(Uint32Array.from(spec.workers), spec.maxsize[0], spec.items);
    let state = baselineMod.baselineState();
    while (state === 'running') {
      await pause();
      state = baselineMod.baselineState();
    }
    const t1 = performance.now();
    if (state !== 'done') return { ok: false, error: `baseline ended ${state}` };
    return { ok: true, wall_s: (t1 - t0) / 1000, items_done: spec.items };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error) };
  }
}

function env() {
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

globalThis.bench = { env, model, liveInfo, live, baseline };
document.documentElement.dataset.ready = 'true';
