import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePcd, encodePcd, packRgb, PCD_FIELDS, writePcd } from '../../main/export/pcd.js';
import { makeMap } from '../store/helpers/fixtures.js';

function expectCloudMatchesMap(bytes: Uint8Array, n: number): void {
  const map = makeMap(n, 3);
  const cloud = decodePcd(bytes);
  expect(cloud.points).toBe(n);
  expect(cloud.fields).toEqual(PCD_FIELDS.map((f) => f.name));
  for (let i = 0; i < n; i++) {
    expect(cloud.columns.x[i]).toBe(map.positions[3 * i]);
    expect(cloud.columns.y[i]).toBe(map.positions[3 * i + 1]);
    expect(cloud.columns.z[i]).toBe(map.positions[3 * i + 2]);
    expect(cloud.columns.normal_y[i]).toBe(map.normals[3 * i + 1]);
    expect(cloud.rgb![i]).toBe(packRgb(map.colors[3 * i], map.colors[3 * i + 1], map.colors[3 * i + 2]));
    expect(cloud.rgb![i] >> 16 & 255).toBe(map.colors[3 * i]);
    expect(cloud.columns.label[i]).toBe(map.labels[i]);
    expect(cloud.columns.label_prob[i]).toBe(map.labelProb[i]);
    expect(cloud.columns.confidence[i]).toBe(map.confidence[i]);
    expect(cloud.columns.radius[i]).toBe(map.radii[i]);
    expect(cloud.columns.curvature[i]).toBe(0);
  }
}

describe('PCD export', () => {
  it('binary round-trips every field bit-exactly and has the PCL header', () => {
    const bytes = encodePcd(makeMap(500, 3), { encoding: 'binary' });
    const head = Buffer.from(bytes).toString('latin1', 0, 400);
    expect(head).toMatch(/^# \.PCD v0\.7/);
    expect(head).toContain('\nFIELDS x y z normal_x normal_y normal_z rgb curvature label label_prob confidence radius\n');
    expect(head).toContain('\nTYPE F F F F F F F F U F F F\n');
    expect(head).toContain('\nWIDTH 500\nHEIGHT 1\n');
    expect(head).toContain('\nPOINTS 500\nDATA binary\n');
    expect(bytes.byteLength - head.indexOf('DATA binary\n') - 'DATA binary\n'.length).toBe(500 * 48);
    expectCloudMatchesMap(bytes, 500);
  });

  it('ASCII round-trips every field exactly and writes rgb as the packed uint32', () => {
    const bytes = encodePcd(makeMap(300, 3), { encoding: 'ascii' });
    const text = Buffer.from(bytes).toString('latin1');
    const firstRow = text.split('DATA ascii\n')[1].split('\n')[0].split(' ');
    expect(firstRow[6]).toBe(String(packRgb(3, 0, 0)));
    expectCloudMatchesMap(bytes, 300);
  });

  it('leaves out surfels below minConfidence', () => {
    const map = makeMap(100);
    const cloud = decodePcd(encodePcd(map, { minConfidence: 10 }));
    const expected = Array.from(map.confidence).filter((c) => c >= 10).length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(100);
    expect(cloud.points).toBe(expected);
    expect(Math.min(...cloud.columns.confidence)).toBeGreaterThanOrEqual(10);
  });

  it('writes a file and reports points and bytes; an empty map is a valid empty cloud', () => {
    const dir = mkdtempSync(join(tmpdir(), 'semslam-pcd-'));
    try {
      const r = writePcd(join(dir, 'm.pcd'), makeMap(42), { encoding: 'ascii' });
      expect(r.points).toBe(42);
      expect(readFileSync(r.path).byteLength).toBe(r.bytes);
      expect(decodePcd(encodePcd(makeMap(0))).points).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the reader names the file and problem for damaged input', () => {
    const bytes = encodePcd(makeMap(10));
    expect(() => decodePcd(bytes.subarray(0, bytes.byteLength - 5), 'x.pcd')).toThrow(/x\.pcd: PCD binary body is truncated/);
    expect(() => decodePcd(Buffer.from('VERSION 0.7\nFIELDS x\n'), 'y.pcd')).toThrow(/y\.pcd: PCD header has no DATA line/);
  });
});
