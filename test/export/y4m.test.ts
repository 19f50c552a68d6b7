import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rgbToI420, Y4mWriter } from '../../main/export/y4m.js';
import type { Frame } from '../../main/sources/frame.js';

const K = { width: 4, height: 2, fx: 3, fy: 3, cx: 1.5, cy: 0.5 };
function frame(index: number, rgbOf: (x: number, y: number) => [number, number, number]): Frame {
  const rgb = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) rgb.set(rgbOf(x, y), 3 * (y * 4 + x));
  return { index, timestamp: index / 30, width: 4, height: 2, rgb, depth: new Float32Array(8), intrinsics: K };
}

describe('rgbToI420 (BT.601, limited range)', () => {
  it('maps white, black and primaries to the standard code values', () => {
    const out = new Uint8Array(4 + 2);
    const at = (r: number, g: number, b: number) => Array.from(rgbToI420(new Uint8Array(12).map((_, i) => [r, g, b][i % 3]), 2, 2, out));
    expect(at(255, 255, 255)).toEqual([235, 235, 235, 235, 128, 128]);
    expect(at(0, 0, 0)).toEqual([16, 16, 16, 16, 128, 128]);
    // Red: Y 81, Cb 90, Cr 240 (ITU-R BT.601 studio range).
    expect(at(255, 0, 0)).toEqual([81, 81, 81, 81, 90, 240]);
    expect(at(0, 0, 255)).toEqual([41, 41, 41, 41, 240, 110]);
  });

  it('averages chroma over 2×2 blocks', () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 255]);
    const out = rgbToI420(rgb, 2, 2, new Uint8Array(6));
    // Mean of red and blue: (127.5, 0, 127.5).
    expect([out[4], out[5]]).toEqual([165, 175]);
  });
});

describe('Y4mWriter', () => {
  it('writes the header and one FRAME chunk of W·H·3/2 bytes per frame', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'semslam-y4m-')), 'clip.y4m');
    const w = await Y4mWriter.create(file, 4, 2, 30);
    await w.write(frame(0, () => [255, 255, 255]));
    await w.write(frame(1, (x) => (x < 2 ? [0, 0, 0] : [255, 255, 255])));
    await w.close();
    const bytes = readFileSync(file);
    const header = 'YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n';
    expect(bytes.subarray(0, header.length).toString('latin1')).toBe(header);
    const chunk = 6 + 12;
    expect(bytes.length).toBe(header.length + 2 * chunk);
    const second = bytes.subarray(header.length + chunk);
    expect(second.subarray(0, 6).toString('latin1')).toBe('FRAME\n');
    expect(Array.from(second.subarray(6, 14))).toEqual([16, 16, 235, 235, 16, 16, 235, 235]);
    expect(w.frames).toBe(2);
  });

  it('refuses odd sizes, other file names and frames of another size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semslam-y4m-'));
    await expect(Y4mWriter.create(join(dir, 'a.y4m'), 5, 2)).rejects.toThrow(/even width and height/);
    await expect(Y4mWriter.create(join(dir, 'a.yuv'), 4, 2)).rejects.toThrow(/must end in \.y4m/);
    const w = await Y4mWriter.create(join(dir, 'b.y4m'), 4, 2);
    await expect(w.write({ ...frame(0, () => [0, 0, 0]), width: 2 })).rejects.toThrow(/is 2×2, the video is 4×2/);
    await w.close();
  });
});
