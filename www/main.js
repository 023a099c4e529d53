// Boot and glue: URL state, engine choice, one run at a time, transport, and the wiring of controls,
// keys, canvas, panels and charts. It must not draw or simulate; engine errors become page messages.

import { FrameLoop } from './clock.js';
import { Charts } from './charts.js';
import { renderSliders, slider } from './controls.js';
import { THREAD_POOL_SIZE, createRun, loadEngines } from './engine.js';
import { STATE, STATES, stateIconUrl, tokenIconUrl } from './icons.js';
import { withThreads } from './layout.js';
import {
  applyStrings,
  formatBytes,
  memoryErrorText,
  pick,
  preferredLanguage,
  refusalText,
  t,
} from './i18n.js';
import { SHORTCUTS, bindKeys } from './keys.js';
import { Panels } from './panels.js';
import {
  BUILDER,
  PARAMS,
  SPEED_STOPS,
  STAGE_NAMES,
  applyLimits,
  pipelineSpec,
  withStages,
} from './params.js';
import { Renderer } from './renderer.js';
import { TimelinePanel } from './timeline.js';
import { PACES, defaultState, readState, writeState } from './url.js';
import { linesPerSecond, pacedStep, programPace } from './lesson.js';
import { SweepPanel } from './sweep.js';

const $ = (id) => document.getElementById(id);
const el = {
  preset: $('preset'),
  summary: $('summary'),
  run: $('run'),
  step: $('step'),
  stepBack: $('step-back'),
  reset: $('reset'),
  lang: $('lang'),
  canvas: $('pipeline'),
  tip: $('tip'),
  sliders: $('sliders'),
  speedSlot: $('speed-slot'),
  engineModel: $('engine-model'),
  engineThreads: $('engine-threads'),
  engineReason: $('engine-reason'),
  copyLink: $('copy-link'),
  shareLink: $('share-link'),
  present: $('present'),
  helpButton: $('help-button'),
  help: $('help'),
  helpKeys: $('help-keys'),
  helpThreads: $('help-threads'),
  legend: $('legend'),
  canvasSummary: $('canvas-summary'),
  stepBy: $('step-by'),
  pace: $('pace'),
  scrubber: $('scrubber'),
  scrubberMarks: $('scrubber-marks'),
  scrubberAt: $('scrubber-at'),
};

const reducedMotionQuery = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)');
const panels = new Panels(document);
const renderer = new Renderer(el.canvas, { reducedMotion: !!reducedMotionQuery?.matches });
const charts = new Charts($('charts'));
// The sweep panel: the builder's settings over a range of one parameter (www/sweep.js).
const sweep = new SweepPanel(document, { state: () => app.state });
const loop = new FrameLoop((realMs, now) => guard(() => onFrame(realMs, now), false));

/** Page state. `state` is what the URL holds; the rest follows from it and the run. */
const app = {
  state: defaultState(preferredLanguage()),
  presets: [],
  threads: { available: false, reason: 'reasonIsolation' },
  run: null,
  shape: null,
  sliders: { workers: [], maxsize: [] },
  queueMaxsize: [],
  threadNames: [],
  threadStages: [],
  phase: 'ready', // 'ready' | 'playing' | 'paused' | 'ended'
  history: [], // {ops, us} of moments shown before this one (steps, frames), for step back
  stats: null,
  statsAt: -Infinity,
  marksAt: -Infinity,
  needsDraw: false,
  jumped: true,
  runToken: 0,
  // Play was pressed while the run was being made (newRun is async): play when it is there.
  playWhenReady: false,
  recording: null,
  firstFrameMs: null,
  // The lesson's transport (model engine): Play's line credit, a seek in progress
  // ({ops, us, then, from}), the furthest operation reached, the control log, where the run ended.
  credit: { ops: 0 },
  seeking: null,
  maxOps: 0,
  controlsLog: [],
  endOps: null,
  // A link's moment to replay once its run is there ({ops, us, paused, controls}).
  moment: null,
  // The speed is the program's default (not one the user or the link chose): it follows the program.
  speedIsDefault: false,
};

// --- errors -----------------------------------------------------------------------------------

/** Runs `fn`; a thrown error is shown on the page, pauses the run and yields `fallback`. */
function guard(fn, fallback = undefined) {
  try {
    return fn();
  } catch (error) {
    if (app.phase === 'playing') app.phase = 'paused';
    updateButtons();
    panels.showError(error);
    return fallback;
  }
}

const lang = () => app.state.lang;

// --- the frame loop ---------------------------------------------------------------------------

function onFrame(realMs, now) {
  const run = app.run;
  if (!run) return false;
  const t0 = performance.now();
  let drew = false;
  let view = null;
  if (app.seeking) {
    continueSeek(run);
  } else if (app.phase === 'playing' && realMs > 0) {
    if (run.canStepOps) pushHistory(run.ops(), currentUs());
    const going = playFrame(run, realMs);
    if (!going) app.phase = 'ended';
  }
  const tStep = performance.now();
  let tFrame = tStep;
  const due =
    app.needsDraw || app.phase === 'playing' || renderer.animating || app.phase === 'ended';
  if (!app.seeking && due) {
    view = run.frame();
    tFrame = performance.now();
    app.lastFrameUs = view.timeUs;
    renderer.draw(view, now, { animate: !app.jumped });
    app.jumped = false;
    app.needsDraw = false;
    drew = true;
    if (app.firstFrameMs === null) app.firstFrameMs = performance.now();
  }
  const t1 = performance.now();
  if (drew && (now - app.marksAt > 120 || app.phase !== 'playing')) {
    panels.updateMarks(view.threadLines, view.threadStates, {
      follow: app.phase === 'playing' ? 'all' : 'last',
    });
    app.marksAt = now;
    showJustRan();
  }
  if (drew) updateScrubber();
  if (drew) timeline.show(run, app.lastFrameUs, app.controlsLog);
  view = null; // the views are invalid after the next call into wasm
  const ended = app.phase === 'ended' && !app.endShown;
  if (ended || (app.phase === 'playing' && now - app.statsAt > 250) || app.statsDue) {
    refreshStats(now);
  }
  if (ended) {
    app.endShown = true;
    backfillCharts();
    updateButtons();
  }
  if (app.recording && drew) {
    const r = app.recording;
    r.core.push(t1 - t0);
    r.total.push(performance.now() - t0);
    r.step.push(tStep - t0);
    r.frame.push(tFrame - tStep);
    r.draw.push(t1 - tFrame);
  }
  return app.phase === 'playing' || renderer.animating || app.needsDraw || !!app.seeking;
}

