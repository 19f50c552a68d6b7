/**
 * Every tunable of the surfel fusion pipeline, in one record with documented defaults. Callers pass a
 * Partial<FusionConfig>; resolveFusionConfig merges it over DEFAULT_FUSION_CONFIG and validates once.
 */
import type { MapCrfOptions } from './map-crf.js';
import type { LabelVisibility } from './label-fusion.js';
import type { FloorPlaneOptions } from './floor-plane.js';

/** What drives the camera pose. 'hybrid' = point-to-plane ICP + photometric; 'none' = take the frame's hint. */
export type TrackingMethod = 'hybrid' | 'pointToPlane' | 'photometric' | 'none';

export interface FusionConfig {
  /** Number of semantic classes per surfel (13 = SemanticFusion's NYU classes, channel c = id c + 1). */
  classCount: number;
  /** Depth samples outside [minDepth, maxDepth] metres are treated as missing. */
  minDepth: number;
  maxDepth: number;
  /**
   * Bilateral filter on depth used for normals and coarse levels: window radius (px; 0 = off), spatial σ (px),
   * range σ (m). On Kinect-noise synthetic depth it is essential (100 frames at 320×240: ATE 0.37 cm with
   * radius 2 vs 0.99 cm without, inlier ratio 0.98 vs 0.36); on 7-Scenes both are fine (0.85 vs 0.70 cm).
   * On noise-free depth it only biases normals at creases: turn it off there.
   */
  bilateralRadius: number;
  bilateralSigmaSpace: number;
  bilateralSigmaRange: number;
  /** Level-0 ICP points from the unfiltered depth (unbiased at creases); normals always come from filtered depth. */
  rawTrackingPoints: boolean;
  /** Tracking pose source (see TrackingMethod). */
  trackingMethod: TrackingMethod;
  /** Gauss–Newton iterations per pyramid level, finest first (ElasticFusion: 10/5/4 coarse→fine). */
  icpIterations: readonly number[];
  /**
   * Pyramid levels narrower than this (px) are dropped: at 40×30 too few points have normals and the system is
   * so poorly conditioned that one step from the true pose can move it by centimetres.
   */
  minLevelWidth: number;
  /**
   * Weight of the photometric cost relative to the point-to-plane cost (intensities in [0, 1], depth in m).
   * When the caller leaves it unset it is 0.3 at every image size: the 320×240 weight, also that of the levels
   * ≤ 320 px wide that images wider than 640 px use (photometricFinestLevel) and of every level of images over 320
   * and up to 640 px wide (FULL_RESOLUTION_PHOTOMETRIC). It holds at the colour noise
   * rgbNoiseRef; see there for how it scales. Measured with fixed weights (2026-11), ATE by weight 0.01 / 0.1 / 0.3, none lost:
   * - 24 frames at 240×180 (seed 1): 20.1 / 2.55 / 0.48 cm;
   * - 120 frames at 320×240: seed 1 76.7 / 21.5 / 4.97 cm, seed 3 20.4 / 16.7 / 4.79 cm;
   * - 600 frames at 640×480 (seed 0): 4.44 / 6.73 / 17.4 cm (150 frames: 0.1 → 0.19 cm, 0.3 → 0.18 cm);
   *   weight 1 lost tracking there (37 cm).
   * Colour not registered to depth must be registered first (SequenceInfo.colourCamera): unregistered, the
   * photometric term pulls rotations short and no weight helps (7-Scenes kitchen, 320×240, 0.1 / 0.3: 4.02 / 4.01 cm).
   */
  rgbWeight: number;
  /**
   * The colour noise at which rgbWeight holds, in photometric RMSE (intensity 0..1). The noise measured is the median
   * of every good frame so far, raised to the last frame's where that is higher (TrackingJudge.colourNoise). The
   * weight used is rgbWeight·(this / measured)², within ×[1/20, 1]: the photometric term weighted by its inverse
   * variance. 0 = rgbWeight always.
   * Why: the weight that suits clean colour starves the geometry of noisy colour. 320×240, ATE by fixed weight
   * 0.3 / 0.1 / 0.05: generated room seed 101 (600 frames; colour noise 0.03) 1.10 / 2.11 / 2.69 cm; 7-Scenes
   * kitchen (0.085: JPEG, auto exposure, blur) 3.72 / 3.03 / 2.51 cm.
   */
  rgbNoiseRef: number;
  /** ICP correspondence gates: max point distance (m) and max normal angle (degrees). */
  icpMaxDistance: number;
  icpMaxNormalAngleDeg: number;
  /** Huber thresholds: point-to-plane residual (m) and intensity residual (0..1). */
  icpHuber: number;
  rgbHuber: number;
  /** Minimum intensity gradient magnitude (per pixel, 0..1 units) for a pixel to enter the photometric term. */
  rgbMinGradient: number;
  /** Tracking failure: inlier ratio below this, or inlier RMSE (m) above this, marks the frame lost. */
  minInlierRatio: number;
  maxInlierRmse: number;
  /** Tracking failure: a frame-to-frame jump larger than this (m, degrees) is rejected as implausible. */
  maxTranslationJump: number;
  maxRotationJumpDeg: number;
  /** Stop iterating a level when the update is smaller than this (m and rad). */
  convergenceEpsilon: number;
  /**
   * Point-to-plane residuals weighted by the depth sensor's noise at each point's depth (IcpOptions.
   * depthNoiseWeighting; PREDICTED_DEPTH_CONFIG turns it off: a network's depth has its own σ). Measured on 7-Scenes redkitchen 0–499
   * at 320×240 (depth term): ATE 5.98 → 3.59 cm — a Kinect's far depth is noisy and biased.
   */
  icpDepthNoiseWeighting: boolean;
  /**
   * Pyramid levels wider than this (px) track on every round(width / this)-th valid point (geometric term) and
   * pixel (photometric term, checkerboard); see IcpOptions.fullDensityWidth. 160: every 2nd at 320 px, every 4th
   * at 640 px.
   */
  icpFullDensityWidth: number;
  /**
   * The next frame tracks against the model as the fusion step's index map saw it (surfel centres at the pose
   * just fused, SurfelFuser.renderAssociation) instead of a second projection of the map by disc splatting.
   * Measured: 7-Scenes 320×240 predict 20.3 → 4.1 ms, ATE 1.00 → 0.85 cm; 640×480 ATE 0.88 → 0.76 cm;
   * synth seed 0, 600 frames, 320×240: ATE 1.89 → 0.89 cm. Off when activeWindow > 0 (the windows differ).
   */
  predictFromFusion: boolean;
  /**
   * With predictFromFusion, a frame that is not fused (in doubt) also leaves the next frame an association render,
   * from an index map built at its pose (SurfelFuser.indexOnly), instead of a disc-splatted prediction. At full
   * resolution the splatted prediction's colour agrees worse with the frame than the association render's (synth
   * seed 9, 640×480, photometric term on level 0: photometric RMSE 1.2–1.6× after each frame in doubt), so a frame
   * in doubt changed what the next one was compared with, and frames alternated in doubt (fusion/README.md).
   * On for images over 320 px wide (FULL_RESOLUTION_PHOTOMETRIC); not measured at 320×240.
   */
  predictUnfusedFromIndex: boolean;
  /** Finest pyramid level of the photometric term (see IcpOptions.rgbFinestLevel, photometricFinestLevel). */
  rgbFinestLevel: number;
  /** The photometric system carried as a prior to the levels below rgbFinestLevel (IcpOptions.rgbPriorBelowFinest). */
  rgbPriorBelowFinest: boolean;
  /**
   * Hybrid tracking: depth-only iterations at the coarsest level before its hybrid ones (IcpOptions.depthFirstIterations).
   * 10 for images over 320 px wide (FULL_RESOLUTION_PHOTOMETRIC): it mends generated room seed 0 at 640×480 with the
   * photometric term on every level (ATE 2.97 → 0.24 cm). Off at 320×240, where it does not pay (rooms 0–9 mean
   * 0.52 → 0.57 cm; fusion/README.md, "Depth first").
   */
  icpDepthFirstIterations: number;
  /** Surfels reaching this confidence are stable (ElasticFusion's c_stable). */
  stableConfidence: number;
  /** Unstable surfels not confirmed within this many frames after creation are removed. */
  unstableWindow: number;
  /** Surfels not updated for more than this many frames are inactive: neither predicted nor fused into (0 = never). */
  activeWindow: number;
  /** Only surfels with at least this confidence are rendered for tracking (0 = all). */
  trackingMinConfidence: number;
  /** Data association gates for fusion: depth difference (m, scaled by depth²) and normal angle (degrees). */
  fuseDepthThreshold: number;
  fuseMaxNormalAngleDeg: number;
  /** Index map supersampling per image axis for unique data association (2 → 4 index cells per pixel). */
  indexSupersample: number;
  /** Confidence weighting σ of normalised radial distance from the image centre (ElasticFusion: 0.6). */
  confidenceSigma: number;
  /** A measurement farther than this (m) behind a surfel means the surfel is in free space. */
  freeSpaceMargin: number;
  /** Surfel radius cap as a multiple of the pixel footprint at its depth (for grazing normals). */
  maxRadiusFactor: number;
  /**
   * A surfel's colour is averaged against a new measurement with the weight min(confidence, this) (position,
   * normal and radius keep the full confidence): the colour follows about the last this-many observations. With the
   * full confidence (Infinity) a stable surfel's colour froze, while a real camera's exposure and white balance
   * drift and the photometric term compares the frame with the model's colour. Measured (fusion/README.md, "Surfel
   * colour that follows the camera"): 7-Scenes kitchen 320×240 ATE 2.67 → 2.39 cm at 20.
   */
  colourMaxWeight: number;
  /** Side length (m) of the chunks of the spatial index used for frustum culling. */
  chunkSize: number;
  /** Maximum splat half-size in pixels when rendering surfels. */
  maxSplatRadiusPx: number;
  /**
   * Disc radius scale for the tracking prediction. Surfel radii (√2 × pixel footprint) make discs overlap ~2×;
   * 0.75 still closes the gaps between surfels seen from near their creation view at a third of the cost.
   */
  predictSplatScale: number;
  /** Initial surfel capacity (grows by doubling). */
  initialCapacity: number;

