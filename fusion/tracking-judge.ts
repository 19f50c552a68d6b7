/**
 * Judges each tracked frame by its evidence, not only by whether ICP converged: how much valid depth the frame
 * has, how well the 6×6 system constrains every pose direction (degeneracy.ts), the inlier ratio, the residual
 * against its running median, and the photometric term's agreement against its own. A frame in doubt keeps its
 * tracked pose (tracking continues against the model) but is not fused, so a sliding pose cannot corrupt the
 * map; a lost frame keeps the last good pose and starts relocalisation.
 */
import type { TrackingResult } from './icp-tracker.js';
import { depthSigma } from './surfel-fuser.js';

export type FrameVerdict = 'ok' | 'doubtful' | 'lost';

export interface JudgeOptions {
  /** Below this fraction of pixels with valid depth and normal the frame is lost (covered camera, too close). */
  lostValidFraction: number;
  /** Below this fraction it is in doubt (most depth missing: a close-range pass). */
  doubtValidFraction: number;
  /**
   * Conditioning (smallest / largest eigenvalue, see degeneracy.ts) below which the system leaves a direction
   * unconstrained. Judged on the system actually solved (geometry + photometric): a textured single wall is
   * held by the photometric term, a white one is not.
   */
  minConditioning: number;
  /** Below this inlier ratio the frame is in doubt (the tracker's own gate, minInlierRatio, marks it lost). */
  doubtInlierRatio: number;
  /** Inlier RMSE above this multiple of its running median (and above residualFloor metres) is in doubt. */
  residualFactor: number;
  residualFloor: number;
  /** Photometric RMSE above this multiple of its running median (and above photometricFloor) is in doubt. */
  photometricFactor: number;
  photometricFloor: number;
  /** Frames in the running medians (good frames only). */
  window: number;
}

export const DEFAULT_JUDGE_OPTIONS: Readonly<JudgeOptions> = Object.freeze({
  lostValidFraction: 0.03, doubtValidFraction: 0.15, minConditioning: 2e-4, doubtInlierRatio: 0.4,
  residualFactor: 3, residualFloor: 0.006, photometricFactor: 3, photometricFloor: 0.04, window: 60,
});

/**
 * The scale a residual is judged in: the Kinect's depth noise at the frame's mean depth, held at its 0.4 m value
 * below that. After a close-range pass (residuals under 1 mm at 0.3 m) a frame 2 m away has 8 mm for the same fit.
 */
function residualScale(depth: number): number {
  return depthSigma(Math.max(depth, 0.4));
}

export interface Judgement {
  verdict: FrameVerdict;
  /** Why the frame is not ok ('' when ok). */
  reason: string;
}

