// Canvas renderer: the scene (shape, layout, labels, annotations) and each frame to pixels, in
// order: static layer, arrows, queues, threads, tokens in flight, annotations. It must not hold
// simulation state; the shapes are drawn by www/draw-shapes.js, tokens move in www/tweens.js.

import { drawBanner, drawBottleneckBadge, drawHang } from './draw-annotations.js';
import { drawDone, drawEdges, drawQueue, drawStatic, drawThreads } from './draw-shapes.js';
import { STATE } from './icons.js';
import { legibleWidth, place } from './layout.js';
import { Tweens, handOf } from './tweens.js';

/** Item ids for a SENTINEL and for a thread holding nothing (src/stats.rs). */
const SENTINEL = 0xffffffff;
const NO_ITEM = 0xfffffffe;
/** The followed item's ring: black with a white halo, apart from every state's colour. */
const FOLLOW_COLOR = '#000000';

/** The narrowest canvas (CSS px) that draws presentation mode's large type. */
const LARGE_MIN_WIDTH = 1000;

export class Renderer {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {object} options  reducedMotion: no tweens, nothing spins or pulses
   */
  constructor(canvas, { reducedMotion = false } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.reducedMotion = reducedMotion;
    this.large = false;
    this.shape = null;
    this.geo = null;
    this.labels = null;
    this.maxsize = [];
    this.tweens = new Tweens();
    this.speed = 1;
    this.staticLayer = document.createElement('canvas');
    this.dirtyStatic = true;
    this.lastStates = new Uint8Array(0);
    this.lastLines = new Uint32Array(0);
    this.lastQueueLengths = [];
    this.annotations = {};
    this.spin = 0;
    this.cssWidth = 0;
    this.cssHeight = 0;
    this.sprites = new Map();
    this.overlay = document.createElement('canvas');
    this.dirtyOverlay = true;
    this.tokenBatch = [];
    this._pending = [];
    // The item the journey panel follows (www/journey.js), ringed as it moves; null for none.
    this.followed = null;
    // The followed item is done (it is in the done tray, which draws no ids).
    this.followedDone = false;
    // Where each item was drawn last frame: flat [id, x, y, r, ...] (CSS px), for itemAt(); a
    // buffer reused frame after frame, `spotWords` of it in use.
    this.spotBuffer = new Float64Array(4 * 256);
    this.spotWords = 0;
  }

  /** Sets the scene: `shape` from the engine (run.shape, placed by layout.js), queue bounds, and the texts to draw. */
  setScene(shape, { maxsize, labels }) {
    this.shape = shape;
    this.maxsize = [...maxsize];
    this.labels = labels;
    this.tweens.clear();
    this.relayout();
  }

  setLabels(labels) {
    this.labels = labels;
    this.dirtyStatic = true;
    this.dirtyOverlay = true;
  }

  setMaxsize(queue, value) {
    this.maxsize[queue] = value;
    this.relayout();
  }

  setLarge(large) {
    this.large = large;
    this.relayout();
  }

  /** Bottleneck, hang, memory error, status, unfinished tasks: from Stats, a few times a second. */
  setAnnotations(annotations) {
    this.annotations = annotations;
  }

  /** Matches the canvas to its CSS size and the device pixel ratio. */
  resize() {
    const rect = this.canvas.getBoundingClientRect();
    const w = Math.max(320, Math.round(rect.width));
    const h = Math.max(240, Math.round(rect.height));
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    if (w === this.cssWidth && h === this.cssHeight && dpr === this.dpr) return false;
    this.cssWidth = w;
    this.cssHeight = h;
    this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.staticLayer.width = this.canvas.width;
    this.staticLayer.height = this.canvas.height;
    this.overlay.width = this.canvas.width;
    this.overlay.height = this.canvas.height;
    this.sprites.clear();
    return true;
  }

