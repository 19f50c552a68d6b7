import { scaleIntrinsics, type Intrinsics } from '../../fusion/camera.js';
import { NYU13_CLASS_COUNT, remapLabels40to13 } from '../../fusion/classes.js';
import type { FusionConfig, TrackingMethod } from '../../fusion/config.js';
import type { Mat4 } from '../../fusion/pose.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import type { KernelPool } from '../../fusion/parallel/pool.js';
import { serialPool } from '../../fusion/parallel/pool.js';
import type { FrameResult, LoopClosureEvent } from '../../fusion/types.js';
import { ateRmse, rpe } from '../../fusion/metrics/trajectory.js';
import { percentile } from '../../fusion/metrics/stats.js';
import { InputError } from '../errors.js';
import { NoisyLabelSimulator, argmax13, type NoisyLabelOptions } from '../eval/noisyLabels.js';
import { groundTruthProbabilities } from '../eval/gtLabels.js';
import { scoreFusedLabels, type EvaluatedFrame } from '../eval/fusedLabelScores.js';
import type { SequenceReader } from '../sources/frame.js';
import { groundTruthEvents, groundTruthSurfaces } from '../synth/groundTruthGeometry.js';
import type { SurfaceDistanceSummary } from '../synth/surfaceDistance.js';
import { FrameIssues, inspectFrame, readOrFlag, type FrameIssue, type FrameIssueKind } from './frameCheck.js';
import { FrameResizer } from './frameResizer.js';
import { reportHardCases, type FrameOutcome, type HardCaseOutcome } from './hardCaseReport.js';
import { labelSettingsKey, type PreparedFrame } from './labelInput.js';

/**
 * Headless mapping of a whole sequence: sources → (resize) → labels → SurfelFusion, then the field's metrics.
 * The caller owns the reader; this composes the steps and measures. Used by `semslam map` and the tests.
 */

/** Where per-frame class probabilities come from. */
export type LabelMode = 'none' | 'gt' | 'gt-noisy';

/**
 * Where camera poses come from: 'track' = the fusion's own tracker (the SLAM system);
 * 'groundTruth' = the sequence's poses (tracking off), to score label fusion and mapping apart from tracking.
 */
export type PoseSource = 'track' | 'groundTruth';

export interface MapSequenceOptions {
  /** Stop after this many frames. */
  readonly maxFrames: number;
  /** Resize frames (and intrinsics) before fusion; undefined = native size. */
  readonly size?: { readonly width: number; readonly height: number };
  readonly labels: LabelMode;
  /** Feed labels on every K-th frame only (SemanticFusion ran its CNN on a subset of frames). */
  readonly labelEvery: number;
  /** Fusion configuration overrides (tracking method, depth range, …). */
  readonly fusion: Partial<FusionConfig>;
  /** Seed the first frame's pose with ground truth, so the map and the estimate share the gt world frame. */
  readonly anchorToGroundTruth: boolean;
  readonly poses: PoseSource;
  /** Options of the gt-noisy simulator (seed, noise levels). */
  readonly noise: Partial<NoisyLabelOptions>;
  /**
   * Most frames kept for the fused-label evaluation (each keeps two label images); labelled frames are
   * sampled evenly when a sequence has more.
   */
  readonly maxEvaluatedFrames: number;
  /** Runs the fusion kernels (threads); default: the calling thread only. */
  readonly pool?: KernelPool;
}

export const DEFAULT_MAP_SEQUENCE_OPTIONS: MapSequenceOptions = {
  maxFrames: Infinity,
  labels: 'none',
  labelEvery: 1,
  fusion: {},
  anchorToGroundTruth: true,
  poses: 'track',
  noise: {},
  maxEvaluatedFrames: 200,
};

export interface StageMs {
  preprocess: number;
  predict: number;
  track: number;
  fuse: number;
  labels: number;
  /** Relocalisation, pose-graph nodes, ferns and loop checks. */
  loops: number;
}

export interface LabelScores {
  /** Frames whose labels were fed to fusion and scored. */
  readonly frames: number;
  /** Mean IoU / pixel accuracy of the per-frame input's argmax against the frame's 13-class ground truth. */
  readonly singleFrameMIoU: number;
  readonly singleFramePixelAcc: number;
  /**
   * The final map's labels rendered into each scored frame at its estimated pose (fusion.renderLabels).
   * Pixels the map does not cover keep the frame's own argmax, so both scores are over the same pixels.
   */
  readonly fusedMIoU: number;
  readonly fusedPixelAcc: number;
  /** Fraction of scored pixels where the map rendered a label. Higher is better. */
  readonly fusedCoverage: number;
}

