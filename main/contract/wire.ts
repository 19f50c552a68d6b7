/**
 * Web mode's WebSocket framing of the contract's messages. Messages are JSON values plus Uint8Array
 * leaves. A message without Uint8Array goes as one text frame (JSON). One with Uint8Array goes as one
 * binary frame, the arrays moved out of the JSON as attachments (no base64):
 *   u32 jsonBytes | json (UTF-8, Uint8Array leaves replaced by {"$bin": k}) | pad to 4 |
 *   u32 attachments | per attachment: u32 bytes | bytes | pad to 4
 * Pure TypeScript (browser and Node).
 */
import type { RequestChannel, Result } from './channels.js';

export type WireMessage =
  | { t: 'req'; id: number; channel: RequestChannel; payload: unknown }
  | { t: 'res'; id: number; result: Result<unknown> }
  | { t: 'evt'; channel: string; payload: unknown };

const pad4 = (n: number): number => (4 - (n & 3)) & 3;

export function encodeWire(message: WireMessage): string | Uint8Array {
  const blobs: Uint8Array[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      blobs.push(value);
      return { $bin: blobs.length - 1 };
    }
    return value;
  });
  if (blobs.length === 0) return json;
  const text = new TextEncoder().encode(json);
  let size = 4 + text.length + pad4(text.length) + 4;
  for (const b of blobs) size += 4 + b.length + pad4(b.length);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  view.setUint32(o, text.length, true);
  o += 4;
  out.set(text, o);
  o += text.length + pad4(text.length);
  view.setUint32(o, blobs.length, true);
  o += 4;
  for (const b of blobs) {
    view.setUint32(o, b.length, true);
    o += 4;
    out.set(b, o);
    o += b.length + pad4(b.length);
  }
  return out;
}

export type DecodeWireResult = { ok: true; value: WireMessage } | { ok: false; message: string };

/** Parses one frame. Attachments come back as views into `data` (4-byte aligned when `data` is). */
export function decodeWire(data: string | Uint8Array): DecodeWireResult {
  try {
    if (typeof data === 'string') return shape(JSON.parse(data));
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let o = 0;
    const need = (n: number): void => {
      if (o + n > data.byteLength) throw new Error(`truncated frame (${data.byteLength} bytes)`);
    };
    need(4);
    const jsonBytes = view.getUint32(o, true);
    o += 4;
    need(jsonBytes);
    const json = new TextDecoder().decode(data.subarray(o, o + jsonBytes));
    o += jsonBytes + pad4(jsonBytes);
    need(4);
    const n = view.getUint32(o, true);
    o += 4;
    const blobs: Uint8Array[] = [];
    for (let k = 0; k < n; k++) {
      need(4);
      const len = view.getUint32(o, true);
      o += 4;
      need(len);
      blobs.push(data.subarray(o, o + len));
      o += len + pad4(len);
    }
    const parsed: unknown = JSON.parse(json, (_key, value: unknown) => {
      if (value !== null && typeof value === 'object' && '$bin' in value) {
        const k = (value as { $bin: unknown }).$bin;
        if (typeof k !== 'number' || !blobs[k]) throw new Error(`attachment ${String(k)} missing`);
        return blobs[k];
      }
      return value;
    });
    return shape(parsed);
  } catch (e) {
    return { ok: false, message: `bad frame: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function shape(v: unknown): DecodeWireResult {
  if (v === null || typeof v !== 'object') return { ok: false, message: 'bad frame: not an object' };
  const m = v as Record<string, unknown>;
  if (m.t === 'req' && typeof m.id === 'number' && typeof m.channel === 'string') return { ok: true, value: m as WireMessage };
  if (m.t === 'res' && typeof m.id === 'number' && typeof m.result === 'object' && m.result !== null) return { ok: true, value: m as WireMessage };
  if (m.t === 'evt' && typeof m.channel === 'string') return { ok: true, value: m as WireMessage };
  return { ok: false, message: 'bad frame: unknown message type' };
}
