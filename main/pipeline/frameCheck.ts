/**
 * What the pipeline does with a bad frame, so one bad file never ends a run or corrupts a map: frames that cannot
 * be read or have the wrong size are skipped, NaN/infinite/negative depth is treated as missing, a frame without
 * any depth still goes to fusion (whose tracking judges it and does not fuse it) and every such frame is flagged
 * with the file and the problem.
 */
import { InputError } from '../errors.js';
import type { Frame } from '../sources/frame.js';

export type FrameIssueKind = 'unreadable' | 'wrong-size' | 'invalid-depth' | 'no-depth';

export interface FrameIssue {
  /** Frame index in the sequence. */
  readonly frame: number;
  readonly kind: FrameIssueKind;
  /** The file and the problem (unreadable), or what was found. */
  readonly detail: string;
  /** Whether the frame still went to fusion (invalid-depth, no-depth) or was skipped (unreadable, wrong-size). */
  readonly mapped: boolean;
}

/** Flags kept in a summary (a sequence of bad files must not make an unbounded report); counts are exact. */
export const MAX_LISTED_ISSUES = 200;

export class FrameIssues {
  readonly listed: FrameIssue[] = [];
  readonly counts: Record<FrameIssueKind, number> = { unreadable: 0, 'wrong-size': 0, 'invalid-depth': 0, 'no-depth': 0 };
  skipped = 0;

  add(issue: FrameIssue): void {
    this.counts[issue.kind]++;
    if (!issue.mapped) this.skipped++;
    if (this.listed.length < MAX_LISTED_ISSUES) this.listed.push(issue);
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  summary(): { readonly skipped: number; readonly counts: Record<FrameIssueKind, number>; readonly frames: readonly FrameIssue[] } {
    return { skipped: this.skipped, counts: { ...this.counts }, frames: this.listed.slice() };
  }
}

/**
 * Reads frame i; a frame the reader refuses with an InputError (missing or corrupt file, wrong image size)
 * becomes an issue instead of an exception. Other errors (bugs, a closed reader) still throw.
 */
export async function readOrFlag(read: (i: number) => Promise<Frame>, i: number): Promise<Frame | FrameIssue> {
  try {
    return await read(i);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const wrongSize = /image is \d+×\d+, the sequence is \d+×\d+/.test(e.problem);
    return { frame: i, kind: wrongSize ? 'wrong-size' : 'unreadable', detail: e.message, mapped: false };
  }
}

/** Sets NaN, ±Infinity and negative depth to 0 (missing), in place; returns how many pixels it changed. */
export function sanitizeDepth(depth: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    // `!(d >= 0)` is true for NaN as well as negatives.
    if (!(d >= 0) || d === Infinity) { depth[i] = 0; bad++; }
  }
  return bad;
}

/**
 * Checks a decoded frame against the sequence: the issue that skips it (wrong size), or the issues it is
 * mapped with (invalid depth values, now missing; no depth at all). Repairs the depth in place.
 */
export function inspectFrame(frame: Frame, path: string, width: number, height: number): FrameIssue[] {
  const i = frame.index;
  if (frame.width !== width || frame.height !== height || frame.depth.length !== width * height || frame.rgb.length !== width * height * 3) {
    return [{ frame: i, kind: 'wrong-size', detail: `${path}: frame ${i} is ${frame.width}×${frame.height}, the sequence is ${width}×${height}`, mapped: false }];
  }
  const out: FrameIssue[] = [];
  const bad = sanitizeDepth(frame.depth);
  if (bad > 0) out.push({ frame: i, kind: 'invalid-depth', detail: `${bad} depth pixels NaN, infinite or negative (treated as missing)`, mapped: true });
  let valid = 0;
  for (let k = 0; k < frame.depth.length; k++) if (frame.depth[k] > 0) valid++;
  if (valid === 0) out.push({ frame: i, kind: 'no-depth', detail: 'no valid depth pixel', mapped: true });
  return out;
}
