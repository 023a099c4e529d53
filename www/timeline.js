// Thread timelines under the canvas (a model-engine run recorded whole in a Web Worker, revealed up
// to the run's time), and the page's downloads: the Perfetto trace, stats over time as CSV, the
// final stats as JSON, the canvas as PNG or a WebM clip. It must not step or seek the run: it
// reads it, and asks main.js to seek through the `onSeek` it was given.

import { ITEM_COLOR, STATE_COLORS, STATES } from './icons.js';
import { t } from './i18n.js';
import './i18n-timeline.js';
import { JourneyPanel } from './journey.js';

/** Moments a recording takes at most (src/timeline.rs, MAX_EVENTS). */
const MAX_EVENTS = 2_000_000;
/** A column with no span of a thread (before it started). */
const NONE = 255;
const PHONE_QUERY = '(max-width: 699px)';
/** A clip's speed, as the speed slider's (www/params.js). */
const SPEED_MIN = 0.01;
const SPEED_MAX = 1000;

// --- a recorded run, prepared for drawing ------------------------------------------------------

/**
 * The worker's timeline as flat typed arrays per thread and queue, so that bucketing a column
 * and finding the span under the pointer are loops over numbers.
 */
function prepare(timeline, scenario) {
  const lanes = timeline.spans.map((spans) => {
    const n = spans.length;
    const lane = {
      starts: new Float64Array(n),
      ends: new Float64Array(n),
      states: new Uint8Array(n),
      lines: new Uint32Array(n),
    };
    spans.forEach((s, i) => {
      lane.starts[i] = s.start_us;
      lane.ends[i] = s.end_us;
      lane.states[i] = STATES.indexOf(s.state);
      lane.lines[i] = s.line;
    });
    return lane;
  });
  // The queues the charts show: the done queue only grows, and says nothing of waiting.
  const queues = timeline.queues
    .map((name, q) => ({ name, q }))
    .filter(({ q }) => q !== scenario.done_queue)
    .map(({ name, q }) => {
      const steps = timeline.lengths[q] ?? [];
      const times = new Float64Array(steps.length);
      const lens = new Float64Array(steps.length);
      let max = 0;
      steps.forEach(([at, len], i) => {
        times[i] = at;
        lens[i] = len;
        max = Math.max(max, len);
      });
      // The steps keep the last length of each instant; the label names the longest the queue
      // was, within an instant too, as the queue table does (`max_len`).
      const longest = Math.max(max, timeline.max_lens?.[q] ?? 0);
      return { name, index: q, times, lens, max, longest };
    });
  return { timeline, threads: timeline.threads, lanes, queues, endUs: timeline.end_us };
}

/** Index of the last element of sorted `starts` that is <= `x`, or -1. */
function lastAtOrBefore(starts, x) {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Per pixel column, the state a thread spent most of that column's time in (NONE where it did
 * not exist): a run of 100,000 items draws as many rectangles as there are columns, not spans.
 */
function bucketLane(lane, cols, usPerCol) {
  const out = new Uint8Array(cols).fill(NONE);
  const acc = new Float64Array(STATES.length);
  const { starts, ends, states } = lane;
  const n = starts.length;
  let i = 0;
  for (let c = 0; c < cols; c++) {
    const c0 = c * usPerCol;
    const c1 = c0 + usPerCol;
    while (i < n && ends[i] <= c0) i++;
    if (i >= n) break;
    if (starts[i] >= c1) continue;
    acc.fill(0);
    for (let j = i; j < n && starts[j] < c1; j++) {
      const a = Math.max(starts[j], c0);
      const b = Math.min(ends[j], c1);
      if (b > a) acc[states[j]] += b - a;
    }
    let best = NONE;
    let most = 0;
    for (let s = 0; s < acc.length; s++) {
      if (acc[s] > most) [best, most] = [s, acc[s]];
    }
    out[c] = best;
  }
  return out;
}

/** Per pixel column, the longest a queue was in that column's time (-1 before it existed). */
function bucketQueue(queue, cols, usPerCol) {
  const out = new Float32Array(cols).fill(-1);
  const { times, lens } = queue;
  const n = times.length;
  let i = 0;
  for (let c = 0; c < cols; c++) {
    const c0 = c * usPerCol;
    const c1 = c0 + usPerCol;
    // The step in force at c0, then every step inside the column.
    while (i + 1 < n && times[i + 1] <= c0) i++;
    if (!n || times[0] >= c1) continue;
    let most = times[i] <= c0 || i === 0 ? lens[i] : -1;
    for (let j = i + 1; j < n && times[j] < c1; j++) most = Math.max(most, lens[j]);
    out[c] = most;
  }
  return out;
}

// --- how times read -----------------------------------------------------------------------------

/** A number with at most `digits` decimals, trailing zeros dropped. */
function trimmed(x, digits) {
  return Number(x.toFixed(digits)).toString();
}

/** A stretch's bounds, to the microsecond, in one unit: "3.2–7.9 ms", "1.25–1.5 s". */
function formatRange(fromUs, toUs, open = false) {
  const [div, unit, digits] = toUs >= 1e6 ? [1e6, 's', 6] : [1e3, 'ms', 3];
  return {
    from: trimmed(fromUs / div, digits),
    to: `${trimmed(toUs / div, digits)}${open ? '…' : ''} ${unit}`,
  };
}

function formatAt(us) {
  return us >= 1e6 ? `${trimmed(us / 1e6, 6)} s` : `${trimmed(us / 1e3, 3)} ms`;
}

