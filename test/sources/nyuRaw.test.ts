import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../main/errors.js';
import { encodePnm, readPnm } from '../../main/io/pnm.js';
import { buildNyuRawToMetresTable, nyuMetresToRaw, nyuRawToMetres, NYU_RGB_INTRINSICS } from '../../main/sources/nyuCamera.js';
import { nyuRawImageToMetres, NyuRawReader, parseNyuName, readNyuDepthPgm, syncNearest } from '../../main/sources/nyuRaw.js';
import type { NyuRegistrationVariant } from '../../main/sources/nyuRegistration.js';
import { NyuRegistration } from '../../main/sources/nyuRegistration.js';
import { openSequence } from '../../main/sources/open.js';
import { firstDifference } from './arrays.js';
import { scanShifts } from './edgeAlignment.js';

const PAIR = resolve(process.cwd(), '../shared/data/real/nyu-raw-single');

describe('NYU raw depth encoding', () => {
  it('maps raw disparity to metres with the toolbox constants and invalid codes to 0', () => {
    expect(nyuRawToMetres(977)).toBeCloseTo(351.3 / (1092.5 - 977), 12);
    expect(nyuRawToMetres(599)).toBe(0);
    expect(nyuRawToMetres(2047)).toBe(0);
    expect(nyuRawToMetres(1090)).toBe(10); // beyond 10 m clamps
    expect(nyuRawToMetres(600)).toBeCloseTo(0.7133, 4);
  });
  it('inverts it, quantised', () => {
    for (const raw of [600, 800, 977, 1057]) expect(nyuMetresToRaw(Math.fround(nyuRawToMetres(raw)))).toBe(raw);
    expect(nyuMetresToRaw(0)).toBe(2047);
    expect(nyuMetresToRaw(0.5)).toBe(2047); // nearer than the Kinect sees
    expect(nyuMetresToRaw(50)).toBe(1057); // saturates below the 10 m clamp
  });
});

