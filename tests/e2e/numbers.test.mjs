// Numbers that never contradict each other: at random instants of every program (P1-P6, F1-F4,
// the builder) the canvas's frame, the stats panel, the charts' last points and the console agree;
// and a refused link leaves a coherent page (the program it fell back to, and a notice).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT } from '../../scripts/serve.mjs';
import { formatBytes } from '../../www/i18n.js';
import { STATES } from '../../www/icons.js';
import { rng } from './rng.mjs';
import {
  newWatchedPage,
  openLab,
  runToEnd,
  setSlider,
  startLab,
  waitForReady,
} from './browser.mjs';

const PROGRAMS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'f1', 'f2', 'f3', 'f4', 'builder'];
const INSTANTS = 7;
const HAVE_MT = existsSync(join(REPO_ROOT, 'pkg', 'mt', 'pipeline_lab.js'));
const noThreads = HAVE_MT ? false : 'pkg/mt is not built (scripts/build-wasm-mt.sh)';

let lab;
let page;
let problems;
before(async () => {
  lab = await startLab();
  ({ page, problems } = await newWatchedPage(lab));
});
after(async () => {
  await page?.close();
  await lab?.close();
});

/** Seeks to `us` (a replay on the model engine) and waits until the page shows that instant. */
async function seek(us) {
  await page.evaluate((us) => window.pipelineLab.seekUs(us), us);
  await page.waitForFunction(() => !window.pipelineLab.seeking, null, { timeout: 60_000 });
  // Two animation frames: the canvas draws the frame of the instant the stats describe.
  await page.evaluate(
    () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
  );
}

/** Everything the page shows of one instant, read at once. */
function snapshot() {
  return page.evaluate(async () => {
    const { charts, renderer } = await import('/www/page.js');
    const { app } = await import('/www/state.js');
    const lab = window.pipelineLab;
    const stats = lab.stats;
    const data = (id) => document.getElementById(id)?.dataset.value;
    const rows = (body, keys) =>
      [...document.querySelectorAll(`#${body} tr`)].map((tr) =>
        Object.fromEntries(
          keys.map((k) => [k, tr.querySelector(`[data-k="${k}"]`)?.dataset.value]),
        ),
      );
    return {
      scenario: { done_queue: app.run.scenario.done_queue, stages: app.run.scenario.stages.length },
      phase: lab.phase,
      stats,
      drawnUs: app.lastFrameUs,
      canvas: {
        queueLens: Array.from(renderer.lastQueueLengths),
        states: Array.from(renderer.lastStates),
        annotations: {
          itemsDone: renderer.annotations.itemsDone,
          unfinished: renderer.annotations.unfinished,
          queueBytes: renderer.annotations.queueBytes,
          bottleneck: renderer.annotations.bottleneck,
        },
      },
      frame: lab.frameSignature(),
      panel: {
        itemsDone: data('items-done'),
        itemsText: document.getElementById('items-done').textContent,
        timeUs: data('virtual-time'),
        throughput: data('throughput'),
        throughputText: document.getElementById('throughput').textContent,
        throughputNote: document.getElementById('throughput-note').textContent,
        bound: data('theoretical'),
        boundText: document.getElementById('theoretical').textContent,
        memory: data('memory'),
        memoryText: document.getElementById('memory').textContent,
        queues: rows('queues-body', ['len', 'bytes']),
        stages: rows('stages-body', ['workers', 'util']),
        bottleneck: [...document.querySelectorAll('#stages-body tr')].findIndex((tr) =>
          tr.classList.contains('bottleneck'),
        ),
        console: [...document.querySelectorAll('#console .line')].map((l) => l.textContent),
        summary: document.getElementById('canvas-summary')?.textContent ?? null,
      },
      chart: charts.lastPoint(),
    };
  });
}

