import type { Intrinsics } from '../../fusion/camera.js';
import type { BrownConradyDistortion } from './nyuCamera.js';
import {
  NYU_DEPTH_DISTORTION, NYU_DEPTH_INTRINSICS, NYU_MAX_DEPTH_M, NYU_RGB_DISTORTION, NYU_RGB_INTRINSICS,
  NYU_ROTATION_ROWS, NYU_TRANSLATION,
} from './nyuCamera.js';
import type { UndistortMap } from './undistort.js';
import { buildUndistortMap, undistortNearest, undistortRgb } from './undistort.js';

/**
 * How depth reaches the RGB camera:
 * - 'toolbox': the toolbox's literal `R = -inv(A')` followed by `+ t`. Projection by x/z, y/z cannot see
 *   the overall sign, so this is p_rgb ≅ inv(A)·p_depth − t, and we compute it that way (positive z).
 *   Measured on the real pair (test/sources/nyuRegistration.test.ts): depth edges land on colour edges.
 * - 'naiveSign': p_rgb = inv(A)·p_depth + t, what one gets by dropping the toolbox's minus; it leaves
 *   edges several pixels off. Kept only to measure against.
 * - 'none': undistorted depth used as if it were already in the RGB camera (the unregistered baseline).
 */
export type NyuRegistrationVariant = 'toolbox' | 'naiveSign' | 'none';

export interface NyuRegistrationOptions {
  readonly variant: NyuRegistrationVariant;
  readonly rgbIntrinsics: Intrinsics;
  readonly depthIntrinsics: Intrinsics;
  readonly rgbDistortion: BrownConradyDistortion;
  readonly depthDistortion: BrownConradyDistortion;
  readonly maxDepthM: number;
}

export const DEFAULT_NYU_REGISTRATION_OPTIONS: NyuRegistrationOptions = {
  variant: 'toolbox',
  rgbIntrinsics: NYU_RGB_INTRINSICS,
  depthIntrinsics: NYU_DEPTH_INTRINSICS,
  rgbDistortion: NYU_RGB_DISTORTION,
  depthDistortion: NYU_DEPTH_DISTORTION,
  maxDepthM: NYU_MAX_DEPTH_M,
};

function invert3(m: readonly number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det, -(b * i - c * h) / det, (b * f - c * e) / det,
    B / det, (a * i - c * g) / det, -(a * f - c * d) / det,
    C / det, -(a * h - b * g) / det, (a * e - b * d) / det,
  ];
}

/** Undistorts NYU RGB and registers NYU depth into the undistorted RGB camera. Owns its scratch buffers. */
export class NyuRegistration {
  readonly options: NyuRegistrationOptions;
  private readonly rgbMap: UndistortMap;
  private readonly depthMap: UndistortMap;
  /** Row-major 3×3 rotation and translation depth → RGB for the chosen variant. */
  readonly R_rgb_depth: Float64Array;
  readonly t_rgb_depth: Float64Array;
  private readonly depthUndistorted: Float32Array;

  constructor(options: Partial<NyuRegistrationOptions> = {}) {
    this.options = { ...DEFAULT_NYU_REGISTRATION_OPTIONS, ...options };
    const o = this.options;
    this.rgbMap = buildUndistortMap(o.rgbIntrinsics, o.rgbDistortion);
    this.depthMap = buildUndistortMap(o.depthIntrinsics, o.depthDistortion);
    this.depthUndistorted = new Float32Array(o.depthIntrinsics.width * o.depthIntrinsics.height);
    const r = invert3(NYU_ROTATION_ROWS);
    const t = [...NYU_TRANSLATION];
    if (o.variant === 'toolbox') { t[0] = -t[0]; t[1] = -t[1]; t[2] = -t[2]; }
    this.R_rgb_depth = Float64Array.from(o.variant === 'none' ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : r);
    this.t_rgb_depth = Float64Array.from(o.variant === 'none' ? [0, 0, 0] : t);
  }

  get intrinsics(): Intrinsics { return this.options.rgbIntrinsics; }

  undistortRgb(src: Uint8Array, out: Uint8Array): Uint8Array {
    return undistortRgb(this.rgbMap, src, out);
  }

  /**
   * depthMetres: distorted depth-camera image (0 = missing). out: depth in the undistorted RGB camera,
   * nearest surface wins where several depth pixels land on one RGB pixel.
   */
  registerDepth(depthMetres: Float32Array, out: Float32Array): Float32Array {
    const o = this.options;
    const dk = o.depthIntrinsics, ck = o.rgbIntrinsics;
    const und = undistortNearest(this.depthMap, depthMetres, this.depthUndistorted);
    out.fill(0);
    if (o.variant === 'none') {
      out.set(und);
      return out;
    }
    const R = this.R_rgb_depth, t = this.t_rgb_depth;
    const W = ck.width, H = ck.height;
    for (let v = 0; v < dk.height; v++) {
      const yn = (v - dk.cy) / dk.fy;
      for (let u = 0; u < dk.width; u++) {
        const z = und[v * dk.width + u];
        if (!(z > 0)) continue;
        const X = ((u - dk.cx) / dk.fx) * z, Y = yn * z;
        const Xc = R[0] * X + R[1] * Y + R[2] * z + t[0];
        const Yc = R[3] * X + R[4] * Y + R[5] * z + t[1];
        const Zc = R[6] * X + R[7] * Y + R[8] * z + t[2];
        if (!(Zc > 0)) continue;
        const uc = Math.round((ck.fx * Xc) / Zc + ck.cx);
        const vc = Math.round((ck.fy * Yc) / Zc + ck.cy);
        if (uc < 0 || vc < 0 || uc >= W || vc >= H) continue;
        const d = Zc > o.maxDepthM ? o.maxDepthM : Zc;
        const j = vc * W + uc;
        if (out[j] === 0 || d < out[j]) out[j] = d;
      }
    }
    return out;
  }
}
