/**
 * Progressive full-detail redraw, as large point-cloud viewers (Potree) do it: the map is drawn a slice of slots
 * per animation frame into an off-screen image, accumulating, and shown when the slice that covers the last slot
 * is done. A slice is sized to take `sliceMs` of drawing (measured, GPU included), so however slow the GPU (a
 * software rasteriser pays ~18 µs a splat) the page keeps answering input between frames.
 * No DOM or WebGL here (unit-tested in Node).
 */

/** Drawing time per animation frame the full-detail pass aims at (ms). */
export const DEFAULT_SLICE_MS = 6;
/** A first guess of splats per millisecond, before anything was measured (a software rasteriser's order). */
export const INITIAL_SPLATS_PER_MS = 64;
/**
 * A slice that overran its budget (the GPU was busy, or starved of CPU) is followed by a rest, so that the overrun
 * takes at most this share of the time: the page and the backend still get theirs. Slices within budget draw on
 * every animation frame.
 */
export const MAX_DUTY = 0.3;
/** Fewer per slice is all overhead. */
export const MIN_SLICE = 64;

export class ProgressivePass {
  /** Measured drawing rate, splats per ms (exponential average over slices). */
  splatsPerMs = INITIAL_SPLATS_PER_MS;
  /** A pass is under way: slots below `next` are in the off-screen image. */
  active = false;
  next = 0;
  /** The map version the pass started from (slots added during it are drawn too; changed ones on the next). */
  mapVersion = -1;
  startedAt = 0;
  /** Milliseconds of drawing (sum of slices) and wall time of the last finished pass. */
  lastPassDrawMs = 0;
  lastPassWallMs = 0;
  passes = 0;
  /** Longest single slice so far (ms, GPU included): with a read that waits (WebGL1), how long one frame held the page. */
  maxSliceMs = 0;
  private drawMs = 0;
  /** No slice before this time (ms, the duty cycle). */
  private restUntil = 0;

  /** A slice may be drawn now (the duty cycle allows it). */
  ready(now: number): boolean {
    return now >= this.restUntil;
  }

  constructor(public sliceMs = DEFAULT_SLICE_MS) {}

  start(mapVersion: number, now: number): void {
    this.active = true;
    this.next = 0;
    this.mapVersion = mapVersion;
    this.startedAt = now;
    this.drawMs = 0;
  }

  abort(): void {
    this.active = false;
  }

  /** Milliseconds a whole pass over `count` splats is expected to draw for. */
  estimateMs(count: number): number {
    return count / this.splatsPerMs;
  }

  /** Slots [from, to) to draw this frame. */
  slice(count: number): [number, number] {
    const n = Math.max(MIN_SLICE, Math.round(this.splatsPerMs * this.sliceMs));
    return [this.next, Math.min(count, this.next + n)];
  }

  /**
   * A slice of `n` splats took `ms` (synchronised). Returns true when the pass has reached `count`. A rate
   * moves by at most ×4 per slice, so one slice disturbed by other work does not wreck the next.
   */
  drew(to: number, n: number, ms: number, count: number, now: number): boolean {
    this.next = to;
    this.drawMs += ms;
    this.restUntil = now + Math.max(0, ms - this.sliceMs) * (1 / MAX_DUTY - 1);
    if (ms > this.maxSliceMs) this.maxSliceMs = ms;
    if (n >= MIN_SLICE) {
      const rate = n / Math.max(ms, 0.25);
      const bounded = Math.min(4 * this.splatsPerMs, Math.max(this.splatsPerMs / 4, rate));
      this.splatsPerMs = 0.5 * this.splatsPerMs + 0.5 * bounded;
    }
    if (this.next < count) return false;
    this.active = false;
    this.passes++;
    this.lastPassDrawMs = this.drawMs;
    this.lastPassWallMs = now - this.startedAt;
    return true;
  }
}
