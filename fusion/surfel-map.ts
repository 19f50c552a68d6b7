/**
 * The surfel store: structure-of-arrays typed buffers that grow by doubling, plus a coarse chunk index (a hash
 * of chunkSize-metre cubes, each listing its surfel slots) so that per-frame work touches only the chunks in the
 * camera frustum — millions of surfels elsewhere cost nothing per frame.
 *
 * Slots are reused through a free list; each surfel also carries a never-reused `uid` (≥ 1) for streaming.
 * Fields are public for the pipeline stages (allocation-free hot loops); after add()/reserve() a stage must
 * re-read the array fields because growth replaces them.
 */
import type { Intrinsics } from './camera.js';
import type { Mat4 } from './pose.js';
import type { BufferAllocator } from './parallel/buffers.js';
import { heapAllocator } from './parallel/buffers.js';
import type { KernelPool } from './parallel/pool.js';
import { joinParts, MAX_PARTS, serialPool } from './parallel/pool.js';

export interface SurfelMapOptions {
  classCount: number;
  chunkSize: number;
  initialCapacity: number;
}

export const DEFAULT_SURFEL_MAP_OPTIONS: Readonly<SurfelMapOptions> = Object.freeze({
  classCount: 13, chunkSize: 1, initialCapacity: 1 << 16,
});

/** Growable list of slots with their camera-frame depth and projected pixel, filled by collectInFrustum. */
export class SlotList {
  count = 0;
  slots: Int32Array;
  /** Camera-frame coordinates of each listed surfel. */
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  /** Projected pixel (continuous, pixel centres at integers). */
  u: Float32Array;
  v: Float32Array;

  constructor(private readonly alloc: BufferAllocator = heapAllocator) {
    this.slots = alloc.i32(1024);
    this.x = alloc.f32(1024); this.y = alloc.f32(1024); this.z = alloc.f32(1024);
    this.u = alloc.f32(1024); this.v = alloc.f32(1024);
  }

  clear(): void { this.count = 0; }

  ensure(n: number): void {
    if (n <= this.slots.length) return;
    let cap = this.slots.length;
    while (cap < n) cap *= 2;
    const al = this.alloc;
    const grow = <T extends Int32Array | Float32Array>(a: T, make: (n: number) => T): T => { const b = make(cap); b.set(a.subarray(0, this.count)); return b; };
    this.slots = grow(this.slots, (k) => al.i32(k));
    this.x = grow(this.x, (k) => al.f32(k));
    this.y = grow(this.y, (k) => al.f32(k));
    this.z = grow(this.z, (k) => al.f32(k));
    this.u = grow(this.u, (k) => al.f32(k));
    this.v = grow(this.v, (k) => al.f32(k));
  }
}

/** Which surfels collectInFrustum lists, besides being in the image and depth range. */
export interface SurfelFilter {
  /** Only surfels with lastUpdate ≥ this frame (−∞ = all). */
  minLastUpdate: number;
  /** Only surfels with confidence ≥ this. */
  minConfidence: number;
  /** Only surfels whose normal faces the camera. */
  frontFacing: boolean;
  minDepth: number;
  maxDepth: number;
  /** Extra pixels around the image border that still count as inside. */
  borderPx: number;
  /** Only surfels with lastUpdate < this frame (the inactive part of the map; default: no bound). */
  maxLastUpdate?: number;
  /**
   * Only surfels created in [minCreated, maxCreated) (default: all): one stretch of the trajectory's map, whose
   * surfels agree with each other (a loop check's reference; the inactive map as a whole can hold several
   * drifted layers of one place).
   */
  minCreated?: number;
  maxCreated?: number;
}

interface Chunk {
  /** Centre in world coordinates. */
  cx: number; cy: number; cz: number;
  slots: Int32Array;
  count: number;
  /**
   * At least the newest lastUpdate of its surfels (exact after a collectInFrustum that scanned it). A chunk older
   * than a filter's minLastUpdate holds no active surfel and is not scanned: inactive parts of the map in view
   * cost nothing per frame.
   */
  lastActive: number;
}

function clampChunk(v: number): number {
  return v < -KEY_OFFSET ? -KEY_OFFSET : v > KEY_OFFSET - 1 ? KEY_OFFSET - 1 : v;
}

