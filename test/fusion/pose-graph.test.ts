import { describe, expect, it } from 'vitest';
import { PoseGraph, adjoint, choleskySolve } from '../../fusion/pose-graph.js';
import { invertRigid, mulPose, se3Exp } from '../../fusion/se3.js';
import { SurfelMap, SlotList } from '../../fusion/surfel-map.js';
import type { Mat4 } from '../../fusion/pose.js';
import { poseErrorMmDeg } from './helpers/pose-expect.js';
import { lookAt } from './helpers/box-scene.js';

const exp = (xi: number[]): Mat4 => se3Exp(new Float64Array(16), xi);
const mul = (a: Mat4, b: Mat4): Mat4 => mulPose(new Float64Array(16), a, b);
const inv = (a: Mat4): Mat4 => invertRigid(new Float64Array(16), a);

/** Ground-truth poses around a square loop (2 m side), 4·k nodes, the last one back next to the first. */
function squareLoop(perSide: number): Mat4[] {
  const poses: Mat4[] = [];
  for (let s = 0; s < 4; s++) {
    for (let k = 0; k < perSide; k++) {
      const t = k / perSide;
      const corners = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]];
      const [x0, z0] = corners[s], [x1, z1] = corners[s + 1];
      poses.push(mul(exp([x0 + (x1 - x0) * t, 0, z0 + (z1 - z0) * t, 0, 0, 0]), exp([0, 0, 0, 0, (s + t) * Math.PI / 2, 0])));
    }
  }
  return poses;
}

