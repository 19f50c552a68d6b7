import type { Intrinsics } from '../../fusion/camera.js';
import type { BrownConradyDistortion } from './nyuCamera.js';

/**
 * Undistortion by inverse mapping: for every pixel of the ideal (undistorted) pinhole image with the
 * same intrinsics, where it lies in the distorted sensor image. Maps are built once per camera; applying
 * them is allocation-free.
 */
export interface UndistortMap {
  readonly width: number;
  readonly height: number;
  /** Interleaved (x, y) source coordinates in the distorted image, per undistorted pixel. */
  readonly sourceXY: Float32Array;
  /** Nearest source pixel index per undistorted pixel, -1 when it falls outside the image. */
  readonly nearestIndex: Int32Array;
}

export function buildUndistortMap(k: Intrinsics, dist: BrownConradyDistortion): UndistortMap {
  const { width, height } = k;
  const sourceXY = new Float32Array(width * height * 2);
  const nearestIndex = new Int32Array(width * height);
  for (let v = 0; v < height; v++) {
    const y = (v - k.cy) / k.fy;
    for (let u = 0; u < width; u++) {
      const x = (u - k.cx) / k.fx;
      const r2 = x * x + y * y;
      const radial = 1 + r2 * (dist.k1 + r2 * (dist.k2 + r2 * dist.k3));
      const xd = x * radial + 2 * dist.p1 * x * y + dist.p2 * (r2 + 2 * x * x);
      const yd = y * radial + dist.p1 * (r2 + 2 * y * y) + 2 * dist.p2 * x * y;
      const su = xd * k.fx + k.cx;
      const sv = yd * k.fy + k.cy;
      const i = v * width + u;
      sourceXY[i * 2] = su;
      sourceXY[i * 2 + 1] = sv;
      const nu = Math.round(su), nv = Math.round(sv);
      nearestIndex[i] = nu >= 0 && nu < width && nv >= 0 && nv < height ? nv * width + nu : -1;
    }
  }
  return { width, height, sourceXY, nearestIndex };
}

/** Bilinear resampling of interleaved 8-bit RGB through the map; outside → black. */
export function undistortRgb(map: UndistortMap, src: Uint8Array, out: Uint8Array): Uint8Array {
  const { width, height, sourceXY } = map;
  const n = width * height;
  for (let i = 0; i < n; i++) {
    const sx = sourceXY[i * 2], sy = sourceXY[i * 2 + 1];
    const x0 = Math.floor(sx), y0 = Math.floor(sy);
    const o = i * 3;
    if (x0 < 0 || y0 < 0 || x0 >= width - 1 || y0 >= height - 1) {
      out[o] = 0; out[o + 1] = 0; out[o + 2] = 0;
      continue;
    }
    const fx = sx - x0, fy = sy - y0;
    const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
    const p00 = (y0 * width + x0) * 3, p10 = p00 + 3, p01 = p00 + width * 3, p11 = p01 + 3;
    for (let c = 0; c < 3; c++) {
      out[o + c] = Math.round(w00 * src[p00 + c] + w10 * src[p10 + c] + w01 * src[p01 + c] + w11 * src[p11 + c]);
    }
  }
  return out;
}

/** Nearest-neighbour resampling of a single-channel float image (depth must not be blended across edges). */
export function undistortNearest(map: UndistortMap, src: Float32Array, out: Float32Array): Float32Array {
  const idx = map.nearestIndex;
  for (let i = 0; i < idx.length; i++) {
    const s = idx[i];
    out[i] = s < 0 ? 0 : src[s];
  }
  return out;
}
