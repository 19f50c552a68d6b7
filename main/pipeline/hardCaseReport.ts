/**
 * How the SLAM system met the hard intervals of a generated sequence (close-range passes, covered camera):
 * when it first flagged the interval, how much of it it kept out of the map, and when it was tracking and
 * fusing again afterwards. The intervals come from the generator (main/synth/hardCases.ts), so this measures
 * against ground truth, not against the system's own idea of what was hard.
 */
import type { HardEvent } from '../synth/hardCases.js';

export interface FrameOutcome {
  /** Not an ordinary frame: lost, doubtful, relocalised, or skipped on input. */
  readonly flagged: boolean;
  readonly fused: boolean;
}

export interface HardCaseOutcome {
  readonly kind: HardEvent['kind'];
  /** The frames that are hard: the whole covered second; a close pass's hold (nearest, most depth missing). */
  readonly affected: { readonly start: number; readonly end: number };
  /** First flagged frame in the affected interval, and its delay from the interval's start (frames). */
  readonly firstFlagged: number | null;
  readonly flagDelay: number | null;
  /** Fraction of the affected frames from start + 3 on that are flagged (the target: every one). */
  readonly flaggedAfter3: number;
  /** Affected frames that were fused into the map anyway. */
  readonly fusedAffected: number;
  /** First frame at or after the interval's end that is tracked ('ok') and fused again, and the delay. */
  readonly resumedAt: number | null;
  readonly resumeDelay: number | null;
}

export function reportHardCases(events: readonly HardEvent[], outcome: (frame: number) => FrameOutcome | undefined, frames: number): HardCaseOutcome[] {
  return events.map((e) => {
    const affected = e.kind === 'close-range' && e.hold ? { start: e.hold.start, end: e.hold.end } : { start: e.start, end: e.end };
    let firstFlagged: number | null = null, flaggedLate = 0, late = 0, fusedAffected = 0;
    for (let i = affected.start; i < affected.end && i < frames; i++) {
      const o = outcome(i);
      const flagged = o ? o.flagged || !o.fused : true;
      if (flagged && firstFlagged === null) firstFlagged = i;
      if (i >= affected.start + 3) { late++; if (flagged) flaggedLate++; }
      if (o?.fused) fusedAffected++;
    }
    let resumedAt: number | null = null;
    for (let i = affected.end; i < frames && resumedAt === null; i++) {
      const o = outcome(i);
      if (o && !o.flagged && o.fused) resumedAt = i;
    }
    return {
      kind: e.kind, affected, firstFlagged, flagDelay: firstFlagged === null ? null : firstFlagged - affected.start,
      flaggedAfter3: late === 0 ? 1 : flaggedLate / late, fusedAffected,
      resumedAt, resumeDelay: resumedAt === null ? null : resumedAt - affected.end,
    };
  });
}
