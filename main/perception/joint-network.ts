import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { NYU13_CLASS_COUNT, NYU40_CLASS_COUNT, remapProbabilities40to13 } from '../../fusion/classes.js';
import { InputError } from '../errors.js';
import { bilinearPlan, resamplePixelMajor, resamplePlane, type BilinearPlan } from './bilinear.js';
import { availableProviders, ProviderUnavailableError, requireProvider, type ExecutionProvider } from './execution-provider.js';
import { DEFAULT_INPUT_SIZE_POLICY, networkInputSize, type InputSizePolicy, type NetworkInputSize } from './input-size.js';
import { describeJointModel, type JointModelDescription } from './model-metadata.js';
import { parseOnnxModel } from './onnx/onnx-file.js';
import { argmaxPixelMajor, softmaxChwToPixelMajor, upsampledArgmax } from './postprocess.js';
import { preprocessRgbToChw } from './preprocess.js';

/** Options of a JointNetwork; merge partial options over DEFAULT_JOINT_NETWORK_OPTIONS. */
export interface JointNetworkOptions {
  /** onnxruntime execution provider; non-CPU providers fall back to CPU for ops they lack. */
  readonly provider: ExecutionProvider;
  /** Threads inside one op; 0 lets onnxruntime choose (one per physical core). */
  readonly intraOpThreads: number;
  /** Threads across independent ops (only with executionMode 'parallel'); 0 = onnxruntime's choice. */
  readonly interOpThreads: number;
  readonly graphOptimization: 'disabled' | 'basic' | 'extended' | 'all';
  readonly executionMode: 'sequential' | 'parallel';
  readonly inputSize: InputSizePolicy;
  /** Also return the full-resolution 40-class probabilities (H·W·40, 49 MB at 640×480). */
  readonly keepProbs40: boolean;
}

export const DEFAULT_JOINT_NETWORK_OPTIONS: JointNetworkOptions = {
  provider: 'cpu',
  intraOpThreads: 0,
  interOpThreads: 0,
  graphOptimization: 'all',
  executionMode: 'sequential',
  inputSize: DEFAULT_INPUT_SIZE_POLICY,
  keepProbs40: false,
};

/** Per-stage wall-clock milliseconds of one run (lower is better). */
export interface PerceptionTimings {
  readonly pre: number;
  readonly infer: number;
  readonly post: number;
  readonly total: number;
}

/**
 * The per-frame outputs, all at the frame's size, row-major. Buffers a caller may own and hand back
 * (see `run(..., into)` and the worker's recycling).
 */
export interface PerceptionBuffers {
  readonly width: number;
  readonly height: number;
  /** Metres, |depth| of the network upsampled bilinearly (H·W). */
  readonly depth: Float32Array;
  /** 13-class probabilities, pixel-major H·W·13; channel c is class id c + 1 (fusion/classes.ts). */
  readonly probs13: Float32Array;
  /** NYU40 argmax labels 0..39 (H·W). */
  readonly labels40: Uint8Array;
  /** 40-class probabilities, pixel-major H·W·40, only with keepProbs40. */
  readonly probs40: Float32Array | null;
}

export interface PerceptionResult extends PerceptionBuffers {
  /** The size the network ran at (see InputSizePolicy). */
  readonly networkWidth: number;
  readonly networkHeight: number;
  readonly ms: PerceptionTimings;
}

export function allocatePerceptionBuffers(width: number, height: number, withProbs40: boolean): PerceptionBuffers {
  const n = width * height;
  return {
    width,
    height,
    depth: new Float32Array(n),
    probs13: new Float32Array(n * NYU13_CLASS_COUNT),
    labels40: new Uint8Array(n),
    probs40: withProbs40 ? new Float32Array(n * NYU40_CLASS_COUNT) : null,
  };
}

/** Scratch for one (frame size, network size) pair; rebuilt only when either changes. */
interface FrameScratch {
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly net: NetworkInputSize;
  readonly input: Float32Array;
  readonly inputTensor: ort.Tensor;
  /** session.run feeds, built once per size (the tensor wraps `input`, refilled every frame). */
  readonly feeds: Record<string, ort.Tensor>;
  /** Frame → network resampling; null when the frame is already the network's size. */
  readonly inputPlan: BilinearPlan | null;
  /** Network output size; known after the first run at this size. */
  low: LowResScratch | null;
  readonly buffers: PerceptionBuffers;
}

