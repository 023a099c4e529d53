// Canvas renderer: draws the latest Frame (typed-array views) with moving tokens, thread states,
// slots, back-pressure, bottleneck and hang. It must not hold simulation state (tweens and layout only).

import {
  ALERT_COLOR,
  ITEM_COLOR,
  OKABE_ITO,
  STATE,
  STATE_COLORS,
  STATE_TINTS,
  drawSentinel,
  drawStateIcon,
} from './icons.js';
import { place, slotCenter } from './layout.js';

const SENTINEL_ID = 0xffffffff;
const NO_ITEM = 0xfffffffe;
const PLACE_MASK = 0xff000000;
const PLACE_INDEX = 0x00ffffff;
const P_SOURCE = 0;
const P_QUEUE = 1 << 24;
const P_THREAD = 2 << 24;
const MAX_TWEENS = 160;

const INK = '#1d2125';
/** The narrowest canvas (CSS px) that draws presentation mode's large type. */
const LARGE_MIN_WIDTH = 1000;
const MUTED = '#5c6670';
const LINE = '#b8bec4';
const PANEL = '#ffffff';

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
    this.tweens = new Map();
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

  /**
   * Draws `view` (a FrameView). `now` is performance.now(); `animate` is false when the frame
   * comes from a jump. Reads the views at once and keeps no reference to them.
   */
  draw(view, now, { animate = true } = {}) {
    if (!this.geo) return;
    const ctx = this.ctx;
    const geo = this.geo;
    if (this.dirtyStatic) this.drawStatic();
    if (!this.reducedMotion) this.spin = (now / 1400) % 1;

    const states = view.threadStates;
    const items = view.threadItems;
    this.lastStates = Uint8Array.from(states);
    this.lastLines = Uint32Array.from(view.threadLines);
    const queueCount = Math.max(0, view.queueStarts.length - 1);
    const qlen = this.lastQueueLengths;
    qlen.length = queueCount;
    for (let q = 0; q < queueCount; q++) qlen[q] = view.queueLength(q);

    if (animate && !this.reducedMotion) this.takeMoves(view, now);
    else this.tweens.clear();

    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.drawImage(this.staticLayer, 0, 0, geo.width, geo.height);
    this.drawEdges(states, qlen);
    for (let q = 0; q < queueCount; q++) {
      const box = geo.queues[q];
      if (!box) continue;
      if (box.done) this.drawDone(box, view, q, now);
      else this.drawQueue(box, view, q, now, states);
    }
    this.drawThreads(states, items, now);
    this.drawBottleneckBadge();
    this.drawHang(now);
    this.drawBanner(view.timeUs);
    this.pruneTweens(now);
  }

  /** Whether tokens are still in flight (the loop keeps drawing until they land). */
  get animating() {
    return this.tweens.size > 0;
  }

  // --- moves and tweens -------------------------------------------------------------------

  takeMoves(view, now) {
    const moves = view.moves;
    const n = moves.length;
    if (n === 0) return;
    const speed = this.speed;
    const base = speed <= 0.2 ? 520 : speed <= 1 ? 300 : speed <= 5 ? 180 : 110;
    // At high speed most moves are not worth a token in flight: fewer tokens, the latest moves.
    const cap = speed <= 1 ? MAX_TWEENS : speed <= 10 ? MAX_TWEENS / 2 : MAX_TWEENS / 4;
    const first = Math.max(0, n - cap * 3);
    for (let k = first; k + 2 < n; k += 3) {
      const id = moves[k];
      let tween = this.tweens.get(id);
      const passing = tween && tween.t0 === now;
      const anchor = this.anchor(moves[k + 1], passing);
      if (!anchor) continue;
      if (passing) {
        tween.points.push(anchor);
        tween.dur = base * Math.min(2.2, 1 + 0.6 * (tween.points.length - 1));
      } else {
        // A token still in flight from an earlier move lands at once and leaves from where
        // the item really is: tokens always travel along the arrows, never zigzag mid-air.
        if (!tween && this.tweens.size >= cap) continue;
        tween = { points: [anchor], t0: now, dur: base, x: anchor.x, y: anchor.y, drawn: false };
        this.tweens.set(id, tween);
      }
      // Into a queue a token flies to the entrance and merges there: the item is already drawn in
      // its slot, so a full queue always looks full.
      const to = moves[k + 2];
      const into = (to & PLACE_MASK) === P_QUEUE ? to & PLACE_INDEX : -1;
      const box = this.geo.queues[into];
      tween.into = box ? into : -1;
    }
  }

  /**
   * Where a token leaves from: a queue's head, a thread's hand, or the producer. A token that
   * only passes through a queue within one frame goes through the queue's middle.
   */
  anchor(placeCode, passing = false) {
    const kind = placeCode & PLACE_MASK;
    const index = placeCode & PLACE_INDEX;
    const geo = this.geo;
    if (kind === P_QUEUE) {
      const box = geo.queues[index];
      if (!box) return null;
      if (box.done) return { x: box.x + box.w / 2, y: box.y + box.h / 2 };
      if (passing) return { x: box.x + box.w / 2, y: box.gridY + box.gridH / 2 };
      return slotCenter(box, 0);
    }
    if (kind === P_THREAD) return this.handOf(index);
    if (kind === P_SOURCE) return this.handOf(0);
    return null;
  }

  handOf(t) {
    const b = this.geo.threads[t];
    if (!b) return null;
    return { x: b.x + b.w - Math.min(b.h / 2, 10 * this.geo.unit), y: b.y + b.h / 2 };
  }

  /** Position of token `id` heading for (tx, ty): along its tween, or there. */
  position(id, tx, ty, now) {
    const tween = this.tweens.get(id);
    if (!tween) return null;
    const p = Math.min(1, (now - tween.t0) / tween.dur);
    if (p >= 1) {
      this.tweens.delete(id);
      return null;
    }
    const e = p < 0.5 ? 2 * p * p : 1 - (-2 * p + 2) ** 2 / 2;
    const pts = tween.points;
    const segs = pts.length;
    const f = e * segs;
    const i = Math.min(segs - 1, Math.floor(f));
    const a = pts[i];
    const b = i + 1 < segs ? pts[i + 1] : { x: tx, y: ty };
    const u = f - i;
    tween.x = a.x + (b.x - a.x) * u;
    tween.y = a.y + (b.y - a.y) * u;
    // A little arc, so that tokens passing each other stay apart.
    tween.y -= Math.sin(u * Math.PI) * 5 * this.geo.unit;
    tween.drawn = true;
    return tween;
  }

  pruneTweens(now) {
    for (const [id, tween] of this.tweens) {
      if (now - tween.t0 > tween.dur + 50) this.tweens.delete(id);
    }
  }

  // --- the static layer ---------------------------------------------------------------------

  drawStatic() {
    this.dirtyStatic = false;
    const ctx = this.staticLayer.getContext('2d', { alpha: false });
    const geo = this.geo;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = '#fbfbf9';
    ctx.fillRect(0, 0, geo.width, geo.height);
    const labels = this.labels ?? {};
    const shape = this.shape;

    // Column titles.
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const [g, box] of geo.groups.entries()) {
      if (!box) continue;
      const group = shape.groups[g];
      const title = labels.groupTitle?.(group) ?? group.kind;
      this.title(ctx, box.x + box.w / 2, geo.top / 2, title, box.w);
      // The buses that fan a stage's queue out to its workers.
      if (group.threads.length > 1) {
        const t0 = geo.threads[group.threads[0]];
        const t1 = geo.threads[group.threads[group.threads.length - 1]];
        if (t0 && t1) {
          ctx.strokeStyle = LINE;
          ctx.lineWidth = 1.5;
          for (const bx of [box.x - 7, box.x + box.w + 7]) {
            ctx.beginPath();
            ctx.moveTo(bx, t0.y + t0.h / 2);
            ctx.lineTo(bx, t1.y + t1.h / 2);
            ctx.stroke();
          }
          if (group.threads.length <= 24) {
            for (const t of group.threads) {
              const tb = geo.threads[t];
              if (!tb) continue;
              ctx.beginPath();
              ctx.moveTo(box.x - 7, tb.y + tb.h / 2);
              ctx.lineTo(box.x, tb.y + tb.h / 2);
              ctx.moveTo(box.x + box.w, tb.y + tb.h / 2);
              ctx.lineTo(box.x + box.w + 7, tb.y + tb.h / 2);
              ctx.stroke();
            }
          }
        }
      }
    }
    for (const [q, box] of geo.queues.entries()) {
      if (!box) continue;
      const queue = shape.queues[q];
      this.title(
        ctx,
        box.x + box.w / 2,
        geo.top / 2,
        labels.queueTitle?.(queue) ?? queue.name,
        box.w,
      );
      if (box.done) {
        ctx.fillStyle = '#eef6f1';
        ctx.strokeStyle = OKABE_ITO.green;
        ctx.lineWidth = 1.5;
        roundRect(ctx, box.x, box.y, box.w, box.h, 10);
        ctx.fill();
        ctx.stroke();
        continue;
      }
      ctx.fillStyle = PANEL;
      ctx.strokeStyle = '#8d969e';
      ctx.lineWidth = 1.5;
      if (!box.bounded) ctx.setLineDash([]);
      roundRect(ctx, box.x, box.y, box.w, box.h, 6);
      ctx.fill();
      ctx.stroke();
      // Empty slots of a bounded queue: you can count maxsize.
      if (box.bounded) {
        ctx.strokeStyle = '#d3d7db';
        ctx.lineWidth = 1;
        for (let i = 0; i < box.visible; i++) {
          const c = slotCenter(box, i);
          const s = box.cell - 3;
          roundRect(ctx, c.x - s / 2, c.y - s / 2, s, s, 3);
          ctx.stroke();
        }
      } else {
        // An unbounded queue: an open-topped tube that can grow.
        ctx.save();
        ctx.strokeStyle = PANEL;
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.moveTo(box.x + 8, box.y);
        ctx.lineTo(box.x + box.w - 8, box.y);
        ctx.stroke();
        ctx.strokeStyle = '#8d969e';
        ctx.lineWidth = 1.5;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(box.x + 8, box.y);
        ctx.lineTo(box.x + box.w - 8, box.y);
        ctx.stroke();
        ctx.restore();
      }
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
  }

  badge(ctx, x, y, text) {
    const u = this.geo.unit;
    ctx.save();
    ctx.font = `700 ${Math.round(11.5 * u)}px system-ui, sans-serif`;
    const w = ctx.measureText(text).width + 14 * u;
    ctx.fillStyle = ALERT_COLOR;
    roundRect(ctx, x - w / 2, y - 9 * u, w, 18 * u, 9 * u);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, x, y + 0.5);
    ctx.restore();
  }

  /** How far a column title may run past its column: into half the gap on each side, at most. */
  titleSpill() {
    return Math.max(0, Math.min(24, (this.geo.gap ?? 0) - 6));
  }

  title(ctx, x, y, text, maxWidth, badge = null) {
    const u = this.geo.unit;
    ctx.font = `600 ${Math.round(13 * u)}px system-ui, sans-serif`;
    ctx.fillStyle = INK;
    if (badge) {
      const label = `${text} · ${badge}`;
      const w = Math.min(maxWidth + this.titleSpill(), ctx.measureText(label).width + 16);
      ctx.fillStyle = ALERT_COLOR;
      roundRect(ctx, x - w / 2, y - 11 * u, w, 22 * u, 11 * u);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.fillText(fit(ctx, label, w - 10), x, y + 1);
      return;
    }
    ctx.fillText(fit(ctx, text, maxWidth + this.titleSpill()), x, y + 1);
  }

  // --- dynamic parts ------------------------------------------------------------------------

  drawEdges(states, qlen) {
    const ctx = this.ctx;
    const geo = this.geo;
    const u = geo.unit;
    for (const e of this.shape.edges) {
      const gbox = geo.groups[e.group];
      const qbox = geo.queues[e.queue];
      if (!gbox || !qbox) continue;
      const group = this.shape.groups[e.group];
      const len = qlen[e.queue] ?? 0;
      const maxsize = this.maxsize[e.queue] ?? 0;
      let mode = 'plain';
      if (e.kind === 'write') {
        if (maxsize > 0 && len >= maxsize && anyIn(group.threads, states, STATE.blocked_put))
          mode = 'pressure';
      } else if (len === 0 && anyIn(group.threads, states, STATE.blocked_get)) mode = 'starved';
      else if (anyIn(group.threads, states, STATE.polling)) mode = 'polling';
      else if (anyIn(group.threads, states, STATE.spinning)) mode = 'spinning';

      const qy = qbox.done ? qbox.y + qbox.h / 2 : qbox.gridY + qbox.gridH / 2;
      const gy = gbox.y + gbox.h / 2;
      const multi = group.threads.length > 1;
      let x0;
      let y0;
      let x1;
      let y1;
      if (e.back) {
        this.backEdge(e, gbox, qbox, mode);
        continue;
      }
      if (e.kind === 'write') {
        x0 = gbox.x + gbox.w + (multi ? 7 : 0);
        y0 = gy;
        x1 = qbox.x;
        y1 = qy;
      } else {
        x0 = qbox.x + qbox.w;
        y0 = qy;
        x1 = gbox.x - (multi ? 7 : 0);
        y1 = gy;
      }
      ctx.save();
      ctx.lineWidth = 2 * u;
      ctx.strokeStyle = '#7f8890';
      ctx.fillStyle = '#7f8890';
      if (mode === 'pressure') {
        ctx.lineWidth = 4 * u;
        ctx.strokeStyle = ALERT_COLOR;
        ctx.fillStyle = ALERT_COLOR;
      } else if (mode === 'starved') {
        ctx.setLineDash([5 * u, 4 * u]);
        ctx.strokeStyle = '#2a8bc4';
        ctx.fillStyle = '#2a8bc4';
      } else if (mode === 'polling' || mode === 'spinning') {
        ctx.setLineDash([2 * u, 4 * u]);
        ctx.strokeStyle = STATE_COLORS[mode === 'polling' ? STATE.polling : STATE.spinning];
        ctx.fillStyle = ctx.strokeStyle;
        ctx.lineWidth = 3 * u;
      }
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      const mx = (x0 + x1) / 2;
      ctx.bezierCurveTo(mx, y0, mx, y1, x1 - 6 * u, y1);
      ctx.stroke();
      ctx.setLineDash([]);
      arrowHead(ctx, x1, y1, 7 * u);
      if (mode === 'pressure') {
        // Chevrons pointing upstream: the full queue pushes back on its producers.
        for (let k = 1; k <= 2; k++) {
          const cx = x0 + ((x1 - x0) * k) / 3;
          const cy = y0 + ((y1 - y0) * k) / 3;
          chevronLeft(ctx, cx, cy - 11 * u, 5 * u);
        }
      }
      ctx.restore();
    }
  }

  /** An edge that goes back left (main reading the last queue): along the lane below. */
  backEdge(e, gbox, qbox, mode) {
    const ctx = this.ctx;
    const geo = this.geo;
    const u = geo.unit;
    const lane = geo.laneY;
    const qx = qbox.x + qbox.w / 2;
    const qy = qbox.y + qbox.h;
    const gx = gbox.x + gbox.w / 2;
    const gy = gbox.y + gbox.h;
    ctx.save();
    ctx.strokeStyle = mode === 'spinning' ? STATE_COLORS[STATE.spinning] : '#7f8890';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = (mode === 'spinning' ? 3 : 2) * u;
    ctx.setLineDash(mode === 'spinning' ? [2 * u, 4 * u] : [6 * u, 4 * u]);
    ctx.beginPath();
    ctx.moveTo(qx, qy + (qbox.labelH ?? 0));
    ctx.lineTo(qx, lane);
    ctx.lineTo(gx, lane);
    ctx.lineTo(gx, gy + 8 * u);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.save();
    ctx.translate(gx, gy + 2 * u);
    ctx.rotate(-Math.PI / 2);
    arrowHead(ctx, 0, 0, 7 * u);
    ctx.restore();
    const label = this.labels?.backEdge?.(e, this.shape.queues[e.queue]);
    if (label) {
      ctx.font = `${Math.round(11.5 * u)}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      const x = (qx + gx) / 2;
      const w = ctx.measureText(label).width + 10;
      ctx.fillStyle = '#fbfbf9';
      ctx.fillRect(x - w / 2, lane - 8 * u, w, 16 * u);
      ctx.fillStyle = MUTED;
      ctx.fillText(label, x, lane + 4 * u);
    }
    ctx.restore();
  }

  drawQueue(box, view, q, now, states) {
    const ctx = this.ctx;
    const u = this.geo.unit;
    const start = view.queueStarts[q];
    const listed = view.queueStarts[q + 1] - start;
    const len = this.lastQueueLengths[q];
    const ids = view.queueItems;
    const full = box.bounded && len >= box.maxsize;
    const memErr = this.annotations.memoryError?.queue === q;

    if (full || memErr) {
      ctx.save();
      ctx.strokeStyle = ALERT_COLOR;
      ctx.lineWidth = 3;
      roundRect(ctx, box.x, box.y, box.w, box.h, 6);
      ctx.stroke();
      ctx.restore();
    }
    const r = Math.max(2.5, Math.min(box.cell * 0.36, 9 * u));
    const shown = Math.min(listed, box.visible);
    this.blitDots(box, shown, ITEM_COLOR, r, 1, false);
    // SENTINELs over their dots.
    const slots = box.slots;
    for (let i = 0; i < shown; i++) {
      if (ids[start + i] === SENTINEL_ID) drawSentinel(ctx, slots[2 * i], slots[2 * i + 1], r);
    }
    this.drawIncoming(q, box.gridX - 2, box.gridY + box.gridH / 2, r, now);
    // Under the grid: the count, the bound, and for an unbounded queue its memory.
    const labels = this.labels ?? {};
    const x = box.x;
    let y = box.labelY + 12 * u;
    ctx.font = `600 ${Math.round(12.5 * u)}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.fillStyle = full ? ALERT_COLOR : INK;
    const countText = labels.queueCount?.(len, box.maxsize, full) ?? `${len}`;
    ctx.fillText(fit(ctx, countText, box.w), x, y);
    const kindText = labels.queueKind?.(this.shape.queues[q], box.maxsize);
    if (kindText) {
      ctx.font = `${Math.round(11 * u)}px ui-monospace, monospace`;
      ctx.fillStyle = MUTED;
      ctx.fillText(fit(ctx, kindText, box.w), x, y + 13 * u);
      y += 13 * u;
    }
    // join() waits for this number to reach 0: worth seeing when it is not the queue's length.
    const unfinished = this.annotations.unfinished?.[q] ?? 0;
    if (unfinished > 0 && unfinished !== len && this.shape.queues[q].kind !== 'polling') {
      ctx.font = `600 ${Math.round(11 * u)}px ui-monospace, monospace`;
      ctx.fillStyle = this.annotations.status === 'hang' ? ALERT_COLOR : MUTED;
      ctx.fillText(fit(ctx, labels.unfinished?.(unfinished) ?? '', box.w), x, y + 13 * u);
      y += 13 * u;
    }
    if (len > box.visible) {
      // Items beyond the drawn slots: say how many.
      ctx.save();
      ctx.font = `700 ${Math.round(12 * u)}px system-ui, sans-serif`;
      const more = `+${(len - box.visible).toLocaleString('en-US')}`;
      const w = ctx.measureText(more).width + 10;
      ctx.fillStyle = ALERT_COLOR;
      roundRect(ctx, box.x + 4, box.y - 16 * u, w, 18 * u, 9 * u);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.fillText(more, box.x + 9, box.y - 3 * u);
      ctx.restore();
    }
    y += 6 * u;
    const gaugeW = box.w;
    const gaugeH = 7 * u;
    const memory = this.shape.memory;
    let fraction;
    let gaugeText = null;
    if (box.bounded) fraction = Math.min(1, len / box.maxsize);
    else if (memory) {
      fraction = Math.min(1, (len * memory.item_bytes) / memory.budget_bytes);
      gaugeText = labels.memory?.(len * memory.item_bytes, memory.budget_bytes);
    } else fraction = null;
    if (fraction !== null) {
      ctx.fillStyle = '#e4e7ea';
      roundRect(ctx, x, y, gaugeW, gaugeH, gaugeH / 2);
      ctx.fill();
      ctx.fillStyle =
        fraction >= 0.999 || memErr
          ? ALERT_COLOR
          : fraction > 0.75
            ? OKABE_ITO.orange
            : OKABE_ITO.blue;
      if (fraction > 0) {
        roundRect(ctx, x, y, Math.max(gaugeH, gaugeW * fraction), gaugeH, gaugeH / 2);
        ctx.fill();
      }
      if (gaugeText) {
        ctx.font = `${Math.round(11 * u)}px system-ui, sans-serif`;
        ctx.fillStyle = memErr ? ALERT_COLOR : MUTED;
        ctx.fillText(fit(ctx, gaugeText, box.w), x, y + gaugeH + 12 * u);
      }
    }
    void states;
  }

  /**
   * Draws the first `count` slots of `box` filled with dots, from a sprite of the whole grid: one
   * or two image copies a queue instead of an arc a dot. Queues fill rows from the bottom right
   * (the head); the done tray fills from the top left.
   */
  blitDots(box, count, color, r, lineWidth, topLeft) {
    if (count <= 0) return;
    const dpr = this.dpr;
    const key = `${color}|${r}|${lineWidth}|${dpr}`;
    if (box.spriteKey !== key) {
      const sprite = document.createElement('canvas');
      sprite.width = Math.ceil(box.cols * box.cell * dpr);
      sprite.height = Math.ceil(box.rows * box.cell * dpr);
      const sctx = sprite.getContext('2d');
      sctx.scale(dpr, dpr);
      sctx.beginPath();
      for (let row = 0; row < box.rows; row++) {
        for (let col = 0; col < box.cols; col++) {
          const x = (col + 0.5) * box.cell;
          const y = (row + 0.5) * box.cell;
          sctx.moveTo(x + r, y);
          sctx.arc(x, y, r, 0, Math.PI * 2);
        }
      }
      sctx.fillStyle = color;
      sctx.fill();
      sctx.strokeStyle = '#fff';
      sctx.lineWidth = lineWidth;
      sctx.stroke();
      box.sprite = sprite;
      box.spriteKey = key;
    }
    const ctx = this.ctx;
    const c = box.cell;
    const full = Math.floor(count / box.cols);
    const rest = count % box.cols;
    const copy = (col, row, cols, rows) => {
      if (cols <= 0 || rows <= 0) return;
      ctx.drawImage(
        box.sprite,
        col * c * dpr,
        row * c * dpr,
        cols * c * dpr,
        rows * c * dpr,
        box.gridX + col * c,
        box.gridY + row * c,
        cols * c,
        rows * c,
      );
    };
    if (topLeft) {
      copy(0, 0, box.cols, full);
      copy(0, full, rest, 1);
    } else {
      copy(0, box.rows - full, box.cols, full);
      copy(box.cols - rest, box.rows - full - 1, rest, 1);
    }
  }

  drawDone(box, view, q, now) {
    const ctx = this.ctx;
    const u = this.geo.unit;
    const len = this.lastQueueLengths[q];
    const labels = this.labels ?? {};
    ctx.textAlign = 'center';
    ctx.fillStyle = '#0b6b4f';
    ctx.font = `700 ${Math.round(20 * u)}px system-ui, sans-serif`;
    ctx.fillText(len.toLocaleString('en-US'), box.x + box.w / 2, box.y + 24 * u);
    ctx.font = `${Math.round(11 * u)}px system-ui, sans-serif`;
    ctx.fillStyle = MUTED;
    ctx.fillText(
      labels.doneOf?.(this.annotations.itemsTotal) ?? '',
      box.x + box.w / 2,
      box.y + 36 * u,
    );
    ctx.font = `${Math.round(10.5 * u)}px ui-monospace, monospace`;
    ctx.fillText(
      fit(ctx, this.shape.queues[q].name, box.w - 8),
      box.x + box.w / 2,
      box.y + box.h - 6 * u,
    );
    ctx.textAlign = 'left';
    // The done queue keeps a count, not its items: a dot a finished item, up to the tray's slots.
    const r = Math.max(1.6, box.cell * 0.36);
    this.blitDots(box, Math.min(len, box.visible), '#2f7d5d', r, 0.5, true);
    this.drawIncoming(q, box.x + 2, box.y + box.h / 2, r, now);
  }

  /** Tokens flying into queue `q`'s entrance at (x, y) (see takeMoves). */
  drawIncoming(q, x, y, r, now) {
    for (const [id, tween] of this.tweens) {
      if (tween.into !== q) continue;
      const at = this.position(id, x, y, now);
      if (at) this._pending.push(id, at.x, at.y, Math.max(r, 4.5 * this.geo.unit));
    }
  }

  /** Draws an item or SENTINEL at (x, y), or along its tween when it is in flight. */
  token(id, x, y, r, now) {
    const ctx = this.ctx;
    const tween = this.tweens.size ? this.position(id, x, y, now) : null;
    if (tween) {
      // In flight: drawn on top, a little larger.
      this._pending.push(id, tween.x, tween.y, Math.max(r, 4.5 * this.geo.unit));
      return;
    }
    if (id === SENTINEL_ID) drawSentinel(ctx, x, y, r);
    else this.tokenBatch.push(x, y, r);
  }

  drawThreads(states, items, now) {
    const ctx = this.ctx;
    const geo = this.geo;
    const u = geo.unit;
    const labels = this.labels ?? {};
    const hangWaiting = this.annotations.hangThreads;
    const n = Math.min(states.length, geo.threads.length);
    // Boxes: one path a state, so that 100 threads cost a few fills, not a hundred.
    for (let s = 0; s < STATE_COLORS.length; s++) {
      let any = false;
      ctx.beginPath();
      for (let t = 0; t < n; t++) {
        const b = geo.threads[t];
        if (!b || states[t] !== s) continue;
        roundRectPath(ctx, b.x, b.y, b.w, b.h, Math.min(6, b.h / 3));
        any = true;
      }
      if (!any) continue;
      ctx.fillStyle = STATE_TINTS[s];
      ctx.strokeStyle = STATE_COLORS[s];
      ctx.lineWidth = s === STATE.blocked_put ? 2.5 : 1.5;
      if (s === STATE.not_started) ctx.setLineDash([4, 3]);
      ctx.fill();
      ctx.stroke();
      if (s === STATE.not_started) ctx.setLineDash([]);
    }
    for (let t = 0; t < n; t++) {
      const b = geo.threads[t];
      if (!b) continue;
      const s = states[t];
      const r = Math.max(3.5, Math.min(b.h * 0.36, 11 * u));
      const moving = s === STATE.working || s === STATE.polling || s === STATE.spinning;
      this.icon(
        s,
        b.x + r + 5,
        b.y + b.h / 2,
        r,
        moving ? this.spin * (s === STATE.spinning ? 6 : 1) : 0,
      );
      if (b.h >= 30) {
        // The state in words under the name (the name is on the overlay layer).
        const fontSize = Math.min(13 * u, b.h * 0.42);
        const tx = b.x + r * 2 + 10;
        ctx.font = `${Math.round(fontSize * 0.88)}px system-ui, sans-serif`;
        ctx.fillStyle = MUTED;
        ctx.fillText(
          fit(ctx, labels.stateName?.(s) ?? '', b.w - (tx - b.x) - 18 * u),
          tx,
          b.y + b.h / 2 + fontSize * 0.95,
        );
      }
      const held = items[t];
      if (held !== NO_ITEM && s !== STATE.ended && s !== STATE.not_started) {
        const hand = this.handOf(t);
        const hr = Math.max(2.5, Math.min(b.h * 0.3, 6.5 * u));
        this.token(held, hand.x, hand.y, hr, now);
      }
    }
    this.flushTokens(ITEM_COLOR);
    if (this.dirtyOverlay) this.drawOverlay();
    ctx.drawImage(this.overlay, 0, 0, geo.width, geo.height);
    if (hangWaiting) {
      ctx.save();
      ctx.globalAlpha = this.reducedMotion ? 1 : 0.55 + 0.45 * Math.abs(Math.sin(now / 350));
      ctx.strokeStyle = ALERT_COLOR;
      ctx.lineWidth = 3;
      ctx.beginPath();
      for (const t of hangWaiting) {
        const b = geo.threads[t];
        if (b) roundRectPath(ctx, b.x - 3, b.y - 3, b.w + 6, b.h + 6, 7);
      }
      ctx.stroke();
      ctx.restore();
    }
    this.flushPending();
  }

  /** Thread names: they change only with the layout or the language, so they are drawn once. */
  drawOverlay() {
    this.dirtyOverlay = false;
    const ctx = this.overlay.getContext('2d');
    const geo = this.geo;
    const u = geo.unit;
    const labels = this.labels ?? {};
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = INK;
    for (let t = 0; t < geo.threads.length; t++) {
      const b = geo.threads[t];
      if (!b || b.h < 15) continue;
      const r = Math.max(3.5, Math.min(b.h * 0.36, 11 * u));
      const fontSize = Math.min(13 * u, b.h * 0.42);
      ctx.font = `600 ${Math.round(fontSize)}px system-ui, sans-serif`;
      const tx = b.x + r * 2 + 10;
      const maxW = b.w - (tx - b.x) - 18 * u;
      const name = fit(ctx, labels.threadName?.(t) ?? `#${t}`, maxW);
      ctx.fillText(name, tx, b.h >= 30 ? b.y + b.h / 2 - 2 : b.y + b.h / 2 + fontSize * 0.35);
    }
  }

  /** A state's icon from a sprite drawn once a size (turned when it spins). */
  icon(state, x, y, r, spin) {
    const dpr = this.dpr;
    const size = Math.ceil(r * 2 + 4);
    const key = state * 1000 + size;
    let sprite = this.sprites.get(key);
    if (!sprite) {
      sprite = document.createElement('canvas');
      sprite.width = Math.ceil(size * dpr);
      sprite.height = Math.ceil(size * dpr);
      const sctx = sprite.getContext('2d');
      sctx.scale(dpr, dpr);
      drawStateIcon(sctx, state, size / 2, size / 2, (size - 4) / 2, 0);
      this.sprites.set(key, sprite);
    }
    const ctx = this.ctx;
    if (spin) {
      ctx.save();
      ctx.translate(x, y);
      ctx.rotate(
        state === STATE.spinning ? Math.sin(spin * Math.PI * 2) * 0.12 : spin * Math.PI * 2,
      );
      ctx.drawImage(sprite, -size / 2, -size / 2, size, size);
      ctx.restore();
    } else ctx.drawImage(sprite, x - size / 2, y - size / 2, size, size);
  }

  /** Tokens in flight are drawn last, above boxes and slots. */
  flushPending() {
    const p = this._pending;
    if (!p.length) return;
    for (let i = 0; i < p.length; i += 4) {
      if (p[i] === SENTINEL_ID) drawSentinel(this.ctx, p[i + 1], p[i + 2], p[i + 3]);
      else this.tokenBatch.push(p[i + 1], p[i + 2], p[i + 3]);
    }
    p.length = 0;
    this.flushTokens(ITEM_COLOR, 1.5);
  }

  /** Draws the items collected by token() as one path: one fill, one stroke. */
  flushTokens(fill, lineWidth = 1) {
    const b = this.tokenBatch;
    if (!b.length) return;
    const ctx = this.ctx;
    ctx.beginPath();
    for (let i = 0; i < b.length; i += 3) {
      ctx.moveTo(b[i] + b[i + 2], b[i + 1]);
      ctx.arc(b[i], b[i + 1], b[i + 2], 0, Math.PI * 2);
    }
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = lineWidth;
    ctx.stroke();
    b.length = 0;
  }

  /** The bottleneck stage: a dashed outline round its workers and a badge on it. */
  drawBottleneckBadge() {
    const stage = this.annotations.bottleneck;
    if (stage === null || stage === undefined || this.annotations.status === 'hang') return;
    const g = this.shape.groups.findIndex(
      (group) => group.kind === 'stage' && group.stage === stage,
    );
    const box = this.geo.groups[g];
    if (!box) return;
    const ctx = this.ctx;
    const u = this.geo.unit;
    ctx.save();
    ctx.strokeStyle = ALERT_COLOR;
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    roundRect(ctx, box.x - 6, box.y - 6, box.w + 12, box.h + 12, 8);
    ctx.stroke();
    ctx.restore();
    this.badge(
      ctx,
      box.x + box.w / 2,
      Math.max(this.geo.top + 4 * u, box.y - 6),
      this.labels?.bottleneck ?? 'bottleneck',
    );
  }

  drawHang(now) {
    const mem = this.annotations.memoryError;
    if (mem && this.geo.queues[mem.queue]) {
      const b = this.geo.queues[mem.queue];
      const ctx = this.ctx;
      ctx.save();
      ctx.globalAlpha = this.reducedMotion ? 1 : 0.6 + 0.4 * Math.abs(Math.sin(now / 350));
      ctx.strokeStyle = ALERT_COLOR;
      ctx.lineWidth = 4;
      roundRect(ctx, b.x - 4, b.y - 4, b.w + 8, b.h + 8, 8);
      ctx.stroke();
      ctx.restore();
    }
  }

  /** The bottom band: virtual time, or what ended the run. */
  drawBanner(timeUs) {
    const ctx = this.ctx;
    const geo = this.geo;
    const u = geo.unit;
    const labels = this.labels ?? {};
    const a = this.annotations;
    const y = geo.bannerY;
    const h = 24 * u;
    let text = labels.time?.(timeUs) ?? '';
    let bg = null;
    let fg = INK;
    if (a.status === 'hang') {
      text = labels.hangBanner?.(a) ?? 'hang';
      bg = ALERT_COLOR;
      fg = '#fff';
    } else if (a.status === 'memory_error') {
      text = labels.memoryBanner?.(a) ?? 'MemoryError';
      bg = ALERT_COLOR;
      fg = '#fff';
    } else if (a.status === 'finished') {
      text = labels.finishedBanner?.(timeUs, a) ?? 'finished';
      bg = '#dff1e6';
      fg = '#0b5a3c';
    }
    ctx.font = `600 ${Math.round(13.5 * u)}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    const x = 14;
    const maxW = geo.width - 28;
    if (bg) {
      ctx.fillStyle = bg;
      roundRect(ctx, x, y - h / 2, maxW, h, 6);
      ctx.fill();
    }
    ctx.fillStyle = fg;
    ctx.fillText(fit(ctx, text, maxW - 20), x + 10, y + 5 * u);
  }
}

function anyIn(threads, states, state) {
  for (const t of threads) if (states[t] === state) return true;
  return false;
}

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  roundRectPath(ctx, x, y, w, h, r);
}

/** Adds a rounded rectangle to the current path. */
function roundRectPath(ctx, x, y, w, h, r) {
  const rr = Math.max(0, Math.min(r, w / 2, h / 2));
  ctx.moveTo(x + rr, y);
  ctx.arcTo(x + w, y, x + w, y + h, rr);
  ctx.arcTo(x + w, y + h, x, y + h, rr);
  ctx.arcTo(x, y + h, x, y, rr);
  ctx.arcTo(x, y, x + w, y, rr);
  ctx.closePath();
}

function arrowHead(ctx, x, y, s) {
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x - s, y - s * 0.6);
  ctx.lineTo(x - s, y + s * 0.6);
  ctx.closePath();
  ctx.fill();
}

function chevronLeft(ctx, x, y, s) {
  ctx.beginPath();
  ctx.moveTo(x + s * 0.5, y - s);
  ctx.lineTo(x - s * 0.5, y);
  ctx.lineTo(x + s * 0.5, y + s);
  ctx.stroke();
}

/** `text` cut with an ellipsis to fit `width` in the current font. */
const fitCache = new Map();
function fit(ctx, text, width) {
  if (!text) return '';
  const key = `${ctx.font}|${width | 0}|${text}`;
  const hit = fitCache.get(key);
  if (hit !== undefined) return hit;
  let out = text;
  if (ctx.measureText(text).width > width) {
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
      else hi = mid - 1;
    }
    out = `${text.slice(0, lo)}…`;
  }
  if (fitCache.size > 4000) fitCache.clear();
  fitCache.set(key, out);
  return out;
}
