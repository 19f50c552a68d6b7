import type { Intrinsics } from '../../fusion/camera.js';
import type { FusionConfig } from '../../fusion/config.js';
import { SHIPPED_MODEL_PATH } from '../perception/default-model.js';
import type { SessionMode } from '../store/records.js';
import type { SessionWriterOptions } from '../store/sessionWriter.js';
import type { OpenSequenceOptions } from '../sources/open.js';

/** How frames are paced: every frame in order, or at the sensor's rate × speed, skipping frames to keep pace. */
export type Pacing = 'everyFrame' | 'realtime';

/** Where per-pixel class probabilities come from (chosen once per session, see choosePerception). */
export type LabelSourceKind = 'network' | 'simulated' | 'none';

/** A live camera whose images the caller pushes (PipelineSession.pushCameraImage). */
export interface CameraOptions {
  /** The device's name as the user knows it (session name, error messages). */
  readonly label: string;
  readonly intrinsics: Intrinsics;
  /** Said once the session starts, as notices (a calibration rescaled, lens distortion not corrected). */
  readonly warnings?: readonly string[];
  /** Also write the stream (RGB + the network's depth) as a TUM RGB-D sequence in this folder. */
  readonly recordDir: string | null;
}

export interface SessionOptions {
  /** A sequence path (anything main/sources opens) or 'demo' for the embedded synthetic world; 'camera' with `camera`. */
  readonly source: string;
  /** How a recording source is opened: the user's camera (--intrinsics, --camera, --depth-scale) and a bag's topics. */
  readonly sourceOptions?: OpenSequenceOptions;
  /** Set for live camera sessions (source 'camera', mode 'rgb'). */
  readonly camera: CameraOptions | null;
  /** 'rgbd': sensor depth is fused, the network segments every `segmentEvery`-th frame; 'rgb': the network's depth and labels every frame. */
  readonly mode: SessionMode;
  readonly pacing: Pacing;
  /** Playback speed multiplier for 'realtime' pacing. */
  readonly speed: number;
  /** rgbd mode: run segmentation on every k-th processed frame (label fusion is cheap; the network is not). */
  readonly segmentEvery: number;
  /** Frames are processed at 1/downscale of their size (integer; 2 halves width and height). */
  readonly downscale: number;
  /** Threads running the fusion kernels (0 = one per core, 1 = the session's own thread only). */
  readonly threads: number;
  /** First frame and most frames to process (Infinity = to the end). */
  readonly start: number;
  readonly maxFrames: number;
  /** The joint network; when the file is missing, rgb mode fails and rgbd mode falls back (see LabelSourceKind). */
  readonly modelFile: string;
  /** Session database; null runs without persisting. */
  readonly database: string | null;
  /** Session name in the database (default: derived from the source and date). */
  readonly name: string | null;
  /** Start paused (the caller then plays or steps). */
  readonly paused: boolean;
  readonly fusion: Partial<FusionConfig>;
  readonly writer: Partial<SessionWriterOptions>;
  /** Map deltas and previews are sent at most this often (Hz), and after pause/step/finish. */
  readonly updateHz: number;
  /** Seed of the simulated CNN labels and of the demo world. */
  readonly seed: number;
  /** Anchor the map at the first frame's ground-truth pose (so trajectories compare without alignment). */
  readonly anchorToGroundTruth: boolean;
}

/** The shipped network (absolute: sessions may start from any working directory). */
export const DEFAULT_MODEL_FILE = SHIPPED_MODEL_PATH;

export const DEFAULT_SESSION_OPTIONS: Readonly<SessionOptions> = Object.freeze({
  source: 'demo',
  camera: null,
  mode: 'rgbd' as SessionMode,
  pacing: 'everyFrame' as Pacing,
  speed: 1,
  segmentEvery: 5,
  downscale: 1,
  threads: 0,
  start: 0,
  maxFrames: Infinity,
  modelFile: DEFAULT_MODEL_FILE,
  database: null,
  name: null,
  paused: false,
  fusion: Object.freeze({}),
  writer: Object.freeze({}),
  updateHz: 10,
  seed: 1,
  anchorToGroundTruth: true,
});

export function resolveSessionOptions(partial: Partial<SessionOptions>): SessionOptions {
  const o: SessionOptions = { ...DEFAULT_SESSION_OPTIONS, ...partial };
  if (!(o.speed > 0 && Number.isFinite(o.speed))) throw new RangeError(`speed must be a positive number, got ${o.speed}`);
  if (!(Number.isInteger(o.segmentEvery) && o.segmentEvery >= 1)) throw new RangeError(`segmentEvery must be an integer ≥ 1, got ${o.segmentEvery}`);
  if (!(Number.isInteger(o.downscale) && o.downscale >= 1)) throw new RangeError(`downscale must be an integer ≥ 1, got ${o.downscale}`);
  if (!(Number.isInteger(o.threads) && o.threads >= 0)) throw new RangeError(`threads must be an integer ≥ 0 (0 = one per core), got ${o.threads}`);
  if (!(Number.isInteger(o.start) && o.start >= 0)) throw new RangeError(`start must be an integer ≥ 0, got ${o.start}`);
  if (!(o.maxFrames >= 1)) throw new RangeError(`maxFrames must be ≥ 1, got ${o.maxFrames}`);
  if (o.camera && o.mode !== 'rgb') throw new RangeError('a live camera has no depth: camera sessions run in rgb mode (the network supplies depth)');
  if (!(o.updateHz > 0)) throw new RangeError(`updateHz must be > 0, got ${o.updateHz}`);
  return o;
}
