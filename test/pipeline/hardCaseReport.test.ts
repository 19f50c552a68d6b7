import { describe, expect, it } from 'vitest';
import { reportHardCases, type FrameOutcome } from '../../main/pipeline/hardCaseReport.js';
import { mapSequence } from '../../main/pipeline/mapSequence.js';
import { PrefetchingReader } from '../../main/pipeline/prefetch/prefetchingReader.js';

describe('hard-case report (against the generator\'s intervals)', () => {
  it('first flag, the share flagged from +3, fused frames and the resume, on known outcomes', () => {
    const ok: FrameOutcome = { flagged: false, fused: true };
    const lost: FrameOutcome = { flagged: true, fused: false };
    // Covered 10..19: flagged from 12 to 21 except 15 (fused by mistake); ok again from 22.
    const at = (i: number): FrameOutcome => (i >= 12 && i < 22 && i !== 15 ? lost : ok);
    const [r] = reportHardCases([{ kind: 'covered', start: 10, end: 20 }], at, 40);
    expect(r).toEqual({
      kind: 'covered', affected: { start: 10, end: 20 }, firstFlagged: 12, flagDelay: 2,
      flaggedAfter3: 6 / 7, fusedAffected: 3, resumedAt: 22, resumeDelay: 2,
    });
    const [c] = reportHardCases([{ kind: 'close-range', start: 0, end: 30, hold: { start: 5, end: 8, distance: 0.2 } }], () => lost, 10);
    expect(c).toMatchObject({ affected: { start: 5, end: 8 }, firstFlagged: 5, flaggedAfter3: 1, resumedAt: null });
  });

  it('semslam map\'s summary reports the covered second of a generated sequence (read on another thread)', async () => {
    const reader = await PrefetchingReader.open('synth:seed=3,frames=90,size=80x60,covered=1');
    try {
      const s = (await mapSequence(reader, { labels: 'none' })).summary;
      expect(s.hardCases).toHaveLength(1);
      const h = s.hardCases![0];
      expect(h).toMatchObject({ kind: 'covered', affected: { start: 45, end: 75 } });
      // A camera that sees nothing is never fused: every frame of it is flagged, none reaches the map.
      expect(h.flagDelay).toBe(0);
      expect(h.flaggedAfter3).toBe(1);
      expect(h.fusedAffected).toBe(0);
      expect(s.inputIssues.counts['no-depth']).toBe(30);
    } finally {
      await reader.close();
    }
  });
});