/** Median of the first n values of a ring (sorted into scratch). */
function ringMedian(ring: Float64Array, n: number, scratch: Float64Array): number {
  if (n === 0) return NaN;
  const s = scratch.subarray(0, n);
  s.set(ring.subarray(0, n));
  s.sort();
  return n % 2 ? s[(n - 1) >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/** Bins of the whole-run photometric RMSE histogram: 0.001 wide over intensity 0..0.5 (above: the last bin). */
const PHOTOMETRIC_BINS = 500;
const PHOTOMETRIC_BIN = 0.001;

export class TrackingJudge {
  readonly options: JudgeOptions;
  /** Every good frame's photometric RMSE since the start, binned: the sequence's colour noise level. */
  private readonly photometricHistogram = new Uint32Array(PHOTOMETRIC_BINS);
  private photometricTotal = 0;
  private readonly residuals: Float64Array;
  /** Residuals over residualScale(the frame's mean depth). */
  private readonly scaled: Float64Array;
  private readonly photometric: Float64Array;
  private readonly scratch: Float64Array;
  private count = 0;
  private next = 0;

  constructor(options: Partial<JudgeOptions> = {}) {
    this.options = { ...DEFAULT_JUDGE_OPTIONS, ...options };
    const w = this.options.window;
    this.residuals = new Float64Array(w);
    this.scaled = new Float64Array(w);
    this.photometric = new Float64Array(w);
    this.scratch = new Float64Array(w);
  }

  /** Running medians (NaN before any good frame). */
  get medianResidual(): number { return ringMedian(this.residuals, this.count, this.scratch); }
  get medianPhotometric(): number { return ringMedian(this.photometric, this.count, this.scratch); }

  /**
   * Median photometric RMSE of every good frame so far (to the bin; NaN before any): the colour's noise level,
   * which a sensor and its setting fix. Unlike the 60-frame median it does not follow the scene's texture.
   */
  get runMedianPhotometric(): number {
    if (this.photometricTotal === 0) return NaN;
    const half = this.photometricTotal / 2;
    let seen = 0;
    for (let b = 0; b < PHOTOMETRIC_BINS; b++) {
      seen += this.photometricHistogram[b];
      if (seen >= half) return (b + 0.5) * PHOTOMETRIC_BIN;
    }
    return PHOTOMETRIC_BINS * PHOTOMETRIC_BIN;
  }

  /**
   * The colour noise the photometric weight follows (FusionConfig.rgbNoiseRef): the run's median, raised to the
   * last frame's photometric RMSE where that is higher. Colour that suddenly agrees less with the model (a specular
   * highlight, an exposure step, blur, a view far from where the surfels took their colour) then weighs less from
   * the next frame on, while the median still caps the weight when colour agrees better than usual. NaN before any
   * good frame.
   */
  colourNoise(lastPhotometricRmse: number): number {
    const run = this.runMedianPhotometric;
    return lastPhotometricRmse > run ? lastPhotometricRmse : run;
  }

  /** The residual a good frame whose points lie `depth` metres away has (median of the scaled ring; NaN before any). */
  expectedResidual(depth: number): number {
    if (!(depth > 0)) return this.medianResidual;
    return ringMedian(this.scaled, this.count, this.scratch) * residualScale(depth);
  }

  /**
   * Judges a frame: `validFraction` = pixels with depth and normal / all pixels; `photometric` = whether the
   * tracker ran a photometric term; `closeRange` = the caller found the frame in a close-range pass (most of the view
   * under the sensor's range, the rest near): in doubt whatever else holds. Good frames enter the running medians.
   */
  judge(t: TrackingResult, validFraction: number, photometric: boolean, closeRange = false): Judgement {
    const o = this.options;
    if (validFraction < o.lostValidFraction) return { verdict: 'lost', reason: `valid depth ${(100 * validFraction).toFixed(1)} % of pixels` };
    if (t.lost) return { verdict: 'lost', reason: t.reason };
    let reason = '';
    const cond = photometric ? t.conditioningCombined : t.conditioning;
    if (validFraction < o.doubtValidFraction) reason = `valid depth ${(100 * validFraction).toFixed(1)} % of pixels`;
    else if (cond < o.minConditioning) reason = `ill-conditioned system (${cond.toExponential(1)})`;
    else if (t.inlierRatio < o.doubtInlierRatio) reason = `inlier ratio ${t.inlierRatio.toFixed(2)}`;
    else if (closeRange) reason = `close range (${(100 * validFraction).toFixed(0)} % valid depth, all of it near)`;
    else if (this.count >= 10) {
      // Judged at the frame's own depth when the tracker reports it (in metres otherwise).
      const mr = this.expectedResidual(t.meanDepth ?? NaN);
      if (t.inlierRmse > o.residualFloor && t.inlierRmse > o.residualFactor * mr) {
        reason = `residual ${(1000 * t.inlierRmse).toFixed(1)} mm vs median ${(1000 * mr).toFixed(1)} mm`;
      } else if (photometric) {
        const mp = this.medianPhotometric;
        if (t.photometricRmse > o.photometricFloor && t.photometricRmse > o.photometricFactor * mp) {
          reason = `photometric RMSE ${t.photometricRmse.toFixed(3)} vs median ${mp.toFixed(3)}`;
        }
      }
    }
    if (reason !== '') return { verdict: 'doubtful', reason };
    this.admit(t);
    return { verdict: 'ok', reason: '' };
  }

  /**
   * Puts a frame's residuals into the running medians. judge() does it for ok frames; the caller does it for a
   * frame it fuses although in doubt (a long run of doubt for a residual level that has moved for good).
   */
  admit(t: TrackingResult): void {
    this.residuals[this.next] = t.inlierRmse;
    this.scaled[this.next] = t.inlierRmse / residualScale(t.meanDepth ?? 1.5);
    this.photometric[this.next] = t.photometricRmse;
    if (t.photometricRmse > 0) {
      this.photometricHistogram[Math.min(PHOTOMETRIC_BINS - 1, Math.floor(t.photometricRmse / PHOTOMETRIC_BIN))]++;
      this.photometricTotal++;
    }
    this.next = (this.next + 1) % this.options.window;
    if (this.count < this.options.window) this.count++;
  }
}
