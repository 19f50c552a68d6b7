import { writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { StoredMap } from '../store/mapCodec.js';

/**
 * Labelled point clouds in PCL's PCD v0.7 format, ASCII or binary, readable by PCL (`pcl::io::loadPCDFile` into
 * PointXYZRGBNormal or PointXYZRGBL: PCL matches fields by name), CloudCompare and Open3D.
 *
 * Fields (all 4 bytes, one point per surfel):
 *   x y z                       F  world position, metres
 *   normal_x normal_y normal_z  F  unit normal
 *   rgb                         F  packed 0x00RRGGBB reinterpreted as float (PCL convention; ASCII writes the
 *                                  uint32, as PCL does, because some packed colours are NaN as floats)
 *   curvature                   F  0 (surfels carry none; present so PointXYZRGBNormal loads without warnings)
 *   label                       U  13-class id 1..13, 0 = unlabelled
 *   label_prob                  F  probability of that label
 *   confidence                  F  fusion confidence (observation count weight)
 *   radius                      F  surfel radius, metres
 */

export type PcdEncoding = 'ascii' | 'binary';

export interface PcdWriteOptions {
  readonly encoding: PcdEncoding;
  /** Surfels below this confidence are left out (0 keeps all). */
  readonly minConfidence: number;
}

export const DEFAULT_PCD_WRITE_OPTIONS: Readonly<PcdWriteOptions> = Object.freeze({ encoding: 'binary', minConfidence: 0 });

type PcdType = 'F' | 'U' | 'I';

interface PcdField {
  readonly name: string;
  readonly type: PcdType;
}

export const PCD_FIELDS: readonly PcdField[] = [
  { name: 'x', type: 'F' }, { name: 'y', type: 'F' }, { name: 'z', type: 'F' },
  { name: 'normal_x', type: 'F' }, { name: 'normal_y', type: 'F' }, { name: 'normal_z', type: 'F' },
  { name: 'rgb', type: 'F' }, { name: 'curvature', type: 'F' },
  { name: 'label', type: 'U' }, { name: 'label_prob', type: 'F' }, { name: 'confidence', type: 'F' }, { name: 'radius', type: 'F' },
];

/** Packs RGB the PCL way: the uint32 0x00RRGGBB (alpha 0). */
export function packRgb(r: number, g: number, b: number): number {
  return ((r & 255) << 16 | (g & 255) << 8 | (b & 255)) >>> 0;
}

function selected(map: StoredMap, minConfidence: number): Uint32Array {
  const keep = new Uint32Array(map.count);
  let n = 0;
  for (let i = 0; i < map.count; i++) if (map.confidence[i] >= minConfidence) keep[n++] = i;
  return keep.subarray(0, n);
}

function header(points: number, encoding: PcdEncoding): string {
  return [
    '# .PCD v0.7 - Point Cloud Data file format (semslam labelled surfel map)',
    'VERSION 0.7',
    `FIELDS ${PCD_FIELDS.map((f) => f.name).join(' ')}`,
    `SIZE ${PCD_FIELDS.map(() => 4).join(' ')}`,
    `TYPE ${PCD_FIELDS.map((f) => f.type).join(' ')}`,
    `COUNT ${PCD_FIELDS.map(() => 1).join(' ')}`,
    `WIDTH ${points}`,
    'HEIGHT 1',
    'VIEWPOINT 0 0 0 1 0 0 0',
    `POINTS ${points}`,
    `DATA ${encoding}`,
    '',
  ].join('\n');
}

/** Encodes the map as a PCD file (bytes). */
export function encodePcd(map: StoredMap, options: Partial<PcdWriteOptions> = {}): Uint8Array {
  const o = { ...DEFAULT_PCD_WRITE_OPTIONS, ...options };
  const keep = selected(map, o.minConfidence);
  const n = keep.length;
  const head = Buffer.from(header(n, o.encoding), 'ascii');
  const { positions: p, normals: nm, colors: c, labels, labelProb, confidence, radii } = map;
  if (o.encoding === 'binary') {
    const stride = PCD_FIELDS.length * 4;
    const body = new ArrayBuffer(n * stride);
    const f32 = new Float32Array(body);
    const u32 = new Uint32Array(body);
    const w = PCD_FIELDS.length;
    for (let k = 0; k < n; k++) {
      const i = keep[k];
      const d = k * w;
      f32[d] = p[3 * i]; f32[d + 1] = p[3 * i + 1]; f32[d + 2] = p[3 * i + 2];
      f32[d + 3] = nm[3 * i]; f32[d + 4] = nm[3 * i + 1]; f32[d + 5] = nm[3 * i + 2];
      u32[d + 6] = packRgb(c[3 * i], c[3 * i + 1], c[3 * i + 2]);
      f32[d + 7] = 0;
      u32[d + 8] = labels[i];
      f32[d + 9] = labelProb[i]; f32[d + 10] = confidence[i]; f32[d + 11] = radii[i];
    }
    // PCD binary is the host's memory layout; every platform Node runs on here is little-endian.
    return Buffer.concat([head, Buffer.from(body)]);
  }
  const lines: string[] = [];
  // Float32 values printed with 9 significant digits round-trip exactly through parseFloat → Math.fround.
  const f = (v: number): string => String(Number(v.toPrecision(9)));
  for (let k = 0; k < n; k++) {
    const i = keep[k];
    lines.push([
      f(p[3 * i]), f(p[3 * i + 1]), f(p[3 * i + 2]), f(nm[3 * i]), f(nm[3 * i + 1]), f(nm[3 * i + 2]),
      String(packRgb(c[3 * i], c[3 * i + 1], c[3 * i + 2])), '0', String(labels[i]),
      f(labelProb[i]), f(confidence[i]), f(radii[i]),
    ].join(' '));
  }
  return Buffer.concat([head, Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '', 'ascii')]);
}

