import type { Mat4 } from '../../../fusion/pose.js';
import { poseDistance } from '../../../fusion/se3.js';

/** Translation (mm) and rotation (degrees) between two poses, for tolerance checks. */
export function poseErrorMmDeg(a: Mat4, b: Mat4): { mm: number; deg: number } {
  const d = poseDistance(a, b);
  return { mm: d.translation * 1000, deg: (d.rotation * 180) / Math.PI };
}
