/**
 * Camera motion through a synthetic room: hand-held sweeps (smooth splines through viewpoints that
 * look at furniture, time-parametrised under speed and turn-rate limits) and independent random
 * viewpoints for training sets. Poses are T_world_camera with the OpenCV camera frame
 * (x right, y down, z forward); the world is the room frame (z up, floor at z = 0).
 */
import type { Mat4 } from '../../fusion/pose.js';
import { Rng, mixSeed } from './random.js';
import { distanceToRect, distanceToWalls, roomContains, type Room } from './room.js';

export interface TrajectoryOptions {
  /** Upper bound on camera speed, m/s (the sweep stays below it). */
  readonly maxSpeed: number;
  /** Upper bound on rotation rate, degrees/s. */
  readonly maxTurnRate: number;
  /** Minimum distance from walls and furniture footprints, metres (every frame). */
  readonly minClearance: number;
  /** Clearance used when choosing waypoints (leaves room for the spline to bulge). */
  readonly waypointClearance: number;
  readonly minEyeHeight: number;
  readonly maxEyeHeight: number;
  /**
   * 0: a sweep that never returns on purpose. K ≥ 3: the sweep laps a closed tour of K waypoints again and
   * again, so it passes its start (position and view) once per lap: the revisits loop closure needs.
   */
  readonly loopWaypoints: number;
}

export const DEFAULT_TRAJECTORY_OPTIONS: TrajectoryOptions = {
  maxSpeed: 0.4,
  maxTurnRate: 35,
  minClearance: 0.3,
  waypointClearance: 0.5,
  minEyeHeight: 1.2,
  maxEyeHeight: 1.8,
  loopWaypoints: 0,
};

type V3 = [number, number, number];

/** View elevation limits of a sweep (radians): down at the furniture, never up at the ceiling. */
const MIN_PITCH = (-55 * Math.PI) / 180;
const MAX_PITCH = (8 * Math.PI) / 180;

/** Camera-to-world pose looking from eye at target, world up = +z, with a roll (radians) about the view axis. */
export function lookAt(eye: V3, target: V3, roll = 0, out: Mat4 = new Float64Array(16)): Mat4 {
  let fx = target[0] - eye[0], fy = target[1] - eye[1], fz = target[2] - eye[2];
  const fl = Math.hypot(fx, fy, fz) || 1;
  fx /= fl; fy /= fl; fz /= fl;
  // right = forward × up(0,0,1); down = forward × right.
  let rx = fy, ry = -fx;
  const rl = Math.hypot(rx, ry) || 1;
  rx /= rl; ry /= rl;
  const rz = 0;
  let dx = fy * rz - fz * ry, dy = fz * rx - fx * rz, dz = fx * ry - fy * rx;
  const c = Math.cos(roll), s = Math.sin(roll);
  const rx2 = c * rx + s * dx, ry2 = c * ry + s * dy, rz2 = c * rz + s * dz;
  dx = -s * rx + c * dx; dy = -s * ry + c * dy; dz = -s * rz + c * dz;
  out.fill(0);
  out[0] = rx2; out[1] = ry2; out[2] = rz2;
  out[4] = dx; out[5] = dy; out[6] = dz;
  out[8] = fx; out[9] = fy; out[10] = fz;
  out[12] = eye[0]; out[13] = eye[1]; out[14] = eye[2]; out[15] = 1;
  return out;
}

/** Rotation angle (radians) between the rotation parts of two poses. */
export function rotationAngle(a: Mat4, b: Mat4): number {
  let tr = 0;
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) tr += a[c * 4 + r] * b[c * 4 + r];
  return Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2)));
}

/** Clearance of a floor position from walls and obstacles (negative outside the room). */
export interface ClearanceMap {
  clearance(x: number, y: number): number;
}

/** Things the camera must keep away from: everything standing on the floor or hanging below head height. */
export function cameraObstacles(room: Room): { x0: number; y0: number; x1: number; y1: number }[] {
  return room.items
    .filter((it) => (it.kind === 'floor' || it.kind === 'wall') && it.bounds.min[2] < 2.0)
    .map((it) => ({ x0: it.bounds.min[0], y0: it.bounds.min[1], x1: it.bounds.max[0], y1: it.bounds.max[1] }));
}

