/**
 * Randomised ferns over keyframes (Glocker et al., "Real-time RGB-D camera relocalization via randomized ferns
 * for keyframe encoding", TVCG 2015), as ElasticFusion uses them for relocalisation and global loop closure.
 *
 * A frame is shrunk to a small RGB-D image (block means, `ENCODE_WIDTH` × `ENCODE_HEIGHT`). Each fern looks at
 * one random pixel of it and compares R, G, B and depth with four random thresholds: a 4-bit code. A frame's
 * encoding is its codes, one per fern. Frames are compared by the fraction of ferns whose codes differ
 * (block-Hamming dissimilarity, 0 = identical). Each fern keeps, per code, the keyframes that had it, so a
 * lookup costs one bucket per fern, not a comparison with every keyframe. A frame becomes a keyframe when it
 * is dissimilar enough from all existing ones, so revisits add none.
 */
import type { Mat4 } from './pose.js';

export interface FernOptions {
  /** Number of ferns (ElasticFusion: 500). */
  ferns: number;
  /** Depth thresholds are drawn from [minDepth, maxDepth] metres; colour thresholds from [0, 255]. */
  minDepth: number;
  maxDepth: number;
  /** A frame whose dissimilarity to every keyframe exceeds this becomes a keyframe (ElasticFusion: ~0.3). */
  keyframeThreshold: number;
  /** Random seed: the same seed gives the same ferns (and reproducible runs). */
  seed: number;
}

export const DEFAULT_FERN_OPTIONS: Readonly<FernOptions> = Object.freeze({
  ferns: 500, minDepth: 0.5, maxDepth: 4, keyframeThreshold: 0.3, seed: 1,
});

/** Size of the small image the ferns sample (ElasticFusion encodes at 80×60 as well). */
export const ENCODE_WIDTH = 80;
export const ENCODE_HEIGHT = 60;

export interface Keyframe {
  readonly id: number;
  readonly frame: number;
  /** Pose-graph node the keyframe's pose is kept relative to (−1 = none: absolute pose). */
  readonly node: number;
  /** Pose relative to the node (or absolute when node = −1). */
  readonly T_node_camera: Mat4;
  readonly codes: Uint8Array;
}

export interface FernMatch {
  readonly keyframe: Keyframe;
  /** Fraction of ferns whose codes differ (0 = identical encoding). */
  readonly dissimilarity: number;
}

