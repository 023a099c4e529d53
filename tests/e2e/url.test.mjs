// Link fragments in Node (no browser): readState never throws, never lets a value the page
// does not take through (it falls back and names the key), and what writeState writes, moment
// included, reads back the same.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { rng } from './rng.mjs';
import { PARAMS, applyLimits } from '../../www/params.js';
import {
  LINK_VERSION,
  PACES,
  compareSide,
  defaultState,
  readState,
  writeState,
} from '../../www/url.js';

// The sliders' highs come from the engine's limits, as on the page: the wasm module runs in Node.
const wasm = await import('../../pkg/st/pipeline_lab.js');
wasm.initSync({
  module: readFileSync(new URL('../../pkg/st/pipeline_lab_bg.wasm', import.meta.url)),
});
applyLimits(wasm.limits());

const KEYS = ['p', 'v', 'e', 's', 'l', 'pace', 'st', 'n', 'w', 'm', 't', 'd', 'r', 'mem', 'seed'];
const MORE_KEYS = ['at', 'paused', 'c', 'zz', ''];
const ATOMS = [
  '0',
  '1',
  '2',
  '3',
  '-1',
  '1.5',
  '2.5',
  '0.3',
  '0.0001',
  '1e3',
  '10',
  '1000',
  '4294967296',
  '99999999999999999999',
  'NaN',
  'Infinity',
  'p6',
  'builder',
  'model',
  'ko',
  'exp',
  '',
  ' ',
  '%E0%A4%A',
  'w1.6.10.20',
  'm0.2.5.0_w1.3.9.40',
  'x1.1.1.1',
  '12.3400',
];

function fragment(next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const parts = [];
  const n = 1 + Math.floor(next() * 8);
  for (let i = 0; i < n; i++) {
    const key = next() < 0.85 ? pick(KEYS) : pick(MORE_KEYS);
    const values = Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(ATOMS));
    parts.push(`${key}=${values.join(next() < 0.5 ? ',' : '.')}`);
  }
  return `#${parts.join('&')}`;
}

const INTEGER = ['items', 'stages', 'workers', 'maxsize', 'rate', 'memory', 'seed'];

/** Every value of the state is one the page takes. */
function assertTakeable(state, hash) {
  const b = state.builder;
  for (const name of INTEGER) {
    const values = [b[name]].flat();
    for (const v of values) {
      assert.ok(Number.isInteger(v), `${hash}: builder ${name} ${v} is not whole`);
      assert.ok(v >= PARAMS[name].low && v <= PARAMS[name].high, `${hash}: ${name} ${v}`);
    }
  }
  for (const name of ['workers', 'maxsize']) {
    for (const v of state.overrides[name] ?? []) {
      assert.ok(Number.isInteger(v), `${hash}: ${name} override ${v} is not whole`);
    }
  }
  assert.equal(b.workers.length, b.stages, hash);
  assert.ok(state.speed >= PARAMS.speed.low && state.speed <= PARAMS.speed.high, hash);
  assert.ok(state.pace === null || PACES.includes(state.pace), hash);
}

test('random link fragments never throw, and every value read is one the page takes', () => {
  const next = rng(55);
  for (let i = 0; i < 5000; i++) {
    const hash = fragment(next);
    const { state, moment, problems } = readState(hash);
    assertTakeable(state, hash);
    if (moment) {
      assert.ok(Number.isSafeInteger(moment.ops) && Number.isSafeInteger(moment.us), hash);
      for (const c of moment.controls) assert.ok(c.ops <= moment.ops && c.at_us <= moment.us);
    }
    // A fragment that changed nothing from the defaults either had valid values or named them.
    assert.ok(Array.isArray(problems), hash);
  }
});

test('the values of issue 18 are refused by name, not truncated', () => {
  const cases = {
    '#p=builder&n=1.5': 'n=1.5',
    '#p=builder&m=2.5,2.5,2.5': 'm=2.5,2.5,2.5',
    '#p=builder&mem=0.3': 'mem=0.3',
    '#p=builder&r=0.0001': 'r=0.0001',
    '#p=p6&m=2.5,2.5,2.5': 'm=2.5,2.5,2.5',
    '#p=p6&w=1e3': 'w=1e3',
    '#p=p6&at=5.3.4': 'at=5.3.4',
    '#p=p6&at=10.100&c=w1.6.20.50': 'c=w1.6.20.50',
  };
  for (const [hash, problem] of Object.entries(cases)) {
    const { state, problems } = readState(hash);
    assert.ok(problems.includes(problem), `${hash}: ${problems}`);
    assertTakeable(state, hash);
  }
});

test('a written state and moment read back the same', () => {
  const next = rng(7);
  for (let i = 0; i < 300; i++) {
    const state = defaultState(next() < 0.5 ? 'en' : 'ko');
    state.preset = ['p2', 'p6', 'builder'][Math.floor(next() * 3)];
    state.pace = next() < 0.3 ? null : PACES[Math.floor(next() * PACES.length)];
    // Only the builder's link holds the builder's settings.
    if (state.preset === 'builder') state.builder.seed = Math.floor(next() * 1000);
    let ops = 0;
    let us = 0;
    const controls = [];
    for (let c = 0; c < Math.floor(next() * 4); c++) {
      ops += 1 + Math.floor(next() * 500);
      us += Math.floor(next() * 90_000);
      const control =
        next() < 0.5
          ? { workers: { stage: Math.floor(next() * 3), count: 1 + Math.floor(next() * 32) } }
          : { max_size: { queue: Math.floor(next() * 3), maxsize: Math.floor(next() * 1001) } };
      controls.push({ ops, at_us: us, control });
    }
    const moment = { ops: ops + Math.floor(next() * 50), us, paused: next() < 0.5, controls };
    const hash = writeState(state, moment);
    const read = readState(hash);
    assert.deepEqual(read.problems, [], hash);
    assert.deepEqual(read.state, state, hash);
    assert.deepEqual(read.moment, moment, hash);
    assert.equal(read.version, LINK_VERSION);
  }
});

