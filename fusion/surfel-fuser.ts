/**
 * Surfel fusion (ElasticFusion's GlobalModel::fuse + clean): projective data association through a supersampled
 * index map (one surfel per index cell, so no surfel is fused twice in a frame), confidence-weighted averaging of
 * position / normal / colour / radius, new surfels for unexplained pixels, removal of unstable surfels that are
 * not confirmed in time or that sit in space the sensor sees through (free-space violation).
 */
import type { Intrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import { invertRigid } from './se3.js';
import type { SurfelMap } from './surfel-map.js';
import { SlotList } from './surfel-map.js';
import type { PredictedLevel } from './model-predictor.js';
import type { KernelPool } from './parallel/pool.js';
import { joinParts, MAX_PARTS, partStart, serialPool } from './parallel/pool.js';

export interface FuseOptions {
  minDepth: number;
  maxDepth: number;
  indexSupersample: number;
  fuseDepthThreshold: number;
  fuseMaxNormalAngleDeg: number;
  confidenceSigma: number;
  stableConfidence: number;
  unstableWindow: number;
  activeWindow: number;
  freeSpaceMargin: number;
  maxRadiusFactor: number;
  /**
   * Predicted depth (rgb mode): with a per-pixel σ in FuseInput.sigma, a measurement enters a surfel's average
   * with weight α·fusionWeight(σ, sigmaRef) against the surfel's confidence, so uncertain measurements move it
   * less; confidence still grows by α (it counts observations: ElasticFusion's stability test, which must not
   * depend on how σ is calibrated). The association and free-space gates are gateSigmas·σ instead of the depth
   * sensor's noise model.
   */
  sigmaRef: number;
  gateSigmas: number;
  /**
   * A surfel's colour is averaged against a new measurement with the weight min(confidence, this), so it follows
   * the last ~this many observations instead of freezing once the confidence is high (FusionConfig.colourMaxWeight).
   */
  colourMaxWeight: number;
}

export const DEFAULT_FUSE_OPTIONS: Readonly<FuseOptions> = Object.freeze({
  minDepth: 0.2, maxDepth: 4, indexSupersample: 2, fuseDepthThreshold: 0.03, fuseMaxNormalAngleDeg: 40,
  confidenceSigma: 0.6, stableConfidence: 10, unstableWindow: 30, activeWindow: 0, freeSpaceMargin: 0.08,
  maxRadiusFactor: 4, sigmaRef: 0.15, gateSigmas: 2, colourMaxWeight: Infinity,
});

/** The measurement to fuse: level-0 depth (raw, metres, 0 = missing), camera-frame normals, colour. */
export interface FuseInput {
  readonly depth: Float32Array;
  readonly normal: Float32Array;
  readonly rgb: Uint8Array;
  /** Per-pixel depth uncertainty σ (m) of predicted depth (depth-uncertainty.ts); absent for a depth sensor. */
  readonly sigma?: Float32Array;
}

export interface FuseResult {
  /** Surfels averaged with a measurement this frame. */
  fused: number;
  added: number;
  removedFreeSpace: number;
  removedUnstable: number;
}

/** Kinect-like axial noise σ(z) (Nguyen et al. 2012), used to scale association and free-space gates with depth. */
export function depthSigma(z: number): number {
  const d = z - 0.4;
  return 0.0012 + 0.0019 * d * d;
}

export class SurfelFuser {
  readonly options: FuseOptions;
  /** Surfels in the frustum at the fused pose (after fuse(): the ones the label stage may update). */
  readonly candidates: SlotList;
  /** Slots and source pixels of the surfels created by the last fuse() (at most one per pixel). */
  readonly newSlots: Int32Array;
  readonly newPixels: Int32Array;
  newCount = 0;
  /** Per pixel: the surfel created there by the last fuse(), −1 = none (kept at −1 between renders). */
  private readonly newAt: Int32Array;
  readonly T_camera_world = new Float64Array(16);
  private readonly indexCells: Int32Array;
  private readonly indexDepth: Float32Array;
  private readonly sw: number;
  private readonly sh: number;
  private readonly confLut: Float32Array;
  /** Unstable-removal queue: slots and uids in creation order (ring of growable arrays). */
  private queueSlot = new Int32Array(1 << 16);
  private queueUid = new Uint32Array(1 << 16);
  private queueFrame = new Int32Array(1 << 16);
  private queueHead = 0;
  private queueTail = 0;

  private readonly params: Float64Array;
  private readonly partOut: Float64Array;
  private removeScratch: Int32Array = new Int32Array(0);
  /** Stands in for FuseInput.sigma in the kernels' arguments when there is none (params flag it unused). */
  private readonly noSigma: Float32Array;

  constructor(readonly intrinsics: Intrinsics, options: Partial<FuseOptions> = {}, private readonly pool: KernelPool = serialPool) {
    this.options = { ...DEFAULT_FUSE_OPTIONS, ...options };
    const alloc = pool.allocator;
    const s = this.options.indexSupersample;
    this.sw = intrinsics.width * s;
    this.sh = intrinsics.height * s;
    this.indexCells = alloc.i32(this.sw * this.sh);
    this.indexDepth = alloc.f32(this.sw * this.sh);
    this.candidates = new SlotList(alloc);
    this.newSlots = alloc.i32(intrinsics.width * intrinsics.height);
    this.newPixels = alloc.i32(intrinsics.width * intrinsics.height);
    this.newAt = alloc.i32(intrinsics.width * intrinsics.height).fill(-1);
    this.params = alloc.f64(33);
    this.partOut = alloc.f64(2 * MAX_PARTS);
    this.noSigma = alloc.f32(1);
    // Per-pixel confidence weight α = exp(−γ²/2σ²), γ = radial distance from the principal point normalised to 1 at the far corner.
    const { width: w, height: h, cx, cy } = intrinsics;
    const norm = Math.hypot(Math.max(cx, w - 1 - cx), Math.max(cy, h - 1 - cy));
    const sg = this.options.confidenceSigma;
    this.confLut = alloc.f32(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const g = Math.hypot(x - cx, y - cy) / norm;
      this.confLut[y * w + x] = Math.exp(-(g * g) / (2 * sg * sg));
    }
  }

  /**
   * The index map of the map seen from a pose, without fusing: what renderAssociation needs for a frame that is
   * not fused (FusionConfig.predictUnfusedFromIndex). No chunk is marked as fused and no surfel is created.
   */
  indexOnly(map: SurfelMap, T_world_camera: Mat4, frame: number): void {
    this.buildIndex(map, T_world_camera, frame);
    this.newCount = 0;
  }

  fuse(map: SurfelMap, input: FuseInput, T_world_camera: Mat4, frame: number): FuseResult {
    const o = this.options;
    const k = this.intrinsics;
    const { width: w, height: h, fx, fy, cx, cy } = k;
    this.buildIndex(map, T_world_camera, frame);
    const list = this.candidates;
    // The listed surfels are fused (and labelled) at this frame.
    map.markListedChunks(frame);
    const s = o.indexSupersample, sw = this.sw;
    const cells = this.indexCells;
    const q = this.params;
    q.set(T_world_camera, 0);
    q[16] = fx; q[17] = fy; q[18] = cx; q[19] = cy; q[20] = w; q[21] = h; q[22] = s; q[23] = sw; q[24] = this.sh;
    q[25] = o.fuseDepthThreshold; q[26] = Math.cos((o.fuseMaxNormalAngleDeg * Math.PI) / 180);
    q[27] = 1 / o.maxRadiusFactor; q[28] = frame;
    const sigma = input.sigma ?? this.noSigma, withSigma = input.sigma !== undefined;
    q[29] = withSigma ? 1 : 0; q[30] = o.sigmaRef; q[31] = o.gateSigmas; q[32] = o.colourMaxWeight;
    const out = this.partOut;
    const parts = this.pool.run('fuseRows', {
      depth: input.depth, normal: input.normal, rgb: input.rgb, sigma, cells, cellSurfelZ: list.z, cellSlots: list.slots,
      position: map.position, surfelNormal: map.normal, color: map.color, radius: map.radius, confidence: map.confidence,
      lastUpdate: map.lastUpdate, confLut: this.confLut, newPixels: this.newPixels, params: q,
    }, h, out, 2, 16);
    let fused = 0;
    for (let p = 0; p < parts; p++) fused += out[2 * p];
    // Each part listed its unexplained pixels from its first row's pixel index on.
    this.newCount = joinParts([this.newPixels], h, parts, w, out, 2, 1);
    const R = T_world_camera;
    const r00 = R[0], r10 = R[1], r20 = R[2], r01 = R[4], r11 = R[5], r21 = R[6], r02 = R[8], r12 = R[9], r22 = R[10];
    const tx = R[12], ty = R[13], tz = R[14];
    const depth = input.depth, cn = input.normal, rgb = input.rgb;
    const ifx = 1 / fx, ify = 1 / fy;
    const sqrt2f = Math.SQRT2 / ((fx + fy) / 2);
    const minNz = 1 / o.maxRadiusFactor;
    // New surfels (after the association loop, so array growth cannot invalidate the references above).
    map.reserve(this.newCount);
    for (let q = 0; q < this.newCount; q++) {
      const i = this.newPixels[q];
      const x = i % w, y = (i - x) / w;
      const d = depth[i];
      const ncx = cn[3 * i], ncy = cn[3 * i + 1], ncz = cn[3 * i + 2];
      const px = (x - cx) * ifx * d, py = (y - cy) * ify * d;
      const nz = ncz < 0 ? -ncz : ncz;
      const sl = map.add(
        r00 * px + r01 * py + r02 * d + tx, r10 * px + r11 * py + r12 * d + ty, r20 * px + r21 * py + r22 * d + tz,
        r00 * ncx + r01 * ncy + r02 * ncz, r10 * ncx + r11 * ncy + r12 * ncz, r20 * ncx + r21 * ncy + r22 * ncz,
        (sqrt2f * d) / (nz > minNz ? nz : minNz), rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], this.confLut[i], frame);
      this.newSlots[q] = sl;
      this.pushQueue(sl, map.uid[sl], frame);
    }
    const removedFreeSpace = this.removeFreeSpaceViolations(map, depth, withSigma ? sigma : null, frame);
    const removedUnstable = this.removeUnconfirmed(map, frame);
    return { fused, added: this.newCount, removedFreeSpace, removedUnstable };
  }

  /**
   * The model as seen from the pose just fused, from this frame's index map (nearest surfel centre of each
   * pixel's cells, then the surfels created at still-empty pixels), written into a prediction level (world
   * vertices = surfel centres, normals, colour, intensity, camera depth, slot). It is the next frame's tracking
   * reference at no extra projection of the map. Surfels below minConfidence are left out.
   */
  renderAssociation(map: SurfelMap, level: PredictedLevel, color: Uint8Array, minConfidence: number): void {
    const { width: w, height: h } = this.intrinsics;
    const T = this.T_camera_world;
    const q = this.params;
    q[0] = T[2]; q[1] = T[6]; q[2] = T[10]; q[3] = T[14]; q[4] = minConfidence; q[5] = this.options.indexSupersample;
    q[6] = this.sw; q[7] = w;
    const args: AssociationArgs = {
      cells: this.indexCells, cellSurfelZ: this.candidates.z, cellSlots: this.candidates.slots, alive: map.alive,
      confidence: map.confidence, position: map.position, surfelNormal: map.normal, surfelColor: map.color,
      slot: level.slot, depth: level.depth, vertex: level.vertex, normal: level.normal, intensity: level.intensity,
      color, newAt: this.newAt, params: q,
    };
    // The surfels created this frame, by pixel (at most one per pixel): they fill pixels no cell covers.
    const newAt = this.newAt;
    for (let k = 0; k < this.newCount; k++) newAt[this.newPixels[k]] = this.newSlots[k];
    this.pool.run('associationRows', args, h, this.partOut, 2, 16);
    for (let k = 0; k < this.newCount; k++) newAt[this.newPixels[k]] = -1;
  }

  /**
   * Candidates in the frustum at T_world_camera, and the supersampled index map: the nearest surfel centre per
   * cell, stored as an index into `candidates`. Each thread scans every candidate and keeps those in its band of
   * cell rows (one band per thread: the scan is cheap, the scattered writes are not).
   */
  private buildIndex(map: SurfelMap, T_world_camera: Mat4, frame: number): void {
    const o = this.options;
    const Tcw = invertRigid(this.T_camera_world, T_world_camera);
    const list = this.candidates;
    map.collectInFrustum(Tcw, this.intrinsics, {
      minLastUpdate: o.activeWindow > 0 ? frame - o.activeWindow : -Infinity, minConfidence: 0, frontFacing: true,
      minDepth: o.minDepth, maxDepth: o.maxDepth * 1.2, borderPx: 0,
    }, list);
    this.pool.run('indexMapRows', {
      cells: this.indexCells, cellZ: this.indexDepth, u: list.u, v: list.v, z: list.z, count: list.count,
      supersample: o.indexSupersample, width: this.sw,
    }, this.sh, this.partOut, 2, Math.max(1, Math.floor(this.sh / this.pool.threads)));
  }

  /**
   * Unstable surfels the sensor sees clearly behind (every sample of the 3×3 neighbourhood farther than the
   * surfel by margin + 3σ): the space they occupy is free, so they were noise or moved.
   */
  private removeFreeSpaceViolations(map: SurfelMap, depth: Float32Array, sigma: Float32Array | null, frame: number): number {
    const { width: w, height: h } = this.intrinsics;
    const list = this.candidates;
    if (this.removeScratch.length < list.count) this.removeScratch = this.pool.allocator.i32(list.slots.length);
    const q = this.params;
    q[0] = w; q[1] = h; q[2] = this.options.stableConfidence; q[3] = frame; q[4] = this.options.freeSpaceMargin;
    q[5] = sigma ? this.options.gateSigmas : 0;
    const out = this.partOut, found = this.removeScratch;
    const parts = this.pool.run('freeSpaceViolations', {
      slots: list.slots, u: list.u, v: list.v, z: list.z, confidence: map.confidence, lastUpdate: map.lastUpdate,
      alive: map.alive, depth, sigma: sigma ?? this.noSigma, found, params: q,
    }, list.count, out, 2, 8192);
    // Removal edits the chunk index, which lives on this thread only.
    let removed = 0;
    for (let p = 0; p < parts; p++) {
      const from = partStart(list.count, parts, p), m = out[2 * p];
      for (let k = from; k < from + m; k++) map.remove(list.slots[found[k]], frame);
      removed += m;
    }
    return removed;
  }

  /** Removes surfels still unstable unstableWindow frames after their creation. */
  private removeUnconfirmed(map: SurfelMap, frame: number): number {
    const cap = this.queueSlot.length;
    const limit = frame - this.options.unstableWindow;
    const stable = this.options.stableConfidence;
    let removed = 0;
    while (this.queueHead !== this.queueTail) {
      const h = this.queueHead;
      if (this.queueFrame[h] > limit) break;
      const sl = this.queueSlot[h];
      if (map.alive[sl] && map.uid[sl] === this.queueUid[h] && map.confidence[sl] < stable) { map.remove(sl, frame); removed++; }
      this.queueHead = (h + 1) % cap;
    }
    return removed;
  }

  private pushQueue(slot: number, uid: number, frame: number): void {
    let cap = this.queueSlot.length;
    if ((this.queueTail + 1) % cap === this.queueHead) {
      // Full: unroll the ring into arrays twice the size.
      const n = cap * 2;
      const s = new Int32Array(n), u = new Uint32Array(n), f = new Int32Array(n);
      let k = 0;
      for (let i = this.queueHead; i !== this.queueTail; i = (i + 1) % cap, k++) { s[k] = this.queueSlot[i]; u[k] = this.queueUid[i]; f[k] = this.queueFrame[i]; }
      this.queueSlot = s; this.queueUid = u; this.queueFrame = f;
      this.queueHead = 0; this.queueTail = k; cap = n;
    }
    const t = this.queueTail;
    this.queueSlot[t] = slot; this.queueUid[t] = uid; this.queueFrame[t] = frame;
    this.queueTail = (t + 1) % cap;
  }
}

