// The wasm API as JS code calls it (pkg/st's Lab): structured values come back as plain objects,
// and a wrong argument type or an out-of-range number throws an Error that names the argument,
// never a trap, a wrap modulo 2^32 or a NaN taken for 0.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newWatchedPage, startLab } from './browser.mjs';

let lab;
let page;
let problems;

before(async () => {
  lab = await startLab();
  ({ page, problems } = await newWatchedPage(lab));
  await page.goto(`${lab.url}index.html#p=p1`);
  await page.evaluate(async () => {
    const mod = await import('/pkg/st/pipeline_lab.js');
    await mod.default();
    window.wasmApi = mod;
  });
});

after(async () => {
  await lab?.close();
});

/** Runs `body(mod)` in the page; returns its value, or `{threw: name, message}`. */
function call(body) {
  return page.evaluate(`(() => {
    const mod = window.wasmApi;
    try {
      return { value: (${body})(mod) };
    } catch (e) {
      return { threw: e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) };
    }
  })()`);
}

test('stats, scenario, presets and capabilities are plain objects', async () => {
  const r = await call(`(mod) => {
    const lab = new mod.Lab('p2', 'en');
    while (lab.step(1000)) {}
    const out = {
      stats: lab.stats(),
      scenario: lab.scenario(),
      capabilities: lab.capabilities(),
      presets: mod.presets(),
    };
    lab.free();
    return out;
  }`);
  assert.ok(r.value, JSON.stringify(r));
  const { stats, scenario, capabilities, presets } = r.value;
  assert.equal(stats.status, 'finished');
  assert.equal(stats.items_done, 1);
  assert.deepEqual(stats.console.slice(0, 2), ['consumer waiting', 'producer putting']);
  assert.equal(stats.hang, null, 'None is null, as in JSON');
  assert.equal(scenario.id, 'p2');
  assert.equal(capabilities.engine, 'model');
  assert.equal(capabilities.canReplay, true);
  assert.deepEqual(
    presets.map((p) => p.id),
    ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'f1', 'f2', 'f3', 'f4'],
  );
});

test('a pipeline is given as an object or as JSON text, with the same run', async () => {
  const r = await call(`(mod) => {
    const spec = {
      workers: [2, 2], maxsize: [3, 3], service: [{ dist: 'const', us: 1000 }, { dist: 'const', us: 500 }],
      items: 50, arrival: { kind: 'all_at_once' }, seed: 4,
    };
    const done = (lab) => { while (lab.step(1e6)) {} const s = lab.stats(); lab.free(); return s; };
    return [done(mod.Lab.fromPipeline(spec, 'en')), done(mod.Lab.fromPipeline(JSON.stringify(spec), 'en'))];
  }`);
  assert.ok(r.value, JSON.stringify(r));
  assert.equal(r.value[0].items_done, 50);
  assert.deepEqual(r.value[0], r.value[1]);
});

test('wrong argument types throw an Error naming the argument', async () => {
  const cases = [
    [`(mod) => new mod.Lab(5, 'en')`, /preset: expected a string/],
    [`(mod) => new mod.Lab('p1', 5)`, /lang: expected a string/],
    [`(mod) => new mod.Lab('p1', 'fr')`, /lang: `fr` is not en or ko/],
    [`(mod) => new mod.Lab('nope', 'en')`, /preset/],
    [`(mod) => new mod.Lab('p1', 'en', 'free')`, /options: expected an object/],
    [`(mod) => new mod.Lab('p1', 'en', { engine: 'warp' })`, /options/],
    [`(mod) => new mod.Lab('p1', 'en', { engine: 'live' })`, /threaded build/],
    [`(mod) => mod.Lab.fromPipeline(42, 'en')`, /pipeline: expected an object or JSON text/],
    [`(mod) => mod.Lab.fromPipeline({ workers: [1.5], items: 3 }, 'en')`, /pipeline/],
    [`(mod) => mod.Lab.fromScenario('{ not json', 'en')`, /scenario JSON/],
  ];
  for (const [body, message] of cases) {
    const r = await call(body);
    assert.equal(r.threw, 'Error', `${body}: ${JSON.stringify(r)}`);
    assert.match(r.message, message, body);
  }
});

test('numbers out of range throw instead of wrapping modulo 2^32', async () => {
  const cases = [
    [`(lab) => lab.setWorkers(1, 4294967298)`, /count: expected a whole number/],
    [`(lab) => lab.setWorkers(1, 2.5)`, /count: expected a whole number/],
    [`(lab) => lab.setWorkers(-1, 2)`, /stage: expected a whole number/],
    [`(lab) => lab.setMaxsize(4294967296, 3)`, /queue: expected a whole number/],
    [`(lab) => lab.setMaxsize(0, NaN)`, /maxsize: expected a whole number/],
    [`(lab) => lab.step(-1)`, /step: the time must be a number >= 0 ms/],
    [`(lab) => lab.seek(NaN)`, /seek: the time must be a number >= 0 ms/],
    [`(lab) => lab.stepBounded(1, -3)`, /maxOps: expected a whole number/],
  ];
  for (const [body, message] of cases) {
    const r = await call(`(mod) => {
      const lab = new mod.Lab('p6', 'en');
      lab.step(10);
      try {
        return (${body})(lab);
      } finally {
        lab.free();
      }
    }`);
    assert.equal(r.threw, 'Error', `${body}: ${JSON.stringify(r)}`);
    assert.match(r.message, message, body);
  }
  // And the run is unharmed: a valid call after a refused one works.
  const ok = await call(`(mod) => {
    const lab = new mod.Lab('p6', 'en');
    lab.step(10);
    try { lab.setWorkers(1, 4294967298); } catch {}
    lab.setWorkers(1, 2);
    while (lab.step(1e6)) {}
    const s = lab.stats();
    lab.free();
    return [s.items_done, s.stages[1].workers];
  }`);
  assert.deepEqual(ok.value, [1000, 2]);
});

test('no panic has happened, and none reaches the page as a trap', async () => {
  const r = await call(`(mod) => mod.lastPanic() ?? null`);
  assert.equal(r.value, null);
  assert.deepEqual(problems, []);
});
