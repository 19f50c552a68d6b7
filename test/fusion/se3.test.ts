import { describe, expect, it } from 'vitest';
import { invertRigid, mulPose, orthonormalizeRotation, poseDistance, se3Exp, se3Log } from '../../fusion/se3.js';
import { accumulateResidual, packedIndex, solveNormalEquations6 } from '../../fusion/linalg6.js';
import { identityPose, poseFromTranslationQuaternion } from '../../fusion/pose.js';

describe('SE(3) exp / log', () => {
  it('exp of a pure translation is that translation', () => {
    const m = se3Exp(new Float64Array(16), [0.1, -0.2, 0.3, 0, 0, 0]);
    expect(Array.from(m)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.1, -0.2, 0.3, 1]);
  });

  it('exp of a rotation about z by 90° matches the quaternion pose', () => {
    const m = se3Exp(new Float64Array(16), [0, 0, 0, 0, 0, Math.PI / 2]);
    const q = poseFromTranslationQuaternion(0, 0, 0, 0, 0, Math.SQRT1_2, Math.SQRT1_2);
    for (let i = 0; i < 16; i++) expect(m[i]).toBeCloseTo(q[i], 12);
  });

  it('log inverts exp for large, small and tiny rotations', () => {
    const twists = [
      [0.3, -0.1, 0.7, 0.4, -0.9, 1.3], [1e-3, 2e-3, -1e-3, 1e-5, -2e-5, 3e-6], [0.5, 0.5, 0.5, 0, 0, 0],
      [-1, 2, 0.1, 2.0, 0.5, -1.2], [0.01, 0, 0, 1e-9, 0, 0],
    ];
    for (const xi of twists) {
      const m = se3Exp(new Float64Array(16), xi);
      const back = se3Log(new Float64Array(6), m);
      for (let k = 0; k < 6; k++) expect(back[k]).toBeCloseTo(xi[k], 10);
    }
  });

  it('exp is a homomorphism along one twist: exp(a ξ)·exp(b ξ) = exp((a+b) ξ)', () => {
    const xi = [0.2, -0.4, 0.1, 0.3, 0.2, -0.5];
    const a = se3Exp(new Float64Array(16), xi.map((v) => v * 0.3));
    const b = se3Exp(new Float64Array(16), xi.map((v) => v * 0.7));
    const ab = mulPose(new Float64Array(16), a, b);
    const full = se3Exp(new Float64Array(16), xi);
    for (let i = 0; i < 16; i++) expect(ab[i]).toBeCloseTo(full[i], 12);
  });

  it('invertRigid gives the inverse and poseDistance measures the relative motion', () => {
    const m = se3Exp(new Float64Array(16), [0.3, 0.2, -0.1, 0.1, 0.2, 0.3]);
    const prod = mulPose(new Float64Array(16), m, invertRigid(new Float64Array(16), m));
    const I = identityPose();
    for (let i = 0; i < 16; i++) expect(prod[i]).toBeCloseTo(I[i], 12);
    const moved = se3Exp(new Float64Array(16), [0, 0, 0, 0, 0.1, 0]);
    moved[13] = 0.03; moved[14] = 0.04;
    const d = poseDistance(I, moved);
    expect(d.rotation).toBeCloseTo(0.1, 12);
    expect(d.translation).toBeCloseTo(0.05, 12);
  });

  it('orthonormalizeRotation repairs a perturbed rotation', () => {
    const m = se3Exp(new Float64Array(16), [0, 0, 0, 0.3, -0.2, 0.5]);
    m[0] += 1e-3; m[5] -= 2e-3; m[9] += 1e-3;
    orthonormalizeRotation(m);
    // RᵀR = I
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let r = 0; r < 3; r++) s += m[a * 4 + r] * m[b * 4 + r];
      expect(s).toBeCloseTo(a === b ? 1 : 0, 12);
    }
  });
});

describe('6×6 LDLᵀ solve', () => {
  it('solves a random SPD system built from residuals to machine precision', () => {
    // H = Σ JᵀJ over 20 deterministic rows; b = −Σ Jᵀe with e chosen so that x* = known.
    const xTrue = [0.5, -1, 2, 0.25, -0.75, 1.5];
    const acc = new Float64Array(29);
    let seed = 7;
    const rnd = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 - 0.5; };
    for (let r = 0; r < 20; r++) {
      const j = Array.from({ length: 6 }, rnd);
      // Residual e = −J·x* makes the least-squares optimum of Σ(e + J x)² exactly x*.
      const e = -j.reduce((s, v, k) => s + v * xTrue[k], 0);
      accumulateResidual(acc, j, e, 1);
    }
    const x = new Float64Array(6);
    expect(solveNormalEquations6(acc, x, new Float64Array(42))).toBe(true);
    for (let k = 0; k < 6; k++) expect(x[k]).toBeCloseTo(xTrue[k], 10);
  });

  it('solves a hand-made diagonal system', () => {
    const acc = new Float64Array(29);
    for (let r = 0; r < 6; r++) { acc[packedIndex(r, r)] = r + 1; acc[21 + r] = 2 * (r + 1); }
    acc[packedIndex(0, 1)] = 0.5;
    const x = new Float64Array(6);
    expect(solveNormalEquations6(acc, x, new Float64Array(42))).toBe(true);
    // [1 .5; .5 2] [x0 x1] = [2 4] → det 1.75, x0 = 2/1.75 = 8/7, x1 = 3/1.75 = 12/7
    expect(x[0]).toBeCloseTo(8 / 7, 12);
    expect(x[1]).toBeCloseTo(12 / 7, 12);
    for (let r = 2; r < 6; r++) expect(x[r]).toBeCloseTo(2, 12);
  });

  it('reports a rank-deficient system (e.g. a single plane) instead of solving it', () => {
    const acc = new Float64Array(29);
    // Point-to-plane rows of a plane z = 1 only: J = [0,0,1, y,-x,0] — x/y translation and z rotation unobservable.
    for (let i = 0; i < 50; i++) {
      const x = (i % 7) * 0.1, y = Math.floor(i / 7) * 0.1;
      accumulateResidual(acc, [0, 0, 1, y, -x, 0], 0.01, 1);
    }
    expect(solveNormalEquations6(acc, new Float64Array(6), new Float64Array(42))).toBe(false);
  });
});
