import { remapLabels40to13 } from '../../fusion/classes.js';
import { ateRmse, rpe } from '../../fusion/metrics/trajectory.js';
import type { Mat4 } from '../../fusion/pose.js';
import type { LabelScores, RpeSummary } from '../pipeline/mapSequence.js';
import type { Frame } from '../sources/frame.js';
import { scoreFusedLabels, type EvaluatedFrame } from '../eval/fusedLabelScores.js';
import type { FramePerception } from './perceptionSource.js';
import type { ProcessedFrame } from './sessionLoop.js';

/**
 * Scores a session against ground truth the way `semslam map` does (same metrics, same definitions): ATE after
 * rigid alignment, RPE per frame and per second, and single-frame vs fused label accuracy, where the fused labels
 * are the final map rendered into each scored frame at its estimated pose (pixels the map misses keep the frame's
 * own prediction, so both scores cover the same pixels).
 */
export interface SessionEvaluationOptions {
  /** Most labelled frames kept for the fused-label score (each keeps two label images). */
  readonly maxEvaluatedFrames: number;
  /** Keep every k-th labelled frame (the caller sizes it from the expected frame count). */
  readonly stride: number;
}

export const DEFAULT_SESSION_EVALUATION_OPTIONS: Readonly<SessionEvaluationOptions> = Object.freeze({ maxEvaluatedFrames: 200, stride: 1 });

export interface SessionScores {
  /** Lower is better. */
  readonly ateRmseM?: number;
  readonly rpe?: RpeSummary;
  readonly labels?: LabelScores;
}

export class SessionEvaluator {
  private readonly options: SessionEvaluationOptions;
  private readonly kept: EvaluatedFrame[] = [];
  private labelled = 0;
  private width = 0;
  private height = 0;

  constructor(options: Partial<SessionEvaluationOptions> = {}) {
    this.options = { ...DEFAULT_SESSION_EVALUATION_OPTIONS, ...options };
  }

  /** Called by the loop after each frame (SessionLoop's observer). */
  observe(frame: Frame, p: FramePerception, T_world_camera: Mat4): void {
    if (!frame.labels40 || !p.labels13) return;
    if (this.labelled++ % this.options.stride !== 0 || this.kept.length >= this.options.maxEvaluatedFrames) return;
    this.width = frame.width;
    this.height = frame.height;
    const gt13 = remapLabels40to13(frame.labels40, new Uint8Array(frame.width * frame.height));
    this.kept.push({ T_world_camera: Float64Array.from(T_world_camera), gt13, single13: p.labels13.slice() });
  }

  /** `renderLabels(T, out)` draws the final map's fused labels (SessionLoop.renderLabels). */
  scores(frames: readonly ProcessedFrame[], renderLabels: (T: Mat4, out: Uint8Array) => void): SessionScores {
    const withGt = frames.filter((f) => f.groundTruthPose);
    const est = withGt.map((f) => f.T_world_camera);
    const gt = withGt.map((f) => f.groundTruthPose!);
    let ate: number | undefined;
    let rpeSummary: RpeSummary | undefined;
    if (withGt.length >= 2) {
      ate = ateRmse(est, gt).rmse;
      const perFrame = rpe(est, gt, { delta: 1, deltaUnit: 'frames' });
      const stamps = withGt.map((f) => f.timestamp);
      const perSecond = stamps[stamps.length - 1] - stamps[0] >= 1 ? rpe(est, gt, { delta: 1, deltaUnit: 'seconds', timestamps: stamps }) : undefined;
      rpeSummary = {
        perFrame: { translationRmseM: perFrame.translation.rmse, rotationRmseDeg: perFrame.rotationDeg.rmse, pairs: perFrame.pairs },
        ...(perSecond && perSecond.pairs > 0
          ? { perSecond: { translationRmseM: perSecond.translation.rmse, rotationRmseDeg: perSecond.rotationDeg.rmse, pairs: perSecond.pairs } }
          : {}),
      };
    }
    return {
      ...(ate !== undefined ? { ateRmseM: ate } : {}),
      ...(rpeSummary ? { rpe: rpeSummary } : {}),
      ...(this.kept.length > 0 ? { labels: scoreFusedLabels(this.kept, this.width, this.height, renderLabels) } : {}),
    };
  }

}
