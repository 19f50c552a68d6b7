import { describe, expect, it } from 'vitest';
import { InputError } from '../../main/errors.js';
import { CameraEndedError, intrinsicsFromFov, LiveCameraReader } from '../../main/sources/liveCamera.js';

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