test('a sweep link holds its sweep while the builder is its base, and a bad one is named', () => {
  const next = rng(11);
  for (let i = 0; i < 100; i++) {
    const state = defaultState();
    state.preset = 'builder';
    state.builder.seed = Math.floor(next() * 1000);
    const values = Array.from({ length: 1 + Math.floor(next() * 6) }, () =>
      Math.floor(next() * 40),
    );
    const twoD = next() < 0.5;
    state.sweep = {
      param: ['maxsize', 'workers:1', 'service:2', 'items'][Math.floor(next() * 4)],
      values,
      reps: 1 + Math.floor(next() * 5),
      param2: twoD ? 'maxsize:0' : null,
      values2: twoD ? [1, 2.5, 0] : null,
      base: structuredClone(state.builder),
    };
    const hash = writeState(state);
    assert.match(hash, /&sw=[^&]*~/);
    const read = readState(hash);
    assert.deepEqual(read.problems, [], hash);
    assert.deepEqual(read.state, state, hash);
  }
  // The sliders moved off the sweep's base (a point opened from it): the link is that run's.
  const state = defaultState();
  state.preset = 'builder';
  state.sweep = {
    param: 'workers:1',
    values: [1, 2],
    reps: 1,
    base: structuredClone(state.builder),
  };
  state.sweep.param2 = null;
  state.sweep.values2 = null;
  state.builder.workers = [3, 7, 5];
  assert.doesNotMatch(writeState(state), /sw=/);
  // Not a sweep, or a sweep on a program's link: named, and no sweep.
  for (const bad of [
    'sw=workers:1~1,2',
    'sw=threads~1,2~3',
    'sw=workers:1~1,x~3',
    'sw=workers:1~1,2~0',
    'sw=maxsize~1~maxsize:9~~2',
  ]) {
    const read = readState(`#p=builder&${bad}`);
    assert.equal(read.state.sweep, null, bad);
    assert.equal(read.problems.length, 1, bad);
    assert.match(read.problems[0], /^sw=/, bad);
  }
  const onProgram = readState('#p=p6&sw=workers:1~1,2~3');
  assert.equal(onProgram.state.sweep, null);
  assert.deepEqual(onProgram.problems, ['sw=workers:1~1,2~3']);
});

/** A compare side: a preset with its own sliders, or the builder with random settings. */
function randomSide(next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const side = compareSide(pick(['p1', 'p5', 'p6', 'f3', 'builder']));
  if (side.preset === 'builder') {
    side.builder.seed = Math.floor(next() * 1000);
    side.builder.maxsize = side.builder.maxsize.map(() => Math.floor(next() * 20));
  } else if (side.preset === 'p6' && next() < 0.5) side.overrides.workers = [2, 3, 4];
  else if (side.preset === 'f3' && next() < 0.5) side.overrides.maxsize = [10, 10, 10];
  return side;
}

test('a compare link holds its moment: both sides and the one clock read back the same', () => {
  const next = rng(17);
  for (let i = 0; i < 300; i++) {
    const state = defaultState('en');
    state.compare = [randomSide(next), randomSide(next)];
    const moment = {
      ops: 1 + Math.floor(next() * 1e7),
      us: Math.floor(next() * 1e10),
      paused: next() < 0.5,
      controls: [],
    };
    const hash = writeState(state, moment);
    assert.match(hash, new RegExp(`[#&]at=${moment.ops}\\.${moment.us}(&|$)`));
    const read = readState(hash);
    assert.deepEqual(read.problems, [], hash);
    assert.deepEqual(read.state.compare, state.compare, hash);
    assert.deepEqual(read.moment, moment, hash);
    // Without a moment (the start), the link has none.
    assert.equal(readState(writeState(state)).moment, null);
  }
});

test('a compare link with a bad moment keeps both sides, names the moment and has none', () => {
  for (const bad of ['12.x', '-3.500', '1.2.3', '99999999999999999.5', '', '1e3.5', '4.2.']) {
    const hash = `#cmp=p5-p6_w3,3,3&at=${bad}`;
    const { state, moment, problems } = readState(hash);
    assert.deepEqual(problems, [`at=${bad}`], hash);
    assert.equal(moment, null, hash);
    assert.deepEqual(
      state.compare.map((s) => s.preset),
      ['p5', 'p6'],
      hash,
    );
    assert.deepEqual(state.compare[1].overrides.workers, [3, 3, 3], hash);
  }
});

test('nothing in a link is dropped without a word: unknown keys and broken text are named', () => {
  const typed = readState('#p=p3&lang=ko');
  assert.equal(typed.state.lang, 'ko', 'lang= is read as l=');
  assert.deepEqual(typed.problems, []);
  assert.deepEqual(readState('#p=p5&zz=1').problems, ['zz=1']);
  assert.deepEqual(readState('#p=p5&n=100').problems, ['n=100'], "a builder value on P5's link");
  assert.equal(readState('#%E0%A4%A').problems.length, 1);
  assert.deepEqual(readState('#p=builder&n=100').problems, []);
});
