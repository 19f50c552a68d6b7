import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NYU13_CLASS_COUNT } from '../../fusion/classes.js';
import type { KernelPool } from '../../fusion/parallel/pool.js';
import { MAX_PARTS, serialPool } from '../../fusion/parallel/pool.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import type { FrameResult } from '../../fusion/types.js';
import { groundTruthProbabilities } from '../../main/eval/gtLabels.js';
import { ThreadKernelPool, parseThreads } from '../../main/parallel/threadPool.js';
import { createSyntheticSequence } from '../../main/synth/sequence.js';
import type { Worker } from 'node:worker_threads';

/** Maps a short synthetic sequence (hybrid tracking, ground-truth labels) and returns the results and the map. */
async function mapWith(pool: KernelPool): Promise<{ results: FrameResult[]; fusion: SurfelFusion }> {
  const seq = createSyntheticSequence({ seed: 2, frames: 10, width: 320, height: 240 });
  const fusion = new SurfelFusion(seq.info.intrinsics, {}, pool);
  const probs = new Float32Array(320 * 240 * NYU13_CLASS_COUNT);
  const results: FrameResult[] = [];
  for (let i = 0; i < 10; i++) {
    const f = await seq.read(i);
    results.push(fusion.processFrame({
      rgb: f.rgb, depth: f.depth, timestamp: f.timestamp, classProbs: groundTruthProbabilities(f.labels40!, probs),
      ...(i === 0 ? { T_world_camera_hint: f.groundTruthPose } : {}),
    }));
  }
  return { results, fusion };
}

/** A grey image (every channel `level`) and an intensity buffer, in the pool's memory. */
function grey(pool: KernelPool, pixels: number, level: number): { rgb: Uint8Array; intensity: Float32Array } {
  const rgb = pool.allocator.u8(3 * pixels);
  rgb.fill(level);
  return { rgb, intensity: pool.allocator.f32(pixels) };
}

describe('ThreadKernelPool', () => {
  let pool: KernelPool;
  beforeAll(async () => { pool = await ThreadKernelPool.start({ threads: 2 }); });
  afterAll(() => pool.close());

  it('maps exactly as the serial pool does: same poses, same surfels, same labels, bit for bit', async () => {
    expect(pool.threads).toBe(2);
    const serial = await mapWith(serialPool);
    const threaded = await mapWith(pool);
    for (let i = 0; i < serial.results.length; i++) {
      expect(threaded.results[i].tracking.ok).toBe(true);
      expect(Array.from(threaded.results[i].T_world_camera)).toEqual(Array.from(serial.results[i].T_world_camera));
      expect(threaded.results[i].stats).toEqual(serial.results[i].stats);
    }
    const a = serial.fusion.snapshot(), b = threaded.fusion.snapshot();
    expect(b.count).toBeGreaterThan(10000);
    expect(b.count).toBe(a.count);
    expect(Buffer.from(b.positions.buffer).equals(Buffer.from(a.positions.buffer))).toBe(true);
    expect(Buffer.from(b.normals.buffer).equals(Buffer.from(a.normals.buffer))).toBe(true);
    expect(Buffer.from(b.colors.buffer).equals(Buffer.from(a.colors.buffer))).toBe(true);
    expect(Buffer.from(b.labels.buffer).equals(Buffer.from(a.labels.buffer))).toBe(true);
    // Rendering the fused labels and predicting the model from a pose (collectInFrustum, splatting) agree too.
    const pose = serial.results[5].T_world_camera;
    const la = new Uint8Array(320 * 240), lb = new Uint8Array(320 * 240);
    serial.fusion.renderLabels(pose, serial.fusion.intrinsics, la);
    threaded.fusion.renderLabels(pose, threaded.fusion.intrinsics, lb);
    expect(lb.filter((l) => l > 0).length).toBeGreaterThan(30000);
    expect(Buffer.from(lb).equals(Buffer.from(la))).toBe(true);
    const pa = serial.fusion.predict(pose), pb = threaded.fusion.predict(pose);
    expect(Buffer.from(pb.depth.buffer).equals(Buffer.from(pa.depth.buffer))).toBe(true);
    expect(Buffer.from(pb.surfelId.buffer).equals(Buffer.from(pa.surfelId.buffer))).toBe(true);
    // The kernels really ran in parts (else this compares the serial code with itself).
    expect(threaded.results[9].stats.labelled).toBeGreaterThan(4096 * 2);
  }, 60_000);

  it('reports an error thrown in a part and stays usable', () => {
    const out = pool.allocator.f64(MAX_PARTS);
    const { rgb, intensity } = grey(pool, 1 << 20, 51);
    // Each part writes into a missing array; whichever thread takes a part, the caller gets the error.
    expect(() => pool.run('intensityPixels', { rgb, intensity: undefined as unknown as Float32Array }, 1 << 20, out, 1, 1 << 16)).toThrow();
    pool.run('intensityPixels', { rgb, intensity }, intensity.length, out, 1, 1 << 16);
    expect(intensity.every((v) => Math.abs(v - 0.2) < 1e-6)).toBe(true);
  });

  it('refuses arrays a worker would only see a copy of', () => {
    const out = pool.allocator.f64(MAX_PARTS);
    const { rgb, intensity } = grey(pool, 1 << 20, 51);
    expect(() => pool.run('intensityPixels', { rgb, intensity: new Float32Array(1 << 20) }, 1 << 20, out, 1, 1 << 16))
      .toThrow(/argument 'intensity' is not in shared memory/);
    expect(() => pool.run('intensityPixels', { rgb, intensity }, 1 << 20, new Float64Array(MAX_PARTS), 1, 1 << 16))
      .toThrow(/output array is not in shared memory/);
  });

  it('runs every part on the calling thread once closed', async () => {
    const p = await ThreadKernelPool.start({ threads: 2 });
    p.close();
    const { rgb, intensity } = grey(p, 1 << 20, 102);
    expect(p.run('intensityPixels', { rgb, intensity }, intensity.length, p.allocator.f64(MAX_PARTS), 1, 1 << 16)).toBe(16);
    expect(intensity.every((v) => Math.abs(v - 0.4) < 1e-6)).toBe(true);
  });

  it('carries on on the calling thread when a worker dies', async () => {
    const p = await ThreadKernelPool.start({ threads: 2 }) as ThreadKernelPool;
    const exited = new Promise((r) => (p as unknown as { workers: Worker[] }).workers[0].once('exit', r));
    await (p as unknown as { workers: Worker[] }).workers[0].terminate();
    await exited;
    await new Promise((r) => setImmediate(r));
    expect(p.lostReason).toMatch(/kernel worker 0 exited/);
    const { rgb, intensity } = grey(p, 1 << 20, 153);
    p.run('intensityPixels', { rgb, intensity }, intensity.length, p.allocator.f64(MAX_PARTS), 1, 1 << 16);
    expect(intensity.every((v) => Math.abs(v - 0.6) < 1e-6)).toBe(true);
  });

  it('parses --threads', () => {
    expect(parseThreads('3')).toBe(3);
    expect(parseThreads('auto')).toBeGreaterThanOrEqual(1);
    expect(() => parseThreads('0')).toThrow(/positive integer/);
    expect(() => parseThreads('two')).toThrow(/positive integer/);
  });
});
