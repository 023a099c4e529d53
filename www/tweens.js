// Tokens in flight: a frame's moves become tweens along the arrows, and a tween's position at a
// given time. It must not draw (www/draw-shapes.js draws tokens) nor hold simulation state.

import { slotCenter } from './layout.js';

/** A move's place code (src/stats.rs): the kind in the top byte, the index below it. */
const PLACE_MASK = 0xff000000;
const PLACE_INDEX = 0x00ffffff;
const P_SOURCE = 0;
const P_QUEUE = 1 << 24;
const P_THREAD = 2 << 24;
/** Most tokens in flight at once (fewer at high speed). */
const MAX_TWEENS = 160;

/** The tokens in flight, by item id: {points, t0, dur, x, y, drawn, into}. */
export class Tweens extends Map {
  /** Starts a tween for each of the frame's moves worth one (the latest moves first). */
  take(view, now, geo, speed) {
    const moves = view.moves;
    const n = moves.length;
    if (n === 0) return;
    const base = speed <= 0.2 ? 520 : speed <= 1 ? 300 : speed <= 5 ? 180 : 110;
    // At high speed most moves are not worth a token in flight: fewer tokens, the latest moves.
    const cap = speed <= 1 ? MAX_TWEENS : speed <= 10 ? MAX_TWEENS / 2 : MAX_TWEENS / 4;
    const first = Math.max(0, n - cap * 3);
    for (let k = first; k + 2 < n; k += 3) {
      const id = moves[k];
      let tween = this.get(id);
      const passing = tween && tween.t0 === now;
      const from = anchor(geo, moves[k + 1], passing);
      if (!from) continue;
      if (passing) {
        tween.points.push(from);
        tween.dur = base * Math.min(2.2, 1 + 0.6 * (tween.points.length - 1));
      } else {
        // A token still in flight from an earlier move lands at once and leaves from where
        // the item really is: tokens always travel along the arrows, never zigzag mid-air.
        if (!tween && this.size >= cap) continue;
        tween = { points: [from], t0: now, dur: base, x: from.x, y: from.y, drawn: false };
        this.set(id, tween);
      }
      // Into a queue a token flies to the entrance and merges there: the item is already drawn in
      // its slot, so a full queue always looks full.
      const to = moves[k + 2];
      const into = (to & PLACE_MASK) === P_QUEUE ? to & PLACE_INDEX : -1;
      const box = geo.queues[into];
      tween.into = box ? into : -1;
    }
  }

  /** Position of token `id` heading for (tx, ty): along its tween, or null when it has landed. */
  position(id, tx, ty, now, unit) {
    const tween = this.get(id);
    if (!tween) return null;
    const p = Math.min(1, (now - tween.t0) / tween.dur);
    if (p >= 1) {
      this.delete(id);
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
    tween.y -= Math.sin(u * Math.PI) * 5 * unit;
    tween.drawn = true;
    return tween;
  }

  /** Forgets tweens past their time. */
  prune(now) {
    for (const [id, tween] of this) {
      if (now - tween.t0 > tween.dur + 50) this.delete(id);
    }
  }
}

/**
 * Where a token leaves from: a queue's head, a thread's hand, or the producer. A token that
 * only passes through a queue within one frame goes through the queue's middle.
 */
function anchor(geo, placeCode, passing = false) {
  const kind = placeCode & PLACE_MASK;
  const index = placeCode & PLACE_INDEX;
  if (kind === P_QUEUE) {
    const box = geo.queues[index];
    if (!box) return null;
    if (box.done) return { x: box.x + box.w / 2, y: box.y + box.h / 2 };
    if (passing) return { x: box.x + box.w / 2, y: box.gridY + box.gridH / 2 };
    return slotCenter(box, 0);
  }
  if (kind === P_THREAD) return handOf(geo, index);
  if (kind === P_SOURCE) return handOf(geo, 0);
  return null;
}

/** Where thread `t` holds its item: the right end of its box. */
export function handOf(geo, t) {
  const b = geo.threads[t];
  if (!b) return null;
  return { x: b.x + b.w - Math.min(b.h / 2, 10 * geo.unit), y: b.y + b.h / 2 };
}
