import { describe, expect, it } from 'vitest';
import { MapCrf } from '../../fusion/map-crf.js';
import { SurfelMap } from '../../fusion/surfel-map.js';
import { LabelFusion, temperObservation } from '../../fusion/label-fusion.js';

const C = 13;

/** Sets surfel s's distribution to p on class id `label` (1-based), the rest shared evenly. */
function setBelief(map: SurfelMap, s: number, label: number, p: number): void {
  for (let c = 0; c < C; c++) map.probs[s * C + c] = (1 - p) / (C - 1);
  map.probs[s * C + label - 1] = p;
  map.label[s] = label;
  map.labelProb[s] = p;
}

function sumOf(map: SurfelMap, s: number): number {
  let t = 0;
  for (let c = 0; c < C; c++) t += map.probs[s * C + c];
  return t;
}

/** An n×n grid of surfels on the plane z = 0 (1 cm apart, normal +z, one grey), class `label` at probability p. */
function plane(map: SurfelMap, n: number, label: number, p: number, frame = 0): number[] {
  const slots: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const s = map.add(0.01 * i, 0.01 * j, 0, 0, 0, 1, 0.006, 128, 128, 128, 1, frame);
      setBelief(map, s, label, p);
      slots.push(s);
    }
  }
  return slots;
}

describe('map CRF (mean field over surfels, Potts, appearance + smoothness kernels)', () => {
  it('flips an isolated wrong label among consistent neighbours, and keeps the neighbours', () => {
    const map = new SurfelMap({ initialCapacity: 1024 });
    const slots = plane(map, 9, 2, 0.8);
    const centre = slots[4 * 9 + 4];
    setBelief(map, centre, 5, 0.8);
    const crf = new MapCrf({ window: 0, maxMs: 1e9 });
    const r = crf.run(map, 1);
    expect(r.surfels).toBe(81);
    expect(r.iterations).toBe(3);
    expect(r.relabelled).toBe(1);
    expect(map.label[centre]).toBe(2);
    for (const s of slots) {
      expect(map.label[s]).toBe(2);
      expect(sumOf(map, s)).toBeCloseTo(1, 5);
    }
    // The written-back distribution is the CRF's: the neighbours' class now leads at the centre.
    expect(map.labelProb[centre]).toBeGreaterThan(map.probs[centre * C + 4]);
    expect(map.lastUpdate[centre]).toBe(1);
    expect(r.meanNeighbours).toBeLessThanOrEqual(16);
    expect(r.meanNeighbours).toBeGreaterThan(8);
  });

  it('does not flip a surfel the neighbours cannot outweigh: a confident label with few similar neighbours stays', () => {
    const map = new SurfelMap({ initialCapacity: 1024 });
    const slots = plane(map, 9, 2, 0.6);
    const centre = slots[4 * 9 + 4];
    setBelief(map, centre, 5, 0.9999);
    // A weak pairwise term against a confident unary (floored at 1e-4: log-ratio 9.2 > the most neighbours add, 2).
    const r = new MapCrf({ window: 0, appearanceWeight: 1, smoothnessWeight: 1, unaryFloor: 1e-4 }).run(map, 1);
    expect(r.relabelled).toBe(0);
    expect(map.label[centre]).toBe(5);
  });

  it('keeps a label boundary along a normal discontinuity (one colour on both sides)', () => {
    // A floor (z = 0, normal +z) of 12×12 and a thin wall strip (x = 0.12, z = 0.01, normal −x) along its edge, same grey.
    const build = (): { map: SurfelMap; wall: number[]; floor: number[] } => {
      const map = new SurfelMap({ initialCapacity: 1024 });
      const floor = plane(map, 12, 1, 0.7);
      const wall: number[] = [];
      for (let j = 0; j < 12; j++) {
        const s = map.add(0.12, 0.01 * j, 0.01, -1, 0, 0, 0.006, 128, 128, 128, 1, 0);
        setBelief(map, s, 3, 0.7);
        wall.push(s);
      }
      return { map, wall, floor };
    };
    const options = { window: 0, appearanceWeight: 0, smoothnessWeight: 8, radius: 0.04, smoothnessPositionSigma: 0.03 };
    const kept = build();
    new MapCrf({ ...options, normalSigma: 0.3 }).run(kept.map, 1);
    for (const s of kept.wall) expect(kept.map.label[s]).toBe(3);
    for (const s of kept.floor) expect(kept.map.label[s]).toBe(1);
    // The same scene with normals ignored: the floor's many neighbours pull the thin wall over (so the normal
    // kernel is what keeps the boundary above).
    const lost = build();
    const r = new MapCrf({ ...options, normalSigma: 100 }).run(lost.map, 1);
    expect(r.relabelled).toBeGreaterThan(0);
    expect(lost.wall.some((s) => lost.map.label[s] === 1)).toBe(true);
  });

  it('separates by colour with the appearance kernel', () => {
    // Two halves of one plane, red labelled 4 and blue labelled 7, the smoothness kernel off: the boundary stays;
    // with colour ignored, a red surfel surrounded by blue ones flips.
    const make = (): { map: SurfelMap; odd: number } => {
      const map = new SurfelMap({ initialCapacity: 1024 });
      let odd = -1;
      for (let i = 0; i < 9; i++) {
        for (let j = 0; j < 9; j++) {
          const red = i < 4 || (i === 6 && j === 4);
          const s = map.add(0.01 * i, 0.01 * j, 0, 0, 0, 1, 0.006, red ? 200 : 20, 20, red ? 20 : 200, 1, 0);
          setBelief(map, s, red ? 4 : 7, 0.7);
          if (i === 6 && j === 4) odd = s;
        }
      }
      return { map, odd };
    };
    const a = make();
    new MapCrf({ window: 0, smoothnessWeight: 0, appearanceWeight: 8, colourSigma: 15 }).run(a.map, 1);
    expect(a.map.label[a.odd]).toBe(4);
    const b = make();
    new MapCrf({ window: 0, smoothnessWeight: 0, appearanceWeight: 8, colourSigma: 1e4 }).run(b.map, 1);
    expect(b.map.label[b.odd]).toBe(7);
  });

  it('takes only surfels updated within the window, at most maxSurfels, and unlabelled ones never', () => {
    const map = new SurfelMap({ initialCapacity: 1024 });
    const old = plane(map, 5, 2, 0.8, 0);
    for (const s of old) { map.position[3 * s] += 10; }
    const recent = plane(map, 5, 2, 0.8, 95);
    const unlabelled = map.add(0.02, 0.02, 0.001, 0, 0, 1, 0.006, 128, 128, 128, 1, 99);
    const crf = new MapCrf({ window: 10 });
    expect(crf.run(map, 100).surfels).toBe(recent.length);
    expect(map.label[unlabelled]).toBe(0);
    expect(new MapCrf({ window: 0, maxSurfels: 7 }).run(map, 100).surfels).toBe(7);
  });

  it('rejects options that make no sense', () => {
    expect(() => new MapCrf({ iterations: 0 })).toThrow(/iterations/);
    expect(() => new MapCrf({ radius: 0 })).toThrow(/radius/);
    expect(() => new MapCrf({ unaryFloor: 1 })).toThrow(/unaryFloor/);
  });
});

