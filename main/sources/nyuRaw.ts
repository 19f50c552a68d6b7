import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';
import type { PnmImage } from '../io/pnm.js';
import { readPnm } from '../io/pnm.js';
import { pathKind, readTextFile } from '../io/text.js';
import type { ExtrasWanted } from './extras.js';
import { ALL_EXTRAS, readFrameExtras } from './extras.js';
import type { Frame, SequenceInfo } from './frame.js';
import { expectSize, IndexedSequenceReader } from './indexedReader.js';
import { buildNyuRawToMetresTable, NYU_NO_READING_RAW } from './nyuCamera.js';
import type { NyuRegistrationOptions } from './nyuRegistration.js';
import { NyuRegistration } from './nyuRegistration.js';
import type { Sidecar } from './sidecar.js';
import { readSidecar } from './sidecar.js';
import type { StampedPose } from './trajectoryText.js';
import { DEFAULT_GROUND_TRUTH_LOOKUP, groundTruthAt, parseTumTrajectory } from './trajectoryText.js';

/** `r-<unix seconds>-<counter>.ppm`, `d-...pgm`, `a-...dump` (NYU Depth v2 raw scene folders). */
const NYU_NAME = /^([rda])-(\d+(?:\.\d+)?)-(\d+)\.(ppm|pgm|dump)$/;

export interface NyuFileEntry { readonly name: string; readonly timestamp: number; readonly counter: number }

export function parseNyuName(name: string): { kind: 'r' | 'd' | 'a'; entry: NyuFileEntry } | undefined {
  const m = NYU_NAME.exec(name);
  if (!m) return undefined;
  return { kind: m[1] as 'r' | 'd' | 'a', entry: { name, timestamp: Number(m[2]), counter: Number(m[3]) } };
}

/**
 * Depth is the primary stream: for every depth frame the RGB frame nearest in time. Both lists are
 * sorted, so the pointer only moves forward. Returns the RGB index per depth frame.
 */
export function syncNearest(depth: readonly NyuFileEntry[], rgb: readonly NyuFileEntry[]): Int32Array {
  const out = new Int32Array(depth.length);
  let j = 0;
  for (let i = 0; i < depth.length; i++) {
    const t = depth[i].timestamp;
    while (j + 1 < rgb.length && Math.abs(rgb[j + 1].timestamp - t) <= Math.abs(rgb[j].timestamp - t)) j++;
    out[i] = j;
  }
  return out;
}

/**
 * Raw 11-bit Kinect disparity → metres into `out`; 0 for raw < 600, 2047 and (for real dumps) the image
 * maximum, which the toolbox also treats as "no reading". Allocation-free given the table.
 */
export function nyuRawImageToMetres(raw: Uint16Array, table: Float32Array, out: Float32Array, dropImageMax: boolean): Float32Array {
  let max = -1;
  if (dropImageMax) for (let i = 0; i < raw.length; i++) if (raw[i] > max) max = raw[i];
  for (let i = 0; i < raw.length; i++) {
    const r = raw[i];
    out[i] = r === max ? 0 : table[r];
  }
  return out;
}

/**
 * Reads a raw NYU depth PGM. The dump stores samples little-endian; a file converted by a standard tool
 * would be big-endian, which shows as values beyond the 11-bit range: then we swap and say so.
 */
export async function readNyuDepthPgm(path: string): Promise<{ image: PnmImage; swapped: boolean }> {
  const image = await readPnm(path, { byteOrder: 'little' });
  if (image.magic !== 'P5') throw new InputError(path, `expected a P5 depth image, found ${image.magic}`);
  if (image.maxval < 256) throw new InputError(path, `expected 16-bit depth samples, maxval is ${image.maxval}`);
  const data = image.data as Uint16Array;
  let outOfRange = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > NYU_NO_READING_RAW) outOfRange++;
  if (outOfRange === 0) return { image, swapped: false };
  for (let i = 0; i < data.length; i++) data[i] = ((data[i] & 0xff) << 8) | (data[i] >> 8);
  let still = 0;
  for (let i = 0; i < data.length; i++) if (data[i] > NYU_NO_READING_RAW) still++;
  if (still > 0) throw new InputError(path, `${outOfRange} samples exceed the Kinect's 11-bit range in either byte order`);
  return { image, swapped: true };
}

export interface NyuPairPaths { readonly rgbPath: string; readonly depthPath: string; readonly timestamp: number; readonly depthBase: string }

/** Decodes one NYU (rgb PPM, depth PGM) pair: registered into the RGB camera, or as written by us. */
export class NyuPairDecoder {
  private readonly table = buildNyuRawToMetresTable();
  private readonly registration: NyuRegistration | undefined;
  private readonly rawMetres: Float32Array;
  readonly intrinsics: Intrinsics;
  swappedBytesSeen = false;

  constructor(sidecar: Sidecar | undefined, registration: Partial<NyuRegistrationOptions> = {}) {
    if (sidecar?.depthRegistered) {
      this.intrinsics = { ...sidecar.intrinsics };
    } else {
      this.registration = new NyuRegistration(registration);
      this.intrinsics = this.registration.intrinsics;
    }
    this.rawMetres = new Float32Array(this.intrinsics.width * this.intrinsics.height);
  }

