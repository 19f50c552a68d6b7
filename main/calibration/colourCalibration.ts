import type { Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import type { ColourCamera } from '../sources/colourRegistration.js';

/**
 * Fits the colour camera of an RGB-D sensor whose colour is not registered to depth, without ground truth:
 * with camera motions from depth alone (point-to-plane tracking), a point seen in two frames must have the same
 * colour in both once both colour images are sampled through the right colour camera. The fit minimises that
 * photometric inconsistency over frame pairs a few frames apart (motion gives the parallax that separates the
 * focal, the centre and the offset). On the 7-Scenes kitchen it lands where the same search using the dataset's
 * ground-truth poses lands (fusion/README).
 */

/** One frame pair: depth-camera points of frame a (stride-sampled), the same points in frame b, both grey images. */
export interface CalibrationPair {
  readonly width: number;
  readonly height: number;
  readonly greyA: Float32Array;
  readonly greyB: Float32Array;
  /** xyz triples in the depth camera of frame a / frame b. */
  readonly pointsA: Float32Array;
  readonly pointsB: Float32Array;
}

export interface ColourFitParams {
  f: number;
  cx: number;
  cy: number;
  tx: number;
  ty: number;
}

export interface ColourFit {
  readonly camera: ColourCamera;
  /** Mean truncated |ΔI| (grey levels 0..255) of the colour taken as registered (colour camera = depth camera). */
  readonly costRegistered: number;
  readonly cost: number;
  readonly pairs: number;
  readonly samples: number;
  readonly evaluations: number;
}

/** Residuals beyond this many grey levels (occlusions, specular highlights, exposure jumps) count as this much. */
const TRUNCATE = 30;

function toGrey(rgb: Uint8Array, n: number): Float32Array {
  const g = new Float32Array(n);
  for (let p = 0; p < n; p++) g[p] = 0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2];
  return g;
}

/**
 * A pair from two frames of one sequence: depth of frame a (metres, 0 = none), both colour images, both
 * depth-camera poses. Points outside [minDepth, maxDepth] are left out.
 */
export function makePair(
  k: Intrinsics, rgbA: Uint8Array, depthA: Float32Array, T_world_a: Mat4, rgbB: Uint8Array, T_world_b: Mat4,
  options: { stride?: number; minDepth?: number; maxDepth?: number } = {},
): CalibrationPair {
  const stride = options.stride ?? 2, minDepth = options.minDepth ?? 0.3, maxDepth = options.maxDepth ?? 4;
  const { width: w, height: h } = k;
  const a: number[] = [];
  for (let v = 0; v < h; v += stride) {
    for (let u = 0; u < w; u += stride) {
      const z = depthA[v * w + u];
      if (z >= minDepth && z <= maxDepth) a.push(((u - k.cx) / k.fx) * z, ((v - k.cy) / k.fy) * z, z);
    }
  }
  // T_b_a = T_world_b⁻¹ · T_world_a (column-major 4×4; the rotation is orthonormal).
  const A = T_world_a, B = T_world_b;
  const pointsA = Float32Array.from(a), pointsB = new Float32Array(pointsA.length);
  for (let i = 0; i < pointsA.length; i += 3) {
    const x = pointsA[i], y = pointsA[i + 1], z = pointsA[i + 2];
    const wx = A[0] * x + A[4] * y + A[8] * z + A[12] - B[12];
    const wy = A[1] * x + A[5] * y + A[9] * z + A[13] - B[13];
    const wz = A[2] * x + A[6] * y + A[10] * z + A[14] - B[14];
    pointsB[i] = B[0] * wx + B[1] * wy + B[2] * wz;
    pointsB[i + 1] = B[4] * wx + B[5] * wy + B[6] * wz;
    pointsB[i + 2] = B[8] * wx + B[9] * wy + B[10] * wz;
  }
  return { width: w, height: h, greyA: toGrey(rgbA, w * h), greyB: toGrey(rgbB, w * h), pointsA, pointsB };
}