/** The pacing in force: the link's or the picker's, else the program's own. */
function currentPace() {
  return app.state.pace ?? programPace(app.state.preset).pace;
}

/**
 * One frame of Play: with pacing (model engine), the operations of one instant one after another
 * with time standing still (www/lesson.js); without, time runs at the speed.
 */
function playFrame(run, realMs) {
  const lines = linesPerSecond(currentPace(), app.state.speed);
  if (lines > 0 && run.canStepOps) {
    return pacedStep(run, realMs, app.state.speed, lines, app.credit);
  }
  return run.step(realMs * app.state.speed);
}

/** Samples the charts take over a whole run when it went by too fast to sample as it ran. */
const BACKFILL_SAMPLES = 120;

/**
 * A run at high speed ends after a few frames, and a few stats snapshots make poor charts. The
 * model engine is deterministic, so the run is replayed (seek back, then forward in even steps,
 * with the same changes at the same times) and sampled; it ends where it was.
 */
function backfillCharts() {
  const run = app.run;
  if (!run?.canSeek || charts.samples >= BACKFILL_SAMPLES / 2) return;
  const endUs = currentUs();
  if (endUs <= 0) return;
  charts.reset();
  for (let i = 1; i <= BACKFILL_SAMPLES; i++) {
    const t = Math.round((endUs * i) / BACKFILL_SAMPLES);
    run.seek(t / 1000);
    charts.push(run.stats(), { draw: false });
  }
  charts.redraw();
  run.frame(); // the replay's moves are not animated
  app.jumped = true;
}

function pushHistory(ops, us) {
  const h = app.history;
  const top = h[h.length - 1];
  if (top?.ops !== ops || top?.us !== us) h.push({ ops, us });
  if (h.length > 4000) h.splice(0, h.length - 4000);
}

/** Draws the current frame soon, as a jump (no tokens in flight) when `jump` is set. */
function redraw({ jump = false, stats = true } = {}) {
  if (jump) {
    app.jumped = true;
    renderer.jump();
  }
  app.needsDraw = true;
  if (stats) app.statsDue = true;
  loop.wake();
}

function refreshStats(now = performance.now()) {
  const run = app.run;
  if (!run) return;
  const stats = run.stats();
  app.stats = stats;
  app.statsAt = now;
  app.statsDue = false;
  syncThreads(stats);
  syncMaxsize(stats);
  panels.renderStats(stats, lang(), { phase: app.phase, bottleneck: stats.bottleneck ?? null });
  if (run.canStepOps) app.controlsLog = run.controls();
  charts.push(stats);
  renderer.setAnnotations(annotationsOf(stats));
  el.canvasSummary.textContent = describe(stats);
}

/** New threads (more workers) get a place on the canvas; names come from the stats. */
function syncThreads(stats) {
  const threads = stats.threads ?? [];
  app.threadNames = threads.map((th) => th.name);
  if (threads.length !== app.threadStages.length) {
    app.threadStages = threads.map((th) => th.stage);
    app.shape = withThreads(app.run.shape, app.threadStages);
    renderer.setScene(app.shape, { maxsize: app.queueMaxsize, labels: canvasLabels() });
    app.needsDraw = true;
    loop.wake();
  }
}

/** Queue bounds as the engine has them (a step back replays maxsize changes at their times). */
function syncMaxsize(stats) {
  (stats.queues ?? []).forEach((q, i) => {
    if (app.queueMaxsize[i] !== q.maxsize) {
      app.queueMaxsize[i] = q.maxsize;
      renderer.setMaxsize(i, q.maxsize);
      app.needsDraw = true;
    }
  });
}

function annotationsOf(stats) {
  const queues = app.run.scenario.queues;
  const memoryQueue = stats.memory_error
    ? queues.findIndex((q) => q.name === stats.memory_error.queue)
    : -1;
  return {
    status: stats.status,
    bottleneck: stats.bottleneck ?? null,
    hang: stats.hang,
    hangThreads: stats.hang ? new Set(stats.hang.waiting.map((w) => w.thread)) : null,
    memoryError: stats.memory_error ? { ...stats.memory_error, queue: memoryQueue } : null,
    unfinished: (stats.queues ?? []).map((q) => q.unfinished_tasks),
    itemsTotal: stats.items_total,
    itemsDone: stats.items_done,
  };
}

/** One sentence a screen reader can read instead of the canvas. */
function describe(stats) {
  const l = lang();
  const byGroup = new Map();
  for (const th of stats.threads) {
    const key = th.stage === null ? th.name : (stats.stages[th.stage]?.name ?? th.name);
    const state = STATES.indexOf(th.state);
    const counts = byGroup.get(key) ?? new Map();
    counts.set(state, (counts.get(state) ?? 0) + 1);
    byGroup.set(key, counts);
  }
  const groups = [...byGroup].map(
    ([name, counts]) =>
      `${name}: ${[...counts].map(([s, n]) => `${n} ${t(l, `stateShort.${s}`)}`).join(', ')}`,
  );
  const queues = stats.queues.map((q) => `${q.name} ${q.len}${q.maxsize ? `/${q.maxsize}` : ''}`);
  return `${t(l, 'summaryPrefix', { t: (stats.virtual_time_us / 1e6).toFixed(3) })} ${groups.join('; ')}. ${queues.join(', ')}.`;
}

// --- labels the canvas draws ------------------------------------------------------------------

