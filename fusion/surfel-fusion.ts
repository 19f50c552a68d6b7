/**
 * The session: a thin composition of the pipeline steps, one call per frame.
 *   Preprocessor → ModelPredictor (at the last pose) → IcpTracker → SurfelFuser → LabelFusion
 * Every tracked frame is judged (TrackingJudge): a frame in doubt keeps its tracked pose but is not fused; a lost
 * frame keeps the last good pose and is relocalised against the map (ferns, LoopCloser). Fused frames feed the
 * pose graph and the ferns, and every few of them a loop check may correct the map (LoopCloser).
 */
import type { Intrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import { identityPose } from './pose.js';
import type { FusionConfig } from './config.js';
import { noiseAdaptedRgbWeight, resolveFusionConfig } from './config.js';
import { Preprocessor } from './preprocessor.js';
import { ModelPredictor } from './model-predictor.js';
import type { TrackingResult } from './icp-tracker.js';
import { IcpTracker } from './icp-tracker.js';
import { SurfelMap } from './surfel-map.js';
import type { SurfelFilter } from './surfel-map.js';
import { SurfelFuser } from './surfel-fuser.js';
import { LabelFusion } from './label-fusion.js';
import { MapCrf, type MapCrfResult } from './map-crf.js';
import { FloorPlaneEstimator, floorMargin, suppressFloorAbove, type FloorPlane } from './floor-plane.js';
import type { DisplayDeltaFilter } from './display-filter.js';
import type { FrameInput, FrameResult, FrameStatus, MapSnapshot, PredictedView } from './types.js';
import { TrackingJudge } from './tracking-judge.js';
import type { LoopClosureEvent } from './loop-closure.js';
import { LoopCloser } from './loop-closure.js';
import { MotionModel } from './motion-model.js';
import type { KernelPool } from './parallel/pool.js';
import { serialPool } from './parallel/pool.js';
import { depthScaleToModel, depthUncertainty, dropUncertainDepth, type DepthUncertaintyOptions } from './depth-uncertainty.js';

const now = (): number => performance.now();

/** Frames in doubt for weak conditioning alone after which they are fused again (see processFrame). */
const DOUBT_RUN_FUSE = 5;

/**
 * A close-range pass: under this valid-depth fraction, with the depth that is left nearer than CLOSE_PASS_DEPTH_M
 * on average (the rest of the view is under the sensor's minimum range). Its frames are in doubt however well they
 * track (hold frames whose conditioning came out just over the gate were judged ok and fused: synth seed 1
 * close=1), and never soft-fused.
 */
const SOFT_FUSE_MIN_VALID = 0.4;
const CLOSE_PASS_DEPTH_M = 1;

/**
 * Frames after a loss that tracking must judge ok in a row, without any registration against the whole map being
 * accepted, before they are trusted again (see processFrame: a frame after a loss is verified before it is fused).
 */
const UNVERIFIED_RUN_TRUST = 10;

/** Every how many pixels the depth scale of predicted depth is sampled (depthScaleToModel). */
const SCALE_STRIDE = 4;

/**
 * Geometric conditioning (degeneracy.ts) below which a frame's photometric RMSE does not lower the next frame's
 * photometric weight (TrackingJudge.colourNoise): 2.5× the judge's doubt threshold (minConditioning, 2·10⁻⁴).
 */
const COLOUR_NOISE_MIN_CONDITIONING = 5e-4;

export class SurfelFusion {
  readonly config: FusionConfig;
  readonly intrinsics: Intrinsics;
  readonly map: SurfelMap;
  readonly preprocessor: Preprocessor;
  readonly predictor: ModelPredictor;
  readonly tracker: IcpTracker;
  readonly fuser: SurfelFuser;
  readonly labels: LabelFusion;
  /** The map CRF (null when config.crfEvery is 0). */
  readonly crf: MapCrf | null;
  /** Fused frames with labels since the CRF last ran. */
  private labelledSinceCrf = 0;
  /** The floor check (null when config.floorCheckEvery is 0), its last plane, and frames since it ran. */
  readonly floorEstimator: FloorPlaneEstimator | null;
  private floorPlaneNow: FloorPlane | null = null;
  private labelledSinceFloor = 0;
  readonly judge: TrackingJudge;
  /** Pose graph, ferns, relocalisation and loop closure (absent when tracking is off). */
  readonly loops: LoopCloser | null;
  private readonly pose = identityPose();
  /** Which slots the snapshot being collected takes (reused). */
  private pickScratch = new Uint8Array(0);
  /** The predictor's maps already show the model from the current pose (built after the last fusion). */
  private predictionReady = false;
  private frameCount = 0;
  private lostRun = 0;
  /** Frames after a loss tracked ok but not yet verified against the map (see UNVERIFIED_RUN_TRUST). */
  private unverifiedRun = 0;
  /** Where a lost frame is put (the last tracked velocity, extrapolated) and the first pose relocalisation tries. */
  private readonly motion = new MotionModel();
  /** Consecutive frames in doubt for weak conditioning or photometric residual only (see DOUBT_RUN_FUSE). */
  private doubtRun = 0;
  /**
   * Predicted depth (config.predictedDepth): σ per pixel of the current frame, the depth with its too-uncertain
   * pixels removed (what is tracked and fused), and the σ model's scratch. Null for a depth sensor.
   */
  private readonly predicted: {
    readonly sigma: Float32Array; readonly depth: Float32Array; readonly lo: Float32Array; readonly hi: Float32Array;
    readonly options: DepthUncertaintyOptions; readonly ratios: Float32Array;
    /** Scale applied to the last frame's predicted depth (1 = as predicted). */
    scale: number;
  } | null;
  /** Counts over the whole run (what a summary reports). */
  readonly counts = { doubtful: 0, lost: 0, relocalised: 0, loopClosures: 0 };
  /** The last tracked frame's photometric RMSE, NaN where its depth barely held the pose (TrackingJudge.colourNoise). */
  private lastPhotometricRmse = NaN;

  /**
   * `pool` runs the per-pixel and per-surfel kernels; the default runs them on this thread. A threaded pool
   * (main/parallel) splits them over cores; results differ from one thread's only in the order of float sums.
   */
  constructor(intrinsics: Intrinsics, config: Partial<FusionConfig> = {}, readonly pool: KernelPool = serialPool) {
    const c = resolveFusionConfig(config, intrinsics.width);
    this.config = c;
    this.intrinsics = intrinsics;
    let levels = 1;
    while (levels < c.icpIterations.length && (intrinsics.width >> levels) >= c.minLevelWidth) levels++;
    this.map = new SurfelMap({ classCount: c.classCount, chunkSize: c.chunkSize, initialCapacity: c.initialCapacity }, pool);
    this.preprocessor = new Preprocessor(intrinsics, {
      minDepth: c.minDepth, maxDepth: c.maxDepth, bilateralRadius: c.bilateralRadius,
      bilateralSigmaSpace: c.bilateralSigmaSpace, bilateralSigmaRange: c.bilateralSigmaRange, levels,
      rawTrackingPoints: c.rawTrackingPoints,
      gradients: c.trackingMethod === 'photometric' || (c.trackingMethod === 'hybrid' && c.rgbWeight > 0),
      gradientsFromLevel: c.trackingMethod === 'photometric' ? 0 : c.rgbFinestLevel,
    }, pool);
    this.predictor = new ModelPredictor(intrinsics, levels, c.maxSplatRadiusPx, c.predictSplatScale, pool);
    this.tracker = new IcpTracker({
      method: c.trackingMethod === 'none' ? 'pointToPlane' : c.trackingMethod, iterations: c.icpIterations.slice(0, levels),
      rgbWeight: c.rgbWeight, maxDistance: c.icpMaxDistance, maxNormalAngleDeg: c.icpMaxNormalAngleDeg,
      icpHuber: c.icpHuber, rgbHuber: c.rgbHuber, rgbMinGradient: c.rgbMinGradient, minInlierRatio: c.minInlierRatio,
      maxInlierRmse: c.maxInlierRmse, maxTranslationJump: c.maxTranslationJump, maxRotationJumpDeg: c.maxRotationJumpDeg,
      convergenceEpsilon: c.convergenceEpsilon, fullDensityWidth: c.icpFullDensityWidth, rgbFinestLevel: c.rgbFinestLevel,
      depthNoiseWeighting: c.icpDepthNoiseWeighting, rgbPriorBelowFinest: c.rgbPriorBelowFinest, depthFirstIterations: c.icpDepthFirstIterations,
      depthFirstMinConditioning: c.minConditioning,
    }, pool);
    this.fuser = new SurfelFuser(intrinsics, {
      minDepth: c.minDepth, maxDepth: c.maxDepth, indexSupersample: c.indexSupersample,
      fuseDepthThreshold: c.fuseDepthThreshold, fuseMaxNormalAngleDeg: c.fuseMaxNormalAngleDeg,
      confidenceSigma: c.confidenceSigma, stableConfidence: c.stableConfidence, unstableWindow: c.unstableWindow,
      activeWindow: c.activeWindow, freeSpaceMargin: c.freeSpaceMargin, maxRadiusFactor: c.maxRadiusFactor,
      sigmaRef: c.fuseSigmaRef, gateSigmas: c.fuseGateSigmas, colourMaxWeight: c.colourMaxWeight,
    }, pool);
    this.labels = new LabelFusion({
      maxSplatRadiusPx: c.maxSplatRadiusPx, probabilityFloor: c.labelProbabilityFloor, sigmaRef: c.labelSigmaRef,
      visibility: c.labelVisibility, gateSigmas: c.labelGateSigmas, priorCorrection: c.labelPriorCorrection,
    }, pool);
    this.crf = c.crfEvery > 0 ? new MapCrf(c.crf) : null;
    this.floorEstimator = c.floorCheckEvery > 0 ? new FloorPlaneEstimator(c.floorPlane) : null;
    this.judge = new TrackingJudge({
      lostValidFraction: c.lostValidFraction, doubtValidFraction: c.doubtValidFraction, minConditioning: c.minConditioning,
      doubtInlierRatio: c.doubtInlierRatio, residualFactor: c.residualFactor, photometricFactor: c.photometricFactor,
    });
    this.loops = c.trackingMethod === 'none' ? null : new LoopCloser(c, intrinsics, levels, pool);
    const n = intrinsics.width * intrinsics.height;
    this.predicted = c.predictedDepth ? {
      sigma: pool.allocator.f32(n), depth: pool.allocator.f32(n), lo: new Float32Array(n), hi: new Float32Array(n),
      ratios: new Float32Array(Math.ceil(n / SCALE_STRIDE)), scale: 1,
      options: {
        sigmaPerSquareMetre: c.depthSigmaPerSquareMetre, sigmaFloor: c.depthSigmaFloor, edgeGain: c.depthEdgeGain,
        edgeRadius: 1, labelGain: c.depthLabelGain,
      },
    } : null;
  }

  /** σ (m) of the last frame's predicted depth per pixel (0 = missing); null for a depth sensor. */
  get depthSigma(): Float32Array | null { return this.predicted?.sigma ?? null; }

  /** The floor plane the floor check uses now (null: off, or not enough floor in the map yet). */
  get floorPlane(): FloorPlane | null { return this.floorPlaneNow; }

  /** Scale applied to the last frame's predicted depth to match the map (1 for a depth sensor). */
  get depthScale(): number { return this.predicted?.scale ?? 1; }

  /** Loop closures so far, in order. */
  get loopClosures(): readonly LoopClosureEvent[] { return this.loops ? this.loops.events : []; }

  get surfelCount(): number { return this.map.liveCount; }

  /** Current camera-to-world pose (a copy). */
  get T_world_camera(): Mat4 { return Float64Array.from(this.pose); }

  /** Frames processed so far. */
  get frameIndex(): number { return this.frameCount - 1; }

  processFrame(input: FrameInput): FrameResult {
    const c = this.config;
    const t0 = now();
    const frameIndex = this.frameCount++;
    let depthIn = input.depth;
    const pd = this.predicted;
    let predictedEarly = -1;
    if (pd) {
      const { width: w, height: h } = this.intrinsics;
      pd.depth.set(input.depth);
      pd.scale = 1;
      if (c.predictedDepthScale && frameIndex > 0 && this.map.liveCount > 0 && c.trackingMethod !== 'none') {
        // The map as seen from the last pose (this frame's tracking reference) sets the scale.
        if (!this.predictionReady) {
          predictedEarly = this.predictor.predict(this.map, this.pose, this.predictionFilter(frameIndex));
          this.predictionReady = true;
        }
        const r = depthScaleToModel(input.depth, this.predictor.levels[0].depth, SCALE_STRIDE, 200, pd.ratios);
        if (r >= 1 / c.maxDepthRescale && r <= c.maxDepthRescale) {
          pd.scale = r;
          for (let i = 0; i < pd.depth.length; i++) pd.depth[i] *= r;
        }
      }
      depthUncertainty(pd.depth, w, h, input.classProbs ?? null, c.classCount, pd.options, pd.sigma, pd.lo, pd.hi);
      dropUncertainDepth(pd.depth, pd.sigma, c.maxDepthSigma);
      depthIn = pd.depth;
    }
    this.preprocessor.run(depthIn, input.rgb);
    const t1 = now();
    let tracking: TrackingResult;
    let t2 = t1;
    let activeSurfels = 0;
    let relocaliseMs = 0;
    let status: FrameStatus = 'ok';
    let statusReason = '';
    const hint = input.T_world_camera_hint;
    const L0 = this.preprocessor.levels[0];
    const validFraction = L0.validCount / (L0.width * L0.height);
    // Asked by the judge and by the soft-doubt rule: one pass over the depth, only when most of it is missing.
    const closeRange = validFraction < SOFT_FUSE_MIN_VALID && this.meanValidDepth() < CLOSE_PASS_DEPTH_M;
    if (frameIndex === 0 || this.map.liveCount === 0 || c.trackingMethod === 'none') {
      // First frame (anchors the map, even one pre-loaded elsewhere), nothing to track against, or told to take the given pose.
      if (hint) this.pose.set(hint);
      tracking = {
        ok: true, lost: false, reason: '', T_world_camera: Float64Array.from(this.pose), inlierRmse: 0, inlierRatio: 1,
        photometricRmse: 0, iterations: 0, deltaTranslation: 0, deltaRotationDeg: 0, conditioning: 1, conditioningCombined: 1,
      };
      if (validFraction < c.lostValidFraction && c.trackingMethod !== 'none') {
        status = 'lost'; statusReason = `valid depth ${(100 * validFraction).toFixed(1)} % of pixels`;
        tracking = { ...tracking, ok: false, lost: true, reason: statusReason };
      }
      if (status !== 'lost') this.motion.note(frameIndex, this.pose);
    } else {
      if (predictedEarly >= 0) activeSurfels = predictedEarly;
      else if (this.predictionReady) activeSurfels = this.fuser.candidates.count;
      else activeSurfels = this.predictor.predict(this.map, this.pose, this.predictionFilter(frameIndex));
      t2 = now();
      const photometric = c.trackingMethod === 'photometric' || (c.trackingMethod === 'hybrid' && c.rgbWeight > 0);
      if (photometric && c.rgbNoiseRef > 0) {
        this.tracker.rgbWeight = noiseAdaptedRgbWeight(c.rgbWeight, c.rgbNoiseRef, this.judge.colourNoise(this.lastPhotometricRmse));
      }
      tracking = this.tracker.track(this.preprocessor.levels, this.predictor.levels, this.pose, hint ?? this.pose);
      // Where depth alone barely holds the pose (a far wall filling the view), the photometric term is what holds
      // it: a frame there does not weaken the next one's (synth seed 101, frames 96–102).
      this.lastPhotometricRmse = tracking.conditioning >= COLOUR_NOISE_MIN_CONDITIONING && validFraction >= c.doubtValidFraction
        ? tracking.photometricRmse : NaN;
      const j = this.judge.judge(tracking, validFraction, photometric, closeRange);
      status = j.verdict; statusReason = j.reason;
      // After a loss the pose is where the motion model put it, and tracking from there can converge to a wrong
      // place that looks locally fine (synth seed 3, 320×240, covered for 1 s: 29 cm off with 47 % inliers). So
      // until a registration against the whole map is accepted, a tracked frame is not trusted either: it
      // keeps its tracked pose (the next frame starts there) but stays lost and unfused.
      const recovering = this.lostRun > 0;
      const tracked = status !== 'lost';
      let keepTracked = false;
      if ((status === 'lost' || recovering) && this.loops && validFraction >= c.lostValidFraction) {
        const tr = now();
        const hypotheses: Mat4[] = [];
        if (tracked) hypotheses.push(tracking.T_world_camera);
        if (this.motion.lastTrackedFrame >= 0) hypotheses.push(this.motion.predict(frameIndex), this.motion.lastTrackedPose);
        const r = this.loops.relocalise(this.map, this.tracker, this.preprocessor.levels, this.preprocessor.rgb,
          this.preprocessor.rawDepth, this.judge.expectedResidual(tracking.meanDepth ?? NaN), hypotheses);
        if (r) { tracking = r; status = 'relocalised'; statusReason = `relocalised after ${this.lostRun + (tracked ? 0 : 1)} lost frame(s)`; }
        relocaliseMs = now() - tr;
      }
      if (recovering && tracked && status !== 'relocalised') {
        // Never verified, yet judged ok frame after frame: a map that cannot confirm it (too little of it stable
        // in view) should not keep tracking lost for good.
        this.unverifiedRun = status === 'ok' ? this.unverifiedRun + 1 : 0;
        if (this.unverifiedRun < UNVERIFIED_RUN_TRUST) {
          keepTracked = true;
          statusReason = `not verified against the map after ${this.lostRun} lost frame(s)${statusReason ? ` (${statusReason})` : ''}`;
          status = 'lost';
        }
      }
      if (status === 'lost') {
        this.lostRun++;
        if (keepTracked) this.pose.set(tracking.T_world_camera);
        else if (this.motion.lastTrackedFrame >= 0) this.motion.predict(frameIndex, this.pose);
        tracking = { ...tracking, ok: false, lost: true, reason: statusReason, T_world_camera: Float64Array.from(this.pose) };
      } else {
        this.lostRun = 0;
        this.unverifiedRun = 0;
        this.pose.set(tracking.T_world_camera);
      }
      if (status !== 'lost' || keepTracked) this.motion.note(frameIndex, this.pose, !keepTracked);
    }
    if (status !== 'ok') this.counts[status]++;
    // A frame in doubt only for its conditioning or its photometric residual (depth and inliers fine) is fused once
    // such frames run longer than DOUBT_RUN_FUSE. Conditioning: the pose then rests on the motion prior along the
    // weak direction, as in any tracker, and not fusing starved the model (synth seed 101, 320×240: 50 frames facing
    // one wall in doubt, then lost for good). Photometric residual: a new view that shades differently raises it
    // for good, and as only ok frames move the running median, every later frame stayed in doubt and unfused until
    // the unextended model lost tracking (synth seed 6, 320×240: doubtful from frame 121, lost 310-546); such a frame
    // also enters the judge's medians, so they follow the new level. Not in a close-range pass (most depth missing,
    // the rest near: closePass): its photometric residual is high because the view is wrong, not new (synth seed 0
    // close=1, 320×240: frame 357 of the hold fused), and against one flat surface it is ill-conditioned while the pose
    // slides (seed 1 close=1). Missing depth alone is not that: a far wall beyond maxDepth leaves a frame 23-40 %
    // valid and ill-conditioned, and holding those back starved the model (seed 101, frames 117-140: lost 141-600).
    const softDoubt = status === 'doubtful'
      && (statusReason.startsWith('ill-conditioned') || statusReason.startsWith('photometric RMSE'))
      && !closeRange;
    this.doubtRun = softDoubt ? this.doubtRun + 1 : 0;
    const softFuse = softDoubt && this.doubtRun > DOUBT_RUN_FUSE;
    if (softFuse && statusReason.startsWith('photometric RMSE')) this.judge.admit(tracking);
    const fuseIt = status === 'ok' || status === 'relocalised' || softFuse;
    const t3 = now();
    let added = 0, removed = 0, fusedCount = 0, labelled = 0;
    let t4 = t3;
    let loopClosure: LoopClosureEvent | null = null;
    let crf: MapCrfResult | null = null;
    if (fuseIt) {
      this.loops?.beforeFuse(this.map, this.pose, frameIndex);
      const f = this.fuser.fuse(this.map, {
        depth: this.preprocessor.rawDepth, normal: L0.normal, rgb: this.preprocessor.rgb, ...(pd ? { sigma: pd.sigma } : {}),
      }, this.pose, frameIndex);
      added = f.added; removed = f.removedFreeSpace + f.removedUnstable; fusedCount = f.fused;
      t4 = now();
      if (input.classProbs) {
        const fu = this.fuser;
        labelled = this.labels.update(this.map, fu.candidates, this.preprocessor.rawDepth, this.intrinsics.width,
          this.intrinsics.height, fu.newSlots, fu.newPixels, fu.newCount, input.classProbs, frameIndex, pd ? pd.sigma : null).updated;
        const fe = this.floorEstimator;
        if (fe && ++this.labelledSinceFloor >= c.floorCheckEvery) {
          this.labelledSinceFloor = 0;
          this.floorPlaneNow = fe.estimate(this.map);
          const o = fe.options;
          const plane = this.floorPlaneNow;
          this.labels.setFloorPlane(plane, plane ? floorMargin(plane, o) : 0, o.floorIndex, o.suppression);
          if (this.floorPlaneNow) suppressFloorAbove(this.map, this.floorPlaneNow, o, frameIndex);
        }
        if (this.crf && ++this.labelledSinceCrf >= c.crfEvery) {
          this.labelledSinceCrf = 0;
          crf = this.crf.run(this.map, frameIndex);
        }
      }
    }
    const t45 = now();
    if (fuseIt && this.loops) {
      this.loops.afterFuse(this.preprocessor.rgb, this.preprocessor.rawDepth, this.pose, frameIndex);
      if (this.loops.checkDue(frameIndex)) {
        loopClosure = this.loops.check(this.map, this.tracker, this.preprocessor.levels, this.preprocessor.rgb,
          this.preprocessor.rawDepth, this.pose, frameIndex, this.judge.expectedResidual(tracking.meanDepth ?? NaN));
        if (loopClosure) this.counts.loopClosures++;
      }
    }
    const t5 = now();
    // The next frame's tracking reference, from this frame's fusion (see FusionConfig.predictFromFusion); its
    // cost counts as prediction.
    this.predictionReady = false;
    let nextPredictMs = 0;
    const unfusedFromIndex = !fuseIt && c.predictUnfusedFromIndex && status !== 'lost' && this.map.liveCount > 0;
    if ((fuseIt || unfusedFromIndex) && !loopClosure && c.predictFromFusion) {
      if (unfusedFromIndex) this.fuser.indexOnly(this.map, this.pose, frameIndex);
      this.fuser.renderAssociation(this.map, this.predictor.levels[0], this.predictor.color, c.trackingMinConfidence);
      this.predictor.adoptLevel0(this.pose);
      this.predictionReady = true;
      nextPredictMs = now() - t5;
    }
    return {
      frameIndex, T_world_camera: Float64Array.from(this.pose), tracking, fused: fuseIt, status, statusReason,
      ...(loopClosure ? { loopClosure } : {}), ...(crf ? { crf } : {}),
      stats: { surfels: this.map.liveCount, activeSurfels, visibleSurfels: fusedCount, added, removed, labelled },
      ms: {
        preprocess: t1 - t0, predict: t2 - t1 + nextPredictMs, track: t3 - t2 - relocaliseMs, fuse: t4 - t3, labels: t45 - t4,
        loops: t5 - t45 + relocaliseMs, total: t5 - t0 + nextPredictMs,
      },
    };
  }

  /** Mean of the frame's valid raw depth (m); 0 without any. Only asked when most depth is missing. */
  private meanValidDepth(): number {
    const d = this.preprocessor.rawDepth;
    let sum = 0, n = 0;
    for (let i = 0; i < d.length; i++) if (d[i] > 0) { sum += d[i]; n++; }
    return n > 0 ? sum / n : 0;
  }

  private predictionFilter(frameIndex: number): SurfelFilter {
    const c = this.config;
    return {
      minLastUpdate: c.activeWindow > 0 ? frameIndex - c.activeWindow : -Infinity, minConfidence: c.trackingMinConfidence,
      frontFacing: true, minDepth: c.minDepth, maxDepth: c.maxDepth * 1.2, borderPx: 0,
    };
  }

  /** Renders the active map from a pose at the session's intrinsics; returns copies. */
  predict(T_world_camera: Mat4): PredictedView {
    this.predictor.predict(this.map, T_world_camera, this.predictionFilter(this.frameCount));
    const L0 = this.predictor.levels[0];
    const surfelId = new Uint32Array(L0.width * L0.height);
    for (let i = 0; i < surfelId.length; i++) { const s = L0.slot[i]; surfelId[i] = s >= 0 ? this.map.uid[s] : 0; }
    return {
      intrinsics: this.intrinsics, T_world_camera: Float64Array.from(T_world_camera), depth: L0.depth.slice(),
      vertex: L0.vertex.slice(), normal: L0.normal.slice(), color: this.predictor.color.slice(), surfelId,
    };
  }

  /** Fused labels (1..C, 0 = none) seen from any camera, into out (width·height). */
  renderLabels(T_world_camera: Mat4, intrinsics: Intrinsics, out: Uint8Array): void {
    this.labels.render(this.map, T_world_camera, intrinsics, out);
  }

  /** The whole map. With a display filter: also recorded in it as what its viewer now has. */
  snapshot(filter?: DisplayDeltaFilter): MapSnapshot {
    if (filter) filter.reset();
    return this.collect(-Infinity, false, filter);
  }

  /**
   * Surfels updated (created, fused or relabelled) after frameIndex, and ids removed after it. With a display
   * filter, only those that differ visibly from what its viewer was last sent (see DisplayDeltaFilter).
   */
  changedSince(frameIndex: number, filter?: DisplayDeltaFilter): MapSnapshot {
    return this.collect(frameIndex, true, filter);
  }

  /** A delta (withRemoved) asks the filter what changed; a whole snapshot only records into it. */
  private collect(after: number, withRemoved: boolean, filter?: DisplayDeltaFilter): MapSnapshot {
    const m = this.map;
    const stable = this.config.stableConfidence;
    const pick = this.pickScratch.length >= m.highWater ? this.pickScratch : (this.pickScratch = new Uint8Array(m.capacity));
    let n = 0;
    for (let s = 0; s < m.highWater; s++) {
      let take = m.alive[s] === 1 && m.lastUpdate[s] > after;
      if (take && filter) {
        const st = m.confidence[s] >= stable ? 1 : 0;
        if (withRemoved && !filter.changed(m, s, st)) take = false;
        else filter.record(m, s, st);
      }
      pick[s] = take ? 1 : 0;
      if (take) n++;
    }
    const snap: MapSnapshot = {
      count: n, ids: new Uint32Array(n), positions: new Float32Array(3 * n), normals: new Float32Array(3 * n),
      colors: new Uint8Array(3 * n), radii: new Float32Array(n), confidence: new Float32Array(n), labels: new Uint8Array(n),
      labelProb: new Float32Array(n), stable: new Uint8Array(n), removedIds: new Uint32Array(0), frameIndex: this.frameIndex,
    };
    let k = 0;
    for (let s = 0; s < m.highWater; s++) {
      if (pick[s] === 0) continue;
      snap.ids[k] = m.uid[s];
      for (let a = 0; a < 3; a++) {
        snap.positions[3 * k + a] = m.position[3 * s + a];
        snap.normals[3 * k + a] = m.normal[3 * s + a];
        snap.colors[3 * k + a] = m.color[3 * s + a];
      }
      snap.radii[k] = m.radius[s];
      snap.confidence[k] = m.confidence[s];
      snap.labels[k] = m.label[s];
      snap.labelProb[k] = m.labelProb[s];
      snap.stable[k] = m.confidence[s] >= stable ? 1 : 0;
      k++;
    }
    if (withRemoved) {
      // The log is in frame order: find the first entry after `after` by binary search.
      let lo = 0, hi = m.removedCount;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (m.removedFrames[mid] > after) hi = mid; else lo = mid + 1; }
      snap.removedIds = m.removedUids.slice(lo, m.removedCount);
    }
    return snap;
  }
}
