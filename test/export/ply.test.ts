import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePly, decodePly, writePly, readPly } from '../../main/export/ply.js';
import { InputError } from '../../main/errors.js';

const surfels = {
  count: 2,
  positions: Float32Array.of(0.5, -1, 2.25, 3, 4, 5),
  normals: Float32Array.of(0, 0, -1, 1, 0, 0),
  colors: Uint8Array.of(255, 0, 10, 1, 2, 3),
  radii: Float32Array.of(0.01, 0.02),
  confidence: Float32Array.of(3, 10),
  labels: Uint8Array.of(12, 0),
  labelProb: Float32Array.of(0.75, 0),
};

describe('PLY export', () => {
  it('round-trips every field and names the classes in the header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'semslam-ply-'));
    try {
      const file = join(dir, 'map.ply');
      await writePly(file, surfels, ['sequence demo']);
      const back = await readPly(file);
      expect(back.count).toBe(2);
      expect(back.positions).toEqual(surfels.positions);
      expect(back.normals).toEqual(surfels.normals);
      expect(back.colors).toEqual(surfels.colors);
      expect(back.radii).toEqual(surfels.radii);
      expect(back.confidence).toEqual(surfels.confidence);
      expect(back.labels).toEqual(surfels.labels);
      expect(back.labelProb).toEqual(surfels.labelProb);
      expect(back.comments).toContain('sequence demo');
      expect(back.comments).toContain('label 12 wall');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the size of the header plus 9 floats and 4 bytes per vertex', () => {
    const bytes = encodePly(surfels);
    const headerEnd = Buffer.from(bytes).indexOf('end_header\n') + 'end_header\n'.length;
    expect(bytes.length - headerEnd).toBe(2 * (9 * 4 + 4));
  });

  it('rejects a truncated file naming the problem', () => {
    const bytes = encodePly(surfels);
    expect(() => decodePly('x.ply', bytes.subarray(0, bytes.length - 5))).toThrow(InputError);
    expect(() => decodePly('x.ply', bytes.subarray(0, bytes.length - 5))).toThrow(/x\.ply: PLY truncated/);
  });
});
