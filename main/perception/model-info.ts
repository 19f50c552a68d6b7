import { dataTypeName, readOnnxModel, type OnnxDim } from './onnx/onnx-file.js';
import { graphStatistics, type OpCost } from './onnx/graph-statistics.js';
import type { ImageNormalisation } from './preprocess.js';

/** The size model-info reports costs at: NYUDv2's native 640×480 (the paper's figure). */
export const MODEL_INFO_SIZE = { width: 640, height: 480 } as const;

export interface TensorDescription {
  readonly name: string;
  readonly type: string;
  /** As declared in the file: numbers, or names of dynamic dimensions. */
  readonly shape: readonly OnnxDim[];
  /** Concrete shape with the input at 640×480. */
  readonly shape640x480: readonly number[] | null;
}

/** `semslam model-info`: what a network file holds, read from its ONNX graph. */
export interface ModelInfo {
  readonly file: string;
  readonly producer: string;
  readonly opset: number;
  /** Conv weights + biases + BN γ/β, counted per use (see graph-statistics.ts); lower is smaller. */
  readonly params: number;
  readonly bnStatistics: number;
  readonly paramsWithBnStatistics: number;
  readonly storedInitializerElements: number;
  readonly batchNormNodes: number;
  /** Conv (+ Gemm/MatMul) multiply-accumulates at 640×480; lower is cheaper. */
  readonly macs640x480: number;
  /** Plus BN and interpolation MACs. */
  readonly totalMacs640x480: number;
  readonly otherOps640x480: number;
  readonly costByOp640x480: Readonly<Record<string, OpCost>>;
  readonly opCounts: Readonly<Record<string, number>>;
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  /** Class names from the file's metadata; null when it has none. */
  readonly classes: readonly string[] | null;
  readonly normalisation: ImageNormalisation | null;
  /** Ops whose shapes could not be inferred; non-empty means the cost figures are incomplete. */
  readonly unknownOps: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

function parseJsonArray(text: string | undefined): unknown[] | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

export async function readModelInfo(file: string): Promise<ModelInfo> {
  const model = await readOnnxModel(file);
  // Dynamic dims of a 4-D image input bind to [1, C, 480, 640]; fixed dims stay as declared.
  const bind = new Map<string, number[]>();
  for (const input of model.inputs) {
    const s = input.shape;
    const concrete = s.map((d, i) => (typeof d === 'number' ? d
      : s.length === 4 ? [1, 3, MODEL_INFO_SIZE.height, MODEL_INFO_SIZE.width][i] : 1));
    bind.set(input.name, concrete);
  }
  const stats = graphStatistics(model, bind);
  const classes = parseJsonArray(model.metadata.class_names);
  const mean = parseJsonArray(model.metadata.input_mean);
  const std = parseJsonArray(model.metadata.input_std);
  return {
    file,
    producer: model.producer,
    opset: model.opsetVersion,
    params: stats.params,
    bnStatistics: stats.bnStatistics,
    paramsWithBnStatistics: stats.paramsWithBnStatistics,
    storedInitializerElements: stats.storedInitializerElements,
    batchNormNodes: stats.batchNormNodes,
    macs640x480: stats.macs,
    totalMacs640x480: stats.totalMacs,
    otherOps640x480: stats.otherOps,
    costByOp640x480: stats.costByOp,
    opCounts: stats.opCounts,
    inputs: model.inputs.map((i) => ({ name: i.name, type: dataTypeName(i.elementType), shape: i.shape, shape640x480: stats.inputShapes[i.name] ?? null })),
    outputs: model.outputs.map((o) => ({ name: o.name, type: dataTypeName(o.elementType), shape: o.shape, shape640x480: stats.outputShapes[o.name] ?? null })),
    classes: classes && classes.every((c) => typeof c === 'string') ? (classes as string[]) : null,
    normalisation: mean?.length === 3 && std?.length === 3
      ? { mean: mean as [number, number, number], std: std as [number, number, number] } : null,
    unknownOps: stats.unknownOps,
    metadata: model.metadata,
  };
}