// Chunk keys pack three 11-bit chunk coordinates (±1024 chunks per axis) exactly into a double (33 bits).
const KEY_OFFSET = 1 << 10;
const KEY_SPAN = 1 << 11;

export class SurfelMap {
  readonly options: SurfelMapOptions;
  readonly classCount: number;
  capacity = 0;
  /** Slots in use are < highWater; some below may be free (alive = 0). */
  highWater = 0;
  /** Number of live surfels. */
  liveCount = 0;
  position: Float32Array = new Float32Array(0);
  normal: Float32Array = new Float32Array(0);
  radius: Float32Array = new Float32Array(0);
  color: Uint8Array = new Uint8Array(0);
  confidence: Float32Array = new Float32Array(0);
  /** Frame index of creation and of the last fusion/observation. */
  created: Int32Array = new Int32Array(0);
  lastUpdate: Int32Array = new Int32Array(0);
  uid: Uint32Array = new Uint32Array(0);
  alive: Uint8Array = new Uint8Array(0);
  /** Class probabilities, classCount per slot. */
  probs: Float32Array = new Float32Array(0);
  /** argmax class id (1..classCount), 0 = never labelled, and its probability. */
  label: Uint8Array = new Uint8Array(0);
  labelProb: Float32Array = new Float32Array(0);
  /** Pose-graph node each surfel moves with (see PoseGraph; −1 = none). */
  anchor: Int32Array = new Int32Array(0);
  /** Node given to surfels added from now on. */
  anchorForNew = -1;
  private chunkOf = new Int32Array(0);
  private chunkPos = new Int32Array(0);
  private freeSlots = new Int32Array(1024);
  private freeCount = 0;
  private nextUid = 1;
  private readonly chunkByKey = new Map<number, number>();
  private lastChunkKey = -1;
  private lastChunk = -1;
  readonly chunks: Chunk[] = [];
  /** Removal log (uid, frame), for changedSince consumers. */
  removedUids = new Uint32Array(1024);
  removedFrames = new Int32Array(1024);
  removedCount = 0;

  private readonly alloc: BufferAllocator;
  private readonly visibleChunks: Int32Array[] = [];
  /** Chunk index of each visible chunk of the last collectInFrustum, its surfels' newest lastUpdate, and whether it listed any. */
  private visibleIndex: Int32Array = new Int32Array(0);
  private chunkMax: Int32Array = new Int32Array(0);
  private chunkListed: Int32Array = new Int32Array(0);
  private chunkOffsets: Int32Array = new Int32Array(0);
  private readonly collectParams: Float64Array;
  private readonly partOut: Float64Array;

  /** `pool` runs the projection of collectInFrustum; kernels on other threads need the map's fields in its memory. */
  constructor(options: Partial<SurfelMapOptions> = {}, private readonly pool: KernelPool = serialPool) {
    this.options = { ...DEFAULT_SURFEL_MAP_OPTIONS, ...options };
    this.alloc = pool.allocator;
    this.collectParams = this.alloc.f64(32);
    this.partOut = this.alloc.f64(MAX_PARTS);
    this.classCount = this.options.classCount;
    this.grow(this.options.initialCapacity);
  }

  /** Makes room for n more surfels without further growth. */
  reserve(extra: number): void {
    const need = this.highWater + extra;
    if (need <= this.capacity) return;
    let cap = this.capacity;
    while (cap < need) cap *= 2;
    this.grow(cap);
  }

  private grow(cap: number): void {
    const c = this.classCount;
    const copy = <T extends Float32Array | Uint8Array | Int32Array | Uint32Array>(a: T, b: T): T => { b.set(a); return b; };
    const al = this.alloc;
    // Fields kernels on other threads touch live in the allocator's memory; the chunk index stays on this thread.
    this.position = copy(this.position, al.f32(3 * cap));
    this.normal = copy(this.normal, al.f32(3 * cap));
    this.radius = copy(this.radius, al.f32(cap));
    this.color = copy(this.color, al.u8(3 * cap));
    this.confidence = copy(this.confidence, al.f32(cap));
    this.created = copy(this.created, al.i32(cap));
    this.lastUpdate = copy(this.lastUpdate, al.i32(cap));
    this.uid = copy(this.uid, al.u32(cap));
    this.alive = copy(this.alive, al.u8(cap));
    this.probs = copy(this.probs, al.f32(c * cap));
    this.label = copy(this.label, al.u8(cap));
    this.labelProb = copy(this.labelProb, al.f32(cap));
    this.anchor = copy(this.anchor, new Int32Array(cap));
    this.chunkOf = copy(this.chunkOf, new Int32Array(cap));
    this.chunkPos = copy(this.chunkPos, new Int32Array(cap));
    this.capacity = cap;
  }

