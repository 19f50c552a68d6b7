/**
 * Constant-velocity motion model for frames that cannot be tracked (covered camera, most depth missing, ICP
 * failed). A hand-held camera keeps moving while it is blind: holding the last good pose for a second leaves the
 * pose 30–40 cm behind (generated rooms, covered for 1 s) — an error the trajectory carries, and a start from
 * which registration against the map no longer converges when the view comes back. The pose extrapolated from
 * the last tracked frame's velocity is where a lost frame is reported and the first place relocalisation looks.
 */
import type { Mat4 } from './pose.js';
import { invertRigid, mulPose, se3Exp, se3Log } from './se3.js';

/** Frames the model extrapolates at most (1.5 s at 30 Hz); a longer loss holds the pose reached by then. */
export const MOTION_MODEL_MAX_FRAMES = 45;

export class MotionModel {
  private readonly last = new Float64Array(16);
  private lastFrame = -1;
  /** Twist per frame (v, ω) between the last two consecutive tracked frames; zero when unknown. */
  private readonly velocity = new Float64Array(6);
  private readonly rel = new Float64Array(16);
  private readonly inv = new Float64Array(16);
  private readonly step = new Float64Array(6);

  /** Frame of the last tracked pose (−1 before any). */
  get lastTrackedFrame(): number { return this.lastFrame; }

  /** The last tracked pose (a copy). */
  get lastTrackedPose(): Mat4 { return Float64Array.from(this.last); }

  /**
   * A frame whose pose came from tracking (or relocalisation). Its velocity is measured only against the frame
   * right before it: across a gap the relative pose includes the relocalisation's correction, not motion.
   * `measureVelocity` false (an unverified pose: tracked after a loss, not yet confirmed by the map) moves the
   * model's origin but keeps its velocity: a wrong converge there gave centimetres a frame that the extrapolation
   * then carried on, faster and faster away from the map (rgb mode, demo seed 7: 15 cm a frame, 1.7 m off twelve
   * frames later).
   */
  note(frame: number, T: Mat4, measureVelocity = true): void {
    if (measureVelocity) {
      if (this.lastFrame >= 0 && frame === this.lastFrame + 1) {
        mulPose(this.rel, invertRigid(this.inv, this.last), T);
        se3Log(this.velocity, this.rel);
      } else this.velocity.fill(0);
    }
    this.last.set(T);
    this.lastFrame = frame;
  }

  /** Where the camera is at `frame` if it kept the last velocity (into `out`). */
  predict(frame: number, out: Mat4 = new Float64Array(16)): Mat4 {
    if (this.lastFrame < 0) throw new Error('MotionModel.predict: no tracked frame yet');
    const k = Math.min(Math.max(frame - this.lastFrame, 0), MOTION_MODEL_MAX_FRAMES);
    for (let j = 0; j < 6; j++) this.step[j] = this.velocity[j] * k;
    return mulPose(out, this.last, se3Exp(this.rel, this.step));
  }
}
