import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppBackend } from '../../main/contract/backend.js';
import { invokeBackend } from '../../main/contract/backend.js';
import type { AppEvent, RequestChannel, RequestOf, ResponseOf, Result } from '../../main/contract/channels.js';
import { decodeMapDelta } from '../../main/contract/mapDelta.js';
import { decodePcd } from '../../main/export/pcd.js';
import { createAppBackend } from '../../main/session/appBackend.js';
import { openSequence } from '../../main/sources/open.js';
import { createSyntheticSequence } from '../../main/synth/sequence.js';
import { pythonFixtures } from '../perception/helpers.js';

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
    const rgbd = await invokeBackend(backend, 'startCamera', { mode: 'rgbd', width: 320, height: 240 });
    expect(rgbd).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(!rgbd.ok && rgbd.error.message).toMatch(/no depth: live mapping runs in RGB mode/);
    // The panel's calibration file is read by the shared camera-file parser: its errors name the file.
    const badCalibration = await invokeBackend(backend, 'startCamera', { mode: 'rgb', width: 320, height: 240, calibration: { name: 'cam.yaml', text: 'image_width: 640\nimage_height: 480\n' } });
    expect(badCalibration).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/^cam\.yaml: no camera matrix/) } });
    const noModel = await invokeBackend(backend, 'startCamera', { mode: 'rgb', width: 320, height: 240 });
    expect(noModel).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(!noModel.ok && noModel.error.message).toMatch(/Live camera mapping needs the joint network/);
    expect(await invokeBackend(backend, 'cameraFrame', { timestamp: 1, width: 32, height: 32, rgb: new Uint8Array(32 * 32 * 3) }))
      .toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeBackend(backend, 'cameraFrame', { timestamp: 1, width: 32, height: 32, rgb: new Uint8Array(5) }))
      .toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/rgb must hold width × height × 3 bytes/) } });
    expect(await invokeBackend(backend, 'stopCamera', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeBackend(backend, 'play', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeBackend(backend, 'exportMap', { format: 'ply' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await invokeBackend(backend, 'openSession', { id: '7' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call('getPlayback')).toMatchObject({ state: 'idle' });
  });
});

describe('AppBackend live camera', () => {
  let camDir: string;
  let cam: AppBackend;
  const ask = <C extends RequestChannel>(channel: C, payload: RequestOf<C>) => invokeBackend(cam, channel, payload) as Promise<Result<ResponseOf<C>>>;
  beforeAll(async () => {
    camDir = mkdtempSync(join(tmpdir(), 'semslam-camera-'));
    const model = join(await pythonFixtures('make_graph_fixtures.py'), 'joint-scaled.onnx');
    cam = await createAppBackend({ database: join(camDir, 'sessions.db'), session: { modelFile: model }, recordingDir: join(camDir, 'rec') });
  }, 400_000);
  afterAll(async () => {
    await cam?.dispose();
    rmSync(camDir, { recursive: true, force: true });
  });

  it('maps pushed images in rgb mode, drops stale ones, records them as TUM, and saves the session', async () => {
    const seen: AppEvent[] = [];
    cam.onEvent((e) => seen.push(e));
    const started = await ask('startCamera', { device: 'Test Cam', mode: 'rgb', width: 64, height: 48, fovDeg: 60, record: true });
    if (!started.ok) throw new Error(started.error.message);
    const { session, playback, recording } = started.value;
    expect(session.name).toMatch(/^camera Test Cam /);
    expect(playback).toMatchObject({ state: 'playing', frames: 0, mode: 'rgb' });
    expect(recording).toMatch(/rec\/Test_Cam-/);
    // Another session's requests are refused while a camera runs: a replay-only command says so.
    expect(await ask('seek', { frame: 3 })).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/cannot seek/) } });

    const sequence = createSyntheticSequence({ seed: 4, frames: 8, width: 64, height: 48 });
    let last = { received: 0, dropped: 0 };
    for await (const f of sequence.frames()) {
      const r = await ask('cameraFrame', { timestamp: 100 + f.timestamp, width: 64, height: 48, rgb: f.rgb });
      if (!r.ok) throw new Error(r.error.message);
      last = r.value;
      // Paced like a camera, slower than this small pipeline: some frames are mapped while others arrive.
      await new Promise((res) => setTimeout(res, 40));
    }
    expect(last.received).toBe(8);
    const wrong = await ask('cameraFrame', { timestamp: 200, width: 32, height: 32, rgb: new Uint8Array(32 * 32 * 3) });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/Test Cam: image is 32×32/) } });
    await expect.poll(() => seen.filter((e) => e.channel === 'frameStats').length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);

    const stopped = await ask('stopCamera', {});
    if (!stopped.ok) throw new Error(stopped.error.message);
    const processed = seen.filter((e) => e.channel === 'frameStats').length;
    expect(stopped.value.session.frames).toBe(processed);
    expect(processed + last.dropped).toBeLessThanOrEqual(8);
    expect(stopped.value.session.surfels).toBeGreaterThan(0);
    expect(stopped.value.recording).toBe(recording);
    const reader = await openSequence(recording!);
    expect(reader.info.frames).toBe(processed);
    expect(reader.info.intrinsics.fx).toBeCloseTo(32 / Math.tan(Math.PI / 6), 3);
    // The recording's depth is the network's (rgb mode), so it replays in rgbd mode as it was mapped.
    const first = await reader.read(0);
    expect(first.depth.some((d) => d > 0)).toBe(true);
    expect(await ask('cameraFrame', { timestamp: 300, width: 64, height: 48, rgb: new Uint8Array(64 * 48 * 3) }))
      .toMatchObject({ ok: false, error: { code: 'not-found' } });
    const listed = await ask('listSessions', {});
    expect(listed.ok && listed.value.sessions.map((x) => x.source)).toEqual(['camera']);
  });

  it('a ROS camera_info YAML from the camera panel sets the intrinsics, rescaled to the capture size with a notice', async () => {
    const seen: AppEvent[] = [];
    const off = cam.onEvent((e) => seen.push(e));
    const yaml = 'image_width: 640\nimage_height: 480\ncamera_matrix:\n  rows: 3\n  cols: 3\n  data: [500, 0, 319.5, 0, 480, 239.5, 0, 0, 1]\n';
    const started = await ask('startCamera', { device: 'Calibrated Cam', mode: 'rgb', width: 64, height: 48, calibration: { name: 'webcam.yaml', text: yaml } });
    if (!started.ok) throw new Error(started.error.message);
    const sequence = createSyntheticSequence({ seed: 5, frames: 3, width: 64, height: 48 });
    for await (const f of sequence.frames()) {
      const r = await ask('cameraFrame', { timestamp: 500 + f.timestamp, width: 64, height: 48, rgb: f.rgb });
      if (!r.ok) throw new Error(r.error.message);
      await new Promise((res) => setTimeout(res, 40));
    }
    await expect.poll(() => seen.some((e) => e.channel === 'trajectory'), { timeout: 60_000 }).toBe(true);
    const trajectory = seen.find((e) => e.channel === 'trajectory')!;
    const k = (trajectory.payload as { intrinsics: { fx: number; fy: number; cx: number; cy: number } }).intrinsics;
    expect(k.fx).toBeCloseTo(50, 6);
    expect(k.fy).toBeCloseTo(48, 6);
    expect(k.cx).toBeCloseTo(31.5, 6);
    expect(k.cy).toBeCloseTo(23.5, 6);
    const notices = seen.filter((e) => e.channel === 'error').map((e) => (e.payload as { message: string }).message);
    expect(notices.join('\n')).toMatch(/webcam\.yaml: calibrated at 640×480, images are 64×48; intrinsics rescaled/);
    const stopped = await ask('stopCamera', {});
    if (!stopped.ok) throw new Error(stopped.error.message);
    off();
  });
});
