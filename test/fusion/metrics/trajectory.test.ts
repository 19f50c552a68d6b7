import { describe, expect, it } from 'vitest';
import { ateRmse, rpe } from '../../../fusion/metrics/trajectory.js';
import { alignPoints, symmetricEigen4 } from '../../../fusion/metrics/align.js';
import { summarise, percentile } from '../../../fusion/metrics/stats.js';
import { poseFromTranslationQuaternion, type Mat4 } from '../../../fusion/pose.js';

const at = (x: number, y: number, z: number): Mat4 => poseFromTranslationQuaternion(x, y, z, 0, 0, 0, 1);
/** Pose rotated by `deg` about z, at (x, y, z). */
const yawAt = (deg: number, x: number, y: number, z: number): Mat4 => {
  const h = (deg * Math.PI) / 360;
  return poseFromTranslationQuaternion(x, y, z, 0, 0, Math.sin(h), Math.cos(h));
};

describe('summarise', () => {
  it('gives rmse/mean/median/max of a hand-checked list', () => {
    // [3,1,4,1,5]: mean 14/5 = 2.8; squares 9+1+16+1+25 = 52 → rmse √(52/5); sorted 1,1,3,4,5 → median 3.
    const s = summarise([3, 1, 4, 1, 5]);
    expect(s.mean).toBeCloseTo(2.8, 12);
    expect(s.rmse).toBeCloseTo(Math.sqrt(52 / 5), 12);
    expect(s.median).toBe(3);
    expect(s.max).toBe(5);
    // Even count: median is the mean of the middle two, (2 + 3) / 2.
    expect(summarise([10, 3, 1, 2]).median).toBe(2.5);
    // p95 of 0..100 by linear interpolation is exactly 95; p50 of [1,2,3,10] = 2 + 0.5·(3−2).
    expect(percentile(Array.from({ length: 101 }, (_, i) => i), 95)).toBeCloseTo(95, 12);
    expect(percentile([10, 3, 1, 2], 50)).toBe(2.5);
  });
});

describe('symmetricEigen4', () => {
  it('diagonalises a symmetric matrix: A·v = λ·v for each pair', () => {
    const A = Float64Array.of(4, 1, 0, 2, 1, 3, 1, 0, 0, 1, 2, 1, 2, 0, 1, 1);
    const work = Float64Array.from(A);
    const values = new Float64Array(4), vectors = new Float64Array(16);
    symmetricEigen4(work, values, vectors);
    for (let k = 0; k < 4; k++) {
      for (let r = 0; r < 4; r++) {
        let av = 0;
        for (let c = 0; c < 4; c++) av += A[r * 4 + c] * vectors[c * 4 + k];
        expect(av).toBeCloseTo(values[k] * vectors[r * 4 + k], 10);
      }
    }
    // Trace is preserved: 4 + 3 + 2 + 1 = 10.
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(10, 10);
  });
});

describe('ateRmse', () => {
  it('removes a translation and leaves the hand-computed residual', () => {
    // Ground truth: unit square in the z = 0 plane. Estimate: the same square shifted by (5, 0, 0.2) with
    // z jitter +0.1, −0.1, +0.1, −0.1. The jitter pattern is orthogonal to the centred x (−.5,.5,.5,−.5) and
    // y (−.5,−.5,.5,.5) coordinates, so the cross-covariance is diag(1, 1, 0): the best rotation is the
    // identity, the best translation −(5, 0, 0.2), and every residual is 0.1 → rmse = mean = median = max = 0.1.
    const gt = [at(0, 0, 0), at(1, 0, 0), at(1, 1, 0), at(0, 1, 0)];
    const est = [at(5, 0, 0.3), at(6, 0, 0.1), at(6, 1, 0.3), at(5, 1, 0.1)];
    const r = ateRmse(est, gt);
    expect(r.rmse).toBeCloseTo(0.1, 12);
    expect(r.mean).toBeCloseTo(0.1, 12);
    expect(r.median).toBeCloseTo(0.1, 12);
    expect(r.max).toBeCloseTo(0.1, 12);
    expect(r.scale).toBe(1);
    expect(r.T_gt_est[0]).toBeCloseTo(1, 12);
    expect(r.T_gt_est[12]).toBeCloseTo(-5, 12);
    expect(r.T_gt_est[14]).toBeCloseTo(-0.2, 12);
  });

  it('recovers a rotation + translation exactly (ATE 0) where unaligned positions differ by metres', () => {
    // est = T · gt with T = 90° about z, then +(1, 2, 3): p_est = (−y + 1, x + 2, z + 3).
    const gtPts = [[0, 0, 0], [1, 0, 0], [1, 2, 0], [0, 2, 1], [3, 1, 2]];
    const gt = gtPts.map(([x, y, z]) => at(x, y, z));
    const est = gtPts.map(([x, y, z]) => at(-y + 1, x + 2, z + 3));
    const r = ateRmse(est, gt);
    expect(r.rmse).toBeLessThan(1e-9);
    // T_gt_est is the inverse: 90° about −z. Column-major: column 0 = R·x̂ = (0, −1, 0).
    expect(r.T_gt_est[0]).toBeCloseTo(0, 9);
    expect(r.T_gt_est[1]).toBeCloseTo(-1, 9);
    expect(r.T_gt_est[4]).toBeCloseTo(1, 9);
    // Translation of the inverse: −Rᵀ·(1,2,3) with Rᵀ(x,y,z) = (y, −x, z) → −(2, −1, 3) = (−2, 1, −3).
    expect([r.T_gt_est[12], r.T_gt_est[13], r.T_gt_est[14]].map((v) => +v.toFixed(9))).toEqual([-2, 1, -3]);
  });

  it('Sim(3) alignment recovers a scale of 2 that rigid alignment cannot', () => {
    // est = half-size copy of gt → Umeyama scale s = Σ b'·a' / Σ|a'|² = 2.
    const gtPts = [[0, 0, 0], [2, 0, 0], [2, 2, 0], [0, 2, 2]];
    const gt = gtPts.map(([x, y, z]) => at(x, y, z));
    const est = gtPts.map(([x, y, z]) => at(x / 2, y / 2, z / 2));
    const sim = ateRmse(est, gt, { alignment: 'similarity' });
    expect(sim.scale).toBeCloseTo(2, 10);
    expect(sim.rmse).toBeLessThan(1e-9);
    expect(ateRmse(est, gt).rmse).toBeGreaterThan(0.5);
  });

  it('alignPoints returns the identity for a single point pair offset', () => {
    const a = alignPoints([1, 2, 3], [4, 6, 8]);
    expect(Array.from(a.translation)).toEqual([3, 4, 5]);
    expect(a.rotation[0]).toBe(1);
  });
});

