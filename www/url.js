// URL state: the whole page state (preset, sliders, seed, engine, speed, language) in the hash.
// It must never throw: a bad value falls back to its default and is reported to the caller.

import {
  BUILDER,
  DISTRIBUTIONS,
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
 * The default state: the first program, the model engine, speed 1.
 * `overrides` are per-slider values for a preset's workers and maxsize (null: the preset's own).
 */
export function defaultState(lang = 'en') {
  return {
    preset: 'p1',
    engine: 'model',
    speed: PARAMS.speed.initial,
    lang,
    builder: defaultBuilder(),
    overrides: { workers: null, maxsize: null },
  };
}

/**
 * Reads `hash` ("#p=p6&s=10..."). Returns {state, problems, given}: problems lists the keys whose
 * value was refused (each fell back to its default); given is true when the hash had any state.
 */
export function readState(hash, fallbackLang = 'en') {
  const state = defaultState(fallbackLang);
  const problems = [];
  let params;
  try {
    params = new URLSearchParams(String(hash ?? '').replace(/^#/, ''));
  } catch {
    return { state, problems: ['#'], given: true };
  }
  const given = [...params.keys()].length > 0;
  const bad = (key, value) => problems.push(`${key}=${String(value).slice(0, 40)}`);
  const take = (key, parse) => {
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
  const lang = take('l', (v) => (LANGS.includes(v) ? v : undefined));
  if (lang) state.lang = lang;
  const speed = take('s', (v) => number('speed', v));
  if (speed !== undefined) state.speed = speed;

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
  } else {
    // Checked against the preset's stages and queues once its scenario is known.
    state.overrides = { workers: workers ?? null, maxsize: maxsize ?? null };
  }
  return { state, problems, given };
}

/** The hash for `state` (without the defaults of a preset's own sliders). */
export function writeState(state) {
  const params = new URLSearchParams();
  params.set('p', state.preset);
  params.set('e', state.engine);
  params.set('s', String(state.speed));
  params.set('l', state.lang);
  if (state.preset === BUILDER) {
    const b = state.builder;
    params.set(PARAMS.stages.key, String(b.stages));
    params.set(PARAMS.items.key, String(b.items));
    params.set(PARAMS.workers.key, b.workers.slice(0, b.stages).join(','));
    params.set(PARAMS.maxsize.key, b.maxsize.slice(0, b.stages).join(','));
    params.set(PARAMS.service.key, b.service.slice(0, b.stages).join(','));
    params.set('d', b.dist);
    params.set(PARAMS.rate.key, String(b.rate));
    params.set(PARAMS.memory.key, String(b.memory));
    params.set(PARAMS.seed.key, String(b.seed));
  } else {
    if (state.overrides.workers) params.set(PARAMS.workers.key, state.overrides.workers.join(','));
    if (state.overrides.maxsize) params.set(PARAMS.maxsize.key, state.overrides.maxsize.join(','));
  }
  // Commas read better than %2C in a link that people look at.
  return `#${params.toString().replaceAll('%2C', ',')}`;
}

function number(name, text) {
  if (!/^-?\d+(\.\d+)?$/.test(text ?? '')) return undefined;
  const value = Number(text);
  return inRange(name, value) ? value : undefined;
}

function list(name, text) {
  const parts = String(text ?? '').split(',');
  if (parts.length === 0 || parts.length > Math.max(maxStages(), 16)) return undefined;
  const values = parts.map((part) => number(name, part.trim()));
  return values.every((v) => v !== undefined) ? values : undefined;
}
