/**
 * Kinect-v1-like depth sensor model applied to a copy of exact depth: structured-light disparity
 * with sub-pixel quantisation (so depth noise grows ~quadratically with distance), a little lateral
 * jitter, IR-projector shadows beside foreground edges, dropouts at depth discontinuities and grazing
 * angles, range limits and random dropouts. Deterministic: the same seed gives the same noise.
 */
import type { Intrinsics } from '../../fusion/camera.js';
import { hash32 } from './random.js';

export interface KinectNoiseOptions {
  /** Projector–camera baseline, metres. */
  readonly baseline: number;
  /**
   * Focal length of the IR camera at 640 px width. Disparity is measured in the 640×480 sensor's pixels whatever
   * the rendered size: a smaller render stands for a downscaled Kinect stream (as `--size` makes of real data), so
   * its depth noise and quantisation are the sensor's, not twice as coarse.
   */
  readonly focal640: number;
  /** Disparity quantisation step, sensor pixels (Kinect v1: 1/8). */
  readonly subpixel: number;
  /** Gaussian disparity noise, pixels (0.06 px ≈ 1.5 mm at 1 m with f = 580, b = 7.5 cm). */
  readonly disparitySigma: number;
  /** Standard deviation of the lateral sampling jitter, pixels. */
  readonly lateralSigma: number;
  readonly minDepth: number;
  readonly maxDepth: number;
  /** Relative depth jump between neighbours that counts as a discontinuity. */
  readonly edgeJump: number;
  /** Probability of losing a pixel next to a discontinuity. */
  readonly edgeDropout: number;
  /** Incidence angles (degrees) between which dropout ramps from 0 to 1. */
  readonly grazingStart: number;
  readonly grazingEnd: number;
  /** Probability of losing any pixel. */
  readonly randomDropout: number;
  /** Model the IR projector's shadow beside foreground edges. */
  readonly projectorShadow: boolean;
}

export const DEFAULT_KINECT_NOISE: KinectNoiseOptions = {
  baseline: 0.075,
  focal640: 580,
  subpixel: 1 / 8,
  disparitySigma: 0.06,
  lateralSigma: 0.35,
  minDepth: 0.4,
  maxDepth: 4.5,
  edgeJump: 0.04,
  edgeDropout: 0.6,
  grazingStart: 72,
  grazingEnd: 86,
  randomDropout: 0.003,
  projectorShadow: true,
};