  /**
   * Adds one surfel and returns its slot. Class probabilities start uniform with label 0 (never labelled).
   * May grow the buffers: re-read array fields afterwards (or reserve() first).
   */
  add(px: number, py: number, pz: number, nx: number, ny: number, nz: number, radius: number,
    r: number, g: number, b: number, confidence: number, frame: number): number {
    let s: number;
    if (this.freeCount > 0) s = this.freeSlots[--this.freeCount];
    else {
      if (this.highWater >= this.capacity) this.grow(this.capacity * 2);
      s = this.highWater++;
    }
    const p = this.position, n = this.normal, col = this.color;
    p[3 * s] = px; p[3 * s + 1] = py; p[3 * s + 2] = pz;
    n[3 * s] = nx; n[3 * s + 1] = ny; n[3 * s + 2] = nz;
    col[3 * s] = r; col[3 * s + 1] = g; col[3 * s + 2] = b;
    this.radius[s] = radius;
    this.confidence[s] = confidence;
    this.created[s] = frame;
    this.lastUpdate[s] = frame;
    this.uid[s] = this.nextUid++;
    this.alive[s] = 1;
    const c = this.classCount, probs = this.probs, u = 1 / c;
    for (let k = s * c, e = k + c; k < e; k++) probs[k] = u;
    this.label[s] = 0;
    this.labelProb[s] = 0;
    this.anchor[s] = this.anchorForNew;
    this.insertInChunk(s, px, py, pz);
    this.liveCount++;
    return s;
  }

  remove(s: number, frame: number): void {
    if (!this.alive[s]) return;
    this.alive[s] = 0;
    this.liveCount--;
    // Swap-remove from its chunk list, keeping the moved slot's back-pointer right.
    this.detachFromChunk(s);
    if (this.freeCount >= this.freeSlots.length) {
      const f = new Int32Array(this.freeSlots.length * 2); f.set(this.freeSlots); this.freeSlots = f;
    }
    this.freeSlots[this.freeCount++] = s;
    if (this.removedCount >= this.removedUids.length) {
      const u = new Uint32Array(this.removedUids.length * 2); u.set(this.removedUids); this.removedUids = u;
      const f = new Int32Array(this.removedFrames.length * 2); f.set(this.removedFrames); this.removedFrames = f;
    }
    this.removedUids[this.removedCount] = this.uid[s];
    this.removedFrames[this.removedCount++] = frame;
  }

  /**
   * Moves every surfel with its anchor node: `deltas` holds one column-major 4×4 rigid motion per node
   * (node k at 16·k). Surfels that leave their chunk are re-filed. Returns how many moved. Costs one pass over
   * the map: run only when a loop closes.
   */
  transformByAnchor(deltas: Float64Array, nodes: number): number {
    const pos = this.position, nrm = this.normal, anchor = this.anchor;
    const cs = this.options.chunkSize;
    let moved = 0;
    for (let s = 0; s < this.highWater; s++) {
      if (this.alive[s] === 0) continue;
      const a = anchor[s];
      if (a < 0 || a >= nodes) continue;
      const o = 16 * a;
      const d = deltas;
      if (d[o] === 1 && d[o + 5] === 1 && d[o + 10] === 1 && d[o + 12] === 0 && d[o + 13] === 0 && d[o + 14] === 0) continue;
      const px = pos[3 * s], py = pos[3 * s + 1], pz = pos[3 * s + 2];
      const nx = nrm[3 * s], ny = nrm[3 * s + 1], nz = nrm[3 * s + 2];
      const qx = d[o] * px + d[o + 4] * py + d[o + 8] * pz + d[o + 12];
      const qy = d[o + 1] * px + d[o + 5] * py + d[o + 9] * pz + d[o + 13];
      const qz = d[o + 2] * px + d[o + 6] * py + d[o + 10] * pz + d[o + 14];
      pos[3 * s] = qx; pos[3 * s + 1] = qy; pos[3 * s + 2] = qz;
      nrm[3 * s] = d[o] * nx + d[o + 4] * ny + d[o + 8] * nz;
      nrm[3 * s + 1] = d[o + 1] * nx + d[o + 5] * ny + d[o + 9] * nz;
      nrm[3 * s + 2] = d[o + 2] * nx + d[o + 6] * ny + d[o + 10] * nz;
      moved++;
      const ch = this.chunks[this.chunkOf[s]];
      const h = cs / 2;
      if (Math.abs(qx - ch.cx) > h || Math.abs(qy - ch.cy) > h || Math.abs(qz - ch.cz) > h) {
        this.detachFromChunk(s);
        this.insertInChunk(s, qx, qy, qz);
      }
    }
    return moved;
  }

