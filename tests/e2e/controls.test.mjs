// The controls in headless Chromium: sliders change the stats the way the model says (more
// workers on the bottleneck raise throughput, maxsize 1 lowers it), workers change while a run
// goes on, a refused change is a message and not an exception, step and step back land on the
// same frame, and the keyboard shortcuts work.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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

let lab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

const builder = (w, m, t) =>
  `#p=builder&s=1000&st=3&n=1000&w=${w}&m=${m}&t=${t}&d=exp&r=0&mem=0&seed=1`;

test('more workers on the bottleneck stage raise throughput', async () => {
  const { page, problems } = await newWatchedPage(lab);
  // resize: 2 workers x 20 ms = 100 items/s, the slowest stage.
  await openLab(page, lab.url, builder('3,2,5', '0,0,0', '10,20,10'));
  const first = await runToEnd(page);
  assert.equal(first.status, 'finished');
  const marked = await page.locator('#stages-body tr.bottleneck th').textContent();
  assert.match(marked, /^resize/, 'resize is marked as the bottleneck');
  assert.ok(first.throughput > 85 && first.throughput <= 100, `throughput ${first.throughput}`);

  // 6 resize workers: 300 items/s, download (3 x 10 ms) limits now.
  await setSlider(page, 'w-1', 6);
  await page.click('#reset');
  await page.waitForFunction(() => window.pipelineLab.phase === 'ready');
  const second = await runToEnd(page);
  assert.equal(second.status, 'finished');
  assert.ok(
    second.throughput > first.throughput * 2.5,
    `${second.throughput} vs ${first.throughput}`,
  );
  assert.match(await page.locator('#stages-body tr.bottleneck th').textContent(), /^download/);
  assert.match(page.url(), /w=3,6,5/, 'the link follows the slider');
  assert.deepEqual(problems, []);
  await page.close();
});

test('maxsize 1 lowers throughput: a stage blocks on put while the next one is busy', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, builder('2,2,2', '0,0,0', '10,10,10'));
  const unbounded = await runToEnd(page);
  for (const id of ['m-0', 'm-1', 'm-2']) await setSlider(page, id, 1);
  await page.click('#reset');
  await page.waitForFunction(() => window.pipelineLab.phase === 'ready');
  const bounded = await runToEnd(page);
  assert.equal(bounded.status, 'finished');
  assert.ok(
    bounded.throughput < unbounded.throughput * 0.9,
    `maxsize 1: ${bounded.throughput} items/s; unbounded: ${unbounded.throughput}`,
  );
  const stats = await page.evaluate(() => window.pipelineLab.stats);
  assert.ok(stats.stages[0].blocked_on_put_us > 0, 'download blocked on put');
  assert.deepEqual(problems, []);
  await page.close();
});

