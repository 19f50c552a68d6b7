import { describe, expect, it } from 'vitest';
import { applyKinectNoise, DEFAULT_KINECT_NOISE } from '../../main/synth/noise.js';
import { renderView } from '../../main/synth/renderer.js';
import { kinectIntrinsics } from '../../main/synth/sequence.js';
import { lookAt } from '../../main/synth/trajectory.js';
import { planeRoom, poseLookingDown } from './helpers.js';

const K = kinectIntrinsics(160, 120);

function planeAt(d: number) {
  return renderView(planeRoom(60, 1), poseLookingDown(d), K);
}

function stats(noisy: Float32Array, d: number): { sigma: number; valid: number } {
  let s = 0, s2 = 0, n = 0;
  for (const z of noisy) if (z > 0) { s += z - d; s2 += (z - d) ** 2; n++; }
  const mean = s / n;
  return { sigma: Math.sqrt(s2 / n - mean * mean), valid: n / noisy.length };
}

describe('Kinect noise model', () => {
  it('grows roughly quadratically with distance (σ ≈ 1.5 mm at 1 m at 640×480)', () => {
    const K640 = kinectIntrinsics(640, 480);
    const sigmas = [1, 2, 4].map((d) => {
      const r = renderView(planeRoom(60, 1), poseLookingDown(d), K640);
      return stats(applyKinectNoise(r.depth, r.normals, K640, 1, new Float32Array(r.depth.length), { lateralSigma: 0 }), d).sigma;
    });
    expect(sigmas[0]).toBeGreaterThan(0.0008);
    expect(sigmas[0]).toBeLessThan(0.0035);
    expect(sigmas[1] / sigmas[0]).toBeGreaterThan(2.5);
    expect(sigmas[2] / sigmas[1]).toBeGreaterThan(2.5);
  });

  it('is the sensor\'s noise at every image size (a smaller image is a downscaled 640×480 stream)', () => {
    const sigmaAt = (w: number, h: number): number => {
      const k = kinectIntrinsics(w, h);
      const r = renderView(planeRoom(60, 1), poseLookingDown(2.5), k);
      return stats(applyKinectNoise(r.depth, r.normals, k, 5, new Float32Array(r.depth.length), { lateralSigma: 0 }), 2.5).sigma;
    };
    const s640 = sigmaAt(640, 480), s320 = sigmaAt(320, 240);
    expect(s320 / s640).toBeGreaterThan(0.8);
    expect(s320 / s640).toBeLessThan(1.25);
  });

  it('quantises disparity to 1/8 pixel', () => {
    const r = planeAt(2.2);
    const noisy = applyKinectNoise(r.depth, r.normals, K, 3, new Float32Array(r.depth.length));
    // In the 640×480 sensor's pixels, whatever the image size.
    const fb = DEFAULT_KINECT_NOISE.focal640 * DEFAULT_KINECT_NOISE.baseline;
    const levels = new Set<number>();
    for (const z of noisy) {
      if (!(z > 0)) continue;
      const steps = (fb / z) * 8;
      expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-3);
      levels.add(Math.round(steps));
    }
    // Few distinct depths on a flat plane: quantisation, not continuous noise.
    expect(levels.size).toBeLessThan(20);
    expect(levels.size).toBeGreaterThan(1);
  });

  it('leaves ground truth untouched, is deterministic in the seed, and drops out of range', () => {
    const r = planeAt(1.5);
    const before = r.depth.slice();
    const a = applyKinectNoise(r.depth, r.normals, K, 7, new Float32Array(r.depth.length));
    const b = applyKinectNoise(r.depth, r.normals, K, 7, new Float32Array(r.depth.length));
    const c = applyKinectNoise(r.depth, r.normals, K, 8, new Float32Array(r.depth.length));
    expect(r.depth).toEqual(before);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const far = planeAt(5);
    expect(stats(applyKinectNoise(far.depth, far.normals, K, 1, new Float32Array(far.depth.length)), 5).valid).toBe(0);
    const near = planeAt(0.3);
    const zn = applyKinectNoise(near.depth, near.normals, K, 1, new Float32Array(near.depth.length));
    expect(zn.every((z) => z === 0)).toBe(true);
  });

  it('drops readings at grazing angles and next to depth edges', () => {
    // A plane seen almost edge-on far away loses most readings towards the horizon.
    const grazing = renderView(planeRoom(60, 1), lookAt([0, 0, 0.3], [0, 4, 0]), K);
    const gNoisy = applyKinectNoise(grazing.depth, grazing.normals, K, 1, new Float32Array(grazing.depth.length), { maxDepth: 100 });
    let hit = 0, lost = 0;
    for (let i = 0; i < gNoisy.length; i++) {
      if (!(grazing.depth[i] > 0)) continue;
      const x = i % K.width, y = Math.floor(i / K.width);
      const rx = (x - K.cx) / K.fx, ry = (y - K.cy) / K.fy;
      const n = grazing.normals;
      const c = -(n[i * 3] * rx + n[i * 3 + 1] * ry + n[i * 3 + 2]) / Math.hypot(rx, ry, 1);
      // Only pixels whose surface is viewed beyond 86° from its normal.
      if (c > Math.cos((86 * Math.PI) / 180)) continue;
      hit++;
      if (gNoisy[i] === 0) lost++;
    }
    expect(hit).toBeGreaterThan(0);
    expect(lost / hit).toBeGreaterThan(0.5);
    // A small square floating above a far plane: its outline loses readings, the inside does not.
    const room = planeRoom(60, 1);
    const edge = renderView(room, poseLookingDown(3), K);
    const depth = edge.depth.slice();
    for (let y = 40; y < 80; y++) for (let x = 60; x < 100; x++) depth[y * K.width + x] = 1.5;
    const noisy = applyKinectNoise(depth, edge.normals, K, 2, new Float32Array(depth.length), { randomDropout: 0, lateralSigma: 0 });
    let edgeLost = 0, insideLost = 0;
    for (let y = 42; y < 78; y++) { if (noisy[y * K.width + 60] === 0) edgeLost++; if (noisy[y * K.width + 80] === 0) insideLost++; }
    expect(edgeLost).toBeGreaterThan(10);
    expect(insideLost).toBe(0);
  });
});