export interface FuseRowsArgs {
  /** Measurement: raw depth, camera-frame normals, RGB, and σ of predicted depth (used when params[29] = 1). */
  depth: Float32Array;
  normal: Float32Array;
  rgb: Uint8Array;
  sigma: Float32Array;
  /** Supersampled index map (index into the candidate list, −1 = empty) and the candidates' camera depth and slot. */
  cells: Int32Array;
  cellSurfelZ: Float32Array;
  cellSlots: Int32Array;
  /** The map's fields. */
  position: Float32Array;
  surfelNormal: Float32Array;
  color: Uint8Array;
  radius: Float32Array;
  confidence: Float32Array;
  lastUpdate: Int32Array;
  /** Per-pixel confidence weight. */
  confLut: Float32Array;
  /** Unexplained pixels, written from the part's first pixel index on. */
  newPixels: Int32Array;
  /**
   * T_world_camera (16), fx fy cx cy width height, supersampling, index width and height, depth gate (m),
   * cos max normal angle, 1 / max radius factor, frame, σ in use (0/1), σ₀ of the weight, gate in σ, colour max weight.
   */
  params: Float64Array;
}

/**
 * Association and averaging for the pixels of rows [y0, y1): out[o] = surfels fused, out[o+1] = unexplained
 * pixels listed. Each surfel sits in one index cell and each cell belongs to one pixel, so no surfel is written
 * by two pixels (or two threads).
 */