describe('rpe', () => {
  it('per-frame drift: a 0.1 m overshoot then a 10° turn', () => {
    // gt: x = 0, 1, 2, no rotation. est: x = 0, 1.1, 2.1, and pose 2 turned 10° about z.
    // Pair (0,1): ΔQ = +1 m, ΔP = +1.1 m → E translation 0.1, rotation 0.
    // Pair (1,2): ΔQ = +1 m, ΔP = [R(10°) | +1 m] → E = [R(10°) | 0] → translation 0, rotation 10°.
    // translation: rmse √((0.01 + 0)/2), mean 0.05, max 0.1; rotation: rmse √(100/2), mean 5.
    const gt = [at(0, 0, 0), at(1, 0, 0), at(2, 0, 0)];
    const est = [at(0, 0, 0), at(1.1, 0, 0), yawAt(10, 2.1, 0, 0)];
    const r = rpe(est, gt);
    expect(r.pairs).toBe(2);
    expect(r.translation.rmse).toBeCloseTo(Math.sqrt(0.01 / 2), 10);
    expect(r.translation.mean).toBeCloseTo(0.05, 10);
    expect(r.translation.max).toBeCloseTo(0.1, 10);
    expect(r.rotationDeg.rmse).toBeCloseTo(Math.sqrt(50), 8);
    expect(r.rotationDeg.mean).toBeCloseTo(5, 8);
  });

  it('per-second drift pairs poses 1 s apart by timestamp', () => {
    // Poses every 0.5 s; gt moves 1 m/s along x; est moves 1.2 m/s. Δ = 1 s → pairs (0,2), (1,3), (2,4),
    // each with ΔQ = 1 m, ΔP = 1.2 m → 0.2 m per second, three pairs.
    const ts = [0, 0.5, 1, 1.5, 2];
    const gt = ts.map((t) => at(t, 0, 0));
    const est = ts.map((t) => at(1.2 * t, 0, 0));
    const r = rpe(est, gt, { delta: 1, deltaUnit: 'seconds', timestamps: ts });
    expect(r.pairs).toBe(3);
    expect(r.translation.rmse).toBeCloseTo(0.2, 10);
    expect(r.translation.max).toBeCloseTo(0.2, 10);
  });

  it('is zero for an estimate that differs from gt by one global rigid transform', () => {
    // RPE is invariant to a world-frame change: inv(TQ_i)·TQ_j = inv(Q_i)·Q_j.
    // World change W = 30° yaw + (3, 1, 1): W·[yaw 0°, 0] = [yaw 30°, (3, 1, 1)];
    // W·[yaw 20°, (1, 0.5, 0)] = [yaw 50°, R30·(1, 0.5, 0) + (3, 1, 1)].
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
    const gt = [yawAt(0, 0, 0, 0), yawAt(20, 1, 0.5, 0)];
    const est = [yawAt(30, 3, 1, 1), yawAt(50, 3 + c - 0.5 * s, 1 + s + 0.5 * c, 1)];
    const r = rpe(est, gt);
    expect(r.pairs).toBe(1);
    expect(r.translation.max).toBeLessThan(1e-9);
    expect(r.rotationDeg.max).toBeLessThan(1e-6);
  });
});

describe('rpe with slightly non-orthonormal poses', () => {
  it('does not read a uniform scale of the rotation columns as rotation error', () => {
    // Columns scaled by 0.99993 (as 7-Scenes' ground truth): trace(RᵀR)/… would give acos((3·0.99986 − 1)/2) ≈ 1.1°.
    const scaled = (m: Mat4): Mat4 => { const o = Float64Array.from(m); for (const k of [0, 1, 2, 4, 5, 6, 8, 9, 10]) o[k] *= 0.99993; return o; };
    const gt = [yawAt(0, 0, 0, 0), yawAt(5, 0.1, 0, 0)].map(scaled);
    const est = [yawAt(0, 0, 0, 0), yawAt(5, 0.1, 0, 0)];
    expect(rpe(est, gt).rotationDeg.max).toBeLessThan(1e-3);
  });
});
