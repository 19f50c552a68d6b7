/**
 * How well a tracking system constrains the 6 pose directions: the eigenvalues of its 6×6 normal matrix JᵀWJ,
 * after making them comparable. The tracker's twist is expressed at the world origin (J = [n, q × n] with q in
 * world coordinates), so its rotation block grows with the distance of the scene from the origin; and rotations
 * and translations have different units. conditioning() moves the pivot to the camera centre c
 * (J' = J·M, M = [[I, [c]×], [0, I]]) and measures rotations by the displacement they cause at the scene's depth d
 * (rotation columns × d), so a well-spread scene gives min/max eigenvalue ratios of ~0.05–0.5 and a single plane
 * (in-plane slide and the roll about its normal unconstrained) gives ~0.
 */
import { packedIndex, solveNormalEquations6 } from './linalg6.js';

/**
 * Eigenvalues of a symmetric 6×6 matrix (row-major, overwritten) by cyclic Jacobi rotations, ascending into
 * `values`. 6×6 converges in a few sweeps; no allocation.
 */
export function symmetricEigenvalues6(a: Float64Array, values: Float64Array): Float64Array {
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < 6; p++) for (let q = p + 1; q < 6; q++) off += a[p * 6 + q] * a[p * 6 + q];
    if (off < 1e-30) break;
    for (let p = 0; p < 5; p++) {
      for (let q = p + 1; q < 6; q++) {
        const apq = a[p * 6 + q];
        if (apq === 0) continue;
        const app = a[p * 6 + p], aqq = a[q * 6 + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < 6; k++) {
          const akp = a[k * 6 + p], akq = a[k * 6 + q];
          a[k * 6 + p] = c * akp - s * akq;
          a[k * 6 + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 6; k++) {
          const apk = a[p * 6 + k], aqk = a[q * 6 + k];
          a[p * 6 + k] = c * apk - s * aqk;
          a[q * 6 + k] = s * apk + c * aqk;
        }
      }
    }
  }
  for (let i = 0; i < 6; i++) values[i] = a[i * 6 + i];
  values.sort();
  return values;
}

/** Scratch for conditioning(): 36 (matrix) + 36 (product) + 6 (values). */
export class ConditioningScratch {
  readonly h = new Float64Array(36);
  readonly t = new Float64Array(36);
  readonly m = new Float64Array(36);
  readonly values = new Float64Array(6);
}

/**
 * Smallest over largest eigenvalue of the packed system `acc` (see linalg6) re-expressed at the camera centre
 * (cx, cy, cz) with rotations scaled by `depth` metres. 0 when the system is empty. 1 would be perfectly even.
 */
export function conditioning(acc: Float64Array, cx: number, cy: number, cz: number, depth: number,
  s: ConditioningScratch = new ConditioningScratch()): number {
  const H = s.h, T = s.t, M = s.m;
  for (let r = 0; r < 6; r++) for (let c = r; c < 6; c++) { const v = acc[packedIndex(r, c)]; H[r * 6 + c] = v; H[c * 6 + r] = v; }
  // M = [[I, [c]×], [0, I]], then the rotation columns scaled by depth.
  M.fill(0);
  for (let i = 0; i < 6; i++) M[i * 6 + i] = 1;
  M[0 * 6 + 4] = -cz; M[0 * 6 + 5] = cy;
  M[1 * 6 + 3] = cz; M[1 * 6 + 5] = -cx;
  M[2 * 6 + 3] = -cy; M[2 * 6 + 4] = cx;
  for (let r = 0; r < 6; r++) for (let c = 3; c < 6; c++) M[r * 6 + c] *= depth;
  // T = H·M, H' = Mᵀ·T.
  for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += H[r * 6 + k] * M[k * 6 + c];
    T[r * 6 + c] = v;
  }
  for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += M[k * 6 + r] * T[k * 6 + c];
    H[r * 6 + c] = v;
  }
  const ev = symmetricEigenvalues6(H, s.values);
  const max = ev[5];
  if (!(max > 0)) return 0;
  return Math.max(0, ev[0]) / max;
}

/**
 * Eigen-decomposition of a symmetric 6×6 matrix (row-major, overwritten) by cyclic Jacobi rotations: eigenvalues
 * into `values`, the matching unit eigenvectors as the columns of `vectors` (row-major), in no particular order.
 */
