import { describe, expect, it } from 'vitest';
import { NYU40_NAMES, NYU13_NAMES, NYU40_TO_13, PALETTE40, remapLabels40to13, remapProbabilities40to13 } from '../../fusion/classes.js';

const id13 = (name: string) => NYU13_NAMES.indexOf(name);
const id40 = (name: string) => NYU40_NAMES.indexOf(name);

describe('NYU40 → 13 class table', () => {
  it('follows the SemanticFusion grouping named in the fact sheet', () => {
    expect(NYU40_NAMES).toHaveLength(40);
    expect(NYU13_NAMES).toHaveLength(14);
    const expected: Record<string, string> = {
      wall: 'wall', door: 'wall', floor: 'floor', 'floor mat': 'floor', cabinet: 'furniture', bookshelf: 'furniture',
      counter: 'furniture', shelves: 'furniture', dresser: 'furniture', refrigerator: 'furniture',
      'night stand': 'furniture', otherfurniture: 'furniture', table: 'table', desk: 'table', window: 'window',
      blinds: 'window', curtain: 'window', bed: 'bed', chair: 'chair', sofa: 'sofa', books: 'books',
      ceiling: 'ceiling', picture: 'picture', television: 'tv', lamp: 'objects', pillow: 'objects', box: 'objects',
      toilet: 'objects', otherprop: 'objects', person: 'objects',
    };
    for (const [from, to] of Object.entries(expected)) expect(NYU40_TO_13[id40(from)], from).toBe(id13(to));
  });

  it('draws class k with the VOC palette entry k + 1 (wall = [128,0,0])', () => {
    expect([PALETTE40[0], PALETTE40[1], PALETTE40[2]]).toEqual([128, 0, 0]);
    expect([PALETTE40[3], PALETTE40[4], PALETTE40[5]]).toEqual([0, 128, 0]);
  });

  it('sums the 40-class probabilities mapped to each of the 13 classes', () => {
    const p40 = new Float32Array(40);
    p40[id40('wall')] = 0.3; p40[id40('door')] = 0.2; p40[id40('desk')] = 0.4; p40[id40('lamp')] = 0.1;
    const out = remapProbabilities40to13(p40, 1, new Float32Array(13));
    expect(out[id13('wall') - 1]).toBeCloseTo(0.5, 6);
    expect(out[id13('table') - 1]).toBeCloseTo(0.4, 6);
    expect(out[id13('objects') - 1]).toBeCloseTo(0.1, 6);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('maps void to unlabelled', () => {
    expect(Array.from(remapLabels40to13(Uint8Array.from([0, 255, 21]), new Uint8Array(3)))).toEqual([12, 0, 3]);
  });
});