export interface RpeSummary {
  /** RPE RMSE over Δ = 1 frame: metres and degrees per frame. Lower is better. */
  readonly perFrame: { readonly translationRmseM: number; readonly rotationRmseDeg: number; readonly pairs: number };
  /** RPE RMSE over Δ = 1 s (TUM's default): m/s and deg/s; absent for sequences shorter than a second. */
  readonly perSecond?: { readonly translationRmseM: number; readonly rotationRmseDeg: number; readonly pairs: number };
}

export interface MapSummary {
  readonly sequence: string;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  /** End-to-end frames per second: decoding, resizing, label simulation and fusion. Higher is better. */
  readonly fps: number;
  /** Fusion time per frame (SurfelFusion.processFrame), ms. */
  readonly msPerFrame: { readonly p50: number; readonly p95: number };
  /** Mean ms per fusion stage. */
  readonly msPerStage: StageMs;
  /** Mean ms per frame spent outside fusion: reading, resizing, making labels. */
  readonly msInputPerFrame: number;
  readonly surfels: number;
  /** ATE RMSE (m) after rigid Horn alignment; only when the sequence has ground-truth poses. Lower is better. */
  readonly ateRmseM?: number;
  readonly rpe?: RpeSummary;
  /** Frames where tracking was lost (not fused; the pose stays at the last good one). */
  readonly trackingFailures: number;
  /**
   * Frame indices by tracking status: lost (not tracked, not fused), doubtful (tracked but not fused: weak
   * evidence, e.g. little depth or an ill-conditioned system), relocalised (found again against the map).
   */
  readonly frameStatus: { readonly lost: number[]; readonly doubtful: number[]; readonly relocalised: number[] };
  /** Whether loop closure ran, and the loops it closed (each corrected the map and the pose). */
  readonly loopClosure: boolean;
  readonly loopClosures: readonly LoopClosureEvent[];
  readonly trackingMethod: TrackingMethod;
  /** Threads that ran the fusion kernels. */
  readonly threads: number;
  readonly labels?: LabelScores;
  /**
   * Distance of every surfel to the true surfaces, when the sequence is one we generated (metres; the map is
   * in the ground-truth frame because the first pose is anchored to it). Lower is better.
   */
  readonly surfaceDistance?: SurfaceDistanceSummary;
  /**
   * Frames flagged on input: skipped (unreadable, wrong size) or mapped with repaired depth (NaN/negative →
   * missing) or none at all (left to tracking, which does not fuse them). `frames` lists the first 200.
   */
  readonly inputIssues: { readonly skipped: number; readonly counts: Record<FrameIssueKind, number>; readonly frames: readonly FrameIssue[] };
  /** For generated sequences with hard intervals: how each was flagged, kept out of the map, and recovered from. */
  readonly hardCases?: readonly HardCaseOutcome[];
}

export interface MapProgress {
  readonly frame: number;
  readonly total: number;
  readonly fps: number;
  readonly result: FrameResult;
}

export interface MapRun {
  readonly summary: MapSummary;
  readonly fusion: SurfelFusion;
  /** Estimated T_world_camera per processed frame. */
  readonly trajectory: readonly Mat4[];
  readonly timestamps: readonly number[];
}

const now = (): number => performance.now();

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

