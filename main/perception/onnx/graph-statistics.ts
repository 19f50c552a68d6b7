import { isFloatingType, type OnnxModel, type OnnxNode } from './onnx-file.js';
import { inferShapes, type InferredValue } from './shape-inference.js';

/**
 * Parameter and cost counts read from an ONNX graph itself.
 *
 * Parameter convention (the fact sheet's, network.md): conv weights, biases and BatchNorm γ/β; BatchNorm
 * running mean/variance are statistics, counted apart. Tensors are counted per use, resolving Identity
 * aliases: PyTorch's exporter merges initialisers with equal values (with random init every BN γ is all
 * ones, every β all zeros) into one tensor read through Identity nodes, so summing the stored initialisers
 * would undercount a network whose weights are not tied. A model exported with BatchNorm folded into the
 * convolutions (PyTorch's default in eval mode) has no γ left to count: its count is lower by the number of
 * BN channels, and `batchNormNodes` is 0.
 */

export interface OpCost {
  readonly nodes: number;
  /** Multiply-accumulates (Conv, ConvTranspose, Gemm, MatMul; BN and linear Resize as 1 / 2^d per element). */
  readonly macs: number;
  /** Other arithmetic: elementwise results, pooling comparisons. Lower is cheaper. */
  readonly otherOps: number;
}

export interface GraphStatistics {
  /** Conv weights + biases + BN γ/β (fact-sheet convention), counted per use. */
  readonly params: number;
  /** BN running means and variances. */
  readonly bnStatistics: number;
  readonly paramsWithBnStatistics: number;
  /** Sum of the stored initialisers' element counts (after the exporter's de-duplication). */
  readonly storedInitializerElements: number;
  readonly batchNormNodes: number;
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  readonly outputShapes: Readonly<Record<string, readonly number[] | null>>;
  /** Conv + ConvTranspose + Gemm + MatMul multiply-accumulates: the "plain conv MACs" of the fact sheet. */
  readonly macs: number;
  /** `macs` plus BN scale/shift and interpolation MACs. */
  readonly totalMacs: number;
  readonly otherOps: number;
  readonly costByOp: Readonly<Record<string, OpCost>>;
  /** Count of every op type in the graph (including Constant / Identity / shape arithmetic). */
  readonly opCounts: Readonly<Record<string, number>>;
  /** Op types whose output shapes could not be inferred; when non-empty the cost figures are incomplete. */
  readonly unknownOps: readonly string[];
}

/** Inputs at these slots of these ops are weights. */
const PARAM_SLOTS: Record<string, readonly number[]> = {
  Conv: [1, 2], ConvTranspose: [1, 2], Gemm: [1, 2], BatchNormalization: [1, 2], InstanceNormalization: [1, 2],
  LayerNormalization: [1, 2], PRelu: [1],
};
const BN_STAT_SLOTS = [3, 4];

const count = (shape: readonly number[] | null) => (shape ? shape.reduce((a, b) => a * b, 1) : 0);

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Clip', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Abs', 'Neg', 'Exp',
  'Log', 'Sqrt', 'Pow', 'Max', 'Min', 'HardSigmoid', 'HardSwish', 'PRelu', 'Softmax', 'Erf']);