test('workers change while P6 runs; a change the engine refuses is shown, not thrown', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1');
  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.timeUs() > 300_000);
  await setSlider(page, 'w-1', 8);
  await page.waitForFunction(
    () =>
      document.querySelector('#stages-body tr[data-stage="1"] [data-k="workers"]').textContent ===
      '8',
  );
  assert.equal(await page.locator('#notice').isHidden(), true, 'no refusal');
  await page.screenshot({ path: join(SCREENSHOTS, 'p6-live-workers.png') });
  const threads = await page.evaluate(() => window.pipelineLab.stats.threads.length);
  assert.equal(threads, 1 + 3 + 8 + 5, 'four resize workers joined');
  // Finish fast: the run with 8 resize workers beats P6's 198 items/s.
  await page.evaluate(() => {
    const el = document.getElementById('speed');
    el.value = el.max;
    el.dispatchEvent(new Event('input'));
  });
  const end = await waitForEnd(page);
  assert.equal(end.status, 'finished');
  assert.ok(end.lines.includes('1000 items processed'));
  assert.ok(end.throughput > 230, `throughput ${end.throughput}`);

  // After close(): the engine refuses, the page says why.
  await setSlider(page, 'w-0', 5);
  await page.waitForFunction(() => !document.getElementById('notice').hidden);
  const notice = await page.locator('#notice').textContent();
  assert.match(notice, /shutting down/);
  assert.equal(await page.locator('#error').isHidden(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('P1 starts workers by name and can still add one; P5 sends fixed SENTINELs and cannot', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p1&s=1');
  assert.equal(await page.locator('#w-0').isDisabled(), false, "P1's workers slider is live");
  await page.click('#step');
  await setSlider(page, 'w-0', 2);
  await page.click('#step');
  // The added download worker (thread 4) runs: it is not left "not started".
  await page.waitForFunction(() => {
    const threads = window.pipelineLab.stats?.threads ?? [];
    return threads.length === 5 && threads[4].state !== 'not_started';
  });
  assert.equal(await page.locator('#notice').isHidden(), true, 'no refusal');
  await page.close();

  const p5 = await newWatchedPage(lab);
  await openLab(p5.page, lab.url, '#p=p5&s=1');
  assert.equal(await p5.page.locator('#w-0').isDisabled(), true, "P5's workers are fixed");
  assert.match(await p5.page.locator('#sliders').textContent(), /SENTINEL/);
  await p5.page.close();
  assert.deepEqual([...problems, ...p5.problems], []);
});

test('stepping to the next time and back lands on the same frame', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1');
  await page.selectOption('#step-by', 'instant');
  for (let i = 0; i < 6; i++) await page.click('#step');
  const before = await page.evaluate(() => window.pipelineLab.frameSignature());
  const shownBefore = await readPage(page);
  await page.click('#step');
  const stepped = await page.evaluate(() => window.pipelineLab.frameSignature());
  assert.ok(stepped.timeUs > before.timeUs, `${stepped.timeUs} > ${before.timeUs}`);
  await page.click('#step-back');
  await page.waitForFunction((t) => window.pipelineLab.timeUs() === t, before.timeUs);
  const back = await page.evaluate(() => window.pipelineLab.frameSignature());
  assert.deepEqual(back, before);
  await page.waitForFunction(
    (t) => Number(document.getElementById('virtual-time').dataset.value) === t,
    before.timeUs,
  );
  const shownBack = await readPage(page);
  assert.equal(shownBack.itemsDone, shownBefore.itemsDone);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Play pressed while a program is still being made plays it once it is there', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p1&s=1');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  // Both keys in one task: the space lands while the P6 run is still being made.
  await page.evaluate(() => {
    for (const key of ['6', ' ']) {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    }
  });
  await page.waitForFunction(
    () => window.pipelineLab.state.preset === 'p6' && window.pipelineLab.phase === 'playing',
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard: digits, space, arrows, R, +/-, P, ? and Esc', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p1&s=1');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('6');
  await page.waitForFunction(
    () => window.pipelineLab.state.preset === 'p6' && document.body.dataset.ready,
  );
  await page.waitForFunction(() => document.getElementById('preset').value === 'p6');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.pipelineLab.phase === 'playing');
  await page.waitForFunction(() => window.pipelineLab.timeUs() > 50_000);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.pipelineLab.phase === 'paused');
  const paused = await page.evaluate(() => window.pipelineLab.timeUs());
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((t) => window.pipelineLab.timeUs() > t, paused);
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((t) => window.pipelineLab.timeUs() === t, paused);
  await page.keyboard.press('r');
  await page.waitForFunction(
    () => window.pipelineLab.phase === 'ready' && window.pipelineLab.timeUs() === 0,
  );
  const speed = await page.evaluate(() => window.pipelineLab.state.speed);
  await page.keyboard.press('+');
  assert.ok((await page.evaluate(() => window.pipelineLab.state.speed)) > speed);
  await page.keyboard.press('-');
  assert.equal(await page.evaluate(() => window.pipelineLab.state.speed), speed);
  await page.keyboard.press('0');
  await page.waitForFunction(() => window.pipelineLab.state.preset === 'f4');
  await page.keyboard.press('?');
  assert.equal(await page.locator('#help').isVisible(), true);
  assert.match(await page.locator('#help').textContent(), /Space/);
  await page.screenshot({ path: join(SCREENSHOTS, 'help.png') });
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#help').isVisible(), false);
  await page.keyboard.press('p');
  assert.equal(await page.evaluate(() => document.body.classList.contains('present')), true);
  await page.keyboard.press(' ');
  await waitForEnd(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'presentation-f4.png') });
  await page.keyboard.press('p');
  assert.equal(await page.evaluate(() => document.body.classList.contains('present')), false);
  // Picked from the program list, Esc leaves the list: → then steps, not to the next program.
  await page.focus('#preset');
  await page.selectOption('#preset', 'p3');
  await page.waitForFunction(
    () => window.pipelineLab.state.preset === 'p3' && document.body.dataset.ready,
  );
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.pipelineLab.ops() > 0);
  assert.equal(await page.evaluate(() => window.pipelineLab.state.preset), 'p3');
  assert.deepEqual(problems, []);
  await page.close();
});

test('tokens move between places, and stand still with prefers-reduced-motion', async () => {
  for (const reducedMotion of ['no-preference', 'reduce']) {
    const { page, problems } = await newWatchedPage(lab);
    await page.emulateMedia({ reducedMotion });
    await openLab(page, lab.url, '#p=p6&s=1');
    await page.click('#run');
    let most = 0;
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(50);
      most = Math.max(most, await page.evaluate(() => window.pipelineLab.tokensInFlight));
    }
    if (reducedMotion === 'reduce') assert.equal(most, 0, 'no tokens in flight');
    else assert.ok(most > 0, 'tokens in flight');
    assert.deepEqual(problems, []);
    await page.close();
  }
});
