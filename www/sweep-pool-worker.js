// The sweep's pool host: a module Web Worker that loads the threaded build (pkg/mt), starts
// wasm-bindgen-rayon's pool of its own and runs a whole sweep on it with rayon, reporting runs as
// they end. It must not summarise or plot; the page's main thread never calls into this pool.
//
// Messages in (one a host's life):
//   {sweep, threads, module?}  sweep: the Sweeper's object; threads: the pool's size (the page
//                              sizes it as it sizes its Web Workers, www/sweep.js poolSize);
//                              module: the compiled pkg/mt WebAssembly.Module (compiled once a
//                              page; the pool's workers get it from here).
// Messages out:
//   {ready, ms}          the pool is up (ready: its threads; ms: how long starting it took)
//   {runs}               runs ended since the last report: [{index, result, ms}] (result as
//                        Sweeper.run gives it; ms: its wall time on its pool thread)
//   {done, memoryBytes}  after the last run (done: how many; memoryBytes: the module's memory,
//                        which never shrinks: the sweep's peak)
//   {error}              a message; nothing follows it
// The page stops a sweep by terminate(): the pool's Web Workers, this worker's own, go with it.

import init, { Sweeper, initThreadPool } from '../pkg/mt/pipeline_lab.js';

/** Most runs one report carries. */
const BATCH = 64;
/**
 * Longest wait inside Sweeper.next before it looks again whether a pool thread has died (it
 * throws then: that thread's run would never come) and this worker gets back to its events.
 */
const WAIT_MS = 50;

/**
 * @typedef {{sweep: object, threads: number, module?: WebAssembly.Module}} PoolJobs
 * @typedef {{ready: number, ms: number} | {runs: {index: number, result: object, ms: number}[]}
 *   | {done: number, memoryBytes: number} | {error: string}} PoolReport
 */

let failed = false;

/** @param {PoolReport} message */
const report = (message) => {
  if (failed) return;
  if (message.error !== undefined) failed = true;
  self.postMessage(message);
};

/** A turn of this worker's event loop without setTimeout's clamping. */
const channel = new MessageChannel();
const turn = () =>
  new Promise((resolve) => {
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(null);
  });

self.onmessage = async (/** @type {{data: PoolJobs}} */ { data }) => {
  let sweeper = null;
  try {
    const started = performance.now();
    const wasm = await init(data.module ? { module_or_path: data.module } : undefined);
    await initThreadPool(data.threads);
    report({ ready: data.threads, ms: performance.now() - started });
    sweeper = new Sweeper(data.sweep);
    sweeper.start();
    let done = 0;
    for (;;) {
      const runs = sweeper.next(BATCH, WAIT_MS);
      if (runs === null) break;
      if (runs.length) {
        done += runs.length;
        report({ runs });
      }
      await turn();
      if (failed) return;
    }
    report({ done, memoryBytes: wasm.memory.buffer.byteLength });
  } catch (error) {
    report({ error: String(error?.message ?? error) });
  } finally {
    // Every run has ended (or the host is failing): nothing of the pool still uses the sweeper.
    if (!failed) sweeper?.free();
  }
};
