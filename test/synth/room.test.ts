import { describe, expect, it } from 'vitest';
import { generateRoom, rectInsideRoom, ROOM_KINDS } from '../../main/synth/room.js';
import { Renderer } from '../../main/synth/renderer.js';
import { kinectIntrinsics } from '../../main/synth/sequence.js';
import { sampleViews } from '../../main/synth/trajectory.js';

function meshBytes(seed: number): Uint8Array[] {
  const m = generateRoom(seed).mesh;
  return [m.positions, m.normals, m.frames, m.modes, m.materials, m.objects].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

describe('generateRoom', () => {
  it('is deterministic: same seed → identical room, different seeds → different rooms', () => {
    expect(meshBytes(5)).toEqual(meshBytes(5));
    const a = generateRoom(5), b = generateRoom(6);
    expect(a.mesh.positions.length === b.mesh.positions.length && a.mesh.positions.every((v, i) => v === b.mesh.positions[i])).toBe(false);
    expect(JSON.stringify(generateRoom(11).items)).toBe(JSON.stringify(generateRoom(11).items));
  });

  it('makes rooms of every kind, rectangles and L shapes, with ceilings of 2.4–3.2 m', () => {
    const kinds = new Set<string>();
    let lShapes = 0;
    for (let seed = 0; seed < 30; seed++) {
      const room = generateRoom(seed);
      kinds.add(room.kind);
      if (room.notch) { lShapes++; expect(room.walls.length).toBe(6); } else expect(room.walls.length).toBe(4);
      expect(room.height).toBeGreaterThanOrEqual(2.4);
      expect(room.height).toBeLessThanOrEqual(3.2);
    }
    expect(kinds.size).toBe(ROOM_KINDS.length);
    expect(lShapes).toBeGreaterThan(3);
    expect(generateRoom(1, { kind: 'kitchen' }).kind).toBe('kitchen');
  });

  it('keeps furniture inside the room and free of overlaps', () => {
    for (let seed = 0; seed < 25; seed++) {
      const room = generateRoom(seed);
      const solid = room.items.filter((it) => it.kind === 'floor' || it.kind === 'wall');
      expect(solid.filter((it) => it.kind === 'floor').length).toBeGreaterThanOrEqual(3);
      for (const it of room.items) {
        const b = it.bounds;
        expect(rectInsideRoom(room, { x0: b.min[0], y0: b.min[1], x1: b.max[0], y1: b.max[1] }, 1e-6)).toBe(true);
        expect(b.min[2]).toBeGreaterThanOrEqual(-1e-9);
        expect(b.max[2]).toBeLessThanOrEqual(room.height + 1e-9);
      }
      for (let i = 0; i < solid.length; i++) {
        for (let j = i + 1; j < solid.length; j++) {
          const a = solid[i].bounds, b = solid[j].bounds;
          const overlap = [0, 1, 2].every((c) => a.max[c] > b.min[c] + 1e-6 && b.max[c] > a.min[c] + 1e-6);
          expect(overlap, `room ${seed}: ${solid[i].name} overlaps ${solid[j].name}`).toBe(false);
        }
      }
      // Everything on the floor rests on it.
      for (const it of room.items.filter((x) => x.kind === 'floor' || x.kind === 'mat')) expect(it.bounds.min[2]).toBeLessThan(0.2);
    }
  });

  it('scales the floor plan by sizeScale (1: the same room, bit for bit), furniture still inside and apart', () => {
    expect(meshBytes(7)).toEqual((() => {
      const m = generateRoom(7, { sizeScale: 1 }).mesh;
      return [m.positions, m.normals, m.frames, m.modes, m.materials, m.objects].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    })());
    for (let seed = 0; seed < 12; seed++) {
      const small = generateRoom(seed), big = generateRoom(seed, { sizeScale: 1.8 });
      expect(big.kind).toBe(small.kind);
      expect(big.width).toBeCloseTo(1.8 * small.width, 9);
      expect(big.depth).toBeCloseTo(1.8 * small.depth, 9);
      for (const it of big.items) {
        const b = it.bounds;
        expect(rectInsideRoom(big, { x0: b.min[0], y0: b.min[1], x1: b.max[0], y1: b.max[1] }, 1e-6)).toBe(true);
      }
    }
    expect(() => generateRoom(1, { sizeScale: 0 })).toThrow(/sizeScale/);
  });

  it('labels at least 20 distinct NYUDv2 classes across a few rooms', () => {
    const K = kinectIntrinsics(160, 120);
    const renderer = new Renderer(160, 120);
    const seen = new Set<number>();
    for (let seed = 0; seed < 8; seed++) {
      const room = generateRoom(seed);
      for (const T of sampleViews(room, 3, 6)) {
        const out = renderer.render(room, T, K);
        for (const l of out.labels40) seen.add(l);
      }
    }
    seen.delete(255);
    expect(seen.size).toBeGreaterThanOrEqual(20);
  });
});
