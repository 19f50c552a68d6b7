import { describe, expect, it } from 'vitest';
import { Renderer, renderView } from '../../main/synth/renderer.js';
import { generateRoom, distanceToWalls } from '../../main/synth/room.js';
import { kinectIntrinsics } from '../../main/synth/sequence.js';
import { lookAt, sampleViews } from '../../main/synth/trajectory.js';
import { C } from '../../main/synth/labels.js';
import { planeRoom, poseLookingDown } from './helpers.js';

describe('renderer depth', () => {
  it('renders a fronto-parallel plane at exactly its distance', () => {
    const K = kinectIntrinsics(80, 60);
    for (const d of [0.7, 1.9, 4.3]) {
      const out = renderView(planeRoom(20, C.floor), poseLookingDown(d), K);
      let worst = 0, wrongLabels = 0;
      for (let i = 0; i < out.depth.length; i++) {
        worst = Math.max(worst, Math.abs(out.depth[i] - d));
        if (out.labels40[i] !== C.floor) wrongLabels++;
      }
      // Float32 storage is the only error: a few parts in 10^7.
      expect(worst).toBeLessThan(d * 1e-6);
      expect(wrongLabels).toBe(0);
      // Normal faces the camera: −z in the camera frame.
      expect(out.normals[2]).toBeCloseTo(-1, 6);
    }
  });

  it('gives z-depth (not ray length) on a tilted view of a plane', () => {
    const K = kinectIntrinsics(64, 48);
    // Camera 2 m above the plane, pitched 30° from straight down: z-depth of pixel (u, v) follows from the ray.
    const eye: [number, number, number] = [0, 0, 2];
    const T = lookAt(eye, [0, Math.tan(Math.PI / 6) * 2, 0]);
    const out = renderView(planeRoom(40, C.floor), T, K);
    for (const [u, v] of [[0, 0], [32, 24], [63, 47], [10, 40]]) {
      const rx = (u - K.cx) / K.fx, ry = (v - K.cy) / K.fy;
      // Ray direction in world: R · (rx, ry, 1); intersect z = 0.
      const dz = T[2] * rx + T[6] * ry + T[10];
      const z = -eye[2] / dz;
      expect(out.depth[v * K.width + u]).toBeCloseTo(z, 4);
    }
  });

  it('leaves pixels that see nothing void with zero depth', () => {
    const K = kinectIntrinsics(64, 48);
    const out = renderView(planeRoom(0.5, C.floor), poseLookingDown(2), K);
    expect(out.labels40[0]).toBe(255);
    expect(out.depth[0]).toBe(0);
    expect(out.labels40[24 * 64 + 32]).toBe(C.floor);
  });

  it('back-projects floor, ceiling and wall pixels onto those surfaces (pose/intrinsics consistency)', () => {
    const K = kinectIntrinsics(160, 120);
    const renderer = new Renderer(160, 120);
    for (const seed of [1, 4, 9]) {
      const room = generateRoom(seed);
      for (const T of sampleViews(room, 7, 3)) {
        const out = renderer.render(room, T, K);
        let floor = 0, ceiling = 0, wall = 0, worst = 0, outside = 0;
        for (let v = 0; v < K.height; v++) for (let u = 0; u < K.width; u++) {
          const i = v * K.width + u;
          const z = out.depth[i];
          if (!(z > 0)) continue;
          const x = (u - K.cx) / K.fx * z, y = (v - K.cy) / K.fy * z;
          const p = [
            T[0] * x + T[4] * y + T[8] * z + T[12],
            T[1] * x + T[5] * y + T[9] * z + T[13],
            T[2] * x + T[6] * y + T[10] * z + T[14],
          ];
          const o = room.objects[out.objects[i]];
          if (o.name === 'floor') { worst = Math.max(worst, Math.abs(p[2])); floor++; }
          if (o.name === 'ceiling') { worst = Math.max(worst, Math.abs(p[2] - room.height)); ceiling++; }
          if (o.name === 'wall' && p[2] > 0.1) { worst = Math.max(worst, distanceToWalls(room.walls, p[0], p[1])); wall++; }
          // Every point lies inside the bounds of the object it was drawn from.
          for (let c = 0; c < 3; c++) if (p[c] < o.bounds.min[c] - 1e-3 || p[c] > o.bounds.max[c] + 1e-3) outside++;
        }
        expect(worst).toBeLessThan(1e-4);
        expect(outside).toBe(0);
        expect(floor + ceiling + wall).toBeGreaterThan(0);
      }
    }
  });

  it('rejects intrinsics of another size', () => {
    expect(() => new Renderer(64, 48).render(planeRoom(1, 0), poseLookingDown(1), kinectIntrinsics(32, 24))).toThrow(/renderer is 64x48/);
  });
});
