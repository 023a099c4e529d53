// Compare mode (www/compare.js) as a lecturer uses it: each side is the very run made alone
// (stats and frame at random instants under the one clock), Step and the timeline move both,
// Step back undoes them exactly, the link holds both sides and the moment (and an old link still
// opens one run), and each pair button opens its pair.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { newWatchedPage, openLab, startLab } from './browser.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let lab;

before(async () => {
  lab = await startLab();
});

after(async () => {
  await lab?.close();
});

/** Waits until compare mode shows two runs of `presets` ([left, right]). */
async function waitForSides(page, presets) {
  await page.waitForFunction(
    (want) => {
      const c = window.pipelineLabCompare;
      if (!c?.active) return false;
      return c.sides.every((s, i) => s.run && s.stats && s.side.preset === want[i]);
    },
    presets,
    { timeout: 30_000 },
  );
}

/** Opens the page, then compare mode with pair `pair` by its button. */
async function openPair(pair, presets) {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url);
  await page.click('#compare-button');
  await waitForSides(page, ['p1', 'p5']);
  if (pair.startsWith('f')) {
    await page.selectOption('#cmp-failure', pair);
    await page.click('#cmp-failure-go');
  } else await page.click(`#cmp-pairs button[data-pair="${pair}"]`);
  await waitForSides(page, presets);
  return { page, problems };
}

/**
 * Each side made again alone in the page (pkg/st's Lab, the side's program and start-of-run
 * sliders), sought to operation `ops` (then to `timeUs`, where only time passed after it): its
 * stats and frame, as compare mode's snapshot() has them.
 */
async function alone(page, sides, timeUs, ops) {
  return page.evaluate(
    async ({ sides, timeUs, ops }) => {
      const wasm = await import('/pkg/st/pipeline_lab.js');
      const { pipelineSpec } = await import('/www/params.js');
      return sides.map((side) => {
        const lab =
          side.preset === 'builder'
            ? wasm.Lab.fromPipeline(pipelineSpec(side.builder), 'en', { engine: 'model' })
            : new wasm.Lab(side.preset, 'en', { engine: 'model' });
        const shape = lab.shape();
        const workers = shape.stages.filter((s) => s.workers > 0);
        const queues = shape.queues.filter((q) => q.resizable);
        side.overrides.workers?.forEach((v, i) => {
          if (v !== workers[i].workers) lab.setWorkers(workers[i].stage, v);
        });
        const initial = lab.scenario().queues;
        side.overrides.maxsize?.forEach((v, i) => {
          if (v !== (initial[queues[i].index].maxsize ?? 0)) lab.setMaxsize(queues[i].index, v);
        });
        // To the same operation (the moment within an instant), which must be at the same time.
        let guard = 0;
        while (!lab.seekOps(ops, 1_000_000) && guard++ < 1000);
        if (lab.timeMs() * 1000 < timeUs) lab.seek(timeUs / 1000);
        const t = lab.frame();
        const frame = {
          threadStates: Array.from(lab.threadStates()),
          threadLines: Array.from(lab.threadLines()),
          threadItems: Array.from(lab.threadItems()),
          queueStarts: Array.from(lab.queueStarts()),
          queueLens: Array.from(lab.queueLens()),
          queueItems: Array.from(lab.queueItems().slice(0, 2000)),
        };
        const stats = lab.stats();
        lab.free();
        return { timeUs: t, stats, frame };
      });
    },
    { sides, timeUs, ops },
  );
}

/** What must agree: the whole stats object but the console's language-free lines, and the frame. */
function assertSame(shown, made, what) {
  assert.equal(shown.timeUs, made.timeUs, `${what}: time`);
  assert.deepEqual(shown.stats, made.stats, `${what}: stats`);
  assert.deepEqual(shown.frame, made.frame, `${what}: frame`);
}

