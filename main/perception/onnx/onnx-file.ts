import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { InputError } from '../../errors.js';

/**
 * Reads .onnx files into plain typed records (normalised at the edge): the graph's nodes, initialisers,
 * inputs/outputs and metadata. Decoding uses the ONNX schema itself (onnx.proto beside this file) through
 * protobufjs, so nothing here depends on onnxruntime or Python.
 */

/** ONNX TensorProto.DataType values used here. */
export const OnnxDataType = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10,
  DOUBLE: 11, UINT32: 12, UINT64: 13, BFLOAT16: 16,
} as const;

/** Names as onnxruntime-node's Tensor types spell them. */
const DATA_TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

export function dataTypeName(type: number): string {
  return DATA_TYPE_NAMES[type] ?? `type${type}`;
}

export function isFloatingType(type: number): boolean {
  return type === OnnxDataType.FLOAT || type === OnnxDataType.DOUBLE || type === OnnxDataType.FLOAT16 || type === OnnxDataType.BFLOAT16;
}

/** A dimension is a number when fixed, a string when symbolic (dim_param), null when unnamed. */
export type OnnxDim = number | string | null;

export interface OnnxValueInfo {
  readonly name: string;
  readonly elementType: number;
  readonly shape: readonly OnnxDim[];
}

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  readonly elementCount: number;
  /**
   * Decoded values for small numeric tensors (shape arguments, scales, constants); null for large ones
   * (weights are only counted, never decoded, so reading a model stays cheap).
   */
  readonly values: readonly number[] | null;
  /** True when the data lives outside the .onnx file (external data); counts still come from dims. */
  readonly external: boolean;
}

export type OnnxAttributeValue = number | string | readonly number[] | readonly string[] | OnnxTensor | null;

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttributeValue>;
}

export interface OnnxModel {
  readonly irVersion: number;
  readonly producer: string;
  /** Default-domain opset version. */
  readonly opsetVersion: number;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  /** Graph inputs that are not initialisers (the real feeds). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** Tensors up to this many elements get their values decoded (enough for any shape or scale argument). */
const MAX_DECODED_ELEMENTS = 64;

let modelType: protobuf.Type | null = null;
function onnxModelType(): protobuf.Type {
  if (!modelType) {
    const protoPath = fileURLToPath(new URL('./onnx.proto', import.meta.url));
    modelType = protobuf.loadSync(protoPath).lookupType('onnx.ModelProto');
  }
  return modelType;
}

/* Raw protobufjs objects (after toObject with longs as numbers); only the fields read here. */
interface RawDim { dimValue?: number; dimParam?: string }
interface RawValueInfo { name?: string; type?: { tensorType?: { elemType?: number; shape?: { dim?: RawDim[] } } } }
interface RawTensor {
  name?: string; dataType?: number; dims?: number[]; rawData?: Uint8Array; floatData?: number[]; int32Data?: number[];
  int64Data?: number[]; doubleData?: number[]; uint64Data?: number[]; dataLocation?: number;
}
interface RawAttribute {
  name?: string; type?: number; f?: number; i?: number; s?: Uint8Array; t?: RawTensor; floats?: number[]; ints?: number[];
  strings?: Uint8Array[];
}
interface RawNode { name?: string; opType?: string; domain?: string; input?: string[]; output?: string[]; attribute?: RawAttribute[] }
interface RawModel {
  irVersion?: number; producerName?: string; producerVersion?: string; opsetImport?: { domain?: string; version?: number }[];
  graph?: { node?: RawNode[]; initializer?: RawTensor[]; input?: RawValueInfo[]; output?: RawValueInfo[] };
  metadataProps?: { key?: string; value?: string }[];
}

const utf8 = new TextDecoder();
const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function decodeRawValues(t: RawTensor, count: number): number[] | null {
  const type = t.dataType ?? 0;
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      switch (type) {
        case OnnxDataType.FLOAT: out.push(view.getFloat32(i * 4, true)); break;
        case OnnxDataType.DOUBLE: out.push(view.getFloat64(i * 8, true)); break;
        case OnnxDataType.INT64: out.push(Number(view.getBigInt64(i * 8, true))); break;
        case OnnxDataType.UINT64: out.push(Number(view.getBigUint64(i * 8, true))); break;
        case OnnxDataType.INT32: out.push(view.getInt32(i * 4, true)); break;
        case OnnxDataType.UINT32: out.push(view.getUint32(i * 4, true)); break;
        case OnnxDataType.INT16: out.push(view.getInt16(i * 2, true)); break;
        case OnnxDataType.UINT16: out.push(view.getUint16(i * 2, true)); break;
        case OnnxDataType.INT8: out.push(view.getInt8(i)); break;
        case OnnxDataType.UINT8: case OnnxDataType.BOOL: out.push(view.getUint8(i)); break;
        default: return null;
      }
    }
    return out;
  }
  const typed = t.floatData?.length ? t.floatData : t.int64Data?.length ? t.int64Data : t.int32Data?.length ? t.int32Data
    : t.doubleData?.length ? t.doubleData : t.uint64Data?.length ? t.uint64Data : null;
  if (typed) return typed.slice(0, count).map(Number);
  return count === 0 ? [] : null;
}

