/**
 * Per-frame preprocessing (ElasticFusion's "raw → filtered → pyramid" stage): depth cut-off, bilateral filter,
 * a pyramid of depth / vertex / normal maps in the camera frame, and an intensity pyramid with gradients for the
 * photometric term. All buffers are allocated once per image size and reused every frame.
 */
import type { Intrinsics } from './camera.js';
import { scaleIntrinsics } from './camera.js';

export interface PreprocessOptions {
  minDepth: number;
  maxDepth: number;
  bilateralRadius: number;
  bilateralSigmaSpace: number;
  bilateralSigmaRange: number;
  levels: number;
  /** Level-0 tracking points from the unfiltered depth (normals are always from the filtered depth). */
  rawTrackingPoints: boolean;
  /** Build the intensity gradients (only the photometric term needs them). */
  gradients: boolean;
}

export const DEFAULT_PREPROCESS_OPTIONS: Readonly<PreprocessOptions> = Object.freeze({
  minDepth: 0.2, maxDepth: 4, bilateralRadius: 2, bilateralSigmaSpace: 4.5, bilateralSigmaRange: 0.03, levels: 3, rawTrackingPoints: true, gradients: true,
});

/** One pyramid level. Invalid pixels have depth 0 (and a zero vertex / normal). */
export interface FrameLevel {
  readonly intrinsics: Intrinsics;
  readonly width: number;
  readonly height: number;
  /** Filtered depth (m). */
  readonly depth: Float32Array;
  /** Camera-frame vertices, 3 per pixel. */
  readonly vertex: Float32Array;
  /** Camera-frame unit normals facing the camera, 3 per pixel; all zero where undefined. */
  readonly normal: Float32Array;
  /** Intensity in [0, 1]. */
  readonly intensity: Float32Array;
  /** Intensity gradients (per pixel at this level), Sobel. */
  readonly gradX: Float32Array;
  readonly gradY: Float32Array;
  /**
   * Pixels with depth and a normal, compacted for the tracker: 6 floats each (vertex, normal, camera frame).
   * Only the first `validCount` entries are meaningful.
   */
  readonly valid: Float32Array;
  validCount: number;
}

function makeLevel(k: Intrinsics): FrameLevel {
  const n = k.width * k.height;
  return {
    intrinsics: k, width: k.width, height: k.height,
    depth: new Float32Array(n), vertex: new Float32Array(3 * n), normal: new Float32Array(3 * n),
    intensity: new Float32Array(n), gradX: new Float32Array(n), gradY: new Float32Array(n),
    valid: new Float32Array(6 * n), validCount: 0,
  };
}

export class Preprocessor {
  readonly options: PreprocessOptions;
  readonly levels: FrameLevel[] = [];
  /** Level-0 depth after the cut-off but before filtering: what fusion integrates (ElasticFusion fuses raw depth). */
  readonly rawDepth: Float32Array;
  /** Level-0 RGB as given (kept by reference for the current frame only). */
  rgb: Uint8Array = new Uint8Array(0);
  private readonly spatialWeights1d: Float32Array;
  private tmp = new Float32Array(0);
  private readonly rangeLut: Float32Array;
  private readonly rangeLutScale: number;

  constructor(readonly intrinsics: Intrinsics, options: Partial<PreprocessOptions> = {}) {
    this.options = { ...DEFAULT_PREPROCESS_OPTIONS, ...options };
    let k = intrinsics;
    for (let l = 0; l < this.options.levels; l++) {
      this.levels.push(makeLevel(k));
      k = scaleIntrinsics(k, k.width >> 1, k.height >> 1);
    }
    this.rawDepth = new Float32Array(intrinsics.width * intrinsics.height);
    const r = this.options.bilateralRadius;
    const s = this.options.bilateralSigmaSpace;
    this.spatialWeights1d = new Float32Array(2 * r + 1);
    for (let a = -r; a <= r; a++) this.spatialWeights1d[a + r] = Math.exp(-(a * a) / (2 * s * s));
    // Range weights tabulated in 0.25 mm steps out to 3σ, beyond which a sample is ignored: no exp() per sample.
    const sr = this.options.bilateralSigmaRange;
    this.rangeLutScale = 4000;
    const m = Math.ceil(3 * sr * this.rangeLutScale) + 1;
    this.rangeLut = new Float32Array(m);
    for (let i = 0; i < m; i++) { const d = i / this.rangeLutScale; this.rangeLut[i] = Math.exp(-(d * d) / (2 * sr * sr)); }
  }

