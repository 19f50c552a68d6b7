import { NYU40_CLASS_COUNT, PALETTE40 } from '../../fusion/classes.js';

/**
 * Pictures of the network's outputs: NYU40 labels in the authors' palette (VOC palette[k + 1], void and
 * anything outside 0..39 black) and depth through the Turbo colour map.
 */

/** labels (H·W, 0..39, 255 void) → RGB (H·W·3). */
export function colorizeLabels40(out: Uint8Array, labels: Uint8Array): Uint8Array {
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    const o = i * 3;
    if (k < NYU40_CLASS_COUNT) {
      out[o] = PALETTE40[k * 3]; out[o + 1] = PALETTE40[k * 3 + 1]; out[o + 2] = PALETTE40[k * 3 + 2];
    } else {
      out[o] = 0; out[o + 1] = 0; out[o + 2] = 0;
    }
  }
  return out;
}

/** Depth shown from near (blue) to far (red) over a fixed range, so pictures of different frames compare. */
export interface DepthColourRange {
  readonly minMetres: number;
  readonly maxMetres: number;
}

/** 0–10 m: the range NYU depth is clamped to (network.md, formats). */
export const DEFAULT_DEPTH_COLOUR_RANGE: DepthColourRange = { minMetres: 0, maxMetres: 10 };

/**
 * Turbo colour map (Google, Apache-2.0), by the polynomial fit of R. Du (github.com/ruofeidu), tabulated
 * once at 256 entries.
 */
const TURBO_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  const r4 = [0.13572138, 4.6153926, -42.66032258, 132.13108234]; const r2 = [-152.94239396, 59.28637943];
  const g4 = [0.09140261, 2.19418839, 4.84296658, -14.18503333]; const g2 = [4.27729857, 2.82956604];
  const b4 = [0.1066733, 12.64194608, -60.58204836, 110.36276771]; const b2 = [-89.90310912, 27.34824973];
  const poly = (c4: number[], c2: number[], x: number) =>
    c4[0] + c4[1] * x + c4[2] * x ** 2 + c4[3] * x ** 3 + c2[0] * x ** 4 + c2[1] * x ** 5;
  const byte = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 255);
  for (let i = 0; i < 256; i++) {
    const x = i / 255;
    lut[i * 3] = byte(poly(r4, r2, x)); lut[i * 3 + 1] = byte(poly(g4, g2, x)); lut[i * 3 + 2] = byte(poly(b4, b2, x));
  }
  return lut;
})();

/** depth (H·W metres; 0 or non-finite = missing, drawn black) → RGB (H·W·3). */
export function colorizeDepth(out: Uint8Array, depth: Float32Array, range: DepthColourRange = DEFAULT_DEPTH_COLOUR_RANGE): Uint8Array {
  const scale = 255 / (range.maxMetres - range.minMetres);
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    const o = i * 3;
    if (!(d > 0) || !Number.isFinite(d)) {
      out[o] = 0; out[o + 1] = 0; out[o + 2] = 0;
      continue;
    }
    const t = Math.min(255, Math.max(0, Math.round((d - range.minMetres) * scale))) * 3;
    out[o] = TURBO_LUT[t]; out[o + 1] = TURBO_LUT[t + 1]; out[o + 2] = TURBO_LUT[t + 2];
  }
  return out;
}
