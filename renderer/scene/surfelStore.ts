/**
 * The renderer's copy of the surfel map, laid out for the GPU: one slot per surfel, typed arrays per
 * attribute, slots kept dense (a removed surfel's slot is filled by the last one). Map deltas update
 * slots in place by surfel id; `takeDirty()` says which slot range the GPU buffers must re-upload.
 * Per-class counts are kept up to date for the legend. No DOM or WebGL here (unit-tested in Node).
 */
import type { MapDelta } from '../../main/contract/mapDelta.js';

/** Class ids 0..13 (0 = unlabelled). */
export const CLASS_SLOTS = 14;

/**
 * Dirty tracking granularity, slots. A delta's updates are scattered over the map (the surfels in view were made
 * at many times); one [min, max) range would re-upload nearly the whole map per delta, pages upload what moved.
 */
export const DIRTY_PAGE = 4096;

export interface DirtyRanges {
  /** Slot ranges to re-upload: from, to pairs (to exclusive), ascending, whole pages clipped to the count. */
  readonly ranges: readonly number[];
  /** Capacity changed: buffers must be re-created whole. */
  readonly grew: boolean;
}

/** Ids below this are indexed densely (4 bytes per id up to the largest seen); larger ones go to a Map. */
const DENSE_ID_LIMIT = 1 << 26;

/**
 * Surfel id → slot. The map's ids are never-reused counters from 1 (SurfelMap.uid), so a dense table indexed by
 * id is exact and grows by a copy. A Map<number, number> rehashed itself in one insertion as it passed 2^19 and
 * 2^20 entries (32 and 73 ms in Node; 117 ms of one map-update step in the replay e2e test), holding the page.
 */
class SlotIndex {
  private dense = new Int32Array(0);
  private readonly sparse = new Map<number, number>();

  get(id: number): number | undefined {
    if (id < DENSE_ID_LIMIT) {
      const s = id < this.dense.length ? this.dense[id] : -1;
      return s >= 0 ? s : undefined;
    }
    return this.sparse.get(id);
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, slot: number): void {
    if (id >= DENSE_ID_LIMIT) {
      this.sparse.set(id, slot);
      return;
    }
    if (id >= this.dense.length) {
      let n = Math.max(1024, this.dense.length);
      while (n <= id) n *= 2;
      const d = new Int32Array(Math.min(n, DENSE_ID_LIMIT)).fill(-1);
      d.set(this.dense);
      this.dense = d;
    }
    this.dense[id] = slot;
  }

  delete(id: number): void {
    if (id >= DENSE_ID_LIMIT) this.sparse.delete(id);
    else if (id < this.dense.length) this.dense[id] = -1;
  }

  clear(): void {
    this.dense.fill(-1);
    this.sparse.clear();
  }
}

export class SurfelStore {
  capacity: number;
  count = 0;
  positions: Float32Array;
  normals: Int8Array;
  radii: Float32Array;
  colors: Uint8Array;
  labels: Uint8Array;
  confidence: Uint8Array;
  /** Surfel id in each slot. */
  ids: Uint32Array;
  readonly classCounts = new Uint32Array(CLASS_SLOTS);
  /** Frame of the last applied delta. */
  frame = -1;
  private readonly slotOf = new SlotIndex();
  private dirtyPages = new Uint8Array(0);
  private anyDirty = false;
  private grew = true;

  constructor(initialCapacity = 65536) {
    this.capacity = initialCapacity;
    this.positions = new Float32Array(3 * initialCapacity);
    this.normals = new Int8Array(3 * initialCapacity);
    this.radii = new Float32Array(initialCapacity);
    this.colors = new Uint8Array(3 * initialCapacity);
    this.labels = new Uint8Array(initialCapacity);
    this.confidence = new Uint8Array(initialCapacity);
    this.ids = new Uint32Array(initialCapacity);
  }

  clear(): void {
    this.count = 0;
    this.slotOf.clear();
    this.classCounts.fill(0);
    this.frame = -1;
    this.grew = true; // re-upload (nothing) so stale GPU data is not drawn
    this.dirtyPages.fill(0);
    this.anyDirty = false;
  }

