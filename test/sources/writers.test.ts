import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../fusion/camera.js';
import { poseFromTranslationQuaternion } from '../../fusion/pose.js';
import type { Frame } from '../../main/sources/frame.js';
import { nyuMetresToRaw, nyuRawToMetres } from '../../main/sources/nyuCamera.js';
import { openSequence } from '../../main/sources/open.js';
import { createSequenceWriter } from '../../main/sources/writers.js';
import { firstDifference } from './arrays.js';

const W = 64, H = 48;
const K: Intrinsics = { width: W, height: H, fx: 60, fy: 61, cx: 31.5, cy: 23.5 };

/** Deterministic frame: colour ramps, depth 0.3–14 m with holes, labels with void, a moving camera. */
function makeFrame(index: number): Frame {
  const n = W * H;
  const rgb = new Uint8Array(n * 3), depth = new Float32Array(n), gt = new Float32Array(n), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = i % W, y = Math.floor(i / W);
    rgb[i * 3] = (x * 4 + index) & 255; rgb[i * 3 + 1] = (y * 5) & 255; rgb[i * 3 + 2] = (x * y + 7 * index) & 255;
    const d = 0.3 + ((x * 0.173 + y * 0.291 + index * 0.05) % 13.7);
    depth[i] = (x + y + index) % 11 === 0 ? 0 : d;
    gt[i] = d + 0.001 * Math.sin(i);
    labels[i] = (x + 2 * y) % 45 < 40 ? (x + 2 * y) % 45 : 255;
  }
  const a = 0.3 * index;
  const groundTruthPose = poseFromTranslationQuaternion(0.1 * index, -0.2 + 0.01 * index, 1.5, Math.sin(a) * 0.3, 0.2, Math.cos(a) * 0.1, 0.9);
  return { index, timestamp: 1000 + index / 30, width: W, height: H, rgb, depth, intrinsics: K, groundTruthPose, labels40: labels, depthGroundTruth: gt };
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await listFiles(root, p)); else out.push(relative(root, p));
  }
  return out.sort();
}

const quantise: Record<'nyu' | 'tum', (d: number) => number> = {
  nyu: (d) => Math.fround(nyuRawToMetres(nyuMetresToRaw(d))),
  tum: (d) => (d > 0 ? Math.fround(Math.min(65535, Math.round(d * 5000)) / 5000) : 0),
};

describe.each(['nyu', 'tum'] as const)('%s writer', (format) => {
  let root: string;
  beforeAll(async () => { root = await mkdtemp(join(tmpdir(), `semslam-writer-${format}-`)); });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  it('reads back bit-exactly (quantised depth, labels, exact depth, poses) and re-writes identical files', async () => {
    const first = join(root, 'a');
    const written = [0, 1, 2].map(makeFrame);
    const w = await createSequenceWriter(format, first, { intrinsics: K, fps: 30, generator: { tool: 'test' } });
    for (const f of written) await w.write(f);
    await w.close();

    const reader = await openSequence(first);
    expect(reader.info.format).toBe(format === 'nyu' ? 'nyu-raw' : 'tum');
    expect(reader.info.frames).toBe(3);
    expect(reader.info.intrinsics).toEqual(K);
    expect(reader.info.hasGroundTruth).toBe(true);
    expect(reader.info.hasLabels).toBe(true);
    const read: Frame[] = [];
    for await (const f of reader.frames()) read.push(f);
    for (let k = 0; k < 3; k++) {
      const src = written[k], got = read[k];
      expect(got.timestamp).toBeCloseTo(src.timestamp, 6);
      expect(firstDifference(got.rgb, src.rgb)).toBe(-1);
      expect(firstDifference(got.depth, Float32Array.from(src.depth, quantise[format]))).toBe(-1);
      expect(firstDifference(got.labels40!, src.labels40!)).toBe(-1);
      expect(firstDifference(got.depthGroundTruth!, Float32Array.from(src.depthGroundTruth!, quantise.tum))).toBe(-1);
      for (let e = 0; e < 16; e++) expect(got.groundTruthPose![e]).toBeCloseTo(src.groundTruthPose![e], 8);
    }
    // Quantisation really happened where the format cannot represent the depth.
    const near = written[0].depth.findIndex((d) => d > 0 && d < 0.7);
    if (format === 'nyu') expect(read[0].depth[near]).toBe(0); // nearer than the Kinect sees → no reading
    else expect(read[0].depth[near]).toBe(Math.fround(Math.round(written[0].depth[near] * 5000) / 5000));

    const second = join(root, 'b');
    const w2 = await createSequenceWriter(format, second, { intrinsics: K, fps: 30, generator: { tool: 'test' } });
    for (const f of read) await w2.write(f);
    await w2.close();
    const files = await listFiles(first);
    expect(await listFiles(second)).toEqual(files);
    expect(files).toContain('groundtruth.txt');
    expect(files).toContain('semslam.json');
    for (const f of files) {
      const [a, b] = await Promise.all([readFile(join(first, f)), readFile(join(second, f))]);
      expect(firstDifference(a, b), f).toBe(-1);
    }
  });
});

describe('writer misuse and damaged written sequences', () => {
  let root: string;
  beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'semslam-writer-bad-')); });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  it('rejects frames of the wrong size, time going backwards, and streams that stop', async () => {
    const w = await createSequenceWriter('tum', join(root, 'x'), { intrinsics: K });
    await w.write(makeFrame(1));
    await expect(w.write(makeFrame(0))).rejects.toThrow(/timestamp 1000.000000 does not increase/);
    await expect(w.write({ ...makeFrame(2), width: 10 })).rejects.toThrow(/is 10×48, writer intrinsics are 64×48/);
    const { labels40: _drop, ...noLabels } = makeFrame(3);
    await expect(w.write(noLabels)).rejects.toThrow(/lacks labels40/);
  });

  it('a missing label file of a written sequence is an InputError naming it', async () => {
    const dir = join(root, 'y');
    const w = await createSequenceWriter('nyu', dir, { intrinsics: K });
    await w.write(makeFrame(0));
    await w.close();
    await rm(join(dir, 'labels40', 'd-1000.000000-0.png'));
    const reader = await openSequence(dir);
    await expect(reader.read(0)).rejects.toThrow(`${join(dir, 'labels40', 'd-1000.000000-0.png')}: file not found`);
    await writeFile(join(dir, 'semslam.json'), '{"semslamSequence": 1, "format": "nyu"}');
    await expect(openSequence(dir)).rejects.toThrow(/semslam\.json: bad sidecar: intrinsics/);
  });
});