function canvasLabels() {
  const l = lang();
  const shape = app.shape;
  const scenario = app.run?.scenario;
  return {
    groupTitle(group) {
      if (group.kind === 'main') return t(l, 'mainThread');
      if (group.kind === 'stage') {
        const live = group.threads.length;
        return live > 1 ? t(l, 'workersCount', { name: group.name, n: live }) : group.name;
      }
      if (group.kind === 'consumer') {
        return group.threads.length === 1
          ? (app.threadNames[group.threads[0]] ?? t(l, 'consumer'))
          : t(l, 'consumer');
      }
      return '';
    },
    queueTitle(queue) {
      return queue.done ? t(l, 'done') : queue.name;
    },
    threadName(i) {
      const name = app.threadNames[i] ?? scenario?.threads[i]?.name ?? `#${i}`;
      // Workers of a stage are numbered under the stage's title: "download-2" reads "#2".
      const stage = scenario?.stages?.[app.threadStages[i]];
      return stage && name.startsWith(`${stage.name}-`)
        ? `#${name.slice(stage.name.length + 1)}`
        : name;
    },
    stateName(s) {
      return t(l, `stateShort.${s}`);
    },
    queueCount(len, max, full) {
      if (!max) return t(l, 'queueCountUnbounded', { len: len.toLocaleString('en-US') });
      return t(l, full ? 'queueCountFull' : 'queueCount', { len, max });
    },
    memory(used, budget) {
      return t(l, 'memoryOf', { used: formatBytes(used), budget: formatBytes(budget) });
    },
    doneOf(total) {
      return total ? t(l, 'doneOf', { total: total.toLocaleString('en-US') }) : '';
    },
    bottleneck: t(l, 'bottleneck'),
    time(us) {
      return t(l, 'time', { t: (us / 1e6).toFixed(3) });
    },
    finishedBanner(us) {
      return t(l, 'finishedBanner', { t: (us / 1e6).toFixed(3) });
    },
    hangBanner(a) {
      return t(l, 'hangBanner', { headline: a.hang?.headline ?? '' });
    },
    memoryBanner(a) {
      // The report as the engine gave it: the annotation's queue is an index for the canvas.
      const report = app.stats?.memory_error ?? a.memoryError;
      return t(l, 'memoryBanner', { message: memoryErrorText(report, l) });
    },
    backEdge(edge, queue) {
      void shape;
      return edge.busyWait
        ? t(l, 'backBusyWait', { queue: queue.name })
        : t(l, 'backGet', { queue: queue.name });
    },
    unfinished(n) {
      return t(l, 'unfinishedTasks', { n });
    },
    queueKind(queue, maxsize) {
      if (queue.kind === 'polling') return 'MyQueue() · deque';
      const name = queue.kind === 'closable' ? 'ClosableQueue' : 'Queue';
      return `${name}(${maxsize ? maxsize : ''})`;
    },
  };
}

// --- runs -------------------------------------------------------------------------------------

/** Drops the current run and starts the chosen program from time zero. */
async function newRun({ keepPlaying = false } = {}) {
  const token = ++app.runToken;
  const wasPlaying = app.phase === 'playing';
  app.run?.free();
  app.run = null;
  app.phase = 'ready';
  app.endShown = false;
  app.history = [];
  app.lastFrameUs = undefined;
  app.credit = { ops: 0 };
  app.seeking = null;
  app.maxOps = 0;
  app.endOps = null;
  app.controlsLog = [];
  panels.clearError();
  updateButtons();
  const state = app.state;
  const source =
    state.preset === BUILDER ? { pipeline: pipelineSpec(state.builder) } : { preset: state.preset };
  let run;
  try {
    run = await createRun(source, state.lang, state.engine);
  } catch (error) {
    if (token === app.runToken) {
      app.playWhenReady = false;
      panels.showError(runRefusal(error));
      // A refused builder program keeps its sliders, so that fewer workers can be asked for.
      if (state.preset === BUILDER) slidersWithoutRun(state.builder);
    }
    updateButtons();
    return;
  }
  if (token !== app.runToken) {
    run.free();
    return;
  }
  app.run = run;
  guard(() => setUpRun(run));
  const playNow = (keepPlaying && wasPlaying) || app.playWhenReady;
  app.playWhenReady = false;
  if (playNow) play();
  updateButtons();
  writeUrl();
}

/** A run the engine would not start, in the page's language where the engine says why in numbers. */
function runRefusal(error) {
  if (error?.name !== 'PoolTooSmall') return error;
  const { needed, capacity } = error;
  return t(lang(), 'poolTooSmall', { needed, capacity, workers: capacity - 1 });
}

function setUpRun(run) {
  const scenario = run.scenario;
  const state = app.state;
  app.threadStages = scenario.threads.map((th) => th.stage ?? null);
  app.threadNames = scenario.threads.map((th) => th.name);
  app.queueMaxsize = scenario.queues.map((q) => q.maxsize ?? 0);
  // One workers slider a stage that has worker threads (disabled, with the engine's reason, where
  // the count is fixed); one maxsize slider a queue whose bound can change. The engine says which.
  const shape = run.shape;
  const workers = shape.stages
    .filter((stage) => stage.workers > 0)
    .map((stage) => ({
      stage: stage.stage,
      name: stage.name,
      value: stage.workers,
      fixed: stage.fixed,
    }));
  app.shape = withThreads(shape, app.threadStages);
  const maxsize = shape.queues
    .filter((q) => q.resizable)
    .map((q) => ({
      queue: q.index,
      name: q.name,
      value: scenario.queues[q.index].maxsize ?? 0,
      kind: q.kind,
    }));
  for (const w of workers) w.initial = w.value;
  for (const m of maxsize) m.initial = m.value;
  app.sliders = { workers, maxsize };
  if (state.preset !== BUILDER) applyOverrides(run);
  renderer.setScene(app.shape, { maxsize: app.queueMaxsize, labels: canvasLabels() });
  panels.setSource(scenario.source ?? [], markLabel);
  panels.setTables(scenario, state.lang);
  panels.renderConsole([], true);
  charts.setScenario(scenario, state.lang);
  buildSliders();
  showSummary();
  refreshStats();
  redraw({ jump: true });
  const moment = app.moment;
  app.moment = null;
  if (moment) restoreMoment(run, moment);
}

