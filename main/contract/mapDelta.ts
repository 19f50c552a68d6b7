/**
 * Map-delta packets: the changed surfels of one update, packed compactly for the process boundary.
 * Pure TypeScript (bundled into the renderer and used by the backend).
 *
 * Layout (little-endian; every array starts on a 4-byte boundary):
 *   header 24 bytes: u32 magic 'SMD1' | u32 flags (bit 0 reset, bit 1 more parts of this update follow) | u32 frame |
 *                    u32 count | u32 removed | u32 total
 *   u32   ids[count]
 *   f32   positions[3·count]      world metres
 *   f32   radii[count]            metres
 *   u8    confidence[count]       min(confidence / CONFIDENCE_SCALE, 1) · 255
 *   i8    normals[3·count]        unit normal · 127
 *   u8    colors[3·count]         RGB
 *   u8    labels[count]           13-class id 0..13 (0 = unlabelled)
 *   u8    labelProb[count]        probability of the label · 255
 *   u8    stable[count]           1 when the surfel passed the confidence threshold
 *   u32   removedIds[removed]
 * 30 bytes per surfel plus padding (the same record as float32 fields would be 60).
 */

export const MAP_DELTA_MAGIC = 0x31444d53; // 'SMD1' read as little-endian u32
export const MAP_DELTA_HEADER_BYTES = 24;
/** Confidence is quantised against this count of observations (ElasticFusion's confidence grows ~1 per fuse). */
export const CONFIDENCE_SCALE = 20;
/**
 * Most surfels in one packet of a live update (~0.5 MB). A 640×480 frame changes 50–250k surfels (1.6–7.8 MB as
 * one packet); a page receiving a message that size was held 100–400 ms (replay e2e: scripts answered in 108–124 ms
 * p95), so an update goes as several packets, each a task of its own.
 */
export const MAP_DELTA_PART_RECORDS = 16384;

const FLAG_RESET = 1;
const FLAG_MORE = 2;

/** The fields a map delta carries; structurally a subset of fusion's MapSnapshot, so a snapshot passes as is. */
export interface SurfelRecords {
  readonly count: number;
  readonly ids: ArrayLike<number>;
  readonly positions: ArrayLike<number>;
  readonly normals: ArrayLike<number>;
  /** RGB 0..255 per surfel. */
  readonly colors: ArrayLike<number>;
  readonly radii: ArrayLike<number>;
  readonly confidence: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly labelProb?: ArrayLike<number>;
  readonly stable?: ArrayLike<number | boolean>;
}

export interface MapDeltaHeader {
  readonly reset: boolean;
  readonly frame: number;
  readonly count: number;
  readonly removed: number;
  /** Surfels in the whole map after this delta (after its last part). */
  readonly total: number;
  /** More parts of the same update follow: the view holds `total` surfels only after the last. */
  readonly more: boolean;
}

/** A decoded packet: views into the packet's buffer (no copies). */
export interface MapDelta extends MapDeltaHeader {
  readonly ids: Uint32Array;
  readonly positions: Float32Array;
  readonly radii: Float32Array;
  readonly confidence: Uint8Array;
  readonly normals: Int8Array;
  readonly colors: Uint8Array;
  readonly labels: Uint8Array;
  readonly labelProb: Uint8Array;
  readonly stable: Uint8Array;
  readonly removedIds: Uint32Array;
}

const align4 = (n: number): number => (n + 3) & ~3;

interface Offsets {
  ids: number;
  positions: number;
  radii: number;
  confidence: number;
  normals: number;
  colors: number;
  labels: number;
  labelProb: number;
  stable: number;
  removed: number;
  end: number;
}

function layout(count: number, removed: number): Offsets {
  const ids = MAP_DELTA_HEADER_BYTES;
  const positions = ids + 4 * count;
  const radii = positions + 12 * count;
  const confidence = radii + 4 * count;
  const normals = align4(confidence + count);
  const colors = align4(normals + 3 * count);
  const labels = align4(colors + 3 * count);
  const labelProb = align4(labels + count);
  const stable = align4(labelProb + count);
  const removedAt = align4(stable + count);
  return { ids, positions, radii, confidence, normals, colors, labels, labelProb, stable, removed: removedAt, end: removedAt + 4 * removed };
}

