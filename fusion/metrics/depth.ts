/**
 * Depth estimation metrics of Eigen et al. (NIPS 2014), as in the paper's Table II: RMSE (linear), RMSE (log),
 * absolute relative, squared relative, and threshold accuracies δ < 1.25, 1.25², 1.25³.
 * Accumulated over every valid pixel of every updated image (pixel-pooled, like the NYUDv2 evaluation of
 * Light-Weight RefineNet), not a mean of per-image means.
 * Valid pixel: ground truth finite and > 0 (0 = missing), prediction finite and > 0; optional range limits.
 */

export interface DepthMetricsOptions {
  /** Ground truth outside [minDepth, maxDepth] metres is skipped (Eigen's crop uses 1e-3..10 on NYUDv2). */
  readonly minDepth: number;
  readonly maxDepth: number;
}
export const DEFAULT_DEPTH_METRICS_OPTIONS: DepthMetricsOptions = { minDepth: 0, maxDepth: Infinity };

export interface DepthScores {
  readonly pixels: number;
  /** √mean((p − g)²), metres. Lower is better. */
  readonly rmse: number;
  /** √mean((ln p − ln g)²). Lower is better. */
  readonly rmseLog: number;
  /** mean(|p − g| / g). Lower is better. */
  readonly absRel: number;
  /** mean((p − g)² / g), metres. Lower is better. */
  readonly sqRel: number;
  /** Fraction with max(p/g, g/p) < 1.25. Higher is better. */
  readonly delta1: number;
  /** … < 1.25². Higher is better. */
  readonly delta2: number;
  /** … < 1.25³. Higher is better. */
  readonly delta3: number;
}

const T1 = 1.25, T2 = 1.25 ** 2, T3 = 1.25 ** 3;

export class DepthMetrics {
  private readonly options: DepthMetricsOptions;
  private n = 0;
  private sq = 0;
  private sqLog = 0;
  private absRel = 0;
  private sqRel = 0;
  private d1 = 0;
  private d2 = 0;
  private d3 = 0;

  constructor(options: Partial<DepthMetricsOptions> = {}) {
    this.options = { ...DEFAULT_DEPTH_METRICS_OPTIONS, ...options };
  }

  reset(): void {
    this.n = this.sq = this.sqLog = this.absRel = this.sqRel = this.d1 = this.d2 = this.d3 = 0;
  }

  update(predicted: ArrayLike<number>, groundTruth: ArrayLike<number>): void {
    if (predicted.length !== groundTruth.length) {
      throw new RangeError(`DepthMetrics.update: ${predicted.length} predicted vs ${groundTruth.length} ground-truth pixels`);
    }
    const { minDepth, maxDepth } = this.options;
    for (let i = 0; i < groundTruth.length; i++) {
      const g = groundTruth[i], p = predicted[i];
      if (!(g > 0) || !Number.isFinite(g) || !(p > 0) || !Number.isFinite(p) || g < minDepth || g > maxDepth) continue;
      const d = p - g;
      const dl = Math.log(p) - Math.log(g);
      this.n++;
      this.sq += d * d;
      this.sqLog += dl * dl;
      this.absRel += Math.abs(d) / g;
      this.sqRel += (d * d) / g;
      const ratio = p > g ? p / g : g / p;
      if (ratio < T1) this.d1++;
      if (ratio < T2) this.d2++;
      if (ratio < T3) this.d3++;
    }
  }

  compute(): DepthScores {
    const n = this.n;
    if (n === 0) return { pixels: 0, rmse: NaN, rmseLog: NaN, absRel: NaN, sqRel: NaN, delta1: NaN, delta2: NaN, delta3: NaN };
    return {
      pixels: n,
      rmse: Math.sqrt(this.sq / n),
      rmseLog: Math.sqrt(this.sqLog / n),
      absRel: this.absRel / n,
      sqRel: this.sqRel / n,
      delta1: this.d1 / n,
      delta2: this.d2 / n,
      delta3: this.d3 / n,
    };
  }
}

/** One-shot convenience: the scores of a single predicted/ground-truth pair. */
export function depthMetrics(predicted: ArrayLike<number>, groundTruth: ArrayLike<number>, options: Partial<DepthMetricsOptions> = {}): DepthScores {
  const m = new DepthMetrics(options);
  m.update(predicted, groundTruth);
  return m.compute();
}
