import type { Intrinsics } from '../../fusion/camera.js';

/**
 * Calibration of the NYU Depth v2 Kinect (toolbox camera_params.m) and its raw depth encoding.
 * Distortion follows the Brown–Conrady model as OpenCV writes it: (k1, k2, p1, p2, k3).
 */
export interface BrownConradyDistortion {
  readonly k1: number;
  readonly k2: number;
  readonly p1: number;
  readonly p2: number;
  readonly k3: number;
}

export const NYU_RGB_INTRINSICS: Intrinsics = {
  width: 640, height: 480,
  fx: 5.1885790117450188e+02, fy: 5.1946961112127485e+02,
  cx: 3.2558244941119034e+02, cy: 2.5373616633400465e+02,
};

export const NYU_DEPTH_INTRINSICS: Intrinsics = {
  width: 640, height: 480,
  fx: 5.8262448167737955e+02, fy: 5.8269103270988637e+02,
  cx: 3.1304475870804731e+02, cy: 2.3844389626620386e+02,
};

export const NYU_RGB_DISTORTION: BrownConradyDistortion = {
  k1: 2.0796615318809061e-01, k2: -5.8613825163911781e-01,
  p1: 7.2231363135888329e-04, p2: 1.0479627195765181e-03, k3: 4.9856986684705107e-01,
};

export const NYU_DEPTH_DISTORTION: BrownConradyDistortion = {
  k1: -9.9897236553084481e-02, k2: 3.9065324602765344e-01,
  p1: 1.9290592870229277e-03, p2: -1.9422022475975055e-03, k3: -5.1031725053400578e-01,
};

/**
 * The toolbox lists this 3×3 in row order and then writes `R = -[...]; R = inv(reshape(R,3,3)')`.
 * The leading minus flips every point through the origin, which projection by x/z and y/z ignores for
 * the rotation but NOT for the translation added afterwards; that is the confusing sign.
 * We follow the toolbox literally, computed sign-free: p_rgb ≅ inv(A) · p_depth − t, with A the row-order
 * matrix below and t = NYU_TRANSLATION. test/sources/nyuRegistration.test.ts measures on the real pair
 * that this lines depth edges up with colour edges and that dropping the minus (… + t) does not.
 */
export const NYU_ROTATION_ROWS: readonly number[] = [
  9.9997798940829263e-01, 5.0518419386157446e-03, 4.3011152014118693e-03,
  -5.0359919480810989e-03, 9.9998051861143999e-01, -3.6879781309514218e-03,
  -4.3196624923060242e-03, 3.6662365748484798e-03, 9.9998394948385538e-01,
];

/** Depth→RGB translation in metres, in the toolbox's (t_x, t_z, t_y) order as it builds T. */
export const NYU_TRANSLATION: readonly [number, number, number] = [2.5031875059141302e-02, -2.9342312935846411e-04, 6.6238747008330102e-04];

/** raw → metres: DEPTH_PARAM_1 / (DEPTH_PARAM_2 - raw). */
export const NYU_DEPTH_PARAM_1 = 351.3;
export const NYU_DEPTH_PARAM_2 = 1092.5;
export const NYU_MAX_DEPTH_M = 10;
/** Raw values below this are not a reading (the Kinect's near limit). */
export const NYU_MIN_VALID_RAW = 600;
/** The Kinect's "no reading" code. */
export const NYU_NO_READING_RAW = 2047;

/** Metres for one raw disparity value; 0 for the invalid codes (the image-maximum rule is the caller's). */
export function nyuRawToMetres(raw: number): number {
  if (raw < NYU_MIN_VALID_RAW || raw >= NYU_NO_READING_RAW) return 0;
  const d = NYU_DEPTH_PARAM_1 / (NYU_DEPTH_PARAM_2 - raw);
  if (!(d > 0)) return NYU_MAX_DEPTH_M; // raw ≥ 1092.5: beyond infinity, the toolbox clamps to the maximum
  return d > NYU_MAX_DEPTH_M ? NYU_MAX_DEPTH_M : d;
}

/** Largest raw value that still decodes below the 10 m clamp. */
export const NYU_MAX_WRITABLE_RAW = Math.floor(NYU_DEPTH_PARAM_2 - NYU_DEPTH_PARAM_1 / NYU_MAX_DEPTH_M);

/**
 * Inverse of nyuRawToMetres, quantised: the raw value whose decoded depth is nearest in disparity.
 * Depth the Kinect cannot report (0, or nearer than raw 600 ≈ 0.713 m) becomes the no-reading code 2047;
 * depth beyond 10 m saturates at the last raw value below the clamp.
 */
export function nyuMetresToRaw(metres: number): number {
  if (!(metres > 0)) return NYU_NO_READING_RAW;
  const raw = Math.round(NYU_DEPTH_PARAM_2 - NYU_DEPTH_PARAM_1 / metres);
  if (raw < NYU_MIN_VALID_RAW) return NYU_NO_READING_RAW;
  return raw > NYU_MAX_WRITABLE_RAW ? NYU_MAX_WRITABLE_RAW : raw;
}

/** Lookup table raw → metres for all 16-bit codes (allocation-free per-pixel conversion). */
export function buildNyuRawToMetresTable(): Float32Array {
  const table = new Float32Array(65536);
  for (let raw = 0; raw < 65536; raw++) table[raw] = nyuRawToMetres(raw);
  return table;
}