  // Failure detection (tracking-judge.ts): a frame in doubt is tracked but not fused; a lost one relocalises.
  /** Valid-depth fraction (pixels with depth and normal) below which a frame is lost / in doubt. */
  lostValidFraction: number;
  doubtValidFraction: number;
  /** Conditioning (smallest/largest eigenvalue of the solved 6×6 system, degeneracy.ts) below which a frame is in doubt. */
  minConditioning: number;
  /** Inlier ratio below which a frame is in doubt. */
  doubtInlierRatio: number;
  /** Residual / photometric RMSE above this multiple of its running median is in doubt. */
  residualFactor: number;
  photometricFactor: number;

  // Relocalisation and loop closure (loop-closure.ts).
  /** Loop closure on (local and global loops, map correction). Off: the whole map stays active (activeWindow 0). */
  loopClosure: boolean;
  /** A pose-graph node (surfels' anchor) every this many fused frames. */
  poseGraphNodeEvery: number;
  /** A loop check every this many fused frames. */
  loopCheckEvery: number;
  /** The inactive render must cover this fraction of the frame's valid pixels to register against it. */
  loopMinCoverage: number;
  /** A registration closes a loop (or relocalises) only with at least this inlier ratio and conditioning. */
  loopMinInlierRatio: number;
  loopMinConditioning: number;
  /** Corrections smaller than this (m, degrees) only reactivate the revisited surfels; larger than max: rejected. */
  loopMinCorrection: number;
  loopMinCorrectionDeg: number;
  loopMaxCorrection: number;
  loopMaxCorrectionDeg: number;
  /** Information weight of a loop edge relative to an odometry edge. */
  loopEdgeWeight: number;
  /** A loop joins nodes at least this many nodes apart. */
  loopMinNodeGap: number;
  /** Ferns: count, keyframe novelty threshold, most dissimilar match a global loop / relocalisation tries. */
  fernCount: number;
  fernKeyframeThreshold: number;
  globalLoopMaxDissimilarity: number;
  relocaliseMaxDissimilarity: number;
  /** Keyframes tried per lost frame. */
  relocaliseCandidates: number;

