import { NYU13_CLASS_COUNT } from '../../fusion/classes.js';
import type { Mat4 } from '../../fusion/pose.js';
import { ConfusionMatrix } from '../../fusion/metrics/segmentation.js';
import type { LabelScores } from '../pipeline/mapSequence.js';

/** A labelled frame kept for scoring: its pose, 13-class ground truth and the single-frame prediction. */
export interface EvaluatedFrame {
  readonly T_world_camera: Mat4;
  readonly gt13: Uint8Array;
  readonly single13: Uint8Array;
}

/**
 * Fused vs single-frame label scores over the same frames and pixels: the map's labels rendered into each
 * frame at its pose; pixels the map does not cover keep the frame's own prediction (coverage is reported).
 * Used by `semslam map` and by app sessions alike.
 */
export function scoreFusedLabels(
  evaluated: readonly EvaluatedFrame[], width: number, height: number,
  renderLabels: (T_world_camera: Mat4, out: Uint8Array) => void,
): LabelScores {
  const n = width * height;
  const rendered = new Uint8Array(n);
  const fused = new ConfusionMatrix({ classes: NYU13_CLASS_COUNT, firstLabel: 1 });
  const single = new ConfusionMatrix({ classes: NYU13_CLASS_COUNT, firstLabel: 1 });
  let covered = 0, scored = 0;
  for (const e of evaluated) {
    renderLabels(e.T_world_camera, rendered);
    for (let p = 0; p < n; p++) {
      if (e.gt13[p] === 0) continue;
      scored++;
      if (rendered[p] !== 0) covered++;
      else rendered[p] = e.single13[p];
    }
    fused.update(e.gt13, rendered);
    single.update(e.gt13, e.single13);
  }
  const s = single.compute();
  const f = fused.compute();
  return {
    frames: evaluated.length,
    singleFrameMIoU: s.mIoU,
    singleFramePixelAcc: s.pixelAccuracy,
    fusedMIoU: f.mIoU,
    fusedPixelAcc: f.pixelAccuracy,
    fusedCoverage: scored > 0 ? covered / scored : 0,
  };
}
