/**
 * The hard parts of a real scan, added to a synthetic sweep with exact ground truth:
 * - close-range passes: the camera steps up to a surface until it is nearer than the sensor's minimum range
 *   (most depth missing), holds there, and steps back;
 * - covered camera: a hand over the lens for a second (a dark image and no depth; the camera keeps moving).
 * Long trajectories that revisit their start are trajectory.ts's `loopWaypoints`.
 * Every such interval is returned as an event so tests can check that the SLAM system flags it.
 */
import { scaleIntrinsics, type Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import { hash32 } from './random.js';
import { Renderer } from './renderer.js';
import type { Room } from './room.js';

export type HardEventKind = 'close-range' | 'covered';

/** Frames [start, end) of one hard interval. */
export interface HardEvent {
  readonly kind: HardEventKind;
  readonly start: number;
  readonly end: number;
  /** close-range: frames [start, end) nearer than `distance` to the surface ahead (the hold). */
  readonly hold?: { readonly start: number; readonly end: number; readonly distance: number };
}

export interface ClosePassOptions {
  /** Distance from the surface straight ahead at the hold, metres (the Kinect sees nothing under ~0.4 m). */
  readonly distance: number;
  /** Seconds spent at that distance. */
  readonly holdSeconds: number;
  /** Peak speed of the approach and the retreat, m/s (a person stepping forward). */
  readonly peakSpeed: number;
  /** Only frames whose central view is at least this far and at most maxStart away start a pass, metres. */
  readonly minStart: number;
  readonly maxStart: number;

  /** Sensor minimum range, metres: at the hold, at least `minMissing` of the view is nearer than this. */
  readonly sensorMinRange: number;
  readonly minMissing: number;
}

export const DEFAULT_CLOSE_PASS: ClosePassOptions = {
  distance: 0.3, holdSeconds: 1, peakSpeed: 0.6, minStart: 0.6, maxStart: 1.8, sensorMinRange: 0.4, minMissing: 0.6,
};

/** Nearest surface within the central fifth of the view (the camera's path when it steps forward), metres. */
function centralClearance(depth: Float32Array, K: Intrinsics): number {
  const W = K.width, H = K.height;
  let best = Infinity;
  for (let v = Math.floor(H * 0.4); v < Math.ceil(H * 0.6); v++) {
    for (let u = Math.floor(W * 0.4); u < Math.ceil(W * 0.6); u++) {
      const d = depth[v * W + u];
      best = Math.min(best, d > 0 ? d : Infinity);
    }
  }
  return best;
}

/** `base` turned by `yaw` radians about the world's vertical axis through its eye (roll and pitch kept). */
function turned(base: Mat4, yaw: number): Mat4 {
  const p = Float64Array.from(base);
  const c = Math.cos(yaw), s = Math.sin(yaw);
  for (let col = 0; col < 3; col++) {
    const x = base[col * 4], y = base[col * 4 + 1];
    p[col * 4] = c * x - s * y;
    p[col * 4 + 1] = s * x + c * y;
  }
  return p;
}

/** `pose` moved `s` metres along `dir` (a world unit vector) and `side` metres along its own x axis. */
function moved(pose: Mat4, dir: ArrayLike<number>, s: number, side = 0): Mat4 {
  const p = Float64Array.from(pose);
  for (let c = 0; c < 3; c++) p[12 + c] += dir[c] * s + pose[c] * side;
  return p;
}

const YAW_CANDIDATES = [0, 20, -20, 40, -40, 60, -60, 90, -90].map((deg) => (deg * Math.PI) / 180);
/** Peak turn rate of a pass, rad/s (as the sweeps: 35°/s). */
const PASS_TURN_RATE = (35 * Math.PI) / 180;

/** Frames of one approach (or retreat): a cosine profile whose peak speed (π/2)·x/T stays under both limits. */
function passMoveFrames(travel: number, yaw: number, o: ClosePassOptions, fps: number): number {
  const seconds = (Math.PI / 2) * Math.max(travel / o.peakSpeed, Math.abs(yaw) / PASS_TURN_RATE);
  return Math.max(2, Math.ceil(seconds * fps));
}

/** Fraction of the view nearer than `range` (or empty), and the nearest surface anywhere in it. */
function nearFraction(depth: Float32Array, range: number): { fraction: number; nearest: number } {
  let near = 0, nearest = Infinity;
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i];
    if (!(d > 0) || d < range) near++;
    if (d > 0 && d < nearest) nearest = d;
  }
  return { fraction: near / depth.length, nearest };
}

/**
 * Inserts `count` close-range passes into a sweep, spread evenly over it; returns `poses.length` poses
 * (the sweep is cut where the passes pushed it past the end) and the passes as events.
 * Each pass: from frame a's pose, turn (≤ 90°) towards a surface and step up to it with a cosine speed profile
 * until it is `distance` away, hold (with a few millimetres of hand shake), move back, continue the sweep.
 */
