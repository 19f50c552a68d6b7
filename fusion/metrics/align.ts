import type { Mat4 } from '../pose.js';

/**
 * Closed-form absolute orientation (Horn 1987, unit quaternions), with Umeyama's (1991) scale for Sim(3).
 * Finds T (and s) minimising Σ |b_i − (s·R·a_i + t)|²: the transform that carries point set `a`
 * (an estimate) onto point set `b` (ground truth). This is the alignment TUM's evaluate_ate and evo use.
 */

/** 'rigid' = SE(3), the ATE convention for metric RGB-D SLAM; 'similarity' = Sim(3), for monocular scale drift. */
export type AlignmentKind = 'rigid' | 'similarity';

export interface Alignment {
  /** Column-major 4×4 T_b_a: maps points of `a` into the frame of `b`; the upper 3×3 is s·R. */
  readonly T_b_a: Mat4;
  /** Rotation part only (column-major 3×3). */
  readonly rotation: Float64Array;
  readonly translation: Float64Array;
  /** 1 for 'rigid'. */
  readonly scale: number;
}

/** Jacobi sweeps on a symmetric 4×4 always converge in far fewer; this only bounds pathological input. */
const MAX_JACOBI_SWEEPS = 50;

/**
 * Eigen-decomposition of a symmetric 4×4 (row-major array, destroyed) by cyclic Jacobi rotations.
 * Writes eigenvalues into `values` and eigenvectors as the COLUMNS of `vectors` (row-major).
 */
export function symmetricEigen4(a: Float64Array, values: Float64Array, vectors: Float64Array): void {
  vectors.fill(0);
  for (let i = 0; i < 4; i++) vectors[i * 4 + i] = 1;
  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < 4; p++) for (let q = p + 1; q < 4; q++) off += a[p * 4 + q] * a[p * 4 + q];
    if (off < 1e-30) break;
    for (let p = 0; p < 3; p++) {
      for (let q = p + 1; q < 4; q++) {
        const apq = a[p * 4 + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * 4 + p], aqq = a[q * 4 + q];
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, symmetric Schur decomposition).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[k * 4 + p], akq = a[k * 4 + q];
          a[k * 4 + p] = c * akp - s * akq;
          a[k * 4 + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p * 4 + k], aqk = a[q * 4 + k];
          a[p * 4 + k] = c * apk - s * aqk;
          a[q * 4 + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = vectors[k * 4 + p], vkq = vectors[k * 4 + q];
          vectors[k * 4 + p] = c * vkp - s * vkq;
          vectors[k * 4 + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < 4; i++) values[i] = a[i * 4 + i];
}

/**
 * Aligns point set `a` onto `b` (both flat xyz arrays of the same length, ≥ 1 point).
 * With fewer than three non-collinear points the rotation is not unique; Horn then returns one of the optima.
 */
export function alignPoints(a: ArrayLike<number>, b: ArrayLike<number>, kind: AlignmentKind = 'rigid'): Alignment {
  const n = Math.floor(a.length / 3);
  if (n < 1 || b.length !== a.length) throw new RangeError(`alignPoints: need equal, non-empty point sets (got ${a.length} and ${b.length} values)`);
  let ax = 0, ay = 0, az = 0, bx = 0, by = 0, bz = 0;
  for (let i = 0; i < n; i++) {
    ax += a[3 * i]; ay += a[3 * i + 1]; az += a[3 * i + 2];
    bx += b[3 * i]; by += b[3 * i + 1]; bz += b[3 * i + 2];
  }
  ax /= n; ay /= n; az /= n; bx /= n; by /= n; bz /= n;
  // Cross-covariance S[i][j] = Σ a'_i b'_j of the centred sets, and Σ|a'|² for the scale.
  let sxx = 0, sxy = 0, sxz = 0, syx = 0, syy = 0, syz = 0, szx = 0, szy = 0, szz = 0, varA = 0;
  for (let i = 0; i < n; i++) {
    const pax = a[3 * i] - ax, pay = a[3 * i + 1] - ay, paz = a[3 * i + 2] - az;
    const pbx = b[3 * i] - bx, pby = b[3 * i + 1] - by, pbz = b[3 * i + 2] - bz;
    sxx += pax * pbx; sxy += pax * pby; sxz += pax * pbz;
    syx += pay * pbx; syy += pay * pby; syz += pay * pbz;
    szx += paz * pbx; szy += paz * pby; szz += paz * pbz;
    varA += pax * pax + pay * pay + paz * paz;
  }
  // Horn's symmetric matrix N: its top eigenvector is the quaternion (w, x, y, z) of the best rotation.
  const N = Float64Array.of(
    sxx + syy + szz, syz - szy, szx - sxz, sxy - syx,
    syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,
    szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy,
    sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz,
  );
  const values = new Float64Array(4);
  const vectors = new Float64Array(16);
  symmetricEigen4(N, values, vectors);
  let best = 0;
  for (let i = 1; i < 4; i++) if (values[i] > values[best]) best = i;
  let qw = vectors[best], qx = vectors[4 + best], qy = vectors[8 + best], qz = vectors[12 + best];
  const qn = Math.hypot(qw, qx, qy, qz) || 1;
  qw /= qn; qx /= qn; qy /= qn; qz /= qn;
  if (n === 1 || varA === 0) { qw = 1; qx = 0; qy = 0; qz = 0; }
  const R = Float64Array.of(
    // Column-major: column 0, 1, 2.
    1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy + qz * qw), 2 * (qx * qz - qy * qw),
    2 * (qx * qy - qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz + qx * qw),
    2 * (qx * qz + qy * qw), 2 * (qy * qz - qx * qw), 1 - 2 * (qx * qx + qy * qy),
  );
  let scale = 1;
  if (kind === 'similarity' && varA > 0) {
    // Umeyama: s = Σ b'·(R a') / Σ |a'|²  (= trace(R·S)/σ_a²).
    let dot = 0;
    for (let i = 0; i < n; i++) {
      const pax = a[3 * i] - ax, pay = a[3 * i + 1] - ay, paz = a[3 * i + 2] - az;
      const rx = R[0] * pax + R[3] * pay + R[6] * paz;
      const ry = R[1] * pax + R[4] * pay + R[7] * paz;
      const rz = R[2] * pax + R[5] * pay + R[8] * paz;
      dot += rx * (b[3 * i] - bx) + ry * (b[3 * i + 1] - by) + rz * (b[3 * i + 2] - bz);
    }
    scale = dot / varA;
  }
  // t = mean_b − s·R·mean_a
  const tx = bx - scale * (R[0] * ax + R[3] * ay + R[6] * az);
  const ty = by - scale * (R[1] * ax + R[4] * ay + R[7] * az);
  const tz = bz - scale * (R[2] * ax + R[5] * ay + R[8] * az);
  const T = new Float64Array(16);
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) T[c * 4 + r] = scale * R[c * 3 + r];
  T[12] = tx; T[13] = ty; T[14] = tz; T[15] = 1;
  return { T_b_a: T, rotation: R, translation: Float64Array.of(tx, ty, tz), scale };
}
