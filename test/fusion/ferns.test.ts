import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../fusion/camera.js';
import { FernDatabase } from '../../fusion/ferns.js';
import { identityPose } from '../../fusion/pose.js';
import { DEFAULT_BOX_SCENE, lookAt, renderBoxScene } from './helpers/box-scene.js';

const K: Intrinsics = { width: 160, height: 120, fx: 131.25, fy: 131.25, cx: 79.5, cy: 59.5 };

describe('randomised ferns over keyframes', () => {
  const views = [
    lookAt([0, 0, -1.5], [0, 0.3, 2]), lookAt([0, 0, -1.5], [-1.8, 0.3, 1]), lookAt([0, 0, -1.5], [1.8, 0.3, 1]),
    lookAt([1, 0, 1.5], [-1, 0.3, 2.9]), lookAt([-1, -0.5, 2.5], [0.5, 0.5, -1.5]),
  ].map((T) => renderBoxScene(DEFAULT_BOX_SCENE, T, K));

  it('encodes deterministically: one code (4 bits: R, G, B, depth) per fern; the same seed gives the same ferns', () => {
    const a = new FernDatabase({ ferns: 300, seed: 7 }), b = new FernDatabase({ ferns: 300, seed: 7 }), c = new FernDatabase({ ferns: 300, seed: 8 });
    const v = views[0];
    const ca = a.encode(v.rgb, v.depth, K.width, K.height);
    expect(ca.length).toBe(300);
    expect(Math.max(...ca)).toBeLessThan(16);
    expect(new Set(ca).size).toBeGreaterThan(4);
    expect(FernDatabase.dissimilarity(ca, b.encode(v.rgb, v.depth, K.width, K.height))).toBe(0);
    expect(FernDatabase.dissimilarity(ca, c.encode(v.rgb, v.depth, K.width, K.height))).toBeGreaterThan(0.3);
    // Without depth every depth bit is 0.
    const noDepth = a.encode(v.rgb, new Float32Array(K.width * K.height), K.width, K.height);
    for (const code of noDepth) expect(code & 8).toBe(0);
  });

  it('adds a frame as a keyframe only when it looks unlike every keyframe; a lookup finds the view it came from', () => {
    const db = new FernDatabase();
    const codes = views.map((v) => db.encode(v.rgb, v.depth, K.width, K.height));
    for (let i = 0; i < views.length; i++) expect(db.addIfNovel(codes[i], i, -1, identityPose())).not.toBeNull();
    expect(db.keyframes.length).toBe(views.length);
    // The same views again: not novel.
    for (let i = 0; i < views.length; i++) expect(db.addIfNovel(codes[i], 10 + i, -1, identityPose())).toBeNull();
    expect(db.keyframes.length).toBe(views.length);
    // A view 5 cm and 2° away from view 3 finds keyframe 3, clearly closer than any other.
    const near = renderBoxScene(DEFAULT_BOX_SCENE, lookAt([1.05, 0, 1.5], [-1, 0.35, 2.9]), K);
    const q = db.query(db.encode(near.rgb, near.depth, K.width, K.height), 3);
    expect(q[0].keyframe.frame).toBe(3);
    expect(q[0].dissimilarity).toBeLessThan(0.2);
    expect(q[1].dissimilarity).toBeGreaterThan(q[0].dissimilarity + 0.2);
    // Lookups agree with a brute-force comparison of encodings.
    for (const m of q) expect(m.dissimilarity).toBeCloseTo(FernDatabase.dissimilarity(m.keyframe.codes, db.encode(near.rgb, near.depth, K.width, K.height)), 10);
    // Excluded keyframes are not returned.
    expect(db.query(codes[3], 1, (kf) => kf.frame === 3)[0].keyframe.frame).not.toBe(3);
  });
});
