import type { Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import type { ColourCamera } from './colourRegistration.js';

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

export type SequenceFormat = 'nyu-raw' | 'tum' | '7scenes' | 'redwood' | 'icl-nuim' | 'single-pair' | 'mcap' | 'klg' | 'synthetic' | 'camera';

/** One recorded stream of a container file (a bag's topic), as `semslam info` lists it. */
export interface StreamInfo {
  readonly name: string;
  readonly type: string;
  readonly count: number;
  /** Messages per second over the stream's time span; null when it cannot be told. */
  readonly rateHz: number | null;
  /** What we use it for ('colour', 'depth', 'camera info', 'ground truth'); absent when unused. */
  readonly role?: string;
}

export interface SequenceInfo {
  readonly format: SequenceFormat;
  readonly path: string;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly intrinsics: Intrinsics;
  readonly hasGroundTruth: boolean;
  readonly hasLabels: boolean;
  /** False when the sequence has colour only (frames carry all-zero depth; map it in rgb mode). Absent = true. */
  readonly hasDepth?: boolean;
  /** The streams of a container file (bag topics), for `semslam info`. */
  readonly streams?: readonly StreamInfo[];
  /**
   * Colour comes from this other camera and is not registered to depth (7-Scenes); openSequence registers it
   * (applyColourRegistration), and the info it returns names the camera used.
   */
  readonly colourCamera?: ColourCamera;
  /** Caveats a user should know (assumed intrinsics, unregistered RGB, byte order guessed...). */
  readonly warnings?: readonly string[];
}

/** A streaming reader: opening reads only indexes; frames are decoded one at a time. */
export interface SequenceReader {
  readonly info: SequenceInfo;
  /** Decodes frame i (0-based, in stream order). */
  read(i: number): Promise<Frame>;
  frames(options?: { start?: number; maxFrames?: number; stride?: number }): AsyncIterable<Frame>;
  /** Releases open files (bags, logs); readers of folders hold none. */
  close?(): void | Promise<void>;
}
