// URL state: the whole page state (preset, sliders, seed, engine, speed, pacing, language) and
// the moment a link was made at (control log, operation count, time, paused) in the hash. It must
// never throw: a bad value falls back to its default and is reported to the caller.

import {
  BUILDER,
  DISTRIBUTIONS,
  SINKS,
  ENGINES,
  LANGS,
  PARAMS,
  defaultBuilder,
  inRange,
  maxStages,
  withStages,
} from './params.js';

/** Preset ids the page knows besides the engine's list (checked again once it has loaded). */
export const PRESET_PATTERN = /^(p[1-6]|f[1-4]|builder)$/;

/**
 * The link format this page writes (`v=`): 2 added the moment and mid-run controls; 3 counts a
 * worker's `get()`, its SENTINEL check and its `work`, and a `put()` and the `task_done()` after
 * it, as operations of their own (a 2 link's operation counts are exact only for programs
 * without such pairs, `V2_EXACT`).
 */
export const LINK_VERSION = 3;

/** Programs whose operation counts did not change from link format 2 to 3. */
export const V2_EXACT = new Set(['p1', 'p2', 'p3', 'p4', 'f2']);

/** Lines a second that Play may pace simultaneous operations at (0: no pacing). */
export const PACES = [0, 1, 2, 5, 20, 100];

/** Parameters whose values are whole numbers (a link with `n=1.5` is refused, not truncated). */
const INTEGER_PARAMS = new Set(['items', 'stages', 'workers', 'maxsize', 'rate', 'memory', 'seed']);

/** Largest operation count or time (us) a link may give: what JS numbers hold exactly. */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * The default state: the first program, the model engine, speed 1.
 * `overrides` are per-slider values for a preset's workers and maxsize (null: the preset's own).
 */
export function defaultState(lang = 'en') {
  return {
    preset: 'p1',
    engine: 'model',
    speed: PARAMS.speed.initial,
    // Lines a second for operations at one instant; null: the program's own (www/lesson.js).
    pace: null,
    lang,
    builder: defaultBuilder(),
    overrides: { workers: null, maxsize: null },
    // Compare mode's two sides ([left, right], each {preset, builder, overrides}), or null.
    compare: null,
    // The builder's sweep on show ({param, values, reps, param2, values2, base}: www/sweep.js),
    // or null. A link holds it while the builder is still the sweep's base.
    sweep: null,
  };
}

/**
 * Reads `hash` ("#p=p6&s=10..."). Returns {state, moment, problems, given, version}: problems
 * lists the keys whose value was refused (each fell back to its default); given is true when the
 * hash had any state; moment is null or {ops, us, paused, controls} (the instant the link was
 * made at, and the changes made while the run went on, each {ops, at_us, control} as the engine
 * logs them); version is the link format (1 for a link made before `v=` existed).
 */
