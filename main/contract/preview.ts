/**
 * Preview images for the input panels, made by the backend before they cross the boundary:
 * depth colour-mapped (turbo), segmentation blended over RGB with the 13-class palette, and
 * nearest-neighbour downsampling so previews stay small. Pure TypeScript, output-first.
 */

export const DEFAULT_PREVIEW_OPTIONS = {
  /** Widest preview sent to the renderer, pixels. */
  maxWidth: 320,
  /** Depth mapped to the top of the colour map, metres. */
  maxDepth: 6,
  /** Weight of the class colour over the RGB image. */
  overlayAlpha: 0.55,
};

/** Google's Turbo colour map, 9 control points (R,G,B 0..1) interpolated linearly: good enough for a preview. */
const TURBO = [
  [0.19, 0.07, 0.23], [0.27, 0.39, 0.86], [0.16, 0.69, 0.98], [0.1, 0.91, 0.65], [0.46, 0.99, 0.33],
  [0.84, 0.91, 0.2], [0.99, 0.64, 0.14], [0.89, 0.29, 0.04], [0.48, 0.02, 0.01],
];

/** Colour-maps depth in metres (0 = missing → black) into row-major RGB `out` (width·height·3). */
export function colorMapDepth(depth: Float32Array, maxDepth: number, out: Uint8Array): Uint8Array {
  const n = depth.length;
  const last = TURBO.length - 1;
  for (let i = 0; i < n; i++) {
    const d = depth[i];
    if (!(d > 0)) {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = 0;
      continue;
    }
    const t = Math.min(d / maxDepth, 1) * last;
    const k = Math.min(Math.floor(t), last - 1);
    const f = t - k;
    const a = TURBO[k];
    const b = TURBO[k + 1];
    out[3 * i] = Math.round(255 * (a[0] + (b[0] - a[0]) * f));
    out[3 * i + 1] = Math.round(255 * (a[1] + (b[1] - a[1]) * f));
    out[3 * i + 2] = Math.round(255 * (a[2] + (b[2] - a[2]) * f));
  }
  return out;
}

/**
 * Blends class colours over RGB: labels are 13-class ids (0 = unlabelled keeps the RGB pixel),
 * palette is PALETTE13 (fusion/classes.ts) or any RGB table indexed by label.
 */
export function overlaySegmentation(rgb: Uint8Array, labels: Uint8Array, palette: Uint8Array, alpha: number, out: Uint8Array): Uint8Array {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    for (let c = 0; c < 3; c++) {
      const v = rgb[3 * i + c];
      out[3 * i + c] = l === 0 || 3 * l + c >= palette.length ? v : Math.round(v * (1 - alpha) + palette[3 * l + c] * alpha);
    }
  }
  return out;
}

/** Nearest-neighbour resize of an interleaved image with `channels` bytes per pixel. */
export function downsample(src: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const sy = Math.min(height - 1, Math.floor(((y + 0.5) * height) / outHeight));
    for (let x = 0; x < outWidth; x++) {
      const sx = Math.min(width - 1, Math.floor(((x + 0.5) * width) / outWidth));
      const s = (sy * width + sx) * channels;
      const d = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[d + c] = src[s + c];
    }
  }
  return out;
}

/** Preview size for an image: at most maxWidth wide, aspect kept. */
export function previewSize(width: number, height: number, maxWidth: number): { width: number; height: number } {
  if (width <= maxWidth) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}
