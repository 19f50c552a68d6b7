/**
 * Semantic segmentation metrics from an accumulated confusion matrix (reset / update / compute, as
 * torchvision's references and DenseTorch do), so a whole sequence or dataset is scored at once — the
 * convention of SemanticFusion's and Light-Weight RefineNet's tables (not a mean of per-image scores).
 *
 * Labels: `firstLabel` is the label value of class index 0, so the 40-class set (0..39, void 255) uses
 * firstLabel 0 and the 13-class set (ids 1..13, 0 = unlabelled) uses firstLabel 1.
 * - A pixel whose ground truth is not one of the classes (void 255, unlabelled 0) is ignored.
 * - A prediction that is not one of the classes (e.g. 0 = "no fused label" where the map has nothing) is
 *   counted as wrong: a false negative of the true class, a false positive of nobody.
 */

export interface ConfusionMatrixOptions {
  /** Number of classes. */
  readonly classes: number;
  /** Label value of class index 0 (0 for NYU40 0..39, 1 for the 13-class ids 1..13). */
  readonly firstLabel: number;
}

export interface SegmentationScores {
  /** Pixels scored (ground truth is a class). */
  readonly pixels: number;
  /** Correct pixels / scored pixels. Higher is better. */
  readonly pixelAccuracy: number;
  /** Mean over classes present in ground truth of the per-class recall TP/(TP+FN). Higher is better. */
  readonly classAccuracy: number;
  /**
   * Mean IoU over classes present in ground truth OR prediction (TP+FP+FN > 0): a class the model
   * predicts but the scene lacks scores 0 and pulls the mean down (the NaN-skipping `nanmean` of most
   * segmentation code). Higher is better.
   */
  readonly mIoU: number;
  /** Mean IoU over classes present in ground truth only (TP+FN > 0). Higher is better. */
  readonly mIoUGroundTruthClasses: number;
  /** Per-class IoU TP/(TP+FP+FN); NaN where the class appears in neither. */
  readonly iou: Float64Array;
  /** Per-class recall; NaN where the class is absent from ground truth. */
  readonly recall: Float64Array;
}

export class ConfusionMatrix {
  readonly classes: number;
  readonly firstLabel: number;
  /** counts[gt * classes + pred]. */
  readonly counts: Float64Array;
  /** Scored pixels whose prediction was not a class (per ground-truth class). */
  readonly unpredicted: Float64Array;

  constructor(options: ConfusionMatrixOptions) {
    if (!(options.classes > 0)) throw new RangeError(`ConfusionMatrix: classes must be positive (got ${options.classes})`);
    this.classes = options.classes;
    this.firstLabel = options.firstLabel;
    this.counts = new Float64Array(this.classes * this.classes);
    this.unpredicted = new Float64Array(this.classes);
  }

  reset(): void {
    this.counts.fill(0);
    this.unpredicted.fill(0);
  }

  /** Accumulates one label image pair of equal length. */
  update(groundTruth: ArrayLike<number>, prediction: ArrayLike<number>): void {
    if (groundTruth.length !== prediction.length) {
      throw new RangeError(`ConfusionMatrix.update: ${groundTruth.length} ground-truth vs ${prediction.length} predicted pixels`);
    }
    const k = this.classes, f = this.firstLabel;
    for (let i = 0; i < groundTruth.length; i++) {
      const g = groundTruth[i] - f;
      if (g < 0 || g >= k) continue;
      const p = prediction[i] - f;
      if (p < 0 || p >= k) this.unpredicted[g]++;
      else this.counts[g * k + p]++;
    }
  }

  compute(): SegmentationScores {
    const k = this.classes;
    const iou = new Float64Array(k);
    const recall = new Float64Array(k);
    let total = 0, correct = 0;
    let iouSum = 0, iouN = 0, iouGtSum = 0, iouGtN = 0, recallSum = 0, recallN = 0;
    for (let c = 0; c < k; c++) {
      let gtCount = this.unpredicted[c], predCount = 0;
      for (let j = 0; j < k; j++) {
        gtCount += this.counts[c * k + j];
        predCount += this.counts[j * k + c];
      }
      const tp = this.counts[c * k + c];
      total += gtCount;
      correct += tp;
      const union = gtCount + predCount - tp;
      iou[c] = union > 0 ? tp / union : NaN;
      recall[c] = gtCount > 0 ? tp / gtCount : NaN;
      if (union > 0) { iouSum += iou[c]; iouN++; }
      if (gtCount > 0) { iouGtSum += iou[c]; iouGtN++; recallSum += recall[c]; recallN++; }
    }
    return {
      pixels: total,
      pixelAccuracy: total > 0 ? correct / total : NaN,
      classAccuracy: recallN > 0 ? recallSum / recallN : NaN,
      mIoU: iouN > 0 ? iouSum / iouN : NaN,
      mIoUGroundTruthClasses: iouGtN > 0 ? iouGtSum / iouGtN : NaN,
      iou,
      recall,
    };
  }
}