  private detachFromChunk(s: number): void {
    const ch = this.chunks[this.chunkOf[s]];
    const at = this.chunkPos[s];
    const last = ch.slots[--ch.count];
    ch.slots[at] = last;
    this.chunkPos[last] = at;
  }

  private insertInChunk(s: number, px: number, py: number, pz: number): void {
    const cs = this.options.chunkSize;
    const ix = clampChunk(Math.floor(px / cs)), iy = clampChunk(Math.floor(py / cs)), iz = clampChunk(Math.floor(pz / cs));
    const key = ((ix + KEY_OFFSET) * KEY_SPAN + (iy + KEY_OFFSET)) * KEY_SPAN + (iz + KEY_OFFSET);
    // Surfels are added a frame's pixels at a time, so most land in the chunk of the previous one.
    let ci = key === this.lastChunkKey ? this.lastChunk : this.chunkByKey.get(key);
    if (ci === undefined) {
      ci = this.chunks.length;
      this.chunks.push({ cx: (ix + 0.5) * cs, cy: (iy + 0.5) * cs, cz: (iz + 0.5) * cs, slots: this.alloc.i32(256), count: 0, lastActive: -Infinity });
      this.chunkByKey.set(key, ci);
    }
    this.lastChunkKey = key; this.lastChunk = ci;
    const ch = this.chunks[ci];
    if (ch.count >= ch.slots.length) { const a = this.alloc.i32(ch.slots.length * 2); a.set(ch.slots); ch.slots = a; }
    this.chunkOf[s] = ci;
    this.chunkPos[s] = ch.count;
    ch.slots[ch.count++] = s;
    if (this.lastUpdate[s] > ch.lastActive) ch.lastActive = this.lastUpdate[s];
  }

  /** Marks surfel s as updated at `frame` (its lastUpdate, and its chunk's bound): for updates made outside fusion. */
  touch(s: number, frame: number): void {
    this.lastUpdate[s] = frame;
    const ch = this.chunks[this.chunkOf[s]];
    if (frame > ch.lastActive) ch.lastActive = frame;
  }

  /**
   * After a collectInFrustum whose listed surfels may now be updated at `frame` (fusion, labels): their chunks'
   * bounds become `frame`.
   */
  markListedChunks(frame: number): void {
    const listed = this.chunkListed, idx = this.visibleIndex;
    for (let c = 0; c < this.visibleChunks.length; c++) {
      if (listed[c] === 0) continue;
      const ch = this.chunks[idx[c]];
      if (frame > ch.lastActive) ch.lastActive = frame;
    }
  }