export interface PcdWriteResult {
  readonly path: string;
  readonly points: number;
  readonly bytes: number;
}

export function writePcd(path: string, map: StoredMap, options: Partial<PcdWriteOptions> = {}): PcdWriteResult {
  const bytes = encodePcd(map, options);
  writeFileSync(path, bytes);
  const points = Number(/^POINTS (\d+)$/m.exec(Buffer.from(bytes.subarray(0, 1024)).toString('latin1'))?.[1] ?? 0);
  return { path, points, bytes: bytes.byteLength };
}

// ---- reader (for tests and round trips; reads any ascii/binary PCD with 1-, 2-, 4- or 8-byte scalar fields)

export interface PcdCloud {
  readonly points: number;
  readonly encoding: PcdEncoding;
  readonly fields: readonly string[];
  /** One array per field; F fields as Float64Array (exact for F4 and F8), U/I as Float64Array too. */
  readonly columns: Readonly<Record<string, Float64Array>>;
  /** Raw uint32 bits of the `rgb` field when present (unpack with r = v >> 16 & 255, ...). */
  readonly rgb?: Uint32Array;
}

export function decodePcd(bytes: Uint8Array, file = '<pcd>'): PcdCloud {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const keys = new Map<string, string[]>();
  let offset = 0;
  for (;;) {
    const eol = text.indexOf('\n', offset);
    if (eol < 0) throw new InputError(file, 'PCD header has no DATA line');
    const line = text.slice(offset, eol).trim();
    offset = eol + 1;
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split(/\s+/);
    keys.set(key.toUpperCase(), rest);
    if (key.toUpperCase() === 'DATA') break;
  }
  const need = (k: string): string[] => {
    const v = keys.get(k);
    if (!v) throw new InputError(file, `PCD header lacks ${k}`);
    return v;
  };
  const fields = need('FIELDS');
  const sizes = need('SIZE').map(Number);
  const types = need('TYPE');
  const counts = keys.get('COUNT')?.map(Number) ?? fields.map(() => 1);
  const points = Number((keys.get('POINTS') ?? [String(Number(need('WIDTH')[0]) * Number(keys.get('HEIGHT')?.[0] ?? 1))])[0]);
  const encoding = need('DATA')[0];
  if (encoding !== 'ascii' && encoding !== 'binary') throw new InputError(file, `PCD DATA ${encoding} is not supported (ascii or binary)`);
  if (sizes.length !== fields.length || types.length !== fields.length || counts.length !== fields.length) {
    throw new InputError(file, 'PCD header FIELDS, SIZE, TYPE and COUNT differ in length');
  }
  if (counts.some((c) => c !== 1)) throw new InputError(file, 'PCD fields with COUNT > 1 are not supported');
  const columns: Record<string, Float64Array> = {};
  for (const name of fields) columns[name] = new Float64Array(points);
  const rgbIndex = fields.indexOf('rgb');
  const rgb = rgbIndex >= 0 ? new Uint32Array(points) : undefined;
  if (encoding === 'ascii') {
    const rows = text.slice(offset).split('\n').filter((l) => l.trim() !== '');
    if (rows.length !== points) throw new InputError(file, `PCD says ${points} points, has ${rows.length} rows`);
    const scratch = new DataView(new ArrayBuffer(4));
    rows.forEach((row, k) => {
      const v = row.trim().split(/\s+/);
      if (v.length !== fields.length) throw new InputError(file, `PCD row ${k} has ${v.length} values, expected ${fields.length}`);
      fields.forEach((name, j) => {
        const x = Number(v[j]);
        if (j === rgbIndex && rgb) {
          rgb[k] = x >>> 0;
          scratch.setUint32(0, rgb[k], true);
          columns[name][k] = scratch.getFloat32(0, true);
        } else {
          // A 4-byte float field holds float32 values: round as a binary reader would.
          columns[name][k] = types[j] === 'F' && sizes[j] === 4 ? Math.fround(x) : x;
        }
      });
    });
  } else {
    const stride = sizes.reduce((a, b) => a + b, 0);
    if (bytes.byteLength - offset < points * stride) throw new InputError(file, `PCD binary body is truncated: ${bytes.byteLength - offset} bytes for ${points} points of ${stride}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, points * stride);
    const fieldOffsets = sizes.map((_, j) => sizes.slice(0, j).reduce((a, b) => a + b, 0));
    for (let k = 0; k < points; k++) {
      for (let j = 0; j < fields.length; j++) {
        const at = k * stride + fieldOffsets[j];
        const t = types[j];
        const s = sizes[j];
        let x: number;
        if (t === 'F') x = s === 8 ? view.getFloat64(at, true) : view.getFloat32(at, true);
        else if (t === 'U') x = s === 1 ? view.getUint8(at) : s === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
        else x = s === 1 ? view.getInt8(at) : s === 2 ? view.getInt16(at, true) : view.getInt32(at, true);
        columns[fields[j]][k] = x;
        if (j === rgbIndex && rgb) rgb[k] = view.getUint32(at, true);
      }
    }
  }
  return { points, encoding, fields, columns, ...(rgb ? { rgb } : {}) };
}