export function insertClosePasses(room: Room, poses: readonly Mat4[], count: number, fps: number, options: Partial<ClosePassOptions> = {}): { poses: Mat4[]; events: HardEvent[] } {
  const o = { ...DEFAULT_CLOSE_PASS, ...options };
  const total = poses.length;
  if (count <= 0) return { poses: poses.slice(), events: [] };
  const probeK = scaleIntrinsics({ width: 640, height: 480, fx: 525, fy: 525, cx: 319.5, cy: 239.5 }, 64, 48);
  const probe = new Renderer(probeK.width, probeK.height);
  const out: Mat4[] = [];
  const events: HardEvent[] = [];
  let next = 0;
  for (let k = 0; k < count; k++) {
    // Pass k starts near output frame (k + 1)/(count + 1) of the sequence (earlier passes have added frames).
    const want = next + Math.max(0, Math.floor(((k + 1) / (count + 1)) * total) - out.length);
    let a = -1, reach = 0, distance = o.distance, yaw = 0;
    // The first frame at or after `want` from which a turn of at most ±90° and a step forward reach a surface
    // that, at the hold, fills most of the view below the sensor's range (a wall or a cupboard front, not a
    // table edge) and leaves the camera clear of everything else.
    for (let i = Math.max(want, next); i < Math.min(total, want + 20 * fps) && a < 0; i += 3) {
      for (const turn of YAW_CANDIDATES) {
        const facing = turned(poses[i], turn);
        const d = centralClearance(probe.render(room, facing, probeK).depth, probeK);
        if (!(d >= o.minStart && d <= o.maxStart)) continue;
        // From `distance` in to 0.6 of it: the farthest hold that loses most of the depth wins.
        for (let k = 0; k <= 4 && a < 0; k++) {
          const dist = o.distance * (1 - 0.1 * k);
          const hold = nearFraction(probe.render(room, moved(facing, facing.subarray(8, 11), d - dist), probeK).depth, o.sensorMinRange);
          const frames = 2 * passMoveFrames(d - dist, turn, o, fps) + Math.round(o.holdSeconds * fps);
          if (hold.fraction >= o.minMissing && hold.nearest >= 0.1 && out.length + (i - next) + frames < total) {
            a = i; reach = d; distance = dist; yaw = turn;
          }
        }
        if (a >= 0) break;
      }
    }
    if (a < 0) continue;
    while (next <= a && out.length < total) out.push(poses[next++]);
    const base = poses[a];
    const travel = reach - distance;
    const dir = turned(base, yaw).subarray(8, 11);
    const moveFrames = passMoveFrames(travel, yaw, o, fps);
    const holdFrames = Math.max(1, Math.round(o.holdSeconds * fps));
    const start = out.length;
    // Turn and step together: both follow the same cosine profile s ∈ [0, 1].
    const at = (s: number, time: number): Mat4 => moved(turned(base, s * yaw), dir, s * travel, 0.002 * Math.sin(time * 2 * Math.PI * 0.9));
    for (let f = 1; f <= moveFrames; f++) out.push(at((1 - Math.cos((Math.PI * f) / moveFrames)) / 2, f / fps));
    const holdStart = out.length;
    for (let f = 0; f < holdFrames; f++) out.push(at(1, (moveFrames + f) / fps));
    const holdEnd = out.length;
    for (let f = 1; f <= moveFrames; f++) out.push(at((1 + Math.cos((Math.PI * f) / moveFrames)) / 2, (moveFrames + holdFrames + f) / fps));
    events.push({
      kind: 'close-range', start: Math.min(start, total), end: Math.min(out.length, total),
      hold: { start: Math.min(holdStart, total), end: Math.min(holdEnd, total), distance },
    });
    next = a + 1;
    if (out.length >= total) break;
  }
  while (out.length < total && next < total) out.push(poses[next++]);
  out.length = Math.min(out.length, total);
  return { poses: out, events: events.filter((e) => e.start < e.end) };
}

/**
 * `count` one-second covered-camera intervals, placed between the close passes (at (k + ½)/count of the
 * sequence, moved past any close pass they would overlap).
 */
export function coveredIntervals(frames: number, count: number, fps: number, avoid: readonly HardEvent[] = []): HardEvent[] {
  const out: HardEvent[] = [];
  const len = Math.max(1, Math.round(fps));
  for (let k = 0; k < count; k++) {
    let start = Math.floor(((k + 0.5) / count) * frames);
    for (const e of avoid) if (start < e.end + fps && start + len > e.start - fps) start = e.end + fps;
    if (start + len > frames) continue;
    out.push({ kind: 'covered', start, end: start + len });
  }
  return out;
}

/** What a covered Kinect delivers: a near-black image (a little sensor noise) and no depth at all. */
export function applyCovered(rgb: Uint8Array, depth: Float32Array, seed: number): void {
  for (let i = 0; i < rgb.length; i++) rgb[i] = 4 + (hash32(seed ^ Math.imul(i, 0x9e3779b1)) & 7);
  depth.fill(0);
}

/** The event covering frame i, if any. */
export function eventAt(events: readonly HardEvent[], i: number): HardEvent | undefined {
  return events.find((e) => i >= e.start && i < e.end);
}
