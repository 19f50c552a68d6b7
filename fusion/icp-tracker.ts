/**
 * Frame-to-model tracking (ElasticFusion's RGBDOdometry): coarse-to-fine Gauss–Newton on point-to-plane ICP
 * jointly with a photometric term, Huber-weighted, 6×6 normal equations solved by LDLᵀ, SE(3) left update.
 *
 * ICP: current vertex p (camera) → q = T·p (world), associated projectively with the predicted model pixel;
 *   e = n_m·(q − v_m), J = [n_m, q × n_m].
 * Photometric: predicted model point v_m (world) → p = T⁻¹·v_m in the current camera; r = I_cur(π(p)) − I_m;
 *   with w = R·(∇I·∂π/∂p), J = [−w, w × v_m].
 * Tracking failure is reported as a value (lost = true) and leaves the pose at the initial guess.
 */
import type { Mat4 } from './pose.js';
import type { FrameLevel } from './preprocessor.js';
import type { PredictedLevel } from './model-predictor.js';
import { invertRigid, mulPose, orthonormalizeRotation, poseDistance, se3Exp, se3Log } from './se3.js';
import { packedIndex, solveNormalEquations6 } from './linalg6.js';
import { ConditioningScratch, conditioning, solveConstrained6 } from './degeneracy.js';
import { depthSigma } from './surfel-fuser.js';
import type { KernelPool } from './parallel/pool.js';
import { MAX_PARTS, partCount, partStart, serialPool } from './parallel/pool.js';

/**
 * The carried photometric prior is added at a finer level only where depth there is this badly conditioned
 * (degeneracy.conditioning, the same measure as the judge's). Always on, it cost well-conditioned rooms at 640×480
 * (seeds 9 and 4: 1.07 → 1.72 and 1.09 → 1.58 cm ATE) as much as it gave the far-wall seed 101 (3.37 → 1.81 cm).
 */
const RGB_PRIOR_MAX_CONDITIONING = 3e-4;
export type TrackingTerm = 'hybrid' | 'pointToPlane' | 'photometric';

export interface IcpOptions {
  method: TrackingTerm;
  /** Iterations per level, finest (level 0) first. */
  iterations: readonly number[];
  rgbWeight: number;
  maxDistance: number;
  maxNormalAngleDeg: number;
  icpHuber: number;
  rgbHuber: number;
  rgbMinGradient: number;
  minInlierRatio: number;
  maxInlierRmse: number;
  maxTranslationJump: number;
  maxRotationJumpDeg: number;
  convergenceEpsilon: number;
  /**
   * A level w pixels wide uses every round(w / fullDensityWidth)-th valid point in its geometric term (every
   * point at or below this width). The finest levels' iterations over every pixel were the tracker's largest
   * cost, and a quarter of a 320×240 frame's points still over-determine 6 unknowns. Measured on 7-Scenes:
   * at 320×240 every point or every 2nd, ATE 1.00 cm both, tracking 19 → 13 ms per frame; at 640×480 (levels
   * every 4th and every 2nd point) ATE 0.88 → 0.77 cm with the other changes of the time, tracking 27 → 17 ms
   * on 2 threads; the 600-frame 640×480 room 0.18 cm either way.
   */
  fullDensityWidth: number;
  /**
   * Finest pyramid level the photometric term (hybrid) runs on. At 640×480 a pixel's share of smooth shading is
   * half what it is at 320×240 while sensor noise per pixel is the same, so the finest level's gradients are
   * mostly noise on plain walls.
   */
  rgbFinestLevel: number;
  /**
   * Point-to-plane residuals in units of the sensor's depth noise at the point's depth (σ(z), depthSigma: the
   * Kinect model, 1.2 mm + 1.9 mm·(z − 0.4)²), relative to σ at the frame's mean depth z̄: weight (σ(z̄)/σ)², at most
   * 4, and the Huber threshold scaled by σ/σ(z̄). Far points of a real structured-light sensor are both noisier and biased.
   */
  depthNoiseWeighting: boolean;
  /**
   * Below rgbFinestLevel (hybrid), the photometric term's last system, linearised at the pose it was built at,
   * stays in the solve as a quadratic prior, scaled by the geometric term's point count there against here, at
   * the levels where depth alone is degenerate (RGB_PRIOR_MAX_CONDITIONING). Without it the finest levels run on
   * depth alone, and where depth leaves a direction free (a far wall) their iterations slide the pose along it,
   * undoing what the photometric term held one level up. Off by default: measured at 640×480 it helps a far-wall
   * room and hurts another (fusion/README.md, "The photometric term below its finest level").
   */
  rgbPriorBelowFinest: boolean;
  /**
   * Hybrid: at the coarsest level, up to this many depth-only iterations before the level's hybrid ones (it moves
   * on to those once an update falls under convergenceEpsilon). The photometric term only converges from within
   * a pixel or two of the pose, ICP from centimetres further: started from the last pose with both terms, a
   * frame that had moved more could settle where the colour matched locally and the depth did not (point-to-plane
   * RMSE stuck near 1 cm through every level; synth seed 0 at 640×480 with the photometric term on every level,
   * frames 384–445), and the next frame started from there.
   */
  depthFirstIterations: number;
  /**
   * The depth-first iterations are skipped where the coarsest level's geometric system is conditioned worse than
   * this (smallest / largest eigenvalue, see degeneracy.ts): there depth leaves a direction free (a far wall) and
   * its steps would slide the pose along it. The tracking judge's threshold for an ill-conditioned frame.
   */
  depthFirstMinConditioning: number;
  /**
   * Depth-first steps move the pose only along the directions the geometric system holds: the components along
   * eigenvectors whose eigenvalue is under this fraction of the largest are left out (degeneracy.ts,
   * solveConstrained6). Past the gate above, depth can still hold a direction only weakly: on generated room seed 6
   * at 640×480 (two walls meeting at a corner, a towel on one; conditioning 2–3·10⁻⁴) ten depth-only steps slid the
   * pose 2 mm each along the corner, 2.7 cm in all, and the finer levels did not bring it back.
   */
  depthFirstStepRatio: number;
}

