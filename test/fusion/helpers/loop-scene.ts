// The box room, mapped along a pan that leaves its start inactive: the scene of the loop-closure tests.
import type { Intrinsics } from '../../../fusion/camera.js';
import { SurfelFusion } from '../../../fusion/surfel-fusion.js';
import type { Mat4 } from '../../../fusion/pose.js';
import { mulPose, se3Exp } from '../../../fusion/se3.js';
import { DEFAULT_BOX_SCENE, lookAt, renderBoxScene } from './box-scene.js';

export const K: Intrinsics = { width: 160, height: 120, fx: 131.25, fy: 131.25, cx: 79.5, cy: 59.5 };

export function pan(n: number, x0: number, x1: number, eye: readonly number[] = [0, 0, -1.4]): Mat4[] {
  return Array.from({ length: n }, (_, i) => lookAt(eye, [x0 + ((x1 - x0) * i) / Math.max(1, n - 1), 0.3, 2.5]));
}

export const offset = (T: Mat4, xi: number[]): Mat4 => mulPose(new Float64Array(16), se3Exp(new Float64Array(16), xi), T);

/** Maps a pan from the left wall to the right (the left part becomes inactive); loop checks only when called. */
export function mapAway(config: Record<string, unknown> = {}): { fusion: SurfelFusion; start: Mat4 } {
  const fusion = new SurfelFusion(K, {
    trackingMethod: 'hybrid', activeWindow: 8, loopCheckEvery: 10_000, poseGraphNodeEvery: 2, loopMinNodeGap: 2, ...config,
  });
  const path = [...pan(12, -1.2, -1.2), ...pan(14, -1.2, 1.2), ...pan(6, 1.2, 1.2)];
  for (const [i, T] of path.entries()) {
    const f = renderBoxScene(DEFAULT_BOX_SCENE, T, K);
    fusion.processFrame({ rgb: f.rgb, depth: f.depth, timestamp: i / 30, T_world_camera_hint: i === 0 ? T : undefined });
  }
  return { fusion, start: path[0] };
}

/** One loop check with the camera truly at `truth` but believed at `believed`, as if 20 frames later (the start is
 * then inactive). */
export function checkAt(fusion: SurfelFusion, truth: Mat4, believed: Mat4) {
  const f = renderBoxScene(DEFAULT_BOX_SCENE, truth, K);
  fusion.preprocessor.run(f.depth, f.rgb);
  const T = Float64Array.from(believed);
  const p = fusion.preprocessor;
  const event = fusion.loops!.check(fusion.map, fusion.tracker, p.levels, p.rgb, p.rawDepth, T, fusion.frameIndex + 20, NaN);
  return { event, T };
}
