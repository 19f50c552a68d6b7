import { scaleIntrinsics } from '../../fusion/camera.js';
import type { Frame } from '../sources/frame.js';

/**
 * A frame at 1/factor of its size, for processing at a lower resolution: RGB box-averaged, depth as the mean of
 * the valid samples of each block (missing stays missing; averaging across a depth edge is rare at factor 2 and
 * filtered by fusion's bilateral filter), labels by the block's top-left sample (labels must not be blended).
 */
export function downscaleFrame(frame: Frame, factor: number): Frame {
  if (factor === 1) return frame;
  const W = Math.floor(frame.width / factor);
  const H = Math.floor(frame.height / factor);
  const rgb = new Uint8Array(W * H * 3);
  const depth = new Float32Array(W * H);
  const labels40 = frame.labels40 ? new Uint8Array(W * H) : undefined;
  const sw = frame.width;
  const area = factor * factor;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let r = 0, g = 0, b = 0, d = 0, nd = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * sw + x * factor;
        for (let dx = 0; dx < factor; dx++) {
          const s = row + dx;
          r += frame.rgb[3 * s]; g += frame.rgb[3 * s + 1]; b += frame.rgb[3 * s + 2];
          const z = frame.depth[s];
          if (z > 0) { d += z; nd++; }
        }
      }
      const o = y * W + x;
      rgb[3 * o] = Math.round(r / area); rgb[3 * o + 1] = Math.round(g / area); rgb[3 * o + 2] = Math.round(b / area);
      depth[o] = nd > 0 ? d / nd : 0;
      if (labels40) labels40[o] = frame.labels40![y * factor * sw + x * factor];
    }
  }
  return {
    index: frame.index, timestamp: frame.timestamp, width: W, height: H, rgb, depth,
    intrinsics: scaleIntrinsics(frame.intrinsics, W, H),
    ...(frame.groundTruthPose ? { groundTruthPose: frame.groundTruthPose } : {}),
    ...(labels40 ? { labels40 } : {}),
  };
}