export const DEFAULT_ICP_OPTIONS: Readonly<IcpOptions> = Object.freeze({
  method: 'hybrid' as TrackingTerm, iterations: Object.freeze([4, 5, 10]), rgbWeight: 0.01, maxDistance: 0.1,
  maxNormalAngleDeg: 30, icpHuber: 0.01, rgbHuber: 0.05, rgbMinGradient: 0.005, minInlierRatio: 0.25,
  maxInlierRmse: 0.03, maxTranslationJump: 0.2, maxRotationJumpDeg: 20, convergenceEpsilon: 1e-5, fullDensityWidth: Infinity, rgbFinestLevel: 0,
  depthNoiseWeighting: false, rgbPriorBelowFinest: false, depthFirstIterations: 0, depthFirstMinConditioning: 2e-4,
  depthFirstStepRatio: 1e-3,
});

export interface TrackingResult {
  /** True when the frame was tracked and may be fused. */
  readonly ok: boolean;
  /** True when tracking failed (low inlier ratio, high residual, degenerate system or implausible jump). */
  readonly lost: boolean;
  /** Why the frame was lost ('' when ok). */
  readonly reason: string;
  /** Estimated camera-to-world pose (the initial guess when lost). */
  readonly T_world_camera: Mat4;
  /** Point-to-plane RMSE of inliers at the finest level, metres — lower is better. */
  readonly inlierRmse: number;
  /** Fraction of valid current pixels with a model correspondence at the finest level — higher is better. */
  readonly inlierRatio: number;
  /** Photometric RMSE of the used pixels at the finest level (intensity 0..1) — lower is better. */
  readonly photometricRmse: number;
  /** Gauss–Newton iterations run, all levels together. */
  readonly iterations: number;
  /** Motion relative to the initial guess: translation (m) and rotation (degrees). */
  readonly deltaTranslation: number;
  readonly deltaRotationDeg: number;
  /**
   * Conditioning of the finest level's geometric system (smallest / largest eigenvalue at the camera centre,
   * rotations as displacement at the scene's mean depth; see degeneracy.ts): ~0 when depth alone leaves a
   * direction unconstrained (one plane), ~0.05–0.5 for a well-spread scene. 1 when not computed.
   */
  readonly conditioning: number;
  /** The same for the system actually solved (geometric + weighted photometric). */
  readonly conditioningCombined: number;
  /** Mean camera depth of the frame's valid points (m): the scale of its residual (the sensor's noise grows with depth). */
  readonly meanDepth?: number;
}

export class IcpTracker {
  readonly options: IcpOptions;
  private readonly accIcp = new Float64Array(29);
  private readonly accRgb = new Float64Array(29);
  private readonly acc = new Float64Array(29);
  private readonly xi = new Float64Array(6);
  private readonly scratch = new Float64Array(42);
  private readonly T = new Float64Array(16);
  private readonly Tinv = new Float64Array(16);
  private readonly T_ref_world = new Float64Array(16);
  private readonly condScratch = new ConditioningScratch();
  private readonly dT = new Float64Array(16);
  private readonly tmp = new Float64Array(16);
  // Last-iteration statistics per level.
  private icpInliers = 0;
  private icpValid = 0;
  private icpSq = 0;
  private rgbCount = 0;
  private rgbSq = 0;
  /** depthSigma at the current frame's mean depth (noise weighting's reference). */
  private sigmaRef = 0;
  /** The photometric system carried below rgbFinestLevel: H, b (29 packed), the inverse of the pose it was built at, its point count. */
  private readonly rgbPrior = new Float64Array(29);
  private readonly rgbPriorPoseInv = new Float64Array(16);
  private readonly xiPrior = new Float64Array(6);
  private rgbPriorPoints = 0;
  private hasRgbPrior = false;

  private readonly partOut: Float64Array;
  private readonly icpParams: Float64Array;
  private readonly rgbParams: Float64Array;
  private readonly icpArgCache = new WeakMap<FrameLevel, IcpKernelArgs>();
  private readonly rgbArgCache = new WeakMap<FrameLevel, RgbKernelArgs>();
  private readonly bothArgCache = new WeakMap<FrameLevel, TrackKernelArgs>();
  /** Parts and range of each term in a trackAccumulate job: ICP parts, points, photometric parts, rows. */
  private readonly cut: Float64Array;