/** Tick step on the time axis: 1, 2 or 5 times a power of ten, about `target` µs apart. */
function tickStep(target) {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, target)));
  for (const m of [1, 2, 5, 10]) if (m * p >= target) return m * p;
  return 10 * p;
}

function tickLabel(us, step) {
  if (step >= 1e5) return `${trimmed(us / 1e6, 1)} s`;
  if (step >= 1e3) return `${trimmed(us / 1e3, 0)} ms`;
  return `${trimmed(us / 1e3, 3)} ms`;
}

// --- the panel ----------------------------------------------------------------------------------

export class TimelinePanel {
  /**
   * `doc`: the page; `onSeek(us)`: go to virtual time `us` (main.js's seek); `charts`: the charts
   * (their series are the CSV); `pipelineCanvas`: the canvas the PNG is taken of; `notify(text)`:
   * a short notice; `renderer`: the canvas's renderer (the journey's hit-testing and ring);
   * `redraw()`: draw the canvas again (a paused run, its ring moved);
   * `playAt(speed)`, `pauseAt(speed)`: play at a speed, pause and give the page `speed` back (a
   * clip of a range plays it at the clip's speed).
   */
  constructor(
    doc,
    { onSeek, charts, pipelineCanvas, notify, renderer, redraw, playAt, pauseAt, speed, latency },
  ) {
    this.doc = doc;
    this.onSeek = onSeek;
    this.playAt = playAt;
    this.pauseAt = pauseAt;
    this.speed = speed;
    this.charts = charts;
    this.pipelineCanvas = pipelineCanvas;
    this.notify = notify;
    const $ = (id) => doc.getElementById(id);
    this.el = {
      details: $('timeline'),
      body: $('timeline-body'),
      wrap: $('timeline-wrap'),
      canvas: $('timeline-canvas'),
      tip: $('timeline-tip'),
      live: $('timeline-live'),
      message: $('timeline-message'),
      trace: $('export-trace'),
      csv: $('export-csv'),
      stats: $('export-stats'),
      png: $('export-png'),
      webm: $('export-webm'),
      webmRange: $('export-webm-range'),
      clipFrom: $('clip-from'),
      clipTo: $('clip-to'),
      clipSpeed: $('clip-speed'),
      summary: $('canvas-summary'),
    };
    this.clip = null; // the clip being recorded: {recorder, chunks, frame}
    this.ctx = this.el.canvas.getContext('2d');
    this.run = null;
    this.lang = 'en';
    this.data = null; // prepare()'s result for the current run and controls
    this.signature = null;
    this.requestId = 0;
    this.shownId = 0; // the request whose recording is drawn
    this.inFlight = false;
    this.recordStart = 0;
    this.recordMs = null; // how long the last recording took, posted to received
    this.worker = null;
    this.nowUs = 0;
    this.controls = []; // the control log show() was last given
    this.journeyAsks = new Map(); // journey request id -> resolve
    this.journeySeq = 0;
    this.journeyWanted = false; // an item is followed: record even with the panel closed
    this.journeyPanel = renderer
      ? new JourneyPanel(doc, {
          ask: (item, atUs) => this.askJourney(item, atUs),
          canvas: pipelineCanvas,
          renderer,
          redraw,
          latency,
          notify,
        })
      : null;
    this.cache = null; // per-column buckets for one width
    this.layout = null;
    this.focus = { lane: 0, span: -1 };
    this.drawTimes = [];
    this.message = null; // [key, vars] of the message shown instead of lanes
    this.dirty = true;
    this.present = false;
    // Phones start with the panel closed: the canvas and the controls come first there.
    if (globalThis.matchMedia?.(PHONE_QUERY).matches) this.el.details.open = false;
    this.el.details.addEventListener('toggle', () => {
      if (this.run) this.show(this.run, this.nowUs, this.controls);
      this.redraw();
    });
    // The width as the observer reports it: reading clientWidth each frame would force a layout.
    this.wrapWidth = 0;
    new ResizeObserver((entries) => {
      this.wrapWidth = entries[entries.length - 1].contentRect.width;
      this.redraw();
    }).observe(this.el.wrap);
    this.wire();
  }

  // --- following the page's run ---------------------------------------------------------------

  /**
   * The page drew a frame of `run` at virtual time `us`, with `controls` its control log (as
   * main.js last read it). Records the run again when it is new or its controls changed; draws
   * when the time moved.
   */
  show(run, us, controls) {
    const lang = this.doc.documentElement.lang || 'en';
    const present = this.doc.body.classList.contains('present');
    if (present !== this.present) {
      this.present = present;
      this.dirty = true;
    }
    if (lang !== this.lang) {
      this.lang = lang;
      this.dirty = true;
      this.showMessage();
      // The page's strings just said "record"; a clip under way still says "stop".
      if (this.clip) {
        const button = this.clip.range ? this.el.webmRange : this.el.webm;
        button.textContent = t(lang, 'tl.exportWebmStop');
      }
    }
    if (run !== this.run) {
      this.run = run;
      this.data = null;
      this.cache = null;
      this.signature = null;
      this.focus = { lane: 0, span: -1 };
      this.el.trace.disabled = true;
      // The last run's lanes are not this one's: none until its recording is there.
      this.el.wrap.hidden = true;
      this.showTip(null);
    }
    if (!run.canSeek) {
      this.setMessage(['tl.modelOnly']);
      this.el.wrap.hidden = true;
      return;
    }
    this.controls = controls;
    // A closed panel (phones) records nothing until it is opened.
    const signature = JSON.stringify(controls ?? []);
    this.journeyWanted = this.journeyPanel?.item != null;
    if (signature !== this.signature && (this.el.details.open || this.journeyWanted)) {
      this.signature = signature;
      this.record(run, controls ?? []);
    }
    if (us !== this.nowUs) {
      this.nowUs = us;
      this.dirty = true;
    }
    this.redraw(false);
    this.journeyPanel?.show(run, us);
    if (this.clip?.range) this.followClip(us);
  }

