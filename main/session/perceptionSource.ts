import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { NYU13_CLASS_COUNT } from '../../fusion/classes.js';
import { InputError } from '../errors.js';
import { argmax13, NoisyLabelSimulator } from '../eval/noisyLabels.js';
import type { JointNetwork } from '../perception/joint-network.js';
import type { Frame } from '../sources/frame.js';
import type { SessionMode } from '../store/records.js';
import type { LabelSourceKind } from './options.js';

/** What perception adds to one frame before fusion. Buffers are owned by the source and reused next frame. */
export interface FramePerception {
  /** Depth to fuse instead of the sensor's (rgb mode), metres. */
  readonly depth?: Float32Array;
  /** Pixel-major H·W·13 probabilities (channel c = class id c + 1), on frames that were segmented. */
  readonly classProbs?: Float32Array;
  /** Argmax 13-class ids of classProbs (for previews and single-frame accuracy). */
  readonly labels13?: Uint8Array;
  /** Milliseconds spent (0 when nothing ran). */
  readonly ms: number;
}

export interface PerceptionSource {
  readonly kind: LabelSourceKind;
  /** One line for the user: what labels (and depth) this session fuses. */
  readonly description: string;
  readonly modelFile: string | null;
  readonly modelHash: string | null;
  /** `ordinal` counts processed frames (the segmentEvery cadence follows it, not the source index). */
  run(frame: Frame, ordinal: number): Promise<FramePerception>;
  dispose(): Promise<void>;
}

const NOTHING: FramePerception = Object.freeze({ ms: 0 });

/** The joint network: depth + labels every frame in rgb mode; labels every k-th frame in rgbd mode. */
class NetworkPerception implements PerceptionSource {
  readonly kind = 'network' as const;
  readonly description: string;
  private labels13 = new Uint8Array(0);

  constructor(private readonly net: JointNetwork, private readonly mode: SessionMode, private readonly segmentEvery: number,
    readonly modelFile: string, readonly modelHash: string) {
    this.description = mode === 'rgb'
      ? `network depth and labels from ${modelFile} on every frame`
      : `sensor depth; network labels from ${modelFile} every ${segmentEvery} frame(s)`;
  }

  async run(frame: Frame, ordinal: number): Promise<FramePerception> {
    if (this.mode === 'rgbd' && ordinal % this.segmentEvery !== 0) return NOTHING;
    const out = await this.net.run(frame.rgb, frame.width, frame.height);
    const n = frame.width * frame.height;
    if (this.labels13.length !== n) this.labels13 = new Uint8Array(n);
    argmax13(out.probs13, n, this.labels13);
    return {
      ...(this.mode === 'rgb' ? { depth: out.depth } : {}),
      classProbs: out.probs13, labels13: this.labels13, ms: out.ms.total,
    };
  }

  dispose(): Promise<void> { return this.net.dispose(); }
}

/** Simulated CNN output from the sequence's ground-truth labels (main/eval/noisyLabels.ts), every k-th frame. */
class SimulatedPerception implements PerceptionSource {
  readonly kind = 'simulated' as const;
  readonly modelFile = null;
  readonly modelHash = null;
  readonly description: string;
  private sim: NoisyLabelSimulator | null = null;
  private probs = new Float32Array(0);
  private labels13 = new Uint8Array(0);

  constructor(private readonly segmentEvery: number, private readonly seed: number) {
    this.description = `sensor depth; simulated CNN labels (ground truth + realistic noise) every ${segmentEvery} frame(s)`;
  }

  async run(frame: Frame, ordinal: number): Promise<FramePerception> {
    if (ordinal % this.segmentEvery !== 0 || !frame.labels40) return NOTHING;
    const t = performance.now();
    const n = frame.width * frame.height;
    if (!this.sim || this.sim.width !== frame.width || this.sim.height !== frame.height) {
      this.sim = new NoisyLabelSimulator(frame.width, frame.height, { seed: this.seed });
      this.probs = new Float32Array(n * NYU13_CLASS_COUNT);
      this.labels13 = new Uint8Array(n);
    }
    this.sim.simulate(frame.labels40, frame.index, this.probs);
    argmax13(this.probs, n, this.labels13);
    return { classProbs: this.probs, labels13: this.labels13, ms: performance.now() - t };
  }

  async dispose(): Promise<void> {}
}

class NoPerception implements PerceptionSource {
  readonly kind = 'none' as const;
  readonly modelFile = null;
  readonly modelHash = null;
  readonly description = 'sensor depth; no labels (no network model and the sequence has no ground-truth labels)';
  async run(): Promise<FramePerception> { return NOTHING; }
  async dispose(): Promise<void> {}
}

export interface PerceptionChoice {
  readonly source: PerceptionSource;
  /** Said to the user when the session falls back from the network. */
  readonly warning: string | null;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * rgb mode needs the network (it supplies the depth): a missing model is an InputError naming it.
 * rgbd mode uses the network when the model exists, else simulated labels when the sequence has ground-truth
 * labels, else no labels; the fallback is returned as a warning, never silent.
 */
export async function choosePerception(mode: SessionMode, modelFile: string, sequenceHasLabels: boolean,
  segmentEvery: number, seed: number): Promise<PerceptionChoice> {
  if (existsSync(modelFile)) {
    // Loaded on demand: onnxruntime's native module is only worth its start-up time when there is a model.
    const { JointNetwork } = await import('../perception/joint-network.js');
    const net = await JointNetwork.load(modelFile, { provider: 'cpu' });
    return { source: new NetworkPerception(net, mode, segmentEvery, modelFile, sha256(modelFile)), warning: null };
  }
  if (mode === 'rgb') {
    throw new InputError(modelFile, 'model file not found: rgb mode needs the joint network for depth (train/export it, or use rgbd mode)');
  }
  if (sequenceHasLabels) {
    return { source: new SimulatedPerception(segmentEvery, seed), warning: `${modelFile} not found: fusing simulated CNN labels (ground truth + noise) instead of the network's` };
  }
  return { source: new NoPerception(), warning: `${modelFile} not found and the sequence has no ground-truth labels: mapping geometry without labels` };
}
