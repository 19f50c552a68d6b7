import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../main/contract/channels.js';
import { decodeMapDelta } from '../../main/contract/mapDelta.js';
import { SessionLoop } from '../../main/session/sessionLoop.js';
import { SurfelStore } from '../../renderer/scene/surfelStore.js';

const SEVEN_SCENES = resolve('../shared/data/real/7scenes-redkitchen-150-199');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'semslam-delta-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('map deltas from a session', () => {
  it('keep a renderer store equal to the map when one delta spans several frames of creations and removals', async () => {
    const store = new SurfelStore();
    const disagreements: string[] = [];
    let removed = 0;
    let deltas = 0;
    const emit = (e: AppEvent): void => {
      if (e.channel !== 'mapDelta') return;
      const d = decodeMapDelta(e.payload.packet);
      if (!d.ok) throw new Error(d.message);
      store.apply(d.value);
      if (!d.value.more) deltas++;
      removed += d.value.removed;
      // An update may come as several packets: the view equals the map after its last.
      if (!d.value.more && store.count !== d.value.total) disagreements.push(`frame ${d.value.frame}: view ${store.count}, map ${d.value.total}`);
    };
    // 2 updates a second against ~10 frames a second: most deltas carry several frames' changes.
    const loop = await SessionLoop.create({
      source: SEVEN_SCENES, mode: 'rgbd', downscale: 2, database: join(dir, 's.db'), modelFile: join(dir, 'no-model.onnx'),
      paused: true, updateHz: 2,
    }, emit);
    loop.play();
    await loop.finished;
    const map = loop.snapshot()!;
    expect(disagreements).toEqual([]);
    expect(deltas).toBeLessThan(loop.processedFrames.length);
    expect(removed).toBeGreaterThan(0);
    expect(store.count).toBe(map.count);
    expect(new Set(Array.from(store.ids.subarray(0, store.count)))).toEqual(new Set(Array.from(map.ids)));
  }, 120_000);
});
