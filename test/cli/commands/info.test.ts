import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { summariseSequence } from '../../../main/sources/sequenceSummary.js';

const REAL = resolve(process.cwd(), '../shared/data/real');

// Expected per folder: format, frame count, and a plausible first-frame depth range (metres) for an
// indoor Kinect-class sensor; max figures checked against PIL reads of the same files.
const CASES = [
  { dir: 'nyu-raw-single', format: 'single-pair', frames: 1, minValid: 0.7, range: [0.7, 10] },
  { dir: 'tum-single', format: 'single-pair', frames: 1, minValid: 0.7, range: [0.4, 10] },
  { dir: 'redwood-5', format: 'redwood', frames: 5, minValid: 0.8, range: [0.3, 5] },
  { dir: 'icl-nuim-5', format: 'icl-nuim', frames: 5, minValid: 0.99, range: [1, 5] },
  { dir: '7scenes-redkitchen-150-199', format: '7scenes', frames: 50, minValid: 0.8, range: [0.4, 5] },
] as const;

describe('semslam info', () => {
  it.each(CASES)('summarises $dir', async (c) => {
    const s = await summariseSequence(join(REAL, c.dir));
    expect(s.format).toBe(c.format);
    expect(s.frames).toBe(c.frames);
    expect([s.width, s.height]).toEqual([640, 480]);
    expect(s.intrinsics.fx).toBeGreaterThan(400);
    expect(s.intrinsics.fx).toBeLessThan(600);
    expect(s.depthValidFraction).toBeGreaterThan(c.minValid);
    expect(s.depthValidFraction).toBeLessThanOrEqual(1);
    expect(s.depthMinM!).toBeGreaterThanOrEqual(c.range[0]);
    expect(s.depthMaxM!).toBeLessThanOrEqual(c.range[1]);
    expect(s.depthMaxM!).toBeGreaterThan(s.depthMinM!);
    expect(s.hasGroundTruth).toBe(['redwood', 'icl-nuim', '7scenes'].includes(c.format));
  });

  it('runs as a CLI: --json prints one JSON document, text mode a table, bad input exits 2 naming the path', () => {
    const bin = resolve(process.cwd(), 'bin/semslam.js');
    const json = spawnSync(process.execPath, [bin, 'info', join(REAL, '7scenes-redkitchen-150-199'), '--json'], { encoding: 'utf8' });
    expect(json.status, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ format: '7scenes', frames: 50, width: 640, height: 480, hasGroundTruth: true, intrinsics: { fx: 585, fy: 585, cx: 320, cy: 240 } });
    expect(doc.depthMaxM).toBeCloseTo(2.857, 6); // PIL: max 2857 mm in frame-000150.depth.png
    const text = spawnSync(process.execPath, [bin, 'info', join(REAL, 'tum-single')], { encoding: 'utf8' });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/format\s+single-pair/);
    expect(text.stdout).toMatch(/depth valid 80\.8%/); // PIL: 80.81 % of TUM_depth.png is non-zero
    const bad = spawnSync(process.execPath, [bin, 'info', join(REAL, 'kitti-single')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`semslam: error: ${join(REAL, 'kitti-single')}: unrecognised sequence folder`);
    expect(bad.stdout).toBe('');
  });
});
