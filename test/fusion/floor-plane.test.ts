import { describe, expect, it } from 'vitest';
import { FloorPlaneEstimator, heightAboveFloor, suppressFloorAbove, DEFAULT_FLOOR_PLANE_OPTIONS } from '../../fusion/floor-plane.js';
import { SurfelMap } from '../../fusion/surfel-map.js';
import { LabelFusion } from '../../fusion/label-fusion.js';

const C = 13;
const FLOOR = 5, TABLE = 10;

/** A surfel labelled `label` at probability p, with `second` taking most of the rest. */
function surfel(map: SurfelMap, x: number, y: number, z: number, n: [number, number, number], label: number, p: number, second: number): number {
  const s = map.add(x, y, z, n[0], n[1], n[2], 0.006, 128, 128, 128, 1, 0);
  for (let c = 0; c < C; c++) map.probs[s * C + c] = 0.01 / (C - 2);
  map.probs[s * C + label - 1] = p;
  map.probs[s * C + second - 1] = 0.99 - p;
  map.label[s] = label; map.labelProb[s] = p;
  return s;
}

/** A tilted room: floor 30×30 at height 0 along `up`, a table top 10×10 at 0.75 wrongly labelled floor. */
function room(up: [number, number, number]): { map: SurfelMap; floor: number[]; table: number[] } {
  // An orthonormal frame (a, b, up) so the floor is not axis-aligned.
  const [ux, uy, uz] = up;
  const a: [number, number, number] = Math.abs(ux) < 0.9 ? [0, uz, -uy] : [-uz, 0, ux];
  const la = Math.hypot(...a); a[0] /= la; a[1] /= la; a[2] /= la;
  const b: [number, number, number] = [uy * a[2] - uz * a[1], uz * a[0] - ux * a[2], ux * a[1] - uy * a[0]];
  const at = (i: number, j: number, h: number): [number, number, number] =>
    [a[0] * i + b[0] * j + ux * h, a[1] * i + b[1] * j + uy * h, a[2] * i + b[2] * j + uz * h];
  const map = new SurfelMap({ initialCapacity: 2048 });
  const floor: number[] = [], table: number[] = [];
  for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) floor.push(surfel(map, ...at(0.05 * i, 0.05 * j, 0.01 * ((i * 7 + j) % 3 - 1)), up, FLOOR, 0.95, TABLE));
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) table.push(surfel(map, ...at(0.5 + 0.02 * i, 0.5 + 0.02 * j, 0.75), up, FLOOR, 0.95, TABLE));
  return { map, floor, table };
}

describe('floor plane from the map\'s floor surfels', () => {
  it('finds up and the floor height of a tilted room, and a table top wrongly labelled floor does not lift it', () => {
    const up: [number, number, number] = [0.2, -0.3, 0.9];
    const l = Math.hypot(...up); up[0] /= l; up[1] /= l; up[2] /= l;
    const { map } = room(up);
    const plane = new FloorPlaneEstimator().estimate(map)!;
    expect(plane).not.toBeNull();
    expect(plane.up[0] * up[0] + plane.up[1] * up[1] + plane.up[2] * up[2]).toBeGreaterThan(0.9999);
    expect(Math.abs(plane.height)).toBeLessThan(0.02);
    expect(plane.surfels).toBe(1000);
    // The floor's own points lie within a centimetre of it, the table top 0.75 m above.
    expect(plane.spread).toBeLessThan(0.02);
  });

  it('follows a bent floor (predicted depth curls it) with the quadratic, so its far end is not taken for furniture', () => {
    const map = new SurfelMap({ initialCapacity: 2048 });
    // Height along z = 0.08·x² (x up to 3 m: 0.72 m at the far end), normals roughly up.
    const far: number[] = [];
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) {
      const x = 0.1 * i, s = surfel(map, x, 0.1 * j, 0.08 * x * x, [-0.16 * x, 0, 1], FLOOR, 0.95, TABLE);
      if (i >= 27) far.push(s);
    }
    const est = new FloorPlaneEstimator();
    const plane = est.estimate(map)!;
    expect(plane.spread).toBeLessThan(0.01);
    suppressFloorAbove(map, plane, est.options, 1);
    for (const s of far) expect(map.label[s]).toBe(FLOOR);
    const above = map.add(2.9, 1.5, 0.08 * 2.9 * 2.9 + 0.5, 0, 0, 1, 0.006, 0, 0, 0, 1, 0);
    expect(heightAboveFloor(plane, map.position[3 * above], map.position[3 * above + 1], map.position[3 * above + 2])).toBeCloseTo(0.5, 1);
  });

  it('relabels surfels above the floor (the table top) and leaves the floor', () => {
    const { map, floor, table } = room([0, 0, 1]);
    const est = new FloorPlaneEstimator();
    const plane = est.estimate(map)!;
    const changed = suppressFloorAbove(map, plane, est.options, 3);
    expect(changed).toBe(table.length);
    for (const s of table) { expect(map.label[s]).toBe(TABLE); expect(map.lastUpdate[s]).toBe(3); }
    for (const s of floor) expect(map.label[s]).toBe(FLOOR);
  });

  it('says nothing when the map has too little floor', () => {
    const map = new SurfelMap({ initialCapacity: 64 });
    for (let i = 0; i < 20; i++) surfel(map, 0.05 * i, 0, 0, [0, 0, 1], FLOOR, 0.95, TABLE);
    expect(new FloorPlaneEstimator().estimate(map)).toBeNull();
  });

  it('label fusion scales the floor channel of observations of surfels above the plane only', () => {
    const map = new SurfelMap({ initialCapacity: 16 });
    const low = map.add(0, 0, 0.05, 0, 0, 1, 0.01, 0, 0, 0, 1, 0);
    const high = map.add(0, 0, 0.6, 0, 0, 1, 0.01, 0, 0, 0, 1, 0);
    const lf = new LabelFusion();
    const flat = {
      up: Float64Array.of(0, 0, 1), height: 0, origin: new Float64Array(3), axisU: Float64Array.of(1, 0, 0),
      axisV: Float64Array.of(0, 1, 0), bend: new Float64Array(6), surfels: 0, spread: 0,
    };
    lf.setFloorPlane(flat, DEFAULT_FLOOR_PLANE_OPTIONS.minHeight, FLOOR - 1, 0.05);
    // Two pixels, both "floor 0.6, table 0.3".
    const obs = new Float32Array(2 * C).fill(0.1 / 11);
    for (const p of [0, 1]) { obs[p * C + FLOOR - 1] = 0.6; obs[p * C + TABLE - 1] = 0.3; }
    lf.update(map, { count: 0 } as never, new Float32Array(2), 2, 1, Int32Array.of(low, high), Int32Array.of(0, 1), 2, obs, 0);
    expect(map.label[low]).toBe(FLOOR);
    expect(map.label[high]).toBe(TABLE);
    lf.setFloorPlane(null);
    lf.update(map, { count: 0 } as never, new Float32Array(2), 2, 1, Int32Array.of(high), Int32Array.of(1), 1, obs, 1);
    expect(map.probs[high * C + FLOOR - 1]).toBeGreaterThan(0.6 * 0.05 * 0.9);
  });
});
