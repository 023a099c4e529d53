// The run controller: a new run, play/pause/step/step back/seek/reset, the frame loop's stepping
// and what follows it (stats, scrubber, buttons). It must not build chrome or sliders (hooks do).

import { FrameLoop } from './clock.js';
import { createRun } from './engine.js';
import { t } from './i18n.js';
import {
  annotationsOf,
  canvasLabels,
  describe,
  markLabel,
  refusalFallback,
  runRefusal,
  showSummary,
} from './labels.js';
import { withThreads } from './layout.js';
import { linesPerSecond, pacedStep, programPace } from './lesson.js';
import { charts, el, panels, renderer } from './page.js';
import { sourceIn } from './panels.js';
import { BUILDER, pipelineSpec } from './params.js';
import { writeUrl } from './sharing.js';
import { TimelinePanel } from './timeline.js';
import { app, currentUs, lang } from './state.js';

/**
 * The sliders (www/sliders.js) sit above the controller, since a moved slider may start a new run:
 * the controller reaches them through these hooks, which main.js connects at boot.
 */
const sliderHooks = {
  /** A new run: the sliders' model from its shape, and the link's start-of-run values applied. */
  setUp: (run) => void run,
  /** Draws the sliders from their model. */
  show: () => {},
  /** The engine refused the builder's program: sliders from the builder's own values. */
  withoutRun: (builder) => void builder,
  /** After a seek: the sliders take the run's workers and maxsizes. */
  follow: (stats) => void stats,
};

/** Connects the sliders' hooks (main.js, once). */
export function connectSliders(hooks) {
  Object.assign(sliderHooks, hooks);
}

/** The frame loop: steps a playing run by real time × speed and draws what changed. */
export const loop = new FrameLoop((realMs, now) => guard(() => onFrame(realMs, now), false));