  /**
   * The photometric weight of the next track(): options.rgbWeight unless the caller sets it per frame
   * (SurfelFusion scales it with the colour's measured noise, FusionConfig.rgbNoiseRef).
   */
  rgbWeight: number;

  constructor(options: Partial<IcpOptions> = {}, private readonly pool: KernelPool = serialPool) {
    this.options = { ...DEFAULT_ICP_OPTIONS, ...options };
    this.rgbWeight = this.options.rgbWeight;
    this.partOut = pool.allocator.f64(MAX_PARTS * PART_STRIDE);
    this.icpParams = pool.allocator.f64(44);
    this.rgbParams = pool.allocator.f64(42);
    this.cut = pool.allocator.f64(4);
  }

  /**
   * Aligns the current frame (pyramid `frame`) to the model prediction `model` rendered from `T_world_ref`,
   * starting from `T_init`. Levels beyond options.iterations.length are ignored.
   */
  track(frame: readonly FrameLevel[], model: readonly PredictedLevel[], T_world_ref: Mat4, T_init: Mat4): TrackingResult {
    const o = this.options;
    const T = this.T;
    T.set(T_init);
    invertRigid(this.T_ref_world, T_world_ref);
    const useIcp = o.method !== 'photometric';
    const useRgb = o.method === 'photometric' || (o.method === 'hybrid' && o.rgbWeight > 0);
    const levels = Math.min(o.iterations.length, frame.length, model.length);
    // Noise weighting is relative to σ at the frame's mean depth: weights average ~1, so the balance with the
    // photometric term and the Huber threshold's meaning stay as tuned.
    const frameDepth = meanDepth(frame[levels - 1]);
    if (o.depthNoiseWeighting) this.sigmaRef = depthSigma(frameDepth);
    let iterations = 0;
    let degenerate = false;
    this.hasRgbPrior = false;
    for (let l = levels - 1; l >= 0; l--) {
      // Depth-only iterations first at the coarsest level (depthFirstIterations); `it` counts them too.
      const depthFirst = l === levels - 1 && useIcp && useRgb && o.method === 'hybrid' ? o.depthFirstIterations : 0;
      const iters = o.iterations[l] + depthFirst;
      // This level's mean depth, for the carried prior's gate: computed once, when the gate first needs it.
      let levelDepth = -1;
      for (let it = 0; it < iters; it++) {
        this.accIcp.fill(0); this.accRgb.fill(0);
        const rgbHere = it >= depthFirst && useRgb && (l >= o.rgbFinestLevel || o.method === 'photometric');
        if (useIcp && rgbHere) this.accumulateBoth(frame[l], model[l], this.sampleStride(frame[l].width));
        else {
          if (useIcp) this.accumulateIcp(frame[l], model[l], this.sampleStride(frame[l].width));
          if (rgbHere) this.accumulateRgb(frame[l], model[l]);
        }
        if (it === 0 && depthFirst > 0) {
          // Where depth leaves a direction free (a far wall), depth-only steps slide the pose along it: none.
          if (levelDepth < 0) levelDepth = meanDepth(frame[l]);
          if (conditioning(this.accIcp, T[12], T[13], T[14], levelDepth, this.condScratch) < o.depthFirstMinConditioning) {
            it = depthFirst - 1;
            continue;
          }
        }
        const acc = this.acc;
        const wr = o.method === 'photometric' ? 1 : this.rgbWeight;
        for (let k = 0; k < 29; k++) acc[k] = (useIcp ? this.accIcp[k] : 0) + (rgbHere ? wr * this.accRgb[k] : 0);
        if (rgbHere && useIcp && o.rgbPriorBelowFinest && l === o.rgbFinestLevel && this.rgbCount > 0) {
          this.rgbPrior.set(this.accRgb); invertRigid(this.rgbPriorPoseInv, T); this.rgbPriorPoints = this.icpValid;
          this.hasRgbPrior = true;
        } else if (!rgbHere && useIcp && this.hasRgbPrior) {
          if (levelDepth < 0) levelDepth = meanDepth(frame[l]);
          if (conditioning(this.accIcp, T[12], T[13], T[14], levelDepth, this.condScratch) < RGB_PRIOR_MAX_CONDITIONING) {
            // Scaled by point counts: the geometric term's weight grows ×4 per finer level, the carried system's does not.
            this.addRgbPrior(acc, wr * this.icpValid / Math.max(1, this.rgbPriorPoints));
          }
        }
        iterations++;
        if (it < depthFirst) {
          if (levelDepth < 0) levelDepth = meanDepth(frame[l]);
          if (!solveConstrained6(acc, T[12], T[13], T[14], levelDepth, o.depthFirstStepRatio, this.xi, this.condScratch)) {
            it = depthFirst - 1;
            continue;
          }
        } else if (!solveNormalEquations6(acc, this.xi, this.scratch)) {
          degenerate = l === 0;
          break;
        }
        se3Exp(this.dT, this.xi);
        mulPose(this.tmp, this.dT, T);
        T.set(this.tmp);
        orthonormalizeRotation(T);
        const x = this.xi;
        if (Math.hypot(x[0], x[1], x[2]) < o.convergenceEpsilon && Math.hypot(x[3], x[4], x[5]) < o.convergenceEpsilon) {
          // Converged on depth alone: on to the level's hybrid iterations.
          if (it < depthFirst - 1) { it = depthFirst - 1; continue; }
          break;
        }
      }
    }
    // Statistics come from the last finest-level iteration (at the pose before its, by then tiny, update):
    // a separate pass at the final pose would cost a whole extra iteration.
    const inlierRatio = useIcp ? (this.icpValid > 0 ? this.icpInliers / this.icpValid : 0) : (this.rgbCount > 0 ? 1 : 0);
    const inlierRmse = this.icpInliers > 0 ? Math.sqrt(this.icpSq / this.icpInliers) : (useIcp ? Infinity : 0);
    const photometricRmse = this.rgbCount > 0 ? Math.sqrt(this.rgbSq / this.rgbCount) : 0;
    const d = poseDistance(T_init, T);
    const deltaRotationDeg = (d.rotation * 180) / Math.PI;
    let reason = '';
    if (degenerate) reason = 'degenerate normal equations';
    else if (useIcp && inlierRatio < o.minInlierRatio) reason = `inlier ratio ${inlierRatio.toFixed(3)} < ${o.minInlierRatio}`;
    else if (useIcp && inlierRmse > o.maxInlierRmse) reason = `inlier RMSE ${inlierRmse.toFixed(4)} m > ${o.maxInlierRmse}`;
    else if (!useIcp && this.rgbCount < 100) reason = 'too few photometric samples';
    else if (d.translation > o.maxTranslationJump || deltaRotationDeg > o.maxRotationJumpDeg) {
      reason = `implausible jump ${d.translation.toFixed(3)} m / ${deltaRotationDeg.toFixed(1)}°`;
    } else if (!Number.isFinite(T[12] + T[13] + T[14])) reason = 'non-finite pose';
    const lost = reason !== '';
    // The last iteration's systems are still in accIcp / acc (the finest level's, at the pose before its tiny update).
    const depth = frameDepth;
    const cond = useIcp ? conditioning(this.accIcp, T[12], T[13], T[14], depth, this.condScratch) : 1;
    const condCombined = conditioning(this.acc, T[12], T[13], T[14], depth, this.condScratch);
    return {
      ok: !lost, lost, reason, T_world_camera: Float64Array.from(lost ? T_init : T),
      inlierRmse, inlierRatio, photometricRmse, iterations, deltaTranslation: d.translation, deltaRotationDeg,
      conditioning: cond, conditioningCombined: condCombined, meanDepth: depth,
    };
  }