  /**
   * Item `item`'s journey as of `atUs`, from the worker's recording of this run and controls: a
   * Promise of {journey} or {error}, or of null while no current recording can answer.
   */
  askJourney(item, atUs) {
    if (!this.worker || !this.ready) return Promise.resolve(null);
    const id = `j${++this.journeySeq}`;
    return new Promise((resolve) => {
      this.journeyAsks.set(id, resolve);
      this.worker.postMessage({ id, journey: { item, atUs } });
    });
  }

  /** The worker's answer to a journey request. */
  journeyAnswered({ id, journey, error }) {
    const resolve = this.journeyAsks.get(id);
    this.journeyAsks.delete(id);
    resolve?.(error ? { error } : { journey });
  }

  /** Requests a worker that is going away will never answer: they get null (asked again). */
  dropJourneyAsks() {
    for (const resolve of this.journeyAsks.values()) resolve(null);
    this.journeyAsks.clear();
  }

  /** Records `run` with `controls` in the worker; the answer replaces the lanes if still wanted. */
  record(run, controls) {
    const id = ++this.requestId;
    if (!this.data) this.setMessage(['tl.recording']);
    // A recording under way is for controls or a run that are gone: start afresh, not after it.
    if (this.worker && this.inFlight) {
      this.worker.terminate();
      this.worker = null;
      this.dropJourneyAsks();
    }
    this.inFlight = true;
    this.recordStart = performance.now();
    if (!this.worker) {
      this.worker = new Worker(new URL('./timeline-worker.js', import.meta.url), {
        type: 'module',
      });
      this.worker.onmessage = (event) =>
        typeof event.data.id === 'string'
          ? this.journeyAnswered(event.data)
          : this.received(event.data);
      this.worker.onerror = (event) =>
        this.received({ id: this.requestId, error: event.message ?? 'worker failed' });
    }
    this.worker.postMessage({
      id,
      scenario: run.scenario,
      controls,
      maxEvents: MAX_EVENTS,
    });
  }

  received({ id, timeline, error }) {
    if (id !== this.requestId || !this.run) return;
    this.inFlight = false;
    this.recordMs = performance.now() - this.recordStart;
    if (error) {
      this.data = null;
      this.setMessage(['tl.failed', { message: error }]);
      this.el.wrap.hidden = true;
      return;
    }
    this.shownId = id;
    this.data = prepare(timeline, this.run.scenario);
    // A range's end: the run's, until someone types another.
    if (!this.clipToTyped) this.el.clipTo.value = trimmed(timeline.end_us / 1000, 3);
    this.cache = null;
    this.el.trace.disabled = false;
    this.setMessage(
      timeline.status === 'running'
        ? ['tl.cut', { t: formatAt(timeline.end_us), events: MAX_EVENTS.toLocaleString('en-US') }]
        : null,
    );
    this.el.wrap.hidden = false;
    this.dirty = true;
    this.redraw(false);
    // A followed item waits for this recording: ask now, the run may be paused (no frames).
    this.journeyPanel?.update();
  }

  setMessage(message) {
    this.message = message;
    this.showMessage();
  }

  showMessage() {
    const m = this.message;
    this.el.message.hidden = !m;
    this.el.message.textContent = m ? t(this.lang, m[0], m[1]) : '';
  }

  // --- what the test and the keyboard ask -----------------------------------------------------

  /** The recorded {state (index into STATES), line} of `thread` at `us`, or null. */
  stateAt(thread, us) {
    const lane = this.data?.lanes[thread];
    if (!lane) return null;
    const i = lastAtOrBefore(lane.starts, us);
    if (i < 0 || us >= lane.ends[i]) return null;
    return { state: lane.states[i], line: lane.lines[i], span: i };
  }

  /** Whether a recording of the current run and controls is shown. */
  get ready() {
    return !!this.data && this.shownId === this.requestId;
  }

  /** The canvas point (CSS px from its top left) of `thread`'s lane at virtual time `us`. */
  pointFor(thread, us) {
    const L = this.layout;
    if (!L) return null;
    return { x: L.plotX + (us / L.endUs) * L.plotW, y: L.laneTop + (thread + 0.5) * L.laneH };
  }

  // --- drawing ------------------------------------------------------------------------------------

  /** Draws if something changed (`force`: the size may have). */
  redraw(force = true) {
    if (force) this.dirty = true;
    if (!this.dirty || !this.data || !this.el.details.open || this.el.wrap.hidden) return;
    this.dirty = false;
    const t0 = performance.now();
    this.draw();
    this.drawTimes.push(performance.now() - t0);
    if (this.drawTimes.length > 1000) this.drawTimes.splice(0, 500);
  }