/** A preset's workers/maxsize from the link, set at time 0. Bad lists fall back with a notice. */
function applyOverrides(run) {
  const o = app.state.overrides;
  const apply = (list, values, key, set) => {
    if (!values) return;
    if (values.length !== list.length) {
      panels.showNotice(`${t(lang(), 'noticeBadUrl')} ${PARAMS[key].key}=${values.join(',')}`, {
        kind: 'warn',
      });
      o[key] = null;
      return;
    }
    values.forEach((v, i) => {
      if (v === list[i].value) return;
      if (list[i].fixed) {
        panels.showNotice(t(lang(), 'workersFixed'), { kind: 'warn' });
        return;
      }
      try {
        set(list[i], v);
        list[i].value = v;
      } catch (error) {
        const what = { param: key, name: list[i].name, value: list[i].value };
        panels.showNotice(refusalText(lang(), what, error.message), { kind: 'warn' });
      }
    });
  };
  apply(app.sliders.workers, o.workers, 'workers', (w, v) => run.setWorkers(w.stage, v));
  apply(app.sliders.maxsize, o.maxsize, 'maxsize', (m, v) => {
    run.setMaxsize(m.queue, v);
    app.queueMaxsize[m.queue] = v;
  });
}

/** The code panel's label for a thread: its stage's name, or its own. */
function markLabel(i) {
  const stage = app.threadStages[i];
  if (stage !== null && stage !== undefined)
    return app.run?.scenario.stages[stage]?.name ?? app.threadNames[i];
  return app.threadNames[i] ?? `#${i}`;
}

// --- transport --------------------------------------------------------------------------------

function play() {
  // Pressed while the program's run is still being made: it plays once it is there.
  if (!app.run) {
    app.playWhenReady = true;
    return;
  }
  if (app.seeking) {
    // A replay is under way: play once it is there.
    app.seeking.then = 'play';
    return;
  }
  if (app.phase === 'ended') {
    newRun().then(() => play());
    return;
  }
  app.phase = 'playing';
  loop.resync();
  loop.wake();
  updateButtons();
  refreshStats();
}

function pause() {
  app.playWhenReady = false;
  if (app.phase !== 'playing') return;
  app.phase = 'paused';
  updateButtons();
  redraw();
}

function togglePlay() {
  if (!app.run) app.playWhenReady = !app.playWhenReady;
  else if (app.phase === 'playing') pause();
  else play();
}

/** Operations one "to the next item done" step may run before it gives up with a notice. */
const ITEM_STEP_OPS = 500_000;

/**
 * Step: one operation (one Python line of one thread), or as the Step menu (or `by`) says: to
 * the next time virtual time moves, or to the next item done. Real threads step by time.
 */
function step(by = el.stepBy.value) {
  const run = app.run;
  if (!run || app.phase === 'ended' || app.seeking) return;
  if (app.phase === 'playing') app.phase = 'paused';
  guard(() => {
    if (run.canStepOps) pushHistory(run.ops(), currentUs());
    let going;
    if (!run.canStepOps || by === 'instant') going = run.stepEvent();
    else if (by === 'item') {
      if (!run.stepItem(ITEM_STEP_OPS)) {
        const n = ITEM_STEP_OPS.toLocaleString('en-US');
        panels.showNotice(t(lang(), 'noItemDone', { n }));
      }
      going = !run.ended;
    } else going = run.stepOp();
    app.phase = going ? 'paused' : 'ended';
    app.endShown = false;
    redraw();
  });
  updateButtons();
}

/**
 * Step back: undoes exactly one operation (one line) by replay, back to the very moment before
 * it when a step got there; with a coarser Step, back to where the last step or frame began.
 */
function stepBack() {
  const run = app.run;
  if (!run) return;
  if (!run.canSeek || !run.canStepOps) {
    panels.showNotice(t(lang(), 'stepBackUnavailable'));
    return;
  }
  if (app.seeking) return;
  if (app.phase === 'playing') app.phase = 'paused';
  guard(() => {
    const now = run.ops();
    const h = app.history;
    let target = { ops: Math.max(0, now - 1), us: null };
    if (el.stepBy.value === 'op') {
      while (h.length && h[h.length - 1].ops >= now) h.pop();
      if (h.length && h[h.length - 1].ops === target.ops) target = h.pop();
    } else {
      const us = currentUs();
      while (h.length) {
        const m = h.pop();
        if (m.ops < now || (m.ops === now && m.us < us)) {
          target = m;
          break;
        }
      }
    }
    seekToOps(target.ops, { us: target.us });
  });
  updateButtons();
}

/** Operations a frame may replay while seeking, so that the page stays responsive. */
const SEEK_OPS_PER_FRAME = 300_000;

/**
 * Goes to the state after `ops` operations (and then to time `us`, when given, where only time
 * passed), by replay when going back, spread over frames; `then` is 'pause' or 'play'.
 */
function seekToOps(ops, { us = null, then = 'pause', done = null } = {}) {
  const run = app.run;
  if (!run?.canStepOps) return;
  if (app.phase === 'playing') app.phase = 'paused';
  app.seeking = { ops, us, then, done, from: run.ops() };
  app.needsDraw = true;
  loop.wake();
}

function continueSeek(run) {
  const s = app.seeking;
  if (!run.seekOps(s.ops, SEEK_OPS_PER_FRAME)) {
    const done = run.ops();
    const span = s.ops >= s.from && done >= s.from ? s.ops - s.from : s.ops;
    const base = s.ops >= s.from && done >= s.from ? s.from : 0;
    const percent = span > 0 ? Math.floor(((done - base) / span) * 100) : 100;
    el.scrubberAt.textContent = t(lang(), 'replaying', { percent });
    return;
  }
  // Time that passed after the operation (the run was paused between two instants).
  if (s.us !== null && !run.ended && currentUs() < s.us) run.seek(s.us / 1000);
  app.seeking = null;
  app.phase = run.ended ? 'ended' : 'paused';
  app.endShown = app.phase === 'ended';
  charts.truncate(currentUs());
  refreshStats();
  slidersFollow(app.stats);
  redraw({ jump: true });
  s.done?.();
  if (s.then === 'play' && app.phase !== 'ended') play();
  updateButtons();
}

/**
 * After a seek the run may have other workers or maxsizes than the sliders show (controls
 * replayed, or undone by going back before them): the sliders take the run's values.
 */
function slidersFollow(stats) {
  let changed = false;
  for (const w of app.sliders.workers) {
    const now = stats?.stages?.[w.stage]?.workers;
    if (now !== undefined && now !== w.value) [w.value, changed] = [now, true];
  }
  for (const m of app.sliders.maxsize) {
    const now = stats?.queues?.[m.queue]?.maxsize;
    if (now !== undefined && now !== m.value) [m.value, changed] = [now, true];
  }
  if (changed) buildSliders();
}

