import { describe, expect, it } from 'vitest';
import { generateRoom, roomContains } from '../../main/synth/room.js';
import { clearanceMap, rotationAngle, sampleTrajectory, sampleViews, lookAt, DEFAULT_TRAJECTORY_OPTIONS } from '../../main/synth/trajectory.js';

describe('lookAt', () => {
  it('builds an OpenCV camera: z towards the target, y down, orthonormal', () => {
    const T = lookAt([1, 2, 1.5], [3, 2, 1.5]);
    expect([T[8], T[9], T[10]]).toEqual([1, 0, 0]);
    expect(T[6]).toBeCloseTo(-1, 12); // camera y (down) is world −z
    expect([T[12], T[13], T[14]]).toEqual([1, 2, 1.5]);
    expect(T[0] * T[4] + T[1] * T[5] + T[2] * T[6]).toBeCloseTo(0, 12);
  });
});

describe('sampleTrajectory', () => {
  it('moves smoothly within the speed and turn-rate limits, inside the room, clear of obstacles', () => {
    const fps = 30;
    for (const seed of [0, 3, 7, 12]) {
      const room = generateRoom(seed);
      const poses = sampleTrajectory(room, seed, 240, fps);
      expect(poses.length).toBe(240);
      const map = clearanceMap(room);
      let travelled = 0, maxSpeed = 0, maxTurn = 0, minClear = Infinity;
      for (let i = 0; i < poses.length; i++) {
        const p = poses[i];
        expect(roomContains(room, p[12], p[13])).toBe(true);
        expect(p[14]).toBeGreaterThanOrEqual(DEFAULT_TRAJECTORY_OPTIONS.minEyeHeight - 0.01);
        expect(p[14]).toBeLessThanOrEqual(DEFAULT_TRAJECTORY_OPTIONS.maxEyeHeight + 0.01);
        minClear = Math.min(minClear, map.clearance(p[12], p[13]));
        if (i === 0) continue;
        const q = poses[i - 1];
        const step = Math.hypot(p[12] - q[12], p[13] - q[13], p[14] - q[14]);
        travelled += step;
        maxSpeed = Math.max(maxSpeed, step * fps);
        maxTurn = Math.max(maxTurn, (rotationAngle(p, q) * 180 / Math.PI) * fps);
      }
      expect(maxSpeed).toBeLessThan(0.5);
      expect(maxTurn).toBeLessThan(45);
      expect(minClear).toBeGreaterThanOrEqual(0.3);
      // It is a sweep, not a camera standing still.
      expect(travelled).toBeGreaterThan(0.5);
    }
  });

  it('is deterministic in (room, seed)', () => {
    const room = generateRoom(2);
    const a = sampleTrajectory(room, 9, 50), b = sampleTrajectory(room, 9, 50), c = sampleTrajectory(room, 10, 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('looks at furniture, mostly level (camera z axis not pointing at the ceiling)', () => {
    const room = generateRoom(4);
    const poses = sampleTrajectory(room, 1, 120);
    // forward.z: never steeply up (no staring at the ceiling); on average looking down at furniture.
    for (const p of poses) expect(p[10]).toBeLessThan(0.35);
    expect(poses.reduce((s, p) => s + p[10], 0) / poses.length).toBeLessThan(0);
  });
});

describe('sampleViews', () => {
  it('samples independent viewpoints inside the room', () => {
    const room = generateRoom(8);
    const views = sampleViews(room, 5, 20);
    const map = clearanceMap(room);
    expect(views.length).toBe(20);
    for (const v of views) expect(map.clearance(v[12], v[13])).toBeGreaterThanOrEqual(0.35);
    expect(sampleViews(room, 5, 20)).toEqual(views);
  });
});