  /**
   * Adds s·(the carried photometric system) re-linearised at the current pose: with T = exp(δ)·T_prior, the
   * prior's cost ½(δ + x)ᵀH(δ + x) − bᵀ(δ + x) adds H to the system and b − H·δ to its right-hand side.
   */
  private addRgbPrior(acc: Float64Array, s: number): void {
    mulPose(this.tmp, this.T, this.rgbPriorPoseInv);
    const d = se3Log(this.xiPrior, this.tmp);
    const H = this.rgbPrior;
    for (let k = 0; k < 21; k++) acc[k] += s * H[k];
    for (let r = 0; r < 6; r++) {
      let hd = 0;
      for (let c = 0; c < 6; c++) hd += H[r <= c ? packedIndex(r, c) : packedIndex(c, r)] * d[c];
      acc[21 + r] += s * (H[21 + r] - hd);
    }
  }

  /** Every how many points (geometric term) or pixels (photometric term) a level this wide is sampled. */
  private sampleStride(levelWidth: number): number {
    return Math.max(1, Math.round(levelWidth / this.options.fullDensityWidth));
  }

  /**
   * Both terms in one hand-off to the pool (hybrid): the ICP parts and the photometric parts of one iteration
   * are the parts of a single job, so the threads meet once per iteration instead of twice, and the coarsest
   * level's two one-part terms run side by side. Each part covers exactly the range it covers in the separate
   * calls and the sums are combined in the same order: the same results as accumulateIcp then accumulateRgb.
   */
  private accumulateBoth(cur: FrameLevel, model: PredictedLevel, pointStride: number): void {
    const icpN = Math.ceil(cur.validCount / pointStride), rgbN = model.height;
    const icpParts = partCount(icpN, ICP_POINTS_PER_PART), rgbParts = partCount(rgbN, Math.ceil(RGB_PIXELS_PER_PART / model.width));
    if (icpParts + rgbParts > MAX_PARTS) {
      this.accumulateIcp(cur, model, pointStride);
      this.accumulateRgb(cur, model);
      return;
    }
    this.writeIcpParams(cur, model, pointStride);
    this.writeRgbParams(cur, model);
    const c = this.cut;
    c[0] = icpParts; c[1] = icpN; c[2] = rgbParts; c[3] = rgbN;
    let a = this.bothArgCache.get(cur);
    if (!a || a.icp.md !== model.depth) {
      a = { icp: this.icpArgs(cur, model), rgb: this.rgbArgs(cur, model), cut: c };
      this.bothArgCache.set(cur, a);
    }
    const parts = this.pool.run('trackAccumulate', a, icpParts + rgbParts, this.partOut, PART_STRIDE, 1);
    if (parts !== icpParts + rgbParts) throw new Error(`trackAccumulate: ${parts} parts, expected ${icpParts + rgbParts}`);
    this.sumIcp(0, icpParts);
    this.sumRgb(icpParts, rgbParts);
  }

