import { describe, expect, it } from 'vitest';
import { centredCrop, parseCalibration, rgbaToRgb } from '../../renderer/camera/calibration.js';

describe('parseCalibration', () => {
  it('reads pinhole JSON and semslam sidecars, scaling to the capture size', () => {
    const k = { fx: 525, fy: 525, cx: 319.5, cy: 239.5, width: 640, height: 480 };
    expect(parseCalibration('cam.json', JSON.stringify(k), 640, 480)).toEqual({ ok: true, intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5 } });
    const half = parseCalibration('semslam.json', JSON.stringify({ semslamSequence: 1, intrinsics: k }), 320, 240);
    expect(half).toEqual({ ok: true, intrinsics: { fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5 } });
    // Without a size, the calibration is taken to be at the capture size.
    const bare = parseCalibration('k.json', '{"fx": 500, "fy": 501, "cx": 160, "cy": 120}', 320, 240);
    expect(bare).toEqual({ ok: true, intrinsics: { fx: 500, fy: 501, cx: 160, cy: 120 } });
  });

  it('names the file and the problem', () => {
    expect(parseCalibration('cam.json', '{fx: 1', 320, 240)).toMatchObject({ ok: false, message: expect.stringMatching(/^cam\.json: not JSON/) });
    expect(parseCalibration('cam.json', '{"fx": -1, "fy": 1, "cx": 0, "cy": 0}', 320, 240))
      .toMatchObject({ ok: false, message: expect.stringMatching(/^cam\.json: .*fx/) });
    expect(parseCalibration('wide.json', '{"fx": 1, "fy": 1, "cx": 0, "cy": 0, "width": 1280, "height": 720}', 640, 480))
      .toMatchObject({ ok: false, message: expect.stringMatching(/wide\.json: calibrated at 1280×720, which has another aspect ratio/) });
  });
});

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
