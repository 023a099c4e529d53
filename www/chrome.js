// Page chrome: the language, the engine switch, the presets picker, speed and pacing, help,
// presentation mode and the canvas tooltip. It must not step the run; it asks the run controller.

import { slider } from './controls.js';
import { THREAD_POOL_SIZE } from './engine.js';
import { applyStrings, formatDuration, pick, t } from './i18n.js';
import { SHORTCUTS } from './keys.js';
import { buildLegend, canvasLabels, showSummary } from './labels.js';
import { programPace } from './lesson.js';
import { charts, el, panels, renderer, sweep } from './page.js';
import { sourceIn } from './panels.js';
import { BUILDER, SPEED_STOPS } from './params.js';
import { guard, loop, newRun, redraw, refreshStats, updateButtons } from './run-controller.js';
import { writeUrl } from './sharing.js';
import { buildSliders } from './sliders.js';
import { app, lang } from './state.js';
import { PACES } from './url.js';

export function fillPresets() {
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

export function pickPreset(id) {
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
export function buildSpeed() {
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

export function setSpeed(v, { chosen = false } = {}) {
  app.state.speed = v;
  renderer.speed = v;
  if (chosen) app.speedIsDefault = false;
  fillPace();
  loop.resync();
  writeUrl();
}

/** The pacing menu: the program's own, all at once, or so many lines a second (at ×1). */
export function fillPace() {
  const l = lang();
  const name = (p) => (p === 0 ? t(l, 'paceOff') : t(l, 'paceLines', { n: p }));
  const own = programPace(app.state.preset).pace;
  const options = [new Option(t(l, 'paceProgram', { lines: name(own) }), '')];
  for (const p of PACES) options.push(new Option(name(p), String(p)));
  el.pace.replaceChildren(...options);
  el.pace.value = app.state.pace === null ? '' : String(app.state.pace);
}

export function setPace(value) {
  app.state.pace = value === '' ? null : Number(value);
  app.credit = { ops: 0 };
  writeUrl();
}

export function nudgeSpeed(direction) {
  const i = SPEED_STOPS.indexOf(app.state.speed);
  const next =
    SPEED_STOPS[Math.max(0, Math.min(SPEED_STOPS.length - 1, (i < 0 ? 6 : i) + direction))];
  setSpeed(next, { chosen: true });
  speedRow.setValue(next);
}

export function setEngine(engine) {
  if (engine === 'threads' && !app.threads.available) {
    el.engineModel.checked = true;
    return;
  }
  app.state.engine = engine;
  newRun();
}

export function showEngineAvailability() {
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

export function setLanguage(l) {
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
      panels.retextSource(sourceIn(app.run.scenario, l));
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

export function buildHelp() {
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
  const live = document.getElementById('help-live');
  // The live engine's step is its capability (src/engine.rs), known once a live run exists.
  const step = app.run?.capabilities.stepEventUs;
  if (live) {
    live.textContent = t(l, 'liveNote', {
      step: step ? formatDuration(step, l) : t(l, 'liveStepSlice'),
    });
  }
  // One definition of each figure, the one the engine computes and every panel shows.
  const numbers = document.getElementById('help-numbers');
  if (numbers) {
    const defs = [
      ['itemsDone', 'helpItemsDone'],
      ['throughput', 'helpThroughput'],
      ['latency', 'helpLatency'],
      ['bestThroughput', 'helpBound'],
      ['memory', 'helpMemory'],
      ['colUtil', 'helpUtilization'],
    ].flatMap(([term, text]) => {
      const dt = document.createElement('dt');
      dt.textContent = t(l, term);
      const dd = document.createElement('dd');
      dd.textContent = t(l, text);
      return [dt, dd];
    });
    numbers.replaceChildren(...defs);
  }
}

export function toggleHelp() {
  if (el.help.open) el.help.close();
  else {
    // It opens at its top (the title takes focus, not the Close button at the bottom).
    el.help.showModal();
    el.help.scrollTop = 0;
  }
}

export function togglePresent() {
  const on = !document.body.classList.contains('present');
  document.body.classList.toggle('present', on);
  el.present.setAttribute('aria-pressed', String(on));
  renderer.setLarge(on);
  fitWorkspace();
  redraw();
}

/** Space left under the workspace on the first screen, in px. */
const WORKSPACE_GAP = 6;

/**
 * Fits the workspace (canvas and source) to the rest of the first screen. What is above it (the
 * header, a notice, the control bar) depends on the fonts, the language, the mode and the notices
 * shown, so its height is measured and handed to the style sheet as `--above-workspace`.
 */
export function fitWorkspace() {
  const workspace = document.querySelector('.workspace');
  if (!workspace) return;
  const above = workspace.getBoundingClientRect().top + window.scrollY;
  document.body.style.setProperty('--above-workspace', `${Math.ceil(above) + WORKSPACE_GAP}px`);
}

/** Keeps the workspace fitted as what is above it changes size or the window does. */
export function watchWorkspace() {
  const fit = () => requestAnimationFrame(fitWorkspace);
  const observer = new ResizeObserver(fit);
  for (const selector of ['header.top', '#notice', '#error', '.controlbar'])
    for (const node of document.querySelectorAll(selector)) observer.observe(node);
  window.addEventListener('resize', fit);
  fitWorkspace();
}

/** The canvas tooltip: the thread or queue under the pointer. */
export function onPointer(event) {
  const rect = el.canvas.getBoundingClientRect();
  const hit = renderer.hitTest(event.clientX - rect.left, event.clientY - rect.top);
  if (!hit || !app.run) {
    el.tip.hidden = true;
    return;
  }
  const l = lang();
  let text;
  if (hit.type === 'thread') {
    const line = sourceIn(app.run.scenario, l)[hit.line - 1]?.trim();
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