/** The Python panel's mark of the line that just ran and the thread that ran it. */
function showJustRan() {
  const last = app.run?.canStepOps ? app.run.lastOp() : null;
  panels.markJustRan(
    last?.line ?? 0,
    last ? (app.threadNames[last.thread] ?? `#${last.thread}`) : '',
  );
}

/** The timeline under the canvas: operations so far, marks where controls changed and the end. */
function updateScrubber() {
  const run = app.run;
  const on = !!run?.canStepOps;
  el.scrubber.disabled = !on;
  if (!on) {
    el.scrubber.max = '0';
    el.scrubberAt.textContent = '';
    el.scrubberMarks.replaceChildren();
    return;
  }
  const ops = run.ops();
  app.maxOps = Math.max(app.maxOps, ops);
  if (run.ended) app.endOps = Math.max(app.endOps ?? 0, ops);
  el.scrubber.max = String(app.maxOps);
  if (!app.scrubbing) el.scrubber.value = String(ops);
  const time = (currentUs() / 1e6).toFixed(3);
  el.scrubberAt.textContent = t(lang(), 'scrubberAt', {
    ops: ops.toLocaleString('en-US'),
    t: time,
  });
  const at = [...app.controlsLog.map((c) => c.ops), app.endOps ?? -1].join(',');
  const signature = `${app.maxOps}|${at}`;
  if (signature === app.scrubberSignature) return;
  app.scrubberSignature = signature;
  const mark = (ops, end) => {
    const span = document.createElement('span');
    span.style.left = `${app.maxOps ? (ops / app.maxOps) * 100 : 0}%`;
    if (end) span.className = 'end';
    return span;
  };
  const marks = app.controlsLog.filter((c) => c.ops <= app.maxOps).map((c) => mark(c.ops, false));
  if (app.endOps !== null) marks.push(mark(app.endOps, true));
  el.scrubberMarks.replaceChildren(...marks);
}

/** The scrubber moved: seek there by replay (a seek under way takes the new target). */
function onScrub(final) {
  const run = app.run;
  if (!run?.canStepOps) return;
  app.scrubbing = !final;
  const ops = Number(el.scrubber.value);
  if (app.seeking) app.seeking.ops = ops;
  else if (ops !== run.ops()) seekToOps(ops);
}

/** Where the run is, for a link: {ops, us, paused, controls} (model engine only). */
function currentMoment() {
  const run = app.run;
  if (!run?.canStepOps) return null;
  // Controls at operation 0 are start-of-run settings, which the link holds as slider values.
  const controls = run.controls().filter((c) => c.ops > 0 && c.ops <= run.ops());
  return { ops: run.ops(), us: currentUs(), paused: app.phase !== 'playing', controls };
}

/** Replays a link's moment on the new run, or says why it cannot. */
function restoreMoment(run, moment) {
  const l = lang();
  if (!run.canStepOps) {
    panels.showNotice(t(l, 'linkThreads', { ops: moment.ops }), { kind: 'warn' });
    return;
  }
  try {
    run.replayControls(moment.controls);
  } catch (error) {
    panels.showNotice(t(l, 'linkControlsRefused', { message: error.message }), { kind: 'warn' });
  }
  const done = () =>
    panels.showNotice(
      t(lang(), 'linkMoment', { ops: run.ops(), t: (currentUs() / 1e6).toFixed(3) }),
    );
  seekToOps(moment.ops, { us: moment.us, then: moment.paused ? 'pause' : 'play', done });
}

function currentUs() {
  return Math.round(app.run.timeMs() * 1000);
}

function reset() {
  newRun();
}

function updateButtons() {
  const l = lang();
  const key = { playing: 'pause', ended: 'runAgain' }[app.phase] ?? 'play';
  const icon = app.phase === 'playing' ? 'M4 2h3v12H4zM9 2h3v12H9z' : 'M4 2v12l10-6z';
  el.run.innerHTML = `<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="${icon}" fill="currentColor"/></svg> `;
  el.run.append(t(l, key));
  el.run.dataset.action = key;
  el.run.setAttribute('aria-label', t(l, key));
  el.run.disabled = !app.run;
  el.step.disabled = !app.run || app.phase === 'ended';
  el.stepBack.disabled = !app.run || !app.run.canSeek;
  document.body.dataset.phase = app.phase;
}

// --- controls ---------------------------------------------------------------------------------

function fillPresets() {
  const l = lang();
  const options = app.presets.map((preset) => {
    const title = pick(preset.title, l);
    const named = title.toLowerCase().startsWith(preset.id.toLowerCase());
    const option = new Option(named ? title : `${preset.id.toUpperCase()} · ${title}`, preset.id);
    option.title = pick(preset.summary, l);
    return option;
  });
  const builder = new Option(`B. ${t(l, 'builder')}`, BUILDER);
  builder.title = t(l, 'builderSummary');
  options.push(builder);
  el.preset.replaceChildren(...options);
  el.preset.value = app.state.preset;
  showSummary();
}

function showSummary() {
  const l = lang();
  const preset = app.presets.find((p) => p.id === app.state.preset);
  el.summary.textContent =
    app.state.preset === BUILDER ? t(l, 'builderSummary') : preset ? pick(preset.summary, l) : '';
}

function pickPreset(id) {
  if (!app.presets.some((p) => p.id === id) && id !== BUILDER) {
    // An id the engine does not know still goes to the engine, which refuses it with a message.
    app.state.preset = id;
  } else app.state.preset = id;
  app.state.overrides = { workers: null, maxsize: null };
  // Each program has its own pacing; its speed too, unless the user or the link chose one.
  app.state.pace = null;
  if (app.speedIsDefault) {
    app.state.speed = programPace(id).speed;
    renderer.speed = app.state.speed;
    speedRow?.setValue(app.state.speed);
  }
  fillPace();
  if (el.preset.value !== id) el.preset.value = id;
  panels.clearNotices();
  newRun();
}

