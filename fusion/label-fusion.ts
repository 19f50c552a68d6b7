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
import type { FloorPlane } from './floor-plane.js';
import { heightAbovePackedFloor, packFloor, PACKED_FLOOR_LENGTH } from './floor-plane.js';
import { InputStaging } from './parallel/buffers.js';
import type { KernelPool } from './parallel/pool.js';
import { MAX_PARTS, serialPool } from './parallel/pool.js';

export interface LabelFusionOptions {
  /** Depth agreement (m, at least; grows with the sensor noise at depth) for a surfel to count as visible. */
  visibilityDepthThreshold: number;
  /** Sum below which a product is treated as underflow. */
  underflow: number;
  maxSplatRadiusPx: number;
  minDepth: number;
  maxDepth: number;
  /**
   * Probability floor ε: each observation is mixed with the uniform distribution, (1 − ε)·p + ε/C, before it
   * multiplies a surfel's distribution, so one confident wrong frame moves a surfel by at most a likelihood ratio
   * of (1 − ε + ε/C)/(ε/C) per class pair. 0 = the network's probabilities as they are.
   */
  probabilityFloor: number;
  /**
   * σ₀ (m) of the label weight 1 / (1 + (σ/σ₀)²) for predicted depth: a pixel whose depth is uncertain (and so may
   * have been fused into the wrong surfel) is mixed further towards uniform, weight·p + (1 − weight)/C.
   * 0 = off (and without a σ image, as for a depth sensor, the weight is 1).
   */
  sigmaRef: number;
  /**
   * Which visible surfels a frame relabels: 'depthGate', those whose depth agrees with the pixel's (within the
   * visibility threshold, the sensor's noise, and gateSigmas·σ of predicted depth); 'associated', only those the
   * fuser merged a measurement into this frame (lastUpdate = frame on entry). New surfels are labelled either way.
   */
  visibility: LabelVisibility;
  /** Predicted depth: the depth gate widens to gateSigmas·σ of the pixel (0 = the sensor's gate only). */
  gateSigmas: number;
  /**
   * Class-prior correction β (0 = off, SemanticFusion's plain product). A network's output is a posterior
   * p(c | image) = p(image | c)·p(c)/Z, so the product of n frames' outputs counts the class prior n times and
   * pulls every surfel towards the frequent classes (walls, floors). Recursive Bayes wants the prior once:
   * a surfel's first observation is taken as it is, every later one divided by p(c)^β. p(c) is estimated online
   * as the mean of the network's outputs over every frame so far (no ground truth), floored at priorFloor.
   */
  priorCorrection: number;
  /** Smallest class prior the correction divides by. */
  priorFloor: number;
}

export type LabelVisibility = 'depthGate' | 'associated';

export const DEFAULT_LABEL_FUSION_OPTIONS: Readonly<LabelFusionOptions> = Object.freeze({
  visibilityDepthThreshold: 0.03, underflow: 1e-30, maxSplatRadiusPx: 3, minDepth: 0.1, maxDepth: 10,
  probabilityFloor: 0, sigmaRef: 0, visibility: 'depthGate', gateSigmas: 0, priorCorrection: 0, priorFloor: 0.01,
});

/**
 * Writes into out[0..C) the observation obs[ob..] mixed with uniform, a·p + (1 − a)/C. Exported for unit tests.
 */
export function temperObservation(obs: Float32Array, ob: number, classCount: number, a: number, out: Float32Array): void {
  const u = (1 - a) / classCount;
  for (let c = 0; c < classCount; c++) out[c] = a * obs[ob + c] + u;
}

/**
 * Multiplies the surfel's distribution (classCount values at probs[base..]) by the pixel's (obs[ob..]), renormalises,
 * and resets to uniform-then-observation on underflow. Returns true on reset. Exported for unit tests.
 */
