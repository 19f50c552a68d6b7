/**
 * Web mode: the renderer bundle over HTTP and the contract over one WebSocket, on 127.0.0.1 only.
 * A random token is the first path segment of every URL (http://127.0.0.1:PORT/TOKEN/ and
 * ws://127.0.0.1:PORT/TOKEN/ws); any request without it gets 403. Host and Origin are checked so a web
 * page elsewhere cannot reach the server through DNS rebinding.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket, RawData } from 'ws';
import type { AppBackend } from '../contract/backend.js';
import { invokeBackend } from '../contract/backend.js';
import { isRequestChannel } from '../contract/channels.js';
import type { AppEvent } from '../contract/channels.js';
import { decodeWire, encodeWire } from '../contract/wire.js';
import { splitMapDelta } from '../contract/mapDelta.js';
import type { WireMessage } from '../contract/wire.js';

export interface WebServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Folder with index.html, app.js, style.css (dist/renderer). */
  readonly rendererDir: string;
  /** Fixed token (tests); a random 128-bit one otherwise. */
  readonly token?: string;
  /**
   * A client whose socket has more than this many bytes queued skips map deltas and gets the whole map
   * (getMap) once it has drained, instead of the server buffering without bound. Small, because frame and
   * tracking status (never skipped) queue behind whatever is buffered: a slow page sees its status late by no
   * more than this much map.
   */
  readonly maxBufferedBytes: number;
  /** Largest message a client may send (a 1280×960 camera frame is 3.7 MB). */
  readonly maxMessageBytes: number;
  /** Folder whose exports (.ply, .pcd, .mcap) the browser may download at /TOKEN/exports/NAME; none when absent. */
  readonly exportDir?: string;
}

export const DEFAULT_WEB_SERVER_OPTIONS: Omit<WebServerOptions, 'rendererDir'> = {
  port: 0,
  maxBufferedBytes: 2 * 1024 * 1024,
  maxMessageBytes: 4 * 1024 * 1024,
};

export interface WebServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Connected WebSocket clients. */
  clients(): number;
  close(): Promise<void>;
}

/** Files the server hands out, and nothing else. */
const STATIC_FILES: Record<string, string> = {
  '': 'text/html; charset=utf-8',
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json',
  'style.css': 'text/css; charset=utf-8',
};

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    // regl compiles its draw commands with new Function(): the one relaxation; no inline script, no remote code.
    "script-src 'self' 'unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

function tokenMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

interface Client {
  readonly socket: WebSocket;
  /** Skipped a map delta: send the whole map when the socket drains. */
  stale: boolean;
  /** A drain watch or a getMap for this client is under way. */
  resyncing: boolean;
}

/** How often a stale client's socket is checked for having drained. */
const DRAIN_POLL_MS = 50;