  /** Runs the whole stage on one frame; depth in metres (0 = missing), rgb H×W×3. */
  run(depth: Float32Array, rgb: Uint8Array): void {
    const L0 = this.levels[0];
    const n = L0.width * L0.height;
    if (depth.length !== n) throw new RangeError(`depth has ${depth.length} samples, expected ${n}`);
    if (rgb.length !== 3 * n) throw new RangeError(`rgb has ${rgb.length} bytes, expected ${3 * n}`);
    this.rgb = rgb;
    const { minDepth, maxDepth } = this.options;
    const raw = this.rawDepth;
    for (let i = 0; i < n; i++) {
      const d = depth[i];
      raw[i] = d >= minDepth && d <= maxDepth ? d : 0;
    }
    this.bilateral(raw, L0.depth, L0.width, L0.height);
    const I0 = L0.intensity;
    for (let i = 0, j = 0; i < n; i++, j += 3) I0[i] = (0.299 * rgb[j] + 0.587 * rgb[j + 1] + 0.114 * rgb[j + 2]) / 255;
    for (let l = 1; l < this.levels.length; l++) this.downsample(this.levels[l - 1], this.levels[l]);
    for (let l = 0; l < this.levels.length; l++) {
      const level = this.levels[l];
      computeVertices(level);
      computeNormals(level);
      // Level-0 tracking points from the unfiltered depth: smoothing biases points at creases, and the tracker
      // averages sensor noise over hundreds of thousands of points anyway. Normals stay filtered.
      compactValid(level, l === 0 && this.options.rawTrackingPoints ? this.rawDepth : null);
      if (this.options.gradients) sobel(level.intensity, level.gradX, level.gradY, level.width, level.height);
    }
  }

  /**
   * Bilateral filter, separable approximation (a horizontal then a vertical pass, each weighting samples by
   * spatial distance and by depth difference to the pass's centre sample): 2(2r+1) instead of (2r+1)² samples.
   */
  private bilateral(src: Float32Array, dst: Float32Array, w: number, h: number): void {
    if (this.tmp.length !== src.length) this.tmp = new Float32Array(src.length);
    this.bilateralPass(src, this.tmp, w, h, 1, w);
    this.bilateralPass(this.tmp, dst, w, h, w, h);
  }

  /** One 1-D pass along rows (step 1, length w) or columns (step w, length h). */
  private bilateralPass(src: Float32Array, dst: Float32Array, w: number, h: number, step: number, len: number): void {
    const r = this.options.bilateralRadius;
    const sw = this.spatialWeights1d;
    const lut = this.rangeLut;
    const lutN = lut.length;
    const scale = this.rangeLutScale;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const d0 = src[i];
        if (d0 === 0) { dst[i] = 0; continue; }
        const pos = step === 1 ? x : y;
        const a0 = pos - r < 0 ? -pos : -r, a1 = pos + r >= len ? len - 1 - pos : r;
        let sum = 0, wsum = 0;
        for (let a = a0; a <= a1; a++) {
          const d = src[i + a * step];
          if (d === 0) continue;
          const k = ((d > d0 ? d - d0 : d0 - d) * scale + 0.5) | 0;
          if (k >= lutN) continue;
          const wt = sw[a + r] * lut[k];
          sum += wt * d; wsum += wt;
        }
        dst[i] = sum / wsum;
      }
    }
  }

  /** 2×2 block average; depth averages only samples within 3σ_range of the block's nearest sample. */
  private downsample(a: FrameLevel, b: FrameLevel): void {
    const wa = a.width;
    const gate = 3 * this.options.bilateralSigmaRange;
    for (let y = 0; y < b.height; y++) {
      for (let x = 0; x < b.width; x++) {
        const i0 = 2 * y * wa + 2 * x;
        const i1 = i0 + 1, i2 = i0 + wa, i3 = i2 + 1;
        const o = y * b.width + x;
        b.intensity[o] = 0.25 * (a.intensity[i0] + a.intensity[i1] + a.intensity[i2] + a.intensity[i3]);
        const d0 = a.depth[i0], d1 = a.depth[i1], d2 = a.depth[i2], d3 = a.depth[i3];
        let ref = Infinity;
        if (d0 > 0 && d0 < ref) ref = d0;
        if (d1 > 0 && d1 < ref) ref = d1;
        if (d2 > 0 && d2 < ref) ref = d2;
        if (d3 > 0 && d3 < ref) ref = d3;
        if (ref === Infinity) { b.depth[o] = 0; continue; }
        let s = 0, c = 0;
        if (d0 > 0 && d0 - ref < gate) { s += d0; c++; }
        if (d1 > 0 && d1 - ref < gate) { s += d1; c++; }
        if (d2 > 0 && d2 - ref < gate) { s += d2; c++; }
        if (d3 > 0 && d3 - ref < gate) { s += d3; c++; }
        b.depth[o] = s / c;
      }
    }
  }
}

