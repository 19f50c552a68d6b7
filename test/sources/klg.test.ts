import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, open, readFile, rm, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Intrinsics } from '../../fusion/camera.js';
import { poseFromTranslationQuaternion } from '../../fusion/pose.js';
import type { Frame } from '../../main/sources/frame.js';
import { KlgWriter } from '../../main/sources/klg.js';
import { openSequence } from '../../main/sources/open.js';

const W = 80, H = 60;
const K: Intrinsics = { width: W, height: H, fx: 70, fy: 70, cx: 39.5, cy: 29.5 };

function makeFrame(index: number): Frame {
  const rgb = new Uint8Array(W * H * 3), depth = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) {
    const x = p % W, y = (p / W) | 0;
    // Smooth colour (JPEG keeps it close), whole-millimetre depth with holes.
    rgb[p * 3] = (x * 3 + index * 5) & 255; rgb[p * 3 + 1] = (y * 4) & 255; rgb[p * 3 + 2] = 128;
    depth[p] = (x + y) % 23 === 0 ? 0 : (800 + x * 10 + y * 7 + index) / 1000;
  }
  const T = poseFromTranslationQuaternion(0.02 * index, 0, 0, 0, 0, 0, 1);
  return { index, timestamp: 1305031102.175304 + index / 30, width: W, height: H, rgb, depth, intrinsics: K, groundTruthPose: T };
}
const FRAMES = [0, 1, 2, 3].map(makeFrame);

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'semslam-klg-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

async function writeKlg(name: string, colour: 'jpeg' | 'raw', depth: 'zlib' | 'raw' = 'zlib'): Promise<string> {
  const path = join(root, name);
  const w = await KlgWriter.create(path, { intrinsics: K, colour, depth });
  for (const f of FRAMES) await w.write(f);
  await w.close();
  return path;
}