  /** Places lanes, tracks and axis for the current width; buckets again when the width changed. */
  place() {
    const d = this.data;
    const canvas = this.el.canvas;
    const dpr = globalThis.devicePixelRatio || 1;
    const cssW = Math.max(200, this.wrapWidth || this.el.wrap.clientWidth);
    const n = d.threads.length;
    const phone = cssW < 560;
    // Presentation mode: bigger lanes and words, for the back row.
    const big = this.present ? 1.35 : 1;
    const laneH = Math.round((n <= 6 ? 24 : n <= 12 ? 18 : n <= 24 ? 13 : 8) * big);
    const font = Math.round((phone ? 12 : 13) * big);
    const trackH = Math.round(28 * big);
    const axisH = 22;
    // The widest name, measured once a recording and font size (not every frame).
    if (this.widest?.data !== d || this.widest.font !== font) {
      const ctx = this.ctx;
      ctx.font = `${font}px ${this.fontFamily()}`;
      const names = [...d.threads, ...d.queues.map((q) => q.name)];
      const px = Math.max(...names.map((name) => ctx.measureText(name).width), 40);
      this.widest = { data: d, font, px };
    }
    const widest = this.widest.px;
    const labelW = Math.min(phone ? 96 : 150, Math.ceil(widest) + 12);
    const laneTop = 4;
    const tracksTop = laneTop + n * laneH + 8;
    const cssH = tracksTop + d.queues.length * (trackH + 4) + axisH;
    const plotX = labelW;
    const plotW = cssW - labelW - 8;
    const devW = Math.round(cssW * dpr);
    const devH = Math.round(cssH * dpr);
    if (canvas.width !== devW || canvas.height !== devH) {
      canvas.width = devW;
      canvas.height = devH;
      canvas.style.height = `${cssH}px`;
    }
    const cols = Math.max(1, Math.round(plotW * dpr));
    const endUs = Math.max(1, d.endUs);
    this.layout = { dpr, cssW, cssH, n, laneH, font, trackH, laneTop, tracksTop, plotX, plotW };
    Object.assign(this.layout, { cols, endUs, usPerCol: endUs / cols, labelW });
    const key = `${devW}x${devH}:${laneH}:${font}`;
    if (!this.cache || this.cache.cols !== cols || this.cache.data !== d) {
      const usPerCol = endUs / cols;
      this.cache = {
        cols,
        data: d,
        lanes: d.lanes.map((lane) => bucketLane(lane, cols, usPerCol)),
        queues: d.queues.map((q) => bucketQueue(q, cols, usPerCol)),
      };
    }
    if (this.cache.key !== key) {
      this.cache.key = key;
      this.paint();
    }
  }

  fontFamily() {
    return getComputedStyle(this.doc.body).fontFamily || 'sans-serif';
  }

  draw() {
    this.place();
    const L = this.layout;
    const ctx = this.ctx;
    const { dpr } = L;
    const { base, columns } = this.cache;
    const x0 = Math.round(L.plotX * dpr);
    const now = Math.min(this.nowUs, L.endUs);
    const nowDev = Math.round((now / L.endUs) * L.cols);
    const lineW = Math.max(1, Math.round(2 * dpr));
    const height = columns.height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    // As the run plays, only the strip between the last frame's time and this one changes (and
    // the line that marks it); anything else (a new size, a step back, the keyboard's focus)
    // draws the whole panel.
    const last = this.drawn;
    const focused = this.doc.activeElement === this.el.canvas;
    const whole =
      !last ||
      last.cache !== this.cache ||
      last.key !== this.cache.key ||
      nowDev < last.nowDev ||
      focused ||
      last.focused;
    const left = whole ? 0 : Math.max(0, x0 + last.nowDev - lineW - 1);
    const right = whole ? this.el.canvas.width : x0 + nowDev + lineW + 1;
    ctx.clearRect(left, 0, right - left, height);
    ctx.drawImage(base, left, 0, right - left, height, left, 0, right - left, height);
    // Revealed: the recording's columns up to the run's time, copied from the painted layer (the
    // recording knows the rest; the page shows it as the run gets there).
    const from = Math.max(left, x0);
    if (x0 + nowDev > from) {
      const w = x0 + nowDev - from;
      ctx.drawImage(columns, from, 0, w, height, from, 0, w, height);
    }
    // Now: a line across lanes and tracks.
    ctx.fillStyle = '#1d2125';
    ctx.fillRect(
      x0 + nowDev - Math.round(dpr),
      Math.round(L.laneTop * dpr),
      lineW,
      Math.round((L.cssH - 22 - L.laneTop) * dpr),
    );
    this.drawn = { cache: this.cache, key: this.cache.key, nowDev, focused };
    this.drawFocus();
  }

