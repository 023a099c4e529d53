// Compare mode: two runs side by side under one clock (Play, Step, Step back, the timeline),
// each any program with its own sliders, the strip of their differences, and the note's pairs.

import { FrameLoop } from './clock.js';
import { renderSliders, slidersOf } from './controls.js';
import { createRun } from './engine.js';
import { formatBytes, formatDuration, formatRate, pick, t } from './i18n.js';
import './i18n-compare.js';
import { annotationsOf, canvasLabels, describe } from './labels.js';
import { withThreads } from './layout.js';
import { programPace } from './lesson.js';
import { BUILDER, PARAMS, SPEED_STOPS, pipelineSpec, withStages } from './params.js';
import { Renderer } from './renderer.js';
import { compareSide, writeCompare } from './url.js';

/** Operations a side may replay a frame while the timeline seeks (two sides share a frame). */
const SEEK_OPS_PER_FRAME = 150_000;
/**
 * Step back where no Step led: the stretch of virtual time (ms) replayed and stepped through to
 * find the last two changes, first this long, then WIDER times longer until it holds them.
 */
const BACK_SPAN_MS = 50;
const WIDER = 8;
/** Real time (ms) a frame may spend stepping through that stretch, so that the page stays live. */
const WALK_MS_PER_FRAME = 8;
/** Steps back remembered (each the moment a Step or a search came from). */
const HISTORY = 4000;
/** How often the strip and the sides' stats refresh while playing (ms of real time). */
const STATS_EVERY_MS = 250;
/** The builder's settings the two sides share: the same items and seed. */
const SHARED = ['items', 'seed'];

/**
 * A builder side: the builder's defaults with every queue's maxsize `m`, and a memory budget
 * (items then weigh 1 MiB each) large enough for every item, so that memory is counted.
 * Finished items are counted and let go: kept, they would fill done_queue to the same 1,000
 * MiB on both sides by the end, hiding what bounding the queues saves.
 */
function builderSide(maxsize) {
  const side = compareSide(BUILDER);
  side.builder.maxsize = side.builder.maxsize.map(() => maxsize);
  side.builder.memory = 2048;
  side.builder.sink = 'count';
  return side;
}

/** A preset side with start-of-run overrides. */
function presetSide(preset, overrides = {}) {
  const side = compareSide(preset);
  Object.assign(side.overrides, overrides);
  return side;
}

/**
 * The note's contrasts, one click each: [left, right]. A correct program against its failure
 * has one pair per failure preset.
 */
export const PAIRS = {
  polling: () => [presetSide('p1'), presetSide('p5')],
  bounded: () => [builderSide(0), builderSide(10)],
  workers: () => [presetSide('p5'), presetSide('p6')],
  f1: () => [presetSide('p6'), presetSide('f1')],
  f2: () => [presetSide('p4'), presetSide('f2')],
  f3: () => [presetSide('f3', { maxsize: [10, 10, 10] }), presetSide('f3')],
  f4: () => [presetSide('f4', { maxsize: [0, 0] }), presetSide('f4')],
};

/**
 * What each pair is about: the strip's rows its lesson compares (only they may be marked
 * better), the caption that says what to look at and what differs, and the side that is the
 * failing program (never marked better).
 */
export const LESSONS = {
  polling: { figures: ['polls', 'wastedCpu'], caption: 'cmp.captionPolling' },
  bounded: {
    figures: ['memory', 'peakMemory', 'throughput', 'p95'],
    caption: 'cmp.captionBounded',
  },
  workers: { figures: ['throughput', 'p95'], caption: 'cmp.captionWorkers' },
  f1: { figures: ['status', 'itemsDone'], caption: 'cmp.captionF1', failing: 1 },
  f2: { figures: ['status', 'itemsDone'], caption: 'cmp.captionF2', failing: 1 },
  f3: { figures: ['status', 'itemsDone'], caption: 'cmp.captionF3', failing: 1 },
  f4: { figures: ['status', 'itemsDone'], caption: 'cmp.captionF4', failing: 1 },
};

/** Two figures closer than this (a share of the larger) are the same: no side is better. */
export const TOLERANCE = 0.02;

/** The pair whose sides these are (as the link writes them), or null for sides of one's own. */
export function pairOf(sides) {
  if (!sides) return null;
  const link = writeCompare(sides);
  return Object.keys(PAIRS).find((id) => writeCompare(PAIRS[id]()) === link) ?? null;
}

/**
 * Which side's figure is better, 0 or 1, or null: not two numbers, or within TOLERANCE of each
 * other. `better` is 'high' or 'low'.
 */
export function betterSide(a, b, better) {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (scale === 0 || Math.abs(a - b) <= TOLERANCE * scale) return null;
  return (better === 'high' ? a > b : a < b) ? 0 : 1;
}

/** A run's status as a rank (a failure lowest, then running, then finished): higher is better. */
const STATUS_RANK = { hang: 0, memory_error: 0, running: 1, finished: 2 };
const FAILED = new Set(['hang', 'memory_error']);