  async decode(p: NyuPairPaths): Promise<{ rgb: Uint8Array; depth: Float32Array }> {
    const { width, height } = this.intrinsics;
    const colour = await readPnm(p.rgbPath);
    if (colour.magic !== 'P6' || colour.maxval !== 255) throw new InputError(p.rgbPath, `expected an 8-bit P6 colour image, found ${colour.magic} maxval ${colour.maxval}`);
    expectSize(p.rgbPath, colour.width, colour.height, width, height);
    const { image, swapped } = await readNyuDepthPgm(p.depthPath);
    if (swapped) this.swappedBytesSeen = true;
    expectSize(p.depthPath, image.width, image.height, width, height);
    const raw = image.data as Uint16Array;
    const depth = new Float32Array(width * height);
    if (!this.registration) {
      // Our own files: already registered, and the image maximum is a real reading.
      nyuRawImageToMetres(raw, this.table, depth, false);
      return { rgb: colour.data as Uint8Array, depth };
    }
    nyuRawImageToMetres(raw, this.table, this.rawMetres, true);
    this.registration.registerDepth(this.rawMetres, depth);
    const rgb = this.registration.undistortRgb(colour.data as Uint8Array, new Uint8Array(width * height * 3));
    return { rgb, depth };
  }
}

export class NyuRawReader extends IndexedSequenceReader {
  private constructor(
    readonly info: SequenceInfo,
    private readonly pairs: readonly NyuPairPaths[],
    private readonly poses: readonly (Float64Array | undefined)[],
    private readonly sidecar: Sidecar | undefined,
    private readonly decoder: NyuPairDecoder,
    private readonly extras: ExtrasWanted,
  ) { super(); }

  static async open(dir: string, extras: ExtrasWanted = ALL_EXTRAS): Promise<NyuRawReader> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      throw new InputError(dir, `cannot list folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    const rgb: NyuFileEntry[] = [], depth: NyuFileEntry[] = [];
    for (const name of names) {
      const p = parseNyuName(name);
      if (p?.kind === 'r' && name.endsWith('.ppm')) rgb.push(p.entry);
      else if (p?.kind === 'd' && name.endsWith('.pgm')) depth.push(p.entry);
    }
    const byTime = (a: NyuFileEntry, b: NyuFileEntry) => a.timestamp - b.timestamp || a.counter - b.counter;
    rgb.sort(byTime); depth.sort(byTime);
    if (depth.length === 0) throw new InputError(dir, 'NYU raw scene folder without depth frames (d-<unix seconds>-<n>.pgm)');
    if (rgb.length === 0) throw new InputError(dir, 'NYU raw scene folder without colour frames (r-<unix seconds>-<n>.ppm)');
    const match = syncNearest(depth, rgb);
    const pairs: NyuPairPaths[] = depth.map((d, i) => ({
      rgbPath: join(dir, rgb[match[i]].name), depthPath: join(dir, d.name), timestamp: d.timestamp,
      depthBase: d.name.replace(/\.pgm$/, ''),
    }));
    const sidecar = await readSidecar(dir);
    const decoder = new NyuPairDecoder(sidecar);
    const warnings: string[] = [];
    let maxGap = 0;
    for (let i = 0; i < depth.length; i++) maxGap = Math.max(maxGap, Math.abs(rgb[match[i]].timestamp - depth[i].timestamp));
    if (maxGap > 0.05) warnings.push(`${dir}: largest depth↔colour time gap is ${maxGap.toFixed(3)} s`);
    if (!sidecar?.depthRegistered) warnings.push(`${dir}: raw Kinect depth undistorted and registered to the colour camera (toolbox calibration)`);

    const gtFile = join(dir, 'groundtruth.txt');
    let trajectory: StampedPose[] = [];
    if (await pathKind(gtFile) === 'file') trajectory = parseTumTrajectory(gtFile, await readTextFile(gtFile));
    const poses = pairs.map((p) => groundTruthAt(trajectory, p.timestamp, DEFAULT_GROUND_TRUTH_LOOKUP));
    const k = decoder.intrinsics;
    const info: SequenceInfo = {
      format: 'nyu-raw', path: dir, frames: pairs.length, width: k.width, height: k.height, intrinsics: k,
      hasGroundTruth: poses.some((p) => p !== undefined), hasLabels: sidecar?.hasLabels ?? false, warnings,
    };
    return new NyuRawReader(info, pairs, poses, sidecar, decoder, extras);
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const p = this.pairs[i];
    const { rgb, depth } = await this.decoder.decode(p);
    const { width, height } = this.info;
    const extras = await readFrameExtras(this.info.path, this.sidecar, p.depthBase, width, height, this.extras);
    const pose = this.poses[i];
    return {
      index: i, timestamp: p.timestamp, width, height, rgb, depth, intrinsics: this.info.intrinsics,
      ...(pose ? { groundTruthPose: pose } : {}), ...extras,
    };
  }
}
