/**
 * Camera intrinsics for live mapping: from a calibration file the user picks, or from a field of view.
 * Pure (no DOM), so it is unit-tested in Node and bundled into the renderer.
 */
import { z } from 'zod';

export interface CameraIntrinsics {
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
}

const Pinhole = z.object({
  fx: z.number().positive(), fy: z.number().positive(), cx: z.number(), cy: z.number(),
  /** The image size the calibration was made at; when it differs from the capture size the intrinsics are scaled. */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});

/** Accepted: `{fx, fy, cx, cy, width?, height?}`, or a semslam sequence sidecar (`semslam.json`) with `intrinsics`. */
const CalibrationFile = z.union([Pinhole, z.object({ intrinsics: Pinhole })]);

export type CalibrationResult = { ok: true; intrinsics: CameraIntrinsics } | { ok: false; message: string };

/**
 * Parses a calibration file's text for images of width × height. Errors name the file and the problem in
 * plain words.
 */
export function parseCalibration(fileName: string, text: string, width: number, height: number): CalibrationResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${fileName}: not JSON (${e instanceof Error ? e.message : String(e)}); expected {"fx", "fy", "cx", "cy", "width", "height"}` };
  }
  const r = CalibrationFile.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the file';
    return { ok: false, message: `${fileName}: ${where}: ${issue?.message ?? 'invalid'}; expected {"fx", "fy", "cx", "cy", "width", "height"} in pixels` };
  }
  const k = 'intrinsics' in r.data ? r.data.intrinsics : r.data;
  const w0 = k.width ?? width;
  const h0 = k.height ?? height;
  if (Math.abs(w0 / h0 - width / height) > 0.01) {
    return { ok: false, message: `${fileName}: calibrated at ${w0}×${h0}, which has another aspect ratio than the capture size ${width}×${height}` };
  }
  // Pixel-centre-correct scaling (0-based centres): x' = (x + 0.5)·s − 0.5.
  const sx = width / w0;
  const sy = height / h0;
  return { ok: true, intrinsics: { fx: k.fx * sx, fy: k.fy * sy, cx: (k.cx + 0.5) * sx - 0.5, cy: (k.cy + 0.5) * sy - 0.5 } };
}

/** The capture sizes offered (4:3, what the network and the fusion are tuned for). */
export const CAPTURE_SIZES: readonly { readonly width: number; readonly height: number }[] = [
  { width: 320, height: 240 },
  { width: 640, height: 480 },
];

/**
 * Where to take a width × height picture from a source of another size: the largest centred crop of the
 * source with the target's aspect ratio (no distortion: intrinsics from a field of view stay right).
 */
export function centredCrop(srcWidth: number, srcHeight: number, width: number, height: number): { sx: number; sy: number; sw: number; sh: number } {
  const target = width / height;
  if (srcWidth / srcHeight > target) {
    const sw = Math.round(srcHeight * target);
    return { sx: Math.floor((srcWidth - sw) / 2), sy: 0, sw, sh: srcHeight };
  }
  const sh = Math.round(srcWidth / target);
  return { sx: 0, sy: Math.floor((srcHeight - sh) / 2), sw: srcWidth, sh };
}

/** RGBA (canvas ImageData) → RGB into `out` (width·height·3). Allocation-free. */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array, out: Uint8Array): Uint8Array {
  const n = out.length / 3;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[3 * i] = rgba[j];
    out[3 * i + 1] = rgba[j + 1];
    out[3 * i + 2] = rgba[j + 2];
  }
  return out;
}
