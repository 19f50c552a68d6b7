/**
 * Issue 11's hard generated sequences, mapped end to end (semslam map's path): a camera covered for a second and
 * a close-range pass where most depth is missing. Judged against the generator's ground truth: the intervals
 * (hardCases), the poses (ATE) and the room's true surfaces (surfel distance).
 */
import { describe, expect, it } from 'vitest';
import { mapSequence, type MapRun } from '../../main/pipeline/mapSequence.js';
import { createSyntheticSequence, parseSynthSpec } from '../../main/synth/sequence.js';
import { SurfaceDistance } from '../../main/synth/surfaceDistance.js';

async function mapHard(spec: string): Promise<{ run: MapRun; stable: ReturnType<SurfaceDistance['summarize']> }> {
  const seq = createSyntheticSequence(parseSynthSpec(spec));
  const run = await mapSequence(seq, { labels: 'none' });
  // The map a user keeps: surfels confirmed by several views. Unconfirmed ones (the last frames' sensor noise, up
  // to 9 cm out at 4 m) are dropped by fusion when no later view confirms them.
  const snap = run.fusion.snapshot();
  const pts: number[] = [];
  for (let k = 0; k < snap.count; k++) if (snap.stable[k]) pts.push(snap.positions[3 * k], snap.positions[3 * k + 1], snap.positions[3 * k + 2]);
  return { run, stable: new SurfaceDistance(seq.room.mesh).summarize(Float32Array.from(pts)) };
}

/**
 * What both cases must show: the affected interval flagged within 3 frames with nothing of it fused, tracking resumed
 * within maxResumeDelay and never lost after `settledFrom`, ATE ≤ 2 cm and no stable surfel 5 cm off the surfaces.
 */
function expectHeld(
  run: MapRun, stable: ReturnType<SurfaceDistance['summarize']>,
  want: { kind: string; start: number; end: number; maxResumeDelay: number; settledFrom: number },
): void {
  const s = run.summary;
  const [h] = s.hardCases!;
  expect(h).toMatchObject({ kind: want.kind, affected: { start: want.start, end: want.end }, fusedAffected: 0, flaggedAfter3: 1 });
  expect(h.flagDelay).toBeLessThanOrEqual(3);
  expect(h.resumeDelay).not.toBeNull();
  expect(h.resumeDelay!).toBeLessThanOrEqual(want.maxResumeDelay);
  expect(s.frameStatus.lost.filter((f) => f >= want.settledFrom)).toEqual([]);
  expect(s.ateRmseM!).toBeLessThan(0.02);
  expect(stable.max).toBeLessThan(0.05);
  expect(s.surfaceDistance!.fractionOver).toBeLessThan(0.005);
}

describe('hard generated sequences, mapped (issue 11 targets)', () => {
  it('covered for a second: every covered frame flagged at once and kept out of the map, relocalised on return, ATE ≤ 2 cm', async () => {
    const { run, stable } = await mapHard('synth:seed=1,frames=300,size=320x240,covered=1');
    // Tracking resumes on return: relocalised against the map within a few frames, then tracked and fused again.
    // Before the fix: never resumed (150 lost frames, ATE 24.8 cm). Measured after: 0.85 cm.
    expectHeld(run, stable, { kind: 'covered', start: 150, end: 180, maxResumeDelay: 5, settledFrom: 180 });
    expect(run.summary.frameStatus.relocalised.some((f) => f >= 180 && f <= 183)).toBe(true);
  }, 1_200_000);

  it('close-range pass (70 % of the view under the sensor\'s range for a second): flagged at once, nothing fused, tracking resumes, ATE ≤ 2 cm', async () => {
    const { run, stable } = await mapHard('synth:seed=0,frames=600,size=320x240,close=1');
    // Resumed 9 frames after the hold (the retreat's first frames have little depth and are flagged too).
    // Before: 1.16 cm, with a frame of the hold fused; after: 0.78 cm.
    expectHeld(run, stable, { kind: 'close-range', start: 353, end: 383, maxResumeDelay: 20, settledFrom: 420 });
  }, 1_200_000);

  it('a close pass against one flat wall (seed 1): the hold is flagged at once and kept out of the map, and tracking is not lost after it', async () => {
    const { run } = await mapHard('synth:seed=1,frames=600,size=320x240,close=1');
    const [h] = run.summary.hardCases!;
    // Before (2026-12-03): 3 hold frames judged ok were fused (conditioning just over the gate), and after the pass
    // the residual's median, learnt at 0.3 m, put every far frame in doubt until tracking was lost (18 frames).
    // Now a frame in a close pass is in doubt however it tracks, and residuals are judged at the frame's depth.
    expect(h).toMatchObject({ kind: 'close-range', affected: { start: 423, end: 453 }, fusedAffected: 0, flaggedAfter3: 1 });
    expect(run.summary.frameStatus.lost).toEqual([]);
    // Not yet met (issue 11: ATE ≤ 2 cm): the approach slides along the wall–floor edge (fusion/README.md).
  }, 1_200_000);

  it('a far wall beyond the depth range (seed 101, frames 117-140 under 40 % valid, ill-conditioned) is fused in doubt, not lost', async () => {
    const { run, stable } = await mapHard('synth:seed=101,frames=600,size=320x240');
    // Held back as if it were a close pass (most depth missing), the wall starved the model: lost from frame 141 to
    // the end, ATE 42 cm. A close pass is told apart by the depth that is left being near (surfel-fusion.ts).
    const s = run.summary;
    expect(s.frameStatus.lost).toEqual([]);
    expect(s.frameStatus.doubtful.filter((f) => f >= 117 && f <= 140).length).toBeGreaterThan(10);
    expect(s.ateRmseM!).toBeLessThan(0.02);
    expect(stable.max).toBeLessThan(0.05);
  }, 1_200_000);
});
