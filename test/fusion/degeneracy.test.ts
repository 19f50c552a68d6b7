import { describe, expect, it } from 'vitest';
import { accumulateResidual } from '../../fusion/linalg6.js';
import { ConditioningScratch, conditioning, solveConstrained6, symmetricEigen6, symmetricEigenvalues6 } from '../../fusion/degeneracy.js';
import { solveNormalEquations6 } from '../../fusion/linalg6.js';
import { TrackingJudge } from '../../fusion/tracking-judge.js';
import { depthSigma } from '../../fusion/surfel-fuser.js';
import type { TrackingResult } from '../../fusion/icp-tracker.js';
import { mulberry32 } from './helpers/box-scene.js';

/**
 * Point-to-plane system (J = [n, q × n], q in world coordinates) of points on planes, offset by `origin`; with
 * `motion` x, the residuals are those of that motion (e = −J·x, so that H·x = b), else 0.
 */
function planeSystem(planes: { n: number[]; d: number }[], origin: number[], samples: number, seed = 1, motion?: number[]): Float64Array {
  const acc = new Float64Array(29);
  const r = mulberry32(seed);
  for (const { n, d } of planes) {
    // Two directions spanning the plane.
    const a = Math.abs(n[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const u = [n[1] * a[2] - n[2] * a[1], n[2] * a[0] - n[0] * a[2], n[0] * a[1] - n[1] * a[0]];
    const un = Math.hypot(u[0], u[1], u[2]); for (let k = 0; k < 3; k++) u[k] /= un;
    const v = [n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]];
    for (let s = 0; s < samples; s++) {
      const x = (r() - 0.5) * 2, y = (r() - 0.5) * 2;
      const q = [0, 1, 2].map((k) => origin[k] + n[k] * d + u[k] * x + v[k] * y);
      const j = [n[0], n[1], n[2], q[1] * n[2] - q[2] * n[1], q[2] * n[0] - q[0] * n[2], q[0] * n[1] - q[1] * n[0]];
      accumulateResidual(acc, j, motion ? -j.reduce((sum, jk, k) => sum + jk * motion[k], 0) : 0, 1);
    }
  }
  return acc;
}


describe('degeneracy measure (conditioning of the 6×6 tracking system)', () => {
  it('Jacobi eigenvalues of a known symmetric matrix (R·diag·Rᵀ)', () => {
    const diag = [5, 0.5, 3, 1e-3, 2, 7];
    // A rotation in the (0,3) and (1,4) planes mixes the diagonal.
    const c = Math.cos(0.7), s = Math.sin(0.7);
    const R = new Float64Array(36);
    for (let i = 0; i < 6; i++) R[i * 6 + i] = 1;
    R[0] = c; R[3] = -s; R[18] = s; R[21] = c;
    R[7] = c; R[10] = s; R[25] = -s; R[28] = c;
    const A = new Float64Array(36);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      let v = 0;
      for (let k = 0; k < 6; k++) v += R[i * 6 + k] * diag[k] * R[j * 6 + k];
      A[i * 6 + j] = v;
    }
    const ev = symmetricEigenvalues6(A, new Float64Array(6));
    const want = [...diag].sort((a, b) => a - b);
    for (let i = 0; i < 6; i++) expect(ev[i]).toBeCloseTo(want[i], 10);
  });

  it('Jacobi eigenvectors: A·v = λ·v for each, and orthonormal', () => {
    const A = new Float64Array(36);
    const r = mulberry32(9);
    for (let i = 0; i < 6; i++) for (let j = i; j < 6; j++) { const v = r() - 0.5; A[i * 6 + j] = v; A[j * 6 + i] = v; }
    const work = Float64Array.from(A), values = new Float64Array(6), V = new Float64Array(36);
    symmetricEigen6(work, values, V);
    for (let c = 0; c < 6; c++) {
      for (let i = 0; i < 6; i++) {
        let av = 0;
        for (let k = 0; k < 6; k++) av += A[i * 6 + k] * V[k * 6 + c];
        expect(av).toBeCloseTo(values[c] * V[i * 6 + c], 10);
      }
      for (let d = 0; d < 6; d++) {
        let dot = 0;
        for (let k = 0; k < 6; k++) dot += V[k * 6 + c] * V[k * 6 + d];
        expect(dot).toBeCloseTo(c === d ? 1 : 0, 10);
      }
    }
  });

  it('solveConstrained6: the full solution where every direction is held, none of a free direction where one is not', () => {
    const x = [0.01, 0.02, 0.03, 0.004, -0.003, 0.002];
    const s = new ConditioningScratch(), out = new Float64Array(6), full = new Float64Array(6);
    // A room corner holds every direction: the same step as the plain solve, which recovers the motion.
    const corner = planeSystem([{ n: [1, 0, 0], d: -1.5 }, { n: [0, 1, 0], d: -1.2 }, { n: [0, 0, 1], d: 2.5 }], [0, 0, 0], 300, 3, x);
    expect(solveNormalEquations6(corner, full, new Float64Array(42))).toBe(true);
    expect(solveConstrained6(corner, 0.1, -0.2, 0.3, 2, 1e-3, out, s)).toBe(true);
    for (let k = 0; k < 6; k++) { expect(full[k]).toBeCloseTo(x[k], 9); expect(out[k]).toBeCloseTo(x[k], 9); }
    // Two walls meeting along z (a crease): a slide along z leaves every residual as it is. The constrained step
    // takes the motion but for that slide; the translation along z it leaves at 0.
    const t = [0.01, 0.02, 0.03, 0, 0, 0];
    const crease = planeSystem([{ n: [1, 0, 0], d: -1.5 }, { n: [0, 1, 0], d: -1.2 }], [0, 0, 0], 300, 3, t);
    expect(conditioning(crease, 0.1, -0.2, 0.3, 2)).toBeLessThan(1e-9);
    expect(solveConstrained6(crease, 0.1, -0.2, 0.3, 2, 1e-3, out, s)).toBe(true);
    expect(Array.from(out).map((v) => Math.round(v * 1e6) / 1e6 + 0)).toEqual([0.01, 0.02, 0, 0, 0, 0]);
    // Nothing to solve: false.
    expect(solveConstrained6(new Float64Array(29), 0, 0, 0, 2, 1e-3, out, s)).toBe(false);
  });

  it('a single plane leaves three directions unconstrained: conditioning ≈ 0', () => {
    const cam = [0.3, -0.2, 0.1];
    const acc = planeSystem([{ n: [0, 0, -1], d: -2 }], cam, 2000);
    expect(conditioning(acc, cam[0], cam[1], cam[2], 2)).toBeLessThan(1e-9);
  });

  it('three orthogonal planes (a room corner) constrain every direction: conditioning > 0.01', () => {
    const cam = [0, 0, 0];
    const acc = planeSystem([{ n: [0, 0, -1], d: -2 }, { n: [1, 0, 0], d: -1.5 }, { n: [0, -1, 0], d: -1 }], cam, 1500);
    expect(conditioning(acc, 0, 0, 0, 2)).toBeGreaterThan(0.01);
  });

  it('does not depend on where the world origin is (the pivot moves to the camera centre)', () => {
    const planes = [{ n: [0, 0, -1], d: -2 }, { n: [1, 0, 0], d: -1.5 }, { n: [0, -1, 0], d: -1 }];
    const near = conditioning(planeSystem(planes, [0, 0, 0], 1500), 0, 0, 0, 2);
    const far = conditioning(planeSystem(planes, [40, -25, 60], 1500), 40, -25, 60, 2);
    expect(far).toBeCloseTo(near, 6);
    // Without moving the pivot the same scene would look far worse conditioned.
    expect(conditioning(planeSystem(planes, [40, -25, 60], 1500), 0, 0, 0, 2)).toBeLessThan(near / 10);
  });
});