  relayout() {
    this.fitPanningWidth();
    this.resize();
    if (!this.shape) return;
    this.geo = place(this.shape, {
      width: this.cssWidth,
      height: this.cssHeight,
      maxsize: this.maxsize,
      // Large type needs the width for it: on a narrower canvas it would cut every label short.
      large: this.large && this.cssWidth >= LARGE_MIN_WIDTH,
    });
    this.dirtyStatic = true;
    this.dirtyOverlay = true;
  }

  /**
   * Where the canvas pans inside its frame (a phone: the stylesheet lets the frame scroll
   * sideways), widens it past the stylesheet's minimum when the columns need more room for their
   * names than that; elsewhere the stylesheet alone sizes it.
   */
  fitPanningWidth() {
    const style = this.canvas.style;
    const frame = this.canvas.parentElement;
    const pans = frame && ['auto', 'scroll'].includes(getComputedStyle(frame).overflowX);
    let width = '';
    if (pans && this.shape) {
      const before = style.minWidth;
      style.minWidth = '';
      const sheet = parseFloat(getComputedStyle(this.canvas).minWidth) || 0;
      style.minWidth = before;
      const legible = legibleWidth(this.shape);
      if (legible > sheet) width = `${legible}px`;
    }
    if (style.minWidth !== width) style.minWidth = width;
  }

  /** Forgets tokens in flight: the next frame is a jump (seek, reset), not a move. */
  jump() {
    this.tweens.clear();
  }

  /** Thread, queue or nothing under a point in CSS pixels, for the tooltip. */
  hitTest(x, y) {
    if (!this.geo) return null;
    for (let t = 0; t < this.geo.threads.length; t++) {
      const b = this.geo.threads[t];
      if (b && x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h) {
        return { type: 'thread', index: t, state: this.lastStates[t], line: this.lastLines[t] };
      }
    }
    for (let q = 0; q < this.geo.queues.length; q++) {
      const b = this.geo.queues[q];
      if (b && x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h + (b.labelH ?? 0)) {
        return { type: 'queue', index: q, length: this.lastQueueLengths[q] ?? 0 };
      }
    }
    return null;
  }

  /** The last frame's item spots: flat [id, x, y, r, ...] in CSS pixels. */
  get spots() {
    return this.spotBuffer.subarray(0, this.spotWords);
  }

  /** Adds an item's spot to this frame's list. */
  spot(id, x, y, r) {
    let b = this.spotBuffer;
    const n = this.spotWords;
    if (n + 4 > b.length) {
      const grown = new Float64Array(b.length * 2);
      grown.set(b);
      this.spotBuffer = b = grown;
    }
    b[n] = id;
    b[n + 1] = x;
    b[n + 2] = y;
    b[n + 3] = r;
    this.spotWords = n + 4;
  }

  /** The item (id) drawn nearest a point in CSS pixels, within a finger's reach; or null. */
  itemAt(x, y) {
    const s = this.spots;
    let best = null;
    let bestD = Infinity;
    for (let i = 0; i < s.length; i += 4) {
      const d = Math.hypot(s[i + 1] - x, s[i + 2] - y);
      if (d <= Math.max(s[i + 3] + 3, 9) && d < bestD) [best, bestD] = [s[i], d];
    }
    return best;
  }

