import table from '../models/classes/nyu-classes.json' with { type: 'json' };

/** The class tables live once, in models/classes/nyu-classes.json, shared with the Python training package. */
export const NYU40_NAMES: readonly string[] = table.nyu40;
/** 13-class names; index 0 is "unlabelled", 1..13 the SemanticFusion classes. */
export const NYU13_NAMES: readonly string[] = table.nyu13;
export const NYU40_CLASS_COUNT = 40;
/** Number of real 13-class classes (ids 1..13). */
export const NYU13_CLASS_COUNT = 13;
export const VOID_LABEL = 255;
/** nyu40to13[k] is the 13-class id (1..13) of 0-based NYU40 class k. */
export const NYU40_TO_13: Uint8Array = Uint8Array.from(table.nyu40to13);
/** RGB palette for 0-based NYU40 classes (PASCAL VOC palette[k + 1], as the authors draw them). */
export const PALETTE40: Uint8Array = Uint8Array.from(table.palette40.flat());
/** RGB palette for 13-class ids 0..13 (0 = unlabelled, black). */
export const PALETTE13: Uint8Array = Uint8Array.from(table.palette13.flat());

/**
 * Sums 40-class probabilities (pixel-major, H·W·40) into 13-class probabilities (pixel-major, H·W·13;
 * channel c holds class id c + 1). Allocation-free: `out` is the caller's.
 */
export function remapProbabilities40to13(probs40: Float32Array, pixelCount: number, out: Float32Array): Float32Array {
  out.fill(0, 0, pixelCount * NYU13_CLASS_COUNT);
  for (let p = 0; p < pixelCount; p++) {
    const src = p * NYU40_CLASS_COUNT;
    const dst = p * NYU13_CLASS_COUNT;
    for (let k = 0; k < NYU40_CLASS_COUNT; k++) out[dst + NYU40_TO_13[k] - 1] += probs40[src + k];
  }
  return out;
}

/** Maps a 40-class label image (0..39, 255 void) to 13-class ids (1..13, 0 for void). */
export function remapLabels40to13(labels40: Uint8Array, out: Uint8Array): Uint8Array {
  for (let i = 0; i < labels40.length; i++) {
    const k = labels40[i];
    out[i] = k < NYU40_CLASS_COUNT ? NYU40_TO_13[k] : 0;
  }
  return out;
}
