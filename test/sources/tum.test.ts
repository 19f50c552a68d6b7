import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleIntrinsics } from '../../fusion/camera.js';
import { poseFromTranslationQuaternion, poseToTranslationQuaternion } from '../../fusion/pose.js';
import { InputError } from '../../main/errors.js';
import { writePng } from '../../main/io/image.js';
import { openSequence } from '../../main/sources/open.js';
import { formatPoseTum, groundTruthAt, parseTumTrajectory } from '../../main/sources/trajectoryText.js';
import { TUM_INTRINSICS, TumReader } from '../../main/sources/tum.js';

const W = 8, H = 6;

async function makeTum(dir: string, rgbTimes: number[], depthTimes: number[], groundtruth?: string): Promise<void> {
  await mkdir(join(dir, 'rgb'), { recursive: true });
  await mkdir(join(dir, 'depth'), { recursive: true });
  for (const t of rgbTimes) {
    await writePng(join(dir, 'rgb', `${t.toFixed(6)}.png`), { width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3).fill(Math.round(t * 10) % 255) });
  }
  for (const t of depthTimes) {
    const d = new Uint16Array(W * H);
    for (let i = 0; i < d.length; i++) d[i] = i === 0 ? 0 : 5000 + i * 7 + Math.round(t * 100);
    await writePng(join(dir, 'depth', `${t.toFixed(6)}.png`), { width: W, height: H, channels: 1, data: d });
  }
  const list = (kind: string, ts: number[]) => `# ${kind} images\n# timestamp filename\n${ts.map((t) => `${t.toFixed(6)} ${kind}/${t.toFixed(6)}.png`).join('\n')}\n`;
  await writeFile(join(dir, 'rgb.txt'), list('rgb', rgbTimes));
  await writeFile(join(dir, 'depth.txt'), list('depth', depthTimes));
  if (groundtruth !== undefined) await writeFile(join(dir, 'groundtruth.txt'), groundtruth);
}

async function rejectsInput(p: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(InputError);
  expect((e as InputError).file).toBe(file);
  expect((e as InputError).problem).toMatch(problem);
}