/** Every figure of `s` against the engine's stats of the same instant. */
function checkAgreement(s, where, { playing = false } = {}) {
  const { stats, frame, canvas, panel, chart } = s;
  const at = `${where} at t = ${stats.virtual_time_us} us`;
  // One instant: the frame the canvas drew, the stats, the panel's clock.
  assert.equal(frame.timeUs, stats.virtual_time_us, `${at}: frame time`);
  assert.equal(s.drawnUs, stats.virtual_time_us, `${at}: the canvas drew another instant`);
  assert.equal(Number(panel.timeUs), stats.virtual_time_us, `${at}: panel time`);
  // Threads: the canvas's states are the stats' states.
  assert.deepEqual(
    canvas.states.map((x) => STATES[x]),
    stats.threads.map((th) => th.state),
    `${at}: thread states`,
  );
  assert.deepEqual(frame.threadStates, canvas.states, `${at}: frame and canvas states`);
  // Queues: lengths on the canvas, in the frame, in the stats and in the table.
  stats.queues.forEach((q, i) => {
    assert.equal(canvas.queueLens[i], q.len, `${at}: ${q.name} on the canvas`);
    assert.equal(Number(panel.queues[i].len), q.len, `${at}: ${q.name} in the table`);
    assert.equal(Number(panel.queues[i].bytes), q.bytes, `${at}: ${q.name}'s bytes`);
    assert.ok(q.items <= q.len, `${at}: ${q.name} items without SENTINELs`);
  });
  // Memory: the queues add up to the total the panel shows; the canvas gauges read the same.
  const sum = stats.queues.reduce((a, q) => a + q.bytes, 0);
  assert.equal(sum, stats.memory_bytes, `${at}: queues' bytes sum to the total`);
  assert.equal(Number(panel.memory), stats.memory_bytes, `${at}: memory shown`);
  assert.ok(stats.peak_memory_bytes >= stats.memory_bytes, `${at}: the peak is at least now`);
  if (stats.memory_budget_bytes) {
    assert.ok(
      panel.memoryText.includes(formatBytes(stats.peak_memory_bytes)),
      `${at}: the peak shown: ${panel.memoryText}`,
    );
  }
  assert.deepEqual(
    canvas.annotations.queueBytes,
    stats.queues.map((q) => q.bytes),
    `${at}: canvas gauges`,
  );
  // Items done: the panel, the canvas and, where there is one, the done queue's length.
  assert.equal(Number(panel.itemsDone), stats.items_done, `${at}: items done shown`);
  assert.equal(canvas.annotations.itemsDone, stats.items_done, `${at}: canvas items done`);
  const dq = s.scenario.done_queue;
  if (dq !== null && dq !== undefined) {
    assert.equal(stats.queues[dq].len, stats.items_done, `${at}: done_queue holds the done`);
  }
  assert.deepEqual(
    canvas.annotations.unfinished,
    stats.queues.map((q) => q.unfinished_tasks),
    `${at}: unfinished tasks on the canvas`,
  );
  // Throughput: one definition, done / elapsed, undefined at t = 0 (shown with a reason).
  if (stats.virtual_time_us === 0) {
    assert.equal(stats.throughput_per_s, null, `${at}: no rate over no time`);
    assert.equal(panel.throughputText, '—', `${at}: a dash`);
    assert.match(panel.throughputNote, /undefined|정할 수 없습니다/, `${at}: and the reason`);
  } else {
    const want = (stats.items_done * 1e6) / stats.virtual_time_us;
    assert.ok(Math.abs(stats.throughput_per_s - want) <= 1e-9 * Math.max(1, want), `${at}: rate`);
    assert.equal(Number(panel.throughput), stats.throughput_per_s, `${at}: rate shown`);
  }
  assert.equal(
    panel.bound === '' ? null : Number(panel.bound),
    stats.theoretical_per_s ?? null,
    `${at}: capacity bound shown`,
  );
  // Above the long-run bound, the page says why a finite run can be; below it, nothing.
  const above = stats.throughput_per_s > (stats.theoretical_per_s ?? Infinity);
  assert.equal(/so far|지금까지는/.test(panel.boundText), above, `${at}: ${panel.boundText}`);
  // The charts' last point is this instant's stats, with the panel's definitions (while playing
  // they sample a few times a second, so their last point may be an earlier instant).
  if (chart && !playing) {
    assert.equal(chart.timeS, stats.virtual_time_us / 1e6, `${at}: chart time`);
    assert.equal(chart.throughput, stats.throughput_per_s ?? null, `${at}: chart throughput`);
    assert.equal(chart.best, stats.theoretical_per_s ?? null, `${at}: chart bound`);
    const charted = stats.queues.filter((_, i) => i !== dq).map((q) => q.len);
    assert.deepEqual(chart.queues, charted, `${at}: chart queues`);
    stats.stages.forEach((st, i) => {
      const want = st.workers > 0 ? st.utilization : null;
      assert.equal(chart.utilization[i], want, `${at}: chart utilization of ${st.name}`);
    });
  }
  // Stages: workers and utilization as the engine counts them; a worker drawn working is counted.
  stats.stages.forEach((st, i) => {
    assert.equal(Number(panel.stages[i].workers), st.workers, `${at}: ${st.name} workers`);
    assert.equal(Number(panel.stages[i].util), st.utilization, `${at}: ${st.name} utilization`);
    const working = stats.threads.filter((th) => th.stage === i && th.state === 'working').length;
    assert.ok(working <= st.workers, `${at}: ${st.name} draws ${working} working of ${st.workers}`);
    // Little's law as computed: L = lambda x W to rounding.
    if (stats.virtual_time_us > 0 && st.little_l > 0) {
      const lw = (st.little_lambda_per_s * st.little_w_us) / 1e6;
      assert.ok(Math.abs(lw - st.little_l) <= 1e-9 * st.little_l + 1e-12, `${at}: Little's law`);
    }
  });
  assert.equal(
    panel.bottleneck === -1 ? null : panel.bottleneck,
    stats.bottleneck ?? null,
    `${at}: the bottleneck row is the engine's`,
  );
  // The console shows the engine's lines, all of them, in order.
  assert.deepEqual(panel.console, stats.console, `${at}: console`);
  // The canvas's sentence for screen readers names the same instant.
  if (panel.summary) {
    assert.ok(
      panel.summary.includes((stats.virtual_time_us / 1e6).toFixed(3)),
      `${at}: summary time`,
    );
  }
}

