// The Sweep panel (www/sweep.js) as a lecturer uses it: every point of a sweep is the run its
// link opens, the threaded build's rayon pool gives the runs the Web Workers give, Cancel stops
// every Web Worker at once and leaves the page usable, the downloads hold what the plots show,
// and a bad value is a message on the panel, not a crash.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  SCREENSHOTS,
  newWatchedPage,
  openLab,
  runToEnd,
  startLab,
  waitForEnd,
} from './browser.mjs';
import { MAX_SWEEP_WORKERS, completePoints, formValues, poolSize } from '../../www/sweep.js';

// A small builder pipeline (300 items) so that a sweep is a fraction of a second.
const BUILDER_HASH = '#p=builder&st=3&n=300&w=3,4,5&m=10,10,10&t=10,20,10&d=exp&r=0&mem=0&seed=7';

let lab;

before(async () => {
  lab = await startLab();
});

after(async () => {
  await lab?.close();
});

/** Opens the page on the builder with the sweep panel open. */
async function openSweep(hash = BUILDER_HASH) {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, hash);
  await page.click('#sweep > summary');
  return { page, problems };
}

/** Fills the form as a person does: parameter, values (a list, or from/to/step), seeds. */
async function fillForm(page, { param, list = '', from, to, step, reps }) {
  if (param) await page.selectOption('#sweep-param', param);
  if (from !== undefined) await page.fill('#sweep-from', String(from));
  if (to !== undefined) await page.fill('#sweep-to', String(to));
  if (step !== undefined) await page.fill('#sweep-step', String(step));
  await page.fill('#sweep-list', list);
  if (reps !== undefined) await page.fill('#sweep-reps', String(reps));
}

/** Runs the form's sweep and waits for its plots. */
async function runSweep(page, form) {
  await fillForm(page, form);
  await page.click('#sweep-start');
  await page.waitForFunction(
    () =>
      document.getElementById('sweep').dataset.sweep === 'done' &&
      document.querySelectorAll('#sweep-charts .uplot').length === 4,
    null,
    { timeout: 60_000 },
  );
  return page.evaluate(() => {
    const { summary, runs } = window.pipelineLabSweep.result;
    return { summary, runs };
  });
}

/** Each run of the sweep made again alone: the builder its link opens, run with Lab.fromPipeline. */
function singleRuns(page) {
  return page.evaluate(async () => {
    const sweep = window.pipelineLabSweep;
    const { readState } = await import('/www/url.js');
    const { pipelineSpec } = await import('/www/params.js');
    const mod = await import('/pkg/st/pipeline_lab.js');
    await mod.default();
    return sweep.result.runs.map((run) => {
      const { state } = readState(sweep.linkOf(run.point, run.rep));
      const lab = mod.Lab.fromPipeline(pipelineSpec(state.builder), 'en');
      while (lab.step(1e6)) {
        // to the end
      }
      const stats = lab.stats();
      lab.free();
      return {
        point: run.point,
        rep: run.rep,
        seed: state.builder.seed,
        throughput: stats.throughput_per_s,
        p95: stats.latency.p95_us,
        items: stats.items_done,
      };
    });
  });
}

/**
 * The workers' runs (as they came, in job order) equal the single runs exactly; the summary's
 * means equal the single runs' means (to the last bits: the summary reads the runs back through
 * JSON text).
 */
function assertPointsAreSingleRuns({ summary, runs }, singles) {
  assert.equal(singles.length, runs.length);
  assert.equal(summary.runs.length, runs.length);
  for (const [i, run] of runs.entries()) {
    const alone = singles[i];
    const where = `value ${run.value}, rep ${run.rep}`;
    assert.equal(alone.seed, run.seed, where);
    assert.equal(alone.items, run.items_done, where);
    assert.equal(alone.throughput, run.throughput_per_s, where);
    assert.equal(alone.p95, run.latency_p95_us, where);
  }
  // And the plotted mean is the mean of those single runs.
  for (const [p, point] of summary.points.entries()) {
    const of = singles.filter((s) => s.point === p).map((s) => s.throughput);
    const mean = of.reduce((a, b) => a + b, 0) / of.length;
    assert.ok(Math.abs(point.throughput_per_s.mean - mean) <= 1e-9 * mean, `point ${p}`);
  }
}

test('the pool is one Web Worker a core, at least 1, at most the cap and the runs', () => {
  assert.equal(poolSize(24, 2), 2);
  assert.equal(poolSize(24, undefined), 1);
  assert.equal(poolSize(3, 8), 3);
  assert.equal(poolSize(1000, 128), MAX_SWEEP_WORKERS);
  assert.deepEqual(
    formValues({ from: '0.5', to: '1', step: '0.1' }).values,
    [0.5, 0.6, 0.7, 0.8, 0.9, 1],
  );
});

