/**
 * The pose graph the map is anchored to: nodes are camera poses (one every few fused frames), edges are
 * measured relative poses — odometry between consecutive nodes, and loop closures. Every surfel is anchored to
 * the node current when it was created; optimise() returns how each node moved, and the map moves each surfel
 * with its node (SurfelMap.transformByAnchor), so a loop closure corrects the map, not only the trajectory.
 *
 * Error of edge (i, j, Z): e = log(Z⁻¹·Tᵢ⁻¹·Tⱼ) ∈ se(3) (translation first). With left (world-frame) updates
 * T ← exp(δ)·T, ∂e/∂δⱼ ≈ Ad(Tⱼ⁻¹) and ∂e/∂δᵢ ≈ −Ad(Tⱼ⁻¹) (first order in e). Gauss–Newton, node 0 fixed, on the
 * block-sparse normal equations held densely: graphs here have at most a few hundred nodes (one per
 * `nodeEvery` frames), so a solve is a dense Cholesky of ≤ ~1,800 unknowns, run only when a loop closes.
 */
import type { Mat4 } from './pose.js';
import { invertRigid, mulPose, orthonormalizeRotation, se3Exp, se3Log } from './se3.js';

export interface PoseGraphEdge {
  readonly i: number;
  readonly j: number;
  /** Measured Tᵢ⁻¹·Tⱼ. */
  readonly Z: Mat4;
  /** Information weight (the same on all six components; translation in m, rotation in rad). */
  readonly weight: number;
  readonly kind: 'odometry' | 'loop';
}

export interface OptimiseResult {
  readonly iterations: number;
  /** Weighted squared error before and after. */
  readonly initialCost: number;
  readonly finalCost: number;
}

/** Ad(T) for twists (v, ω), 6×6 row-major: [[R, [t]×R], [0, R]]. */
export function adjoint(out: Float64Array, T: Mat4): Float64Array {
  out.fill(0);
  const tx = T[12], ty = T[13], tz = T[14];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const R = T[c * 4 + r];
      out[r * 6 + c] = R;
      out[(r + 3) * 6 + c + 3] = R;
    }
  }
  // [t]× R
  for (let c = 0; c < 3; c++) {
    const r0 = T[c * 4], r1 = T[c * 4 + 1], r2 = T[c * 4 + 2];
    out[0 * 6 + c + 3] = -tz * r1 + ty * r2;
    out[1 * 6 + c + 3] = tz * r0 - tx * r2;
    out[2 * 6 + c + 3] = -ty * r0 + tx * r1;
  }
  return out;
}

export class PoseGraph {
  readonly poses: Mat4[] = [];
  readonly frames: number[] = [];
  readonly edges: PoseGraphEdge[] = [];
  private readonly e = new Float64Array(6);
  private readonly A = new Float64Array(36);
  private readonly m1 = new Float64Array(16);
  private readonly m2 = new Float64Array(16);
  private readonly m3 = new Float64Array(16);

  get size(): number { return this.poses.length; }

  addNode(T: Mat4, frame: number): number {
    this.poses.push(Float64Array.from(T));
    this.frames.push(frame);
    return this.poses.length - 1;
  }

  /** Adds an edge measuring Tᵢ⁻¹·Tⱼ = Z. */
  addEdge(i: number, j: number, Z: Mat4, weight: number, kind: 'odometry' | 'loop'): void {
    if (i === j || i < 0 || j < 0 || i >= this.size || j >= this.size) throw new RangeError(`pose graph edge ${i}→${j} outside 0..${this.size - 1}`);
    this.edges.push({ i, j, Z: Float64Array.from(Z), weight, kind });
  }

  /** Adds an edge whose measurement is the nodes' current relative pose (odometry as tracked). */
  addRelativeEdge(i: number, j: number, weight: number, kind: 'odometry' | 'loop'): void {
    mulPose(this.m3, invertRigid(this.m1, this.poses[i]), this.poses[j]);
    this.addEdge(i, j, this.m3, weight, kind);
  }

  /** e = log(Z⁻¹·Tᵢ⁻¹·Tⱼ) into this.e. */
  private edgeError(ed: PoseGraphEdge): Float64Array {
    invertRigid(this.m1, this.poses[ed.i]);
    mulPose(this.m2, this.m1, this.poses[ed.j]);
    invertRigid(this.m1, ed.Z);
    mulPose(this.m3, this.m1, this.m2);
    return se3Log(this.e, this.m3);
  }

  cost(): number {
    let c = 0;
    for (const ed of this.edges) {
      const e = this.edgeError(ed);
      let s = 0;
      for (let k = 0; k < 6; k++) s += e[k] * e[k];
      c += ed.weight * s;
    }
    return c;
  }

