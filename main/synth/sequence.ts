/**
 * The synthetic world as a SequenceReader: room `seed`, a hand-held sweep through it, rendered on
 * demand. Frames carry sensor-like depth (Kinect noise model, or exact with noise 'none'), exact
 * depth, 40-class labels and the ground-truth pose. This is the app's embedded demo sequence.
 */
import { scaleIntrinsics, type Intrinsics } from '../../fusion/camera.js';
import type { Frame, SequenceReader } from '../sources/frame.js';
import { InputError } from '../errors.js';
import { mixSeed } from './random.js';
import { applyKinectNoise, applyRgbNoise } from './noise.js';
import { Renderer } from './renderer.js';
import { generateRoom, type Room } from './room.js';
import { sampleTrajectory } from './trajectory.js';
import { applyCovered, coveredIntervals, eventAt, insertClosePasses, type HardEvent } from './hardCases.js';
import type { Mat4 } from '../../fusion/pose.js';

export type SyntheticNoise = 'kinect' | 'none';

export interface SyntheticSequenceOptions {
  readonly seed: number;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly noise: SyntheticNoise;
  readonly fps: number;
  /** Lap a closed tour of waypoints (revisiting the start once per lap) instead of an open sweep. */
  readonly loop: boolean;
  /** Close-range passes (the surface ahead nearer than the sensor's range), spread over the sequence. */
  readonly closePasses: number;
  /** One-second covered-camera intervals (dark image, no depth). */
  readonly covered: number;
}

export const DEFAULT_SYNTHETIC_SEQUENCE: SyntheticSequenceOptions = {
  seed: 0,
  frames: 300,
  width: 640,
  height: 480,
  noise: 'kinect',
  fps: 30,
  loop: false,
  closePasses: 0,
  covered: 0,
};

/** Waypoints of the tour a `loop` sequence laps (a lap is a few metres: several laps in 1,500 frames). */
export const LOOP_WAYPOINTS = 4;

/** Kinect-like RGB intrinsics (fx = fy = 525 at 640×480, centred) at any resolution. */
export function kinectIntrinsics(width: number, height: number): Intrinsics {
  return scaleIntrinsics({ width: 640, height: 480, fx: 525, fy: 525, cx: 319.5, cy: 239.5 }, width, height);
}

export interface SyntheticSequence extends SequenceReader {
  readonly room: Room;
  readonly poses: readonly Mat4[];
  /** The hard intervals (close-range passes, covered camera), frames [start, end). */
  readonly events: readonly HardEvent[];
}

/** Renders frame i of a synthetic sequence into fresh arrays (the Frame owns them). */
function renderFrame(renderer: Renderer, room: Room, pose: Mat4, K: Intrinsics, o: SyntheticSequenceOptions, i: number, covered: boolean): Frame {
  const r = renderer.render(room, pose, K);
  const depthGroundTruth = r.depth.slice();
  const rgb = r.rgb.slice();
  let depth: Float32Array = depthGroundTruth;
  const frameSeed = mixSeed(o.seed, i, 0x4e4f4953);
  if (o.noise === 'kinect') {
    depth = applyKinectNoise(depthGroundTruth, r.normals, K, frameSeed, new Float32Array(depthGroundTruth.length));
    applyRgbNoise(rgb, frameSeed);
  }
  // A hand over the lens: the sensor sees nothing; depthGroundTruth and labels stay the room behind the hand.
  if (covered) {
    if (depth === depthGroundTruth) depth = new Float32Array(depthGroundTruth.length);
    applyCovered(rgb, depth, frameSeed);
  }
  return {
    index: i,
    timestamp: i / o.fps,
    width: K.width,
    height: K.height,
    rgb,
    depth,
    intrinsics: K,
    groundTruthPose: Float64Array.from(pose),
    labels40: r.labels40.slice(),
    depthGroundTruth,
  };
}

