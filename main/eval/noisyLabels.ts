// A stateless integer hash: no RNG state to allocate per frame.
import { hash32 } from '../synth/random.js';
import { NYU13_CLASS_COUNT, remapLabels40to13 } from '../../fusion/classes.js';

/**
 * "gt-noisy" labels: turns a ground-truth NYU40 label image into the kind of 13-class probability map a real
 * CNN produces, so label fusion can be evaluated without running a network. SemanticFusion's single-frame
 * CNN scores roughly 60–70 % pixel accuracy on NYUDv2; its errors are not salt-and-pepper but
 *   - boundary bands: object outlines are displaced and wobbly (low-resolution decoder, upsampling);
 *   - blobs: whole regions take a plausible wrong class (wall ↔ picture, chair ↔ sofa, table ↔ furniture),
 *     spatially coherent but different from one view to the next;
 *   - soft outputs: the winning class rarely has probability 1, and the true class is often the runner-up.
 * The simulator reproduces these from three noise sources, all deterministic in (seed, frameIndex):
 *   1. a smooth displacement field (value noise) that looks up the label a few pixels away → boundary errors;
 *   2. a thresholded smooth field → blobs where the label is swapped for a confusion partner of that class;
 *   3. per-pixel logit noise, softmax → soft probabilities.
 * Output layout: pixel-major H·W·13 Float32, channel c = 13-class id c + 1 (as fusion/classes.ts).
 */

export interface NoisyLabelOptions {
  /** Seed of every random field; with the frame index it fixes the output. */
  readonly seed: number;
  /** Largest boundary displacement, as a fraction of image width (0.02 → ~13 px at 640). */
  readonly boundaryShift: number;
  /** Feature size of the displacement field, fraction of width (smaller = more wobbly outlines). */
  readonly boundaryScale: number;
  /** Feature size of the confusion blobs, fraction of width. */
  readonly blobScale: number;
  /** Roughly the fraction of the image inside a confusion blob. */
  readonly blobCoverage: number;
  /** Logit lead of the displayed class (possibly wrong) over the rest. */
  readonly margin: number;
  /** Logit bonus the true class keeps where a blob replaced it: the CNN's runner-up. */
  readonly trueClassResidual: number;
  /** Half-width of the per-pixel, per-class logit noise (triangular distribution). */
  readonly logitNoise: number;
}

/** Tuned so single-frame pixel accuracy on NYUDv2 ground truth lands near 65 % (see test/eval). */
export const DEFAULT_NOISY_LABEL_OPTIONS: NoisyLabelOptions = {
  seed: 1,
  boundaryShift: 0.03,
  boundaryScale: 0.06,
  blobScale: 0.2,
  blobCoverage: 0.2,
  margin: 2.8,
  trueClassResidual: 1.2,
  logitNoise: 2.2,
};

/**
 * Plausible confusions of the 13-class set (index = class id 1..13; two partners each), the pairs
 * SemanticFusion's and RefineNet's NYUDv2 confusion matrices show most.
 */
const CONFUSION_PARTNERS: readonly (readonly [number, number])[] = [
  [0, 0], // 0 unlabelled (unused)
  [9, 6], // bed → sofa, furniture
  [7, 6], // books → objects, furniture
  [12, 13], // ceiling → wall, window
  [9, 6], // chair → sofa, furniture
  [6, 12], // floor → furniture (rugs, low cabinets), wall
  [10, 7], // furniture → table, objects
  [6, 2], // objects → furniture, books
  [12, 13], // picture → wall, window
  [4, 1], // sofa → chair, bed
  [6, 7], // table → furniture, objects
  [7, 8], // tv → objects, picture
  [8, 13], // wall → picture, window
  [12, 8], // window → wall, picture
];

/** Smooth random field sampled on a coarse grid and bilinearly (smoothstep) interpolated; values in [0, 1). */
class ValueNoise {
  private readonly grid: Float32Array;
  private gw = 0;
  private gh = 0;
  private cell = 1;

