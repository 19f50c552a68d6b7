import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import { poseFromTranslationQuaternion } from '../../fusion/pose.js';
import { InputError } from '../errors.js';
import { readPng16, readRgbImage } from '../io/image.js';
import { pathKind, readTextFile } from '../io/text.js';
import type { Frame, SequenceInfo } from './frame.js';
import { expectSize, IndexedSequenceReader, scaledDepthToMetres } from './indexedReader.js';
import { dataLines, parseNumbers } from './trajectoryText.js';
import { CAMERA_PRESETS } from './cameraPresets.js';

/**
 * ICL-NUIM publishes fy = −480: its POV-Ray camera has y up (a left-handed frame). We use fy = +480 (OpenCV,
 * y down) and conjugate every pose by S = diag(1, −1, 1): T_world_camera = S · T_pov · S, i.e. both the
 * camera and the world are mirrored in y, which keeps the rotation proper (det +1). Checked on the real
 * frames (test/sources/iclNuim.test.ts): depth of one frame reprojected through these poses lands on the
 * depth of another; the file's poses used as they are do not. Depth PNGs are z-depth × 5000.
 */
export const ICL_NUIM_INTRINSICS: Intrinsics = CAMERA_PRESETS['icl-nuim'].intrinsics;
export const ICL_NUIM_DEPTH_UNITS_PER_METRE = 5000;
export const ICL_NUIM_FPS = 30;

/** S · T · S with S = diag(1, −1, 1, 1), in place: negates the entries that mix y with x/z/translation. */
export function mirrorPoseY(T: Mat4): Mat4 {
  // Column-major: element (r, c) at c*4 + r. Entries with exactly one of r, c equal to 1 change sign.
  T[1] = -T[1]; T[9] = -T[9]; T[13] = -T[13]; // row 1, columns 0, 2, 3
  T[4] = -T[4]; T[6] = -T[6]; // column 1, rows 0, 2
  return T;
}

/** `tx ty tz qx qy qz qw` per line (camera-to-world in the POV-Ray frame), or TUM lines with a timestamp. */
export function parseIclPoses(path: string, text: string): Mat4[] {
  return dataLines(text).map(({ lineNo, line }) => {
    const n = line.split(/\s+/).length;
    const v = parseNumbers(path, lineNo, line, n >= 8 ? 8 : 7);
    const [tx, ty, tz, qx, qy, qz, qw] = n >= 8 ? v.slice(1) : v;
    if (Math.hypot(qx, qy, qz, qw) < 1e-6) throw new InputError(path, `line ${lineNo}: zero quaternion`);
    return mirrorPoseY(poseFromTranslationQuaternion(tx, ty, tz, qx, qy, qz, qw));
  });
}

/** ICL-NUIM sample folder: `color/N.png`, `depth/N.png` (N numeric, sorted numerically), `pose.txt`. */
export class IclNuimReader extends IndexedSequenceReader {
  private constructor(readonly info: SequenceInfo, private readonly names: readonly string[], private readonly poses: readonly Mat4[] | undefined) { super(); }

  static async open(dir: string): Promise<IclNuimReader> {
    const colour = (await readdir(join(dir, 'color'))).filter((n) => /^\d+\.png$/.test(n));
    colour.sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    if (colour.length === 0) throw new InputError(join(dir, 'color'), 'no frames named N.png');
    const depth = new Set(await readdir(join(dir, 'depth')));
    for (const n of colour) if (!depth.has(n)) throw new InputError(join(dir, 'depth', n), `missing (color/${n} exists)`);
    let poses: Mat4[] | undefined;
    const poseFile = join(dir, 'pose.txt');
    if (await pathKind(poseFile) === 'file') {
      poses = parseIclPoses(poseFile, await readTextFile(poseFile));
      if (poses.length !== colour.length) throw new InputError(poseFile, `${poses.length} poses for ${colour.length} frames`);
    }
    const k = ICL_NUIM_INTRINSICS;
    const info: SequenceInfo = {
      format: 'icl-nuim', path: dir, frames: colour.length, width: k.width, height: k.height, intrinsics: k,
      hasGroundTruth: poses !== undefined, hasLabels: false,
      warnings: [`${dir}: ICL-NUIM fy = −480 (POV-Ray) converted to OpenCV: fy = +480, poses mirrored in y (S·T·S)`],
    };
    return new IclNuimReader(info, colour, poses);
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const { width, height } = this.info;
    const name = this.names[i];
    const rgbPath = join(this.info.path, 'color', name), depthPath = join(this.info.path, 'depth', name);
    const rgb = await readRgbImage(rgbPath);
    expectSize(rgbPath, rgb.width, rgb.height, width, height);
    const d16 = await readPng16(depthPath);
    expectSize(depthPath, d16.width, d16.height, width, height);
    const depth = scaledDepthToMetres(d16.data, ICL_NUIM_DEPTH_UNITS_PER_METRE, new Float32Array(width * height));
    const pose = this.poses?.[i];
    return {
      index: i, timestamp: parseInt(name, 10) / ICL_NUIM_FPS, width, height, rgb: rgb.data, depth,
      intrinsics: this.info.intrinsics, ...(pose ? { groundTruthPose: Float64Array.from(pose) } : {}),
    };
  }
}
