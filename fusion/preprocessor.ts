/**
 * Per-frame preprocessing (ElasticFusion's "raw → filtered → pyramid" stage): depth cut-off, bilateral filter,
 * a pyramid of depth / vertex / normal maps in the camera frame, and an intensity pyramid with gradients for the
 * photometric term. All buffers are allocated once per image size and reused every frame.
 */
import type { Intrinsics } from './camera.js';
import { scaleIntrinsics } from './camera.js';
import type { BufferAllocator } from './parallel/buffers.js';
import { InputStaging } from './parallel/buffers.js';
import type { KernelPool } from './parallel/pool.js';
import { MAX_PARTS, partStart, serialPool } from './parallel/pool.js';

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
  /** Finest level that gets gradients (the photometric term may start at a coarser one). */
  gradientsFromLevel: number;
}

export const DEFAULT_PREPROCESS_OPTIONS: Readonly<PreprocessOptions> = Object.freeze({
  minDepth: 0.2, maxDepth: 4, bilateralRadius: 2, bilateralSigmaSpace: 4.5, bilateralSigmaRange: 0.03, levels: 3, rawTrackingPoints: true, gradients: true, gradientsFromLevel: 0,
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
  /** Squared gradient magnitude (lets the photometric term skip flat pixels without interpolating gradients). */
  readonly gradMag2: Float32Array;
  /**
   * Pixels with depth and a normal, packed for the tracker in pixel order: 6 floats each (vertex, normal, camera
   * frame). They are packed by parts of the image, so they lie in `validSegmentCount` segments: point k (of
   * `validCount`) of segment s (validFirst[s] ≤ k < validFirst[s + 1]) is entry validAt[s] + k − validFirst[s].
   */
  readonly valid: Float32Array;
  validCount: number;
  readonly validFirst: Int32Array;
  readonly validAt: Int32Array;
  validSegmentCount: number;
}

function makeLevel(k: Intrinsics, alloc: BufferAllocator): FrameLevel {
  const n = k.width * k.height;
  return {
    intrinsics: k, width: k.width, height: k.height,
    depth: alloc.f32(n), vertex: alloc.f32(3 * n), normal: alloc.f32(3 * n),
    intensity: alloc.f32(n), gradX: alloc.f32(n), gradY: alloc.f32(n), gradMag2: alloc.f32(n),
    valid: alloc.f32(6 * n), validCount: 0, validFirst: alloc.i32(MAX_PARTS + 1), validAt: alloc.i32(MAX_PARTS), validSegmentCount: 0,
  };
}

/** Pixels per part below which a per-pixel kernel is not worth handing to another thread. */
const MIN_PIXELS_PER_PART = 8192;

export class Preprocessor {
  readonly options: PreprocessOptions;
  readonly levels: FrameLevel[] = [];
  /** Level-0 depth after the cut-off but before filtering: what fusion integrates (ElasticFusion fuses raw depth). */
  readonly rawDepth: Float32Array;
  /** Level-0 RGB of the current frame (the caller's array, or a copy in shared memory when kernels run on workers). */
  rgb: Uint8Array = new Uint8Array(0);
  private readonly spatialWeights1d: Float32Array;
  private readonly tmp: Float32Array;
  private readonly rangeLut: Float32Array;
  private readonly rangeLutScale: number;
  private readonly rgbStaging: InputStaging<Uint8Array>;
  /** Per-part outputs of the kernels (valid-point counts). */
  private readonly partOut: Float64Array;
  /** levelRows' arguments per level (the buffers never change). */
  private readonly levelArgs: LevelArgs[];

  constructor(readonly intrinsics: Intrinsics, options: Partial<PreprocessOptions> = {}, private readonly pool: KernelPool = serialPool) {
    this.options = { ...DEFAULT_PREPROCESS_OPTIONS, ...options };
    const alloc = pool.allocator;
    let k = intrinsics;
    for (let l = 0; l < this.options.levels; l++) {
      this.levels.push(makeLevel(k, alloc));
      k = scaleIntrinsics(k, k.width >> 1, k.height >> 1);
    }
    const n = intrinsics.width * intrinsics.height;
    this.rawDepth = alloc.f32(n);
    this.tmp = alloc.f32(n);
    this.partOut = alloc.f64(MAX_PARTS);
    this.rgbStaging = new InputStaging<Uint8Array>(alloc, (a, m) => a.u8(m));
    const r = this.options.bilateralRadius;
    const s = this.options.bilateralSigmaSpace;
    this.spatialWeights1d = alloc.f32(2 * r + 1);
    for (let a = -r; a <= r; a++) this.spatialWeights1d[a + r] = Math.exp(-(a * a) / (2 * s * s));
    // Range weights tabulated in 0.25 mm steps out to 3σ, beyond which a sample is ignored: no exp() per sample.
    const sr = this.options.bilateralSigmaRange;
    this.rangeLutScale = 4000;
    const m = Math.ceil(3 * sr * this.rangeLutScale) + 1;
    this.rangeLut = alloc.f32(m);
    for (let i = 0; i < m; i++) { const d = i / this.rangeLutScale; this.rangeLut[i] = Math.exp(-(d * d) / (2 * sr * sr)); }
    this.levelArgs = this.levels.map((level, l) => {
      const k = level.intrinsics;
      // Level-0 tracking points from the unfiltered depth: smoothing biases points at creases, and the tracker
      // averages sensor noise over hundreds of thousands of points anyway. Normals stay filtered.
      const raw = l === 0 && this.options.rawTrackingPoints;
      return {
        depth: level.depth, vertex: level.vertex, normal: level.normal, width: level.width, height: level.height,
        fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, valid: level.valid, rawDepth: raw ? this.rawDepth : level.depth, useRaw: raw ? 1 : 0,
        sobel: this.options.gradients && l >= this.options.gradientsFromLevel ? 1 : 0,
        intensity: level.intensity, gradX: level.gradX, gradY: level.gradY, gradMag2: level.gradMag2,
      };
    });
  }

  /** Runs the whole stage on one frame; depth in metres (0 = missing), rgb H×W×3. */
  run(depth: Float32Array, rgb: Uint8Array): void {
    const L0 = this.levels[0];
    const n = L0.width * L0.height;
    if (depth.length !== n) throw new RangeError(`depth has ${depth.length} samples, expected ${n}`);
    if (rgb.length !== 3 * n) throw new RangeError(`rgb has ${rgb.length} bytes, expected ${3 * n}`);
    const pool = this.pool;
    this.rgb = this.rgbStaging.take(rgb);
    const { minDepth, maxDepth } = this.options;
    const raw = this.rawDepth;
    for (let i = 0; i < n; i++) {
      const d = depth[i];
      raw[i] = d >= minDepth && d <= maxDepth ? d : 0;
    }
    const w = L0.width, h = L0.height, minRows = Math.ceil(MIN_PIXELS_PER_PART / w);
    const bil = { width: w, height: h, radius: this.options.bilateralRadius, spatial: this.spatialWeights1d, rangeLut: this.rangeLut, lutScale: this.rangeLutScale };
    pool.run('bilateralRows', { ...bil, src: raw, dst: this.tmp, horizontal: 1 }, h, this.partOut, 1, minRows);
    pool.run('bilateralRows', { ...bil, src: this.tmp, dst: L0.depth, horizontal: 0 }, h, this.partOut, 1, minRows);
    pool.run('intensityPixels', { rgb: this.rgb, intensity: L0.intensity }, n, this.partOut, 1, MIN_PIXELS_PER_PART);
    for (let l = 1; l < this.levels.length; l++) {
      const a = this.levels[l - 1], b = this.levels[l];
      pool.run('downsampleRows', {
        aDepth: a.depth, aIntensity: a.intensity, bDepth: b.depth, bIntensity: b.intensity, aw: a.width, bw: b.width,
        gate: 3 * this.options.bilateralSigmaRange,
      }, b.height, this.partOut, 1, Math.ceil(MIN_PIXELS_PER_PART / b.width));
    }
    for (let l = 0; l < this.levels.length; l++) {
      const level = this.levels[l];
      const lw = level.width, lh = level.height;
      // Vertices, normals, the packed tracking points and the gradients of a level in one hand-off to the pool.
      const parts = pool.run('levelRows', this.levelArgs[l], lh, this.partOut, 1, Math.ceil(MIN_PIXELS_PER_PART / lw));
      // Each part packed its rows' points from its first pixel on: one segment per part.
      let count = 0;
      for (let p = 0; p < parts; p++) {
        level.validFirst[p] = count;
        level.validAt[p] = partStart(lh, parts, p) * lw;
        count += this.partOut[p];
      }
      level.validFirst[parts] = count;
      level.validSegmentCount = parts;
      level.validCount = count;
    }
  }
}

/** Arguments of levelRows: a level's geometry, what it packs, and its gradients. */
export interface LevelArgs extends GeometryArgs, CompactArgs {
  /** Sobel gradients of `intensity` into gradX / gradY / gradMag2 (1) or none (0). */
  sobel: number;
  intensity: Float32Array;
  gradX: Float32Array;
  gradY: Float32Array;
  gradMag2: Float32Array;
}

/**
 * Rows [y0, y1) of one pyramid level: vertices (vertexRows), normals (normalRowsFromOwnVertices, the neighbour rows' vertices
 * computed here from their depth, rounded to float32 as vertexRows stores them, since another part may own those
 * rows), the rows' tracking points packed from pixel y0·width on (compactPixels; out[o] = how many), and the
 * Sobel gradients. One kernel instead of four: a quarter of the threads' meetings, the rows still in cache.
 */
export function levelRows(a: LevelArgs, y0: number, y1: number, out: Float64Array, o: number): void {
  vertexRows(a, y0, y1);
  normalRowsFromOwnVertices(a, y0, y1);
  compactPixels(a, y0 * a.width, y1 * a.width, out, o);
  if (a.sobel === 1) sobelRows({ img: a.intensity, gx: a.gradX, gy: a.gradY, mag2: a.gradMag2, width: a.width, height: a.height }, y0, y1);
}

/**
 * Normals of rows [y0, y1) by central differences of the vertex map, oriented towards the camera; zero at missing
 * neighbours, across depth discontinuities (neighbour depth differing by more than 5% of the centre depth) and on
 * the image border. The rows' own vertices are written (vertexRows) but the neighbour rows' may not be yet (another
 * part owns them), so the vertices above and below are recomputed from depth exactly as vertexRows stores them.
 */
function normalRowsFromOwnVertices(a: GeometryArgs, y0: number, y1: number): void {
  const { depth, vertex, normal, width: w, height: h, fx, fy, cx, cy } = a;
  const ifx = 1 / fx, ify = 1 / fy;
  const fround = Math.fround;
  normal.fill(0, 3 * y0 * w, 3 * y1 * w);
  const ya = y0 < 1 ? 1 : y0, yb = y1 > h - 1 ? h - 1 : y1;
  for (let y = ya; y < yb; y++) {
    const ryu = (y - 1 - cy) * ify, ryb = (y + 1 - cy) * ify;
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
      const xu = (x - cx) * ifx;
      const bx = fround(xu * db) - fround(xu * du), by = fround(ryb * db) - fround(ryu * du), bz = db - du;
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

export interface BilateralArgs {
  src: Float32Array;
  dst: Float32Array;
  width: number;
  height: number;
  /** 1: the pass along rows; 0: along columns. */
  horizontal: number;
  radius: number;
  /** Spatial weights of offsets −r..r. */
  spatial: Float32Array;
  /** Range weights by |Δd|·lutScale (samples beyond the table are ignored). */
  rangeLut: Float32Array;
  lutScale: number;
}

/**
 * One pass of the separable bilateral filter (a horizontal then a vertical pass, each weighting samples by
 * spatial distance and by depth difference to the pass's centre sample: 2(2r+1) instead of (2r+1)² samples),
 * rows [y0, y1).
 */
export function bilateralRows(a: BilateralArgs, y0: number, y1: number): void {
  const { src, dst, width: w, height: h, radius: r, spatial: sw, rangeLut: lut, lutScale: scale } = a;
  const lutN = lut.length;
  const horizontal = a.horizontal === 1;
  const step = horizontal ? 1 : w, len = horizontal ? w : h;
  // Radius 2 (the default): interior pixels take their five taps unrolled, the same sums in the same order as the
  // general loop (1.5× faster; this filter was most of the preprocessing).
  const unrolled = r === 2;
  const s0 = sw[0], s1 = sw[1], s2 = unrolled ? sw[2] * lut[0] : 0, s3 = sw[3], s4 = sw[4];
  for (let y = y0; y < y1; y++) {
    for (let x = 0, i = y * w; x < w; x++, i++) {
      const d0 = src[i];
      if (d0 === 0) { dst[i] = 0; continue; }
      const pos = horizontal ? x : y;
      if (unrolled && pos >= 2 && pos < len - 2) {
        let sum = 0, wsum = 0, d = src[i - 2 * step], li = 0, wt = 0;
        if (d !== 0) { li = ((d > d0 ? d - d0 : d0 - d) * scale + 0.5) | 0; if (li < lutN) { wt = s0 * lut[li]; sum += wt * d; wsum += wt; } }
        d = src[i - step];
        if (d !== 0) { li = ((d > d0 ? d - d0 : d0 - d) * scale + 0.5) | 0; if (li < lutN) { wt = s1 * lut[li]; sum += wt * d; wsum += wt; } }
        sum += s2 * d0; wsum += s2;
        d = src[i + step];
        if (d !== 0) { li = ((d > d0 ? d - d0 : d0 - d) * scale + 0.5) | 0; if (li < lutN) { wt = s3 * lut[li]; sum += wt * d; wsum += wt; } }
        d = src[i + 2 * step];
        if (d !== 0) { li = ((d > d0 ? d - d0 : d0 - d) * scale + 0.5) | 0; if (li < lutN) { wt = s4 * lut[li]; sum += wt * d; wsum += wt; } }
        dst[i] = sum / wsum;
        continue;
      }
      const a0 = pos - r < 0 ? -pos : -r, a1 = pos + r >= len ? len - 1 - pos : r;
      let sum = 0, wsum = 0;
      for (let k = a0, j = i + a0 * step; k <= a1; k++, j += step) {
        const d = src[j];
        if (d === 0) continue;
        const li = ((d > d0 ? d - d0 : d0 - d) * scale + 0.5) | 0;
        if (li >= lutN) continue;
        const wt = sw[k + r] * lut[li];
        sum += wt * d; wsum += wt;
      }
      dst[i] = sum / wsum;
    }
  }
}

/** Intensity in [0, 1] of pixels [i0, i1) from RGB. */
export function intensityPixels(a: { rgb: Uint8Array; intensity: Float32Array }, i0: number, i1: number): void {
  const rgb = a.rgb, I = a.intensity;
  for (let i = i0, j = 3 * i0; i < i1; i++, j += 3) I[i] = (0.299 * rgb[j] + 0.587 * rgb[j + 1] + 0.114 * rgb[j + 2]) / 255;
}

export interface GeometryArgs {
  depth: Float32Array;
  vertex: Float32Array;
  normal: Float32Array;
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/** Back-projects rows [y0, y1) of the depth map into camera-frame vertices (zero where depth is missing). */
function vertexRows(a: GeometryArgs, y0: number, y1: number): void {
  const { depth, vertex, width, fx, fy, cx, cy } = a;
  const ifx = 1 / fx, ify = 1 / fy;
  for (let y = y0, i = y0 * width; y < y1; y++) {
    const ry = (y - cy) * ify;
    for (let x = 0; x < width; x++, i++) {
      const d = depth[i];
      vertex[3 * i] = (x - cx) * ifx * d;
      vertex[3 * i + 1] = ry * d;
      vertex[3 * i + 2] = d;
    }
  }
}

export interface CompactArgs {
  depth: Float32Array;
  vertex: Float32Array;
  normal: Float32Array;
  valid: Float32Array;
  /** Level-0 unfiltered depth for the points' positions when useRaw = 1. */
  rawDepth: Float32Array;
  useRaw: number;
}

/** Packs pixels [i0, i1) with depth and normal into valid (vertex, normal) from entry i0 on; out[o] = how many. */
function compactPixels(a: CompactArgs, i0: number, i1: number, out: Float64Array, o: number): void {
  const { depth, vertex, normal, valid, rawDepth } = a;
  const useRaw = a.useRaw === 1;
  let n = i0;
  for (let i = i0; i < i1; i++) {
    if (depth[i] === 0) continue;
    const nx = normal[3 * i], ny = normal[3 * i + 1], nz = normal[3 * i + 2];
    if (nx === 0 && ny === 0 && nz === 0) continue;
    const o6 = 6 * n;
    if (useRaw) {
      const r = rawDepth[i];
      if (r === 0) continue;
      const s = r / depth[i];
      valid[o6] = vertex[3 * i] * s; valid[o6 + 1] = vertex[3 * i + 1] * s; valid[o6 + 2] = r;
    } else {
      valid[o6] = vertex[3 * i]; valid[o6 + 1] = vertex[3 * i + 1]; valid[o6 + 2] = vertex[3 * i + 2];
    }
    n++;
    valid[o6 + 3] = nx; valid[o6 + 4] = ny; valid[o6 + 5] = nz;
  }
  out[o] = n - i0;
}

/**
 * Sobel gradients of rows [y0, y1) scaled by 1/8 so they are per-pixel intensity differences, and their squared
 * magnitude; zero on the border.
 */
function sobelRows(a: { img: Float32Array; gx: Float32Array; gy: Float32Array; mag2: Float32Array; width: number; height: number }, y0: number, y1: number): void {
  const { img, gx, gy, mag2, width: w, height: h } = a;
  gx.fill(0, y0 * w, y1 * w); gy.fill(0, y0 * w, y1 * w); mag2.fill(0, y0 * w, y1 * w);
  const ya = y0 < 1 ? 1 : y0, yb = y1 > h - 1 ? h - 1 : y1;
  for (let y = ya; y < yb; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const a0 = img[i - w - 1], b = img[i - w], c = img[i - w + 1];
      const d = img[i - 1], f = img[i + 1];
      const g = img[i + w - 1], hh = img[i + w], k = img[i + w + 1];
      const ex = (c + 2 * f + k - a0 - 2 * d - g) * 0.125, ey = (g + 2 * hh + k - a0 - 2 * b - c) * 0.125;
      gx[i] = ex; gy[i] = ey;
      mag2[i] = ex * ex + ey * ey;
    }
  }
}

export interface DownsampleArgs {
  aDepth: Float32Array;
  aIntensity: Float32Array;
  bDepth: Float32Array;
  bIntensity: Float32Array;
  aw: number;
  bw: number;
  /** Depth samples farther than this (m) behind the block's nearest one are left out of its mean. */
  gate: number;
}

/** Rows [y0, y1) of the next level: 2×2 block average; depth averages only samples within the gate of the block's nearest sample. */
export function downsampleRows(a: DownsampleArgs, y0: number, y1: number): void {
  const wa = a.aw, wb = a.bw, gate = a.gate;
  const aD = a.aDepth, aI = a.aIntensity, bD = a.bDepth, bI = a.bIntensity;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < wb; x++) {
      const i0 = 2 * y * wa + 2 * x;
      const i1 = i0 + 1, i2 = i0 + wa, i3 = i2 + 1;
      const o = y * wb + x;
      bI[o] = 0.25 * (aI[i0] + aI[i1] + aI[i2] + aI[i3]);
      const d0 = aD[i0], d1 = aD[i1], d2 = aD[i2], d3 = aD[i3];
      let ref = Infinity;
      if (d0 > 0 && d0 < ref) ref = d0;
      if (d1 > 0 && d1 < ref) ref = d1;
      if (d2 > 0 && d2 < ref) ref = d2;
      if (d3 > 0 && d3 < ref) ref = d3;
      if (ref === Infinity) { bD[o] = 0; continue; }
      let s = 0, c = 0;
      if (d0 > 0 && d0 - ref < gate) { s += d0; c++; }
      if (d1 > 0 && d1 - ref < gate) { s += d1; c++; }
      if (d2 > 0 && d2 - ref < gate) { s += d2; c++; }
      if (d3 > 0 && d3 - ref < gate) { s += d3; c++; }
      bD[o] = s / c;
    }
  }
}
