/**
 * How well a tracking system constrains the 6 pose directions: the eigenvalues of its 6×6 normal matrix JᵀWJ,
 * after making them comparable. The tracker's twist is expressed at the world origin (J = [n, q × n] with q in
 * world coordinates), so its rotation block grows with the distance of the scene from the origin; and rotations
 * and translations have different units. conditioning() moves the pivot to the camera centre c
 * (J' = J·M, M = [[I, [c]×], [0, I]]) and measures rotations by the displacement they cause at the scene's depth d
 * (rotation columns × d), so a well-spread scene gives min/max eigenvalue ratios of ~0.05–0.5 and a single plane
 * (in-plane slide and the roll about its normal unconstrained) gives ~0.
 */
import { packedIndex } from './linalg6.js';

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