export function readState(hash, fallbackLang = 'en') {
  const state = defaultState(fallbackLang);
  const problems = [];
  let params;
  try {
    params = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  } catch {
    return { state, moment: null, problems: ['#'], given: true, version: LINK_VERSION };
  }
  const given = [...params.keys()].length > 0;
  const bad = (key, value) => problems.push(`${key}=${String(value).slice(0, 40)}`);
  const read = new Set();
  const take = (key, parse) => {
    read.add(key);
    if (!params.has(key)) return undefined;
    const raw = params.get(key);
    const value = parse(raw);
    if (value === undefined) bad(key, raw);
    return value;
  };

  const preset = take('p', (v) => (PRESET_PATTERN.test(v) ? v : undefined));
  if (preset) state.preset = preset;
  const engine = take('e', (v) => (ENGINES.includes(v) ? v : undefined));
  if (engine) state.engine = engine;
  // `lang=` is what people type; the page writes `l=`.
  const lang = take(params.has('l') ? 'l' : 'lang', (v) => (LANGS.includes(v) ? v : undefined));
  if (lang) state.lang = lang;
  const speed = take('s', (v) => number('speed', v));
  if (speed !== undefined) state.speed = speed;
  const pace = take('pace', (v) => (PACES.map(String).includes(v) ? Number(v) : undefined));
  if (pace !== undefined) state.pace = pace;
  const version = take('v', (v) =>
    ['2', String(LINK_VERSION)].includes(v) ? Number(v) : undefined,
  );
  const at = take('at', moment);
  const controls = take('c', controlLog);
  const paused = take('paused', (v) => ({ 1: true, 0: false })[v]);

  const compare = take('cmp', readCompare);
  if (compare) state.compare = compare;

  const sweep = take('sw', readSweep);

  const workers = take(PARAMS.workers.key, (v) => list('workers', v));
  const maxsize = take(PARAMS.maxsize.key, (v) => list('maxsize', v));

  if (state.preset === BUILDER) {
    let b = state.builder;
    const stages = take(PARAMS.stages.key, (v) => number('stages', v));
    if (stages !== undefined) b = withStages(b, stages);
    const items = take(PARAMS.items.key, (v) => number('items', v));
    if (items !== undefined) b.items = items;
    const service = take(PARAMS.service.key, (v) => list('service', v));
    const dist = take('d', (v) => (DISTRIBUTIONS.includes(v) ? v : undefined));
    if (dist) b.dist = dist;
    const sink = take('k', (v) => (SINKS.includes(v) ? v : undefined));
    if (sink) b.sink = sink;
    const rate = take(PARAMS.rate.key, (v) => number('rate', v));
    if (rate !== undefined) b.rate = rate;
    const memory = take(PARAMS.memory.key, (v) => number('memory', v));
    if (memory !== undefined) b.memory = memory;
    const seed = take(PARAMS.seed.key, (v) => number('seed', v));
    if (seed !== undefined) b.seed = seed;
    // Per-stage lists must have one value a stage.
    const perStage = (key, values, field) => {
      if (!values) return;
      if (values.length !== b.stages) bad(key, values.join(','));
      else b[field] = values;
    };
    perStage(PARAMS.workers.key, workers, 'workers');
    perStage(PARAMS.maxsize.key, maxsize, 'maxsize');
    perStage(PARAMS.service.key, service, 'service');
    state.builder = b;
    // The link's sweep was made on the link's builder.
    if (sweep) state.sweep = { ...sweep, base: structuredClone(b) };
  } else {
    // A sweep varies the builder: on a program's link it means nothing.
    if (sweep) bad('sw', params.get('sw'));
    // Checked against the preset's stages and queues once its scenario is known.
    state.overrides = { workers: workers ?? null, maxsize: maxsize ?? null };
  }
  let instant = null;
  if (at) {
    instant = { ...at, paused: paused ?? true, controls: controls ?? [] };
    const last = instant.controls[instant.controls.length - 1];
    if (last && (last.ops > at.ops || last.at_us > at.us)) {
      bad('c', params.get('c'));
      instant.controls = [];
    }
  } else if (controls?.length) bad('c', params.get('c'));
  // A key this page does not read (a typo, a part cut off, a builder value on a preset's link)
  // is named too, so that nothing in a link is dropped without a word.
  for (const [key, value] of params) if (!read.has(key)) bad(key || '#', value);
  return {
    state,
    moment: instant,
    problems,
    given,
    version: version ?? (params.has('v') ? LINK_VERSION : 1),
  };
}

/**
 * The hash for `state` (without the defaults of a preset's own sliders), and for `moment` when
 * given ({ops, us, paused, controls}: see readState).
 */
export function writeState(state, moment = null) {
  const params = new URLSearchParams();
  params.set('p', state.preset);
  params.set('v', String(LINK_VERSION));
  params.set('e', state.engine);
  params.set('s', String(state.speed));
  if (state.pace !== null && state.pace !== undefined) params.set('pace', String(state.pace));
  params.set('l', state.lang);
  if (state.preset === BUILDER) {
    writeBuilder(params, state.builder);
    // The sweep on show, while the sliders still say what it ran on (a point opened from it
    // changes them: the link is then that run's).
    if (state.sweep && builderKey(state.sweep.base) === builderKey(state.builder)) {
      params.set('sw', writeSweep(state.sweep));
    }
  } else {
    if (state.overrides.workers) params.set(PARAMS.workers.key, state.overrides.workers.join(','));
    if (state.overrides.maxsize) params.set(PARAMS.maxsize.key, state.overrides.maxsize.join(','));
  }
  if (state.compare) params.set('cmp', writeCompare(state.compare));
  if (moment) {
    params.set('at', `${moment.ops}.${moment.us}`);
    params.set('paused', moment.paused ? '1' : '0');
    if (moment.controls.length) params.set('c', moment.controls.map(writeControl).join('_'));
  }
  // Commas, colons and tildes read better than %2C, %3A and %7E in a link people look at.
  const text = params.toString();
  return `#${text.replaceAll('%2C', ',').replaceAll('%3A', ':').replaceAll('%7E', '~')}`;
}

