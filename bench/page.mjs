// Page benchmark (`npm run bench:page`, not part of `npm test`): in headless Chromium, a builder
// pipeline of 3 stages x 16 workers (--workers) with 10,000 items in flight. Measures, inside the
// page with performance.now(), the time per animation frame in step + frame + drawing (median, p95,
// over a few hundred frames), the time from navigation to the first drawn frame, and the page's
// wasm and JS size (raw and gzip). Prints one JSON line and a readable table.
//
// Then the threaded engine (pkg/mt's Lab with {engine: 'live'} on wasm-bindgen-rayon's pool, on an isolated page):
// the pool's start-up (initThreadPool(65): 64 for runs and one for the relay), the cost of one step + frame + stats call from the
// main thread with 3 x 16 workers running (median, p95, in microseconds), and the throughput of
// the 3/4/5-worker, maxsize 1000, no-op-stage pipeline with 100,000 items on the free clock.
//
// Then the thread timelines' panel with 3 x W workers and 100,000 items (BENCH_TIMELINE_ITEMS):
// its recording in a Web Worker and its draw per frame (median, p95, against the same 4 ms bar).
//
// Then worker changes: stats() and frame (with its views) on a run after 5,000 changes of a
// stage's workers (up to the most, back to 1; BENCH_CHANGES) against a fresh run of the same
// pipeline, measured call by call in turn in one page, on both engines (median, p95, ratio).
//
// Usage: node bench/page.mjs [--frames N] [--speed S] [--workers W]
//        [--only page|timeline|threads|workers]
//        [--runs R]   (W: 1..32 a stage; R: throughput runs, default 5; CHROMIUM_PATH overrides
//        the browser; BENCH_ITEMS sets the throughput run's items, default 100,000: at 1,000,000
//        the pool's start-up weighs less, 1.3-1.56M items/s against 1.2M here)

import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { startServer } from '../scripts/serve.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const RUNS = option('runs', 5);
const POOL_SIZE = 64; // www/engine.js THREAD_POOL_SIZE
const THROUGHPUT_ITEMS = Number(process.env.BENCH_ITEMS ?? 100_000);
const TIMELINE_ITEMS = Number(process.env.BENCH_TIMELINE_ITEMS ?? 100_000);
const WORKER_CHANGES = Number(process.env.BENCH_CHANGES ?? 5000);
const BAR_ITEMS_PER_S = 1.5e6; // 30x Python's queue.Queue (~50k items/s on these machines)
const FRAMES = option('frames', 400);
const SPEED = option('speed', 10);
const WORKERS = Math.max(1, Math.min(32, option('workers', 16)));
const BAR_P95_MS = 4;
// 3 stages x 16 workers, unbounded queues, 10,000 items put at once; exponential 200 ms stages
// (80 items/s a stage), so at x10 the items stay in flight for ~12 s of frames.
const HASH = `#p=builder&e=model&s=${SPEED}&l=en&st=3&n=10000&w=${WORKERS},${WORKERS},${WORKERS}&m=0,0,0&t=200,200,200&d=exp&r=0&mem=0&seed=1`;

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    frames: sorted.length,
    median_ms: round(quantile(sorted, 0.5)),
    p95_ms: round(quantile(sorted, 0.95)),
    max_ms: round(sorted[sorted.length - 1]),
  };
}

const round = (x, digits = 3) => Number(x.toFixed(digits));

