// Sweep benchmark in the page (not part of `npm test`): in headless Chromium on a cross-origin
// isolated page, the sweep panel (www/sweep.js) runs the benchmark tandem's sweep (3 stages,
// exponential service 1.0/1.5/0.8 ms, 3/4/5 workers, maxsize 10 swept 1..40, 5 seeds a value,
// 100,000 items a run) three ways, alternating, a few rounds: (a) on 1 Web Worker (pkg/st),
// (b) on N Web Workers (pkg/st, one a core), (c) on rayon's pool of N threads in one Web Worker
// (pkg/mt, www/sweep-pool-worker.js), N = navigator.hardwareConcurrency. Prints each wall time
// (from the Sweeper's check to the last run gathered), the speed-ups of (b) and (c) over (a)
// against the bar (0.8 x cores), each run's own time (with how busy each way kept its threads),
// the pool's start-up and its module's memory, whether all three gave the same summary, the
// page's main thread's busy time during each sweep (CPU the runs do not get), and the
// gaps between animation frames on the page's main thread while each sweep ran (and, for the
// load's own share, over 5 s with no sweep).
//
// Usage: node bench/sweep-page.mjs [--rounds 3] [--points 40] [--reps 5] [--items 100000]
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
const ROUNDS = option('rounds', option('pairs', 3));
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

/**
 * One sweep on `workers` threads, `way` 'workers' (Web Workers) or 'rayon' (the pool): wall ms,
 * a run's mean time, the summary's points, the frame gaps.
 */
