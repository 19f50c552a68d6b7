/**
 * Contact sheet of frames: one row per frame with RGB, sensor depth, exact depth (when present) and
 * 40-class labels (PALETTE40) side by side. Depth is colour-mapped (turbo, 0..maxDepth m; black = missing).
 */
import { PALETTE40 } from '../../fusion/classes.js';
import type { Raster8 } from '../io/image.js';
import type { Frame } from '../sources/frame.js';

export interface PreviewOptions {
  /** Depth shown at the top of the colour map, metres. */
  readonly maxDepth: number;
}

export const DEFAULT_PREVIEW: PreviewOptions = { maxDepth: 5 };

/** Turbo colour map (Mikhailov's polynomial fit), t in 0..1 → sRGB bytes. */
export function turbo(t: number, out: Uint8Array, at: number): void {
  t = Math.max(0, Math.min(1, t));
  const r = 0.13572138 + t * (4.6153926 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
  const g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
  const b = 0.1066733 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
  out[at] = Math.max(0, Math.min(255, Math.round(r * 255)));
  out[at + 1] = Math.max(0, Math.min(255, Math.round(g * 255)));
  out[at + 2] = Math.max(0, Math.min(255, Math.round(b * 255)));
}

export function composePreview(frames: readonly Frame[], options: Partial<PreviewOptions> = {}): Raster8 {
  const o = { ...DEFAULT_PREVIEW, ...options };
  if (frames.length === 0) throw new Error('no frames to preview');
  const W = frames[0].width, H = frames[0].height;
  const withGt = frames.some((f) => f.depthGroundTruth);
  const cols = withGt ? 4 : 3;
  const gap = 4;
  const outW = cols * W + (cols - 1) * gap, outH = frames.length * H + (frames.length - 1) * gap;
  const img = new Uint8Array(outW * outH * 3).fill(255);
  frames.forEach((f, row) => {
    if (f.width !== W || f.height !== H) throw new Error(`frame ${f.index} is ${f.width}x${f.height}, expected ${W}x${H}`);
    const panels: ((i: number, dst: number) => void)[] = [
      (i, d) => { img[d] = f.rgb[i * 3]; img[d + 1] = f.rgb[i * 3 + 1]; img[d + 2] = f.rgb[i * 3 + 2]; },
      (i, d) => { const z = f.depth[i]; if (z > 0) turbo(z / o.maxDepth, img, d); else { img[d] = 0; img[d + 1] = 0; img[d + 2] = 0; } },
    ];
    if (withGt) {
      panels.push((i, d) => {
        const z = f.depthGroundTruth ? f.depthGroundTruth[i] : 0;
        if (z > 0) turbo(z / o.maxDepth, img, d); else { img[d] = 0; img[d + 1] = 0; img[d + 2] = 0; }
      });
    }
    panels.push((i, d) => {
      const k = f.labels40 ? f.labels40[i] : 255;
      if (k < 40) { img[d] = PALETTE40[k * 3]; img[d + 1] = PALETTE40[k * 3 + 1]; img[d + 2] = PALETTE40[k * 3 + 2]; }
      else { img[d] = 0; img[d + 1] = 0; img[d + 2] = 0; }
    });
    panels.forEach((paint, col) => {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          paint(y * W + x, (((row * (H + gap)) + y) * outW + col * (W + gap) + x) * 3);
        }
      }
    });
  });
  return { width: outW, height: outH, channels: 3, data: img };
}
