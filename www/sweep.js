// Sweeps in the page: the form that turns the builder's settings into a sweep (one parameter, or
// two as a grid), who runs its jobs (rayon's pool in one Web Worker, www/sweep-pool-worker.js, on
// a cross-origin isolated page with the threaded build; else Web Workers, www/sweep-worker.js),
// and the plots or heat map of the summary. It must not run a job on the main thread (only
// pkg/st's Sweeper checks, summarises and writes CSV here).

import { loadUPlot } from './charts.js';
import { threadsAvailability } from './engine.js';
import { formatNumber } from './i18n.js';
import { ts } from './i18n-sweep.js';
import { OKABE_ITO } from './icons.js';
import { BUILDER, PARAMS, STAGE_NAMES, pipelineSpec } from './params.js';
import { writeState } from './url.js';

const WASM_JS = new URL('../pkg/st/pipeline_lab.js', import.meta.url);
const WASM_BIN = new URL('../pkg/st/pipeline_lab_bg.wasm', import.meta.url);
const WORKER = new URL('./sweep-worker.js', import.meta.url);
const POOL_HOST = new URL('./sweep-pool-worker.js', import.meta.url);
const MT_BIN = new URL('../pkg/mt/pipeline_lab_bg.wasm', import.meta.url);

/**
 * Most Web Workers a sweep starts (or threads its rayon pool has). The pool is one worker a
 * logical core (navigator.hardwareConcurrency, at least 1), never more than the sweep has runs,
 * and at most this many: each worker holds a wasm instance of its own, and a sweep's runs are a
 * few seconds of work, which more workers than this would spend starting up.
 */
export const MAX_SWEEP_WORKERS = 16;
/** Jobs a sweep's Web Worker holds queued behind the one it runs (see SweepPool). */
const JOBS_AHEAD = 1;

/** Least time between two showings of a running sweep's progress (ms). */
const PROGRESS_MS = 200;

/** Most values one sweep takes (the engine caps values x seeds at 100,000 runs). */
export const MAX_VALUES = 200;
const MAX_REPS = 100;

/** How many Web Workers (or pool threads) a sweep of `jobs` runs gets on `cores` logical cores. */
export function poolSize(jobs, cores = globalThis.navigator?.hardwareConcurrency) {
  const wanted = Number.isInteger(cores) && cores > 0 ? cores : 1;
  return Math.max(1, Math.min(wanted, MAX_SWEEP_WORKERS, jobs));
}

/**
 * The parameters a sweep of a builder with `stages` stages can take: {id, param (the Sweeper's
 * `param`), builder (the builder's field), stage, label key}.
 */
export function paramChoices(stages) {
  const choices = [{ id: 'maxsize', param: { kind: 'maxsize', stage: null }, builder: 'maxsize' }];
  for (let s = 0; s < stages; s++) {
    choices.push({ id: `workers:${s}`, param: { kind: 'workers', stage: s }, builder: 'workers' });
  }
  for (let s = 0; s < stages; s++) {
    choices.push({ id: `maxsize:${s}`, param: { kind: 'maxsize', stage: s }, builder: 'maxsize' });
  }
  for (let s = 0; s < stages; s++) {
    const param = { kind: 'service_mean', stage: s };
    choices.push({ id: `service:${s}`, param, builder: 'service' });
  }
  choices.push({ id: 'rate', param: { kind: 'arrival_rate' }, builder: 'rate' });
  choices.push({ id: 'items', param: { kind: 'items' }, builder: 'items' });
  return choices;
}

/** The i18n key of a parameter choice's name: `long` for the label, else the short name. */
function paramKey(choice, long) {
  const kind = {
    maxsize: choice.param.stage === null ? 'MaxsizeAll' : 'Maxsize',
    workers: 'Workers',
    service_mean: 'Service',
    arrival_rate: 'Rate',
    items: 'Items',
  }[choice.param.kind];
  return `${long ? 'param' : 'short'}${kind}`;
}

/** The label of a parameter choice in `lang`. */
export function paramLabel(choice, lang) {
  return ts(lang, paramKey(choice, true), { stage: STAGE_NAMES[choice.param.stage] ?? '' });
}

/** A parameter choice's short name in `lang`, for the heat map's corner. */
export function paramShort(choice, lang) {
  return ts(lang, paramKey(choice, false), { stage: STAGE_NAMES[choice.param.stage] ?? '' });
}

/**
 * The values a form asks for, in the builder's units (service time in ms): the list when given,
 * else from, from + step, ... up to `to`. Returns {values} or {error: {key, vars}}.
 */
export function formValues({ from, to, step, list }) {
  const parse = (text) => {
    const trimmed = String(text ?? '').trim();
    const value = trimmed === '' ? NaN : Number(trimmed);
    return Number.isFinite(value) ? { value } : { error: { key: 'badNumber', vars: { text } } };
  };
  let values = [];
  if (String(list ?? '').trim() !== '') {
    for (const part of String(list)
      .split(/[,\s]+/)
      .filter(Boolean)) {
      const r = parse(part);
      if (r.error) return r;
      values.push(r.value);
      if (values.length > MAX_VALUES) break;
    }
  } else {
    const [a, b, d] = [parse(from), parse(to), parse(step)];
    for (const r of [a, b, d]) if (r.error) return r;
    if (!(d.value > 0) || b.value < a.value) return { error: { key: 'noRange' } };
    const count = Math.floor((b.value - a.value) / d.value + 1e-9) + 1;
    if (count > MAX_VALUES) {
      return { error: { key: 'tooManyValues', vars: { count, max: MAX_VALUES } } };
    }
    // toPrecision keeps 0.1 steps at 0.3, not 0.30000000000000004.
    for (let i = 0; i < count; i++) values.push(Number((a.value + i * d.value).toPrecision(12)));
  }
  if (values.length > MAX_VALUES) {
    return { error: { key: 'tooManyValues', vars: { count: values.length, max: MAX_VALUES } } };
  }
  return { values };
}

/** Whether two parameter choices set the same builder field (a grid of them is refused). */
export function overlaps(a, b) {
  if (a.builder !== b.builder) return false;
  if (a.builder !== 'maxsize') return a.id === b.id;
  return a.param.stage === null || b.param.stage === null || a.param.stage === b.param.stage;
}

/**
 * The heat map's colour scale (viridis, colour-blind safe and light to dark in one hue order):
 * `f` in 0..1 to an `rgb()` and whether text on it should be white.
 */
