// A sweep worker: a module Web Worker that runs the jobs of a sweep the page hands it, one at a
// time, on the model engine (pkg/st's Sweeper), and reports each run. It must not summarise or plot.
//
// Messages in:
//   {sweep, indices, module?}  first: sweep is the Sweeper's object ({base, param, values, reps}
//                              and, for a 2-D sweep, {param2, values2}); indices: the first job
//                              indices to run; module: the compiled pkg/st WebAssembly.Module
//                              (so the wasm is compiled once a page)
//   {index}                    one more job, run after those already handed over
//   {end: true}                no more jobs: report done after the ones handed over
// Messages out:
//   {index, result, ms}  after each run: result is Sweeper.run(index)'s RunResult object, ms
//                        the run's wall time in this worker (performance.now())
//   {done}           after the last job once `end` came (done: how many runs this worker made)
//   {error}          a message; nothing follows it
// The page hands out jobs as runs end (a worker that finishes first takes more), keeping one
// job queued here ahead of the running one so that no worker waits for the next message. It
// stops a sweep by terminate(): between two messages nothing is left half done.

import init, { Sweeper } from '../pkg/st/pipeline_lab.js';

/**
 * @typedef {{sweep: object, indices: number[], module?: WebAssembly.Module} | {index: number}
 *   | {end: true}} SweepJobs
 * @typedef {{index: number, result: object, ms: number} | {done: number} | {error: string}} SweepReport
 */

/** @param {SweepReport} message */
const report = (message) => self.postMessage(message);

/** Jobs handed over and not yet run, in order. */
const queue = [];
let sweeper = null;
let ending = false;
let made = 0;
let failed = false;

/** Runs every queued job; after the last one, once `end` came, reports done. */
function drain() {
  if (!sweeper || failed) return;
  while (queue.length) {
    const index = queue.shift();
    const start = performance.now();
    const result = sweeper.run(index);
    made += 1;
    report({ index, result, ms: performance.now() - start });
  }
  if (ending) {
    sweeper.free();
    sweeper = null;
    report({ done: made });
  }
}

self.onmessage = async (/** @type {{data: SweepJobs}} */ { data }) => {
  try {
    if (data.sweep !== undefined) {
      queue.push(...data.indices);
      await init(data.module ? { module_or_path: data.module } : undefined);
      sweeper = new Sweeper(data.sweep);
    } else if (data.index !== undefined) queue.push(data.index);
    else if (data.end) ending = true;
    drain();
  } catch (error) {
    failed = true;
    report({ error: String(error?.message ?? error) });
  }
};