/** Bilinear grey at (u, v); NaN outside the image. */
function sample(g: Float32Array, w: number, h: number, u: number, v: number): number {
  if (!(u >= 0 && v >= 0 && u < w - 1 && v < h - 1)) return NaN;
  const u0 = u | 0, v0 = v | 0, a = u - u0, b = v - v0, i = v0 * w + u0;
  return (1 - b) * ((1 - a) * g[i] + a * g[i + 1]) + b * ((1 - a) * g[i + w] + a * g[i + w + 1]);
}

/** Mean truncated photometric inconsistency of the pairs under one colour camera (fx = fy = f). */
export function inconsistency(pairs: readonly CalibrationPair[], p: ColourFitParams): { cost: number; samples: number } {
  let sum = 0, n = 0;
  for (const q of pairs) {
    const { width: w, height: h, pointsA: A, pointsB: B } = q;
    for (let i = 0; i < A.length; i += 3) {
      const za = A[i + 2], zb = B[i + 2];
      if (!(zb > 0.1)) continue;
      const ia = sample(q.greyA, w, h, (p.f * (A[i] + p.tx)) / za + p.cx, (p.f * (A[i + 1] + p.ty)) / za + p.cy);
      const ib = sample(q.greyB, w, h, (p.f * (B[i] + p.tx)) / zb + p.cx, (p.f * (B[i + 1] + p.ty)) / zb + p.cy);
      if (Number.isNaN(ia) || Number.isNaN(ib)) continue;
      const r = ia > ib ? ia - ib : ib - ia;
      sum += r < TRUNCATE ? r : TRUNCATE;
      n++;
    }
  }
  return { cost: n > 0 ? sum / n : Infinity, samples: n };
}

/** Median depth of the pairs' points (a sample of them). */
function medianDepth(pairs: readonly CalibrationPair[]): number {
  const z: number[] = [];
  for (const q of pairs) for (let i = 2; i < q.pointsA.length; i += 3 * 16) z.push(q.pointsA[i]);
  z.sort((a, b) => a - b);
  return z.length ? z[z.length >> 1] : 1;
}

/**
 * Coordinate descent from the depth camera (colour taken as registered): each parameter tries ± its step, the
 * steps halve when none improves. The centre is searched as where the colour camera sees a point at the scene's
 * median depth (px = cx + f·tx/z): centre and offset shift the image alike at one depth and only the spread of
 * depths tells them apart, so searched as cx and tx directly the descent crawls along their shared valley.
 */
export function fitColourCamera(pairs: readonly CalibrationPair[], depth: Intrinsics, source: string): ColourFit {
  const zRef = medianDepth(pairs);
  type Search = { f: number; px: number; py: number; tx: number; ty: number };
  const toParams = (s: Search): ColourFitParams => ({ f: s.f, cx: s.px - (s.f * s.tx) / zRef, cy: s.py - (s.f * s.ty) / zRef, tx: s.tx, ty: s.ty });
  const start: Search = { f: (depth.fx + depth.fy) / 2, px: depth.cx, py: depth.cy, tx: 0, ty: 0 };
  const steps: Search = { f: 0.04 * start.f, px: 0.02 * depth.width, py: 0.02 * depth.height, tx: 0.02, ty: 0.02 };
  const minSteps: Search = { f: 0.25, px: 0.25, py: 0.25, tx: 0.0005, ty: 0.0005 };
  const keys = Object.keys(start) as (keyof Search)[];
  let best = { ...start };
  const first = inconsistency(pairs, toParams(best));
  let cost = first.cost, samples = first.samples, evaluations = 1;
  for (let round = 0; round < 300 && keys.some((k) => steps[k] >= minSteps[k]); round++) {
    let improved = false;
    for (const k of keys) {
      if (steps[k] < minSteps[k]) continue;
      for (const sign of [1, -1]) {
        const trial = { ...best, [k]: best[k] + sign * steps[k] };
        const e = inconsistency(pairs, toParams(trial));
        evaluations++;
        if (e.cost < cost) { cost = e.cost; samples = e.samples; best = trial; improved = true; break; }
      }
    }
    if (!improved) for (const k of keys) steps[k] /= 2;
  }
  const p = toParams(best);
  return {
    camera: { fx: p.f, fy: p.f, cx: p.cx, cy: p.cy, tx: p.tx, ty: p.ty, tz: 0, source },
    costRegistered: first.cost, cost, pairs: pairs.length, samples, evaluations,
  };
}