export interface EncodeMapDeltaOptions {
  readonly reset: boolean;
  readonly frame: number;
  /** Surfels in the whole map after this delta. */
  readonly total: number;
  readonly removedIds?: ArrayLike<number>;
  /** Records [from, to) only (default: all). */
  readonly from?: number;
  readonly to?: number;
  /** More parts of this update follow (see MAP_DELTA_PART_RECORDS). */
  readonly more?: boolean;
}

const clampByte = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
const clampSnorm = (v: number): number => (v <= -1 ? -127 : v >= 1 ? 127 : Math.round(v * 127));

function writeHeader(buf: ArrayBuffer, reset: boolean, more: boolean, frame: number, count: number, removed: number, total: number): void {
  const view = new DataView(buf, 0, MAP_DELTA_HEADER_BYTES);
  view.setUint32(0, MAP_DELTA_MAGIC, true);
  view.setUint32(4, (reset ? FLAG_RESET : 0) | (more ? FLAG_MORE : 0), true);
  view.setUint32(8, frame, true);
  view.setUint32(12, count, true);
  view.setUint32(16, removed, true);
  view.setUint32(20, total, true);
}

/** Packs surfel records (e.g. fusion's `changedSince(frame)` snapshot), or the range [from, to) of them, into one packet. */
export function encodeMapDelta(records: SurfelRecords, options: EncodeMapDeltaOptions): Uint8Array {
  const from = options.from ?? 0;
  const to = options.to ?? records.count;
  if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= records.count)) {
    throw new RangeError(`map delta: records [${from}, ${to}) outside 0..${records.count}`);
  }
  const count = to - from;
  const removed = options.removedIds?.length ?? 0;
  const o = layout(count, removed);
  const buf = new ArrayBuffer(o.end);
  writeHeader(buf, options.reset, options.more ?? false, options.frame, count, removed, options.total);
  const ids = new Uint32Array(buf, o.ids, count);
  const positions = new Float32Array(buf, o.positions, 3 * count);
  const radii = new Float32Array(buf, o.radii, count);
  const confidence = new Uint8Array(buf, o.confidence, count);
  const normals = new Int8Array(buf, o.normals, 3 * count);
  const colors = new Uint8Array(buf, o.colors, 3 * count);
  const labels = new Uint8Array(buf, o.labels, count);
  const labelProb = new Uint8Array(buf, o.labelProb, count);
  const stable = new Uint8Array(buf, o.stable, count);
  for (let i = 0; i < count; i++) {
    const r = from + i;
    ids[i] = records.ids[r];
    radii[i] = records.radii[r];
    confidence[i] = clampByte((records.confidence[r] / CONFIDENCE_SCALE) * 255);
    labels[i] = records.labels[r];
    labelProb[i] = records.labelProb ? clampByte(records.labelProb[r] * 255) : 0;
    stable[i] = records.stable ? (records.stable[r] ? 1 : 0) : 1;
    for (let k = 0; k < 3; k++) {
      positions[3 * i + k] = records.positions[3 * r + k];
      normals[3 * i + k] = clampSnorm(records.normals[3 * r + k]);
      colors[3 * i + k] = clampByte(records.colors[3 * r + k]);
    }
  }
  if (removed > 0) new Uint32Array(buf, o.removed, removed).set(Array.from(options.removedIds ?? []));
  return new Uint8Array(buf);
}

/**
 * One update as packets of at most partRecords surfels: the first carries the reset flag and the removals, all but
 * the last the `more` flag. Applied in order they leave a view exactly as the single packet would.
 */
export function encodeMapDeltaParts(records: SurfelRecords, options: Omit<EncodeMapDeltaOptions, 'from' | 'to' | 'more'>,
  partRecords = MAP_DELTA_PART_RECORDS): Uint8Array[] {
  if (!(Number.isInteger(partRecords) && partRecords >= 1)) throw new RangeError(`map delta: partRecords must be a positive integer (got ${partRecords})`);
  const parts: Uint8Array[] = [];
  let from = 0;
  do {
    const to = Math.min(records.count, from + partRecords);
    const first = from === 0;
    parts.push(encodeMapDelta(records, {
      reset: first && options.reset, frame: options.frame, total: options.total,
      ...(first && options.removedIds ? { removedIds: options.removedIds } : {}), from, to, more: to < records.count,
    }));
    from = to;
  } while (from < records.count);
  return parts;
}

