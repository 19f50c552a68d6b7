import { readFile, writeFile } from 'node:fs/promises';
import { NYU13_NAMES } from '../../fusion/classes.js';
import { InputError } from '../errors.js';

/**
 * Binary little-endian PLY of a fused surfel map, readable by MeshLab, CloudCompare and Open3D:
 * x y z nx ny nz (float) red green blue (uchar) radius confidence (float) label (uchar) label_prob (float).
 * `label` is the 13-class id (0 = unlabelled); the header lists the class names as comments.
 */

export interface PlySurfels {
  readonly count: number;
  /** xyz per surfel, metres, world frame. */
  readonly positions: ArrayLike<number>;
  /** Unit normal per surfel. */
  readonly normals: ArrayLike<number>;
  /** RGB per surfel, 0..255. */
  readonly colors: ArrayLike<number>;
  readonly radii: ArrayLike<number>;
  readonly confidence: ArrayLike<number>;
  /** 13-class id per surfel, 0 = unlabelled. */
  readonly labels: ArrayLike<number>;
  /** Probability of `labels` per surfel. */
  readonly labelProb: ArrayLike<number>;
}

export interface DecodedPly extends PlySurfels {
  readonly positions: Float32Array;
  readonly normals: Float32Array;
  readonly colors: Uint8Array;
  readonly radii: Float32Array;
  readonly confidence: Float32Array;
  readonly labels: Uint8Array;
  readonly labelProb: Float32Array;
  readonly comments: readonly string[];
}

type PlyType = 'float' | 'uchar';
const PROPERTIES: readonly (readonly [string, PlyType])[] = [
  ['x', 'float'], ['y', 'float'], ['z', 'float'],
  ['nx', 'float'], ['ny', 'float'], ['nz', 'float'],
  ['red', 'uchar'], ['green', 'uchar'], ['blue', 'uchar'],
  ['radius', 'float'], ['confidence', 'float'],
  ['label', 'uchar'], ['label_prob', 'float'],
];
/** 9 floats + 4 uchars = 40 bytes. */
const RECORD_BYTES = PROPERTIES.reduce((s, [, t]) => s + (t === 'float' ? 4 : 1), 0);

function header(count: number, extraComments: readonly string[]): string {
  const lines = ['ply', 'format binary_little_endian 1.0', 'comment semslam fused surfel map'];
  for (const c of extraComments) lines.push(`comment ${c.replace(/[\r\n]+/g, ' ')}`);
  NYU13_NAMES.forEach((name, id) => lines.push(`comment label ${id} ${name}`));
  lines.push(`element vertex ${count}`);
  for (const [name, type] of PROPERTIES) lines.push(`property ${type} ${name}`);
  lines.push('end_header');
  return `${lines.join('\n')}\n`;
}

export function encodePly(s: PlySurfels, comments: readonly string[] = []): Uint8Array {
  const head = new TextEncoder().encode(header(s.count, comments));
  const out = new Uint8Array(head.length + s.count * RECORD_BYTES);
  out.set(head, 0);
  const view = new DataView(out.buffer, out.byteOffset + head.length);
  let o = 0;
  const f = (v: number) => { view.setFloat32(o, v, true); o += 4; };
  const u = (v: number) => { view.setUint8(o, Math.max(0, Math.min(255, Math.round(v)))); o += 1; };
  for (let i = 0; i < s.count; i++) {
    f(s.positions[3 * i]); f(s.positions[3 * i + 1]); f(s.positions[3 * i + 2]);
    f(s.normals[3 * i]); f(s.normals[3 * i + 1]); f(s.normals[3 * i + 2]);
    u(s.colors[3 * i]); u(s.colors[3 * i + 1]); u(s.colors[3 * i + 2]);
    f(s.radii[i]); f(s.confidence[i]);
    u(s.labels[i]); f(s.labelProb[i]);
  }
  return out;
}

export async function writePly(path: string, s: PlySurfels, comments: readonly string[] = []): Promise<void> {
  await writeFile(path, encodePly(s, comments));
}

/** Reads back exactly the layout encodePly writes (for tests and tools); anything else is an InputError. */
export function decodePly(path: string, bytes: Uint8Array): DecodedPly {
  const marker = new TextEncoder().encode('end_header\n');
  let end = -1;
  for (let i = 0; i + marker.length <= Math.min(bytes.length, 1 << 16); i++) {
    let match = true;
    for (let k = 0; k < marker.length && match; k++) match = bytes[i + k] === marker[k];
    if (match) { end = i + marker.length; break; }
  }
  if (end < 0) throw new InputError(path, 'not a PLY file (no end_header)');
  const lines = new TextDecoder().decode(bytes.subarray(0, end)).split('\n').filter((l) => l.length > 0);
  if (lines[0] !== 'ply') throw new InputError(path, 'not a PLY file (missing "ply" magic)');
  if (lines[1] !== 'format binary_little_endian 1.0') throw new InputError(path, `unsupported PLY format "${lines[1]}"`);
  const comments = lines.filter((l) => l.startsWith('comment ')).map((l) => l.slice(8));
  const vertexLine = lines.find((l) => l.startsWith('element vertex '));
  const count = vertexLine ? Number(vertexLine.slice(15)) : NaN;
  if (!Number.isInteger(count) || count < 0) throw new InputError(path, 'PLY header has no valid "element vertex N"');
  const props = lines.filter((l) => l.startsWith('property ')).map((l) => l.split(' ').slice(1).join(' '));
  const expected = PROPERTIES.map(([n, t]) => `${t} ${n}`);
  if (props.join(',') !== expected.join(',')) throw new InputError(path, `unexpected PLY properties (${props.join(', ')})`);
  if (bytes.length < end + count * RECORD_BYTES) throw new InputError(path, `PLY truncated: ${count} vertices need ${count * RECORD_BYTES} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + end);
  const positions = new Float32Array(3 * count), normals = new Float32Array(3 * count), colors = new Uint8Array(3 * count);
  const radii = new Float32Array(count), confidence = new Float32Array(count), labels = new Uint8Array(count), labelProb = new Float32Array(count);
  let o = 0;
  const f = () => { const v = view.getFloat32(o, true); o += 4; return v; };
  const u = () => view.getUint8(o++);
  for (let i = 0; i < count; i++) {
    positions[3 * i] = f(); positions[3 * i + 1] = f(); positions[3 * i + 2] = f();
    normals[3 * i] = f(); normals[3 * i + 1] = f(); normals[3 * i + 2] = f();
    colors[3 * i] = u(); colors[3 * i + 1] = u(); colors[3 * i + 2] = u();
    radii[i] = f(); confidence[i] = f(); labels[i] = u(); labelProb[i] = f();
  }
  return { count, positions, normals, colors, radii, confidence, labels, labelProb, comments };
}

export async function readPly(path: string): Promise<DecodedPly> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new InputError(path, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return decodePly(path, bytes);
}
