// Boot and controls: loads the engine, fills the preset list and wires Run/Pause, Reset,
// speed and language to one run at a time. Every wasm error is caught and shown in #error.

import { Clock, SPEEDS } from './clock.js';
import { EngineRun, loadEngine } from './engine.js';
import { applyStrings, pick, preferredLanguage, t } from './i18n.js';
import { View } from './view.js';

const $ = (id) => document.getElementById(id);
const controls = {
  preset: $('preset'),
  summary: $('summary'),
  run: $('run'),
  reset: $('reset'),
  speed: $('speed'),
  lang: $('lang'),
};
const view = new View(document);

const state = {
  lang: preferredLanguage(),
  presets: [],
  run: null,
  phase: 'ready', // 'ready' | 'playing' | 'paused' | 'ended'
};

const clock = new Clock((virtualMs) => guard(() => tick(virtualMs), false));

/** Runs `fn`; a thrown error is shown on the page, stops the clock and yields `fallback`. */
function guard(fn, fallback = undefined) {
  try {
    return fn();
  } catch (error) {
    clock.pause();
    if (state.phase === 'playing') state.phase = 'paused';
    updateButtons();
    view.showError(error);
    return fallback;
  }
}

function tick(virtualMs) {
  const going = state.run.step(virtualMs);
  if (!going) state.phase = 'ended';
  render();
  if (!going) updateButtons();
  return going;
}

function render({ redraw = false } = {}) {
  if (!state.run) return;
  const phase = state.phase === 'ended' ? 'playing' : state.phase;
  view.render(state.run.stats(), state.lang, { phase, redraw });
}

/** Drops the current run and starts the selected preset from time zero, paused. */
function newRun() {
  clock.pause();
  state.run?.free();
  state.run = null;
  state.phase = 'ready';
  view.clearError();
  guard(() => {
    state.run = new EngineRun(controls.preset.value, state.lang);
    render({ redraw: true });
  });
  updateButtons();
}

function play() {
  if (!state.run) return;
  state.phase = 'playing';
  clock.start();
  updateButtons();
}

function pause() {
  clock.pause();
  state.phase = 'paused';
  render();
  updateButtons();
}

function updateButtons() {
  const key = { playing: 'pause', ended: 'runAgain' }[state.phase] ?? 'run';
  controls.run.dataset.i18n = key;
  controls.run.textContent = t(state.lang, key);
  controls.run.disabled = !state.run && state.phase !== 'ended';
}

function fillPresets() {
  const selected = controls.preset.value;
  controls.preset.replaceChildren(
    ...state.presets.map((preset) => {
      const option = document.createElement('option');
      option.value = preset.id;
      const title = pick(preset.title, state.lang);
      // Titles usually begin with their id ("P6. ..."); add it only where they do not.
      const named = title.toLowerCase().startsWith(preset.id.toLowerCase());
      option.textContent = named ? title : `${preset.id.toUpperCase()} · ${title}`;
      return option;
    }),
  );
  if (selected) controls.preset.value = selected;
  const current = state.presets.find((p) => p.id === controls.preset.value);
  controls.summary.textContent = current ? pick(current.summary, state.lang) : '';
}

function setLanguage(lang) {
  state.lang = lang;
  controls.lang.value = lang;
  applyStrings(document, lang);
  fillPresets();
  updateButtons();
  if (state.run) {
    guard(() => {
      state.run.setLang(lang);
      render({ redraw: true });
    });
  }
}

function fillSpeeds() {
  controls.speed.replaceChildren(
    ...SPEEDS.map((speed) => {
      const option = document.createElement('option');
      option.value = String(speed);
      option.textContent = `×${speed}`;
      return option;
    }),
  );
  controls.speed.value = String(clock.speed);
}

function wireControls() {
  controls.run.addEventListener('click', () => {
    if (state.phase === 'playing') pause();
    else if (state.phase === 'ended') {
      newRun();
      play();
    } else play();
  });
  controls.reset.addEventListener('click', newRun);
  controls.preset.addEventListener('change', () => {
    fillPresets();
    newRun();
  });
  controls.speed.addEventListener('change', () => {
    clock.speed = Number(controls.speed.value);
  });
  controls.lang.addEventListener('change', () => setLanguage(controls.lang.value));
}

async function boot() {
  fillSpeeds();
  setLanguage(state.lang);
  wireControls();
  try {
    state.presets = await loadEngine();
  } catch (error) {
    view.showError(`${t(state.lang, 'loadFailed')} ${error.message ?? error}`);
    return;
  }
  fillPresets();
  newRun();
  document.body.dataset.ready = 'true';
}

// Last line of defence: nothing thrown later may go unseen.
window.addEventListener('unhandledrejection', (event) => view.showError(event.reason));
boot();