  /**
   * Paints, once a recording and size, what a frame copies from: the still layer (backgrounds,
   * names, the axis) and every column of the recording (lanes by state, queue lengths), so that a
   * frame as the run plays is two image copies and a line, whatever the run's size.
   */
  paint() {
    const L = this.layout;
    const d = this.data;
    const { dpr } = L;
    const layer = () => {
      const c = this.doc.createElement('canvas');
      c.width = this.el.canvas.width;
      c.height = this.el.canvas.height;
      return c;
    };
    const base = layer();
    const b = base.getContext('2d');
    const x0 = Math.round(L.plotX * dpr);
    const plotDev = Math.round(L.plotW * dpr);
    b.fillStyle = '#f1f2ef';
    b.fillRect(x0, Math.round(L.laneTop * dpr), plotDev, Math.round(L.n * L.laneH * dpr));
    d.queues.forEach((_, k) => {
      const top = Math.round((L.tracksTop + k * (L.trackH + 4)) * dpr);
      b.fillRect(x0, top, plotDev, Math.round(L.trackH * dpr));
    });
    this.drawText(b);
    const columns = layer();
    const c = columns.getContext('2d');
    // Lanes: one rectangle a run of equal columns.
    const laneDev = L.laneH * dpr;
    const gap = L.laneH >= 12 ? Math.max(1, Math.round(2 * dpr)) : Math.max(1, Math.round(dpr));
    const h = Math.max(1, Math.round(laneDev) - gap);
    this.cache.lanes.forEach((cols, lane) => {
      const y = Math.round((L.laneTop + lane * L.laneH) * dpr);
      let i = 0;
      while (i < L.cols) {
        const state = cols[i];
        let e = i + 1;
        while (e < L.cols && cols[e] === state) e++;
        if (state !== NONE) {
          c.fillStyle = STATE_COLORS[state];
          c.fillRect(x0 + i, y, e - i, h);
        }
        i = e;
      }
    });
    // Queue-length tracks: an area up to the queue's longest.
    c.fillStyle = ITEM_COLOR;
    this.cache.queues.forEach((cols, k) => {
      const q = d.queues[k];
      if (q.max <= 0) return;
      const top = Math.round((L.tracksTop + k * (L.trackH + 4)) * dpr);
      const height = Math.round(L.trackH * dpr);
      const bottom = top + height;
      const scale = height / q.max;
      c.beginPath();
      c.moveTo(x0, bottom);
      for (let i = 0; i < L.cols; i++) {
        const len = Math.max(0, cols[i]);
        const y = len > 0 ? bottom - Math.max(1, len * scale) : bottom;
        c.lineTo(x0 + i, y);
        c.lineTo(x0 + i + 1, y);
      }
      c.lineTo(x0 + L.cols, bottom);
      c.closePath();
      c.fill();
    });
    this.cache.base = base;
    this.cache.columns = columns;
  }

  /** Names of lanes and tracks, and the time axis, on `ctx` in CSS pixels. */
  drawText(ctx) {
    const L = this.layout;
    const d = this.data;
    ctx.setTransform(L.dpr, 0, 0, L.dpr, 0, 0);
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#1d2125';
    const family = this.fontFamily();
    // Thread names: every lane where lanes are tall enough, else every few.
    const every = L.laneH >= 12 ? 1 : Math.ceil(13 / L.laneH);
    ctx.font = `${L.laneH >= 12 ? L.font : 11}px ${family}`;
    ctx.textAlign = 'right';
    d.threads.forEach((name, i) => {
      if (i % every !== 0) return;
      ctx.fillText(name, L.plotX - 8, L.laneTop + (i + 0.5) * L.laneH, L.labelW - 10);
    });
    ctx.font = `${L.font}px ${family}`;
    d.queues.forEach((q, k) => {
      const top = L.tracksTop + k * (L.trackH + 4);
      ctx.fillText(q.name, L.plotX - 8, top + L.trackH * 0.32, L.labelW - 10);
      ctx.fillStyle = '#5c6670';
      ctx.fillText(
        `≤ ${q.longest.toLocaleString('en-US')}`,
        L.plotX - 8,
        top + L.trackH * 0.78,
        L.labelW - 10,
      );
      ctx.fillStyle = '#1d2125';
    });
    // The time axis.
    const axisY = L.cssH - 22;
    const step = tickStep((L.endUs * (L.plotW < 400 ? 64 : 110)) / L.plotW);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#5c6670';
    ctx.font = `${L.font - 1}px ${family}`;
    for (let us = 0; us <= L.endUs; us += step) {
      const x = L.plotX + (us / L.endUs) * L.plotW;
      ctx.fillRect(x, axisY, 1, 4);
      const label = tickLabel(us, step);
      const w = ctx.measureText(label).width;
      ctx.fillText(label, Math.min(Math.max(x, L.plotX + w / 2), L.cssW - w / 2 - 2), axisY + 5);
    }
  }

  drawFocus() {
    if (this.doc.activeElement !== this.el.canvas || this.focus.span < 0) return;
    const L = this.layout;
    const lane = this.data.lanes[this.focus.lane];
    const i = this.focus.span;
    if (!lane || i >= lane.starts.length) return;
    const ctx = this.ctx;
    ctx.setTransform(L.dpr, 0, 0, L.dpr, 0, 0);
    const x = L.plotX + (lane.starts[i] / L.endUs) * L.plotW;
    const end = Math.min(lane.ends[i], this.nowUs);
    const w = Math.max(3, ((end - lane.starts[i]) / L.endUs) * L.plotW);
    ctx.strokeStyle = '#1d2125';
    ctx.lineWidth = 2;
    ctx.strokeRect(x - 1, L.laneTop + this.focus.lane * L.laneH - 1, w + 2, L.laneH + 1);
  }

  // --- hover, keyboard, click -----------------------------------------------------------------

  /** {lane, us} under a point of the canvas (CSS px), or null outside the lanes. */
  hit(x, y) {
    const L = this.layout;
    if (!L || x < L.plotX || x > L.plotX + L.plotW) return null;
    const us = ((x - L.plotX) / L.plotW) * L.endUs;
    const lane = Math.floor((y - L.laneTop) / L.laneH);
    if (lane >= 0 && lane < L.n) return { kind: 'lane', lane, us };
    const k = Math.floor((y - L.tracksTop) / (L.trackH + 4));
    if (y >= L.tracksTop && k < this.data.queues.length) return { kind: 'queue', queue: k, us };
    return { kind: 'axis', us };
  }

