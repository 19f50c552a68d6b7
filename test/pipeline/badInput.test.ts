import { copyFile, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePngRaster } from '../../main/io/image.js';
import { inspectFrame, sanitizeDepth } from '../../main/pipeline/frameCheck.js';
import { mapSequence } from '../../main/pipeline/mapSequence.js';
import { PrefetchingReader } from '../../main/pipeline/prefetch/prefetchingReader.js';
import type { Frame, SequenceReader } from '../../main/sources/frame.js';
import { openSequence } from '../../main/sources/open.js';
import { createSequenceWriter } from '../../main/sources/writers.js';
import { createSyntheticSequence } from '../../main/synth/sequence.js';
import type { AppEvent } from '../../main/contract/channels.js';
import { SessionLoop } from '../../main/session/sessionLoop.js';

const W = 160, H = 120, FRAMES = 14;
let dir = '';
const synth = createSyntheticSequence({ seed: 2, frames: FRAMES, width: W, height: H, noise: 'none' });

/** depth/<stamp>.png of frame i, from depth.txt. */
async function depthFile(i: number): Promise<string> {
  const lines = (await readFile(join(dir, 'depth.txt'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
  return join(dir, lines[i].split(' ')[1]);
}

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'semslam-bad-')), 'seq');
  const writer = await createSequenceWriter('tum', dir, { intrinsics: synth.info.intrinsics, generator: { tool: 'semslam gen', seed: 2 } });
  for await (const f of synth.frames()) await writer.write(f);
  await writer.close();
  // Frame 3: depth file missing. Frame 5: all-zero depth. Frame 8: a depth image of the wrong size.
  // Frame 10: not a PNG at all.
  await unlink(await depthFile(3));
  await writeFile(await depthFile(5), encodePngRaster({ width: W, height: H, channels: 1, data: new Uint16Array(W * H) }));
  await writeFile(await depthFile(8), encodePngRaster({ width: 80, height: 60, channels: 1, data: new Uint16Array(80 * 60).fill(5000) }));
  await writeFile(await depthFile(10), 'truncated');
});
afterAll(async () => { if (dir) await rm(join(dir, '..'), { recursive: true, force: true }); });

/** Injects NaN, −1 and +Infinity depth into frame `k` of another reader (as float depth formats can carry). */
function withNaN(inner: SequenceReader, k: number): SequenceReader {
  const read = async (i: number): Promise<Frame> => {
    const f = await inner.read(i);
    if (i !== k) return f;
    const depth = f.depth.slice();
    for (let p = 0; p < depth.length; p += 7) depth[p] = p % 3 === 0 ? NaN : p % 3 === 1 ? -1 : Infinity;
    return { ...f, depth };
  };
  return { info: inner.info, read, async *frames() { for (let i = 0; i < inner.info.frames; i++) yield await read(i); } };
}

