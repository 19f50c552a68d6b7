import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../fusion/camera.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import { identityPose } from '../../fusion/pose.js';

// Integer principal point: the pixel there has confidence weight exactly 1.
const K: Intrinsics = { width: 64, height: 48, fx: 50, fy: 50, cx: 32, cy: 24 };
const N = K.width * K.height;

function flat(depth: number, rgb: [number, number, number]): { depth: Float32Array; rgb: Uint8Array } {
  const d = new Float32Array(N).fill(depth);
  const c = new Uint8Array(3 * N);
  for (let i = 0; i < N; i++) c.set(rgb, 3 * i);
  return { depth: d, rgb: c };
}

/** The live slot whose position is nearest to (x, y, z). */
function nearestSlot(f: SurfelFusion, x: number, y: number, z: number): number {
  const m = f.map;
  let best = -1, bd = Infinity;
  for (let s = 0; s < m.highWater; s++) {
    if (!m.alive[s]) continue;
    const d = Math.hypot(m.position[3 * s] - x, m.position[3 * s + 1] - y, m.position[3 * s + 2] - z);
    if (d < bd) { bd = d; best = s; }
  }
  return best;
}

describe('surfel fusion', () => {
  it('creates one surfel per pixel with a normal, then averages a second measurement by confidence', () => {
    const f = new SurfelFusion(K, { trackingMethod: 'none' });
    const a = flat(1.0, [100, 100, 100]);
    f.processFrame({ ...a, timestamp: 0, T_world_camera_hint: identityPose() });
    // Border pixels have no central-difference normal.
    expect(f.surfelCount).toBe((K.width - 2) * (K.height - 2));
    const s = nearestSlot(f, 0, 0, 1);
    const m = f.map;
    expect(m.confidence[s]).toBeCloseTo(1, 6);
    expect(m.radius[s]).toBeCloseTo(Math.SQRT2 / 50, 6);
    expect(Array.from(m.normal.subarray(3 * s, 3 * s + 3)).map((v) => v + 0)).toEqual([0, 0, -1]);

    const b = flat(1.01, [200, 50, 0]);
    const r = f.processFrame({ ...b, timestamp: 1 / 30 });
    expect(r.stats.added).toBe(0);
    expect(r.stats.visibleSurfels).toBe(f.surfelCount);
    // Weights: existing confidence 1, new α = 1 at the principal point: plain mean.
    expect(m.position[3 * s + 2]).toBeCloseTo(1.005, 6);
    expect(m.position[3 * s]).toBeCloseTo(0, 6);
    expect(Array.from(m.color.subarray(3 * s, 3 * s + 3))).toEqual([150, 75, 50]);
    expect(m.radius[s]).toBeCloseTo((Math.SQRT2 / 50 + (Math.SQRT2 * 1.01) / 50) / 2, 6);
    expect(m.confidence[s]).toBeCloseTo(2, 6);
    // Off-centre pixels weigh less: at the corner α = exp(−1/(2·0.6²)).
    const corner = nearestSlot(f, (1 - 32) / 50 * 1.0, (1 - 24) / 50 * 1.0, 1);
    expect(m.confidence[corner]).toBeCloseTo(2 * Math.exp(-Math.pow(Math.hypot(31, 23) / Math.hypot(32, 24), 2) / (2 * 0.36)), 4);
  });

  it('lets a stable surfel\'s colour follow the camera: weight min(confidence, colourMaxWeight) against a new colour', () => {
    // 40 frames of grey, then 10 of white at the same depth (an exposure step). Position keeps the full confidence.
    const run = (colourMaxWeight: number): { colour: number; confidence: number } => {
      const f = new SurfelFusion(K, { trackingMethod: 'none', loopClosure: false, colourMaxWeight });
      for (let k = 0; k < 50; k++) {
        f.processFrame({ ...flat(1.0, k < 40 ? [100, 100, 100] : [200, 200, 200]), timestamp: k / 30, T_world_camera_hint: identityPose() });
      }
      const s = nearestSlot(f, 0, 0, 1);
      return { colour: f.map.color[3 * s], confidence: f.map.confidence[s] };
    };
    const capped = run(20), frozen = run(Infinity);
    expect(capped.confidence).toBeCloseTo(50, 6);
    expect(frozen.confidence).toBeCloseTo(50, 6);
    // Full confidence: each white frame moves the grey by 100/(c+1) < 2.5 levels, rounded: it stays near 100.
    expect(frozen.colour).toBeLessThan(125);
    // Capped at 20: c1 = 100 + (200 − c0)/21 per frame, rounded, ten times: 100 → 138 or so (1 − (20/21)^10 = 39 %).
    expect(capped.colour).toBeGreaterThan(130);
    expect(capped.colour).toBeLessThan(145);
    expect(() => new SurfelFusion(K, { colourMaxWeight: 0 })).toThrow(/colourMaxWeight/);
  });

  it('removes unstable surfels the sensor now sees through (free-space violation), keeps stable ones', () => {
    const f = new SurfelFusion(K, { trackingMethod: 'none' });
    f.processFrame({ ...flat(1.0, [90, 90, 90]), timestamp: 0, T_world_camera_hint: identityPose() });
    const first = f.surfelCount;
    // Make the left half stable.
    const m = f.map;
    for (let s = 0; s < m.highWater; s++) if (m.position[3 * s] < -0.05) m.confidence[s] = 20;
    const r = f.processFrame({ ...flat(2.0, [90, 90, 90]), timestamp: 1 / 30 });
    expect(r.stats.removed).toBeGreaterThan(first * 0.3);
    let near = 0, nearUnstable = 0;
    for (let s = 0; s < m.highWater; s++) {
      if (!m.alive[s] || m.position[3 * s + 2] > 1.5) continue;
      near++;
      if (m.confidence[s] < 10) nearUnstable++;
    }
    expect(nearUnstable).toBe(0);
    expect(near).toBeGreaterThan(first * 0.3);
    // The new surface was added where the old one no longer explains the measurement.
    expect(r.stats.added).toBeGreaterThan(0);
  });

  it('removes surfels never confirmed within the unstable window, but not confirmed ones', () => {
    const f = new SurfelFusion(K, { trackingMethod: 'none', unstableWindow: 5, stableConfidence: 3 });
    const wall = flat(1.0, [90, 90, 90]);
    f.processFrame({ ...wall, timestamp: 0, T_world_camera_hint: identityPose() });
    // Only the first frame sees the centre; afterwards only the left half is observed (the rest has no depth).
    const half = flat(1.0, [90, 90, 90]);
    for (let y = 0; y < K.height; y++) for (let x = K.width / 2; x < K.width; x++) half.depth[y * K.width + x] = 0;
    for (let t = 1; t <= 6; t++) f.processFrame({ ...half, timestamp: t / 30 });
    const m = f.map;
    let right = 0, left = 0;
    for (let s = 0; s < m.highWater; s++) {
      if (!m.alive[s]) continue;
      if (m.position[3 * s] > 0.02) right++; else if (m.position[3 * s] < -0.02) left++;
    }
    expect(right).toBe(0);
    expect(left).toBeGreaterThan(500);
  });

  it('changedSince streams updated surfels and removed ids', () => {
    const f = new SurfelFusion(K, { trackingMethod: 'none' });
    f.processFrame({ ...flat(1.0, [90, 90, 90]), timestamp: 0, T_world_camera_hint: identityPose() });
    const all = f.snapshot();
    expect(all.count).toBe(f.surfelCount);
    expect(new Set(all.ids).size).toBe(all.count);
    const upper = flat(1.0, [90, 90, 90]);
    upper.depth.fill(0, N / 2);
    f.processFrame({ ...upper, timestamp: 1 / 30 });
    const d = f.changedSince(0);
    expect(d.count).toBeGreaterThan(0);
    expect(d.count).toBeLessThan(all.count);
    expect(d.frameIndex).toBe(1);
    // Everything changed at frame 1 lies in the upper half (negative y).
    for (let k = 0; k < d.count; k++) expect(d.positions[3 * k + 1]).toBeLessThan(0.01);
    f.processFrame({ ...flat(2.0, [90, 90, 90]), timestamp: 2 / 30 });
    const d2 = f.changedSince(1);
    expect(d2.removedIds.length).toBeGreaterThan(0);
    const live = new Set(f.snapshot().ids);
    for (const id of d2.removedIds) expect(live.has(id)).toBe(false);
  });
});
