import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../fusion/camera.js';
import { argmax, bayesUpdate, bayesUpdate13 } from '../../fusion/label-fusion.js';
import { LabelFusion } from '../../fusion/label-fusion.js';
import { SurfelMap } from '../../fusion/surfel-map.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import { identityPose } from '../../fusion/pose.js';
import { mulPose, se3Exp } from '../../fusion/se3.js';
import { DEFAULT_BOX_SCENE, lookAt, mulberry32, renderBoxScene } from './helpers/box-scene.js';
import { poseErrorMmDeg } from './helpers/pose-expect.js';

describe('Bayesian label update (SemanticFusion)', () => {
  it('multiplies and renormalises, by hand with 3 classes', () => {
    const p = new Float32Array([1 / 3, 1 / 3, 1 / 3]);
    expect(bayesUpdate(p, 0, new Float32Array([0.7, 0.2, 0.1]), 0, 3, 1e-30)).toBe(false);
    expect(p[0]).toBeCloseTo(0.7, 6); expect(p[1]).toBeCloseTo(0.2, 6); expect(p[2]).toBeCloseTo(0.1, 6);
    // × [0.2, 0.6, 0.2] = [0.14, 0.12, 0.02], sum 0.28
    bayesUpdate(p, 0, new Float32Array([0.2, 0.6, 0.2]), 0, 3, 1e-30);
    expect(p[0]).toBeCloseTo(0.14 / 0.28, 6); expect(p[1]).toBeCloseTo(0.12 / 0.28, 6); expect(p[2]).toBeCloseTo(0.02 / 0.28, 6);
  });

  it('reads and writes at offsets (pixel-major observations, slot-major beliefs)', () => {
    const beliefs = new Float32Array([9, 9, 0.5, 0.5, 9]);
    const obs = new Float32Array([0, 0, 0, 0.25, 0.75]);
    bayesUpdate(beliefs, 2, obs, 3, 2, 1e-30);
    expect(Array.from(beliefs)).toEqual([9, 9, 0.25, 0.75, 9]);
  });

  it('resets an underflowed belief to the uniform prior times the observation', () => {
    const p = new Float32Array([1, 0, 0]);
    expect(bayesUpdate(p, 0, new Float32Array([0, 0.25, 0.75]), 0, 3, 1e-30)).toBe(true);
    expect(Array.from(p)).toEqual([0, 0.25, 0.75]);
    // Products at the edge of float32: [1·1e-31, 1e-30·1e-20 → 0], sum 1e-31 (below the threshold).
    const q = new Float32Array([1, 1e-30]);
    expect(bayesUpdate(q, 0, new Float32Array([1e-31, 1e-20]), 0, 2, 1e-30)).toBe(true);
    expect(q[1]).toBeCloseTo(1, 6);
    expect(q[0]).toBeLessThan(1e-9);
    // An all-zero observation after underflow leaves the uniform prior.
    const r = new Float32Array([1, 0]);
    bayesUpdate(r, 0, new Float32Array([0, 0]), 0, 2, 1e-30);
    expect(Array.from(r)).toEqual([0.5, 0.5]);
  });
});

describe('the 13-class update (label fusion\'s fast path)', () => {
  it('equals bayesUpdate followed by argmax, bit for bit, including underflow resets', () => {
    const rand = mulberry32(7);
    let resets = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const belief = new Float32Array(13), obs = new Float32Array(13);
      const mode = trial % 4;
      for (let c = 0; c < 13; c++) {
        // Ordinary, peaked (near float32's limits) and zero entries, so that some products underflow.
        belief[c] = mode === 0 ? rand() : mode === 1 ? rand() ** 40 : mode === 2 ? (rand() < 0.8 ? 1e-38 * rand() : rand()) : (c === trial % 13 ? 1 : 0);
        obs[c] = mode === 3 ? (c === (trial + 1) % 13 ? 1 : 0) : rand() < 0.1 ? 0 : rand();
      }
      const a = belief.slice(), b = belief.slice();
      const reset = bayesUpdate(a, 0, obs, 0, 13, 1e-30);
      const best = argmax(a, 0, 13);
      const r = bayesUpdate13(b, 0, obs, 0, 1e-30);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(r).toBe(reset ? -1 - best : best);
      if (reset) resets++;
    }
    expect(resets).toBeGreaterThan(500);
  });
});

