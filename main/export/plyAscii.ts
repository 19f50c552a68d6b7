import { writeFile } from 'node:fs/promises';
import { NYU13_NAMES } from '../../fusion/classes.js';
import { InputError } from '../errors.js';
import type { PlySurfels } from './ply.js';

/**
 * ASCII PLY with exactly the vertex properties of the binary writer in ply.ts (x y z nx ny nz red green blue
 * radius confidence label label_prob), for tools and eyes that want text. Kept in its own file so ply.ts stays
 * its owner's; the property list is restated here and a test checks both headers agree.
 */

export const PLY_ASCII_PROPERTIES: readonly string[] = [
  'float x', 'float y', 'float z', 'float nx', 'float ny', 'float nz',
  'uchar red', 'uchar green', 'uchar blue', 'float radius', 'float confidence', 'uchar label', 'float label_prob',
];

// Float32 values printed with 9 significant digits read back exactly.
const f = (v: number): string => String(Number(Math.fround(v).toPrecision(9)));
const u = (v: number): string => String(Math.max(0, Math.min(255, Math.round(v))));

export function encodePlyAscii(s: PlySurfels, comments: readonly string[] = []): Uint8Array {
  const lines = ['ply', 'format ascii 1.0', 'comment semslam fused surfel map'];
  for (const c of comments) lines.push(`comment ${c.replace(/[\r\n]+/g, ' ')}`);
  NYU13_NAMES.forEach((name, id) => lines.push(`comment label ${id} ${name}`));
  lines.push(`element vertex ${s.count}`);
  for (const p of PLY_ASCII_PROPERTIES) lines.push(`property ${p}`);
  lines.push('end_header');
  for (let i = 0; i < s.count; i++) {
    lines.push([
      f(s.positions[3 * i]), f(s.positions[3 * i + 1]), f(s.positions[3 * i + 2]),
      f(s.normals[3 * i]), f(s.normals[3 * i + 1]), f(s.normals[3 * i + 2]),
      u(s.colors[3 * i]), u(s.colors[3 * i + 1]), u(s.colors[3 * i + 2]),
      f(s.radii[i]), f(s.confidence[i]), u(s.labels[i]), f(s.labelProb[i]),
    ].join(' '));
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'ascii');
}

export async function writePlyAscii(path: string, s: PlySurfels, comments: readonly string[] = []): Promise<void> {
  await writeFile(path, encodePlyAscii(s, comments));
}

/** Reads what encodePlyAscii writes: one Float64Array per property (for tests and tools). */
export function decodePlyAscii(path: string, bytes: Uint8Array): { count: number; columns: Record<string, Float64Array> } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('ascii');
  const [head, body] = text.split('end_header\n');
  if (body === undefined) throw new InputError(path, 'not a PLY file (no end_header)');
  const lines = head.split('\n');
  if (lines[0] !== 'ply' || lines[1] !== 'format ascii 1.0') throw new InputError(path, 'not an ASCII PLY file');
  const count = Number(lines.find((l) => l.startsWith('element vertex '))?.slice(15));
  const names = lines.filter((l) => l.startsWith('property ')).map((l) => l.split(' ')[2]);
  const rows = body.split('\n').filter((l) => l.length > 0);
  if (!Number.isInteger(count) || rows.length !== count) throw new InputError(path, `PLY says ${count} vertices, has ${rows.length} rows`);
  const columns: Record<string, Float64Array> = {};
  for (const n of names) columns[n] = new Float64Array(count);
  rows.forEach((row, i) => {
    const v = row.split(' ');
    if (v.length !== names.length) throw new InputError(path, `PLY row ${i} has ${v.length} values, expected ${names.length}`);
    names.forEach((n, j) => { columns[n][i] = Number(v[j]); });
  });
  return { count, columns };
}