/** The strip's rows: the figure from a run's stats, how it reads, and which way is better. */
const FIGURES = [
  { key: 'throughput', better: 'high', of: (s) => s.throughput_per_s, show: formatRate },
  {
    key: 'p95',
    better: 'low',
    of: (s) => (s.latency?.count ? s.latency.p95_us : null),
    show: formatDuration,
  },
  { key: 'memory', better: 'low', of: (s) => s.memory_bytes, show: (v) => formatBytes(v) },
  {
    key: 'peakMemory',
    better: 'low',
    of: (s) => s.peak_memory_bytes,
    show: (v) => formatBytes(v),
  },
  {
    key: 'longest',
    better: 'low',
    of: (s) => longestQueue(s)?.max_len ?? null,
    show: (v) => v.toLocaleString('en-US'),
    note: (s) => longestQueue(s)?.name ?? '',
  },
  { key: 'polls', better: 'low', of: (s) => s.polls, show: (v) => v.toLocaleString('en-US') },
  { key: 'wastedCpu', better: 'low', of: (s) => s.wasted_cpu_us, show: formatDuration },
];

/** The queue that was longest at any time (the engine's max_len), leaving out the done queue. */
function longestQueue(stats) {
  let best = null;
  for (const q of stats.queues ?? []) {
    if (q.name === 'done_queue') continue;
    if (!best || q.max_len > best.max_len) best = q;
  }
  return best;
}

/** Whether two positions (see ComparePanel.position) are the same moment of both runs. */
function samePosition(a, b) {
  if (a.clockMs !== b.clockMs) return false;
  return a.sides.every((p, i) => {
    const q = b.sides[i];
    return p === q || (p && q && p.ops === q.ops && p.us === q.us);
  });
}

/**
 * One frame's work toward `goal` for `run`, at most SEEK_OPS_PER_FRAME operations; true once
 * there. `{tMs}` is a time (all that happens by then has run); `{ops, tMs}` the state after `ops`
 * operations, then time `tMs` where only time passed after them (as the moment a Step left).
 */
function toward(run, goal) {
  if (goal.ops !== undefined) {
    if (!goal.opsDone) {
      // Later, with no operation since (only time passed): the replay starts from 0 again.
      if (!goal.began && run.ops() === goal.ops && run.timeMs() > goal.tMs) run.seekOps(0, 0);
      goal.began = true;
      if (!run.seekOps(goal.ops, SEEK_OPS_PER_FRAME)) return false;
      goal.opsDone = true;
    }
    if (run.ended || run.timeMs() >= goal.tMs) return true;
  }
  return run.seekBounded(goal.tMs, SEEK_OPS_PER_FRAME);
}

/** One side: its program, run, canvas and sliders. */
class Side {
  constructor(panel, index, node) {
    this.panel = panel;
    this.index = index;
    this.side = compareSide();
    this.run = null;
    this.stats = null;
    this.shape = null;
    this.threadNames = [];
    this.threadStages = [];
    this.queueMaxsize = [];
    this.sliders = { workers: [], maxsize: [] };
    this.jumped = true;
    const doc = node.ownerDocument;
    const q = (sel) => node.querySelector(sel);
    this.node = node;
    this.title = q('.cmp-side-title');
    this.picker = q('select');
    this.summary = q('.cmp-summary');
    this.canvas = q('canvas');
    this.description = q('.cmp-description');
    this.slidersBox = q('.cmp-sliders-box');
    this.error = q('.cmp-side-error');
    this.renderer = new Renderer(this.canvas, { reducedMotion: panel.reducedMotion });
    this.picker.addEventListener('change', () => panel.pick(index, this.picker.value));
    new ResizeObserver(() => {
      if (!this.run) return;
      this.renderer.relayout();
      panel.redraw();
    }).observe(this.canvas);
    void doc;
  }

  /** Left and right side by side (a very wide screen); top and bottom when stacked. */
  get name() {
    const stacked = this.panel.stacked;
    const key =
      this.index === 0 ? (stacked ? 'cmp.top' : 'cmp.left') : stacked ? 'cmp.bottom' : 'cmp.right';
    return t(this.panel.lang, key);
  }

  /** Drops the run and starts this side's program at time 0 (model engine). */
  async start(token) {
    this.free();
    this.error.hidden = true;
    const side = this.side;
    const source =
      side.preset === BUILDER ? { pipeline: pipelineSpec(side.builder) } : { preset: side.preset };
    let run;
    try {
      run = await createRun(source, this.panel.lang, 'model');
    } catch (error) {
      if (token !== this.panel.token) return;
      this.error.textContent = t(this.panel.lang, 'cmp.refused', {
        side: this.name,
        message: error?.message ?? String(error),
      });
      this.error.hidden = false;
      this.renderSliders();
      return;
    }
    if (token !== this.panel.token) {
      run.free();
      return;
    }
    this.run = run;
    const scenario = run.scenario;
    this.threadStages = scenario.threads.map((th) => th.stage ?? null);
    this.threadNames = scenario.threads.map((th) => th.name);
    this.queueMaxsize = scenario.queues.map((q) => q.maxsize ?? 0);
    this.shape = withThreads(run.shape, this.threadStages);
    this.setUpSliders();
    this.renderer.speed = this.panel.speed;
    this.renderer.setScene(this.shape, {
      maxsize: this.queueMaxsize,
      labels: canvasLabels(this),
    });
    this.jumped = true;
    this.renderSliders();
    this.refreshStats();
  }