async function sweepOnce(page, cdp, workers, way) {
  const before = await mainThreadMs(cdp);
  const r = await page.evaluate(
    async ({ sweep, workers, way }) => {
      const gaps = [];
      let last = performance.now();
      let on = true;
      const tick = (now) => {
        gaps.push(now - last);
        last = now;
        if (on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const summary = await window.pipelineLabSweep.start(sweep, { workers, way });
      on = false;
      const r = window.pipelineLabSweep.result;
      if (r.way !== way) throw new Error(`asked for ${way}, ran on ${r.way}`);
      gaps.sort((a, b) => a - b);
      return {
        wallMs: r.wallMs,
        poolStartMs: r.poolStartMs,
        memoryBytes: r.memoryBytes,
        runMs: r.busyMs / r.summary.runs.length,
        occupancy: r.busyMs / (r.wallMs * r.workers),
        workers: r.workers,
        points: JSON.stringify(summary.points),
        frames: gaps.length,
        frameP95Ms: gaps[Math.floor(gaps.length * 0.95)] ?? null,
        frameMaxMs: gaps[gaps.length - 1] ?? null,
      };
    },
    { sweep: SWEEP, workers, way },
  );
  return { ...r, mainMs: (await mainThreadMs(cdp)) - before };
}

/**
 * The page's main thread's busy time so far (ms; CDP's TaskDuration): what the page spends
 * showing a sweep comes out of the cores its runs need.
 */
async function mainThreadMs(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return 1000 * metrics.find((m) => m.name === 'TaskDuration').value;
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
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if (!(await page.evaluate(() => crossOriginIsolated))) {
      throw new Error('the page is not cross-origin isolated: no rayon pool to measure');
    }
    const loadStart = la();
    console.log(
      `sweep-page: ${POINTS} points x ${REPS} seeds x ${ITEMS} items (${POINTS * REPS} runs); hardwareConcurrency ${cores}; load average ${loadStart}`,
    );
    // Warm up: both wasm builds compiled once, the workers' scripts cached.
    const small = { ...SWEEP, base: { ...SWEEP.base, items: 1000 }, values: [1, 2], reps: 1 };
    for (const way of ['workers', 'rayon']) {
      await page.evaluate(
        ({ sweep, way }) => window.pipelineLabSweep.start(sweep, { workers: 2, way }),
        { sweep: small, way },
      );
    }
    const idle = await idleFrames(page, 5000);
    console.log(
      `main-thread frame gap with no sweep (5 s): p95 ${Math.round(idle.p95)} ms, max ${Math.round(idle.max)} ms`,
    );
    const rounds = [];
    const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
    for (let i = 0; i < ROUNDS; i++) {
      const one = await sweepOnce(page, cdp, 1, 'workers');
      const many = await sweepOnce(page, cdp, cores, 'workers');
      const pool = await sweepOnce(page, cdp, cores, 'rayon');
      const round = {
        one_ms: Math.round(one.wallMs),
        workers_ms: Math.round(many.wallMs),
        pool_ms: Math.round(pool.wallMs),
        threads: pool.workers,
        speedup_workers: one.wallMs / many.wallMs,
        speedup_pool: one.wallMs / pool.wallMs,
        pool_over_workers: many.wallMs / pool.wallMs,
        // A run's own time alone and N at once: N runs at once on a loaded machine each take
        // longer, which is the machine's share, not the pool's.
        run_ms_one: Number(one.runMs.toFixed(1)),
        run_ms_workers: Number(many.runMs.toFixed(1)),
        run_ms_pool: Number(pool.runMs.toFixed(1)),
        busy_workers: Number(many.occupancy.toFixed(3)),
        busy_pool: Number(pool.occupancy.toFixed(3)),
        pool_start_ms: Math.round(pool.poolStartMs),
        pool_memory_mib: Number((pool.memoryBytes / 2 ** 20).toFixed(1)),
        same_results: one.points === many.points && many.points === pool.points,
        main_thread_ms: [one, many, pool].map((r) => Math.round(r.mainMs)),
        frame_p95_ms: [one, many, pool].map((r) => Math.round(r.frameP95Ms)),
        frame_max_ms: [one, many, pool].map((r) => Math.round(r.frameMaxMs)),
      };
      rounds.push(round);
      console.log(
        `round ${i + 1}: (a) 1 Web Worker ${s(one.wallMs)}, (b) ${many.workers} Web Workers ${s(many.wallMs)} (${round.speedup_workers.toFixed(2)}x), (c) rayon pool of ${pool.workers} ${s(pool.wallMs)} (${round.speedup_pool.toFixed(2)}x; ${round.pool_over_workers.toFixed(2)}x of (b)); same results: ${round.same_results}; a run ${round.run_ms_one} / ${round.run_ms_workers} / ${round.run_ms_pool} ms, threads busy ${(100 * round.busy_workers).toFixed(0)}% (b) and ${(100 * round.busy_pool).toFixed(0)}% (c) of the wall time; pool start ${round.pool_start_ms} ms, its memory ${round.pool_memory_mib} MiB; the page's main thread busy ${round.main_thread_ms.join(' / ')} ms; frame gap p95 ${round.frame_p95_ms.join(' / ')} ms, max ${round.frame_max_ms.join(' / ')} ms`,
      );
    }
    const bar = 0.8 * cores;
    const med = (key) => median(rounds.map((r) => r[key]));
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
      rounds,
      median_one_ms: med('one_ms'),
      median_workers_ms: med('workers_ms'),
      median_pool_ms: med('pool_ms'),
      median_speedup_workers: Number(med('speedup_workers').toFixed(3)),
      median_speedup_pool: Number(med('speedup_pool').toFixed(3)),
      bar,
      met_workers: med('speedup_workers') >= bar,
      met_pool: med('speedup_pool') >= bar,
      errors,
    };
    console.log(
      `median: (a) ${s(result.median_one_ms)}, (b) ${s(result.median_workers_ms)} speed-up ${result.median_speedup_workers.toFixed(2)}x (${result.met_workers ? 'MET' : 'MISSED'}), (c) ${s(result.median_pool_ms)} speed-up ${result.median_speedup_pool.toFixed(2)}x (${result.met_pool ? 'MET' : 'MISSED'}); bar ${bar.toFixed(2)}x; load average at end ${result.loadavg_end}`,
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
