import { InputError } from '../errors.js';
import type { OnnxModel } from './onnx/onnx-file.js';
import { parseInputSizePolicy } from './input-size.js';
import { IMAGENET_NORMALISATION, type ImageNormalisation } from './preprocess.js';

/**
 * What the app needs to know about a joint-network ONNX file, read from its graph and metadata_props
 * (written by models/semslam_net/export.py: class_names, input_mean, input_std as JSON). Files without
 * metadata (foreign exports) fall back to ImageNet normalisation and the class count of the `segm` output.
 */
export interface JointModelDescription {
  readonly inputName: string;
  /** Fixed network input size when the file fixes H and W, null when they are dynamic. */
  readonly fixedInputSize: { readonly width: number; readonly height: number } | null;
  /** The frame size the network was trained at (metadata `input_size`), which the app runs it at by default. */
  readonly trainedInputSize: { readonly width: number; readonly height: number } | null;
  readonly segmOutput: string;
  readonly depthOutput: string;
  readonly normalsOutput: string | null;
  /** Class names from metadata, or null when the file carries none. */
  readonly classNames: readonly string[] | null;
  /** Class count of the segm output when fixed in the graph, else the metadata's. */
  readonly classCount: number | null;
  readonly normalisation: ImageNormalisation;
  /** Whether normalisation came from the file (true) or is the ImageNet default (false). */
  readonly normalisationFromFile: boolean;
  readonly metadata: Readonly<Record<string, string>>;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The metadata's `input_size` ('WxH', the CLI's syntax); null when absent or not a usable size. */
function parseTrainedSize(text: string | undefined): { width: number; height: number } | null {
  if (text === undefined) return null;
  try {
    const p = parseInputSizePolicy(text.trim());
    return p.kind === 'fixed' ? { width: p.width, height: p.height } : null;
  } catch {
    return null;
  }
}

function triple(v: unknown): [number, number, number] | null {
  return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number') ? [v[0], v[1], v[2]] : null;
}

export function describeJointModel(model: OnnxModel, file: string): JointModelDescription {
  if (model.inputs.length !== 1) {
    throw new InputError(file, `expected one image input, found ${model.inputs.length} (${model.inputs.map((i) => i.name).join(', ')})`);
  }
  const input = model.inputs[0];
  const s = input.shape;
  if (s.length !== 4 || (typeof s[1] === 'number' && s[1] !== 3) || (typeof s[0] === 'number' && s[0] !== 1)) {
    throw new InputError(file, `expected input "${input.name}" of shape [1,3,H,W], found [${s.map((d) => d ?? '?').join(',')}]`);
  }
  const names = model.outputs.map((o) => o.name);
  const segm = names.includes('segm') ? 'segm' : null;
  const depth = names.includes('depth') ? 'depth' : null;
  if (!segm || !depth) {
    throw new InputError(file, `expected outputs "segm" and "depth" (the joint network), found ${names.join(', ') || 'none'}`);
  }
  const segmShape = model.outputs.find((o) => o.name === segm)!.shape;
  const metaNames = parseJson(model.metadata.class_names);
  const classNames = Array.isArray(metaNames) && metaNames.every((n) => typeof n === 'string') ? (metaNames as string[]) : null;
  const graphClasses = typeof segmShape[1] === 'number' ? segmShape[1] : null;
  if (classNames && graphClasses !== null && classNames.length !== graphClasses) {
    throw new InputError(file, `metadata lists ${classNames.length} class names but the segm output has ${graphClasses} channels`);
  }
  const mean = triple(parseJson(model.metadata.input_mean));
  const std = triple(parseJson(model.metadata.input_std));
  return {
    inputName: input.name,
    fixedInputSize: typeof s[2] === 'number' && typeof s[3] === 'number' ? { width: s[3], height: s[2] } : null,
    trainedInputSize: parseTrainedSize(model.metadata.input_size),
    segmOutput: segm,
    depthOutput: depth,
    normalsOutput: names.includes('normals') ? 'normals' : null,
    classNames,
    classCount: graphClasses ?? classNames?.length ?? null,
    normalisation: mean && std ? { mean, std } : IMAGENET_NORMALISATION,
    normalisationFromFile: Boolean(mean && std),
    metadata: model.metadata,
  };
}
