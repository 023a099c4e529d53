// The lesson in headless Chromium: Step runs one Python line at a time (P2-P4 print their console
// one line a step, in the note's order), Step back undoes one, and a link copied mid-run after
// slider changes and a pause reopens on the identical frame, stats and console.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SCREENSHOTS, newWatchedPage, openLab, readPage, setSlider, startLab } from './browser.mjs';

let lab;
before(async () => {
  lab = await startLab();
  await lab.context.grantPermissions(['clipboard-read', 'clipboard-write']);
});
after(async () => {
  await lab?.close();
});

const NOTE = {
  p2: ['consumer waiting', 'producer putting', 'producer done', 'consumer done'],
  p3: ['producer 1', 'consumer 1', 'producer 2', 'producer done', 'consumer 2', 'consumer done'],
  p4: [
    'consumer waiting',
    'producer putting',
    'producer waiting',
    'consumer working',
    'consumer done',
    'producer done',
  ],
};

const consoleLines = (page) =>
  page.$$eval('#console .line', (lines) => lines.map((line) => line.textContent));

/** Clicks Step and waits until the page shows the operation it ran. */
async function stepOnce(page) {
  const ops = await page.evaluate(() => window.pipelineLab.ops());
  await page.click('#step');
  await page.waitForFunction(
    (before) => window.pipelineLab.ops() > before || window.pipelineLab.phase === 'ended',
    ops,
  );
  // The console and marks follow the stats refresh of the next frame.
  await page.waitForFunction(
    (want) => Number(document.getElementById('virtual-time').dataset.value) === want,
    await page.evaluate(() => window.pipelineLab.timeUs()),
  );
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
}

