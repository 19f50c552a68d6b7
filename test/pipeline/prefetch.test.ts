import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../main/errors.js';
import { scaleIntrinsics } from '../../fusion/camera.js';
import { FrameResizer } from '../../main/pipeline/frameResizer.js';
import { labelSettingsKey, type PreparedFrame } from '../../main/pipeline/labelInput.js';
import { mapSequence } from '../../main/pipeline/mapSequence.js';
import { openMapInput } from '../../main/pipeline/openInput.js';
import { PrefetchingReader } from '../../main/pipeline/prefetch/prefetchingReader.js';
import type { Frame } from '../../main/sources/frame.js';

const SEVEN = resolve(process.cwd(), '../shared/data/real/7scenes-redkitchen-150-199');
const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) n++;
  return n;
}

function expectSameFrame(a: Frame, b: Frame): void {
  expect([a.index, a.timestamp, a.width, a.height]).toEqual([b.index, b.timestamp, b.width, b.height]);
  expect(mismatches(a.rgb, b.rgb)).toBe(0);
  expect(mismatches(a.depth, b.depth)).toBe(0);
  expect(Array.from(a.groundTruthPose ?? [])).toEqual(Array.from(b.groundTruthPose ?? []));
  expect(a.labels40 ? mismatches(a.labels40, b.labels40!) : 0).toBe(0);
}

describe('PrefetchingReader (frames read and decoded on another thread)', () => {
  it('gives the frames the direct reader gives: in order, at a stride, and after seeking back', async () => {
    const direct = await openMapInput(SEVEN);
    const ahead = await PrefetchingReader.open(SEVEN, {}, { ahead: 3 });
    try {
      expect(ahead.info).toEqual(direct.info);
      const order = [0, 1, 2, 3, 10, 13, 16, 19, 5, 6, 49];
      for (const i of order) expectSameFrame(await ahead.read(i), await direct.read(i));
      const viaFrames: number[] = [];
      for await (const f of ahead.frames({ start: 40, stride: 2 })) viaFrames.push(f.index);
      expect(viaFrames).toEqual([40, 42, 44, 46, 48]);
      await expect(ahead.read(50)).rejects.toThrow(RangeError);
    } finally {
      await ahead.close();
    }
  });

  it('resizes on the reading thread exactly as FrameResizer does here, intrinsics scaled', async () => {
    const direct = await openMapInput(SEVEN);
    const ahead = await PrefetchingReader.open(SEVEN, {}, { size: { width: 320, height: 240 } });
    try {
      expect(ahead.info).toMatchObject({ width: 320, height: 240, frames: 50, intrinsics: scaleIntrinsics(direct.info.intrinsics, 320, 240) });
      const resizer = new FrameResizer(640, 480, 320, 240);
      for (const i of [0, 7]) {
        const d = await direct.read(i);
        const a = await ahead.read(i);
        expect([a.width, a.height, a.intrinsics.fx]).toEqual([320, 240, d.intrinsics.fx / 2]);
        expect(mismatches(a.rgb, resizer.resizeRgb(d.rgb))).toBe(0);
        expect(mismatches(a.depth, resizer.resizeDepth(d.depth))).toBe(0);
      }
    } finally {
      await ahead.close();
    }
  });

  it('synthetic specs render on the reading thread, identical to rendering here', async () => {
    const spec = 'synth:seed=4,frames=6,size=64x48';
    const direct = await openMapInput(spec);
    const ahead = await PrefetchingReader.open(spec);
    try {
      expect(ahead.info.path).toBe(direct.info.path);
      for (const i of [0, 1, 5]) expectSameFrame(await ahead.read(i), await direct.read(i));
    } finally {
      await ahead.close();
    }
  });

  it('gt-noisy labels made on the reading thread: the same map, the same scores as made here', async () => {
    const spec = 'synth:seed=3,frames=10,size=160x120';
    const settings = { mode: 'gt-noisy' as const, every: 2, noise: { seed: 5 } };
    const ahead = await PrefetchingReader.open(spec, {}, { labels: { ...settings, mode: 'auto' } });
    try {
      const f0 = (await ahead.read(0)) as PreparedFrame;
      expect(f0.labelInput?.key).toBe(labelSettingsKey(settings));
      expect(((await ahead.read(1)) as PreparedFrame).labelInput).toBeUndefined();
      const options = { labels: 'gt-noisy' as const, labelEvery: 2, noise: { seed: 5 } };
      const there = (await mapSequence(ahead, options)).summary;
      const here = (await mapSequence(await openMapInput(spec), options)).summary;
      expect(there.labels).toEqual(here.labels);
      expect(there.labels!.frames).toBe(5);
      expect(there.ateRmseM).toBe(here.ateRmseM);
      expect(there.surfels).toBe(here.surfels);
      // And they are what mapSequence used: a doctored single-frame argmax changes the single-frame score.
      const doctored = {
        ...ahead, info: ahead.info, frames: ahead.frames.bind(ahead),
        read: async (i: number) => {
          const f = (await ahead.read(i)) as PreparedFrame;
          return f.labelInput ? { ...f, labelInput: { ...f.labelInput, single13: new Uint8Array(f.labelInput.single13.length).fill(1) } } : f;
        },
      };
      expect((await mapSequence(doctored, options)).summary.labels!.singleFrameMIoU).not.toBe(here.labels!.singleFrameMIoU);
    } finally {
      await ahead.close();
    }
  });

  it('a bad file fails that frame with an InputError naming it; the others still read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semslam-prefetch-'));
    dirs.push(dir);
    for (let k = 0; k < 3; k++) {
      for (const ext of ['color.png', 'depth.png', 'pose.txt']) {
        await copyFile(join(SEVEN, 'rgbd-frames', `frame-00015${k}.${ext}`), join(dir, `frame-00000${k}.${ext}`));
      }
    }
    await writeFile(join(dir, 'frame-000001.depth.png'), 'not a png');
    const ahead = await PrefetchingReader.open(dir);
    try {
      expect((await ahead.read(0)).index).toBe(0);
      const err = await ahead.read(1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).file).toBe(join(dir, 'frame-000001.depth.png'));
      expect((await ahead.read(2)).index).toBe(2);
    } finally {
      await ahead.close();
    }
    await mkdir(join(dir, 'empty'));
    await expect(PrefetchingReader.open(join(dir, 'empty'))).rejects.toThrow(/empty folder/);
  });
});
