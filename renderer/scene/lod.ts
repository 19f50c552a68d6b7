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

/**
 * Stride of the light level of detail for `budget` surfels (budget ≤ 0: all): unbounded, unlike lodStride; beyond
 * MAX_LOD_STRIDE the layer draws from a copy of every k-th surfel.
 */
export function lightStride(count: number, budget: number): number {
  if (!(budget > 0) || count <= budget) return 1;
  return Math.ceil(count / budget);
}

/** Instances drawn at a stride: slots 0, k, 2k, … below count. */
export function lodInstances(count: number, stride: number): number {
  return count <= 0 ? 0 : Math.ceil(count / stride);
}

/** Frame time the moving level of detail aims at (ms): also how long the page may wait for one moving frame. */
export const MOVING_TARGET_MS = 25;
/** Never fewer surfels than this while moving (the view must stay recognisable). */
export const MIN_MOVING_BUDGET = 20_000;

/**
 * Next moving budget from the last moving frame's time: scaled towards the target frame time, by at most ×1.5 or
 * ÷2 per frame (one slow frame must not collapse the picture), within [MIN_MOVING_BUDGET, max].
 */
export function adaptBudget(current: number, frameMs: number, max: number, targetMs = MOVING_TARGET_MS): number {
  if (!(frameMs > 0) || !(max > 0)) return max;
  const factor = Math.min(1.5, Math.max(0.5, targetMs / frameMs));
  return Math.round(Math.min(max, Math.max(Math.min(MIN_MOVING_BUDGET, max), current * factor)));
}
