// Layout: at 1280x720 and larger the canvas and the Python source are both on the first screen
// (normal and presentation mode) and the source follows the thread that ran without scrolling the
// page; at 390x844 and 768x1024 nothing scrolls sideways, every control is on screen, canvas
// column titles never overlap, and touch drives play, step and the sliders.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newWatchedPage, openLab, startLab } from './browser.mjs';

const PROGRAMS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'f1', 'f2', 'f3', 'f4', 'builder'];

let lab;
before(async () => {
  lab = await startLab({ hasTouch: true });
});
after(async () => {
  await lab?.close();
});

/** Records what every canvas draws as text, with where and how wide (for the titles). */
function recordCanvasText(page) {
  return page.addInitScript(() => {
    window.__drawn = [];
    // Each drawing of a whole layer starts by filling it from (0, 0): a new generation, so that
    // the titles of the last layout can be told from those of earlier ones.
    let generation = 0;
    const proto = CanvasRenderingContext2D.prototype;
    const fillRect = proto.fillRect;
    proto.fillRect = function (x, y, ...rest) {
      if (x === 0 && y === 0) this.__generation = ++generation;
      return fillRect.call(this, x, y, ...rest);
    };
    const fill = proto.fillText;
    proto.fillText = function (text, x, y, ...rest) {
      window.__drawn.push({
        text: String(text),
        x,
        y: Math.round(y),
        w: this.measureText(text).width,
        align: this.textAlign,
        generation: this.__generation ?? 0,
      });
      return fill.call(this, text, x, y, ...rest);
    };
  });
}

async function open(page, hash, { width, height, present = false }) {
  await page.setViewportSize({ width, height });
  await page.goto('about:blank');
  await openLab(page, lab.url, hash);
  if (present) await page.click('#present');
  await page.waitForTimeout(150);
}

/** Boxes of the canvas, the code panel's list, and the line that last ran, and the scroll. */
function boxes(page) {
  return page.evaluate(() => {
    const box = (el) => el && el.getBoundingClientRect().toJSON();
    const ran = document.querySelector('#code li.last-ran');
    return {
      canvas: box(document.getElementById('pipeline')),
      code: box(document.getElementById('code')),
      ran: box(ran),
      ranLine: ran?.dataset.line ?? null,
      scrollX: window.scrollX,
      scrollY: window.scrollY,
      vw: innerWidth,
      vh: innerHeight,
    };
  });
}

const inside = (inner, outer, slack = 1) =>
  inner.top >= outer.top - slack &&
  inner.bottom <= outer.bottom + slack &&
  inner.left >= outer.left - slack &&
  inner.right <= outer.right + slack;

