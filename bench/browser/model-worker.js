// Web Worker of the browser benchmark: runs the model engine of the single-threaded build
// (pkg/st) on one pipeline and posts how long it took. Nothing here blocks the page.
//
// Message in:  {spec}  (a PipelineSpec object, see src/scenario/builder.rs)
// Message out: {ok: true, wall_s, build_s, step_calls, items_done, sim_throughput_per_s, events,
//              status}
//              or {ok: false, error}

import init, { Lab } from '../../pkg/st/pipeline_lab.js';

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const t0 = performance.now();
    const lab = Lab.fromPipeline(JSON.stringify(data.spec), 'en');
    const t1 = performance.now();
    // Each step() call runs at most ~200k operations. The page's Lab always records item moves
    // for the canvas; frame() hands them over and empties the record, as the page's frames do,
    // so memory stays flat however long the run (one frame per ~200k operations costs little).
    let calls = 1;
    while (lab.step(1e12)) {
      lab.frame();
      calls++;
    }
    const t2 = performance.now();
    const stats = JSON.parse(lab.stats());
    lab.free();
    self.postMessage({
      ok: true,
      wall_s: (t2 - t1) / 1000,
      build_s: (t1 - t0) / 1000,
      step_calls: calls,
      items_done: stats.items_done,
      sim_throughput_per_s: stats.throughput_per_s,
      events: stats.events,
      status: stats.status,
    });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error?.message ?? error) });
  }
};
