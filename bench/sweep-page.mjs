// Sweep benchmark in the page (not part of `npm test`): in headless Chromium, the sweep panel
// (www/sweep.js) runs the benchmark tandem's sweep (3 stages, exponential service 1.0/1.5/0.8 ms,
// 3/4/5 workers, maxsize 10 swept 1..40, 5 seeds a value, 100,000 items a run) on 1 Web Worker
// and on navigator.hardwareConcurrency Web Workers, alternating, a few pairs. Prints each wall
// time (from the Sweeper's check to the last run gathered), the speed-up of every pair against
// the bar (0.8 x cores), each run's own time alone and N at once (with how busy the pool kept its
// workers), whether both pool sizes gave the same summary, and the longest gap
// between animation frames on the page's main thread while the sweep ran (and, for the load's
// own share, over 5 s with no sweep).
//
// Usage: node bench/sweep-page.mjs [--pairs 3] [--points 40] [--reps 5] [--items 100000]
//        (CHROMIUM_PATH overrides the browser)

import { loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { startServer } from '../scripts/serve.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const PAIRS = option('pairs', 3);
const POINTS = option('points', 40);
const REPS = option('reps', 5);
const ITEMS = option('items', 100_000);

/** The benchmark tandem of issue 17, `maxsize` of every queue swept 1..POINTS. */
const SWEEP = {
  base: {
    workers: [3, 4, 5],
    maxsize: [10, 10, 10],
    service: [
      { dist: 'exp', mean_us: 1000 },
      { dist: 'exp', mean_us: 1500 },
      { dist: 'exp', mean_us: 800 },
    ],
    items: ITEMS,
    arrival: { kind: 'all_at_once' },
    seed: 1,
  },
  param: { kind: 'maxsize', stage: null },
  values: Array.from({ length: POINTS }, (_, i) => i + 1),
  reps: REPS,
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const la = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** Gaps between animation frames (p95, max ms) over `ms` with no sweep: the load's own share. */
function idleFrames(page, ms) {
  return page.evaluate(
    (ms) =>
      new Promise((resolve) => {
        const gaps = [];
        let last = performance.now();
        const end = last + ms;
        const tick = (now) => {
          gaps.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(tick);
          else {
            gaps.sort((a, b) => a - b);
            resolve({ p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps[gaps.length - 1] });
          }
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

/** One sweep on `workers` Web Workers: wall ms, the summary's points, the longest frame gap. */
function sweepOnce(page, workers) {
  return page.evaluate(
    async ({ sweep, workers }) => {
      const gaps = [];
      let last = performance.now();
      let on = true;
      const tick = (now) => {
        gaps.push(now - last);
        last = now;
        if (on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const summary = await window.pipelineLabSweep.start(sweep, { workers });
      on = false;
      const r = window.pipelineLabSweep.result;
      gaps.sort((a, b) => a - b);
      return {
        wallMs: r.wallMs,
        runMs: r.busyMs / r.summary.runs.length,
        occupancy: r.busyMs / (r.wallMs * r.workers),
        workers: r.workers,
        points: JSON.stringify(summary.points),
        frames: gaps.length,
        frameP95Ms: gaps[Math.floor(gaps.length * 0.95)] ?? null,
        frameMaxMs: gaps[gaps.length - 1] ?? null,
      };
    },
    { sweep: SWEEP, workers },
  );
}

async function main() {
  const server = await startServer({ port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.port}/#p=builder`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, {
      timeout: 60_000,
    });
    await page.click('#sweep > summary');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const loadStart = la();
    console.log(
      `sweep-page: ${POINTS} points x ${REPS} seeds x ${ITEMS} items (${POINTS * REPS} runs); hardwareConcurrency ${cores}; load average ${loadStart}`,
    );
    // Warm up: the wasm compiled once, the workers' script cached.
    const small = { ...SWEEP, base: { ...SWEEP.base, items: 1000 }, values: [1, 2], reps: 1 };
    await page.evaluate((sweep) => window.pipelineLabSweep.start(sweep, { workers: 2 }), small);
    const idle = await idleFrames(page, 5000);
    console.log(
      `main-thread frame gap with no sweep (5 s): p95 ${Math.round(idle.p95)} ms, max ${Math.round(idle.max)} ms`,
    );
    const pairs = [];
    for (let i = 0; i < PAIRS; i++) {
      const one = await sweepOnce(page, 1);
      const many = await sweepOnce(page, cores);
      const pair = {
        one_ms: Math.round(one.wallMs),
        many_ms: Math.round(many.wallMs),
        many_workers: many.workers,
        speedup: one.wallMs / many.wallMs,
        // A run's own time on 1 and on N workers: N runs at once on a loaded machine each take
        // longer, which is the machine's share, not the pool's.
        run_ms_one: Number(one.runMs.toFixed(1)),
        run_ms_many: Number(many.runMs.toFixed(1)),
        occupancy_many: Number(many.occupancy.toFixed(3)),
        same_results: one.points === many.points,
        frame_max_ms: Math.round(many.frameMaxMs),
        frame_p95_ms: Math.round(many.frameP95Ms),
      };
      pairs.push(pair);
      console.log(
        `pair ${i + 1}: 1 worker ${(one.wallMs / 1000).toFixed(2)} s, ${many.workers} workers ${(many.wallMs / 1000).toFixed(2)} s, speed-up ${pair.speedup.toFixed(2)}x, same results: ${pair.same_results}, a run ${pair.run_ms_one} ms alone and ${pair.run_ms_many} ms ${many.workers} at once, workers busy ${(100 * pair.occupancy_many).toFixed(0)}% of the wall time, main-thread frame gap p95 ${pair.frame_p95_ms} ms, max ${pair.frame_max_ms} ms`,
      );
    }
    const bar = 0.8 * cores;
    const speedup = median(pairs.map((p) => p.speedup));
    const result = {
      bench: 'sweep-page',
      points: POINTS,
      reps: REPS,
      items: ITEMS,
      hardware_concurrency: cores,
      loadavg_start: loadStart,
      loadavg_end: la(),
      idle_frame_p95_ms: Math.round(idle.p95),
      idle_frame_max_ms: Math.round(idle.max),
      pairs,
      median_one_ms: median(pairs.map((p) => p.one_ms)),
      median_many_ms: median(pairs.map((p) => p.many_ms)),
      median_speedup: Number(speedup.toFixed(3)),
      bar,
      met: speedup >= bar,
      errors,
    };
    console.log(
      `median: 1 worker ${(result.median_one_ms / 1000).toFixed(2)} s, ${cores} workers ${(result.median_many_ms / 1000).toFixed(2)} s, speed-up ${speedup.toFixed(2)}x (bar ${bar.toFixed(2)}x: ${result.met ? 'MET' : 'MISSED'}); load average at end ${result.loadavg_end}`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
