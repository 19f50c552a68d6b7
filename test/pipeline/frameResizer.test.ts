import { describe, expect, it } from 'vitest';
import { FrameResizer } from '../../main/pipeline/frameResizer.js';

describe('FrameResizer', () => {
  it('halves a 4×2 image: colour is the 2×2 block mean, depth and labels a block sample (never a blend)', () => {
    const r = new FrameResizer(4, 2, 2, 1);
    // Colour: red channel 0, 10, 20, 30 / 40, 50, 60, 70 → blocks {0,10,40,50} = 25 and {20,30,60,70} = 45.
    const rgb = new Uint8Array(4 * 2 * 3);
    [0, 10, 20, 30, 40, 50, 60, 70].forEach((v, i) => { rgb[3 * i] = v; });
    expect(Array.from(r.resizeRgb(rgb)).filter((_, i) => i % 3 === 0)).toEqual([25, 45]);
    // Depth with an edge: 1 m | 3 m. Nearest sampling at x = (u + .5)·2 − .5 = 0.5 → 1 (round half up), 2.5 → 3.
    const depth = Float32Array.of(1, 1, 3, 3, 1, 1, 3, 3);
    const d = r.resizeDepth(depth);
    expect(Array.from(d).every((v) => v === 1 || v === 3)).toBe(true);
    expect(d[0]).toBe(1);
    expect(d[1]).toBe(3);
    expect(Array.from(r.resizeLabels(Uint8Array.of(5, 5, 9, 9, 5, 5, 9, 9)))).toEqual([5, 9]);
  });

  it('is the identity at the same size', () => {
    const r = new FrameResizer(3, 2, 3, 2);
    expect(r.identity).toBe(true);
    const labels = Uint8Array.of(1, 2, 3, 4, 5, 6);
    expect(Array.from(r.resizeLabels(labels))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('halves a random 60×48 image to the rounded mean of each 2×2 block (the fast path), and a 3× shrink to 3×3 means', () => {
    let seed = 7;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 24; };
    const W = 60, H = 48;
    const rgb = new Uint8Array(W * H * 3).map(() => rnd());
    for (const f of [2, 3]) {
      const w = Math.floor(W / f), h = Math.floor(H / f);
      const out = new FrameResizer(W, H, w, h).resizeRgb(rgb);
      for (let v = 0; v < h; v++) for (let u = 0; u < w; u++) for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let y = f * v; y < f * v + f; y++) for (let x = f * u; x < f * u + f; x++) s += rgb[3 * (y * W + x) + c];
        expect(out[3 * (v * w + u) + c]).toBe(Math.round(s / (f * f)));
      }
    }
  });
});