export function fuseRows(a: FuseRowsArgs, y0: number, y1: number, out: Float64Array, o: number): void {
  const q = a.params;
  const r00 = q[0], r10 = q[1], r20 = q[2], r01 = q[4], r11 = q[5], r21 = q[6], r02 = q[8], r12 = q[9], r22 = q[10];
  const tx = q[12], ty = q[13], tz = q[14];
  // Integer parameters as int32 (| 0) so that index arithmetic stays in integers.
  const fx = q[16], fy = q[17], cx = q[18], cy = q[19], w = q[20] | 0, s = q[22] | 0, sw = q[23] | 0, sh = q[24] | 0;
  const depthGate = q[25], cosFuse = q[26], minNz = q[27], frame = q[28] | 0;
  const withSigma = q[29] === 1, sigmaRef = q[30], gateSigmas = q[31], colourMax = q[32];
  const { depth, normal: cn, rgb, sigma, cells, cellSurfelZ: lz, cellSlots: slots } = a;
  const pos = a.position, nrm = a.surfelNormal, col = a.color, rad = a.radius, conf = a.confidence, last = a.lastUpdate;
  const confLut = a.confLut, newPixels = a.newPixels;
  const ifx = 1 / fx, ify = 1 / fy;
  const sqrt2f = Math.SQRT2 / ((fx + fy) / 2);
  let fused = 0, added = 0;
  const newBase = y0 * w;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const d = depth[i];
      if (d === 0) continue;
      const ncx = cn[3 * i], ncy = cn[3 * i + 1], ncz = cn[3 * i + 2];
      if (ncx === 0 && ncy === 0 && ncz === 0) continue;
      const sg = withSigma ? sigma[i] : 0;
      const gate = withSigma ? Math.max(depthGate, gateSigmas * sg) : Math.max(depthGate, 3 * depthSigma(d));
      const nwx = r00 * ncx + r01 * ncy + r02 * ncz, nwy = r10 * ncx + r11 * ncy + r12 * ncz, nwz = r20 * ncx + r21 * ncy + r22 * ncz;
      // Best association among the s×s cells of this pixel: highest confidence within the gates.
      let best = -1, bestConf = -1;
      const c0 = y * s * sw + x * s;
      for (let ay = 0; ay < s; ay++) {
        for (let bx = 0; bx < s; bx++) {
          const j = cells[c0 + ay * sw + bx];
          if (j < 0) continue;
          const dz = lz[j] - d;
          if (dz > gate || dz < -gate) continue;
          const sl = slots[j];
          if (nrm[3 * sl] * nwx + nrm[3 * sl + 1] * nwy + nrm[3 * sl + 2] * nwz < cosFuse) continue;
          if (conf[sl] > bestConf) { bestConf = conf[sl]; best = sl; }
        }
      }
      const nz = ncz < 0 ? -ncz : ncz;
      const rNew = (sqrt2f * d) / (nz > minNz ? nz : minNz);
      const alpha = confLut[i];
      if (best >= 0) {
        const sl = best;
        const c = conf[sl];
        if (last[sl] !== frame && rNew < 1.5 * rad[sl]) {
          // Predicted depth: the measurement's weight falls with σ (fusionWeight, inlined: this is the hot loop).
          const wm = withSigma ? confLut[i] / (1 + (sg / sigmaRef) * (sg / sigmaRef)) : confLut[i];
          const px = (x - cx) * ifx * d, py = (y - cy) * ify * d;
          const qx = r00 * px + r01 * py + r02 * d + tx, qy = r10 * px + r11 * py + r12 * d + ty, qz = r20 * px + r21 * py + r22 * d + tz;
          const inv = 1 / (c + wm);
          pos[3 * sl] = (c * pos[3 * sl] + wm * qx) * inv;
          pos[3 * sl + 1] = (c * pos[3 * sl + 1] + wm * qy) * inv;
          pos[3 * sl + 2] = (c * pos[3 * sl + 2] + wm * qz) * inv;
          let mx = c * nrm[3 * sl] + wm * nwx, my = c * nrm[3 * sl + 1] + wm * nwy, mz = c * nrm[3 * sl + 2] + wm * nwz;
          const ln = 1 / Math.sqrt(mx * mx + my * my + mz * mz);
          mx *= ln; my *= ln; mz *= ln;
          nrm[3 * sl] = mx; nrm[3 * sl + 1] = my; nrm[3 * sl + 2] = mz;
          const cc = c < colourMax ? c : colourMax, ic = 1 / (cc + wm);
          col[3 * sl] = Math.round((cc * col[3 * sl] + wm * rgb[3 * i]) * ic);
          col[3 * sl + 1] = Math.round((cc * col[3 * sl + 1] + wm * rgb[3 * i + 1]) * ic);
          col[3 * sl + 2] = Math.round((cc * col[3 * sl + 2] + wm * rgb[3 * i + 2]) * ic);
          rad[sl] = (c * rad[sl] + wm * rNew) * inv;
        }
        conf[sl] = c + alpha;
        last[sl] = frame;
        fused++;
        continue;
      }
      // Unmatched: a surfel in the neighbouring pixels at this depth already explains it (its disc covers it).
      if (explained(cells, lz, s, sw, sh, x, y, d, gate)) continue;
      newPixels[newBase + added++] = i;
    }
  }
  out[o] = fused; out[o + 1] = added;
}

