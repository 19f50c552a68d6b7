import { poseFromTranslationQuaternion, poseToTranslationQuaternion, type Mat4 } from '../pose.js';
import { alignPoints, type AlignmentKind } from './align.js';
import { summarise, type ErrorStats } from './stats.js';

/**
 * Trajectory metrics as the TUM RGB-D benchmark defines them (Sturm et al., IROS 2012):
 * ATE  — absolute trajectory error: camera positions after one best-fit alignment of the estimate onto
 *        ground truth (evaluate_ate.py: Horn, rigid, no scale); lower is better.
 * RPE  — relative pose error over a fixed interval Δ: E_i = (Q_i⁻¹ Q_{i+Δ})⁻¹ (P_i⁻¹ P_{i+Δ})
 *        (evaluate_rpe.py); translation in metres, rotation in degrees; lower is better.
 * Poses are column-major T_world_camera (camera-to-world); the two lists are already associated
 * (entry i of each is the same instant).
 */

export interface AteOptions {
  /** 'rigid' (default, TUM's ATE) or 'similarity' (Sim(3), for estimates with unknown scale). */
  readonly alignment: AlignmentKind;
}
export const DEFAULT_ATE_OPTIONS: AteOptions = { alignment: 'rigid' };

export interface AteResult extends ErrorStats {
  /** Column-major 4×4 applied to the estimate: p_gt ≈ T_gt_est · p_est (upper 3×3 = s·R). */
  readonly T_gt_est: Mat4;
  /** 1 unless options.alignment = 'similarity'. */
  readonly scale: number;
  /** Per-pose position error after alignment, metres. */
  readonly errors: Float64Array;
}

export function ateRmse(estimated: readonly Mat4[], groundTruth: readonly Mat4[], options: Partial<AteOptions> = {}): AteResult {
  const o = { ...DEFAULT_ATE_OPTIONS, ...options };
  const n = estimated.length;
  if (n === 0 || groundTruth.length !== n) {
    throw new RangeError(`ateRmse: need equally long, non-empty trajectories (got ${n} and ${groundTruth.length})`);
  }
  const a = new Float64Array(3 * n);
  const b = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    a[3 * i] = estimated[i][12]; a[3 * i + 1] = estimated[i][13]; a[3 * i + 2] = estimated[i][14];
    b[3 * i] = groundTruth[i][12]; b[3 * i + 1] = groundTruth[i][13]; b[3 * i + 2] = groundTruth[i][14];
  }
  const { T_b_a: T, scale } = alignPoints(a, b, o.alignment);
  const errors = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[3 * i], y = a[3 * i + 1], z = a[3 * i + 2];
    const ex = T[0] * x + T[4] * y + T[8] * z + T[12] - b[3 * i];
    const ey = T[1] * x + T[5] * y + T[9] * z + T[13] - b[3 * i + 1];
    const ez = T[2] * x + T[6] * y + T[10] * z + T[14] - b[3 * i + 2];
    errors[i] = Math.hypot(ex, ey, ez);
  }
  return { ...summarise(errors), T_gt_est: T, scale, errors };
}

export type RpeDeltaUnit = 'frames' | 'seconds';

export interface RpeOptions {
  /** Interval Δ between the two poses of each pair (TUM: --delta). */
  readonly delta: number;
  /**
   * 'frames': pair i with i + Δ. 'seconds': pair i with the pose whose timestamp is closest to t_i + Δ
   * (evaluate_rpe's find_closest_index; needs timestamps); pairs whose t_i + Δ lies past the last pose are skipped.
   */
  readonly deltaUnit: RpeDeltaUnit;
  /** Seconds per pose; required for deltaUnit 'seconds'. */
  readonly timestamps?: ArrayLike<number>;
}
export const DEFAULT_RPE_OPTIONS: RpeOptions = { delta: 1, deltaUnit: 'frames' };

