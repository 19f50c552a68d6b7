import { describe, expect, it } from 'vitest';
import { decodePly, encodePly } from '../../main/export/ply.js';
import { decodePlyAscii, encodePlyAscii } from '../../main/export/plyAscii.js';
import { encodeMap } from '../../main/export/exportMap.js';
import { decodePcd } from '../../main/export/pcd.js';
import { makeMap } from '../store/helpers/fixtures.js';

const headerOf = (bytes: Uint8Array): string[] => Buffer.from(bytes).toString('latin1').split('end_header')[0].split('\n');

describe('ASCII PLY', () => {
  it('has the binary writer\'s header apart from the format line', () => {
    const map = makeMap(5);
    const ascii = headerOf(encodePlyAscii(map, ['x']));
    const binary = headerOf(encodePly(map, ['x']));
    expect(ascii[1]).toBe('format ascii 1.0');
    expect(binary[1]).toBe('format binary_little_endian 1.0');
    expect(ascii.filter((_, i) => i !== 1)).toEqual(binary.filter((_, i) => i !== 1));
  });

  it('round-trips every property exactly (float32 values, bytes)', () => {
    const map = makeMap(200, 2);
    const ascii = decodePlyAscii('m.ply', encodePlyAscii(map));
    const binary = decodePly('m.ply', encodePly(map));
    expect(ascii.count).toBe(200);
    expect(Float32Array.from(ascii.columns.x)).toEqual(binary.positions.filter((_, i) => i % 3 === 0));
    expect(Float32Array.from(ascii.columns.nz)).toEqual(binary.normals.filter((_, i) => i % 3 === 2));
    expect(Uint8Array.from(ascii.columns.green)).toEqual(binary.colors.filter((_, i) => i % 3 === 1));
    expect(Uint8Array.from(ascii.columns.label)).toEqual(binary.labels);
    expect(Float32Array.from(ascii.columns.label_prob)).toEqual(binary.labelProb);
    expect(Float32Array.from(ascii.columns.radius)).toEqual(binary.radii);
  });
});

describe('encodeMap', () => {
  it('filters by confidence for every format', () => {
    const map = makeMap(100);
    const kept = Array.from(map.confidence).filter((c) => c >= 12).length;
    expect(decodePly('a.ply', encodeMap(map, { format: 'ply', minConfidence: 12 }).bytes).count).toBe(kept);
    expect(decodePlyAscii('a.ply', encodeMap(map, { format: 'ply', encoding: 'ascii', minConfidence: 12 }).bytes).count).toBe(kept);
    const pcd = decodePcd(encodeMap(map, { format: 'pcd', minConfidence: 12 }).bytes);
    expect(pcd.points).toBe(kept);
    // The selection keeps each surfel's attributes together.
    const first = Array.from(map.confidence).findIndex((c) => c >= 12);
    expect(pcd.columns.x[0]).toBe(map.positions[3 * first]);
    expect(pcd.columns.label[0]).toBe(map.labels[first]);
  });
});
