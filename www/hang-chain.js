// The wait-for chain behind a hang, from the engine's report (stats.hang.chain): arrows on the
// canvas from each waiter to what it waits on and on to who could release it, and the same as text.

import { ALERT_COLOR } from './icons.js';
import { registerStrings, t } from './i18n.js';
import { drawBadge, roundRect } from './draw-primitives.js';

registerStrings({
  en: {
    'chain.title': 'Wait-for chain',
    'chain.root': 'Root cause',
    'chain.rootBadge': 'root cause · line {line}',
    'chain.rootBadgeNoLine': 'root cause',
    'chain.others': 'Behind this chain, {n} more waiting threads are listed below.',
    'chain.othersOne': 'Behind this chain, 1 more waiting thread is listed below.',
  },
  ko: {
    'chain.title': '대기 사슬',
    'chain.root': '근본 원인',
    'chain.rootBadge': '근본 원인 · {line}번째 줄',
    'chain.rootBadgeNoLine': '근본 원인',
    'chain.others': '이 사슬 뒤에서 기다리는 스레드 {n}개는 아래에 있습니다.',
    'chain.othersOne': '이 사슬 뒤에서 기다리는 스레드 1개는 아래에 있습니다.',
  },
});

/** The canvas's words for the chain in `lang` (renderer.labels.chain). */
export function chainCanvasLabels(lang) {
  return {
    rootBadge: (line) =>
      line ? t(lang, 'chain.rootBadge', { line }) : t(lang, 'chain.rootBadgeNoLine'),
  };
}

/** What a releaser would do to let a waiter go on: the Python call, the same in both languages. */
const RELEASE = { get: 'put()', busy_wait: 'put()', put: 'get()', join_queue: 'task_done()' };
/** What a waiter is in. */
const WAIT = {
  get: 'get()',
  put: 'put()',
  join_queue: 'join()',
  join_thread: 'join()',
  busy_wait: 'len()',
};
/** Releasers drawn for the chain's last link, at most. */
const MAX_RELEASERS = 4;
const CHAIN_INK = '#3b2a6b';

/** Draws the chain of the hung run over the pipeline; nothing when the run has none. */
export function drawHangChain(renderer) {
  const chain = renderer.annotations.hang?.chain;
  const geo = renderer.geo;
  if (!chain || !geo) return;
  const u = geo.unit;
  const last = chain.links.length - 1;
  chain.links.forEach((link, i) => {
    const waiter = geo.threads[link.thread];
    if (!waiter) return;
    const queue = link.queue === null ? null : geo.queues[link.queue];
    const target = link.target === null ? null : geo.threads[link.target];
    const label = WAIT[link.wait] ?? '';
    if (target) {
      // Thread to thread: arched high, so that it clears the queue arrows between them.
      const to = centre(target);
      const from = edgePoint(waiter, to, 4 * u);
      const end = edgePoint(target, centre(waiter), 6 * u);
      arrow(renderer, from, end, { label, at: 0.5, color: CHAIN_INK, bend: 0.7 });
    }
    if (!queue) return;
    // Into the queue at the waiter's height, and out of it at each releaser's.
    const into = queueAnchor(queue, centre(waiter), -1, u);
    arrow(renderer, edgePoint(waiter, into, 4 * u), into, {
      label,
      at: into.inside ? 0.72 : 0.5,
      lift: into.inside ? 0 : 20 * u,
      color: CHAIN_INK,
    });
    // On to the thread the chain goes on to, or, at its end, to every thread that could have
    // released it (each of them already waits: dashed).
    const to = link.next !== null ? [link.next] : i === last ? enders(link, chain.root) : [];
    for (const r of to.slice(0, MAX_RELEASERS)) {
      const box = geo.threads[r];
      if (!box) continue;
      const out = queueAnchor(queue, centre(box), 1, u);
      const end = link.next === null;
      // Back to a thread more than a column away: round below the pipeline, as back edges go.
      const back = centre(box).x < queue.x - queue.w;
      arrow(renderer, out, edgePoint(box, out, 6 * u), {
        label: RELEASE[link.wait] ?? '',
        at: out.inside ? 0.28 : 0.5,
        lift: out.inside || back ? 0 : -20 * u,
        color: end ? ALERT_COLOR : CHAIN_INK,
        dashed: end,
        bend: back ? 0.55 : 0.18,
      });
    }
  });
  chain.links.forEach((link, i) => {
    const b = geo.threads[link.thread];
    if (b) stepMark(renderer.ctx, b.x + Math.min(24 * u, b.w / 3), b.y, i + 1, u);
  });
  drawRoot(renderer, chain.root);
}

