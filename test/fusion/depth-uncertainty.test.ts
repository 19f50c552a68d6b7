import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../fusion/camera.js';
import { DEFAULT_DEPTH_UNCERTAINTY, depthScaleToModel, depthUncertainty, dropUncertainDepth, fusionWeight } from '../../fusion/depth-uncertainty.js';
import { PREDICTED_DEPTH_CONFIG, resolveFusionConfig } from '../../fusion/config.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import { identityPose } from '../../fusion/pose.js';

const W = 16, H = 12, N = W * H;
const scratch = (): [Float32Array, Float32Array, Float32Array] => [new Float32Array(N), new Float32Array(N), new Float32Array(N)];
const noLabels = { ...DEFAULT_DEPTH_UNCERTAINTY, labelGain: 0 };

describe('depth uncertainty of predicted depth', () => {
  it('grows with depth squared on a smooth surface, with a floor, and is 0 where depth is missing', () => {
    const o = { ...noLabels, sigmaPerSquareMetre: 0.05, sigmaFloor: 0.02 };
    for (const d of [0.5, 1, 2, 3]) {
      const [out, lo, hi] = scratch();
      depthUncertainty(new Float32Array(N).fill(d), W, H, null, 13, o, out, lo, hi);
      expect(out[5 * W + 7]).toBeCloseTo(Math.max(0.02, 0.05 * d * d), 6);
    }
    const depth = new Float32Array(N).fill(2);
    depth[40] = 0;
    const [out, lo, hi] = scratch();
    depthUncertainty(depth, W, H, null, 13, o, out, lo, hi);
    expect(out[40]).toBe(0);
    // A hole is not an edge: its neighbours keep the smooth-surface σ.
    expect(out[41]).toBeCloseTo(0.2, 6);
  });

  it('is larger near a depth edge, by the relative step across the neighbourhood, and only there', () => {
    const depth = new Float32Array(N);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) depth[y * W + x] = x < 8 ? 1 : 2;
    const [out, lo, hi] = scratch();
    depthUncertainty(depth, W, H, null, 13, noLabels, out, lo, hi);
    const k = noLabels.sigmaPerSquareMetre;
    const at = (x: number): number => out[5 * W + x];
    expect(at(3)).toBeCloseTo(Math.max(noLabels.sigmaFloor, k), 6);
    expect(at(12)).toBeCloseTo(k * 4, 6);
    // x = 7 sees depths 1 and 2 (relative step 1 / 1), x = 8 sees them too (step 1 / 2).
    expect(at(7)).toBeCloseTo(Math.max(noLabels.sigmaFloor, k) * (1 + noLabels.edgeGain * 1), 6);
    expect(at(8)).toBeCloseTo(k * 4 * (1 + noLabels.edgeGain * 0.5), 6);
    expect(at(6)).toBeCloseTo(at(3), 6);
    expect(at(9)).toBeCloseTo(at(12), 6);
  });

  it('is larger where the network is unsure of the label (1 − p_max)', () => {
    const depth = new Float32Array(N).fill(1.5);
    const probs = new Float32Array(N * 13);
    for (let i = 0; i < N; i++) probs[13 * i + 2] = 1;
    probs[13 * 50 + 2] = 0.4; probs[13 * 50 + 5] = 0.35; probs[13 * 50 + 7] = 0.25;
    const o = { ...DEFAULT_DEPTH_UNCERTAINTY, labelGain: 2 };
    const [out, lo, hi] = scratch();
    depthUncertainty(depth, W, H, probs, 13, o, out, lo, hi);
    const sure = out[51];
    expect(sure).toBeCloseTo(Math.max(o.sigmaFloor, o.sigmaPerSquareMetre * 1.5 * 1.5), 6);
    expect(out[50]).toBeCloseTo(sure * (1 + 2 * 0.6), 5);
  });

  it('refuses buffers smaller than the image', () => {
    const [out, lo] = scratch();
    expect(() => depthUncertainty(new Float32Array(N), W, H, null, 13, noLabels, out, lo, new Float32Array(3))).toThrow(RangeError);
  });

  it('weights fall with σ: ~1 well below σ₀, 1/2 at σ₀, ∝ 1/σ² beyond, never 0', () => {
    expect(fusionWeight(0.001, 0.1)).toBeGreaterThan(0.999);
    expect(fusionWeight(0.1, 0.1)).toBeCloseTo(0.5, 12);
    expect(fusionWeight(1, 0.1) / fusionWeight(2, 0.1)).toBeCloseTo(4, 1);
    let prev = Infinity;
    for (let s = 0; s <= 3; s += 0.05) {
      const w = fusionWeight(s, 0.15);
      expect(w).toBeLessThan(prev);
      expect(w).toBeGreaterThan(0);
      prev = w;
    }
  });

  it('finds the scale of predicted depth against the map: the median ratio, robust to outliers', () => {
    const model = new Float32Array(100).fill(2);
    const predicted = new Float32Array(100).fill(2 / 1.2);
    for (let i = 0; i < 20; i++) predicted[5 * i] = 9; // a fifth of the pixels wildly off
    model[3] = 0; predicted[4] = 0;
    const scratch = new Float32Array(100);
    expect(depthScaleToModel(predicted, model, 1, 10, scratch)).toBeCloseTo(1.2, 5);
    expect(depthScaleToModel(predicted, model, 1, 99, scratch)).toBeNaN();
    expect(depthScaleToModel(predicted, model, 2, 10, new Float32Array(50))).toBeCloseTo(1.2, 5);
  });

  it('drops the pixels above the σ limit and counts them', () => {
    const depth = Float32Array.from([1, 2, 0, 3]);
    const sigma = Float32Array.from([0.1, 0.7, 0, 0.5]);
    expect(dropUncertainDepth(depth, sigma, 0.6)).toBe(1);
    expect(Array.from(depth)).toEqual([1, 0, 0, 3]);
  });
});

