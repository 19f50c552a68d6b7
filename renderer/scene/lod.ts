/**
 * Level of detail while the view moves: a map too big to redraw at interactive rates is drawn as every k-th
 * surfel (slots are in the order surfels were created, so a stride is an even spatial subsample), with
 * splats enlarged by √k to keep the surfaces closed. WebGL caps attribute strides at 255 bytes: the
 * 16-byte geometry attribute (position, radius) allows k ≤ 15.
 */
export const MAX_LOD_STRIDE = 15;

/** Stride that keeps at most `budget` surfels drawn (budget ≤ 0: draw all). */
export function lodStride(count: number, budget: number): number {
  if (!(budget > 0) || count <= budget) return 1;
  return Math.min(MAX_LOD_STRIDE, Math.ceil(count / budget));
}

/** Instances drawn at a stride: slots 0, k, 2k, … below count. */
export function lodInstances(count: number, stride: number): number {
  return count <= 0 ? 0 : Math.ceil(count / stride);
}