export function clearanceMap(room: Room): ClearanceMap {
  const obstacles = cameraObstacles(room);
  return {
    clearance(x: number, y: number): number {
      if (!roomContains(room, x, y)) return -1;
      let d = distanceToWalls(room.walls, x, y);
      for (const r of obstacles) d = Math.min(d, distanceToRect(r, x, y));
      return d;
    },
  };
}

function freeCells(room: Room, map: ClearanceMap, clearance: number): [number, number][] {
  const out: [number, number][] = [];
  const step = 0.1;
  for (let y = step / 2; y < room.depth; y += step) {
    for (let x = step / 2; x < room.width; x += step) if (map.clearance(x, y) >= clearance) out.push([x, y]);
  }
  return out;
}

/** Points worth looking at: furniture (mostly) and wall pieces, at a height a person would aim. */
function interestPoints(room: Room): V3[] {
  const pts: V3[] = [];
  const skip = new Set(['door swing', 'ceiling light', 'curtain', 'blinds', 'radiator']);
  for (const it of room.items) {
    if (it.kind === 'mat' || it.kind === 'opening' || skip.has(it.name)) continue;
    const b = it.bounds;
    const p: V3 = [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, b.min[2] + (b.max[2] - b.min[2]) * 0.6];
    // Furniture counts twice: a hand-held sweep spends its time on furniture, not on wall decoration.
    pts.push(p);
    if (it.kind === 'floor') pts.push(p);
  }
  if (pts.length === 0) pts.push([room.width / 2, room.depth / 2, 0.5]);
  return pts;
}

function catmullRom(p0: number, p1: number, p2: number, p3: number, t: number): number {
  const t2 = t * t, t3 = t2 * t;
  return 0.5 * (2 * p1 + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t3);
}

function segmentClear(map: ClearanceMap, a: V3, b: V3, clearance: number): boolean {
  const n = Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 0.05) + 1;
  for (let k = 0; k <= n; k++) {
    const t = k / n;
    if (map.clearance(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) < clearance) return false;
  }
  return true;
}

/**
 * A hand-held sweep of `frames` poses at `fps`: smooth, under the speed and turn-rate limits, inside
 * the room and clear of walls and furniture, looking at furniture. Deterministic in (room, seed).
 */
export function sampleTrajectory(room: Room, seed: number, frames: number, fps = 30, options: Partial<TrajectoryOptions> = {}): Mat4[] {
  const o: TrajectoryOptions = { ...DEFAULT_TRAJECTORY_OPTIONS, ...options };
  const map = clearanceMap(room);
  for (let attempt = 0; attempt < 12; attempt++) {
    const rng = new Rng(mixSeed(seed, room.seed, attempt, 0x54524a));
    const wpClear = Math.max(o.minClearance + 0.05, o.waypointClearance - attempt * 0.02);
    const poses = trySweep(room, map, rng, frames, fps, o, wpClear);
    if (poses) return poses;
  }
  throw new Error(`room ${room.seed}: no trajectory found that keeps ${o.minClearance} m from walls and furniture`);
}