export async function startWebServer(backend: AppBackend, options: Partial<WebServerOptions> & Pick<WebServerOptions, 'rendererDir'>): Promise<WebServer> {
  const opts: WebServerOptions = { ...DEFAULT_WEB_SERVER_OPTIONS, ...options };
  const token = opts.token ?? randomBytes(16).toString('hex');
  let port = 0;
  const clients = new Set<Client>();

  const hostOk = (req: IncomingMessage): boolean => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  /** '/TOKEN/rest' → 'rest'; null when the token is missing or wrong. */
  const strip = (url: string | undefined): string | null => {
    const path = (url ?? '/').split('?')[0];
    const m = /^\/([^/]+)\/(.*)$/.exec(path);
    if (!m || !tokenMatches(token, m[1])) return null;
    return m[2];
  };

  const deny = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };

  const server = createServer((req, res) => {
    if (!hostOk(req)) return deny(res, 403, 'forbidden: wrong Host');
    const rest = strip(req.url);
    if (rest === null) return deny(res, 403, 'forbidden: this URL needs the token that `semslam serve` printed');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    const download = /^exports\/([A-Za-z0-9][\w.-]*\.(ply|pcd|mcap))$/.exec(rest);
    if (download && opts.exportDir) {
      readFile(join(opts.exportDir, download[1])).then(
        (body) => {
          res.writeHead(200, {
            'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${download[1]}"`,
            'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'content-length': body.length,
          });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        () => deny(res, 404, 'no such export'),
      );
      return;
    }
    const type = STATIC_FILES[rest];
    if (type === undefined) return deny(res, 404, 'not found');
    readFile(join(opts.rendererDir, rest === '' ? 'index.html' : rest)).then(
      (body) => {
        res.writeHead(200, {
          'content-type': type,
          'content-security-policy': contentSecurityPolicy(port),
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
          'cross-origin-opener-policy': 'same-origin',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => deny(res, 404, 'not found (is the renderer built? scripts/build-renderer.mjs)'),
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (!hostOk(req) || !originOk || strip(req.url) !== 'ws') {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  const send = (client: Client, frame: string | Uint8Array): void => {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(frame);
  };

  const resync = async (client: Client): Promise<void> => {
    try {
      const map = await backend.getMap({});
      client.stale = false;
      // In parts, as live updates go: a whole map of a million surfels is ~30 MB.
      for (const packet of splitMapDelta(map.packet)) send(client, encodeWire({ t: 'evt', channel: 'mapDelta', payload: { packet } }));
    } catch {
      // No session yet: nothing to resend; the next delta will be a reset.
      client.stale = false;
    } finally {
      client.resyncing = false;
    }
  };

  /*
   * Waits for the socket to drain, then sends the whole map. It must not wait for the next delta to notice: the
   * skipped delta may be the last one (the session paused or finished), and the view would stay wrong for good.
   */
  const watchDrain = (client: Client): void => {
    if (client.resyncing) return;
    client.resyncing = true;
    const check = (): void => {
      if (client.socket.readyState !== client.socket.OPEN) { client.resyncing = false; return; }
      if (client.socket.bufferedAmount > opts.maxBufferedBytes) { setTimeout(check, DRAIN_POLL_MS).unref(); return; }
      void resync(client);
    };
    check();
  };

  const onEvent = (event: AppEvent): void => {
    const frame = encodeWire({ t: 'evt', channel: event.channel, payload: event.payload });
    for (const client of clients) {
      if (event.channel === 'mapDelta') {
        // Deltas skipped while stale are covered by the whole map the resync sends (taken after them).
        if (client.stale) continue;
        if (client.socket.bufferedAmount > opts.maxBufferedBytes) {
          client.stale = true;
          watchDrain(client);
          continue;
        }
      }
      send(client, frame);
    }
  };
  const unsubscribe = backend.onEvent(onEvent);

  function onConnection(socket: WebSocket): void {
    const client: Client = { socket, stale: false, resyncing: false };
    clients.add(client);
    socket.on('close', () => clients.delete(client));
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      const decoded = decodeWire(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'));
      if (!decoded.ok || decoded.value.t !== 'req') return; // Not a request: nothing to answer.
      const msg = decoded.value;
      const reply = (result: Extract<WireMessage, { t: 'res' }>['result']): void => send(client, encodeWire({ t: 'res', id: msg.id, result }));
      if (!isRequestChannel(msg.channel)) {
        reply({ ok: false, error: { code: 'invalid-request', message: `unknown request channel ${JSON.stringify(msg.channel)}` } });
        return;
      }
      void invokeBackend(backend, msg.channel, msg.payload).then((result) => {
        if (msg.channel !== 'getMap' || !result.ok || (msg.payload as { parts?: unknown } | null)?.parts !== true) return reply(result);
        // Sent in one go, so no live delta comes between the parts.
        const [first, ...rest] = splitMapDelta((result.value as { packet: Uint8Array }).packet);
        reply({ ok: true, value: { packet: first } });
        for (const packet of rest) send(client, encodeWire({ t: 'evt', channel: 'mapDelta', payload: { packet } }));
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/${token}/`,
    port,
    token,
    clients: () => clients.size,
    close: async () => {
      unsubscribe();
      for (const c of clients) c.socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