/** Runs `fn`; a thrown error is shown on the page, pauses the run and yields `fallback`. */
export function guard(fn, fallback = undefined) {
  try {
    return fn();
  } catch (error) {
    if (app.phase === 'playing') app.phase = 'paused';
    updateButtons();
    panels.showError(error);
    return fallback;
  }
}

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
  const due =
    app.needsDraw || app.phase === 'playing' || renderer.animating || app.phase === 'ended';
  // The stats first, so that the canvas's annotations (a hang's banner and chain, the bottleneck,
  // unfinished tasks, memory) are those of the instant drawn below: a run that ends or a step
  // that hangs draws no further frame to catch up on them.
  const ended = app.phase === 'ended' && !app.endShown;
  if (ended || (app.phase === 'playing' && now - app.statsAt > 250) || app.statsDue) {
    refreshStats(now);
  } else if (!app.seeking && due && app.phase === 'playing' && run.canStepOps) {
    // The panel and the canvas's annotations show the instant drawn, every frame, so that no
    // figure runs ahead of another; the charts keep a few samples a second. Real threads move
    // between any two reads, so there the stats keep their few refreshes a second.
    refreshStats(now, { chart: false });
  }
  const tStats = performance.now();
  let tFrame = tStats;
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
  if (ended) {
    app.endShown = true;
    backfillCharts();
    updateButtons();
  }
  if (app.recording && drew) {
    const r = app.recording;
    // The core is stepping, taking the frame and drawing it; the stats count in the total only.
    r.core.push(t1 - t0 - (tStats - tStep));
    r.total.push(performance.now() - t0);
    r.step.push(tStep - t0);
    r.frame.push(tFrame - tStats);
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
/** Operations a run may have for its charts to be replayed at the end (about 20 ms of work). */
const BACKFILL_MAX_OPS = 300_000;

function backfillCharts() {
  const run = app.run;
  if (!run?.canSeek || charts.samples >= BACKFILL_SAMPLES / 2) return;
  const endUs = currentUs();
  if (endUs <= 0) return;
  // The replay runs on the page's main thread: only a run small enough to replay within a frame
  // or two is replayed (a bigger one keeps the samples it has).
  if (run.canStepOps && run.ops() > BACKFILL_MAX_OPS) return;
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
export function redraw({ jump = false, stats = true } = {}) {
  if (jump) {
    app.jumped = true;
    renderer.jump();
  }
  app.needsDraw = true;
  if (stats) app.statsDue = true;
  loop.wake();
}

export function refreshStats(now = performance.now(), { chart = true } = {}) {
  const run = app.run;
  if (!run) return;
  const stats = run.stats();
  app.stats = stats;
  if (chart) app.statsAt = now;
  app.statsDue = false;
  syncThreads(stats);
  syncMaxsize(stats);
  panels.renderStats(stats, lang(), { phase: app.phase, bottleneck: stats.bottleneck ?? null });
  if (run.canStepOps) app.controlsLog = run.controls();
  if (chart) charts.push(stats);
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

/** Drops the current run and starts the chosen program from time zero. */
export async function newRun({ keepPlaying = false } = {}) {
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
      if (state.preset === BUILDER) sliderHooks.withoutRun(state.builder);
    }
    // The page never keeps the last program's canvas under the refused one's name: what can
    // stand in runs instead (www/labels.js refusalFallback), with a notice naming the refusal.
    const fallback = token === app.runToken ? refusalFallback(error, state) : null;
    if (fallback) {
      // The notice names the refusal: no error stays over a program that runs.
      panels.clearError();
      Object.assign(state, fallback.change);
      el.engineModel.checked = state.engine !== 'threads';
      if (el.preset.value !== state.preset) el.preset.value = state.preset;
      panels.showNotice(fallback.notice, { kind: 'warn' });
      const again = state.preset === BUILDER ? source : { preset: state.preset };
      run = await createRun(again, state.lang, state.engine).catch(() => null);
    }
    if (!run) {
      updateButtons();
      return;
    }
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

/** Shows a new run: its scene, panels, charts and sliders at time zero, then a link's moment. */
function setUpRun(run) {
  const scenario = run.scenario;
  const state = app.state;
  app.threadStages = scenario.threads.map((th) => th.stage ?? null);
  app.threadNames = scenario.threads.map((th) => th.name);
  app.queueMaxsize = scenario.queues.map((q) => q.maxsize ?? 0);
  app.shape = withThreads(run.shape, app.threadStages);
  sliderHooks.setUp(run);
  renderer.setScene(app.shape, { maxsize: app.queueMaxsize, labels: canvasLabels() });
  panels.setSource(sourceIn(scenario, state.lang), markLabel);
  panels.setTables(scenario, state.lang);
  panels.renderConsole([], true);
  charts.setScenario(scenario, state.lang);
  sliderHooks.show();
  showSummary();
  refreshStats();
  redraw({ jump: true });
  const moment = app.moment;
  app.moment = null;
  if (moment) restoreMoment(run, moment);
}

// --- transport --------------------------------------------------------------------------------

export function play() {
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

export function pause() {
  app.playWhenReady = false;
  if (app.phase !== 'playing') return;
  app.phase = 'paused';
  updateButtons();
  redraw();
}

export function togglePlay() {
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
export function step(by = el.stepBy.value) {
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
export function stepBack() {
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
  sliderHooks.follow(app.stats);
  redraw({ jump: true });
  s.done?.();
  if (s.then === 'play' && app.phase !== 'ended') play();
  updateButtons();
}

/** The Python panel's mark of the line that just ran and the thread that ran it. */
function showJustRan() {
  const last = app.run?.canStepOps ? app.run.lastOp() : null;
  const name = last ? (app.threadNames[last.thread] ?? `#${last.thread}`) : '';
  panels.markJustRan(
    last?.line ?? 0,
    last?.ended ? t(lang(), 'justRanEnded', { thread: name }) : name,
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
export function onScrub(final) {
  const run = app.run;
  if (!run?.canStepOps) return;
  app.scrubbing = !final;
  const ops = Number(el.scrubber.value);
  if (app.seeking) app.seeking.ops = ops;
  else if (ops !== run.ops()) seekToOps(ops);
}

/** Replays a link's moment on the new run, or says why it cannot. */
function restoreMoment(run, moment) {
  const l = lang();
  if (!run.canStepOps) {
    panels.showNotice(t(l, 'linkThreads', { ops: moment.ops }), { kind: 'warn' });
    return;
  }
  if (moment.byTime) {
    seekToTime(moment.us);
    panels.showNotice(t(l, 'linkOldOps', { t: (currentUs() / 1e6).toFixed(3) }), { kind: 'warn' });
    return;
  }
  try {
    run.replayControls(moment.controls);
  } catch (error) {
    panels.showNotice(t(l, 'linkControlsRefused', { message: error.message }), { kind: 'warn' });
  }
  const done = () => {
    const at = { ops: run.ops(), t: (currentUs() / 1e6).toFixed(3) };
    if (run.ops() === moment.ops) panels.showNotice(t(lang(), 'linkMoment', at));
    else panels.showNotice(t(lang(), 'linkPastEnd', { ...at, want: moment.ops }), { kind: 'warn' });
  };
  seekToOps(moment.ops, { us: moment.us, then: moment.paused ? 'pause' : 'play', done });
}

export function reset() {
  newRun();
}

export function updateButtons() {
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

// --- thread timelines (www/timeline.js) -------------------------------------------------------

/** The thread timelines under the canvas; a click on a lane seeks there. */
export const timeline = new TimelinePanel(document, {
  onSeek: (us) => seekToTime(us),
  charts,
  pipelineCanvas: el.canvas,
  notify: (text) => panels.showNotice(text),
  latency: () => app.stats?.latency ?? null,
  // The item journey's ring and hit-testing, and a WebM clip of a range at its own speed.
  renderer,
  redraw: () => redraw({ stats: false }),
  speed: () => app.state.speed,
  playAt: (speed) => {
    app.state.speed = speed;
    renderer.speed = speed;
    play();
  },
  pauseAt: (speed) => {
    pause();
    app.state.speed = speed;
    renderer.speed = speed;
  },
});

/** Goes to virtual time `us` (back by replay) and pauses there, as the timeline's click asks. */
export function seekToTime(us) {
  const run = app.run;
  if (!run?.canSeek || app.seeking) return;
  guard(() => {
    if (run.canStepOps) pushHistory(run.ops(), currentUs());
    run.seek(us / 1000);
    app.phase = run.ended ? 'ended' : 'paused';
    app.endShown = app.phase === 'ended';
    charts.truncate(currentUs());
    refreshStats();
    sliderHooks.follow(app.stats);
    redraw({ jump: true });
  });
  updateButtons();
}