export function symmetricEigen6(a: Float64Array, values: Float64Array, vectors: Float64Array): void {
  const V = vectors;
  V.fill(0);
  for (let i = 0; i < 6; i++) V[i * 6 + i] = 1;
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < 6; p++) for (let q = p + 1; q < 6; q++) off += a[p * 6 + q] * a[p * 6 + q];
    if (off < 1e-30) break;
    for (let p = 0; p < 5; p++) {
      for (let q = p + 1; q < 6; q++) {
        const apq = a[p * 6 + q];
        if (apq === 0) continue;
        const app = a[p * 6 + p], aqq = a[q * 6 + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < 6; k++) {
          const akp = a[k * 6 + p], akq = a[k * 6 + q];
          a[k * 6 + p] = c * akp - s * akq;
          a[k * 6 + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 6; k++) {
          const apk = a[p * 6 + k], aqk = a[q * 6 + k];
          a[p * 6 + k] = c * apk - s * aqk;
          a[q * 6 + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 6; k++) {
          const vkp = V[k * 6 + p], vkq = V[k * 6 + q];
          V[k * 6 + p] = c * vkp - s * vkq;
          V[k * 6 + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < 6; i++) values[i] = a[i * 6 + i];
}

/** Scratch for solveWithWeakPrior(). */
export class WeakPriorScratch {
  readonly h = new Float64Array(36);
  readonly t = new Float64Array(36);
  readonly m = new Float64Array(36);
  readonly v = new Float64Array(36);
  readonly values = new Float64Array(6);
  readonly b = new Float64Array(6);
  readonly y = new Float64Array(6);
  readonly packed = new Float64Array(29);
  readonly ldl = new Float64Array(42);
  /** Directions the last solve lifted (eigenvalue under ratio × the largest). */
  lifted = 0;
}

/**
 * Solves the packed system `acc` (linalg6's layout) with a prior pose along the directions it barely constrains.
 * In conditioning()'s coordinates (twist at the camera centre (cx, cy, cz), rotations as displacement at `depth`)
 * every eigenvalue λᵢ below `ratio` × the largest is lifted to that level by a prior towards `xiPrior` (the
 * world-origin twist from the current pose to the prior pose); the other directions are solved as without it.
 * Against a wall and a floor the slide along their edge is such a direction: its only "constraint" is the map's
 * small inconsistencies, which otherwise push the pose centimetres per frame. Writes the world-origin twist into
 * `x`; false when the system is empty.
 */
export function solveWithWeakPrior(acc: Float64Array, cx: number, cy: number, cz: number, depth: number, ratio: number,
  xiPrior: Float64Array, x: Float64Array, s: WeakPriorScratch): boolean {
  const H = s.h, T = s.t, M = s.m, V = s.v;
  for (let r = 0; r < 6; r++) for (let c = r; c < 6; c++) { const v = acc[packedIndex(r, c)]; H[r * 6 + c] = v; H[c * 6 + r] = v; }
  M.fill(0);
  for (let i = 0; i < 6; i++) M[i * 6 + i] = 1;
  M[0 * 6 + 4] = -cz; M[0 * 6 + 5] = cy;
  M[1 * 6 + 3] = cz; M[1 * 6 + 5] = -cx;
  M[2 * 6 + 3] = -cy; M[2 * 6 + 4] = cx;
  for (let r = 0; r < 6; r++) for (let c = 3; c < 6; c++) M[r * 6 + c] *= depth;
  for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += H[r * 6 + k] * M[k * 6 + c];
    T[r * 6 + c] = v;
  }
  for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += M[k * 6 + r] * T[k * 6 + c];
    H[r * 6 + c] = v;
  }
  const p = s.packed;
  for (let r = 0; r < 6; r++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += M[k * 6 + r] * acc[21 + k];
    s.b[r] = v;
    for (let c = r; c < 6; c++) p[packedIndex(r, c)] = H[r * 6 + c];
  }
  // y_p = M⁻¹ ξ_p with M⁻¹ = [[I, −[c]×], [0, I/d]].
  const wx = xiPrior[3], wy = xiPrior[4], wz = xiPrior[5], yp = s.y;
  yp[0] = xiPrior[0] - (-cz * wy + cy * wz);
  yp[1] = xiPrior[1] - (cz * wx - cx * wz);
  yp[2] = xiPrior[2] - (-cy * wx + cx * wy);
  yp[3] = wx / depth; yp[4] = wy / depth; yp[5] = wz / depth;
  T.set(H);
  symmetricEigen6(T, s.values, V);
  let max = 0;
  for (let i = 0; i < 6; i++) max = Math.max(max, s.values[i]);
  if (!(max > 0)) return false;
  const floor = ratio * max;
  s.lifted = 0;
  for (let i = 0; i < 6; i++) {
    const w = floor - Math.max(0, s.values[i]);
    if (!(w > 0)) continue;
    s.lifted++;
    let proj = 0;
    for (let k = 0; k < 6; k++) proj += V[k * 6 + i] * yp[k];
    for (let r = 0; r < 6; r++) {
      const vr = V[r * 6 + i];
      for (let c = r; c < 6; c++) p[packedIndex(r, c)] += w * vr * V[c * 6 + i];
      s.b[r] += w * proj * vr;
    }
  }
  for (let r = 0; r < 6; r++) p[21 + r] = s.b[r];
  if (!solveNormalEquations6(p, s.values, s.ldl)) return false;
  for (let r = 0; r < 6; r++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += M[r * 6 + k] * s.values[k];
    x[r] = v;
  }
  return true;
}