describe('bad input: frames are flagged, the run goes on, the map stays sound', () => {
  it('sanitizeDepth / inspectFrame', async () => {
    const d = new Float32Array([1, NaN, -2, Infinity, 0, 2.5]);
    expect(sanitizeDepth(d)).toBe(3);
    expect(Array.from(d)).toEqual([1, 0, 0, 0, 0, 2.5]);
    const f = await synth.read(0);
    expect(inspectFrame(f, 'x', W, H)).toEqual([]);
    expect(inspectFrame(f, 'x', 320, 240)).toMatchObject([{ kind: 'wrong-size', mapped: false }]);
    expect(inspectFrame({ ...f, depth: new Float32Array(W * H) }, 'x', W, H)).toMatchObject([{ kind: 'no-depth', mapped: true }]);
  });

  for (const via of ['direct', 'reading thread'] as const) {
    it(`missing, corrupt, all-zero, wrong-size and NaN depth frames (${via})`, async () => {
      const base = via === 'direct' ? await openSequence(dir) : await PrefetchingReader.open(dir);
      const seen: number[] = [];
      try {
        const run = await mapSequence(withNaN(base, 12), { labels: 'none' }, undefined, (issues) => seen.push(...issues.map((p) => p.frame)));
        const s = run.summary;
        const byFrame = Object.fromEntries(s.inputIssues.frames.map((p) => [p.frame, p]));
        expect(byFrame[3]).toMatchObject({ kind: 'unreadable', mapped: false });
        expect(byFrame[3].detail).toContain('file not found');
        expect(byFrame[5]).toMatchObject({ kind: 'no-depth', mapped: true });
        expect(byFrame[8]).toMatchObject({ kind: 'wrong-size', mapped: false });
        expect(byFrame[8].detail).toMatch(/image is 80×60, the sequence is 160×120/);
        expect(byFrame[10]).toMatchObject({ kind: 'unreadable', mapped: false });
        expect(byFrame[10].detail).toMatch(/unreadable PNG/);
        expect(byFrame[12]).toMatchObject({ kind: 'invalid-depth', mapped: true });
        expect(Object.keys(byFrame).map(Number).sort((a, b) => a - b)).toEqual([3, 5, 8, 10, 12]);
        expect(seen.sort((a, b) => a - b)).toEqual([3, 5, 8, 10, 12]);
        expect(s.inputIssues.skipped).toBe(3);
        expect(s.frames).toBe(FRAMES - 3);
        // The all-zero frame went to fusion, which did not fuse it.
        expect([...s.frameStatus.lost, ...s.frameStatus.doubtful]).toContain(5);
        // Tracking went on through the gaps, and nothing in the map is off the true surfaces.
        expect(s.ateRmseM!).toBeLessThan(0.02);
        expect(s.surfaceDistance!.max).toBeLessThan(0.05);
        const snap = run.fusion.snapshot();
        expect(snap.positions.subarray(0, snap.count * 3).every(Number.isFinite)).toBe(true);
      } finally {
        await base.close?.();
      }
    });
  }

  it('7-Scenes and TUM folders with some files missing open with a warning; all missing is refused', async () => {
    const SEVEN = join(process.cwd(), '../shared/data/real/7scenes-redkitchen-150-199/rgbd-frames');
    const s7 = join(dir, '..', 's7');
    await mkdir(s7);
    for (let k = 0; k < 3; k++) {
      for (const ext of ['color.png', 'depth.png', 'pose.txt']) {
        if (!(k === 1 && ext === 'depth.png')) await copyFile(join(SEVEN, `frame-00015${k}.${ext}`), join(s7, `frame-00000${k}.${ext}`));
      }
    }
    const r = await openSequence(s7);
    expect(r.info.frames).toBe(3);
    expect(r.info.warnings?.join('\n')).toContain(`${join(s7, 'frame-000001.depth.png')}: missing (its frame-000001.color.png exists; 1 of 3 frames incomplete)`);
    await expect(r.read(1)).rejects.toThrow(`${join(s7, 'frame-000001.depth.png')}: file not found`);
    expect((await r.read(2)).index).toBe(2);
    const tum = await openSequence(dir);
    expect(tum.info.warnings?.join('\n')).toMatch(/depth\.txt but missing \(1 of 14 listed files\); those frames will be skipped/);
  });

  it('a replay session (the app) plays through the bad frames, naming each, and finishes', async () => {
    const events: AppEvent[] = [];
    const loop = await SessionLoop.create({ source: dir, mode: 'rgbd', paused: false, modelFile: join(dir, 'no-model.onnx') }, (e) => events.push(e));
    const result = await loop.finished;
    expect(result.status).toBe('finished');
    const flagged = events.filter((e) => e.channel === 'error' && !e.payload.fatal && /^Frame \d+ /.test(e.payload.message)).map((e) => (e.payload as { message: string }).message);
    expect(flagged.map((m) => Number(/^Frame (\d+)/.exec(m)![1]))).toEqual([3, 5, 8, 10]);
    expect(flagged[0]).toContain('skipped (unreadable)');
    expect(flagged[1]).toContain('flagged (no-depth)');
    expect(result.processed).toBe(FRAMES - 3);
  });

  it('a sequence where no frame can be read is a clear error, not a crash', async () => {
    const broken: SequenceReader = {
      info: synth.info,
      read: async () => { throw new (await import('../../main/errors.js')).InputError('/data/x.png', 'file not found'); },
      async *frames() { /* unused */ },
    };
    await expect(mapSequence(broken, { labels: 'none', maxFrames: 3 })).rejects.toThrow(/no frame could be mapped \(first problem: \/data\/x\.png: file not found\)/);
  });
});
