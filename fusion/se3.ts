/**
 * SE(3) helpers on column-major 4×4 poses (gl-matrix layout). Output-first and allocation-free so the tracker
 * can call them per iteration. Twists are ξ = (v, ω): translation part first, rotation part second, and a twist
 * acts on the LEFT (T ← exp(ξ)·T), i.e. it is expressed in the world frame.
 */
import type { Mat4 } from './pose.js';

/** out = a·b (4×4 column-major). `out` may alias neither a nor b. */
export function mulPose(out: Mat4, a: Mat4, b: Mat4): Mat4 {
  for (let c = 0; c < 4; c++) {
    const b0 = b[c * 4], b1 = b[c * 4 + 1], b2 = b[c * 4 + 2], b3 = b[c * 4 + 3];
    out[c * 4] = a[0] * b0 + a[4] * b1 + a[8] * b2 + a[12] * b3;
    out[c * 4 + 1] = a[1] * b0 + a[5] * b1 + a[9] * b2 + a[13] * b3;
    out[c * 4 + 2] = a[2] * b0 + a[6] * b1 + a[10] * b2 + a[14] * b3;
    out[c * 4 + 3] = a[3] * b0 + a[7] * b1 + a[11] * b2 + a[15] * b3;
  }
  return out;
}

/** Inverse of a rigid transform (Rᵀ, −Rᵀt). `out` must not alias `m`. */
export function invertRigid(out: Mat4, m: Mat4): Mat4 {
  out[0] = m[0]; out[1] = m[4]; out[2] = m[8]; out[3] = 0;
  out[4] = m[1]; out[5] = m[5]; out[6] = m[9]; out[7] = 0;
  out[8] = m[2]; out[9] = m[6]; out[10] = m[10]; out[11] = 0;
  const tx = m[12], ty = m[13], tz = m[14];
  out[12] = -(out[0] * tx + out[4] * ty + out[8] * tz);
  out[13] = -(out[1] * tx + out[5] * ty + out[9] * tz);
  out[14] = -(out[2] * tx + out[6] * ty + out[10] * tz);
  out[15] = 1;
  return out;
}

/**
 * exp: twist ξ = (vx, vy, vz, wx, wy, wz) → rigid transform, via Rodrigues for R and the left Jacobian V for t.
 * Series expansions near θ = 0 keep it exact to double precision for tiny rotations.
 */
export function se3Exp(out: Mat4, xi: ArrayLike<number>): Mat4 {
  const vx = xi[0], vy = xi[1], vz = xi[2], wx = xi[3], wy = xi[4], wz = xi[5];
  const th2 = wx * wx + wy * wy + wz * wz;
  const th = Math.sqrt(th2);
  let A: number, B: number, C: number; // sinθ/θ, (1−cosθ)/θ², (θ−sinθ)/θ³
  if (th < 1e-4) {
    A = 1 - th2 / 6; B = 0.5 - th2 / 24; C = 1 / 6 - th2 / 120;
  } else {
    A = Math.sin(th) / th; B = (1 - Math.cos(th)) / th2; C = (th - Math.sin(th)) / (th2 * th);
  }
  // R = I + A[w]× + B[w]×²
  const xx = wx * wx, yy = wy * wy, zz = wz * wz, xy = wx * wy, xz = wx * wz, yz = wy * wz;
  out[0] = 1 - B * (yy + zz); out[4] = -A * wz + B * xy; out[8] = A * wy + B * xz;
  out[1] = A * wz + B * xy; out[5] = 1 - B * (xx + zz); out[9] = -A * wx + B * yz;
  out[2] = -A * wy + B * xz; out[6] = A * wx + B * yz; out[10] = 1 - B * (xx + yy);
  out[3] = 0; out[7] = 0; out[11] = 0; out[15] = 1;
  // V = I + B[w]× + C[w]×²
  const v00 = 1 - C * (yy + zz), v01 = -B * wz + C * xy, v02 = B * wy + C * xz;
  const v10 = B * wz + C * xy, v11 = 1 - C * (xx + zz), v12 = -B * wx + C * yz;
  const v20 = -B * wy + C * xz, v21 = B * wx + C * yz, v22 = 1 - C * (xx + yy);
  out[12] = v00 * vx + v01 * vy + v02 * vz;
  out[13] = v10 * vx + v11 * vy + v12 * vz;
  out[14] = v20 * vx + v21 * vy + v22 * vz;
  return out;
}

