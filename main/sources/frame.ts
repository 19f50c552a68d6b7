import type { Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';

/** One RGB-D frame as every reader yields it and every consumer takes it. */
export interface Frame {
  readonly index: number;
  /** Seconds (sensor clock; TUM/NYU unix time, or index / fps for frame folders). */
  readonly timestamp: number;
  readonly width: number;
  readonly height: number;
  /** Row-major H×W×3 RGB. */
  readonly rgb: Uint8Array;
  /** Row-major H×W metres; 0 = missing. Registered to rgb where the format allows. */
  readonly depth: Float32Array;
  /** Intrinsics of rgb and (registered) depth. */
  readonly intrinsics: Intrinsics;
  /** T_world_camera, column-major 4×4, when the sequence has ground truth. */
  readonly groundTruthPose?: Mat4;
  /** NYUDv2 40-class labels 0..39, 255 = void, when the sequence has them (our generated sequences). */
  readonly labels40?: Uint8Array;
  /** Exact depth in metres when the sequence has it beside noisy sensor depth (our generated sequences). */
  readonly depthGroundTruth?: Float32Array;
}

export type SequenceFormat = 'nyu-raw' | 'tum' | '7scenes' | 'redwood' | 'icl-nuim' | 'single-pair' | 'synthetic' | 'camera';

export interface SequenceInfo {
  readonly format: SequenceFormat;
  readonly path: string;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly intrinsics: Intrinsics;
  readonly hasGroundTruth: boolean;
  readonly hasLabels: boolean;
  /** Caveats a user should know (assumed intrinsics, unregistered RGB, byte order guessed...). */
  readonly warnings?: readonly string[];
}

/** A streaming reader: opening reads only indexes; frames are decoded one at a time. */
export interface SequenceReader {
  readonly info: SequenceInfo;
  /** Decodes frame i (0-based, in stream order). */
  read(i: number): Promise<Frame>;
  frames(options?: { start?: number; maxFrames?: number; stride?: number }): AsyncIterable<Frame>;
}
