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