/** The builder's settings into `params`, as a link holds them. */
function writeBuilder(params, b) {
  params.set(PARAMS.stages.key, String(b.stages));
  params.set(PARAMS.items.key, String(b.items));
  params.set(PARAMS.workers.key, b.workers.slice(0, b.stages).join(','));
  params.set(PARAMS.maxsize.key, b.maxsize.slice(0, b.stages).join(','));
  params.set(PARAMS.service.key, b.service.slice(0, b.stages).join(','));
  params.set('d', b.dist);
  params.set('k', b.sink ?? SINKS[0]);
  params.set(PARAMS.rate.key, String(b.rate));
  params.set(PARAMS.memory.key, String(b.memory));
  params.set(PARAMS.seed.key, String(b.seed));
}

/** The builder's settings as one text: two builders a link cannot tell apart have the same. */
function builderKey(b) {
  const params = new URLSearchParams();
  writeBuilder(params, b);
  return params.toString();
}

function number(name, text) {
  const pattern = INTEGER_PARAMS.has(name) ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
  if (!pattern.test(text ?? '')) return undefined;
  const value = Number(text);
  return inRange(name, value) ? value : undefined;
}

/** A whole number 0..MAX_COUNT written in decimal, or undefined. */
function count(text) {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= MAX_COUNT ? value : undefined;
}

/**
 * `at=<ops>.<us>`: the operation count and virtual time (us) the link was made at. With `cmp=`
 * it is compare mode's moment: both runs' operations together, and the one clock's time (both
 * runs go to that time; the count tells the start, 0, from after time 0's first instant).
 */
function moment(text) {
  const parts = String(text).split('.');
  if (parts.length !== 2) return undefined;
  const [ops, us] = parts.map(count);
  return ops === undefined || us === undefined ? undefined : { ops, us };
}

/**
 * `c=w1.5.120.3000_m0.2.140.3000`: the controls made while the run went on, in order, each
 * `w<stage>.<workers>.<ops>.<us>` or `m<queue>.<maxsize>.<ops>.<us>` (made after `ops`
 * operations at virtual time `us`).
 */
function controlLog(text) {
  const log = [];
  for (const entry of String(text).split('_')) {
    const match = /^([wm])(\d{1,2})\.(\d{1,4})\.(\d{1,16})\.(\d{1,16})$/.exec(entry);
    if (!match) return undefined;
    const [index, value, ops, us] = match.slice(2).map(Number);
    const workers = match[1] === 'w';
    if (!inRange(workers ? 'workers' : 'maxsize', value)) return undefined;
    if (ops > MAX_COUNT || us > MAX_COUNT) return undefined;
    const previous = log[log.length - 1];
    if (previous && (ops < previous.ops || us < previous.at_us)) return undefined;
    const control = workers
      ? { workers: { stage: index, count: value } }
      : { max_size: { queue: index, maxsize: value } };
    log.push({ ops, at_us: us, control });
  }
  return log;
}

function writeControl({ ops, at_us: us, control }) {
  return control.workers
    ? `w${control.workers.stage}.${control.workers.count}.${ops}.${us}`
    : `m${control.max_size.queue}.${control.max_size.maxsize}.${ops}.${us}`;
}

function list(name, text) {
  const parts = String(text ?? '').split(',');
  if (parts.length === 0 || parts.length > Math.max(maxStages(), 16)) return undefined;
  const values = parts.map((part) => number(name, part.trim()));
  return values.every((v) => v !== undefined) ? values : undefined;
}

// --- a sweep (`sw=`) ------------------------------------------------------------------------------

/** A sweep parameter's id, as the sweep panel's menu names it (www/sweep.js paramChoices). */
const SWEEP_PARAM = /^(maxsize(:\d{1,2})?|workers:\d{1,2}|service:\d{1,2}|rate|items)$/;
/** Most values a link's sweep may list (the panel refuses more than it takes, by name). */
const SWEEP_VALUES = 1000;

/**
 * `sw=workers:1~1,2,3,4~3`: the sweep on show, its parameter, values (the builder's units) and
 * seeds a value; a 2-D sweep adds its second parameter and values before the seeds
 * (`sw=workers:1~2,4,6~maxsize~1,5,0~2`). The builder is the link's own.
 */
export function writeSweep({ param, values, reps, param2, values2 }) {
  const parts = [param, values.join(',')];
  if (param2) parts.push(param2, values2.join(','));
  return [...parts, String(reps)].join('~');
}

