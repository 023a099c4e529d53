// The parameter table ([initial, low, high] and stops for every slider) and the PipelineSpec that
// the builder's values make. Pure data and functions: it must not touch the DOM, engine or URL.
// The engine's limits (src/limits.rs, wasm `limits()`) set the highs: call applyLimits() first.

/** Speeds offered, in virtual milliseconds per real millisecond (slow motion to fast forward). */
export const SPEED_STOPS = [
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000,
];
const ITEM_STOPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
];
const MAXSIZE_STOPS = [
  0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32, 50, 64, 100, 128, 200, 256, 500, 1000,
];
const SERVICE_MS_STOPS = [
  0.1, 0.2, 0.5, 1, 1.5, 2, 3, 5, 8, 10, 15, 20, 30, 50, 80, 100, 200, 500, 1000,
];
const RATE_STOPS = [
  0, 1, 2, 5, 10, 20, 50, 100, 150, 200, 300, 500, 1000, 2000, 5000, 10000, 100000,
];
const MEMORY_MIB_STOPS = [0, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

export const DISTRIBUTIONS = ['exp', 'uniform', 'const'];
/** What the builder's pipeline does with finished items (the engine's `Sink`): keep is the note's. */
export const SINKS = ['keep', 'count'];
export const ENGINES = ['model', 'threads'];
export const LANGS = ['en', 'ko'];
export const BUILDER = 'builder';
/** Builder stage names, as src/scenario/builder.rs names them. */
export const STAGE_NAMES = ['download', 'resize', 'upload', 'compress', 'encrypt', 'archive'];

/**
 * One row a parameter: [name, initial, low, high, options].
 * high: a number, or the name of the engine's limit that sets it (see applyLimits).
 * options.key: its name in the URL; stops: the values a slider offers (else every integer
 * from low to high; stops above the engine's limit are dropped); perStage: one value a stage;
 * builder: only the Pipeline builder uses it; live: can change while a run goes on (through
 * setWorkers / setMaxsize).
 */
export const PARAMETERS = [
  ['speed', 1, 0.01, 1000, { key: 's', stops: SPEED_STOPS }],
  ['items', 1000, 1, 'builderItems', { key: 'n', stops: ITEM_STOPS, builder: true }],
  ['stages', 3, 1, 'stages', { key: 'st', builder: true }],
  ['workers', [3, 4, 5, 2, 2, 2], 1, 'workersPerStage', { key: 'w', perStage: true, live: true }],
  [
    'maxsize',
    [10, 10, 10, 10, 10, 10],
    0,
    'maxsize',
    { key: 'm', perStage: true, live: true, stops: MAXSIZE_STOPS },
  ],
  [
    'service',
    [10, 20, 10, 10, 10, 10],
    0.1,
    1000,
    { key: 't', perStage: true, builder: true, stops: SERVICE_MS_STOPS, unit: 'ms' },
  ],
  ['rate', 0, 0, 'maxRatePerS', { key: 'r', builder: true, stops: RATE_STOPS, unit: '/s' }],
  [
    'memory',
    0,
    0,
    'memoryBudgetMib',
    { key: 'mem', builder: true, stops: MEMORY_MIB_STOPS, unit: 'MiB' },
  ],
  ['seed', 1, 0, 4294967295, { key: 'seed', builder: true, integer: true }],
];

/** The table as an object keyed by name: {initial, low, high, ...options}. */
export const PARAMS = Object.fromEntries(
  PARAMETERS.map(([name, initial, low, high, options]) => [
    name,
    { name, initial, low, high: typeof high === 'number' ? high : null, ...options },
  ]),
);

/**
 * Sets the highs that the engine's limits decide (the object wasm `limits()` returns: src/limits.rs
 * in camelCase), and drops the stops above them. Call once, before the URL is read or a slider made.
 */
export function applyLimits(limits) {
  if (!limits) throw new Error('the engine gave no limits (wasm limits())');
  for (const [name, , , high] of PARAMETERS) {
    if (typeof high === 'number') continue;
    const value = limits[high];
    if (typeof value !== 'number') throw new Error(`the engine's limits have no ${high}`);
    const p = PARAMS[name];
    p.high = value;
    if (p.stops) p.stops = p.stops.filter((v) => v <= value);
  }
}

/** How many stages the builder may have (the engine's limit). */
export function maxStages() {
  return PARAMS.stages.high;
}

/** The initial value of `name` (for a stage `stage` when the parameter is per stage). */
export function initialOf(name, stage = 0) {
  const p = PARAMS[name];
  return Array.isArray(p.initial) ? p.initial[Math.min(stage, p.initial.length - 1)] : p.initial;
}

/** Whether `value` is a number the parameter accepts. */
export function inRange(name, value) {
  const p = PARAMS[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (value < p.low || value > p.high) return false;
  if (p.integer || !p.stops) return Number.isInteger(value) || name === 'service';
  return true;
}

/**
 * The slider stops for `name`; a value outside the stops (from a hand-written link) is added
 * so that the slider can show it exactly.
 */
export function stopsFor(name, value) {
  const p = PARAMS[name];
  let stops = p.stops;
  if (!stops) {
    if (p.high - p.low > 2000) return null; // a number field, not a slider
    stops = [];
    for (let v = p.low; v <= p.high; v++) stops.push(v);
  }
  if (value !== undefined && !stops.includes(value) && inRange(name, value)) {
    stops = [...stops, value].sort((a, b) => a - b);
  }
  return stops;
}

/** The builder's settings, complete, from the table's initial values. */
export function defaultBuilder() {
  const stages = PARAMS.stages.initial;
  return {
    items: PARAMS.items.initial,
    stages,
    workers: range(stages).map((s) => initialOf('workers', s)),
    maxsize: range(stages).map((s) => initialOf('maxsize', s)),
    service: range(stages).map((s) => initialOf('service', s)),
    dist: DISTRIBUTIONS[0],
    sink: SINKS[0],
    rate: PARAMS.rate.initial,
    memory: PARAMS.memory.initial,
    seed: PARAMS.seed.initial,
  };
}

/** Resizes the per-stage lists of `builder` to `stages` entries, keeping what is there. */
export function withStages(builder, stages) {
  const fit = (list, name) =>
    range(stages).map((s) => (s < list.length ? list[s] : initialOf(name, s)));
  return {
    ...builder,
    stages,
    workers: fit(builder.workers, 'workers'),
    maxsize: fit(builder.maxsize, 'maxsize'),
    service: fit(builder.service, 'service'),
  };
}

/** The service time of a stage as the engine's `Service` (microseconds). */
export function serviceSpec(dist, meanMs) {
  const us = Math.max(1, Math.round(meanMs * 1000));
  if (dist === 'const') return { dist: 'const', us };
  if (dist === 'uniform') {
    return { dist: 'uniform', lo_us: Math.round(us / 2), hi_us: Math.round((us * 3) / 2) };
  }
  return { dist: 'exp', mean_us: us };
}

/** The builder's settings as the engine's PipelineSpec JSON object (Lab.fromPipeline). */
export function pipelineSpec(builder) {
  const spec = {
    workers: builder.workers.slice(0, builder.stages),
    maxsize: builder.maxsize.slice(0, builder.stages),
    service: builder.service.slice(0, builder.stages).map((ms) => serviceSpec(builder.dist, ms)),
    items: builder.items,
    arrival: builder.rate > 0 ? { kind: 'rate', per_s: builder.rate } : { kind: 'all_at_once' },
    seed: builder.seed,
    sink: builder.sink ?? SINKS[0],
  };
  if (builder.memory > 0) {
    spec.memory_budget_bytes = builder.memory * 1024 * 1024;
    spec.item_bytes = 1024 * 1024;
  }
  return spec;
}

/** How a value reads next to its slider. */
export function formatValue(name, value) {
  if (name === 'maxsize') return value === 0 ? '∞' : String(value);
  if (name === 'speed') return `×${value}`;
  if (name === 'rate') return value === 0 ? 'all at once' : `${value}/s`;
  if (name === 'memory') return value === 0 ? '–' : `${value} MiB`;
  if (name === 'service') return `${value} ms`;
  return String(value);
}

function range(n) {
  return Array.from({ length: n }, (_, i) => i);
}
