// Web Worker of the browser benchmark: runs the model engine of the single-threaded build
// (pkg/st) on one pipeline and posts how long it took. Nothing here blocks the page.
//
// Message in:  {spec, minSeconds}  (a PipelineSpec object, see src/scenario/builder.rs; the
//              same run is repeated until minSeconds of running have passed, as
//              bench/cargo/model.rs --min-seconds does natively)
// Message out: {ok: true, wall_s (mean over the repeats), repeats, build_s, step_calls,
//              items_done, sim_throughput_per_s, events, status}
//              or {ok: false, error}

import init, { Lab } from '../../pkg/st/pipeline_lab.js';

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    const minMs = 1000 * (data.minSeconds ?? 0);
    let [totalMs, repeats, buildMs, calls, stats] = [0, 0, 0, 0, null];
    do {
      const t0 = performance.now();
      const lab = Lab.fromPipeline(data.spec, 'en');
      const t1 = performance.now();
      // Each step() call runs at most ~200k operations. The page's Lab always records item
      // moves for the canvas; frame() hands them over and empties the record, as the page's
      // frames do, so memory stays flat however long the run.
      calls = 1;
      while (lab.step(1e12)) {
        lab.frame();
        calls++;
      }
      const t2 = performance.now();
      stats = lab.stats();
      lab.free();
      buildMs += t1 - t0;
      totalMs += t2 - t1;
      repeats++;
    } while (totalMs < minMs);
    self.postMessage({
      ok: true,
      wall_s: totalMs / repeats / 1000,
      repeats,
      build_s: buildMs / repeats / 1000,
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