/** Back-projects a depth map into camera-frame vertices (zero where depth is missing). */
export function computeVertices(level: FrameLevel): void {
  const { fx, fy, cx, cy } = level.intrinsics;
  const ifx = 1 / fx, ify = 1 / fy;
  const { depth, vertex, width, height } = level;
  for (let y = 0, i = 0; y < height; y++) {
    const ry = (y - cy) * ify;
    for (let x = 0; x < width; x++, i++) {
      const d = depth[i];
      vertex[3 * i] = (x - cx) * ifx * d;
      vertex[3 * i + 1] = ry * d;
      vertex[3 * i + 2] = d;
    }
  }
}

/**
 * Normals by central differences of the vertex map, oriented towards the camera. Undefined (zero) at missing
 * neighbours and across depth discontinuities (neighbour depth differing by more than 5% of the centre depth).
 */
export function computeNormals(level: FrameLevel): void {
  const { depth, vertex, normal, width: w, height: h } = level;
  normal.fill(0);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const d = depth[i];
      if (d === 0) continue;
      const l = i - 1, r = i + 1, u = i - w, b = i + w;
      const dl = depth[l], dr = depth[r], du = depth[u], db = depth[b];
      const gate = 0.05 * d;
      if (dl === 0 || dr === 0 || du === 0 || db === 0) continue;
      if (Math.abs(dl - d) > gate || Math.abs(dr - d) > gate || Math.abs(du - d) > gate || Math.abs(db - d) > gate) continue;
      const ax = vertex[3 * r] - vertex[3 * l], ay = vertex[3 * r + 1] - vertex[3 * l + 1], az = vertex[3 * r + 2] - vertex[3 * l + 2];
      const bx = vertex[3 * b] - vertex[3 * u], by = vertex[3 * b + 1] - vertex[3 * u + 1], bz = vertex[3 * b + 2] - vertex[3 * u + 2];
      let nx = ay * bz - az * by, ny = az * bx - ax * bz, nz = ax * by - ay * bx;
      const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
      if (!(len > 0)) continue;
      // Facing the camera: n · v < 0.
      const s = nx * vertex[3 * i] + ny * vertex[3 * i + 1] + nz * d > 0 ? -1 / len : 1 / len;
      nx *= s; ny *= s; nz *= s;
      normal[3 * i] = nx; normal[3 * i + 1] = ny; normal[3 * i + 2] = nz;
    }
  }
}

/** Packs the pixels with depth and normal into level.valid (vertex, normal). */
export function compactValid(level: FrameLevel, rawDepth: Float32Array | null): void {
  const { depth, vertex, normal, valid } = level;
  let n = 0;
  for (let i = 0; i < depth.length; i++) {
    if (depth[i] === 0) continue;
    const nx = normal[3 * i], ny = normal[3 * i + 1], nz = normal[3 * i + 2];
    if (nx === 0 && ny === 0 && nz === 0) continue;
    const o = 6 * n;
    if (rawDepth) {
      const r = rawDepth[i];
      if (r === 0) continue;
      const s = r / depth[i];
      valid[o] = vertex[3 * i] * s; valid[o + 1] = vertex[3 * i + 1] * s; valid[o + 2] = r;
    } else {
      valid[o] = vertex[3 * i]; valid[o + 1] = vertex[3 * i + 1]; valid[o + 2] = vertex[3 * i + 2];
    }
    n++;
    valid[o + 3] = nx; valid[o + 4] = ny; valid[o + 5] = nz;
  }
  level.validCount = n;
}

/** Sobel gradients scaled by 1/8 so they are per-pixel intensity differences; zero on the border. */
export function sobel(img: Float32Array, gx: Float32Array, gy: Float32Array, w: number, h: number): void {
  gx.fill(0); gy.fill(0);
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const a = img[i - w - 1], b = img[i - w], c = img[i - w + 1];
      const d = img[i - 1], f = img[i + 1];
      const g = img[i + w - 1], hh = img[i + w], k = img[i + w + 1];
      gx[i] = (c + 2 * f + k - a - 2 * d - g) * 0.125;
      gy[i] = (g + 2 * hh + k - a - 2 * b - c) * 0.125;
    }
  }
}
