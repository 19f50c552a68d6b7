import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { memoryBackend } from './memoryBackend.js';
import { decodeMapDelta, encodeMapDelta } from '../../main/contract/mapDelta.js';
import { decodeWire, encodeWire } from '../../main/contract/wire.js';
import type { WireMessage } from '../../main/contract/wire.js';
import { startWebServer } from '../../main/web/server.js';
import type { WebServer } from '../../main/web/server.js';

let dir: string;
let server: WebServer;
const backend = memoryBackend();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semslam-web-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'app.js'), 'console.log(1)');
  server = await startWebServer(backend, { rendererDir: dir, port: 0 });
});
afterAll(async () => server?.close());

function get(path: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket, pred: (m: WireMessage) => boolean): Promise<WireMessage> {
  return new Promise((resolve) => {
    const on = (data: Buffer, isBinary: boolean): void => {
      const d = decodeWire(isBinary ? new Uint8Array(data) : data.toString());
      if (d.ok && pred(d.value)) {
        ws.off('message', on);
        resolve(d.value);
      }
    };
    ws.on('message', on);
  });
}

async function call(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<WireMessage> {
  const reply = nextMessage(ws, (m) => m.t === 'res' && m.id === id);
  ws.send(encodeWire({ t: 'req', id, channel: channel as never, payload }));
  return reply;
}

describe('semslam serve (web mode server)', () => {
  it('listens on 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/${server.token}/`);
    expect(server.token).toMatch(/^[0-9a-f]{32}$/);
  });

  it('serves the renderer only with the token, with a strict CSP', async () => {
    const ok = await get(`/${server.token}/`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<!doctype html>');
    const csp = String(ok.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    // Own scripts only; eval is allowed for regl's generated draw commands, inline script is not.
    expect(csp).toContain("script-src 'self' 'unsafe-eval';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:");
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    expect((await get(`/${server.token}/app.js`)).status).toBe(200);
    expect((await get('/')).status).toBe(403);
    expect((await get('/index.html')).status).toBe(403);
    expect((await get(`/${server.token.replace(/.$/, 'x')}/`)).status).toBe(403);
    expect((await get(`/${server.token}/../../etc/passwd`)).status).toBe(404);
    expect((await get(`/${server.token}/server.ts`)).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(`/${server.token}/`, 'evil.example:80')).status).toBe(403);
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    await expect(connect(`ws://127.0.0.1:${server.port}/ws`)).rejects.toThrow(/403/);
    await expect(connect(`ws://127.0.0.1:${server.port}/nottoken/ws`)).rejects.toThrow(/403/);
    await expect(connect(`ws://127.0.0.1:${server.port}/${server.token}/ws`, 'http://evil.example')).rejects.toThrow(/403/);
  });

  it('answers requests with Result values: success, validation failure, expected failure, bad backend reply', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/${server.token}/ws`, `http://127.0.0.1:${server.port}`);
    try {
      const played = await call(ws, 1, 'play', {});
      expect(played.t === 'res' && played.result).toMatchObject({ ok: true, value: { state: 'playing' } });
      const bad = await call(ws, 2, 'setSpeed', { speed: 'fast' });
      expect(bad.t === 'res' && bad.result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      const missing = await call(ws, 3, 'openSession', { id: 'x' });
      expect(missing.t === 'res' && missing.result).toMatchObject({ ok: false, error: { code: 'not-found', message: 'No session x.' } });
      const unknown = await call(ws, 4, 'rm -rf', {});
      expect(unknown.t === 'res' && unknown.result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
      const wrong = await call(ws, 5, 'exportMap', { format: 'ply' });
      expect(wrong.t === 'res' && wrong.result).toMatchObject({ ok: false, error: { code: 'failed' } });
      const map = await call(ws, 6, 'getMap', {});
      expect(map.t === 'res' && map.result.ok && decodeMapDelta((map.result.value as { packet: Uint8Array }).packet).ok).toBe(true);
    } finally {
      ws.close();
    }
  });

  it('broadcasts events, map deltas as binary frames', async () => {
    const ws = await connect(`ws://127.0.0.1:${server.port}/${server.token}/ws`);
    try {
      const packet = encodeMapDelta({ count: 1, ids: [7], positions: [1, 2, 3], normals: [0, 0, 1], colors: [9, 8, 7], radii: [0.01], confidence: [5], labels: [4] }, { reset: false, frame: 3, total: 1 });
      const got = new Promise<{ data: Buffer; isBinary: boolean }>((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
      backend.emit({ channel: 'mapDelta', payload: { packet } });
      const { data, isBinary } = await got;
      expect(isBinary).toBe(true);
      const m = decodeWire(new Uint8Array(data));
      expect(m.ok && m.value.t === 'evt' && m.value.channel).toBe('mapDelta');
      if (!m.ok || m.value.t !== 'evt') return;
      const d = decodeMapDelta((m.value.payload as { packet: Uint8Array }).packet);
      expect(d.ok && Array.from(d.value.ids)).toEqual([7]);
    } finally {
      ws.close();
    }
  });

  it('a client that fell behind gets the whole map once it drains, even when no delta follows', async () => {
    const n = 20_000;
    const big = { count: n, ids: Uint32Array.from({ length: n }, (_, i) => i + 1), positions: new Float32Array(3 * n), normals: new Float32Array(3 * n),
      colors: new Uint8Array(3 * n), radii: new Float32Array(n), confidence: new Float32Array(n), labels: new Uint8Array(n) };
    const own = memoryBackend(encodeMapDelta(big, { reset: true, frame: 200, total: n }));
    const slow = await startWebServer(own, { rendererDir: dir, port: 0, maxBufferedBytes: 64 * 1024 });
    const ws = await connect(`ws://127.0.0.1:${slow.port}/${slow.token}/ws`);
    try {
      const received: { reset: boolean; frame: number; more: boolean; count: number }[] = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const m = decodeWire(isBinary ? new Uint8Array(data) : data.toString());
        if (!m.ok || m.value.t !== 'evt' || m.value.channel !== 'mapDelta') return;
        const d = decodeMapDelta((m.value.payload as { packet: Uint8Array }).packet);
        if (d.ok) received.push({ reset: d.value.reset, frame: d.value.frame, more: d.value.more, count: d.value.count });
      });
      // Stop reading: the server's send buffer fills once the kernel's socket buffers are full.
      const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      for (let f = 1; f <= 200; f++) {
        own.emit({ channel: 'mapDelta', payload: { packet: encodeMapDelta(big, { reset: false, frame: f, total: n }) } });
        await new Promise((r) => setImmediate(r));
      }
      socket.resume();
      const sinceReset = (): typeof received => { const i = received.findIndex((r) => r.reset); return i < 0 ? [] : received.slice(i); };
      await expect.poll(() => sinceReset().at(-1)?.more, { timeout: 10_000 }).toBe(false);
      // Deltas were skipped (the server did not buffer them all), and the last update is the whole map, in parts.
      const map = sinceReset();
      expect(received.length - map.length).toBeLessThan(200);
      expect(map.map((r) => r.more)).toEqual([true, false]);
      expect(map.reduce((k, r) => k + r.count, 0)).toBe(n);
    } finally {
      ws.close();
      await slow.close();
    }
  });

  it('getMap with parts: the first part answers, the rest follow at once as map deltas, the last with more=false', async () => {
    const n = 40_000;
    const whole = encodeMapDelta({ count: n, ids: Uint32Array.from({ length: n }, (_, i) => i + 1), positions: new Float32Array(3 * n),
      normals: new Float32Array(3 * n), colors: new Uint8Array(3 * n), radii: new Float32Array(n), confidence: new Float32Array(n),
      labels: new Uint8Array(n) }, { reset: true, frame: 9, total: n });
    const srv = await startWebServer(memoryBackend(whole), { rendererDir: dir, port: 0 });
    const ws = await connect(`ws://127.0.0.1:${srv.port}/${srv.token}/ws`);
    try {
      const order: { kind: string; reset: boolean; more: boolean; count: number }[] = [];
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const m = decodeWire(isBinary ? new Uint8Array(data) : data.toString());
        if (!m.ok) return;
        const packet = m.value.t === 'res' && m.value.result.ok ? (m.value.result.value as { packet: Uint8Array }).packet
          : m.value.t === 'evt' && m.value.channel === 'mapDelta' ? (m.value.payload as { packet: Uint8Array }).packet : undefined;
        const d = packet ? decodeMapDelta(packet) : undefined;
        if (d?.ok) order.push({ kind: m.value.t, reset: d.value.reset, more: d.value.more, count: d.value.count });
      });
      const plain = await call(ws, 1, 'getMap', {});
      expect(plain.t === 'res' && plain.result.ok && decodeMapDelta((plain.result.value as { packet: Uint8Array }).packet)).toMatchObject({ ok: true, value: { count: n, more: false } });
      order.length = 0;
      await call(ws, 2, 'getMap', { parts: true });
      await expect.poll(() => order.at(-1)?.more, { timeout: 5000 }).toBe(false);
      expect(order.map((o) => o.kind)).toEqual(['res', 'evt', 'evt']);
      expect(order.map((o) => [o.reset, o.more])).toEqual([[true, true], [false, true], [false, false]]);
      expect(order.reduce((k, o) => k + o.count, 0)).toBe(n);
      const bad = await call(ws, 3, 'getMap', { parts: 'yes' });
      expect(bad.t === 'res' && bad.result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    } finally {
      ws.close();
      await srv.close();
    }
  });
});