/**
 * True when a surfel in the 3×3 pixel neighbourhood lies within the depth gate of the measurement. The pixel's
 * own cells first: they decide most pixels (association failed on the normal or radius test, not depth).
 */
function explained(cells: Int32Array, lz: Float32Array, s: number, sw: number, sh: number, x: number, y: number, d: number, gate: number): boolean {
  const ox = x * s, oy = y * s;
  for (let cy = oy; cy < oy + s; cy++) {
    for (let cx = ox; cx < ox + s; cx++) {
      const j = cells[cy * sw + cx];
      if (j < 0) continue;
      const dz = lz[j] - d;
      if (dz <= gate && dz >= -gate) return true;
    }
  }
  const cx0 = Math.max(0, (x - 1) * s), cx1 = Math.min(sw - 1, (x + 2) * s - 1);
  const cy0 = Math.max(0, (y - 1) * s), cy1 = Math.min(sh - 1, (y + 2) * s - 1);
  for (let cy = cy0; cy <= cy1; cy++) {
    for (let cx = cx0; cx <= cx1; cx++) {
      if (cx >= ox && cx < ox + s && cy >= oy && cy < oy + s) continue;
      const j = cells[cy * sw + cx];
      if (j < 0) continue;
      const dz = lz[j] - d;
      if (dz <= gate && dz >= -gate) return true;
    }
  }
  return false;
}

