import { join } from 'node:path';
import { readPng16, readPng8 } from '../io/image.js';
import { expectSize, scaledDepthToMetres } from './indexedReader.js';
import type { Sidecar } from './sidecar.js';
import { DEPTH_GT_DIR, DEPTH_GT_SCALE, LABELS_DIR } from './sidecar.js';

/** Labels and exact depth our writers store beside a frame (see writers.ts), when the sidecar lists them. */
export interface FrameExtras {
  labels40?: Uint8Array;
  depthGroundTruth?: Float32Array;
}

/**
 * Which extras a reader decodes (all by default). Mapping never needs the exact depth and needs labels only to
 * simulate or score them: skipping them is two fewer images to decode, resize and pass on per frame.
 */
export interface ExtrasWanted {
  readonly labels: boolean;
  readonly depthGroundTruth: boolean;
}

export const ALL_EXTRAS: ExtrasWanted = { labels: true, depthGroundTruth: true };

/** What a caller's partial choice (OpenSequenceOptions.extras) wants: all that it does not turn off. */
export function wantedExtras(partial: Partial<ExtrasWanted> | undefined): ExtrasWanted {
  return { ...ALL_EXTRAS, ...partial };
}

export async function readFrameExtras(dir: string, sidecar: Sidecar | undefined, depthBase: string, width: number, height: number, wanted: ExtrasWanted = ALL_EXTRAS): Promise<FrameExtras> {
  const extras: FrameExtras = {};
  if (sidecar?.hasLabels && wanted.labels) {
    const path = join(dir, LABELS_DIR, `${depthBase}.png`);
    const img = await readPng8(path);
    expectSize(path, img.width, img.height, width, height);
    extras.labels40 = img.data;
  }
  if (sidecar?.hasDepthGroundTruth && wanted.depthGroundTruth) {
    const path = join(dir, DEPTH_GT_DIR, `${depthBase}.png`);
    const img = await readPng16(path);
    expectSize(path, img.width, img.height, width, height);
    extras.depthGroundTruth = scaledDepthToMetres(img.data, DEPTH_GT_SCALE, new Float32Array(width * height));
  }
  return extras;
}