describe('.klg logs', () => {
  it('JPEG + zlib: depth exact to the millimetre, colour within JPEG error, µs stamps, camera and poses from the side files', async () => {
    const path = await writeKlg('jpeg.klg', 'jpeg');
    const r = await openSequence(path);
    try {
      expect(r.info.format).toBe('klg');
      expect(r.info.frames).toBe(4);
      expect(r.info.intrinsics).toEqual(K);
      expect(r.info.warnings).toEqual([]);
      expect(r.info.hasGroundTruth).toBe(true);
      expect(r.info.streams![0].type).toBe('JPEG + zlib 16-bit depth');
      for (let i = 0; i < 4; i++) {
        const f = await r.read(i);
        expect(f.timestamp).toBeCloseTo(FRAMES[i].timestamp, 6);
        let maxD = 0, sumC = 0;
        for (let p = 0; p < W * H; p++) maxD = Math.max(maxD, Math.abs(f.depth[p] - FRAMES[i].depth[p]));
        for (let p = 0; p < f.rgb.length; p++) sumC += Math.abs(f.rgb[p] - FRAMES[i].rgb[p]);
        expect(maxD).toBeLessThan(1e-6);
        expect(sumC / f.rgb.length).toBeLessThan(6);
        expect(f.groundTruthPose![12]).toBeCloseTo(0.02 * i, 9);
      }
    } finally {
      await r.close?.();
    }
  });

  it('uncompressed variant (raw RGB, raw 16-bit depth) reads back exactly; a bare 80×60 raw log asks for the size', async () => {
    const written = await writeKlg('raw.klg', 'raw', 'raw');
    const r = await openSequence(written);
    expect(r.info.streams![0].type).toBe('raw RGB + raw 16-bit depth');
    for (let i = 0; i < 4; i++) {
      const f = await r.read(i);
      expect(Buffer.from(f.rgb).equals(Buffer.from(FRAMES[i].rgb))).toBe(true);
      expect(Array.from(f.depth)).toEqual(Array.from(FRAMES[i].depth).map((d) => Math.fround(Math.round(d * 1000) / 1000)));
    }
    await r.close?.();
    // Without the camera file nothing in the log says 80×60.
    const bare = join(root, 'bare.klg');
    await copyFile(written, bare);
    await expect(openSequence(bare)).rejects.toThrow(/bare\.klg: frame 0 has 4800 pixels and no JPEG to tell the image size; give --intrinsics fx,fy,cx,cy,width,height/);
    const sized = await openSequence(bare, { camera: { intrinsics: { fx: 70, fy: 70, cx: 39.5, cy: 29.5, width: 80, height: 60 }, source: '--intrinsics' } });
    expect(sized.info.width).toBe(80);
    await sized.close?.();
  });

  it('raw variant at 320×240 opens bare with ElasticFusion\'s default camera, warned', async () => {
    const w = 320, h = 240;
    const k: Intrinsics = { width: w, height: h, fx: 260, fy: 260, cx: 160, cy: 120 };
    const frame: Frame = { ...FRAMES[0], width: w, height: h, rgb: new Uint8Array(w * h * 3).fill(7), depth: new Float32Array(w * h).fill(1.25), intrinsics: k };
    const path = join(root, 'qvga.klg');
    const writer = await KlgWriter.create(path, { intrinsics: k, colour: 'raw' });
    await writer.write(frame);
    await writer.close();
    await rm(join(root, 'qvga.camera.json'));
    const r = await openSequence(path);
    expect(r.info.width).toBe(320);
    expect(r.info.intrinsics).toEqual({ width: 320, height: 240, fx: 264, fy: 264, cx: 159.75, cy: 119.75 });
    expect(r.info.warnings!.join('\n')).toMatch(/stores no calibration; ElasticFusion's default camera assumed/);
    const f = await r.read(0);
    expect(f.depth[100]).toBe(1.25);
    expect(f.rgb[5]).toBe(7);
    await r.close?.();
  });

  it('--intrinsics and --depth-scale apply to a log', async () => {
    const path = await writeKlg('spec.klg', 'jpeg');
    const r = await openSequence(path, { camera: { intrinsics: { fx: 50, fy: 51, cx: 40, cy: 30 }, depthUnitsPerMetre: 5000, source: '--intrinsics' } });
    expect(r.info.intrinsics).toEqual({ width: W, height: H, fx: 50, fy: 51, cx: 40, cy: 30 });
    const f = await r.read(0);
    expect(f.depth[1]).toBeCloseTo(FRAMES[0].depth[1] / 5, 6);
    await r.close?.();
  });

  it('bad logs: truncated, unclosed (frame count 0), corrupt depth: the error names the file, frame and problem', async () => {
    const path = await writeKlg('whole.klg', 'jpeg');
    const bytes = (await readFile(path)).length;
    const cut = join(root, 'cut.klg');
    await copyFile(path, cut);
    await truncate(cut, bytes - 100);
    await expect(openSequence(cut)).rejects.toThrow(/cut\.klg: truncated: frame 3 of 4 needs bytes up to \d+ but the file ends at \d+/);

    const unclosed = join(root, 'unclosed.klg');
    await copyFile(path, unclosed);
    const fh = await open(unclosed, 'r+');
    await fh.write(new Uint8Array(4), 0, 4, 0);
    await fh.close();
    await expect(openSequence(unclosed)).rejects.toThrow(/unclosed\.klg: frame count is 0: not a \.klg log, or a recording that was not closed/);

    // One frame whose "zlib" depth is garbage.
    const bad = join(root, 'bad-depth.klg');
    const good = deflateSync(Buffer.from(new Uint16Array(W * H).fill(1000).buffer));
    const frame = (depth: Uint8Array) => {
      const head = Buffer.alloc(16);
      head.writeBigInt64LE(1000n, 0); head.writeInt32LE(depth.length, 8); head.writeInt32LE(W * H * 3, 12);
      return Buffer.concat([head, depth, Buffer.alloc(W * H * 3)]);
    };
    const count = Buffer.alloc(4); count.writeInt32LE(2, 0);
    const garbage = Buffer.from(good); garbage[10] ^= 0xff; garbage[11] ^= 0xff;
    await writeFile(bad, Buffer.concat([count, frame(good), frame(garbage)]));
    await writeFile(join(root, 'bad-depth.camera.json'), JSON.stringify(K));
    const r = await openSequence(bad);
    expect((await r.read(0)).depth[0]).toBe(1);
    await expect(r.read(1)).rejects.toThrow(/bad-depth\.klg: frame 1 depth: zlib data does not inflate/);
    await r.close?.();
  });
});
