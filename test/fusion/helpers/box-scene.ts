/**
 * Analytic test scene: a box room with boxes inside, ray-cast exactly (no mesh), with a smooth procedural texture
 * so the photometric term has gradients, and one 13-class label per box / wall.
 */
import type { Intrinsics } from '../../../fusion/camera.js';
import type { Mat4 } from '../../../fusion/pose.js';

export interface Box {
  readonly min: readonly [number, number, number];
  readonly max: readonly [number, number, number];
  readonly color: readonly [number, number, number];
  /** 13-class id 1..13. */
  readonly label: number;
}

export interface BoxScene {
  /** The room, seen from inside. */
  readonly room: Box;
  readonly boxes: readonly Box[];
}

export const DEFAULT_BOX_SCENE: BoxScene = {
  room: { min: [-2, -1.5, -2], max: [2, 1.2, 3], color: [200, 190, 170], label: 12 },
  boxes: [
    { min: [-1.2, 0.3, 1.2], max: [-0.4, 1.2, 2.0], color: [180, 60, 50], label: 2 },
    { min: [0.3, -0.2, 1.6], max: [1.1, 1.2, 2.4], color: [60, 150, 70], label: 5 },
    { min: [-0.3, 0.7, 0.6], max: [0.2, 1.2, 1.0], color: [70, 80, 190], label: 7 },
  ],
};

export interface RenderedFrame {
  depth: Float32Array;
  rgb: Uint8Array;
  labels: Uint8Array;
}

function texture(x: number, y: number, z: number): number {
  return 0.75 + 0.25 * Math.sin(x * 9.1 + Math.sin(z * 3.7) * 2) * Math.cos(y * 7.3 - z * 5.9) + 0.1 * Math.sin((x + y + z) * 23);
}

/** Ray-casts the scene from T_world_camera (OpenCV camera); depth is the camera-frame z. */
export function renderBoxScene(scene: BoxScene, T_world_camera: Mat4, k: Intrinsics): RenderedFrame {
  const { width: w, height: h, fx, fy, cx, cy } = k;
  const depth = new Float32Array(w * h), rgb = new Uint8Array(3 * w * h), labels = new Uint8Array(w * h);
  const m = T_world_camera;
  const o = [m[12], m[13], m[14]];
  for (let v = 0; v < h; v++) {
    for (let u = 0; u < w; u++) {
      const rx = (u - cx) / fx, ry = (v - cy) / fy;
      // World direction of the camera ray (x, y, 1): parameter t along it equals camera depth.
      const d = [m[0] * rx + m[4] * ry + m[8], m[1] * rx + m[5] * ry + m[9], m[2] * rx + m[6] * ry + m[10]];
      let best = Infinity;
      let hit: Box = scene.room;
      // Room: exit distance from inside.
      for (let a = 0; a < 3; a++) {
        if (d[a] === 0) continue;
        const t = ((d[a] > 0 ? scene.room.max[a] : scene.room.min[a]) - o[a]) / d[a];
        if (t > 0 && t < best) best = t;
      }
      for (const b of scene.boxes) {
        let t0 = -Infinity, t1 = Infinity;
        for (let a = 0; a < 3; a++) {
          if (d[a] === 0) { if (o[a] < b.min[a] || o[a] > b.max[a]) { t0 = Infinity; } continue; }
          let ta = (b.min[a] - o[a]) / d[a], tb = (b.max[a] - o[a]) / d[a];
          if (ta > tb) { const s = ta; ta = tb; tb = s; }
          if (ta > t0) t0 = ta;
          if (tb < t1) t1 = tb;
        }
        if (t0 <= t1 && t0 > 0 && t0 < best) { best = t0; hit = b; }
      }
      const i = v * w + u;
      depth[i] = best;
      const px = o[0] + best * d[0], py = o[1] + best * d[1], pz = o[2] + best * d[2];
      const s = texture(px, py, pz);
      for (let c = 0; c < 3; c++) rgb[3 * i + c] = Math.max(0, Math.min(255, Math.round(hit.color[c] * s)));
      labels[i] = hit.label;
    }
  }
  return { depth, rgb, labels };
}

/** Camera-to-world pose of a camera at `eye` looking at `target` (OpenCV axes: y down, world y is down too). */
export function lookAt(eye: readonly number[], target: readonly number[], up: readonly number[] = [0, -1, 0]): Mat4 {
  const z = [target[0] - eye[0], target[1] - eye[1], target[2] - eye[2]];
  const zn = Math.hypot(z[0], z[1], z[2]);
  for (let a = 0; a < 3; a++) z[a] /= zn;
  // x = −up × z (so that y = z × x points opposite to up).
  let x = [z[1] * up[2] - z[2] * up[1], z[2] * up[0] - z[0] * up[2], z[0] * up[1] - z[1] * up[0]];
  x = [-x[0], -x[1], -x[2]];
  const xn = Math.hypot(x[0], x[1], x[2]);
  for (let a = 0; a < 3; a++) x[a] /= xn;
  const y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
  const m = new Float64Array(16);
  m[0] = x[0]; m[1] = x[1]; m[2] = x[2];
  m[4] = y[0]; m[5] = y[1]; m[6] = y[2];
  m[8] = z[0]; m[9] = z[1]; m[10] = z[2];
  m[12] = eye[0]; m[13] = eye[1]; m[14] = eye[2]; m[15] = 1;
  return m;
}

/** Small deterministic generator for reproducible noise. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
