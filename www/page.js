// The page's elements and the widgets every module shares (panels, canvas renderer, charts, sweep
// panel), made once. It must not hold run state or decide anything: it only names what is there.

import { Charts } from './charts.js';
import { Panels } from './panels.js';
import { Renderer } from './renderer.js';
import { app } from './state.js';
import { SweepPanel } from './sweep.js';

const $ = (id) => document.getElementById(id);
export const el = {
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

/** The user's motion preference (reduced motion: no tokens in flight, nothing spins). */
export const reducedMotionQuery = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)');
export const panels = new Panels(document);
export const renderer = new Renderer(el.canvas, { reducedMotion: !!reducedMotionQuery?.matches });
export const charts = new Charts($('charts'));
// The sweep panel: the builder's settings over a range of one parameter (www/sweep.js).
export const sweep = new SweepPanel(document, { state: () => app.state });
