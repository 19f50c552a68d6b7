import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cameraSpecFromFlags, cameraSpecOf, parseCameraFile, parseIntrinsicsFlag } from '../../main/sources/cameraSpec.js';
import { TUM_INTRINSICS } from '../../main/sources/tum.js';
import { openSequence } from '../../main/sources/open.js';
import { createSequenceWriter } from '../../main/sources/writers.js';
import { encodePngRaster } from '../../main/io/image.js';

const ROS_YAML = `image_width: 640
image_height: 480
camera_name: realsense_color
camera_matrix:
  rows: 3
  cols: 3
  data: [615.2, 0, 320.1, 0, 615.4, 241.7, 0, 0, 1]
distortion_model: plumb_bob
distortion_coefficients:
  rows: 1
  cols: 5
  data: [0, 0, 0, 0, 0]
rectification_matrix:
  rows: 3
  cols: 3
  data: [1, 0, 0, 0, 1, 0, 0, 0, 1]
projection_matrix:
  rows: 3
  cols: 4
  data: [615.2, 0, 320.1, 0, 0, 615.4, 241.7, 0, 0, 0, 1, 0]
`;

const OPENCV_YAML = `%YAML:1.0
---
image_width: 1280
image_height: 720
camera_matrix: !!opencv-matrix
   rows: 3
   cols: 3
   dt: d
   data: [ 9.1e+02, 0., 6.4e+02, 0., 9.2e+02, 3.6e+02, 0., 0., 1. ]
distortion_coefficients: !!opencv-matrix
   rows: 1
   cols: 5
   dt: d
   data: [ 0.1, -0.2, 0., 0., 0. ]
`;

const OPENCV_JSON = JSON.stringify({
  image_width: 640, image_height: 480,
  camera_matrix: { type_id: 'opencv-matrix', rows: 3, cols: 3, dt: 'd', data: [500, 0, 319.5, 0, 501, 239.5, 0, 0, 1] },
});

describe('camera files', () => {
  it('ROS camera_info YAML', () => {
    expect(parseCameraFile('cam.yaml', ROS_YAML)).toEqual({ intrinsics: { fx: 615.2, fy: 615.4, cx: 320.1, cy: 241.7, width: 640, height: 480 }, source: 'cam.yaml' });
  });

  it('OpenCV FileStorage YAML (%YAML:1.0, !!opencv-matrix) keeps its distortion for a warning', () => {
    const s = parseCameraFile('calib.yml', OPENCV_YAML);
    expect(s.intrinsics).toEqual({ fx: 910, fy: 920, cx: 640, cy: 360, width: 1280, height: 720 });
    expect(s.distortion).toEqual([0.1, -0.2, 0, 0, 0]);
  });

  it('OpenCV JSON, Open3D intrinsic JSON (column-major), semslam.json, plain fx/fy/cx/cy', () => {
    expect(parseCameraFile('c.json', OPENCV_JSON).intrinsics).toEqual({ fx: 500, fy: 501, cx: 319.5, cy: 239.5, width: 640, height: 480 });
    const open3d = JSON.stringify({ width: 640, height: 480, intrinsic_matrix: [525, 0, 0, 0, 526, 0, 319.5, 239.5, 1] });
    expect(parseCameraFile('o.json', open3d).intrinsics).toEqual({ fx: 525, fy: 526, cx: 319.5, cy: 239.5, width: 640, height: 480 });
    const sidecar = JSON.stringify({ semslamSequence: 1, format: 'tum', intrinsics: { width: 320, height: 240, fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5 } });
    expect(parseCameraFile('semslam.json', sidecar).intrinsics).toEqual({ fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5, width: 320, height: 240 });
    const plain = parseCameraFile('p.json', JSON.stringify({ fx: 1, fy: 2, cx: 3, cy: 4, depth_scale: 1000 }));
    expect(plain).toEqual({ intrinsics: { fx: 1, fy: 2, cx: 3, cy: 4 }, depthUnitsPerMetre: 1000, source: 'p.json' });
  });

  it('missing or bad fields: the file and the field are named', () => {
    expect(() => parseCameraFile('half.yaml', 'image_width: 640\nimage_height: 480\nfx: 500\ncx: 320\n')).toThrow(/half\.yaml: no camera matrix: .*missing fy, cy/);
    expect(() => parseCameraFile('k8.json', JSON.stringify({ K: [1, 2, 3, 4, 5, 6, 7, 8] }))).toThrow(/k8\.json: K: expected 9 values \(3×3\), found 8/);
    expect(() => parseCameraFile('bad.yaml', 'camera_matrix: [1, 2\n')).toThrow(/bad\.yaml: not valid YAML/);
    expect(() => parseCameraFile('w.json', JSON.stringify({ fx: 1, fy: 1, cx: 0, cy: 0, width: 640 }))).toThrow(/w\.json: image size must be two positive integers, got width 640, height undefined/);
    expect(() => parseCameraFile('neg.json', JSON.stringify({ fx: -1, fy: 1, cx: 0, cy: 0 }))).toThrow(/neg\.json: focal lengths must be positive/);
  });

  it('--intrinsics and --depth-scale flags', async () => {
    expect(parseIntrinsicsFlag('525,525,319.5,239.5')).toEqual({ fx: 525, fy: 525, cx: 319.5, cy: 239.5 });
    expect(parseIntrinsicsFlag('525,525,319.5,239.5,640,480')).toEqual({ fx: 525, fy: 525, cx: 319.5, cy: 239.5, width: 640, height: 480 });
    expect(() => parseIntrinsicsFlag('525,525,319.5')).toThrow(/--intrinsics: expected fx,fy,cx,cy/);
    await expect(cameraSpecFromFlags({ depthScale: 'mm' })).rejects.toThrow(/--depth-scale: expected depth units per metre/);
    await expect(cameraSpecFromFlags({ camera: '/nonexistent/cam.yaml' })).rejects.toThrow(/\/nonexistent\/cam\.yaml: camera file not found/);
    expect(await cameraSpecFromFlags({})).toBeUndefined();
  });

  it('--camera-preset: a known camera, typed intrinsics over it, one answer only; the dialog\'s names in its messages', async () => {
    const fr2 = await cameraSpecFromFlags({ cameraPreset: 'tum-fr2', depthScale: '5000' });
    expect(fr2).toEqual({ intrinsics: TUM_INTRINSICS.fr2, depthUnitsPerMetre: 5000, source: 'TUM RGB-D freiburg2 Kinect (tum-fr2)' });
    const over = cameraSpecOf({ preset: '7scenes', intrinsics: '580,581,320,240' });
    expect(over).toEqual({ intrinsics: { fx: 580, fy: 581, cx: 320, cy: 240 }, source: '--intrinsics (over Microsoft 7-Scenes Kinect (7scenes))' });
    await expect(cameraSpecFromFlags({ cameraPreset: 'kinect2' })).rejects.toThrow(/^--camera-preset: unknown camera "kinect2"; known: tum-fr1, tum-fr2, .*icl-nuim$/);
    const file = parseCameraFile('cam.yaml', ROS_YAML);
    expect(() => cameraSpecOf({ calibration: file, preset: 'tum-fr1' })).toThrow(/--camera-preset: a named camera and a calibration file are two answers to one question: give one \(cam\.yaml\)/);
    const names = { preset: 'Camera', intrinsics: 'Intrinsics', depthScale: 'Depth scale', typedIntrinsics: 'the typed intrinsics' };
    expect(() => cameraSpecOf({ intrinsics: '1,2' }, names)).toThrow(/^Intrinsics: expected fx,fy,cx,cy/);
    expect(() => cameraSpecOf({ depthScale: '' }, names)).toThrow(/^Depth scale: expected depth units per metre .*got ""$/);
    expect(cameraSpecOf({ intrinsics: '1,2,3,4' }, names)?.source).toBe('the typed intrinsics');
  });
});