test('each side equals the same run made alone, at random instants under the one clock', async () => {
  for (const [pair, presets] of [
    ['workers', ['p5', 'p6']],
    ['bounded', ['builder', 'builder']],
    ['f3', ['f3', 'f3']],
  ]) {
    const { page, problems } = await openPair(pair, presets);
    // Play both at a high speed for a moment, then pause: both runs are at one time.
    await page.selectOption('#cmp-speed', pair === 'workers' ? '20' : '5');
    for (let k = 0; k < 3; k++) {
      await page.click('#cmp-play');
      await page.waitForTimeout(100 + Math.floor(Math.random() * 300));
      await page.click('#cmp-play');
      const snap = await page.evaluate(() => window.pipelineLabCompare.snapshot());
      const running = snap.filter((s) => s.stats.status === 'running');
      // Every side still running is at the one clock's time; an ended one at its end.
      if (running.length === 2) assert.equal(snap[0].timeUs, snap[1].timeUs, `${pair}: one clock`);
      const made = await Promise.all(
        snap.map((s, i) => alone(page, [s.side], s.timeUs, s.ops).then((r) => r[0] ?? i)),
      );
      snap.forEach((s, i) => assertSame(s, made[i], `${pair} side ${i} at ${s.timeUs} us`));
    }
    // A random instant by the timeline (backward: a replay), then Step: both move together.
    const max = Number(await page.locator('#cmp-scrubber').getAttribute('max'));
    const target = Math.floor(max * (0.2 + 0.5 * Math.random()));
    await page.evaluate((us) => window.pipelineLabCompare.seek(us / 1000), target);
    await page.waitForFunction(() => !window.pipelineLabCompare.seeking);
    await page.click('#cmp-step');
    await page.click('#cmp-step');
    const snap = await page.evaluate(() => window.pipelineLabCompare.snapshot());
    for (const [i, s] of snap.entries()) {
      const [made] = await alone(page, [s.side], s.timeUs, s.ops);
      assertSame(s, made, `${pair} side ${i} after seek + step`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('Step moves both runs to the sooner of their next events', async () => {
  const { page, problems } = await openPair('polling', ['p1', 'p5']);
  let last = 0;
  for (let k = 0; k < 12; k++) {
    const before = await page.evaluate(() =>
      window.pipelineLabCompare.sides.map((s) => [
        s.run.timeMs(),
        s.run.nextEventMs(),
        s.run.ended,
      ]),
    );
    await page.click('#cmp-step');
    const after = await page.evaluate(() =>
      window.pipelineLabCompare.sides.map((s) => s.run.timeMs()),
    );
    const next = Math.min(...before.filter((b) => !b[2]).map((b) => b[1]));
    for (const [i, b] of before.entries()) {
      if (!b[2]) assert.equal(after[i], next, `step ${k}: side ${i} at the sooner next event`);
    }
    assert.ok(next >= last);
    last = next;
  }
  // The strip shows both runs' figures from their stats.
  const strip = await page.evaluate(() =>
    [...document.querySelectorAll('#cmp-strip-body tr')].map((tr) => [
      tr.dataset.figure,
      ...[...tr.querySelectorAll('td')].map((td) => td.dataset.value),
    ]),
  );
  const stats = await page.evaluate(() =>
    window.pipelineLabCompare.sides.map((s) => s.run.stats()),
  );
  const polls = strip.find((r) => r[0] === 'polls');
  assert.deepEqual(
    polls.slice(1).map(Number),
    stats.map((s) => s.polls),
  );
  const cpu = strip.find((r) => r[0] === 'wastedCpu');
  assert.deepEqual(
    cpu.slice(1).map(Number),
    stats.map((s) => s.wasted_cpu_us),
  );
  assert.deepEqual(problems, []);
  await page.close();
});

test('each pair button opens its pair, and the link holds both sides', async () => {
  const pairs = {
    polling: { presets: ['p1', 'p5'] },
    bounded: {
      presets: ['builder', 'builder'],
      maxsize: [
        [0, 0, 0],
        [10, 10, 10],
      ],
    },
    workers: {
      presets: ['p5', 'p6'],
      workers: [
        [1, 1, 1],
        [3, 4, 5],
      ],
    },
    f1: { presets: ['p6', 'f1'] },
    f2: { presets: ['p4', 'f2'] },
    f3: {
      presets: ['f3', 'f3'],
      maxsize: [
        [10, 10, 10],
        [0, 0, 0],
      ],
    },
    f4: { presets: ['f4', 'f4'] },
  };
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p3');
  await page.click('#compare-button');
  await waitForSides(page, ['p3', 'p5']);
  for (const [pair, want] of Object.entries(pairs)) {
    if (pair.startsWith('f')) {
      await page.selectOption('#cmp-failure', pair);
      await page.click('#cmp-failure-go');
    } else await page.click(`#cmp-pairs button[data-pair="${pair}"]`);
    await waitForSides(page, want.presets);
    const stats = await page.evaluate(() =>
      window.pipelineLabCompare.sides.map((s) => s.run.stats()),
    );
    const stageQueues = (s) =>
      s.queues.filter((q) => q.name !== 'done_queue').map((q) => q.maxsize);
    if (want.maxsize) assert.deepEqual(stats.map(stageQueues), want.maxsize, pair);
    if (want.workers) {
      assert.deepEqual(
        stats.map((s) => s.stages.map((st) => st.workers)),
        want.workers,
        pair,
      );
    }
    // The link holds both sides: opened in a new tab, it shows the same pair, same settings.
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /[#&]cmp=/, pair);
    const other = await lab.context.newPage();
    await openLab(other, lab.url, hash);
    await waitForSides(other, want.presets);
    const again = await other.evaluate(() =>
      window.pipelineLabCompare.sides.map((s) => s.run.stats()),
    );
    assert.deepEqual(again.map(stageQueues), stats.map(stageQueues), `${pair}: link`);
    assert.deepEqual(
      again.map((s) => s.stages.map((st) => st.workers)),
      stats.map((s) => s.stages.map((st) => st.workers)),
      `${pair}: link`,
    );
    await other.close();
  }
  // Back to one run: the link loses cmp=, and the single run's page is there.
  await page.click('#cmp-close');
  assert.doesNotMatch(await page.evaluate(() => location.hash), /cmp=/);
  assert.equal(await page.evaluate(() => document.body.dataset.mode ?? ''), '');
  assert.equal(await page.locator('#pipeline').isVisible(), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('an old link opens one run as before, and a bad cmp= falls back with a notice', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#p=p6&v=2&e=model&s=1&l=en');
  assert.equal(await page.locator('#compare').isVisible(), false);
  assert.equal(await page.evaluate(() => window.pipelineLab.state.preset), 'p6');
  await openLab(page, lab.url, '#p=p6&cmp=p9-p5');
  assert.equal(await page.locator('#compare').isVisible(), false);
  assert.match(await page.locator('#notice').textContent(), /cmp=p9-p5/);
  // A builder side with its own sliders survives the round trip.
  const side = 'builder_n200_st2_w2,3_m0,5_t1,2_dconst_r0_mem0_seed9';
  await openLab(page, lab.url, `#p=p1&cmp=${side}-p6_w2,2,2`);
  await waitForSides(page, ['builder', 'p6']);
  const stats = await page.evaluate(() =>
    window.pipelineLabCompare.sides.map((s) => s.run.stats()),
  );
  assert.deepEqual(
    stats[0].stages.map((s) => s.workers),
    [2, 3],
  );
  assert.equal(stats[0].items_total, 200);
  assert.deepEqual(
    stats[1].stages.map((s) => s.workers),
    [2, 2, 2],
  );
  assert.match(await page.evaluate(() => location.hash), new RegExp(`cmp=${side}-p6_w2,2,2`));
  assert.deepEqual(problems, []);
  await page.close();
});

test('axe finds no violation in compare mode, side by side and stacked, in English and Korean', async () => {
  const { page, problems } = await newWatchedPage(lab);
  const found = [];
  for (const [width, height] of [
    [1440, 900],
    [390, 844],
  ]) {
    for (const lang of ['en', 'ko']) {
      await page.setViewportSize({ width, height });
      await page.goto('about:blank');
      await openLab(page, lab.url, `#l=${lang}&cmp=p6-f1`);
      await waitForSides(page, ['p6', 'f1']);
      await page.selectOption('#cmp-speed', '1000');
      await page.click('#cmp-play');
      await page.waitForFunction(() => window.pipelineLabCompare.phase === 'ended', null, {
        timeout: 30_000,
      });
      await page.evaluate(() => {
        for (const d of document.querySelectorAll('.cmp-sliders')) d.open = true;
      });
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate(async () => {
        const result = await window.axe.run(document.getElementById('compare'));
        return result.violations.map(
          (v) =>
            `${v.id}: ${v.nodes
              .slice(0, 2)
              .map((n) => n.target.join(' '))
              .join(' | ')}`,
        );
      });
      for (const v of violations) found.push(`${width} ${lang}: ${v}`);
      // The page never scrolls sideways (a canvas pans inside its frame on a phone).
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `${width} ${lang}: ${overflow}px sideways`);
      // Where a canvas pans, each side says so, as the single view does.
      assert.equal(
        await page.locator('#cmp-side-0 .pan-hint').isVisible(),
        width < 700,
        `${width} ${lang}: the pan hint`,
      );
      // Stacked, the sides are named top and bottom; side by side, left and right.
      const title = await page.locator('#cmp-side-title-0').textContent();
      // Below 2300 px side by side would leave each canvas too narrow for its labels.
      const want = { en: width < 2300 ? 'Top' : 'Left', ko: width < 2300 ? '위' : '왼쪽' }[lang];
      assert.equal(title, want);
      // F1 hangs: its side says so in the strip.
      assert.equal(
        await page
          .locator('#cmp-strip-body tr[data-figure="status"] td')
          .last()
          .getAttribute('data-status'),
        'hang',
      );
    }
  }
  assert.deepEqual(found, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('with real threads selected, compare mode says both sides run the model engine', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#cmp=p5-p6');
  await waitForSides(page, ['p5', 'p6']);
  assert.equal(await page.locator('#cmp-note').isVisible(), false);
  // The page's state as the engine switch leaves it when real threads are picked.
  await page.evaluate(() => (window.pipelineLabCompare.state().engine = 'threads'));
  await page.click('#cmp-pairs button[data-pair="polling"]');
  await waitForSides(page, ['p1', 'p5']);
  assert.equal(await page.locator('#cmp-note').isVisible(), true);
  assert.match(await page.locator('#cmp-note').textContent(), /model engine/);
  const engines = await page.evaluate(() =>
    window.pipelineLabCompare.sides.map((s) => [s.run.engine, s.run.capabilities.canReplay]),
  );
  assert.deepEqual(engines, [
    ['model', true],
    ['model', true],
  ]);
  assert.deepEqual(problems, []);
  await page.close();
});

/** The strip as rows: [figure, lesson?, better side or '', left value, right value]. */
async function stripRows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('#cmp-strip-body tr')].map((tr) => [
      tr.dataset.figure,
      tr.dataset.lesson === 'true',
      tr.dataset.better ?? '',
      ...[...tr.querySelectorAll('td')].map((td) => td.dataset.value),
    ]),
  );
}

test('each pair marks better only the figures its lesson compares, under a caption in both languages', async () => {
  const lessons = {
    polling: { presets: ['p1', 'p5'], figures: ['polls', 'wastedCpu'], word: [/Polls/, /폴링/] },
    bounded: {
      presets: ['builder', 'builder'],
      figures: ['memory', 'peakMemory', 'throughput', 'p95'],
      word: [/Memory now/, /메모리/],
    },
    workers: {
      presets: ['p5', 'p6'],
      figures: ['throughput', 'p95'],
      word: [/Throughput/, /처리량/],
    },
  };
  for (const [pair, want] of Object.entries(lessons)) {
    const { page, problems } = await openPair(pair, want.presets);
    await page.evaluate(() => window.pipelineLabCompare.seek(1500));
    await page.waitForFunction(() => !window.pipelineLabCompare.seeking, null, { timeout: 60_000 });
    const rows = await stripRows(page);
    for (const [figure, lesson, better] of rows) {
      assert.equal(lesson, want.figures.includes(figure), `${pair} ${figure}: lesson row`);
      if (!lesson) assert.equal(better, '', `${pair}: ${figure} is not the lesson's`);
    }
    if (pair === 'polling') {
      // P1's stages take no time: its throughput is far higher, and still not marked.
      const throughput = rows.find((r) => r[0] === 'throughput');
      assert.ok(Number(throughput[3]) > 10 * Number(throughput[4]), String(throughput));
      assert.equal(rows.find((r) => r[0] === 'polls')[2], 'right');
      assert.equal(rows.find((r) => r[0] === 'wastedCpu')[2], 'right');
    }
    const caption = page.locator('#cmp-caption');
    assert.equal(await caption.isVisible(), true, pair);
    assert.match(await caption.textContent(), want.word[0]);
    await page.selectOption('#lang', 'ko');
    await page.waitForFunction(() =>
      /[가-힣]/.test(document.getElementById('cmp-caption').textContent),
    );
    assert.match(await caption.textContent(), want.word[1]);
    assert.match(await page.locator('#cmp-better-rule').textContent(), /2%/);
    // Sides of one's own (a slider moved) are no pair: no caption, every row may be marked.
    await page.evaluate(() => {
      const c = window.pipelineLabCompare;
      c.sides[0].side.overrides.workers = null;
      c.sides[0].side.preset = 'p2';
      return c.restart();
    });
    assert.equal(await caption.isVisible(), false, `${pair}: own sides`);
    assert.ok((await stripRows(page)).every((r) => r[1]));
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('no side is better within 2%, and the failing program is never better', async () => {
  const { page, problems } = await openPair('f1', ['p6', 'f1']);
  const rule = await page.evaluate(async () => {
    const { betterSide, TOLERANCE } = await import('/www/compare.js');
    return {
      tolerance: TOLERANCE,
      close: betterSide(1003, 1002, 'low'),
      apart: betterSide(3006, 0, 'low'),
      high: betterSide(190, 100, 'high'),
      missing: betterSide(null, 3, 'low'),
    };
  });
  assert.deepEqual(rule, { tolerance: 0.02, close: null, apart: 1, high: 0, missing: null });
  // Before F1 hangs, and after: F1 is never marked better, on any row.
  for (const t of [2500, 6000]) {
    await page.evaluate((ms) => window.pipelineLabCompare.seek(ms), t);
    await page.waitForFunction(() => !window.pipelineLabCompare.seeking, null, { timeout: 60_000 });
    const rows = await stripRows(page);
    assert.ok(
      rows.every((r) => r[2] !== 'right'),
      `t = ${t} ms: ${JSON.stringify(rows)}`,
    );
    const longest = rows.find((r) => r[0] === 'longest');
    assert.equal(longest[2], '', 'the longest queues differ by one item: no mark');
  }
  const status = (await stripRows(page)).find((r) => r[0] === 'status');
  assert.deepEqual(status.slice(2), ['left', 'finished', 'hang']);
  assert.deepEqual(problems, []);
  await page.close();
});

test('each side’s canvas has room for its column titles, queue counts and done count', async () => {
  const { page, problems } = await newWatchedPage(lab);
  for (const [width, height] of [
    [1440, 900],
    [1280, 720],
    [390, 844],
  ]) {
    for (const lang of ['en', 'ko']) {
      await page.setViewportSize({ width, height });
      await page.goto('about:blank');
      await openLab(page, lab.url, `#l=${lang}&cmp=p5-p6`);
      await waitForSides(page, ['p5', 'p6']);
      await page.evaluate(() => window.pipelineLabCompare.seek(2000));
      await page.waitForFunction(() => !window.pipelineLabCompare.seeking, null, {
        timeout: 60_000,
      });
      await page.waitForTimeout(200);
      const cut = await page.evaluate(() =>
        window.pipelineLabCompare.sides.flatMap((side, i) => {
          const r = side.renderer;
          r.relayout();
          const { ctx, geo, labels, shape } = r;
          const u = geo.unit;
          const spill = Math.max(0, Math.min(24, geo.gap - 6));
          const out = [];
          const check = (font, text, room) => {
            ctx.font = font;
            if (text && ctx.measureText(text).width > room) out.push(`side ${i}: ${text}`);
          };
          const title = `600 ${Math.round(13 * u)}px system-ui, sans-serif`;
          shape.groups.forEach((g, k) => {
            if (geo.groups[k]) check(title, labels.groupTitle(g), geo.groups[k].w + spill);
          });
          shape.queues.forEach((q, k) => {
            const box = geo.queues[k];
            if (!box) return;
            check(title, labels.queueTitle(q), box.w + spill);
            if (box.done) {
              check(`${Math.round(11 * u)}px system-ui, sans-serif`, labels.doneOf(1000), box.w);
            } else {
              const count = labels.queueCount(1000, box.maxsize, false);
              check(`600 ${Math.round(12.5 * u)}px system-ui, sans-serif`, count, box.w);
            }
          });
          return out;
        }),
      );
      assert.deepEqual(cut, [], `${width} ${lang}`);
    }
  }
  assert.deepEqual(problems, []);
  await page.close();
});

/** Both sides' snapshots, the clock and the strip: what Step back must give back exactly. */
async function shown(page) {
  const state = await page.evaluate(() => {
    const c = window.pipelineLabCompare;
    return { clockMs: c.clockMs, phase: c.phase, sides: c.snapshot() };
  });
  return { ...state, strip: await stripRows(page) };
}

async function settled(page) {
  await page.waitForFunction(() => !window.pipelineLabCompare.seeking, null, { timeout: 60_000 });
}

async function stepBack(page) {
  await page.click('#cmp-step-back');
  await settled(page);
}

/** Each side's operations. */
const opsOf = (state) => state.sides.map((s) => s.ops);

test('Step back undoes Step exactly: both frames, both stats and the strip as they were', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#cmp=p5-p6');
  await waitForSides(page, ['p5', 'p6']);
  const back = page.locator('#cmp-step-back');
  // At time 0 nothing has happened yet: nothing to step back to.
  assert.equal(await back.isDisabled(), true);
  assert.match(await back.getAttribute('aria-label'), /back/);
  const start = await shown(page);
  await page.click('#cmp-step');
  assert.equal(await back.isDisabled(), false);
  await stepBack(page);
  assert.deepEqual(await shown(page), start, 'Step then Step back at the start');
  assert.equal(await back.isDisabled(), true);

  // Played to a moment between two events, then three Steps and three Steps back.
  await page.selectOption('#cmp-speed', '20');
  await page.click('#cmp-play');
  await page.waitForFunction(() => window.pipelineLabCompare.clockMs > 300);
  await page.click('#cmp-play');
  const paused = await shown(page);
  const trail = [paused];
  for (let k = 0; k < 3; k++) {
    await page.click('#cmp-step');
    trail.push(await shown(page));
  }
  for (let k = 2; k >= 0; k--) {
    // The arrow key does what the button does, as on the single run's page.
    if (k === 1) {
      await page.keyboard.press('ArrowLeft');
      await settled(page);
    } else await stepBack(page);
    assert.deepEqual(await shown(page), trail[k], `back to step ${k}`);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('Step back after Play goes to the moment before the last change, on both sides', async () => {
  for (const [pair, presets, toEnd] of [
    ['workers', ['p5', 'p6'], false],
    ['polling', ['p1', 'p5'], false],
    // Played to the end: F1 hangs, P6 finishes.
    ['f1', ['p6', 'f1'], true],
  ]) {
    const { page, problems } = await openPair(pair, presets);
    await page.selectOption('#cmp-speed', toEnd ? '1000' : '5');
    await page.click('#cmp-play');
    if (toEnd) {
      await page.waitForFunction(() => window.pipelineLabCompare.phase === 'ended', null, {
        timeout: 30_000,
      });
    } else {
      await page.waitForFunction(() => window.pipelineLabCompare.clockMs > 200);
      await page.click('#cmp-play');
    }
    const here = await shown(page);
    await stepBack(page);
    const before = await shown(page);
    assert.ok(before.clockMs < here.clockMs, `${pair}: earlier`);
    assert.equal(before.phase, 'paused', pair);
    assert.notDeepEqual(opsOf(before), opsOf(here), `${pair}: something changed since`);
    // One clock: every side still running is at that moment.
    for (const s of before.sides) {
      if (s.stats.status === 'running') assert.equal(s.timeUs, Math.round(before.clockMs * 1000));
    }
    // The next change after it is the last one before `here`: Step lands on here's operations.
    await page.click('#cmp-step');
    const next = await shown(page);
    assert.deepEqual(opsOf(next), opsOf(here), `${pair}: Step goes to the last change`);
    assert.ok(next.clockMs <= here.clockMs && next.clockMs > before.clockMs);
    // And back, and back once more: a Step from there lands where it was again.
    await stepBack(page);
    assert.deepEqual(await shown(page), before, `${pair}: Step then Step back`);
    await stepBack(page);
    const earlier = await shown(page);
    assert.ok(earlier.clockMs < before.clockMs);
    await page.click('#cmp-step');
    assert.deepEqual(await shown(page), before, `${pair}: Step back then Step`);
    // Each side there is the same run made alone.
    for (const [i, s] of before.sides.entries()) {
      const [made] = await alone(page, [s.side], s.timeUs, s.ops);
      assertSame(s, made, `${pair} side ${i} after Step back`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});

/** The link the copy button makes (shown in its field when the clipboard is not allowed). */
async function copiedLink(page) {
  await page.click('#copy-link');
  return page.locator('#share-link').inputValue();
}

test('a compare link holds the moment: opened, both sides are there, paused, as stepped by hand', async () => {
  const { page, problems } = await newWatchedPage(lab);
  await openLab(page, lab.url, '#cmp=p5-p6');
  await waitForSides(page, ['p5', 'p6']);
  // At the start the link has no moment.
  assert.doesNotMatch(await copiedLink(page), /[#&]at=/);
  for (let k = 0; k < 9; k++) await page.click('#cmp-step');
  const byHand = await shown(page);
  const link = await copiedLink(page);
  assert.match(link, new RegExp(`[#&]at=\\d+\\.${Math.round(byHand.clockMs * 1000)}(&|$)`));
  // Played to a moment between two events: that moment too.
  await page.selectOption('#cmp-speed', '20');
  await page.click('#cmp-play');
  await page.waitForFunction(() => window.pipelineLabCompare.clockMs > 400);
  await page.click('#cmp-play');
  const played = await shown(page);
  const playedLink = await copiedLink(page);
  for (const [want, url] of [
    [byHand, link],
    [played, playedLink],
  ]) {
    const other = await newWatchedPage(lab);
    await other.page.goto(url);
    await waitForSides(other.page, ['p5', 'p6']);
    await other.page.waitForFunction(
      (us) => window.pipelineLabCompare.position().clockMs * 1000 === us,
      Math.round(want.clockMs * 1000),
      { timeout: 60_000 },
    );
    await settled(other.page);
    const opened = await shown(other.page);
    assert.equal(opened.phase, 'paused');
    assert.deepEqual(opened.sides, want.sides, url);
    assert.deepEqual(opened.strip, want.strip, url);
    assert.match(await other.page.locator('#notice').textContent(), /opened at the moment/);
    assert.deepEqual(other.problems, []);
    await other.page.close();
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('a compare link with a bad moment opens at the start with the notice, never a frozen tab', async () => {
  const { page, problems } = await newWatchedPage(lab);
  for (const bad of ['12.x', '-3.500', '1.2.3', '99999999999999999.5', '']) {
    await page.goto('about:blank');
    await openLab(page, lab.url, `#cmp=p5-p6&at=${bad}`);
    await waitForSides(page, ['p5', 'p6']);
    assert.match(
      await page.locator('#notice').textContent(),
      new RegExp(`at=${bad.replace('.', '\\.')}`),
    );
    const state = await shown(page);
    assert.equal(state.clockMs, 0, bad);
    assert.deepEqual(opsOf(state), [0, 0], bad);
  }
  // A time past both ends (well formed): both runs go to their ends by replay over frames.
  await page.goto('about:blank');
  await openLab(page, lab.url, '#cmp=p5-p6&at=1.9000000000000');
  await waitForSides(page, ['p5', 'p6']);
  await page.waitForFunction(() => window.pipelineLabCompare.phase === 'ended', null, {
    timeout: 60_000,
  });
  const ends = await page.evaluate(() => {
    const c = window.pipelineLabCompare;
    return { clockMs: c.clockMs, times: c.sides.map((s) => s.run.timeMs()) };
  });
  assert.equal(ends.clockMs, Math.max(...ends.times), 'the clock stops at the later end');
  // The link's operation count differs from the runs': the notice says so.
  assert.match(await page.locator('#notice').textContent(), /counted 1 operations/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("F3's pair: bounding the queues is the fix, so only the unbounded side runs out of memory", async () => {
  const { page, problems } = await openPair('f3', ['f3', 'f3']);
  // The unbounded side fails at about 1.34 s; look at 3 s, then from the bounded side's end.
  await page.evaluate(() => window.pipelineLabCompare.seek(3000));
  await page.waitForFunction(() => !window.pipelineLabCompare.seeking, null, { timeout: 60_000 });
  const at = await page.evaluate(() =>
    window.pipelineLabCompare.sides.map((s) => s.run.stats().status),
  );
  assert.deepEqual(at, ['running', 'memory_error']);
  const rows = await stripRows(page);
  assert.equal(rows.find((r) => r[0] === 'status')[2], 'left', JSON.stringify(rows));
  // The bounded side's queues stay small: its peak is tens of MiB, not a GiB.
  const peaks = await page.evaluate(() =>
    window.pipelineLabCompare.sides.map((s) => s.run.stats().peak_memory_bytes),
  );
  assert.ok(peaks[0] <= 40 * 2 ** 20 && peaks[1] > 2 ** 30, String(peaks));
  assert.deepEqual(problems, []);
  await page.close();
});

test("the bounded pair's lesson holds at the end: the bounded side's peak memory stays small", async () => {
  const { page, problems } = await openPair('bounded', ['builder', 'builder']);
  await page.evaluate(() => window.pipelineLabCompare.seek(60_000));
  await page.waitForFunction(() => !window.pipelineLabCompare.seeking, null, { timeout: 60_000 });
  const ends = await page.evaluate(() =>
    window.pipelineLabCompare.sides.map((s) => {
      const st = s.run.stats();
      return { status: st.status, peak: st.peak_memory_bytes };
    }),
  );
  assert.deepEqual(
    ends.map((e) => e.status),
    ['finished', 'finished'],
  );
  // Finished items are let go on both sides: unbounded peaks near every item's MiB, bounded
  // near its three queues of 10, and neither keeps the finished ones.
  assert.ok(ends[0].peak > 500 * 2 ** 20 && ends[1].peak <= 40 * 2 ** 20, JSON.stringify(ends));
  const rows = await stripRows(page);
  assert.equal(rows.find((r) => r[0] === 'peakMemory')[2], 'right', JSON.stringify(rows));
  assert.deepEqual(problems, []);
  await page.close();
});

test('played to the end at any speed, the clock stops at the later run’s end', async () => {
  const { page, problems } = await openPair('f2', ['p4', 'f2']);
  const speeds = await page
    .locator('#cmp-speed option')
    .evaluateAll((os) => os.map((o) => o.value));
  await page.selectOption('#cmp-speed', speeds.at(-1));
  await page.click('#cmp-play');
  await page.waitForFunction(() => window.pipelineLabCompare.phase === 'ended', null, {
    timeout: 60_000,
  });
  const { clock, ends } = await page.evaluate(() => ({
    clock: window.pipelineLabCompare.clockMs,
    ends: window.pipelineLabCompare.sides.map((s) => s.run.timeMs()),
  }));
  assert.equal(clock, Math.max(...ends), `clock ${clock} against ends ${ends}`);
  assert.match(await page.locator('#cmp-at').textContent(), /0\.050/);
  assert.deepEqual(problems, []);
  await page.close();
});