  /** What `thread` did in span `i`, in words. */
  describeSpan(thread, i) {
    const lane = this.data.lanes[thread];
    const open = lane.ends[i] > this.nowUs;
    const { from, to } = formatRange(lane.starts[i], open ? this.nowUs : lane.ends[i], open);
    const vars = {
      thread: this.data.threads[thread],
      state: t(this.lang, `state.${lane.states[i]}`),
      line: lane.lines[i],
      from,
      to,
    };
    return t(this.lang, lane.lines[i] ? 'tl.span' : 'tl.spanNoLine', vars);
  }

  describeQueue(k, us) {
    const q = this.data.queues[k];
    const i = lastAtOrBefore(q.times, us);
    const len = i >= 0 ? q.lens[i] : 0;
    return t(this.lang, 'tl.queueAt', { queue: q.name, len, t: formatAt(Math.round(us)) });
  }

  wire() {
    const canvas = this.el.canvas;
    const point = (event) => {
      const rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    };
    canvas.addEventListener('pointermove', (event) => {
      const { x, y } = point(event);
      const hit = this.data ? this.hit(x, y) : null;
      let text = null;
      if (hit && hit.us <= this.nowUs) {
        if (hit.kind === 'lane') {
          const at = this.stateAt(hit.lane, hit.us);
          if (at) text = this.describeSpan(hit.lane, at.span);
        } else if (hit.kind === 'queue') text = this.describeQueue(hit.queue, hit.us);
      }
      this.showTip(text, x, y);
    });
    canvas.addEventListener('pointerleave', () => this.showTip(null));
    canvas.addEventListener('click', (event) => {
      const { x, y } = point(event);
      const hit = this.data ? this.hit(x, y) : null;
      if (!hit) return;
      this.onSeek(Math.max(0, Math.min(this.data.endUs, Math.round(hit.us))));
      if (hit.kind === 'lane') {
        const at = this.stateAt(hit.lane, hit.us);
        this.focus = { lane: hit.lane, span: at ? at.span : -1 };
      }
    });
    canvas.addEventListener('keydown', (event) => this.onKey(event));
    canvas.addEventListener('focus', () => {
      if (this.focus.span < 0 && this.data) this.moveFocus(0, 0);
      this.redraw();
    });
    canvas.addEventListener('blur', () => this.redraw());
    const download = (button, make) =>
      button.addEventListener('click', async () => {
        try {
          const file = await make();
          if (file) this.notify(t(this.lang, 'tl.downloaded', { file }));
        } catch (error) {
          this.notify(String(error?.message ?? error));
        }
      });
    download(this.el.trace, () => this.downloadTrace());
    download(this.el.csv, () => this.downloadCsv());
    download(this.el.stats, () => this.downloadStats());
    download(this.el.png, () => this.downloadPng());
    download(this.el.webm, () => (this.clip?.range ? null : this.toggleClip()));
    this.clipToTyped = false;
    this.el.clipTo.addEventListener('input', () => (this.clipToTyped = true));
    download(this.el.webmRange, () => (this.clip && !this.clip.range ? null : this.recordRange()));
  }

  showTip(text, x = 0, y = 0) {
    const tip = this.el.tip;
    if (!text) {
      tip.hidden = true;
      return;
    }
    tip.textContent = text;
    tip.hidden = false;
    const width = this.el.wrap.clientWidth;
    tip.style.left = `${Math.max(0, Math.min(width - 280, x + 14))}px`;
    tip.style.top = `${y + 16}px`;
  }

  /** Spans of a lane the run has reached (the rest is the recording's future). */
  revealed(thread) {
    const lane = this.data.lanes[thread];
    return lane ? lastAtOrBefore(lane.starts, Math.max(0, this.nowUs - 1e-9)) + 1 : 0;
  }

  /** Moves the keyboard's focus by `dSpan` stretches along its lane and `dLane` lanes. */
  moveFocus(dSpan, dLane) {
    const d = this.data;
    const f = this.focus;
    const lanes = d.lanes.length;
    if (!lanes) return;
    let lane = Math.max(0, Math.min(lanes - 1, f.lane + dLane));
    let span;
    if (dLane !== 0 || f.span < 0) {
      // The stretch of the new lane at the time of the old one's middle (or the run's time).
      const old = d.lanes[f.lane];
      const at =
        f.span >= 0 && old
          ? (old.starts[f.span] + Math.min(old.ends[f.span], this.nowUs)) / 2
          : this.nowUs;
      span = this.stateAt(lane, Math.min(at, Math.max(0, this.nowUs - 1)))?.span ?? 0;
    } else span = f.span + dSpan;
    const count = this.revealed(lane);
    if (!count) return;
    span = Math.max(0, Math.min(count - 1, span));
    this.focus = { lane, span };
    const text = this.describeSpan(lane, span);
    this.el.live.textContent = text;
    const L = this.layout;
    if (L) {
      const p = this.pointFor(lane, d.lanes[lane].starts[span]);
      this.showTip(text, p.x, p.y);
    }
    this.redraw();
  }

