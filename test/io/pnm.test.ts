import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../main/errors.js';
import { decodePnm, encodePnm, readPnm } from '../../main/io/pnm.js';

const REAL = resolve(process.cwd(), '../shared/data/real');
const enc = (s: string) => new TextEncoder().encode(s);

function expectInputError(fn: () => unknown, file: string, problem: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).file).toBe(file);
    expect((e as InputError).problem).toMatch(problem);
    return;
  }
  throw new Error('expected an InputError');
}

describe('PNM codec', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'semslam-pnm-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('round-trips 8-bit P6 and 16-bit P5 in both byte orders', () => {
    const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) & 255);
    const back = decodePnm('x.ppm', encodePnm({ width: 4, height: 3, channels: 3, data: rgb }));
    expect(back.magic).toBe('P6');
    expect([back.width, back.height, back.maxval, back.channels]).toEqual([4, 3, 255, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(rgb));
    const grey = Uint16Array.from([0, 1, 255, 256, 2047, 65535]);
    for (const byteOrder of ['big', 'little'] as const) {
      const bytes = encodePnm({ width: 3, height: 2, channels: 1, data: grey }, { byteOrder });
      expect(Array.from(decodePnm('x.pgm', bytes, { byteOrder }).data)).toEqual(Array.from(grey));
    }
    // Standard order really is big-endian: 256 → bytes 01 00.
    const be = encodePnm({ width: 1, height: 1, channels: 1, data: Uint16Array.from([256]) });
    expect(Array.from(be.subarray(be.length - 2))).toEqual([1, 0]);
  });

  it('parses headers with comments and odd whitespace, and maxval below 255', () => {
    const bytes = new Uint8Array([...enc('P5\n# a comment\n 2\t2 # another\n15\n'), 1, 2, 3, 15]);
    const img = decodePnm('c.pgm', bytes);
    expect([img.width, img.height, img.maxval]).toEqual([2, 2, 15]);
    expect(Array.from(img.data)).toEqual([1, 2, 3, 15]);
  });

  it('rejects wrong magic, bad headers and truncated rasters with the file named', () => {
    expectInputError(() => decodePnm('a.pgm', enc('P2\n2 2\n255\n1 2 3 4')), 'a.pgm', /wrong magic "P2"/);
    expectInputError(() => decodePnm('b.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47])), 'b.png', /wrong magic/);
    expectInputError(() => decodePnm('c.pgm', enc('P5\n2 x\n255\n')), 'c.pgm', /height is "x"/);
    expectInputError(() => decodePnm('d.pgm', enc('P5\n2 2\n70000\n')), 'd.pgm', /maxval 70000/);
    expectInputError(() => decodePnm('e.pgm', enc('P5\n2 2')), 'e.pgm', /truncated PNM header: missing maxval/);
    expectInputError(() => decodePnm('f.ppm', new Uint8Array([...enc('P6\n2 2\n255\n'), 1, 2, 3])), 'f.ppm', /truncated P6: .* needs 12 raster bytes, file has 3/);
    expectInputError(() => decodePnm('g.pgm', new Uint8Array([...enc('P5\n2 1\n65535\n'), 1, 2, 3])), 'g.pgm', /needs 4 raster bytes, file has 3/);
    expectInputError(() => decodePnm('h.pgm', new Uint8Array(0)), 'h.pgm', /truncated/);
  });

  it('reports a missing file and truncation of a real file', async () => {
    await expect(readPnm(join(dir, 'none.pgm'))).rejects.toThrow(/none\.pgm: file not found/);
    const real = await readFile(join(REAL, 'nyu-raw-single/NYU_depth.pgm'));
    const cut = join(dir, 'cut.pgm');
    await writeFile(cut, real.subarray(0, 1000));
    await expect(readPnm(cut, { byteOrder: 'little' })).rejects.toThrow(new InputError(cut, 'truncated P5: 640×480 maxval 65535 needs 614400 raster bytes, file has 983'));
  });

  it('decodes the real NYU raw pair exactly (little-endian samples; values found with numpy)', async () => {
    const d = await readPnm(join(REAL, 'nyu-raw-single/NYU_depth.pgm'), { byteOrder: 'little' });
    expect([d.magic, d.width, d.height, d.maxval]).toEqual(['P5', 640, 480, 65535]);
    // numpy: np.frombuffer(raw[17:], '<u2').reshape(480, 640)[y, x]
    expect(d.data[240 * 640 + 320]).toBe(977);
    expect(d.data[0]).toBe(2047);
    expect(d.data[100 * 640 + 200]).toBe(977);
    const c = await readPnm(join(REAL, 'nyu-raw-single/NYU_color.ppm'));
    const at = (y: number, x: number) => Array.from(c.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3));
    // PIL: np.array(Image.open('NYU_color.ppm'))[y, x]
    expect(at(240, 320)).toEqual([98, 102, 112]);
    expect(at(0, 0)).toEqual([220, 248, 235]);
  });
});
