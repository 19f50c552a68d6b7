/**
 * 6×6 symmetric normal equations, as the tracker accumulates them: the upper triangle packed row by row
 * (21 numbers) followed by the right-hand side (6 numbers). Solved by LDLᵀ, which needs no square roots and
 * reports a non-positive pivot (a degenerate, e.g. planar-only, geometry) instead of returning garbage.
 */

/** Number of packed entries: 21 (upper triangle) + 6 (rhs) + 2 (residual sum, count) used by reductions. */
export const NORMAL_EQ_SIZE = 29;

/** Index of H[r][c] (r ≤ c) in the packed upper triangle. */
export function packedIndex(r: number, c: number): number {
  return r * 6 - (r * (r - 1)) / 2 + (c - r);
}

/**
 * Adds w·JᵀJ to H and −w·Jᵀe to b for one residual e with Jacobian J (6 entries). Also accumulates w·e² and 1
 * in the two trailing slots.
 */
export function accumulateResidual(acc: Float64Array, j: ArrayLike<number>, e: number, w: number): void {
  let k = 0;
  for (let r = 0; r < 6; r++) {
    const wr = w * j[r];
    for (let c = r; c < 6; c++) acc[k++] += wr * j[c];
  }
  for (let r = 0; r < 6; r++) acc[21 + r] -= w * j[r] * e;
  acc[27] += w * e * e;
  acc[28] += 1;
}

/**
 * Solves H x = b by LDLᵀ on the packed system (acc as built by accumulateResidual, optionally scaled and summed).
 * `scratch` holds ≥ 42 numbers. Returns false when H is not positive definite (pivot ≤ tiny·max diagonal).
 */
export function solveNormalEquations6(acc: Float64Array, x: Float64Array, scratch: Float64Array): boolean {
  // Unpack into L (6×6 row-major, unit lower) and D (6), in place in scratch[0..35] and scratch[36..41].
  const L = scratch;
  let maxDiag = 0;
  for (let r = 0; r < 6; r++) maxDiag = Math.max(maxDiag, acc[packedIndex(r, r)]);
  if (!(maxDiag > 0)) return false;
  const eps = maxDiag * 1e-12;
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j <= i; j++) {
      let s = acc[packedIndex(j, i)];
      for (let k = 0; k < j; k++) s -= L[i * 6 + k] * L[j * 6 + k] * scratch[36 + k];
      if (i === j) {
        if (!(s > eps)) return false;
        scratch[36 + i] = s;
        L[i * 6 + i] = 1;
      } else {
        L[i * 6 + j] = s / scratch[36 + j];
      }
    }
  }
  // Forward (L y = b), diagonal, backward (Lᵀ x = z).
  for (let i = 0; i < 6; i++) {
    let s = acc[21 + i];
    for (let k = 0; k < i; k++) s -= L[i * 6 + k] * x[k];
    x[i] = s;
  }
  for (let i = 0; i < 6; i++) x[i] /= scratch[36 + i];
  for (let i = 5; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < 6; k++) s -= L[k * 6 + i] * x[k];
    x[i] = s;
  }
  return true;
}