  /** The sliders' model from the run's shape, and a preset's overrides set at time 0. */
  setUpSliders() {
    const run = this.run;
    this.sliders = slidersOf(run);
    const { workers, maxsize } = this.sliders;
    if (this.side.preset === BUILDER) return;
    const o = this.side.overrides;
    const apply = (list, values, set) => {
      if (!values || values.length !== list.length) return;
      values.forEach((v, i) => {
        if (v === list[i].value || list[i].fixed) return;
        try {
          set(list[i], v);
          list[i].value = v;
        } catch (error) {
          this.error.textContent = `${this.name}: ${error.message}`;
          this.error.hidden = false;
        }
      });
    };
    apply(workers, o.workers, (w, v) => run.setWorkers(w.stage, v));
    apply(maxsize, o.maxsize, (m, v) => {
      run.setMaxsize(m.queue, v);
      this.queueMaxsize[m.queue] = v;
    });
  }

  renderSliders() {
    const side = this.side;
    const model = {
      workers: this.sliders.workers,
      maxsize: this.sliders.maxsize,
      builder: side.preset === BUILDER ? side.builder : null,
    };
    renderSliders(
      this.slidersBox,
      model,
      this.panel.lang,
      (param, index, value, { final }) => this.onParam(param, index, value, final),
      { idPrefix: `cmp${this.index}-` },
    );
  }

  /** A slider let go: the side's settings change, and both runs start again (one clock). */
  onParam(param, index, value, final) {
    if (!final) return;
    const side = this.side;
    if (side.preset === BUILDER) {
      if (param === 'stages') side.builder = withStages(side.builder, value);
      else if (PARAMS[param]?.perStage) side.builder[param][index] = value;
      else side.builder[param] = value;
      // The same items and seed on both sides: the other builder side takes them too.
      if (SHARED.includes(param)) {
        for (const other of this.panel.sides) {
          if (other !== this && other.side.preset === BUILDER) other.side.builder[param] = value;
        }
      }
    } else if (param === 'workers' || param === 'maxsize') {
      side.overrides[param] = this.sliders[param].map((e, i) => (i === index ? value : e.value));
    }
    this.panel.restart();
  }

  refreshStats() {
    if (!this.run) return;
    const stats = this.run.stats();
    this.stats = stats;
    const threads = stats.threads ?? [];
    this.threadNames = threads.map((th) => th.name);
    if (threads.length !== this.threadStages.length) {
      this.threadStages = threads.map((th) => th.stage);
      this.shape = withThreads(this.run.shape, this.threadStages);
      this.renderer.setScene(this.shape, {
        maxsize: this.queueMaxsize,
        labels: canvasLabels(this),
      });
      this.jumped = true;
    }
    (stats.queues ?? []).forEach((q, i) => {
      if (this.queueMaxsize[i] !== q.maxsize) {
        this.queueMaxsize[i] = q.maxsize;
        this.renderer.setMaxsize(i, q.maxsize);
      }
    });
    this.renderer.setAnnotations(annotationsOf(stats, this.run));
    this.description.textContent = describeSide(this, stats);
  }

  /** Draws the current frame (the views are read at once: see engine.js FrameView). */
  draw(now) {
    if (!this.run) return;
    const view = this.run.frame();
    if (this.jumped) this.renderer.jump();
    this.renderer.draw(view, now, { animate: !this.jumped });
    this.jumped = false;
  }

  /** The program's name, as the picker says it. */
  programName() {
    const l = this.panel.lang;
    if (this.side.preset === BUILDER) return `B. ${t(l, 'builder')}`;
    const preset = this.panel.presets().find((p) => p.id === this.side.preset);
    return preset ? pick(preset.title, l) : this.side.preset;
  }

  showLabels() {
    const l = this.panel.lang;
    this.title.textContent = this.name;
    const options = this.panel.presets().map((p) => new Option(pick(p.title, l), p.id));
    options.push(new Option(`B. ${t(l, 'builder')}`, BUILDER));
    this.picker.replaceChildren(...options);
    this.picker.value = this.side.preset;
    const preset = this.panel.presets().find((p) => p.id === this.side.preset);
    this.summary.textContent =
      this.side.preset === BUILDER ? t(l, 'builderSummary') : preset ? pick(preset.summary, l) : '';
    this.canvas.setAttribute(
      'aria-label',
      t(l, 'cmp.canvas', { side: this.name, program: this.programName() }),
    );
    if (this.run) {
      this.run.setLang(l);
      this.renderer.setLabels(canvasLabels(this));
    }
    this.renderSliders();
  }

  free() {
    this.run?.free();
    this.run = null;
    this.stats = null;
  }
}

/** The canvas's sentence for a screen reader, with the side's name in front. */
function describeSide(side, stats) {
  try {
    return `${side.name}. ${describe(stats)}`;
  } catch {
    return side.name;
  }
}

/**
 * The compare panel (index.html's #compare). `state()` is the page's URL state, whose `compare`
 * holds the sides; `presets()` the engine's presets; `onChange()` writes the link; `notify(text,
 * {kind})` shows a notice.
 */
