// Hosting in headless Chromium: the engine switch and its reasons (not isolated; isolated but no
// threaded build), coi-serviceworker giving isolation on a host without the headers, the model
// engine as the fallback where even that fails, and the static dist/ folder served as-is.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildDist } from '../../scripts/build-dist.mjs';
import {
  SCREENSHOTS,
  newWatchedPage,
  openLab,
  runToEnd,
  startLab,
  waitForReady,
} from './browser.mjs';

const labs = [];
async function lab(options) {
  const l = await startLab(options);
  labs.push(l);
  return l;
}
after(async () => {
  for (const l of labs) await l.close();
});

function engineSwitch(page) {
  return page.evaluate(() => ({
    isolated: globalThis.crossOriginIsolated,
    threadsDisabled: document.getElementById('engine-threads').disabled,
    modelChecked: document.getElementById('engine-model').checked,
    reason: document.getElementById('engine-reason').textContent,
    reasonKey: document.getElementById('engine-reason').dataset.reason,
  }));
}

test('isolated, without the threaded build: real threads disabled, "threaded build not available"', async () => {
  const l = await lab();
  const { page, problems } = await newWatchedPage(l);
  // Whatever pkg/ holds on this machine, the page is told that only pkg/st exists.
  await page.route('**/pkg/builds.json', (route) => route.fulfill({ json: { builds: ['st'] } }));
  await openLab(page, l.url, '#p=p3&s=1000&e=threads');
  const sw = await engineSwitch(page);
  assert.equal(sw.isolated, true);
  assert.equal(sw.threadsDisabled, true);
  assert.equal(sw.modelChecked, true);
  assert.equal(sw.reason, 'threaded build not available');
  assert.match(await page.locator('#notice').textContent(), /threaded build not available/);
  assert.equal((await runToEnd(page)).status, 'finished');
  assert.deepEqual(problems, []);
  await page.close();
});

test('not isolated and no service worker: the model engine runs and the page says why', async () => {
  const l = await lab({ isolation: false });
  const { page, problems } = await newWatchedPage(l);
  // ?coi=0 keeps coi-serviceworker from registering: a host where even that fails. The link
  // asks for real threads; the page falls back to the model engine and says so.
  await openLab(page, `${l.url}?coi=0`, '#p=p3&s=1000&e=threads');
  const sw = await engineSwitch(page);
  assert.equal(sw.isolated, false);
  assert.equal(sw.threadsDisabled, true);
  assert.equal(sw.modelChecked, true);
  assert.equal(sw.reasonKey, 'reasonIsolation');
  assert.match(sw.reason, /cross-origin isolated/);
  assert.match(await page.locator('#notice').textContent(), /the model engine runs/);
  assert.equal(await page.evaluate(() => window.pipelineLab.state.engine), 'model');
  await page.screenshot({ path: join(SCREENSHOTS, 'not-isolated.png') });
  const end = await runToEnd(page);
  assert.equal(end.status, 'finished');
  assert.ok(end.lines.includes('consumer done'), JSON.stringify(end.lines));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a host without the headers: coi-serviceworker makes the page isolated', async () => {
  const l = await lab({ isolation: false });
  const { page, problems } = await newWatchedPage(l);
  await page.goto(`${l.url}#p=p6&s=1000`);
  // The service worker registers, then reloads the page once to take control.
  await page.waitForFunction(() => globalThis.crossOriginIsolated === true, null, {
    timeout: 20_000,
  });
  await waitForReady(page);
  assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true);
  assert.notEqual((await engineSwitch(page)).reasonKey, 'reasonIsolation');
  const end = await runToEnd(page);
  assert.equal(end.status, 'finished');
  assert.deepEqual(problems, []);
  await page.close();
});

test('dist/ from `npm run build` works from a plain static server', async () => {
  const out = await mkdtemp(join(tmpdir(), 'pipeline-lab-dist-'));
  try {
    const { builds } = await buildDist(out);
    assert.ok(builds.includes('st'));
    // Like GitHub Pages: no isolation headers; coi-serviceworker from dist/ supplies them.
    const l = await lab({ isolation: false, root: out });
    const { page, problems } = await newWatchedPage(l);
    await page.goto(`${l.url}#p=p5&s=1000`);
    await page.waitForFunction(() => globalThis.crossOriginIsolated === true, null, {
      timeout: 20_000,
    });
    await waitForReady(page);
    const end = await runToEnd(page);
    assert.equal(end.status, 'finished');
    assert.ok(end.lines.includes('1000 items processed'));
    // uPlot came from dist/vendor/: three charts drawn.
    await page.waitForFunction(() => document.querySelectorAll('#charts .uplot').length === 3);
    // The run took two frames at x1000; the charts were filled by a replay of it.
    assert.ok((await page.evaluate(() => window.pipelineLab.chartSamples)) >= 100);
    await page.locator('.charts-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'dist-p5.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
