import { describe, expect, it } from 'vitest';
import { InputError } from '../../main/errors.js';
import { calibratedIntrinsics, CameraEndedError, intrinsicsFromFov, LiveCameraReader } from '../../main/sources/liveCamera.js';

const K = { width: 4, height: 2, fx: 3, fy: 3, cx: 1.5, cy: 0.5 };
const image = (t: number, fill = 0) => ({ timestamp: t, width: 4, height: 2, rgb: new Uint8Array(24).fill(fill) });

describe('LiveCameraReader', () => {
  it('gives the pipeline the newest image and counts the stale ones it dropped', async () => {
    const r = new LiveCameraReader(K, 'cam');
    expect(r.info).toMatchObject({ format: 'camera', frames: 0, width: 4, height: 2, hasGroundTruth: false });
    r.push(image(1, 1));
    r.push(image(2, 2));
    expect(r.push(image(3, 3))).toEqual({ received: 3, dropped: 2 });
    const f = await r.read(0);
    expect([f.index, f.timestamp, f.rgb[0], f.depth.length]).toEqual([0, 3, 3, 8]);
    expect(f.depth.every((d) => d === 0)).toBe(true);
    // A read with nothing pending waits for the next push, which is then not counted as dropped.
    const pending = r.read(1);
    expect(r.push(image(4, 4))).toEqual({ received: 4, dropped: 2 });
    expect((await pending).rgb[0]).toBe(4);
  });

  it('ends: a waiting read rejects, later pushes are refused', async () => {
    const r = new LiveCameraReader(K, 'cam');
    const pending = r.read(0);
    r.end();
    await expect(pending).rejects.toBeInstanceOf(CameraEndedError);
    expect(() => r.push(image(1))).toThrow(InputError);
    const frames: number[] = [];
    for await (const f of r.frames()) frames.push(f.index);
    expect(frames).toEqual([]);
  });

  it('refuses images of the wrong size, byte count or time order, naming the camera', () => {
    const r = new LiveCameraReader(K, 'USB cam');
    expect(() => r.push({ ...image(1), width: 8 })).toThrow(/USB cam: image is 8×2, the camera session was started at 4×2/);
    expect(() => r.push({ ...image(1), rgb: new Uint8Array(23) })).toThrow(/23 bytes, expected 24/);
    r.push(image(5));
    expect(() => r.push(image(5))).toThrow(/timestamp 5 does not increase/);
    expect(() => r.push(image(Number.NaN))).toThrow(/does not increase/);
  });
});

describe('intrinsicsFromFov', () => {
  it('puts the image edge at half the field of view', () => {
    const k = intrinsicsFromFov(640, 480, 90);
    expect(k.fx).toBeCloseTo(320, 10);
    expect(k.fy).toBe(k.fx);
    expect([k.cx, k.cy]).toEqual([319.5, 239.5]);
    expect(intrinsicsFromFov(320, 240, 60).fx).toBeCloseTo(160 / Math.tan(Math.PI / 6), 10);
    expect(() => intrinsicsFromFov(320, 240, 180)).toThrow(RangeError);
  });
});

describe('calibratedIntrinsics (the camera panel\'s calibration file)', () => {
  const rosYaml = [
    'image_width: 640', 'image_height: 480', 'camera_name: webcam',
    'camera_matrix:', '  rows: 3', '  cols: 3', '  data: [500, 0, 319.5, 0, 502, 239.5, 0, 0, 1]',
    'distortion_model: plumb_bob',
    'distortion_coefficients:', '  rows: 1', '  cols: 5', '  data: [0.1, -0.2, 0, 0, 0]',
  ].join('\n');

  it('reads a ROS camera_info YAML through the shared parser and scales it to the capture size, saying so', () => {
    const same = calibratedIntrinsics({ name: 'webcam.yaml', text: rosYaml }, 640, 480);
    expect(same.intrinsics).toEqual({ width: 640, height: 480, fx: 500, fy: 502, cx: 319.5, cy: 239.5 });
    expect(same.warnings.join('\n')).toMatch(/webcam\.yaml: lens distortion .* not corrected/);
    const half = calibratedIntrinsics({ name: 'webcam.yaml', text: rosYaml }, 320, 240);
    expect(half.intrinsics).toEqual({ width: 320, height: 240, fx: 250, fy: 251, cx: 159.5, cy: 119.5 });
    expect(half.warnings.join('\n')).toMatch(/calibrated at 640×480, images are 320×240; intrinsics rescaled/);
  });

  it('reads OpenCV YAML and semslam.json as `--camera FILE` does; without a size, the capture size is assumed', () => {
    const opencv = '%YAML:1.0\n---\ncamera_matrix: !!opencv-matrix\n   rows: 3\n   cols: 3\n   dt: d\n   data: [ 400., 0., 160., 0., 401., 120., 0., 0., 1. ]\n';
    expect(calibratedIntrinsics({ name: 'calib.yml', text: opencv }, 320, 240).intrinsics).toEqual({ width: 320, height: 240, fx: 400, fy: 401, cx: 160, cy: 120 });
    const sidecar = JSON.stringify({ semslamSequence: 1, intrinsics: { fx: 525, fy: 525, cx: 319.5, cy: 239.5, width: 640, height: 480 } });
    expect(calibratedIntrinsics({ name: 'semslam.json', text: sidecar }, 320, 240).intrinsics).toEqual({ width: 320, height: 240, fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5 });
  });

  it('errors name the file and the problem: missing fields, bad syntax, another aspect ratio', () => {
    const err = (name: string, text: string, w = 320, h = 240): string => {
      try {
        calibratedIntrinsics({ name, text }, w, h);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err('partial.yaml', 'image_width: 640\nimage_height: 480\nfx: 500\nfy: 500\n')).toMatch(/^partial\.yaml: no camera matrix.*missing cx, cy/);
    expect(err('broken.yaml', 'camera_matrix: [1, 2\n')).toMatch(/^broken\.yaml: not valid YAML/);
    expect(err('broken.json', '{"fx": 1')).toMatch(/^broken\.json: not valid JSON/);
    expect(err('wide.yaml', rosYaml.replace('image_width: 640', 'image_width: 1280').replace('image_height: 480', 'image_height: 720'), 640, 480))
      .toMatch(/^wide\.yaml: calibrated at 1280×720, which has another aspect ratio than the capture size 640×480/);
  });
});
