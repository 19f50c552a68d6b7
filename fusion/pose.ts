/**
 * Rigid poses are 4×4 matrices in gl-matrix layout: column-major Float64Array(16).
 * Names carry their frames: T_world_camera maps camera coordinates into world coordinates.
 */
export type Mat4 = Float64Array;

export function identityPose(out: Mat4 = new Float64Array(16)): Mat4 {
  out.fill(0);
  out[0] = 1; out[5] = 1; out[10] = 1; out[15] = 1;
  return out;
}

/** Builds a pose from a row-major 4×4 (how text files store matrices). */
export function poseFromRowMajor(rows: ArrayLike<number>, out: Mat4 = new Float64Array(16)): Mat4 {
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) out[c * 4 + r] = rows[r * 4 + c];
  return out;
}

/** Pose from translation and unit quaternion (x, y, z, w), as TUM files store them. */
export function poseFromTranslationQuaternion(
  tx: number, ty: number, tz: number, qx: number, qy: number, qz: number, qw: number,
  out: Mat4 = new Float64Array(16),
): Mat4 {
  const n = Math.hypot(qx, qy, qz, qw) || 1;
  const x = qx / n, y = qy / n, z = qz / n, w = qw / n;
  out[0] = 1 - 2 * (y * y + z * z); out[1] = 2 * (x * y + z * w); out[2] = 2 * (x * z - y * w); out[3] = 0;
  out[4] = 2 * (x * y - z * w); out[5] = 1 - 2 * (x * x + z * z); out[6] = 2 * (y * z + x * w); out[7] = 0;
  out[8] = 2 * (x * z + y * w); out[9] = 2 * (y * z - x * w); out[10] = 1 - 2 * (x * x + y * y); out[11] = 0;
  out[12] = tx; out[13] = ty; out[14] = tz; out[15] = 1;
  return out;
}

/** Inverse of the pose's rotation quaternion (x, y, z, w) and translation, for writing TUM files. */
export function poseToTranslationQuaternion(m: Mat4): [number, number, number, number, number, number, number] {
  const m00 = m[0], m11 = m[5], m22 = m[10];
  let qx: number, qy: number, qz: number, qw: number;
  const tr = m00 + m11 + m22;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    qw = 0.25 * s; qx = (m[6] - m[9]) / s; qy = (m[8] - m[2]) / s; qz = (m[1] - m[4]) / s;
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    qw = (m[6] - m[9]) / s; qx = 0.25 * s; qy = (m[4] + m[1]) / s; qz = (m[8] + m[2]) / s;
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    qw = (m[8] - m[2]) / s; qx = (m[4] + m[1]) / s; qy = 0.25 * s; qz = (m[9] + m[6]) / s;
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    qw = (m[1] - m[4]) / s; qx = (m[8] + m[2]) / s; qy = (m[9] + m[6]) / s; qz = 0.25 * s;
  }
  return [m[12], m[13], m[14], qx, qy, qz, qw];
}
