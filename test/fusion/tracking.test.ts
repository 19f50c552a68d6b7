import { describe, expect, it } from 'vitest';
import type { Intrinsics } from '../../fusion/camera.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import { noiseAdaptedRgbWeight, photometricFinestLevel, resolveFusionConfig } from '../../fusion/config.js';
import { TrackingJudge } from '../../fusion/tracking-judge.js';
import type { TrackingResult } from '../../fusion/icp-tracker.js';
import type { FusionConfig } from '../../fusion/config.js';
import { mulPose, se3Exp } from '../../fusion/se3.js';
import { DEFAULT_BOX_SCENE, lookAt, renderBoxScene } from './helpers/box-scene.js';
import type { BoxScene } from './helpers/box-scene.js';
import { poseErrorMmDeg } from './helpers/pose-expect.js';

const K: Intrinsics = { width: 320, height: 240, fx: 262.5, fy: 262.5, cx: 159.5, cy: 119.5 };

/** Maps a frame at poseA, then tracks a frame rendered at poseB = exp(delta)·poseA. */
function trackKnownMotion(scene: BoxScene, poseA: Float64Array, delta: number[], method: 'pointToPlane' | 'hybrid' | 'photometric',
  rgbWeight?: number, extra: Partial<FusionConfig> = {}) {
  const poseB = mulPose(new Float64Array(16), se3Exp(new Float64Array(16), delta), poseA);
  const fusion = new SurfelFusion(K, { ...(rgbWeight === undefined ? { trackingMethod: method } : { trackingMethod: method, rgbWeight }), ...extra });
  const a = renderBoxScene(scene, poseA, K);
  fusion.processFrame({ rgb: a.rgb, depth: a.depth, timestamp: 0, T_world_camera_hint: poseA });
  const b = renderBoxScene(scene, poseB, K);
  const r = fusion.processFrame({ rgb: b.rgb, depth: b.depth, timestamp: 1 / 30 });
  return { result: r, poseB, error: poseErrorMmDeg(r.T_world_camera, poseB), start: poseErrorMmDeg(poseA, poseB) };
}