  onKey(event) {
    if (!this.data) return;
    const moves = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
      Home: [-Infinity, 0],
      End: [Infinity, 0],
    };
    if (moves[event.key]) {
      event.preventDefault();
      event.stopPropagation();
      const [ds, dl] = moves[event.key];
      this.moveFocus(Number.isFinite(ds) ? ds : ds < 0 ? -1e12 : 1e12, dl);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      event.stopPropagation();
      const lane = this.data.lanes[this.focus.lane];
      if (lane && this.focus.span >= 0) this.onSeek(lane.starts[this.focus.span]);
    }
  }

  // --- downloads ----------------------------------------------------------------------------------

  fileName(what) {
    return `pipeline-lab-${this.run?.scenario?.id ?? 'run'}-${what}`;
  }

  save(blob, name) {
    const a = this.doc.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    this.doc.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    return name;
  }

  downloadTrace() {
    if (!this.data || !this.run) return null;
    const trace = chromeTrace(this.data.timeline, this.run.scenario);
    const blob = new Blob([JSON.stringify(trace)], { type: 'application/json' });
    return this.save(blob, this.fileName('trace.json'));
  }

  downloadCsv() {
    if (!this.run) return null;
    const blob = new Blob([chartsCsv(this.charts, this.run.scenario)], { type: 'text/csv' });
    return this.save(blob, this.fileName('stats-over-time.csv'));
  }

  downloadStats() {
    if (!this.run) return null;
    const blob = new Blob([JSON.stringify(this.run.stats(), null, 2)], {
      type: 'application/json',
    });
    return this.save(blob, this.fileName('stats.json'));
  }

  /**
   * Starts recording the canvas as a WebM clip (the browser's MediaRecorder; no server), as the
   * run plays at its speed, with the program's name, the time and the canvas's sentence in the
   * page's language burnt in under it; pressed again, stops and saves the clip.
   */
  toggleClip(range = null) {
    if (this.clip) return this.stopClip();
    const source = this.pipelineCanvas;
    if (typeof MediaRecorder === 'undefined' || !source.captureStream) {
      throw new Error(t(this.lang, 'tl.exportWebmUnavailable'));
    }
    const dpr = globalThis.devicePixelRatio || 1;
    const bar = Math.round(56 * dpr);
    const comp = this.doc.createElement('canvas');
    // Even sizes: video encoders want them.
    comp.width = source.width + (source.width % 2);
    comp.height = source.height + bar + ((source.height + bar) % 2);
    const ctx = comp.getContext('2d');
    const family = this.fontFamily();
    const title = this.run?.scenario?.title;
    const name = (title?.[this.lang] ?? title?.en ?? title ?? '').toString();
    const frame = { id: 0 };
    const paint = () => {
      ctx.fillStyle = '#fbfbf9';
      ctx.fillRect(0, 0, comp.width, comp.height);
      ctx.drawImage(source, 0, 0);
      ctx.fillStyle = '#1d2125';
      ctx.fillRect(0, source.height, comp.width, comp.height - source.height);
      ctx.fillStyle = '#ffffff';
      ctx.textBaseline = 'top';
      ctx.font = `600 ${Math.round(17 * dpr)}px ${family}`;
      const time = this.run?.lab
        ? t(this.lang, 'time', { t: (this.run.timeMs() / 1000).toFixed(3) })
        : '';
      const pace = range ? ` · ×${range.speed}` : '';
      ctx.fillText(
        `${name} · ${time}${pace}`,
        12 * dpr,
        source.height + 6 * dpr,
        comp.width - 24 * dpr,
      );
      ctx.font = `${Math.round(14 * dpr)}px ${family}`;
      ctx.fillText(
        this.el.summary?.textContent ?? '',
        12 * dpr,
        source.height + 30 * dpr,
        comp.width - 24 * dpr,
      );
      frame.id = requestAnimationFrame(paint);
    };
    paint();
    const type = ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm'].find((m) =>
      MediaRecorder.isTypeSupported(m),
    );
    const recorder = new MediaRecorder(comp.captureStream(30), type ? { mimeType: type } : {});
    this.clip = { recorder, chunks: [], frame, range, canvas: comp };
    recorder.ondataavailable = (event) => {
      if (event.data.size) this.clip?.chunks.push(event.data);
    };
    recorder.start(250);
    const button = range ? this.el.webmRange : this.el.webm;
    button.textContent = t(this.lang, 'tl.exportWebmStop');
    button.setAttribute('aria-pressed', 'true');
    return null;
  }

  /** Stops the clip under way and saves it; a range's clip gives the page its speed back. */
  stopClip() {
    const clip = this.clip;
    const { recorder, frame, range } = clip;
    if (range && !range.stopping) {
      range.stopping = true;
      this.pauseAt?.(range.saved);
    }
    cancelAnimationFrame(frame.id);
    return new Promise((resolve) => {
      recorder.onstop = () => {
        const blob = new Blob(clip.chunks, { type: 'video/webm' });
        this.lastClipType = blob.type; // for the browser tests
        this.clip = null;
        this.el.webm.textContent = t(this.lang, 'tl.exportWebm');
        this.el.webmRange.textContent = t(this.lang, 'tl.exportWebmRange');
        this.el.webm.setAttribute('aria-pressed', 'false');
        this.el.webmRange.setAttribute('aria-pressed', 'false');
        resolve(this.save(blob, this.fileName(range ? 'range.webm' : 'clip.webm')));
      };
      recorder.stop();
    });
  }

  /**
   * A clip of a time range: goes to its start, plays at the clip's speed with the recorder on,
   * and stops at its end (followClip). Pressed while it records, stops and saves it early.
   */
  recordRange() {
    if (this.clip) return this.stopClip();
    if (!this.run?.canSeek) throw new Error(t(this.lang, 'tl.clipModelOnly'));
    const ms = (input) => (input.value.trim() === '' ? NaN : Number(input.value));
    const endUs = this.data?.endUs ?? Infinity;
    const from = Math.round(ms(this.el.clipFrom) * 1000);
    const to = Math.min(Math.round(ms(this.el.clipTo) * 1000), endUs);
    const speed = Number(this.el.clipSpeed.value);
    if (!(from >= 0 && to > from && speed >= SPEED_MIN && speed <= SPEED_MAX)) {
      throw new Error(
        t(this.lang, 'tl.clipBadRange', { end: formatAt(endUs), min: SPEED_MIN, max: SPEED_MAX }),
      );
    }
    const saved = this.speed?.() ?? 1;
    this.onSeek(from);
    this.toggleClip({ from, to, speed, saved, stopping: false });
    this.playAt?.(speed);
    return null;
  }

  /** As a range's clip plays: at its end (or the run's), lands exactly there and saves. */
  followClip(us) {
    const range = this.clip.range;
    if (range.stopping || (us < range.to && !this.run?.ended)) return;
    range.stopping = true;
    this.pauseAt?.(range.saved);
    if (us > range.to) this.onSeek(range.to);
    // Two more frames, so that the frame at the end is in the clip; then it is saved.
    requestAnimationFrame(() =>
      requestAnimationFrame(() =>
        this.stopClip().then((file) => this.notify(t(this.lang, 'tl.downloaded', { file }))),
      ),
    );
  }

  downloadPng() {
    return new Promise((resolve, reject) =>
      this.pipelineCanvas.toBlob((blob) => {
        if (!blob) reject(new Error('the canvas could not be saved as PNG'));
        else resolve(this.save(blob, this.fileName('canvas.png')));
      }, 'image/png'),
    );
  }
}

