// The page's state store: one object whose every field is declared here, and two readers of it.
// It must not touch the DOM or draw, and calls the engine only to read the run's time.

import { preferredLanguage } from './i18n.js';
import { defaultState } from './url.js';

/** Page state. `state` is what the URL holds; the rest follows from it and the run. */
export const app = {
  /** What the link holds: program, builder values, overrides, engine, speed, pace, language. */
  state: defaultState(preferredLanguage()),
  /** The engine's presets ({id, title, summary}), once the engine has loaded. */
  presets: [],
  /** Whether the real-threads engine can run here, and the i18n key of why not. */
  threads: { available: false, reason: 'reasonIsolation' },
  /** The run on screen (www/engine.js), or null while one is being made or was refused. */
  run: null,
  /** The engine's shape of the program with the threads as they are now (www/layout.js). */
  shape: null,
  /** The sliders' model: workers {stage, name, value, initial, fixed}, maxsize {queue, ...}. */
  sliders: { workers: [], maxsize: [] },
  /** Each queue's bound as the engine has it now (0: unbounded). */
  queueMaxsize: [],
  /** Each thread's name, from the latest stats. */
  threadNames: [],
  /** Each thread's stage index, or null for main and consumers. */
  threadStages: [],
  /** 'ready' | 'playing' | 'paused' | 'ended'. */
  phase: 'ready',
  /** {ops, us} of moments shown before this one (steps, frames), for step back. */
  history: [],
  /** The latest stats snapshot, and when (performance.now()) it was taken. */
  stats: null,
  statsAt: -Infinity,
  /** Stats are wanted on the next frame (a redraw asked for them). */
  statsDue: false,
  /** When the Python panel's thread marks were last updated. */
  marksAt: -Infinity,
  /** The next frame draws even when nothing plays. */
  needsDraw: false,
  /** The next frame is a jump (seek, new run): no tokens in flight. */
  jumped: true,
  /** The virtual time (µs) of the last frame drawn; undefined before the first. */
  lastFrameUs: undefined,
  /** The run's end has been shown (stats, charts, buttons) once. */
  endShown: false,
  /** Counts newRun calls: a run that arrives after a newer request is dropped. */
  runToken: 0,
  /** Play was pressed while the run was being made (newRun is async): play when it is there. */
  playWhenReady: false,
  /** Frame times recorded for the page benchmark ({core, total, step, frame, draw}), or null. */
  recording: null,
  /** When the first frame was drawn (performance.now()), or null. */
  firstFrameMs: null,
  /** Play's line credit for the lesson's pacing (www/lesson.js). */
  credit: { ops: 0 },
  /** A seek in progress: {ops, us, then, done, from}, or null. */
  seeking: null,
  /** The furthest operation reached (the scrubber's end). */
  maxOps: 0,
  /** The run's control log ({ops, ...}), marked on the scrubber. */
  controlsLog: [],
  /** The operation where the run ended, once it has. */
  endOps: null,
  /** The scrubber is being dragged (its value is the user's, not the run's). */
  scrubbing: false,
  /** What the scrubber's marks were drawn for, so that they are redrawn only when it changes. */
  scrubberSignature: '',
  /** A link's moment to replay once its run is there ({ops, us, paused, controls}). */
  moment: null,
  /** The speed is the program's own (the user and the link chose none): it follows the program. */
  speedIsDefault: false,
};

/** The page's language. */
export const lang = () => app.state.lang;

/** The run's virtual time in whole microseconds (there must be a run). */
export function currentUs() {
  return Math.round(app.run.timeMs() * 1000);
}
