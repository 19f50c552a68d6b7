import { describe, expect, it } from 'vitest';
import { adaptBudget, lodInstances, lodStride, MAX_LOD_STRIDE, MIN_MOVING_BUDGET, MOVING_TARGET_MS } from '../../renderer/scene/lod.js';

describe('level of detail while moving', () => {
  it('draws everything within the budget, and a stride that fits the budget beyond it', () => {
    expect(lodStride(900_000, 1_000_000)).toBe(1);
    expect(lodStride(1_000_000, 1_000_000)).toBe(1);
    expect(lodStride(1_000_001, 1_000_000)).toBe(2);
    expect(lodStride(2_000_000, 500_000)).toBe(4);
    expect(lodStride(2_000_000, 0)).toBe(1);
    for (const [count, budget] of [[2_000_000, 300_000], [1_234_567, 100_000], [5, 2]]) {
      const k = lodStride(count, budget);
      expect(lodInstances(count, k)).toBeLessThanOrEqual(budget);
      expect(lodInstances(count, k - 1)).toBeGreaterThan(budget);
    }
  });

  it('never strides past what WebGL allows (255-byte attribute strides, 16-byte geometry)', () => {
    expect(lodStride(2_000_000, 10_000)).toBe(MAX_LOD_STRIDE);
    expect(16 * MAX_LOD_STRIDE).toBeLessThanOrEqual(255);
    expect(16 * (MAX_LOD_STRIDE + 1)).toBeGreaterThan(255);
  });

  it('reads slots 0, k, 2k, … and never one past the last surfel', () => {
    for (const count of [1, 2, 20, 21, 22, 1000]) {
      for (const k of [1, 2, 3, 7, 15]) {
        const n = lodInstances(count, k);
        expect((n - 1) * k).toBeLessThan(count);
        expect(n * k).toBeGreaterThanOrEqual(count);
      }
    }
    expect(lodInstances(0, 4)).toBe(0);
  });

  it('adapts the moving budget to the frame time: halves at most per slow frame, grows back to the user\'s maximum', () => {
    expect(adaptBudget(1_000_000, 1000, 1_000_000)).toBe(500_000);
    expect(adaptBudget(400_000, MOVING_TARGET_MS / 2, 1_000_000)).toBe(600_000);
    expect(adaptBudget(900_000, 1, 1_000_000)).toBe(1_000_000);
    expect(adaptBudget(25_000, 5000, 1_000_000)).toBe(MIN_MOVING_BUDGET);
    expect(adaptBudget(100_000, MOVING_TARGET_MS, 1_000_000)).toBe(100_000);
    // A frame time proportional to the surfels drawn converges on the target.
    let b = 1_000_000;
    for (let i = 0; i < 20; i++) b = adaptBudget(b, (b / 1e6) * 1000, 1_000_000);
    expect(Math.abs((b / 1e6) * 1000 - MOVING_TARGET_MS)).toBeLessThan(2);
  });
});

describe('light level of detail beyond the attribute stride limit', () => {
  it('lightStride keeps at most the budget, however many surfels', async () => {
    const { lightStride } = await import('../../renderer/scene/lod.js');
    expect(lightStride(405_000, 4_500)).toBe(90);
    expect(lodInstances(405_000, lightStride(405_000, 4_500))).toBeLessThanOrEqual(4_500);
    expect(lightStride(10_000, 20_000)).toBe(1);
    expect(lightStride(10_000, 0)).toBe(1);
  });
});
