import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import { poseFromRowMajor } from '../../fusion/pose.js';
import { InputError } from '../errors.js';
import { readPng16, readRgbImage } from '../io/image.js';
import { checkListedFiles, pathKind, readTextFile } from '../io/text.js';
import type { Frame, SequenceInfo } from './frame.js';
import { expectSize, IndexedSequenceReader, scaledDepthToMetres } from './indexedReader.js';
import { dataLines, parseNumbers } from './trajectoryText.js';
import { CAMERA_PRESETS } from './cameraPresets.js';

/** PrimeSense default (Open3D's PrimeSenseDefault) when no camera json is present. */
export const REDWOOD_INTRINSICS: Intrinsics = CAMERA_PRESETS['kinect-525'].intrinsics;
export const REDWOOD_DEPTH_UNITS_PER_METRE = 1000;
export const REDWOOD_FPS = 30;

/** Redwood / Open3D `.log` trajectory: per frame a line `i j n` then 4 rows of a camera-to-world matrix. */
export function parseRedwoodLog(path: string, text: string): Float64Array[] {
  const lines = dataLines(text);
  if (lines.length % 5 !== 0) throw new InputError(path, `${lines.length} lines: a .log trajectory has 5 lines per frame`);
  const poses: Float64Array[] = [];
  for (let f = 0; f < lines.length; f += 5) {
    parseNumbers(path, lines[f].lineNo, lines[f].line, 3);
    const rows: number[] = [];
    for (let r = 1; r <= 4; r++) rows.push(...parseNumbers(path, lines[f + r].lineNo, lines[f + r].line, 4));
    poses.push(poseFromRowMajor(rows));
  }
  return poses;
}

/** Open3D camera json: `intrinsic_matrix` is column-major 3×3. */
export function parseOpen3dIntrinsics(path: string, text: string): Intrinsics {
  let j: { width?: unknown; height?: unknown; intrinsic_matrix?: unknown };
  try { j = JSON.parse(text); } catch (e) { throw new InputError(path, `not valid JSON (${(e as Error).message})`); }
  const m = j.intrinsic_matrix;
  if (!Array.isArray(m) || m.length !== 9 || !m.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new InputError(path, 'intrinsic_matrix must be 9 finite numbers (column-major 3×3)');
  }
  if (typeof j.width !== 'number' || typeof j.height !== 'number') throw new InputError(path, 'width and height must be numbers');
  return { width: j.width, height: j.height, fx: m[0], fy: m[4], cx: m[6], cy: m[7] };
}

/**
 * Redwood-style folder: `color/*.jpg|png`, `depth/*.png` (millimetres), pairs from `rgbd.match`
 * (`depth/… color/…` per line) or by sorted name, poses from `trajectory.log`, intrinsics from
 * `camera_primesense.json` (or any `camera*.json`). Colour is registered to depth by the sensor.
 */
export class RedwoodReader extends IndexedSequenceReader {
  private constructor(readonly info: SequenceInfo, private readonly pairs: readonly { rgb: string; depth: string }[], private readonly poses: readonly Float64Array[] | undefined) { super(); }

  static async open(dir: string): Promise<RedwoodReader> {
    const warnings: string[] = [];
    let pairs: { rgb: string; depth: string }[];
    const matchFile = join(dir, 'rgbd.match');
    if (await pathKind(matchFile) === 'file') {
      pairs = dataLines(await readTextFile(matchFile)).map(({ lineNo, line }) => {
        const parts = line.split(/\s+/);
        if (parts.length < 2) throw new InputError(matchFile, `line ${lineNo}: expected "depth/NAME color/NAME"`);
        return { depth: join(dir, parts[0]), rgb: join(dir, parts[1]) };
      });
      for (const kind of ['depth', 'rgb'] as const) {
        const check = await checkListedFiles(pairs.map((p) => p[kind]), matchFile);
        if (check.warning) warnings.push(check.warning);
      }
    } else {
      const colour = (await readdir(join(dir, 'color'))).filter((n) => /\.(jpe?g|png)$/i.test(n)).sort();
      const depth = (await readdir(join(dir, 'depth'))).filter((n) => /\.png$/i.test(n)).sort();
      if (colour.length !== depth.length) throw new InputError(dir, `color/ has ${colour.length} images, depth/ has ${depth.length}, and no rgbd.match pairs them`);
      pairs = colour.map((c, i) => ({ rgb: join(dir, 'color', c), depth: join(dir, 'depth', depth[i]) }));
    }
    if (pairs.length === 0) throw new InputError(dir, 'no colour/depth pairs');

    let intrinsics = REDWOOD_INTRINSICS;
    const cams = (await readdir(dir)).filter((n) => /^camera.*\.json$/i.test(n)).sort();
    if (cams.length > 0) intrinsics = parseOpen3dIntrinsics(join(dir, cams[0]), await readTextFile(join(dir, cams[0])));
    else warnings.push(`${dir}: no camera*.json; PrimeSense default intrinsics assumed`);

    let poses: Float64Array[] | undefined;
    const logFile = join(dir, 'trajectory.log');
    if (await pathKind(logFile) === 'file') {
      poses = parseRedwoodLog(logFile, await readTextFile(logFile));
      if (poses.length !== pairs.length) throw new InputError(logFile, `${poses.length} poses for ${pairs.length} frames`);
    }
    const info: SequenceInfo = {
      format: 'redwood', path: dir, frames: pairs.length, width: intrinsics.width, height: intrinsics.height, intrinsics,
      hasGroundTruth: poses !== undefined, hasLabels: false, warnings,
    };
    return new RedwoodReader(info, pairs, poses);
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const { width, height } = this.info;
    const p = this.pairs[i];
    const rgb = await readRgbImage(p.rgb);
    expectSize(p.rgb, rgb.width, rgb.height, width, height);
    const d16 = await readPng16(p.depth);
    expectSize(p.depth, d16.width, d16.height, width, height);
    const depth = scaledDepthToMetres(d16.data, REDWOOD_DEPTH_UNITS_PER_METRE, new Float32Array(width * height));
    const pose = this.poses?.[i];
    return {
      index: i, timestamp: i / REDWOOD_FPS, width, height, rgb: rgb.data, depth, intrinsics: this.info.intrinsics,
      ...(pose ? { groundTruthPose: Float64Array.from(pose) } : {}),
    };
  }
}
