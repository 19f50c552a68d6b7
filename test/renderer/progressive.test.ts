import { describe, expect, it } from 'vitest';
import { INITIAL_SPLATS_PER_MS, MIN_SLICE, ProgressivePass } from '../../renderer/scene/progressive.js';

/** Drives a pass against a simulated GPU that draws `rate` splats per ms; returns the slices' times. */
function runPass(p: ProgressivePass, count: number, rate: number): number[] {
  const times: number[] = [];
  p.start(1, 0);
  let now = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const [from, to] = p.slice(count);
    const ms = (to - from) / rate;
    times.push(ms);
    now += 16;
    if (p.drew(to, to - from, ms, count, now)) return times;
  }
  throw new Error('the pass never finished');
}

describe('progressive full-detail pass', () => {
  it('covers every slot once, in order, and finishes', () => {
    const p = new ProgressivePass(6);
    const seen = new Uint8Array(100_000);
    p.start(3, 0);
    let done = false;
    while (!done) {
      const [from, to] = p.slice(seen.length);
      expect(from).toBe(p.next);
      for (let i = from; i < to; i++) seen[i]++;
      done = p.drew(to, to - from, (to - from) / 50, seen.length, 0);
    }
    expect(seen.every((v) => v === 1)).toBe(true);
    expect(p.active).toBe(false);
    expect(p.passes).toBe(1);
    expect(p.mapVersion).toBe(3);
  });

  it('sizes slices to the time budget on a slow and on a fast GPU', () => {
    for (const rate of [15, 55, 5000]) {
      const p = new ProgressivePass(6);
      const times = runPass(p, 2_000_000, rate);
      // After the first few slices have measured the rate, every full slice takes about the budget.
      const settled = times.slice(8, -1);
      for (const t of settled) expect(t).toBeGreaterThan(6 / 1.5);
      for (const t of settled) expect(t).toBeLessThan(6 * 1.5);
      expect(p.splatsPerMs).toBeCloseTo(rate, -1);
    }
  });

  it('one slow slice (other work in the GPU) does not collapse the next', () => {
    const p = new ProgressivePass(6);
    runPass(p, 200_000, 100);
    const before = p.splatsPerMs;
    p.start(2, 0);
    const [from, to] = p.slice(200_000);
    p.drew(to, to - from, 500, 200_000, 0);
    expect(p.splatsPerMs).toBeGreaterThanOrEqual(before * 0.5 * (1 + 1 / 4) - 1e-9);
  });

  it('a slice is never smaller than the minimum, and grows with the map as it streams in', () => {
    const p = new ProgressivePass(0.001);
    p.start(1, 0);
    expect(p.slice(10_000)).toEqual([0, MIN_SLICE]);
    p.drew(MIN_SLICE, MIN_SLICE, 1, MIN_SLICE - 10, 0); // the map shrank below the slice: finished
    expect(p.active).toBe(false);
    const q = new ProgressivePass(6);
    q.start(1, 0);
    const [, to] = q.slice(1000);
    expect(to).toBe(Math.min(1000, Math.round(INITIAL_SPLATS_PER_MS * 6)));
    expect(q.drew(to, to, 1, 5000, 0)).toBe(false); // slots added meanwhile are drawn by the same pass
    expect(q.slice(5000)[0]).toBe(to);
  });
});

describe('progressive pass duty cycle', () => {
  it('draws every frame within budget, and rests after a slice that overran', () => {
    const p = new ProgressivePass(6);
    p.start(1, 0);
    p.drew(100, 100, 5, 10_000, 1000);
    expect(p.ready(1000)).toBe(true);
    p.drew(200, 100, 66, 10_000, 2000);
    // 60 ms over budget: the overrun may be at most MAX_DUTY of the time.
    expect(p.ready(2000 + 100)).toBe(false);
    expect(p.ready(2000 + 141)).toBe(true);
  });
});