export async function mapSequence(
  reader: SequenceReader,
  options: Partial<MapSequenceOptions> = {},
  onFrame?: (p: MapProgress) => void,
  /** Called with each frame's input issues (see frameCheck.ts), e.g. to warn as they happen. */
  onIssues?: (issues: readonly FrameIssue[]) => void,
): Promise<MapRun> {
  const o: MapSequenceOptions = { ...DEFAULT_MAP_SEQUENCE_OPTIONS, ...options };
  const info = reader.info;
  if (o.labels !== 'none' && !info.hasLabels) {
    throw new InputError(info.path, `has no ground-truth labels, so --labels ${o.labels} cannot be used (use --labels none)`);
  }
  if (o.poses === 'groundTruth' && !info.hasGroundTruth) {
    throw new InputError(info.path, 'has no ground-truth poses, so they cannot replace tracking');
  }
  if (!(Number.isInteger(o.labelEvery) && o.labelEvery >= 1)) throw new RangeError(`labelEvery must be a positive integer (got ${o.labelEvery})`);
  const total = Math.min(info.frames, o.maxFrames);
  const width = o.size?.width ?? info.width;
  const height = o.size?.height ?? info.height;
  const n = width * height;
  const intrinsics: Intrinsics = o.size ? scaleIntrinsics(info.intrinsics, width, height) : info.intrinsics;
  const pool = o.pool ?? serialPool;
  const fusion = new SurfelFusion(intrinsics, o.poses === 'groundTruth' ? { ...o.fusion, trackingMethod: 'none' } : o.fusion, pool);
  const resizer = new FrameResizer(info.width, info.height, width, height);
  const simulator = o.labels === 'gt-noisy' ? new NoisyLabelSimulator(width, height, o.noise) : undefined;
  // In the pool's memory, so that label fusion's kernels read it without a copy.
  const probs = o.labels !== 'none' ? pool.allocator.f32(n * NYU13_CLASS_COUNT) : undefined;
  const labelKey = o.labels !== 'none' ? labelSettingsKey({ mode: o.labels, every: o.labelEvery, noise: o.noise }) : undefined;
  const labelledFrames = Math.ceil(total / o.labelEvery);
  const evalStride = Math.max(1, Math.ceil(labelledFrames / o.maxEvaluatedFrames));

  const estimated: Mat4[] = [], groundTruth: Mat4[] = [], gtTimestamps: number[] = [], timestamps: number[] = [];
  const trajectory: Mat4[] = [];
  const frameMs: number[] = [];
  const stages: Record<keyof StageMs, number[]> = { preprocess: [], predict: [], track: [], fuse: [], labels: [], loops: [] };
  const evaluated: EvaluatedFrame[] = [];
  let inputMs = 0, failures = 0, processed = 0, labelledCount = 0;
  const frameStatus = { lost: [] as number[], doubtful: [] as number[], relocalised: [] as number[] };
  const gt13 = new Uint8Array(n), single13 = new Uint8Array(n);
  const t0 = now();
  let tInput = now();
  let lastYield = t0;

  const issues = new FrameIssues();
  const outcomes = new Map<number, FrameOutcome>();
  for (let index = 0; index < total; index++) {
    const read = await readOrFlag((k) => reader.read(k), index);
    const problems = 'rgb' in read ? inspectFrame(read, info.path, info.width, info.height) : [read];
    for (const p of problems) issues.add(p);
    if (problems.length > 0) onIssues?.(problems);
    if (!('rgb' in read) || problems.some((p) => !p.mapped)) continue;
    const frame = read;
    const rgb = resizer.identity ? frame.rgb : resizer.resizeRgb(frame.rgb);
    const depth = resizer.identity ? frame.depth : resizer.resizeDepth(frame.depth);
    const i = processed;
    let classProbs: Float32Array | undefined;
    let labels40: Uint8Array | undefined;
    // Made ahead on the reading thread when it used these very settings (and the frame needed no resizing here).
    const made = labelKey && resizer.identity && (frame as PreparedFrame).labelInput?.key === labelKey ? (frame as PreparedFrame).labelInput : undefined;
    if (probs && frame.labels40 && index % o.labelEvery === 0) {
      labels40 = resizer.identity ? frame.labels40 : resizer.resizeLabels(frame.labels40);
      if (made) {
        probs.set(made.classProbs);
        classProbs = probs;
      } else classProbs = simulator ? simulator.simulate(labels40, frame.index, probs) : groundTruthProbabilities(labels40, probs);
    }
    const hint = o.poses === 'groundTruth' || (o.anchorToGroundTruth && i === 0) ? frame.groundTruthPose : undefined;
    inputMs += now() - tInput;

    const result = fusion.processFrame({ rgb, depth, timestamp: frame.timestamp, classProbs, T_world_camera_hint: hint });

    tInput = now();
    processed++;
    frameMs.push(result.ms.total);
    for (const k of Object.keys(stages) as (keyof StageMs)[]) stages[k].push(result.ms[k]);
    if (result.tracking.lost) failures++;
    if (result.status !== 'ok') frameStatus[result.status].push(frame.index);
    outcomes.set(index, { flagged: result.status !== 'ok' || problems.length > 0, fused: result.fused });
    trajectory.push(result.T_world_camera);
    timestamps.push(frame.timestamp);
    if (frame.groundTruthPose) {
      estimated.push(result.T_world_camera);
      groundTruth.push(frame.groundTruthPose);
      gtTimestamps.push(frame.timestamp);
    }
    if (classProbs && labels40) {
      if (made) { gt13.set(made.gt13); single13.set(made.single13); } else { remapLabels40to13(labels40, gt13); argmax13(classProbs, n, single13); }
      if (labelledCount % evalStride === 0) {
        evaluated.push({ T_world_camera: result.T_world_camera, gt13: gt13.slice(), single13: single13.slice() });
      }
      labelledCount++;
    }
    onFrame?.({ frame: index + 1, total, fps: processed / ((now() - t0) / 1000), result });
    // Readers that resolve in microtasks never let timers run: yield now and then so that progress output
    // (redrawn on a timer when stderr is not a terminal) and signal handlers keep working.
    if (now() - lastYield > 200) { await new Promise((r) => setImmediate(r)); lastYield = now(); }
  }
  const wallS = (now() - t0) / 1000;
  if (processed === 0) {
    throw new InputError(info.path, issues.total > 0 ? `no frame could be mapped (first problem: ${issues.listed[0].detail})` : 'no frames to map');
  }

  let ateRmseM: number | undefined;
  let rpeSummary: RpeSummary | undefined;
  if (estimated.length >= 2) {
    ateRmseM = ateRmse(estimated, groundTruth).rmse;
    const perFrame = rpe(estimated, groundTruth, { delta: 1, deltaUnit: 'frames' });
    const span = gtTimestamps[gtTimestamps.length - 1] - gtTimestamps[0];
    const perSecond = span >= 1 ? rpe(estimated, groundTruth, { delta: 1, deltaUnit: 'seconds', timestamps: gtTimestamps }) : undefined;
    rpeSummary = {
      perFrame: { translationRmseM: perFrame.translation.rmse, rotationRmseDeg: perFrame.rotationDeg.rmse, pairs: perFrame.pairs },
      ...(perSecond && perSecond.pairs > 0
        ? { perSecond: { translationRmseM: perSecond.translation.rmse, rotationRmseDeg: perSecond.rotationDeg.rmse, pairs: perSecond.pairs } }
        : {}),
    };
  }

  const labels = evaluated.length > 0 ? scoreFusedLabels(evaluated, intrinsics.width, intrinsics.height,
    (T, out) => fusion.renderLabels(T, intrinsics, out)) : undefined;
  const surfaces = o.anchorToGroundTruth || o.poses === 'groundTruth' ? await groundTruthSurfaces(reader) : undefined;
  const snapshot = surfaces ? fusion.snapshot() : undefined;
  const surfaceDistance = surfaces && snapshot ? surfaces.summarize(snapshot.positions, snapshot.count) : undefined;
  const events = await groundTruthEvents(reader);
  const hardCases = events.length > 0 ? reportHardCases(events, (k) => outcomes.get(k) ?? (k < total ? { flagged: true, fused: false } : undefined), total) : undefined;
  const stageMeans: StageMs = {
    preprocess: mean(stages.preprocess), predict: mean(stages.predict), track: mean(stages.track),
    fuse: mean(stages.fuse), labels: mean(stages.labels), loops: mean(stages.loops),
  };
  const summary: MapSummary = {
    sequence: info.path,
    format: info.format,
    width,
    height,
    frames: processed,
    fps: processed / wallS,
    msPerFrame: { p50: percentile(frameMs, 50), p95: percentile(frameMs, 95) },
    msPerStage: stageMeans,
    msInputPerFrame: inputMs / processed,
    surfels: fusion.surfelCount,
    ...(ateRmseM !== undefined ? { ateRmseM } : {}),
    ...(rpeSummary ? { rpe: rpeSummary } : {}),
    trackingFailures: failures,
    frameStatus,
    loopClosure: fusion.config.loopClosure && fusion.loops !== null,
    loopClosures: fusion.loopClosures.map((e) => ({ ...e })),
    trackingMethod: fusion.config.trackingMethod,
    threads: pool.threads,
    ...(labels ? { labels } : {}),
    ...(surfaceDistance ? { surfaceDistance } : {}),
    inputIssues: issues.summary(),
    ...(hardCases ? { hardCases } : {}),
  };
  return { summary, fusion, trajectory, timestamps };
}

/** Renders the final map's labels into every kept frame and scores them against that frame's ground truth. */
