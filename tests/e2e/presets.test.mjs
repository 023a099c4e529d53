// Every program of the picker, run to its end at high speed in headless Chromium against the real
// wasm build: the console must print the note's lines in order and the run must end the way the
// program does (finished, hang with its report, MemoryError). One page, picked as a person picks.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  SCREENSHOTS,
  newWatchedPage,
  openLab,
  pickPreset,
  runToEnd,
  startLab,
} from './browser.mjs';

/** Lines that must appear in this order (other lines may come between). */
const EXPECT = {
  p1: { status: 'finished', lines: ['1000 items processed, polled 3006 times'] },
  p2: {
    status: 'finished',
    lines: ['consumer waiting', 'producer putting', 'producer done', 'consumer done'],
  },
  p3: {
    status: 'finished',
    lines: [
      'producer 1',
      'consumer 1',
      'producer 2',
      'producer done',
      'consumer 2',
      'consumer done',
    ],
  },
  p4: {
    status: 'finished',
    lines: [
      'consumer waiting',
      'producer putting',
      'producer waiting',
      'consumer working',
      'consumer done',
      'producer done',
    ],
  },
  p5: { status: 'finished', lines: ['1000 items processed'] },
  p6: { status: 'finished', lines: ['1000 items processed'] },
  f1: { status: 'hang', hang: /never end|SENTINEL/i, kind: 'worker_never_ends' },
  f2: { status: 'hang', hang: /join\(\) never returns/i, kind: 'join_never_returns' },
  f3: { status: 'memory_error', lines: [/^MemoryError: .*resize_queue/] },
  f4: { status: 'hang', hang: /deadlock/i, kind: 'deadlock' },
};

let lab;
let page;
let problems;
before(async () => {
  lab = await startLab();
  ({ page, problems } = await newWatchedPage(lab));
  await openLab(page, lab.url, '#p=p1&s=1000');
});
after(async () => {
  await page?.close();
  await lab?.close();
});

function assertInOrder(lines, expected) {
  let from = 0;
  for (const want of expected) {
    const i = lines.findIndex(
      (line, k) => k >= from && (want instanceof RegExp ? want.test(line) : line === want),
    );
    assert.ok(i >= 0, `"${want}" after line ${from}; console: ${JSON.stringify(lines)}`);
    from = i + 1;
  }
}

test('the picker lists P1-P6, F1-F4 and the builder, each with its summary', async () => {
  const options = await page.$$eval('#preset option', (list) =>
    list.map((o) => ({ id: o.value, text: o.textContent, title: o.title })),
  );
  assert.deepEqual(
    options.map((o) => o.id),
    ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'f1', 'f2', 'f3', 'f4', 'builder'],
  );
  for (const o of options) assert.ok(o.title.length > 20, `summary of ${o.id}: ${o.title}`);
  assert.ok((await page.locator('#summary').textContent()).length > 20);
});

for (const [id, want] of Object.entries(EXPECT)) {
  test(`${id.toUpperCase()} runs to its end: ${want.status}`, async () => {
    await pickPreset(page, id);
    const end = await runToEnd(page);
    await page.screenshot({ path: join(SCREENSHOTS, `preset-${id}.png`) });

    assert.equal(end.error, '', 'no error shown');
    assert.equal(end.status, want.status, `status; console: ${JSON.stringify(end.lines)}`);
    if (want.lines) assertInOrder(end.lines, want.lines);
    if (want.hang) {
      const stats = await page.evaluate(() => window.pipelineLab.stats);
      assert.equal(stats.hang.kind, want.kind);
      assert.match(end.statusText, want.hang, 'the hang is explained in the status panel');
      assert.ok(stats.hang.waiting.length > 0);
      // Every waiting thread is named in the page, with what it waits on.
      for (const w of stats.hang.waiting) assert.ok(end.statusText.includes(w.name), w.name);
    }
    if (want.status === 'finished') {
      const [done, total] = end.itemsDone.split(' / ').map(Number);
      assert.equal(done, total, 'every item done');
    }
    // The canvas has drawn: a good share of its pixels differ from the blank background.
    const drawn = await page.evaluate(() => {
      const c = document.getElementById('pipeline');
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      let seen = 0;
      for (let i = 0; i < data.length; i += 4 * 7) {
        seen++;
        if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) ink++;
      }
      return ink / seen;
    });
    assert.ok(drawn > 0.02, `canvas has ink (${(drawn * 100).toFixed(1)}% of pixels)`);
    assert.deepEqual(problems, []);
  });
}