  /**
   * Gauss–Newton with nodes below `firstFree` fixed (at least node 0), up to maxIterations or until the update is
   * below 1e-7. The nodes' poses are updated in place. A loop closure fixes every node up to its older end: on
   * the chain before it the error is already zero, so the result is the same at a fraction of the solve.
   */
  optimise(maxIterations = 10, firstFree = 1): OptimiseResult {
    const f0 = Math.max(1, firstFree);
    const n = this.size - f0;
    const initialCost = this.cost();
    if (n <= 0 || this.edges.length === 0) return { iterations: 0, initialCost, finalCost: initialCost };
    const N = 6 * n;
    const H = new Float64Array(N * N), b = new Float64Array(N), x = new Float64Array(N);
    const JtW = new Float64Array(36);
    const dT = new Float64Array(16), tmp = new Float64Array(16), inv = new Float64Array(16);
    let it = 0;
    for (; it < maxIterations; it++) {
      H.fill(0); b.fill(0);
      for (const ed of this.edges) {
        const e = this.edgeError(ed);
        adjoint(this.A, invertRigid(inv, this.poses[ed.j]));
        const A = this.A, w = ed.weight;
        // J_i = −A, J_j = A (node 0 fixed: its block is left out). H += Jᵀ w J, b −= Jᵀ w e.
        const fi = ed.i >= f0, fj = ed.j >= f0;
        if (!fi && !fj) continue;
        const bi = 6 * (ed.i - f0), bj = 6 * (ed.j - f0);
        for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) {
          let s = 0;
          for (let k = 0; k < 6; k++) s += A[k * 6 + r] * A[k * 6 + c];
          JtW[r * 6 + c] = w * s;
        }
        for (let r = 0; r < 6; r++) {
          let g = 0;
          for (let k = 0; k < 6; k++) g += A[k * 6 + r] * e[k];
          g *= w;
          if (fi) b[bi + r] += g;
          if (fj) b[bj + r] -= g;
          for (let c = 0; c < 6; c++) {
            const v = JtW[r * 6 + c];
            if (fi) H[(bi + r) * N + bi + c] += v;
            if (fj) H[(bj + r) * N + bj + c] += v;
            if (fi && fj) { H[(bi + r) * N + bj + c] -= v; H[(bj + r) * N + bi + c] -= v; }
          }
        }
      }
      // Nodes no edge reaches would make H singular: a tiny damping keeps them where they are.
      for (let k = 0; k < N; k++) H[k * N + k] += 1e-9;
      if (!choleskySolve(H, b, x, N)) break;
      let maxStep = 0;
      for (let k = f0; k < this.size; k++) {
        const o = 6 * (k - f0);
        for (let c = 0; c < 6; c++) maxStep = Math.max(maxStep, Math.abs(x[o + c]));
        se3Exp(dT, x.subarray(o, o + 6));
        mulPose(tmp, dT, this.poses[k]);
        orthonormalizeRotation(tmp);
        this.poses[k].set(tmp);
      }
      if (maxStep < 1e-7) { it++; break; }
    }
    return { iterations: it, initialCost, finalCost: this.cost() };
  }
}

/**
 * Solves H x = b (H symmetric positive definite, N×N row-major, overwritten by its Cholesky factor). Skyline
 * (envelope) factorisation: row i's factor starts where its first non-zero does, so a pose graph's chain plus a
 * few loops costs about N·(band)² instead of N³/6 — on a 1,500-frame revisiting room (140 free nodes, N = 840)
 * a dense factorisation of every Gauss–Newton step took seconds per loop closure.
 */
export function choleskySolve(H: Float64Array, b: Float64Array, x: Float64Array, N: number): boolean {
  const first = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const row = i * N;
    let f = i;
    for (let k = 0; k < i; k++) if (H[row + k] !== 0) { f = k; break; }
    first[i] = f;
  }
  for (let i = 0; i < N; i++) {
    const rowI = i * N, fi = first[i];
    for (let j = fi; j < i; j++) {
      const rowJ = j * N;
      let s = H[rowI + j];
      for (let k = Math.max(fi, first[j]); k < j; k++) s -= H[rowI + k] * H[rowJ + k];
      H[rowI + j] = s / H[rowJ + j];
    }
    let d = H[rowI + i];
    for (let k = fi; k < i; k++) d -= H[rowI + k] * H[rowI + k];
    if (!(d > 0)) return false;
    H[rowI + i] = Math.sqrt(d);
  }
  for (let i = 0; i < N; i++) {
    let s = b[i];
    const row = i * N;
    for (let k = first[i]; k < i; k++) s -= H[row + k] * x[k];
    x[i] = s / H[row + i];
  }
  for (let i = N - 1; i >= 0; i--) {
    x[i] /= H[i * N + i];
    const row = i * N, xi = x[i];
    // Column i of Lᵀ is row i of L: subtract its contribution from the rows above.
    for (let k = first[i]; k < i; k++) x[k] -= H[row + k] * xi;
  }
  return true;
}
