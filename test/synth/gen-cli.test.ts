import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readPng16, readPng8, readRgbImage } from '../../main/io/image.js';
import { openSequence } from '../../main/sources/open.js';

const run = promisify(execFile);
const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'semslam-gen-'));
  dirs.push(d);
  return d;
}
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

async function semslam(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['bin/semslam.js', ...args], { cwd: process.cwd(), maxBuffer: 1 << 24 });
}

describe('semslam gen', () => {
  it('writes a small TUM sequence with labels, exact depth and poses that reads back', async () => {
    const out = join(await tmp(), 'seq');
    const { stdout } = await semslam('gen', '--seed', '2', '--frames', '4', '--size', '64x48', '--format', 'tum', '--out', out, '--json');
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ format: 'tum', frames: 4, width: 64, height: 48, seed: 2 });
    const names = await readdir(out);
    expect(names).toEqual(expect.arrayContaining(['rgb.txt', 'depth.txt', 'groundtruth.txt', 'labels40', 'depth_gt']));
    expect((await readdir(join(out, 'labels40'))).length).toBe(4);
    const seq = await openSequence(out);
    expect(seq.info.frames).toBe(4);
    const f = await seq.read(1);
    expect(f.width).toBe(64);
    expect(f.labels40?.some((l) => l < 40)).toBe(true);
    expect(f.groundTruthPose).toBeDefined();
    expect(f.depthGroundTruth?.some((z) => z > 0)).toBe(true);
  });

  it('writes a labelled training set in the NYUDv2 layout, and a depth-only one without segm_gt', async () => {
    const out = join(await tmp(), 'train');
    await semslam('gen', '--format', 'labelled', '--rooms', '2', '--views-per-room', '2', '--room-seed-offset', '100', '--size', '64x48', '--out', out);
    const ids = (await readFile(join(out, 'index.txt'), 'utf8')).trim().split('\n');
    expect(ids).toEqual(['000001', '000002', '000003', '000004']);
    const meta = JSON.parse(await readFile(join(out, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ rooms: 2, viewsPerRoom: 2, roomSeedOffset: 100, width: 64, height: 48, labels: true });
    expect(meta.roomSeeds).toEqual([100, 100, 101, 101]);
    const rgb = await readRgbImage(join(out, '000003.png'));
    expect([rgb.width, rgb.height]).toEqual([64, 48]);
    const depth = await readPng16(join(out, 'depth_gt_000003.png'));
    expect(depth.data.some((v) => v > 2000)).toBe(true); // metres × 5000: anything past 0.4 m
    const segm = await readPng8(join(out, 'segm_gt_000003.png'));
    expect(segm.data.every((v) => v < 40 || v === 255)).toBe(true);

    const s1 = join(await tmp(), 's1');
    await semslam('gen', '--format', 'labelled', '--rooms', '1', '--views-per-room', '1', '--size', '32x24', '--no-labels', '--out', s1);
    const files = await readdir(s1);
    expect(files.some((n) => n.startsWith('segm_gt_'))).toBe(false);
    expect(files).toEqual(expect.arrayContaining(['000001.png', 'depth_gt_000001.png', 'index.txt', 'meta.json']));
  });

  it('--room-scale draws each room\'s floor-plan scale from its range; 1 (the default) gives the same set, byte for byte', async () => {
    const base = join(await tmp(), 'base'), one = join(await tmp(), 'one'), big = join(await tmp(), 'big');
    const args = ['gen', '--format', 'labelled', '--rooms', '3', '--views-per-room', '1', '--room-seed-offset', '40', '--size', '32x24'];
    await semslam(...args, '--out', base);
    await semslam(...args, '--room-scale', '1', '--out', one);
    await semslam(...args, '--room-scale', '1.3-1.8', '--out', big);
    for (const f of ['000001.png', 'depth_gt_000002.png', 'segm_gt_000003.png']) expect(await readFile(join(one, f))).toEqual(await readFile(join(base, f)));
    expect(JSON.parse(await readFile(join(one, 'meta.json'), 'utf8')).roomScales).toEqual([1, 1, 1]);
    const scales = JSON.parse(await readFile(join(big, 'meta.json'), 'utf8')).roomScales as number[];
    expect(scales).toHaveLength(3);
    for (const k of scales) { expect(k).toBeGreaterThanOrEqual(1.3); expect(k).toBeLessThanOrEqual(1.8); }
    expect(new Set(scales).size).toBe(3);
    await expect(semslam(...args, '--room-scale', '2-1', '--out', join(tmpdir(), 'never'))).rejects.toMatchObject({ stderr: expect.stringContaining('--room-scale') });
  });

  it('rejects a bad size with a message naming the option', async () => {
    await expect(semslam('gen', '--size', 'huge', '--out', join(tmpdir(), 'never'))).rejects.toMatchObject({ stderr: expect.stringContaining('--size') });
  });
});

describe('semslam preview', () => {
  it('draws frames of a synthetic sequence into a PNG', async () => {
    const out = join(await tmp(), 'p.png');
    const { stdout } = await semslam('preview', 'synth:seed=1,size=64x48,frames=10', '--frames', '0,9', '--out', out, '--json');
    expect(JSON.parse(stdout)).toMatchObject({ frames: [0, 9], width: 4 * 64 + 3 * 4, height: 2 * 48 + 4 });
    const img = await readRgbImage(out);
    expect(img.width).toBe(268);
  });
});