export interface AssociationArgs {
  cells: Int32Array;
  cellSurfelZ: Float32Array;
  cellSlots: Int32Array;
  alive: Uint8Array;
  confidence: Float32Array;
  position: Float32Array;
  surfelNormal: Float32Array;
  surfelColor: Uint8Array;
  /** The prediction level written. */
  slot: Int32Array;
  depth: Float32Array;
  vertex: Float32Array;
  normal: Float32Array;
  intensity: Float32Array;
  color: Uint8Array;
  /** Surfel created at each pixel this frame, −1 = none. */
  newAt: Int32Array;
  /** Third row of T_camera_world (r20 r21 r22 tz), min confidence, supersampling, index width, image width. */
  params: Float64Array;
}

/**
 * Rows [y0, y1) of the association render in one pass: associationSlotRows, then a pixel no cell covers takes the
 * surfel created there (when alive and confident enough), then associationFillPixels.
 */
export function associationRows(a: AssociationArgs, y0: number, y1: number): void {
  associationSlotRows(a, y0, y1);
  const w = a.params[7] | 0, minConfidence = a.params[4];
  const { slot, newAt, alive, confidence: conf } = a;
  for (let i = y0 * w, e = y1 * w; i < e; i++) {
    if (slot[i] >= 0) continue;
    const sl = newAt[i];
    if (sl >= 0 && alive[sl] === 1 && conf[sl] >= minConfidence) slot[i] = sl;
  }
  associationFillPixels(a, y0 * w, y1 * w);
}