const VIRIDIS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
export function heatColour(f) {
  const x = Math.max(0, Math.min(1, Number.isFinite(f) ? f : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const k = x - i;
  const [r, g, b] = VIRIDIS[i].map((c, j) => Math.round(c + (VIRIDIS[i + 1][j] - c) * k));
  return { css: `rgb(${r}, ${g}, ${b})`, light: x < 2.2 };
}

/** The figures a heat map can show: {id, label key, of(point), unit divisor}. */
export const HEAT_FIGURES = [
  { id: 'throughput', key: 'chartThroughput', of: (p) => p.throughput_per_s.mean },
  { id: 'p95', key: 'heatP95', of: (p) => p.latency_p95_us.mean / 1000 },
  { id: 'memory', key: 'heatMemory', of: (p) => p.peak_memory_bytes.mean / 1024 ** 2 },
  { id: 'utilization', key: 'chartUtil', of: (p) => p.utilization_max.mean },
];

/** A value in the builder's units as the Sweeper takes it (service: ms to whole µs, as serviceSpec). */
export function toSweepValue(choice, value) {
  return choice.builder === 'service' ? Math.max(1, Math.round(value * 1000)) : value;
}

/** Whether `value` of `choice` is `maxsize` 0: an unbounded queue. */
function unbounded(choice, value) {
  return choice?.builder === 'maxsize' && value === 0;
}

/** A value as the page writes it: an unbounded queue is ∞. */
export function shownValue(choice, value) {
  return unbounded(choice, value) ? '∞' : value;
}

/**
 * The 1-D plots' x axis for values `x` (builder units) of `choice`: `order`, the point indices
 * smallest value first (an unbounded `maxsize` after every bound, as src/sweep.rs ranks it,
 * whatever order the values were listed in); `pos`, each point's x position (∞ one step past
 * the largest bound); `infAt`, that position, or null when ∞ was not swept; `top`, the largest
 * bound.
 */
export function plotAxis(choice, x) {
  const rank = (v) => (unbounded(choice, v) ? Infinity : v);
  const order = x.map((_, i) => i).sort((a, b) => rank(x[a]) - rank(x[b]) || a - b);
  const finite = [...new Set(x.filter((v) => !unbounded(choice, v)))].sort((a, b) => a - b);
  const top = finite.length ? finite[finite.length - 1] : 0;
  const step = finite.length > 1 ? Math.max(1, (top - finite[0]) / (finite.length - 1)) : 1;
  const infAt = x.some((v) => unbounded(choice, v)) ? top + step : null;
  return { order, pos: x.map((v) => (unbounded(choice, v) ? infAt : v)), infAt, top };
}

/** A Sweeper value in the builder's units (what the plots' x axis shows). */
export function fromSweepValue(choice, value) {
  return choice.builder === 'service' ? value / 1000 : value;
}

/**
 * Why a value (builder units) cannot be opened in the builder, as {key, vars}, or null. The link
 * format takes whole numbers for every builder field but the service time.
 */
export function builderRefusal(choice, value, lang) {
  const p = PARAMS[choice.builder];
  const param = paramLabel(choice, lang);
  if (choice.builder !== 'service' && !Number.isInteger(value)) {
    return { key: 'notWhole', vars: { value, param } };
  }
  if (value < p.low || value > p.high) {
    return { key: 'notInBuilder', vars: { value, param, low: p.low, high: p.high } };
  }
  return null;
}

/**
 * The builder's settings of one run of the sweep: `builder` with the parameter at `value`
 * (builder units) and the seed of replication `rep` (the Sweeper's seeds: base seed + rep).
 * With a uniform service time the builder spreads it ±50% around the mean, where the sweep keeps
 * the base's spread: such a run differs from the sweep's, and the point's line says so.
 */
export function builderFor(builder, choice, value, rep, choice2 = null, value2 = null) {
  const b = structuredClone(builder);
  const set = (c, v) => {
    const stage = c.param.stage;
    if (c.builder === 'maxsize' && stage === null) b.maxsize = b.maxsize.map(() => v);
    else if (stage !== null && stage !== undefined) b[c.builder][stage] = v;
    else b[c.builder] = v;
  };
  set(choice, value);
  if (choice2) set(choice2, value2);
  b.seed = builder.seed + rep;
  return b;
}

// --- the pool ----------------------------------------------------------------------------------

const compiled = new Map();

/**
 * A build's wasm (pkg/st, or pkg/mt for the pool) compiled once a page, for the workers (a
 * WebAssembly.Module is sent, not re-fetched). A failed compile is forgotten, to be tried again.
 */
function compiledModule(url = WASM_BIN) {
  if (!compiled.has(url.href)) {
    const module = WebAssembly.compileStreaming(fetch(url)).catch(async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url.pathname}: HTTP ${response.status}`);
      return WebAssembly.compile(await response.arrayBuffer());
    });
    module.catch(() => compiled.delete(url.href));
    compiled.set(url.href, module);
  }
  return compiled.get(url.href);
}

/** Thrown by SweepPool.run when cancel() stopped it. */
export class SweepCancelled extends Error {
  /** `results`: the RunResults that had come (by job index), if any. */
  constructor(results = []) {
    super('sweep cancelled');
    this.name = 'SweepCancelled';
    this.results = results;
  }
}

/**
 * The values of a 1-D `sweep` whose every seed has run (`results` by job index: value by value,
 * seed by seed), as a sweep of those values: {values, runs} with each run's point renumbered, or
 * null when no value is whole (or the sweep is 2-D: a grid with holes is no grid).
 */
export function completePoints(sweep, results) {
  if (sweep.param2) return null;
  const values = [];
  const runs = [];
  sweep.values.forEach((value, point) => {
    const mine = Array.from({ length: sweep.reps }, (_, rep) => results[point * sweep.reps + rep]);
    if (!mine.every(Boolean)) return;
    const renumbered = values.length;
    values.push(value);
    for (const run of mine) runs.push({ ...run, point: renumbered });
  });
  return values.length ? { values, runs } : null;
}

/** Thrown by RayonSweep.run when the pool failed; `results` holds the runs it had finished. */
export class PoolFailed extends Error {
  constructor(message, results) {
    super(message);
    this.name = 'PoolFailed';
    this.results = results;
  }
}

/**
 * Runs a sweep's jobs on a pool of module Web Workers and gathers their RunResults in job order.
 * Jobs are handed out as runs end (a worker that is done first takes the next job), each worker
 * holding one job queued ahead of the one it runs, so none waits for a message and all end
 * within about one run of each other.
 */
export class SweepPool {
  constructor() {
    this.workers = [];
    this.stop = null;
    this.cancelled = false;
    /** The last sweep's runs' wall times added up, each as its worker measured it. */
    this.busyMs = 0;
  }

  /** Web Workers alive now (0 when no sweep runs). */
  get alive() {
    return this.workers.length;
  }

  /**
   * Runs jobs 0..total-1 of `sweep` on `size` workers; `onRun(done, total, result)` after each.
   * `have`: RunResults already made (by index; a pool that failed midway), not run again.
   * Resolves to the RunResults in job order; rejects with a worker's error or SweepCancelled.
   */
  async run(sweep, total, size, onRun, have = []) {
    if (this.workers.length) throw new Error('a sweep is already running');
    this.cancelled = false;
    this.busyMs = 0;
    const module = await compiledModule();
    // Cancel pressed while the wasm compiled: no worker is started.
    if (this.cancelled) throw new SweepCancelled();
    const results = new Array(total);
    const left = [];
    for (let i = 0; i < total; i++) {
      if (have[i] === undefined) left.push(i);
      else results[i] = have[i];
    }
    if (!left.length) return results;
    size = Math.min(size, left.length);
    return new Promise((resolve, reject) => {
      let done = total - left.length;
      let next = 0;
      const end = (error) => {
        for (const w of this.workers) w.terminate();
        this.workers = [];
        this.stop = null;
        if (error) reject(error);
        else resolve(results);
      };
      /** The next job for `worker`, or the end of its jobs (said once). */
      const handOut = (worker) => {
        if (next < left.length) worker.postMessage({ index: left[next++] });
        else if (!worker.ended) {
          worker.ended = true;
          worker.postMessage({ end: true });
        }
      };
      this.stop = () => end(new SweepCancelled(results));
      // Each worker starts with JOBS_AHEAD + 1 jobs, or its even share when there are fewer.
      const first = Math.max(1, Math.min(JOBS_AHEAD + 1, Math.floor(left.length / size)));
      for (let w = 0; w < size; w++) {
        const indices = left.slice(next, next + first);
        next += indices.length;
        const worker = new Worker(WORKER, { type: 'module', name: `sweep-${w}` });
        worker.onmessage = ({ data }) => {
          if (data.error !== undefined) end(new Error(data.error));
          else if (data.index !== undefined) {
            results[data.index] = data.result;
            this.busyMs += data.ms;
            done += 1;
            handOut(worker);
            onRun(done, total, data.result);
          } else if (data.done !== undefined) {
            worker.terminate();
            this.workers = this.workers.filter((x) => x !== worker);
            if (!this.workers.length) end(null);
          }
        };
        worker.onerror = (event) => {
          event.preventDefault();
          end(new Error(event.message || 'could not start www/sweep-worker.js'));
        };
        this.workers.push(worker);
        worker.postMessage({ sweep, indices, module });
      }
      // Every job handed out already: each worker ends after its own.
      if (next >= left.length) for (const worker of this.workers) handOut(worker);
    });
  }

  /** Stops the sweep now: every worker is terminated, mid-run or not. */
  cancel() {
    this.cancelled = true;
    this.stop?.();
  }
}

/**
 * Runs a sweep's jobs on wasm-bindgen-rayon's pool (threaded build) inside one module Web Worker,
 * the host (www/sweep-pool-worker.js), which starts a pool of its own (never the page's live
 * engine's) and runs every job as a rayon task, reporting runs as they end. Same interface as
 * SweepPool.
 */
export class RayonSweep {
  constructor() {
    this.host = null;
    this.stop = null;
    this.cancelled = false;
    /** The last sweep's runs' wall times added up, each as its pool thread measured it. */
    this.busyMs = 0;
    /** The last sweep's time to start its pool (ms), and its module's memory at the end. */
    this.startMs = null;
    this.memoryBytes = null;
  }

  /** Web Workers alive that the page started (the host; its pool's workers go with it). */
  get alive() {
    return this.host ? 1 : 0;
  }

  /**
   * Runs jobs 0..total-1 of `sweep` on a pool of `size` threads; `onRun(done, total, result)`
   * after each. Resolves to the RunResults in job order; rejects with SweepCancelled, or with
   * PoolFailed (holding the runs made) when the module, the pool or a run failed.
   */
  async run(sweep, total, size, onRun) {
    if (this.host) throw new Error('a sweep is already running');
    this.cancelled = false;
    this.busyMs = 0;
    this.startMs = null;
    this.memoryBytes = null;
    const results = new Array(total);
    let module;
    try {
      module = await compiledModule(MT_BIN);
    } catch (error) {
      throw new PoolFailed(String(error?.message ?? error), results);
    }
    if (this.cancelled) throw new SweepCancelled();
    return new Promise((resolve, reject) => {
      let done = 0;
      const host = new Worker(POOL_HOST, { type: 'module', name: 'sweep-pool' });
      const end = (error) => {
        // The host's pool threads are its own Web Workers: terminating it ends them too.
        host.terminate();
        this.host = null;
        this.stop = null;
        if (error) reject(error);
        else resolve(results);
      };
      this.stop = () => end(new SweepCancelled(results));
      host.onmessage = ({ data }) => {
        if (this.host !== host) return;
        if (data.error !== undefined) end(new PoolFailed(data.error, results));
        else if (data.runs !== undefined) {
          for (const { index, result, ms } of data.runs) {
            results[index] = result;
            this.busyMs += ms;
            done += 1;
            onRun(done, total, result);
          }
        } else if (data.ready !== undefined) this.startMs = data.ms;
        else if (data.done !== undefined) {
          this.memoryBytes = data.memoryBytes;
          end(done === total ? null : new PoolFailed(`${done} of ${total} runs came`, results));
        }
      };
      host.onerror = (event) => {
        event.preventDefault();
        end(new PoolFailed(event.message || 'could not start www/sweep-pool-worker.js', results));
      };
      host.onmessageerror = () => end(new PoolFailed('a run could not be read', results));
      this.host = host;
      host.postMessage({ sweep, threads: size, module });
    });
  }

  /** Stops the sweep now: the host is terminated, and with it its pool's Web Workers. */
  cancel() {
    this.cancelled = true;
    this.stop?.();
  }
}

// --- the panel ---------------------------------------------------------------------------------

const BAND = 'rgba(0, 114, 178, 0.18)';
const BAND_2 = 'rgba(213, 94, 0, 0.16)';

/**
 * The sweep panel (index.html's #sweep): form, progress, Cancel, plots, downloads. `state()` is
 * the page's URL state (its builder is the sweep's base); a point's run opens through the link.
 */
export class SweepPanel {
  constructor(doc, { state, onChange = () => {} }) {
    this.doc = doc;
    this.state = state;
    /** Called when the state's sweep changes (the page then rewrites its link). */
    this.onChange = onChange;
    this.lang = 'en';
    this.pool = new SweepPool();
    this.rayon = new RayonSweep();
    /** Why rayon's pool failed on this page (then sweeps use the Web Workers), or null. */
    this.rayonFailed = null;
    this.wasm = null;
    this.result = null; // {sweep, choice, builder, runs, summary, csv, wallMs, busyMs, workers}
    this.plots = [];
    this.pointIndex = null;
    /** The progress last reported, when it was last shown, and its pending showing. */
    this.shown = null;
    this.paintedAt = -Infinity;
    this.progressTimer = null;
    const $ = (id) => doc.getElementById(id);
    this.el = {
      root: $('sweep'),
      form: $('sweep-form'),
      param: $('sweep-param'),
      from: $('sweep-from'),
      to: $('sweep-to'),
      step: $('sweep-step'),
      list: $('sweep-list'),
      param2: $('sweep-param2'),
      list2: $('sweep-list2'),
      heat: $('sweep-heat'),
      heatFigure: $('sweep-heat-figure'),
      heatTable: $('sweep-heat-table'),
      heatLegend: $('sweep-heat-legend'),
      reps: $('sweep-reps'),
      start: $('sweep-start'),
      cancel: $('sweep-cancel'),
      base: $('sweep-base'),
      progress: $('sweep-progress'),
      status: $('sweep-status'),
      error: $('sweep-error'),
      results: $('sweep-results'),
      knee: $('sweep-knee'),
      plotsBase: $('sweep-plots-base'),
      legend: $('sweep-legend'),
      charts: $('sweep-charts'),
      hint: $('sweep-hint'),
      point: $('sweep-point'),
      csv: $('sweep-csv'),
      json: $('sweep-json'),
    };
    if (!this.el.root) return;
    this.el.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.startFromForm();
    });
    this.el.cancel.addEventListener('click', () => this.cancel());
    this.el.param.addEventListener('change', () => {
      this.suggestRange();
      this.refresh();
    });
    this.el.param2?.addEventListener('change', () => this.suggestRange2());
    this.el.heatFigure?.addEventListener('change', () => this.result?.grid && this.showHeat());
    this.el.csv.addEventListener('click', () => this.download('csv'));
    this.el.json.addEventListener('click', () => this.download('json'));
    // The builder changes through the page's sliders: the base shown follows when the panel is
    // opened or approached.
    for (const type of ['toggle', 'pointerenter', 'focusin']) {
      this.el.root.addEventListener(type, () => this.refresh());
    }
    // A link opened (a point of the plots, say) sets the sliders once the page has read it.
    doc.defaultView?.addEventListener('hashchange', () => setTimeout(() => this.refresh(), 0));
    new ResizeObserver(() => this.resize()).observe(this.el.charts);
    if (this.el.heatTable) {
      new ResizeObserver(() => this.result?.grid && this.markHeatOverflow()).observe(
        this.el.heatTable,
      );
    }
  }

  setLang(lang) {
    this.lang = lang;
    if (!this.el.root) return;
    for (const node of this.el.root.querySelectorAll('[data-i18n-sweep]')) {
      node.textContent = ts(lang, node.dataset.i18nSweep);
    }
    this.el.list.placeholder = ts(lang, 'listHint');
    this.el.list.title = ts(lang, 'listTitle');
    if (this.el.list2) {
      this.el.list2.placeholder = ts(lang, 'list2Hint');
      this.el.list2.title = ts(lang, 'list2Title');
      this.menu2 = null;
      this.fillHeatFigures();
    }
    this.refresh();
    if (this.result && !this.alive) this.show();
  }

  /** Web Workers of a sweep alive now (the pool's host counts one; 0 when no sweep runs). */
  get alive() {
    return this.pool.alive + this.rayon.alive;
  }

  /** Stops the sweep that runs now, whichever way it runs. */
  cancel() {
    this.cancelling = true;
    this.pool.cancel();
    this.rayon.cancel();
  }

  /**
   * How this page runs a sweep: 'rayon' (the threaded build's pool, in one Web Worker) on a
   * cross-origin isolated page with pkg/mt, unless the pool failed here before; else 'workers'.
   */
  async defaultWay() {
    if (this.rayonFailed) return 'workers';
    this.threads ??= threadsAvailability().catch(() => ({ available: false }));
    return (await this.threads).available ? 'rayon' : 'workers';
  }

  get builder() {
    return this.state().builder;
  }

  /** The parameter menu and the base line, for the builder as it is now. */
  refresh() {
    const b = this.builder;
    const choices = paramChoices(b.stages);
    const chosen = this.el.param.value || 'workers:1';
    // Rebuilt only when it changes: a menu rebuilt while open (focusin) would close.
    const menu = `${this.lang}:${b.stages}`;
    if (this.menu !== menu) this.fillMenu(choices);
    this.menu = menu;
    this.el.param.value = choices.some((c) => c.id === chosen) ? chosen : choices[0].id;
    this.fillMenu2(choices);
    this.el.base.textContent = this.baseLine(b);
    this.showPlotsBase();
  }

  /** The builder settings `b` in words, as the base of a sweep. */
  baseLine(b) {
    const l = this.lang;
    return ts(l, 'base', {
      stages: b.stages,
      workers: b.workers.slice(0, b.stages).join('/'),
      maxsize: b.maxsize
        .slice(0, b.stages)
        .map((m) => shownValue({ builder: 'maxsize' }, m))
        .join('/'),
      service: b.service.slice(0, b.stages).join('/'),
      dist: b.dist,
      items: b.items.toLocaleString('en-US'),
      arrival: b.rate > 0 ? ts(l, 'perSecond', { rate: b.rate }) : ts(l, 'allAtOnce'),
      seed: b.seed,
    });
  }

  /**
   * Under the plots, their own base when the sliders have moved since (a point opened from
   * them, say): the line above the form is the next sweep's.
   */
  showPlotsBase() {
    const el = this.el.plotsBase;
    const base = this.result?.builder;
    if (!el) return;
    const moved = base && this.baseLine(base) !== this.baseLine(this.builder);
    el.hidden = !moved;
    el.textContent = moved ? ts(this.lang, 'plotsBase', { base: this.baseLine(base) }) : '';
  }

  fillMenu(choices) {
    this.el.param.replaceChildren(
      ...choices.map((c) => {
        const option = this.doc.createElement('option');
        option.value = c.id;
        option.textContent = paramLabel(c, this.lang);
        return option;
      }),
    );
  }

  /**
   * The second parameter's menu (a 2-D sweep, drawn as a heat map): none, or any parameter that
   * does not set what the first sets.
   */
  fillMenu2(choices) {
    if (!this.el.param2) return;
    const first = this.choice();
    const chosen = this.el.param2.value || '';
    const allowed = choices.filter((c) => !overlaps(c, first));
    const menu = `${this.lang}:${this.builder.stages}:${first.id}`;
    if (this.menu2 !== menu) {
      const none = this.doc.createElement('option');
      none.value = '';
      none.textContent = ts(this.lang, 'param2None');
      this.el.param2.replaceChildren(
        none,
        ...allowed.map((c) => {
          const option = this.doc.createElement('option');
          option.value = c.id;
          option.textContent = paramLabel(c, this.lang);
          return option;
        }),
      );
      this.menu2 = menu;
    }
    this.el.param2.value = allowed.some((c) => c.id === chosen) ? chosen : '';
    this.el.list2.disabled = this.el.param2.value === '';
  }

  choice() {
    return paramChoices(this.builder.stages).find((c) => c.id === this.el.param.value);
  }

  /** The second parameter's choice, or null for a 1-D sweep. */
  choice2() {
    const id = this.el.param2?.value;
    return id ? (paramChoices(this.builder.stages).find((c) => c.id === id) ?? null) : null;
  }

  /** A list that suits the second parameter just picked. */
  suggestRange2() {
    const c = this.choice2();
    this.el.list2.disabled = !c;
    if (!c) return;
    const base = c.builder === 'service' ? this.builder.service[c.param.stage] : null;
    this.el.list2.value = {
      maxsize: '1, 2, 5, 10, 20, 0',
      workers: '1, 2, 3, 4, 6, 8',
      service: [base / 2, base, base * 2].join(', '),
      rate: '50, 100, 200, 400',
      items: '1000, 2000, 5000',
    }[c.builder];
  }

  fillHeatFigures() {
    if (!this.el.heatFigure) return;
    const chosen = this.el.heatFigure.value || 'throughput';
    this.el.heatFigure.replaceChildren(
      ...HEAT_FIGURES.map((f) => new Option(ts(this.lang, f.key, { unit: 'MiB' }), f.id)),
    );
    this.el.heatFigure.value = chosen;
  }

  /** A range that suits the parameter just picked, around the builder's own value. */
  suggestRange() {
    const c = this.choice();
    const b = this.builder;
    const base = c.builder === 'service' ? b.service[c.param.stage] : null;
    const [from, to, step] = {
      maxsize: [1, 20, 1],
      workers: [1, 8, 1],
      service: [base / 2, base * 2, base / 4],
      rate: [50, 500, 50],
      items: [1000, 10000, 1000],
    }[c.builder];
    this.el.from.value = String(from);
    this.el.to.value = String(to);
    this.el.step.value = String(step);
    this.el.list.value = '';
  }

  showError(key, vars) {
    this.el.error.textContent = ts(this.lang, key, vars);
    this.el.error.dataset.kind = 'error';
    this.el.error.hidden = false;
  }

  /** Reads the form, checks it (a bad value is a message here, never a thrown error) and runs. */
  async startFromForm() {
    this.el.error.hidden = true;
    const choice = this.choice();
    const asked = formValues({
      from: this.el.from.value,
      to: this.el.to.value,
      step: this.el.step.value,
      list: this.el.list.value,
    });
    if (asked.error) return this.showError(asked.error.key, asked.error.vars);
    const reps = Number(this.el.reps.value);
    if (!Number.isInteger(reps) || reps < 1 || reps > MAX_REPS) {
      return this.showError('refused', { message: `reps: ${this.el.reps.value} (1..${MAX_REPS})` });
    }
    const builder = structuredClone(this.builder);
    const sweep = {
      base: pipelineSpec(builder),
      param: choice.param,
      values: asked.values.map((v) => toSweepValue(choice, v)),
      reps,
    };
    const choice2 = this.choice2();
    let builderValues2 = null;
    if (choice2) {
      const asked2 = formValues({ list: this.el.list2.value });
      if (asked2.error) return this.showError(asked2.error.key, asked2.error.vars);
      if (!asked2.values.length) return this.showError('noValues2');
      builderValues2 = asked2.values;
      sweep.param2 = choice2.param;
      sweep.values2 = asked2.values.map((v) => toSweepValue(choice2, v));
    }
    return this.start(sweep, {
      choice,
      builder,
      builderValues: asked.values,
      choice2,
      builderValues2,
    });
  }

  /**
   * Runs `sweep` (the Sweeper's object) on `workers` Web Workers (default: poolSize) and shows
   * it. Resolves to the summary, or null when refused or cancelled (the message is shown).
   * `builder`: the builder settings `sweep.base` came from (its points then open as links);
   * `choice` and `builderValues`: the form's parameter and values, checked against the builder.
   */
  async start(sweep, options = {}) {
    if (this.busy) return null;
    this.busy = true;
    try {
      return await this.run(sweep, options);
    } finally {
      this.busy = false;
    }
  }

  async run(sweep, { choice, builder, builderValues, workers, choice2, builderValues2, way }) {
    this.el.error.hidden = true;
    this.cancelling = false;
    this.el.start.disabled = true;
    // Every point must open in the builder: its values are what links can hold. Checked first,
    // so that a value past a slider's range is named in the page's words and language.
    const asked = [
      [choice, builderValues],
      [choice2, builderValues2],
    ];
    for (const [c, values] of asked) {
      if (!c || !values) continue;
      for (const v of values) {
        const refusal = builderRefusal(c, v, this.lang);
        if (refusal) {
          this.showError(refusal.key, refusal.vars);
          this.idle();
          return null;
        }
      }
    }
    const mod = await this.loadWasm();
    let checker;
    try {
      checker = new mod.Sweeper(sweep);
    } catch (error) {
      this.showError('refused', { message: String(error?.message ?? error) });
      this.idle();
      return null;
    }
    const total = checker.jobCount();
    let size = workers ?? poolSize(total);
    let used = way ?? (await this.defaultWay());
    // Runs end tens of times a second; each repaint of the page costs the sweep's own threads
    // CPU on a small machine, so the bar and its line move at most PROGRESS_MS apart.
    const progress = (done) => {
      this.shown = { done, total, workers: size, way: used };
      const now = performance.now();
      const wait = this.paintedAt + PROGRESS_MS - now;
      if (done === 0 || done === total || wait <= 0) this.paintProgress();
      else this.progressTimer ??= setTimeout(() => this.paintProgress(), wait);
    };
    // The last sweep's plots, knee and downloads describe another sweep: they go now, so that
    // a cancelled or failed sweep never shows them under its own status.
    this.result = null;
    this.el.results.hidden = true;
    this.forgetInLink();
    progress(0);
    const started = performance.now();
    let runs;
    /** A cancelled sweep's runs that came ({done, total}) when its whole values are shown. */
    let partial = null;
    try {
      // Cancel pressed while the way was looked up: nothing is started.
      if (this.cancelling) throw new SweepCancelled();
      if (used === 'rayon') {
        try {
          runs = await this.rayon.run(sweep, total, size, progress);
        } catch (error) {
          if (!(error instanceof PoolFailed)) throw error;
          // Cancel pressed as the pool failed: stopped all the same.
          if (this.cancelling) throw new SweepCancelled();
          // The pool could not run it: the Web Workers make the runs still missing. A pool that
          // never started (the module, the pool's Web Workers) sends the page's later sweeps
          // there directly; one whose thread died (out of memory) is tried again next time.
          if (this.rayon.startMs === null) this.rayonFailed = error.message;
          this.showNotice('poolFailed', { message: error.message });
          used = 'workers';
          size = Math.min(size, poolSize(total));
          runs = await this.pool.run(sweep, total, size, progress, error.results);
        }
      } else {
        runs = await this.pool.run(sweep, total, size, progress);
      }
    } catch (error) {
      checker.free();
      // The bar stops at the runs that came, as the status below counts them.
      this.paintProgress();
      const done = this.el.progress.value;
      const whole = error instanceof SweepCancelled ? completePoints(sweep, error.results) : null;
      if (!whole) {
        this.idle();
        this.el.root.dataset.sweep = 'stopped';
        if (error instanceof SweepCancelled) {
          this.el.status.textContent = ts(this.lang, 'cancelled', { done, total });
        } else {
          this.showError('workerFailed', { message: String(error?.message ?? error) });
        }
        return null;
      }
      // Cancelled with some values run for every seed: they are shown, as the sweep of those
      // values they are (its status says it was cancelled).
      sweep = { ...sweep, values: whole.values };
      checker = new mod.Sweeper(sweep);
      runs = whole.runs;
      partial = { done, total };
    }
    const wallMs = performance.now() - started;
    const summary = checker.summarize(runs);
    const csv = checker.csv(runs);
    checker.free();
    this.idle();
    const choices = paramChoices(sweep.base.workers.length);
    this.result = {
      sweep,
      choice: choice ?? choices.find((c) => sameParam(c, sweep.param)),
      // A 2-D sweep: the second parameter, and the grid (rows: values of the first).
      choice2: sweep.param2 ? (choice2 ?? choices.find((c) => sameParam(c, sweep.param2))) : null,
      grid: summary.grid ?? null,
      builder,
      // The workers' RunResults as they came. summarize() reads them back through JSON text
      // (src/web.rs, from_js), whose float parsing may move a value by its last bit: the
      // summary's copies can differ from these by that much.
      runs,
      summary,
      csv,
      wallMs,
      busyMs: used === 'rayon' ? this.rayon.busyMs : this.pool.busyMs,
      workers: size,
      way: used,
      // The pool's start-up (ms) and its module's memory at the end (bytes), rayon only.
      poolStartMs: used === 'rayon' ? this.rayon.startMs : null,
      memoryBytes: used === 'rayon' ? this.rayon.memoryBytes : null,
      partial,
    };
    this.pointIndex = null;
    this.show();
    // The link now holds this sweep (while the builder stays its base): who opens it sees it,
    // with the values as they ran (the Sweeper's, in the builder's units again).
    const named = this.result.choice && (!sweep.param2 || this.result.choice2);
    if (builder && named) {
      const c = this.result.choice;
      const c2 = this.result.choice2;
      this.state().sweep = {
        param: c.id,
        values: sweep.values.map((v) => fromSweepValue(c, v)),
        reps: sweep.reps,
        param2: c2?.id ?? null,
        values2: c2 ? sweep.values2.map((v) => fromSweepValue(c2, v)) : null,
        base: structuredClone(builder),
      };
      this.onChange();
    }
    return summary;
  }

  /** The link no longer holds a sweep (a new one starts: the plots shown go). */
  forgetInLink() {
    if (!this.state().sweep) return;
    this.state().sweep = null;
    this.onChange();
  }

  /**
   * Opens the panel on a link's sweep (url.js readSweep: {param, values, reps, param2,
   * values2}) and runs it on the builder as the link set it. A parameter the builder does not
   * have is a message on the panel, as a bad value in the form is.
   */
  async openFromLink(sw) {
    if (!this.el.root) return null;
    this.el.root.open = true;
    this.refresh();
    const ids = paramChoices(this.builder.stages).map((c) => c.id);
    const missing = [sw.param, sw.param2].find((id) => id && !ids.includes(id));
    if (missing) {
      this.showError('linkParam', { param: missing, stages: this.builder.stages });
      return null;
    }
    this.el.param.value = sw.param;
    this.el.list.value = sw.values.join(', ');
    this.el.reps.value = String(sw.reps);
    this.refresh();
    if (this.el.param2) {
      this.el.param2.value = sw.param2 ?? '';
      this.el.list2.disabled = !sw.param2;
      this.el.list2.value = sw.values2 ? sw.values2.join(', ') : '';
    }
    return this.startFromForm();
  }

  async loadWasm() {
    if (!this.wasm) {
      const mod = await import(WASM_JS.href);
      await mod.default();
      this.wasm = mod;
    }
    return this.wasm;
  }

  /** Shows the progress last reported (and cancels a later showing of it). */
  paintProgress() {
    clearTimeout(this.progressTimer);
    this.progressTimer = null;
    this.paintedAt = performance.now();
    if (this.shown) this.running(this.shown);
  }

  running({ done, total, workers, way }) {
    this.el.start.disabled = true;
    this.el.cancel.disabled = false;
    this.el.root.dataset.sweep = 'running';
    this.el.root.dataset.sweepWay = way;
    this.el.progress.max = total;
    this.el.progress.value = done;
    this.el.status.textContent = ts(this.lang, 'running', {
      done,
      total,
      how: howRun(this.lang, way, workers),
    });
  }

  /** A notice on the panel (the error line, styled as a notice): the sweep goes on. */
  showNotice(key, vars) {
    this.el.error.textContent = ts(this.lang, key, vars);
    this.el.error.dataset.kind = 'notice';
    this.el.error.hidden = false;
  }

  idle() {
    clearTimeout(this.progressTimer);
    this.progressTimer = null;
    this.shown = null;
    this.el.start.disabled = false;
    this.el.cancel.disabled = true;
    this.el.root.dataset.sweep = this.result ? 'done' : 'idle';
  }

  /** The summary: status line, knee, plots, downloads. */
  async show() {
    const r = this.result;
    const l = this.lang;
    const { summary } = r;
    this.el.root.dataset.sweep = r.partial ? 'stopped' : 'done';
    this.showPlotsBase();
    const failed = summary.points.reduce((n, p) => n + p.failed, 0);
    const total = summary.runs.length;
    this.el.progress.max = r.partial?.total ?? total;
    this.el.progress.value = r.partial?.done ?? total;
    this.el.status.textContent =
      (r.partial
        ? ts(l, 'cancelledPartial', { ...r.partial, values: summary.points.length })
        : ts(l, 'finished', {
            total,
            seconds: (r.wallMs / 1000).toFixed(2),
            how: howRun(l, r.way, r.workers),
          })) + (failed ? ` ${ts(l, 'failedRuns', { failed, total })}` : '');
    const label = paramLabel(r.choice, l);
    const has = (i) => i !== null && i !== undefined;
    // Still rising at the top of the range: no knee within it (src/sweep.rs decides).
    const rising = has(summary.rising) ? summary.rising : null;
    this.el.knee.dataset.knee = has(summary.knee) ? 'knee' : rising !== null ? 'rising' : 'none';
    this.el.knee.textContent = has(summary.knee)
      ? ts(l, 'kneeAt', { param: label, value: shownValue(r.choice, this.x()[summary.knee]) })
      : rising !== null
        ? ts(l, 'risingAt', { param: label, value: shownValue(r.choice, this.x()[rising]) })
        : ts(l, 'noKnee');
    this.el.results.hidden = false;
    const grid = !!r.grid;
    this.el.root.dataset.sweepKind = grid ? 'grid' : 'line';
    if (this.el.heat) this.el.heat.hidden = !grid;
    this.el.charts.hidden = grid;
    this.el.legend.hidden = grid;
    if (grid) {
      const at = has(summary.knee) ? summary.knee : rising;
      const vars = {
        param: label,
        value: shownValue(r.choice, this.x()[at]),
        param2: paramLabel(r.choice2, l),
        value2: shownValue(r.choice2, this.x2()[at]),
      };
      this.el.knee.textContent = has(summary.knee)
        ? ts(l, 'kneeAt2', vars)
        : rising !== null
          ? ts(l, 'risingAt2', vars)
          : ts(l, 'noKnee');
      this.el.hint.textContent = ts(l, 'heatHint');
      for (const p of this.plots) p.destroy();
      this.plots = [];
      this.el.charts.replaceChildren();
      this.showHeat();
      this.showPoint(this.pointIndex ?? summary.knee ?? summary.rising ?? 0);
      return;
    }
    this.el.hint.textContent = ts(l, matchMedia('(hover: none)').matches ? 'tapHint' : 'clickHint');
    this.showLegend();
    this.showPoint(this.pointIndex ?? summary.knee ?? summary.rising ?? 0);
    const uPlot = await loadUPlot();
    this.build(uPlot);
  }

  /** The x values as the plots show them (builder units: service time in ms). */
  x() {
    return this.result.summary.points.map((p) => fromSweepValue(this.result.choice, p.value));
  }

  /** A 2-D sweep's second values, point by point (builder units). */
  x2() {
    const r = this.result;
    return r.summary.points.map((p) => (r.choice2 ? fromSweepValue(r.choice2, p.value2) : null));
  }

  /**
   * What the heat map shows (also for the tests): the figure's id and label, the rows' and
   * columns' values (builder units) and each cell's value, row by row, as the summary has it.
   */
  heatData() {
    const r = this.result;
    const figure = HEAT_FIGURES.find((f) => f.id === this.el.heatFigure?.value) ?? HEAT_FIGURES[0];
    const columns = r.grid.columns.length;
    const values = r.summary.points.map((p) => figure.of(p));
    return {
      figure: figure.id,
      label: ts(this.lang, figure.key, { unit: 'MiB' }),
      rows: r.grid.rows.map((v) => fromSweepValue(r.choice, v)),
      columns: r.grid.columns.map((v) => fromSweepValue(r.choice2, v)),
      cells: r.grid.rows.map((_, i) => values.slice(i * columns, (i + 1) * columns)),
    };
  }

  /**
   * The heat map: a table (rows the first parameter, columns the second), each cell a button
   * coloured by the figure on one scale whose legend is under it; hover or focus shows the
   * cell's line below, a click (or Enter) opens its run. Arrow keys move between cells.
   */
  showHeat() {
    const r = this.result;
    const l = this.lang;
    const data = this.heatData();
    const flat = data.cells.flat().filter(Number.isFinite);
    const lo = Math.min(...flat);
    const hi = Math.max(...flat);
    const scale = (v) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
    const doc = this.doc;
    const table = doc.createElement('table');
    table.className = 'sweep-heat-grid';
    const caption = doc.createElement('caption');
    caption.textContent = ts(l, 'heatCaption', {
      figure: data.label,
      rows: paramLabel(r.choice, l),
      columns: paramLabel(r.choice2, l),
    });
    const head = doc.createElement('tr');
    const corner = doc.createElement('th');
    corner.scope = 'col';
    corner.className = 'corner';
    // Short names (the caption above gives them in full): a narrow column stays narrow.
    const rowsName = doc.createElement('span');
    rowsName.textContent = `${paramShort(r.choice, l)}\u00a0↓`;
    const columnsName = doc.createElement('span');
    columnsName.textContent = `${paramShort(r.choice2, l)}\u00a0→`;
    corner.append(rowsName, columnsName);
    head.append(corner);
    for (const c of data.columns) {
      const th = doc.createElement('th');
      th.scope = 'col';
      th.textContent = String(shownValue(r.choice2, c));
      head.append(th);
    }
    const thead = doc.createElement('thead');
    thead.append(head);
    const tbody = doc.createElement('tbody');
    const columns = data.columns.length;
    data.rows.forEach((rowValue, i) => {
      const tr = doc.createElement('tr');
      const th = doc.createElement('th');
      th.scope = 'row';
      th.textContent = String(shownValue(r.choice, rowValue));
      tr.append(th);
      data.cells[i].forEach((v, j) => {
        const index = i * columns + j;
        const point = r.summary.points[index];
        const td = doc.createElement('td');
        const button = doc.createElement('button');
        button.type = 'button';
        button.className = 'sweep-cell';
        button.dataset.point = String(index);
        button.dataset.value = String(v);
        const colour = heatColour(scale(v));
        button.style.background = colour.css;
        button.style.color = colour.light ? '#fff' : '#111';
        button.textContent = compact(v);
        if (point.failed) button.textContent += ' !';
        if (index === r.summary.knee) {
          button.classList.add('knee');
          button.textContent += ' ★';
        }
        // The name starts with what the cell shows (label in name), then the point in words.
        button.setAttribute(
          'aria-label',
          `${button.textContent}: ${this.pointLine(index)} ${index === r.summary.knee ? ts(l, 'knee') : ''}`.trim(),
        );
        button.title = this.pointLine(index);
        button.tabIndex = index === (this.pointIndex ?? 0) ? 0 : -1;
        button.addEventListener('pointerenter', () => this.showPoint(index));
        button.addEventListener('focus', () => this.showPoint(index));
        button.addEventListener('click', () => this.openPoint(index, 0));
        button.addEventListener('keydown', (event) => this.heatKey(event, index, columns));
        td.append(button);
        tr.append(td);
      });
      tbody.append(tr);
    });
    table.append(caption, thead, tbody);
    this.el.heatTable.replaceChildren(table);
    this.showHeatLegend(lo, hi, data.label, {
      knee: r.summary.knee !== null && r.summary.knee !== undefined,
      failed: r.summary.points.some((p) => p.failed > 0),
    });
    this.markHeatOverflow();
  }

  /** Arrow keys move between the heat map's cells (one tab stop for the grid). */
  heatKey(event, index, columns) {
    const total = this.result.summary.points.length;
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns }[event.key];
    if (step === undefined) return;
    const next = index + step;
    const sameRow = Math.floor(next / columns) === Math.floor(index / columns);
    if (next < 0 || next >= total || (Math.abs(step) === 1 && !sameRow)) return;
    event.preventDefault();
    const cells = this.el.heatTable.querySelectorAll('.sweep-cell');
    cells[index].tabIndex = -1;
    cells[next].tabIndex = 0;
    cells[next].focus();
  }

  /** The colour scale's legend: the gradient from the lowest to the highest value shown. */
  showHeatLegend(lo, hi, label, { knee: hasKnee, failed }) {
    const doc = this.doc;
    const bar = doc.createElement('span');
    bar.className = 'sweep-heat-bar';
    const stops = [0, 0.25, 0.5, 0.75, 1].map((f) => `${heatColour(f).css} ${f * 100}%`);
    bar.style.background = `linear-gradient(to right, ${stops.join(', ')})`;
    bar.setAttribute('aria-hidden', 'true');
    const low = doc.createElement('span');
    low.textContent = Number.isFinite(lo) ? compact(lo) : '–';
    const high = doc.createElement('span');
    high.textContent = Number.isFinite(hi) ? compact(hi) : '–';
    const name = doc.createElement('span');
    name.className = 'sweep-heat-name';
    name.textContent = `${label}:`;
    // Only the marks the map holds: a knee's star, a failed run's "!".
    const marks = [
      hasKnee ? `★ ${ts(this.lang, 'knee')}` : null,
      failed ? `! ${ts(this.lang, 'heatFailed')}` : null,
    ].filter(Boolean);
    const knee = doc.createElement('span');
    knee.textContent = marks.join(' · ');
    const scroll = doc.createElement('span');
    scroll.className = 'sweep-heat-scroll';
    scroll.textContent = ts(this.lang, 'heatScroll');
    this.el.heatLegend.replaceChildren(name, low, bar, high, knee, scroll);
  }

  /** Says so when the heat map is wider than its box (a phone): the rest is a swipe away. */
  markHeatOverflow() {
    const box = this.el.heatTable;
    if (!box) return;
    box.dataset.overflows = String(box.scrollWidth > box.clientWidth + 1);
  }

  /** What each plot shows: {title, series: [{label, values}], bands} (also for the tests). */
  plotData() {
    const { summary } = this.result;
    const pts = summary.points;
    const l = this.lang;
    const col = (f) => pts.map(f);
    const maxMemory = Math.max(0, ...pts.map((p) => p.peak_memory_bytes.max));
    const [unit, div] =
      maxMemory >= 1024 ** 2 ? ['MiB', 1024 ** 2] : maxMemory >= 1024 ? ['KiB', 1024] : ['B', 1];
    return [
      {
        id: 'throughput',
        title: ts(l, 'chartThroughput'),
        series: [
          ['mean', col((p) => p.throughput_per_s.mean)],
          ['max', col((p) => p.throughput_per_s.max)],
          ['min', col((p) => p.throughput_per_s.min)],
          ['bound', col((p) => p.best_possible_per_s ?? null)],
        ],
      },
      {
        id: 'latency',
        title: ts(l, 'chartLatency'),
        series: [
          ['p50', col((p) => p.latency_p50_us.mean / 1000)],
          ['p95', col((p) => p.latency_p95_us.mean / 1000)],
          ['max', col((p) => p.latency_p95_us.max / 1000)],
          ['min', col((p) => p.latency_p95_us.min / 1000)],
        ],
      },
      {
        id: 'memory',
        title: ts(l, 'chartMemory', { unit }),
        series: [
          ['mean', col((p) => p.peak_memory_bytes.mean / div)],
          ['max', col((p) => p.peak_memory_bytes.max / div)],
          ['min', col((p) => p.peak_memory_bytes.min / div)],
        ],
      },
      {
        id: 'utilization',
        title: ts(l, 'chartUtil'),
        series: [
          ['mean', col((p) => p.utilization_max.mean)],
          ['max', col((p) => p.utilization_max.max)],
          ['min', col((p) => p.utilization_max.min)],
        ],
      },
    ];
  }

  showLegend() {
    const l = this.lang;
    const item = (cls, text) => {
      const li = this.doc.createElement('li');
      const swatch = this.doc.createElement('span');
      swatch.className = `swatch ${cls}`;
      li.append(swatch, text);
      return li;
    };
    this.el.legend.replaceChildren(
      item('mean', ts(l, 'mean')),
      item('band', ts(l, 'spread')),
      item('bound', ts(l, 'bound')),
      item('p95', ts(l, 'p95')),
      item('knee', ts(l, 'knee')),
    );
  }

  build(uPlot) {
    for (const p of this.plots) p.destroy();
    this.plots = [];
    this.el.charts.replaceChildren();
    // Plotted smallest value first (uPlot needs x in order); a plot's data index i is point
    // order[i].
    const { order, pos, infAt, top } = plotAxis(this.result.choice, this.x());
    const x = order.map((i) => pos[i]);
    const knee0 = this.result.summary.knee;
    const kneeX = knee0 !== null && knee0 !== undefined ? pos[knee0] : null;
    const xLabel = paramLabel(this.result.choice, this.lang);
    const width = this.chartWidth();
    const knee = {
      hooks: {
        draw: [
          (u) => {
            if (kneeX === null || kneeX === undefined) return;
            const ctx = u.ctx;
            const px = Math.round(u.valToPos(kneeX, 'x', true));
            ctx.save();
            ctx.strokeStyle = OKABE_ITO.vermillion;
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(px, u.bbox.top);
            ctx.lineTo(px, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          },
        ],
        setCursor: [
          (u) => {
            if (u.cursor.idx !== null && u.cursor.idx !== undefined) {
              this.showPoint(order[u.cursor.idx]);
            }
          },
        ],
      },
    };
    const line = (color, extra = {}) => ({
      stroke: color,
      width: 2,
      points: { show: true, size: 6, fill: color },
      ...extra,
    });
    const edge = { stroke: 'transparent', width: 0, points: { show: false } };
    const styles = {
      throughput: {
        series: [
          line(OKABE_ITO.blue),
          edge,
          edge,
          { stroke: OKABE_ITO.black, width: 1.5, dash: [6, 4], points: { show: false } },
        ],
        bands: [{ series: [2, 3], fill: BAND }],
      },
      latency: {
        series: [line(OKABE_ITO.blue), line(OKABE_ITO.vermillion), edge, edge],
        bands: [{ series: [3, 4], fill: BAND_2 }],
      },
      memory: {
        series: [line(OKABE_ITO.blue), edge, edge],
        bands: [{ series: [2, 3], fill: BAND }],
      },
      utilization: {
        series: [line(OKABE_ITO.blue), edge, edge],
        bands: [{ series: [2, 3], fill: BAND }],
        range: [0, 1],
      },
    };
    for (const plot of this.plotData()) {
      const style = styles[plot.id];
      const opts = {
        title: plot.title,
        width,
        height: 190,
        plugins: [knee],
        cursor: { drag: { x: false, y: false }, points: { size: 9 } },
        legend: { show: false },
        scales: {
          // A margin either side, so that the first and last points can be clicked.
          x: {
            time: false,
            range: (u, lo, hi) => {
              const pad = (hi - lo || Math.abs(hi) || 1) * 0.04;
              return [lo - pad, hi + pad];
            },
          },
          y: style.range ? { range: style.range } : { range: (u, lo, hi) => [0, hi * 1.08 || 1] },
        },
        axes: [
          infAt === null
            ? { label: xLabel, size: 40, labelSize: 16 }
            : {
                label: xLabel,
                size: 40,
                labelSize: 16,
                // The bounds uPlot picks, then ∞ at its own place past the largest.
                splits: (u, axis, lo, hi, incr) => {
                  const ticks = [];
                  for (let v = Math.ceil(lo / incr) * incr; v <= top + 1e-9; v += incr) {
                    if (v >= lo) ticks.push(Number(v.toPrecision(12)));
                  }
                  return [...ticks, infAt];
                },
                values: (u, ticks) => ticks.map((v) => (v === infAt ? '∞' : String(v))),
              },
          { size: 56, values: (u, ticks) => ticks.map((v) => compact(v)) },
        ],
        series: [{}, ...plot.series.map(([label], i) => ({ label, ...style.series[i] }))],
        bands: style.bands,
      };
      const wrap = this.doc.createElement('div');
      wrap.className = 'sweep-chart';
      wrap.dataset.chart = plot.id;
      this.el.charts.append(wrap);
      const u = new uPlot(opts, [x, ...plot.series.map(([, v]) => order.map((i) => v[i]))], wrap);
      // A touch has no hover: its first tap on a point picks it (its line, with each seed's
      // link, shows below); a second tap on the same point opens it.
      let pickedBefore = null;
      let touch = false;
      u.over.addEventListener('pointerdown', (event) => {
        touch = event.pointerType === 'touch';
        pickedBefore = this.pointIndex;
      });
      u.over.addEventListener('click', () => {
        if (u.cursor.idx === null || u.cursor.idx === undefined) return;
        const point = order[u.cursor.idx];
        if (touch && point !== pickedBefore) this.showPoint(point);
        else this.openPoint(point, 0);
      });
      u.over.title = ts(this.lang, 'clickHint');
      // From the keyboard: ← → pick a point (its line below), Enter opens its first seed.
      wrap.tabIndex = 0;
      wrap.setAttribute('aria-label', `${plot.title}. ${ts(this.lang, 'keysHint')}`);
      wrap.addEventListener('keydown', (event) => {
        const last = x.length - 1;
        const at = Math.max(0, order.indexOf(this.pointIndex ?? order[0]));
        if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
          event.preventDefault();
          const next = Math.max(0, Math.min(last, at + (event.key === 'ArrowLeft' ? -1 : 1)));
          this.showPoint(order[next]);
        } else if (event.key === 'Enter') {
          event.preventDefault();
          this.openPoint(order[at], 0);
        }
      });
      this.plots.push(u);
    }
  }

  chartWidth() {
    const w = this.el.charts.clientWidth || 900;
    const columns = w > 1100 ? 4 : w > 560 ? 2 : 1;
    return Math.max(240, Math.floor((w - 16 * (columns - 1)) / columns));
  }

  resize() {
    const width = this.chartWidth();
    for (const p of this.plots) if (p.width !== width) p.setSize({ width, height: 190 });
  }

  /** The link (hash) of replication `rep` at point `i`: the builder with that value and seed. */
  linkOf(i, rep) {
    const r = this.result;
    const value = this.x()[i];
    const builder = builderFor(r.builder, r.choice, value, rep, r.choice2, this.x2()[i]);
    return writeState({ ...this.state(), preset: BUILDER, builder, compare: null });
  }

  /** Point `i` in words: its value (or values) and what it measured. */
  pointLine(i) {
    const r = this.result;
    const p = r.summary.points[i];
    const l = this.lang;
    const vars = {
      param: paramLabel(r.choice, l),
      value: shownValue(r.choice, this.x()[i]),
      throughput: formatNumber(p.throughput_per_s.mean),
      min: formatNumber(p.throughput_per_s.min),
      max: formatNumber(p.throughput_per_s.max),
      p95: formatNumber(p.latency_p95_us.mean / 1000),
      runs: p.runs,
      runWord: ts(l, p.runs === 1 ? 'runOne' : 'runMany'),
    };
    if (!r.choice2) return ts(l, 'point', vars);
    return ts(l, 'point2', {
      ...vars,
      param2: paramLabel(r.choice2, l),
      value2: shownValue(r.choice2, this.x2()[i]),
      memory: formatNumber(p.peak_memory_bytes.mean / 1024 ** 2),
      util: Math.round(p.utilization_max.mean * 100),
    });
  }

  /** The line under the plots for point `i`, with a link to each of its seeds. */
  showPoint(i) {
    const r = this.result;
    const p = r?.summary.points[i];
    if (!p) return;
    this.pointIndex = i;
    const l = this.lang;
    const text = this.doc.createElement('span');
    text.textContent = this.pointLine(i);
    const links = [text];
    if (
      r.builder?.dist === 'uniform' &&
      (r.choice.builder === 'service' || r.choice2?.builder === 'service')
    ) {
      links.push(` ${ts(l, 'uniformNote')}`);
    }
    // A sweep started with a base that is not the builder's (the benchmark's) has no links.
    if (r.builder) links.push(` ${ts(l, 'openRuns')} `);
    for (let rep = 0; r.builder && rep < r.sweep.reps; rep++) {
      const a = this.doc.createElement('a');
      a.href = this.linkOf(i, rep);
      a.textContent = ts(l, 'openSeed', { seed: r.builder.seed + rep });
      a.addEventListener('click', (event) => {
        event.preventDefault();
        this.openPoint(i, rep);
      });
      links.push(a, ' ');
    }
    this.el.point.replaceChildren(...links);
  }

  /** Opens point `i`'s run `rep` in the builder (this page: its hashchange loads the link). */
  openPoint(i, rep) {
    this.showPoint(i);
    if (!this.result.builder) return;
    location.hash = this.linkOf(i, rep);
    // To the controls, with the canvas under them: Play is the next thing to press.
    const to = this.doc.querySelector('.controlbar') ?? this.doc.querySelector('.stage');
    to?.scrollIntoView?.({ block: 'start' });
  }

  /** Saves what the plots show: the runs as CSV (Sweeper.csv), or the summary as JSON. */
  download(kind) {
    const r = this.result;
    if (!r) return;
    const param2 = r.summary.param2 ? `-by-${r.summary.param2.replace(':', '-')}` : '';
    const name = `sweep-${r.summary.param.replace(':', '-')}${param2}`;
    const [text, type] =
      kind === 'csv'
        ? [r.csv, 'text/csv']
        : [JSON.stringify(r.summary, null, 1), 'application/json'];
    const a = this.doc.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type }));
    a.download = `${name}.${kind}`;
    this.doc.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
}

/** Who runs a sweep, in words: "2 threads (rayon pool)" or "2 Web Workers". */
function howRun(lang, way, n) {
  const key = way === 'rayon' ? 'howPool' : 'howWorkers';
  return ts(lang, n === 1 ? `${key}One` : key, { n });
}

function sameParam(choice, param) {
  return choice.param.kind === param.kind && (choice.param.stage ?? null) === (param.stage ?? null);
}

/** Tick labels: 1.2k, 15k, 1.5M. */
function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(0)}k`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}
