import { describe, expect, it } from 'vitest';
import { DisplayDeltaFilter } from '../../fusion/display-filter.js';
import { SurfelMap } from '../../fusion/surfel-map.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import { DEFAULT_BOX_SCENE, lookAt, renderBoxScene } from './helpers/box-scene.js';

describe('display delta filter', () => {
  const make = () => {
    const map = new SurfelMap({ initialCapacity: 4 });
    const s = map.add(1, 2, 3, 0, 0, -1, 0.01, 100, 110, 120, 2, 0);
    return { map, s, filter: new DisplayDeltaFilter() };
  };

  it('sends a surfel the viewer has not got, then only visible changes', () => {
    const { map, s, filter } = make();
    expect(filter.changed(map, s, 0)).toBe(true);
    filter.record(map, s, 0);
    expect(filter.changed(map, s, 0)).toBe(false);
    // Sub-millimetre averaging: nothing to send; the moves add up, and past 2 mm it is sent.
    map.position[3 * s] += 0.0008;
    expect(filter.changed(map, s, 0)).toBe(false);
    map.position[3 * s] += 0.0008;
    expect(filter.changed(map, s, 0)).toBe(false);
    map.position[3 * s] += 0.0008;
    expect(filter.changed(map, s, 0)).toBe(true);
  });

  it('always sends a new label, stability, a turned normal, a colour or radius change, a confidence step', () => {
    const cases: ((m: SurfelMap, s: number) => void)[] = [
      (m, s) => { m.label[s] = 5; },
      (m, s) => { m.normal[3 * s] = 0.2; m.normal[3 * s + 2] = -Math.sqrt(1 - 0.04); },
      (m, s) => { m.color[3 * s + 1] += 20; },
      (m, s) => { m.radius[s] *= 1.5; },
      (m, s) => { m.confidence[s] += 3; },
    ];
    for (const change of cases) {
      const { map, s, filter } = make();
      filter.record(map, s, 0);
      change(map, s);
      expect(filter.changed(map, s, 0)).toBe(true);
    }
    const { map, s, filter } = make();
    filter.record(map, s, 0);
    expect(filter.changed(map, s, 1)).toBe(true);
    // Beyond what the viewer shows (confidence saturates at 20 observations), confidence alone is not news.
    map.confidence[s] = 25;
    filter.record(map, s, 1);
    map.confidence[s] = 40;
    expect(filter.changed(map, s, 1)).toBe(false);
  });

  it('a slot reused by another surfel is news', () => {
    const { map, s, filter } = make();
    filter.record(map, s, 0);
    map.remove(s, 1);
    const t = map.add(1, 2, 3, 0, 0, -1, 0.01, 100, 110, 120, 2, 1);
    expect(t).toBe(s);
    expect(filter.changed(map, t, 0)).toBe(true);
  });

  it('cuts what a static camera re-sends to what changed visibly, and a full snapshot resets it', () => {
    const K = { width: 160, height: 120, fx: 131.25, fy: 131.25, cx: 79.5, cy: 59.5 };
    const pose = lookAt([0.2, 0.1, -1.2], [0, 0.3, 2]);
    const fusion = new SurfelFusion(K, { trackingMethod: 'pointToPlane' });
    const filter = new DisplayDeltaFilter();
    const view = renderBoxScene(DEFAULT_BOX_SCENE, pose, K);
    fusion.processFrame({ rgb: view.rgb, depth: view.depth, timestamp: 0, T_world_camera_hint: pose });
    const all = fusion.snapshot(filter);
    expect(all.count).toBeGreaterThan(1000);
    for (let f = 1; f <= 8; f++) fusion.processFrame({ rgb: view.rgb, depth: view.depth, timestamp: f / 30 });
    const unfiltered = fusion.changedSince(0);
    const filtered = fusion.changedSince(0, filter);
    expect(unfiltered.count).toBeGreaterThan(0.9 * all.count);
    // Exact depth from the same pose: surfels do not move; what is left is confidence crossing quantisation steps.
    expect(filtered.count).toBeLessThan(unfiltered.count);
    // Past 20 observations confidence is saturated for the viewer: one more identical frame is news for few surfels (edges, slow confidence).
    for (let f = 9; f <= 30; f++) fusion.processFrame({ rgb: view.rgb, depth: view.depth, timestamp: f / 30 });
    fusion.changedSince(0, filter);
    const before = fusion.frameIndex;
    fusion.processFrame({ rgb: view.rgb, depth: view.depth, timestamp: 31 / 30 });
    expect(fusion.changedSince(before).count).toBeGreaterThan(0.9 * all.count);
    expect(fusion.changedSince(before, filter).count).toBeLessThan(0.05 * all.count);
    expect(fusion.snapshot(filter).count).toBe(fusion.surfelCount);
  });
});