describe('NYU raw depth images', () => {
  it('drops the image maximum on real dumps only, and maps each code through the table', () => {
    const table = buildNyuRawToMetresTable();
    const raw = Uint16Array.from([500, 600, 977, 1040, 2047]);
    const real = nyuRawImageToMetres(raw, table, new Float32Array(5), true);
    expect(Array.from(real)).toEqual([0, Math.fround(351.3 / 492.5), Math.fround(351.3 / 115.5), Math.fround(351.3 / 52.5), 0]);
    const noInvalid = Uint16Array.from([700, 977, 1040]);
    expect(nyuRawImageToMetres(noInvalid, table, new Float32Array(3), true)[2]).toBe(0); // toolbox rule
    expect(nyuRawImageToMetres(noInvalid, table, new Float32Array(3), false)[2]).toBe(Math.fround(351.3 / 52.5)); // our files
  });

  it('reads little-endian dumps, and big-endian conversions by noticing out-of-range samples', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semslam-nyu-pgm-'));
    try {
      const values = Uint16Array.from([600, 977, 1040, 2047]);
      await writeFile(join(dir, 'le.pgm'), encodePnm({ width: 2, height: 2, channels: 1, data: values }, { byteOrder: 'little' }));
      await writeFile(join(dir, 'be.pgm'), encodePnm({ width: 2, height: 2, channels: 1, data: values }, { byteOrder: 'big' }));
      const le = await readNyuDepthPgm(join(dir, 'le.pgm'));
      const be = await readNyuDepthPgm(join(dir, 'be.pgm'));
      expect([le.swapped, be.swapped]).toEqual([false, true]);
      expect(Array.from(le.image.data)).toEqual(Array.from(values));
      expect(Array.from(be.image.data)).toEqual(Array.from(values));
      await writeFile(join(dir, 'junk.pgm'), encodePnm({ width: 2, height: 1, channels: 1, data: Uint16Array.from([0x1234, 0x4321]) }));
      await expect(readNyuDepthPgm(join(dir, 'junk.pgm'))).rejects.toThrow(/exceed the Kinect's 11-bit range in either byte order/);
      await writeFile(join(dir, 'rgb.pgm'), encodePnm({ width: 1, height: 1, channels: 3, data: Uint8Array.from([1, 2, 3]) }));
      await expect(readNyuDepthPgm(join(dir, 'rgb.pgm'))).rejects.toThrow(/expected a P5 depth image, found P6/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('NYU raw scene folders', () => {
  let scene: string;
  beforeAll(async () => {
    scene = await mkdtemp(join(tmpdir(), 'semslam-nyu-'));
    // Depth is primary: three depth frames, two colour frames, one accelerometer dump (ignored).
    await copyFile(join(PAIR, 'NYU_color.ppm'), join(scene, 'r-1300000000.000000-10.ppm'));
    await copyFile(join(PAIR, 'NYU_color.ppm'), join(scene, 'r-1300000000.090000-11.ppm'));
    await copyFile(join(PAIR, 'NYU_depth.pgm'), join(scene, 'd-1300000000.010000-20.pgm'));
    await copyFile(join(PAIR, 'NYU_depth.pgm'), join(scene, 'd-1300000000.050000-21.pgm'));
    await copyFile(join(PAIR, 'NYU_depth.pgm'), join(scene, 'd-1300000000.070000-22.pgm'));
    await writeFile(join(scene, 'a-1300000000.020000-30.dump'), new Uint8Array(16));
  });
  afterAll(async () => { await rm(scene, { recursive: true, force: true }); });

  it('parses names and syncs every depth frame to the nearest colour frame', () => {
    expect(parseNyuName('r-1294439283.377657-2672131004.ppm')).toEqual({ kind: 'r', entry: { name: 'r-1294439283.377657-2672131004.ppm', timestamp: 1294439283.377657, counter: 2672131004 } });
    expect(parseNyuName('INDEX.txt')).toBeUndefined();
    const e = (t: number) => ({ name: '', timestamp: t, counter: 0 });
    expect(Array.from(syncNearest([e(0.01), e(0.05), e(0.07), e(0.2)], [e(0), e(0.09), e(0.3)]))).toEqual([0, 1, 1, 2]);
  });

  it('opens by detection and yields registered RGB-D frames identical to the single pair', async () => {
    const reader = await openSequence(scene);
    expect(reader).toBeInstanceOf(NyuRawReader);
    expect(reader.info.format).toBe('nyu-raw');
    expect(reader.info.frames).toBe(3);
    expect(reader.info.intrinsics).toEqual(NYU_RGB_INTRINSICS);
    const frames = [];
    for await (const f of reader.frames({ stride: 2 })) frames.push(f);
    expect(frames.map((f) => f.index)).toEqual([0, 2]);
    expect(frames[0].timestamp).toBeCloseTo(1300000000.01, 5);
    const single = await (await openSequence(PAIR)).read(0);
    expect(firstDifference(single.depth, frames[0].depth)).toBe(-1);
    expect(firstDifference(single.rgb, frames[0].rgb)).toBe(-1);
    // Plausible registered depth: most pixels valid, a 1.4–6.7 m indoor scene, never beyond 10 m.
    let valid = 0, max = 0;
    for (const d of frames[1].depth) if (d > 0) { valid++; max = Math.max(max, d); }
    expect(valid / frames[1].depth.length).toBeGreaterThan(0.7);
    expect(max).toBeLessThanOrEqual(10);
    expect(max).toBeGreaterThan(5);
  });

  it('fails with the file named on a truncated depth frame', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'semslam-nyu-bad-'));
    try {
      await copyFile(join(PAIR, 'NYU_color.ppm'), join(bad, 'r-1.000000-1.ppm'));
      await writeFile(join(bad, 'd-1.000000-1.pgm'), 'P5\n640 480\n65535\n\u0001\u0002');
      const reader = await openSequence(bad);
      await expect(reader.read(0)).rejects.toThrow(new InputError(join(bad, 'd-1.000000-1.pgm'), 'truncated P5: 640×480 maxval 65535 needs 614400 raster bytes, file has 2'));
      await rm(join(bad, 'r-1.000000-1.ppm'));
      await expect(openSequence(bad)).rejects.toThrow(/without colour frames/);
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});

describe('NYU depth→RGB registration lines depth edges up with colour edges (measured on the real pair)', () => {
  it('the toolbox sign is measurably best and within 2 px of the best shift', async () => {
    const colour = await readPnm(join(PAIR, 'NYU_color.ppm'));
    const depthPgm = await readPnm(join(PAIR, 'NYU_depth.pgm'), { byteOrder: 'little' });
    const raw = depthPgm.data as Uint16Array;
    const metres = new Float32Array(raw.length);
    for (let i = 0; i < raw.length; i++) metres[i] = nyuRawToMetres(raw[i]);
    const results = {} as Record<NyuRegistrationVariant, ReturnType<typeof scanShifts>>;
    for (const variant of ['toolbox', 'naiveSign', 'none'] as const) {
      const reg = new NyuRegistration({ variant });
      const rgb = reg.undistortRgb(colour.data as Uint8Array, new Uint8Array(640 * 480 * 3));
      const depth = reg.registerDepth(metres, new Float32Array(640 * 480));
      results[variant] = scanShifts(depth, rgb, 640, 480, 10);
    }
    // Printed so the figures are visible in the test log (mean px from depth edges to colour edges).
    console.log('edge alignment (mean distance px at zero shift; best shift):', JSON.stringify(results));
    const t = results.toolbox, n = results.naiveSign, u = results.none;
    expect(t.edgeCount).toBeGreaterThan(500);
    expect(t.score0).toBeLessThan(n.score0 - 1);
    expect(t.score0).toBeLessThan(u.score0 - 1);
    expect(Math.abs(t.bestDx)).toBeLessThanOrEqual(2);
    expect(Math.abs(t.bestDy)).toBeLessThanOrEqual(2);
    // The wrong sign needs a clear horizontal correction (the 2.5 cm baseline seen from ~3 m, twice).
    expect(Math.abs(n.bestDx)).toBeGreaterThanOrEqual(4);
    expect(t.score0).toBeLessThan(3);
  });
});
