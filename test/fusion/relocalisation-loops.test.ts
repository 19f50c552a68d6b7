import { describe, expect, it } from 'vitest';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import type { Mat4 } from '../../fusion/pose.js';
import { ateRmse } from '../../fusion/metrics/trajectory.js';
import { DEFAULT_BOX_SCENE, renderBoxScene } from './helpers/box-scene.js';
import { checkAt, K, mapAway, offset, pan } from './helpers/loop-scene.js';
import { poseErrorMmDeg } from './helpers/pose-expect.js';

describe('failure detection and relocalisation on a generated box room', () => {
  it('a covered camera is lost at once and not fused; on return far from the last pose it is relocalised by ferns', () => {
    const fusion = new SurfelFusion(K, { trackingMethod: 'hybrid' });
    // A still start (its surfels become stable: only those are trusted to relocalise against), then a turn.
    const before = [...pan(12, -1.2, -1.2), ...pan(12, -1.2, 1.0)];
    // After the cover: back near the start (the first keyframe's view), ~40° from the last tracked pose.
    const after = pan(8, -1.15, -0.9, [0.02, 0, -1.38]);
    const est: Mat4[] = [], gt: Mat4[] = [];
    const statuses: string[] = [];
    for (const [i, T] of before.entries()) {
      const f = renderBoxScene(DEFAULT_BOX_SCENE, T, K);
      const r = fusion.processFrame({ rgb: f.rgb, depth: f.depth, timestamp: i / 30, T_world_camera_hint: i === 0 ? T : undefined });
      statuses.push(r.status); est.push(r.T_world_camera); gt.push(T);
    }
    const surfelsBefore = fusion.surfelCount;
    for (let i = 0; i < 5; i++) {
      const r = fusion.processFrame({ rgb: new Uint8Array(3 * K.width * K.height), depth: new Float32Array(K.width * K.height), timestamp: 1 });
      statuses.push(r.status);
      expect(r.status).toBe('lost');
      expect(r.fused).toBe(false);
      expect(r.statusReason).toMatch(/valid depth/);
    }
    expect(fusion.surfelCount).toBe(surfelsBefore);
    const last = est[est.length - 1];
    expect(poseErrorMmDeg(last, after[0]).deg).toBeGreaterThan(30);
    for (const [i, T] of after.entries()) {
      const f = renderBoxScene(DEFAULT_BOX_SCENE, T, K);
      const r = fusion.processFrame({ rgb: f.rgb, depth: f.depth, timestamp: 2 + i / 30 });
      statuses.push(r.status);
      if (i === 0) {
        expect(r.status).toBe('relocalised');
        expect(r.fused).toBe(true);
      } else expect(r.status).toBe('ok');
      est.push(r.T_world_camera); gt.push(T);
    }
    expect(fusion.counts).toMatchObject({ lost: 5, relocalised: 1 });
    expect(ateRmse(est, gt).rmse).toBeLessThan(0.003);
  }, 60_000);
});

describe('loop closure with a map correction (pose graph, surfels anchored to its nodes)', () => {
  it('local loop: back at the start with 3 cm / 1° of drift, registration against the inactive map corrects pose and map', () => {
    const { fusion, start } = mapAway();
    const loops = fusion.loops!;
    const nodes = loops.graph.size;
    expect(nodes).toBeGreaterThan(8);
    // Surfels anchored to the first node (the start) and to the last (the recent, "drifted" part).
    const m = fusion.map;
    const firstSlot = m.anchor.findIndex((a, s) => a === 0 && m.alive[s] === 1);
    const lastSlot = m.anchor.findIndex((a, s) => a === nodes - 1 && m.alive[s] === 1);
    expect(firstSlot).toBeGreaterThanOrEqual(0);
    expect(lastSlot).toBeGreaterThanOrEqual(0);
    const p0 = Array.from(m.position.subarray(3 * firstSlot, 3 * firstSlot + 3));
    const p1 = Array.from(m.position.subarray(3 * lastSlot, 3 * lastSlot + 3));
    const truth = start;
    const { event, T } = checkAt(fusion, truth, offset(truth, [0.025, -0.01, 0.015, 0.01, -0.012, 0.008]));
    expect(event).not.toBeNull();
    expect(event!.kind).toBe('local');
    expect(event!.correctionM).toBeGreaterThan(0.025);
    expect(event!.surfelsMoved).toBeGreaterThan(0);
    // Measured 8 mm / 0.1° left of 31 mm / 1.1°: registering against the splatted inactive render at 160×120 is
    // less precise than tracking (the global loop below, registered from the keyframe's pose, lands within 3 mm).
    const e = poseErrorMmDeg(T, truth);
    expect(e.mm).toBeLessThan(10);
    expect(e.deg).toBeLessThan(0.3);
    expect(loops.graph.edges.filter((x) => x.kind === 'loop').length).toBe(1);
    // The old part of the map stays; the part anchored to the current node moved with the correction.
    expect(Array.from(m.position.subarray(3 * firstSlot, 3 * firstSlot + 3))).toEqual(p0);
    const moved = Math.hypot(...p1.map((v, k) => m.position[3 * lastSlot + k] - v));
    expect(moved).toBeGreaterThan(0.01);
    expect(fusion.loopClosures.length).toBe(1);
  }, 60_000);

  it('global loop: drift beyond ICP\'s reach (30 cm, 12°) is closed from the most similar old keyframe found by the ferns', () => {
    const { fusion, start } = mapAway();
    const truth = start;
    const { event, T } = checkAt(fusion, truth, offset(truth, [0.25, 0.05, -0.15, 0.05, 0.2, 0.03]));
    expect(event).not.toBeNull();
    // The staged loop registration (loop-registration.ts) reaches this far from the tracked pose too; whichever
    // path closes it must land as precisely as that path does: measured local (staged, refined from a second render)
    // 5.1 mm, global (registered from the keyframe's pose) 3 mm — the splatted inactive render at 160×120.
    expect(['local', 'global']).toContain(event!.kind);
    const e = poseErrorMmDeg(T, truth);
    expect(e.mm).toBeLessThan(event!.kind === 'local' ? 6 : 3);
    expect(e.deg).toBeLessThan(0.2);
  }, 60_000);

  it('no loop where nothing old is in view or the pose already agrees', () => {
    const { fusion, start } = mapAway();
    const truth = start;
    expect(checkAt(fusion, truth, truth).event).toBeNull();
    expect(fusion.loops!.graph.edges.filter((x) => x.kind === 'loop').length).toBe(0);
  }, 60_000);
});
