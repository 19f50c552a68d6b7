/**
 * Bilinear resampling with PyTorch's `align_corners=False` convention (half-pixel centres; source
 * coordinates below 0 clamp to 0), the same as the network's own upsampling and the training loss.
 * Index/weight tables are computed once per (source, destination) size and reused for every frame.
 */

/** One axis of a bilinear resampling: destination i reads source i0[i] and i1[i] with weight w1[i] on i1. */
export interface BilinearAxis {
  readonly srcSize: number;
  readonly dstSize: number;
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w1: Float32Array;
}

export function bilinearAxis(srcSize: number, dstSize: number): BilinearAxis {
  const i0 = new Int32Array(dstSize);
  const i1 = new Int32Array(dstSize);
  const w1 = new Float32Array(dstSize);
  const scale = srcSize / dstSize;
  for (let d = 0; d < dstSize; d++) {
    const src = Math.max((d + 0.5) * scale - 0.5, 0);
    const lo = Math.min(Math.floor(src), srcSize - 1);
    i0[d] = lo;
    i1[d] = lo < srcSize - 1 ? lo + 1 : lo;
    w1[d] = src - lo;
  }
  return { srcSize, dstSize, i0, i1, w1 };
}

/** Tables for a 2-D resampling plus a row scratch buffer sized for `channels` interleaved channels. */
export interface BilinearPlan {
  readonly x: BilinearAxis;
  readonly y: BilinearAxis;
  readonly channels: number;
  /** One vertically blended source row (srcWidth · channels). */
  readonly rowScratch: Float32Array;
}

export function bilinearPlan(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number, channels: number): BilinearPlan {
  return {
    x: bilinearAxis(srcWidth, dstWidth),
    y: bilinearAxis(srcHeight, dstHeight),
    channels,
    rowScratch: new Float32Array(srcWidth * channels),
  };
}

/**
 * Resamples interleaved (pixel-major) channels: src is srcH·srcW·C, out is dstH·dstW·C. Separable: each
 * destination row first blends its two source rows (srcW·C values), then blends along x; 2·C MACs per
 * output pixel instead of 4·C.
 */
export function resamplePixelMajor(out: Float32Array, src: Float32Array, plan: BilinearPlan): Float32Array {
  const { x, y, channels: c, rowScratch: row } = plan;
  const srcRowLen = x.srcSize * c;
  for (let dy = 0; dy < y.dstSize; dy++) {
    const r0 = y.i0[dy] * srcRowLen;
    const r1 = y.i1[dy] * srcRowLen;
    const wy = y.w1[dy];
    for (let i = 0; i < srcRowLen; i++) {
      const a = src[r0 + i];
      row[i] = a + (src[r1 + i] - a) * wy;
    }
    let o = dy * x.dstSize * c;
    for (let dx = 0; dx < x.dstSize; dx++) {
      const s0 = x.i0[dx] * c;
      const s1 = x.i1[dx] * c;
      const wx = x.w1[dx];
      for (let k = 0; k < c; k++) {
        const a = row[s0 + k];
        out[o++] = a + (row[s1 + k] - a) * wx;
      }
    }
  }
  return out;
}

/**
 * Resamples one channel plane (srcH·srcW → dstH·dstW), optionally taking the absolute value of each result
 * (the network's depth is raw and the authors take abs() after resizing).
 */
export function resamplePlane(out: Float32Array, src: Float32Array, plan: BilinearPlan, absolute = false): Float32Array {
  const { x, y } = plan;
  const sw = x.srcSize;
  for (let dy = 0; dy < y.dstSize; dy++) {
    const r0 = y.i0[dy] * sw;
    const r1 = y.i1[dy] * sw;
    const wy = y.w1[dy];
    let o = dy * x.dstSize;
    for (let dx = 0; dx < x.dstSize; dx++) {
      const a0 = x.i0[dx];
      const a1 = x.i1[dx];
      const wx = x.w1[dx];
      const top = src[r0 + a0] + (src[r0 + a1] - src[r0 + a0]) * wx;
      const bottom = src[r1 + a0] + (src[r1 + a1] - src[r1 + a0]) * wx;
      const v = top + (bottom - top) * wy;
      out[o++] = absolute ? Math.abs(v) : v;
    }
  }
  return out;
}