describe('tempered label observations', () => {
  it('mixes with uniform: a·p + (1 − a)/C', () => {
    const out = new Float32Array(3);
    temperObservation(new Float32Array([0, 0.9, 0.1, 0]), 1, 3, 0.7, out);
    expect(out[0]).toBeCloseTo(0.7 * 0.9 + 0.1, 6);
    expect(out[1]).toBeCloseTo(0.7 * 0.1 + 0.1, 6);
    expect(out[2]).toBeCloseTo(0.1, 6);
  });

  it('a pixel with uncertain predicted depth moves a surfel less than a certain one (sigmaRef)', () => {
    const run = (sigma: number): number => {
      const map = new SurfelMap({ initialCapacity: 16 });
      const s = map.add(0, 0, 1, 0, 0, -1, 0.01, 0, 0, 0, 1, 0);
      const lf = new LabelFusion({ sigmaRef: 0.15 });
      const obs = new Float32Array(C).fill(0.01); obs[2] = 1 - 0.01 * (C - 1);
      const sg = new Float32Array([sigma]);
      lf.update(map, { count: 0 } as never, new Float32Array([1]), 1, 1, Int32Array.of(s), Int32Array.of(0), 1, obs, 0, sg);
      return map.probs[s * C + 2];
    };
    const certain = run(0.02), uncertain = run(0.45);
    expect(certain).toBeGreaterThan(0.5);
    expect(uncertain).toBeLessThan(certain);
    // σ = 3σ₀: weight 1/10, so the observation is 0.1·0.88 + 0.9/13.
    expect(uncertain).toBeCloseTo(0.1 * 0.88 + 0.9 / C, 5);
  });

  it('a probability floor bounds what one confident wrong frame does to a confident surfel', () => {
    const run = (floor: number): number => {
      const map = new SurfelMap({ initialCapacity: 16 });
      const s = map.add(0, 0, 1, 0, 0, -1, 0.01, 0, 0, 0, 1, 0);
      const lf = new LabelFusion({ probabilityFloor: floor });
      const right = new Float32Array(C).fill(0.2 / 12); right[0] = 0.8;
      const wrong = new Float32Array(C).fill(0.001 / 12); wrong[5] = 0.999;
      const upd = (o: Float32Array): void => { lf.update(map, { count: 0 } as never, new Float32Array([1]), 1, 1, Int32Array.of(s), Int32Array.of(0), 1, o, 0); };
      for (let k = 0; k < 2; k++) upd(right);
      upd(wrong);
      return map.label[s];
    };
    expect(run(0)).toBe(6);
    expect(run(0.2)).toBe(1);
  });
});