  private writeIcpParams(cur: FrameLevel, model: PredictedLevel, pointStride: number): void {
    const o = this.options;
    const q = this.icpParams;
    q.set(this.T, 0);
    q.set(this.T_ref_world, 16);
    const k = model.intrinsics;
    q[32] = k.fx; q[33] = k.fy; q[34] = k.cx; q[35] = k.cy; q[36] = model.width; q[37] = model.height;
    q[38] = o.maxDistance * o.maxDistance; q[39] = Math.cos((o.maxNormalAngleDeg * Math.PI) / 180); q[40] = o.icpHuber;
    q[41] = pointStride; q[42] = cur.validSegmentCount; q[43] = o.depthNoiseWeighting ? this.sigmaRef : 0;
  }

  /** Writes the kernels' per-call parameters (pose, intrinsics, gates) and runs the ICP accumulation. */
  private accumulateIcp(cur: FrameLevel, model: PredictedLevel, pointStride: number): void {
    this.writeIcpParams(cur, model, pointStride);
    const args = this.icpArgs(cur, model);
    const n = Math.ceil(cur.validCount / pointStride);
    const parts = this.pool.run('icpAccumulate', args, n, this.partOut, PART_STRIDE, ICP_POINTS_PER_PART);
    this.sumIcp(0, parts);
  }

  /** Adds ICP parts [first, first + parts) of partOut into accIcp and its statistics. */
  private sumIcp(first: number, parts: number): void {
    const a = this.accIcp, out = this.partOut;
    let used = 0, inliers = 0, sq = 0;
    for (let p = first; p < first + parts; p++) {
      const b = p * PART_STRIDE;
      for (let i = 0; i < 29; i++) a[i] += out[b + i];
      used += out[b + 29]; inliers += out[b + 30]; sq += out[b + 31];
    }
    this.icpValid = used; this.icpInliers = inliers; this.icpSq = sq;
  }

  private accumulateRgb(cur: FrameLevel, model: PredictedLevel): void {
    this.writeRgbParams(cur, model);
    const args = this.rgbArgs(cur, model);
    const parts = this.pool.run('rgbAccumulate', args, model.height, this.partOut, PART_STRIDE, Math.ceil(RGB_PIXELS_PER_PART / model.width));
    this.sumRgb(0, parts);
  }

  /** Adds photometric parts [first, first + parts) of partOut into accRgb and its statistics. */
  private sumRgb(first: number, parts: number): void {
    const a = this.accRgb, out = this.partOut;
    let count = 0, sq = 0;
    for (let p = first; p < first + parts; p++) {
      const b = p * PART_STRIDE;
      for (let i = 0; i < 29; i++) a[i] += out[b + i];
      count += out[b + 29]; sq += out[b + 30];
    }
    this.rgbCount = count; this.rgbSq = sq;
  }

  private writeRgbParams(cur: FrameLevel, model: PredictedLevel): void {
    const o = this.options;
    invertRigid(this.Tinv, this.T);
    const q = this.rgbParams;
    q.set(this.T, 0);
    q.set(this.Tinv, 16);
    const k = cur.intrinsics;
    q[32] = k.fx; q[33] = k.fy; q[34] = k.cx; q[35] = k.cy; q[36] = cur.width; q[37] = cur.height;
    q[38] = o.rgbHuber; q[39] = o.rgbMinGradient * o.rgbMinGradient;
    q[40] = this.sampleStride(model.width); q[41] = model.width;
  }

  /** Kernel arguments per (frame level, model level) pair: the levels' buffers never change, so built once. */
  private icpArgs(cur: FrameLevel, model: PredictedLevel): IcpKernelArgs {
    let a = this.icpArgCache.get(cur);
    if (!a || a.md !== model.depth) {
      a = { points: cur.valid, first: cur.validFirst, at: cur.validAt, mv: model.vertex, mn: model.normal, md: model.depth, params: this.icpParams };
      this.icpArgCache.set(cur, a);
    }
    return a;
  }

  private rgbArgs(cur: FrameLevel, model: PredictedLevel): RgbKernelArgs {
    let a = this.rgbArgCache.get(cur);
    if (!a || a.md !== model.depth) {
      a = {
        intensity: cur.intensity, gradX: cur.gradX, gradY: cur.gradY, gradMag2: cur.gradMag2, depth: cur.depth,
        mv: model.vertex, md: model.depth, mI: model.intensity, params: this.rgbParams,
      };
      this.rgbArgCache.set(cur, a);
    }
    return a;
  }
}

/** Mean camera depth of a level's valid points (1 m when it has none): the scale of rotations in conditioning(). */
function meanDepth(level: FrameLevel): number {
  let sum = 0, n = 0;
  for (let sg = 0; sg < level.validSegmentCount; sg++) {
    const a = level.validAt[sg], m = level.validFirst[sg + 1] - level.validFirst[sg];
    for (let k = 0; k < m; k++) sum += level.valid[6 * (a + k) + 2];
    n += m;
  }
  return n > 0 ? sum / n : 1;
}