describe('frame-to-model tracking on an analytic box room', () => {
  const poseA = lookAt([0.2, 0.1, -1.2], [0, 0.3, 2]);
  // 3 cm translation and ~1.7° rotation: several pixels of image motion.
  const delta = [0.02, -0.01, 0.02, 0.01, -0.02, 0.015];

  it('point-to-plane ICP recovers a known motion within 1 mm / 0.1°', () => {
    const { result, error, start } = trackKnownMotion(DEFAULT_BOX_SCENE, poseA, delta, 'pointToPlane');
    expect(start.mm).toBeGreaterThan(25);
    expect(result.tracking.ok).toBe(true);
    expect(result.tracking.inlierRatio).toBeGreaterThan(0.8);
    expect(error.mm).toBeLessThan(1);
    expect(error.deg).toBeLessThan(0.1);
    expect(result.fused).toBe(true);
  });

  it('every point, every 2nd or every 3rd on the 320 px level (the default: every 2nd): the same motion within 1 mm / 0.1°', () => {
    expect(resolveFusionConfig({}).icpFullDensityWidth).toBe(160);
    expect(() => resolveFusionConfig({ icpFullDensityWidth: 0 })).toThrow(/icpFullDensityWidth/);
    for (const [width, stride] of [[320, 1], [160, 2], [107, 3]]) {
      const { result, error } = trackKnownMotion(DEFAULT_BOX_SCENE, poseA, delta, 'pointToPlane', undefined, { icpFullDensityWidth: width });
      expect(result.tracking.ok, `stride ${stride}`).toBe(true);
      expect(error.mm, `stride ${stride}`).toBeLessThan(1);
      expect(error.deg, `stride ${stride}`).toBeLessThan(0.1);
    }
  });

  it('hybrid ICP + a light photometric term (weight 0.01) recovers the same motion within 1 mm / 0.1°', () => {
    const { result, error } = trackKnownMotion(DEFAULT_BOX_SCENE, poseA, delta, 'hybrid', 0.01);
    expect(result.tracking.ok).toBe(true);
    expect(result.tracking.photometricRmse).toBeLessThan(0.05);
    expect(error.mm).toBeLessThan(1);
    expect(error.deg).toBeLessThan(0.1);
  });

  it('hybrid at the default weight (0.3) recovers it within 1.5 mm / 0.1° on this noise-free pair', () => {
    // Measured 1.17 mm: on one perfect-depth pair the heavier photometric term costs a fraction of a millimetre,
    // while on whole noisy sequences it is what keeps tracking (fusion/config.ts, rgbWeight).
    const { result, error } = trackKnownMotion(DEFAULT_BOX_SCENE, poseA, delta, 'hybrid');
    expect(result.tracking.ok).toBe(true);
    expect(result.tracking.photometricRmse).toBeLessThan(0.05);
    expect(error.mm).toBeLessThan(1.5);
    expect(error.deg).toBeLessThan(0.1);
  });

  it('the photometric term alone recovers a sideways shift in front of a textured wall', () => {
    // Only the far wall in view: geometry is a single plane, so the in-plane shift is visible only in the texture.
    const wallScene: BoxScene = { room: DEFAULT_BOX_SCENE.room, boxes: [] };
    const pose = lookAt([0, -0.1, 0.5], [0, -0.1, 3]);
    const { result, error, start } = trackKnownMotion(wallScene, pose, [0.012, 0.006, 0, 0, 0, 0], 'photometric');
    expect(start.mm).toBeGreaterThan(12);
    expect(result.tracking.ok).toBe(true);
    expect(error.mm).toBeLessThan(1);
    expect(error.deg).toBeLessThan(0.1);
  });

  it('point-to-plane alone cannot see that in-plane shift (why the photometric term exists)', () => {
    const wallScene: BoxScene = { room: DEFAULT_BOX_SCENE.room, boxes: [] };
    const pose = lookAt([0, -0.1, 0.5], [0, -0.1, 3]);
    const { result, error } = trackKnownMotion(wallScene, pose, [0.012, 0.006, 0, 0, 0, 0], 'pointToPlane');
    // Either flagged as degenerate, or the shift is not recovered.
    expect(result.tracking.lost || error.mm > 5).toBe(true);
  });

  it('below the photometric term\'s finest level its system stays as a prior: the depth-only finest level keeps the in-plane shift', () => {
    // As at 640×480, where the photometric term stops one level above the finest: here it stops at level 1.
    const wallScene: BoxScene = { room: DEFAULT_BOX_SCENE.room, boxes: [] };
    const pose = lookAt([0, -0.1, 0.5], [0, -0.1, 3]);
    const shift = [0.012, 0.006, 0, 0, 0, 0];
    const carried = trackKnownMotion(wallScene, pose, shift, 'hybrid', 0.3, { rgbFinestLevel: 1, rgbPriorBelowFinest: true });
    // What level 1 (160×120 here) found on its own, the finest level skipped.
    const levelOne = trackKnownMotion(wallScene, pose, shift, 'hybrid', 0.3, { rgbFinestLevel: 1, icpIterations: [0, 5, 10] });
    expect(carried.start.mm).toBeGreaterThan(13);
    expect(carried.result.tracking.ok).toBe(true);
    // Measured 6.74 of 13.4 mm left either way (level 1's texture, 160 px wide, holds only that much): the finest
    // level neither undoes nor spoils what the photometric term found.
    expect(carried.error.mm).toBeLessThan(carried.start.mm * 0.6);
    expect(Math.abs(carried.error.mm - levelOne.error.mm)).toBeLessThan(0.5);
    expect(carried.error.deg).toBeLessThan(0.1);
    // Without the prior the finest level has a single plane's system: degenerate (lost) or the shift is lost.
    const dropped = trackKnownMotion(wallScene, pose, shift, 'hybrid', 0.3, { rgbFinestLevel: 1, rgbPriorBelowFinest: false });
    expect(dropped.result.tracking.lost || dropped.error.mm > carried.start.mm * 0.8).toBe(true);
  });

  it('depth-first iterations at the coarsest level: run where depth constrains the pose, skipped in front of a lone wall', () => {
    const without = trackKnownMotion(DEFAULT_BOX_SCENE, poseA, delta, 'hybrid', 0.3, { icpDepthFirstIterations: 0 });
    const first = trackKnownMotion(DEFAULT_BOX_SCENE, poseA, delta, 'hybrid', 0.3, { icpDepthFirstIterations: 10 });
    expect(first.result.tracking.ok).toBe(true);
    expect(first.result.tracking.iterations).toBeGreaterThan(without.result.tracking.iterations);
    expect(first.error.mm).toBeLessThan(1.5);
    expect(first.error.deg).toBeLessThan(0.1);
    // A lone wall leaves depth two directions free (conditioning under minConditioning): no depth-only step, so
    // the same iterations and the same pose as without, the in-plane shift held by the photometric term.
    const wallScene: BoxScene = { room: DEFAULT_BOX_SCENE.room, boxes: [] };
    const pose = lookAt([0, -0.1, 0.5], [0, -0.1, 3]);
    const shift = [0.012, 0.006, 0, 0, 0, 0];
    const wall0 = trackKnownMotion(wallScene, pose, shift, 'hybrid', 0.3, { icpDepthFirstIterations: 0 });
    const wall10 = trackKnownMotion(wallScene, pose, shift, 'hybrid', 0.3, { icpDepthFirstIterations: 10 });
    expect(wall10.result.tracking.iterations).toBe(wall0.result.tracking.iterations);
    expect(Array.from(wall10.result.T_world_camera)).toEqual(Array.from(wall0.result.T_world_camera));
    expect(() => resolveFusionConfig({ icpDepthFirstIterations: -1 })).toThrow(/icpDepthFirstIterations/);
  });

  it('reports a frame it cannot register as lost and does not fuse it', () => {
    const fusion = new SurfelFusion(K, { trackingMethod: 'pointToPlane' });
    const a = renderBoxScene(DEFAULT_BOX_SCENE, poseA, K);
    fusion.processFrame({ rgb: a.rgb, depth: a.depth, timestamp: 0, T_world_camera_hint: poseA });
    const before = fusion.surfelCount;
    // A view from the other side of the room: no overlap the tracker could converge to from poseA.
    const far = renderBoxScene(DEFAULT_BOX_SCENE, lookAt([1.5, 0.5, 2.5], [-1.5, 0, -1.5]), K);
    const r = fusion.processFrame({ rgb: far.rgb, depth: far.depth, timestamp: 1 / 30 });
    expect(r.tracking.lost).toBe(true);
    expect(r.tracking.reason).not.toBe('');
    expect(r.fused).toBe(false);
    expect(fusion.surfelCount).toBe(before);
    expect(poseErrorMmDeg(r.T_world_camera, poseA).mm).toBeLessThan(1e-6);
  });
});