function trySweep(room: Room, map: ClearanceMap, rng: Rng, frames: number, fps: number, o: TrajectoryOptions, wpClear: number): Mat4[] | null {
  const cells = freeCells(room, map, wpClear);
  if (cells.length === 0) return null;
  const pois = interestPoints(room);
  const eyes: V3[] = [];
  const targets: V3[] = [];
  const jitter = () => rng.uniform(-0.04, 0.04);
  const reachable = (a: V3, b: V3): boolean => {
    const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
    return d >= 0.4 && d <= 2.0 && segmentClear(map, a, b, wpClear - 0.1);
  };
  const K = o.loopWaypoints;
  const sampleWaypoint = (): boolean => {
    const prev = eyes[eyes.length - 1];
    // The tour's last waypoint must also lead back to its first (eyes[1]; eyes[0] is the lead-in copy).
    const closing = K > 0 && eyes.length === K ? eyes[1] : undefined;
    for (let k = 0; k < (closing ? 400 : 60); k++) {
      const c = rng.pick(cells);
      const e: V3 = [c[0] + jitter(), c[1] + jitter(), rng.uniform(o.minEyeHeight + 0.05, o.maxEyeHeight - 0.05)];
      if (map.clearance(e[0], e[1]) < wpClear) continue;
      if (prev && !reachable(prev, e)) continue;
      if (closing && !reachable(e, closing)) continue;
      // Aim at something at least 0.9 m away, not straight down.
      let target: V3 | null = null;
      for (let j = 0; j < 20; j++) {
        const t = rng.pick(pois);
        const d = Math.hypot(t[0] - e[0], t[1] - e[1]);
        if (d < 0.9) continue;
        if ((e[2] - t[2]) / d > 1.0) continue;
        target = [t[0] + rng.uniform(-0.15, 0.15), t[1] + rng.uniform(-0.15, 0.15), t[2] + rng.uniform(-0.1, 0.1)];
        break;
      }
      if (!target) continue;
      // Store the view direction as (yaw, pitch): splining angles, not target points, keeps the
      // direction well defined even where the eye passes the line between two targets.
      let yaw = Math.atan2(target[1] - e[1], target[0] - e[0]);
      const prevYaw = targets.length > 0 ? targets[targets.length - 1][0] : yaw;
      while (yaw - prevYaw > Math.PI) yaw -= 2 * Math.PI;
      while (yaw - prevYaw < -Math.PI) yaw += 2 * Math.PI;
      const pitch = Math.max(MIN_PITCH, Math.min(MAX_PITCH, Math.atan2(target[2] - e[2], Math.hypot(target[0] - e[0], target[1] - e[1]))));
      eyes.push(e);
      targets.push([yaw, pitch, 0]);
      return true;
    }
    return false;
  };
  // A loop repeats its tour: waypoint j ≥ K (after the lead-in) is waypoint 1 + (j − 1) mod K, its yaw
  // unwrapped to follow on from the previous one.
  const addWaypoint = (): boolean => {
    if (K === 0 || eyes.length <= K) return sampleWaypoint();
    const src = 1 + ((eyes.length - 1) % K);
    const prevYaw = targets[targets.length - 1][0];
    let yaw = targets[src][0];
    while (yaw - prevYaw > Math.PI) yaw -= 2 * Math.PI;
    while (yaw - prevYaw < -Math.PI) yaw += 2 * Math.PI;
    eyes.push([...eyes[src]]);
    targets.push([yaw, targets[src][1], 0]);
    return true;
  };
  if (K !== 0 && !(Number.isInteger(K) && K >= 3)) throw new RangeError(`loopWaypoints must be 0 or an integer ≥ 3, got ${K}`);
  if (!addWaypoint()) return null;
  // Duplicate the first point as the spline's lead-in so motion starts exactly at waypoint 0.
  eyes.unshift(eyes[0]);
  targets.unshift(targets[0]);
  for (let k = 0; k < Math.max(3, K); k++) if (!addWaypoint()) return null;

  const eyeAt = (s: number, out: V3): V3 => spline(eyes, s, out);
  const anglesAt = (s: number, out: V3): V3 => spline(targets, s, out);
  const dt = 1 / fps;
  const vmax = o.maxSpeed * 0.92 * dt;
  const wmax = (o.maxTurnRate * Math.PI / 180) * 0.92 * dt;
  // Hand shake: slow roll and a few millimetres of wobble (phases from the seed).
  const ph = [rng.uniform(0, 6.3), rng.uniform(0, 6.3), rng.uniform(0, 6.3)];
  const rollAmp = rng.uniform(0.01, 0.04);
  const poseAt = (s: number, time: number, out: Mat4): Mat4 => {
    const e = eyeAt(s, [0, 0, 0]);
    const a = anglesAt(s, [0, 0, 0]);
    const pitch = Math.max(MIN_PITCH, Math.min(MAX_PITCH, a[1]));
    e[2] += 0.004 * Math.sin(2 * Math.PI * 0.7 * time + ph[1]);
    e[0] += 0.003 * Math.sin(2 * Math.PI * 0.45 * time + ph[2]);
    const t: V3 = [e[0] + Math.cos(pitch) * Math.cos(a[0]), e[1] + Math.cos(pitch) * Math.sin(a[0]), e[2] + Math.sin(pitch)];
    return lookAt(e, t, rollAmp * Math.sin(2 * Math.PI * 0.15 * time + ph[0]), out);
  };

  const poses: Mat4[] = [];
  let s = 1; // spline parameter: segment index between eyes[1] and eyes[2] ...
  let ds = 0.0;
  let prev = poseAt(s, 0, new Float64Array(16));
  poses.push(prev);
  const cand = new Float64Array(16);
  for (let f = 1; f < frames; f++) {
    while (s + ds + 0.5 > eyes.length - 2) if (!addWaypoint()) return null;
    const time = f * dt;
    // Largest step (at most 15% faster than the last one: smooth acceleration) within both limits.
    const ok = (step: number): boolean => {
      poseAt(s + step, time, cand);
      const move = Math.hypot(cand[12] - prev[12], cand[13] - prev[13], cand[14] - prev[14]);
      return move <= vmax && rotationAngle(prev, cand) <= wmax;
    };
    let hi = Math.max(0.004, ds * 1.15), lo = 0;
    if (ok(hi)) lo = hi;
    else for (let it = 0; it < 25; it++) { const mid = (lo + hi) / 2; if (ok(mid)) lo = mid; else hi = mid; }
    ds = lo;
    s += ds;
    const pose = poseAt(s, time, new Float64Array(16));
    if (map.clearance(pose[12], pose[13]) < o.minClearance) return null;
    poses.push(pose);
    prev = pose;
  }
  if (map.clearance(poses[0][12], poses[0][13]) < o.minClearance) return null;
  return poses;
}

