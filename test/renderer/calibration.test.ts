import { describe, expect, it } from 'vitest';
import { centredCrop, rgbaToRgb } from '../../renderer/camera/calibration.js';

describe('centredCrop', () => {
  it('takes the largest centred window of the target aspect', () => {
    expect(centredCrop(1280, 720, 640, 480)).toEqual({ sx: 160, sy: 0, sw: 960, sh: 720 });
    expect(centredCrop(640, 480, 320, 240)).toEqual({ sx: 0, sy: 0, sw: 640, sh: 480 });
    expect(centredCrop(480, 640, 640, 480)).toEqual({ sx: 0, sy: 140, sw: 480, sh: 360 });
  });
});

describe('rgbaToRgb', () => {
  it('drops alpha', () => {
    const out = rgbaToRgb(new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 0]), new Uint8Array(6));
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