  // Predicted depth (rgb mode: the depth comes from the network). See depth-uncertainty.ts and
  // PREDICTED_DEPTH_CONFIG, whose values resolveFusionConfig puts under the caller's when this is true.
  /**
   * The depth is a network's prediction, not a sensor's measurement: a per-pixel σ is derived from it (and the
   * class probabilities), fusion weights and gates follow σ, and tracking leans on the photometric term.
   */
  predictedDepth: boolean;
  /** σ model: σ = max(floor, k·d²)·(1 + edgeGain·relative depth step)·(1 + labelGain·(1 − p_max)). */
  depthSigmaPerSquareMetre: number;
  depthSigmaFloor: number;
  depthEdgeGain: number;
  depthLabelGain: number;
  /** Predicted-depth pixels with σ above this (m) are treated as missing (flying pixels at depth edges). */
  maxDepthSigma: number;
  /** σ₀ of the fusion weight 1 / (1 + (σ/σ₀)²) (m). */
  fuseSigmaRef: number;
  /** Association and free-space gates of predicted depth, in σ. */
  fuseGateSigmas: number;
  /**
   * Rescale each frame's predicted depth to the map (median model / predicted depth at the last pose, see
   * depthScaleToModel) before tracking and fusion; ratios beyond maxDepthRescale (or its inverse) are not applied.
   * Off by default: measured worse (demo room, old network, 120 frames: ATE 11.1 cm on vs 5.9 cm off; the
   * 09:01 interim network 13.5 vs 13.8 cm): the previous pose's render is a noisy reference for one frame's scale.
   */
  predictedDepthScale: boolean;
  maxDepthRescale: number;

