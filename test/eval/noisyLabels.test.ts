import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { readPng8 } from '../../main/io/image.js';
import { NoisyLabelSimulator, argmax13 } from '../../main/eval/noisyLabels.js';
import { ConfusionMatrix } from '../../fusion/metrics/segmentation.js';
import { remapLabels40to13, NYU13_CLASS_COUNT } from '../../fusion/classes.js';

const DATA = resolve(process.cwd(), '../shared/data/real/nyud-labelled');
const FRAMES = ['ExpNYUD_joint/segm_gt_000464.png', 'ExpNYUD_three/segm_gt_000433.png'];

async function loadLabels(file: string): Promise<{ labels: Uint8Array; width: number; height: number }> {
  const img = await readPng8(resolve(DATA, file));
  expect(img.channels).toBe(1);
  return { labels: img.data, width: img.width, height: img.height };
}

describe('NoisyLabelSimulator on real NYUDv2 ground truth', () => {
  it('lands near a single-frame CNN: 55–75 % pixel accuracy, soft probabilities summing to 1', async () => {
    for (const f of FRAMES) {
      const { labels, width, height } = await loadLabels(f);
      const n = width * height;
      const sim = new NoisyLabelSimulator(width, height, { seed: 7 });
      const gt13 = remapLabels40to13(labels, new Uint8Array(n));
      const pred = new Uint8Array(n);
      const cm = new ConfusionMatrix({ classes: NYU13_CLASS_COUNT, firstLabel: 1 });
      let confidence = 0;
      for (let k = 0; k < 4; k++) {
        const probs = sim.simulate(labels, k);
        argmax13(probs, n, pred);
        cm.update(gt13, pred);
        for (let p = 0; p < n; p += 97) {
          let sum = 0;
          for (let c = 0; c < NYU13_CLASS_COUNT; c++) sum += probs[p * NYU13_CLASS_COUNT + c];
          expect(sum).toBeCloseTo(1, 5);
        }
        let c = 0;
        for (let p = 0; p < n; p++) c += probs[p * NYU13_CLASS_COUNT + pred[p] - 1];
        confidence += c / n / 4;
      }
      const acc = cm.compute().pixelAccuracy;
      expect(acc).toBeGreaterThan(0.55);
      expect(acc).toBeLessThan(0.75);
      // The winning class is confident but far from certain.
      expect(confidence).toBeGreaterThan(0.3);
      expect(confidence).toBeLessThan(0.8);
    }
  });

  it('is deterministic in (seed, frame) and changes between frames and seeds', async () => {
    const { labels, width, height } = await loadLabels(FRAMES[0]);
    const a = new NoisyLabelSimulator(width, height, { seed: 3 });
    const b = new NoisyLabelSimulator(width, height, { seed: 3 });
    const c = new NoisyLabelSimulator(width, height, { seed: 4 });
    const p0 = Float32Array.from(a.simulate(labels, 5));
    const p1 = b.simulate(labels, 5);
    let mismatches = 0;
    for (let i = 0; i < p0.length; i++) if (p0[i] !== p1[i]) mismatches++;
    expect(mismatches).toBe(0);
    const n = width * height;
    const am = (probs: Float32Array) => argmax13(probs, n, new Uint8Array(n));
    const ref = am(p0);
    const differing = (x: Uint8Array) => x.reduce((s, v, i) => s + (v !== ref[i] ? 1 : 0), 0) / n;
    expect(differing(am(a.simulate(labels, 6)))).toBeGreaterThan(0.1);
    expect(differing(am(c.simulate(labels, 5)))).toBeGreaterThan(0.1);
  });

  it('errors are spatially coherent and concentrate at class boundaries', async () => {
    const { labels, width: W, height: H } = await loadLabels(FRAMES[1]);
    const n = W * H;
    const gt13 = remapLabels40to13(labels, new Uint8Array(n));
    const pred = argmax13(new NoisyLabelSimulator(W, H, { seed: 11 }).simulate(labels, 0), n, new Uint8Array(n));
    // Coherence: P(right neighbour wrong | pixel wrong) well above P(wrong) (independent noise would give equal).
    let wrong = 0, pairs = 0, bothWrong = 0, scored = 0;
    // Boundary band: within 4 px (horizontally) of a ground-truth class change.
    let nearWrong = 0, near = 0, farWrong = 0, far = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W - 1; x++) {
        const p = y * W + x;
        if (gt13[p] === 0) continue;
        const isWrong = pred[p] !== gt13[p];
        scored++;
        if (isWrong) wrong++;
        if (isWrong && gt13[p + 1] !== 0) { pairs++; if (pred[p + 1] !== gt13[p + 1]) bothWrong++; }
        let boundary = false;
        for (let d = -4; d <= 4 && !boundary; d++) {
          const q = x + d;
          if (q >= 0 && q < W && gt13[y * W + q] !== 0 && gt13[y * W + q] !== gt13[p]) boundary = true;
        }
        if (boundary) { near++; if (isWrong) nearWrong++; } else { far++; if (isWrong) farWrong++; }
      }
    }
    expect(bothWrong / pairs).toBeGreaterThan(1.5 * (wrong / scored));
    expect(nearWrong / near).toBeGreaterThan(1.5 * (farWrong / far));
  });

  it('rejects a label image of the wrong size', () => {
    expect(() => new NoisyLabelSimulator(4, 4).simulate(new Uint8Array(10), 0)).toThrow(RangeError);
  });
});