/** Rows [y0, y1) of the association render: each pixel's nearest surfel among its index cells (slot, −1 = none). */
export function associationSlotRows(a: AssociationArgs, y0: number, y1: number): void {
  const q = a.params;
  const minConfidence = q[4], s = q[5] | 0, sw = q[6] | 0, w = q[7] | 0;
  const { cells, cellSurfelZ: lz, cellSlots: slots, alive, confidence: conf, slot } = a;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < w; x++) {
      let best = -1, bz = Infinity;
      const c0 = y * s * sw + x * s;
      for (let ay = 0; ay < s; ay++) {
        for (let bx = 0; bx < s; bx++) {
          const j = cells[c0 + ay * sw + bx];
          if (j < 0 || !(lz[j] < bz)) continue;
          const sl = slots[j];
          if (alive[sl] === 0 || conf[sl] < minConfidence) continue;
          bz = lz[j]; best = sl;
        }
      }
      slot[y * w + x] = best;
    }
  }
}

/** Pixels [i0, i1) of the association render: depth, world vertex and normal, colour and intensity from the slot. */
export function associationFillPixels(a: AssociationArgs, i0: number, i1: number): void {
  const q = a.params;
  const r20 = q[0], r21 = q[1], r22 = q[2], tz = q[3];
  const { slot, depth, vertex, normal, intensity, color } = a;
  const pos = a.position, nrm = a.surfelNormal, col = a.surfelColor;
  for (let i = i0; i < i1; i++) {
    const sl = slot[i];
    if (sl < 0) { depth[i] = 0; continue; }
    const px = pos[3 * sl], py = pos[3 * sl + 1], pz = pos[3 * sl + 2];
    const z = r20 * px + r21 * py + r22 * pz + tz;
    if (!(z > 0)) { slot[i] = -1; depth[i] = 0; continue; }
    depth[i] = z;
    vertex[3 * i] = px; vertex[3 * i + 1] = py; vertex[3 * i + 2] = pz;
    normal[3 * i] = nrm[3 * sl]; normal[3 * i + 1] = nrm[3 * sl + 1]; normal[3 * i + 2] = nrm[3 * sl + 2];
    const r = col[3 * sl], g = col[3 * sl + 1], b = col[3 * sl + 2];
    color[3 * i] = r; color[3 * i + 1] = g; color[3 * i + 2] = b;
    intensity[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  }
}

export interface FreeSpaceArgs {
  /** Candidate surfels: slot, projected pixel, camera depth. */
  slots: Int32Array;
  u: Float32Array;
  v: Float32Array;
  z: Float32Array;
  confidence: Float32Array;
  lastUpdate: Int32Array;
  alive: Uint8Array;
  /** Measured depth, and σ of predicted depth (used when params[5] > 0). */
  depth: Float32Array;
  sigma: Float32Array;
  /** Candidate indices found, written from the part's first index on. */
  found: Int32Array;
  /** width, height, stable confidence, frame, free-space margin (m), gate in σ of predicted depth (0 = sensor model). */
  params: Float64Array;
}

/**
 * Candidates [begin, end) that violate free space: unstable, not seen this frame, and every sample of their 3×3
 * neighbourhood farther than the surfel by margin + 3σ (the space they occupy is free, so they were noise or
 * moved). out[o] = how many were listed.
 */
export function freeSpaceViolations(a: FreeSpaceArgs, begin: number, end: number, out: Float64Array, o: number): void {
  const q = a.params;
  const w = q[0] | 0, h = q[1] | 0, stable = q[2], frame = q[3] | 0, margin = q[4], gateSigmas = q[5];
  const { slots, u, v, z: lz, confidence: conf, lastUpdate: last, alive, depth, sigma, found } = a;
  let n = 0;
  for (let j = begin; j < end; j++) {
    const sl = slots[j];
    if (conf[sl] >= stable || last[sl] === frame || !alive[sl]) continue;
    const x = Math.round(u[j]), y = Math.round(v[j]);
    if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) continue;
    const z = lz[j];
    // Predicted depth: the surfel is behind the measurement by more than its uncertainty allows.
    const limit = z + margin + (gateSigmas > 0 ? gateSigmas * sigma[y * w + x] : 3 * depthSigma(z));
    let free = true;
    for (let dy = -1; dy <= 1 && free; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const d = depth[(y + dy) * w + x + dx];
        if (d === 0 || d < limit) { free = false; break; }
      }
    }
    if (free) found[begin + n++] = j;
  }
  out[o] = n;
}

export interface IndexMapArgs {
  cells: Int32Array;
  cellZ: Float32Array;
  /** Candidates' projected pixels and camera depth. */
  u: Float32Array;
  v: Float32Array;
  z: Float32Array;
  count: number;
  supersample: number;
  /** Index map width (cells). */
  width: number;
}

/**
 * Cell rows [r0, r1) of the supersampled index map: cleared, then each cell takes the nearest candidate centre
 * falling in it (the first of equals, as a scan in list order would).
 */
export function indexMapRows(a: IndexMapArgs, r0: number, r1: number): void {
  const { cells, cellZ, u, v, z } = a;
  const count = a.count | 0, s = a.supersample | 0, sw = a.width | 0;
  cells.fill(-1, r0 * sw, r1 * sw);
  for (let j = 0; j < count; j++) {
    const iy = Math.floor((v[j] + 0.5) * s);
    if (iy < r0 || iy >= r1) continue;
    const ix = Math.floor((u[j] + 0.5) * s);
    if (ix < 0 || ix >= sw) continue;
    const c = iy * sw + ix;
    const zj = z[j];
    if (cells[c] >= 0 && cellZ[c] <= zj) continue;
    cells[c] = j; cellZ[c] = zj;
  }
}