  // Labels (label-fusion.ts, map-crf.ts).
  /** Each observation is mixed with uniform, (1 − ε)·p + ε/C, before the Bayesian update (LabelFusionOptions.probabilityFloor). */
  labelProbabilityFloor: number;
  /**
   * Predicted depth: σ₀ (m) of the label weight 1 / (1 + (σ/σ₀)²) that mixes an uncertain pixel's observation
   * towards uniform (LabelFusionOptions.sigmaRef); 0 = off. No effect with a depth sensor.
   */
  labelSigmaRef: number;
  /** Which visible surfels a frame relabels (LabelFusionOptions.visibility). */
  labelVisibility: LabelVisibility;
  /** Predicted depth: the label update's depth gate widens to this many σ of the pixel (0 = the sensor's gate). */
  labelGateSigmas: number;
  /** Class-prior correction β of the Bayesian label update (LabelFusionOptions.priorCorrection); 0 = off. */
  labelPriorCorrection: number;
  /** Run the map CRF (map-crf.ts) after every crfEvery-th fused frame with labels; 0 = off. */
  crfEvery: number;
  /** The CRF's options over DEFAULT_MAP_CRF_OPTIONS (kernels, iterations, window, surfel cap, time budget). */
  crf: Readonly<Partial<MapCrfOptions>>;
  /**
   * Re-estimate the floor plane from the map's floor surfels after every floorCheckEvery-th fused frame with
   * labels, and stop surfels above it from being labelled floor (floor-plane.ts); 0 = off.
   */
  floorCheckEvery: number;
  /** The floor check's options over DEFAULT_FLOOR_PLANE_OPTIONS. */
  floorPlane: Readonly<Partial<FloorPlaneOptions>>;
}

