import { describe, expect, it } from 'vitest';
import { handleIpcRequest } from '../../electron/ipc.js';
import { memoryBackend } from '../web/memoryBackend.js';

describe('Electron IPC request handling', () => {
  const backend = memoryBackend();
  const app = 'app://semslam/index.html';

  it('passes a valid request from our window to the backend', async () => {
    expect(await handleIpcRequest(backend, app, { channel: 'setSpeed', payload: { speed: 2 } })).toMatchObject({ ok: true, value: { speed: 2 } });
  });

  it('refuses requests from any other frame', async () => {
    for (const url of ['https://example.com/', 'file:///tmp/x.html', 'app://other/index.html', undefined]) {
      const r = await handleIpcRequest(backend, url, { channel: 'play', payload: {} });
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
  });

  it('refuses unknown channels and invalid payloads, with the field named', async () => {
    expect(await handleIpcRequest(backend, app, { channel: 'eval', payload: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await handleIpcRequest(backend, app, 'play')).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const r = await handleIpcRequest(backend, app, { channel: 'seek', payload: { frame: -3 } });
    expect(r.ok ? '' : r.error.message).toMatch(/^seek: frame/);
  });

  it('turns backend failures into values', async () => {
    expect(await handleIpcRequest(backend, app, { channel: 'startCamera', payload: { mode: 'rgb', width: 320, height: 240 } }))
      .toEqual({ ok: false, error: { code: 'unavailable', message: 'No camera is connected.' } });
  });
});
