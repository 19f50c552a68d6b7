import { describe, expect, it } from 'vitest';
import { DepthMetrics, depthMetrics } from '../../../fusion/metrics/depth.js';

describe('depth metrics (Eigen et al.)', () => {
  it('matches hand-computed values and skips invalid pixels', () => {
    // Valid pairs (p, g): (1.1, 1), (2, 2), (2.5, 4). Skipped: g = 0 (missing), p = NaN, g = Infinity, p = 0.
    // d = p − g: 0.1, 0, −1.5 → rmse = √((0.01 + 0 + 2.25)/3)
    // ln p − ln g: ln 1.1, 0, ln 0.625 → rmseLog = √((ln²1.1 + ln²0.625)/3)
    // absRel = (0.1/1 + 0 + 1.5/4)/3 = 0.475/3; sqRel = (0.01/1 + 0 + 2.25/4)/3 = 0.5725/3
    // ratios 1.1, 1, 1.6 → δ<1.25: 2/3; δ<1.5625: 2/3; δ<1.953125: 3/3.
    const pred = Float32Array.of(1.1, 2, 2.5, 5, NaN, 3, 0);
    const gt = Float32Array.of(1, 2, 4, 0, 1, Infinity, 2);
    const s = depthMetrics(pred, gt);
    expect(s.pixels).toBe(3);
    // Float32 storage of 1.1 and 2.5 limits agreement to ~1e-7.
    expect(s.rmse).toBeCloseTo(Math.sqrt((0.01 + 2.25) / 3), 6);
    expect(s.rmseLog).toBeCloseTo(Math.sqrt((Math.log(1.1) ** 2 + Math.log(0.625) ** 2) / 3), 6);
    expect(s.absRel).toBeCloseTo(0.475 / 3, 6);
    expect(s.sqRel).toBeCloseTo(0.5725 / 3, 6);
    expect(s.delta1).toBeCloseTo(2 / 3, 12);
    expect(s.delta2).toBeCloseTo(2 / 3, 12);
    expect(s.delta3).toBe(1);
  });

  it('pools pixels across updates (not a mean of per-image means)', () => {
    // Image A: one pixel, |d| = 1 → sq 1. Image B: three exact pixels. Pooled rmse = √(1/4) = 0.5
    // (a mean of per-image RMSEs would give (1 + 0)/2 = 0.5 too, so use abs rel: pooled (1/2)/4 = 0.125, not 0.25).
    const m = new DepthMetrics();
    m.update([3], [2]);
    m.update([1, 1, 1], [1, 1, 1]);
    const s = m.compute();
    expect(s.pixels).toBe(4);
    expect(s.rmse).toBeCloseTo(0.5, 12);
    expect(s.absRel).toBeCloseTo(0.125, 12);
  });

  it('applies the depth range', () => {
    // g = 12 is beyond maxDepth 10 → only (1, 1) remains: rmse 0.
    expect(depthMetrics([1, 5], [1, 12], { maxDepth: 10 }).rmse).toBe(0);
  });
});
