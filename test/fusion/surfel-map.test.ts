import { describe, expect, it } from 'vitest';
import { SlotList, SurfelMap } from '../../fusion/surfel-map.js';
import type { SurfelFilter } from '../../fusion/surfel-map.js';
import { identityPose } from '../../fusion/pose.js';

const K = { width: 100, height: 80, fx: 80, fy: 80, cx: 49.5, cy: 39.5 };
const ALL: SurfelFilter = { minLastUpdate: -Infinity, minConfidence: 0, frontFacing: true, minDepth: 0.1, maxDepth: 10, borderPx: 0 };

describe('SurfelMap', () => {
  it('grows by doubling without losing data and reuses freed slots with fresh ids', () => {
    const m = new SurfelMap({ classCount: 4, chunkSize: 1, initialCapacity: 4 });
    for (let i = 0; i < 10; i++) m.add(i, 0, 2, 0, 0, -1, 0.01, i, 0, 0, 1, 0);
    expect(m.capacity).toBe(16);
    expect(m.liveCount).toBe(10);
    expect(m.position[3 * 7]).toBe(7);
    expect(m.color[3 * 9]).toBe(9);
    expect(Array.from(m.probs.subarray(4 * 9, 4 * 10))).toEqual([0.25, 0.25, 0.25, 0.25]);
    const oldUid = m.uid[3];
    m.remove(3, 5);
    expect(m.liveCount).toBe(9);
    const s = m.add(100, 0, 2, 0, 0, -1, 0.01, 0, 0, 0, 1, 6);
    expect(s).toBe(3);
    expect(m.uid[3]).not.toBe(oldUid);
    expect(m.removedCount).toBe(1);
    expect(m.removedUids[0]).toBe(oldUid);
  });

  it('lists only surfels in the frustum, culling whole chunks, and applies the filters', () => {
    const m = new SurfelMap({ classCount: 13, chunkSize: 1, initialCapacity: 16 });
    const inView = m.add(0, 0, 2, 0, 0, -1, 0.01, 0, 0, 0, 1, 0);
    m.add(0, 0, -2, 0, 0, 1, 0.01, 0, 0, 0, 1, 0); // behind
    m.add(30, 0, 2, 0, 0, -1, 0.01, 0, 0, 0, 1, 0); // far to the side
    m.add(0.2, 0, 3, 0, 0, 1, 0.01, 0, 0, 0, 1, 0); // back-facing
    const old = m.add(-0.2, 0, 3, 0, 0, -1, 0.01, 0, 0, 0, 1, -50); // stale
    const list = new SlotList();
    expect(m.collectInFrustum(identityPose(), K, ALL, list)).toBe(2);
    expect(Array.from(list.slots.subarray(0, 2)).sort()).toEqual([inView, old].sort());
    expect(list.u[0]).toBeCloseTo(49.5, 4);
    expect(m.collectInFrustum(identityPose(), K, { ...ALL, minLastUpdate: -10 }, list)).toBe(1);
    expect(m.collectInFrustum(identityPose(), K, { ...ALL, frontFacing: false }, list)).toBe(3);
    // Chunks: the far and behind surfels sit in chunks the frustum test skips entirely.
    expect(m.chunks.length).toBe(5);
  });
});
