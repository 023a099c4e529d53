// A sweep worker: a module Web Worker that runs a share of a sweep's jobs on the model engine
// (pkg/st's Sweeper), one at a time, and reports each run. It must not summarise or plot.
//
// Messages in (one a worker's life):
//   {sweep, indices, module?}  sweep: the Sweeper's object ({base, param, values, reps} and,
//                              for a 2-D sweep, {param2, values2});
//                              indices: the job indices to run, in order; module: the compiled
//                              pkg/st WebAssembly.Module (so the wasm is compiled once a page).
// Messages out:
//   {index, result, ms}  after each run: result is Sweeper.run(index)'s RunResult object, ms
//                        the run's wall time in this worker (performance.now())
//   {done}           after the last index (done: how many runs this worker made)
//   {error}          a message; nothing follows it
// The page stops a sweep by terminate(): between two messages nothing is left half done.

import init, { Sweeper } from '../pkg/st/pipeline_lab.js';

/**
 * @typedef {{sweep: object, indices: number[], module?: WebAssembly.Module}} SweepJobs
 * @typedef {{index: number, result: object, ms: number} | {done: number} | {error: string}} SweepReport
 */

/** @param {SweepReport} message */
const report = (message) => self.postMessage(message);

self.onmessage = async (/** @type {{data: SweepJobs}} */ { data }) => {
  let sweeper = null;
  try {
    await init(data.module ? { module_or_path: data.module } : undefined);
    sweeper = new Sweeper(data.sweep);
    for (const index of data.indices) {
      const start = performance.now();
      const result = sweeper.run(index);
      report({ index, result, ms: performance.now() - start });
    }
    report({ done: data.indices.length });
  } catch (error) {
    report({ error: String(error?.message ?? error) });
  } finally {
    sweeper?.free();
  }
};