export class ComparePanel {
  constructor(doc, { state, presets, onChange, notify = () => {}, reducedMotion = false }) {
    this.doc = doc;
    this.state = state;
    this.presets = presets;
    this.onChange = onChange;
    this.notify = notify;
    this.reducedMotion = reducedMotion;
    this.lang = 'en';
    this.active = false;
    this.phase = 'ready';
    this.clockMs = 0;
    this.maxMs = 0;
    this.speed = 1;
    this.token = 0;
    this.seeking = null;
    // Where each Step (or a search for the moment before) came from: {from, to} positions.
    this.history = [];
    // The last moment shown (a link made while a replay is under way names it).
    this.shown = null;
    this.needsDraw = false;
    this.statsAt = -Infinity;
    this.scrubbing = false;
    const $ = (id) => doc.getElementById(id);
    this.el = {
      root: $('compare'),
      close: $('cmp-close'),
      pairs: $('cmp-pairs'),
      failure: $('cmp-failure'),
      failureGo: $('cmp-failure-go'),
      note: $('cmp-note'),
      play: $('cmp-play'),
      step: $('cmp-step'),
      stepBack: $('cmp-step-back'),
      reset: $('cmp-reset'),
      speed: $('cmp-speed'),
      scrubber: $('cmp-scrubber'),
      at: $('cmp-at'),
      strip: $('cmp-strip-body'),
      caption: $('cmp-caption'),
      betterRule: $('cmp-better-rule'),
      sideNodes: [$('cmp-side-0'), $('cmp-side-1')],
    };
    if (!this.el.root) return;
    this.sides = this.el.sideNodes.map((node, i) => new Side(this, i, node));
    this.loop = new FrameLoop((realMs, now) => this.onFrame(realMs, now));
    for (const button of this.el.pairs.querySelectorAll('button[data-pair]')) {
      button.addEventListener('click', () => this.openPair(button.dataset.pair));
    }
    this.el.failureGo.addEventListener('click', () => this.openPair(this.el.failure.value));
    this.el.play.addEventListener('click', () => this.togglePlay());
    this.el.step.addEventListener('click', () => this.step());
    this.el.stepBack?.addEventListener('click', () => this.stepBack());
    this.el.reset.addEventListener('click', () => this.restart());
    this.el.speed.addEventListener('change', () => this.setSpeed(Number(this.el.speed.value)));
    this.el.scrubber.addEventListener('input', () => this.scrub(false));
    this.el.scrubber.addEventListener('change', () => this.scrub(true));
    this.fillSpeed();
    // compare.css stacks the sides below this width (side by side, each canvas would be too
    // narrow for its labels).
    this.stackedQuery = globalThis.matchMedia?.('(max-width: 2299px)');
    this.stackedQuery?.addEventListener?.('change', () => this.setLang(this.lang));
  }

  get stacked() {
    return !!this.stackedQuery?.matches;
  }

  /**
   * Opens compare mode with `sides` ([left, right]) or the state's, and starts both runs; with a
   * link's `moment` ({ops, us}: www/url.js), both then go to its time, paused.
   */
  async open(sides = this.state().compare, moment = null) {
    if (!this.el.root || !sides) return;
    this.active = true;
    this.el.root.hidden = false;
    this.doc.body.dataset.mode = 'compare';
    this.sides.forEach((s, i) => (s.side = structuredClone(sides[i])));
    this.speed = Math.min(...sides.map((s) => programPace(s.preset).speed));
    this.el.speed.value = String(this.speed);
    this.showNote();
    const token = await this.restart();
    if (moment && token === this.token) this.goToMoment(moment);
  }

  /**
   * A link's moment: both runs to its time (the same seek as the timeline's), then a notice
   * that says so, or that the runs counted other operations by then than the link's.
   */
  goToMoment({ ops, us }) {
    // Nothing run at time 0: the start, where both runs already are.
    if (ops === 0 && us === 0) return;
    this.seek(us / 1000, () => {
      const l = this.lang;
      const at = (this.clockMs / 1000).toFixed(3);
      const now = this.opsNow();
      if (now === ops) this.notify(t(l, 'cmp.linkMoment', { t: at }));
      else this.notify(t(l, 'cmp.linkMomentOps', { t: at, ops, now }), { kind: 'warn' });
    });
  }

  /** Leaves compare mode: both runs are dropped. */
  close() {
    if (!this.el.root) return;
    this.active = false;
    this.token += 1;
    this.phase = 'ready';
    this.seeking = null;
    for (const s of this.sides) s.free();
    this.el.root.hidden = true;
    delete this.doc.body.dataset.mode;
  }

  /** Opens one of the note's pairs. */
  openPair(id) {
    const make = PAIRS[id];
    if (!make) return;
    const sides = make();
    this.state().compare = sides;
    this.open(sides);
  }

  /** A side picked another program: its defaults, and both runs again. */
  pick(index, preset) {
    const side = compareSide(preset);
    const other = this.sides[1 - index].side;
    // The same items and seed as a builder on the other side.
    if (preset === BUILDER && other.preset === BUILDER) {
      for (const key of SHARED) side.builder[key] = other.builder[key];
    }
    this.sides[index].side = side;
    this.restart();
  }

  /** The link's sides, kept in the page state, and the link written. */
  remember() {
    this.state().compare = this.sides.map((s) => structuredClone(s.side));
    this.onChange?.();
  }