test("a sweep's every point is the single run with that value and seed", async () => {
  const { page, problems } = await openSweep();
  const workers = await runSweep(page, { param: 'workers:1', from: 1, to: 4, step: 1, reps: 2 });
  assert.deepEqual(
    workers.summary.points.map((p) => p.value),
    [1, 2, 3, 4],
  );
  assertPointsAreSingleRuns(workers, await singleRuns(page));

  // A service time is asked in ms and swept in µs: the link opens the same run.
  const service = await runSweep(page, { param: 'service:1', list: '5, 12.5', reps: 2 });
  assert.deepEqual(
    service.summary.points.map((p) => p.value),
    [5000, 12500],
  );
  assertPointsAreSingleRuns(service, await singleRuns(page));

  // Clicking a point's seed opens that run in the builder; played to its end it shows the same.
  const run = service.runs[3]; // value 12.5 ms, rep 1: job 1 x 2 + 1
  assert.deepEqual([run.point, run.rep], [1, 1]);
  // A click on the throughput plot at 12.5 ms opens its first seed...
  await page.locator('#sweep-charts .sweep-chart').first().scrollIntoViewIfNeeded();
  const at = await page.evaluate(() => {
    const u = window.pipelineLabSweep.plots[0];
    const box = u.over.getBoundingClientRect();
    // The last point lies on the plot's right edge: a pixel inside it.
    const x = Math.min(box.left + u.valToPos(12.5, 'x'), box.right - 2);
    return { x, y: box.top + u.valToPos(u.data[1][1], 'y') };
  });
  await page.mouse.move(at.x, at.y);
  await page.mouse.click(at.x, at.y);
  await page.waitForFunction(
    () =>
      window.pipelineLab.state.builder.service[1] === 12.5 &&
      window.pipelineLab.state.builder.seed === 7,
  );
  // ...and the point's line under the plots links each seed.
  await page.click('#sweep-point a:nth-of-type(2)');
  await page.waitForFunction(
    () =>
      window.pipelineLab.state.builder.service[1] === 12.5 &&
      window.pipelineLab.state.builder.seed === 8 &&
      document.querySelector('#run:not([disabled])'),
  );
  const shown = await runToEnd(page);
  assert.equal(shown.status, 'finished');
  assert.equal(shown.throughput, run.throughput_per_s);
  assert.deepEqual(problems, []);
  await page.close();
});

/**
 * The Web Workers of a sweep the browser has: the sweep's Web Workers, or the pool's host and
 * the pool's own (wasm-bindgen-rayon starts them from blob: URLs).
 */
const sweepWorkers = (page) =>
  page.workers().filter((w) => /sweep-(pool-)?worker\.js$|^blob:/.test(w.url())).length;

/** Waits up to 5 s for `count(page)` to be `n`; returns what it was last. */
async function settle(page, count, n) {
  const deadline = Date.now() + 5000;
  while (count(page) !== n && Date.now() < deadline) await page.waitForTimeout(50);
  return count(page);
}

