/**
 * Readers skip the generator's per-frame extras (labels, exact depth) when told to: mapping without labels then
 * decodes, resizes and passes on two images fewer per frame. Every format that stores them, and the reading thread.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrefetchingReader } from '../../main/pipeline/prefetch/prefetchingReader.js';
import { openSequence } from '../../main/sources/open.js';
import { createSequenceWriter, type WritableFormat } from '../../main/sources/writers.js';
import { createSyntheticSequence } from '../../main/synth/sequence.js';

let dir: string;
const paths: Partial<Record<WritableFormat, string>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semslam-extras-'));
  const seq = createSyntheticSequence({ seed: 2, frames: 2, width: 80, height: 60 });
  for (const format of ['tum', 'nyu', 'mcap'] as const) {
    const path = join(dir, format === 'mcap' ? 'bag.mcap' : format);
    const w = await createSequenceWriter(format, path, { intrinsics: seq.info.intrinsics });
    for await (const frame of seq.frames()) await w.write(frame);
    await w.close();
    paths[format] = path;
  }
}, 60_000);

afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('per-frame extras', () => {
  for (const format of ['tum', 'nyu', 'mcap'] as const) {
    it(`${format}: read by default, skipped one by one when not wanted`, async () => {
      const all = await openSequence(paths[format]!);
      const f = await all.read(1);
      expect(f.labels40?.length).toBe(80 * 60);
      expect(f.depthGroundTruth?.length).toBe(80 * 60);
      await all.close?.();
      const noGt = await openSequence(paths[format]!, { extras: { depthGroundTruth: false } });
      const g = await noGt.read(1);
      expect(g.labels40).toEqual(f.labels40);
      expect(g.depthGroundTruth).toBeUndefined();
      expect(g.depth).toEqual(f.depth);
      await noGt.close?.();
      const none = await openSequence(paths[format]!, { extras: { labels: false, depthGroundTruth: false } });
      const h = await none.read(1);
      expect([h.labels40, h.depthGroundTruth]).toEqual([undefined, undefined]);
      expect(h.rgb).toEqual(f.rgb);
      await none.close?.();
    });
  }

  it('the reading thread drops them from a synthetic sequence, which renders them all', async () => {
    const reader = await PrefetchingReader.open('synth:seed=2,frames=2,size=80x60', { extras: { labels: false, depthGroundTruth: false } });
    try {
      const f = await reader.read(0);
      expect([f.labels40, f.depthGroundTruth]).toEqual([undefined, undefined]);
      expect(f.depth.length).toBe(80 * 60);
    } finally {
      await reader.close();
    }
    const all = await PrefetchingReader.open('synth:seed=2,frames=2,size=80x60');
    try {
      expect((await all.read(0)).labels40?.length).toBe(80 * 60);
    } finally {
      await all.close();
    }
  });
});