  /** Slots changed that takeDirty has not handed out yet. */
  get dirty(): boolean {
    return this.grew || this.anyDirty;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  slot(id: number): number | undefined {
    return this.slotOf.get(id);
  }

  apply(delta: MapDelta): void {
    this.begin(delta);
    this.applyRecords(delta, 0, delta.count);
    this.finish(delta);
  }

  /**
   * A delta in steps, so a big one need not hold the page: begin (reset, removals, room), applyRecords over
   * consecutive record ranges, finish. Between steps the store is consistent (some records not applied yet).
   */
  begin(delta: MapDelta): void {
    if (delta.reset) this.clear();
    for (let k = 0; k < delta.removedIds.length; k++) this.remove(delta.removedIds[k]);
    this.reserve(this.count + delta.count);
  }

  applyRecords(delta: MapDelta, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const id = delta.ids[i];
      let s = this.slotOf.get(id);
      if (s === undefined) {
        s = this.count++;
        this.slotOf.set(id, s);
        this.ids[s] = id;
      } else {
        this.classCounts[this.labels[s]]--;
      }
      const label = delta.labels[i] < CLASS_SLOTS ? delta.labels[i] : 0;
      this.classCounts[label]++;
      this.labels[s] = label;
      this.radii[s] = delta.radii[i];
      this.confidence[s] = delta.confidence[i];
      for (let c = 0; c < 3; c++) {
        this.positions[3 * s + c] = delta.positions[3 * i + c];
        this.normals[3 * s + c] = delta.normals[3 * i + c];
        this.colors[3 * s + c] = delta.colors[3 * i + c];
      }
      this.markDirty(s);
    }
  }

  finish(delta: MapDelta): void {
    this.frame = delta.frame;
  }

  /**
   * Changed slot ranges since the last call, or null when nothing changed. At most about `maxSlots` slots (whole
   * pages): the rest stays dirty for the next call, so one call never uploads more than a frame should. After the
   * store grew, `grew` is reported once and every slot counts as changed.
   */
  takeDirty(maxSlots = Infinity): DirtyRanges | null {
    if (!this.grew && !this.anyDirty) return null;
    const grew = this.grew;
    if (grew) {
      this.grew = false;
      this.dirtyPages = new Uint8Array(Math.ceil(this.capacity / DIRTY_PAGE));
      this.dirtyPages.fill(1, 0, Math.ceil(this.count / DIRTY_PAGE));
    }
    const ranges: number[] = [];
    const pages = this.dirtyPages;
    let taken = 0;
    let left = false;
    for (let p = 0; p < pages.length; p++) {
      if (pages[p] === 0) continue;
      if (taken >= maxSlots) {
        left = true;
        break;
      }
      const from = p * DIRTY_PAGE;
      pages[p] = 0;
      while (p + 1 < pages.length && pages[p + 1] !== 0 && taken + (p + 2 - from / DIRTY_PAGE) * DIRTY_PAGE <= maxSlots) pages[++p] = 0;
      const to = Math.min(this.count, (p + 1) * DIRTY_PAGE);
      taken += (p + 1) * DIRTY_PAGE - from;
      if (to > from) ranges.push(from, to);
    }
    this.anyDirty = left;
    return { ranges, grew };
  }

  private remove(id: number): void {
    const s = this.slotOf.get(id);
    if (s === undefined) return;
    this.slotOf.delete(id);
    this.classCounts[this.labels[s]]--;
    const last = --this.count;
    if (s !== last) {
      // Move the last surfel into the hole so slots stay dense.
      const movedId = this.ids[last];
      this.ids[s] = movedId;
      this.slotOf.set(movedId, s);
      this.labels[s] = this.labels[last];
      this.radii[s] = this.radii[last];
      this.confidence[s] = this.confidence[last];
      for (let c = 0; c < 3; c++) {
        this.positions[3 * s + c] = this.positions[3 * last + c];
        this.normals[3 * s + c] = this.normals[3 * last + c];
        this.colors[3 * s + c] = this.colors[3 * last + c];
      }
      this.markDirty(s);
    }
  }

  private markDirty(s: number): void {
    const p = (s / DIRTY_PAGE) | 0;
    if (p >= this.dirtyPages.length) {
      const a = new Uint8Array(Math.max(p + 1, Math.ceil(this.capacity / DIRTY_PAGE)));
      a.set(this.dirtyPages);
      this.dirtyPages = a;
    }
    this.dirtyPages[p] = 1;
    this.anyDirty = true;
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    let cap = this.capacity;
    while (cap < n) cap *= 2;
    const grow = <T extends Float32Array | Int8Array | Uint8Array | Uint32Array>(a: T, per: number, make: (len: number) => T): T => {
      const b = make(per * cap);
      b.set(a.subarray(0, per * this.count) as never);
      return b;
    };
    this.positions = grow(this.positions, 3, (l) => new Float32Array(l));
    this.normals = grow(this.normals, 3, (l) => new Int8Array(l));
    this.radii = grow(this.radii, 1, (l) => new Float32Array(l));
    this.colors = grow(this.colors, 3, (l) => new Uint8Array(l));
    this.labels = grow(this.labels, 1, (l) => new Uint8Array(l));
    this.confidence = grow(this.confidence, 1, (l) => new Uint8Array(l));
    this.ids = grow(this.ids, 1, (l) => new Uint32Array(l));
    this.capacity = cap;
    this.grew = true;
  }
}