async function main() {
  const server = await startServer({ port: 0 });
  // One part alone (`--only NAME`): its own browser, then the server goes.
  const alone = { timeline: benchTimeline, threads: benchThreads, workers: benchWorkerChanges }[
    ONLY
  ];
  if (alone) {
    try {
      await alone(server);
    } finally {
      await server.close();
    }
    return;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const bodies = new Map();
    page.on('response', async (response) => {
      const url = new URL(response.url());
      if (!/\.(wasm|js|mjs|css|html)$/.test(url.pathname) && url.pathname !== '/') return;
      try {
        bodies.set(url.pathname, await response.body());
      } catch {
        // A body that went away (redirect, reload) is not counted.
      }
    });
    const url = `http://127.0.0.1:${server.port}/${HASH}`;
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, {
      timeout: 60_000,
    });
    await page.waitForFunction(() => window.pipelineLab.firstFrameMs !== null);
    await page.waitForFunction(
      () => document.querySelectorAll('#charts .uplot').length === 3,
      null,
      {
        timeout: 10_000,
      },
    );
    const firstFrameMs = await page.evaluate(() => window.pipelineLab.firstFrameMs);

    await page.click('#run');
    await page.waitForTimeout(500); // warm up: tokens in flight, charts filling
    const inFlightStart = await page.evaluate(() => {
      const s = window.pipelineLab.stats;
      return s.items_total - s.items_done;
    });
    await page.evaluate(() => window.pipelineLab.startRecording());
    await page.waitForFunction(
      (n) => window.pipelineLab.recordedFrames >= n || window.pipelineLab.phase !== 'playing',
      FRAMES,
      { timeout: 120_000, polling: 200 },
    );
    const recording = await page.evaluate(() => window.pipelineLab.stopRecording());
    const inFlightEnd = await page.evaluate(() => {
      const s = window.pipelineLab.stats;
      return s.items_total - s.items_done;
    });
    await page.click('#run'); // pause

    const core = summary(recording.core.slice(0, FRAMES));
    const parts = Object.fromEntries(
      ['step', 'frame', 'draw'].map((k) => [k, summary(recording[k].slice(0, FRAMES))]),
    );
    const total = summary(recording.total.slice(0, FRAMES));
    const size = (filter) => {
      let raw = 0;
      let gzip = 0;
      for (const [path, body] of bodies) {
        if (!filter(path)) continue;
        raw += body.length;
        gzip += gzipSync(body, { level: 9 }).length;
      }
      return { raw_bytes: raw, gzip_bytes: gzip };
    };
    const result = {
      bench: 'page',
      config: {
        stages: 3,
        workers_per_stage: WORKERS,
        items: 10000,
        speed: SPEED,
        viewport: '1360x1000',
      },
      items_in_flight: { at_start: inFlightStart, at_end: inFlightEnd },
      step_frame_draw: core,
      parts,
      whole_frame_callback: total,
      first_frame_ms: round(firstFrameMs, 1),
      transfer: {
        wasm: size((p) => p.endsWith('.wasm')),
        js: size((p) => /\.m?js$/.test(p)),
        all: size(() => true),
      },
      bar: { p95_ms: BAR_P95_MS, met: core.p95_ms <= BAR_P95_MS },
      page_errors: errors,
    };
    console.log(JSON.stringify(result));
    const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
    const rows = [
      ['step + frame + draw, median', `${core.median_ms} ms`],
      [
        'step + frame + draw, p95',
        `${core.p95_ms} ms  (bar ${BAR_P95_MS} ms: ${result.bar.met ? 'met' : 'NOT met'})`,
      ],
      ['step + frame + draw, max', `${core.max_ms} ms`],
      [
        '  of which step / frame / draw, median',
        `${parts.step.median_ms} / ${parts.frame.median_ms} / ${parts.draw.median_ms} ms`,
      ],
      [
        '  of which step / frame / draw, p95',
        `${parts.step.p95_ms} / ${parts.frame.p95_ms} / ${parts.draw.p95_ms} ms`,
      ],
      [
        'whole frame callback (with stats, code marks, charts), median / p95',
        `${total.median_ms} / ${total.p95_ms} ms`,
      ],
      ['frames measured', String(core.frames)],
      ['items in flight (start / end of measurement)', `${inFlightStart} / ${inFlightEnd}`],
      ['navigation to first drawn frame', `${result.first_frame_ms} ms`],
      [
        'wasm (raw / gzip)',
        `${kb(result.transfer.wasm.raw_bytes)} / ${kb(result.transfer.wasm.gzip_bytes)}`,
      ],
      [
        'JS (raw / gzip)',
        `${kb(result.transfer.js.raw_bytes)} / ${kb(result.transfer.js.gzip_bytes)}`,
      ],
      [
        'everything loaded (raw / gzip)',
        `${kb(result.transfer.all.raw_bytes)} / ${kb(result.transfer.all.gzip_bytes)}`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log('');
    console.log(
      `Page benchmark: 3 stages x ${WORKERS} workers, 10,000 items, speed x${SPEED}, headless Chromium`,
    );
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    if (errors.length) console.log(`  page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
  try {
    if (ONLY !== 'page') await benchTimeline(server);
    if (ONLY !== 'page') await benchThreads(server);
    if (ONLY !== 'page') await benchWorkerChanges(server);
  } finally {
    await server.close();
  }
}

/**
 * The thread timelines (www/timeline.js) with 3 stages x W workers and TIMELINE_ITEMS items
 * (BENCH_TIMELINE_ITEMS, default 100,000): the recording's time in its Web Worker, then the
 * panel's draw per frame as the run plays (median, p95, against the 4 ms bar), and one draw that
 * buckets every span again (as after a resize).
 */
async function benchTimeline(server) {
  const items = TIMELINE_ITEMS;
  const hash = HASH.replace('&n=10000&', `&n=${items}&`);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.port}/${hash}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, {
      timeout: 60_000,
    });
    await page.waitForFunction(() => window.pipelineLab.timeline.ready, null, {
      timeout: 900_000,
      polling: 500,
    });
    const recorded = await page.evaluate(() => {
      const tl = window.pipelineLab.timeline;
      const t = tl.data.timeline;
      return {
        record_ms: tl.recordMs,
        lanes: t.threads.length,
        spans: t.spans.reduce((n, s) => n + s.length, 0),
        hops: t.hops.length,
        end_us: t.end_us,
        status: t.status,
      };
    });
    await page.locator('#timeline-canvas').scrollIntoViewIfNeeded();
    await page.evaluate(() => (window.pipelineLab.timeline.drawTimes.length = 0));
    await page.click('#run');
    await page.waitForFunction(
      (n) =>
        window.pipelineLab.timeline.drawTimes.length >= n || window.pipelineLab.phase !== 'playing',
      FRAMES,
      { timeout: 120_000, polling: 200 },
    );
    await page.click('#run');
    const draws = await page.evaluate(() => [...window.pipelineLab.timeline.drawTimes]);
    const rebucketMs = await page.evaluate(() => {
      const tl = window.pipelineLab.timeline;
      tl.cache = null;
      const t0 = performance.now();
      tl.redraw();
      return performance.now() - t0;
    });
    const draw = summary(draws.slice(0, FRAMES));
    const result = {
      bench: 'page-timeline',
      config: { stages: 3, workers_per_stage: WORKERS, items, viewport: '1360x1000' },
      recording: { ...recorded, record_ms: round(recorded.record_ms, 1) },
      draw_per_frame: draw,
      rebucket_draw_ms: round(rebucketMs, 2),
      bar: { p95_ms: BAR_P95_MS, met: draw.p95_ms <= BAR_P95_MS },
      page_errors: errors,
    };
    console.log(JSON.stringify(result));
    console.log('');
    console.log(`Timeline panel: 3 stages x ${WORKERS} workers, ${items} items, headless Chromium`);
    console.log(
      `  recording (Web Worker)      ${result.recording.record_ms} ms: ${recorded.lanes} lanes, ${recorded.spans} spans, ${recorded.hops} hops, ${recorded.status}`,
    );
    console.log(
      `  draw per frame, median / p95  ${draw.median_ms} / ${draw.p95_ms} ms over ${draw.frames} frames (bar ${BAR_P95_MS} ms: ${result.bar.met ? 'met' : 'NOT met'})`,
    );
    console.log(`  draw that buckets again     ${result.rebucket_draw_ms} ms`);
  } finally {
    await browser.close();
  }
}

function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** An empty page with the isolation headers, so that pkg/mt's shared memory can start. */
async function openBlankIsolatedPage(browser, server) {
  const page = await browser.newPage();
  const url = `http://127.0.0.1:${server.port}/bench-threads.html`;
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      headers: {
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
      body: '<!doctype html><title>bench</title>',
    }),
  );
  await page.goto(url);
  return page;
}

/**
 * Worker changes: a run after WORKER_CHANGES changes of stage 1's workers (to the most the run
 * allows and back to 1) against a fresh run of the same pipeline, their stats() and frame calls
 * measured in turn in one page, on the model engine (pkg/st) and on real threads (pkg/mt).
 */
async function benchWorkerChanges(server) {
  const browser = await launchChromium();
  try {
    const results = [];
    for (const engine of ['model', 'live']) {
      const page = await openBlankIsolatedPage(browser, server);
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      const r = await page.evaluate(measureWorkerChanges, {
        engine,
        poolSize: POOL_SIZE,
        changes: WORKER_CHANGES,
        calls: FRAMES,
      });
      await page.close();
      const side = (k) =>
        Object.fromEntries(
          Object.entries(r.samples).map(([name, v]) => [name, summaryUs(v[k], 1)]),
        );
      const result = {
        bench: 'page-worker-changes',
        engine,
        config: `3 stages x 1 worker, maxsize 4, 100,000 items; stage 1 to ${r.most} workers and back to 1: never, once, ${WORKER_CHANGES} times`,
        changes_ms: round(r.changesMs, 1),
        threads: r.threads,
        stats_bytes: r.statsBytes,
        stats: side('stats'),
        frame: side('frame'),
        page_errors: errors,
      };
      for (const k of ['stats', 'frame']) {
        const m = (name) => result[k][name].median_us;
        result[k].median_ratio_changed_to_once = round(m('changed') / m('once'), 2);
        result[k].median_ratio_changed_to_fresh = round(m('changed') / m('fresh'), 2);
      }
      console.log(JSON.stringify(result));
      results.push(result);
    }
    console.log('');
    console.log(
      `Worker changes: runs changed never / once / ${WORKER_CHANGES} times, measured in turn (per call, median)`,
    );
    for (const r of results) {
      const t = r.threads;
      const b = r.stats_bytes;
      const line = (k) =>
        `${r[k].fresh.median_us} / ${r[k].once.median_us} / ${r[k].changed.median_us} us ` +
        `(x${r[k].median_ratio_changed_to_once} of once, x${r[k].median_ratio_changed_to_fresh} of fresh)`;
      console.log(
        `  ${r.engine.padEnd(5)} threads ${t.fresh} / ${t.once} / ${t.changed}; stats ${b.fresh} / ${b.once} / ${b.changed} bytes; ${WORKER_CHANGES} changes took ${r.changes_ms} ms`,
      );
      console.log(`        stats() ${line('stats')}`);
      console.log(`        frame   ${line('frame')}`);
      if (r.page_errors.length) console.log(`        page errors: ${r.page_errors.join('; ')}`);
    }
  } finally {
    await browser.close();
  }
}

/**
 * Runs in the page (no closure over this module): one engine's side-by-side measurement of three
 * runs of one pipeline: fresh, changed once (stage 1 to the most workers and back), and changed
 * `changes` times. Each sample times `batch` calls in a row (the isolated page's clock ticks in
 * 5 us steps); the runs take turns, so the machine's load falls on all three alike.
 */
async function measureWorkerChanges({ engine, poolSize, changes, calls }) {
  const mod = await import(
    engine === 'live' ? '/pkg/mt/pipeline_lab.js' : '/pkg/st/pipeline_lab.js'
  );
  await mod.default();
  if (engine === 'live') await mod.initThreadPool(poolSize + 1);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const pause = (ms) => Atomics.waitAsync(cell, 0, 0, ms).value;
  const pipeline = {
    workers: [1, 1, 1],
    maxsize: [4, 4, 4],
    service: [1, 2, 3].map(() => ({ dist: 'exp', mean_us: 1500 })),
    items: 100_000,
    arrival: { kind: 'all_at_once' },
    seed: 7,
  };
  const make = () => mod.Lab.fromPipeline(pipeline, 'en', { engine });
  const change = async (lab, times) => {
    const most = lab.maxWorkers();
    lab.step(10);
    for (let i = 0; i < times; i++) {
      lab.setWorkers(1, most);
      lab.step(0.2);
      lab.setWorkers(1, 1);
      lab.step(0.1);
      // Real threads told to go finish their item and return to the pool meanwhile.
      if (engine === 'live' && i % 50 === 49) await pause(2);
    }
    lab.step(10 + (changes - times) * 0.3);
    if (engine === 'live') await pause(50);
    return most;
  };
  const runs = { fresh: make(), once: make(), changed: make() };
  runs.fresh.step(10 + changes * 0.3);
  await change(runs.once, 1);
  const t0 = performance.now();
  const most = await change(runs.changed, changes);
  const changesMs = performance.now() - t0;
  const batch = 10;
  const frame = (lab) => {
    lab.frame();
    void (lab.threadStates().length + lab.queueItems().length + lab.moves().length);
  };
  const names = Object.keys(runs);
  const out = { most, changesMs, samples: {} };
  for (const name of names) out.samples[name] = { stats: [], frame: [] };
  for (let i = 0; i < calls; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const lab = runs[name];
      const a = performance.now();
      for (let n = 0; n < batch; n++) lab.stats();
      const b = performance.now();
      for (let n = 0; n < batch; n++) frame(lab);
      const c = performance.now();
      out.samples[name].stats.push((b - a) / batch);
      out.samples[name].frame.push((c - b) / batch);
    }
    if (i % 20 === 19) await pause(1);
  }
  out.threads = {};
  out.statsBytes = {};
  for (const name of names) {
    const stats = runs[name].stats();
    out.threads[name] = stats.threads.length;
    out.statsBytes[name] = JSON.stringify(stats).length;
    runs[name].free();
  }
  return out;
}

