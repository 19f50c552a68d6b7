/**
 * The renderer's copy of the surfel map, laid out for the GPU: one slot per surfel, typed arrays per
 * attribute, slots kept dense (a removed surfel's slot is filled by the last one). Map deltas update
 * slots in place by surfel id; `takeDirty()` says which slot range the GPU buffers must re-upload.
 * Per-class counts are kept up to date for the legend. No DOM or WebGL here (unit-tested in Node).
 */
import type { MapDelta } from '../../main/contract/mapDelta.js';

/** Class ids 0..13 (0 = unlabelled). */
export const CLASS_SLOTS = 14;

export interface DirtyRange {
  /** First changed slot. */
  readonly from: number;
  /** One past the last changed slot. */
  readonly to: number;
  /** Capacity changed: buffers must be re-created whole. */
  readonly grew: boolean;
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
  private readonly slotOf = new Map<number, number>();
  private dirtyFrom = Infinity;
  private dirtyTo = 0;
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
    this.dirtyFrom = Infinity;
    this.dirtyTo = 0;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  slot(id: number): number | undefined {
    return this.slotOf.get(id);
  }

  apply(delta: MapDelta): void {
    if (delta.reset) this.clear();
    for (let k = 0; k < delta.removedIds.length; k++) this.remove(delta.removedIds[k]);
    this.reserve(this.count + delta.count);
    for (let i = 0; i < delta.count; i++) {
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
    this.frame = delta.frame;
  }

  /** Changed slot range since the last call, or null when nothing changed. */
  takeDirty(): DirtyRange | null {
    if (!this.grew && this.dirtyFrom >= this.dirtyTo) return null;
    const r = { from: this.grew ? 0 : this.dirtyFrom, to: this.grew ? this.count : this.dirtyTo, grew: this.grew };
    this.grew = false;
    this.dirtyFrom = Infinity;
    this.dirtyTo = 0;
    return r;
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
    if (s < this.dirtyFrom) this.dirtyFrom = s;
    if (s + 1 > this.dirtyTo) this.dirtyTo = s + 1;
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
