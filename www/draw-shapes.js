// Per-shape drawing on the canvas: the static layer (titles, queue outlines, empty slots), thread
// boxes and names, queue slots and the done tray, arrows with back-pressure chevrons, and tokens.
// It must not decide what to draw when (www/renderer.js does) nor move tokens (www/tweens.js).

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
import { slotCenter } from './layout.js';
import {
  INK,
  LINE,
  MUTED,
  PANEL,
  arrowHead,
  chevronLeft,
  drawTitle,
  fit,
  roundRect,
  roundRectPath,
} from './draw-primitives.js';
import { handOf } from './tweens.js';

/** The frame's item id of a SENTINEL, and of a thread holding no item. */
const SENTINEL_ID = 0xffffffff;
const NO_ITEM = 0xfffffffe;

// Every function takes the renderer (www/renderer.js) first: its context, layout (`geo`), labels,
// annotations, tweens and the caches it keeps (sprites, the overlay, the token batches).

export function drawStatic(renderer) {
  renderer.dirtyStatic = false;
  const ctx = renderer.staticLayer.getContext('2d', { alpha: false });
  const geo = renderer.geo;
  ctx.setTransform(renderer.dpr, 0, 0, renderer.dpr, 0, 0);
  ctx.fillStyle = '#fbfbf9';
  ctx.fillRect(0, 0, geo.width, geo.height);
  const labels = renderer.labels ?? {};
  const shape = renderer.shape;

  // Column titles.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const [g, box] of geo.groups.entries()) {
    if (!box) continue;
    const group = shape.groups[g];
    const title = labels.groupTitle?.(group) ?? group.kind;
    drawTitle(renderer, ctx, box.x + box.w / 2, geo.top / 2, title, box.w);
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
    drawTitle(
      renderer,
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

export function drawEdges(renderer, states, qlen) {
  const ctx = renderer.ctx;
  const geo = renderer.geo;
  const u = geo.unit;
  for (const e of renderer.shape.edges) {
    const gbox = geo.groups[e.group];
    const qbox = geo.queues[e.queue];
    if (!gbox || !qbox) continue;
    const group = renderer.shape.groups[e.group];
    const len = qlen[e.queue] ?? 0;
    const maxsize = renderer.maxsize[e.queue] ?? 0;
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
      backEdge(renderer, e, gbox, qbox, mode);
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
function backEdge(renderer, e, gbox, qbox, mode) {
  const ctx = renderer.ctx;
  const geo = renderer.geo;
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
  const label = renderer.labels?.backEdge?.(e, renderer.shape.queues[e.queue]);
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

export function drawQueue(renderer, box, view, q, now, states) {
  const ctx = renderer.ctx;
  const u = renderer.geo.unit;
  const start = view.queueStarts[q];
  const listed = view.queueStarts[q + 1] - start;
  const len = renderer.lastQueueLengths[q];
  const ids = view.queueItems;
  const full = box.bounded && len >= box.maxsize;
  const memErr = renderer.annotations.memoryError?.queue === q;

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
  blitDots(renderer, box, shown, ITEM_COLOR, r, 1, false);
  // SENTINELs over their dots.
  const slots = box.slots;
  for (let i = 0; i < shown; i++) {
    if (ids[start + i] === SENTINEL_ID) drawSentinel(ctx, slots[2 * i], slots[2 * i + 1], r);
  }
  drawIncoming(renderer, q, box.gridX - 2, box.gridY + box.gridH / 2, r, now);
  // Under the grid: the count, the bound, and for an unbounded queue its memory.
  const labels = renderer.labels ?? {};
  const x = box.x;
  let y = box.labelY + 12 * u;
  ctx.font = `600 ${Math.round(12.5 * u)}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.fillStyle = full ? ALERT_COLOR : INK;
  const countText = labels.queueCount?.(len, box.maxsize, full) ?? `${len}`;
  ctx.fillText(fit(ctx, countText, box.w), x, y);
  const kindText = labels.queueKind?.(renderer.shape.queues[q], box.maxsize);
  if (kindText) {
    ctx.font = `${Math.round(11 * u)}px ui-monospace, monospace`;
    ctx.fillStyle = MUTED;
    ctx.fillText(fit(ctx, kindText, box.w), x, y + 13 * u);
    y += 13 * u;
  }
  // join() waits for renderer number to reach 0: worth seeing when it is not the queue's length.
  const unfinished = renderer.annotations.unfinished?.[q] ?? 0;
  if (unfinished > 0 && unfinished !== len && renderer.shape.queues[q].kind !== 'polling') {
    ctx.font = `600 ${Math.round(11 * u)}px ui-monospace, monospace`;
    ctx.fillStyle = renderer.annotations.status === 'hang' ? ALERT_COLOR : MUTED;
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
  const memory = renderer.shape.memory;
  let fraction;
  let gaugeText = null;
  if (box.bounded) fraction = Math.min(1, len / box.maxsize);
  else if (memory) {
    // The engine's accounting of the queue (SENTINELs left out), not a figure of the page's own.
    const bytes = renderer.annotations.queueBytes?.[q] ?? len * memory.item_bytes;
    fraction = Math.min(1, bytes / memory.budget_bytes);
    gaugeText = labels.memory?.(bytes, memory.budget_bytes);
  } else fraction = null;
  if (fraction !== null) drawGauge(ctx, x, y, gaugeW, gaugeH, fraction, memErr, gaugeText, u);
  void states;
}

/** A fill gauge (a queue's bound, or its share of the memory budget), with its text under it. */
function drawGauge(ctx, x, y, w, h, fraction, alert, text, u) {
  ctx.fillStyle = '#e4e7ea';
  roundRect(ctx, x, y, w, h, h / 2);
  ctx.fill();
  ctx.fillStyle =
    fraction >= 0.999 || alert ? ALERT_COLOR : fraction > 0.75 ? OKABE_ITO.orange : OKABE_ITO.blue;
  if (fraction > 0) {
    roundRect(ctx, x, y, Math.max(h, w * fraction), h, h / 2);
    ctx.fill();
  }
  if (text) {
    ctx.font = `${Math.round(11 * u)}px system-ui, sans-serif`;
    ctx.textAlign = 'left';
    ctx.fillStyle = alert ? ALERT_COLOR : MUTED;
    ctx.fillText(fit(ctx, text, w), x, y + h + 12 * u);
  }
}

/**
 * Draws the first `count` slots of `box` filled with dots, from a sprite of the whole grid: one
 * or two image copies a queue instead of an arc a dot. Queues fill rows from the bottom right
 * (the head); the done tray fills from the top left.
 */
function blitDots(renderer, box, count, color, r, lineWidth, topLeft) {
  if (count <= 0) return;
  const dpr = renderer.dpr;
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
  const ctx = renderer.ctx;
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

export function drawDone(renderer, box, view, q, now) {
  const ctx = renderer.ctx;
  const u = renderer.geo.unit;
  const len = renderer.lastQueueLengths[q];
  const labels = renderer.labels ?? {};
  ctx.textAlign = 'center';
  ctx.fillStyle = '#0b6b4f';
  ctx.font = `700 ${Math.round(20 * u)}px system-ui, sans-serif`;
  ctx.fillText(len.toLocaleString('en-US'), box.x + box.w / 2, box.y + 24 * u);
  ctx.font = `${Math.round(11 * u)}px system-ui, sans-serif`;
  ctx.fillStyle = MUTED;
  ctx.fillText(
    labels.doneOf?.(renderer.annotations.itemsTotal) ?? '',
    box.x + box.w / 2,
    box.y + 36 * u,
  );
  ctx.font = `${Math.round(10.5 * u)}px ui-monospace, monospace`;
  ctx.fillText(
    fit(ctx, renderer.shape.queues[q].name, box.w - 8),
    box.x + box.w / 2,
    box.y + box.h - 6 * u,
  );
  ctx.textAlign = 'left';
  // The done queue keeps a count, not its items: a dot a finished item, up to the tray's slots.
  const r = Math.max(1.6, box.cell * 0.36);
  blitDots(renderer, box, Math.min(len, box.visible), '#2f7d5d', r, 0.5, true);
  drawIncoming(renderer, q, box.x + 2, box.y + box.h / 2, r, now);
  // Where the budget counts the items kept here, their share under the tray, as the queues show
  // theirs: the canvas's figures then add up to the budget's total (the engine's bytes).
  const memory = renderer.shape.memory;
  if (memory && renderer.shape.memoryCountsDone) {
    const bytes = renderer.annotations.queueBytes?.[q] ?? 0;
    const alert = renderer.annotations.memoryError?.queue === q;
    const gaugeH = 7 * u;
    drawGauge(
      ctx,
      box.x,
      box.y + box.h + 8 * u,
      box.w,
      gaugeH,
      Math.min(1, bytes / memory.budget_bytes),
      alert,
      labels.memory?.(bytes, memory.budget_bytes),
      u,
    );
  }
}

/** Tokens flying into queue `q`'s entrance at (x, y) (see Tweens.take in www/tweens.js). */
function drawIncoming(renderer, q, x, y, r, now) {
  for (const [id, tween] of renderer.tweens) {
    if (tween.into !== q) continue;
    const at = renderer.tweens.position(id, x, y, now, renderer.geo.unit);
    if (at) renderer._pending.push(id, at.x, at.y, Math.max(r, 4.5 * renderer.geo.unit));
  }
}

/** Draws an item or SENTINEL at (x, y), or along its tween when it is in flight. */
function token(renderer, id, x, y, r, now) {
  const ctx = renderer.ctx;
  const tween = renderer.tweens.size
    ? renderer.tweens.position(id, x, y, now, renderer.geo.unit)
    : null;
  if (tween) {
    // In flight: drawn on top, a little larger.
    renderer._pending.push(id, tween.x, tween.y, Math.max(r, 4.5 * renderer.geo.unit));
    return;
  }
  if (id === SENTINEL_ID) drawSentinel(ctx, x, y, r);
  else renderer.tokenBatch.push(x, y, r);
}

export function drawThreads(renderer, states, items, now) {
  const ctx = renderer.ctx;
  const geo = renderer.geo;
  const u = geo.unit;
  const labels = renderer.labels ?? {};
  const hangWaiting = renderer.annotations.hangThreads;
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
    icon(
      renderer,
      s,
      b.x + r + 5,
      b.y + b.h / 2,
      r,
      moving ? renderer.spin * (s === STATE.spinning ? 6 : 1) : 0,
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
      const hand = handOf(renderer.geo, t);
      const hr = Math.max(2.5, Math.min(b.h * 0.3, 6.5 * u));
      token(renderer, held, hand.x, hand.y, hr, now);
    }
  }
  flushTokens(renderer, ITEM_COLOR);
  if (renderer.dirtyOverlay) drawOverlay(renderer);
  ctx.drawImage(renderer.overlay, 0, 0, geo.width, geo.height);
  if (hangWaiting) {
    ctx.save();
    ctx.globalAlpha = renderer.reducedMotion ? 1 : 0.55 + 0.45 * Math.abs(Math.sin(now / 350));
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
  flushPending(renderer);
}

/** Thread names: they change only with the layout or the language, so they are drawn once. */
function drawOverlay(renderer) {
  renderer.dirtyOverlay = false;
  const ctx = renderer.overlay.getContext('2d');
  const geo = renderer.geo;
  const u = geo.unit;
  const labels = renderer.labels ?? {};
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, renderer.overlay.width, renderer.overlay.height);
  ctx.setTransform(renderer.dpr, 0, 0, renderer.dpr, 0, 0);
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
function icon(renderer, state, x, y, r, spin) {
  const dpr = renderer.dpr;
  const size = Math.ceil(r * 2 + 4);
  const key = state * 1000 + size;
  let sprite = renderer.sprites.get(key);
  if (!sprite) {
    sprite = document.createElement('canvas');
    sprite.width = Math.ceil(size * dpr);
    sprite.height = Math.ceil(size * dpr);
    const sctx = sprite.getContext('2d');
    sctx.scale(dpr, dpr);
    drawStateIcon(sctx, state, size / 2, size / 2, (size - 4) / 2, 0);
    renderer.sprites.set(key, sprite);
  }
  const ctx = renderer.ctx;
  if (spin) {
    ctx.save();
    ctx.translate(x, y);
    ctx.rotate(state === STATE.spinning ? Math.sin(spin * Math.PI * 2) * 0.12 : spin * Math.PI * 2);
    ctx.drawImage(sprite, -size / 2, -size / 2, size, size);
    ctx.restore();
  } else ctx.drawImage(sprite, x - size / 2, y - size / 2, size, size);
}

/** Tokens in flight are drawn last, above boxes and slots. */
function flushPending(renderer) {
  const p = renderer._pending;
  if (!p.length) return;
  for (let i = 0; i < p.length; i += 4) {
    if (p[i] === SENTINEL_ID) drawSentinel(renderer.ctx, p[i + 1], p[i + 2], p[i + 3]);
    else renderer.tokenBatch.push(p[i + 1], p[i + 2], p[i + 3]);
  }
  p.length = 0;
  flushTokens(renderer, ITEM_COLOR, 1.5);
}

/** Draws the items collected by token() as one path: one fill, one stroke. */
function flushTokens(renderer, fill, lineWidth = 1) {
  const b = renderer.tokenBatch;
  if (!b.length) return;
  const ctx = renderer.ctx;
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

function anyIn(threads, states, state) {
  for (const t of threads) if (states[t] === state) return true;
  return false;
}