export const DEFAULT_FUSION_CONFIG: Readonly<FusionConfig> = Object.freeze({
  classCount: 13,
  minDepth: 0.2,
  maxDepth: 4.0,
  bilateralRadius: 2,
  bilateralSigmaSpace: 4.5,
  bilateralSigmaRange: 0.03,
  rawTrackingPoints: true,
  trackingMethod: 'hybrid' as TrackingMethod,
  icpIterations: Object.freeze([4, 5, 10]),
  minLevelWidth: 80,
  rgbWeight: 0.3,
  rgbNoiseRef: 0.03,
  icpMaxDistance: 0.1,
  icpMaxNormalAngleDeg: 30,
  icpHuber: 0.01,
  rgbHuber: 0.05,
  rgbMinGradient: 0.005,
  minInlierRatio: 0.25,
  maxInlierRmse: 0.03,
  maxTranslationJump: 0.2,
  maxRotationJumpDeg: 20,
  convergenceEpsilon: 1e-5,
  icpDepthNoiseWeighting: true,
  icpFullDensityWidth: 160,
  predictFromFusion: true,
  predictUnfusedFromIndex: false,
  rgbFinestLevel: 0,
  rgbPriorBelowFinest: false,
  icpDepthFirstIterations: 0,
  stableConfidence: 10,
  unstableWindow: 30,
  activeWindow: 0,
  trackingMinConfidence: 0,
  fuseDepthThreshold: 0.03,
  fuseMaxNormalAngleDeg: 40,
  indexSupersample: 2,
  confidenceSigma: 0.6,
  freeSpaceMargin: 0.08,
  maxRadiusFactor: 4,
  colourMaxWeight: 20,
  chunkSize: 1.0,
  maxSplatRadiusPx: 3,
  predictSplatScale: 0.75,
  initialCapacity: 1 << 16,
  lostValidFraction: 0.03,
  doubtValidFraction: 0.15,
  minConditioning: 2e-4,
  doubtInlierRatio: 0.4,
  residualFactor: 3,
  photometricFactor: 3,
  loopClosure: true,
  poseGraphNodeEvery: 10,
  loopCheckEvery: 5,
  loopMinCoverage: 0.3,
  loopMinInlierRatio: 0.6,
  loopMinConditioning: 2e-4,
  loopMinCorrection: 0.004,
  loopMinCorrectionDeg: 0.2,
  loopMaxCorrection: 0.3,
  loopMaxCorrectionDeg: 15,
  loopEdgeWeight: 10,
  loopMinNodeGap: 5,
  fernCount: 500,
  fernKeyframeThreshold: 0.3,
  globalLoopMaxDissimilarity: 0.25,
  relocaliseMaxDissimilarity: 0.5,
  relocaliseCandidates: 3,
  predictedDepth: false,
  depthSigmaPerSquareMetre: 0.04,
  depthSigmaFloor: 0.02,
  depthEdgeGain: 4,
  depthLabelGain: 1,
  maxDepthSigma: 0.6,
  fuseSigmaRef: 0.15,
  fuseGateSigmas: 2,
  predictedDepthScale: false,
  maxDepthRescale: 1.5,
  labelProbabilityFloor: 0,
  labelSigmaRef: 0,
  labelVisibility: 'depthGate' as LabelVisibility,
  labelGateSigmas: 0,
  labelPriorCorrection: 0,
  crfEvery: 0,
  crf: Object.freeze({}),
  floorCheckEvery: 0,
  floorPlane: Object.freeze({}),
});

/**
 * What changes when the depth is predicted (CNN-SLAM, Tateno et al. 2017: the network's depth is a prior, the
 * photometric term carries the pose). Point-to-plane residuals of a network's depth are tens of centimetres and
 * partly a per-frame scale error, so the geometric term, weighted as for a sensor, pulls the pose towards
 * whatever scale the frame was predicted at; its gates (3 cm RMSE, 25 % inliers within 10 cm) declared nearly
 * every frame lost. Here the photometric term dominates (the geometric one stays as a weak prior that fixes
 * what intensity leaves free) and the failure gates are those of the photometric term and the judge.
 */
export const PREDICTED_DEPTH_CONFIG: Readonly<Partial<FusionConfig>> = Object.freeze({
  rgbWeight: 10,
  // A network's depth residuals are not sensor noise: the weight stays as set.
  rgbNoiseRef: 0,
  icpHuber: 0.1,
  icpMaxDistance: 0.5,
  icpMaxNormalAngleDeg: 45,
  minInlierRatio: 0.05,
  maxInlierRmse: 0.5,
  doubtInlierRatio: 0.1,
  fuseDepthThreshold: 0.05,
  icpDepthNoiseWeighting: false,
  // Measured on the demo room (120 frames): fused pixel accuracy 64.1 → 65.5 % (see fusion/README.md).
  floorCheckEvery: 10,
});