function spline(pts: V3[], s: number, out: V3): V3 {
  const i = Math.min(Math.floor(s), pts.length - 2);
  const t = s - i;
  const p0 = pts[Math.max(0, i - 1)], p1 = pts[i], p2 = pts[Math.min(pts.length - 1, i + 1)], p3 = pts[Math.min(pts.length - 1, i + 2)];
  for (let c = 0; c < 3; c++) out[c] = catmullRom(p0[c], p1[c], p2[c], p3[c], t);
  return out;
}

export interface ViewOptions {
  readonly minClearance: number;
  readonly minEyeHeight: number;
  readonly maxEyeHeight: number;
  /** Maximum roll, radians. */
  readonly maxRoll: number;
}

export const DEFAULT_VIEW_OPTIONS: ViewOptions = { minClearance: 0.35, minEyeHeight: 1.0, maxEyeHeight: 1.9, maxRoll: 0.08 };

/** `count` independent plausible viewpoints (training views), deterministic in (room, seed). */
export function sampleViews(room: Room, seed: number, count: number, options: Partial<ViewOptions> = {}): Mat4[] {
  const o: ViewOptions = { ...DEFAULT_VIEW_OPTIONS, ...options };
  const map = clearanceMap(room);
  const rng = new Rng(mixSeed(seed, room.seed, 0x564957));
  let cells = freeCells(room, map, o.minClearance + 0.05);
  if (cells.length === 0) cells = freeCells(room, map, o.minClearance);
  if (cells.length === 0) throw new Error(`room ${room.seed}: no free floor for a viewpoint`);
  const pois = interestPoints(room);
  const views: Mat4[] = [];
  while (views.length < count) {
    const c = rng.pick(cells);
    const e: V3 = [c[0] + rng.uniform(-0.04, 0.04), c[1] + rng.uniform(-0.04, 0.04), rng.uniform(o.minEyeHeight, o.maxEyeHeight)];
    if (map.clearance(e[0], e[1]) < o.minClearance) continue;
    let t = rng.pick(pois);
    if (Math.hypot(t[0] - e[0], t[1] - e[1]) < 0.8) continue;
    t = [t[0] + rng.uniform(-0.3, 0.3), t[1] + rng.uniform(-0.3, 0.3), t[2] + rng.uniform(-0.3, 0.2)];
    views.push(lookAt(e, t, rng.uniform(-o.maxRoll, o.maxRoll)));
  }
  return views;
}
