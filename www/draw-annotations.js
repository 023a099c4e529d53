// Annotations over the pipeline on the canvas: the bottleneck's outline and badge, a MemoryError's
// queue, a hang's wait-for chain, the bottom band (time, or what ended the run). No shapes.

import { ALERT_COLOR } from './icons.js';
import { INK, drawBadge, fit, roundRect, wrapLines } from './draw-primitives.js';
import { drawHangChain } from './hang-chain.js';

/** The bottleneck stage: a dashed outline round its workers and a badge on it. */
export function drawBottleneckBadge(renderer) {
  const stage = renderer.annotations.bottleneck;
  if (stage === null || stage === undefined || renderer.annotations.status === 'hang') return;
  const g = renderer.shape.groups.findIndex(
    (group) => group.kind === 'stage' && group.stage === stage,
  );
  const box = renderer.geo.groups[g];
  if (!box) return;
  const ctx = renderer.ctx;
  const u = renderer.geo.unit;
  ctx.save();
  ctx.strokeStyle = ALERT_COLOR;
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 2;
  roundRect(ctx, box.x - 6, box.y - 6, box.w + 12, box.h + 12, 8);
  ctx.stroke();
  ctx.restore();
  drawBadge(
    renderer,
    ctx,
    box.x + box.w / 2,
    Math.max(renderer.geo.top + 4 * u, box.y - 6),
    renderer.labels?.bottleneck ?? 'bottleneck',
  );
}

export function drawHang(renderer, now) {
  drawHangChain(renderer);
  const mem = renderer.annotations.memoryError;
  if (mem && renderer.geo.queues[mem.queue]) {
    const b = renderer.geo.queues[mem.queue];
    const ctx = renderer.ctx;
    ctx.save();
    ctx.globalAlpha = renderer.reducedMotion ? 1 : 0.6 + 0.4 * Math.abs(Math.sin(now / 350));
    ctx.strokeStyle = ALERT_COLOR;
    ctx.lineWidth = 4;
    roundRect(ctx, b.x - 4, b.y - 4, b.w + 8, b.h + 8, 8);
    ctx.stroke();
    ctx.restore();
  }
}

/** The bottom band: virtual time, or what ended the run. */
export function drawBanner(renderer, timeUs) {
  const ctx = renderer.ctx;
  const geo = renderer.geo;
  const u = geo.unit;
  const labels = renderer.labels ?? {};
  const a = renderer.annotations;
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
  // What ended the run is read whole: on two lines when one is too short (the layout keeps room
  // for the second below the back edges' lane), cut only past that.
  const lines = bg ? wrapLines(ctx, text, maxW - 20, 2) : [fit(ctx, text, maxW - 20)];
  const lineH = 16 * u;
  const bottom = lines.length > 1 ? geo.height - 6 : y + h / 2;
  const top = lines.length > 1 ? bottom - h - lineH : y - h / 2;
  if (bg) {
    ctx.fillStyle = bg;
    roundRect(ctx, x, top, maxW, bottom - top, 6);
    ctx.fill();
  }
  ctx.fillStyle = fg;
  lines.forEach((line, i) => ctx.fillText(line, x + 10, top + h / 2 + 5 * u + i * lineH));
}