/** Values per part in the kernels' output: 29 normal-equation sums, then statistics. */
const PART_STRIDE = 32;
/** Fewest points per part of the ICP term, and pixels (whole rows) per part of the photometric term. */
const ICP_POINTS_PER_PART = 2048;
const RGB_PIXELS_PER_PART = 4096;

export interface TrackKernelArgs {
  icp: IcpKernelArgs;
  rgb: RgbKernelArgs;
  /** ICP parts, ICP range (points), photometric parts, photometric range (rows). */
  cut: Float64Array;
}

/**
 * One iteration of hybrid tracking as one job: parts [0, icpParts) are the ICP term's parts, the rest the
 * photometric term's, each over the range it would cover in a call of its own (out[o…] as those kernels write).
 */
export function trackAccumulate(a: TrackKernelArgs, begin: number, end: number, out: Float64Array, o: number): void {
  const c = a.cut, icpParts = c[0], icpN = c[1], rgbParts = c[2], rgbN = c[3];
  for (let p = begin; p < end; p++, o += PART_STRIDE) {
    if (p < icpParts) icpAccumulate(a.icp, partStart(icpN, icpParts, p), partStart(icpN, icpParts, p + 1), out, o);
    else {
      const r = p - icpParts;
      rgbAccumulate(a.rgb, partStart(rgbN, rgbParts, r), partStart(rgbN, rgbParts, r + 1), out, o);
    }
  }
}

export interface IcpKernelArgs {
  /** Current frame's valid points, 6 floats each (vertex, normal; camera frame), in segments (see FrameLevel.valid). */
  points: Float32Array;
  first: Int32Array;
  at: Int32Array;
  /** Model prediction: world vertices and normals, camera depth (0 = empty). */
  mv: Float32Array;
  mn: Float32Array;
  md: Float32Array;
  /**
   * T_world_camera (16), T_ref_world (16), fx fy cx cy width height, max distance², cos max angle, Huber, point
   * stride, segments, σ at the frame's mean depth (0 = no depth-noise weighting).
   */
  params: Float64Array;
}

/**
 * Point-to-plane normal equations of points [begin, end) (in units of the point stride): 29 sums at out[o…]
 * (upper-triangular JᵀWJ, JᵀWe, weighted squared residual, inlier count), then points used, inliers and their
 * squared residual sum.
 */
