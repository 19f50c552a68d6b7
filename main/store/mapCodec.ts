import { promisify } from 'node:util';
import { deflate, deflateSync, inflateSync } from 'node:zlib';

const deflateAsync = promisify(deflate);

/**
 * The surfel map as the store keeps it: one typed array per attribute (structure of arrays), `count` surfels.
 * Structurally the same as fusion's MapSnapshot, so a snapshot can be saved as it is.
 */
export interface StoredMap {
  readonly count: number;
  /** Stable surfel ids (optional: maps from older writers may lack them). */
  readonly ids?: Uint32Array;
  /** World-frame positions, metres, xyz per surfel. */
  readonly positions: Float32Array;
  /** World-frame unit normals, xyz per surfel. */
  readonly normals: Float32Array;
  /** RGB 0..255 per surfel. */
  readonly colors: Uint8Array;
  readonly radii: Float32Array;
  readonly confidence: Float32Array;
  /** 13-class id (1..13, 0 = unlabelled) of the most probable class. */
  readonly labels: Uint8Array;
  /** Probability of that class. */
  readonly labelProb: Float32Array;
  /** 1 where the surfel is stable (confidence reached), optional. */
  readonly stable?: Uint8Array;
}

type ArrayKind = 'f32' | 'u8' | 'u32';
type TypedArray = Float32Array | Uint8Array | Uint32Array;

interface FieldSpec {
  readonly name: keyof StoredMap;
  readonly kind: ArrayKind;
  /** Elements per surfel. */
  readonly width: number;
  readonly required: boolean;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'ids', kind: 'u32', width: 1, required: false },
  { name: 'positions', kind: 'f32', width: 3, required: true },
  { name: 'normals', kind: 'f32', width: 3, required: true },
  { name: 'colors', kind: 'u8', width: 3, required: true },
  { name: 'radii', kind: 'f32', width: 1, required: true },
  { name: 'confidence', kind: 'f32', width: 1, required: true },
  { name: 'labels', kind: 'u8', width: 1, required: true },
  { name: 'labelProb', kind: 'f32', width: 1, required: true },
  { name: 'stable', kind: 'u8', width: 1, required: false },
];

const BYTES: Record<ArrayKind, number> = { f32: 4, u8: 1, u32: 4 };

/** What the `fields` column records: which arrays the blob holds, in order (little-endian). */
export interface EncodedField {
  readonly name: string;
  readonly kind: ArrayKind;
  readonly length: number;
}

export interface EncodedMap {
  readonly count: number;
  readonly fields: readonly EncodedField[];
  /** zlib deflate of the fields' bytes, concatenated in `fields` order. */
  readonly data: Buffer;
}

function kindOf(a: unknown): ArrayKind | undefined {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Uint8Array) return 'u8';
  if (a instanceof Uint32Array) return 'u32';
  return undefined;
}

/**
 * Packs the first `count` surfels of each array. Arrays may be longer than needed (fusion keeps capacity
 * buffers); only the used prefix is stored.
 */
export function encodeMap(map: StoredMap, level = 1): EncodedMap {
  const { fields, raw } = packFields(map);
  // Level 1: snapshots are taken while mapping, so speed matters more than the last few percent of size.
  return { count: map.count, fields, data: deflateSync(raw, { level }) };
}

/**
 * encodeMap with the compression on libuv's thread pool: the calling thread (the pipeline) only packs the
 * fields (a copy, so `map` may change as soon as this returns) and goes on mapping while zlib works.
 */
export async function encodeMapInBackground(map: StoredMap, level = 1): Promise<EncodedMap> {
  const { fields, raw } = packFields(map);
  // One output chunk big enough for the whole result: with the default 16 KiB chunks, zlib needs one event-loop
  // turn per chunk, and a pipeline that yields once per frame would take hundreds of frames to finish a snapshot.
  const chunkSize = Math.max(64 * 1024, raw.length + (raw.length >> 3) + 1024);
  return { count: map.count, fields, data: await deflateAsync(raw, { level, chunkSize }) };
}

function packFields(map: StoredMap): { fields: EncodedField[]; raw: Buffer } {
  const fields: EncodedField[] = [];
  const parts: Buffer[] = [];
  for (const spec of FIELDS) {
    const a = map[spec.name] as TypedArray | undefined;
    if (a === undefined) {
      if (spec.required) throw new TypeError(`map snapshot lacks ${spec.name}`);
      continue;
    }
    const kind = kindOf(a);
    if (kind !== spec.kind) throw new TypeError(`map snapshot field ${spec.name} must be ${spec.kind}, got ${a?.constructor?.name}`);
    const length = map.count * spec.width;
    if (a.length < length) throw new RangeError(`map snapshot field ${spec.name} has ${a.length} elements, needs ${length}`);
    fields.push({ name: spec.name, kind, length });
    parts.push(Buffer.from(a.buffer, a.byteOffset, length * BYTES[kind]));
  }
  return { fields, raw: Buffer.concat(parts) };
}

/** Unpacks a blob; throws a plain Error naming the problem when the blob does not match its field list. */
export function decodeMap(encoded: EncodedMap): StoredMap {
  const raw = inflateSync(encoded.data);
  let offset = 0;
  const out: Record<string, unknown> = { count: encoded.count };
  for (const f of encoded.fields) {
    const bytes = f.length * (BYTES[f.kind] ?? NaN);
    if (!(bytes >= 0) || offset + bytes > raw.length) throw new Error(`map snapshot blob is truncated at field ${f.name}`);
    const spec = FIELDS.find((s) => s.name === f.name);
    if (!spec) { offset += bytes; continue; } // a field written by a newer program: skip its bytes
    if (spec.kind !== f.kind || f.length !== encoded.count * spec.width) {
      throw new Error(`map snapshot field ${f.name}: ${f.kind}×${f.length} does not fit ${encoded.count} surfels`);
    }
    // Copy into a fresh, aligned buffer: the inflated buffer's offsets need not be multiples of 4.
    const copy = new Uint8Array(bytes);
    copy.set(raw.subarray(offset, offset + bytes));
    out[f.name] = f.kind === 'f32' ? new Float32Array(copy.buffer) : f.kind === 'u32' ? new Uint32Array(copy.buffer) : copy;
    offset += bytes;
  }
  for (const spec of FIELDS) {
    if (spec.required && out[spec.name] === undefined) throw new Error(`map snapshot lacks field ${spec.name}`);
  }
  return out as unknown as StoredMap;
}
