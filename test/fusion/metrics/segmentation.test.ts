import { describe, expect, it } from 'vitest';
import { ConfusionMatrix } from '../../../fusion/metrics/segmentation.js';

describe('ConfusionMatrix', () => {
  it('scores a hand-worked 4-class example with a void pixel, an unpredicted pixel and a predicted-only class', () => {
    //           px: 0  1  2  3  4  5    6
    const gt = [0, 0, 0, 1, 1, 2, 255];
    const pred = [0, 0, 1, 1, 3, 9, 2];
    // px 6: gt void → ignored. px 5: gt 2, pred 9 (not a class) → wrong, counted against class 2 only.
    // counts: (0,0)=2 (0,1)=1 (1,1)=1 (1,3)=1; unpredicted[2]=1.
    // class 0: gt 3, pred 2, tp 2 → IoU 2/(3+2−2)=2/3, recall 2/3
    // class 1: gt 2, pred 2, tp 1 → IoU 1/3,            recall 1/2
    // class 2: gt 1, pred 0, tp 0 → IoU 0,              recall 0
    // class 3: gt 0, pred 1, tp 0 → IoU 0,              recall NaN (absent from gt)
    // pixel acc = (2+1)/6; class acc = (2/3+1/2+0)/3 = 7/18;
    // mIoU (gt ∪ pred classes) = (2/3+1/3+0+0)/4 = 1/4; mIoU (gt classes) = (2/3+1/3+0)/3 = 1/3.
    const cm = new ConfusionMatrix({ classes: 4, firstLabel: 0 });
    cm.update(gt, pred);
    const s = cm.compute();
    expect(s.pixels).toBe(6);
    expect(s.pixelAccuracy).toBeCloseTo(0.5, 12);
    expect(s.classAccuracy).toBeCloseTo(7 / 18, 12);
    expect(s.mIoU).toBeCloseTo(1 / 4, 12);
    expect(s.mIoUGroundTruthClasses).toBeCloseTo(1 / 3, 12);
    expect(Array.from(s.iou.slice(0, 3))).toEqual([2 / 3, 1 / 3, 0]);
    expect(s.iou[3]).toBe(0);
    expect(Number.isNaN(s.recall[3])).toBe(true);
  });

  it('accumulates over updates and resets', () => {
    // Two single-pixel images: one right, one wrong → 1/2; again after reset: only the new one counts.
    const cm = new ConfusionMatrix({ classes: 2, firstLabel: 0 });
    cm.update([0], [0]);
    cm.update([1], [0]);
    expect(cm.compute().pixelAccuracy).toBe(0.5);
    cm.reset();
    cm.update([1], [1]);
    expect(cm.compute().pixelAccuracy).toBe(1);
    expect(cm.compute().pixels).toBe(1);
  });

  it('13-class ids: gt 0 (unlabelled) is ignored, pred 0 (no fused label) is wrong', () => {
    // px0 gt 0 → ignored; px1 1→1 right; px2 2→0 wrong (unpredicted). Accuracy 1/2.
    // class 1 (index 0): gt 1, pred 1, tp 1 → IoU 1; class 2: gt 1, tp 0, pred 0 → IoU 0; mIoU = 1/2.
    const cm = new ConfusionMatrix({ classes: 13, firstLabel: 1 });
    cm.update(Uint8Array.of(0, 1, 2), Uint8Array.of(1, 1, 0));
    const s = cm.compute();
    expect(s.pixels).toBe(2);
    expect(s.pixelAccuracy).toBe(0.5);
    expect(s.mIoU).toBe(0.5);
  });

  it('rejects images of different sizes', () => {
    expect(() => new ConfusionMatrix({ classes: 2, firstLabel: 0 }).update([0, 1], [0])).toThrow(RangeError);
  });
});
