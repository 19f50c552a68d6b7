import type { Mat4 } from '../../fusion/pose.js';
import { poseFromTranslationQuaternion, poseToTranslationQuaternion } from '../../fusion/pose.js';
import { InputError } from '../errors.js';

/** One timestamped pose of a TUM-style trajectory (`timestamp tx ty tz qx qy qz qw`). */
export interface StampedPose {
  readonly timestamp: number;
  readonly T_world_camera: Mat4;
}

/** Decimal places of written quaternions and translations: far below any sensor's accuracy. */
export const POSE_DECIMALS = 9;

function formatNumbers(values: readonly number[]): string {
  return values.map((v) => (Object.is(v, -0) ? 0 : v).toFixed(POSE_DECIMALS).replace(/^-(0\.0+)$/, '$1')).join(' ');
}

/**
 * The `tx ty tz qx qy qz qw` text of a pose, chosen so that reading it back and writing again gives the
 * same text: rounding leaves a quaternion slightly off unit length, the reader normalises, and the
 * re-derived quaternion could round differently, so we iterate to a fixed point of read∘write
 * (in practice one or two steps).
 */
export function formatPoseTum(T_world_camera: Mat4): string {
  let q = poseToTranslationQuaternion(T_world_camera);
  let text = formatNumbers(q);
  const scratch = new Float64Array(16);
  for (let step = 0; step < 8; step++) {
    const v = text.split(' ').map(Number);
    poseFromTranslationQuaternion(v[0], v[1], v[2], v[3], v[4], v[5], v[6], scratch);
    q = poseToTranslationQuaternion(scratch);
    const next = formatNumbers(q);
    if (next === text) break;
    text = next;
  }
  return text;
}

/** Parses whitespace-separated finite numbers; throws InputError naming file and line on garbage. */
export function parseNumbers(path: string, lineNo: number, line: string, expected: number): number[] {
  const parts = line.trim().split(/\s+/);
  if (parts.length < expected) {
    throw new InputError(path, `line ${lineNo}: expected ${expected} numbers, found ${parts.length} (${JSON.stringify(line.trim())})`);
  }
  const out = new Array<number>(expected);
  for (let i = 0; i < expected; i++) {
    const v = Number(parts[i]);
    if (!Number.isFinite(v) || parts[i] === '') {
      throw new InputError(path, `line ${lineNo}: ${JSON.stringify(parts[i])} is not a finite number`);
    }
    out[i] = v;
  }
  return out;
}

/** Non-comment, non-blank lines with their 1-based line numbers. */
export function dataLines(text: string): { lineNo: number; line: string }[] {
  const out: { lineNo: number; line: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push({ lineNo: i + 1, line });
  }
  return out;
}

/** Parses a TUM `groundtruth.txt`-style trajectory, sorted by time. */
export function parseTumTrajectory(path: string, text: string): StampedPose[] {
  const poses: StampedPose[] = [];
  for (const { lineNo, line } of dataLines(text)) {
    const [t, tx, ty, tz, qx, qy, qz, qw] = parseNumbers(path, lineNo, line, 8);
    if (Math.hypot(qx, qy, qz, qw) < 1e-6) throw new InputError(path, `line ${lineNo}: zero quaternion`);
    poses.push({ timestamp: t, T_world_camera: poseFromTranslationQuaternion(tx, ty, tz, qx, qy, qz, qw) });
  }
  poses.sort((a, b) => a.timestamp - b.timestamp);
  return poses;
}

export interface GroundTruthLookupOptions {
  /** Interpolate between two samples at most this far apart (s). */
  readonly maxInterpolationGapS: number;
  /** Otherwise take the nearest sample when within this (s). */
  readonly maxNearestS: number;
}

export const DEFAULT_GROUND_TRUTH_LOOKUP: GroundTruthLookupOptions = { maxInterpolationGapS: 0.1, maxNearestS: 0.02 };

/** Samples closer than this to the query are returned as they are (no interpolation arithmetic). */
const EXACT_S = 1e-6;

/**
 * Pose at time t: the sample itself when one is (numerically) at t, else translation lerp + quaternion
 * slerp between the bracketing samples when they are close enough, else the nearest sample within
 * maxNearestS, else undefined.
 */
export function groundTruthAt(poses: readonly StampedPose[], t: number, options: GroundTruthLookupOptions = DEFAULT_GROUND_TRUTH_LOOKUP): Float64Array | undefined {
  if (poses.length === 0) return undefined;
  let lo = 0, hi = poses.length; // first index with timestamp >= t
  while (lo < hi) { const mid = (lo + hi) >> 1; if (poses[mid].timestamp < t) lo = mid + 1; else hi = mid; }
  const after = lo < poses.length ? poses[lo] : undefined;
  const before = lo > 0 ? poses[lo - 1] : undefined;
  if (after && after.timestamp - t < EXACT_S) return Float64Array.from(after.T_world_camera);
  if (before && t - before.timestamp < EXACT_S) return Float64Array.from(before.T_world_camera);
  if (before && after && after.timestamp - before.timestamp <= options.maxInterpolationGapS + EXACT_S) {
    const a = (t - before.timestamp) / (after.timestamp - before.timestamp);
    return interpolatePose(before.T_world_camera, after.T_world_camera, a);
  }
  const nearest = !after ? before : !before ? after : (t - before.timestamp <= after.timestamp - t ? before : after);
  if (nearest && Math.abs(nearest.timestamp - t) <= options.maxNearestS + EXACT_S) return Float64Array.from(nearest.T_world_camera);
  return undefined;
}

export function interpolatePose(A: Float64Array, B: Float64Array, a: number): Float64Array {
  const p = poseToTranslationQuaternion(A), q = poseToTranslationQuaternion(B);
  let dot = p[3] * q[3] + p[4] * q[4] + p[5] * q[5] + p[6] * q[6];
  const sign = dot < 0 ? -1 : 1;
  dot *= sign;
  let wa = 1 - a, wb = a * sign;
  if (dot < 0.9995) {
    const th = Math.acos(Math.min(1, dot));
    wa = Math.sin((1 - a) * th) / Math.sin(th);
    wb = (Math.sin(a * th) / Math.sin(th)) * sign;
  }
  return poseFromTranslationQuaternion(
    p[0] + (q[0] - p[0]) * a, p[1] + (q[1] - p[1]) * a, p[2] + (q[2] - p[2]) * a,
    wa * p[3] + wb * q[3], wa * p[4] + wb * q[4], wa * p[5] + wb * q[5], wa * p[6] + wb * q[6],
  );
}

/**
 * A trajectory as TUM RGB-D's tools (and evo's `tum` format) read it: `#` comment lines, then one
 * `timestamp tx ty tz qx qy qz qw` line per pose (seconds; the camera's pose in the world).
 */
export function formatTumTrajectory(poses: readonly StampedPose[], comments: readonly string[] = []): string {
  const lines = comments.map((c) => `# ${c}`);
  lines.push('# timestamp tx ty tz qx qy qz qw');
  for (const p of poses) lines.push(`${p.timestamp.toFixed(6)} ${formatPoseTum(p.T_world_camera)}`);
  return `${lines.join('\n')}\n`;
}
