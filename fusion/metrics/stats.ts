/** Summary of a list of non-negative errors; every field: lower is better. NaN for an empty list. */
export interface ErrorStats {
  readonly count: number;
  readonly rmse: number;
  readonly mean: number;
  /** Middle value; mean of the two middle values for an even count (numpy.median). */
  readonly median: number;
  readonly max: number;
}

export function summarise(errors: ArrayLike<number>): ErrorStats {
  const n = errors.length;
  if (n === 0) return { count: 0, rmse: NaN, mean: NaN, median: NaN, max: NaN };
  let sum = 0, sq = 0, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const e = errors[i];
    sum += e; sq += e * e;
    if (e > max) max = e;
  }
  return { count: n, rmse: Math.sqrt(sq / n), mean: sum / n, median: median(errors), max };
}

/** Median without mutating the input (numpy.median convention). */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Percentile by linear interpolation between closest ranks (numpy.percentile default). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(values).sort();
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(rank), hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}
