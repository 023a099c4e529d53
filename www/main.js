// Boot and wiring: loads the engines, reads the link, connects the modules and the page's events,
// and exposes read-only views for tests. It must not draw, simulate or hold state of its own.

import {
  fitWorkspace,
  nudgeSpeed,
  onPointer,
  pickPreset,
  setEngine,
  setLanguage,
  setPace,
  toggleHelp,
  togglePresent,
  watchWorkspace,
} from './chrome.js';
import { ComparePanel } from './compare.js';
import { loadEngines } from './engine.js';
import { preferredLanguage, t } from './i18n.js';
import { bindKeys } from './keys.js';
import { programPace } from './lesson.js';
import { charts, el, panels, reducedMotionQuery, renderer, sweep } from './page.js';
import { BUILDER, applyLimits } from './params.js';
import {
  connectSliders,
  guard,
  newRun,
  onScrub,
  redraw,
  reset,
  seekToTime,
  step,
  stepBack,
  timeline,
  togglePlay,
  pause,
} from './run-controller.js';
import { copyLink, currentMoment, takeMomentFrom, writeUrl } from './sharing.js';
import { buildSliders, setUpSliders, slidersFollow, slidersWithoutRun } from './sliders.js';
import { app, currentUs, lang } from './state.js';
import { V2_EXACT, compareSide, defaultState, readState, writeState } from './url.js';

// Compare mode (www/compare.js): two runs side by side, its sides in the link's `cmp=`.
const compare = new ComparePanel(document, {
  state: () => app.state,
  presets: () => app.presets,
  onChange: () => writeUrl(),
  notify: (text, options) => panels.showNotice(text, options),
  reducedMotion: !!reducedMotionQuery?.matches,
});
const compareButton = document.getElementById('compare-button');
// In compare mode the link's moment is its clock's; a link's moment for it waits here until
// compare mode opens.
takeMomentFrom(() => (compare.active ? compare.moment() : currentMoment()));
let compareMoment = null;

/** Opens or closes compare mode as the state says (a link, the button). */
function followCompare() {
  const on = !!app.state.compare;
  compareButton?.setAttribute('aria-pressed', String(on));
  if (on) {
    pause();
    compare.open(app.state.compare, compareMoment);
  } else if (compare.active) compare.close();
  compareMoment = null;
}

/** The Compare button: the current program against P5 (or P1 when it is P5), or back to one run. */
function toggleCompare() {
  if (app.state.compare) app.state.compare = null;
  else {
    const s = app.state;
    const left = compareSide(s.preset);
    left.builder = structuredClone(s.builder);
    left.overrides = structuredClone(s.overrides);
    app.state.compare = [left, compareSide(s.preset === 'p5' ? 'p1' : 'p5')];
  }
  followCompare();
  writeUrl();
}

connectSliders({
  setUp: setUpSliders,
  show: buildSliders,
  withoutRun: slidersWithoutRun,
  follow: slidersFollow,
});

// --- links --------------------------------------------------------------------------------------

/** A link opened in this tab (hash changed by hand): reload the state from it. */
function onHashChange() {
  if (location.hash === writeState(app.state)) return;
  const link = readState(location.hash, app.state.lang);
  // A new link is a new page: what the last one said no longer applies.
  panels.clearNotices();
  adoptLink(link, location.hash);
  newRun();
  followCompare();
  followSweep();
}

/** A link that holds a sweep opens the sweep panel on it and runs it (www/sweep.js). */
function followSweep() {
  if (app.state.sweep && !app.state.compare) {
    sweep.openFromLink(app.state.sweep).catch((error) => panels.showError(error));
  }
}

/** A link's state, moment and version, and the speed that follows the program when it has none. */
function adoptLink({ state, moment, problems, version }, hash) {
  app.speedIsDefault = !/(^|[#&])s=/.test(hash);
  if (app.speedIsDefault) state.speed = programPace(state.preset).speed;
  // A format-2 moment counted fused lines as one operation: only its time still holds.
  const countsChanged = version === 2 && moment && !V2_EXACT.has(state.preset);
  app.moment = countsChanged ? { ...moment, byTime: true } : moment;
  // A compare link's moment is both runs' (www/compare.js), not the single run's.
  compareMoment = state.compare ? moment : null;
  if (state.compare) app.moment = null;
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
  compareButton?.addEventListener('click', () => guard(toggleCompare));
  document.getElementById('cmp-close')?.addEventListener('click', () => guard(toggleCompare));
  // The language switch (chrome.js) sets <html lang>: compare mode's words follow it.
  new MutationObserver(() => compare.setLang(lang())).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['lang'],
  });
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
  // In compare mode, play, step and reset drive both of its runs.
  const either = (single, both) => () => (compare.active ? both() : single());
  bindKeys(document, {
    togglePlay: either(togglePlay, () => compare.togglePlay()),
    step: either(
      () => step(),
      () => compare.step(),
    ),
    stepInstant: either(
      () => step('instant'),
      () => compare.step(),
    ),
    stepBack: either(stepBack, () => compare.stepBack()),
    reset: either(reset, () => compare.restart()),
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
  watchWorkspace();
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
  compare.setLang(lang());
  await newRun();
  fitWorkspace();
  followCompare();
  sweep.onChange = () => writeUrl();
  followSweep();
  document.body.dataset.ready = 'true';
  charts
    .load()
    .catch((error) => panels.showNotice(String(error.message ?? error), { kind: 'warn' }));
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

/** For tests: compare mode (open, openPair, step, seek, snapshot, phase). */
window.pipelineLabCompare = compare;

/** For tests and the sweep benchmark: the sweep panel (start, plotData, result, pool). */
window.pipelineLabSweep = sweep;

window.addEventListener('unhandledrejection', (event) => panels.showError(event.reason));
boot();
