import { describe, expect, it } from 'vitest';
import { NYU40_TO_13, remapProbabilities40to13 } from '../../fusion/classes.js';
import { bilinearAxis, bilinearPlan, resamplePixelMajor, resamplePlane } from '../../main/perception/bilinear.js';
import { networkInputSize, parseInputSizePolicy } from '../../main/perception/input-size.js';
import { argmaxPixelMajor, softmaxChwToPixelMajor, upsampledArgmax } from '../../main/perception/postprocess.js';
import { IMAGENET_NORMALISATION, preprocessRgbToChw } from '../../main/perception/preprocess.js';
import { colorizeLabels40 } from '../../main/perception/colorize.js';

/** Deterministic pseudo-random numbers (LCG) so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('pre-processing', () => {
  it('normalises with the ImageNet mean/std into planar CHW', () => {
    // 2×1 image: pixel 0 = (255, 0, 128), pixel 1 = (0, 255, 64).
    const rgb = Uint8Array.from([255, 0, 128, 0, 255, 64]);
    const out = preprocessRgbToChw(new Float32Array(6), rgb, 2, 1, IMAGENET_NORMALISATION, null);
    const expected = [
      (1 - 0.485) / 0.229, (0 - 0.485) / 0.229, // R plane
      (0 - 0.456) / 0.224, (1 - 0.456) / 0.224, // G plane
      (128 / 255 - 0.406) / 0.225, (64 / 255 - 0.406) / 0.225, // B plane
    ];
    for (let i = 0; i < 6; i++) expect(out[i]).toBeCloseTo(expected[i], 5);
  });

  it('resamples bilinearly with half-pixel centres (PyTorch align_corners=False) while normalising', () => {
    // 2×1 grey ramp (0 and 255) → 4×1: source x = (d + 0.5)/2 − 0.5 = −0.25→0, 0.25, 0.75, 1.25→clamped.
    const rgb = Uint8Array.from([0, 0, 0, 255, 255, 255]);
    const plan = bilinearPlan(2, 1, 4, 1, 3);
    const unit = { mean: [0, 0, 0], std: [1, 1, 1] } as const;
    const out = preprocessRgbToChw(new Float32Array(12), rgb, 2, 1, unit, plan);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(out.subarray(8, 12))).toEqual([0, 0.25, 0.75, 1].map((v) => expect.closeTo(v, 6)));
  });

  it('rounds frame sizes to multiples of 32 or uses a fixed size', () => {
    expect(networkInputSize({ kind: 'frameMultiple', multiple: 32 }, 640, 480)).toEqual({ width: 640, height: 480 });
    expect(networkInputSize({ kind: 'frameMultiple', multiple: 32 }, 641, 470)).toEqual({ width: 640, height: 480 });
    expect(networkInputSize(parseInputSizePolicy('320x240'), 640, 480)).toEqual({ width: 320, height: 240 });
    expect(networkInputSize(parseInputSizePolicy('native'), 320, 240)).toEqual({ width: 320, height: 256 });
    expect(() => parseInputSizePolicy('16x200')).toThrow(/at least 32/);
    expect(() => parseInputSizePolicy('big')).toThrow(/native/);
  });
});

describe('bilinear resampling', () => {
  it('computes PyTorch source indices and weights', () => {
    const a = bilinearAxis(2, 4);
    expect(Array.from(a.i0)).toEqual([0, 0, 0, 1]);
    expect(Array.from(a.i1)).toEqual([1, 1, 1, 1]);
    expect(Array.from(a.w1)).toEqual([0, 0.25, 0.75, 0.25]);
  });

  it('resamples a plane and takes |depth| after resampling', () => {
    // 2×2 plane [-1, 1; 3, 5] → 4×4; the pixel at (1,1) blends with weights 0.75/0.25 both ways.
    const src = Float32Array.from([-1, 1, 3, 5]);
    const out = resamplePlane(new Float32Array(16), src, bilinearPlan(2, 2, 4, 4, 1), false);
    expect(out[0]).toBeCloseTo(-1, 6);
    expect(out[1 * 4 + 1]).toBeCloseTo(0.5625 * -1 + 0.1875 * 1 + 0.1875 * 3 + 0.0625 * 5, 6);
    expect(out[15]).toBeCloseTo(5, 6);
    const abs = resamplePlane(new Float32Array(16), src, bilinearPlan(2, 2, 4, 4, 1), true);
    expect(abs[0]).toBeCloseTo(1, 6);
    expect(abs[1]).toBeCloseTo(Math.abs(-1 + 0.25 * 2), 6);
  });
});

describe('post-processing', () => {
  it('softmax of planar logits is pixel-major and sums to 1', () => {
    // Two pixels, three classes; pixel 0 logits (0, ln 2, ln 3) → (1/6, 2/6, 3/6).
    const logits = Float32Array.from([0, 5, Math.log(2), 5, Math.log(3), 5]);
    const p = softmaxChwToPixelMajor(new Float32Array(6), logits, 3, 2);
    expect(Array.from(p.subarray(0, 3))).toEqual([1 / 6, 2 / 6, 3 / 6].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(p.subarray(3, 6))).toEqual([1 / 3, 1 / 3, 1 / 3].map((v) => expect.closeTo(v, 6)));
  });

  it('keeps large logits finite (max subtracted)', () => {
    const p = softmaxChwToPixelMajor(new Float32Array(2), Float32Array.from([1000, 999]), 2, 1);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
    expect(p[0] + p[1]).toBeCloseTo(1, 6);
  });

  it('upsampled 40-class probabilities still sum to 1, and the 13-class remap of them too', () => {
    const rnd = lcg(1);
    const w = 6, h = 5, W = 23, H = 19;
    const logits = Float32Array.from({ length: 40 * w * h }, () => rnd() * 8 - 4);
    const p40 = softmaxChwToPixelMajor(new Float32Array(40 * w * h), logits, 40, w * h);
    const up = resamplePixelMajor(new Float32Array(40 * W * H), p40, bilinearPlan(w, h, W, H, 40));
    const p13 = remapProbabilities40to13(up, W * H, new Float32Array(13 * W * H));
    for (let i = 0; i < W * H; i++) {
      let s40 = 0, s13 = 0;
      for (let k = 0; k < 40; k++) s40 += up[i * 40 + k];
      for (let k = 0; k < 13; k++) s13 += p13[i * 13 + k];
      expect(s40).toBeCloseTo(1, 5);
      expect(s13).toBeCloseTo(1, 5);
    }
    // Remap is linear: remapping at low resolution then upsampling equals upsampling then remapping.
    const low13 = remapProbabilities40to13(p40, w * h, new Float32Array(13 * w * h));
    const up13 = resamplePixelMajor(new Float32Array(13 * W * H), low13, bilinearPlan(w, h, W, H, 13));
    for (let i = 0; i < up13.length; i++) expect(up13[i]).toBeCloseTo(p13[i], 5);
    // Channel c of the 13-class vector collects exactly the NYU40 classes mapped to id c + 1.
    const wallish = Array.from({ length: 40 }, (_, k) => k).filter((k) => NYU40_TO_13[k] === 12);
    let expectWall = 0;
    for (const k of wallish) expectWall += up[k];
    expect(p13[11]).toBeCloseTo(expectWall, 6);
  });

  it('upsampledArgmax equals the argmax of the materialised upsampled probabilities', () => {
    const rnd = lcg(2);
    const w = 16, h = 12, W = 64, H = 48, C = 40;
    // Blocky scores so most output pixels take the shortcut and boundaries take the full blend.
    const logits = new Float32Array(C * w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const main = ((x >> 2) + 3 * (y >> 2)) % C;
      for (let k = 0; k < C; k++) logits[k * w * h + y * w + x] = (k === main ? 3 : 0) + rnd();
    }
    const p = softmaxChwToPixelMajor(new Float32Array(C * w * h), logits, C, w * h);
    const low = argmaxPixelMajor(new Uint8Array(w * h), p, C, w * h);
    const plan = bilinearPlan(w, h, W, H, C);
    const fast = upsampledArgmax(new Uint8Array(W * H), p, low, plan);
    const full = argmaxPixelMajor(new Uint8Array(W * H), resamplePixelMajor(new Float32Array(C * W * H), p, plan), C, W * H);
    expect(Array.from(fast)).toEqual(Array.from(full));
    expect(new Set(fast).size).toBeGreaterThan(5);
  });

  it('colours labels with the authors\' palette and void black', () => {
    const rgb = colorizeLabels40(new Uint8Array(9), Uint8Array.from([0, 1, 255]));
    expect(Array.from(rgb)).toEqual([128, 0, 0, 0, 128, 0, 0, 0, 0]);
  });
});