  /**
   * Lists the surfels that project into the image of a camera at T_camera_world, culling whole chunks against
   * the frustum first. Fills `out` with slots, camera coordinates and pixel positions, in chunk order. Returns
   * out.count.
   */
  collectInFrustum(T_camera_world: Mat4, k: Intrinsics, filter: SurfelFilter, out: SlotList): number {
    out.clear();
    const m = T_camera_world;
    const r00 = m[0], r10 = m[1], r20 = m[2], r01 = m[4], r11 = m[5], r21 = m[6], r02 = m[8], r12 = m[9], r22 = m[10];
    const tx = m[12], ty = m[13], tz = m[14];
    const { fx, fy, cx, cy, width, height } = k;
    const b = filter.borderPx;
    const uMin = -0.5 - b, uMax = width - 0.5 + b, vMin = -0.5 - b, vMax = height - 0.5 + b;
    // Side planes through the optical centre, as unit normals (inside ⇒ positive signed distance).
    const aL = (uMin - cx) / fx, aR = (uMax - cx) / fx, aT = (vMin - cy) / fy, aB = (vMax - cy) / fy;
    const nL = 1 / Math.hypot(1, aL), nR = 1 / Math.hypot(1, aR), nT = 1 / Math.hypot(1, aT), nB = 1 / Math.hypot(1, aB);
    // Surfels drift a little from the chunk they were filed in as they are averaged: pad the bound.
    const R = this.options.chunkSize * 0.8660254 + 0.25;
    const { minDepth, maxDepth } = filter;
    const visible = this.visibleChunks;
    visible.length = 0;
    if (this.chunkOffsets.length < this.chunks.length + 1) {
      const n = 2 * this.chunks.length + 1;
      this.chunkOffsets = this.alloc.i32(n);
      this.visibleIndex = new Int32Array(n); this.chunkMax = this.alloc.i32(n); this.chunkListed = this.alloc.i32(n);
    }
    const offsets = this.chunkOffsets, index = this.visibleIndex;
    const minLast = filter.minLastUpdate;
    let total = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const ch = this.chunks[c];
      if (ch.count === 0 || ch.lastActive < minLast) continue;
      const zc = r20 * ch.cx + r21 * ch.cy + r22 * ch.cz + tz;
      if (zc + R < minDepth || zc - R > maxDepth) continue;
      const xc = r00 * ch.cx + r01 * ch.cy + r02 * ch.cz + tx;
      const yc = r10 * ch.cx + r11 * ch.cy + r12 * ch.cz + ty;
      if ((xc - aL * zc) * nL < -R || (aR * zc - xc) * nR < -R || (yc - aT * zc) * nT < -R || (aB * zc - yc) * nB < -R) continue;
      offsets[visible.length] = total;
      index[visible.length] = c;
      visible.push(ch.slots);
      total += ch.count;
    }
    offsets[visible.length] = total;
    const nv = visible.length;
    this.chunkMax.fill(-0x80000000, 0, nv);
    this.chunkListed.fill(0, 0, nv);
    out.ensure(total);
    const q = this.collectParams;
    q.set(T_camera_world, 0);
    q[16] = fx; q[17] = fy; q[18] = cx; q[19] = cy; q[20] = uMin; q[21] = uMax; q[22] = vMin; q[23] = vMax;
    q[24] = filter.minLastUpdate; q[25] = filter.minConfidence; q[26] = filter.frontFacing ? 1 : 0; q[27] = minDepth; q[28] = maxDepth;
    q[29] = filter.maxLastUpdate ?? Infinity;
    q[30] = filter.minCreated ?? -Infinity; q[31] = filter.maxCreated ?? Infinity;
    const parts = this.pool.run('collectSurfels', {
      chunkSlots: visible, offsets, position: this.position, normal: this.normal, confidence: this.confidence,
      lastUpdate: this.lastUpdate, created: this.created, slots: out.slots, x: out.x, y: out.y, z: out.z, u: out.u, v: out.v, params: q,
      chunkMax: this.chunkMax, chunkListed: this.chunkListed,
    }, total, this.partOut, 1, COLLECT_PER_PART);
    // Every surfel of these chunks was read: their bounds are now exact.
    for (let c = 0; c < nv; c++) this.chunks[index[c]].lastActive = this.chunkMax[c];
    // Each part wrote its surfels from its first index on.
    out.count = joinParts([out.slots, out.x, out.y, out.z, out.u, out.v], total, parts, 1, this.partOut, 1, 0);
    return out.count;
  }
}

/** Surfels per part of collectInFrustum's projection (smaller ranges stay on one thread). */
const COLLECT_PER_PART = 32768;

