/** AppClient over web mode's WebSocket (ws://host/TOKEN/ws, derived from the page URL). */
import type { AppEvent, RequestChannel, RequestOf, ResponseOf, Result } from '../../main/contract/channels.js';
import { parseEvent, parseResponse } from '../../main/contract/channels.js';
import type { AppClient } from '../../main/contract/client.js';
import { decodeWire, encodeWire } from '../../main/contract/wire.js';

export function webSocketUrl(pageUrl: string): string {
  const u = new URL(pageUrl);
  const token = u.pathname.split('/')[1] ?? '';
  return `ws://${u.host}/${token}/ws`;
}

export class WebSocketClient implements AppClient {
  private socket: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, { channel: RequestChannel; resolve: (r: Result<unknown>) => void }>();
  private readonly listeners = new Set<(e: AppEvent) => void>();
  private readonly connectionListeners = new Set<(s: 'connected' | 'disconnected') => void>();
  private readonly opened: Promise<void>;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = 'arraybuffer';
    this.opened = new Promise((resolve) => this.socket.addEventListener('open', () => {
      for (const l of this.connectionListeners) l('connected');
      resolve();
    }));
    this.socket.addEventListener('close', () => {
      for (const l of this.connectionListeners) l('disconnected');
      for (const [, p] of this.pending) p.resolve({ ok: false, error: { code: 'unavailable', message: 'The connection to semslam closed. Is `semslam serve` still running?' } });
      this.pending.clear();
    });
    this.socket.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data as string | ArrayBuffer));
  }

  exportDownloadUrl(path: string): string {
    const name = path.split(/[\\/]/).pop() ?? '';
    return new URL(`exports/${encodeURIComponent(name)}`, location.href).href;
  }

  async request<C extends RequestChannel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
    await this.opened;
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { channel, resolve: resolve as (r: Result<unknown>) => void });
      this.socket.send(encodeWire({ t: 'req', id, channel, payload }));
    });
  }

  onEvent(listener: (e: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onConnection(listener: (s: 'connected' | 'disconnected') => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private onMessage(data: string | ArrayBuffer): void {
    const decoded = decodeWire(typeof data === 'string' ? data : new Uint8Array(data));
    if (!decoded.ok) return console.warn(decoded.message);
    const m = decoded.value;
    if (m.t === 'res') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!m.result.ok) return p.resolve(m.result);
      const r = parseResponse(p.channel, m.result.value);
      p.resolve(r.ok ? { ok: true, value: r.value } : { ok: false, error: { code: 'failed', message: r.message } });
    } else if (m.t === 'evt') {
      const e = parseEvent(m.channel, m.payload);
      if (!e.ok) return console.warn(e.message);
      for (const l of this.listeners) l(e.value);
    }
  }
}