describe('TUM RGB-D reader', () => {
  let root: string;
  beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'semslam-tum-')); });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  it('associates by nearest timestamp within 0.02 s, interpolates ground truth at the depth time', async () => {
    const dir = join(root, 'rgbd_dataset_freiburg3_test');
    // Depth clock offset by 0.011 s; ground truth at 100 Hz would be typical, here 10 Hz samples.
    await makeTum(dir, [1.0, 1.1, 1.2], [1.011, 1.111, 1.189, 1.3],
      '# ground truth\n# timestamp tx ty tz qx qy qz qw\n1.0 0 0 0 0 0 0 1\n1.1 1 0 0 0 0 0.7071067811865476 0.7071067811865476\n1.2 2 0 0 0 0 0.7071067811865476 0.7071067811865476\n');
    const reader = await openSequence(dir);
    expect(reader).toBeInstanceOf(TumReader);
    expect(reader.info.intrinsics).toEqual(scaleIntrinsics(TUM_INTRINSICS.fr3, W, H));
    expect(reader.info.width).toBe(W);
    expect(reader.info.frames).toBe(3);
    expect(reader.info.hasGroundTruth).toBe(true);
    const f0 = await reader.read(0);
    expect(f0.timestamp).toBe(1.011);
    expect(f0.rgb[0]).toBe(10);
    expect(f0.depth[0]).toBe(0);
    expect(f0.depth[1]).toBe(Math.fround((5000 + 7 + 101) / 5000));
    // Interpolated at 1.011: 11 % of the way to 1.1 → x = 0.11, rotation 11 % of 90° about z.
    const [tx, , , , , qz, qw] = poseToTranslationQuaternion(f0.groundTruthPose!);
    expect(tx).toBeCloseTo(0.11, 12);
    expect(2 * Math.atan2(qz, qw)).toBeCloseTo(0.11 * Math.PI / 2, 10);
    const f2 = await reader.read(2);
    expect(f2.timestamp).toBe(1.189);
    expect(poseToTranslationQuaternion(f2.groundTruthPose!)[0]).toBeCloseTo(1.89, 12);
  });

  it('falls back to fr1 intrinsics with a warning when the folder does not name the camera', async () => {
    const dir = join(root, 'plain');
    await makeTum(dir, [5], [5.001]);
    const reader = await openSequence(dir);
    expect(reader.info.intrinsics).toEqual(scaleIntrinsics(TUM_INTRINSICS.fr1, W, H));
    expect(reader.info.hasGroundTruth).toBe(false);
    expect(reader.info.warnings?.join(' ')).toMatch(/fr1 intrinsics assumed/);
  });

  it('fails on an rgb entry without depth within 0.02 s (or skips it when asked)', async () => {
    const dir = join(root, 'unmatched');
    await makeTum(dir, [1.0, 1.1], [1.0]);
    await rejectsInput(openSequence(dir), join(dir, 'rgb.txt'), /line 4: rgb frame at 1.1 has no depth frame within 0.02 s/);
    const reader = await openSequence(dir, { tum: { unmatched: 'skip' } });
    expect(reader.info.frames).toBe(1);
    expect(reader.info.warnings?.join(' ')).toMatch(/skipped/);
  });

  it('fails on a listed file that is missing, naming it', async () => {
    const dir = join(root, 'missing');
    await makeTum(dir, [1.0], [1.0]);
    await rm(join(dir, 'depth', '1.000000.png'));
    await rejectsInput(openSequence(dir), join(dir, 'depth', '1.000000.png'), /listed in .*depth\.txt but missing/);
  });

  it('fails on garbage in index and pose files, naming file and line', async () => {
    const dir = join(root, 'garbage');
    await makeTum(dir, [1.0], [1.0], '1.0 0 0 0 0 0 0 1\n1.1 0 NaN 0 0 0 0 1\n');
    await rejectsInput(openSequence(dir), join(dir, 'groundtruth.txt'), /line 2: "NaN" is not a finite number/);
    await writeFile(join(dir, 'groundtruth.txt'), '1.0 0 0 0 0 0 0\n');
    await rejectsInput(openSequence(dir), join(dir, 'groundtruth.txt'), /line 1: expected 8 numbers, found 7/);
    await writeFile(join(dir, 'groundtruth.txt'), '1.0 0 0 0 0 0 0 0\n');
    await rejectsInput(openSequence(dir), join(dir, 'groundtruth.txt'), /zero quaternion/);
    await rm(join(dir, 'groundtruth.txt'));
    await writeFile(join(dir, 'depth.txt'), 'abc depth/1.000000.png\n');
    await rejectsInput(openSequence(dir), join(dir, 'depth.txt'), /line 1: "abc" is not a finite number/);
  });

  it('fails on an unreadable PNG, naming it, at open (first frame, sized there) or when the frame is read', async () => {
    const dir = join(root, 'badpng');
    await makeTum(dir, [1.0, 2.0], [1.0, 2.0]);
    await writeFile(join(dir, 'depth', '2.000000.png'), 'not a png at all');
    const reader = await openSequence(dir);
    await rejectsInput(reader.read(1), join(dir, 'depth', '2.000000.png'), /unreadable PNG/);
    await writePng(join(dir, 'depth', '2.000000.png'), { width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3) });
    await rejectsInput(reader.read(1), join(dir, 'depth', '2.000000.png'), /expected a 16-bit depth PNG, found 8-bit/);
    await writeFile(join(dir, 'depth', '1.000000.png'), new Uint8Array(10));
    await rejectsInput(openSequence(dir), join(dir, 'depth', '1.000000.png'), /unreadable PNG/);
  });
});

describe('trajectory text', () => {
  it('writes poses whose text survives read → write unchanged', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    for (let k = 0; k < 1000; k++) {
      const T = poseFromTranslationQuaternion(rnd() * 10, rnd() * 10, rnd(), rnd(), rnd(), rnd(), rnd());
      const text = formatPoseTum(T);
      const back = parseTumTrajectory('t.txt', `0 ${text}`)[0].T_world_camera;
      expect(formatPoseTum(back)).toBe(text);
      for (let e = 0; e < 16; e++) expect(back[e]).toBeCloseTo(T[e], 8);
    }
  });

  it('looks ground truth up exactly, interpolated, nearest within tolerance, or not at all', () => {
    const poses = parseTumTrajectory('g.txt', '0 0 0 0 0 0 0 1\n1 1 0 0 0 0 0 1\n1.05 2 0 0 0 0 0 1\n');
    expect(groundTruthAt(poses, 0)![12]).toBe(0);
    expect(groundTruthAt(poses, 1.025)![12]).toBeCloseTo(1.5, 12); // gap 0.05 ≤ 0.1: interpolated
    expect(groundTruthAt(poses, 0.01)![12]).toBe(0); // gap 1 s: nearest within 0.02 s
    expect(groundTruthAt(poses, 0.5)).toBeUndefined();
    expect(groundTruthAt(poses, 1.06)![12]).toBe(2);
    expect(groundTruthAt(poses, 1.2)).toBeUndefined();
  });
});