/** Small deterministic generator (mulberry32): fern layouts must not depend on Math.random. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FernDatabase {
  readonly options: FernOptions;
  readonly keyframes: Keyframe[] = [];
  /** Per fern: its pixel in the small image and its R, G, B, depth thresholds. */
  private readonly pixel: Int32Array;
  private readonly thresholds: Float32Array;
  /** Per fern and code (16 each): keyframe ids. */
  private readonly buckets: number[][];
  /** Small image: RGB (3 per pixel) and depth (m, 0 = none). */
  private readonly smallRgb = new Float32Array(3 * ENCODE_WIDTH * ENCODE_HEIGHT);
  private readonly smallDepth = new Float32Array(ENCODE_WIDTH * ENCODE_HEIGHT);
  private readonly smallCount = new Float32Array(ENCODE_WIDTH * ENCODE_HEIGHT);
  private readonly smallPixels = new Float32Array(ENCODE_WIDTH * ENCODE_HEIGHT);
  private coOccurrence = new Int32Array(64);
  private columns = new Int32Array(0);

  constructor(options: Partial<FernOptions> = {}) {
    this.options = { ...DEFAULT_FERN_OPTIONS, ...options };
    const n = this.options.ferns;
    const r = rng(this.options.seed);
    this.pixel = new Int32Array(n);
    this.thresholds = new Float32Array(4 * n);
    this.buckets = [];
    const { minDepth, maxDepth } = this.options;
    for (let f = 0; f < n; f++) {
      const x = Math.floor(r() * ENCODE_WIDTH), y = Math.floor(r() * ENCODE_HEIGHT);
      this.pixel[f] = y * ENCODE_WIDTH + x;
      for (let c = 0; c < 3; c++) this.thresholds[4 * f + c] = r() * 255;
      this.thresholds[4 * f + 3] = minDepth + r() * (maxDepth - minDepth);
      for (let k = 0; k < 16; k++) this.buckets.push([]);
    }
  }

  /**
   * Encodes a frame (RGB H×W×3, depth in metres H×W, 0 = missing) into `out` (one code per fern). The small
   * image is a block mean; a block without depth reads 0 (below every depth threshold).
   */
  encode(rgb: Uint8Array, depth: Float32Array, width: number, height: number, out: Uint8Array = new Uint8Array(this.options.ferns)): Uint8Array {
    const sr = this.smallRgb, sd = this.smallDepth, sc = this.smallCount;
    const counts = this.smallPixels;
    sr.fill(0); sd.fill(0); sc.fill(0); counts.fill(0);
    const column = this.blockColumns(width);
    // Runs every fused frame: the block of each column is looked up, not divided out per pixel.
    for (let y = 0, i = 0; y < height; y++) {
      const row = Math.min(ENCODE_HEIGHT - 1, ((y * ENCODE_HEIGHT) / height) | 0) * ENCODE_WIDTH;
      for (let x = 0; x < width; x++, i++) {
        const b = row + column[x];
        sr[3 * b] += rgb[3 * i]; sr[3 * b + 1] += rgb[3 * i + 1]; sr[3 * b + 2] += rgb[3 * i + 2];
        counts[b]++;
        const d = depth[i];
        if (d > 0 && d === d) { sd[b] += d; sc[b]++; }
      }
    }
    for (let b = 0; b < counts.length; b++) {
      const c = counts[b] || 1;
      sr[3 * b] /= c; sr[3 * b + 1] /= c; sr[3 * b + 2] /= c;
      sd[b] = sc[b] > 0 ? sd[b] / sc[b] : 0;
    }
    const th = this.thresholds;
    for (let f = 0; f < this.options.ferns; f++) {
      const p = this.pixel[f];
      out[f] = (sr[3 * p] > th[4 * f] ? 1 : 0) | (sr[3 * p + 1] > th[4 * f + 1] ? 2 : 0)
        | (sr[3 * p + 2] > th[4 * f + 2] ? 4 : 0) | (sd[p] > th[4 * f + 3] ? 8 : 0);
    }
    return out;
  }

  /** Small-image column of each image column, for images `width` wide (made once per width). */
  private blockColumns(width: number): Int32Array {
    if (this.columns.length !== width) {
      this.columns = new Int32Array(width);
      for (let x = 0; x < width; x++) this.columns[x] = Math.min(ENCODE_WIDTH - 1, ((x * ENCODE_WIDTH) / width) | 0);
    }
    return this.columns;
  }

  /** Number of ferns agreeing with `codes`, per keyframe id (valid until the next call). */
  private agreements(codes: Uint8Array): Int32Array {
    if (this.coOccurrence.length < this.keyframes.length) this.coOccurrence = new Int32Array(2 * this.keyframes.length);
    const co = this.coOccurrence;
    co.fill(0, 0, this.keyframes.length);
    for (let f = 0; f < this.options.ferns; f++) {
      const bucket = this.buckets[16 * f + codes[f]];
      for (let k = 0; k < bucket.length; k++) co[bucket[k]]++;
    }
    return co;
  }

  /** Dissimilarity of two encodings: the fraction of ferns whose codes differ. */
  static dissimilarity(a: Uint8Array, b: Uint8Array): number {
    let d = 0;
    for (let f = 0; f < a.length; f++) if (a[f] !== b[f]) d++;
    return d / a.length;
  }

  /**
   * The `k` keyframes most similar to `codes`, most similar first, leaving out those `exclude` rejects
   * (e.g. keyframes too recent to close a loop).
   */
  query(codes: Uint8Array, k: number, exclude?: (kf: Keyframe) => boolean): FernMatch[] {
    const co = this.agreements(codes);
    const n = this.options.ferns;
    const found: FernMatch[] = [];
    for (let id = 0; id < this.keyframes.length; id++) {
      const kf = this.keyframes[id];
      if (exclude && exclude(kf)) continue;
      found.push({ keyframe: kf, dissimilarity: (n - co[id]) / n });
    }
    found.sort((a, b) => a.dissimilarity - b.dissimilarity || a.keyframe.id - b.keyframe.id);
    return found.slice(0, k);
  }

  /** Smallest dissimilarity to any keyframe (1 when there is none). */
  nearestDissimilarity(codes: Uint8Array): number {
    if (this.keyframes.length === 0) return 1;
    const co = this.agreements(codes);
    let best = 0;
    for (let id = 0; id < this.keyframes.length; id++) if (co[id] > best) best = co[id];
    return (this.options.ferns - best) / this.options.ferns;
  }

  /**
   * Adds the frame as a keyframe when it differs from every keyframe by more than keyframeThreshold.
   * Returns the new keyframe, or null.
   */
  addIfNovel(codes: Uint8Array, frame: number, node: number, T_node_camera: Mat4): Keyframe | null {
    if (this.nearestDissimilarity(codes) <= this.options.keyframeThreshold) return null;
    return this.add(codes, frame, node, T_node_camera);
  }

  add(codes: Uint8Array, frame: number, node: number, T_node_camera: Mat4): Keyframe {
    const kf: Keyframe = { id: this.keyframes.length, frame, node, T_node_camera: Float64Array.from(T_node_camera), codes: codes.slice() };
    this.keyframes.push(kf);
    for (let f = 0; f < this.options.ferns; f++) this.buckets[16 * f + codes[f]].push(kf.id);
    return kf;
  }
}
