import { describe, expect, it } from 'vitest';
import { scaledDepthToMetres } from '../../main/sources/indexedReader.js';

describe('scaledDepthToMetres', () => {
  it('gives every 16-bit value the float of value / units, 0 for 0 and for the invalid value', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    for (const [units, invalid] of [[5000, -1], [1000, 65535], [1000, -1], [4000, 32001]] as const) {
      const out = scaledDepthToMetres(all, units, new Float32Array(65536), invalid);
      const expected = new Float32Array(65536);
      for (let v = 1; v < 65536; v++) expected[v] = v === invalid ? 0 : v / units;
      let mismatches = 0;
      for (let v = 0; v < 65536; v++) if (out[v] !== expected[v]) mismatches++;
      expect(mismatches, `${units} units, invalid ${invalid}`).toBe(0);
      expect(out[0]).toBe(0);
    }
  });

  it('converts images whose pixel count is not a multiple of the unrolled step, and nothing past the end', () => {
    for (const n of [1, 7, 9, 13, 640 * 480 + 5]) {
      const src = new Uint16Array(n).map((_, i) => (i * 37 + 1) % 65536);
      const out = new Float32Array(n + 3).fill(-7);
      scaledDepthToMetres(src, 1000, out.subarray(0, n));
      for (let i = 0; i < n; i++) if (out[i] !== Math.fround(src[i] / 1000)) throw new Error(`n=${n}: pixel ${i} is ${out[i]}, expected ${src[i] / 1000}`);
      expect(Array.from(out.subarray(n)), `n=${n}`).toEqual([-7, -7, -7]);
    }
  });
});
