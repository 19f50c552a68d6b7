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
 * Cyclic Jacobi rotations that diagonalise a symmetric 6×6 matrix `a` (row-major, overwritten); the rotations are
 * accumulated into `vectors` (its columns become the eigenvectors) when it is given. No allocation.
 */
function jacobi6(a: Float64Array, vectors: Float64Array | null): void {
  if (vectors) {
    vectors.fill(0);
    for (let i = 0; i < 6; i++) vectors[i * 6 + i] = 1;
  }
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
        if (vectors) {
          for (let k = 0; k < 6; k++) {
            const vkp = vectors[k * 6 + p], vkq = vectors[k * 6 + q];
            vectors[k * 6 + p] = c * vkp - s * vkq;
            vectors[k * 6 + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
}

/** Eigenvalues of a symmetric 6×6 matrix (row-major, overwritten), ascending into `values`. No allocation. */
export function symmetricEigenvalues6(a: Float64Array, values: Float64Array): Float64Array {
  jacobi6(a, null);
  for (let i = 0; i < 6; i++) values[i] = a[i * 6 + i];
  values.sort();
  return values;
}

/**
 * Eigen-decomposition of a symmetric 6×6 matrix `a` (row-major, overwritten): eigenvalue i in values[i], its unit
 * eigenvector in column i of `vectors` (row-major). Unsorted; no allocation.
 */
export function symmetricEigen6(a: Float64Array, values: Float64Array, vectors: Float64Array): void {
  jacobi6(a, vectors);
  for (let i = 0; i < 6; i++) values[i] = a[i * 6 + i];
}

/** Scratch for conditioning() and solveConstrained6(). */
export class ConditioningScratch {
  readonly h = new Float64Array(36);
  readonly t = new Float64Array(36);
  readonly m = new Float64Array(36);
  readonly values = new Float64Array(6);
  readonly vectors = new Float64Array(36);
  readonly b = new Float64Array(6);
  readonly y = new Float64Array(6);
}

/** H' = Mᵀ·H·M of the packed system into s.h, with M (camera-centre pivot, rotations × depth) left in s.m. */
function comparableSystem(acc: Float64Array, cx: number, cy: number, cz: number, depth: number, s: ConditioningScratch): void {
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
}

/**
 * Solves the packed system H·x = b on the directions it constrains only: in the comparable coordinates of
 * conditioning(), the components along eigenvectors whose eigenvalue is under `minRatio` × the largest are left
 * at 0 (solution remapping: Zhang, Kaess & Singh, "On degeneracy of optimization-based state estimation
 * problems", ICRA 2016). False when the system is empty.
 */
export function solveConstrained6(acc: Float64Array, cx: number, cy: number, cz: number, depth: number, minRatio: number,
  x: Float64Array, s: ConditioningScratch): boolean {
  comparableSystem(acc, cx, cy, cz, depth, s);
  const M = s.m, b = s.b, y = s.y, V = s.vectors, ev = s.values;
  // With x = M·y the system becomes Mᵀ·H·M·y = Mᵀ·b: b' = Mᵀ·b.
  for (let r = 0; r < 6; r++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += M[k * 6 + r] * acc[21 + k];
    b[r] = v;
  }
  symmetricEigen6(s.h, ev, V);
  let max = 0;
  for (let i = 0; i < 6; i++) if (ev[i] > max) max = ev[i];
  if (!(max > 0)) return false;
  y.fill(0);
  for (let i = 0; i < 6; i++) {
    if (!(ev[i] >= minRatio * max)) continue;
    let proj = 0;
    for (let k = 0; k < 6; k++) proj += V[k * 6 + i] * b[k];
    const a = proj / ev[i];
    for (let k = 0; k < 6; k++) y[k] += a * V[k * 6 + i];
  }
  for (let r = 0; r < 6; r++) {
    let v = 0;
    for (let k = 0; k < 6; k++) v += M[r * 6 + k] * y[k];
    x[r] = v;
  }
  return true;
}

/**
 * Smallest over largest eigenvalue of the packed system `acc` (see linalg6) re-expressed at the camera centre
 * (cx, cy, cz) with rotations scaled by `depth` metres. 0 when the system is empty. 1 would be perfectly even.
 */
export function conditioning(acc: Float64Array, cx: number, cy: number, cz: number, depth: number,
  s: ConditioningScratch = new ConditioningScratch()): number {
  comparableSystem(acc, cx, cy, cz, depth, s);
  const ev = symmetricEigenvalues6(s.h, s.values);
  const max = ev[5];
  if (!(max > 0)) return 0;
  return Math.max(0, ev[0]) / max;
}
