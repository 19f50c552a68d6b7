import type { OnnxModel, OnnxNode, OnnxTensor } from './onnx-file.js';

/**
 * Static shape inference over an ONNX graph at a concrete input size, with constant propagation of the
 * small integer tensors that carry shapes (Shape → Gather → Unsqueeze → Concat → Resize, as PyTorch exports
 * `F.interpolate(size=skip.shape[2:])`). Covers the ops of convolutional networks; an op it does not know
 * leaves its outputs unknown and is listed in `unknownOps` (so a report can say it is incomplete rather
 * than silently undercount).
 */

export interface InferredValue {
  /** Concrete shape, or null when it could not be inferred. */
  readonly shape: readonly number[] | null;
  /** Element values for small constant tensors (shape arithmetic), else null. */
  readonly values: readonly number[] | null;
}

export interface ShapeInferenceResult {
  readonly values: ReadonlyMap<string, InferredValue>;
  /** Op types whose outputs could not be inferred (empty when every shape is known). */
  readonly unknownOps: readonly string[];
}

const UNKNOWN: InferredValue = { shape: null, values: null };
/** Values are only propagated for tensors this small (shape vectors, scales). */
const MAX_PROPAGATED = 64;

const numberCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function attrInt(node: OnnxNode, name: string, fallback: number): number {
  const v = node.attributes.get(name);
  return typeof v === 'number' ? v : fallback;
}
function attrInts(node: OnnxNode, name: string): readonly number[] | null {
  const v = node.attributes.get(name);
  return Array.isArray(v) ? (v as readonly number[]) : null;
}
function attrString(node: OnnxNode, name: string, fallback: string): string {
  const v = node.attributes.get(name);
  return typeof v === 'string' ? v : fallback;
}

function broadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

function elementwise(inputs: InferredValue[], op: (x: number, y: number) => number): InferredValue {
  let shape: readonly number[] | null = inputs[0]?.shape ?? null;
  for (let i = 1; i < inputs.length && shape; i++) shape = inputs[i].shape ? broadcast(shape, inputs[i].shape!) : null;
  if (!shape) return UNKNOWN;
  // Value propagation only for equal-length or scalar-broadcast 1-D operands (all shape arithmetic needs).
  const vals = inputs.map((v) => v.values);
  if (vals.every((v) => v !== null) && numberCount(shape) <= MAX_PROPAGATED) {
    const n = numberCount(shape);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      let acc = vals[0]![vals[0]!.length === 1 ? 0 : i];
      for (let k = 1; k < vals.length; k++) acc = op(acc, vals[k]![vals[k]!.length === 1 ? 0 : i]);
      out.push(acc);
    }
    return { shape, values: out };
  }
  return { shape, values: null };
}

function normaliseAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function convLikeShape(node: OnnxNode, x: readonly number[], kernel: readonly number[], outChannels: number): number[] | null {
  const spatial = x.length - 2;
  const strides = attrInts(node, 'strides') ?? new Array(spatial).fill(1);
  const dilations = attrInts(node, 'dilations') ?? new Array(spatial).fill(1);
  const pads = attrInts(node, 'pads') ?? new Array(spatial * 2).fill(0);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const ceilMode = attrInt(node, 'ceil_mode', 0) === 1;
  const out = [x[0], outChannels];
  for (let i = 0; i < spatial; i++) {
    const inSize = x[2 + i];
    const effK = (kernel[i] - 1) * dilations[i] + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') out.push(Math.ceil(inSize / strides[i]));
    else if (autoPad === 'VALID') out.push(Math.floor((inSize - effK) / strides[i]) + 1);
    else {
      const span = inSize + pads[i] + pads[i + spatial] - effK;
      out.push((ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1);
    }
  }
  return out;
}

function sliceValues(data: readonly number[], starts: readonly number[], ends: readonly number[], steps: readonly number[] | null): number[] {
  const n = data.length;
  const step = steps?.[0] ?? 1;
  const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));
  let s = starts[0] < 0 ? starts[0] + n : starts[0];
  let e = ends[0] < 0 ? ends[0] + n : ends[0];
  const out: number[] = [];
  if (step > 0) {
    s = clamp(s, 0, n); e = clamp(e, 0, n);
    for (let i = s; i < e; i += step) out.push(data[i]);
  } else {
    s = clamp(s, -1, n - 1); e = clamp(e, -1, n - 1);
    for (let i = s; i > e; i += step) out.push(data[i]);
  }
  return out;
}

