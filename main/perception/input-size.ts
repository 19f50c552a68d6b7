/**
 * How the frame maps to the network's input size. The network is fully convolutional with output stride
 * 32 internally, so any multiple of 32 runs without padding artefacts.
 * - `frameMultiple`: the frame's own size rounded to the nearest multiple (640×480 runs as is; the
 *   authors run NYUD at native resolution).
 * - `fixed`: always this size (e.g. 320×240 for speed), the frame resampled bilinearly. Sizes that are not
 *   multiples of 32 run too (the decoder upsamples to each skip feature's actual, rounded-up size; 320×240
 *   is the paper's own low-resolution setting), at the cost of slightly misaligned coarse features.
 * Outputs are always upsampled back to the frame's size.
 */
export type InputSizePolicy =
  | { readonly kind: 'frameMultiple'; readonly multiple: number }
  | { readonly kind: 'fixed'; readonly width: number; readonly height: number };

export const DEFAULT_INPUT_SIZE_POLICY: InputSizePolicy = { kind: 'frameMultiple', multiple: 32 };

export interface NetworkInputSize {
  readonly width: number;
  readonly height: number;
}

export function networkInputSize(policy: InputSizePolicy, frameWidth: number, frameHeight: number): NetworkInputSize {
  if (policy.kind === 'fixed') return { width: policy.width, height: policy.height };
  const m = policy.multiple;
  return {
    width: Math.max(m, Math.round(frameWidth / m) * m),
    height: Math.max(m, Math.round(frameHeight / m) * m),
  };
}

/** Parses `WxH` (fixed size) or `native` (frame multiple of 32), as given on the command line. */
export function parseInputSizePolicy(text: string): InputSizePolicy {
  if (text === 'native') return DEFAULT_INPUT_SIZE_POLICY;
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (!m) throw new Error(`input size must be "native" or WIDTHxHEIGHT (e.g. 320x240), got "${text}"`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 32 || height < 32) {
    throw new Error(`input size ${text}: width and height must be at least 32`);
  }
  return { kind: 'fixed', width, height };
}
