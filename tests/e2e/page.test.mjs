// Browser tests of the first page: run presets in headless Chromium against the real wasm
// build in pkg/st/ and check what a person would see: console lines, items done, status.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SCREENSHOTS, newWatchedPage, openPreset, startLab, waitForEnd } from './browser.mjs';

let lab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

test('P6 (3/4/5 workers) runs to the end and prints "1000 items processed"', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openPreset(page, lab.url, { preset: 'p6', lang: 'en', speed: '100' });
  // The server's COOP/COEP headers make the page cross-origin isolated (threads need it later).
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
  assert.equal(await page.locator('#console').getAttribute('aria-live'), 'polite');
  await page.click('#run');

  const end = await waitForEnd(page);
  await page.screenshot({ path: join(SCREENSHOTS, 'p6-en.png'), fullPage: true });

  assert.equal(end.error, '', 'no error shown');
  assert.equal(end.status, 'finished');
  assert.match(end.statusText, /finished/);
  assert.ok(
    end.lines.some((line) => line.includes('1000 items processed')),
    `console: ${JSON.stringify(end.lines.slice(-5))}`,
  );
  assert.match(end.itemsDone, /^1000 \/ 1000$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('P2 in Korean prints the four lines of the note in order', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openPreset(page, lab.url, { preset: 'p2', lang: 'ko', speed: '10' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  await page.click('#run');

  const end = await waitForEnd(page, { timeout: 30_000 });
  await page.screenshot({ path: join(SCREENSHOTS, 'p2-ko.png'), fullPage: true });

  assert.equal(end.error, '', 'no error shown');
  assert.equal(end.status, 'finished');
  const expected = ['소비자 대기', '생산자 데이터 추가', '생산자 완료', '소비자 완료'];
  const positions = expected.map((text) => end.lines.findIndex((line) => line.includes(text)));
  assert.ok(
    positions.every((p) => p >= 0),
    `every line printed; console: ${JSON.stringify(end.lines)}`,
  );
  assert.deepEqual(
    [...positions].sort((a, b) => a - b),
    positions,
    `in order; console: ${JSON.stringify(end.lines)}`,
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('an unknown preset is shown in #error, not thrown', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openPreset(page, lab.url, { preset: 'p1', lang: 'en', speed: '1' });
  await page.evaluate(() => {
    const select = document.getElementById('preset');
    select.add(new Option('bogus', 'no-such-preset'));
    select.value = 'no-such-preset';
    select.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction(() => !document.getElementById('error').hidden, null, {
    timeout: 5_000,
  });
  assert.notEqual((await page.locator('#error').textContent()).trim(), '');
  assert.equal(await page.locator('#run').isDisabled(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the single-threaded build also runs without cross-origin isolation', async () => {
  const plain = await startLab({ isolation: false });
  try {
    const { page, problems } = await newWatchedPage(plain);
    await openPreset(page, plain.url, { preset: 'p3', lang: 'en', speed: '100' });
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), false);
    await page.click('#run');
    const end = await waitForEnd(page, { timeout: 30_000 });
    assert.equal(end.status, 'finished');
    assert.ok(end.lines.includes('consumer done'), `console: ${JSON.stringify(end.lines)}`);
    assert.deepEqual(problems, []);
  } finally {
    await plain.close();
  }
});