let speedRow = null;
function buildSpeed() {
  speedRow = slider(document, {
    id: 'speed',
    param: 'speed',
    label: t(lang(), 'speed'),
    value: app.state.speed,
    lang: lang(),
    onInput: (v) => setSpeed(v, { chosen: true }),
    onChange: (v) => setSpeed(v, { chosen: true }),
  });
  el.speedSlot.replaceChildren(speedRow);
}

function setSpeed(v, { chosen = false } = {}) {
  app.state.speed = v;
  renderer.speed = v;
  if (chosen) app.speedIsDefault = false;
  fillPace();
  loop.resync();
  writeUrl();
}

/** The pacing menu: the program's own, all at once, or so many lines a second (at ×1). */
function fillPace() {
  const l = lang();
  const name = (p) => (p === 0 ? t(l, 'paceOff') : t(l, 'paceLines', { n: p }));
  const own = programPace(app.state.preset).pace;
  const options = [new Option(t(l, 'paceProgram', { lines: name(own) }), '')];
  for (const p of PACES) options.push(new Option(name(p), String(p)));
  el.pace.replaceChildren(...options);
  el.pace.value = app.state.pace === null ? '' : String(app.state.pace);
}

function setPace(value) {
  app.state.pace = value === '' ? null : Number(value);
  app.credit = { ops: 0 };
  writeUrl();
}

function nudgeSpeed(direction) {
  const i = SPEED_STOPS.indexOf(app.state.speed);
  const next =
    SPEED_STOPS[Math.max(0, Math.min(SPEED_STOPS.length - 1, (i < 0 ? 6 : i) + direction))];
  setSpeed(next, { chosen: true });
  speedRow.setValue(next);
}

/** The builder's sliders from its own values, for a program that has no run (refused). */
function slidersWithoutRun(b) {
  app.sliders = {
    workers: b.workers.map((value, stage) => ({
      stage,
      name: STAGE_NAMES[stage],
      value,
      initial: value,
      fixed: null,
    })),
    maxsize: b.maxsize.map((value, queue) => ({
      queue,
      name: `${STAGE_NAMES[queue]}_queue`,
      value,
      initial: value,
      kind: 'closable',
    })),
  };
  buildSliders();
}

function buildSliders() {
  const b = app.state.preset === BUILDER ? app.state.builder : null;
  const model = {
    workers: app.sliders.workers,
    maxsize: app.sliders.maxsize,
    builder: b,
  };
  renderSliders(el.sliders, model, lang(), onParam);
}

/** A slider moved. Workers and maxsize act on the run now; builder values make a new run. */
function onParam(param, index, value, { final }) {
  const state = app.state;
  if (param === 'workers' || param === 'maxsize') {
    const entry = app.sliders[param][index];
    if (!entry || entry.value === value) return;
    // Before the first operation a change is a start-of-run setting (the link's slider values);
    // after it, a change made while running, which the model engine logs and a link replays.
    const midRun = app.run?.canStepOps && app.run.ops() > 0;
    if (!midRun) keepForNextRun(param, index, value);
    writeUrl();
    // No run (the engine refused this program): a changed builder program may be accepted.
    if (!app.run && state.preset === BUILDER) {
      if (final) {
        entry.value = value;
        newRun({ keepPlaying: true });
      }
      return;
    }
    applyLive(param, entry, value, index);
    return;
  }
  if (!final) return;
  if (param === 'stages') state.builder = withStages(state.builder, value);
  else if (PARAMS[param]?.perStage) state.builder[param][index] = value;
  else state.builder[param] = value;
  writeUrl();
  restartForBuilder(param);
}

/** A builder setting a running pipeline cannot take: a new run, and a notice that says so. */
function restartForBuilder(param) {
  if (app.run && currentUs() > 0) {
    panels.showNotice(t(lang(), 'restarted', { setting: t(lang(), `setting.${param}`) }));
  }
  newRun({ keepPlaying: true });
}

/** A workers or maxsize value as a start-of-run setting (the builder's, or a preset's override). */
function keepForNextRun(param, index, value) {
  const state = app.state;
  if (state.preset === BUILDER) state.builder[param][index] = value;
  else {
    state.overrides[param] = app.sliders[param].map((e, i) => (i === index ? value : e.value));
  }
}

function applyLive(param, entry, value, index) {
  const run = app.run;
  if (!run) return;
  try {
    if (param === 'workers') run.setWorkers(entry.stage, value);
    else {
      run.setMaxsize(entry.queue, value);
      app.queueMaxsize[entry.queue] = value;
      renderer.setMaxsize(entry.queue, value);
    }
    entry.value = value;
    // The change is logged after this operation: the run's future from here is a new one.
    if (run.canStepOps) {
      app.maxOps = run.ops();
      app.endOps = null;
    }
    refreshStats();
    redraw();
  } catch (error) {
    const state = app.state;
    const what = { param, name: entry.name, value: entry.value };
    const l = lang();
    // A run that has ended is not shown as running any value: the slider keeps the new one for
    // the next run (its link has it too), and the notice says so.
    if (app.phase === 'ended') {
      entry.value = value;
      keepForNextRun(param, index, value);
      writeUrl();
      panels.showNotice(`${refusalText(l, what, error.message)} ${t(l, 'noticeNextRun')}`, {
        kind: 'warn',
      });
      return;
    }
    // Refused: the slider goes back to the value the run uses, and the link keeps that value.
    if (state.preset === BUILDER) state.builder[param][index] = entry.value;
    else state.overrides[param] = app.sliders[param].map((e) => e.value);
    writeUrl();
    const input = document.getElementById(`${PARAMS[param].key}-${index}`);
    input?.closest('.slider')?.setValue(entry.value);
    panels.showNotice(refusalText(l, what, error.message), { kind: 'warn' });
  }
}

function setEngine(engine) {
  if (engine === 'threads' && !app.threads.available) {
    el.engineModel.checked = true;
    return;
  }
  app.state.engine = engine;
  newRun();
}

function showEngineAvailability() {
  const l = lang();
  const threads = app.threads;
  el.engineThreads.disabled = !threads.available;
  el.engineReason.textContent = threads.available ? '' : t(l, threads.reason);
  el.engineReason.dataset.reason = threads.reason ?? '';
  el.engineThreads.parentElement.title = threads.available
    ? t(l, 'engineThreadsTitle', { pool: THREAD_POOL_SIZE })
    : '';
  el.engineModel.checked = app.state.engine !== 'threads';
  el.engineThreads.checked = app.state.engine === 'threads';
}

