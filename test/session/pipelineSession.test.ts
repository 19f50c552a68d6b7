import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../main/contract/channels.js';
import { decodeMapDelta } from '../../main/contract/mapDelta.js';
import { InputError } from '../../main/errors.js';
import { PipelineSession } from '../../main/session/pipelineSession.js';
import { SessionStore } from '../../main/store/sessionStore.js';

const SEVEN_SCENES = resolve('../shared/data/real/7scenes-redkitchen-150-199');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'semslam-ps-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('PipelineSession (worker thread)', () => {
  it('runs the pipeline in a worker: step, map packet, snapshot, play to the end, persisted', async () => {
    const db = join(dir, 's.db');
    const s = await PipelineSession.start({
      source: SEVEN_SCENES, mode: 'rgbd', downscale: 4, maxFrames: 5, paused: true, database: db, modelFile: join(dir, 'x.onnx'),
    });
    const events: AppEvent[] = [];
    s.onEvent((e) => events.push(e));
    expect(s.info.sessionId).not.toBeNull();
    expect(s.info.intrinsics.width).toBe(160);
    // The main thread stays free while the worker maps: this timer keeps ticking during step().
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 5);
    const state = await s.step(3);
    clearInterval(timer);
    expect(state).toMatchObject({ state: 'paused', frame: 2, sessionId: String(s.info.sessionId) });
    expect(ticks).toBeGreaterThan(0);
    expect(events.filter((e) => e.channel === 'frameStats').length).toBe(3);
    const packet = decodeMapDelta(await s.mapPacket());
    expect(packet.ok && packet.value.reset && packet.value.count > 1000).toBe(true);
    const snap = (await s.snapshot())!;
    expect(packet.ok && snap.count === packet.value.count).toBe(true);
    expect(snap.positions.length).toBe(3 * snap.count);
    await s.play();
    const result = await s.finished;
    expect(result).toMatchObject({ status: 'finished', processed: 5, lost: 0 });
    expect(result.timings.fps).toBeGreaterThan(0);
    expect(events.some((e) => e.channel === 'playback' && e.payload.state === 'finished')).toBe(true);
    expect(await s.stop()).toEqual(result);
    const store = SessionStore.open(db, { access: 'readonly' });
    expect(store.frames(Number(s.info.sessionId)).length).toBe(5);
    expect(store.loadLatestMap(Number(s.info.sessionId))!.map.count).toBe(result.surfels);
    store.close();
  });

  it('start() rejects with an InputError naming the bad source', async () => {
    const missing = join(dir, 'nowhere');
    const err = await PipelineSession.start({ source: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe(missing);
  });

  it('rgb mode without the model fails clearly', async () => {
    const model = join(dir, 'missing.onnx');
    const err = await PipelineSession.start({ source: SEVEN_SCENES, mode: 'rgb', modelFile: model }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/missing\.onnx: model file not found: rgb mode needs the joint network/);
  });
});