/** `sw=`'s sweep ({param, values, reps, param2, values2}), or undefined when it is not one. */
export function readSweep(text) {
  const parts = String(text).split('~');
  if (parts.length !== 3 && parts.length !== 5) return undefined;
  const reps = count(parts[parts.length - 1]);
  const values = (t) => {
    const list = t.split(',').map((v) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN));
    return list.length <= SWEEP_VALUES && list.every(Number.isFinite) ? list : undefined;
  };
  const [param, first, param2, second] = parts;
  const sweep = {
    param,
    values: values(first),
    reps,
    param2: parts.length === 5 ? param2 : null,
    values2: parts.length === 5 ? values(second) : null,
  };
  const ok =
    SWEEP_PARAM.test(sweep.param) &&
    sweep.values &&
    Number.isInteger(reps) &&
    reps >= 1 &&
    (parts.length === 3 || (SWEEP_PARAM.test(sweep.param2) && sweep.values2));
  return ok ? sweep : undefined;
}

// --- compare mode's two sides (`cmp=`) ----------------------------------------------------------

/** A side of compare mode with the defaults: {preset, builder, overrides}. */
export function compareSide(preset = 'p1') {
  return { preset, builder: defaultBuilder(), overrides: { workers: null, maxsize: null } };
}

/** The builder fields of a side, each `<key><value>` (keys from PARAMS, and `d` the distribution). */
const SIDE_FIELDS = [
  ['n', 'items'],
  ['st', 'stages'],
  ['w', 'workers'],
  ['m', 'maxsize'],
  ['t', 'service'],
  ['d', 'dist'],
  ['r', 'rate'],
  ['mem', 'memory'],
  ['seed', 'seed'],
];

/**
 * `cmp=p1-p5`: compare mode's sides, `-` between them. A side is a preset id, then `_w3,4,5` and
 * `_m10,10` for a preset's workers and maxsize, or `builder_n1000_st3_w3,4,5_m0,0,0_t10,20,10_dexp
 * _r0_mem0_seed1` for the builder (fields left out keep their defaults).
 */
export function writeCompare(sides) {
  return sides.map(writeSide).join('-');
}

function writeSide(side) {
  const parts = [side.preset];
  if (side.preset === BUILDER) {
    const b = side.builder;
    for (const [key, field] of SIDE_FIELDS) {
      const value = b[field];
      parts.push(`${key}${Array.isArray(value) ? value.slice(0, b.stages).join(',') : value}`);
    }
  } else {
    if (side.overrides?.workers) parts.push(`w${side.overrides.workers.join(',')}`);
    if (side.overrides?.maxsize) parts.push(`m${side.overrides.maxsize.join(',')}`);
  }
  return parts.join('_');
}

/** The sides of `cmp=` ([left, right]), or undefined when any part of it is not valid. */
export function readCompare(text) {
  const sides = String(text ?? '').split('-');
  if (sides.length !== 2) return undefined;
  const read = sides.map(readSide);
  return read.every(Boolean) ? read : undefined;
}

function readSide(text) {
  const [preset, ...fields] = text.split('_');
  if (!PRESET_PATTERN.test(preset)) return undefined;
  const side = compareSide(preset);
  const values = {};
  for (const field of fields) {
    const match = /^(seed|mem|st|n|w|m|t|d|r)(.*)$/.exec(field);
    if (!match) return undefined;
    values[match[1]] = match[2];
  }
  if (preset !== BUILDER) {
    for (const [key, name] of [
      ['w', 'workers'],
      ['m', 'maxsize'],
    ]) {
      if (values[key] === undefined) continue;
      const parsed = list(name, values[key]);
      if (!parsed) return undefined;
      side.overrides[name] = parsed;
    }
    return Object.keys(values).every((k) => k === 'w' || k === 'm') ? side : undefined;
  }
  let b = side.builder;
  if (values.st !== undefined) {
    const stages = number('stages', values.st);
    if (stages === undefined) return undefined;
    b = withStages(b, stages);
  }
  for (const [key, field] of SIDE_FIELDS) {
    const raw = values[key];
    if (raw === undefined || key === 'st') continue;
    if (key === 'd') {
      if (!DISTRIBUTIONS.includes(raw)) return undefined;
      b.dist = raw;
    } else if (PARAMS[field].perStage) {
      const parsed = list(field, raw);
      if (!parsed || parsed.length !== b.stages) return undefined;
      b[field] = parsed;
    } else {
      const parsed = number(field, raw);
      if (parsed === undefined) return undefined;
      b[field] = parsed;
    }
  }
  side.builder = b;
  return side;
}