/**
 * An encoded packet (e.g. getMap's whole map) as parts of at most partRecords surfels, byte for byte what
 * encodeMapDeltaParts would have made from the same records. A packet that fits is returned as it is.
 */
export function splitMapDelta(packet: Uint8Array, partRecords = MAP_DELTA_PART_RECORDS): Uint8Array[] {
  const d = decodeMapDelta(packet);
  if (!d.ok) throw new Error(d.message);
  const m = d.value;
  if (m.count <= partRecords) return [packet];
  const parts: Uint8Array[] = [];
  for (let from = 0; from < m.count; from += partRecords) {
    const to = Math.min(m.count, from + partRecords);
    const first = from === 0;
    const n = to - from, removed = first ? m.removed : 0;
    const o = layout(n, removed);
    const out = new Uint8Array(o.end);
    writeHeader(out.buffer, first && m.reset, to < m.count || m.more, m.frame, n, removed, m.total);
    const copy = (src: ArrayBufferView, offset: number, bytesPerRecord: number): void => {
      out.set(new Uint8Array(src.buffer, src.byteOffset + from * bytesPerRecord, n * bytesPerRecord), offset);
    };
    copy(m.ids, o.ids, 4);
    copy(m.positions, o.positions, 12);
    copy(m.radii, o.radii, 4);
    copy(m.confidence, o.confidence, 1);
    copy(m.normals, o.normals, 3);
    copy(m.colors, o.colors, 3);
    copy(m.labels, o.labels, 1);
    copy(m.labelProb, o.labelProb, 1);
    copy(m.stable, o.stable, 1);
    if (removed > 0) out.set(new Uint8Array(m.removedIds.buffer, m.removedIds.byteOffset, 4 * removed), o.removed);
    parts.push(out);
  }
  return parts;
}

export type DecodeMapDeltaResult = { ok: true; value: MapDelta } | { ok: false; message: string };

/** Reads a packet without copying (views into its buffer; copies once only when it is not 4-byte aligned). */
export function decodeMapDelta(packet: Uint8Array): DecodeMapDeltaResult {
  if (packet.byteLength < MAP_DELTA_HEADER_BYTES) return { ok: false, message: `map delta: ${packet.byteLength} bytes is shorter than the header` };
  const bytes = packet.byteOffset % 4 === 0 ? packet : packet.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAP_DELTA_MAGIC) return { ok: false, message: 'map delta: bad magic (not an SMD1 packet)' };
  const flags = view.getUint32(4, true);
  const frame = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const removed = view.getUint32(16, true);
  const total = view.getUint32(20, true);
  const o = layout(count, removed);
  if (o.end !== bytes.byteLength) return { ok: false, message: `map delta: ${bytes.byteLength} bytes, expected ${o.end} for ${count} surfels and ${removed} removals` };
  const b = bytes.buffer;
  const base = bytes.byteOffset;
  return {
    ok: true,
    value: {
      reset: (flags & FLAG_RESET) !== 0,
      more: (flags & FLAG_MORE) !== 0,
      frame,
      count,
      removed,
      total,
      ids: new Uint32Array(b, base + o.ids, count),
      positions: new Float32Array(b, base + o.positions, 3 * count),
      radii: new Float32Array(b, base + o.radii, count),
      confidence: new Uint8Array(b, base + o.confidence, count),
      normals: new Int8Array(b, base + o.normals, 3 * count),
      colors: new Uint8Array(b, base + o.colors, 3 * count),
      labels: new Uint8Array(b, base + o.labels, count),
      labelProb: new Uint8Array(b, base + o.labelProb, count),
      stable: new Uint8Array(b, base + o.stable, count),
      removedIds: new Uint32Array(b, base + o.removed, removed),
    },
  };
}
