import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { decodeJpegRgb, decodePng16, decodePngRgb, encodePngRaster, readPng16, readRgbImage } from '../../main/io/image.js';
import { nativeDecoder, nativePng16, nativeRgb, pngHeader, turboJpeg } from '../../main/io/nativeDecode.js';

const REAL = resolve(process.cwd(), '../shared/data/real');
const GREY_JPEG_3X3 = '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/wAALCAADAAMBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APUv2IPi/rGo/smfAi8uPh5+zbHNN4Dsd6WP7I37K+l2o8u5u4l8qx0z4N2ljBlUUv5FvH5sheaXfNJI7f/Z';

/** Element-wise mismatches (toEqual on 300k-element typed arrays takes seconds). */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('native decoding (libjpeg-turbo, @napi-rs/image) against the JS decoders', () => {
  it('loads here (the prebuilt binaries ship in npm packages)', async () => {
    expect(await nativeDecoder(), '@napi-rs/image did not load: `npm ci` installs its platform package (@napi-rs/image-linux-x64-gnu here); without it every image decodes in JS, several times slower').not.toBeNull();
    expect(await turboJpeg(), '@julusian/jpeg-turbo did not load: `npm ci` installs it (an optional dependency, prebuilt for linux-x64 inside its package); without it JPEGs decode through @napi-rs/image, 2–3× slower').not.toBeNull();
  });

  it('JPEG: libjpeg-turbo and @napi-rs/image give the same image within their IDCT and upsampling differences', async () => {
    const bytes = await readFile(join(REAL, '7scenes-redkitchen-0-499/frame-000100.color.jpg'));
    const turbo = await turboJpeg();
    const src = Buffer.from(bytes);
    const t = turbo!.decompressSync(src, { format: turbo!.FORMAT_RGB });
    const napi = await nativeDecoder();
    const tr = new napi!.Transformer(src);
    const meta = tr.metadataSync();
    const n = tr.rawPixelsSync();
    expect([t.width, t.height]).toEqual([meta.width, meta.height]);
    let sum = 0;
    for (let i = 0; i < n.length; i++) sum += Math.abs(n[i] - t.data[i]);
    expect(sum / n.length).toBeLessThan(2);
    // And nativeRgb takes libjpeg-turbo's pixels where it is loaded, in a buffer of their own (frames move theirs
    // between threads).
    const mine = (await nativeRgb(bytes))!.data;
    expect(mismatches(mine, t.data)).toBe(0);
    expect([mine.byteOffset, mine.buffer.byteLength]).toEqual([0, mine.length]);
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

  it('JPEG: a grey one comes back as RGB with its grey levels (as the JS path expands it)', async () => {
    // A 3×3 single-component JPEG (PIL, quality 100) of the levels 0 60 120 / 180 240 255 / 30 90 150.
    const grey = Uint8Array.from(Buffer.from(GREY_JPEG_3X3, 'base64'));
    const g = (await nativeRgb(grey))!;
    expect([g.width, g.height, g.channels, g.data.length]).toEqual([3, 3, 3, 27]);
    const jsGrey = decodeJpegRgb('g', grey).data;
    // libjpeg-turbo's binding decodes with the fast integer IDCT, which libjpeg documents as inexact at quality
    // above 97: on this 3×3 step pattern at quality 100 it is 7 levels off (@napi-rs/image: 2).
    const tolerance = (await turboJpeg()) ? 8 : 2;
    for (let i = 0; i < 27; i++) expect(Math.abs(g.data[i] - jsGrey[i])).toBeLessThanOrEqual(tolerance);
    for (let i = 0; i < 9; i++) expect([g.data[3 * i + 1], g.data[3 * i + 2]]).toEqual([g.data[3 * i], g.data[3 * i]]);
  });

  it('decodes the same pixels on a worker thread (there in the calling thread) as on the main thread', async () => {
    const path = join(REAL, '7scenes-redkitchen-0-499/frame-000100.color.jpg');
    const depthPath = join(REAL, '7scenes-redkitchen-0-499/frame-000100.depth.png');
    const here = [(await nativeRgb(await readFile(path)))!.data, (await nativePng16(await readFile(depthPath)))!.data];
    const worker = new Worker(new URL('./nativeDecodeWorker.mjs', import.meta.url), { workerData: { path, depthPath } });
    const there = await new Promise<[Uint8Array, Uint16Array]>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    await worker.terminate();
    expect(mismatches(there[0], here[0])).toBe(0);
    expect(mismatches(there[1], here[1])).toBe(0);
  });

  it('leaves a truncated JPEG or PNG to the JS decoders, whose error names the file (the native one would fill it in)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semslam-truncated-'));
    try {
      for (const [name, reader] of [['frame-000100.color.jpg', readRgbImage], ['frame-000100.depth.png', readPng16]] as const) {
        const bytes = await readFile(join(REAL, '7scenes-redkitchen-0-499', name));
        const cut = bytes.subarray(0, Math.floor(bytes.length * 0.9));
        expect(await (name.endsWith('.jpg') ? nativeRgb(cut) : nativePng16(cut)), name).toBeNull();
        const path = join(dir, name);
        await writeFile(path, cut);
        await expect(reader(path)).rejects.toThrow(path);
      }
      // Zero padding after the end-of-image marker is not truncation.
      const jpg = await readFile(join(REAL, '7scenes-redkitchen-0-499/frame-000100.color.jpg'));
      expect(await nativeRgb(Buffer.concat([jpg, Buffer.alloc(16)]))).not.toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