describe('label rendering', () => {
  const K: Intrinsics = { width: 80, height: 60, fx: 60, fy: 60, cx: 39.5, cy: 29.5 };

  function labelledMap(): SurfelMap {
    const map = new SurfelMap({ classCount: 13, chunkSize: 1, initialCapacity: 16 });
    const setLabel = (s: number, id: number): void => {
      map.probs.fill(0.01, s * 13, s * 13 + 13); map.probs[s * 13 + id - 1] = 0.88;
      map.label[s] = argmax(map.probs, s * 13, 13) + 1; map.labelProb[s] = 0.88;
    };
    // A wall at z = 2 m covering the view: label 3 on the left (x < 0), 7 on the right.
    for (let y = -1.2; y <= 1.2; y += 0.02) for (let x = -1.6; x <= 1.6; x += 0.02) {
      setLabel(map.add(x, y, 2, 0, 0, -1, 0.02, 0, 0, 0, 1, 0), x < 0 ? 3 : 7);
    }
    // A nearer patch at z = 1 m in the centre, label 5, occluding the wall.
    for (let y = -0.1; y <= 0.1; y += 0.01) for (let x = -0.1; x <= 0.1; x += 0.01) setLabel(map.add(x, y, 1, 0, 0, -1, 0.01, 0, 0, 0, 1, 0), 5);
    // An unlabelled patch at the top-left corner (label 0 stays 0).
    for (let y = -1.2; y <= -0.7; y += 0.01) for (let x = -1.6; x <= -1.0; x += 0.01) map.add(x, y, 1.9, 0, 0, -1, 0.01, 0, 0, 0, 1, 0);
    return map;
  }

  it('splats the nearest surfel label into each pixel of any camera', () => {
    const map = labelledMap();
    const out = new Uint8Array(K.width * K.height);
    new LabelFusion().render(map, identityPose(), K, out);
    expect(out[30 * 80 + 10]).toBe(3);
    expect(out[30 * 80 + 70]).toBe(7);
    expect(out[30 * 80 + 40]).toBe(5); // occluder wins
    expect(out[2 * 80 + 2]).toBe(0); // unlabelled surfel in front of the wall
    // A camera turned away sees nothing.
    const away = se3Exp(new Float64Array(16), [0, 0, 0, 0, Math.PI, 0]);
    const out2 = new Uint8Array(K.width * K.height).fill(99);
    new LabelFusion().render(map, away, K, out2);
    expect(out2.every((v) => v === 0)).toBe(true);
  });

  it('renders at another resolution and from a shifted camera', () => {
    const map = labelledMap();
    const small: Intrinsics = { width: 40, height: 30, fx: 30, fy: 30, cx: 19.5, cy: 14.5 };
    const out = new Uint8Array(40 * 30);
    // Camera moved 0.5 m to the right: the label boundary (world x = 0) moves left in the image, to u ≈ 19.5 − 30·0.5/2.
    const T = identityPose(); T[12] = 0.5;
    new LabelFusion().render(map, T, small, out);
    expect(out[15 * 40 + 9]).toBe(3);
    expect(out[15 * 40 + 14]).toBe(7);
  });
});

describe('label fusion over a sequence', () => {
  it('fused labels beat noisy single-frame labels by more than 10 points', () => {
    const K: Intrinsics = { width: 320, height: 240, fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5 };
    const fusion = new SurfelFusion(K, { trackingMethod: 'pointToPlane' });
    const rnd = mulberry32(42);
    const base = lookAt([0.1, 0.1, -1.2], [0, 0.3, 2]);
    const C = 13;
    let singleCorrect = 0, singleTotal = 0;
    let last = base;
    for (let f = 0; f < 12; f++) {
      const pose = mulPose(new Float64Array(16), se3Exp(new Float64Array(16), [0.01 * Math.sin(f), 0.005 * f, 0.01 * f, 0.004 * f, -0.006 * Math.cos(f), 0]), base);
      const view = renderBoxScene(DEFAULT_BOX_SCENE, pose, K);
      const probs = new Float32Array(K.width * K.height * C);
      for (let i = 0; i < K.width * K.height; i++) {
        // 35% of pixels confidently wrong (a random other class), the rest mildly right.
        const truth = view.labels[i];
        const wrong = rnd() < 0.35;
        let other = 1 + Math.floor(rnd() * C);
        if (other === truth) other = (other % C) + 1;
        for (let c = 0; c < C; c++) probs[i * C + c] = 0.02;
        probs[i * C + (wrong ? other : truth) - 1] = 0.6;
        probs[i * C + (wrong ? truth : other) - 1] = wrong ? 0.25 : 0.2;
        const argmax = wrong ? other : truth;
        singleCorrect += argmax === truth ? 1 : 0; singleTotal++;
      }
      const r = fusion.processFrame({ rgb: view.rgb, depth: view.depth, timestamp: f / 30, classProbs: probs, T_world_camera_hint: f === 0 ? pose : undefined });
      expect(r.tracking.reason).toBe('');
      expect(poseErrorMmDeg(r.T_world_camera, pose).mm).toBeLessThan(5);
      expect(r.stats.labelled).toBeGreaterThan(0);
      last = pose;
    }
    const view = renderBoxScene(DEFAULT_BOX_SCENE, last, K);
    const fused = new Uint8Array(K.width * K.height);
    fusion.renderLabels(last, K, fused);
    let correct = 0, covered = 0, inRange = 0;
    for (let i = 0; i < fused.length; i++) {
      // Only surfaces within the depth cut-off (4 m) can be in the map.
      if (view.depth[i] > 4) continue;
      inRange++;
      if (fused[i] === 0) continue;
      covered++;
      if (fused[i] === view.labels[i]) correct++;
    }
    const single = singleCorrect / singleTotal, fusedAcc = correct / covered;
    expect(covered / inRange).toBeGreaterThan(0.9);
    expect(fusedAcc).toBeGreaterThan(single + 0.1);
    // Snapshot carries the labels 1..13 and their probabilities.
    const snap = fusion.snapshot();
    expect(snap.count).toBe(fusion.surfelCount);
    expect(snap.labels.some((l) => l === 2)).toBe(true);
    expect(snap.labelProb.every((p) => p >= 0 && p <= 1)).toBe(true);
  });
});
