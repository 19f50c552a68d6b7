import type { Intrinsics } from '../../fusion/camera.js';
import { NYU_RGB_INTRINSICS } from './nyuCamera.js';

/**
 * Cameras a user can name instead of typing fx, fy, cx, cy (the app's open dialog, `--camera-preset`): the
 * Kinects of the public datasets, whose readers take their intrinsics from here. Pure data (the renderer
 * lists the names); all at the 640×480 they were calibrated at, rescaled to other image sizes.
 */
export const CAMERA_PRESETS = {
  'tum-fr1': { label: 'TUM RGB-D freiburg1 Kinect', intrinsics: { width: 640, height: 480, fx: 517.3, fy: 516.5, cx: 318.6, cy: 255.3 } },
  'tum-fr2': { label: 'TUM RGB-D freiburg2 Kinect', intrinsics: { width: 640, height: 480, fx: 520.9, fy: 521.0, cx: 325.1, cy: 249.7 } },
  'tum-fr3': { label: 'TUM RGB-D freiburg3 Asus Xtion', intrinsics: { width: 640, height: 480, fx: 535.4, fy: 539.2, cx: 320.1, cy: 247.6 } },
  'nyu-kinect': { label: 'NYU Depth v2 Kinect (colour camera)', intrinsics: NYU_RGB_INTRINSICS },
  '7scenes': { label: 'Microsoft 7-Scenes Kinect', intrinsics: { width: 640, height: 480, fx: 585, fy: 585, cx: 320, cy: 240 } },
  'kinect-525': { label: 'Kinect / PrimeSense default (OpenNI, Redwood): 525, 525, 319.5, 239.5', intrinsics: { width: 640, height: 480, fx: 525, fy: 525, cx: 319.5, cy: 239.5 } },
  'elasticfusion': { label: 'ElasticFusion default: 528, 528, 320, 240', intrinsics: { width: 640, height: 480, fx: 528, fy: 528, cx: 320, cy: 240 } },
  'icl-nuim': { label: 'ICL-NUIM (synthetic)', intrinsics: { width: 640, height: 480, fx: 481.2, fy: 480, cx: 319.5, cy: 239.5 } },
} as const satisfies Record<string, { readonly label: string; readonly intrinsics: Intrinsics }>;

export type CameraPreset = keyof typeof CAMERA_PRESETS;
export const CAMERA_PRESET_IDS = Object.keys(CAMERA_PRESETS) as [CameraPreset, ...CameraPreset[]];

export function isCameraPreset(name: string): name is CameraPreset {
  return Object.prototype.hasOwnProperty.call(CAMERA_PRESETS, name);
}
