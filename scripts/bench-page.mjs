// Page benchmark (`npm run bench:page`, not part of `npm test`): in headless Chromium, a builder
// pipeline of 3 stages x 16 workers (--workers) with 10,000 items in flight. Measures, inside the
// page with performance.now(), the time per animation frame in step + frame + drawing (median, p95,
// over a few hundred frames), the time from navigation to the first drawn frame, and the page's
// wasm and JS size (raw and gzip). Prints one JSON line and a readable table.
//
// Usage: node scripts/bench-page.mjs [--frames N] [--speed S] [--workers W]   (W: 1..32 a stage;
//        CHROMIUM_PATH overrides the browser)

import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
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
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
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
        workers_per_stage: 16,
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
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