for (const [id, note] of Object.entries(NOTE)) {
  test(`${id.toUpperCase()}: each Step runs one line and prints at most one, in the note's order`, async () => {
    const { page, problems } = await newWatchedPage(lab);
    await openLab(page, lab.url, `#p=${id}`);
    const seen = [];
    let steps = 0;
    while ((await readPage(page)).phase !== 'ended' && steps < 60) {
      await stepOnce(page);
      steps++;
      const lines = await consoleLines(page);
      assert.ok(lines.length <= seen.length + 1, `step ${steps}: ${lines.length - seen.length}`);
      assert.deepEqual(lines.slice(0, seen.length), seen, `step ${steps}: earlier lines kept`);
      if (lines.length > seen.length) {
        seen.push(lines[lines.length - 1]);
        // The line that just ran is a print, marked with the thread that ran it.
        const ran = await page.locator('#code li.just-ran code').textContent();
        assert.match(ran, /print\(/, `step ${steps} printed from ${ran}`);
        if (id === 'p3' && seen.length === 3) {
          await page.screenshot({ path: join(SCREENSHOTS, 'lesson-p3-step.png') });
        }
      }
    }
    assert.deepEqual(seen, note);
    assert.ok(steps > note.length, `${steps} steps: more lines ran than printed`);
    assert.equal((await readPage(page)).status, 'finished');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('Step back undoes one line: the last console line goes, the frame is the one before', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p3');
  // Up to the first print ("producer 1").
  while ((await consoleLines(page)).length === 0) await stepOnce(page);
  await stepOnce(page);
  const before = await page.evaluate(() => window.pipelineLab.frameSignature());
  const beforeOps = await page.evaluate(() => window.pipelineLab.ops());
  const beforeLines = await consoleLines(page);
  while ((await consoleLines(page)).length === beforeLines.length) await stepOnce(page);
  const lines = await consoleLines(page);
  assert.equal(lines.length, beforeLines.length + 1);
  // Back one line at a time until the new line is gone.
  const opsNow = await page.evaluate(() => window.pipelineLab.ops());
  await page.click('#step-back');
  await page.waitForFunction((n) => window.pipelineLab.ops() === n - 1, opsNow);
  await page.waitForFunction(
    (n) => document.querySelectorAll('#console .line').length === n,
    beforeLines.length,
  );
  assert.deepEqual(await consoleLines(page), beforeLines);
  // And on back to where the frame was.
  while ((await page.evaluate(() => window.pipelineLab.ops())) > beforeOps) {
    const ops = await page.evaluate(() => window.pipelineLab.ops());
    await page.click('#step-back');
    await page.waitForFunction((n) => window.pipelineLab.ops() === n - 1, ops);
  }
  const back = await page.evaluate(() => window.pipelineLab.frameSignature());
  assert.deepEqual(back, before);
  await page.screenshot({ path: join(SCREENSHOTS, 'lesson-p3-step-back.png') });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link made mid-run after slider changes and a pause reopens on the same frame', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1');
  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.timeUs() > 100_000);
  await setSlider(page, 'w-1', 6);
  await page.waitForFunction(() => window.pipelineLab.timeUs() > 200_000);
  await setSlider(page, 'm-0', 2);
  await page.waitForFunction(() => window.pipelineLab.timeUs() > 300_000);
  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.phase === 'paused');
  // A few lines by hand too, so that the moment is between two operations of one instant.
  await stepOnce(page);
  await stepOnce(page);
  const state = await page.evaluate(() => window.pipelineLab.state);
  assert.equal(state.overrides.workers, null, 'mid-run changes are not start settings');
  const want = await snapshot(page);

  await page.click('#copy-link');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(link, /[#&]at=\d+\.\d+/);
  assert.match(link, /[#&]c=w1\.6\.\d+\.\d+_m0\.2\.\d+\.\d+/);
  assert.match(link, /paused=1/);

  const { page: other, problems: otherProblems } = await newWatchedPage(lab);
  await other.goto(link);
  await other.waitForFunction(() => document.body.dataset.ready === 'true');
  await other.waitForFunction(
    (ops) => window.pipelineLab.ops() === ops && !window.pipelineLab.seeking,
    want.ops,
  );
  await other.waitForFunction(
    (us) => Number(document.getElementById('virtual-time').dataset.value) === us,
    want.frame.timeUs,
  );
  assert.equal(await other.evaluate(() => window.pipelineLab.phase), 'paused');
  const got = await snapshot(other);
  assert.deepEqual(got.frame, want.frame, 'the frame');
  assert.deepEqual(got.stats, want.stats, 'the stats');
  assert.deepEqual(got.console, want.console, 'the console');
  assert.match(await other.locator('#notice').textContent(), /moment the link was made/);
  // The sliders show what the run runs: the changes replayed.
  assert.equal(await other.locator('#w-1').getAttribute('data-value'), '6');
  assert.equal(await other.locator('#m-0').getAttribute('data-value'), '2');
  // The scrubber works on the replayed run: back to the start and forward again.
  await other.evaluate(() => {
    const s = document.getElementById('scrubber');
    s.value = '0';
    s.dispatchEvent(new Event('input', { bubbles: true }));
    s.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await other.waitForFunction(() => window.pipelineLab.ops() === 0 && !window.pipelineLab.seeking);
  await other.evaluate((ops) => {
    const s = document.getElementById('scrubber');
    s.value = String(ops);
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }, want.ops);
  await other.waitForFunction(
    (ops) => window.pipelineLab.ops() === ops && !window.pipelineLab.seeking,
    want.ops,
  );
  assert.deepEqual((await snapshot(other)).frame.threadStates, want.frame.threadStates);
  await other.screenshot({ path: join(SCREENSHOTS, 'lesson-link-reopened.png') });
  assert.deepEqual(problems, []);
  assert.deepEqual(otherProblems, []);
  await other.close();
  await page.close();
});

/** The frame's arrays, the stats (as the engine gives them) and the console shown. */
async function snapshot(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  return page.evaluate(() => {
    const lab = window.pipelineLab;
    const frame = lab.frameSignature();
    const stats = { ...lab.stats };
    return {
      ops: lab.ops(),
      frame,
      stats: {
        time: stats.virtual_time_us,
        items: stats.items_done,
        events: stats.events,
        threads: stats.threads,
        queues: stats.queues,
        stages: stats.stages,
        latency: stats.latency,
      },
      console: [...document.querySelectorAll('#console .line')].map((l) => l.textContent),
    };
  });
}

test('links with values the page does not take fall back with a notice', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=builder&n=1.5&m=2.5,2.5,2.5&mem=0.3&r=0.0001');
  const notice = await page.locator('#notice').textContent();
  for (const key of ['n=1.5', 'm=2.5', 'mem=0.3', 'r=0.0001'])
    assert.ok(notice.includes(key), `${key} in ${notice}`);
  assert.equal(await page.locator('#error').isHidden(), true);
  await openLab(page, lab.url, '#p=p6&m=2.5,2.5,2.5');
  assert.match(await page.locator('#notice').textContent(), /m=2\.5/);
  // Not truncated to 2: the slider keeps the program's own value.
  assert.notEqual(await page.locator('#m-1').getAttribute('data-value'), '2');
  assert.deepEqual(problems, []);
  await page.close();
});

test('Play alone shows P3 one line at a time, time standing still between lines of an instant', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p3');
  await page.click('#run');
  // Sampled as it plays: each count of console lines is seen on its own, for a while.
  const samples = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const seen = [];
        const tick = () => {
          const lines = document.querySelectorAll('#console .line').length;
          seen.push({ lines, us: window.pipelineLab.timeUs(), at: performance.now() });
          if (window.pipelineLab.phase === 'ended' || seen.length > 400) resolve(seen);
          else setTimeout(tick, 50);
        };
        tick();
      }),
  );
  const counts = [...new Set(samples.map((s) => s.lines))];
  assert.deepEqual(counts, [0, 1, 2, 3, 4, 5, 6], 'every count of lines shown on its own');
  // "producer 2", "producer done" and "consumer 2" come at one instant (t = 0.1 s), apart.
  const firstSeen = (n) => samples.find((s) => s.lines === n);
  for (const n of [4, 5]) {
    assert.equal(firstSeen(n).us, firstSeen(n - 1).us, `line ${n}: time stood still`);
    assert.ok(firstSeen(n).at - firstSeen(n - 1).at > 200, `line ${n}: shown apart`);
  }
  assert.equal(samples[samples.length - 1].lines, 6);
  assert.deepEqual(problems, []);
  await page.close();
});

test('coarser steps: Shift+→ to the next time, the Step menu to the next item done', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Shift+ArrowRight');
  await page.waitForFunction(() => window.pipelineLab.ops() > 0);
  const t0 = await page.evaluate(() => window.pipelineLab.timeUs());
  await page.keyboard.press('Shift+ArrowRight');
  await page.waitForFunction((t) => window.pipelineLab.timeUs() > t, t0);
  await page.selectOption('#step-by', 'item');
  for (const want of [1, 2, 3]) {
    await page.click('#step');
    await page.waitForFunction((n) => window.pipelineLab.stats?.items_done === n, want, {
      timeout: 5000,
    });
  }
  // Back one step goes to where that step began: two items done.
  await page.click('#step-back');
  await page.waitForFunction(
    () => window.pipelineLab.stats?.items_done === 2 && !window.pipelineLab.seeking,
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link copied the moment Play paused reopens at that time, between two instants', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p5&s=1');
  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.timeUs() > 150_000);
  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.phase === 'paused');
  const want = await snapshot(page);
  await page.click('#copy-link');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const { page: other, problems: otherProblems } = await newWatchedPage(lab);
  await other.goto(link);
  await other.waitForFunction(() => document.body.dataset.ready === 'true');
  await other.waitForFunction(
    (ops) => window.pipelineLab.ops() === ops && !window.pipelineLab.seeking,
    want.ops,
  );
  await other.waitForFunction(
    (us) => Number(document.getElementById('virtual-time').dataset.value) === us,
    want.frame.timeUs,
  );
  const got = await snapshot(other);
  assert.deepEqual(got.frame, want.frame);
  assert.deepEqual(got.stats, want.stats);
  assert.deepEqual(got.console, want.console);
  assert.deepEqual(problems, []);
  assert.deepEqual(otherProblems, []);
  await other.close();
  await page.close();
});

