// One item's journey and the WebM clip of a range in headless Chromium: clicking an item's dot
// follows it (ringed, its path listed), the journey's parts add up to its latency, a finished
// item is replayed the same, and a clip of a time range saves as a non-empty video/webm file.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { newWatchedPage, openLab, runToEnd, startLab } from './browser.mjs';

let lab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

async function waitForTimeline(page) {
  await page.waitForFunction(() => window.pipelineLab.timeline.ready, null, { timeout: 60_000 });
}

/**
 * Waits until the panel shows item `item`'s journey as of the page's present (the run's time, as
 * the frame last drawn has it), and returns it.
 */
async function shownJourney(page, item) {
  await page.waitForFunction(
    (item) => {
      const panel = window.pipelineLab.timeline.journeyPanel;
      const j = panel.journey;
      const now = Math.floor(window.pipelineLab.timeUs());
      return j && j.item === item && j.at_us === now && Math.floor(panel.nowUs) === now;
    },
    item,
    { timeout: 30_000 },
  );
  return page.evaluate(() => window.pipelineLab.timeline.journeyPanel.journey);
}

function assertPartsSum(j) {
  const parts = j.legs.reduce((sum, l) => sum + l.wait_us + l.service_us + l.blocked_put_us, 0);
  assert.equal(parts, j.latency_us, JSON.stringify(j));
  assert.equal(j.wait_us + j.service_us + j.blocked_put_us, j.latency_us);
}

/** Plays for `ms` of real time and pauses. */
async function playFor(page, ms) {
  await page.click('#run');
  await page.waitForTimeout(ms);
  await page.click('#run');
  await page.waitForFunction(() => window.pipelineLab.phase !== 'playing');
  // Tokens still flying move under the pointer: wait until every item sits in its place.
  await page.waitForFunction(() => window.pipelineLab.tokensInFlight === 0);
}