export function createSyntheticSequence(options: Partial<SyntheticSequenceOptions> = {}): SyntheticSequence {
  const o: SyntheticSequenceOptions = { ...DEFAULT_SYNTHETIC_SEQUENCE, ...options };
  if (!(Number.isInteger(o.frames) && o.frames > 0)) throw new Error(`frames must be a positive integer, got ${o.frames}`);
  const K = kinectIntrinsics(o.width, o.height);
  const room = generateRoom(o.seed);
  const sweep = sampleTrajectory(room, o.seed, o.frames, o.fps, { loopWaypoints: o.loop ? LOOP_WAYPOINTS : 0 });
  const close = insertClosePasses(room, sweep, o.closePasses, o.fps);
  const poses = close.poses;
  const events = [...close.events, ...coveredIntervals(o.frames, o.covered, o.fps, close.events)].sort((a, b) => a.start - b.start);
  let renderer: Renderer | null = null;
  const read = async (i: number): Promise<Frame> => {
    if (!(Number.isInteger(i) && i >= 0 && i < o.frames)) throw new RangeError(`frame ${i} is outside 0..${o.frames - 1}`);
    renderer ??= new Renderer(o.width, o.height);
    return renderFrame(renderer, room, poses[i], K, o, i, eventAt(events, i)?.kind === 'covered');
  };
  return {
    room,
    poses,
    events,
    info: {
      format: 'synthetic',
      path: formatSynthSpec(o),
      frames: o.frames,
      width: o.width,
      height: o.height,
      intrinsics: K,
      hasGroundTruth: true,
      hasLabels: true,
    },
    read,
    async *frames(opts = {}) {
      const start = opts.start ?? 0, stride = opts.stride ?? 1;
      const max = opts.maxFrames ?? Infinity;
      let n = 0;
      for (let i = start; i < o.frames && n < max; i += stride, n++) yield await read(i);
    },
  };
}

/** `synth:seed=3,frames=300,size=640x480,noise=kinect` — how a synthetic sequence is named on the command line. */
export function formatSynthSpec(o: SyntheticSequenceOptions): string {
  const hard = (o.loop ? ',loop=1' : '') + (o.closePasses > 0 ? `,close=${o.closePasses}` : '') + (o.covered > 0 ? `,covered=${o.covered}` : '');
  return `synth:seed=${o.seed},frames=${o.frames},size=${o.width}x${o.height},noise=${o.noise}${hard}`;
}

export function isSynthSpec(path: string): boolean {
  return path.startsWith('synth:') || path === 'synth';
}

/**
 * Parses a `synth:key=value,...` spec (keys: seed, frames, size, noise, fps, and the hard cases loop=0|1,
 * close=N close-range passes, covered=N covered-camera seconds); unknown keys are errors.
 */
export function parseSynthSpec(spec: string): SyntheticSequenceOptions {
  if (!isSynthSpec(spec)) throw new InputError(spec, 'not a synthetic sequence spec (expected synth:seed=N,...)');
  const body = spec === 'synth' ? '' : spec.slice('synth:'.length);
  let o: SyntheticSequenceOptions = { ...DEFAULT_SYNTHETIC_SEQUENCE };
  for (const part of body.split(',').filter((p) => p.length > 0)) {
    const [key, value] = part.split('=');
    const int = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new InputError(spec, `${key} must be a non-negative integer, got "${value}"`);
      return n;
    };
    switch (key) {
      case 'seed': o = { ...o, seed: int() }; break;
      case 'frames': o = { ...o, frames: Math.max(1, int()) }; break;
      case 'fps': o = { ...o, fps: Math.max(1, int()) }; break;
      case 'loop': o = { ...o, loop: int() > 0 }; break;
      case 'close': o = { ...o, closePasses: int() }; break;
      case 'covered': o = { ...o, covered: int() }; break;
      case 'size': {
        const m = /^(\d+)x(\d+)$/.exec(value ?? '');
        if (!m) throw new InputError(spec, `size must look like 640x480, got "${value}"`);
        o = { ...o, width: Number(m[1]), height: Number(m[2]) };
        break;
      }
      case 'noise':
        if (value !== 'kinect' && value !== 'none') throw new InputError(spec, `noise must be kinect or none, got "${value}"`);
        o = { ...o, noise: value };
        break;
      default:
        throw new InputError(spec, `unknown key "${key}" (known: seed, frames, size, noise, fps, loop, close, covered)`);
    }
  }
  return o;
}