  constructor(maxNodes: number) {
    this.grid = new Float32Array(maxNodes);
  }

  /** Refills the node values for one frame; `cell` is the node spacing in pixels. */
  reseed(key: number, width: number, height: number, cell: number): void {
    this.cell = Math.max(1, cell);
    this.gw = Math.ceil(width / this.cell) + 2;
    this.gh = Math.ceil(height / this.cell) + 2;
    const n = Math.min(this.gw * this.gh, this.grid.length);
    for (let i = 0; i < n; i++) this.grid[i] = hash32(key ^ hash32(i + 0x9e3779b9)) / 4294967296;
  }

  sample(x: number, y: number): number {
    const fx = x / this.cell, fy = y / this.cell;
    const ix = Math.floor(fx), iy = Math.floor(fy);
    let tx = fx - ix, ty = fy - iy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const g = this.grid, w = this.gw;
    const i00 = iy * w + ix;
    const a = g[i00] + (g[i00 + 1] - g[i00]) * tx;
    const b = g[i00 + w] + (g[i00 + w + 1] - g[i00 + w]) * tx;
    return a + (b - a) * ty;
  }

  /** Value of the node nearest (x, y): piecewise-constant per cell, for per-region choices. */
  node(x: number, y: number): number {
    return this.grid[Math.round(y / this.cell) * this.gw + Math.round(x / this.cell)];
  }
}

/**
 * Threshold on the two-octave blob field (weights 2/3, 1/3: outlines that are not grid-aligned) above which
 * a fraction `coverage` of pixels lies. The blend is not uniform, so its quantile is estimated once by
 * sampling the field at fixed pseudo-random points (deterministic; 0 → no blobs, 1 → everywhere).
 */
function blobThresholdFor(coverage: number): number {
  if (coverage <= 0) return Infinity;
  if (coverage >= 1) return -Infinity;
  const samples = 8192;
  const coarse = new ValueNoise(64 * 64), fine = new ValueNoise(64 * 64);
  coarse.reseed(0xabc, 60, 60, 3);
  fine.reseed(0xdef, 60, 60, 1);
  const v = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const x = (hash32(2 * i + 1) / 4294967296) * 60, y = (hash32(2 * i + 2) / 4294967296) * 60;
    v[i] = (2 / 3) * coarse.sample(x, y) + (1 / 3) * fine.sample(x, y);
  }
  v.sort();
  return v[Math.min(samples - 1, Math.floor((1 - coverage) * samples))];
}

/** Smallest cell we allow, in pixels, bounds the grid size we preallocate. */
const MIN_CELL_PX = 2;

export class NoisyLabelSimulator {
  readonly width: number;
  readonly height: number;
  private readonly options: NoisyLabelOptions;
  private readonly labels13: Uint8Array;
  private readonly probs: Float32Array;
  private readonly logits = new Float32Array(NYU13_CLASS_COUNT);
  private readonly shiftX: ValueNoise;
  private readonly shiftY: ValueNoise;
  private readonly blobs: ValueNoise;
  private readonly blobsFine: ValueNoise;
  private readonly blobThreshold: number;

  constructor(width: number, height: number, options: Partial<NoisyLabelOptions> = {}) {
    this.width = width;
    this.height = height;
    this.options = { ...DEFAULT_NOISY_LABEL_OPTIONS, ...options };
    this.labels13 = new Uint8Array(width * height);
    this.probs = new Float32Array(width * height * NYU13_CLASS_COUNT);
    const nodes = (Math.ceil(width / MIN_CELL_PX) + 2) * (Math.ceil(height / MIN_CELL_PX) + 2);
    this.shiftX = new ValueNoise(nodes);
    this.shiftY = new ValueNoise(nodes);
    this.blobs = new ValueNoise(nodes);
    this.blobsFine = new ValueNoise(nodes);
    this.blobThreshold = blobThresholdFor(this.options.blobCoverage);
  }