/** 64 Ki standard normals, fixed: per-pixel noise indexes it through a per-frame hash (cheaper than hashing every draw). */
const GAUSS_TABLE = new Float32Array(65536);
for (let i = 0; i < 65536; i++) {
  const u = (hash32(i * 2 + 1) + 0.5) / 4294967296, v = hash32(i * 2 + 2) / 4294967296;
  GAUSS_TABLE[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
const UNIFORM_TABLE = new Float32Array(65536);
for (let i = 0; i < 65536; i++) UNIFORM_TABLE[i] = hash32(i + 0x3c6ef372) / 4294967296;

/**
 * Writes sensor depth into `out` (metres, 0 = no reading) from exact depth and camera-frame normals.
 * `scratch` (Float32Array of W) may be passed to keep the call allocation-free.
 */
export function applyKinectNoise(
  depth: Float32Array, normals: Float32Array, K: Intrinsics, seed: number, out: Float32Array,
  options: Partial<KinectNoiseOptions> = {},
): Float32Array {
  const o = { ...DEFAULT_KINECT_NOISE, ...options };
  const W = K.width, H = K.height;
  if (depth.length !== W * H || out.length !== W * H) throw new Error('depth buffers do not match the intrinsics');
  const fb = o.focal640 * o.baseline;
  // Projector shadows are found in image pixels: the same disparity in this image's pixel units.
  const fbImage = fb * (W / 640);
  const q = 1 / o.subpixel;
  const cosStart = Math.cos((o.grazingStart * Math.PI) / 180), cosEnd = Math.cos((o.grazingEnd * Math.PI) / 180);
  const base = hash32(seed ^ 0x4b494e45);
  const lateral = o.lateralSigma;
  for (let y = 0, i = 0; y < H; y++) {
    const ry = (y - K.cy) / K.fy;
    // Projector shadow: scanning right to left, a pixel whose projector coordinate x - fb/z is not
    // left of everything to its right cannot be lit by the projector (it sits behind a nearer edge).
    let minP = Infinity;
    for (let x = W - 1; x >= 0; x--) {
      const z = depth[y * W + x];
      out[y * W + x] = z;
      if (!(z > 0) || !o.projectorShadow) continue;
      const p = x - fbImage / z;
      if (p > minP + 0.02) out[y * W + x] = -1;
      else minP = p;
    }
    // Per-row random walks through the fixed tables: offsets and odd strides from the frame seed.
    const ha = hash32(base + y * 0x9e3779b1), hb = hash32(ha ^ 0x85ebca6b), hc = hash32(hb + 0x27d4eb2f);
    let kGauss = ha >>> 16, kU1 = ha & 0xffff, kU2 = hb >>> 16, kLx = hb & 0xffff, kLy = hc >>> 16;
    const sGauss = (hc & 0xfffe) | 1, sU1 = ((hc >>> 3) & 0xfffe) | 1, sU2 = ((ha >>> 5) & 0xfffe) | 1, sL = ((hb >>> 7) & 0xfffe) | 1;
    for (let x = 0; x < W; x++, i++) {
      kGauss = (kGauss + sGauss) & 0xffff; kU1 = (kU1 + sU1) & 0xffff; kU2 = (kU2 + sU2) & 0xffff;
      kLx = (kLx + sL) & 0xffff; kLy = (kLy + sGauss) & 0xffff;
      let z = depth[i];
      if (!(z > 0) || out[i] < 0) { out[i] = 0; continue; }
      // Lateral jitter: read the exact depth a fraction of a pixel away (blocky, jagged edges).
      if (lateral > 0) {
        const sx = x + Math.round(GAUSS_TABLE[kLx] * lateral), sy = y + Math.round(GAUSS_TABLE[kLy] * lateral);
        if ((sx !== x || sy !== y) && sx >= 0 && sx < W && sy >= 0 && sy < H) {
          const zs = depth[sy * W + sx];
          if (zs > 0) z = zs;
        }
      }
      const u1 = UNIFORM_TABLE[kU1];
      if (z < o.minDepth || z > o.maxDepth || u1 < o.randomDropout) { out[i] = 0; continue; }
      // Discontinuity: the largest relative jump to a 4-neighbour.
      const zl = x > 0 ? depth[i - 1] : z, zr = x < W - 1 ? depth[i + 1] : z;
      const zu = y > 0 ? depth[i - W] : z, zd = y < H - 1 ? depth[i + W] : z;
      const jump = Math.max(Math.abs(zl - z), Math.abs(zr - z), Math.abs(zu - z), Math.abs(zd - z));
      const u2 = UNIFORM_TABLE[kU2];
      if (jump > o.edgeJump * z && u2 < o.edgeDropout) { out[i] = 0; continue; }
      // Grazing incidence: cosine between the surface normal and the viewing ray.
      const rx = (x - K.cx) / K.fx;
      const nx = normals[i * 3], ny = normals[i * 3 + 1], nz = normals[i * 3 + 2];
      const c = -(nx * rx + ny * ry + nz) / Math.sqrt(rx * rx + ry * ry + 1);
      if (c < cosStart) {
        const pDrop = c <= cosEnd ? 1 : (cosStart - c) / (cosStart - cosEnd);
        if (UNIFORM_TABLE[(kU2 + 0x5555) & 0xffff] < pDrop) { out[i] = 0; continue; }
      }
      // Disparity with Gaussian noise, quantised to the sub-pixel step.
      const d = Math.round((fb / z + GAUSS_TABLE[kGauss] * o.disparitySigma) * q) / q;
      out[i] = d > 0 ? fb / d : 0;
    }
  }
  return out;
}

/** Adds mild sensor noise to an RGB image in place (σ in grey levels), deterministic in seed. */
export function applyRgbNoise(rgb: Uint8Array, seed: number, sigma = 2): Uint8Array {
  const base = hash32(seed ^ 0x52474221);
  const row = 4096;
  for (let start = 0; start < rgb.length; start += row) {
    // Each block of samples reads the table from a hashed offset with a hashed odd stride.
    const h = hash32(base + start);
    const off = h >>> 16, stride = (h & 0xfffe) | 1;
    const end = Math.min(rgb.length, start + row);
    for (let i = start, k = off; i < end; i++, k = (k + stride) & 0xffff) {
      const v = rgb[i] + GAUSS_TABLE[k] * sigma + 0.5;
      rgb[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return rgb;
}
