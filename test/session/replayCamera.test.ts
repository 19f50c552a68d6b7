/**
 * The open dialog's camera through the backend (as Electron and web mode call it): bad fields are invalid
 * requests naming the field, checked before anything stops, so the replay on screen goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppBackend } from '../../main/contract/backend.js';
import { invokeBackend } from '../../main/contract/backend.js';
import type { PlaybackState } from '../../main/contract/channels.js';
import { createAppBackend } from '../../main/session/appBackend.js';

const SEVEN_SCENES = resolve('../shared/data/real/7scenes-redkitchen-150-199');

let dir: string;
let backend: AppBackend;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'semslam-replay-camera-'));
  backend = await createAppBackend({ database: join(dir, 'sessions.db'), session: { modelFile: join(dir, 'absent.onnx'), downscale: 4 } });
});
afterAll(async () => {
  await backend.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('startReplay with the open dialog\'s camera', () => {
  it('refuses bad fields with the field\'s name, and the running replay goes on', async () => {
    const started = await invokeBackend(backend, 'startReplay', { source: SEVEN_SCENES, mode: 'rgbd', realtime: false, paused: true, camera: { preset: '7scenes' } });
    if (!started.ok) throw new Error(started.error.message);
    const running = (started.value as { playback: PlaybackState }).playback;
    expect(running.state).toBe('paused');

    const refused = async (camera: unknown, source = SEVEN_SCENES): Promise<string> => {
      const r = await invokeBackend(backend, 'startReplay', { source, mode: 'rgbd', realtime: false, camera });
      if (r.ok) throw new Error('accepted');
      expect(r.error.code).toBe('invalid-request');
      return r.error.message;
    };
    expect(await refused({ intrinsics: '585, 585, 320' })).toBe('Intrinsics: expected fx,fy,cx,cy (pixels) or fx,fy,cx,cy,width,height, got "585, 585, 320"');
    expect(await refused({ depthScale: '-1' })).toBe('Depth scale: expected depth units per metre (1000 for millimetres, 5000 for TUM), got "-1"');
    expect(await refused({ calibration: { name: 'cam.json', text: '{"fx": 500, "fy": 500}' } })).toMatch(/^cam\.json: no camera matrix: .*missing cx, cy$/);
    expect(await refused({ calibration: { name: 'cam.json', text: '{"fx": 500' } })).toMatch(/^cam\.json: not valid JSON/);
    expect(await refused({ preset: 'tum-fr1', calibration: { name: 'cam.json', text: '{"fx": 5, "fy": 5, "cx": 1, "cy": 1}' } }))
      .toBe('Camera: a named camera and a calibration file are two answers to one question: give one (cam.json)');
    expect(await refused({ preset: 'kinect9' })).toMatch(/^startReplay: camera\.preset: /);
    expect(await refused({ fx: 500 })).toMatch(/^startReplay: camera: /);
    expect(await refused({ intrinsics: '500, 500, 80, 60' }, 'demo')).toMatch(/^The demo scene has its own camera/);
    expect(await refused({ colourCamera: '525, 525, 320, 235, -0.03, 0, 0' }, 'demo')).toMatch(/^The demo scene has its own camera/);
    expect(await refused({ colourCamera: '525, 525, 320' }))
      .toBe('Colour camera: expected seven numbers fx,fy,cx,cy,tx,ty,tz (pixels, metres) or "none", got "525, 525, 320"');
    expect(await refused({ colourCamera: '525, 525, 320, 235, -30, 0, 0' })).toMatch(/^Colour camera: the colour camera's offset 30\.000 m is more than 0\.5 m/);

    // Nothing stopped: the same session is still paused and steps on.
    const now = await invokeBackend(backend, 'getPlayback', {});
    expect(now).toMatchObject({ ok: true, value: { state: 'paused', sessionId: running.sessionId } });
    expect(await invokeBackend(backend, 'step', { frames: 1 })).toMatchObject({ ok: true, value: { frame: 0, sessionId: running.sessionId } });
  }, 60_000);
});
