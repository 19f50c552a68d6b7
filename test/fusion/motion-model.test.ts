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

  it('has nothing to predict from before the first tracked frame', () => {
    expect(() => new MotionModel().predict(3)).toThrow(/no tracked frame/);
  });
});
