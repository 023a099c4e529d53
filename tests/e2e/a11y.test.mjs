// Accessibility: axe-core (the npm dev-dependency) audits the page on every program, in English
// and Korean, normal and in presentation mode, at the end of a run (banners, hang reports and the
// list of threads and queues shown). Also: each builder slider's name says which stage it sets.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { newWatchedPage, openLab, runToEnd, startLab } from './browser.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PROGRAMS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'f1', 'f2', 'f3', 'f4', 'builder'];

let lab;
before(async () => {
  lab = await startLab();
});
after(async () => {
  await lab?.close();
});

/** axe's violations on the page as it is now, one line each: rule, impact, first targets. */
async function audit(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 2).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.targets.join(' | ')}`);
}

for (const lang of ['en', 'ko']) {
  for (const present of [false, true]) {
    const mode = present ? 'presentation mode' : 'normal mode';
    test(`axe finds no violation on any program in ${lang}, ${mode}`, async () => {
      const { page, problems } = await newWatchedPage(lab);
      const found = [];
      for (const program of PROGRAMS) {
        await page.goto('about:blank');
        await openLab(page, lab.url, `#p=${program}&l=${lang}&s=1000`);
        if (present) await page.click('#present');
        await runToEnd(page);
        await page.evaluate(() => {
          document.getElementById('roster').open = true;
        });
        await page.waitForFunction(() => document.querySelector('#roster-list li'));
        for (const line of await audit(page)) found.push(`${program}: ${line}`);
      }
      assert.deepEqual(found, [], found.join('\n'));
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
}

test("each builder slider's accessible name says which stage it sets", async () => {
  const { page, problems } = await newWatchedPage(lab);
  for (const lang of ['en', 'ko']) {
    await page.goto('about:blank');
    await openLab(page, lab.url, `#p=builder&l=${lang}&st=3`);
    const names = await page.evaluate(() =>
      [...document.querySelectorAll('#sliders fieldset.stage input[type=range]')].map(
        (input) =>
          input.getAttribute('aria-label') ??
          document.querySelector(`label[for="${input.id}"]`).textContent,
      ),
    );
    assert.equal(names.length, 9, `three sliders for each of three stages: ${names}`);
    assert.equal(new Set(names).size, names.length, `every name differs: ${names.join(' / ')}`);
    for (const [i, stage] of ['download', 'resize', 'upload'].entries()) {
      for (const name of names.slice(i * 3, i * 3 + 3)) {
        assert.ok(name.includes(stage), `"${name}" names its stage ${stage}`);
      }
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('the canvas shows its keyboard focus: nothing clips the focus ring', async () => {
  const { page } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6');
  await page.focus('#pipeline');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const canvas = document.getElementById('pipeline');
    const style = getComputedStyle(canvas);
    const focused = document.activeElement === canvas;
    // An outline drawn outside the canvas is cut off by any clipping ancestor.
    const offset = parseFloat(style.outlineOffset);
    const width = parseFloat(style.outlineWidth);
    let clipped = false;
    for (let el = canvas.parentElement; el; el = el.parentElement) {
      const o = getComputedStyle(el);
      if (o.overflowX !== 'visible' || o.overflowY !== 'visible') clipped = true;
    }
    return { focused, style: style.outlineStyle, width, offset, clipped };
  });
  assert.ok(ring.focused, 'Tab reaches the canvas');
  assert.notEqual(ring.style, 'none');
  assert.ok(ring.width >= 2, `outline ${ring.width}px`);
  assert.ok(!ring.clipped || ring.offset + ring.width <= 0, JSON.stringify(ring));
  await page.close();
});