interface LowResScratch {
  readonly width: number;
  readonly height: number;
  readonly probs40: Float32Array;
  readonly probs13: Float32Array;
  readonly labels: Uint8Array;
  readonly plan40: BilinearPlan;
  readonly plan13: BilinearPlan;
  readonly plan1: BilinearPlan;
}

const now = () => performance.now();

function sessionOptions(o: JointNetworkOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: o.provider === 'cpu' ? ['cpu'] : [o.provider, 'cpu'],
    graphOptimizationLevel: o.graphOptimization,
    executionMode: o.executionMode,
    ...(o.intraOpThreads > 0 ? { intraOpNumThreads: o.intraOpThreads } : {}),
    ...(o.interOpThreads > 0 ? { interOpNumThreads: o.interOpThreads } : {}),
    // Subnormal floats take the CPU's slow path: weights trained on a GPU came with thousands of them (run r8a) and
    // ran 3x slower on the CPU (inference p50 126 vs 41 ms at 320x240) until flushed. Users' networks may carry them too.
    extra: { session: { set_denormal_as_zero: '1' } },
  };
}

/**
 * The joint segmentation + depth network in onnxruntime-node, with pre- and post-processing:
 *
 *   const net = await JointNetwork.load(file, { provider: 'cpu' });
 *   const out = await net.run(rgb, width, height);   // out.depth, out.probs13, out.labels40, out.ms
 *
 * Without `into`, results live in buffers owned by the network and are overwritten by the next run at the
 * same size (copy what you keep). Runs are serialised: a second call waits for the first. Steady-state runs
 * allocate nothing on the JS side beyond the tensors onnxruntime returns.
 */
export class JointNetwork {
  private scratch: FrameScratch | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Only the outputs used (a three-task file's normals are not computed). */
  private readonly fetches: readonly string[];

  private constructor(
    readonly file: string,
    readonly description: JointModelDescription,
    readonly options: JointNetworkOptions,
    private readonly session: ort.InferenceSession,
  ) {
    this.fetches = [description.segmOutput, description.depthOutput];
  }

  /**
   * Without an explicit `inputSize`, a model that records the frame size it was trained at (metadata
   * `input_size`) runs at that size: a network trained on 160×120 frames sees objects at the scale it learned.
   */
  static async load(file: string, options: Partial<JointNetworkOptions> = {}): Promise<JointNetwork> {
    let o: JointNetworkOptions = { ...DEFAULT_JOINT_NETWORK_OPTIONS, ...options };
    requireProvider(o.provider);
    if (!Number.isInteger(o.intraOpThreads) || o.intraOpThreads < 0) throw new RangeError(`intraOpThreads must be an integer ≥ 0, got ${o.intraOpThreads}`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(file, code === 'ENOENT' ? 'model file not found' : `cannot read model file (${code ?? String(e)})`);
    }
    const description = describeJointModel(parseOnnxModel(bytes, file), file);
    if (options.inputSize === undefined && description.trainedInputSize && !description.fixedInputSize) {
      o = { ...o, inputSize: { kind: 'fixed', ...description.trainedInputSize } };
    }
    if (description.classCount !== NYU40_CLASS_COUNT) {
      throw new InputError(file, `the app fuses NYUDv2 40 → 13 classes; this model predicts ${description.classCount ?? 'an unknown number of'} classes`);
    }
    if (description.fixedInputSize && o.inputSize.kind === 'fixed'
      && (o.inputSize.width !== description.fixedInputSize.width || o.inputSize.height !== description.fixedInputSize.height)) {
      throw new InputError(file, `the model's input is fixed at ${description.fixedInputSize.width}×${description.fixedInputSize.height}, `
        + `but ${o.inputSize.width}×${o.inputSize.height} was asked for`);
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions(o));
    } catch (e) {
      const message = (e as Error).message;
      if (o.provider !== 'cpu') {
        throw new ProviderUnavailableError(o.provider, availableProviders().map((p) => p.name), `failed to start: ${message}`);
      }
      throw new InputError(file, `onnxruntime cannot load the model: ${message}`);
    }
    return new JointNetwork(file, description, o, session);
  }

  /** The size the network runs at for a frame of this size. */
  inputSizeFor(frameWidth: number, frameHeight: number): NetworkInputSize {
    return this.description.fixedInputSize ?? networkInputSize(this.options.inputSize, frameWidth, frameHeight);
  }