export interface RpeResult {
  /** Number of pose pairs evaluated. */
  readonly pairs: number;
  /** Translational drift over Δ, metres (per Δ: m/frame or m/s for Δ = 1). Lower is better. */
  readonly translation: ErrorStats;
  /** Rotational drift over Δ, degrees. Lower is better. */
  readonly rotationDeg: ErrorStats;
}

/** Writes inv(A)·B for rigid column-major poses into out (no general inverse: Rᵀ and −Rᵀt). */
function relativePose(A: Mat4, B: Mat4, out: Float64Array): Float64Array {
  // inv(A) = [Rᵀ | −Rᵀ t]; (inv(A)·B)[r][c] = Σ_k Rᵀ[r][k] B[k][c] = Σ_k A[k][r] B[k][c].
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 3; r++) {
      let v = 0;
      for (let k = 0; k < 3; k++) v += A[r * 4 + k] * B[c * 4 + k];
      if (c === 3) v -= A[r * 4] * A[12] + A[r * 4 + 1] * A[13] + A[r * 4 + 2] * A[14];
      out[c * 4 + r] = v;
    }
    out[c * 4 + 3] = c === 3 ? 1 : 0;
  }
  return out;
}

/** Angle of a rotation from its trace, clamped as evaluate_rpe's compute_angle does. */
function rotationAngleRad(m: Float64Array): number {
  const cos = (m[0] + m[5] + m[10] - 1) / 2;
  return Math.acos(Math.min(1, Math.max(-1, cos)));
}

/**
 * Nearest rotation through the quaternion form, as TUM's tools read poses. Stored matrices are often not quite
 * orthonormal (7-Scenes' ground-truth columns have norm 0.99993); with Rᵀ as the inverse that alone reads as
 * a ~1.1° rotation error per pair.
 */
function orthonormalised(T: Mat4): Mat4 {
  const [tx, ty, tz, qx, qy, qz, qw] = poseToTranslationQuaternion(T);
  return poseFromTranslationQuaternion(tx, ty, tz, qx, qy, qz, qw);
}

export function rpe(estimatedPoses: readonly Mat4[], groundTruthPoses: readonly Mat4[], options: Partial<RpeOptions> = {}): RpeResult {
  const estimated = estimatedPoses.map(orthonormalised);
  const groundTruth = groundTruthPoses.map(orthonormalised);
  const o = { ...DEFAULT_RPE_OPTIONS, ...options };
  const n = estimated.length;
  if (groundTruth.length !== n) throw new RangeError(`rpe: trajectories differ in length (${n} and ${groundTruth.length})`);
  if (o.deltaUnit === 'seconds' && (!o.timestamps || o.timestamps.length !== n)) {
    throw new RangeError('rpe: deltaUnit "seconds" needs one timestamp per pose');
  }
  if (!(o.delta > 0)) throw new RangeError(`rpe: delta must be positive (got ${o.delta})`);
  const trans: number[] = [];
  const rot: number[] = [];
  const dEst = new Float64Array(16), dGt = new Float64Array(16), err = new Float64Array(16);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (o.deltaUnit === 'frames') {
      j = i + Math.round(o.delta);
    } else {
      const ts = o.timestamps!;
      const target = ts[i] + o.delta;
      if (target > ts[n - 1]) break;
      if (j < i) j = i;
      // Timestamps increase, so the closest index only moves forward as i does.
      while (j + 1 < n && Math.abs(ts[j + 1] - target) <= Math.abs(ts[j] - target)) j++;
      if (j === i) continue;
    }
    if (j >= n) break;
    relativePose(estimated[i], estimated[j], dEst);
    relativePose(groundTruth[i], groundTruth[j], dGt);
    // E = inv(ΔQ)·ΔP with Q = ground truth, P = estimate.
    relativePose(dGt, dEst, err);
    trans.push(Math.hypot(err[12], err[13], err[14]));
    rot.push((rotationAngleRad(err) * 180) / Math.PI);
  }
  return {
    pairs: trans.length,
    translation: summarise(Float64Array.from(trans)),
    rotationDeg: summarise(Float64Array.from(rot)),
  };
}
