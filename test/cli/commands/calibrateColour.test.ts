import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REAL = resolve(process.cwd(), '../shared/data/real');
const BIN = resolve(process.cwd(), 'bin/semslam.js');

describe('semslam calibrate-colour', () => {
  it('finds the 7-Scenes colour camera from the recording alone: a focal ~10 % under the depth camera\'s', () => {
    const dir = join(REAL, '7scenes-redkitchen-0-499');
    expect(existsSync(dir), `${dir}: the real 7-Scenes data is missing (../shared/data/real next to the repository)`).toBe(true);
    const r = spawnSync(process.execPath, [BIN, 'calibrate-colour', dir, '--frames', '120', '--pairs', '8', '--json', '--no-progress'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    // Ground-truth poses put it at 530 px (main/sources/README.md); the depth camera is 585.
    expect(doc.colourCamera.fx).toBeGreaterThan(505);
    expect(doc.colourCamera.fx).toBeLessThan(550);
    expect(doc.cost).toBeLessThan(0.85 * doc.costRegistered);
    expect(doc.flag).toMatch(/^--colour-camera [\d.]+,[\d.]+,[\d.]+,[\d.]+,-?[\d.]+,-?[\d.]+,0$/);
  }, 120_000);

  it('refuses what it cannot calibrate, naming the file or the flag', () => {
    const one = spawnSync(process.execPath, [BIN, 'calibrate-colour', join(REAL, 'tum-single')], { encoding: 'utf8' });
    expect(one.status).toBe(2);
    expect(one.stderr).toMatch(/tum-single: has 1 frame; calibration needs more than 9/);
    const few = spawnSync(process.execPath, [BIN, 'calibrate-colour', join(REAL, '7scenes-redkitchen-150-199'), '--frames', '5'], { encoding: 'utf8' });
    expect(few.status).toBe(2);
    expect(few.stderr).toMatch(/--frames: 5 frames leave no pair 8 frames apart/);
  });
});
