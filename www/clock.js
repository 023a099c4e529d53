// Animation clock: turns the real time between animation frames into virtual milliseconds.
// Knows nothing of the engine: while running it calls onTick(virtualMs) until that returns false.

/** The speed factors offered in the page (virtual seconds per real second). */
export const SPEEDS = [0.1, 0.5, 1, 2, 5, 10, 100];

export class Clock {
  /**
   * @param {(virtualMs: number) => boolean} onTick  called once per animation frame
   * @param {object} [options]
   * @param {number} [options.maxFrameMs]  a longer gap (a background tab) counts as this much
   */
  constructor(onTick, { maxFrameMs = 100 } = {}) {
    this.onTick = onTick;
    this.maxFrameMs = maxFrameMs;
    this.speed = 1;
    this.running = false;
    this.lastFrame = null;
    this.frameId = null;
    this.frame = this.frame.bind(this);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.lastFrame = null;
    this.frameId = requestAnimationFrame(this.frame);
  }

  pause() {
    this.running = false;
    if (this.frameId !== null) cancelAnimationFrame(this.frameId);
    this.frameId = null;
  }

  frame(now) {
    this.frameId = null;
    if (!this.running) return;
    // The first frame only sets the reference point: no virtual time passes for it.
    const realMs = this.lastFrame === null ? 0 : Math.min(now - this.lastFrame, this.maxFrameMs);
    this.lastFrame = now;
    const keepGoing = realMs === 0 ? true : this.onTick(realMs * this.speed);
    if (keepGoing && this.running) {
      this.frameId = requestAnimationFrame(this.frame);
    } else {
      this.running = false;
    }
  }
}
