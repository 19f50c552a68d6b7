import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { mapSequence } from '../../main/pipeline/mapSequence.js';
import { openMapInput } from '../../main/pipeline/openInput.js';
import { readPly } from '../../main/export/ply.js';
import { readFile } from 'node:fs/promises';
import { parseTumTrajectory } from '../../main/sources/trajectoryText.js';
import { ateRmse } from '../../fusion/metrics/trajectory.js';

const SEVEN_SCENES = resolve(process.cwd(), '../shared/data/real/7scenes-redkitchen-150-199');
const run = promisify(execFile);

describe('mapSequence on real 7-Scenes frames', () => {
  it('tracks 20 frames at 160×120 on depth with ATE under 1 cm and no failures', async () => {
    const reader = await openMapInput(SEVEN_SCENES);
    const { summary, trajectory } = await mapSequence(reader, {
      maxFrames: 20, size: { width: 160, height: 120 }, fusion: { trackingMethod: 'pointToPlane' },
    });
    expect(summary.frames).toBe(20);
    expect(trajectory).toHaveLength(20);
    expect(summary.width).toBe(160);
    expect(summary.trackingFailures).toBe(0);
    // Measured ≈ 0.3 cm. The camera moves 8.4 cm over these frames: a frozen tracker would score the spread of the
    // ground-truth positions about their mean, ≈ 8.4/√12 ≈ 2.4 cm.
    expect(summary.ateRmseM).toBeLessThan(0.01);
    expect(summary.rpe?.perFrame.pairs).toBe(19);
    expect(summary.surfels).toBeGreaterThan(1000);
    expect(summary.msPerFrame.p95).toBeGreaterThanOrEqual(summary.msPerFrame.p50);
    expect(summary.labels).toBeUndefined();
  });
});

describe('semslam map --out-trajectory', () => {
  it('writes the estimated trajectory in TUM format: every frame, its timestamp, and the poses the ATE was scored on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semslam-traj-'));
    try {
      const out = join(dir, 'estimate.txt');
      const { stdout } = await run(process.execPath, [
        'bin/semslam.js', 'map', SEVEN_SCENES, '--size', '160x120', '--max-frames', '12', '--depth-weight-only',
        '--json', '--no-progress', '--out-trajectory', out,
      ], { cwd: process.cwd(), maxBuffer: 1 << 20 });
      const s = JSON.parse(stdout);
      expect(s.outTrajectory).toBe(out);
      const text = await readFile(out, 'utf8');
      expect(text.split('\n')[0]).toMatch(/^# semslam map /);
      const poses = parseTumTrajectory(out, text);
      expect(poses).toHaveLength(12);
      const reader = await openMapInput(SEVEN_SCENES);
      const gt = [];
      for (let i = 0; i < 12; i++) {
        const f = await reader.read(i);
        expect(poses[i].timestamp).toBeCloseTo(f.timestamp, 6);
        gt.push(f.groundTruthPose!);
      }
      await reader.close?.();
      // The written poses (9 decimals) score the ATE the run reported.
      expect(ateRmse(poses.map((p) => p.T_world_camera), gt).rmse).toBeCloseTo(s.ateRmseM, 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mapSequence on the synthetic world', () => {
  it('tracked: 24 frames at 240×180 stay within 10 cm ATE', async () => {
    const reader = await openMapInput('synth:seed=1,frames=24,size=240x180');
    const { summary } = await mapSequence(reader, { labels: 'none' });
    expect(summary.frames).toBe(24);
    // Measured ≈ 4 cm.
    expect(summary.ateRmseM).toBeLessThan(0.1);
  });

  it('CLI: fused gt-noisy labels beat the single-frame labels, JSON on stdout, PLY written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semslam-map-'));
    try {
      const ply = join(dir, 'map.ply');
      const { stdout } = await run(process.execPath, [
        'bin/semslam.js', 'map', 'synth:seed=1,frames=24,size=160x120', '--labels', 'gt-noisy', '--gt-poses',
        '--json', '--no-progress', '--out-ply', ply,
      ], { cwd: process.cwd(), maxBuffer: 1 << 20 });
      const s = JSON.parse(stdout);
      expect(s.frames).toBe(24);
      // Single-frame labels are the simulator's (≈ 67 %); fusing 24 views lifts them (measured ≈ 86 %).
      expect(s.labels.singleFramePixelAcc).toBeGreaterThan(0.55);
      expect(s.labels.singleFramePixelAcc).toBeLessThan(0.75);
      expect(s.labels.fusedPixelAcc).toBeGreaterThan(s.labels.singleFramePixelAcc + 0.1);
      expect(s.labels.fusedMIoU).toBeGreaterThan(s.labels.singleFrameMIoU);
      expect(s.labels.fusedCoverage).toBeGreaterThan(0.9);
      const map = await readPly(ply);
      expect(map.count).toBe(s.surfels);
      let labelled = 0;
      for (let i = 0; i < map.count; i++) if (map.labels[i] > 0) labelled++;
      expect(labelled / map.count).toBeGreaterThan(0.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses labels on a sequence that has none, naming the folder', async () => {
    const reader = await openMapInput(SEVEN_SCENES);
    await expect(mapSequence(reader, { labels: 'gt-noisy', maxFrames: 1 })).rejects.toThrow(/7scenes-redkitchen-150-199: has no ground-truth labels/);
  });
});