for (const id of PROGRAMS) {
  test(`${id}: canvas, stats, charts and console agree at random instants`, async () => {
    // While it plays: every frame the canvas draws, the panel shows the same instant.
    await openLab(page, lab.url, `#p=${id}&s=1`);
    await page.click('#run');
    for (let k = 0; k < 4; k++) {
      await page.waitForTimeout(120);
      const s = await snapshot();
      if (s.stats.status !== 'running' || s.phase !== 'playing') break;
      checkAgreement(s, `${id} while playing`, { playing: true });
    }
    await openLab(page, lab.url, `#p=${id}&s=1000`);
    const start = await snapshot();
    checkAgreement(start, `${id} at the start`);
    const end = await runToEnd(page, { timeout: 120_000 });
    assert.notEqual(end.status, 'running', id);
    const endUs = (await page.evaluate(() => window.pipelineLab.stats)).virtual_time_us;
    checkAgreement(await snapshot(), `${id} at the end`);
    const next = rng(14 + id.charCodeAt(0) * 31 + id.charCodeAt(1));
    const instants = Array.from({ length: INSTANTS }, () => Math.floor(next() * endUs));
    for (const us of instants) {
      await seek(us);
      checkAgreement(await snapshot(), `${id} after a seek to ${us} us`);
    }
    assert.deepEqual(problems, []);
  });
}