  /** Both runs from time 0, paused; resolves to the token that names these runs. */
  async restart() {
    const token = ++this.token;
    this.phase = 'ready';
    this.seeking = null;
    this.history = [];
    this.shown = null;
    this.clockMs = 0;
    this.maxMs = 0;
    this.remember();
    this.showCaption();
    for (const s of this.sides) s.showLabels();
    await Promise.all(this.sides.map((s) => s.start(token)));
    if (token !== this.token) return token;
    for (const s of this.sides) s.showLabels();
    this.updateStrip();
    this.updateButtons();
    this.updateScrubber();
    this.redraw();
    return token;
  }

  setLang(lang) {
    this.lang = lang;
    if (!this.el.root) return;
    this.fillSpeed();
    const stacked = this.stacked;
    const heads = this.el.root.querySelectorAll('.cmp-strip thead th');
    heads[0].textContent = t(lang, stacked ? 'cmp.top' : 'cmp.left');
    heads[2].textContent = t(lang, stacked ? 'cmp.bottom' : 'cmp.right');
    this.el.failure.querySelectorAll('option').forEach((o) => {
      o.textContent = t(lang, o.dataset.i18nKey);
    });
    if (!this.active) return;
    this.showNote();
    this.showCaption();
    for (const s of this.sides) {
      s.showLabels();
      s.refreshStats();
    }
    this.updateStrip();
    this.updateButtons();
    this.updateScrubber();
    this.redraw();
  }

  /** The line that says compare mode is model-engine only, when real threads are selected. */
  showNote() {
    this.el.note.hidden = this.state().engine !== 'threads';
  }

  /** The pair on show (its sides as the note's pair makes them), or null. */
  get pair() {
    return pairOf(this.sides?.map((s) => s.side));
  }

  /** The pair's caption (what to look at, what differs), and the rule for "better". */
  showCaption() {
    const l = this.lang;
    const lesson = LESSONS[this.pair];
    if (this.el.caption) {
      this.el.caption.textContent = lesson ? t(l, lesson.caption) : '';
      this.el.caption.hidden = !lesson;
      this.el.caption.dataset.pair = this.pair ?? '';
    }
    if (this.el.betterRule) {
      this.el.betterRule.textContent = t(l, 'cmp.betterRule', {
        percent: Math.round(TOLERANCE * 100),
      });
    }
  }

  fillSpeed() {
    const options = SPEED_STOPS.map((v) => new Option(`×${v}`, String(v)));
    this.el.speed.replaceChildren(...options);
    this.el.speed.value = String(this.speed);
  }

  setSpeed(speed) {
    if (!SPEED_STOPS.includes(speed)) return;
    this.speed = speed;
    for (const s of this.sides) s.renderer.speed = speed;
    this.loop.resync();
  }

  get running() {
    return this.sides.filter((s) => s.run && !s.run.ended);
  }

  // --- transport ------------------------------------------------------------------------------

  togglePlay() {
    if (this.phase === 'playing') this.pause();
    else this.play();
  }

  play() {
    if (!this.sides.some((s) => s.run)) return;
    if (this.phase === 'ended') {
      this.restart().then(() => this.play());
      return;
    }
    if (this.seeking) {
      this.seeking.then = 'play';
      return;
    }
    // Played on, the moments the Steps came from are no longer the ones just before.
    this.history = [];
    this.phase = 'playing';
    this.loop.resync();
    this.loop.wake();
    this.updateButtons();
  }

  pause() {
    if (this.phase !== 'playing') return;
    this.phase = 'paused';
    this.refresh();
  }

  /**
   * Where both runs are: the clock, and each side's operations and time (us), or null for a side
   * without a run. Step back returns to such a position exactly.
   */
  position() {
    return {
      clockMs: this.clockMs,
      sides: this.sides.map((s) =>
        s.run ? { ops: s.run.ops(), us: Math.round(s.run.timeMs() * 1000) } : null,
      ),
    };
  }

  /** Operations both runs have run, together. */
  opsNow() {
    return this.sides.reduce((n, s) => n + (s.run ? s.run.ops() : 0), 0);
  }

  /** At the start: time 0 and nothing run on either side (nothing to step back to). */
  get atStart() {
    return this.clockMs === 0 && this.opsNow() === 0;
  }

  /**
   * The moment for a link, `{ops, us, paused, controls}` as www/url.js writes it: the one clock's
   * time and both runs' operations together; null at the start (a link without one opens there).
   */
  moment() {
    if (!this.active || !this.sides.some((s) => s.run)) return null;
    const at = this.seeking ? this.shown : { ops: this.opsNow(), us: this.clockUs };
    if (!at || (at.ops === 0 && at.us === 0)) return null;
    return { ...at, paused: this.phase !== 'playing', controls: [] };
  }

  get clockUs() {
    return Math.round(this.clockMs * 1000);
  }

  /** The virtual time of the sooner of the running sides' next events, or null: none runs. */
  nextMomentMs() {
    const going = this.running;
    if (!going.length) return null;
    return Math.min(...going.map((s) => s.run.nextEventMs() ?? s.run.timeMs()));
  }