function toTensor(t: RawTensor): OnnxTensor {
  const dims = (t.dims ?? []).map(Number);
  const elementCount = dims.reduce((a, b) => a * b, 1);
  const external = t.dataLocation === 1;
  const values = !external && elementCount <= MAX_DECODED_ELEMENTS ? decodeRawValues(t, elementCount) : null;
  return { name: t.name ?? '', dataType: t.dataType ?? 0, dims, elementCount, values, external };
}

function toValueInfo(v: RawValueInfo): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const shape = (tt?.shape?.dim ?? []).map((d): OnnxDim => (d.dimValue !== undefined && d.dimValue !== null ? Number(d.dimValue)
    : d.dimParam ? d.dimParam : null));
  return { name: v.name ?? '', elementType: tt?.elemType ?? 0, shape };
}

function toAttribute(a: RawAttribute): OnnxAttributeValue {
  switch (a.type) {
    case ATTRIBUTE_TYPE.FLOAT: return a.f ?? 0;
    case ATTRIBUTE_TYPE.INT: return Number(a.i ?? 0);
    case ATTRIBUTE_TYPE.STRING: return a.s ? utf8.decode(a.s) : '';
    case ATTRIBUTE_TYPE.TENSOR: return a.t ? toTensor(a.t) : null;
    case ATTRIBUTE_TYPE.FLOATS: return a.floats ?? [];
    case ATTRIBUTE_TYPE.INTS: return (a.ints ?? []).map(Number);
    case ATTRIBUTE_TYPE.STRINGS: return (a.strings ?? []).map((s) => utf8.decode(s));
    default: return null;
  }
}

/** Decodes .onnx bytes; `file` only names the source in errors. */
export function parseOnnxModel(bytes: Uint8Array, file: string): OnnxModel {
  let raw: RawModel;
  try {
    const type = onnxModelType();
    raw = type.toObject(type.decode(bytes), { longs: Number, enums: Number, arrays: true }) as RawModel;
  } catch (e) {
    throw new InputError(file, `not an ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  const graph = raw.graph;
  if (!graph || !graph.node || graph.node.length === 0 || !raw.opsetImport?.length) {
    throw new InputError(file, 'not an ONNX model (no graph nodes or no opset import)');
  }
  const initializers = new Map<string, OnnxTensor>();
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? '', toTensor(t));
  const nodes: OnnxNode[] = graph.node.map((n) => ({
    name: n.name ?? '',
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attributes: new Map((n.attribute ?? []).map((a) => [a.name ?? '', toAttribute(a)])),
  }));
  const opset = raw.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  const metadata: Record<string, string> = {};
  for (const p of raw.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return {
    irVersion: Number(raw.irVersion ?? 0),
    producer: [raw.producerName, raw.producerVersion].filter(Boolean).join(' '),
    opsetVersion: Number(opset?.version ?? 0),
    nodes,
    initializers,
    inputs: (graph.input ?? []).map(toValueInfo).filter((v) => !initializers.has(v.name)),
    outputs: (graph.output ?? []).map(toValueInfo),
    metadata,
  };
}

export async function readOnnxModel(path: string): Promise<OnnxModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})`);
  }
  return parseOnnxModel(bytes, path);
}