describe('a TUM-layout folder from another camera', () => {
  let root: string;
  beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'semslam-camera-')); });
  afterAll(async () => { await rm(root, { recursive: true, force: true }); });

  /** rgb.txt/depth.txt with millimetre depth PNGs, as many RGB-D recorders write them; no semslam.json. */
  async function foreignTumFolder(): Promise<string> {
    const dir = join(root, 'realsense_desk');
    const K = { width: 32, height: 24, fx: 30, fy: 30, cx: 15.5, cy: 11.5 };
    const w = await createSequenceWriter('tum', dir, { intrinsics: K });
    const depth = new Float32Array(32 * 24).fill(0.3); // written as 0.3 × 5000 = 1500: "1500 mm" to a millimetre camera
    await w.write({ index: 0, timestamp: 1, width: 32, height: 24, rgb: new Uint8Array(32 * 24 * 3), depth, intrinsics: K });
    await w.close();
    await rm(join(dir, 'semslam.json'));
    // A millimetre PNG in place of the 1/5000 one: 1500 → 1.5 m at 1000 units per metre.
    await writeFile(join(dir, 'depth', '1.000000.png'), encodePngRaster({ width: 32, height: 24, channels: 1, data: new Uint16Array(32 * 24).fill(1500) }));
    return dir;
  }

  it('gets freiburg1 with a warning by default; --camera and --depth-scale give the right camera and metres', async () => {
    const dir = await foreignTumFolder();
    const plain = await openSequence(dir);
    expect(plain.info.warnings!.join('\n')).toMatch(/fr1 intrinsics assumed/);
    expect((await plain.read(0)).depth[0]).toBeCloseTo(0.3, 6);

    const camFile = join(root, 'cam.yaml');
    await writeFile(camFile, ROS_YAML);
    const spec = await cameraSpecFromFlags({ camera: camFile, depthScale: '1000' });
    const r = await openSequence(dir, spec ? { camera: spec } : {});
    // Calibrated at 640×480, images 32×24: rescaled, and said so; the fr1 warnings are gone.
    const w = r.info.warnings!.join('\n');
    expect(w).not.toMatch(/fr1/);
    expect(w).toMatch(/cam\.yaml: calibrated at 640×480, images are 32×24; intrinsics rescaled/);
    expect(r.info.intrinsics.fx).toBeCloseTo(615.2 / 20, 9);
    expect(r.info.intrinsics.cx).toBeCloseTo((320.1 + 0.5) / 20 - 0.5, 9);
    const f = await r.read(0);
    expect(f.depth[0]).toBe(1.5);
    expect(f.intrinsics).toEqual(r.info.intrinsics);
    const frames = [];
    for await (const g of r.frames()) frames.push(g);
    expect(frames[0].depth[5]).toBe(1.5);
  });

  it('--depth-scale on NYU raw disparity is refused with the reason', async () => {
    const nyu = join(root, 'nyu');
    const K = { width: 16, height: 12, fx: 15, fy: 15, cx: 7.5, cy: 5.5 };
    const w = await createSequenceWriter('nyu', nyu, { intrinsics: K });
    await w.write({ index: 0, timestamp: 1, width: 16, height: 12, rgb: new Uint8Array(16 * 12 * 3), depth: new Float32Array(16 * 12).fill(2), intrinsics: K });
    await w.close();
    await expect(openSequence(nyu, { camera: { depthUnitsPerMetre: 1000, source: '--depth-scale' } })).rejects.toThrow(/--depth-scale does not apply to nyu-raw sequences/);
  });
});
