// No silent restarts: a builder setting a running pipeline cannot take starts the run again with
// a notice; a live change the engine refuses is told in a Python programmer's words (no field
// paths), the slider goes back to the value the run uses, and nothing on the page moves.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newWatchedPage, openLab, setSlider, startLab } from './browser.mjs';

let lab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

/** Where the canvas is on the page (not in the viewport: a control may scroll into view). */
const canvasBox = (page) =>
  page.evaluate(() => {
    const r = document.getElementById('pipeline').getBoundingClientRect();
    return { top: r.top + scrollY, left: r.left + scrollX, width: r.width, height: r.height };
  });

for (const [param, id, value] of [
  ['items', 'n-0', 100],
  ['service time', 't-1', 5],
  ['seed', null, 7],
]) {
  test(`changing the builder's ${param} while it runs restarts it and says so`, async () => {
    const { page, problems } = await newWatchedPage(lab);
    await openLab(page, lab.url, '#p=builder&s=1&n=1000');
    await page.click('#run');
    await page.waitForFunction(() => window.pipelineLab.timeUs() > 200_000);
    const before = await canvasBox(page);
    if (id) await setSlider(page, id, value);
    else {
      await page.fill('#seed', String(value));
      await page.dispatchEvent('#seed', 'change');
    }
    await page.waitForFunction(() => !document.getElementById('notice').hidden);
    const notice = await page.locator('#notice').textContent();
    assert.match(notice, /cannot change a running pipeline/);
    assert.match(notice, /t = 0/);
    assert.deepEqual(await canvasBox(page), before, 'the notice does not move the canvas');
    // The new run starts from zero and keeps playing.
    await page.waitForFunction(() => window.pipelineLab.phase === 'playing');
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('a refused live change is worded for a Python programmer and the slider snaps back', async () => {
  for (const lang of ['en', 'ko']) {
    const { page, problems } = await newWatchedPage(lab);
    await openLab(page, lab.url, `#p=p6&s=1&l=${lang}`);
    await page.click('#run');
    // main puts every item at once, then close()s download_queue: the download stage is
    // shutting down from the first moments, and its workers can no longer change.
    await page.waitForFunction(() => window.pipelineLab.timeUs() > 300_000);
    await page.click('#run');
    await page.waitForFunction(() => window.pipelineLab.phase === 'paused');
    const before = await canvasBox(page);
    await setSlider(page, 'w-0', 5);
    await page.waitForFunction(() => !document.getElementById('notice').hidden);
    const notice = await page.locator('#notice').textContent();
    assert.doesNotMatch(notice, /stages\[|queues\[|\.workers|\.maxsize/, notice);
    assert.match(notice, /download/);
    assert.match(
      notice,
      lang === 'en' ? /keeps 3 workers.*close\(\)/ : /작업자 수는 3개.*close\(\)/,
    );
    const shown = await page.evaluate(() => ({
      slider: document.getElementById('w-0').dataset.value,
      output: document.getElementById('w-0-value').textContent,
      engine: window.pipelineLab.stats.stages[0].workers,
      link: location.hash,
    }));
    assert.equal(shown.slider, '3', 'the slider is back at the value the run uses');
    assert.equal(shown.output, '3');
    assert.equal(shown.engine, 3);
    assert.doesNotMatch(shown.link, /[#&]w=5/, 'the link keeps the value the run uses');
    assert.deepEqual(await canvasBox(page), before, 'the notice does not move the canvas');
    assert.deepEqual(problems, []);
    await page.close();
  }
});