/**
 * Who the chain's last link points at: the threads that could release it, or, when none is
 * left, the threads the root cause names (the consumer that never called `task_done()`).
 */
function enders(link, root) {
  if (link.releasers.length) return link.releasers;
  return root.threads.filter((t) => t !== link.thread);
}

/** Queues at least this tall (in units) take arrows into their empty middle; smaller ones at the side. */
const ROOMY = 150;

/**
 * Where an arrow to or from thread point `p` meets queue `box`: in a tall queue, on its middle
 * line at `p`'s height (nudged by `side`: in above, out below), where its labels have room;
 * else on the side that faces `p`.
 */
function queueAnchor(box, p, side, u) {
  const gy = box.gridY ?? box.y;
  const gh = box.gridH ?? box.h;
  const inside = gh >= ROOMY * u;
  const top = gy + 10 * u;
  const bottom = Math.max(top, gy + gh - 10 * u);
  const y = Math.min(Math.max(p.y + side * 9 * u, top), bottom);
  if (inside) return { x: box.x + box.w / 2, y, inside };
  const x = p.x < box.x + box.w / 2 ? box.x - 2 * u : box.x + box.w + 2 * u;
  return {
    x,
    y: Math.min(Math.max(p.y + side * 6 * u, box.y + 6 * u), box.y + box.h - 6 * u),
    inside,
  };
}

/** The root cause: its queues (or else its threads) outlined, with a badge naming the line. */
function drawRoot(renderer, root) {
  const geo = renderer.geo;
  const ctx = renderer.ctx;
  const u = geo.unit;
  const boxes = root.queues.map((q) => geo.queues[q]).filter(Boolean);
  const marked = boxes.length ? boxes : root.threads.map((t) => geo.threads[t]).filter(Boolean);
  if (!marked.length) return;
  ctx.save();
  ctx.strokeStyle = ALERT_COLOR;
  ctx.lineWidth = 4 * u;
  ctx.setLineDash([]);
  for (const b of marked) {
    roundRect(ctx, b.x - 6, b.y - 6, b.w + 12, b.h + (b.labelH ?? 0) + 12, 9);
    ctx.stroke();
  }
  ctx.restore();
  const first = marked[0];
  const text = renderer.labels?.chain?.rootBadge(root.line) ?? `root cause · line ${root.line}`;
  drawBadge(
    renderer,
    ctx,
    first.x + first.w / 2,
    Math.max(geo.top + 10 * u, first.y - 14 * u),
    text,
  );
}

/** The point where the line from `box`'s centre towards `toward` leaves the box, a little out. */
function edgePoint(box, toward, pad) {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const dx = toward.x - cx;
  const dy = toward.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const sx = dx === 0 ? Infinity : (box.w / 2 + pad) / Math.abs(dx);
  const sy = dy === 0 ? Infinity : (box.h / 2 + pad) / Math.abs(dy);
  const s = Math.min(sx, sy, 1);
  return { x: cx + dx * s, y: cy + dy * s };
}

const centre = (b) => ({ x: b.x + b.w / 2, y: b.y + b.h / 2 });

/**
 * A curved arrow from `p0` to `p1`, bent to its left by `bend` of its length (so that the way
 * back does not cover it), with `label` (a Python call) in a pill at `at` of the way, raised by
 * `lift` where the arrow is too short to hold it.
 */
