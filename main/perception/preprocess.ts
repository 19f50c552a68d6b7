import type { BilinearPlan } from './bilinear.js';

/** Per-channel RGB normalisation: network input = (x / 255 − mean) / std. */
export interface ImageNormalisation {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** ImageNet statistics, as the authors train and run the network (network.md, pre-processing). */
export const IMAGENET_NORMALISATION: ImageNormalisation = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/**
 * Row-major HWC uint8 RGB (the frame) → planar CHW float32 normalised network input. When `plan` is given
 * the frame is resampled bilinearly (align_corners = False) from plan.x.srcSize × plan.y.srcSize to
 * plan.x.dstSize × plan.y.dstSize; without it the sizes must agree. Resampling the 8-bit values and then
 * normalising equals normalising and then resampling (normalisation is affine per channel); no rounding to
 * 8 bits happens in between. `out` (3·H·W) is the caller's reused buffer.
 */
export function preprocessRgbToChw(
  out: Float32Array, rgb: Uint8Array, width: number, height: number, norm: ImageNormalisation, plan: BilinearPlan | null,
): Float32Array {
  const a0 = 1 / (255 * norm.std[0]); const b0 = -norm.mean[0] / norm.std[0];
  const a1 = 1 / (255 * norm.std[1]); const b1 = -norm.mean[1] / norm.std[1];
  const a2 = 1 / (255 * norm.std[2]); const b2 = -norm.mean[2] / norm.std[2];
  if (!plan) {
    const n = width * height;
    for (let p = 0, s = 0; p < n; p++, s += 3) {
      out[p] = rgb[s] * a0 + b0;
      out[n + p] = rgb[s + 1] * a1 + b1;
      out[2 * n + p] = rgb[s + 2] * a2 + b2;
    }
    return out;
  }
  const { x, y } = plan;
  const dw = x.dstSize;
  const n = dw * y.dstSize;
  const rowLen = width * 3;
  for (let dy = 0; dy < y.dstSize; dy++) {
    const r0 = y.i0[dy] * rowLen;
    const r1 = y.i1[dy] * rowLen;
    const wy = y.w1[dy];
    for (let dx = 0; dx < dw; dx++) {
      const c0 = x.i0[dx] * 3;
      const c1 = x.i1[dx] * 3;
      const wx = x.w1[dx];
      const p = dy * dw + dx;
      for (let c = 0; c < 3; c++) {
        const t0 = rgb[r0 + c0 + c]; const t1 = rgb[r0 + c1 + c];
        const u0 = rgb[r1 + c0 + c]; const u1 = rgb[r1 + c1 + c];
        const top = t0 + (t1 - t0) * wx;
        const v = top + (u0 + (u1 - u0) * wx - top) * wy;
        out[c * n + p] = c === 0 ? v * a0 + b0 : c === 1 ? v * a1 + b1 : v * a2 + b2;
      }
    }
  }
  return out;
}
