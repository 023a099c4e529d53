// Canvas primitives the drawing modules share: rounded rectangles, arrowheads, chevrons, text cut
// to fit, titles and badges, and the ink colours. They must not know what a thread or a queue is.

import { ALERT_COLOR } from './icons.js';

export const INK = '#1d2125';
export const MUTED = '#5c6670';
export const LINE = '#b8bec4';
export const PANEL = '#ffffff';

export function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  roundRectPath(ctx, x, y, w, h, r);
}

/** Adds a rounded rectangle to the current path. */
export function roundRectPath(ctx, x, y, w, h, r) {
  const rr = Math.max(0, Math.min(r, w / 2, h / 2));
  ctx.moveTo(x + rr, y);
  ctx.arcTo(x + w, y, x + w, y + h, rr);
  ctx.arcTo(x + w, y + h, x, y + h, rr);
  ctx.arcTo(x, y + h, x, y, rr);
  ctx.arcTo(x, y, x + w, y, rr);
  ctx.closePath();
}

export function arrowHead(ctx, x, y, s) {
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x - s, y - s * 0.6);
  ctx.lineTo(x - s, y + s * 0.6);
  ctx.closePath();
  ctx.fill();
}

export function chevronLeft(ctx, x, y, s) {
  ctx.beginPath();
  ctx.moveTo(x + s * 0.5, y - s);
  ctx.lineTo(x - s * 0.5, y);
  ctx.lineTo(x + s * 0.5, y + s);
  ctx.stroke();
}

/** `text` cut with an ellipsis to fit `width` in the current font. */
const fitCache = new Map();
export function fit(ctx, text, width) {
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

/**
 * `text` broken at spaces into at most `maxLines` lines that fit `width` in the current font; the
 * last line is cut with an ellipsis when the text needs more (one word wider than `width` too).
 */
export function wrapLines(ctx, text, width, maxLines = 2) {
  if (!text) return [''];
  const key = `${ctx.font}|${width | 0}|${maxLines}|${text}`;
  const hit = wrapCache.get(key);
  if (hit !== undefined) return hit;
  const words = text.split(' ');
  const lines = [];
  let line = '';
  let i = 0;
  for (; i < words.length && lines.length < maxLines - 1; i++) {
    const next = line ? `${line} ${words[i]}` : words[i];
    if (!line || ctx.measureText(next).width <= width) line = next;
    else {
      lines.push(line);
      line = words[i];
    }
  }
  const rest = [line, ...words.slice(i)].filter(Boolean).join(' ');
  const out = [...lines.map((l) => fit(ctx, l, width)), fit(ctx, rest, width)];
  if (wrapCache.size > 500) wrapCache.clear();
  wrapCache.set(key, out);
  return out;
}
const wrapCache = new Map();

export function drawBadge(renderer, ctx, x, y, text) {
  const u = renderer.geo.unit;
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
function titleSpill(renderer) {
  return Math.max(0, Math.min(24, (renderer.geo.gap ?? 0) - 6));
}

export function drawTitle(renderer, ctx, x, y, text, maxWidth, badge = null) {
  const u = renderer.geo.unit;
  ctx.font = `600 ${Math.round(13 * u)}px system-ui, sans-serif`;
  ctx.fillStyle = INK;
  if (badge) {
    const label = `${text} · ${badge}`;
    const w = Math.min(maxWidth + titleSpill(renderer), ctx.measureText(label).width + 16);
    ctx.fillStyle = ALERT_COLOR;
    roundRect(ctx, x - w / 2, y - 11 * u, w, 22 * u, 11 * u);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.fillText(fit(ctx, label, w - 10), x, y + 1);
    return;
  }
  ctx.fillText(fit(ctx, text, maxWidth + titleSpill(renderer)), x, y + 1);
}
