/**
 * Per-pixel uncertainty of a network's depth (rgb mode: the depth is predicted from colour, not measured).
 *
 * A monocular depth network errs by tens of centimetres, more with distance (a relative error is a scale error,
 * and the absolute error of a scale error grows with depth; regression towards the mean room depth makes far
 * pixels worse still), and most at depth edges, where the upsampled output blends foreground and background
 * into "flying" pixels between the two, and where the network is unsure what it sees (label boundaries,
 * confused regions). The model is derived from the network's own output, so it works for any network:
 *
 *   σ(p) = max(σ_floor, k·d²) · (1 + g_edge·e(p)) · (1 + g_label·(1 − p_max(p)))
 *
 * d the predicted depth, e(p) the relative depth step (max − min) / d over the (2r+1)² neighbourhood, p_max the
 * largest class probability (low across label boundaries and in regions the network cannot name). Fusion then
 * averages with weights that fall with σ (fusionWeight), gates data association and free-space tests by σ,
 * and treats pixels whose σ exceeds a limit as missing (mostly edge pixels, which would smear the map).
 */

export interface DepthUncertaintyOptions {
  /** k in σ = k·d² (metres per square metre): the error of a smooth, confidently labelled pixel. */
  sigmaPerSquareMetre: number;
  /** Lower bound of σ (m): near pixels are never trusted more than this. */
  sigmaFloor: number;
  /** Growth of σ per unit relative depth step across the neighbourhood (e = (max − min) / d). */
  edgeGain: number;
  /** Neighbourhood radius (pixels) of the depth-step measure. */
  edgeRadius: number;
  /** Growth of σ with the label uncertainty 1 − p_max (0 = labels ignored). */
  labelGain: number;
}

/**
 * Defaults measured on generated rooms at 320×240 against their exact depth (see fusion/README.md, rgb mode):
 * the errors of interior pixels grow roughly as d², edge pixels' are several times larger.
 */
export const DEFAULT_DEPTH_UNCERTAINTY: Readonly<DepthUncertaintyOptions> = Object.freeze({
  sigmaPerSquareMetre: 0.04, sigmaFloor: 0.02, edgeGain: 4, edgeRadius: 1, labelGain: 1,
});

/**
 * Writes σ (metres) for every pixel of `depth` (row-major, metres, 0 = missing → σ 0) into `out`.
 * `probs` (pixel-major, `classes` per pixel) is optional; without it the label factor is 1.
 * Allocation-free; O(pixels · (2r+1)) with a separable min/max.
 */
export function depthUncertainty(
  depth: Float32Array, width: number, height: number, probs: Float32Array | null, classes: number,
  o: DepthUncertaintyOptions, out: Float32Array, scratchMin: Float32Array, scratchMax: Float32Array,
): Float32Array {
  const n = width * height;
  if (depth.length < n || out.length < n || scratchMin.length < n || scratchMax.length < n) {
    throw new RangeError('depthUncertainty: buffers smaller than width·height');
  }
  const r = Math.max(0, o.edgeRadius | 0);
  // Horizontal pass: min / max of valid depths in each row window (missing pixels are skipped, so the edge of
  // a hole is not an edge of the surface).
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let lo = Infinity, hi = 0;
      const x0 = x - r < 0 ? 0 : x - r, x1 = x + r >= width ? width - 1 : x + r;
      for (let k = x0; k <= x1; k++) {
        const d = depth[row + k];
        if (d > 0) { if (d < lo) lo = d; if (d > hi) hi = d; }
      }
      scratchMin[row + x] = lo; scratchMax[row + x] = hi;
    }
  }
  const kd = o.sigmaPerSquareMetre, floor = o.sigmaFloor, ge = o.edgeGain, gl = o.labelGain;
  for (let y = 0; y < height; y++) {
    const y0 = y - r < 0 ? 0 : y - r, y1 = y + r >= height ? height - 1 : y + r;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const d = depth[i];
      if (!(d > 0)) { out[i] = 0; continue; }
      let lo = Infinity, hi = 0;
      for (let k = y0; k <= y1; k++) {
        const j = k * width + x;
        if (scratchMin[j] < lo) lo = scratchMin[j];
        if (scratchMax[j] > hi) hi = scratchMax[j];
      }
      const e = (hi - lo) / d;
      const base = kd * d * d;
      let s = (base > floor ? base : floor) * (1 + ge * e);
      if (probs && gl > 0) {
        let pmax = 0;
        for (let c = 0, b = i * classes; c < classes; c++) if (probs[b + c] > pmax) pmax = probs[b + c];
        s *= 1 + gl * (1 - pmax);
      }
      out[i] = s;
    }
  }
  return out;
}

/**
 * Weight of a measurement with uncertainty σ in a surfel's running average, relative to a reference σ₀:
 * 1 / (1 + (σ/σ₀)²). It is the inverse-variance weight σ₀²/(σ₀² + σ²) of a measurement against a prior of
 * variance σ₀², so it is ~1 for σ ≪ σ₀, 1/2 at σ = σ₀ and falls as 1/σ² beyond; never 0, so every fused
 * observation still moves a surfel a little and counts towards its confidence.
 */
export function fusionWeight(sigma: number, sigmaRef: number): number {
  const t = sigma / sigmaRef;
  return 1 / (1 + t * t);
}

/**
 * Pixels whose σ exceeds `maxSigma` become missing depth (in place): they would be fused as flying surfels
 * between foreground and background and drag tracking towards them. Returns how many were removed.
 */
export function dropUncertainDepth(depth: Float32Array, sigma: Float32Array, maxSigma: number): number {
  let dropped = 0;
  for (let i = 0; i < depth.length; i++) {
    if (depth[i] > 0 && sigma[i] > maxSigma) { depth[i] = 0; dropped++; }
  }
  return dropped;
}

/**
 * Scale of a predicted depth image relative to the map: the median of model depth / predicted depth over pixels
 * where both exist (every `stride`-th pixel), or NaN with fewer than `minSamples` of them. A monocular network's
 * depth is right up to a scale that wanders from frame to frame (measured: the median ratio to the true depth
 * drifted 0.86 → 1.32 over 120 frames of one room); tracked and fused unscaled, each frame's scale error reads as
 * camera motion along the view axis (5 % at 2 m = 10 cm) and smears the map in depth. The map, anchored at the
 * first frame's scale, is the reference. `scratch` holds the ratios (length ≥ pixels / stride); sorted in place.
 */
export function depthScaleToModel(
  predicted: Float32Array, model: Float32Array, stride: number, minSamples: number, scratch: Float32Array,
): number {
  let m = 0;
  for (let i = 0; i < predicted.length && m < scratch.length; i += stride) {
    const d = predicted[i], z = model[i];
    if (d > 0 && z > 0) scratch[m++] = z / d;
  }
  if (m < minSamples) return NaN;
  const s = scratch.subarray(0, m);
  s.sort();
  return m % 2 ? s[(m - 1) >> 1] : 0.5 * (s[m / 2 - 1] + s[m / 2]);
}