describe('pose graph (map correction on loop closure)', () => {
  it('Ad(T) maps twists: exp(Ad(T)·ξ) = T·exp(ξ)·T⁻¹', () => {
    const T = mul(exp([0.3, -1, 2, 0.2, 0.5, -0.3]), exp([0, 0, 0, 0.1, 0, 0]));
    const xi = [0.01, -0.02, 0.03, 0.004, -0.002, 0.003];
    const A = adjoint(new Float64Array(36), T);
    const axi = [0, 1, 2, 3, 4, 5].map((r) => xi.reduce((s, v, c) => s + A[r * 6 + c] * v, 0));
    const lhs = exp(axi), rhs = mul(mul(T, exp(xi)), inv(T));
    for (let i = 0; i < 16; i++) expect(lhs[i]).toBeCloseTo(rhs[i], 12);
  });

  it('Cholesky solve of a small SPD system', () => {
    const H = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const x = new Float64Array(3);
    expect(choleskySolve(H.slice(), Float64Array.from([1, 2, 3]), x, 3)).toBe(true);
    for (let r = 0; r < 3; r++) expect(H[r * 3] * x[0] + H[r * 3 + 1] * x[1] + H[r * 3 + 2] * x[2]).toBeCloseTo([1, 2, 3][r], 12);
    expect(choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), new Float64Array(2), 2)).toBe(false);
  });

  it('Cholesky solve of a banded system with far off-band entries (a chain with loops: the skyline factorisation)', () => {
    const N = 60;
    const H = new Float64Array(N * N);
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const set = (i: number, j: number, v: number): void => { H[i * N + j] += v; if (i !== j) H[j * N + i] += v; };
    for (let i = 0; i < N; i++) set(i, i, 10 + rnd());
    for (let i = 1; i < N; i++) set(i, i - 1, rnd());
    for (const [i, j] of [[40, 3], [55, 20], [59, 41]]) set(i, j, 0.8 * rnd());
    const b = Float64Array.from({ length: N }, () => rnd());
    const x = new Float64Array(N);
    expect(choleskySolve(H.slice(), b, x, N)).toBe(true);
    for (let r = 0; r < N; r++) {
      let s = 0;
      for (let c = 0; c < N; c++) s += H[r * N + c] * x[c];
      expect(s).toBeCloseTo(b[r], 12);
    }
  });

  it('exact measurements bring perturbed nodes back to the truth (node 0 fixed)', () => {
    const truth = squareLoop(5);
    const g = new PoseGraph();
    truth.forEach((T, k) => g.addNode(k === 0 ? T : mul(exp([0.05 * Math.sin(k), 0.03, -0.04 * Math.cos(k), 0.02, -0.03, 0.01 * k]), T), k));
    for (let k = 1; k < truth.length; k++) g.addEdge(k - 1, k, mul(inv(truth[k - 1]), truth[k]), 1, 'odometry');
    g.addEdge(0, truth.length - 1, mul(inv(truth[0]), truth[truth.length - 1]), 10, 'loop');
    const r = g.optimise(20);
    expect(r.finalCost).toBeLessThan(1e-16);
    for (let k = 0; k < truth.length; k++) {
      const e = poseErrorMmDeg(g.poses[k], truth[k]);
      expect(e.mm).toBeLessThan(1e-3);
      expect(e.deg).toBeLessThan(1e-4);
    }
  });

  it('drifting odometry + one loop edge: the loop error is spread along the chain, the end returns to the truth', () => {
    const truth = squareLoop(6);
    const n = truth.length;
    // Odometry with a constant heading bias (0.4° per step) and scale-free translation noise: the chain drifts.
    const bias = exp([0.004, 0, -0.002, 0, 0.007, 0]);
    const g = new PoseGraph();
    g.addNode(truth[0], 0);
    for (let k = 1; k < n; k++) {
      const Z = mul(mul(inv(truth[k - 1]), truth[k]), bias);
      g.addNode(mul(g.poses[k - 1], Z), k);
      g.addEdge(k - 1, k, Z, 1, 'odometry');
    }
    const driftBefore = poseErrorMmDeg(g.poses[n - 1], truth[n - 1]);
    expect(driftBefore.mm).toBeGreaterThan(100);
    // The loop: the last node seen from the first, measured exactly (as a registration against the old map would).
    g.addEdge(0, n - 1, mul(inv(truth[0]), truth[n - 1]), 100, 'loop');
    const costBefore = g.cost();
    const r = g.optimise(20);
    expect(r.finalCost).toBeLessThan(costBefore / 50);
    const end = poseErrorMmDeg(g.poses[n - 1], truth[n - 1]);
    expect(end.mm).toBeLessThan(driftBefore.mm / 20);
    let worstBefore = 0, worstAfter = 0;
    let p = truth[0];
    for (let k = 1; k < n; k++) {
      p = mul(p, mul(mul(inv(truth[k - 1]), truth[k]), bias));
      worstBefore = Math.max(worstBefore, poseErrorMmDeg(p, truth[k]).mm);
      worstAfter = Math.max(worstAfter, poseErrorMmDeg(g.poses[k], truth[k]).mm);
    }
    expect(worstAfter).toBeLessThan(worstBefore / 3);
  });

  it('nodes below firstFree stay fixed; surfels move with their anchor node and stay findable', () => {
    const map = new SurfelMap({ chunkSize: 1 });
    map.anchorForNew = 0;
    const a = map.add(0.5, 0.2, 2, 0, 0, -1, 0.01, 1, 2, 3, 1, 0);
    map.anchorForNew = 1;
    const b = map.add(0.4, 0.1, 2.2, 0, 0, -1, 0.01, 1, 2, 3, 1, 0);
    const deltas = new Float64Array(32);
    deltas.set(exp([0, 0, 0, 0, 0, 0]), 0);
    // Node 1 moves by 1.3 m along x (into another chunk) and turns 10° about y.
    const d1 = mul(exp([1.3, 0, 0, 0, 0, 0]), exp([0, 0, 0, 0, 10 * Math.PI / 180, 0]));
    deltas.set(d1, 16);
    expect(map.transformByAnchor(deltas, 2)).toBe(1);
    expect(Array.from(map.position.subarray(3 * a, 3 * a + 3))).toEqual([0.5, 0.2, 2].map(Math.fround));
    const want = [d1[0] * 0.4 + d1[4] * 0.1 + d1[8] * 2.2 + d1[12], d1[1] * 0.4 + d1[5] * 0.1 + d1[9] * 2.2 + d1[13], d1[2] * 0.4 + d1[6] * 0.1 + d1[10] * 2.2 + d1[14]];
    for (let k = 0; k < 3; k++) expect(map.position[3 * b + k]).toBeCloseTo(want[k], 5);
    expect(Math.hypot(map.normal[3 * b], map.normal[3 * b + 1], map.normal[3 * b + 2])).toBeCloseTo(1, 5);
    // Re-filed: a camera looking at the new place lists it.
    const list = new SlotList();
    const T = lookAt([want[0], want[1], want[2] - 2], want);
    map.collectInFrustum(inv(T), { width: 64, height: 48, fx: 50, fy: 50, cx: 31.5, cy: 23.5 },
      { minLastUpdate: -Infinity, minConfidence: 0, frontFacing: false, minDepth: 0.1, maxDepth: 10, borderPx: 0 }, list);
    expect(Array.from(list.slots.subarray(0, list.count))).toContain(b);
  });
});
