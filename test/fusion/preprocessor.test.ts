import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../fusion/camera.js';
import { Preprocessor } from '../../fusion/preprocessor.js';
import { DEFAULT_BOX_SCENE, lookAt, mulberry32, renderBoxScene } from './helpers/box-scene.js';

const K: Intrinsics = { width: 320, height: 240, fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5 };

describe('Preprocessor', () => {
  it('packs every pixel with depth and a normal, in pixel order, across its parts\' segments', () => {
    const v = renderBoxScene(DEFAULT_BOX_SCENE, lookAt([0.2, 0.1, -1.2], [0, 0.3, 2]), K);
    // Holes, so that parts pack different numbers of points.
    const depth = v.depth.slice();
    const rand = mulberry32(3);
    for (let i = 0; i < depth.length; i++) if (rand() < 0.05 || (i % K.width < 40 && i < 100 * K.width)) depth[i] = 0;
    const pre = new Preprocessor(K, { levels: 3, rawTrackingPoints: true });
    pre.run(depth, v.rgb);
    for (const [l, level] of pre.levels.entries()) {
      const expected: number[] = [];
      for (let i = 0; i < level.width * level.height; i++) {
        const n = level.normal;
        if (level.depth[i] === 0 || (n[3 * i] === 0 && n[3 * i + 1] === 0 && n[3 * i + 2] === 0)) continue;
        if (l === 0 && pre.rawDepth[i] === 0) continue;
        expected.push(i);
      }
      expect(level.validCount, `level ${l}`).toBe(expected.length);
      if (l === 0) expect(level.validSegmentCount).toBeGreaterThan(4);
      // Walk the segments as the tracker does: point k of segment s is entry validAt[s] + k − validFirst[s].
      let k = 0;
      for (let s = 0; s < level.validSegmentCount; s++) {
        for (let g = level.validFirst[s]; g < level.validFirst[s + 1]; g++, k++) {
          const e = 6 * (level.validAt[s] + g - level.validFirst[s]);
          const i = expected[k];
          const z = l === 0 ? pre.rawDepth[i] : level.depth[i];
          expect(level.valid[e + 2]).toBeCloseTo(z, 6);
          expect(level.valid[e + 3]).toBe(level.normal[3 * i]);
          expect(level.valid[e + 5]).toBe(level.normal[3 * i + 2]);
        }
      }
      expect(k).toBe(expected.length);
    }
  });
});
