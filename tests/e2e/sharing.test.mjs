// Lecture and sharing in headless Chromium: the whole state in the link (copy it, open it, get
// the same run), a malformed link falls back to defaults with a notice, Korean and English
// (from the browser's language, and with the switch).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  SCREENSHOTS,
  newWatchedPage,
  openLab,
  pickPreset,
  runToEnd,
  setSlider,
  startLab,
} from './browser.mjs';

let lab;
before(async () => {
  lab = await startLab();
  await lab.context.grantPermissions(['clipboard-read', 'clipboard-write']);
});
after(async () => {
  await lab?.close();
});

test('a copied link restores the same state and reproduces the run', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p1&s=1');
  await pickPreset(page, 'builder');
  await setSlider(page, 'n-0', 500);
  await setSlider(page, 'w-1', 3);
  await setSlider(page, 'm-0', 4);
  await setSlider(page, 't-2', 15);
  await page.selectOption('#dist', 'uniform');
  await page.fill('#seed', '42');
  await page.locator('#seed').dispatchEvent('change');
  await setSlider(page, 'speed', 1000);
  await page.selectOption('#lang', 'ko');
  await page.waitForFunction(() => window.pipelineLab.state.builder.seed === 42);
  const state = await page.evaluate(() => window.pipelineLab.state);
  const original = await runToEnd(page);
  assert.equal(original.status, 'finished');

  await page.click('#copy-link');
  await page.waitForFunction(() => !document.getElementById('notice').hidden);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await page.locator('#share-link').inputValue());
  assert.match(copied, /#p=builder&/);

  const { page: other, problems: otherProblems } = await newWatchedPage(lab);
  await other.goto(copied);
  await other.waitForFunction(() => document.body.dataset.ready === 'true');
  assert.deepEqual(await other.evaluate(() => window.pipelineLab.state), state);
  assert.equal(await other.locator('#preset').inputValue(), 'builder');
  assert.equal(await other.locator('#w-1').getAttribute('data-value'), '3');
  assert.equal(await other.locator('#m-0-value').textContent(), '4');
  assert.equal(await other.locator('#seed').inputValue(), '42');
  assert.equal(await other.evaluate(() => document.documentElement.lang), 'ko');
  const again = await runToEnd(other);
  assert.equal(again.status, 'finished');
  assert.equal(again.timeUs, original.timeUs, 'same virtual end time');
  assert.deepEqual(again.lines, original.lines);
  const [a, b] = await Promise.all(
    [page, other].map((p) => p.evaluate(() => window.pipelineLab.stats.latency)),
  );
  assert.deepEqual(b, a, 'same latencies: the same run');
  assert.deepEqual(problems, []);
  assert.deepEqual(otherProblems, []);
  await other.close();
  await page.close();
});

test('copying the link again shows one confirmation, and it goes by itself', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p5');
  const notices = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('#notice > p')].map((p) => p.dataset.message),
    );
  for (let i = 0; i < 3; i++) {
    await page.click('#copy-link');
    await page.waitForFunction(() => !document.getElementById('notice').hidden);
  }
  assert.deepEqual(await notices(), ['Link copied to the clipboard.']);
  await page.waitForFunction(() => document.getElementById('notice').hidden, null, {
    timeout: 10_000,
  });
  assert.deepEqual(await notices(), []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a preset link keeps its live slider values', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1000&e=model&l=en&w=3,6,5&m=0,2,0');
  assert.equal(await page.locator('#w-1').getAttribute('data-value'), '6');
  assert.equal(await page.locator('#m-1').getAttribute('data-value'), '2');
  const end = await runToEnd(page);
  assert.equal(end.status, 'finished');
  const stats = await page.evaluate(() => window.pipelineLab.stats);
  assert.equal(stats.stages[1].workers, 6);
  assert.equal(stats.queues[1].maxsize, 2);
  assert.ok(stats.queues[1].max_len <= 2);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a malformed link falls back to defaults with a visible notice', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=zz9&s=-4&e=warp&l=xx&w=a,b&seed=%E0%A4%A');
  const notice = await page.locator('#notice').textContent();
  assert.match(notice, /not valid|fell back/);
  for (const key of ['p=', 's=', 'e=', 'l=', 'w='])
    assert.ok(notice.includes(key), `${key} in ${notice}`);
  const state = await page.evaluate(() => window.pipelineLab.state);
  assert.equal(state.preset, 'p1');
  assert.equal(state.speed, 1);
  assert.equal(state.engine, 'model');
  assert.equal(await page.locator('#error').isHidden(), true);
  // A builder link with the wrong number of per-stage values.
  await openLab(page, lab.url, '#p=builder&st=2&w=1,2,3&n=abc');
  const notice2 = await page.locator('#notice').textContent();
  assert.match(notice2, /w=1,2,3/);
  assert.match(notice2, /n=abc/);
  const builder = await page.evaluate(() => window.pipelineLab.state.builder);
  assert.equal(builder.stages, 2);
  assert.equal(builder.workers.length, 2);
  assert.deepEqual(problems, []);
  await page.close();
});

test('Korean and English: from the browser, and with the switch', async () => {
  const korean = await startLab({ locale: 'ko-KR' });
  try {
    const { page, problems } = await newWatchedPage(korean);
    await openLab(page, korean.url, '#p=p2&s=1000');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
    assert.equal(await page.locator('h1').textContent(), '파이프라인 랩');
    const end = await runToEnd(page);
    assert.deepEqual(end.lines, [
      '소비자 대기',
      '생산자 데이터 추가',
      '생산자 완료',
      '소비자 완료',
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, 'p2-ko.png') });
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(() => document.querySelector('h1').textContent === 'Pipeline Lab');
    const lines = await page.$$eval('#console .line', (l) => l.map((x) => x.textContent));
    assert.deepEqual(lines, [
      'consumer waiting',
      'producer putting',
      'producer done',
      'consumer done',
    ]);
    assert.match(page.url(), /l=en/);
    assert.equal(await page.locator('#run').textContent(), ' Run again');
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await korean.close();
  }
});

test('a link to a moment past the run’s end opens at the end and says so', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p3&v=3&at=99999.5&paused=1');
  await page.waitForFunction(() => !window.pipelineLab.seeking && window.pipelineLab.ops() > 0);
  await page.waitForFunction(() =>
    /past this run/.test(document.getElementById('notice').textContent),
  );
  const notice = await page.locator('#notice').textContent();
  const ops = await page.evaluate(() => window.pipelineLab.ops());
  assert.ok(notice.includes('99999') && notice.includes(`operation ${ops}`), notice);
  assert.doesNotMatch(notice, /moment the link was made/);
  assert.deepEqual(problems, []);
  await page.close();
});