  /**
   * Both runs to `targetMs`, the sooner of their next events: the run whose event it is runs
   * that instant, the other only lets time pass.
   */
  moveTo(targetMs) {
    for (const s of this.running) {
      const next = s.run.nextEventMs() ?? s.run.timeMs();
      if (next <= targetMs) s.run.stepEvent();
      else s.run.step(Math.max(0, targetMs - s.run.timeMs()));
    }
    this.clockMs = Math.max(this.clockMs, targetMs);
  }

  /**
   * Step: both runs to the next time at which either changes (the sooner of their next events);
   * where it came from is remembered for Step back.
   */
  step() {
    if (this.seeking || this.phase === 'ended') return;
    if (this.phase === 'playing') this.phase = 'paused';
    const target = this.nextMomentMs();
    if (target === null) return;
    const from = this.position();
    this.moveTo(target);
    this.history.push({ from, to: this.position() });
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    this.afterMove();
  }

  /**
   * Step back: both runs to the previous moment at which either changed. Where a Step led here,
   * exactly where that Step began (stats and frames as they were); else that moment is found by
   * replaying a stretch before now and stepping through it as Step does (see findBack).
   */
  stepBack() {
    if (this.seeking || !this.sides.some((s) => s.run) || this.atStart) return;
    if (this.phase === 'playing') this.phase = 'paused';
    const here = this.position();
    const h = this.history;
    let i = h.length - 1;
    while (i >= 0 && !samePosition(h[i].to, here)) i--;
    if (i >= 0) {
      const { from } = h[i];
      h.length = i;
      this.goTo(from);
    } else {
      h.length = 0;
      this.findBack(here, BACK_SPAN_MS);
    }
    this.updateButtons();
  }

  /** Both runs back (by replay) or on to `position`, spread over frames. */
  goTo(position, then = 'pause') {
    const goals = position.sides.map((p) => (p ? { ops: p.ops, tMs: p.us / 1000 } : null));
    this.seeking = { goals, clockMs: position.clockMs, then };
    this.loop.wake();
  }

  /**
   * Looks for the moment before the last change up to `here`: both runs go to `spanMs` before
   * it (the start, when that is before 0), then step as Step does up to `here`, remembering each
   * moment; when that stretch holds fewer than two changes (or one and the start), a stretch
   * WIDER times longer. The moments found are Step back's next ones too.
   */
  findBack(here, spanMs, then = 'pause') {
    // Runs that ended did so by their own time: no change comes after the latest of those.
    const times = here.sides.filter(Boolean).map((p) => p.us / 1000);
    const lastMs = Math.min(here.clockMs, Math.max(0, ...times));
    const fromMs = Math.max(0, lastMs - spanMs);
    // From 0, the start itself (before anything ran at time 0) is the first moment.
    const goal = () => (fromMs === 0 ? { ops: 0, tMs: 0 } : { tMs: fromMs });
    const goals = this.sides.map((s) => (s.run ? goal() : null));
    this.seeking = { goals, clockMs: fromMs, then, walk: { here, spanMs, fromMs, found: null } };
    this.loop.wake();
  }

  /**
   * One frame of findBack's stepping (the runs are at the stretch's start): true when it is
   * done, having sent both runs to the moment found, or to a wider stretch.
   */
  walkBack(s) {
    const walk = s.walk;
    const found = walk.found;
    const limit = walk.here.clockMs;
    const stop = performance.now() + WALK_MS_PER_FRAME;
    for (;;) {
      const target = this.nextMomentMs();
      if (target === null || target > limit) break;
      this.moveTo(target);
      found.push(this.position());
      // Only the last moments are needed (the oldest kept is then no longer the start).
      if (found.length > HISTORY) {
        found.splice(0, found.length - HISTORY);
        walk.trimmed = true;
      }
      if (performance.now() > stop) {
        const span = Math.max(1e-9, limit - walk.fromMs);
        const percent = Math.floor(((this.clockMs - walk.fromMs) / span) * 100);
        this.el.at.textContent = t(this.lang, 'cmp.replaying', {
          percent: Math.max(0, Math.min(99, percent)),
        });
        return false;
      }
    }
    const k = found.length - 1;
    const fromStart = walk.fromMs === 0 && !walk.trimmed;
    if (k >= 2 || (k >= 1 && fromStart)) {
      // The moments found, each the one before the next: Step back's way further back.
      for (let j = fromStart ? 1 : 2; j < k; j++) {
        this.history.push({ from: found[j - 1], to: found[j] });
      }
      this.goTo(found[k - 1], s.then);
    } else if (fromStart) {
      // Nothing before here but the start (there already).
      this.goTo(found[0], s.then);
    } else this.findBack(walk.here, walk.spanMs * WIDER, s.then);
    return true;
  }

  /** The timeline moved: both runs go to that time (back by replay), spread over frames. */
  scrub(final) {
    if (!this.sides.some((s) => s.run)) return;
    this.scrubbing = !final;
    const tMs = Number(this.el.scrubber.value) / 1000;
    if (this.phase === 'playing') this.phase = 'paused';
    this.seekTo(tMs, this.seeking?.then ?? 'pause');
  }

  /**
   * Goes to virtual time `tMs` on both sides at once, paused (tests and links); `done()` once
   * there.
   */
  seek(tMs, done = null) {
    this.seekTo(tMs, 'pause', done);
  }

