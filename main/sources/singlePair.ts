import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';
import { readPng16, readPngSize, readRgbImage } from '../io/image.js';
import type { Frame, SequenceInfo } from './frame.js';
import { expectSize, IndexedSequenceReader, scaledDepthToMetres } from './indexedReader.js';
import { NyuPairDecoder } from './nyuRaw.js';
import { TUM_DEPTH_UNITS_PER_METRE, TUM_INTRINSICS } from './tum.js';
import { NYU_RGB_INTRINSICS } from './nyuCamera.js';
import { scaleIntrinsics } from '../../fusion/camera.js';

/**
 * One colour + depth pair named `<PREFIX>_color.<ext>` and `<PREFIX>_depth.<ext>`, the way the sample
 * pairs ship:
 * - nyu: `.ppm` + raw `.pgm` → decoded and registered exactly like a NYU raw scene;
 * - tum: `.png` + 16-bit `.png` ×5000, registered; the Kinect is unknown (fr1 assumed, warned);
 * - sun: SUN RGB-D `.jpg` + 16-bit `.png` with bits rotated (`(d >> 3) | (d << 13)`), then millimetres;
 *   SUN RGB-D ships intrinsics per image, absent here: the NYU Kinect's are assumed (warned).
 */
export type PairKind = 'nyu' | 'tum' | 'sun';

export interface PairFiles { readonly kind: PairKind; readonly rgbPath: string; readonly depthPath: string }

export async function findPair(dir: string): Promise<PairFiles | undefined> {
  const names = await readdir(dir);
  const colour = names.find((n) => /_colou?r\.(png|jpe?g|ppm)$/i.test(n));
  if (!colour) return undefined;
  const prefix = colour.replace(/_colou?r\.[^.]+$/i, '');
  const depth = names.find((n) => n.toLowerCase().startsWith(`${prefix.toLowerCase()}_depth.`) && /\.(png|pgm)$/i.test(n));
  if (!depth) return undefined;
  const kind: PairKind = /\.pgm$/i.test(depth) ? 'nyu' : /^sun/i.test(prefix) ? 'sun' : 'tum';
  return { kind, rgbPath: join(dir, colour), depthPath: join(dir, depth) };
}

/** Undoes SUN RGB-D's bit rotation into millimetres → metres. Allocation-free. */
export function sunDepthToMetres(src: Uint16Array, out: Float32Array): Float32Array {
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    const mm = ((v >> 3) | (v << 13)) & 0xffff;
    out[i] = mm / 1000;
  }
  return out;
}

export class SinglePairReader extends IndexedSequenceReader {
  private readonly nyu: NyuPairDecoder | undefined;

  private constructor(readonly info: SequenceInfo, private readonly files: PairFiles) {
    super();
    this.nyu = files.kind === 'nyu' ? new NyuPairDecoder(undefined) : undefined;
  }

  static async open(dir: string): Promise<SinglePairReader> {
    const files = await findPair(dir);
    if (!files) throw new InputError(dir, 'no <NAME>_color.{png,jpg,ppm} + <NAME>_depth.{png,pgm} pair');
    let intrinsics: Intrinsics;
    const warnings: string[] = [];
    if (files.kind === 'nyu') {
      intrinsics = NYU_RGB_INTRINSICS; // registered into the undistorted colour camera
      warnings.push(`${files.depthPath}: raw Kinect depth undistorted and registered to the colour camera (NYU toolbox calibration)`);
    } else {
      // Size only: the PNG header, or (JPEG) a full decode, which we accept for a single pair.
      const rgb = /\.png$/i.test(files.rgbPath) ? await readPngSize(files.rgbPath) : await readRgbImage(files.rgbPath);
      if (files.kind === 'tum') {
        intrinsics = scaleIntrinsics(TUM_INTRINSICS.fr1, rgb.width, rgb.height);
        warnings.push(`${dir}: TUM camera unknown for a single pair; fr1 intrinsics assumed`);
      } else {
        intrinsics = scaleIntrinsics(NYU_RGB_INTRINSICS, rgb.width, rgb.height);
        warnings.push(`${dir}: SUN RGB-D per-image intrinsics not present; NYU Kinect colour intrinsics assumed`);
      }
    }
    const info: SequenceInfo = {
      format: 'single-pair', path: dir, frames: 1, width: intrinsics.width, height: intrinsics.height, intrinsics,
      hasGroundTruth: false, hasLabels: false, warnings,
    };
    return new SinglePairReader(info, files);
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const { width, height, intrinsics } = this.info;
    const f = this.files;
    let rgb: Uint8Array, depth: Float32Array;
    if (this.nyu) {
      ({ rgb, depth } = await this.nyu.decode({ rgbPath: f.rgbPath, depthPath: f.depthPath, timestamp: 0, depthBase: '' }));
    } else {
      const colour = await readRgbImage(f.rgbPath);
      expectSize(f.rgbPath, colour.width, colour.height, width, height);
      const d16 = await readPng16(f.depthPath);
      expectSize(f.depthPath, d16.width, d16.height, width, height);
      depth = new Float32Array(width * height);
      if (f.kind === 'sun') sunDepthToMetres(d16.data, depth);
      else scaledDepthToMetres(d16.data, TUM_DEPTH_UNITS_PER_METRE, depth);
      rgb = colour.data;
    }
    return { index: 0, timestamp: 0, width, height, rgb, depth, intrinsics };
  }
}