export function icpAccumulate(a: IcpKernelArgs, begin: number, end: number, out: Float64Array, o: number): void {
  const q = a.params;
  const r00 = q[0], r10 = q[1], r20 = q[2], r01 = q[4], r11 = q[5], r21 = q[6], r02 = q[8], r12 = q[9], r22 = q[10];
  const tx = q[12], ty = q[13], tz = q[14];
  const m00 = q[16], m10 = q[17], m20 = q[18], m01 = q[20], m11 = q[21], m21 = q[22], m02 = q[24], m12 = q[25], m22 = q[26];
  const mx = q[28], my = q[29], mz = q[30];
  // Integer parameters as int32 (| 0) so that index arithmetic stays in integers.
  const fx = q[32], fy = q[33], cx = q[34], cy = q[35], mw = q[36] | 0, mh = q[37] | 0;
  const maxD2 = q[38], cosMin = q[39], k = q[40], stride = q[41] | 0, segments = q[42] | 0, sigmaRef = q[43], noiseWeighted = sigmaRef > 0;
  const P = a.points, first = a.first, at = a.at, mv = a.mv, mn = a.mn, md = a.md;
  let h00 = 0, h01 = 0, h02 = 0, h03 = 0, h04 = 0, h05 = 0, h11 = 0, h12 = 0, h13 = 0, h14 = 0, h15 = 0;
  let h22 = 0, h23 = 0, h24 = 0, h25 = 0, h33 = 0, h34 = 0, h35 = 0, h44 = 0, h45 = 0, h55 = 0;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0;
  let inliers = 0, sq = 0, wsq = 0;
  // Bounds in continuous pixel coordinates so that rounding lands inside the image.
  const uMax = mw - 0.5, vMax = mh - 0.5;
  // The segment holding the first point.
  let seg = 0;
  while (seg < segments - 1 && first[seg + 1] <= begin * stride) seg++;
  for (let g = begin * stride, gEnd = end * stride; g < gEnd; g += stride) {
    while (g >= first[seg + 1]) seg++;
    const p6 = 6 * (at[seg] + g - first[seg]);
    const px = P[p6], py = P[p6 + 1], pz = P[p6 + 2];
    const qx = r00 * px + r01 * py + r02 * pz + tx;
    const qy = r10 * px + r11 * py + r12 * pz + ty;
    const qz = r20 * px + r21 * py + r22 * pz + tz;
    const sz = m20 * qx + m21 * qy + m22 * qz + mz;
    if (sz <= 0) continue;
    const isz = 1 / sz;
    const uf = fx * (m00 * qx + m01 * qy + m02 * qz + mx) * isz + cx;
    const vf = fy * (m10 * qx + m11 * qy + m12 * qz + my) * isz + cy;
    if (!(uf >= -0.5 && uf < uMax && vf >= -0.5 && vf < vMax)) continue;
    const j = ((vf + 0.5) | 0) * mw + ((uf + 0.5) | 0);
    if (md[j] === 0) continue;
    const dx = qx - mv[3 * j], dy = qy - mv[3 * j + 1], dz = qz - mv[3 * j + 2];
    if (dx * dx + dy * dy + dz * dz > maxD2) continue;
    const nx = mn[3 * j], ny = mn[3 * j + 1], nz = mn[3 * j + 2];
    const nx0 = P[p6 + 3], ny0 = P[p6 + 4], nz0 = P[p6 + 5];
    const nwx = r00 * nx0 + r01 * ny0 + r02 * nz0, nwy = r10 * nx0 + r11 * ny0 + r12 * nz0, nwz = r20 * nx0 + r21 * ny0 + r22 * nz0;
    if (nwx * nx + nwy * ny + nwz * nz < cosMin) continue;
    const e = nx * dx + ny * dy + nz * dz;
    const ae = e < 0 ? -e : e;
    let w: number;
    if (noiseWeighted) {
      // s = σ(mean depth) / σ(z), capped at 2 so that the nearest points do not take over. depthSigma(pz) is written
      // out: this runs per point and iteration.
      const dz0 = pz - 0.4, sr = sigmaRef / (0.0012 + 0.0019 * dz0 * dz0), s = sr < 2 ? sr : 2;
      const an = ae * s;
      w = (an <= k ? 1 : k / an) * s * s;
    } else w = ae <= k ? 1 : k / ae;
    inliers++; sq += e * e; wsq += w * e * e;
    const j0 = nx, j1 = ny, j2 = nz;
    const j3 = qy * nz - qz * ny, j4 = qz * nx - qx * nz, j5 = qx * ny - qy * nx;
    const w0 = w * j0, w1 = w * j1, w2 = w * j2, w3 = w * j3, w4 = w * j4, w5 = w * j5;
    h00 += w0 * j0; h01 += w0 * j1; h02 += w0 * j2; h03 += w0 * j3; h04 += w0 * j4; h05 += w0 * j5;
    h11 += w1 * j1; h12 += w1 * j2; h13 += w1 * j3; h14 += w1 * j4; h15 += w1 * j5;
    h22 += w2 * j2; h23 += w2 * j3; h24 += w2 * j4; h25 += w2 * j5;
    h33 += w3 * j3; h34 += w3 * j4; h35 += w3 * j5;
    h44 += w4 * j4; h45 += w4 * j5;
    h55 += w5 * j5;
    b0 -= w0 * e; b1 -= w1 * e; b2 -= w2 * e; b3 -= w3 * e; b4 -= w4 * e; b5 -= w5 * e;
  }
  out[o] = h00; out[o + 1] = h01; out[o + 2] = h02; out[o + 3] = h03; out[o + 4] = h04; out[o + 5] = h05;
  out[o + 6] = h11; out[o + 7] = h12; out[o + 8] = h13; out[o + 9] = h14; out[o + 10] = h15;
  out[o + 11] = h22; out[o + 12] = h23; out[o + 13] = h24; out[o + 14] = h25;
  out[o + 15] = h33; out[o + 16] = h34; out[o + 17] = h35;
  out[o + 18] = h44; out[o + 19] = h45; out[o + 20] = h55;
  out[o + 21] = b0; out[o + 22] = b1; out[o + 23] = b2; out[o + 24] = b3; out[o + 25] = b4; out[o + 26] = b5;
  out[o + 27] = wsq; out[o + 28] = inliers;
  out[o + 29] = end > begin ? end - begin : 0; out[o + 30] = inliers; out[o + 31] = sq;
}

export interface RgbKernelArgs {
  /** Current frame: intensity, its gradients and filtered depth. */
  intensity: Float32Array;
  gradX: Float32Array;
  gradY: Float32Array;
  gradMag2: Float32Array;
  depth: Float32Array;
  /** Model prediction: world vertices, camera depth, intensity. */
  mv: Float32Array;
  md: Float32Array;
  mI: Float32Array;
  /**
   * T_world_camera (16), its inverse (16), fx fy cx cy width height of the current level, Huber, min gradient²,
   * pixel stride, model width.
   */
  params: Float64Array;
}

/**
 * Photometric normal equations of the model pixels of rows [begin, end), every stride-th pixel of a row (shifted
 * by one each row, a checkerboard for stride 2): 29 sums at out[o…], then pixels used and their squared residual sum.
 */