/** Active window (frames) when loop closure is on and the caller left activeWindow unset (ElasticFusion: 200). */
export const LOOP_ACTIVE_WINDOW = 200;

/**
 * The photometric weight for every image size (see FusionConfig.rgbWeight): measured at 320×240, and since the
 * 640×480 defaults (FULL_RESOLUTION_PHOTOMETRIC) it holds there too. The 2026-11 weight for 640 px levels, 0.01,
 * was for the photometric term alone on level 0, without depth-first iterations.
 */
const RGB_WEIGHT = 0.3;

/**
 * Finest pyramid level of the photometric term for an image width: the first at most 320 px wide (images over 320
 * and up to 640 px wide use level 0 instead: FULL_RESOLUTION_PHOTOMETRIC). Measured (2026-11, before the tracker
 * had depth-first iterations, noise-adapted weights and association renders after frames in doubt) on
 * synth:seed=0,frames=600,size=640x480: photometric term from level 0 (weight 0.01 / 0.05 / 0.3) ATE 4.2 / 6.4 /
 * 16.1 cm; from level 1 (weight 0.05 / 0.3) 0.18 / 0.18 cm — at full resolution plain walls' shading gradients
 * drown in per-pixel noise.
 */
export function photometricFinestLevel(width: number): number {
  let level = 0;
  while ((width >> level) > 320) level++;
  return level;
}

/**
 * The weight's range around rgbWeight when it follows the colour's noise. Never above: rgbWeight was measured on
 * the cleanest colour we have (rendered rooms), and twice it (clean analytic box room) put frames of a plain pan
 * in doubt (test/fusion/relocalisation-loops.test.ts).
 */
const RGB_NOISE_FACTOR_MIN = 1 / 20;
const RGB_NOISE_FACTOR_MAX = 1;

/**
 * The photometric weight for the colour's measured noise (FusionConfig.rgbNoiseRef): inverse-variance weighting
 * relative to the noise `refNoise` at which `weight` was measured. Before any good frame (NaN): `weight`.
 */
export function noiseAdaptedRgbWeight(weight: number, refNoise: number, photometricRmse: number): number {
  if (!(refNoise > 0 && photometricRmse > 0)) return weight;
  const r = refNoise / photometricRmse;
  const f = r * r;
  return weight * (f < RGB_NOISE_FACTOR_MIN ? RGB_NOISE_FACTOR_MIN : f > RGB_NOISE_FACTOR_MAX ? RGB_NOISE_FACTOR_MAX : f);
}

/**
 * Images wider than 320 px, up to 640: the photometric term on every level, at the 320 px weight, after depth-only
 * iterations at the coarsest level, and an association render after a frame in doubt. Each of the three alone did
 * not pay; together, 600-frame generated rooms 0–9 and 101 and the 7-Scenes kitchen at 640×480 (ATE, cm; fusion/
 * README.md, "Depth first at the coarsest level"): kitchen 4.18 → 2.51, seed 101 3.54 → 0.56, seed 4 1.15 → 0.36,
 * seed 9 1.09 → 0.86, the largest over the rooms 3.54 → 1.31 (seed 6; 0.93 before), at about the same mean. With
 * depth-first steps kept to the directions depth holds (IcpOptions.depthFirstStepRatio): seed 6 1.21, seed 7 0.65,
 * mean over seeds 0–9 0.44.
 */
const FULL_RESOLUTION_PHOTOMETRIC: Partial<FusionConfig> = Object.freeze({
  rgbWeight: RGB_WEIGHT, rgbFinestLevel: 0, icpDepthFirstIterations: 10, predictUnfusedFromIndex: true,
});

