/**
 * Capture geometry for live mapping: the sizes offered, the centred crop, RGBA → RGB. Pure (no DOM), so it is
 * unit-tested in Node and bundled into the renderer. (Calibration files are read by the backend:
 * main/sources/liveCamera.ts calibratedIntrinsics.)
 */

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