function nodeCost(node: OnnxNode, get: (name: string) => InferredValue | undefined): { macs: number; otherOps: number } {
  const outShape = get(node.outputs[0])?.shape ?? null;
  const out = count(outShape);
  switch (node.opType) {
    case 'Conv': {
      const w = get(node.inputs[1])?.shape;
      // weight [M, C/group, k...]: each output element needs C/group · Πk MACs (groups included).
      return { macs: w ? out * count(w.slice(1)) : 0, otherOps: 0 };
    }
    case 'ConvTranspose': {
      const x = get(node.inputs[0])?.shape ?? null;
      const w = get(node.inputs[1])?.shape;
      return { macs: w ? count(x) * count(w.slice(1)) : 0, otherOps: 0 };
    }
    case 'Gemm': {
      const a = get(node.inputs[0])?.shape;
      const k = a ? ((node.attributes.get('transA') ?? 0) === 1 ? a[0] : a[1]) : 0;
      return { macs: out * k, otherOps: 0 };
    }
    case 'MatMul': {
      const a = get(node.inputs[0])?.shape;
      return { macs: a ? out * a[a.length - 1] : 0, otherOps: 0 };
    }
    case 'BatchNormalization': return { macs: out, otherOps: 0 };
    case 'Resize': case 'Upsample': {
      const mode = node.attributes.get('mode');
      const x = get(node.inputs[0])?.shape;
      if (mode === 'linear' && x && outShape) {
        const resized = x.filter((d, i) => d !== outShape[i]).length;
        return { macs: out * 2 ** resized, otherOps: 0 };
      }
      return { macs: 0, otherOps: out };
    }
    case 'MaxPool': case 'AveragePool': {
      const k = node.attributes.get('kernel_shape');
      return { macs: 0, otherOps: out * (Array.isArray(k) ? count(k as number[]) : 1) };
    }
    default:
      return ELEMENTWISE.has(node.opType) ? { macs: 0, otherOps: out } : { macs: 0, otherOps: 0 };
  }
}

/** Counts parameters and costs with the graph inputs bound to `inputShapes`. */
export function graphStatistics(model: OnnxModel, inputShapes: ReadonlyMap<string, readonly number[]>): GraphStatistics {
  // Identity aliases of initialisers (the exporter's de-duplication).
  const alias = new Map<string, string>();
  for (const node of model.nodes) {
    if (node.opType !== 'Identity') continue;
    const src = alias.get(node.inputs[0]) ?? node.inputs[0];
    if (model.initializers.has(src)) alias.set(node.outputs[0], src);
  }
  const initializerOf = (name: string) => model.initializers.get(alias.get(name) ?? name);

  let params = 0;
  let bnStatistics = 0;
  let batchNormNodes = 0;
  const opCounts: Record<string, number> = {};
  for (const node of model.nodes) {
    opCounts[node.opType] = (opCounts[node.opType] ?? 0) + 1;
    if (node.opType === 'BatchNormalization') {
      batchNormNodes++;
      for (const slot of BN_STAT_SLOTS) bnStatistics += initializerOf(node.inputs[slot] ?? '')?.elementCount ?? 0;
    }
    const slots = PARAM_SLOTS[node.opType] ?? (node.opType === 'MatMul' ? [0, 1] : []);
    for (const slot of slots) {
      const t = initializerOf(node.inputs[slot] ?? '');
      if (t && isFloatingType(t.dataType)) params += t.elementCount;
    }
  }
  let stored = 0;
  for (const t of model.initializers.values()) stored += t.elementCount;

  const inferred = inferShapes(model, inputShapes);
  const get = (name: string) => inferred.values.get(name);
  const costByOp: Record<string, { nodes: number; macs: number; otherOps: number }> = {};
  let macs = 0;
  let totalMacs = 0;
  let otherOps = 0;
  for (const node of model.nodes) {
    const c = nodeCost(node, get);
    const entry = (costByOp[node.opType] ??= { nodes: 0, macs: 0, otherOps: 0 });
    entry.nodes++;
    entry.macs += c.macs;
    entry.otherOps += c.otherOps;
    totalMacs += c.macs;
    otherOps += c.otherOps;
    if (node.opType === 'Conv' || node.opType === 'ConvTranspose' || node.opType === 'Gemm' || node.opType === 'MatMul') macs += c.macs;
  }
  const outputShapes: Record<string, readonly number[] | null> = {};
  for (const o of model.outputs) outputShapes[o.name] = get(o.name)?.shape ?? null;
  return {
    params,
    bnStatistics,
    paramsWithBnStatistics: params + bnStatistics,
    storedInitializerElements: stored,
    batchNormNodes,
    inputShapes: Object.fromEntries(inputShapes),
    outputShapes,
    macs,
    totalMacs,
    otherOps,
    costByOp,
    opCounts,
    unknownOps: inferred.unknownOps,
  };
}