/** log: rigid transform → twist (v, ω), the inverse of se3Exp for rotations below π. */
export function se3Log(out: Float64Array, m: Mat4): Float64Array {
  const tr = m[0] + m[5] + m[10];
  const cosT = Math.min(1, Math.max(-1, (tr - 1) / 2));
  const th = Math.acos(cosT);
  let wx: number, wy: number, wz: number;
  if (th < 1e-6) {
    wx = (m[6] - m[9]) / 2; wy = (m[8] - m[2]) / 2; wz = (m[1] - m[4]) / 2;
  } else if (Math.PI - th < 1e-4) {
    // Near π the antisymmetric part vanishes: take the axis from the diagonal.
    const ax = Math.sqrt(Math.max(0, (m[0] + 1) / 2));
    const ay = Math.sqrt(Math.max(0, (m[5] + 1) / 2)) * (m[4] + m[1] >= 0 ? 1 : -1);
    const az = Math.sqrt(Math.max(0, (m[10] + 1) / 2)) * (m[8] + m[2] >= 0 ? 1 : -1);
    const n = Math.hypot(ax, ay, az) || 1;
    wx = (ax / n) * th; wy = (ay / n) * th; wz = (az / n) * th;
  } else {
    const k = th / (2 * Math.sin(th));
    wx = (m[6] - m[9]) * k; wy = (m[8] - m[2]) * k; wz = (m[1] - m[4]) * k;
  }
  const th2 = wx * wx + wy * wy + wz * wz;
  const t = Math.sqrt(th2);
  // V⁻¹ = I − ½[w]× + D[w]×², D = (1 − A/(2B))/θ²
  let D: number;
  if (t < 1e-4) D = 1 / 12 + th2 / 720;
  else {
    const A = Math.sin(t) / t, B = (1 - Math.cos(t)) / th2;
    D = (1 - A / (2 * B)) / th2;
  }
  const xx = wx * wx, yy = wy * wy, zz = wz * wz, xy = wx * wy, xz = wx * wz, yz = wy * wz;
  const tx = m[12], ty = m[13], tz = m[14];
  out[0] = (1 - D * (yy + zz)) * tx + (0.5 * wz + D * xy) * ty + (-0.5 * wy + D * xz) * tz;
  out[1] = (-0.5 * wz + D * xy) * tx + (1 - D * (xx + zz)) * ty + (0.5 * wx + D * yz) * tz;
  out[2] = (0.5 * wy + D * xz) * tx + (-0.5 * wx + D * yz) * ty + (1 - D * (xx + yy)) * tz;
  out[3] = wx; out[4] = wy; out[5] = wz;
  return out;
}

/** Rotation angle (radians) and translation length (metres) of the relative motion a⁻¹·b. */
export function poseDistance(a: Mat4, b: Mat4): { rotation: number; translation: number } {
  // trace(Ra^T Rb) = Σ_ij Ra_ij Rb_ij
  let tr = 0;
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) tr += a[c * 4 + r] * b[c * 4 + r];
  const rotation = Math.acos(Math.min(1, Math.max(-1, (tr - 1) / 2)));
  const translation = Math.hypot(a[12] - b[12], a[13] - b[13], a[14] - b[14]);
  return { rotation, translation };
}

/** Re-orthonormalises the rotation block (Gram–Schmidt on columns) so repeated updates cannot drift off SO(3). */
export function orthonormalizeRotation(m: Mat4): Mat4 {
  let n = Math.hypot(m[0], m[1], m[2]);
  m[0] /= n; m[1] /= n; m[2] /= n;
  const d = m[0] * m[4] + m[1] * m[5] + m[2] * m[6];
  m[4] -= d * m[0]; m[5] -= d * m[1]; m[6] -= d * m[2];
  n = Math.hypot(m[4], m[5], m[6]);
  m[4] /= n; m[5] /= n; m[6] /= n;
  m[8] = m[1] * m[6] - m[2] * m[5];
  m[9] = m[2] * m[4] - m[0] * m[6];
  m[10] = m[0] * m[5] - m[1] * m[4];
  return m;
}