export interface CollectArgs {
  /** Slot lists of the chunks in the frustum, and where each starts in the concatenated range (+ the total). */
  chunkSlots: Int32Array[];
  offsets: Int32Array;
  position: Float32Array;
  normal: Float32Array;
  confidence: Float32Array;
  lastUpdate: Int32Array;
  created: Int32Array;
  /** The SlotList's arrays. */
  slots: Int32Array;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  u: Float32Array;
  v: Float32Array;
  /**
   * T_camera_world (16), fx fy cx cy, u and v bounds (min, max), min last update, min confidence, front-facing
   * (0/1), min and max depth, max last update (exclusive), created frame bounds (min inclusive, max exclusive).
   */
  params: Float64Array;
  /** Per chunk: the newest lastUpdate of its surfels (a max over the parts that share it), and 1 when it listed any. */
  chunkMax: Int32Array;
  chunkListed: Int32Array;
}

/**
 * Projects surfels [begin, end) of the chunks' concatenated slot lists and lists those passing the filter from
 * index `begin` on; out[o] = how many.
 */
export function collectSurfels(a: CollectArgs, begin: number, end: number, out: Float64Array, o: number): void {
  const q = a.params;
  const r00 = q[0], r10 = q[1], r20 = q[2], r01 = q[4], r11 = q[5], r21 = q[6], r02 = q[8], r12 = q[9], r22 = q[10];
  const tx = q[12], ty = q[13], tz = q[14];
  const fx = q[16], fy = q[17], cx = q[18], cy = q[19], uMin = q[20], uMax = q[21], vMin = q[22], vMax = q[23];
  const minLastUpdate = q[24], minConfidence = q[25], frontFacing = q[26] === 1, minDepth = q[27], maxDepth = q[28];
  const maxLastUpdate = q[29], minCreated = q[30], maxCreated = q[31];
  const { chunkSlots, offsets, position: pos, normal: nrm, confidence: conf, lastUpdate: last, created } = a;
  const os = a.slots, ox = a.x, oy = a.y, oz = a.z, ou = a.u, ov = a.v;
  // The chunk holding `begin`.
  let lo = 0, hi = chunkSlots.length - 1;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (offsets[mid] <= begin) lo = mid; else hi = mid - 1; }
  let n = begin;
  const chunkMax = a.chunkMax, chunkListed = a.chunkListed;
  for (let c = lo, i = begin; c < chunkSlots.length && i < end; c++) {
    const slots = chunkSlots[c];
    const c0 = offsets[c], j1 = Math.min(offsets[c + 1], end) - c0;
    const n0 = n;
    let newest = -0x80000000;
    for (let j = i - c0; j < j1; j++) {
      const s = slots[j];
      const lu = last[s];
      if (lu > newest) newest = lu;
      if (lu < minLastUpdate || lu >= maxLastUpdate || conf[s] < minConfidence) continue;
      if (created[s] < minCreated || created[s] >= maxCreated) continue;
      const px = pos[3 * s], py = pos[3 * s + 1], pz = pos[3 * s + 2];
      const z = r20 * px + r21 * py + r22 * pz + tz;
      if (z < minDepth || z > maxDepth) continue;
      const x = r00 * px + r01 * py + r02 * pz + tx;
      const y = r10 * px + r11 * py + r12 * pz + ty;
      const u = fx * x / z + cx;
      if (u < uMin || u >= uMax) continue;
      const v = fy * y / z + cy;
      if (v < vMin || v >= vMax) continue;
      if (frontFacing) {
        const nx = nrm[3 * s], ny = nrm[3 * s + 1], nz = nrm[3 * s + 2];
        const ncx = r00 * nx + r01 * ny + r02 * nz, ncy = r10 * nx + r11 * ny + r12 * nz, ncz = r20 * nx + r21 * ny + r22 * nz;
        if (ncx * x + ncy * y + ncz * z > 0) continue;
      }
      os[n] = s; ox[n] = x; oy[n] = y; oz[n] = z; ou[n] = u; ov[n] = v;
      n++;
    }
    // A chunk may be split between parts (threads): keep the newest of their shares (compare-and-swap max).
    for (let cur = Atomics.load(chunkMax, c); newest > cur;) {
      const seen = Atomics.compareExchange(chunkMax, c, cur, newest);
      if (seen === cur) break;
      cur = seen;
    }
    if (n > n0) chunkListed[c] = 1;
    i = c0 + j1;
  }
  out[o] = n - begin;
}