function arrow(
  renderer,
  p0,
  p1,
  { label, at = 0.5, lift = 0, color, dashed = false, bend = 0.18 },
) {
  const ctx = renderer.ctx;
  const u = renderer.geo.unit;
  const dx = p1.x - p0.x;
  const dy = p1.y - p0.y;
  const len = Math.hypot(dx, dy) || 1;
  const off = Math.min(260 * u, bend * len);
  const c = { x: (p0.x + p1.x) / 2 + (dy / len) * off, y: (p0.y + p1.y) / 2 - (dx / len) * off };
  ctx.save();
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 3 * u;
  ctx.lineCap = 'round';
  if (dashed) ctx.setLineDash([7 * u, 5 * u]);
  ctx.beginPath();
  ctx.moveTo(p0.x, p0.y);
  ctx.quadraticCurveTo(c.x, c.y, p1.x, p1.y);
  ctx.stroke();
  ctx.setLineDash([]);
  // The head, along the curve's last tangent.
  const angle = Math.atan2(p1.y - c.y, p1.x - c.x);
  const s = 10 * u;
  ctx.beginPath();
  ctx.moveTo(p1.x, p1.y);
  ctx.lineTo(p1.x - s * Math.cos(angle - 0.45), p1.y - s * Math.sin(angle - 0.45));
  ctx.lineTo(p1.x - s * Math.cos(angle + 0.45), p1.y - s * Math.sin(angle + 0.45));
  ctx.closePath();
  ctx.fill();
  if (label) {
    const k = 1 - at;
    const mx = k * k * p0.x + 2 * k * at * c.x + at * at * p1.x;
    const my = k * k * p0.y + 2 * k * at * c.y + at * at * p1.y - lift;
    ctx.font = `600 ${Math.round(11.5 * u)}px ui-monospace, SFMono-Regular, Menlo, monospace`;
    const w = ctx.measureText(label).width + 10 * u;
    const h = 17 * u;
    ctx.fillStyle = '#fff';
    roundRect(ctx, mx - w / 2, my - h / 2, w, h, h / 2);
    ctx.fill();
    ctx.lineWidth = 1.5 * u;
    ctx.stroke();
    ctx.fillStyle = color;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(label, mx, my + 0.5);
  }
  ctx.restore();
}

/** The link's number in the text list, on the waiter's corner. */
function stepMark(ctx, x, y, n, u) {
  const r = 9 * u;
  ctx.save();
  ctx.fillStyle = CHAIN_INK;
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.fillStyle = '#fff';
  ctx.font = `700 ${Math.round(11 * u)}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(String(n), x, y + 0.5);
  ctx.restore();
}

/**
 * The chain as text for the status panel: a numbered list of the waits (the canvas's numbers),
 * then the root cause; null when the hang has no chain. The sentences are the engine's, in the
 * run's language.
 */
export function chainBlock(doc, hang, lang) {
  const chain = hang?.chain;
  if (!chain) return null;
  const box = doc.createElement('div');
  box.className = 'hang-chain';
  const title = doc.createElement('strong');
  title.className = 'hang-chain-title';
  title.id = 'hang-chain-title';
  title.textContent = t(lang, 'chain.title');
  const list = doc.createElement('ol');
  list.setAttribute('aria-labelledby', title.id);
  for (const link of chain.links) {
    const li = doc.createElement('li');
    li.className = 'engine-text';
    li.textContent = link.text;
    list.append(li);
  }
  const root = doc.createElement('p');
  root.className = 'hang-root';
  const label = doc.createElement('strong');
  label.textContent = `${t(lang, 'chain.root')}: `;
  const cause = doc.createElement('span');
  cause.className = 'engine-text';
  cause.textContent = chain.root.text;
  root.append(label, cause);
  box.append(title, list, root);
  const n = chain.others.length;
  if (n > 0) {
    const more = doc.createElement('p');
    more.className = 'hang-chain-others';
    more.textContent = n === 1 ? t(lang, 'chain.othersOne') : t(lang, 'chain.others', { n });
    box.append(more);
  }
  return box;
}

/** Outlines the root cause's line in the Python panel (`code`, its `li[data-line]`), or none. */
export function markRootLine(code, hang) {
  const line = hang?.chain?.root.line ?? 0;
  for (const li of code.querySelectorAll('li.root-cause-line')) {
    if (Number(li.dataset.line) !== line) li.classList.remove('root-cause-line');
  }
  if (line) code.querySelector(`li[data-line="${line}"]`)?.classList.add('root-cause-line');
}
