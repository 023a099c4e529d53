// The sliders: workers and maxsize (and the builder's) from the run, the link's values at time 0,
// and what a moved slider does (the run changes now, or a new run). It must not step or draw runs.

import { renderSliders, slidersOf } from './controls.js';
import { refusalText, t } from './i18n.js';
import { el, panels, renderer } from './page.js';
import { BUILDER, PARAMS, STAGE_NAMES, withStages } from './params.js';
import { newRun, redraw, refreshStats } from './run-controller.js';
import { writeUrl } from './sharing.js';
import { app, currentUs, lang } from './state.js';

/**
 * The sliders' model for a new run: one workers slider a stage that has worker threads (disabled,
 * with the engine's reason, where the count is fixed); one maxsize slider a queue whose bound can
 * change. The engine says which. A preset's values from the link are then set at time 0.
 */
export function setUpSliders(run) {
  app.sliders = slidersOf(run);
  if (app.state.preset !== BUILDER) applyOverrides(run);
}

/** A preset's workers/maxsize from the link, set at time 0. Bad lists fall back with a notice. */
export function applyOverrides(run) {
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

/** The builder's sliders from its own values, for a program that has no run (refused). */
export function slidersWithoutRun(b) {
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

export function buildSliders() {
  const b = app.state.preset === BUILDER ? app.state.builder : null;
  const model = {
    workers: app.sliders.workers,
    maxsize: app.sliders.maxsize,
    builder: b,
  };
  renderSliders(el.sliders, model, lang(), onParam);
}

/**
 * After a seek the run may have other workers or maxsizes than the sliders show (controls
 * replayed, or undone by going back before them): the sliders take the run's values.
 */
export function slidersFollow(stats) {
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
