import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openSequence } from '../../main/sources/open.js';
import { groundTruthRoom } from '../../main/synth/groundTruthGeometry.js';
import { Rng } from '../../main/synth/random.js';
import { createSyntheticSequence } from '../../main/synth/sequence.js';
import { pointTriangleDistanceSq, SurfaceDistance } from '../../main/synth/surfaceDistance.js';
import { rotationAngle } from '../../main/synth/trajectory.js';
import { planeRoom } from './helpers.js';

const SEEDS = [0, 1, 2, 101];

function step(a: Float64Array, b: Float64Array): number {
  return Math.hypot(b[12] - a[12], b[13] - a[13], b[14] - a[14]);
}

/** Frames (at least `gap` apart) whose pose is within 10 cm and 15° of frame 0's. */
function revisitsOfStart(poses: readonly Float64Array[], gap: number): number[] {
  const out: number[] = [];
  for (let i = gap; i < poses.length; i++) {
    if (step(poses[0], poses[i]) < 0.1 && rotationAngle(poses[0], poses[i]) < (15 * Math.PI) / 180 && (out.length === 0 || i - out[out.length - 1] > gap)) out.push(i);
  }
  return out;
}

describe('hard synthetic sequences', () => {
  it('loop=1: 1,500 frames that come back to the start (position and view) within the motion limits', () => {
    for (const seed of SEEDS) {
      const s = createSyntheticSequence({ seed, frames: 1500, width: 64, height: 48, loop: true });
      expect(s.poses.length).toBe(1500);
      let maxSpeed = 0, maxTurn = 0;
      for (let i = 1; i < s.poses.length; i++) {
        maxSpeed = Math.max(maxSpeed, step(s.poses[i - 1], s.poses[i]) * 30);
        maxTurn = Math.max(maxTurn, (rotationAngle(s.poses[i - 1], s.poses[i]) * 30 * 180) / Math.PI);
      }
      expect(maxSpeed).toBeLessThan(0.45);
      expect(maxTurn).toBeLessThan(40);
      expect(revisitsOfStart(s.poses, 100).length, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      expect(s.info.path).toContain('loop=1');
    }
    // An open sweep of the same length does not come back to its start view.
    const open = createSyntheticSequence({ seed: 0, frames: 1500, width: 64, height: 48 });
    expect(revisitsOfStart(open.poses, 100)).toEqual([]);
  });

  it('close=2: passes where most depth is below the sensor range, smooth and flagged as events', async () => {
    for (const seed of SEEDS) {
      const s = createSyntheticSequence({ seed, frames: 1500, width: 160, height: 120, closePasses: 2 });
      const passes = s.events.filter((e) => e.kind === 'close-range');
      expect(passes.length, `seed ${seed}`).toBe(2);
      for (let i = 1; i < s.poses.length; i++) expect(step(s.poses[i - 1], s.poses[i]) * 30).toBeLessThan(0.65);
      for (const e of passes) {
        const mid = Math.floor((e.hold!.start + e.hold!.end) / 2);
        const held = await s.read(mid);
        const valid = held.depth.filter((d) => d > 0).length / held.depth.length;
        expect(valid, `seed ${seed} frame ${mid}`).toBeLessThan(0.5);
        // The exact depth is there (the surface is real and close), the sensor's is not.
        expect(held.depthGroundTruth!.filter((d) => d > 0 && d < 0.4).length / held.depth.length).toBeGreaterThan(0.5);
        const before = await s.read(e.start);
        expect(before.depth.filter((d) => d > 0).length / before.depth.length).toBeGreaterThan(0.7);
      }
    }
  });

  it('covered=1: one second of a dark image and no depth while the camera keeps moving', async () => {
    const s = createSyntheticSequence({ seed: 3, frames: 300, width: 80, height: 60, covered: 1 });
    expect(s.events).toEqual([{ kind: 'covered', start: 150, end: 180 }]);
    for (const i of [149, 150, 179, 180]) {
      const f = await s.read(i);
      const inside = i >= 150 && i < 180;
      const meanRgb = f.rgb.reduce((a, b) => a + b, 0) / f.rgb.length;
      expect(f.depth.some((d) => d > 0)).toBe(!inside);
      if (inside) expect(meanRgb).toBeLessThan(16);
      else expect(meanRgb).toBeGreaterThan(30);
    }
    expect(step(s.poses[150], s.poses[179])).toBeGreaterThan(0);
  });

  it('the spec names the hard cases and the default sweep is unchanged by them', () => {
    const plain = createSyntheticSequence({ seed: 5, frames: 200, width: 64, height: 48 });
    const again = createSyntheticSequence({ seed: 5, frames: 200, width: 64, height: 48, covered: 1 });
    expect(again.poses).toEqual(plain.poses);
    expect(plain.events).toEqual([]);
    expect(plain.info.path).toBe('synth:seed=5,frames=200,size=64x48,noise=kinect');
  });
});

describe('semslam gen --loop --close-passes --covered', () => {
  it('writes the events into semslam.json and --json; the folder knows its true room', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semslam-hard-'));
    try {
      const out = join(dir, 'seq');
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/semslam.js', 'gen', '--seed', '3', '--frames', '90', '--size', '32x24',
        '--covered', '1', '--loop', '--out', out, '--json'], { cwd: process.cwd() });
      const summary = JSON.parse(stdout);
      expect(summary).toMatchObject({ loop: true, covered: 1, closePasses: 0, events: [{ kind: 'covered', start: 45, end: 75 }] });
      const sidecar = JSON.parse(await readFile(join(out, 'semslam.json'), 'utf8'));
      expect(sidecar.generator).toMatchObject({ seed: 3, loop: true, covered: 1 });
      expect(sidecar.generator.events).toEqual(summary.events);
      const reader = await openSequence(out);
      const room = await groundTruthRoom(reader);
      expect(room?.seed).toBe(3);
      expect(room?.mesh.triangleCount).toBe(createSyntheticSequence({ seed: 3, frames: 2, width: 32, height: 24 }).room.mesh.triangleCount);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('SurfaceDistance (map points against the true geometry)', () => {
  it('point–triangle distance: face, edge and vertex regions', () => {
    const tri = [0, 0, 0, 1, 0, 0, 0, 1, 0];
    expect(pointTriangleDistanceSq(tri, 0, 0.2, 0.2, 0.5)).toBeCloseTo(0.25, 12);
    expect(pointTriangleDistanceSq(tri, 0, 0.5, -0.3, 0)).toBeCloseTo(0.09, 12);
    expect(pointTriangleDistanceSq(tri, 0, 2, 0, 0)).toBeCloseTo(1, 12);
    expect(pointTriangleDistanceSq(tri, 0, 1, 1, 0)).toBeCloseTo(0.5, 12);
  });

  it('the BVH answers exactly as brute force over every triangle of a real room', () => {
    const room = createSyntheticSequence({ seed: 2, frames: 2, width: 32, height: 24 }).room;
    const sd = new SurfaceDistance(room.mesh);
    const rng = new Rng(7);
    const P = room.mesh.positions;
    for (let k = 0; k < 300; k++) {
      const x = rng.uniform(-0.5, room.width + 0.5), y = rng.uniform(-0.5, room.depth + 0.5), z = rng.uniform(-0.2, room.height + 0.2);
      let best = Infinity;
      for (let t = 0; t < room.mesh.triangleCount; t++) best = Math.min(best, pointTriangleDistanceSq(P, t * 9, x, y, z));
      expect(sd.distance(x, y, z)).toBeCloseTo(Math.sqrt(best), 10);
    }
  });

  it('exact depth back-projected lies on the surfaces; points moved off a plane by 8 cm are counted', async () => {
    const s = createSyntheticSequence({ seed: 1, frames: 20, width: 80, height: 60, noise: 'none' });
    const f = await s.read(10);
    const K = f.intrinsics, T = f.groundTruthPose!;
    const pts: number[] = [];
    for (let v = 0; v < K.height; v++) {
      for (let u = 0; u < K.width; u++) {
        const z = f.depth[v * K.width + u];
        if (!(z > 0)) continue;
        const x = ((u - K.cx) / K.fx) * z, y = ((v - K.cy) / K.fy) * z;
        pts.push(T[0] * x + T[4] * y + T[8] * z + T[12], T[1] * x + T[5] * y + T[9] * z + T[13], T[2] * x + T[6] * y + T[10] * z + T[14]);
      }
    }
    const onSurface = new SurfaceDistance(s.room.mesh).summarize(Float32Array.from(pts));
    expect(onSurface.points).toBe(pts.length / 3);
    expect(onSurface.max).toBeLessThan(1e-4);
    expect(onSurface.fractionOver).toBe(0);

    const plane = new SurfaceDistance(planeRoom(2, 1).mesh);
    const off = new Float32Array([0, 0, 0.08, 0.5, 0.5, -0.08, 0.2, 0.1, 0.01, 0.3, 0.3, 0.0]);
    const sum = plane.summarize(off);
    expect(sum.max).toBeCloseTo(0.08, 6);
    expect(sum.fractionOver).toBe(0.5);
    expect(sum.p50).toBeCloseTo(0.01, 6);
  });
});
