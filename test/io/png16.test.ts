import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPng16 } from '../../main/io/image.js';

const REAL = resolve(process.cwd(), '../shared/data/real');

// Expected values read independently with PIL:
//   /usr/bin/python3 -c "from PIL import Image; import numpy as np; a = np.array(Image.open(P)); print(a[y, x], a.sum())"
describe('16-bit PNG depth decoding is exact', () => {
  it('TUM_depth.png', async () => {
    const img = await readPng16(join(REAL, 'tum-single/TUM_depth.png'));
    expect([img.width, img.height, img.channels]).toEqual([640, 480, 1]);
    const at = (y: number, x: number) => img.data[y * 640 + x];
    expect(at(240, 320)).toBe(10920);
    expect(at(100, 500)).toBe(13090);
    expect(at(300, 50)).toBe(7615);
    expect(at(0, 0)).toBe(0);
    expect(at(479, 639)).toBe(0);
    let sum = 0, nonzero = 0;
    for (const v of img.data) { sum += v; if (v) nonzero++; }
    expect(sum).toBe(3074716315);
    expect(nonzero / img.data.length).toBe(0.80810546875);
  });

  it('7-Scenes depth (millimetres)', async () => {
    const img = await readPng16(join(REAL, '7scenes-redkitchen-150-199/rgbd-frames/frame-000150.depth.png'));
    const at = (y: number, x: number) => img.data[y * 640 + x];
    expect(at(240, 320)).toBe(1556);
    expect(at(10, 10)).toBe(1376);
    expect(at(400, 600)).toBe(1155);
    let sum = 0;
    for (const v of img.data) sum += v;
    expect(sum).toBe(489973122);
  });
});