function setLanguage(l) {
  app.state.lang = l;
  el.lang.value = l;
  applyStrings(document, l);
  sweep.setLang(l);
  fillPresets();
  buildSpeed();
  fillPace();
  showEngineAvailability();
  buildLegend();
  buildHelp();
  updateButtons();
  if (app.run) {
    guard(() => {
      app.run.setLang(l);
      panels.setTables(app.run.scenario, l);
      panels.markSignature = panels.markSignature.map(() => '');
      buildSliders();
      charts.setLang(l);
      renderer.setLabels(canvasLabels());
      refreshStats();
      panels.renderConsole(app.stats?.console ?? [], true);
      redraw();
    });
  }
  writeUrl();
}

function buildLegend() {
  const l = lang();
  const items = [
    STATE.working,
    STATE.blocked_get,
    STATE.blocked_put,
    STATE.polling,
    STATE.sleeping,
    STATE.spinning,
    STATE.joining,
    STATE.running,
    STATE.not_started,
    STATE.ended,
  ].map((s) => legendItem(stateIconUrl(s, 18), t(l, `state.${s}`)));
  items.unshift(
    legendItem(tokenIconUrl('item', 18), t(l, 'item')),
    legendItem(tokenIconUrl('sentinel', 18), t(l, 'sentinel')),
  );
  el.legend.replaceChildren(...items);
}

function legendItem(src, text) {
  const li = document.createElement('li');
  const img = document.createElement('img');
  img.src = src;
  img.alt = '';
  img.width = 18;
  img.height = 18;
  const span = document.createElement('span');
  span.textContent = text;
  li.append(img, span);
  return li;
}

function buildHelp() {
  const l = lang();
  const rows = SHORTCUTS.flatMap(([keys, what]) => {
    const dt = document.createElement('dt');
    for (const k of keys.split(' / ')) {
      const kbd = document.createElement('kbd');
      kbd.textContent = k;
      dt.append(kbd, ' ');
    }
    const dd = document.createElement('dd');
    dd.textContent = t(l, what);
    return [dt, dd];
  });
  el.helpKeys.replaceChildren(...rows);
  el.helpThreads.textContent = t(l, 'helpThreads', {
    pool: THREAD_POOL_SIZE,
    workers: THREAD_POOL_SIZE - 1,
  });
}

function toggleHelp() {
  if (el.help.open) el.help.close();
  else el.help.showModal();
}

function togglePresent() {
  const on = !document.body.classList.contains('present');
  document.body.classList.toggle('present', on);
  el.present.setAttribute('aria-pressed', String(on));
  renderer.setLarge(on);
  redraw();
}

// --- URL and sharing --------------------------------------------------------------------------

/** The link to this moment: the state, and where the run is (replayed when opened). */
function shareUrl() {
  const url = new URL(location.href);
  url.hash = writeState(app.state, currentMoment());
  return url.href;
}

function writeUrl() {
  const hash = writeState(app.state);
  if (location.hash !== hash) history.replaceState(null, '', hash);
  el.shareLink.value = shareUrl();
}

async function copyLink() {
  const link = shareUrl();
  el.shareLink.value = link;
  try {
    await navigator.clipboard.writeText(link);
    panels.showNotice(t(lang(), 'linkCopied'));
  } catch {
    // No clipboard permission: show the link selected, ready to copy.
    el.shareLink.hidden = false;
    el.shareLink.focus();
    el.shareLink.select();
    panels.showNotice(t(lang(), 'linkShown'));
  }
}

/** A link opened in this tab (hash changed by hand): reload the state from it. */
function onHashChange() {
  if (location.hash === writeState(app.state)) return;
  const link = readState(location.hash, app.state.lang);
  adoptLink(link, location.hash);
  newRun();
}