test("P5's worker steps its get, its SENTINEL check, its work, its put and its task_done one at a time", async () => {
  const { page, problems } = await newWatchedPage(lab);
  // Past main's 1,000 puts at time 0 (a link to that operation), to where the workers run.
  await openLab(page, lab.url, '#p=p5&v=3&at=1010.0&paused=1');
  await page.waitForFunction(
    () => window.pipelineLab.ops() === 1010 && !window.pipelineLab.seeking,
  );
  const ran = [];
  for (let i = 0; i < 40; i++) {
    await stepOnce(page);
    ran.push((await page.locator('#code li.just-ran code').textContent()).trim());
  }
  // A thread runs on until it blocks or works, so each pair is two steps in a row.
  const pairs = new Set(ran.slice(1).map((line, i) => `${ran[i]} -> ${line}`));
  const has = (a, b) =>
    [...pairs].some((p) => a.test(p.split(' -> ')[0]) && b.test(p.split(' -> ')[1]));
  assert.ok(has(/^item = self\.get\(\)/, /^if item is .*SENTINEL/), 'get, then the SENTINEL check');
  assert.ok(has(/SENTINEL/, /func\(item\)/), 'the check, then the work');
  assert.ok(has(/\.put\(/, /task_done\(\)/), 'put, then task_done()');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link of the earlier format opens P6 at its time, saying its operation count no longer holds', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&v=2&e=model&s=1&at=4000.12500&paused=1');
  await page.waitForFunction(
    () => Number(document.getElementById('virtual-time').dataset.value) === 12_500,
  );
  assert.equal(await page.evaluate(() => window.pipelineLab.phase), 'paused');
  assert.match(await page.locator('#notice').textContent(), /earlier version.*t = 0\.013 s/);
  // The same link for P3, whose counts did not change, still lands on its operation.
  await openLab(page, lab.url, '#p=p3&v=2&e=model&s=1&at=9.0&paused=1');
  await page.waitForFunction(() => window.pipelineLab.ops() === 9 && !window.pipelineLab.seeking);
  assert.match(await page.locator('#notice').textContent(), /moment the link was made/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a Step that ends a thread marks the line it ended on, labelled that the thread ended', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p2');
  const marked = [];
  let steps = 0;
  while ((await readPage(page)).phase !== 'ended' && steps < 40) {
    await stepOnce(page);
    steps++;
    const li = page.locator('#code li.just-ran');
    assert.equal(await li.count(), 1, `step ${steps} marks one line`);
    marked.push({
      code: (await li.locator('code').textContent()).trim(),
      label: await li.locator('.marks').getAttribute('data-ran'),
    });
  }
  const endings = marked.filter((m) => / ended$/.test(m.label));
  assert.deepEqual(endings, [
    { code: "print('consumer done')", label: 'consumer ended' },
    { code: 'thread.join()', label: 'main ended' },
  ]);
  // The run's last step is main's end, and it stays marked once the run is over.
  assert.deepEqual(marked.at(-1), endings.at(-1));
  assert.deepEqual(problems, []);
  await page.close();
});