for (const way of ['rayon', 'workers']) {
  const name = way === 'rayon' ? "rayon's pool" : 'Web Workers';
  test(`Cancel stops a sweep on ${name} at once, its every Web Worker ends, and the page runs after`, async () => {
    // 100,000 items a run, 40 values: long enough to be cancelled in the middle.
    const { page, problems } = await openSweep(BUILDER_HASH.replace('n=300', 'n=100000'));
    await fillForm(page, { param: 'maxsize', from: 1, to: 40, step: 1, reps: 5 });
    if (way === 'rayon') {
      // The form's own way on a cross-origin isolated page with the threaded build.
      await page.click('#sweep-start');
    } else {
      await page.evaluate(async () => {
        const { pipelineSpec } = await import('/www/params.js');
        const base = pipelineSpec(window.pipelineLab.state.builder);
        const values = Array.from({ length: 40 }, (_, i) => i + 1);
        const sweep = { base, param: { kind: 'maxsize', stage: null }, values, reps: 5 };
        window.pipelineLabSweep.start(sweep, { way: 'workers' });
      });
    }
    await page.waitForFunction(() => Number(document.getElementById('sweep-progress').value) >= 1);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(await page.getAttribute('#sweep', 'data-sweep-way'), way);
    // One Web Worker a thread; the pool has its host besides.
    const expected = poolSize(200, cores) + (way === 'rayon' ? 1 : 0);
    assert.equal(await settle(page, sweepWorkers, expected), expected, 'the sweep runs');
    assert.match(
      await page.locator('#sweep-status').textContent(),
      way === 'rayon' ? / of 200 runs on \d+ threads? \(rayon pool\)…/ : / on \d+ Web Workers?…/,
    );
    await page.click('#sweep-cancel');

    const stopped = await page.evaluate(() => ({
      alive: window.pipelineLabSweep.alive,
      state: document.getElementById('sweep').dataset.sweep,
      done: Number(document.getElementById('sweep-progress').value),
      total: Number(document.getElementById('sweep-progress').max),
      status: document.getElementById('sweep-status').textContent,
      startEnabled: !document.getElementById('sweep-start').disabled,
    }));
    assert.equal(stopped.alive, 0);
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.total, 200);
    assert.ok(stopped.done < stopped.total, JSON.stringify(stopped));
    assert.match(stopped.status, /Cancelled after \d+ of 200 runs/);
    // The values whose every seed had run are shown, each from its five runs; no other.
    const kept = await page.evaluate(() => {
      const r = window.pipelineLabSweep.result;
      return r && { partial: r.partial, runs: r.summary.points.map((p) => p.runs) };
    });
    if (kept) {
      assert.equal(kept.partial.done, stopped.done);
      assert.ok(kept.runs.length * 5 <= stopped.done, JSON.stringify(kept));
      assert.ok(
        kept.runs.every((n) => n === 5),
        JSON.stringify(kept),
      );
      assert.match(stopped.status, /Shown: the \d+ values whose every seed had run/);
    }
    assert.ok(stopped.startEnabled);
    // The browser sees every Web Worker of the sweep go, the pool's with its host, and no run
    // reports after.
    assert.equal(await settle(page, sweepWorkers, 0), 0, 'no sweep worker left');
    await page.waitForTimeout(500);
    assert.equal(
      await page.evaluate(() => document.getElementById('sweep-progress').value),
      stopped.done,
    );

    // The page is usable: a link opens and its run plays to its end, and a new sweep runs (on
    // the page's own way) with the same runs as on one Web Worker.
    await page.evaluate((hash) => {
      window.scrollTo(0, 0);
      location.hash = hash;
    }, `${BUILDER_HASH}&s=1000`);
    await page.waitForFunction(
      () =>
        window.pipelineLab.state.builder.items === 300 &&
        document.querySelector('#run:not([disabled])'),
    );
    const shown = await runToEnd(page, { timeout: 60_000 });
    assert.equal(shown.status, 'finished');
    const again = await runSweep(page, { param: 'maxsize', list: '1, 10', reps: 2 });
    assert.equal(again.runs.length, 4);
    assert.equal(await page.evaluate(() => window.pipelineLabSweep.result.way), 'rayon');
    assertPointsAreSingleRuns(again, await singleRuns(page));
    assert.equal(await settle(page, sweepWorkers, 0), 0, 'the new sweep left no worker');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test("in the threaded build a sweep runs on rayon's pool and gives the Web Workers' summary, in both languages", async () => {
  const { page, problems } = await openSweep();
  const pooled = await runSweep(page, { param: 'workers:1', from: 1, to: 4, step: 1, reps: 3 });
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const result = await page.evaluate(() => {
    const r = window.pipelineLabSweep.result;
    return { way: r.way, workers: r.workers, startMs: r.poolStartMs, memory: r.memoryBytes };
  });
  assert.equal(result.way, 'rayon');
  // Sized as the Web Workers are: one thread a core, at most the cap and the runs.
  assert.equal(result.workers, poolSize(12, cores));
  assert.ok(result.startMs > 0 && result.memory > 0, JSON.stringify(result));
  const status = page.locator('#sweep-status');
  const threads = result.workers === 1 ? '1 thread' : `${result.workers} threads`;
  assert.match(
    await status.textContent(),
    new RegExp(`^12 runs in [\\d.]+ s on ${threads} \\(rayon pool\\)\\.$`),
  );
  await page.selectOption('#lang', 'ko');
  assert.match(
    await status.textContent(),
    new RegExp(`^rayon 풀의 스레드 ${result.workers}개에서 12회 실행`),
  );
  await page.selectOption('#lang', 'en');
  assertPointsAreSingleRuns(pooled, await singleRuns(page));

  // The same sweep on the Web Workers (pkg/st): the same summary, and the panel says so.
  const onWorkers = await page.evaluate(async () => {
    const s = window.pipelineLabSweep;
    const { sweep, builder, choice } = s.result;
    const summary = await s.start(sweep, { builder, choice, way: 'workers' });
    return { summary, way: s.result.way };
  });
  assert.equal(onWorkers.way, 'workers');
  assert.deepEqual(onWorkers.summary, pooled.summary);
  assert.match(await status.textContent(), / on \d+ Web Workers?\.$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("when rayon's pool cannot run, the sweep goes on in Web Workers with a notice", async () => {
  const { page, problems } = await openSweep();
  // The threaded build's module fails to load (a host that lost it, a broken deploy).
  await page.route('**/pkg/mt/pipeline_lab_bg.wasm', (route) =>
    route.fulfill({ status: 404, body: 'gone' }),
  );
  const { summary } = await runSweep(page, { param: 'workers:1', list: '1, 2, 3', reps: 2 });
  assert.equal(summary.runs.length, 6);
  const shown = await page.evaluate(() => ({
    way: window.pipelineLabSweep.result.way,
    alive: window.pipelineLabSweep.alive,
    notice: document.getElementById('sweep-error').textContent,
    kind: document.getElementById('sweep-error').dataset.kind,
    hidden: document.getElementById('sweep-error').hidden,
  }));
  assert.equal(shown.way, 'workers');
  assert.equal(shown.alive, 0);
  assert.equal(shown.hidden, false);
  assert.equal(shown.kind, 'notice');
  assert.match(
    shown.notice,
    /^The rayon pool could not run the sweep \(.*404.*\); it goes on in Web Workers/,
  );
  await page.locator('#sweep').screenshot({ path: join(SCREENSHOTS, 'sweep-pool-failed-en.png') });
  // The runs are the single runs all the same, and the next sweep goes to the Web Workers.
  assertPointsAreSingleRuns(
    await page.evaluate(() => window.pipelineLabSweep.result),
    await singleRuns(page),
  );
  await runSweep(page, { param: 'workers:1', list: '1, 2', reps: 1 });
  assert.equal(await page.evaluate(() => window.pipelineLabSweep.result.way), 'workers');
  assert.equal(await page.locator('#sweep-error').isHidden(), true);
  // The one failed request is the one the test made fail.
  assert.deepEqual(
    problems.filter((p) => !/HTTP 404: .*\/pkg\/mt\/pipeline_lab_bg\.wasm$|status of 404/.test(p)),
    [],
  );
  await page.close();
});

test("a pool thread that dies (runs at once outgrow the module's memory) hands the sweep to the Web Workers, never a stuck bar", async () => {
  const { page, problems } = await openSweep();
  const shown = await page.evaluate(async () => {
    const s = window.pipelineLabSweep;
    // 10 million items put at once into unbounded queues, with a memory budget that holds them:
    // one run alone takes about 770 MiB (measured), so three at once need more than the threaded
    // build's 1 GiB, while each fits a Web Worker's own memory.
    const exp = (mean_us) => ({ dist: 'exp', mean_us });
    const base = {
      workers: [3, 4, 5],
      maxsize: [0, 0, 0],
      service: [exp(1000), exp(1500), exp(800)],
      items: 10_000_000,
      arrival: { kind: 'all_at_once' },
      seed: 1,
      memory_budget_bytes: 4096 * 2 ** 20,
      item_bytes: 32,
    };
    const sweep = { base, param: { kind: 'workers', stage: 1 }, values: [2, 3, 4], reps: 1 };
    const pooled = await s.start(sweep, { workers: 3, way: 'rayon' });
    const shown = {
      way: s.result.way,
      workers: s.result.workers,
      notice: document.getElementById('sweep-error').textContent,
      state: document.getElementById('sweep').dataset.sweep,
      progress: document.getElementById('sweep-progress').value,
    };
    const onWorkers = await s.start(sweep, { way: 'workers' });
    return { ...shown, pooled, onWorkers, alive: s.alive };
  });
  assert.equal(shown.way, 'workers');
  assert.equal(
    shown.workers,
    poolSize(3, await page.evaluate(() => navigator.hardwareConcurrency)),
  );
  assert.match(
    shown.notice,
    /^The rayon pool could not run the sweep \(a pool thread died: memory allocation of \d+ bytes failed\)/,
  );
  assert.equal(shown.state, 'done');
  assert.equal(shown.progress, 3);
  assert.equal(shown.alive, 0);
  assert.deepEqual(
    shown.pooled.runs.map((r) => r.status),
    Array(3).fill('finished'),
  );
  // The runs the pool made before it failed and those the Web Workers made after are the runs.
  assert.deepEqual(shown.pooled, shown.onWorkers);
  // The only errors are the dead threads' own: each panic's message, and the trap that ends it.
  assert.deepEqual(
    problems.filter(
      (p) =>
        !/pipeline-lab panicked: .*memory allocation of \d+ bytes failed/s.test(p) &&
        p !== 'page error: unreachable',
    ),
    [],
  );
  assert.ok(problems.length > 0, 'a pool thread died');
  await page.close();
});

test("a live run on the page's own pool and a sweep on rayon's pool run at once, neither waiting for the other", async () => {
  // The live engine (real threads) on the page's pool, 3 x 4 workers, 1,000 items at 1 ms: a few
  // seconds at the page's pace, while the sweep (of the same pipeline) is a fraction of one.
  const live = BUILDER_HASH.replace('n=300', 'n=1000')
    .replace('w=3,4,5', 'w=4,4,4')
    .replace('t=10,20,10', 't=1,1,1')
    .replace('#p=builder', '#p=builder&e=threads&s=1000');
  const { page, problems } = await openSweep(live);
  assert.equal(await page.evaluate(() => window.pipelineLab.state.engine), 'threads');
  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.stats?.items_done > 0);
  const before = await page.evaluate(() => document.getElementById('status').dataset.status);
  assert.equal(before, 'running', 'the sweep starts while the live run runs');
  const sweep = await runSweep(page, { param: 'maxsize', list: '1, 2, 4', reps: 2 });
  assert.equal(await page.evaluate(() => window.pipelineLabSweep.result.way), 'rayon');
  // The sweep did not wait for the live run: that one still goes on, and then ends whole.
  assert.equal(
    await page.evaluate(() => document.getElementById('status').dataset.status),
    'running',
  );
  const shown = await waitForEnd(page, { timeout: 60_000 });
  assert.equal(shown.status, 'finished');
  assert.equal(await page.evaluate(() => window.pipelineLab.stats.items_done), 1000);
  assertPointsAreSingleRuns(sweep, await singleRuns(page));
  assert.deepEqual(problems, []);
  await page.close();
});

test('an unbounded maxsize (0) is plotted as ∞ after every bound, whatever order it was listed in', async () => {
  const { page, problems } = await openSweep();
  const { summary } = await runSweep(page, { param: 'maxsize', list: '0, 1, 5', reps: 2 });
  assert.deepEqual(
    summary.points.map((p) => p.value),
    [0, 1, 5],
  );
  const shown = await page.evaluate(() => {
    const u = window.pipelineLabSweep.plots[0];
    return {
      x: Array.from(u.data[0]),
      throughput: Array.from(u.data[1]),
      // The x axis's tick labels as drawn (uPlot keeps them with the axis).
      ticks: u.axes[0]._values ?? null,
      knee: document.getElementById('sweep-knee').textContent,
    };
  });
  // 1, 5, then ∞ one step past 5; its point is the sweep's first (value 0).
  assert.deepEqual(shown.x, [1, 5, 9]);
  assert.deepEqual(
    shown.throughput,
    [1, 2, 0].map((i) => summary.points[i].throughput_per_s.mean),
  );
  assert.ok(shown.ticks?.includes('∞'), JSON.stringify(shown.ticks));
  assert.equal(shown.ticks.at(-1), '∞');
  assert.doesNotMatch(shown.knee, /= 0\b/);
  // The knee is the smallest bound within 5% of the best, never ∞ ahead of a bound that is.
  const best = Math.max(...summary.points.map((p) => p.throughput_per_s.mean));
  const enough = [1, 5].filter(
    (v) => summary.points.find((p) => p.value === v).throughput_per_s.mean >= 0.95 * best,
  );
  if (enough.length) assert.equal(summary.points[summary.knee].value, enough[0]);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a sweep's link opens the panel on the same sweep and its plots; a point opened from it is a run's link", async () => {
  const { page, problems } = await openSweep();
  const made = await runSweep(page, {
    param: 'workers:1',
    list: '1, 2, 3',
    reps: 2,
  });
  const link = await page.evaluate(() => location.href);
  assert.match(link, /&sw=workers:1~1,2,3~2(&|$)/);

  const { page: other, problems: otherProblems } = await newWatchedPage(lab);
  await other.goto(link);
  await other.waitForFunction(
    () =>
      document.getElementById('sweep').open &&
      document.getElementById('sweep').dataset.sweep === 'done' &&
      document.querySelectorAll('#sweep-charts .uplot').length === 4,
    null,
    { timeout: 60_000 },
  );
  const opened = await other.evaluate(() => window.pipelineLabSweep.result.summary);
  assert.deepEqual(opened, made.summary);
  assert.equal(await other.inputValue('#sweep-param'), 'workers:1');
  assert.equal(await other.inputValue('#sweep-reps'), '2');
  // A point opened from the plots changes the sliders: the link is now that run's, and the
  // plots say what they ran on.
  assert.equal(await other.locator('#sweep-plots-base').isHidden(), true);
  await other.click('#sweep-point a:nth-of-type(1)');
  await other.waitForFunction(() => !/[#&]sw=/.test(location.hash));
  await other.waitForFunction(() => !document.getElementById('sweep-plots-base').hidden);
  assert.match(
    await other.locator('#sweep-plots-base').textContent(),
    /^The sliders have moved since this sweep\..*workers 3\/4\/5/,
  );
  assert.deepEqual(otherProblems, []);
  await other.close();

  // On a link whose builder has two stages, a sweep of stage 2's workers is refused by name.
  await page.evaluate(() => {
    location.hash = '#p=builder&st=2&n=300&w=3,4&m=10,10&t=10,20&sw=workers:2~1,2~1';
  });
  await page.waitForFunction(() => !document.getElementById('sweep-error').hidden);
  assert.match(
    await page.locator('#sweep-error').textContent(),
    /sweep of workers:2, which a pipeline of 2 stages does not have/,
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('on a touch screen the first tap on a point reads it, the second opens its run', async () => {
  const touchLab = await startLab({ hasTouch: true });
  try {
    const { page, problems } = await newWatchedPage(touchLab);
    await page.setViewportSize({ width: 390, height: 844 });
    await openLab(page, touchLab.url, BUILDER_HASH);
    await page.click('#sweep > summary');
    await runSweep(page, { param: 'workers:1', list: '1, 2, 3', reps: 1 });
    await page.locator('#sweep-charts .sweep-chart').first().scrollIntoViewIfNeeded();
    const at = await page.evaluate(() => {
      const u = window.pipelineLabSweep.plots[0];
      const box = u.over.getBoundingClientRect();
      return { x: box.left + u.valToPos(2, 'x'), y: box.top + u.valToPos(u.data[1][1], 'y') };
    });
    const before = await page.evaluate(() => window.pipelineLab.state.builder.workers.join());
    await page.touchscreen.tap(at.x, at.y);
    await page.waitForFunction(() => window.pipelineLabSweep.pointIndex === 1);
    await page.waitForTimeout(300);
    assert.equal(
      await page.evaluate(() => window.pipelineLab.state.builder.workers.join()),
      before,
    );
    assert.match(await page.locator('#sweep-point').textContent(), /workers of resize = 2/);
    await page.touchscreen.tap(at.x, at.y);
    await page.waitForFunction(() => window.pipelineLab.state.builder.workers.join() === '3,2,5');
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await touchLab.close();
  }
});

test('Cancel after some values ran for every seed shows those values, plotted, and says so', async () => {
  const { page, problems } = await openSweep();
  await page.evaluate(async () => {
    const { pipelineSpec } = await import('/www/params.js');
    const base = pipelineSpec({ ...window.pipelineLab.state.builder, items: 20000 });
    const values = Array.from({ length: 40 }, (_, i) => i + 1);
    const sweep = { base, param: { kind: 'maxsize', stage: null }, values, reps: 5 };
    window.pipelineLabSweep.start(sweep, {
      way: 'workers',
      builder: window.pipelineLab.state.builder,
    });
  });
  // Web Workers take jobs in order: 12 runs in, at least the first value has all 5 seeds.
  await page.waitForFunction(() => Number(document.getElementById('sweep-progress').value) >= 12);
  await page.click('#sweep-cancel');
  await page.waitForFunction(() => document.querySelectorAll('#sweep-charts .uplot').length === 4);
  const shown = await page.evaluate(() => {
    const r = window.pipelineLabSweep.result;
    return {
      state: document.getElementById('sweep').dataset.sweep,
      status: document.getElementById('sweep-status').textContent,
      partial: r.partial,
      values: r.summary.points.map((p) => p.value),
      runs: r.summary.points.map((p) => p.runs),
      alive: window.pipelineLabSweep.alive,
    };
  });
  assert.equal(shown.state, 'stopped');
  assert.equal(shown.alive, 0);
  assert.ok(shown.partial.done >= 12 && shown.partial.done < 200, JSON.stringify(shown));
  assert.ok(shown.values.length >= 1 && shown.values[0] === 1, JSON.stringify(shown));
  assert.ok(
    shown.runs.every((n) => n === 5),
    JSON.stringify(shown),
  );
  assert.match(
    shown.status,
    new RegExp(
      `^Cancelled after ${shown.partial.done} of 200 runs.*Shown: the ${shown.values.length} values`,
    ),
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('a cancelled sweep keeps the values whose every seed ran, renumbered as a sweep of them', () => {
  const sweep = { values: [1, 2, 5, 10], reps: 2 };
  const run = (point, rep) => ({ point, rep, value: sweep.values[point] });
  // Jobs are value by value, seed by seed: value 2 lacks its second seed.
  const results = [run(0, 0), run(0, 1), run(1, 0), undefined, run(2, 0), run(2, 1)];
  assert.deepEqual(completePoints(sweep, results), {
    values: [1, 5],
    runs: [
      { point: 0, rep: 0, value: 1 },
      { point: 0, rep: 1, value: 1 },
      { point: 1, rep: 0, value: 5 },
      { point: 1, rep: 1, value: 5 },
    ],
  });
  assert.equal(completePoints(sweep, [run(0, 0)]), null);
  assert.equal(completePoints({ ...sweep, param2: { kind: 'items' } }, results), null);
});

test('the CSV and JSON downloads hold what the plots show', async () => {
  const { page, problems } = await openSweep();
  const { summary } = await runSweep(page, { param: 'maxsize', from: 1, to: 6, step: 1, reps: 3 });
  const plotted = await page.evaluate(() =>
    window.pipelineLabSweep.plots.map((u) => u.data.map((series) => Array.from(series))),
  );
  const [throughput, latency, , utilization] = plotted;
  const x = throughput[0];
  assert.deepEqual(x, [1, 2, 3, 4, 5, 6]);

  const save = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    const path = join(SCREENSHOTS, download.suggestedFilename());
    await download.saveAs(path);
    return readFile(path, 'utf8');
  };
  const csv = (await save('#sweep-csv')).trim().split('\n');
  const header = csv[0].split(',');
  assert.equal(header[0], 'maxsize');
  const col = (name) => header.indexOf(name);
  const rows = csv.slice(1).map((line) => line.split(',').map(Number));
  assert.equal(rows.length, 18);
  const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
  const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), what);
  for (const [i, value] of x.entries()) {
    const of = rows.filter((r) => r[0] === value);
    assert.equal(of.length, 3, `value ${value}`);
    close(mean(of.map((r) => r[col('throughput_per_s')])), throughput[1][i], `throughput ${value}`);
    close(Math.max(...of.map((r) => r[col('throughput_per_s')])), throughput[2][i], `max ${value}`);
    close(Math.min(...of.map((r) => r[col('throughput_per_s')])), throughput[3][i], `min ${value}`);
    close(of[0][col('best_possible_per_s')], throughput[4][i], `bound ${value}`);
    close(mean(of.map((r) => r[col('latency_p95_us')])) / 1000, latency[2][i], `p95 ${value}`);
    const busiest = of.map((r) =>
      Math.max(r[col('utilization_0')], r[col('utilization_1')], r[col('utilization_2')]),
    );
    close(mean(busiest), utilization[1][i], `utilization ${value}`);
  }

  const json = JSON.parse(await save('#sweep-json'));
  assert.deepEqual(
    json.points.map((p) => p.value),
    x,
  );
  assert.equal(json.knee, summary.knee);
  json.points.forEach((p, i) => {
    close(p.throughput_per_s.mean, throughput[1][i], `json throughput ${p.value}`);
    close(p.latency_p50_us.mean / 1000, latency[1][i], `json p50 ${p.value}`);
  });
  assert.equal(json.runs.length, 18);

  // From the keyboard: ← → pick a point on a plot, Enter opens its run (the page's own ← and →,
  // step back and step, stay still).
  const ops = await page.evaluate(() => window.pipelineLab.ops());
  await page.focus('#sweep-charts .sweep-chart');
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowLeft');
  assert.match(await page.locator('#sweep-point').textContent(), /^maxsize of every queue = 1:/);
  await page.keyboard.press('ArrowRight');
  assert.match(await page.locator('#sweep-point').textContent(), /^maxsize of every queue = 2:/);
  assert.equal(await page.evaluate(() => window.pipelineLab.ops()), ops);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.pipelineLab.state.builder.maxsize.join() === '2,2,2');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a bad value is a message on the panel, not a crash', async () => {
  const { page, problems } = await openSweep();
  const attempt = async (form) => {
    await fillForm(page, form);
    await page.click('#sweep-start');
    await page.waitForFunction(() => !document.getElementById('sweep-error').hidden);
    return page.evaluate(() => ({
      error: document.getElementById('sweep-error').textContent,
      state: document.getElementById('sweep').dataset.sweep,
      alive: window.pipelineLabSweep.alive,
    }));
  };
  const cases = [
    [{ param: 'workers:1', list: '1, two', reps: 3 }, /“two” is not a number/],
    [{ param: 'workers:1', from: 8, to: 1, step: 1, reps: 3 }, /from, to and a step above 0/],
    [{ param: 'workers:1', list: '1, 99', reps: 3 }, /^workers of resize: 99 is outside .*1 to 32/],
    [{ param: 'workers:1', from: 0, to: 3, step: 1, reps: 3 }, /^workers of resize: 0 is outside/],
    [{ param: 'workers:1', list: '2.5', reps: 3 }, /2\.5 is not a whole number/],
    [{ param: 'maxsize', list: '5', reps: 0 }, /reps/],
    [{ param: 'items', list: '20000000', reps: 1 }, /^items: 20000000 is outside .*1 to 10000000/],
  ];
  for (const [form, message] of cases) {
    const shown = await attempt(form);
    assert.match(shown.error, message, JSON.stringify(form));
    assert.equal(shown.state, 'idle');
    assert.equal(shown.alive, 0);
  }
  // The panel still works after the refusals.
  const { summary } = await runSweep(page, { param: 'workers:1', list: '1, 2', reps: 1 });
  assert.equal(summary.points.length, 2);
  assert.equal(await page.locator('#sweep-error').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the finished sweep fits the screen from a phone to a desktop, in English and Korean', async () => {
  const { page, problems } = await openSweep();
  await runSweep(page, { param: 'workers:1', from: 1, to: 8, step: 1, reps: 3 });
  for (const lang of ['en', 'ko']) {
    await page.selectOption('#lang', lang);
    for (const [width, height] of [
      [1440, 900],
      [1280, 720],
      [390, 844],
    ]) {
      await page.setViewportSize({ width, height });
      await page.waitForFunction(
        (w) => window.pipelineLabSweep.plots.every((u) => u.width <= w),
        width,
      );
      const fit = await page.evaluate(() => {
        const panel = document.getElementById('sweep');
        const rights = [panel, ...panel.querySelectorAll('*')].map(
          (el) => el.getBoundingClientRect().right,
        );
        return {
          right: Math.max(...rights),
          overflow: panel.scrollWidth - panel.clientWidth,
          text: document.getElementById('sweep-status').textContent,
          knee: document.getElementById('sweep-knee').textContent,
        };
      });
      assert.ok(fit.overflow <= 0, `${lang} ${width}: the panel overflows by ${fit.overflow}px`);
      assert.ok(fit.right <= width, `${lang} ${width}: the panel reaches ${fit.right}px`);
      assert.match(fit.knee, lang === 'ko' ? /무릎점/ : /Knee/);
      await page.locator('#sweep').screenshot({
        path: join(SCREENSHOTS, `sweep-${lang}-${width}x${height}.png`),
      });
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('a sweep runs on every core on a page that is not cross-origin isolated', async () => {
  // Module Web Workers need no SharedArrayBuffer: hosts without the isolation headers sweep too.
  const plain = await startLab({ isolation: false });
  try {
    const { page, problems } = await newWatchedPage(plain);
    await openLab(page, plain.url, `?coi=0${BUILDER_HASH}`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    await page.click('#sweep > summary');
    const { summary } = await runSweep(page, { param: 'maxsize', list: '1, 2, 4', reps: 2 });
    assert.equal(summary.runs.length, 6);
    const { workers, way } = await page.evaluate(() => window.pipelineLabSweep.result);
    assert.equal(way, 'workers');
    assert.equal(workers, Math.min(6, await page.evaluate(() => navigator.hardwareConcurrency)));
    assert.match(await page.locator('#sweep-status').textContent(), / on \d+ Web Workers?\./);
    assert.deepEqual(problems, []);
  } finally {
    await plain.close();
  }
});

test("a 2-D sweep's every cell is the single run, drawn as a heat map that opens it", async () => {
  const { page, problems } = await openSweep();
  await fillForm(page, { param: 'workers:1', list: '1, 3', reps: 2 });
  await page.selectOption('#sweep-param2', 'maxsize:1');
  await page.fill('#sweep-list2', '1, 4, 0');
  await page.click('#sweep-start');
  const cells = '#sweep-heat-table .sweep-cell';
  await page.waitForFunction(
    (sel) =>
      document.getElementById('sweep').dataset.sweep === 'done' &&
      document.querySelectorAll(sel).length === 6,
    cells,
    { timeout: 60_000 },
  );
  const result = await page.evaluate(() => {
    const { summary, runs } = window.pipelineLabSweep.result;
    return { summary, runs };
  });
  assert.deepEqual(result.summary.grid, { rows: [1, 3], columns: [1, 4, 0] });
  assert.deepEqual(
    result.summary.points.map((p) => [p.value, p.value2]),
    [
      [1, 1],
      [1, 4],
      [1, 0],
      [3, 1],
      [3, 4],
      [3, 0],
    ],
  );
  // Every cell's runs are the single runs their links open (both values and the seed).
  assertPointsAreSingleRuns(result, await singleRuns(page));

  // The heat map shows the summary's figures, cell by cell; another figure recolours it.
  const shown = () =>
    page.evaluate((sel) => [...document.querySelectorAll(sel)].map((b) => b.dataset.value), cells);
  assert.deepEqual(
    (await shown()).map(Number),
    result.summary.points.map((p) => p.throughput_per_s.mean),
  );
  await page.selectOption('#sweep-heat-figure', 'p95');
  assert.deepEqual(
    (await shown()).map(Number),
    result.summary.points.map((p) => p.latency_p95_us.mean / 1000),
  );
  assert.match(await page.locator('#sweep-heat-legend').textContent(), /p95/);

  // The keyboard: one tab stop, arrows move, the line below reads the focused cell.
  await page.locator(cells).nth(0).focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.point), '4');
  assert.match(await page.locator('#sweep-point').textContent(), /= 3, .* = 4:/);

  // The same runs on one Web Worker, on two, and on rayon's pool of two threads.
  const again = await page.evaluate(async () => {
    const s = window.pipelineLabSweep;
    const { sweep, builder, choice, choice2 } = s.result;
    const one = await s.start(sweep, { builder, choice, choice2, workers: 1, way: 'workers' });
    const two = await s.start(sweep, { builder, choice, choice2, workers: 2, way: 'workers' });
    const pool = await s.start(sweep, { builder, choice, choice2, workers: 2, way: 'rayon' });
    return { one: one.runs, two: two.runs, pool: pool.runs, way: s.result.way };
  });
  assert.deepEqual(again.one, again.two);
  assert.equal(again.way, 'rayon');
  assert.deepEqual(again.pool, again.one);
  assert.deepEqual(
    again.one.map((r) => [r.point, r.rep, r.throughput_per_s, r.latency_p95_us]),
    result.runs.map((r) => [r.point, r.rep, r.throughput_per_s, r.latency_p95_us]),
  );

  // The CSV has a column a parameter and a row a run.
  const csv = await page.evaluate(() => window.pipelineLabSweep.result.csv);
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^workers_stage_1,maxsize_stage_1,rep,seed,status/);
  assert.equal(lines.length, 1 + 12);
  assert.match(lines[7], /^3,1,0,7,finished/);

  // axe finds nothing to fault in the heat map and its form.
  await page.addScriptTag({
    path: createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document.getElementById('sweep'))).violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
    ),
  );
  assert.deepEqual(violations, []);

  // A click on a cell opens its run (first seed) in the builder: 3 resize workers, unbounded.
  await page.locator(cells).nth(5).click();
  await page.waitForFunction(() => {
    const b = window.pipelineLab.state.builder;
    return b.workers[1] === 3 && b.maxsize[1] === 0 && b.seed === 7;
  });
  assert.deepEqual(problems, []);
  await page.close();
});

/** Runs a 2-D sweep from the form and waits for its `cells` cells. */
async function runGrid(page, form, param2, list2, cells) {
  await fillForm(page, form);
  await page.selectOption('#sweep-param2', param2);
  await page.fill('#sweep-list2', list2);
  await page.click('#sweep-start');
  await page.waitForFunction(
    (n) =>
      document.getElementById('sweep').dataset.sweep === 'done' &&
      document.querySelectorAll('#sweep-heat-table .sweep-cell').length === n,
    cells,
    { timeout: 60_000 },
  );
  return page.evaluate(() => window.pipelineLabSweep.result.summary);
}

test('a curve still rising at the highest value swept has no knee within the range, in both languages', async () => {
  const { page, problems } = await openSweep();
  const knee = page.locator('#sweep-knee');
  // Resize (20 ms, the slowest stage) with 1 and 2 workers: 2 is best, and the top of the range.
  const { summary: rising } = await runSweep(page, { param: 'workers:1', list: '1, 2', reps: 1 });
  assert.equal(rising.knee ?? null, null);
  assert.equal(rising.rising, 1);
  assert.equal(await knee.getAttribute('data-knee'), 'rising');
  assert.match(await knee.textContent(), /No knee within the range: .*workers of resize = 2/);
  await page.selectOption('#lang', 'ko');
  await page.waitForFunction(() =>
    /무릎점이 없습니다/.test(document.getElementById('sweep-knee').textContent),
  );
  await page.selectOption('#lang', 'en');
  // Download's workers past resize's pace (4 x 20 ms: 200/s) stop paying: a knee below the top.
  const { summary: level } = await runSweep(page, {
    param: 'workers:0',
    list: '1, 2, 3, 4, 6',
    reps: 1,
  });
  assert.ok((level.knee ?? 99) < 4, `knee ${level.knee}`);
  assert.equal(level.rising ?? null, null);
  assert.equal(await knee.getAttribute('data-knee'), 'knee');
  assert.match(await knee.textContent(), /^Knee: workers of download = /);
  // The heat map: still rising along the rows, so no cell is starred.
  const grid = await runGrid(
    page,
    { param: 'workers:1', list: '1, 2', reps: 1 },
    'workers:0',
    '1, 3',
    4,
  );
  assert.equal(grid.knee ?? null, null);
  assert.equal(typeof grid.rising, 'number');
  assert.equal(await page.locator('#sweep-heat-table .sweep-cell.knee').count(), 0);
  assert.match(await knee.textContent(), /No knee within the range/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the heat map on a phone scrolls inside its box, its row values kept in view', async () => {
  const { page, problems } = await openSweep();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.selectOption('#lang', 'ko');
  await runGrid(
    page,
    { param: 'workers:1', from: 1, to: 8, step: 1, list: '', reps: 1 },
    'workers:0',
    '1, 2, 3, 4, 6, 8',
    48,
  );
  const box = page.locator('#sweep-heat-table');
  const before = await page.evaluate(() => {
    const box = document.getElementById('sweep-heat-table');
    const panel = document.getElementById('sweep');
    const corner = box.querySelector('th.corner').getBoundingClientRect();
    return {
      scrolls: box.scrollWidth > box.clientWidth,
      panelOverflow: panel.scrollWidth - panel.clientWidth,
      pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      corner: corner.width,
      boxWidth: box.getBoundingClientRect().width,
      firstCell: box.querySelector('.sweep-cell').getBoundingClientRect().left,
    };
  });
  assert.equal(before.scrolls, true);
  assert.ok(before.panelOverflow <= 0 && before.pageOverflow <= 0, JSON.stringify(before));
  // A short corner: the cells start within the box's first third.
  assert.ok(before.corner < before.boxWidth / 3, JSON.stringify(before));
  // Scrolled to its end, the row values stay at the box's left edge.
  await box.evaluate((el) => (el.scrollLeft = el.scrollWidth));
  const after = await page.evaluate(() => {
    const box = document.getElementById('sweep-heat-table');
    const th = box.querySelector('tbody th').getBoundingClientRect();
    return { left: th.left - box.getBoundingClientRect().left, visible: th.width > 0 };
  });
  assert.ok(Math.abs(after.left) <= 4 && after.visible, JSON.stringify(after));
  assert.deepEqual(problems, []);
  await page.close();
});

test("a cancelled sweep never shows the last sweep's plots, knee or downloads under its status", async () => {
  const { page, problems } = await openSweep(BUILDER_HASH.replace('n=300', 'n=100000'));
  const first = await runSweep(page, { param: 'maxsize', list: '1, 10', reps: 1 });
  assert.equal(first.runs.length, 2);
  assert.equal(await page.locator('#sweep-results').isVisible(), true);
  await fillForm(page, { param: 'maxsize', list: '', from: 1, to: 40, step: 1, reps: 5 });
  await page.click('#sweep-start');
  await page.waitForFunction(() => Number(document.getElementById('sweep-progress').value) >= 1);
  assert.equal(await page.locator('#sweep-results').isVisible(), false, 'gone once it starts');
  await page.click('#sweep-cancel');
  await page.waitForFunction(() => document.getElementById('sweep').dataset.sweep === 'stopped');
  assert.match(await page.locator('#sweep-status').textContent(), /Cancelled after \d+ of 200/);
  assert.equal(await page.locator('#sweep-results').isVisible(), false);
  assert.equal(await page.evaluate(() => window.pipelineLabSweep.result), null);
  assert.deepEqual(problems, []);
  await page.close();
});