function tensorValue(t: OnnxTensor): InferredValue {
  return { shape: t.dims, values: t.values };
}

/** Infers one node's outputs; `get` reads an input (empty name → null). */
function inferNode(node: OnnxNode, get: (name: string) => InferredValue | null, opset: number): InferredValue[] | null {
  const input = (i: number): InferredValue => get(node.inputs[i] ?? '') ?? UNKNOWN;
  const x = input(0);
  switch (node.opType) {
    case 'Constant': {
      const t = node.attributes.get('value');
      if (t && typeof t === 'object' && !Array.isArray(t)) return [tensorValue(t as OnnxTensor)];
      const ints = attrInts(node, 'value_ints') ?? (node.attributes.get('value_floats') as readonly number[] | undefined);
      if (ints) return [{ shape: [ints.length], values: ints }];
      const scalar = node.attributes.get('value_int') ?? node.attributes.get('value_float');
      if (typeof scalar === 'number') return [{ shape: [], values: [scalar] }];
      return null;
    }
    case 'Identity': case 'Relu': case 'Clip': case 'Sigmoid': case 'Tanh': case 'Abs': case 'Neg': case 'Exp': case 'Log':
    case 'LeakyRelu': case 'HardSigmoid': case 'HardSwish': case 'Softmax': case 'LogSoftmax': case 'Sqrt': case 'Erf':
    case 'Dropout': case 'LRN': case 'InstanceNormalization': case 'LayerNormalization':
      return [{ shape: x.shape, values: node.opType === 'Identity' ? x.values : null }];
    case 'Cast': case 'Floor': case 'Ceil': case 'Round': {
      const f = node.opType === 'Floor' ? Math.floor : node.opType === 'Ceil' ? Math.ceil : node.opType === 'Round' ? Math.round
        : (v: number) => v;
      const to = attrInt(node, 'to', 0);
      // Casting to an integer type truncates toward zero (ONNX Cast semantics for float → int).
      const cast = node.opType === 'Cast' && [2, 3, 4, 5, 6, 7, 12, 13].includes(to) ? Math.trunc : f;
      return [{ shape: x.shape, values: x.values ? x.values.map(cast) : null }];
    }
    case 'BatchNormalization': return [{ shape: x.shape, values: null }];
    case 'Add': return [elementwise(node.inputs.map((_, i) => input(i)), (a, b) => a + b)];
    case 'Sub': return [elementwise([x, input(1)], (a, b) => a - b)];
    case 'Mul': return [elementwise([x, input(1)], (a, b) => a * b)];
    // Integer division in shape arithmetic (PyTorch exports int64 Div); float results stay exact.
    case 'Div': return [elementwise([x, input(1)], (a, b) => (Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b))];
    case 'Pow': return [elementwise([x, input(1)], (a, b) => a ** b)];
    case 'Max': return [elementwise(node.inputs.map((_, i) => input(i)), Math.max)];
    case 'Min': return [elementwise(node.inputs.map((_, i) => input(i)), Math.min)];
    case 'Equal': return [elementwise([x, input(1)], (a, b) => (a === b ? 1 : 0))];
    case 'Where': {
      const c = input(0); const a = input(1); const b = input(2);
      const shape = c.shape && a.shape && b.shape ? broadcast(c.shape, a.shape) : null;
      const full = shape && b.shape ? broadcast(shape, b.shape) : null;
      return [{ shape: full, values: null }];
    }
    case 'Conv': {
      const w = input(1);
      if (!x.shape || !w.shape) return null;
      return [{ shape: convLikeShape(node, x.shape, w.shape.slice(2), w.shape[0]), values: null }];
    }
    case 'ConvTranspose': {
      const w = input(1);
      if (!x.shape || !w.shape) return null;
      const group = attrInt(node, 'group', 1);
      const spatial = x.shape.length - 2;
      const strides = attrInts(node, 'strides') ?? new Array(spatial).fill(1);
      const pads = attrInts(node, 'pads') ?? new Array(spatial * 2).fill(0);
      const outPad = attrInts(node, 'output_padding') ?? new Array(spatial).fill(0);
      const dil = attrInts(node, 'dilations') ?? new Array(spatial).fill(1);
      const shape = [x.shape[0], w.shape[1] * group];
      for (let i = 0; i < spatial; i++) {
        shape.push(strides[i] * (x.shape[2 + i] - 1) + outPad[i] + (w.shape[2 + i] - 1) * dil[i] + 1 - pads[i] - pads[i + spatial]);
      }
      return [{ shape, values: null }];
    }
    case 'MaxPool': case 'AveragePool': case 'LpPool': {
      const k = attrInts(node, 'kernel_shape');
      if (!x.shape || !k) return null;
      return [{ shape: convLikeShape(node, x.shape, k, x.shape[1]), values: null }];
    }
    case 'GlobalAveragePool': case 'GlobalMaxPool':
      return x.shape ? [{ shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)], values: null }] : null;
    case 'Gemm': {
      const a = input(0).shape; const b = input(1).shape;
      if (!a || !b) return null;
      const m = attrInt(node, 'transA', 0) ? a[1] : a[0];
      const n = attrInt(node, 'transB', 0) ? b[0] : b[1];
      return [{ shape: [m, n], values: null }];
    }
    case 'MatMul': {
      const a = input(0).shape; const b = input(1).shape;
      if (!a || !b || a.length < 2 || b.length < 2) return null;
      const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
      return batch ? [{ shape: [...batch, a[a.length - 2], b[b.length - 1]], values: null }] : null;
    }
    case 'Shape': {
      if (!x.shape) return null;
      const rank = x.shape.length;
      const start = normaliseAxis(attrInt(node, 'start', 0), rank);
      const end = normaliseAxis(attrInt(node, 'end', rank), rank);
      const v = x.shape.slice(start, end);
      return [{ shape: [v.length], values: v }];
    }
    case 'Gather': {
      const idx = input(1);
      if (!x.shape || !idx.shape) return null;
      const axis = normaliseAxis(attrInt(node, 'axis', 0), x.shape.length);
      const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
      let values: number[] | null = null;
      if (x.values && idx.values && x.shape.length === 1) {
        values = idx.values.map((i) => x.values![i < 0 ? i + x.shape![0] : i]);
      }
      return [{ shape, values }];
    }
    case 'Unsqueeze': case 'Squeeze': {
      if (!x.shape) return null;
      const axesIn = opset >= 13 && node.inputs.length > 1 ? input(1).values : attrInts(node, 'axes');
      let shape: number[];
      if (node.opType === 'Unsqueeze') {
        if (!axesIn) return null;
        const rank = x.shape.length + axesIn.length;
        const axes = new Set(axesIn.map((a) => normaliseAxis(a, rank)));
        shape = [];
        let src = 0;
        for (let i = 0; i < rank; i++) shape.push(axes.has(i) ? 1 : x.shape[src++]);
      } else {
        const axes = axesIn ? new Set(axesIn.map((a) => normaliseAxis(a, x.shape!.length))) : null;
        shape = x.shape.filter((d, i) => (axes ? !axes.has(i) : d !== 1));
      }
      return [{ shape, values: x.values }];
    }
    case 'Concat': {
      const ins = node.inputs.map((_, i) => input(i));
      if (ins.some((v) => !v.shape)) return null;
      const rank = ins[0].shape!.length;
      const axis = normaliseAxis(attrInt(node, 'axis', 0), rank);
      const shape = [...ins[0].shape!];
      shape[axis] = ins.reduce((s, v) => s + v.shape![axis], 0);
      const values = rank === 1 && ins.every((v) => v.values) ? ins.flatMap((v) => v.values!) : null;
      return [{ shape, values }];
    }
    case 'Slice': {
      if (!x.shape) return null;
      let starts: readonly number[] | null; let ends: readonly number[] | null;
      let axes: readonly number[] | null; let steps: readonly number[] | null = null;
      if (opset >= 10) {
        starts = input(1).values; ends = input(2).values;
        axes = node.inputs[3] ? input(3).values : null;
        steps = node.inputs[4] ? input(4).values : null;
      } else {
        starts = attrInts(node, 'starts'); ends = attrInts(node, 'ends'); axes = attrInts(node, 'axes');
      }
      if (!starts || !ends) return null;
      const shape = [...x.shape];
      const axisList = axes ?? starts.map((_, i) => i);
      axisList.forEach((a, i) => {
        const ax = normaliseAxis(a, shape.length);
        const dim = x.shape![ax];
        shape[ax] = sliceValues(Array.from({ length: dim }, (_, j) => j), [starts![i]], [Math.max(-dim - 1, Math.min(ends![i], dim + 1))],
          steps ? [steps[i]] : null).length;
      });
      const values = x.values && x.shape.length === 1 ? sliceValues(x.values, starts, ends, steps) : null;
      return [{ shape, values }];
    }
    case 'Reshape': {
      const target = input(1).values;
      if (!x.shape || !target) return null;
      const total = numberCount(x.shape);
      const shape = target.map((d, i) => (d === 0 ? x.shape![i] : d));
      const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      return [{ shape: shape.map((d) => (d === -1 ? total / known : d)), values: x.values }];
    }
    case 'Flatten': {
      if (!x.shape) return null;
      const axis = normaliseAxis(attrInt(node, 'axis', 1), x.shape.length);
      return [{ shape: [numberCount(x.shape.slice(0, axis)), numberCount(x.shape.slice(axis))], values: null }];
    }
    case 'Transpose': {
      if (!x.shape) return null;
      const perm = attrInts(node, 'perm') ?? x.shape.map((_, i) => x.shape!.length - 1 - i);
      return [{ shape: perm.map((p) => x.shape![p]), values: null }];
    }
    case 'ReduceMean': case 'ReduceSum': case 'ReduceMax': case 'ReduceMin': case 'ArgMax': case 'ArgMin': {
      if (!x.shape) return null;
      const keep = attrInt(node, 'keepdims', 1) === 1;
      const single = node.attributes.get('axis');
      const axesIn = typeof single === 'number' ? [single] : attrInts(node, 'axes') ?? (node.inputs[1] ? input(1).values : null);
      const axes = new Set((axesIn ?? x.shape.map((_, i) => i)).map((a) => normaliseAxis(a, x.shape!.length)));
      const shape = keep ? x.shape.map((d, i) => (axes.has(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.has(i));
      return [{ shape, values: null }];
    }
    case 'Resize': case 'Upsample': {
      if (!x.shape) return null;
      // opset ≥ 11: (X, roi, scales, sizes); opset 10 Resize and Upsample ≥ 9: (X, scales); Upsample 7: attr.
      const sizes = node.opType === 'Resize' && opset >= 11 && node.inputs[3] ? input(3).values : null;
      if (sizes && sizes.length === x.shape.length) return [{ shape: sizes, values: null }];
      const scaleIdx = node.opType === 'Resize' && opset >= 11 ? 2 : 1;
      const scales = (node.inputs[scaleIdx] ? input(scaleIdx).values : null) ?? (node.attributes.get('scales') as readonly number[] | undefined) ?? null;
      if (!scales || scales.length !== x.shape.length) return null;
      return [{ shape: x.shape.map((d, i) => Math.floor(d * scales[i])), values: null }];
    }
    case 'ConstantOfShape': {
      const s = input(0).values;
      return s ? [{ shape: s, values: numberCount(s) <= MAX_PROPAGATED ? new Array(numberCount(s)).fill(0) : null }] : null;
    }
    case 'Expand': {
      const s = input(1).values;
      return x.shape && s ? [{ shape: broadcast(x.shape, s), values: null }] : null;
    }
    case 'Range': {
      const [s, l, d] = [input(0).values?.[0], input(1).values?.[0], input(2).values?.[0]];
      if (s === undefined || l === undefined || d === undefined) return null;
      const n = Math.max(Math.ceil((l - s) / d), 0);
      return [{ shape: [n], values: n <= MAX_PROPAGATED ? Array.from({ length: n }, (_, i) => s + i * d) : null }];
    }
    default:
      return null;
  }
}

/**
 * Infers every value's shape with the graph inputs bound to `inputShapes` (name → concrete shape).
 * Nodes are visited in file order, which ONNX requires to be topological.
 */
export function inferShapes(model: OnnxModel, inputShapes: ReadonlyMap<string, readonly number[]>): ShapeInferenceResult {
  const values = new Map<string, InferredValue>();
  for (const [name, t] of model.initializers) values.set(name, tensorValue(t));
  for (const input of model.inputs) {
    const bound = inputShapes.get(input.name);
    const fixed = input.shape.every((d) => typeof d === 'number') ? (input.shape as number[]) : null;
    values.set(input.name, { shape: bound ?? fixed, values: null });
  }
  const unknown = new Set<string>();
  const get = (name: string) => (name ? values.get(name) ?? UNKNOWN : null);
  for (const node of model.nodes) {
    const out = inferNode(node, get, model.opsetVersion);
    node.outputs.forEach((name, i) => {
      const v = out?.[i] ?? (i === 0 ? null : UNKNOWN);
      if (!v || (!v.shape && i === 0)) unknown.add(node.opType);
      values.set(name, v ?? UNKNOWN);
    });
  }
  return { values, unknownOps: [...unknown].sort() };
}

