/**
 * Registration for loop closure and relocalisation: the frame against a render of the (inactive or whole) map
 * from a pose that may be far off — drift of 5–15 cm and a few degrees by the time a place is revisited, beyond
 * frame-to-frame tracking's 10 cm gate (7-Scenes redkitchen 0–499 at frame 471: 12 cm / 2.2° from where the
 * old map says it is; one-stage ICP from there kept 9–20 % inliers and was never accepted).
 *
 * Three stages of point-to-plane ICP, each starting where the last one ended:
 *   1. coarsest level only, wide gate (30 cm, 45°) and a wide robust kernel: pulls the pose into the basin;
 *   2. the two coarsest levels, tracking's gate (10 cm, 30°);
 *   3. every level, a tight gate (4 cm) and the tracking method (photometric term included): the pose and the
 *      statistics the acceptance test reads (inliers among covered pixels, residual, conditioning).
 * Only the last stage's failure gates apply: the early ones are allowed to look bad while they converge.
 */
import type { Mat4 } from './pose.js';
import type { FrameLevel } from './preprocessor.js';
import type { PredictedLevel } from './model-predictor.js';
import type { IcpOptions, TrackingResult } from './icp-tracker.js';
import { IcpTracker } from './icp-tracker.js';
import type { KernelPool } from './parallel/pool.js';
import { poseDistance } from './se3.js';

/** First stage's gates: how far off (m, degrees) the revisited map may be and still be pulled in; Huber (m). */
export const LOOP_WIDE_GATE = { distance: 0.3, angleDeg: 45, huber: 0.02 } as const;
/** Last stage's point gate (m): its inlier ratio is what the acceptance test reads. */
export const LOOP_TIGHT_GATE = { distance: 0.04 } as const;

/** One stage: a tracker set up with the stage's levels (iterations per level, finest first, 0 = skipped) and gates. */
interface Stage {
  readonly tracker: IcpTracker;
}

export interface LoopRegistrationOptions {
  /** Pyramid levels the frame and the render have (2–4). */
  levels: number;
  /** The tracking configuration the last stage uses (method, photometric weight, finest photometric level, …). */
  base: IcpOptions;
  /** Gates of the first (wide) stage: point distance (m), normal angle (degrees), Huber (m). */
  wideDistance: number;
  wideAngleDeg: number;
  wideHuber: number;
  /** Gate and Huber of the last (tight) stage. */
  tightDistance: number;
  tightHuber: number;
  /** Largest correction the whole registration may make (m, degrees). */
  maxTranslation: number;
  maxRotationDeg: number;
}

export class LoopRegistration {
  private readonly stages: Stage[];

  constructor(private readonly o: LoopRegistrationOptions, pool: KernelPool) {
    const L = o.levels;
    const only = (from: number, its: number): number[] => Array.from({ length: L }, (_, l) => (l >= from ? its : 0));
    // Early stages never declare failure (the last one judges), so their gates are open.
    const open: Partial<IcpOptions> = { minInlierRatio: 0, maxInlierRmse: Infinity, maxTranslationJump: o.maxTranslation, maxRotationJumpDeg: o.maxRotationDeg };
    this.stages = [
      { tracker: new IcpTracker({ ...o.base, ...open, method: 'pointToPlane', iterations: only(L - 1, 15), maxDistance: o.wideDistance, maxNormalAngleDeg: o.wideAngleDeg, icpHuber: o.wideHuber, fullDensityWidth: Infinity }, pool) },
      { tracker: new IcpTracker({ ...o.base, ...open, method: 'pointToPlane', iterations: only(Math.max(0, L - 2), 10), maxDistance: 0.1, icpHuber: 0.02 }, pool) },
      { tracker: new IcpTracker({ ...o.base, maxTranslationJump: o.maxTranslation, maxRotationJumpDeg: o.maxRotationDeg, iterations: Array.from({ length: L }, (_, l) => [8, 6, 6, 6][l]), maxDistance: o.tightDistance, icpHuber: o.tightHuber }, pool) },
    ];
  }

  /** The last stage's photometric weight: the tracker's of the moment (it follows the colour's noise). */
  set photometricWeight(w: number) {
    this.stages[this.stages.length - 1].tracker.rgbWeight = w;
  }

  /**
   * Registers `frame` against `model` (rendered from T_ref) starting at T_init. The result's pose is the last
   * stage's; its jump and failure are measured from T_init.
   */
  register(frame: readonly FrameLevel[], model: readonly PredictedLevel[], T_ref: Mat4, T_init: Mat4): TrackingResult {
    let T = Float64Array.from(T_init);
    let last: TrackingResult | null = null;
    for (const s of this.stages) {
      last = s.tracker.track(frame, model, T_ref, T);
      if (!Number.isFinite(last.T_world_camera[12] + last.T_world_camera[13] + last.T_world_camera[14])) break;
      T = Float64Array.from(last.T_world_camera);
    }
    const r = last as TrackingResult;
    const d = poseDistance(T_init, r.T_world_camera);
    return { ...r, deltaTranslation: d.translation, deltaRotationDeg: (d.rotation * 180) / Math.PI };
  }
}