/** A link's state, moment and version, and the speed that follows the program when it has none. */
function adoptLink({ state, moment, problems, version }, hash) {
  app.speedIsDefault = !/(^|[#&])s=/.test(hash);
  if (app.speedIsDefault) state.speed = programPace(state.preset).speed;
  app.moment = moment;
  adoptState(state, problems);
  const overrides = state.overrides.workers || state.overrides.maxsize;
  if (version < 2 && overrides && state.preset !== BUILDER) {
    panels.showNotice(t(state.lang, 'linkOld'), { kind: 'warn' });
  }
}

function adoptState(state, problems) {
  if (
    !app.presets.some((p) => p.id === state.preset) &&
    state.preset !== BUILDER &&
    app.presets.length
  ) {
    problems.push(`p=${state.preset}`);
    state.preset = defaultState().preset;
  }
  if (state.engine === 'threads' && !app.threads.available) {
    panels.showNotice(
      t(state.lang, 'noticeThreads', { reason: t(state.lang, app.threads.reason) }),
      { kind: 'warn' },
    );
    state.engine = 'model';
  }
  app.state = state;
  renderer.speed = state.speed;
  if (problems.length) {
    panels.showNotice(`${t(state.lang, 'noticeBadUrl')} ${problems.join(', ')}`, { kind: 'warn' });
  }
  setLanguage(state.lang);
}

// --- tooltip ----------------------------------------------------------------------------------

function onPointer(event) {
  const rect = el.canvas.getBoundingClientRect();
  const hit = renderer.hitTest(event.clientX - rect.left, event.clientY - rect.top);
  if (!hit || !app.run) {
    el.tip.hidden = true;
    return;
  }
  const l = lang();
  let text;
  if (hit.type === 'thread') {
    const line = app.run.scenario.source?.[hit.line - 1]?.trim();
    text = `${app.threadNames[hit.index] ?? hit.index}: ${t(l, `state.${hit.state}`)}${hit.line ? `\n${t(l, 'tipLine', { line: hit.line })}: ${line ?? ''}` : ''}`;
  } else {
    const q = app.run.scenario.queues[hit.index];
    const max = app.queueMaxsize[hit.index];
    text = `${q.name} (${q.kind}, maxsize ${max ? max : '∞'}): ${hit.length}`;
  }
  el.tip.textContent = text;
  el.tip.hidden = false;
  el.tip.style.left = `${Math.min(rect.width - 260, event.clientX - rect.left + 14)}px`;
  el.tip.style.top = `${event.clientY - rect.top + 14}px`;
}

// --- boot -------------------------------------------------------------------------------------

function wire() {
  el.run.addEventListener('click', togglePlay);
  el.step.addEventListener('click', () => step());
  el.stepBack.addEventListener('click', stepBack);
  el.pace.addEventListener('change', () => setPace(el.pace.value));
  el.scrubber.addEventListener('input', () => guard(() => onScrub(false)));
  el.scrubber.addEventListener('change', () => guard(() => onScrub(true)));
  el.reset.addEventListener('click', reset);
  el.preset.addEventListener('change', () => pickPreset(el.preset.value));
  el.lang.addEventListener('change', () => setLanguage(el.lang.value));
  el.engineModel.addEventListener('change', () => el.engineModel.checked && setEngine('model'));
  el.engineThreads.addEventListener(
    'change',
    () => el.engineThreads.checked && setEngine('threads'),
  );
  el.copyLink.addEventListener('click', copyLink);
  el.present.addEventListener('click', togglePresent);
  el.helpButton.addEventListener('click', toggleHelp);
  el.canvas.addEventListener('pointermove', onPointer);
  el.canvas.addEventListener('pointerleave', () => (el.tip.hidden = true));
  window.addEventListener('hashchange', () => guard(onHashChange));
  reducedMotionQuery?.addEventListener?.('change', (e) => {
    renderer.reducedMotion = e.matches;
    redraw({ jump: true });
  });
  new ResizeObserver(() => {
    renderer.relayout();
    redraw({ stats: false });
  }).observe(el.canvas);
  bindKeys(document, {
    togglePlay,
    step: () => step(),
    stepInstant: () => step('instant'),
    stepBack,
    reset,
    preset: pickPreset,
    slower: () => nudgeSpeed(-1),
    faster: () => nudgeSpeed(1),
    present: togglePresent,
    language: () => setLanguage(lang() === 'en' ? 'ko' : 'en'),
    help: toggleHelp,
    escape: () => el.help.open && el.help.close(),
  });
}

async function boot() {
  // The hash as opened: setLanguage below writes the page's own state into it.
  const hash = location.hash;
  // The engine first: its limits decide which values of the link are in range.
  let engines = null;
  let failure = null;
  try {
    engines = await loadEngines();
    applyLimits(engines.limits);
  } catch (error) {
    failure = error;
  }
  const link = readState(hash, preferredLanguage());
  const { state, problems } = link;
  app.state = state;
  renderer.speed = state.speed;
  setLanguage(state.lang);
  wire();
  if (failure) {
    panels.showError(`${t(lang(), 'loadFailed')} ${failure.message ?? failure}`);
    return;
  }
  app.presets = engines.presets;
  app.threads = engines.threads;
  adoptLink({ ...link, state: app.state, problems }, hash);
  await newRun();
  document.body.dataset.ready = 'true';
  charts
    .load()
    .catch((error) => panels.showNotice(String(error.message ?? error), { kind: 'warn' }));
}

// --- thread timelines and downloads (www/timeline.js) ----------------------------------------

const timeline = new TimelinePanel(document, {
  onSeek: (us) => seekToTime(us),
  charts,
  pipelineCanvas: el.canvas,
  notify: (text) => panels.showNotice(text),
});

/** Goes to virtual time `us` (back by replay) and pauses there, as the timeline's click asks. */
function seekToTime(us) {
  const run = app.run;
  if (!run?.canSeek || app.seeking) return;
  guard(() => {
    if (run.canStepOps) pushHistory(run.ops(), currentUs());
    run.seek(us / 1000);
    app.phase = run.ended ? 'ended' : 'paused';
    app.endShown = app.phase === 'ended';
    charts.truncate(currentUs());
    refreshStats();
    slidersFollow(app.stats);
    redraw({ jump: true });
  });
  updateButtons();
}

/** For tests and the page benchmark: read-only views of the page and a frame-time recorder. */
window.pipelineLab = {
  get phase() {
    return app.phase;
  },
  get state() {
    return structuredClone(app.state);
  },
  get stats() {
    return app.stats;
  },
  timeUs: () => (app.run ? currentUs() : null),
  /** Operations run so far (model engine), and whether a seek (replay) is under way. */
  ops: () => (app.run?.canStepOps ? app.run.ops() : null),
  get seeking() {
    return !!app.seeking;
  },
  /** {thread, line} of the operation that ran last (model engine), or null. */
  lastOp: () => (app.run?.canStepOps ? app.run.lastOp() : null),
  /** Samples in the charts. */
  get chartSamples() {
    return charts.samples;
  },
  /** Tokens the canvas is moving now (none with prefers-reduced-motion). */
  get tokensInFlight() {
    return renderer.tweens.size;
  },
  /** A digest of the current frame: time, thread states and lines, queue contents. */
  frameSignature() {
    if (!app.run) return null;
    const view = app.run.frame();
    const sig = {
      timeUs: view.timeUs,
      threadStates: Array.from(view.threadStates),
      threadLines: Array.from(view.threadLines),
      threadItems: Array.from(view.threadItems),
      queueStarts: Array.from(view.queueStarts),
      queueLens: view.queueLens ? Array.from(view.queueLens) : null,
      queueItems: Array.from(view.queueItems.slice(0, 2000)),
    };
    app.jumped = true; // the moves just taken are not animated
    return sig;
  },
  startRecording() {
    app.recording = { core: [], total: [], step: [], frame: [], draw: [] };
  },
  get recordedFrames() {
    return app.recording?.core.length ?? 0;
  },
  stopRecording() {
    const r = app.recording;
    app.recording = null;
    return r;
  },
  get firstFrameMs() {
    return app.firstFrameMs;
  },
  /** The thread timelines' panel (www/timeline.js), and the seek its click makes. */
  timeline,
  seekUs: (us) => seekToTime(us),
};

/** For tests and the sweep benchmark: the sweep panel (start, plotData, result, pool). */
window.pipelineLabSweep = sweep;

window.addEventListener('unhandledrejection', (event) => panels.showError(event.reason));
boot();
