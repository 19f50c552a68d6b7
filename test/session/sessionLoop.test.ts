import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../main/contract/channels.js';
import { decodeMapDelta, MAP_DELTA_PART_RECORDS } from '../../main/contract/mapDelta.js';
import { SessionLoop } from '../../main/session/sessionLoop.js';
import { SessionStore } from '../../main/store/sessionStore.js';

const SEVEN_SCENES = resolve('../shared/data/real/7scenes-redkitchen-150-199');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'semslam-loop-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function collect(): { events: AppEvent[]; emit: (e: AppEvent) => void } {
  const events: AppEvent[] = [];
  return { events, emit: (e) => events.push(e) };
}

describe('SessionLoop on real 7-Scenes frames', () => {
  it('steps, plays to the end, persists frames and the map, and reports why it has no labels', async () => {
    const db = join(dir, 'sessions.db');
    const { events, emit } = collect();
    const loop = await SessionLoop.create({
      source: SEVEN_SCENES, mode: 'rgbd', downscale: 2, maxFrames: 6, database: db, paused: true,
      modelFile: join(dir, 'no-model.onnx'), name: 'kitchen',
    }, emit);
    expect(loop.info.labels).toBe('none');
    expect(events.some((e) => e.channel === 'error' && !e.payload.fatal && /no-model\.onnx not found/.test(e.payload.message))).toBe(true);
    expect(loop.playback()).toMatchObject({ state: 'paused', frame: -1, frames: 50 });

    const afterStep = await loop.step(2);
    expect(afterStep).toMatchObject({ state: 'paused', frame: 1 });
    const stats = events.filter((e) => e.channel === 'frameStats').map((e) => e.payload as { frame: number; tracking: string; stagesMs: Record<string, number>; surfels: number });
    expect(stats.map((s) => s.frame)).toEqual([0, 1]);
    expect(stats[0].tracking).toBe('initialising');
    expect(stats[1].tracking).toBe('ok');
    expect(stats[1].stagesMs.track).toBeGreaterThan(0);
    expect(stats[1].surfels).toBeGreaterThan(10000);
    // A step ends with a map update: the first one resets and carries the whole map, as packets of at most
    // MAP_DELTA_PART_RECORDS surfels, all but the last saying that more follow.
    const deltas = events.filter((e) => e.channel === 'mapDelta').map((e) => {
      const d = decodeMapDelta((e.payload as { packet: Uint8Array }).packet);
      if (!d.ok) throw new Error(d.message);
      return d.value;
    });
    expect(deltas.length).toBe(Math.ceil(stats[1].surfels / MAP_DELTA_PART_RECORDS));
    expect(deltas.map((d) => d.reset)).toEqual(deltas.map((_, i) => i === 0));
    expect(deltas.map((d) => d.more)).toEqual(deltas.map((_, i) => i < deltas.length - 1));
    expect(deltas.every((d) => d.count <= MAP_DELTA_PART_RECORDS)).toBe(true);
    expect(deltas.reduce((n, d) => n + d.count, 0)).toBe(stats[1].surfels);
    expect(events.some((e) => e.channel === 'preview' && e.payload.kind === 'depth')).toBe(true);

    loop.play();
    const result = await loop.finished;
    expect(result.status).toBe('finished');
    expect(result.processed).toBe(6);
    expect(result.lost).toBe(0);
    // Later deltas carry only changed surfels, never a reset.
    const later = events.filter((e) => e.channel === 'mapDelta').slice(deltas.length).map((e) => decodeMapDelta((e.payload as { packet: Uint8Array }).packet));
    expect(later.length).toBeGreaterThan(0);
    for (const d of later) expect(d.ok && !d.value.reset).toBe(true);
    // Tracking against ground truth: 7-Scenes poses are KinectFusion's, a few cm over 6 frames.
    const last = loop.processedFrames[5];
    const gt = last.groundTruthPose!;
    const err = Math.hypot(last.T_world_camera[12] - gt[12], last.T_world_camera[13] - gt[13], last.T_world_camera[14] - gt[14]);
    expect(err).toBeLessThan(0.05);

    const store = SessionStore.open(db, { access: 'readonly' });
    const [session] = store.list();
    expect(session).toMatchObject({ name: 'kitchen', status: 'finished', frameCount: 6, mode: 'rgbd' });
    expect(session.intrinsics.width).toBe(320);
    expect(session.config.labels).toBe('none');
    expect(session.timings!.frames).toBe(6);
    expect(session.timings!.meanMs.track).toBeGreaterThan(0);
    const frames = store.frames(session.id);
    expect(frames.map((f) => f.frameIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(frames[5].T_world_camera)).toEqual(Array.from(last.T_world_camera));
    const map = store.loadLatestMap(session.id)!;
    expect(map.info.frameIndex).toBe(5);
    expect(map.map.count).toBe(result.surfels);
    store.close();

    // After the end the user may seek back: the map restarts there and the session is running again.
    await loop.seek(3);
    await loop.step(1);
    const reopened = SessionStore.open(db, { access: 'readonly' });
    expect(reopened.get(session.id)!.status).toBe('running');
    reopened.close();
    const stopped = await loop.stop();
    expect(stopped.processed).toBe(7);
    const final = SessionStore.open(db, { access: 'readonly' });
    expect(final.get(session.id)!.status).toBe('paused');
    // Frame 3's row now holds its re-run (a fresh map: one frame's surfels).
    const rows = final.frames(session.id);
    expect(rows.map((f) => f.frameIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows[3].surfels).toBeLessThan(rows[2].surfels);
    expect(final.loadLatestMap(session.id)!.info.frameIndex).toBe(3);
    final.close();
    await expect(loop.seek(0)).rejects.toThrow(/stopped/);
  });

  it('seeking restarts the map at the target frame with a reset delta', async () => {
    const { events, emit } = collect();
    const loop = await SessionLoop.create({ source: SEVEN_SCENES, mode: 'rgbd', downscale: 4, paused: true, modelFile: join(dir, 'none.onnx') }, emit);
    await loop.step(2);
    await loop.seek(20);
    await loop.step(1);
    const frames = events.filter((e) => e.channel === 'frameStats').map((e) => e.payload as { frame: number; tracking: string });
    expect(frames.map((f) => [f.frame, f.tracking])).toEqual([[0, 'initialising'], [1, 'ok'], [20, 'initialising']]);
    const deltas = events.filter((e) => e.channel === 'mapDelta').map((e) => decodeMapDelta((e.payload as { packet: Uint8Array }).packet));
    expect(deltas.map((d) => d.ok && d.value.reset)).toEqual([true, true]);
    const traj = events.filter((e) => e.channel === 'trajectory').map((e) => e.payload as { from: number });
    expect(traj.map((t) => t.from)).toEqual([0, 1, 0]);
    const r = await loop.stop();
    expect(r.status).toBe('paused');
    expect(r.processed).toBe(3);
  });

  it('realtime pacing skips frames when the pipeline is slower than the sensor', async () => {
    const { emit } = collect();
    const loop = await SessionLoop.create({
      source: SEVEN_SCENES, mode: 'rgbd', downscale: 4, pacing: 'realtime', speed: 8, modelFile: join(dir, 'none.onnx'),
    }, emit);
    const r = await loop.finished;
    // 50 frames at 30 Hz × 8 = 0.2 s of "sensor time": far less than processing 50 frames takes.
    expect(r.status).toBe('finished');
    expect(r.skipped).toBeGreaterThan(0);
    expect(r.processed + r.skipped).toBe(50);
    await loop.stop();
  });
});
