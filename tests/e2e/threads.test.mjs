// The "real threads" engine in headless Chromium: the live engine (pkg/mt's Lab, engine live) on
// wasm-bindgen-rayon's pool of Web Workers, on a cross-origin isolated page. Programs run to their
// end with every item accounted for, the page's main thread never blocks (no long task while a
// run goes on), and a program bigger than the pool is refused with a message in the page's
// language. (The fallback without isolation is in hosting.test.mjs.)

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../../scripts/serve.mjs';
import {
  SCREENSHOTS,
  newWatchedPage,
  openLab,
  readPage,
  runToEnd,
  setSlider,
  startLab,
  waitForEnd,
} from './browser.mjs';

const HAVE_MT = existsSync(join(REPO_ROOT, 'pkg', 'mt', 'pipeline_lab.js'));
const skip = HAVE_MT ? false : 'pkg/mt is not built (scripts/build-wasm-mt.sh; npm test builds it)';

/** A builder pipeline in the link: 3 stages of `w` workers, `n` items, maxsize 10, 1 ms stages. */
const builder = ({ w, n, lang = 'en' }) =>
  `#p=builder&e=threads&s=1000&l=${lang}&st=3&n=${n}&w=${w},${w},${w}&m=10,10,10&t=1,1,1&d=exp&r=0&mem=0&seed=1`;

let lab;
before(async () => {
  if (!skip) lab = await startLab();
});
after(async () => {
  await lab?.close();
});

/** Starts recording main-thread long tasks (over 50 ms) in the page. */
function watchLongTasks(page) {
  return page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longTasks.push(Math.round(entry.duration));
    }).observe({ type: 'longtask' });
  });
}

async function engineInfo(page) {
  return page.evaluate(() => ({
    isolated: globalThis.crossOriginIsolated,
    threadsChecked: document.getElementById('engine-threads').checked,
    threadsDisabled: document.getElementById('engine-threads').disabled,
    engine: window.pipelineLab.state.engine,
  }));
}

