/** A box room seen by a depth camera and, from beside it, by a Kinect-like colour camera (for registration tests). */
import type { Intrinsics } from '../../../fusion/camera.js';
import type { Mat4 } from '../../../fusion/pose.js';
import type { ColourCamera } from '../../../main/sources/colourRegistration.js';
import { DEFAULT_BOX_SCENE, renderBoxScene } from '../../fusion/helpers/box-scene.js';

export const DEPTH_K: Intrinsics = { width: 160, height: 120, fx: 146.25, fy: 146.25, cx: 80, cy: 60 };
/** A Kinect-like colour camera: 10 % shorter focal, its centre off, 3 cm to the side. */
export const COLOUR: ColourCamera = { fx: 131, fy: 131, cx: 78, cy: 58.5, tx: -0.03, ty: 0.005, tz: 0, source: 'test' };

/** The colour camera's pose for a depth-camera pose: X_colour = X_depth + t, so its centre is at −t in the depth frame. */
export function colourPose(T_world_depth: Mat4, c: ColourCamera): Mat4 {
  const m = Float64Array.from(T_world_depth);
  for (let a = 0; a < 3; a++) m[12 + a] -= m[a] * c.tx + m[4 + a] * c.ty + m[8 + a] * c.tz;
  return m;
}

export function colourImage(T_world_depth: Mat4, c: ColourCamera): Uint8Array {
  return renderBoxScene(DEFAULT_BOX_SCENE, colourPose(T_world_depth, c), { ...DEPTH_K, fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy }).rgb;
}

/** Mean |Δ| per channel over pixels at least `margin` from the border. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array, w: number, h: number, margin = 8): number {
  let s = 0, n = 0;
  for (let v = margin; v < h - margin; v++) {
    for (let u = margin; u < w - margin; u++) {
      for (let c = 0; c < 3; c++) { s += Math.abs(a[3 * (v * w + u) + c] - b[3 * (v * w + u) + c]); n++; }
    }
  }
  return s / n;
}