/** The threaded engine, measured inside an isolated page that loads only pkg/mt. */
async function benchThreads(server) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const url = `http://127.0.0.1:${server.port}/bench-threads.html`;
    // An empty page with the isolation headers (the server adds them to every other path).
    await page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        headers: {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        },
        body: '<!doctype html><title>threads bench</title>',
      }),
    );
    await page.goto(url);
    const r = await page.evaluate(measureThreads, {
      poolSize: POOL_SIZE,
      calls: FRAMES,
      runs: RUNS,
      items: THROUGHPUT_ITEMS,
    });
    const result = {
      bench: 'page-threads',
      pool: { size: POOL_SIZE, start_ms: round(r.poolStartMs, 1) },
      per_call_us: {
        config: '3 stages x 16 workers, 10,000 items, exp 200 ms, stepped clock, 160 ms a call',
        step_frame_stats: summaryUs(r.total),
        step: summaryUs(r.step),
        frame: summaryUs(r.frame),
        stats: summaryUs(r.stats),
      },
      throughput: {
        config: `3/4/5 workers, maxsize 1000, no-op stages, ${THROUGHPUT_ITEMS} items, free clock`,
        runs: r.runs,
        median_items_per_s: Math.round(median(r.runs.map((x) => x.items_per_s))),
        median_engine_items_per_s: Math.round(median(r.runs.map((x) => x.engine_items_per_s))),
        bar_items_per_s: BAR_ITEMS_PER_S,
      },
      page_errors: errors,
    };
    result.throughput.met = result.throughput.median_items_per_s >= BAR_ITEMS_PER_S;
    console.log(JSON.stringify(result));
    const pc = result.per_call_us;
    const t = result.throughput;
    const rows = [
      [`pool start-up, initThreadPool(${POOL_SIZE + 1})`, `${result.pool.start_ms} ms`],
      [
        'step + frame + stats a call, median / p95',
        `${pc.step_frame_stats.median_us} / ${pc.step_frame_stats.p95_us} us`,
      ],
      [
        '  step / frame / stats, median',
        `${pc.step.median_us} / ${pc.frame.median_us} / ${pc.stats.median_us} us`,
      ],
      [
        '  step / frame / stats, p95',
        `${pc.step.p95_us} / ${pc.frame.p95_us} / ${pc.stats.p95_us} us`,
      ],
      [
        `3/4/5 workers, ${THROUGHPUT_ITEMS} items, free clock (median of ${t.runs.length})`,
        `${(t.median_items_per_s / 1e6).toFixed(2)} M items/s from JS, ` +
          `${(t.median_engine_items_per_s / 1e6).toFixed(2)} M items/s by the engine's clock ` +
          `(bar ${BAR_ITEMS_PER_S / 1e6} M: ${t.met ? 'met' : 'NOT met'})`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log('');
    console.log('Threaded engine (pkg/mt Lab, engine live), headless Chromium');
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
    if (errors.length) console.log(`  page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

/** Runs in the page (no closure over this module): loads pkg/mt and measures. */
async function measureThreads({ poolSize, calls, runs, items }) {
  const mod = await import('/pkg/mt/pipeline_lab.js');
  await mod.default();
  const t0 = performance.now();
  await mod.initThreadPool(poolSize + 1); // + the live engine's relay (src/live/spawn.rs)
  const poolStartMs = performance.now() - t0;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  // A 1 ms pause that does not block the main thread and is not clamped like setTimeout.
  const pause = (ms) => Atomics.waitAsync(cell, 0, 0, ms).value;

  // Per call: the page's work each animation frame on a busy run (x10 speed at 60 frames/s).
  const spec = (workers, maxsize, n, service) => ({
    workers,
    maxsize: workers.map(() => maxsize),
    service: workers.map(() => service),
    items: n,
    arrival: { kind: 'all_at_once' },
    seed: 1,
  });
  const lab = mod.Lab.fromPipeline(
    spec([16, 16, 16], 0, 10_000, { dist: 'exp', mean_us: 200_000 }),
    'en',
    { engine: 'live' },
  );
  const out = { poolStartMs, step: [], frame: [], stats: [], total: [], runs: [] };
  for (let i = 0; i < calls; i++) {
    const a = performance.now();
    lab.step(160);
    const b = performance.now();
    lab.frame();
    // The page reads the views at once.
    void (lab.threadStates().length + lab.queueItems().length + lab.moves().length);
    const c = performance.now();
    lab.stats();
    const d = performance.now();
    out.step.push(b - a);
    out.frame.push(c - b);
    out.stats.push(d - c);
    out.total.push(d - a);
    await pause(16);
  }
  lab.free();

  // Throughput: from creating the run (its threads start) until step() sees it ended.
  for (let k = 0; k < runs; k++) {
    await pause(200); // the last run's threads return to the pool
    const pipeline = spec([3, 4, 5], 1000, items, { dist: 'const', us: 0 });
    const a = performance.now();
    const run = mod.Lab.fromPipeline(pipeline, 'en', { engine: 'live', clock: 'free' });
    while (run.step(0)) await pause(1);
    const s = performance.now() - a;
    const stats = run.stats();
    run.free();
    out.runs.push({
      status: stats.status,
      items_done: stats.items_done,
      wall_ms: Math.round(s * 10) / 10,
      items_per_s: Math.round(stats.items_done / (s / 1000)),
      // The free clock's "now" is wall time from the run's start to its end.
      engine_items_per_s: Math.round(stats.items_done / (stats.virtual_time_us / 1e6)),
    });
  }
  return out;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return quantile(sorted, 0.5);
}

function summaryUs(valuesMs, digits = 0) {
  const sorted = valuesMs.map((v) => v * 1000).sort((a, b) => a - b);
  const r = (x) => round(x, digits);
  return {
    calls: sorted.length,
    median_us: r(quantile(sorted, 0.5)),
    p95_us: r(quantile(sorted, 0.95)),
    max_us: r(sorted[sorted.length - 1]),
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