  seekTo(tMs, then, done = null) {
    this.history = [];
    const goals = this.sides.map((s) => (s.run ? { tMs } : null));
    this.seeking = { goals, clockMs: tMs, then, done, toEnd: true };
    this.loop.wake();
  }

  /** One frame of a seek (or of Step back's search): true once both runs are there. */
  continueSeek() {
    const s = this.seeking;
    if (s.walk?.found) return this.walkBack(s);
    const there = this.sides.every((side, i) => !side.run || toward(side.run, s.goals[i]));
    if (!there) {
      this.el.at.textContent = t(this.lang, 'cmp.replaying', { percent: this.seekPercent(s) });
      return false;
    }
    if (s.walk) {
      // At the stretch's start: the stepping through it begins on the next frame.
      this.clockMs = s.clockMs;
      s.walk.found = [this.position()];
      return false;
    }
    this.seeking = null;
    this.clockMs = s.clockMs;
    const ends = this.sides.filter((x) => x.run).map((x) => x.run.timeMs());
    // A time past both runs' ends (a link's, say): the clock stops at the later end.
    if (s.toEnd && !this.running.length && ends.length) {
      this.clockMs = Math.min(s.clockMs, Math.max(...ends));
    }
    for (const side of this.sides) side.jumped = true;
    // Back at the start, the runs are as restart() leaves them.
    this.phase = !this.running.length ? 'ended' : this.atStart ? 'ready' : 'paused';
    this.afterMove();
    s.done?.();
    if (s.then === 'play' && this.phase !== 'ended') this.play();
    return true;
  }

  /** How far a replay has got, for the time's read-out (below 100 until it is there). */
  seekPercent(s) {
    let least = 1;
    this.sides.forEach((side, i) => {
      const goal = s.goals[i];
      if (!side.run || !goal) return;
      const share =
        goal.ops !== undefined && !goal.opsDone
          ? side.run.ops() / Math.max(1, goal.ops)
          : side.run.timeMs() / Math.max(1e-9, goal.tMs);
      least = Math.min(least, share);
    });
    return Math.max(0, Math.min(99, Math.floor(least * 100)));
  }

  onFrame(realMs, now) {
    if (!this.active) return false;
    let moved = false;
    if (this.seeking) {
      this.continueSeek();
      return true;
    }
    if (this.phase === 'playing' && realMs > 0) {
      this.clockMs += realMs * this.speed;
      // One clock: each run goes to the same virtual time (a run over its per-call budget
      // catches up on the next frames; an ended run stays at its end).
      for (const side of this.running) {
        const dt = this.clockMs - side.run.timeMs();
        if (dt > 0) side.run.step(dt);
      }
      moved = true;
      if (!this.running.length) {
        // Both ended within this frame: the clock stops at the later end, not a frame's
        // worth of time past it (at x1000 that was 16 s past both runs).
        const ends = this.sides.filter((s) => s.run).map((s) => s.run.timeMs());
        if (ends.length) this.clockMs = Math.min(this.clockMs, Math.max(...ends));
        this.phase = 'ended';
        this.refresh();
      } else if (now - this.statsAt > STATS_EVERY_MS) {
        this.refreshStats(now);
        this.updateBack();
      }
    }
    const animating = this.sides.some((s) => s.renderer.animating);
    if (moved || this.needsDraw || animating) {
      for (const side of this.sides) side.draw(now);
      this.needsDraw = false;
      this.updateScrubber();
    }
    return this.phase === 'playing' || this.needsDraw || animating;
  }

  /** After a step or a seek: stats, strip, buttons and a frame. */
  afterMove() {
    if (!this.running.length) this.phase = 'ended';
    this.refresh();
  }

  refresh() {
    if (!this.seeking) this.shown = { ops: this.opsNow(), us: this.clockUs };
    this.refreshStats();
    this.updateButtons();
    this.redraw();
  }

  refreshStats(now = performance.now()) {
    this.statsAt = now;
    for (const s of this.sides) s.refreshStats();
    this.updateStrip();
  }

  redraw() {
    this.needsDraw = true;
    this.loop.wake();
  }

  updateButtons() {
    const l = this.lang;
    const key = { playing: 'cmp.pause', ended: 'cmp.again' }[this.phase] ?? 'cmp.play';
    this.el.play.textContent = t(l, key);
    this.el.play.dataset.action = key.slice(4);
    const none = !this.sides.some((s) => s.run);
    this.el.play.disabled = none;
    this.el.step.disabled = none || this.phase === 'ended';
    this.el.step.title = t(l, 'cmp.step');
    this.el.step.setAttribute('aria-label', t(l, 'cmp.step'));
    if (this.el.stepBack) {
      this.el.stepBack.title = t(l, 'cmp.stepBack');
      this.el.stepBack.setAttribute('aria-label', t(l, 'cmp.stepBack'));
    }
    this.updateBack();
    this.el.root.dataset.phase = this.phase;
  }

  /** Step back is there once anything has happened (not at time 0 before the first step). */
  updateBack() {
    if (!this.el.stepBack) return;
    this.el.stepBack.disabled = !this.sides.some((s) => s.run) || this.atStart;
  }