describe('size-dependent photometric weight', () => {
  it('uses the 320 px weight at every size, the full-resolution set above 320 px up to 640, and an explicit weight wins', () => {
    expect([resolveFusionConfig({}, 160).rgbWeight, resolveFusionConfig({}, 480).rgbWeight]).toEqual([0.3, 0.3]);
    expect(resolveFusionConfig({}, 480).rgbFinestLevel).toBe(0);
    // Wider than 640 px the photometric term runs from the first level at most 320 px wide, with the 320 px weight.
    expect(photometricFinestLevel(320)).toBe(0);
    expect(photometricFinestLevel(640)).toBe(1);
    expect(photometricFinestLevel(1280)).toBe(2);
    expect([resolveFusionConfig({}, 1280).rgbFinestLevel, resolveFusionConfig({}, 1280).rgbWeight]).toEqual([2, 0.3]);
    // Above 320 and up to 640 px: on every level, after depth-first iterations, with association renders after frames in doubt.
    const c640 = new SurfelFusion({ ...K, width: 640, height: 480 }).config;
    expect([c640.rgbFinestLevel, c640.rgbWeight, c640.icpDepthFirstIterations, c640.predictUnfusedFromIndex]).toEqual([0, 0.3, 10, true]);
    const c320 = new SurfelFusion(K).config;
    expect([c320.icpDepthFirstIterations, c320.predictUnfusedFromIndex]).toEqual([0, false]);
    expect(resolveFusionConfig({ rgbFinestLevel: 1, icpDepthFirstIterations: 0 }, 640).rgbFinestLevel).toBe(1);
    expect(new SurfelFusion(K).config.rgbWeight).toBeCloseTo(0.3, 12);
    expect(new SurfelFusion(K).config.rgbFinestLevel).toBe(0);
    expect(new SurfelFusion(K, { rgbWeight: 0.2 }).config.rgbWeight).toBe(0.2);
  });

  it('weights the photometric term by the colour\'s measured noise: inverse variance, within ×[1/20, 1]', () => {
    expect(noiseAdaptedRgbWeight(0.3, 0.03, 0.03)).toBeCloseTo(0.3, 12);
    expect(noiseAdaptedRgbWeight(0.3, 0.03, 0.09)).toBeCloseTo(0.3 / 9, 12);
    // Never above the weight as set: cleaner colour than the rooms it was measured on does not earn more.
    expect(noiseAdaptedRgbWeight(0.3, 0.03, 0.01)).toBeCloseTo(0.3, 12);
    expect(noiseAdaptedRgbWeight(0.3, 0.03, 0.5)).toBeCloseTo(0.3 / 20, 12);
    // Before any good frame, or with the adaptation off: the weight as set.
    expect(noiseAdaptedRgbWeight(0.3, 0.03, NaN)).toBe(0.3);
    expect(noiseAdaptedRgbWeight(0.3, 0, 0.09)).toBe(0.3);
    // A network's depth keeps its weight (PREDICTED_DEPTH_CONFIG).
    expect(new SurfelFusion(K, { predictedDepth: true }).config.rgbNoiseRef).toBe(0);
  });

  it('measures the colour noise as the median photometric RMSE of every good frame, not of the last 60', () => {
    const judge = new TrackingJudge();
    expect(judge.runMedianPhotometric).toBeNaN();
    const frame = (photometricRmse: number) => ({ inlierRmse: 0.01, photometricRmse, meanDepth: 1.5 }) as TrackingResult;
    for (let k = 0; k < 100; k++) judge.admit(frame(0.08));
    for (let k = 0; k < 80; k++) judge.admit(frame(0.02));
    expect(judge.medianPhotometric).toBeCloseTo(0.02, 12);
    expect(judge.runMedianPhotometric).toBeCloseTo(0.0805, 12);
  });

  it('follows the last frame\'s photometric RMSE where it is above the run\'s median, never below it', () => {
    const judge = new TrackingJudge();
    expect(judge.colourNoise(0.05)).toBeNaN(); // no good frame yet: the weight as set
    for (let k = 0; k < 20; k++) judge.admit({ inlierRmse: 0.01, photometricRmse: 0.03, meanDepth: 1.5 } as TrackingResult);
    expect(judge.colourNoise(0.09)).toBeCloseTo(0.09, 12);
    expect(judge.colourNoise(0.01)).toBeCloseTo(judge.runMedianPhotometric, 12);
    expect(judge.colourNoise(NaN)).toBeCloseTo(judge.runMedianPhotometric, 12);
    // So a frame whose colour disagrees three times as much as usual gives the next frame a ninth of the weight.
    expect(noiseAdaptedRgbWeight(0.3, 0.03, judge.colourNoise(3 * judge.runMedianPhotometric)) * 9)
      .toBeCloseTo(noiseAdaptedRgbWeight(0.3, 0.03, judge.runMedianPhotometric), 12);
  });
});
