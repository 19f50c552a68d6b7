import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from '../../main/contract/wire.js';
import { parseEvent, parseRequest } from '../../main/contract/channels.js';

describe('WebSocket wire codec', () => {
  it('sends plain messages as JSON text', () => {
    const f = encodeWire({ t: 'req', id: 3, channel: 'play', payload: {} });
    expect(typeof f).toBe('string');
    expect(decodeWire(f)).toEqual({ ok: true, value: { t: 'req', id: 3, channel: 'play', payload: {} } });
  });

  it('moves Uint8Array leaves into binary attachments', () => {
    const a = Uint8Array.from([1, 2, 3]);
    const b = new Uint8Array(1001).fill(9);
    const f = encodeWire({ t: 'evt', channel: 'preview', payload: { data: a, nested: [{ more: b }], n: 5 } });
    expect(f).toBeInstanceOf(Uint8Array);
    // No base64: the frame is little more than the bytes themselves.
    expect((f as Uint8Array).length).toBeLessThan(a.length + b.length + 200);
    const d = decodeWire(f);
    expect(d.ok).toBe(true);
    if (!d.ok || d.value.t !== 'evt') return;
    const p = d.value.payload as { data: Uint8Array; nested: { more: Uint8Array }[]; n: number };
    expect(Array.from(p.data)).toEqual([1, 2, 3]);
    expect(p.nested[0].more.length).toBe(1001);
    expect(p.n).toBe(5);
  });

  it('reports broken frames instead of throwing', () => {
    expect(decodeWire('{nope').ok).toBe(false);
    expect(decodeWire(new Uint8Array([200, 0, 0, 0, 1])).ok).toBe(false);
    expect(decodeWire('{"t":"zzz"}').ok).toBe(false);
  });
});

describe('contract schemas', () => {
  it('validate requests and name the bad field', () => {
    expect(parseRequest('setSpeed', { speed: 2 }).ok).toBe(true);
    const bad = parseRequest('setSpeed', { speed: -1 });
    expect(bad.ok ? '' : bad.message).toMatch(/^setSpeed: speed/);
    expect(parseRequest('startReplay', { source: 'demo', mode: 'depth', realtime: false }).ok).toBe(false);
    expect(parseRequest('play', { extra: 1 }).ok).toBe(false);
  });

  it('validate events', () => {
    expect(parseEvent('mapDelta', { packet: new Uint8Array(4) }).ok).toBe(true);
    expect(parseEvent('mapDelta', { packet: [1, 2] }).ok).toBe(false);
    expect(parseEvent('nonsense', {}).ok).toBe(false);
  });
});