describe('fusion of predicted depth', () => {
  const K: Intrinsics = { width: 64, height: 48, fx: 50, fy: 50, cx: 32, cy: 24 };
  const n = K.width * K.height;
  const frame = (d: number) => ({ depth: new Float32Array(n).fill(d), rgb: new Uint8Array(3 * n).fill(90), timestamp: 0, T_world_camera_hint: identityPose() });
  const centre = (f: SurfelFusion): number => {
    let best = -1, bd = Infinity;
    for (let s = 0; s < f.map.highWater; s++) {
      if (!f.map.alive[s]) continue;
      const p = f.map.position;
      const dist = Math.hypot(p[3 * s], p[3 * s + 1]);
      if (dist < bd) { bd = dist; best = s; }
    }
    return best;
  };

  it('resolves the predicted-depth preset under the caller\'s own values', () => {
    const c = resolveFusionConfig({ predictedDepth: true, rgbWeight: 2 }, 320);
    expect(c.rgbWeight).toBe(2);
    expect(c.maxInlierRmse).toBe(PREDICTED_DEPTH_CONFIG.maxInlierRmse);
    expect(resolveFusionConfig({}, 320).maxInlierRmse).toBe(0.03);
    expect(() => resolveFusionConfig({ predictedDepth: true, fuseSigmaRef: 0 })).toThrow(RangeError);
  });

  it('fuses a measurement with a weight that falls with σ; confidence still counts observations', () => {
    // A surfel from a 1.0 m frame, then a 1.1 m frame: as sensor depth it lands midway (equal weights); as
    // predicted depth with σ at the floor 0.05 m = σ₀ the second frame has weight 1/2 against the surfel's
    // confidence 1: (1·1.0 + ½·1.1) / 1.5.
    const cfg = { trackingMethod: 'none' as const, fuseDepthThreshold: 0.2, loopClosure: false };
    const sensor = new SurfelFusion(K, cfg);
    const opts = { predictedDepth: true, depthLabelGain: 0, depthSigmaPerSquareMetre: 0.04, depthSigmaFloor: 0.05, fuseSigmaRef: 0.05 };
    const predicted = new SurfelFusion(K, { ...cfg, ...opts });
    for (const f of [sensor, predicted]) { f.processFrame(frame(1.0)); f.processFrame(frame(1.1)); }
    const s = centre(sensor), p = centre(predicted);
    expect(sensor.map.position[3 * s + 2]).toBeCloseTo(1.05, 3);
    expect(predicted.map.position[3 * p + 2]).toBeCloseTo((1.0 + 0.5 * 1.1) / 1.5, 3);
    expect(predicted.depthSigma![n / 2 + K.width / 2]).toBeCloseTo(0.05, 6);
    expect(predicted.map.confidence[p]).toBeCloseTo(sensor.map.confidence[s], 6);
    // σ four times σ₀ (weight 1/17): the second frame barely moves the surfel.
    const uncertain = new SurfelFusion(K, { ...cfg, ...opts, depthSigmaFloor: 0.2, fuseDepthThreshold: 0.5 });
    uncertain.processFrame(frame(1.0));
    uncertain.processFrame(frame(1.1));
    expect(uncertain.map.position[3 * centre(uncertain) + 2]).toBeCloseTo((1.0 + 1.1 / 17) / (1 + 1 / 17), 3);
  });

  it('rescales each frame\'s predicted depth to the map before tracking and fusing it', () => {
    // A wall at 2 m predicted at 2 m, then the same view predicted 20 % too far: the second frame is rescaled
    // to the map, so neither the pose (tracked) nor the wall moves.
    const cfg = { loopClosure: false, predictedDepth: true, depthLabelGain: 0 };
    const f = new SurfelFusion(K, { ...cfg, predictedDepthScale: true });
    const rgb = new Uint8Array(3 * n);
    for (let i = 0; i < n; i++) rgb.fill((i * 37) % 251, 3 * i, 3 * i + 3);
    f.processFrame({ depth: new Float32Array(n).fill(2), rgb, timestamp: 0, T_world_camera_hint: identityPose() });
    const r = f.processFrame({ depth: new Float32Array(n).fill(2.4), rgb, timestamp: 0.03 });
    expect(f.depthScale).toBeCloseTo(2 / 2.4, 4);
    expect(Math.abs(r.T_world_camera[14])).toBeLessThan(0.005);
    expect(f.map.position[3 * centre(f) + 2]).toBeCloseTo(2, 3);
    const unscaled = new SurfelFusion(K, { ...cfg, predictedDepthScale: false });
    unscaled.processFrame({ depth: new Float32Array(n).fill(2), rgb, timestamp: 0, T_world_camera_hint: identityPose() });
    unscaled.processFrame({ depth: new Float32Array(n).fill(2.4), rgb, timestamp: 0.03 });
    expect(unscaled.depthScale).toBe(1);
  });

  it('does not fuse pixels whose σ is above the limit (here: a band the network cannot label)', () => {
    const probs = new Float32Array(n * 13);
    for (let y = 0; y < K.height; y++) {
      for (let x = 0; x < K.width; x++) {
        const i = y * K.width + x;
        if (x >= 20 && x < 28) { probs[13 * i] = 0.3; probs[13 * i + 1] = 0.3; probs[13 * i + 2] = 0.4; } else probs[13 * i + 4] = 1;
      }
    }
    // σ at 1 m: 0.04 where sure, 0.04·(1 + 2·0.6) = 0.088 in the band; the limit 0.07 drops the band only.
    const cfg = { trackingMethod: 'none' as const, loopClosure: false, depthSigmaPerSquareMetre: 0.04, depthLabelGain: 2, depthEdgeGain: 0, maxDepthSigma: 0.07 };
    const columns = (f: SurfelFusion): Set<number> => {
      const seen = new Set<number>();
      const m = f.map;
      for (let s = 0; s < m.highWater; s++) {
        if (m.alive[s]) seen.add(Math.round((m.position[3 * s] / m.position[3 * s + 2]) * K.fx + K.cx));
      }
      return seen;
    };
    const input = { ...frame(1), classProbs: probs };
    const predicted = new SurfelFusion(K, { ...cfg, predictedDepth: true });
    predicted.processFrame(input);
    const sensor = new SurfelFusion(K, cfg);
    sensor.processFrame(input);
    const pc = columns(predicted), sc = columns(sensor);
    for (let x = 20; x < 28; x++) { expect(pc.has(x)).toBe(false); expect(sc.has(x)).toBe(true); }
    for (const x of [5, 18, 30, 60]) expect(pc.has(x)).toBe(true);
    expect(predicted.depthSigma![24 + 10 * K.width]).toBeCloseTo(0.04 * 2.2, 5);
  });
});
