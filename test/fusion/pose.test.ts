import { describe, expect, it } from 'vitest';
import { poseFromTranslationQuaternion, poseToTranslationQuaternion, poseFromRowMajor } from '../../fusion/pose.js';
import { scaleIntrinsics } from '../../fusion/camera.js';

describe('pose conversions', () => {
  it('quaternion → matrix → quaternion round-trips for rotations in every octant', () => {
    const qs = [
      [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.3, -0.5, 0.1, 0.8], [-0.7, 0.2, 0.6, 0.1],
    ];
    for (const [x, y, z, w] of qs) {
      const m = poseFromTranslationQuaternion(1, 2, 3, x, y, z, w);
      const [tx, ty, tz, qx, qy, qz, qw] = poseToTranslationQuaternion(m);
      expect([tx, ty, tz]).toEqual([1, 2, 3]);
      const n = Math.hypot(x, y, z, w);
      const sign = Math.sign(qw * w + qx * x + qy * y + qz * z) || 1;
      expect(qx * sign).toBeCloseTo(x / n, 9);
      expect(qy * sign).toBeCloseTo(y / n, 9);
      expect(qz * sign).toBeCloseTo(z / n, 9);
      expect(qw * sign).toBeCloseTo(w / n, 9);
    }
  });

  it('a 90° turn about z maps x to y (column-major layout)', () => {
    const s = Math.SQRT1_2;
    const m = poseFromTranslationQuaternion(0, 0, 0, 0, 0, s, s);
    expect(m[0]).toBeCloseTo(0, 12);
    expect(m[1]).toBeCloseTo(1, 12);
    expect(m[4]).toBeCloseTo(-1, 12);
  });

  it('row-major text matrices land translation in elements 12..14', () => {
    const m = poseFromRowMajor([1, 0, 0, 5, 0, 1, 0, 6, 0, 0, 1, 7, 0, 0, 0, 1]);
    expect([m[12], m[13], m[14]]).toEqual([5, 6, 7]);
  });

  it('scaling intrinsics keeps pixel centres aligned', () => {
    const k = scaleIntrinsics({ width: 640, height: 480, fx: 500, fy: 500, cx: 319.5, cy: 239.5 }, 320, 240);
    expect(k.fx).toBe(250);
    expect(k.cx).toBeCloseTo(159.5, 12);
  });
});
