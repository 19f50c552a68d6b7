import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import { poseFromRowMajor } from '../../fusion/pose.js';
import { InputError } from '../errors.js';
import { readPng16, readRgbImage } from '../io/image.js';
import { pathKind, readTextFile } from '../io/text.js';
import type { Frame, SequenceInfo } from './frame.js';
import { expectSize, IndexedSequenceReader, scaledDepthToMetres } from './indexedReader.js';
import { dataLines, parseNumbers } from './trajectoryText.js';
import { CAMERA_PRESETS } from './cameraPresets.js';
import type { ColourCamera } from './colourRegistration.js';

/** 7-Scenes depth camera (the dataset's camera-intrinsics.txt; also its published default). */
export const SEVEN_SCENES_INTRINSICS: Intrinsics = CAMERA_PRESETS['7scenes'].intrinsics;
export const SEVEN_SCENES_DEPTH_UNITS_PER_METRE = 1000;
export const SEVEN_SCENES_MISSING_DEPTH = 65535;
export const SEVEN_SCENES_FPS = 30;
/**
 * The Kinect's colour camera, which 7-Scenes stores unregistered: rounded from `semslam calibrate-colour` fits on
 * the redkitchen (photometric consistency over the depth-only trajectory, no ground truth: f 521–525 px, offset
 * −1.5 to −3 cm along x) and the same search over the dataset's poses (f 530, (−3, 0) cm, cy 235); see
 * main/sources/README.md. The depth camera's 585 px is the dataset's own.
 */
export const SEVEN_SCENES_COLOUR_CAMERA: ColourCamera = {
  fx: 525, fy: 525, cx: 320, cy: 235, tx: -0.03, ty: 0, tz: 0, source: '7-Scenes Kinect colour camera, rounded from semslam calibrate-colour fits',
};

/** Colour as PNG (Microsoft's release) or JPEG (the tsdf-fusion re-packaging). */
export const SEVEN_SCENES_FRAME_NAME = /^frame-(\d+)\.color\.(png|jpg|jpeg)$/;

/** Parses a whitespace matrix file of `rows` rows with `cols` finite numbers each. */
export function parseMatrixText(path: string, text: string, rows: number, cols: number): number[] {
  const lines = dataLines(text);
  if (lines.length < rows) throw new InputError(path, `expected ${rows} rows of ${cols} numbers, found ${lines.length} rows`);
  const out: number[] = [];
  for (let r = 0; r < rows; r++) out.push(...parseNumbers(path, lines[r].lineNo, lines[r].line, cols));
  return out;
}

/**
 * Microsoft 7-Scenes sequence folder: `frame-NNNNNN.color.{png,jpg}` + `.depth.png` + `.pose.txt` (4×4 camera-to-world,
 * row-major, metres), directly or under `rgbd-frames/`; optional `camera-intrinsics.txt` (3×3 K).
 * Depth is in millimetres (0 and 65535 missing). Colour comes from a different camera and is NOT
 * registered to depth: the intrinsics are the depth camera's, and info.colourCamera says where the colour
 * camera is so that openSequence registers it.
 */
export class SevenScenesReader extends IndexedSequenceReader {
  private constructor(readonly info: SequenceInfo, private readonly frameDir: string, private readonly stems: readonly string[], private readonly numbers: readonly number[], private readonly colourNames: readonly string[]) { super(); }

  static async open(dir: string): Promise<SevenScenesReader> {
    const frameDir = (await pathKind(join(dir, 'rgbd-frames'))) === 'dir' ? join(dir, 'rgbd-frames') : dir;
    const names = await readdir(frameDir);
    const found = names.map((n) => SEVEN_SCENES_FRAME_NAME.exec(n)).filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ stem: `frame-${m[1]}`, n: Number(m[1]), colour: m[0] })).sort((a, b) => a.n - b.n);
    if (found.length === 0) throw new InputError(frameDir, 'no 7-Scenes frames (frame-NNNNNN.color.png or .color.jpg)');
    for (let k = 1; k < found.length; k++) {
      if (found[k].n === found[k - 1].n) throw new InputError(join(frameDir, found[k].colour), `two colour images for frame ${found[k].n} (${found[k - 1].colour} too)`);
    }
    const nameSet = new Set(names);
    // A frame without its depth or pose fails to read (and is skipped, flagged); none with both is not 7-Scenes.
    const incomplete = found.flatMap((f) => ['.depth.png', '.pose.txt'].filter((x) => !nameSet.has(f.stem + x)).map((x) => ({ f, file: f.stem + x })));
    const broken = new Set(incomplete.map((m) => m.f.n));
    if (incomplete.length > 0 && broken.size === found.length) {
      throw new InputError(join(frameDir, incomplete[0].file), `missing (its ${incomplete[0].f.colour} exists)`);
    }
    let intrinsics = SEVEN_SCENES_INTRINSICS;
    const kFile = join(dir, 'camera-intrinsics.txt');
    if (await pathKind(kFile) === 'file') {
      const k = parseMatrixText(kFile, await readTextFile(kFile), 3, 3);
      intrinsics = { width: 640, height: 480, fx: k[0], fy: k[4], cx: k[2], cy: k[5] };
    }
    const info: SequenceInfo = {
      format: '7scenes', path: dir, frames: found.length, width: intrinsics.width, height: intrinsics.height, intrinsics,
      hasGroundTruth: true, hasLabels: false, colourCamera: SEVEN_SCENES_COLOUR_CAMERA,
      warnings: [
        `${dir}: 7-Scenes colour comes from another camera than depth; intrinsics and poses are the depth camera's`,
        ...(incomplete.length > 0 ? [`${join(frameDir, incomplete[0].file)}: missing (its ${incomplete[0].f.colour} exists; ${broken.size} of ${found.length} frames incomplete); those frames will be skipped`] : []),
      ],
    };
    return new SevenScenesReader(info, frameDir, found.map((f) => f.stem), found.map((f) => f.n), found.map((f) => f.colour));
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const { width, height } = this.info;
    const base = join(this.frameDir, this.stems[i]);
    const colourPath = join(this.frameDir, this.colourNames[i]);
    const rgb = await readRgbImage(colourPath);
    expectSize(colourPath, rgb.width, rgb.height, width, height);
    const d16 = await readPng16(`${base}.depth.png`);
    expectSize(`${base}.depth.png`, d16.width, d16.height, width, height);
    const depth = scaledDepthToMetres(d16.data, SEVEN_SCENES_DEPTH_UNITS_PER_METRE, new Float32Array(width * height), SEVEN_SCENES_MISSING_DEPTH);
    const poseFile = `${base}.pose.txt`;
    const groundTruthPose = poseFromRowMajor(parseMatrixText(poseFile, await readTextFile(poseFile), 4, 4));
    return {
      index: i, timestamp: this.numbers[i] / SEVEN_SCENES_FPS, width, height, rgb: rgb.data, depth,
      intrinsics: this.info.intrinsics, groundTruthPose,
    };
  }
}