function tracked(over: Partial<TrackingResult> = {}): TrackingResult {
  return {
    ok: true, lost: false, reason: '', T_world_camera: new Float64Array(16), inlierRmse: 0.003, inlierRatio: 0.9,
    photometricRmse: 0.02, iterations: 10, deltaTranslation: 0.01, deltaRotationDeg: 0.5, conditioning: 0.05,
    conditioningCombined: 0.06, ...over,
  };
}

describe('tracking judge', () => {
  it('judges frames by valid depth, conditioning, inliers and the residual against its running median', () => {
    const j = new TrackingJudge();
    for (let i = 0; i < 20; i++) expect(j.judge(tracked({ inlierRmse: 0.003 + 1e-5 * i }), 0.8, true).verdict).toBe('ok');
    expect(j.medianResidual).toBeCloseTo(0.003095, 6);
    expect(j.judge(tracked(), 0.01, true)).toMatchObject({ verdict: 'lost' });
    expect(j.judge(tracked({ ok: false, lost: true, reason: 'inlier ratio' }), 0.8, true)).toMatchObject({ verdict: 'lost', reason: 'inlier ratio' });
    expect(j.judge(tracked(), 0.1, true).verdict).toBe('doubtful');
    expect(j.judge(tracked({ conditioningCombined: 1e-5 }), 0.8, true).reason).toMatch(/ill-conditioned/);
    // Depth-only tracking is judged on the geometric system.
    expect(j.judge(tracked({ conditioning: 1e-5 }), 0.8, false).reason).toMatch(/ill-conditioned/);
    expect(j.judge(tracked({ conditioning: 1e-5 }), 0.8, true).verdict).toBe('ok');
    expect(j.judge(tracked({ inlierRatio: 0.3 }), 0.8, true).reason).toMatch(/inlier ratio/);
    expect(j.judge(tracked({ inlierRmse: 0.012 }), 0.8, true).reason).toMatch(/residual/);
    expect(j.judge(tracked({ photometricRmse: 0.2 }), 0.8, true).reason).toMatch(/photometric/);
    // Doubtful frames stay out of the medians.
    expect(j.medianResidual).toBeCloseTo(0.003, 3);
  });

  it('judges the residual at the frame\'s own depth: after close-range frames a far frame\'s larger residual is not doubt', () => {
    const j = new TrackingJudge();
    // 0.6 mm at 0.45 m (the Kinect's noise there is ~1.2 mm).
    for (let i = 0; i < 20; i++) expect(j.judge(tracked({ inlierRmse: 0.0006, meanDepth: 0.45 }), 0.8, true).verdict).toBe('ok');
    expect(j.expectedResidual(2)).toBeCloseTo((0.0006 / depthSigma(0.45)) * depthSigma(2), 9);
    // 6.5 mm at 2 m is the same fit (σ(2 m) ≈ 6 mm): ok. In metres alone it was 11× the median: in doubt.
    expect(j.judge(tracked({ inlierRmse: 0.0065, meanDepth: 2 }), 0.8, true).verdict).toBe('ok');
    expect(j.judge(tracked({ inlierRmse: 0.03, meanDepth: 2 }), 0.8, true).reason).toMatch(/residual/);
    // Without the depth the residual is judged in metres, as before.
    expect(j.judge(tracked({ inlierRmse: 0.0065 }), 0.8, true).reason).toMatch(/residual/);
  });

  it('a frame in a close-range pass is in doubt however well it tracked', () => {
    const j = new TrackingJudge();
    expect(j.judge(tracked(), 0.33, true, true)).toMatchObject({ verdict: 'doubtful', reason: expect.stringMatching(/close range/) });
    expect(j.judge(tracked(), 0.33, true, false).verdict).toBe('ok');
  });

  it('admitted frames move the medians: a photometric level that has moved for good stops being in doubt', () => {
    const j = new TrackingJudge({ window: 10 });
    for (let i = 0; i < 10; i++) j.judge(tracked({ photometricRmse: 0.02 }), 0.8, true);
    expect(j.judge(tracked({ photometricRmse: 0.07 }), 0.8, true).reason).toMatch(/photometric/);
    // What the fusion does after a run of such frames (surfel-fusion.ts, DOUBT_RUN_FUSE): fuse and admit them.
    for (let i = 0; i < 6; i++) j.admit(tracked({ photometricRmse: 0.07 }));
    expect(j.medianPhotometric).toBeCloseTo(0.07, 6);
    expect(j.judge(tracked({ photometricRmse: 0.07 }), 0.8, true).verdict).toBe('ok');
  });
});
