import { describe, expect, it } from 'vitest';
import { SlotList, SurfelMap } from '../../fusion/surfel-map.js';
import type { SurfelFilter } from '../../fusion/surfel-map.js';
import { identityPose } from '../../fusion/pose.js';
import { serialPool, type KernelPool } from '../../fusion/parallel/pool.js';

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

  it('lists exactly the surfels a brute-force projection keeps when the projection is cut into many parts', () => {
    // 300k surfels over 60 chunks (some behind, beside, back-facing, stale): the projection runs in ~9 parts
    // that each write from their own offset and are then moved together.
    const m = new SurfelMap({ classCount: 13, chunkSize: 1, initialCapacity: 1024 });
    let seed = 1;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    for (let i = 0; i < 300_000; i++) {
      const x = (rnd() - 0.5) * 10, y = (rnd() - 0.5) * 6, z = (rnd() - 0.2) * 8;
      const facing = rnd() < 0.9 ? -1 : 1;
      m.add(x, y, z, 0, 0, facing, 0.01, 0, 0, 0, 1, rnd() < 0.1 ? -100 : 0);
    }
    const filter: SurfelFilter = { ...ALL, minLastUpdate: -10, maxDepth: 5 };
    const list = new SlotList();
    const n = m.collectInFrustum(identityPose(), K, filter, list);
    const expected: number[] = [];
    for (let s = 0; s < m.highWater; s++) {
      const x = m.position[3 * s], y = m.position[3 * s + 1], z = m.position[3 * s + 2];
      if (m.lastUpdate[s] < -10 || z < 0.1 || z > 5 || m.normal[3 * s + 2] * z > 0) continue;
      const u = (K.fx * x) / z + K.cx, v = (K.fy * y) / z + K.cy;
      if (u < -0.5 || u >= K.width - 0.5 || v < -0.5 || v >= K.height - 0.5) continue;
      expected.push(s);
    }
    expect(expected.length).toBeGreaterThan(20_000);
    expect(n).toBe(expected.length);
    const got = Array.from(list.slots.subarray(0, n)).sort((a, b) => a - b);
    expect(got).toEqual(expected);
    // Each listed entry carries its own projection.
    for (let j = 0; j < n; j += 997) {
      const s = list.slots[j];
      expect(list.z[j]).toBeCloseTo(m.position[3 * s + 2], 5);
      expect(list.u[j]).toBeCloseTo((K.fx * m.position[3 * s]) / m.position[3 * s + 2] + K.cx, 3);
    }
  });

  it('skips chunks whose surfels are all older than minLastUpdate, and lists them again once one is touched or re-filed', () => {
    // Two chunks in view: one updated at frame 100, one last updated at frame 10 (inactive for minLastUpdate 50).
    const scanned: number[] = [];
    const counting = {
      threads: 1, allocator: serialPool.allocator, close: () => undefined,
      run: ((name, args, n, out, stride, min) => { if (name === 'collectSurfels') scanned.push(n); return serialPool.run(name, args, n, out, stride, min); }) as KernelPool['run'],
    } satisfies KernelPool;
    const cm = new SurfelMap({ classCount: 4, chunkSize: 1, initialCapacity: 16 }, counting);
    const fresh = cm.add(0.3, 0.3, 2.5, 0, 0, -1, 0.01, 0, 0, 0, 1, 100);
    const stale: number[] = [];
    for (let i = 0; i < 5; i++) stale.push(cm.add(-0.7 + 0.05 * i, -0.3, 3.5, 0, 0, -1, 0.01, 0, 0, 0, 1, 10));
    const list = new SlotList();
    const active: SurfelFilter = { ...ALL, minLastUpdate: 50 };
    expect(cm.collectInFrustum(identityPose(), K, active, list)).toBe(1);
    expect(list.slots[0]).toBe(fresh);
    expect(scanned.at(-1)).toBe(1); // the stale chunk was not scanned
    // Everything still lists the stale surfels.
    expect(cm.collectInFrustum(identityPose(), K, ALL, list)).toBe(6);
    // Touching one stale surfel (loop closure reactivating it) makes its chunk count again.
    cm.touch(stale[2], 120);
    expect(cm.collectInFrustum(identityPose(), K, active, list)).toBe(2);
    expect(Array.from(list.slots.subarray(0, 2)).sort()).toEqual([fresh, stale[2]].sort());
    // After a scan the bound is exact again: once the touched surfel is old too, the chunk is skipped.
    expect(cm.collectInFrustum(identityPose(), K, { ...ALL, minLastUpdate: 121 }, list)).toBe(0);
    expect(cm.collectInFrustum(identityPose(), K, { ...ALL, minLastUpdate: 121 }, list)).toBe(0);
    expect(scanned.at(-1)).toBe(0);
    // A listed chunk marked as updated (fusion writes lastUpdate into listed surfels) is scanned again.
    expect(cm.collectInFrustum(identityPose(), K, active, list)).toBe(2);
    cm.markListedChunks(200);
    expect(cm.collectInFrustum(identityPose(), K, { ...ALL, minLastUpdate: 150 }, list)).toBe(0);
    expect(scanned.at(-1)).toBe(6);
  });
});