export function bayesUpdate(probs: Float32Array, base: number, obs: Float32Array, ob: number, classCount: number, underflow: number): boolean {
  let sum = 0;
  // Sum what float32 stores (fround), so products that underflowed to 0 count as 0.
  for (let c = 0; c < classCount; c++) { const p = Math.fround(probs[base + c] * obs[ob + c]); probs[base + c] = p; sum += p; }
  if (sum > underflow && sum < Infinity) {
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

/**
 * bayesUpdate for 13 classes (the default) with the distribution held in locals: the same float32 products,
 * sums and renormalisation, then the argmax; returns the argmax class index (0-based), or −1 − index when the
 * update underflowed and was reset. Equal to bayesUpdate + argmax bit for bit (test/fusion/label-fusion.test.ts).
 */
export function bayesUpdate13(probs: Float32Array, base: number, obs: Float32Array, ob: number, underflow: number): number {
  const f = Math.fround;
  const p0 = f(probs[base + 0] * obs[ob + 0]);
  const p1 = f(probs[base + 1] * obs[ob + 1]);
  const p2 = f(probs[base + 2] * obs[ob + 2]);
  const p3 = f(probs[base + 3] * obs[ob + 3]);
  const p4 = f(probs[base + 4] * obs[ob + 4]);
  const p5 = f(probs[base + 5] * obs[ob + 5]);
  const p6 = f(probs[base + 6] * obs[ob + 6]);
  const p7 = f(probs[base + 7] * obs[ob + 7]);
  const p8 = f(probs[base + 8] * obs[ob + 8]);
  const p9 = f(probs[base + 9] * obs[ob + 9]);
  const p10 = f(probs[base + 10] * obs[ob + 10]);
  const p11 = f(probs[base + 11] * obs[ob + 11]);
  const p12 = f(probs[base + 12] * obs[ob + 12]);
  const sum = p0 + p1 + p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9 + p10 + p11 + p12;
  if (!(sum > underflow && sum < Infinity)) {
    bayesUpdate(probs, base, obs, ob, 13, underflow);
    return -1 - argmax(probs, base, 13);
  }
  const inv = 1 / sum;
  const q0 = f(p0 * inv);
  const q1 = f(p1 * inv);
  const q2 = f(p2 * inv);
  const q3 = f(p3 * inv);
  const q4 = f(p4 * inv);
  const q5 = f(p5 * inv);
  const q6 = f(p6 * inv);
  const q7 = f(p7 * inv);
  const q8 = f(p8 * inv);
  const q9 = f(p9 * inv);
  const q10 = f(p10 * inv);
  const q11 = f(p11 * inv);
  const q12 = f(p12 * inv);
  probs[base + 0] = q0;
  probs[base + 1] = q1;
  probs[base + 2] = q2;
  probs[base + 3] = q3;
  probs[base + 4] = q4;
  probs[base + 5] = q5;
  probs[base + 6] = q6;
  probs[base + 7] = q7;
  probs[base + 8] = q8;
  probs[base + 9] = q9;
  probs[base + 10] = q10;
  probs[base + 11] = q11;
  probs[base + 12] = q12;
  let best = 0, bp = q0;
  if (q1 > bp) { bp = q1; best = 1; }
  if (q2 > bp) { bp = q2; best = 2; }
  if (q3 > bp) { bp = q3; best = 3; }
  if (q4 > bp) { bp = q4; best = 4; }
  if (q5 > bp) { bp = q5; best = 5; }
  if (q6 > bp) { bp = q6; best = 6; }
  if (q7 > bp) { bp = q7; best = 7; }
  if (q8 > bp) { bp = q8; best = 8; }
  if (q9 > bp) { bp = q9; best = 9; }
  if (q10 > bp) { bp = q10; best = 10; }
  if (q11 > bp) { bp = q11; best = 11; }
  if (q12 > bp) { bp = q12; best = 12; }
  return best;
}

/** Index of the largest of probs[base..base+classCount) (the first on ties). */
export function argmax(probs: Float32Array, base: number, classCount: number): number {
  let best = 0, bp = probs[base];
  for (let c = 1; c < classCount; c++) { const p = probs[base + c]; if (p > bp) { bp = p; best = c; } }
  return best;
}

/** Every how many pixels the class prior samples a frame. */
const PRIOR_STRIDE = 7;

export interface LabelUpdateResult {
  /** Surfels whose distribution was updated. */
  updated: number;
  /** Updates that underflowed and were reset. */
  resets: number;
}

export class LabelFusion {
  readonly options: LabelFusionOptions;
  private readonly renderList: SlotList;
  private renderDepth = new Float32Array(0);
  private renderSlot = new Int32Array(0);
  private renderKey = new Float32Array(0);
  private readonly T_camera_world = new Float64Array(16);

  private readonly params: Float64Array;
  private readonly partOut: Float64Array;
  private readonly probsStaging: InputStaging<Float32Array>;
  /** Stands in for the σ image (in the pool's memory) on frames without one. */
  private readonly noSigma: Float32Array;
  /** Floor plane for the floor check (setFloorPlane): up, height along up, margin, class channel, factor. */
  private readonly floor = { on: false, geometry: new Float64Array(PACKED_FLOOR_LENGTH), minHeight: 0, index: 0, suppression: 1 };
  /** Sum of the network's outputs per class over every frame so far (sampled pixels), and how many were summed. */
  private readonly priorSum: Float64Array;
  private priorCount = 0;
  /** p(c)^−β for the kernel (in the pool's memory). */
  private readonly priorWeight: Float32Array;

  constructor(options: Partial<LabelFusionOptions> = {}, private readonly pool: KernelPool = serialPool) {
    this.options = { ...DEFAULT_LABEL_FUSION_OPTIONS, ...options };
    this.renderList = new SlotList(pool.allocator);
    this.params = pool.allocator.f64(40);
    this.partOut = pool.allocator.f64(2 * MAX_PARTS);
    this.probsStaging = new InputStaging<Float32Array>(pool.allocator, (a, n) => a.f32(n));
    this.noSigma = pool.allocator.f32(1);
    this.priorSum = new Float64Array(256);
    this.priorWeight = pool.allocator.f32(256);
  }

  /**
   * Updates the surfels of `visible` (camera-frame depths and pixels filled for this frame's pose) that agree with
   * the measured depth, plus the surfels created this frame (`newSlots` from pixels `newPixels`).
   * classProbs is pixel-major H·W·C. The two sets are disjoint and each surfel is listed once, so the update
   * splits over threads without two writing one surfel. `sigma` (predicted depth's σ per pixel, in the pool's
   * memory) weights each observation when options.sigmaRef > 0.
   */
  update(map: SurfelMap, visible: SlotList, depth: Float32Array, width: number, height: number,
    newSlots: Int32Array, newPixels: Int32Array, newCount: number, classProbs: Float32Array, frame: number,
    sigma: Float32Array | null = null): LabelUpdateResult {
    const C = map.classCount;
    if (classProbs.length !== width * height * C) {
      throw new RangeError(`classProbs has ${classProbs.length} values, expected ${width}·${height}·${C}`);
    }
    const q = this.params;
    q[0] = width; q[1] = height; q[2] = C; q[3] = this.options.underflow; q[4] = this.options.visibilityDepthThreshold;
    q[5] = frame; q[6] = visible.count; q[7] = this.options.probabilityFloor;
    const useSigma = sigma !== null && (this.options.sigmaRef > 0 || this.options.gateSigmas > 0);
    if (useSigma && sigma.length !== width * height) throw new RangeError(`sigma has ${sigma.length} values, expected ${width}·${height}`);
    q[8] = useSigma ? this.options.sigmaRef : 0;
    q[9] = this.options.visibility === 'associated' ? 1 : 0;
    q[10] = useSigma ? this.options.gateSigmas : 0;
    q[11] = this.options.priorCorrection > 0 ? 1 : 0;
    const fp = this.floor;
    q[12] = fp.on && fp.index < C ? 1 : 0; q[13] = fp.minHeight;
    q.set(fp.geometry, 19);
    q[17] = fp.index; q[18] = fp.suppression;
    if (this.options.priorCorrection > 0) this.updatePrior(classProbs, width * height, C);
    const out = this.partOut;
    const parts = this.pool.run('labelUpdate', {
      position: map.position, probs: map.probs, label: map.label, labelProb: map.labelProb, lastUpdate: map.lastUpdate, alive: map.alive,
      slots: visible.slots, u: visible.u, v: visible.v, z: visible.z, depth, classProbs: this.probsStaging.take(classProbs),
      newSlots, newPixels, sigma: useSigma ? sigma : this.noSigma, priorWeight: this.priorWeight, params: q,
    }, visible.count + newCount, out, 2, 4096);
    let updated = 0, resets = 0;
    for (let p = 0; p < parts; p++) { updated += out[2 * p]; resets += out[2 * p + 1]; }
    return { updated, resets };
  }

  /**
   * From now on, observations of surfels more than minHeight above the floor (heightAboveFloor) have their
   * floor channel (0-based `index`) scaled by `suppression`: the map's geometry says they are not floor
   * (floor-plane.ts). null turns the check off.
   */
  setFloorPlane(plane: FloorPlane | null, minHeight = 0, index = 0, suppression = 1): void {
    const f = this.floor;
    f.on = plane !== null;
    if (!plane) return;
    packFloor(plane, f.geometry);
    f.minHeight = minHeight; f.index = index; f.suppression = suppression;
  }

  /** The class prior estimated so far (mean network output per class; empty before the first update with the correction on). */
  get classPrior(): Float64Array {
    const C = this.priorSum.length;
    const out = new Float64Array(this.priorCount > 0 ? C : 0);
    for (let c = 0; c < out.length; c++) out[c] = this.priorSum[c] / this.priorCount;
    return out;
  }

  /** Adds this frame's outputs (every PRIOR_STRIDE-th pixel) to the running mean and refreshes p(c)^−β. */
  private updatePrior(classProbs: Float32Array, n: number, C: number): void {
    if (C > this.priorSum.length) throw new RangeError(`prior correction supports at most ${this.priorSum.length} classes`);
    const sum = this.priorSum;
    for (let i = 0; i < n; i += PRIOR_STRIDE) for (let c = 0, b = i * C; c < C; c++) sum[c] += classProbs[b + c];
    this.priorCount += Math.ceil(n / PRIOR_STRIDE);
    const beta = this.options.priorCorrection, floor = this.options.priorFloor;
    for (let c = 0; c < C; c++) {
      const p = sum[c] / this.priorCount;
      this.priorWeight[c] = (p > floor ? p : floor) ** -beta;
    }
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

export interface LabelUpdateArgs {
  /** The map's fields. */
  position: Float32Array;
  probs: Float32Array;
  label: Uint8Array;
  labelProb: Float32Array;
  lastUpdate: Int32Array;
  alive: Uint8Array;
  /** Visible surfels: slot, projected pixel, camera depth. */
  slots: Int32Array;
  u: Float32Array;
  v: Float32Array;
  z: Float32Array;
  /** Measured depth and class probabilities (pixel-major H·W·C). */
  depth: Float32Array;
  classProbs: Float32Array;
  /** Surfels created this frame and their pixels. */
  newSlots: Int32Array;
  newPixels: Int32Array;
  /** Predicted depth's σ per pixel (empty when not used). */
  sigma: Float32Array;
  /** p(c)^−β per class, applied to observations of surfels that already had one (params[11] = 1). */
  priorWeight: Float32Array;
  /**
   * width, height, classes, underflow, visibility depth gate, frame, number of visible surfels, probability floor,
   * σ₀ (0 = off), visibility mode (0 depth gate, 1 associated), gate in σ (0 = off), prior correction (0/1),
   * floor check (0/1), margin above the floor, …, floor channel, floor factor, then from 19 the floor (up 3, height,
   * origin 3, axes 3 + 3, bend 6).
   */
  params: Float64Array;
}

/** Per-thread scratch for a tempered observation (kernels on one thread never overlap). */
let tempered = new Float32Array(16);

/**
 * Bayesian update of entries [begin, end) of the visible list followed by the new surfels (index ≥ the visible
 * count) with bayesUpdate, and the argmax label. out[o] = surfels updated, out[o+1] = resets.
 */
export function labelUpdate(a: LabelUpdateArgs, begin: number, end: number, out: Float64Array, o: number): void {
  const q = a.params;
  const width = q[0] | 0, height = q[1] | 0, C = q[2] | 0, uf = q[3], vt = q[4], frame = q[5] | 0, nVisible = q[6] | 0;
  const floor = q[7], sigmaRef = q[8], associated = q[9] === 1, gateSigmas = q[10], prior = q[11] === 1;
  const { probs, label, labelProb, lastUpdate: last, alive, slots: vs, u: vu, v: vv, z: vz, depth, classProbs, newSlots, newPixels, sigma, priorWeight } = a;
  const temper = floor > 0 || sigmaRef > 0;
  const floorCheck = q[12] === 1, floorTop = q[13], fi = q[17] | 0, fk = q[18];
  const pos = a.position;
  if (tempered.length < C) tempered = new Float32Array(C);
  const tp = tempered;
  const inv2 = sigmaRef > 0 ? 1 / (sigmaRef * sigmaRef) : 0;
  let updated = 0, resets = 0;
  for (let j = begin; j < end; j++) {
    let s: number, i: number;
    if (j < nVisible) {
      s = vs[j];
      if (!alive[s]) continue;
      // Candidates project inside the image, so rounding by truncation of (x + 0.5) is safe and cheap.
      const x = (vu[j] + 0.5) | 0, y = (vv[j] + 0.5) | 0;
      if (x >= width || y >= height) continue;
      i = y * width + x;
      const d = depth[i];
      if (d === 0) continue;
      if (associated) {
        if (last[s] !== frame) continue;
      } else {
        const z = vz[j];
        const e = z - 0.4;
        // 3·depthSigma(z), written out: this runs per pixel.
        const g3 = 3 * (0.0012 + 0.0019 * e * e);
        let gate = g3 > vt ? g3 : vt;
        if (gateSigmas > 0 && gateSigmas * sigma[i] > gate) gate = gateSigmas * sigma[i];
        if (d - z > gate || z - d > gate) continue;
        last[s] = frame;
      }
    } else {
      const k = j - nVisible;
      s = newSlots[k];
      if (!alive[s]) continue;
      i = newPixels[k];
    }
    const base = s * C;
    let obs = classProbs, ob = i * C;
    if (temper) {
      let w = 1 - floor;
      if (sigmaRef > 0) { const sg = sigma[i]; w /= 1 + sg * sg * inv2; }
      temperObservation(classProbs, ob, C, w, tp);
      obs = tp; ob = 0;
    }
    // A surfel's first observation (label 0: never labelled) brings the prior; later ones bring the likelihood.
    if (prior && label[s] !== 0) {
      for (let c = 0; c < C; c++) tp[c] = obs[ob + c] * priorWeight[c];
      obs = tp; ob = 0;
    }
    if (floorCheck && heightAbovePackedFloor(q, 19, pos[3 * s], pos[3 * s + 1], pos[3 * s + 2]) > floorTop) {
      if (obs !== tp) { for (let c = 0; c < C; c++) tp[c] = obs[ob + c]; obs = tp; ob = 0; }
      tp[fi] *= fk;
    }
    let best: number;
    if (C === 13) {
      best = bayesUpdate13(probs, base, obs, ob, uf);
      if (best < 0) { best = -1 - best; resets++; }
    } else {
      if (bayesUpdate(probs, base, obs, ob, C, uf)) resets++;
      best = argmax(probs, base, C);
    }
    label[s] = best + 1;
    labelProb[s] = probs[base + best];
    updated++;
  }
  out[o] = updated; out[o + 1] = resets;
}
