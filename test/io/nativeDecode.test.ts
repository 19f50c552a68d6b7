import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJpegRgb, decodePng16, decodePngRgb, encodePngRaster } from '../../main/io/image.js';
import { nativeDecoder, nativePng16, nativeRgb, pngHeader } from '../../main/io/nativeDecode.js';

const REAL = resolve(process.cwd(), '../shared/data/real');

/** Element-wise mismatches (toEqual on 300k-element typed arrays takes seconds). */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('native decoding (libvips through sharp) against the JS decoders', () => {
  it('loads here (the prebuilt binary ships in an npm package)', async () => {
    expect(await nativeDecoder()).not.toBeNull();
  });

  it('16-bit depth PNGs: identical values', async () => {
    for (const f of ['7scenes-redkitchen-0-499/frame-000100.depth.png', '7scenes-redkitchen-150-199/rgbd-frames/frame-000150.depth.png', 'tum-single/TUM_depth.png']) {
      const bytes = await readFile(join(REAL, f));
      const native = await nativePng16(bytes);
      expect(native, f).not.toBeNull();
      expect(mismatches(native!.data, decodePng16(f, bytes).data), f).toBe(0);
    }
  });

  it('8-bit colour PNGs: identical bytes (grey and RGBA expanded as the JS path does)', async () => {
    const bytes = await readFile(join(REAL, '7scenes-redkitchen-150-199/rgbd-frames/frame-000150.color.png'));
    expect(mismatches((await nativeRgb(bytes))!.data, decodePngRgb('x', bytes).data)).toBe(0);
    const grey = encodePngRaster({ width: 3, height: 2, channels: 1, data: new Uint8Array([0, 50, 100, 150, 200, 255]) });
    expect((await nativeRgb(grey))!.data).toEqual(decodePngRgb('g', grey).data);
    const rgba = encodePngRaster({ width: 2, height: 1, channels: 4, data: new Uint8Array([10, 20, 30, 0, 40, 50, 60, 255]) });
    expect((await nativeRgb(rgba))!.data).toEqual(decodePngRgb('a', rgba).data);
  });

  it('JPEG: the same image within the IDCT and chroma-upsampling differences of two decoders', async () => {
    const bytes = await readFile(join(REAL, '7scenes-redkitchen-0-499/frame-000100.color.jpg'));
    const a = (await nativeRgb(bytes))!, b = decodeJpegRgb('j', bytes);
    expect([a.width, a.height]).toEqual([b.width, b.height]);
    let sum = 0;
    for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
    expect(sum / a.data.length).toBeLessThan(2);
  });

  it('JPEG: colour takes the direct decode, grey the converting one, both with what the full pipeline gives', async () => {
    const sharp = (await nativeDecoder())!;
    const bytes = await readFile(join(REAL, '7scenes-redkitchen-0-499/frame-000100.color.jpg'));
    const full = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer();
    expect(mismatches((await nativeRgb(bytes))!.data, full)).toBe(0);
    const grey = await sharp(new Uint8Array([0, 60, 120, 180, 240, 255, 30, 90, 150]), { raw: { width: 3, height: 3, channels: 1 } }).jpeg({ quality: 100 }).toBuffer();
    const g = (await nativeRgb(grey))!;
    expect(g.channels).toBe(3);
    expect(g.data.length).toBe(27);
    const jsGrey = decodeJpegRgb('g', grey).data;
    for (let i = 0; i < 27; i++) expect(Math.abs(g.data[i] - jsGrey[i])).toBeLessThanOrEqual(2);
  });

  it('leaves to the JS decoders what they must judge: 8-bit depth, 16-bit colour, garbage', async () => {
    const eight = encodePngRaster({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) });
    expect(await nativePng16(eight)).toBeNull();
    const sixteen = encodePngRaster({ width: 2, height: 2, channels: 3, data: new Uint16Array(12) });
    expect(pngHeader(sixteen)?.bitDepth).toBe(16);
    expect(await nativeRgb(sixteen)).toBeNull();
    expect(await nativeRgb(new Uint8Array([0xff, 0xd8, 0xff, 0, 1, 2]))).toBeNull();
    expect(await nativePng16(new Uint8Array(40))).toBeNull();
  });
});
