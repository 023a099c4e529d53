// The lesson's pace: each program's default speed and pacing, and how Play spreads the operations
// of one virtual instant over real time. It drives a Run; it must not touch the DOM or the URL.

/**
 * Each program's defaults: `speed` (virtual ms per real ms) and `pace` (lines a second for
 * operations at one instant, 0: none, all at once). P1 runs in slow motion (its 10 ms polling
 * sleeps take a second each), its thousand puts and polls of one instant at once, since one by
 * one they would take minutes; P2-P4 and the small failure programs show each line; the
 * pipelines (P5, P6, F1, F3, the builder) show flow and back-pressure.
 */
export const PROGRAM_PACE = {
  p1: { speed: 0.01, pace: 0 },
  p2: { speed: 1, pace: 2 },
  p3: { speed: 1, pace: 2 },
  p4: { speed: 1, pace: 2 },
  f2: { speed: 1, pace: 2 },
  f4: { speed: 1, pace: 2 },
};
const FLOW = { speed: 1, pace: 0 };

/** The defaults of program `id` (a preset id or 'builder'). */
export function programPace(id) {
  return PROGRAM_PACE[id] ?? FLOW;
}

/**
 * Lines a second Play shows at speed `speed` with pacing `pace`: the pace at ×1 and below, and
 * faster in proportion above ×1, so that fast forward stays fast forward.
 */
export function linesPerSecond(pace, speed) {
  return pace * Math.max(1, speed);
}

/**
 * Plays one animation frame of `realMs` on `run` with pacing: the operations of one instant
 * come `lines` a second with virtual time standing still, and time moves on (at `speed`) only
 * once the instant is done, stopping after the first operation of the next one. `credit` is
 * {ops}, carried from frame to frame. Returns false once the run has ended.
 */
export function pacedStep(run, realMs, speed, lines, credit) {
  credit.ops = Math.min(Math.max(1, lines / 20), credit.ops + (realMs / 1000) * lines);
  if (run.instantPending()) {
    const n = Math.floor(credit.ops);
    if (n === 0) return true;
    credit.ops -= n;
    return run.step(0, n);
  }
  const before = run.ops();
  const going = run.step(realMs * speed, 1);
  // The first operation of an instant uses a line's time too.
  if (run.ops() > before) credit.ops = Math.max(0, credit.ops - 1);
  return going;
}
