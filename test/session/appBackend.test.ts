import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppBackend } from '../../main/contract/backend.js';
import { invokeBackend } from '../../main/contract/backend.js';
import type { AppEvent, RequestChannel } from '../../main/contract/channels.js';
import { decodeMapDelta } from '../../main/contract/mapDelta.js';
import { decodePcd } from '../../main/export/pcd.js';
import { createAppBackend } from '../../main/session/appBackend.js';

let dir: string;
let backend: AppBackend;
const events: AppEvent[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'semslam-backend-'));
  events.length = 0;
  backend = await createAppBackend({ database: join(dir, 'sessions.db'), session: { modelFile: join(dir, 'absent.onnx') } });
  backend.onEvent((e) => events.push(e));
});
afterEach(async () => {
  await backend.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Through the same door as Electron and web mode: validated requests, validated responses, Result values. */
async function call(channel: RequestChannel, payload: unknown = {}): Promise<Record<string, unknown>> {
  const r = await invokeBackend(backend, channel, payload);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as Record<string, unknown>;
}

const packets = () => events.filter((e) => e.channel === 'mapDelta').map((e) => {
  const d = decodeMapDelta((e.payload as { packet: Uint8Array }).packet);
  if (!d.ok) throw new Error(d.message);
  return d.value;
});

describe('AppBackend (session runner)', () => {
  it('replays the demo, steps, exports, lists, opens, renames and deletes sessions', async () => {
    expect(await call('listSessions')).toEqual({ sessions: [] });
    const started = await call('startReplay', { source: 'demo', mode: 'rgbd', realtime: false, paused: true });
    expect(started.playback).toMatchObject({ state: 'paused', frame: -1, frames: 200, mode: 'rgbd' });
    const id = (started.session as { id: string }).id;
    // No model here: the fallback to simulated labels is said, not silent.
    expect(events.some((e) => e.channel === 'error' && !e.payload.fatal && /simulated CNN labels/.test(e.payload.message))).toBe(true);
    expect(events.some((e) => e.channel === 'sessions')).toBe(true);

    expect(await call('step', { frames: 2 })).toMatchObject({ state: 'paused', frame: 1 });
    expect(events.filter((e) => e.channel === 'frameStats').length).toBe(2);
    expect(events.some((e) => e.channel === 'preview' && e.payload.kind === 'segmentation')).toBe(true);
    const live = packets();
    expect(live[0].reset).toBe(true);
    const map = decodeMapDelta((await call('getMap')).packet as Uint8Array);
    expect(map.ok && map.value.count > 1000 && map.value.reset).toBe(true);
    const total = map.ok ? map.value.count : 0;

    const out = join(dir, 'live.pcd');
    const exported = await call('exportMap', { format: 'pcd', path: out });
    expect(exported).toMatchObject({ path: out, surfels: total });
    expect(decodePcd(readFileSync(out)).points).toBe(total);

    // Opening the session stops the replay (persisting its map) and shows the stored map.
    events.length = 0;
    const opened = await call('openSession', { id });
    expect(opened.session).toMatchObject({ id, frames: 2, surfels: total, mode: 'rgbd' });
    expect(packets()).toMatchObject([{ reset: true, count: total }]);
    expect(events.find((e) => e.channel === 'trajectory')?.payload).toMatchObject({ from: 0 });
    expect(await call('getPlayback')).toMatchObject({ state: 'finished', sessionId: id, frame: 1 });
    const ply = await call('exportMap', { format: 'ply', path: join(dir, 'stored.ply') });
    expect(ply.surfels).toBe(total);

    const listed = (await call('listSessions')).sessions as { id: string; frames: number }[];
    expect(listed).toMatchObject([{ id, frames: 2, surfels: total }]);
    expect((await call('renameSession', { id, name: 'living room' })).session).toMatchObject({ name: 'living room' });
    expect(await call('deleteSession', { id })).toEqual({ deleted: true });
    expect(await call('listSessions')).toEqual({ sessions: [] });
  });

  it('expected failures come back as Result values with plain words', async () => {
    const rgb = await invokeBackend(backend, 'startReplay', { source: 'demo', mode: 'rgb', realtime: false });
    expect(rgb).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(!rgb.ok && rgb.error.message).toMatch(/RGB-only mode needs the joint network/);
    expect(await invokeBackend(backend, 'startReplay', { source: join(dir, 'nowhere'), mode: 'rgbd', realtime: false }))
      .toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeBackend(backend, 'startCamera', { mode: 'rgbd' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await invokeBackend(backend, 'play', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeBackend(backend, 'exportMap', { format: 'ply' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeBackend(backend, 'openSession', { id: '7' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call('getPlayback')).toMatchObject({ state: 'idle' });
  });
});