test('clicking an item on the canvas follows it: ringed, its journey listed, growing in flight', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1');
  await waitForTimeline(page);
  await playFor(page, 700);
  // An item in a worker's hands (the last spots listed are the hands).
  const spot = await page.evaluate(() => {
    const s = window.pipelineLab.timeline.journeyPanel.renderer.spots;
    const n = s.length / 4;
    return { id: s[4 * (n - 1)], x: s[4 * (n - 1) + 1], y: s[4 * (n - 1) + 2] };
  });
  const box = await page.locator('#pipeline').boundingBox();
  await page.mouse.click(box.x + spot.x, box.y + spot.y);
  const first = await shownJourney(page, spot.id);
  assert.equal(
    await page.evaluate(() => window.pipelineLab.timeline.journeyPanel.renderer.followed),
    spot.id,
  );
  // The ring: dark pixels just outside the item's dot, where it is drawn now.
  const ring = await page.evaluate((id) => {
    const r = window.pipelineLab.timeline.journeyPanel.renderer;
    let at = -1;
    for (let i = 0; i < r.spots.length; i += 4) if (r.spots[i] === id) at = i;
    if (at < 0) return null;
    const [x, y, radius] = [r.spots[at + 1], r.spots[at + 2], r.spots[at + 3]];
    const px = r.ctx.getImageData(
      Math.round((x + radius + 5) * r.dpr),
      Math.round(y * r.dpr),
      1,
      1,
    );
    return Array.from(px.data.slice(0, 3));
  }, spot.id);
  assert.ok(ring && ring.every((c) => c < 60), `the ring around the item: rgb ${ring}`);
  assert.ok(first.legs.length >= 1);
  assert.notEqual(first.status, 'not_made');
  assertPartsSum(first);
  const summary = await page.locator('#journey-summary').textContent();
  assert.match(summary, new RegExp(`Item ${spot.id}\\b`));
  assert.ok(
    (await page.locator('#journey-rows tr').count()) === first.legs.length,
    'one row a queue it went through',
  );
  // The item keeps its ring and its journey grows as the run goes on (while in flight).
  assert.equal(first.status, 'in_flight', "an item in a worker's hands is on its way");
  await page.evaluate(() => window.pipelineLab.seekUs(window.pipelineLab.timeUs() + 20_000));
  const later = await shownJourney(page, spot.id);
  assertPartsSum(later);
  assert.ok(later.latency_us > first.latency_us, `${later.latency_us} > ${first.latency_us}`);
  assert.deepEqual(later.legs.slice(0, first.legs.length - 1), first.legs.slice(0, -1));
  // The worker's journey is the engine's own (Lab.journey replays the run to its present).
  const fromEngine = await page.evaluate(
    (item) => window.pipelineLab.timeline.journeyPanel.run.lab.journey(item),
    spot.id,
  );
  const shown = await page.evaluate(() => window.pipelineLab.timeline.journeyPanel.journey);
  assert.deepEqual(fromEngine, shown);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a finished item's journey: typed by number, parts sum to its latency, replayed back", async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=100');
  await waitForTimeline(page);
  await runToEnd(page);
  // Keyboard only: focus the field, type, Enter.
  await page.focus('#journey-item');
  await page.keyboard.type('123');
  await page.keyboard.press('Enter');
  const done = await shownJourney(page, 123);
  assert.equal(done.status, 'done');
  assertPartsSum(done);
  assert.equal(done.end_us - done.born_us, done.latency_us);
  assert.deepEqual(
    done.legs.map((l) => l.queue_name),
    ['download_queue', 'resize_queue', 'upload_queue'],
  );
  assert.ok(
    done.legs.every((l) => l.got_by_name),
    'each queue names the worker that took it',
  );
  assert.equal(done.done_items, 1000);
  assert.ok(done.p50_us > 0 && done.p95_us >= done.p50_us);
  const pct = Math.round(done.slower_than * 100);
  assert.match(
    await page.locator('#journey-summary').textContent(),
    new RegExp(`Slower than ${pct}% of them`),
  );
  const parts = await page.locator('#journey-parts').textContent();
  assert.match(parts, /= [\d.]+ (ms|s)\.$/);
  // Back in time (a replay): the same item is in flight, its journey a part of the finished one.
  const mid = Math.round((done.born_us + done.end_us) / 2);
  await page.evaluate((us) => window.pipelineLab.seekUs(us), mid);
  const back = await shownJourney(page, 123);
  assert.equal(back.status, 'in_flight');
  assertPartsSum(back);
  assert.equal(back.latency_us, back.at_us - done.born_us);
  const settled = back.legs.length - 1;
  assert.deepEqual(back.legs.slice(0, settled), done.legs.slice(0, settled));
  // Bad input to the binding is an Error naming the argument, never a trap.
  const thrown = await page.evaluate(() => {
    try {
      window.pipelineLab.timeline.journeyPanel.run.lab.journey(-1);
      return null;
    } catch (error) {
      return String(error.message);
    }
  });
  assert.match(thrown, /^item: expected a whole number/);
  // A number the run never makes says so, in words, without breaking the page.
  await page.fill('#journey-item', '5000');
  await page.press('#journey-item', 'Enter');
  await page.waitForFunction(() => !document.getElementById('journey-message').hidden);
  assert.equal(
    await page.locator('#journey-message').textContent(),
    'This run has no item 5000: its items are numbered 0 to 999.',
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('the journey panel speaks Korean', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1');
  await waitForTimeline(page);
  await page.selectOption('#lang', 'ko');
  await page.fill('#journey-item', '0');
  await page.press('#journey-item', 'Enter');
  await shownJourney(page, 0);
  await page.waitForFunction(() =>
    /번 아이템/.test(document.getElementById('journey-summary').textContent),
  );
  assert.equal(await page.locator('#journey-title').textContent(), '아이템 하나의 여정');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a WebM clip of a time range at a chosen speed downloads a non-empty video/webm file', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&s=1');
  await waitForTimeline(page);
  const speedBefore = await page.evaluate(() => window.pipelineLab.state.speed);
  await page.fill('#clip-from', '100');
  await page.fill('#clip-to', '400');
  await page.fill('#clip-speed', '0.5');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    page.click('#export-webm-range'),
  ]);
  assert.match(download.suggestedFilename(), /range\.webm$/);
  const bytes = await readFile(await download.path());
  // An EBML header: the start of every WebM file.
  assert.deepEqual([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3]);
  assert.ok(bytes.length > 1000, `${bytes.length} bytes of WebM`);
  const type = await page.evaluate(() => window.pipelineLab.timeline.lastClipType);
  assert.match(type, /^video\/webm/);
  // The clip ends where its range does, paused, with the page's speed given back.
  assert.equal(await page.evaluate(() => window.pipelineLab.timeUs()), 400_000);
  assert.equal(await page.evaluate(() => window.pipelineLab.phase), 'paused');
  assert.equal(await page.evaluate(() => window.pipelineLab.state.speed), speedBefore);
  assert.equal(await page.getAttribute('#export-webm-range', 'aria-pressed'), 'false');
  // A range that is not one is refused with a notice, and nothing records.
  await page.fill('#clip-from', '300');
  await page.fill('#clip-to', '200');
  await page.click('#export-webm-range');
  await page.waitForFunction(() =>
    /range of virtual time/.test(document.getElementById('notice').textContent),
  );
  assert.equal(await page.getAttribute('#export-webm-range', 'aria-pressed'), 'false');
  assert.deepEqual(problems, []);
  await page.close();
});

test('on a phone, with the timelines closed, a typed item is still followed', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await page.setViewportSize({ width: 390, height: 844 });
  await openLab(page, lab.url, '#p=p6&s=1');
  assert.equal(await page.evaluate(() => document.getElementById('timeline').open), false);
  await page.fill('#journey-item', '3');
  await page.press('#journey-item', 'Enter');
  const j = await shownJourney(page, 3);
  assert.equal(j.status, 'in_flight');
  assertPartsSum(j);
  assert.match(await page.locator('#journey-summary').textContent(), /Item 3\b/);
  assert.deepEqual(problems, []);
  await page.close();
});
