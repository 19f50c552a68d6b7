import { describe, expect, it } from 'vitest';
import { frustumSegments } from '../../renderer/scene/frustumLayer.js';
import { poseFromTranslationQuaternion } from '../../fusion/pose.js';

describe('frustumSegments', () => {
  const k = { width: 640, height: 480, fx: 500, fy: 500, cx: 319.5, cy: 239.5 };
  it('puts the image corners at the given depth in front of an identity camera', () => {
    const out = frustumSegments(poseFromTranslationQuaternion(0, 0, 0, 0, 0, 0, 1), k, 0.5, new Float32Array(48));
    // Segment 0: centre → top-left corner (u=0, v=0): x, y negative in OpenCV, z = depth.
    expect(Array.from(out.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(out[3]).toBeCloseTo((-319.5 / 500) * 0.5, 6);
    expect(out[4]).toBeCloseTo((-239.5 / 500) * 0.5, 6);
    expect(out[5]).toBeCloseTo(0.5, 6);
  });
  it('follows the camera pose (translation)', () => {
    const out = frustumSegments(poseFromTranslationQuaternion(1, 2, 3, 0, 0, 0, 1), k, 0.5, new Float32Array(48));
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(out[5]).toBeCloseTo(3.5, 6);
  });
});
