import { describe, expect, it } from 'vitest';
import { MOTION_MODEL_MAX_FRAMES, MotionModel } from '../../fusion/motion-model.js';
import { se3Exp, mulPose } from '../../fusion/se3.js';
import { poseErrorMmDeg } from './helpers/pose-expect.js';

/** A camera moving along a screw: 1 cm and 0.5° per frame. */
const STEP = se3Exp(new Float64Array(16), [0.006, -0.002, 0.008, 0.002, 0.008, -0.003]);
function poseAt(k: number): Float64Array {
  let T: Float64Array = se3Exp(new Float64Array(16), [0.5, 1.2, 1.4, 0.1, -0.3, 0.2]);
  for (let i = 0; i < k; i++) T = mulPose(new Float64Array(16), T, STEP);
  return T;
}

describe('MotionModel (where a lost frame is put)', () => {
  it('extrapolates the last velocity along the screw, exactly for constant motion', () => {
    const m = new MotionModel();
    m.note(10, poseAt(10));
    m.note(11, poseAt(11));
    for (const k of [12, 20, 41]) {
      const e = poseErrorMmDeg(m.predict(k), poseAt(k));
      // Float round-off only (a tenth of a micrometre over 30 frames).
      expect(e.mm).toBeLessThan(1e-4);
      expect(e.deg).toBeLessThan(1e-5);
    }
  });

  it('holds the pose reached after MOTION_MODEL_MAX_FRAMES, and never extrapolates across a gap', () => {
    const m = new MotionModel();
    m.note(0, poseAt(0));
    m.note(1, poseAt(1));
    const far = m.predict(1 + MOTION_MODEL_MAX_FRAMES + 100);
    expect(poseErrorMmDeg(far, poseAt(1 + MOTION_MODEL_MAX_FRAMES)).mm).toBeLessThan(1e-4);
    // Frame 40 after a gap (e.g. relocalised): its offset from frame 1 is a correction, not a velocity.
    m.note(40, poseAt(40));
    expect(poseErrorMmDeg(m.predict(45), poseAt(40)).mm).toBeLessThan(1e-9);
    expect(m.lastTrackedFrame).toBe(40);
  });

  it('moves its origin but keeps the velocity for an unverified pose (tracked after a loss)', () => {
    const m = new MotionModel();
    m.note(10, poseAt(10));
    m.note(11, poseAt(11));
    // A wrong converge 30 cm off, then another: measured, that "velocity" would carry every later prediction away.
    const off = (k: number): Float64Array => { const T = poseAt(k); T[12] += 0.3 * (k - 11); return T; };
    m.note(12, off(12), false);
    m.note(13, off(13), false);
    expect(m.lastTrackedFrame).toBe(13);
    const p = m.predict(15);
    // From frame 13's pose, two steps of the screw: the 30 cm a frame is not extrapolated.
    const expected = mulPose(new Float64Array(16), off(13), mulPose(new Float64Array(16), STEP, STEP));
    expect(poseErrorMmDeg(p, expected).mm).toBeLessThan(1e-4);
  });

  it('has nothing to predict from before the first tracked frame', () => {
    expect(() => new MotionModel().predict(3)).toThrow(/no tracked frame/);
  });
});
