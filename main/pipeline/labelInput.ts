/**
 * Per-frame class probabilities for label fusion (`--labels gt | gt-noisy`) and the two label images each
 * labelled frame is scored with, made from a frame's ground-truth labels. A PrefetchingReader makes them on
 * its reading thread (the gt-noisy simulation costs tens of ms a frame); mapSequence uses them when they were
 * made with its own settings (same `key`), and makes them itself otherwise.
 */
import { NYU13_CLASS_COUNT, remapLabels40to13 } from '../../fusion/classes.js';
import { groundTruthProbabilities } from '../eval/gtLabels.js';
import { argmax13, NoisyLabelSimulator, type NoisyLabelOptions } from '../eval/noisyLabels.js';
import type { Frame } from '../sources/frame.js';

export interface LabelSettings {
  readonly mode: 'gt' | 'gt-noisy';
  /** Labels on every K-th frame of the stream only. */
  readonly every: number;
  readonly noise: Partial<NoisyLabelOptions>;
}

export interface LabelInput {
  /** Which settings made it (labelSettingsKey). */
  readonly key: string;
  /** Pixel-major H·W·13 probabilities, channel c = 13-class id c + 1. */
  readonly classProbs: Float32Array;
  /** The frame's ground truth in the 13 classes, and the argmax of classProbs (what one frame alone says). */
  readonly gt13: Uint8Array;
  readonly single13: Uint8Array;
}

/** A frame with its label input made ahead (by the reading thread). */
export type PreparedFrame = Frame & { readonly labelInput?: LabelInput };

export function labelSettingsKey(s: LabelSettings): string {
  return JSON.stringify({ mode: s.mode, every: s.every, noise: Object.fromEntries(Object.entries(s.noise).sort()) });
}

/** Whether frame `streamIndex` gets labels under these settings. */
export function isLabelled(s: LabelSettings, streamIndex: number): boolean {
  return streamIndex % s.every === 0;
}

/** Makes LabelInputs for frames of one size (the simulator's fields are sized once). */
export class LabelInputMaker {
  readonly key: string;
  private simulator: NoisyLabelSimulator | undefined;

  constructor(readonly settings: LabelSettings) {
    this.key = labelSettingsKey(settings);
  }

  /** Fresh arrays (they travel to another thread). Frames without labels40 get none. */
  make(frame: Frame): LabelInput | undefined {
    if (!frame.labels40) return undefined;
    const n = frame.width * frame.height;
    const classProbs = new Float32Array(n * NYU13_CLASS_COUNT);
    if (this.settings.mode === 'gt-noisy') {
      if (!this.simulator || this.simulator.width !== frame.width || this.simulator.height !== frame.height) {
        this.simulator = new NoisyLabelSimulator(frame.width, frame.height, this.settings.noise);
      }
      this.simulator.simulate(frame.labels40, frame.index, classProbs);
    } else {
      groundTruthProbabilities(frame.labels40, classProbs);
    }
    const gt13 = remapLabels40to13(frame.labels40, new Uint8Array(n));
    return { key: this.key, classProbs, gt13, single13: argmax13(classProbs, n, new Uint8Array(n)) };
  }
}
