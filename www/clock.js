// Animation loop: calls onFrame(realMs, now) once per animation frame while it returns true, then
// sleeps until wake(). It must not know the engine; real time x speed is the caller's business.

export class FrameLoop {
  /**
   * @param {(realMs: number, now: number) => boolean} onFrame  true to be called again
   * @param {object} [options]
   * @param {number} [options.maxFrameMs]  a longer gap (a background tab) counts as this much
   */
  constructor(onFrame, { maxFrameMs = 100 } = {}) {
    this.onFrame = onFrame;
    this.maxFrameMs = maxFrameMs;
    this.lastFrame = null;
    this.frameId = null;
    this.frame = this.frame.bind(this);
  }

  /** Makes sure a frame is coming. */
  wake() {
    if (this.frameId !== null) return;
    this.frameId = requestAnimationFrame(this.frame);
  }

  /** Restarts the real-time reference (after a pause, the gap is not time that passed). */
  resync() {
    this.lastFrame = null;
  }

  frame(now) {
    this.frameId = null;
    const realMs = this.lastFrame === null ? 0 : Math.min(now - this.lastFrame, this.maxFrameMs);
    this.lastFrame = now;
    // onFrame may have woken the loop itself (a new scene): one frame is asked for, not two.
    if (this.onFrame(realMs, now)) this.frameId ??= requestAnimationFrame(this.frame);
    else if (this.frameId === null) this.lastFrame = null;
  }
}
