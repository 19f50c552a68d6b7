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
}

export const DEFAULT_FUSE_OPTIONS: Readonly<FuseOptions> = Object.freeze({
  minDepth: 0.2, maxDepth: 4, indexSupersample: 2, fuseDepthThreshold: 0.03, fuseMaxNormalAngleDeg: 40,
  confidenceSigma: 0.6, stableConfidence: 10, unstableWindow: 30, activeWindow: 0, freeSpaceMargin: 0.08,
  maxRadiusFactor: 4,
});

/** The measurement to fuse: level-0 depth (raw, metres, 0 = missing), camera-frame normals, colour. */
export interface FuseInput {
  readonly depth: Float32Array;
  readonly normal: Float32Array;
  readonly rgb: Uint8Array;
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
  readonly candidates = new SlotList();
  /** Slots and source pixels of the surfels created by the last fuse(). */
  newSlots = new Int32Array(4096);
  newPixels = new Int32Array(4096);
  newCount = 0;
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

  constructor(readonly intrinsics: Intrinsics, options: Partial<FuseOptions> = {}) {
    this.options = { ...DEFAULT_FUSE_OPTIONS, ...options };
    const s = this.options.indexSupersample;
    this.sw = intrinsics.width * s;
    this.sh = intrinsics.height * s;
    this.indexCells = new Int32Array(this.sw * this.sh);
    this.indexDepth = new Float32Array(this.sw * this.sh);
    // Per-pixel confidence weight α = exp(−γ²/2σ²), γ = radial distance from the principal point normalised to 1 at the far corner.
    const { width: w, height: h, cx, cy } = intrinsics;
    const norm = Math.hypot(Math.max(cx, w - 1 - cx), Math.max(cy, h - 1 - cy));
    const sg = this.options.confidenceSigma;
    this.confLut = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const g = Math.hypot(x - cx, y - cy) / norm;
      this.confLut[y * w + x] = Math.exp(-(g * g) / (2 * sg * sg));
    }
  }

  fuse(map: SurfelMap, input: FuseInput, T_world_camera: Mat4, frame: number): FuseResult {
    const o = this.options;
    const k = this.intrinsics;
    const { width: w, height: h, fx, fy, cx, cy } = k;
    const Tcw = invertRigid(this.T_camera_world, T_world_camera);
    const list = this.candidates;
    map.collectInFrustum(Tcw, k, {
      minLastUpdate: o.activeWindow > 0 ? frame - o.activeWindow : -Infinity, minConfidence: 0, frontFacing: true,
      minDepth: o.minDepth, maxDepth: o.maxDepth * 1.2, borderPx: 0,
    }, list);
    // Supersampled index map: the nearest surfel centre per cell, stored as an index into `list`.
    const s = o.indexSupersample, sw = this.sw;
    const cells = this.indexCells, cellZ = this.indexDepth;
    cells.fill(-1);
    for (let j = 0; j < list.count; j++) {
      const ix = Math.floor((list.u[j] + 0.5) * s), iy = Math.floor((list.v[j] + 0.5) * s);
      if (ix < 0 || iy < 0 || ix >= sw || iy >= this.sh) continue;
      const c = iy * sw + ix;
      const z = list.z[j];
      if (cells[c] >= 0 && cellZ[c] <= z) continue;
      cells[c] = j; cellZ[c] = z;
    }
    const R = T_world_camera;
    const r00 = R[0], r10 = R[1], r20 = R[2], r01 = R[4], r11 = R[5], r21 = R[6], r02 = R[8], r12 = R[9], r22 = R[10];
    const tx = R[12], ty = R[13], tz = R[14];
    const depth = input.depth, cn = input.normal, rgb = input.rgb;
    const pos = map.position, nrm = map.normal, col = map.color, rad = map.radius, conf = map.confidence, last = map.lastUpdate;
    const cosFuse = Math.cos((o.fuseMaxNormalAngleDeg * Math.PI) / 180);
    const ifx = 1 / fx, ify = 1 / fy;
    const sqrt2f = Math.SQRT2 / ((fx + fy) / 2);
    const minNz = 1 / o.maxRadiusFactor;
    const lz = list.z;
    let fused = 0;
    this.newCount = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const d = depth[i];
        if (d === 0) continue;
        const ncx = cn[3 * i], ncy = cn[3 * i + 1], ncz = cn[3 * i + 2];
        if (ncx === 0 && ncy === 0 && ncz === 0) continue;
        const gate = Math.max(o.fuseDepthThreshold, 3 * depthSigma(d));
        const nwx = r00 * ncx + r01 * ncy + r02 * ncz, nwy = r10 * ncx + r11 * ncy + r12 * ncz, nwz = r20 * ncx + r21 * ncy + r22 * ncz;
        // Best association among the s×s cells of this pixel: highest confidence within the gates.
        let best = -1, bestConf = -1;
        const c0 = y * s * sw + x * s;
        for (let a = 0; a < s; a++) {
          for (let b = 0; b < s; b++) {
            const j = cells[c0 + a * sw + b];
            if (j < 0) continue;
            const dz = lz[j] - d;
            if (dz > gate || dz < -gate) continue;
            const sl = list.slots[j];
            if (nrm[3 * sl] * nwx + nrm[3 * sl + 1] * nwy + nrm[3 * sl + 2] * nwz < cosFuse) continue;
            if (conf[sl] > bestConf) { bestConf = conf[sl]; best = sl; }
          }
        }
        const nz = ncz < 0 ? -ncz : ncz;
        const rNew = (sqrt2f * d) / (nz > minNz ? nz : minNz);
        const alpha = this.confLut[i];
        if (best >= 0) {
          const sl = best;
          const c = conf[sl];
          if (last[sl] !== frame && rNew < 1.5 * rad[sl]) {
            const px = (x - cx) * ifx * d, py = (y - cy) * ify * d;
            const qx = r00 * px + r01 * py + r02 * d + tx, qy = r10 * px + r11 * py + r12 * d + ty, qz = r20 * px + r21 * py + r22 * d + tz;
            const inv = 1 / (c + alpha);
            pos[3 * sl] = (c * pos[3 * sl] + alpha * qx) * inv;
            pos[3 * sl + 1] = (c * pos[3 * sl + 1] + alpha * qy) * inv;
            pos[3 * sl + 2] = (c * pos[3 * sl + 2] + alpha * qz) * inv;
            let mx = c * nrm[3 * sl] + alpha * nwx, my = c * nrm[3 * sl + 1] + alpha * nwy, mz = c * nrm[3 * sl + 2] + alpha * nwz;
            const ln = 1 / Math.sqrt(mx * mx + my * my + mz * mz);
            mx *= ln; my *= ln; mz *= ln;
            nrm[3 * sl] = mx; nrm[3 * sl + 1] = my; nrm[3 * sl + 2] = mz;
            col[3 * sl] = Math.round((c * col[3 * sl] + alpha * rgb[3 * i]) * inv);
            col[3 * sl + 1] = Math.round((c * col[3 * sl + 1] + alpha * rgb[3 * i + 1]) * inv);
            col[3 * sl + 2] = Math.round((c * col[3 * sl + 2] + alpha * rgb[3 * i + 2]) * inv);
            rad[sl] = (c * rad[sl] + alpha * rNew) * inv;
          }
          conf[sl] = c + alpha;
          last[sl] = frame;
          fused++;
          continue;
        }
        // Unmatched: a surfel in the neighbouring pixels at this depth already explains it (its disc covers it).
        if (this.explained(x, y, d, gate)) continue;
        if (this.newCount >= this.newPixels.length) this.growNew();
        this.newPixels[this.newCount++] = i;
      }
    }
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
    const removedFreeSpace = this.removeFreeSpaceViolations(map, depth, frame);
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
    const s = this.options.indexSupersample, sw = this.sw;
    const cells = this.indexCells, list = this.candidates, lz = list.z, slots = list.slots;
    const alive = map.alive, conf = map.confidence;
    const T = this.T_camera_world;
    const r20 = T[2], r21 = T[6], r22 = T[10], tz = T[14];
    const { depth, slot } = level;
    depth.fill(0);
    slot.fill(-1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = -1, bz = Infinity;
        const c0 = y * s * sw + x * s;
        for (let a = 0; a < s; a++) {
          for (let b = 0; b < s; b++) {
            const j = cells[c0 + a * sw + b];
            if (j < 0 || !(lz[j] < bz)) continue;
            const sl = slots[j];
            if (alive[sl] === 0 || conf[sl] < minConfidence) continue;
            bz = lz[j]; best = sl;
          }
        }
        if (best >= 0) slot[y * w + x] = best;
      }
    }
    for (let q = 0; q < this.newCount; q++) {
      const i = this.newPixels[q], sl = this.newSlots[q];
      if (slot[i] < 0 && alive[sl] === 1 && conf[sl] >= minConfidence) slot[i] = sl;
    }
    const pos = map.position, nrm = map.normal, col = map.color;
    const { vertex, normal, intensity } = level;
    for (let i = 0; i < w * h; i++) {
      const sl = slot[i];
      if (sl < 0) continue;
      const px = pos[3 * sl], py = pos[3 * sl + 1], pz = pos[3 * sl + 2];
      const z = r20 * px + r21 * py + r22 * pz + tz;
      if (!(z > 0)) { slot[i] = -1; continue; }
      depth[i] = z;
      vertex[3 * i] = px; vertex[3 * i + 1] = py; vertex[3 * i + 2] = pz;
      normal[3 * i] = nrm[3 * sl]; normal[3 * i + 1] = nrm[3 * sl + 1]; normal[3 * i + 2] = nrm[3 * sl + 2];
      const r = col[3 * sl], g = col[3 * sl + 1], b = col[3 * sl + 2];
      color[3 * i] = r; color[3 * i + 1] = g; color[3 * i + 2] = b;
      intensity[i] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    }
  }

  /** True when a surfel in the 3×3 pixel neighbourhood lies within the depth gate of the measurement. */
  private explained(x: number, y: number, d: number, gate: number): boolean {
    const s = this.options.indexSupersample, sw = this.sw, sh = this.sh;
    const cx0 = Math.max(0, (x - 1) * s), cx1 = Math.min(sw - 1, (x + 2) * s - 1);
    const cy0 = Math.max(0, (y - 1) * s), cy1 = Math.min(sh - 1, (y + 2) * s - 1);
    const cells = this.indexCells, lz = this.candidates.z;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const j = cells[cy * sw + cx];
        if (j < 0) continue;
        const dz = lz[j] - d;
        if (dz <= gate && dz >= -gate) return true;
      }
    }
    return false;
  }

  /**
   * Unstable surfels the sensor sees clearly behind (every sample of the 3×3 neighbourhood farther than the
   * surfel by margin + 3σ): the space they occupy is free, so they were noise or moved.
   */
  private removeFreeSpaceViolations(map: SurfelMap, depth: Float32Array, frame: number): number {
    const { width: w, height: h } = this.intrinsics;
    const list = this.candidates;
    const conf = map.confidence, last = map.lastUpdate;
    const stable = this.options.stableConfidence;
    let removed = 0;
    for (let j = 0; j < list.count; j++) {
      const sl = list.slots[j];
      if (conf[sl] >= stable || last[sl] === frame || !map.alive[sl]) continue;
      const x = Math.round(list.u[j]), y = Math.round(list.v[j]);
      if (x < 1 || y < 1 || x >= w - 1 || y >= h - 1) continue;
      const z = list.z[j];
      const limit = z + this.options.freeSpaceMargin + 3 * depthSigma(z);
      let free = true;
      for (let dy = -1; dy <= 1 && free; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const d = depth[(y + dy) * w + x + dx];
          if (d === 0 || d < limit) { free = false; break; }
        }
      }
      if (free) { map.remove(sl, frame); removed++; }
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

  private growNew(): void {
    const n = this.newPixels.length * 2;
    const a = new Int32Array(n); a.set(this.newPixels); this.newPixels = a;
    const b = new Int32Array(n); b.set(this.newSlots); this.newSlots = b;
  }
}
