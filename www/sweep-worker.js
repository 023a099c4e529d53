// A sweep worker: a module Web Worker that runs a share of a sweep's jobs on the model engine
// (pkg/st's Sweeper), one at a time, and reports each run. It must not summarise or plot.
//
// Messages in (one a worker's life):
//   {sweep, indices, module?}  sweep: the Sweeper's object ({base, param, values, reps});
//                              indices: the job indices to run, in order; module: the compiled
//                              pkg/st WebAssembly.Module (so the wasm is compiled once a page).
// Messages out:
//   {index, result}  after each run: result is Sweeper.run(index)'s RunResult object
//   {done}           after the last index (done: how many runs this worker made)
//   {error}          a message; nothing follows it
// The page stops a sweep by terminate(): between two messages nothing is left half done.

import init, { Sweeper } from '../pkg/st/pipeline_lab.js';

self.onmessage = async ({ data }) => {
  let sweeper = null;
  try {
    await init(data.module ? { module_or_path: data.module } : undefined);
    sweeper = new Sweeper(data.sweep);
    for (const index of data.indices) {
      self.postMessage({ index, result: sweeper.run(index) });
    }
    self.postMessage({ done: data.indices.length });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  } finally {
    sweeper?.free();
  }
};
