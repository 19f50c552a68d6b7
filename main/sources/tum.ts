import { basename, extname, join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import { scaleIntrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';
import { readPng16, readPngSize, readRgbImage } from '../io/image.js';
import { checkListedFiles, pathKind, readTextFile } from '../io/text.js';
import type { ExtrasWanted } from './extras.js';
import { ALL_EXTRAS, readFrameExtras } from './extras.js';
import type { Frame, SequenceInfo } from './frame.js';
import { expectSize, IndexedSequenceReader, scaledDepthToMetres } from './indexedReader.js';
import type { Sidecar } from './sidecar.js';
import { readSidecar } from './sidecar.js';
import type { GroundTruthLookupOptions, StampedPose } from './trajectoryText.js';
import { DEFAULT_GROUND_TRUTH_LOOKUP, dataLines, groundTruthAt, parseNumbers, parseTumTrajectory } from './trajectoryText.js';
import { CAMERA_PRESETS } from './cameraPresets.js';

/** TUM RGB-D camera intrinsics per Kinect (benchmark page; images 640×480). */
export const TUM_INTRINSICS: Record<'fr1' | 'fr2' | 'fr3', Intrinsics> = {
  fr1: CAMERA_PRESETS['tum-fr1'].intrinsics, fr2: CAMERA_PRESETS['tum-fr2'].intrinsics, fr3: CAMERA_PRESETS['tum-fr3'].intrinsics,
};
export const TUM_DEPTH_UNITS_PER_METRE = 5000;

export type UnmatchedPolicy = 'error' | 'skip';

export interface TumReaderOptions {
  /** Largest |t_rgb − t_depth| of an associated pair (s). */
  readonly maxAssociationS: number;
  /** What an rgb.txt entry without a depth frame within maxAssociationS does. */
  readonly unmatched: UnmatchedPolicy;
  readonly groundTruth: GroundTruthLookupOptions;
  /** Which of our writers' extras (labels, exact depth) to read. */
  readonly extras: ExtrasWanted;
}

export const DEFAULT_TUM_READER_OPTIONS: TumReaderOptions = {
  maxAssociationS: 0.02,
  unmatched: 'error',
  groundTruth: DEFAULT_GROUND_TRUTH_LOOKUP,
  extras: ALL_EXTRAS,
};

interface ListEntry { readonly timestamp: number; readonly path: string; readonly lineNo: number }

function parseList(file: string, text: string, dir: string): ListEntry[] {
  const out: ListEntry[] = [];
  for (const { lineNo, line } of dataLines(text)) {
    const parts = line.split(/\s+/);
    if (parts.length < 2) throw new InputError(file, `line ${lineNo}: expected "timestamp filename", found ${JSON.stringify(line)}`);
    const [t] = parseNumbers(file, lineNo, parts[0], 1);
    out.push({ timestamp: t, path: join(dir, parts[1]), lineNo });
  }
  out.sort((a, b) => a.timestamp - b.timestamp);
  return out;
}

/** Camera by the folder name (rgbd_dataset_freiburg2_desk → fr2). */
export function tumCameraFromName(path: string): 'fr1' | 'fr2' | 'fr3' | undefined {
  const m = /(?:freiburg|fr)([123])/i.exec(basename(path));
  return m ? (`fr${m[1]}` as 'fr1' | 'fr2' | 'fr3') : undefined;
}

interface Pair { readonly rgb: ListEntry; readonly depth: ListEntry }

/**
 * Associates each rgb entry with a depth entry (TUM associate.py: candidate pairs within the window,
 * best first, each entry used once). Returns pairs in time order and the unmatched rgb entries.
 */
export function associate(rgb: readonly ListEntry[], depth: readonly ListEntry[], maxDt: number): { pairs: Pair[]; unmatched: ListEntry[] } {
  const candidates: { dt: number; r: number; d: number }[] = [];
  let lo = 0;
  for (let r = 0; r < rgb.length; r++) {
    const t = rgb[r].timestamp;
    while (lo < depth.length && depth[lo].timestamp < t - maxDt) lo++;
    for (let d = lo; d < depth.length && depth[d].timestamp <= t + maxDt; d++) {
      candidates.push({ dt: Math.abs(depth[d].timestamp - t), r, d });
    }
  }
  candidates.sort((a, b) => a.dt - b.dt || a.r - b.r);
  const rUsed = new Uint8Array(rgb.length), dUsed = new Uint8Array(depth.length);
  const pairs: Pair[] = [];
  for (const c of candidates) {
    if (rUsed[c.r] || dUsed[c.d]) continue;
    rUsed[c.r] = 1; dUsed[c.d] = 1;
    pairs.push({ rgb: rgb[c.r], depth: depth[c.d] });
  }
  pairs.sort((a, b) => a.depth.timestamp - b.depth.timestamp);
  return { pairs, unmatched: rgb.filter((_, i) => !rUsed[i]) };
}

export class TumReader extends IndexedSequenceReader {
  private constructor(
    readonly info: SequenceInfo,
    private readonly pairs: readonly Pair[],
    private readonly poses: readonly (Float64Array | undefined)[],
    private readonly sidecar: Sidecar | undefined,
    private readonly extras: ExtrasWanted,
  ) { super(); }

  static async open(dir: string, options: Partial<TumReaderOptions> = {}): Promise<TumReader> {
    const o = { ...DEFAULT_TUM_READER_OPTIONS, ...options };
    const rgbFile = join(dir, 'rgb.txt'), depthFile = join(dir, 'depth.txt');
    const rgb = parseList(rgbFile, await readTextFile(rgbFile), dir);
    const depth = parseList(depthFile, await readTextFile(depthFile), dir);
    if (rgb.length === 0) throw new InputError(rgbFile, 'lists no images');
    if (depth.length === 0) throw new InputError(depthFile, 'lists no images');
    const { pairs, unmatched } = associate(rgb, depth, o.maxAssociationS);
    const warnings: string[] = [];
    if (unmatched.length > 0) {
      const first = unmatched[0];
      const msg = `line ${first.lineNo}: rgb frame at ${first.timestamp} has no depth frame within ${o.maxAssociationS} s`
        + (unmatched.length > 1 ? ` (${unmatched.length} rgb frames unmatched)` : '');
      if (o.unmatched === 'error') throw new InputError(rgbFile, msg);
      warnings.push(`${rgbFile}: ${msg}; skipped`);
    }
    if (pairs.length === 0) throw new InputError(rgbFile, `no rgb frame has a depth frame within ${o.maxAssociationS} s`);
    const rgbCheck = await checkListedFiles(pairs.map((p) => p.rgb.path), rgbFile);
    const depthCheck = await checkListedFiles(pairs.map((p) => p.depth.path), depthFile);
    for (const c of [rgbCheck, depthCheck]) if (c.warning) warnings.push(c.warning);

    const sidecar = await readSidecar(dir);
    let intrinsics: Intrinsics;
    if (sidecar) {
      intrinsics = { ...sidecar.intrinsics };
    } else {
      const cam = tumCameraFromName(dir);
      if (!cam) warnings.push(`${dir}: camera not named in the folder (freiburg1/2/3); fr1 intrinsics assumed`);
      intrinsics = TUM_INTRINSICS[cam ?? 'fr1'];
      // The benchmark is 640×480; anything else is taken as the same camera rescaled.
      const size = await readPngSize((pairs.find((p) => !depthCheck.missing.has(p.depth.path)) ?? pairs[0]).depth.path);
      if (size.width !== intrinsics.width || size.height !== intrinsics.height) {
        intrinsics = scaleIntrinsics(intrinsics, size.width, size.height);
        warnings.push(`${dir}: images are ${size.width}×${size.height}; TUM intrinsics rescaled from 640×480`);
      }
    }

    const gtFile = join(dir, 'groundtruth.txt');
    let trajectory: StampedPose[] = [];
    if (await pathKind(gtFile) === 'file') trajectory = parseTumTrajectory(gtFile, await readTextFile(gtFile));
    const poses = pairs.map((p) => groundTruthAt(trajectory, p.depth.timestamp, o.groundTruth));
    const withPose = poses.filter((p) => p !== undefined).length;
    if (trajectory.length > 0 && withPose < pairs.length) warnings.push(`${gtFile}: ${pairs.length - withPose} of ${pairs.length} frames have no ground truth near their time`);

    const info: SequenceInfo = {
      format: 'tum', path: dir, frames: pairs.length, width: intrinsics.width, height: intrinsics.height, intrinsics,
      hasGroundTruth: withPose > 0, hasLabels: sidecar?.hasLabels ?? false, warnings,
    };
    return new TumReader(info, pairs, poses, sidecar, o.extras);
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const { width, height } = this.info;
    const pair = this.pairs[i];
    const rgb = await readRgbImage(pair.rgb.path);
    expectSize(pair.rgb.path, rgb.width, rgb.height, width, height);
    const d16 = await readPng16(pair.depth.path);
    expectSize(pair.depth.path, d16.width, d16.height, width, height);
    const depth = scaledDepthToMetres(d16.data, TUM_DEPTH_UNITS_PER_METRE, new Float32Array(width * height));
    const depthBase = basename(pair.depth.path, extname(pair.depth.path));
    const extras = await readFrameExtras(this.info.path, this.sidecar, depthBase, width, height, this.extras);
    const pose = this.poses[i];
    return {
      index: i, timestamp: pair.depth.timestamp, width, height, rgb: rgb.data, depth, intrinsics: this.info.intrinsics,
      ...(pose ? { groundTruthPose: pose } : {}), ...extras,
    };
  }
}
