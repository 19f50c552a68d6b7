import { describe, expect, it } from 'vitest';
import { CONFIDENCE_SCALE, decodeMapDelta, encodeMapDelta, encodeMapDeltaParts, splitMapDelta } from '../../main/contract/mapDelta.js';
import type { MapDelta, SurfelRecords } from '../../main/contract/mapDelta.js';
import { SurfelStore } from '../../renderer/scene/surfelStore.js';

function decoded(packet: Uint8Array): MapDelta {
  const d = decodeMapDelta(packet);
  if (!d.ok) throw new Error(d.message);
  return d.value;
}

function records(n: number): SurfelRecords {
  const positions = new Float32Array(3 * n);
  const normals = new Float32Array(3 * n);
  const colors = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    positions.set([i * 0.5, -i, 2 + i * 0.25], 3 * i);
    const a = i * 0.7;
    normals.set([Math.cos(a), Math.sin(a), 0], 3 * i);
    colors.set([i * 10, 255 - i, 7], 3 * i);
  }
  return {
    count: n,
    ids: Uint32Array.from({ length: n }, (_, i) => 1000 + i),
    positions,
    normals,
    colors,
    radii: Float32Array.from({ length: n }, (_, i) => 0.01 * (i + 1)),
    confidence: Float32Array.from({ length: n }, (_, i) => i * 3),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 14),
    labelProb: Float32Array.from({ length: n }, (_, i) => i / n),
    stable: Uint8Array.from({ length: n }, (_, i) => i % 2),
  };
}

describe('map-delta packets', () => {
  it('round-trips every field within its quantisation', () => {
    const r = records(7);
    const packet = encodeMapDelta(r, { reset: true, frame: 42, total: 99, removedIds: [5, 6] });
    const d = decodeMapDelta(packet);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    const m = d.value;
    expect([m.reset, m.frame, m.count, m.removed, m.total]).toEqual([true, 42, 7, 2, 99]);
    expect(Array.from(m.ids)).toEqual(Array.from(r.ids));
    expect(Array.from(m.removedIds)).toEqual([5, 6]);
    for (let i = 0; i < 7; i++) {
      for (let k = 0; k < 3; k++) {
        expect(m.positions[3 * i + k]).toBeCloseTo(r.positions[3 * i + k], 5);
        expect(m.normals[3 * i + k] / 127).toBeCloseTo(r.normals[3 * i + k], 1);
        expect(m.colors[3 * i + k]).toBe(r.colors[3 * i + k]);
      }
      expect(m.radii[i]).toBeCloseTo(r.radii[i], 6);
      expect(m.labels[i]).toBe(r.labels[i]);
      expect(m.stable[i]).toBe(i % 2);
      expect(m.confidence[i]).toBe(Math.min(255, Math.round((r.confidence[i] / CONFIDENCE_SCALE) * 255)));
    }
  });

  it('is compact: 30 bytes per surfel', () => {
    const packet = encodeMapDelta(records(1000), { reset: false, frame: 1, total: 1000 });
    expect(packet.byteLength).toBeLessThan(1000 * 30 + 64);
  });

  it('rejects truncated and foreign packets with a message', () => {
    const packet = encodeMapDelta(records(3), { reset: false, frame: 1, total: 3 });
    const cut = decodeMapDelta(packet.subarray(0, packet.length - 4));
    expect(cut.ok).toBe(false);
    const bad = packet.slice();
    bad[0] = 0;
    const foreign = decodeMapDelta(bad);
    expect(foreign.ok ? '' : foreign.message).toMatch(/magic/);
  });

  it('decodes a packet that starts at an unaligned offset', () => {
    const packet = encodeMapDelta(records(3), { reset: false, frame: 9, total: 3 });
    const shifted = new Uint8Array(packet.length + 1);
    shifted.set(packet, 1);
    const d = decodeMapDelta(shifted.subarray(1));
    expect(d.ok && d.value.frame).toBe(9);
  });

  it('splits an update into parts that leave a view as the single packet does', () => {
    const before = records(25);
    const update = records(20); // ids 1000..1019: updates of surfels the view has
    const removedIds = [1021, 1024];
    for (let i = 0; i < 3 * update.count; i++) (update.positions as Float32Array)[i] += 5; // moved
    const whole = new SurfelStore(8);
    const split = new SurfelStore(8);
    for (const s of [whole, split]) s.apply(decoded(encodeMapDelta(before, { reset: true, frame: 1, total: 25 })));
    whole.apply(decoded(encodeMapDelta(update, { reset: false, frame: 2, total: 23, removedIds })));
    const parts = encodeMapDeltaParts(update, { reset: false, frame: 2, total: 23, removedIds }, 8).map(decoded);
    expect(parts.map((p) => [p.count, p.removed, p.more, p.reset, p.frame, p.total])).toEqual([
      [8, 2, true, false, 2, 23], [8, 0, true, false, 2, 23], [4, 0, false, false, 2, 23],
    ]);
    for (const p of parts) split.apply(p);
    expect(split.count).toBe(whole.count);
    expect(split.count).toBe(23);
    expect(split.slot(1021)).toBeUndefined();
    for (const id of [1000, 1007, 1019, 1022]) {
      const a = whole.slot(id), b = split.slot(id);
      expect(b === undefined).toBe(a === undefined);
      if (a === undefined || b === undefined) continue;
      expect(Array.from(split.positions.subarray(3 * b, 3 * b + 3))).toEqual(Array.from(whole.positions.subarray(3 * a, 3 * a + 3)));
    }
    expect(Array.from(split.classCounts)).toEqual(Array.from(whole.classCounts));
  });

  it('a reset goes with the first part only, and an empty update is one packet', () => {
    const parts = encodeMapDeltaParts(records(5), { reset: true, frame: 3, total: 5 }, 2).map(decoded);
    expect(parts.map((p) => [p.reset, p.more, p.count])).toEqual([[true, true, 2], [false, true, 2], [false, false, 1]]);
    const empty = encodeMapDeltaParts(records(0), { reset: true, frame: 0, total: 0 }).map(decoded);
    expect(empty.map((p) => [p.reset, p.more, p.count])).toEqual([[true, false, 0]]);
    expect(decoded(encodeMapDelta(records(4), { reset: false, frame: 1, total: 4 })).more).toBe(false);
  });

  it('refuses a record range outside the records', () => {
    expect(() => encodeMapDelta(records(3), { reset: false, frame: 1, total: 3, from: 2, to: 4 })).toThrow(/\[2, 4\) outside 0..3/);
    expect(() => encodeMapDeltaParts(records(3), { reset: false, frame: 1, total: 3 }, 0)).toThrow(/positive integer/);
  });

  it('splits an encoded packet into the parts encodeMapDeltaParts makes, byte for byte', () => {
    const r = records(11);
    const options = { reset: true, frame: 4, total: 11, removedIds: [3, 9] };
    const packet = encodeMapDelta(r, options);
    expect(splitMapDelta(packet, 4)).toEqual(encodeMapDeltaParts(r, options, 4));
    expect(splitMapDelta(packet, 11)).toEqual([packet]);
    const unaligned = new Uint8Array(packet.length + 1);
    unaligned.set(packet, 1);
    expect(splitMapDelta(unaligned.subarray(1), 5)).toEqual(encodeMapDeltaParts(r, options, 5));
    expect(() => splitMapDelta(packet.subarray(0, 20))).toThrow(/shorter than the header/);
  });
});