  /**
   * Simulated 13-class probabilities for one frame of NYU40 labels (0..39, 255 void).
   * Returns `out` (or an internal buffer reused by the next call): pixel-major H·W·13.
   */
  simulate(labels40: Uint8Array, frameIndex: number, out: Float32Array = this.probs): Float32Array {
    const { width: W, height: H } = this;
    const o = this.options;
    const K = NYU13_CLASS_COUNT;
    if (labels40.length !== W * H) throw new RangeError(`NoisyLabelSimulator: ${labels40.length} labels for a ${W}×${H} simulator`);
    if (out.length < W * H * K) throw new RangeError(`NoisyLabelSimulator: output holds ${out.length} values, needs ${W * H * K}`);
    const gt = remapLabels40to13(labels40, this.labels13);
    const frameKey = hash32(Math.imul(o.seed | 0, 0x27d4eb2d) ^ hash32(frameIndex + 1));
    const boundaryCell = Math.max(MIN_CELL_PX, o.boundaryScale * W);
    const blobCell = Math.max(MIN_CELL_PX, o.blobScale * W);
    this.shiftX.reseed(frameKey ^ 0x1111, W, H, boundaryCell);
    this.shiftY.reseed(frameKey ^ 0x2222, W, H, boundaryCell);
    this.blobs.reseed(frameKey ^ 0x3333, W, H, blobCell);
    this.blobsFine.reseed(frameKey ^ 0x4444, W, H, Math.max(MIN_CELL_PX, blobCell / 3));
    const maxShift = o.boundaryShift * W;
    const blobThreshold = this.blobThreshold;
    const logits = this.logits;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        // 1. Boundary band: read the label a smooth random offset away.
        const sx = Math.round(x + (this.shiftX.sample(x, y) * 2 - 1) * maxShift);
        const sy = Math.round(y + (this.shiftY.sample(x, y) * 2 - 1) * maxShift);
        const qx = sx < 0 ? 0 : sx >= W ? W - 1 : sx;
        const qy = sy < 0 ? 0 : sy >= H ? H - 1 : sy;
        const trueClass = gt[p];
        let shown = gt[qy * W + qx];
        // 2. Blob: the region shows a confusion partner of its class.
        const blob = (2 / 3) * this.blobs.sample(x, y) + (1 / 3) * this.blobsFine.sample(x, y);
        if (shown !== 0 && blob > blobThreshold) {
          const partners = CONFUSION_PARTNERS[shown];
          shown = partners[this.blobs.node(x, y) < 0.5 ? 0 : 1];
        }
        // 3. Noisy logits → softmax.
        let max = -Infinity;
        let h = 0;
        for (let c = 0; c < K; c++) {
          // One hash feeds two channels: each takes two bytes, whose sum is triangular on [−1, 1].
          if ((c & 1) === 0) h = hash32((frameKey + p * K + c) | 0);
          else h >>>= 16;
          const noise = ((h & 0xff) + ((h >>> 8) & 0xff)) / 255 - 1;
          let v = noise * o.logitNoise;
          if (c + 1 === shown) v += o.margin;
          if (c + 1 === trueClass && trueClass !== shown) v += o.trueClassResidual;
          logits[c] = v;
          if (v > max) max = v;
        }
        let sum = 0;
        for (let c = 0; c < K; c++) {
          const e = Math.exp(logits[c] - max);
          logits[c] = e;
          sum += e;
        }
        const base = p * K;
        for (let c = 0; c < K; c++) out[base + c] = logits[c] / sum;
      }
    }
    return out;
  }
}

/** Argmax of pixel-major H·W·13 probabilities into 13-class ids 1..13 (allocation-free). */
export function argmax13(probs: Float32Array, pixelCount: number, out: Uint8Array): Uint8Array {
  const K = NYU13_CLASS_COUNT;
  for (let p = 0; p < pixelCount; p++) {
    const base = p * K;
    let best = 0, bestV = probs[base];
    for (let c = 1; c < K; c++) if (probs[base + c] > bestV) { bestV = probs[base + c]; best = c; }
    out[p] = best + 1;
  }
  return out;
}
