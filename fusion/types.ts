/** Records crossing the public boundary of the fusion library (what processFrame takes and returns). */
import type { Intrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import type { TrackingResult } from './icp-tracker.js';
import type { LoopClosureEvent } from './loop-closure.js';
import type { MapCrfResult } from './map-crf.js';

export type { TrackingResult, LoopClosureEvent };

/**
 * How a frame went: 'ok' tracked and fused; 'doubtful' tracked (the pose follows it) but not fused, its evidence
 * was weak (little depth, an ill-conditioned system, few inliers, an outlying residual); 'lost' not tracked (the
 * pose stays at the last good one), not fused; 'relocalised' lost tracking but found again against the map from
 * a keyframe, and fused.
 */
export type FrameStatus = 'ok' | 'doubtful' | 'lost' | 'relocalised';

export interface FrameInput {
  /** Row-major H×W×3 RGB. */
  readonly rgb: Uint8Array;
  /** Row-major H×W depth in metres, 0 = missing. */
  readonly depth: Float32Array;
  /** Seconds. */
  readonly timestamp: number;
  /** Pixel-major H·W·C class probabilities, C = classCount, channel c = class id c + 1. */
  readonly classProbs?: Float32Array;
  /**
   * A pose to use instead of the tracker's initial guess: on the first frame it anchors the map (e.g. the first
   * ground-truth pose); later it seeds tracking, or with trackingMethod 'none' it is taken as the pose.
   */
  readonly T_world_camera_hint?: Mat4;
}

export interface FrameTimings {
  preprocess: number;
  predict: number;
  track: number;
  fuse: number;
  labels: number;
  /** Relocalisation, pose-graph nodes, ferns and loop checks (LoopCloser). */
  loops: number;
  total: number;
}

export interface FrameStats {
  /** Live surfels in the map. */
  surfels: number;
  /** Surfels in the frustum that the model prediction rendered (active ones in view). */
  activeSurfels: number;
  /** Surfels associated with a measurement (fused) this frame. */
  visibleSurfels: number;
  added: number;
  removed: number;
  /** Surfels whose class distribution this frame updated. */
  labelled: number;
}

export interface FrameResult {
  readonly frameIndex: number;
  readonly T_world_camera: Mat4;
  readonly tracking: TrackingResult;
  /** Whether the frame was fused into the map (false when tracking was lost or in doubt). */
  readonly fused: boolean;
  readonly status: FrameStatus;
  /** Why the frame is not 'ok' ('' when it is). */
  readonly statusReason: string;
  /** A loop closed at this frame: the map and the pose were corrected. */
  readonly loopClosure?: LoopClosureEvent;
  /** The map CRF ran after this frame (FusionConfig.crfEvery); its time is part of ms.labels. */
  readonly crf?: MapCrfResult;
  readonly stats: FrameStats;
  /** Milliseconds per stage. */
  readonly ms: FrameTimings;
}

/** A copy of (part of) the map, safe to transfer to another thread. */
export interface MapSnapshot {
  count: number;
  /** Stable surfel ids (never reused). */
  ids: Uint32Array;
  positions: Float32Array;
  normals: Float32Array;
  colors: Uint8Array;
  radii: Float32Array;
  confidence: Float32Array;
  /** Fused class id 1..C, 0 = never labelled. */
  labels: Uint8Array;
  labelProb: Float32Array;
  /** 1 when confidence ≥ stableConfidence. */
  stable: Uint8Array;
  /** For changedSince: ids removed after the given frame (empty in a full snapshot). */
  removedIds: Uint32Array;
  /** The last processed frame index when the snapshot was taken (−1 before any frame). */
  frameIndex: number;
}

/** A model prediction at one pose, copied out for callers (world-frame vertices and normals). */
export interface PredictedView {
  intrinsics: Intrinsics;
  T_world_camera: Mat4;
  /** Camera-frame depth, 0 = no surfel. */
  depth: Float32Array;
  vertex: Float32Array;
  normal: Float32Array;
  color: Uint8Array;
  /** Surfel id per pixel, 0 = none. */
  surfelId: Uint32Array;
}
