import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { pathKind } from '../io/text.js';
import type { SequenceFormat, SequenceReader } from './frame.js';

/** The formats that live in folders (generated in-memory sequences have no folder to detect). */
export type FolderFormat = Extract<SequenceFormat, 'nyu-raw' | 'tum' | '7scenes' | 'redwood' | 'icl-nuim' | 'single-pair'>;
import { IclNuimReader } from './iclNuim.js';
import { NyuRawReader, parseNyuName } from './nyuRaw.js';
import { RedwoodReader } from './redwood.js';
import { SEVEN_SCENES_FRAME_NAME, SevenScenesReader } from './sevenScenes.js';
import { readSidecar } from './sidecar.js';
import { findPair, SinglePairReader } from './singlePair.js';
import type { TumReaderOptions } from './tum.js';
import { TumReader } from './tum.js';
import type { CameraSpec } from './cameraSpec.js';
import { applyCameraSpec } from './cameraOverride.js';
import type { ColourCamera } from './colourRegistration.js';
import { applyColourRegistration } from './colourRegistration.js';
import { detectContainer } from './containers.js';
import { KlgReader } from './klg.js';
import type { McapReaderOptions } from './mcap.js';
import { McapSequenceReader } from './mcap.js';
import type { ExtrasWanted } from './extras.js';
import { wantedExtras } from './extras.js';

export interface OpenSequenceOptions {
  readonly tum?: Partial<TumReaderOptions>;
  /** ROS 2 bags: topic choice and association window. */
  readonly mcap?: Partial<Omit<McapReaderOptions, 'camera'>>;
  /** The user's camera (--intrinsics, --camera, --depth-scale), over what the format assumes. */
  readonly camera?: CameraSpec;
  /** Which of our generator's per-frame extras (labels, exact depth) to read where a sequence has them; all by default. */
  readonly extras?: Partial<ExtrasWanted>;
  /** The colour camera when colour is not registered to depth (--colour-camera), over the format's; 'none': as stored. */
  readonly colourCamera?: ColourCamera | 'none';
}

const EXPECTED = [
  'NYU raw scene (r-<t>-<n>.ppm + d-<t>-<n>.pgm)',
  'TUM RGB-D (rgb.txt + depth.txt)',
  '7-Scenes (frame-NNNNNN.color.png or .color.jpg + .depth.png + .pose.txt, optionally under rgbd-frames/)',
  'Redwood (color/ + depth/ with rgbd.match, trajectory.log or camera*.json)',
  'ICL-NUIM (color/N.png + depth/N.png, pose.txt)',
  'a single pair (<NAME>_color.{png,jpg,ppm} + <NAME>_depth.{png,pgm})',
].join('; ');

/** Which reader a folder needs, from its files only (nothing decoded). */
export async function detectFormat(dir: string): Promise<FolderFormat> {
  const kind = await pathKind(dir);
  if (kind === 'missing') throw new InputError(dir, 'not found');
  if (kind !== 'dir') throw new InputError(dir, 'expected a sequence folder, found a file');
  const names = await readdir(dir);
  if (names.length === 0) throw new InputError(dir, `empty folder; expected one of: ${EXPECTED}`);
  const has = new Set(names);
  const sidecar = await readSidecar(dir);
  if (sidecar) return sidecar.format === 'nyu' ? 'nyu-raw' : 'tum';
  if (has.has('rgb.txt') && has.has('depth.txt')) return 'tum';
  if (names.some((n) => parseNyuName(n)?.kind === 'd')) return 'nyu-raw';
  if (await pathKind(join(dir, 'rgbd-frames')) === 'dir' || names.some((n) => SEVEN_SCENES_FRAME_NAME.test(n))) return '7scenes';
  if (await pathKind(join(dir, 'color')) === 'dir' && await pathKind(join(dir, 'depth')) === 'dir') {
    if (has.has('rgbd.match') || has.has('trajectory.log') || names.some((n) => /^camera.*\.json$/i.test(n))) return 'redwood';
    const colour = await readdir(join(dir, 'color'));
    if (has.has('pose.txt') || (colour.length > 0 && colour.every((n) => /^\d+\.png$/.test(n) && !/^0\d/.test(n)))) return 'icl-nuim';
    return 'redwood';
  }
  if (await findPair(dir)) return 'single-pair';
  throw new InputError(dir, `unrecognised sequence folder; expected one of: ${EXPECTED}`);
}

/** Opens any supported RGB-D sequence (folder, ROS 2 bag or .klg log); reads indexes only, frames are decoded on read(). */
export async function openSequence(path: string, options: OpenSequenceOptions = {}): Promise<SequenceReader> {
  return applyColourRegistration(await openContainerOrFolder(resolve(path), options), options.colourCamera);
}

async function openContainerOrFolder(dir: string, options: OpenSequenceOptions): Promise<SequenceReader> {
  switch (await detectContainer(dir)) {
    case 'mcap': return McapSequenceReader.open(dir, { ...options.mcap, ...(options.camera ? { camera: options.camera } : {}), extras: wantedExtras(options.extras) });
    case 'klg': return KlgReader.open(dir, options.camera ? { camera: options.camera } : {});
    case undefined: return applyCameraSpec(await openFolder(dir, options), options.camera);
  }
}

async function openFolder(dir: string, options: OpenSequenceOptions): Promise<SequenceReader> {
  switch (await detectFormat(dir)) {
    case 'nyu-raw': return NyuRawReader.open(dir, wantedExtras(options.extras));
    case 'tum': return TumReader.open(dir, { ...options.tum, extras: wantedExtras(options.extras) });
    case '7scenes': return SevenScenesReader.open(dir);
    case 'redwood': return RedwoodReader.open(dir);
    case 'icl-nuim': return IclNuimReader.open(dir);
    case 'single-pair': return SinglePairReader.open(dir);
  }
}