  updateScrubber() {
    const times = this.sides.filter((s) => s.run).map((s) => s.run.timeMs());
    const nowMs = times.length ? Math.max(...times) : 0;
    this.maxMs = Math.max(this.maxMs, nowMs, this.clockMs);
    const us = Math.round(this.maxMs * 1000);
    this.el.scrubber.max = String(us);
    this.el.scrubber.disabled = us === 0 && !times.length;
    if (!this.scrubbing && !this.seeking) {
      this.el.scrubber.value = String(Math.round(Math.min(this.clockMs, this.maxMs) * 1000));
    }
    if (!this.seeking) {
      const text = t(this.lang, 'cmp.at', { t: (this.clockMs / 1000).toFixed(3) });
      this.el.at.textContent = text;
      this.el.scrubber.setAttribute('aria-valuetext', text);
    }
  }

  /**
   * The strip: each figure of both runs from their stats. The better one is marked only on the
   * rows the pair's lesson compares (every row for sides of one's own), only when the two differ
   * by more than TOLERANCE, and never for a run that failed or the pair's failing program.
   */
  updateStrip() {
    const l = this.lang;
    const stats = this.sides.map((s) => s.stats);
    const [a, b] = stats;
    const lesson = LESSONS[this.pair] ?? null;
    // Never better: a run that failed, and the pair's failing program even before it fails.
    const noWin = stats.map((st, i) => FAILED.has(st?.status) || lesson?.failing === i);
    const cell = (stats, figure) => {
      const td = this.doc.createElement('td');
      const v = stats ? figure.of(stats) : null;
      td.textContent = v === null || v === undefined ? t(l, 'cmp.none') : figure.show(v, l);
      td.dataset.value = v === null || v === undefined ? '' : String(v);
      const note = stats && figure.note?.(stats);
      if (note) {
        const small = this.doc.createElement('small');
        // A queue's name may break after its underscores, never inside a word.
        note.split(/(?<=_)/).forEach((part, i) => {
          if (i) small.append(this.doc.createElement('wbr'));
          small.append(part);
        });
        td.append(small);
      }
      return td;
    };
    const row = (key, left, right, va, vb, better) => {
      const tr = this.doc.createElement('tr');
      tr.dataset.figure = key;
      const lessonRow = !lesson || lesson.figures.includes(key);
      if (lessonRow) tr.dataset.lesson = 'true';
      const side = lessonRow ? betterSide(va, vb, better) : null;
      if (side !== null && !noWin[side]) {
        const winner = side === 0 ? left : right;
        winner.classList.add('better');
        const mark = this.doc.createElement('span');
        mark.className = 'sr-only';
        mark.textContent = ` (${t(l, 'cmp.better')})`;
        winner.append(mark);
        tr.dataset.better = side === 0 ? 'left' : 'right';
      }
      tr.append(left, this.rowHead(`cmp.${key}`), right);
      return tr;
    };
    const rank = (st) => STATUS_RANK[st?.status] ?? null;
    const rows = [row('status', this.statusCell(a), this.statusCell(b), rank(a), rank(b), 'high')];
    const doneCell = (s) => {
      const td = this.doc.createElement('td');
      td.textContent = s
        ? `${s.items_done.toLocaleString('en-US')} / ${s.items_total.toLocaleString('en-US')}`
        : t(l, 'cmp.none');
      td.dataset.value = s ? String(s.items_done) : '';
      return td;
    };
    rows.push(row('itemsDone', doneCell(a), doneCell(b), a?.items_done, b?.items_done, 'high'));
    for (const figure of FIGURES) {
      const va = a ? figure.of(a) : null;
      const vb = b ? figure.of(b) : null;
      rows.push(row(figure.key, cell(a, figure), cell(b, figure), va, vb, figure.better));
    }
    this.el.strip.replaceChildren(...rows);
  }

  rowHead(key) {
    const th = this.doc.createElement('th');
    th.scope = 'row';
    th.textContent = t(this.lang, key);
    return th;
  }

  statusCell(stats) {
    const td = this.doc.createElement('td');
    const status = stats?.status ?? null;
    const key = {
      running: 'cmp.statusRunning',
      finished: 'cmp.statusFinished',
      hang: 'cmp.statusHang',
      memory_error: 'cmp.statusMemory',
    }[status];
    td.textContent = key ? t(this.lang, key) : t(this.lang, 'cmp.none');
    td.dataset.value = status ?? '';
    td.dataset.status = status ?? '';
    return td;
  }

  /** For tests: each side's stats, time and frame digest. */
  snapshot() {
    return this.sides.map((s) => {
      if (!s.run) return null;
      const view = s.run.frame();
      s.jumped = true;
      // The frame's views first: stats() may grow the module's memory, which detaches them.
      return {
        side: structuredClone(s.side),
        timeUs: view.timeUs,
        ops: s.run.ops(),
        frame: {
          threadStates: Array.from(view.threadStates),
          threadLines: Array.from(view.threadLines),
          threadItems: Array.from(view.threadItems),
          queueStarts: Array.from(view.queueStarts),
          queueLens: view.queueLens ? Array.from(view.queueLens) : null,
          queueItems: Array.from(view.queueItems.slice(0, 2000)),
        },
        stats: s.run.stats(),
      };
    });
  }
}
