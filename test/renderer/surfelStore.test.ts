import { describe, expect, it } from 'vitest';
import { decodeMapDelta, encodeMapDelta } from '../../main/contract/mapDelta.js';
import type { MapDelta } from '../../main/contract/mapDelta.js';
import { DIRTY_PAGE, SurfelStore } from '../../renderer/scene/surfelStore.js';

function delta(ids: number[], labels: number[], opts: { reset?: boolean; removed?: number[]; x?: number } = {}): MapDelta {
  const n = ids.length;
  const packet = encodeMapDelta({
    count: n,
    ids,
    positions: ids.flatMap((id) => [id + (opts.x ?? 0), 0, 1]),
    normals: ids.flatMap(() => [0, 0, -1]),
    colors: ids.flatMap((id) => [id, id, id]),
    radii: ids.map(() => 0.01),
    confidence: ids.map(() => 10),
    labels,
  }, { reset: opts.reset ?? false, frame: 1, total: 0, removedIds: opts.removed });
  const d = decodeMapDelta(packet);
  if (!d.ok) throw new Error(d.message);
  return d.value;
}

describe('SurfelStore (renderer map mirror)', () => {
  it('inserts new ids, updates known ids in place, and counts classes', () => {
    const s = new SurfelStore(4);
    s.apply(delta([10, 11, 12], [1, 1, 5]));
    expect(s.count).toBe(3);
    expect(s.classCounts[1]).toBe(2);
    expect(s.classCounts[5]).toBe(1);
    const slot11 = s.slot(11)!;
    expect(s.takeDirty()).toMatchObject({ ranges: [0, 3], grew: true });
    s.apply(delta([11], [5], { x: 100 }));
    expect(s.count).toBe(3);
    expect(s.slot(11)).toBe(slot11);
    expect(s.positions[3 * slot11]).toBe(111);
    expect([s.classCounts[1], s.classCounts[5]]).toEqual([1, 2]);
    // Only the updated slot's page must be re-uploaded (clipped to the surfels there are).
    expect(s.takeDirty()).toEqual({ ranges: [0, 3], grew: false });
    expect(s.takeDirty()).toBeNull();
  });

  it('re-uploads only the pages holding updated surfels, not the span between them', () => {
    const s = new SurfelStore(4 * DIRTY_PAGE);
    const ids = Array.from({ length: 3 * DIRTY_PAGE + 10 }, (_, i) => i + 1);
    s.apply(delta(ids, ids.map(() => 1)));
    s.takeDirty();
    // Two surfels at opposite ends of the map.
    s.apply(delta([5, 3 * DIRTY_PAGE + 5], [2, 2]));
    expect(s.takeDirty()).toEqual({ ranges: [0, DIRTY_PAGE, 3 * DIRTY_PAGE, 3 * DIRTY_PAGE + 10], grew: false });
    // Neighbouring pages merge into one range.
    s.apply(delta([DIRTY_PAGE - 1, DIRTY_PAGE + 1], [3, 3]));
    expect(s.takeDirty()).toEqual({ ranges: [0, 2 * DIRTY_PAGE], grew: false });
  });

  it('grows past its capacity keeping the data', () => {
    const s = new SurfelStore(2);
    s.apply(delta([1, 2], [3, 3]));
    s.takeDirty();
    s.apply(delta([3, 4, 5], [3, 3, 3]));
    expect(s.capacity).toBeGreaterThanOrEqual(5);
    expect(s.takeDirty()?.grew).toBe(true);
    expect(Array.from(s.ids.subarray(0, 5))).toEqual([1, 2, 3, 4, 5]);
    expect(s.positions[3 * s.slot(1)!]).toBe(1);
  });

  it('removes surfels by moving the last slot into the hole', () => {
    const s = new SurfelStore();
    s.apply(delta([1, 2, 3], [1, 2, 3]));
    s.takeDirty();
    s.apply(delta([], [], { removed: [1] }));
    expect(s.count).toBe(2);
    expect(s.has(1)).toBe(false);
    expect(s.slot(3)).toBe(0);
    expect(s.positions[0]).toBe(3);
    expect([s.classCounts[1], s.classCounts[2], s.classCounts[3]]).toEqual([0, 1, 1]);
    expect(s.takeDirty()).toEqual({ ranges: [0, 2], grew: false });
  });

  it('starts over on a reset packet', () => {
    const s = new SurfelStore();
    s.apply(delta([1, 2, 3], [1, 2, 3]));
    s.apply(delta([9], [4], { reset: true }));
    expect(s.count).toBe(1);
    expect(s.has(1)).toBe(false);
    expect(Array.from(s.classCounts)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('SurfelStore in steps and with an upload budget', () => {
  it('a delta applied in chunks ends as applied whole', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => 3 * i);
    const labels = ids.map((_, i) => i % 14);
    const whole = new SurfelStore(16);
    whole.apply(delta(ids, labels));
    const steps = new SurfelStore(16);
    const d = delta(ids, labels);
    steps.begin(d);
    for (let i = 0; i < d.count; i += 777) steps.applyRecords(d, i, Math.min(d.count, i + 777));
    steps.finish(d);
    expect(steps.count).toBe(whole.count);
    expect(Array.from(steps.classCounts)).toEqual(Array.from(whole.classCounts));
    expect(steps.positions.subarray(0, 3 * steps.count)).toEqual(whole.positions.subarray(0, 3 * whole.count));
  });

  it('hands out at most the budget of dirty slots per call, then the rest, then nothing', () => {
    const s = new SurfelStore(16);
    s.apply(delta(Array.from({ length: 5 * DIRTY_PAGE }, (_, i) => i), new Array(5 * DIRTY_PAGE).fill(1)));
    const seen = new Uint8Array(s.count);
    let calls = 0;
    for (let r = s.takeDirty(2 * DIRTY_PAGE); r; r = s.takeDirty(2 * DIRTY_PAGE)) {
      calls++;
      let slots = 0;
      for (let k = 0; k < r.ranges.length; k += 2) {
        slots += r.ranges[k + 1] - r.ranges[k];
        for (let i = r.ranges[k]; i < r.ranges[k + 1]; i++) seen[i]++;
      }
      expect(slots).toBeLessThanOrEqual(2 * DIRTY_PAGE);
      expect(r.grew).toBe(calls === 1);
    }
    expect(calls).toBe(3);
    expect(seen.every((v) => v === 1)).toBe(true);
    expect(s.dirty).toBe(false);
  });

  it('finds surfels by id across the whole u32 range (dense ids from 1, and any other id), also after removals and a reset', () => {
    const s = new SurfelStore(4);
    const big = [2 ** 26, 2 ** 31 + 5, 2 ** 32 - 1];
    s.apply(delta([1, 2, 5000, 70000, ...big], [1, 2, 3, 4, 5, 6, 7]));
    for (const [k, id] of [1, 2, 5000, 70000, ...big].entries()) {
      expect(s.ids[s.slot(id)!]).toBe(id);
      expect(s.labels[s.slot(id)!]).toBe(k + 1);
    }
    expect(s.has(3)).toBe(false);
    expect(s.has(2 ** 26 + 1)).toBe(false);
    // Removing moves the last surfel into the hole: its id must follow it.
    s.apply(delta([], [], { removed: [1, 2 ** 31 + 5] }));
    expect(s.count).toBe(5);
    expect(s.has(1)).toBe(false);
    expect(s.has(2 ** 31 + 5)).toBe(false);
    for (const id of [2, 5000, 70000, 2 ** 26, 2 ** 32 - 1]) expect(s.ids[s.slot(id)!]).toBe(id);
    s.apply(delta([7], [9], { reset: true }));
    expect(s.count).toBe(1);
    expect([s.has(2), s.has(2 ** 26), s.slot(7)]).toEqual([false, false, 0]);
  });
});