/** Merges `partial` over the defaults and validates; `imageWidth` picks the size-dependent defaults. */
export function resolveFusionConfig(partial: Partial<FusionConfig> = {}, imageWidth?: number): FusionConfig {
  // The photometric term runs on the levels at most 320 px wide, with the weight measured for that width; above
  // 320 and up to 640 px on every level (FULL_RESOLUTION_PHOTOMETRIC).
  const rgbLevel = imageWidth === undefined ? 0 : photometricFinestLevel(imageWidth);
  const sized: Partial<FusionConfig> = imageWidth === undefined ? {}
    : imageWidth > 320 && imageWidth <= 640 ? FULL_RESOLUTION_PHOTOMETRIC
      : { rgbWeight: RGB_WEIGHT, rgbFinestLevel: rgbLevel };
  // Loop closure needs an inactive part of the map to close against.
  const windowed: Partial<FusionConfig> = partial.loopClosure === false ? {} : { activeWindow: LOOP_ACTIVE_WINDOW };
  const predicted = partial.predictedDepth ? PREDICTED_DEPTH_CONFIG : {};
  const c: FusionConfig = { ...DEFAULT_FUSION_CONFIG, ...sized, ...windowed, ...predicted, ...partial };
  const positive: (keyof FusionConfig)[] = ['classCount', 'maxDepth', 'stableConfidence', 'chunkSize', 'indexSupersample',
    'icpMaxDistance', 'icpHuber', 'rgbHuber', 'confidenceSigma', 'initialCapacity'];
  for (const k of positive) {
    const v = c[k] as number;
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`FusionConfig.${k} must be a positive number, got ${String(v)}`);
  }
  if (!(c.minDepth >= 0 && c.minDepth < c.maxDepth)) throw new RangeError('FusionConfig: need 0 ≤ minDepth < maxDepth');
  if (!Number.isInteger(c.indexSupersample)) throw new RangeError('FusionConfig.indexSupersample must be an integer');
  if (c.icpIterations.length < 1 || c.icpIterations.length > 4) throw new RangeError('FusionConfig.icpIterations needs 1–4 levels');
  if (!(Number.isInteger(c.icpDepthFirstIterations) && c.icpDepthFirstIterations >= 0)) throw new RangeError('FusionConfig.icpDepthFirstIterations must be an integer ≥ 0');
  if (c.rgbWeight < 0) throw new RangeError('FusionConfig.rgbWeight must be ≥ 0');
  if (!(c.rgbNoiseRef >= 0)) throw new RangeError('FusionConfig.rgbNoiseRef must be ≥ 0');
  if (!(Number.isInteger(c.rgbFinestLevel) && c.rgbFinestLevel >= 0)) throw new RangeError('FusionConfig.rgbFinestLevel must be an integer ≥ 0');
  if (c.loopClosure && !(c.activeWindow > 0)) throw new RangeError('FusionConfig: loop closure needs activeWindow > 0 (an inactive map to close against)');
  for (const k of ['poseGraphNodeEvery', 'loopCheckEvery', 'fernCount', 'relocaliseCandidates'] as const) {
    if (!(Number.isInteger(c[k]) && c[k] >= 1)) throw new RangeError(`FusionConfig.${k} must be a positive integer`);
  }
  for (const k of ['depthSigmaPerSquareMetre', 'depthSigmaFloor', 'maxDepthSigma', 'fuseSigmaRef', 'fuseGateSigmas'] as const) {
    if (!(c[k] > 0)) throw new RangeError(`FusionConfig.${k} must be > 0`);
  }
  if (!(c.depthEdgeGain >= 0 && c.depthLabelGain >= 0)) throw new RangeError('FusionConfig: depth σ gains must be ≥ 0');
  if (!(c.colourMaxWeight > 0)) throw new RangeError('FusionConfig.colourMaxWeight must be > 0 (Infinity: the full confidence)');
  if (!(c.icpFullDensityWidth >= 1)) throw new RangeError('FusionConfig.icpFullDensityWidth must be ≥ 1');
  if (!(c.labelProbabilityFloor >= 0 && c.labelProbabilityFloor < 1)) throw new RangeError('FusionConfig.labelProbabilityFloor must be in [0, 1)');
  if (!(c.labelPriorCorrection >= 0 && c.labelPriorCorrection <= 1)) throw new RangeError('FusionConfig.labelPriorCorrection must be in [0, 1]');
  if (!(c.labelSigmaRef >= 0)) throw new RangeError('FusionConfig.labelSigmaRef must be ≥ 0');
  for (const k of ['crfEvery', 'floorCheckEvery'] as const) {
    if (!(Number.isInteger(c[k]) && c[k] >= 0)) throw new RangeError(`FusionConfig.${k} must be an integer ≥ 0`);
  }
  return c;
}