// --- the files ----------------------------------------------------------------------------------

/** The state's name in the trace (src/timeline.rs, state_name). */
const TRACE_STATE_NAMES = {
  not_started: 'not started',
  running: 'running',
  working: 'working',
  blocked_get: 'blocked on get()',
  blocked_put: 'blocked on put()',
  polling: 'polling',
  sleeping: 'sleeping',
  spinning: 'busy-waiting',
  joining: 'joining',
  ended: 'ended',
};

/**
 * The Chrome trace event format, exactly as src/timeline.rs `to_chrome_trace` writes it (keys in
 * serde_json's sorted order): thread names and order (M), states as complete slices named "state:
 * python line" (X), a counter a queue and one for the items queued (C), a flow a hop (s, f).
 */
export function chromeTrace(timeline, scenario) {
  const events = [];
  const title = scenario.title?.en ?? scenario.title ?? '';
  events.push({
    args: { name: `Pipeline Lab: ${title}` },
    name: 'process_name',
    ph: 'M',
    pid: 1,
    tid: 0,
  });
  timeline.threads.forEach((name, tid) => {
    events.push({ args: { name }, name: 'thread_name', ph: 'M', pid: 1, tid });
    events.push({ args: { sort_index: tid }, name: 'thread_sort_index', ph: 'M', pid: 1, tid });
  });
  const source = scenario.source ?? [];
  timeline.spans.forEach((spans, tid) => {
    for (const s of spans) {
      const code = s.line >= 1 ? (source[s.line - 1]?.trim() ?? '') : '';
      const state = TRACE_STATE_NAMES[s.state] ?? s.state;
      events.push({
        args: { code, line: s.line, state },
        cat: state,
        dur: s.end_us - s.start_us,
        name: code ? `${state}: ${code}` : state,
        ph: 'X',
        pid: 1,
        tid,
        ts: s.start_us,
      });
    }
  });
  timeline.lengths.forEach((lengths, q) => {
    for (const [ts, qsize] of lengths) {
      events.push({
        args: { qsize },
        name: `${timeline.queues[q]} qsize`,
        ph: 'C',
        pid: 1,
        ts,
      });
    }
  });
  const itemBytes = timeline.item_bytes ?? null;
  for (const [ts, items] of timeline.queued) {
    const args = itemBytes !== null ? { bytes: items * itemBytes, items } : { items };
    events.push({ args, name: 'items queued (memory)', ph: 'C', pid: 1, ts });
  }
  timeline.hops.forEach((h, id) => {
    const name = `item ${h.item} via ${timeline.queues[h.queue]}`;
    events.push({ cat: 'item', id, name, ph: 's', pid: 1, tid: h.put_by, ts: h.put_us });
    events.push({
      bp: 'e',
      cat: 'item',
      id,
      name,
      ph: 'f',
      pid: 1,
      tid: h.got_by,
      ts: h.got_us,
    });
  });
  return {
    displayTimeUnit: 'ms',
    otherData: { end_us: timeline.end_us, program: scenario.id, status: timeline.status },
    traceEvents: events,
  };
}

function csvField(value) {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The charts' series as CSV: time, each queue's qsize, throughput and best, each stage's use. */
export function chartsCsv(charts, scenario) {
  const queues = charts.chartQueues();
  const stages = scenario.stages ?? [];
  const header = [
    'virtual_time_s',
    ...queues.map((q) => `qsize ${scenario.queues[q].name}`),
    'throughput_items_per_s',
    'best_possible_items_per_s',
    ...stages.map((st) => `utilization ${st.name}`),
  ];
  const rows = [header.map(csvField).join(',')];
  charts.x.forEach((x, i) => {
    rows.push(
      [
        x,
        ...queues.map((_, k) => charts.queueSeries[k]?.[i]),
        charts.throughput[i],
        charts.best[i],
        ...stages.map((_, s) => charts.util[s]?.[i]),
      ]
        .map(csvField)
        .join(','),
    );
  });
  return `${rows.join('\n')}\n`;
}