  /**
   * Runs the network on one row-major RGB frame (width·height·3 bytes). With `into`, results are written
   * to the caller's buffers (same width/height; probs40 filled when present there); otherwise to buffers
   * owned by the network.
   */
  run(rgb: Uint8Array, width: number, height: number, into?: PerceptionBuffers): Promise<PerceptionResult> {
    const next = this.queue.then(() => this.runNow(rgb, width, height, into));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.session.release();
  }

  private prepare(width: number, height: number): FrameScratch {
    const s = this.scratch;
    if (s && s.frameWidth === width && s.frameHeight === height) return s;
    const net = this.inputSizeFor(width, height);
    const input = new Float32Array(3 * net.width * net.height);
    const inputTensor = new ort.Tensor('float32', input, [1, 3, net.height, net.width]);
    this.scratch = {
      frameWidth: width,
      frameHeight: height,
      net,
      input,
      inputTensor,
      feeds: { [this.description.inputName]: inputTensor },
      inputPlan: net.width === width && net.height === height ? null : bilinearPlan(width, height, net.width, net.height, 3),
      low: null,
      buffers: allocatePerceptionBuffers(width, height, this.options.keepProbs40),
    };
    return this.scratch;
  }

  private lowRes(s: FrameScratch, w: number, h: number): LowResScratch {
    if (s.low && s.low.width === w && s.low.height === h) return s.low;
    const n = w * h;
    s.low = {
      width: w,
      height: h,
      probs40: new Float32Array(n * NYU40_CLASS_COUNT),
      probs13: new Float32Array(n * NYU13_CLASS_COUNT),
      labels: new Uint8Array(n),
      plan40: bilinearPlan(w, h, s.frameWidth, s.frameHeight, NYU40_CLASS_COUNT),
      plan13: bilinearPlan(w, h, s.frameWidth, s.frameHeight, NYU13_CLASS_COUNT),
      plan1: bilinearPlan(w, h, s.frameWidth, s.frameHeight, 1),
    };
    return s.low;
  }

  private async runNow(rgb: Uint8Array, width: number, height: number, into?: PerceptionBuffers): Promise<PerceptionResult> {
    const frameName = `RGB frame ${width}×${height}`;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new InputError(frameName, 'width and height must be positive integers');
    }
    if (rgb.length !== width * height * 3) {
      throw new InputError(frameName, `expected ${width * height * 3} bytes (H·W·3 RGB), got ${rgb.length}`);
    }
    if (into && (into.width !== width || into.height !== height)) {
      throw new InputError(frameName, `output buffers are ${into.width}×${into.height}, not the frame's size`);
    }
    const t0 = now();
    const s = this.prepare(width, height);
    preprocessRgbToChw(s.input, rgb, width, height, this.description.normalisation, s.inputPlan);
    const t1 = now();
    const d = this.description;
    const outputs = await this.session.run(s.feeds, this.fetches);
    const t2 = now();
    const segm = outputs[d.segmOutput];
    const depth = outputs[d.depthOutput];
    const [, classes, h, w] = segm.dims;
    if (classes !== NYU40_CLASS_COUNT || depth.dims[2] !== h || depth.dims[3] !== w) {
      throw new InputError(this.file, `unexpected output shapes segm [${segm.dims.join(',')}], depth [${depth.dims.join(',')}]`);
    }
    const low = this.lowRes(s, w, h);
    const out = into ?? s.buffers;
    const n = w * h;
    softmaxChwToPixelMajor(low.probs40, segm.data as Float32Array, classes, n);
    argmaxPixelMajor(low.labels, low.probs40, classes, n);
    // The 40 → 13 sum is linear, so remapping before upsampling equals remapping after, on 3× fewer values.
    remapProbabilities40to13(low.probs40, n, low.probs13);
    resamplePixelMajor(out.probs13, low.probs13, low.plan13);
    if (out.probs40) {
      resamplePixelMajor(out.probs40, low.probs40, low.plan40);
      argmaxPixelMajor(out.labels40, out.probs40, classes, width * height);
    } else {
      upsampledArgmax(out.labels40, low.probs40, low.labels, low.plan40);
    }
    resamplePlane(out.depth, depth.data as Float32Array, low.plan1, true);
    const t3 = now();
    return {
      ...out,
      networkWidth: s.net.width,
      networkHeight: s.net.height,
      ms: { pre: t1 - t0, infer: t2 - t1, post: t3 - t2, total: t3 - t0 },
    };
  }
}
