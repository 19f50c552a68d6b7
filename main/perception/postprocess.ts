import type { BilinearPlan } from './bilinear.js';

/**
 * Post-processing of the network's outputs (all output-first and allocation-free).
 *
 * Order chosen: softmax at the network's output resolution (1/4 of its input), then bilinear upsampling of
 * the probabilities to the frame. A bilinear blend is a convex combination of distributions, so every
 * upsampled pixel is still a distribution (sums to 1); it costs 16× fewer exponentials than upsampling the
 * logits first. The authors upsample logits (bicubic) then argmax; the two can differ only on class
 * boundaries.
 */

/** Planar logits [C, n] (the network's NCHW output, N = 1) → pixel-major probabilities n·C. */
export function softmaxChwToPixelMajor(out: Float32Array, logits: Float32Array, classes: number, pixelCount: number): Float32Array {
  for (let p = 0; p < pixelCount; p++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) {
      const v = logits[k * pixelCount + p];
      if (v > max) max = v;
    }
    const o = p * classes;
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const e = Math.exp(logits[k * pixelCount + p] - max);
      out[o + k] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let k = 0; k < classes; k++) out[o + k] *= inv;
  }
  return out;
}

/** Per-pixel argmax of pixel-major scores (first maximum wins ties). */
export function argmaxPixelMajor(out: Uint8Array, scores: Float32Array, classes: number, pixelCount: number): Uint8Array {
  for (let p = 0; p < pixelCount; p++) {
    const o = p * classes;
    let best = 0;
    let bestV = scores[o];
    for (let k = 1; k < classes; k++) {
      const v = scores[o + k];
      if (v > bestV) { bestV = v; best = k; }
    }
    out[p] = best;
  }
  return out;
}

/**
 * Argmax of the bilinearly upsampled probabilities without materialising them. Where the four source
 * pixels blended into an output pixel share one argmax k, the blend's argmax is k too (p_k ≥ p_j holds for
 * each source, so it holds for any convex combination); only pixels near class boundaries blend all C
 * channels, from a vertically pre-blended source row (separable: 2·C MACs per such pixel). On an exact tie
 * the shortcut keeps k.
 *
 * `probs` are the low-resolution pixel-major probabilities (plan.x.srcSize · plan.y.srcSize · C) and
 * `lowLabels` their argmax; plan.channels must be C.
 */
export function upsampledArgmax(out: Uint8Array, probs: Float32Array, lowLabels: Uint8Array, plan: BilinearPlan): Uint8Array {
  const { x, y, channels: c, rowScratch: row } = plan;
  const sw = x.srcSize;
  const rowLen = sw * c;
  for (let dy = 0; dy < y.dstSize; dy++) {
    const r0 = y.i0[dy] * sw;
    const r1 = y.i1[dy] * sw;
    const wy = y.w1[dy];
    let blended = false;
    let o = dy * x.dstSize;
    for (let dx = 0; dx < x.dstSize; dx++, o++) {
      const a0 = x.i0[dx];
      const a1 = x.i1[dx];
      const k = lowLabels[r0 + a0];
      if (lowLabels[r0 + a1] === k && lowLabels[r1 + a0] === k && lowLabels[r1 + a1] === k) {
        out[o] = k;
        continue;
      }
      if (!blended) {
        const p0 = r0 * c;
        const p1 = r1 * c;
        for (let i = 0; i < rowLen; i++) {
          const v = probs[p0 + i];
          row[i] = v + (probs[p1 + i] - v) * wy;
        }
        blended = true;
      }
      const wx = x.w1[dx];
      const s0 = a0 * c;
      const s1 = a1 * c;
      let best = 0;
      let bestV = -Infinity;
      for (let j = 0; j < c; j++) {
        const v0 = row[s0 + j];
        const v = v0 + (row[s1 + j] - v0) * wx;
        if (v > bestV) { bestV = v; best = j; }
      }
      out[o] = best;
    }
  }
  return out;
}