test('a MemoryError names a total that its queues add up to, and says what grew', async () => {
  // The builder: every queue bounded at 10, 100 items/s, a 64 MiB budget, results kept.
  const hash = '#p=builder&s=1000&st=3&n=400&w=2,2,2&m=10,10,10&t=5,5,5&d=exp&r=100&mem=64&seed=1';
  await openLab(page, lab.url, `${hash}&k=keep`);
  const kept = await runToEnd(page, { timeout: 120_000 });
  assert.equal(kept.status, 'memory_error');
  const report = await page.evaluate(() => window.pipelineLab.stats.memory_error);
  const sum = report.queues.reduce((a, q) => a + q.bytes, 0);
  assert.equal(sum, report.bytes);
  assert.equal(report.queue, 'done_queue');
  assert.match(kept.statusText, /done_queue keeps every finished item/);
  assert.match(kept.statusText, /download_queue \d+ MiB \+ .* = \d+ MiB/);
  // Counting the results instead: the same bounded pipeline finishes within its budget.
  await openLab(page, lab.url, `${hash}&k=count`);
  const counted = await runToEnd(page, { timeout: 120_000 });
  assert.equal(counted.status, 'finished');
  assert.equal(await page.locator('#sink').inputValue(), 'count');
  assert.match(await page.evaluate(() => location.hash), /[#&]k=count(&|$)/);
  assert.deepEqual(problems, []);
});

test('above the capacity bound, the page says why a finite run can be', async () => {
  // 8 workers a stage at 10 ms: 800 items/s, 500 arriving a second. Mid-run, download drops to
  // 1 worker: the bound falls to 100 items/s while the rate so far is still far above it.
  const hash =
    '#p=builder&s=1000&st=3&n=1000&w=8,8,8&m=0,0,0&t=10,10,10&d=const&r=500&mem=0&seed=1';
  await openLab(page, lab.url, hash);
  await seek(600_000);
  await setSlider(page, 'w-0', 1);
  await page.waitForFunction(() => window.pipelineLab.stats.theoretical_per_s === 100);
  await seek(650_000);
  const s = await snapshot();
  checkAgreement(s, 'after removing workers');
  assert.ok(s.stats.throughput_per_s > 100, `${s.stats.throughput_per_s}`);
  assert.match(s.panel.boundText, /so far: a finite run can be/);
  assert.deepEqual(problems, []);
});

test("the throughput chart's axis is set by the settled run: P4's first points above it, the last on it", async () => {
  const axis = () =>
    page.evaluate(async () => {
      const { charts } = await import('/www/page.js');
      const plot = charts.plots[1];
      const points = plot.data[1].filter((v) => v != null);
      return {
        top: plot.scales.y.max,
        first: points[0],
        highest: Math.max(...points),
        last: charts.lastPoint().throughput,
        panel: window.pipelineLab.stats.throughput_per_s,
      };
    });
  // P4: one item done at 0.4 ms plots ~2,400/s; the axis is set by the rest of the run.
  await openLab(page, lab.url, '#p=p4&s=1000');
  await runToEnd(page);
  const p4 = await axis();
  assert.ok(p4.first > 10 * p4.top, `first ${p4.first} against an axis up to ${p4.top}`);
  assert.equal(p4.last, p4.panel);
  assert.ok(p4.last <= p4.top, `last ${p4.last} above the axis (${p4.top})`);
  // P6's points rise towards the bound: every one of them is on the axis.
  await openLab(page, lab.url, '#p=p6&s=1000');
  await runToEnd(page);
  const p6 = await axis();
  assert.ok(p6.highest <= p6.top, `${p6.highest} above the axis (${p6.top})`);
  assert.equal(p6.last, p6.panel);
  assert.deepEqual(problems, []);
});

test('a refused link leaves a coherent page: the program it fell back to and a notice', async () => {
  // Opened fresh, and as a link followed on a page that already shows another program.
  for (const [hash, refused, fresh] of [
    ['#p=nope&s=1000', /p=nope/, true],
    ['#p=builder&st=3&w=999,1,1&m=10,10,10&s=1000', /w=999,1,1/, true],
    ['#p=p6&w=1,1000,1&s=1000', /w=1,1000,1/, true],
    ['#p=nope&s=1000', /p=nope/, false],
    ['#p=builder&st=3&w=999,1,1&m=10,10,10&s=1000', /w=999,1,1/, false],
  ]) {
    if (fresh) {
      await page.goto('about:blank');
      await page.goto(`${lab.url}${hash}`);
      await waitForReady(page);
    } else {
      await openLab(page, lab.url, '#p=f4&s=1000');
      await runToEnd(page);
      await page.evaluate((hash) => {
        location.hash = hash;
      }, hash);
      await page.waitForFunction(
        (want) => new RegExp(want).test(document.getElementById('notice').textContent),
        refused.source,
      );
      await page.waitForFunction(() => window.pipelineLab.phase === 'ready');
    }
    const shown = await page.evaluate(async () => {
      const { app } = await import('/www/state.js');
      return {
        notice: document.getElementById('notice').textContent,
        error: document.getElementById('error').hidden,
        picked: document.getElementById('preset').value,
        state: window.pipelineLab.state.preset,
        scenario: app.run?.scenario.id ?? null,
        statsFor: window.pipelineLab.stats?.threads.length ?? null,
        threads: app.run?.scenario.threads.length ?? null,
        drawn: app.lastFrameUs,
      };
    });
    assert.match(shown.notice, refused, `${hash}: the notice names what was refused`);
    assert.equal(shown.error, true, `${hash}: no error left on screen`);
    assert.equal(shown.picked, shown.state, `${hash}: the picker names the program shown`);
    assert.equal(shown.scenario, shown.state, `${hash}: the run is the program named`);
    assert.equal(shown.statsFor, shown.threads, `${hash}: the stats are that program's`);
    assert.equal(shown.drawn, 0, `${hash}: its canvas is drawn`);
  }
  assert.deepEqual(problems, []);
});

test(
  'real threads say what differs from the model, and a run too big for the pool falls back to it',
  {
    skip: noThreads,
  },
  async () => {
    for (const lang of ['en', 'ko']) {
      await page.goto('about:blank');
      await page.goto(`${lab.url}#p=p6&e=threads&s=1&l=${lang}`);
      await waitForReady(page);
      const note = page.locator('#live-note');
      assert.equal(await note.isVisible(), true, `${lang}: the note shows on real threads`);
      const text = await note.textContent();
      const words =
        lang === 'en'
          ? [/order of operations changes/, /no step back/, /Step advances time/, /same units/]
          : [
              /연산 순서가 실행할 때마다 바뀌고/,
              /뒤로 가기는 없고/,
              /시간을 1.0 ms 진행합니다/,
              /같은 단위/,
            ];
      for (const w of words) assert.match(text, w, `${lang}: ${w}`);
      // The model engine says nothing of the kind.
      await page.check('#engine-model');
      await page.waitForFunction(() => document.getElementById('live-note').hidden);
      // 3 x 32 workers and main need 97 threads: the pool has 64. The refusal is named and the
      // same program runs on the model engine, with its canvas, stats and name.
      await page.goto('about:blank');
      await page.goto(
        `${lab.url}#p=builder&e=threads&s=1000&l=${lang}&st=3&n=100&w=32,32,32&m=10,10,10&t=1,1,1&d=exp&r=0&mem=0&seed=1`,
      );
      await page.waitForFunction(() => document.body.dataset.ready === 'true', null, {
        timeout: 30_000,
      });
      await page.waitForFunction(() => window.pipelineLab.stats?.threads.length === 97);
      const shown = await page.evaluate(async () => {
        const { app } = await import('/www/state.js');
        return {
          notice: document.getElementById('notice').textContent,
          errorHidden: document.getElementById('error').hidden,
          engine: app.run?.engine,
          model: document.getElementById('engine-model').checked,
          picked: document.getElementById('preset').value,
          note: document.getElementById('live-note').hidden,
          link: location.hash,
        };
      });
      assert.match(
        shown.notice,
        lang === 'en' ? /97 threads/ : /97개/,
        `${lang}: names the refusal`,
      );
      assert.match(shown.notice, lang === 'en' ? /on the model engine/ : /모델 엔진에서/);
      assert.equal(shown.errorHidden, true, 'no error over a program that runs');
      assert.equal(shown.engine, 'model');
      assert.equal(shown.model, true);
      assert.equal(shown.picked, 'builder');
      assert.equal(shown.note, true, 'no real-threads note on the model engine');
      assert.match(shown.link, /[#&]e=model(&|$)/, 'the link says what the page shows');
    }
    assert.deepEqual(problems, []);
  },
);