test('P6 on real threads: 1000 items processed, no main-thread long task', { skip }, async () => {
  const { page, problems } = await newWatchedPage(lab);
  // Ready means the first run exists, so the pool has started: long tasks from now are the run's.
  await openLab(page, lab.url, '#p=p6&s=1000&e=threads');
  assert.deepEqual(await engineInfo(page), {
    isolated: true,
    threadsChecked: true,
    threadsDisabled: false,
    engine: 'threads',
  });
  await watchLongTasks(page);
  const end = await runToEnd(page, { timeout: 60_000 });
  assert.equal(end.status, 'finished', JSON.stringify(end));
  assert.ok(end.lines.includes('1000 items processed'), JSON.stringify(end.lines));
  const stats = await page.evaluate(() => window.pipelineLab.stats);
  assert.equal(stats.items_done, 1000);
  assert.deepEqual(await page.evaluate(() => window.longTasks), []);
  // The observer does see a long task: a task that blocks the main thread for 80 ms on purpose.
  await page.evaluate(() =>
    setTimeout(() => {
      const until = performance.now() + 80;
      while (performance.now() < until);
    }, 0),
  );
  await page.waitForFunction(() => window.longTasks.length === 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test(
  '3 stages x 8 workers, 2000 items, on real threads: every item arrives once',
  { skip },
  async () => {
    const { page, problems } = await newWatchedPage(lab);
    await openLab(page, lab.url, builder({ w: 8, n: 2000 }));
    assert.equal((await engineInfo(page)).engine, 'threads');
    await watchLongTasks(page);
    // The page drives the run: its frames step the clock and read frames and stats.
    const end = await runToEnd(page, { timeout: 90_000 });
    assert.equal(end.status, 'finished', JSON.stringify(end));
    const stats = await page.evaluate(() => window.pipelineLab.stats);
    assert.equal(stats.items_total, 2000);
    assert.equal(stats.items_done, 2000);
    assert.equal(stats.threads.length, 1 + 3 * 8);
    const done = stats.queues.find((q) => q.name === 'done_queue');
    assert.equal(done.len, 2000);
    assert.equal(done.puts, 2000);
    for (const q of stats.queues.filter((q) => q.name !== 'done_queue')) {
      assert.equal(q.len, 0, `${q.name} is empty at the end`);
      assert.equal(q.unfinished_tasks, 0, `${q.name} has no unfinished task`);
    }
    assert.ok(
      stats.threads.every((th) => th.state === 'ended'),
      'every thread ended',
    );
    assert.deepEqual(await page.evaluate(() => window.longTasks), []);
    await page.screenshot({ path: join(SCREENSHOTS, 'threads-3x8.png') });
    assert.deepEqual(problems, []);
    await page.close();
  },
);

test('Step, step back and the workers slider on a live run', { skip }, async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1&e=threads');
  const t0 = await page.evaluate(() => window.pipelineLab.timeUs());
  await page.click('#step');
  await page.click('#step');
  const t1 = await page.evaluate(() => window.pipelineLab.timeUs());
  assert.ok(t1 > t0, `Step advances the clock (${t0} -> ${t1} us)`);
  // Step back replays the model engine's run: disabled here, and its key says why.
  assert.equal(await page.locator('#step-back').isDisabled(), true);
  await page.keyboard.press('ArrowLeft');
  assert.match(await page.locator('#notice').textContent(), /needs the model engine/);

  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.timeUs() > 300_000);
  await setSlider(page, 'w-1', 8);
  await page.waitForFunction(() => window.pipelineLab.stats.threads.length === 1 + 3 + 8 + 5);
  // P6 has 13 threads: a pool of 64 leaves room for 21 workers a stage, not 32.
  await setSlider(page, 'w-1', 32);
  await page.waitForFunction(() =>
    /at most 21/.test(document.getElementById('notice').textContent),
  );
  await page.evaluate(() => {
    const el = document.getElementById('speed');
    el.value = el.max;
    el.dispatchEvent(new Event('input'));
  });
  const end = await waitForEnd(page, { timeout: 60_000 });
  assert.equal(end.status, 'finished', JSON.stringify(end));
  assert.ok(end.lines.includes('1000 items processed'), JSON.stringify(end.lines));
  assert.equal(await page.locator('#error').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [lang, pattern] of [
  ['en', /this program has 97 threads, but the page's pool has 64 Web Workers/],
  ['ko', /스레드가 97개이지만 페이지의 풀에는 웹 워커가 64개뿐입니다/],
]) {
  test(`a program bigger than the pool is refused in the page (${lang})`, { skip }, async () => {
    const { page, problems } = await newWatchedPage(lab);
    await page.goto(`${lab.url}${builder({ w: 32, n: 100, lang })}`);
    // The refusal is a notice, and the same program runs on the model engine meanwhile
    // (tests/e2e/numbers.test.mjs checks that page).
    await page.waitForFunction(
      () => /97/.test(document.getElementById('notice').textContent),
      null,
      {
        timeout: 30_000,
      },
    );
    const shown = await readPage(page);
    assert.match(shown.notice, pattern);
    await page.screenshot({ path: join(SCREENSHOTS, `threads-refused-${lang}.png`) });
    // The sliders stay: fewer workers make a program the pool can run.
    await setSlider(page, 'w-0', 8);
    await setSlider(page, 'w-1', 8);
    await setSlider(page, 'w-2', 8);
    await page.check('#engine-threads');
    await page.waitForFunction(
      () =>
        window.pipelineLab.state.engine === 'threads' &&
        window.pipelineLab.stats?.threads.length === 25,
      null,
      { timeout: 30_000 },
    );
    assert.equal(await page.locator('#error').isHidden(), true);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test(
  'a MemoryError on real threads: the page says it, and its queues add up to its total',
  { skip },
  async () => {
    const { page, problems } = await newWatchedPage(lab);
    // The builder keeping its results in done_queue past a 64 MiB budget, on the live engine.
    await openLab(
      page,
      lab.url,
      '#p=builder&e=threads&s=1000&st=3&n=400&w=2,2,2&m=10,10,10&t=5,5,5&d=exp&r=100&mem=64&seed=1&k=keep',
    );
    assert.equal((await engineInfo(page)).engine, 'threads');
    const end = await runToEnd(page, { timeout: 120_000 });
    assert.equal(end.status, 'memory_error', JSON.stringify(end));
    const stats = await page.evaluate(() => window.pipelineLab.stats);
    const report = stats.memory_error;
    assert.equal(
      report.queues.reduce((a, q) => a + q.bytes, 0),
      report.bytes,
      JSON.stringify(report),
    );
    assert.ok(report.bytes > report.budget_bytes, JSON.stringify(report));
    assert.ok(stats.peak_memory_bytes >= report.bytes, 'the peak counts what did not fit');
    assert.match(end.statusText, /MemoryError/);
    assert.ok(
      end.lines.some((line) => line.includes('MemoryError')),
      `the console prints it: ${JSON.stringify(end.lines)}`,
    );
    assert.deepEqual(problems, []);
    await page.close();
  },
);