  /** Where the frame put each item (queue slots, workers' hands, tokens in flight). */
  collectSpots(view, states) {
    this.spotWords = 0;
    const geo = this.geo;
    const ids = view.queueItems;
    const starts = view.queueStarts;
    const queueCount = Math.max(0, starts.length - 1);
    for (let q = 0; q < queueCount; q++) {
      const box = geo.queues[q];
      if (!box || box.done || !box.slots) continue;
      const start = starts[q];
      const shown = Math.min(starts[q + 1] - start, box.visible);
      const r = Math.max(2.5, Math.min(box.cell * 0.36, 9 * geo.unit));
      for (let i = 0; i < shown; i++) {
        if (ids[start + i] !== SENTINEL)
          this.spot(ids[start + i], box.slots[2 * i], box.slots[2 * i + 1], r);
      }
    }
    const items = view.threadItems;
    for (let t = 0; t < items.length && t < geo.threads.length; t++) {
      const b = geo.threads[t];
      if (!b || items[t] === NO_ITEM || items[t] === SENTINEL) continue;
      if (states[t] === STATE.ended || states[t] === STATE.not_started) continue;
      const hand = handOf(geo, t);
      this.spot(items[t], hand.x, hand.y, Math.max(2.5, Math.min(b.h * 0.3, 6.5 * geo.unit)));
    }
    // Tokens in flight are drawn where their tween is: that spot wins (it is pushed last).
    for (const [id, tween] of this.tweens) {
      if (tween.drawn && id !== SENTINEL) this.spot(id, tween.x, tween.y, 4.5 * geo.unit);
    }
  }

  /** A ring around the followed item where it was drawn this frame. */
  drawFollowed() {
    if (this.followed === null) return;
    const s = this.spots;
    let at = -1;
    for (let i = 0; i < s.length; i += 4) if (s[i] === this.followed) at = i;
    const ctx = this.ctx;
    if (at < 0) {
      // Done: the tray keeps a count, not ids, so the tray itself is ringed.
      const tray = this.followedDone ? this.geo.queues.find((b) => b?.done) : null;
      if (!tray) return;
      ctx.save();
      ctx.lineWidth = 3;
      ctx.strokeStyle = FOLLOW_COLOR;
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(tray.x - 4, tray.y - 4, tray.w + 8, tray.h + 8);
      ctx.restore();
      return;
    }
    ctx.save();
    const r = s[at + 3] + 5;
    ctx.lineWidth = 5;
    ctx.strokeStyle = '#fff';
    ctx.beginPath();
    ctx.arc(s[at + 1], s[at + 2], r, 0, Math.PI * 2);
    ctx.stroke();
    ctx.lineWidth = 3;
    ctx.strokeStyle = FOLLOW_COLOR;
    ctx.stroke();
    ctx.restore();
  }

  /**
   * Draws `view` (a FrameView). `now` is performance.now(); `animate` is false when the frame
   * comes from a jump. Reads the views at once and keeps no reference to them.
   */
  draw(view, now, { animate = true } = {}) {
    if (!this.geo) return;
    const ctx = this.ctx;
    const geo = this.geo;
    if (this.dirtyStatic) drawStatic(this);
    if (!this.reducedMotion) this.spin = (now / 1400) % 1;

    const states = view.threadStates;
    const items = view.threadItems;
    this.lastStates = Uint8Array.from(states);
    this.lastLines = Uint32Array.from(view.threadLines);
    const queueCount = Math.max(0, view.queueStarts.length - 1);
    const qlen = this.lastQueueLengths;
    qlen.length = queueCount;
    for (let q = 0; q < queueCount; q++) qlen[q] = view.queueLength(q);

    if (animate && !this.reducedMotion) this.tweens.take(view, now, this.geo, this.speed);
    else this.tweens.clear();

    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.drawImage(this.staticLayer, 0, 0, geo.width, geo.height);
    drawEdges(this, states, qlen);
    for (let q = 0; q < queueCount; q++) {
      const box = geo.queues[q];
      if (!box) continue;
      if (box.done) drawDone(this, box, view, q, now);
      else drawQueue(this, box, view, q, now, states);
    }
    drawThreads(this, states, items, now);
    drawBottleneckBadge(this);
    drawHang(this, now);
    drawBanner(this, view.timeUs);
    this.collectSpots(view, states);
    this.drawFollowed();
    this.tweens.prune(now);
  }

  /** Whether tokens are still in flight (the loop keeps drawing until they land). */
  get animating() {
    return this.tweens.size > 0;
  }

  // --- the static layer ---------------------------------------------------------------------
}