for (const [width, height] of [
  [1280, 720],
  [1440, 900],
]) {
  for (const present of [false, true]) {
    const mode = present ? 'presentation mode' : 'normal mode';
    test(`${width}x${height}, ${mode}: canvas and source on screen, the source follows the thread that ran`, async () => {
      const { page, problems } = await newWatchedPage(lab);
      for (const [program, lang] of PROGRAMS.flatMap((p) => [
        [p, 'en'],
        [p, 'ko'],
      ])) {
        await open(page, `#p=${program}&s=1&l=${lang}`, { width, height, present });
        const screen = { top: 0, left: 0, bottom: height, right: width };
        const first = await boxes(page);
        assert.ok(
          inside(first.canvas, screen),
          `${program} ${lang}: canvas ${JSON.stringify(first.canvas)}`,
        );
        assert.ok(
          inside(first.code, screen),
          `${program} ${lang}: source ${JSON.stringify(first.code)}`,
        );
        assert.ok(
          first.code.height >= 200,
          `${program} ${lang}: the source shows ${first.code.height}px`,
        );
        for (let i = 0; i < 12 && (await page.isEnabled('#step')); i++) {
          await page.click('#step');
          const now = await boxes(page);
          assert.equal(now.scrollY, 0, `${program} ${lang}: the page itself never scrolls`);
          if (now.ran) {
            assert.ok(
              inside(now.ran, now.code, 2),
              `${program} ${lang} step ${i}: line ${now.ranLine} in view ${JSON.stringify(now.ran)} ${JSON.stringify(now.code)}`,
            );
          }
        }
        // Nothing in the source is cut off on the right, and every thread mark shows.
        const clipped = await page.evaluate(() => {
          const panel = document.getElementById('code').getBoundingClientRect();
          const out = [];
          for (const li of document.querySelectorAll('#code li')) {
            const code = li.querySelector('code');
            if (code.scrollWidth > code.clientWidth + 1) out.push(`line ${li.dataset.line} code`);
            for (const mark of li.querySelectorAll('.mark')) {
              const r = mark.getBoundingClientRect();
              if (r.right > panel.right + 1 || r.width < 4)
                out.push(`line ${li.dataset.line} mark`);
            }
          }
          return out;
        });
        assert.deepEqual(clipped, [], `${program} ${lang}: clipped`);
      }
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
}

test('1280x720: in Play the source keeps the line that last ran in view', async () => {
  const { page, problems } = await newWatchedPage(lab);
  for (const program of ['p1', 'p6', 'f3']) {
    await open(page, `#p=${program}&s=0.1`, { width: 1280, height: 720 });
    await page.click('#run');
    for (let i = 0; i < 6; i++) {
      await page.waitForTimeout(250);
      const now = await boxes(page);
      assert.equal(now.scrollY, 0);
      if (now.ran) assert.ok(inside(now.ran, now.code, 2), `${program}: line ${now.ranLine}`);
    }
    await page.click('#run');
  }
  assert.deepEqual(problems, []);
  await page.close();
});

for (const [width, height] of [
  [390, 844],
  [768, 1024],
]) {
  test(`${width}x${height}: no sideways scroll, every control on screen, titles apart`, async () => {
    const { page, problems } = await newWatchedPage(lab);
    await recordCanvasText(page);
    for (const program of PROGRAMS) {
      for (const lang of ['en', 'ko']) {
        await open(page, `#p=${program}&l=${lang}`, { width, height });
        const seen = await page.evaluate(() => {
          const offscreen = [];
          for (const el of document.querySelectorAll(
            'main select, main button, main input, main fieldset, .top button, .top select',
          )) {
            const r = el.getBoundingClientRect();
            if (r.width === 0) continue;
            if (r.left < -1 || r.right > innerWidth + 1) offscreen.push(el.id || el.className);
          }
          return {
            scrollWidth: document.scrollingElement.scrollWidth,
            offscreen,
          };
        });
        assert.ok(seen.scrollWidth <= width, `${program} ${lang}: page ${seen.scrollWidth} wide`);
        assert.deepEqual(seen.offscreen, [], `${program} ${lang}: controls cut off`);
        // Column titles: the top row of centred text in the last drawing of the layer that has
        // them. Does any run over the next?
        const overlaps = await page.evaluate(() => {
          const centred = window.__drawn.filter((d) => d.align === 'center');
          if (!centred.length) return ['no canvas text drawn'];
          const top = Math.min(...centred.map((d) => d.y));
          const last = Math.max(...centred.filter((d) => d.y === top).map((d) => d.generation));
          const titles = centred
            .filter((d) => d.y === top && d.generation === last)
            .sort((a, b) => a.x - b.x);
          const out = titles.length >= 3 ? [] : [`only ${titles.length} titles found`];
          for (let i = 1; i < titles.length; i++) {
            const a = titles[i - 1];
            const b = titles[i];
            if (a.x + a.w / 2 > b.x - b.w / 2) out.push(`${a.text} | ${b.text}`);
          }
          return out;
        });
        assert.deepEqual(overlaps, [], `${program} ${lang}: titles overlap`);
      }
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
}

test('390x844: the canvas draws every queue, thread and column name whole, none cut with …', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await recordCanvasText(page);
  for (const program of PROGRAMS) {
    for (const lang of ['en', 'ko']) {
      await open(page, `#p=${program}&l=${lang}`, { width: 390, height: 844 });
      // A moment of the run too: states, counts and the bottleneck badge are drawn then.
      await page.click('#run');
      await page.waitForTimeout(700);
      if ((await page.evaluate(() => window.pipelineLab.phase)) === 'playing') {
        await page.click('#run');
      }
      const cut = await page.evaluate(() => [
        ...new Set(window.__drawn.filter((d) => d.text.includes('…')).map((d) => d.text)),
      ]);
      assert.deepEqual(cut, [], `${program} ${lang}: cut short on the canvas`);
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('390x844: touch plays, pauses, steps and moves a slider', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await open(page, '#p=p6&s=1', { width: 390, height: 844 });
  const frame = () => page.evaluate(() => JSON.stringify(window.pipelineLab.frameSignature()));
  const start = await frame();
  await page.tap('#step');
  await page.waitForFunction(() => !document.getElementById('step-back').disabled);
  assert.notEqual(await frame(), start, 'a tap on Step moves the run');
  await page.tap('#run');
  await page.waitForFunction(() => window.pipelineLab.phase === 'playing');
  await page.tap('#run');
  await page.waitForFunction(() => window.pipelineLab.phase === 'paused');
  const speed = page.locator('#speed');
  await speed.scrollIntoViewIfNeeded();
  const before = await speed.inputValue();
  const r = await speed.boundingBox();
  await page.touchscreen.tap(r.x + r.width * 0.95, r.y + r.height / 2);
  await page.waitForFunction((was) => document.getElementById('speed').value !== was, before);
  const workers = page.locator('#w-1');
  await workers.scrollIntoViewIfNeeded();
  const w = await workers.boundingBox();
  await page.touchscreen.tap(w.x + w.width * 0.9, w.y + w.height / 2);
  await page.waitForFunction(
    () =>
      document.querySelector('#stages-body tr[data-stage="1"] [data-k="workers"]').textContent !==
      '4',
  );
  assert.equal(await page.evaluate(() => window.scrollX), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('390x844: help opens at its top, the shortcuts first, not scrolled to its Close button', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await open(page, '#p=p6&l=ko', { width: 390, height: 844 });
  await page.click('#help-button');
  await page.waitForFunction(() => document.getElementById('help').open);
  const help = await page.evaluate(() => {
    const d = document.getElementById('help');
    const title = document.getElementById('help-title').getBoundingClientRect();
    return { scrollTop: d.scrollTop, titleTop: title.top, focused: document.activeElement?.id };
  });
  assert.equal(help.scrollTop, 0);
  assert.ok(help.titleTop >= 0 && help.titleTop < 844, JSON.stringify(help));
  assert.equal(help.focused, 'help-title');
  assert.deepEqual(problems, []);
  await page.close();
});
