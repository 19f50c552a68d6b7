import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import type { Mat4 } from '../../fusion/pose.js';
import { ateRmse } from '../../fusion/metrics/trajectory.js';
import { SevenScenesReader } from '../../main/sources/sevenScenes.js';

const DATA = resolve(process.cwd(), '../shared/data/real/7scenes-redkitchen-150-199');

describe('7-Scenes redkitchen 150–199 (real Kinect depth)', () => {
  it('tracks all 50 frames on depth with ATE ≤ 1.5 cm after Horn alignment', async () => {
    expect(existsSync(DATA)).toBe(true);
    const reader = await SevenScenesReader.open(DATA);
    expect(reader.info.intrinsics).toMatchObject({ fx: 585, fy: 585, cx: 320, cy: 240 });
    // RGB is not registered to depth in 7-Scenes: depth-only tracking.
    const fusion = new SurfelFusion(reader.info.intrinsics, { trackingMethod: 'pointToPlane' });
    const est: Mat4[] = [], gt: Mat4[] = [];
    let lost = 0;
    for await (const f of reader.frames()) {
      const r = fusion.processFrame({ rgb: f.rgb, depth: f.depth, timestamp: f.timestamp, T_world_camera_hint: f.index === 0 ? f.groundTruthPose : undefined });
      if (r.tracking.lost) lost++;
      est.push(r.T_world_camera);
      gt.push(f.groundTruthPose!);
    }
    expect(est.length).toBe(50);
    expect(lost).toBe(0);
    const ate = ateRmse(est, gt);
    expect(ate.rmse).toBeLessThan(0.015);
    // Without alignment too (the first pose is anchored to ground truth): drift stays small.
    let sq = 0;
    for (let i = 0; i < est.length; i++) sq += (est[i][12] - gt[i][12]) ** 2 + (est[i][13] - gt[i][13]) ** 2 + (est[i][14] - gt[i][14]) ** 2;
    expect(Math.sqrt(sq / est.length)).toBeLessThan(0.03);
    expect(fusion.surfelCount).toBeGreaterThan(100_000);
  }, 300_000); // 50 full-resolution frames; generous for a shared, loaded machine
});
