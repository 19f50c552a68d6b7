/**
 * SemanticFusion's recursive Bayesian label update: every surfel visible in a frame that carries class
 * probabilities multiplies its class distribution by the probabilities of the pixel it projects to, once per
 * frame, and renormalises. If the product underflows (all classes ~0 in float32) the surfel's belief is reset to
 * the uniform prior and this frame's observation is applied to it, so a surfel never becomes stuck at all-zeros.
 * Also renders fused labels into any camera for display and evaluation.
 */
import type { Intrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import { invertRigid } from './se3.js';
import type { SurfelMap } from './surfel-map.js';
import { SlotList } from './surfel-map.js';
import { splatSurfels } from './splat.js';

export interface LabelFusionOptions {
  /** Depth agreement (m, at least; grows with the sensor noise at depth) for a surfel to count as visible. */
  visibilityDepthThreshold: number;
  /** Sum below which a product is treated as underflow. */
  underflow: number;
  maxSplatRadiusPx: number;
  minDepth: number;
  maxDepth: number;
}

export const DEFAULT_LABEL_FUSION_OPTIONS: Readonly<LabelFusionOptions> = Object.freeze({
  visibilityDepthThreshold: 0.03, underflow: 1e-30, maxSplatRadiusPx: 3, minDepth: 0.1, maxDepth: 10,
});

/**
 * Multiplies the surfel's distribution (classCount values at probs[base..]) by the pixel's (obs[ob..]), renormalises,
 * and resets to uniform-then-observation on underflow. Returns true on reset. Exported for unit tests.
 */
export function bayesUpdate(probs: Float32Array, base: number, obs: Float32Array, ob: number, classCount: number, underflow: number): boolean {
  let sum = 0;
  // Sum what float32 actually stored, so products that underflowed to 0 count as 0.
  for (let c = 0; c < classCount; c++) { probs[base + c] *= obs[ob + c]; sum += probs[base + c]; }
  if (sum > underflow && Number.isFinite(sum)) {
    const inv = 1 / sum;
    for (let c = 0; c < classCount; c++) probs[base + c] *= inv;
    return false;
  }
  // Uniform prior × observation = the normalised observation (uniform if the observation itself is all zero).
  let os = 0;
  for (let c = 0; c < classCount; c++) os += obs[ob + c];
  if (os > underflow && Number.isFinite(os)) for (let c = 0; c < classCount; c++) probs[base + c] = obs[ob + c] / os;
  else probs.fill(1 / classCount, base, base + classCount);
  return true;
}

export interface LabelUpdateResult {
  /** Surfels whose distribution was updated. */
  updated: number;
  /** Updates that underflowed and were reset. */
  resets: number;
}

export class LabelFusion {
  readonly options: LabelFusionOptions;
  private readonly renderList = new SlotList();
  private renderDepth = new Float32Array(0);
  private renderSlot = new Int32Array(0);
  private renderKey = new Float32Array(0);
  private readonly T_camera_world = new Float64Array(16);

  constructor(options: Partial<LabelFusionOptions> = {}) {
    this.options = { ...DEFAULT_LABEL_FUSION_OPTIONS, ...options };
  }

  /**
   * Updates the surfels of `visible` (camera-frame depths and pixels filled for this frame's pose) that agree with
   * the measured depth, plus the surfels created this frame (`newSlots` from pixels `newPixels`).
   * classProbs is pixel-major H·W·C.
   */
  update(map: SurfelMap, visible: SlotList, depth: Float32Array, width: number, height: number,
    newSlots: Int32Array, newPixels: Int32Array, newCount: number, classProbs: Float32Array, frame: number): LabelUpdateResult {
    const C = map.classCount;
    if (classProbs.length !== width * height * C) {
      throw new RangeError(`classProbs has ${classProbs.length} values, expected ${width}·${height}·${C}`);
    }
    const probs = map.probs, last = map.lastUpdate, alive = map.alive;
    const uf = this.options.underflow;
    let updated = 0, resets = 0;
    const vt = this.options.visibilityDepthThreshold;
    const vs = visible.slots, vu = visible.u, vv = visible.v, vz = visible.z;
    for (let j = 0; j < visible.count; j++) {
      const s = vs[j];
      if (!alive[s]) continue;
      // Candidates project inside the image, so rounding by truncation of (x + 0.5) is safe and cheap.
      const x = (vu[j] + 0.5) | 0, y = (vv[j] + 0.5) | 0;
      if (x >= width || y >= height) continue;
      const i = y * width + x;
      const d = depth[i];
      if (d === 0) continue;
      const z = vz[j];
      const e = z - 0.4;
      const g3 = 3 * (0.0012 + 0.0019 * e * e);
      const gate = g3 > vt ? g3 : vt;
      if (d - z > gate || z - d > gate) continue;
      if (bayesUpdate(probs, s * C, classProbs, i * C, C, uf)) resets++;
      map.updateLabel(s);
      last[s] = frame;
      updated++;
    }
    for (let q = 0; q < newCount; q++) {
      const s = newSlots[q];
      if (!alive[s]) continue;
      if (bayesUpdate(probs, s * C, classProbs, newPixels[q] * C, C, uf)) resets++;
      map.updateLabel(s);
      updated++;
    }
    return { updated, resets };
  }

  /**
   * Renders the fused labels (1..C, 0 = no labelled surfel) seen from T_world_camera with the given intrinsics
   * into out (width·height), by splatting every labelled surfel in the frustum with a z-buffer.
   */
  render(map: SurfelMap, T_world_camera: Mat4, k: Intrinsics, out: Uint8Array): void {
    const n = k.width * k.height;
    if (out.length < n) throw new RangeError(`label image has ${out.length} pixels, expected ${n}`);
    if (this.renderDepth.length < n) this.renderDepth = new Float32Array(n);
    const zb = this.renderDepth;
    const maxR = this.options.maxSplatRadiusPx;
    const list = this.renderList;
    map.collectInFrustum(invertRigid(this.T_camera_world, T_world_camera), k, {
      minLastUpdate: -Infinity, minConfidence: 0, frontFacing: true, minDepth: this.options.minDepth,
      maxDepth: this.options.maxDepth, borderPx: maxR,
    }, list);
    const slot = this.renderSlot.length < n ? (this.renderSlot = new Int32Array(n)) : this.renderSlot;
    zb.fill(0, 0, n);
    slot.fill(-1, 0, n);
    if (this.renderKey.length < n) this.renderKey = new Float32Array(n);
    splatSurfels(map, list, this.T_camera_world, k, maxR, 1, zb, slot, this.renderKey);
    // Unlabelled surfels still occlude: they write 0.
    const label = map.label;
    for (let i = 0; i < n; i++) { const s = slot[i]; out[i] = s >= 0 ? label[s] : 0; }
  }
}