export function rgbAccumulate(a: RgbKernelArgs, begin: number, end: number, out: Float64Array, o: number): void {
  const T = a.params;
  const r00 = T[0], r10 = T[1], r20 = T[2], r01 = T[4], r11 = T[5], r21 = T[6], r02 = T[8], r12 = T[9], r22 = T[10];
  const i00 = T[16], i10 = T[17], i20 = T[18], i01 = T[20], i11 = T[21], i21 = T[22], i02 = T[24], i12 = T[25], i22 = T[26];
  const itx = T[28], ity = T[29], itz = T[30];
  const fx = T[32], fy = T[33], cx = T[34], cy = T[35], w = T[36] | 0, h = T[37] | 0;
  const k = T[38], gmin2 = T[39], stride = T[40] | 0, mw = T[41] | 0;
  const I = a.intensity, gxI = a.gradX, gyI = a.gradY, gm = a.gradMag2, cd = a.depth;
  const mv = a.mv, md = a.md, mI = a.mI;
  let h00 = 0, h01 = 0, h02 = 0, h03 = 0, h04 = 0, h05 = 0, h11 = 0, h12 = 0, h13 = 0, h14 = 0, h15 = 0;
  let h22 = 0, h23 = 0, h24 = 0, h25 = 0, h33 = 0, h34 = 0, h35 = 0, h44 = 0, h45 = 0, h55 = 0;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0;
  let count = 0, sq = 0, wsq = 0;
  for (let j = begin * mw + begin % stride, row = begin, rowEnd = (begin + 1) * mw, jEnd = end * mw; j < jEnd; j += stride) {
    if (j >= rowEnd) { row++; j = row * mw + row % stride; rowEnd += mw; if (j >= jEnd) break; }
    if (md[j] === 0) continue;
    const vx = mv[3 * j], vy = mv[3 * j + 1], vz = mv[3 * j + 2];
    const pz = i20 * vx + i21 * vy + i22 * vz + itz;
    if (pz <= 0) continue;
    const px = i00 * vx + i01 * vy + i02 * vz + itx;
    const py = i10 * vx + i11 * vy + i12 * vz + ity;
    const iz = 1 / pz;
    const u = fx * px * iz + cx, v = fy * py * iz + cy;
    if (!(u >= 1 && u < w - 2 && v >= 1 && v < h - 2)) continue;
    const u0 = u | 0, v0 = v | 0;
    const au = u - u0, av = v - v0;
    const i0 = v0 * w + u0;
    // Flat neighbourhood: the interpolated gradient is no longer than the longest of the four, so below the
    // threshold too; skipping here saves interpolating it.
    if (gm[i0] < gmin2 && gm[i0 + 1] < gmin2 && gm[i0 + w] < gmin2 && gm[i0 + w + 1] < gmin2) continue;
    // Occlusion: the current frame sees something clearly in front of the model point.
    const dc = cd[((v + 0.5) | 0) * w + ((u + 0.5) | 0)];
    if (dc > 0 && dc < pz - 0.05) continue;
    const w00 = (1 - au) * (1 - av), w01 = au * (1 - av), w10 = (1 - au) * av, w11 = au * av;
    const gx = w00 * gxI[i0] + w01 * gxI[i0 + 1] + w10 * gxI[i0 + w] + w11 * gxI[i0 + w + 1];
    const gy = w00 * gyI[i0] + w01 * gyI[i0 + 1] + w10 * gyI[i0 + w] + w11 * gyI[i0 + w + 1];
    if (gx * gx + gy * gy < gmin2) continue;
    const Iv = w00 * I[i0] + w01 * I[i0 + 1] + w10 * I[i0 + w] + w11 * I[i0 + w + 1];
    const r = Iv - mI[j];
    const ar = r < 0 ? -r : r;
    const wt = ar <= k ? 1 : k / ar;
    count++; sq += r * r;
    const ax = gx * fx * iz, ay = gy * fy * iz, az = -(ax * px + ay * py) * iz;
    // World-frame row w = R·a; J = [−w, w × v_m].
    const wx = r00 * ax + r01 * ay + r02 * az, wy = r10 * ax + r11 * ay + r12 * az, wz = r20 * ax + r21 * ay + r22 * az;
    const J0 = -wx, J1 = -wy, J2 = -wz, J3 = wy * vz - wz * vy, J4 = wz * vx - wx * vz, J5 = wx * vy - wy * vx;
    const w0 = wt * J0, w1 = wt * J1, w2 = wt * J2, w3 = wt * J3, w4 = wt * J4, w5 = wt * J5;
    h00 += w0 * J0; h01 += w0 * J1; h02 += w0 * J2; h03 += w0 * J3; h04 += w0 * J4; h05 += w0 * J5;
    h11 += w1 * J1; h12 += w1 * J2; h13 += w1 * J3; h14 += w1 * J4; h15 += w1 * J5;
    h22 += w2 * J2; h23 += w2 * J3; h24 += w2 * J4; h25 += w2 * J5;
    h33 += w3 * J3; h34 += w3 * J4; h35 += w3 * J5;
    h44 += w4 * J4; h45 += w4 * J5; h55 += w5 * J5;
    b0 -= w0 * r; b1 -= w1 * r; b2 -= w2 * r; b3 -= w3 * r; b4 -= w4 * r; b5 -= w5 * r;
    wsq += wt * r * r;
  }
  out[o] = h00; out[o + 1] = h01; out[o + 2] = h02; out[o + 3] = h03; out[o + 4] = h04; out[o + 5] = h05;
  out[o + 6] = h11; out[o + 7] = h12; out[o + 8] = h13; out[o + 9] = h14; out[o + 10] = h15;
  out[o + 11] = h22; out[o + 12] = h23; out[o + 13] = h24; out[o + 14] = h25;
  out[o + 15] = h33; out[o + 16] = h34; out[o + 17] = h35;
  out[o + 18] = h44; out[o + 19] = h45; out[o + 20] = h55;
  out[o + 21] = b0; out[o + 22] = b1; out[o + 23] = b2; out[o + 24] = b3; out[o + 25] = b4; out[o + 26] = b5;
  out[o + 27] = wsq; out[o + 28] = count;
  out[o + 29] = count; out[o + 30] = sq;
}

