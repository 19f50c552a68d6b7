import { NYU13_CLASS_COUNT, NYU40_CLASS_COUNT, NYU40_TO_13 } from '../../fusion/classes.js';

/**
 * Ground-truth labels as 13-class probabilities for label fusion ("--labels gt"): the true class gets
 * `confidence`, the other twelve share the rest. Not one-hot: a Bayesian product of one-hot vectors zeroes
 * every other class for good, and one misregistered boundary pixel would then leave a surfel with an
 * all-zero distribution. Void pixels get the uniform distribution, which leaves a surfel's belief unchanged.
 */
export const DEFAULT_GT_LABEL_CONFIDENCE = 0.9;

export function groundTruthProbabilities(labels40: Uint8Array, out: Float32Array, confidence = DEFAULT_GT_LABEL_CONFIDENCE): Float32Array {
  const K = NYU13_CLASS_COUNT;
  if (out.length < labels40.length * K) throw new RangeError(`groundTruthProbabilities: output holds ${out.length} values, needs ${labels40.length * K}`);
  const rest = (1 - confidence) / (K - 1);
  const uniform = 1 / K;
  for (let p = 0; p < labels40.length; p++) {
    const k = labels40[p];
    const base = p * K;
    if (k >= NYU40_CLASS_COUNT) {
      out.fill(uniform, base, base + K);
    } else {
      out.fill(rest, base, base + K);
      out[base + NYU40_TO_13[k] - 1] = confidence;
    }
  }
  return out;
}
