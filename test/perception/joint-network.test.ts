import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NYU40_CLASS_COUNT, PALETTE40 } from '../../fusion/classes.js';
import { InputError } from '../../main/errors.js';
import { readPng16, readPng8, readRgbImage, type Raster8 } from '../../main/io/image.js';
import { SHIPPED_MODEL_PATH } from '../../main/perception/default-model.js';
import { ProviderUnavailableError } from '../../main/perception/execution-provider.js';
import { JointNetwork, allocatePerceptionBuffers } from '../../main/perception/joint-network.js';
import { randomInitModel } from '../../main/perception/random-init-model.js';
import { PerceptionWorker } from '../../main/perception/worker/perception-worker.js';
import { NYUD_DEPTH_GT, NYUD_IMAGE, NYUD_SEGM_GT, pythonFixtures, runCli } from './helpers.js';

const SLOW = { timeout: 400_000 };

/** The contract exporter's random-init network (paper init: near-uniform outputs). */
let model: string;
/** Trained-scale random weights (O(1) logits, varied labels), exported the same way. */
let scaled: string;
let fixtures: string;
let frame: Raster8;
beforeAll(async () => {
  model = await randomInitModel();
  fixtures = await pythonFixtures('make_graph_fixtures.py');
  scaled = join(fixtures, 'joint-scaled.onnx');
  frame = await readRgbImage(NYUD_IMAGE);
}, 400_000);

describe('JointNetwork on the NYUDv2 frame', () => {
  let net: JointNetwork;
  beforeAll(async () => { net = await JointNetwork.load(scaled, { intraOpThreads: 2 }); });
  afterAll(async () => { await net?.dispose(); });

  it('returns frame-sized depth, 13-class probabilities and 40-class labels', async () => {
    const out = await net.run(frame.data, frame.width, frame.height);
    const n = frame.width * frame.height;
    expect([out.networkWidth, out.networkHeight]).toEqual([640, 480]);
    expect(out.depth).toHaveLength(n);
    expect(out.labels40).toHaveLength(n);
    expect(out.probs13).toHaveLength(n * 13);
    expect(out.probs40).toBeNull();
    for (let p = 0; p < n; p += 997) {
      let s = 0;
      for (let c = 0; c < 13; c++) s += out.probs13[p * 13 + c];
      expect(s).toBeCloseTo(1, 4);
      expect(out.labels40[p]).toBeLessThan(NYU40_CLASS_COUNT);
      expect(out.depth[p]).toBeGreaterThanOrEqual(0);
    }
    expect(out.ms.infer).toBeGreaterThan(0);
    expect(new Set(out.labels40).size).toBeGreaterThan(3);
  });

  it('reuses its buffers across runs and writes into caller buffers when given', async () => {
    const a = await net.run(frame.data, frame.width, frame.height);
    const b = await net.run(frame.data, frame.width, frame.height);
    expect(b.depth).toBe(a.depth);
    expect(b.probs13).toBe(a.probs13);
    const mine = allocatePerceptionBuffers(frame.width, frame.height, true);
    const c = await net.run(frame.data, frame.width, frame.height, mine);
    expect(c.depth).toBe(mine.depth);
    expect(Array.from(c.depth.subarray(0, 100))).toEqual(Array.from(a.depth.subarray(0, 100)));
    // With probs40 the labels are the argmax of the materialised probabilities: the fast path must agree
    // wherever the top two classes are not tied within float rounding.
    let compared = 0;
    for (let p = 0; p < frame.width * frame.height; p++) {
      let top = -1, second = -1;
      for (let k = 0; k < NYU40_CLASS_COUNT; k++) {
        const v = mine.probs40![p * NYU40_CLASS_COUNT + k];
        if (v > top) { second = top; top = v; } else if (v > second) second = v;
      }
      if (top - second < 1e-5) continue;
      compared++;
      if (c.labels40[p] !== a.labels40[p]) expect({ p, fast: a.labels40[p], full: c.labels40[p] }).toBeNull();
    }
    expect(compared).toBeGreaterThan(0.99 * frame.width * frame.height);
  });

  it('runs at a fixed network size and upsamples back to the frame', async () => {
    const small = await JointNetwork.load(scaled, { inputSize: { kind: 'fixed', width: 320, height: 240 } });
    const out = await small.run(frame.data, frame.width, frame.height);
    await small.dispose();
    expect([out.networkWidth, out.networkHeight]).toEqual([320, 240]);
    expect(out.depth).toHaveLength(frame.width * frame.height);
  });

  it('rejects a frame whose byte count does not match its size', async () => {
    await expect(net.run(new Uint8Array(10), 4, 4)).rejects.toThrow(InputError);
    await expect(net.run(new Uint8Array(48), 4, 4, allocatePerceptionBuffers(8, 8, false))).rejects.toThrow(/output buffers/);
  });
});

describe('JointNetwork.load on bad input', () => {
  it('names a missing model file', async () => {
    await expect(JointNetwork.load('/nonexistent/joint.onnx')).rejects.toThrow('/nonexistent/joint.onnx: model file not found');
  });

  it('rejects a file that is not ONNX', async () => {
    await expect(JointNetwork.load(NYUD_IMAGE)).rejects.toThrow(/not an ONNX model/);
  });

  it('rejects a network whose input is not [1,3,H,W]', SLOW, async () => {
    await expect(JointNetwork.load(join(fixtures, 'grey-input.onnx'))).rejects.toThrow(/expected input "image" of shape \[1,3,H,W\], found \[1,1,height,width\]/);
  });

  it('lists the available execution providers when one is missing', async () => {
    const err = await JointNetwork.load(model, { provider: 'coreml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect((err as Error).message).toMatch(/"coreml" is not compiled into this onnxruntime-node build \(available in this onnxruntime-node build: cpu/);
  });
});

describe('PerceptionWorker', () => {
  it('round-trips a frame without blocking the caller, equal to the in-thread network', SLOW, async () => {
    const worker = await PerceptionWorker.start(scaled, { intraOpThreads: 2 });
    try {
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 1);
      const out = await worker.run(frame.data, frame.width, frame.height);
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(0);
      expect(frame.data.byteLength).toBe(frame.width * frame.height * 3); // copied, not transferred

      const net = await JointNetwork.load(scaled);
      const direct = await net.run(frame.data, frame.width, frame.height);
      await net.dispose();
      expect(Array.from(out.labels40)).toEqual(Array.from(direct.labels40));
      expect(Array.from(out.depth)).toEqual(Array.from(direct.depth));

      worker.recycle(out);
      expect(out.depth.byteLength).toBe(0); // transferred back to the worker's pool
      const again = await worker.run(frame.data.slice(), frame.width, frame.height, { transferRgb: true });
      expect(Array.from(again.labels40.subarray(0, 1000))).toEqual(Array.from(direct.labels40.subarray(0, 1000)));

      await expect(worker.run(new Uint8Array(5), 2, 2)).rejects.toThrow(InputError);
    } finally {
      await worker.close();
    }
  });

  it('rejects start-up with the load error', async () => {
    await expect(PerceptionWorker.start('/nonexistent/joint.onnx')).rejects.toThrow(/model file not found/);
  });
});

describe('semslam infer', () => {
  it('writes the pictures and scores the NYUDv2 frame against its ground truth', SLOW, async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'semslam-infer-'));
    const r = await runCli(['infer', NYUD_IMAGE, '--gt-seg', NYUD_SEGM_GT, '--gt-depth', NYUD_DEPTH_GT, '--model', model,
      '--out-dir', outDir, '--json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.width).toBe(640);
    expect(report.ms.infer).toBeGreaterThan(0);

    const segm = await readRgbImage(report.files.segmentation);
    expect([segm.width, segm.height]).toEqual([640, 480]);
    const palette = new Set<number>();
    for (let k = 0; k < 40; k++) palette.add((PALETTE40[3 * k] << 16) | (PALETTE40[3 * k + 1] << 8) | PALETTE40[3 * k + 2]);
    for (let i = 0; i < segm.width * segm.height; i += 101) {
      expect(palette.has((segm.data[3 * i] << 16) | (segm.data[3 * i + 1] << 8) | segm.data[3 * i + 2])).toBe(true);
    }
    const depthPicture = await readRgbImage(report.files.depthColour);
    expect([depthPicture.width, depthPicture.height]).toEqual([640, 480]);
    const depth16 = await readPng16(report.files.depth16);
    expect(depth16.data).toHaveLength(640 * 480);

    // Scored pixels are those with a class in the ground truth (not void 255), counted here independently.
    const gt = await readPng8(NYUD_SEGM_GT);
    const labelled = gt.data.filter((v) => v < 40).length;
    expect(report.metrics.segmentation40.pixels).toBe(labelled);
    expect(report.metrics.segmentation40.pixelAccuracy).toBeGreaterThanOrEqual(0);
    expect(report.metrics.segmentation13.pixels).toBe(labelled);
    expect(report.metrics.depth.pixels).toBeGreaterThan(0);
    expect(Number.isFinite(report.metrics.depth.rmse)).toBe(true);
  });

  it('says the shipped model is missing when none is given and none is shipped', SLOW, async () => {
    const r = await runCli(['infer', NYUD_IMAGE, '--json']);
    if (existsSync(SHIPPED_MODEL_PATH)) {
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).model).toBe(SHIPPED_MODEL_PATH);
    } else {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the shipped model is missing');
      expect(r.stderr).toContain('--model');
    }
  });

  it('names a missing image', async () => {
    const r = await runCli(['infer', '/nonexistent/frame.png', '--model', model]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/frame.png: file not found');
  });
});

describe('semslam convert-checkpoint without PyTorch', () => {
  it('says exactly what to install when the interpreter is missing', async () => {
    const r = await runCli(['convert-checkpoint', 'any.ckpt', '--out', join(tmpdir(), 'never.onnx')],
      { ...process.env, SEMSLAM_PYTHON: '/nonexistent/python3' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/python3 not found');
    expect(r.stderr).toContain('apt-get install -y python3-torch python3-onnx');
  });
});

describe('JointNetwork input size', () => {
  it('runs a model at the frame size it was trained at, unless told otherwise', async () => {
    const trained = await randomInitModel({ inputSize: '160x120' });
    const net = await JointNetwork.load(trained, { intraOpThreads: 1 });
    try {
      expect(net.description.trainedInputSize).toEqual({ width: 160, height: 120 });
      expect(net.inputSizeFor(640, 480)).toEqual({ width: 160, height: 120 });
      const out = await net.run(frame.data, frame.width, frame.height);
      expect([out.networkWidth, out.networkHeight]).toEqual([160, 120]);
      expect(out.depth).toHaveLength(frame.width * frame.height);
    } finally {
      await net.dispose();
    }
    const native = await JointNetwork.load(trained, { intraOpThreads: 1, inputSize: { kind: 'frameMultiple', multiple: 32 } });
    expect(native.inputSizeFor(640, 480)).toEqual({ width: 640, height: 480 });
    await native.dispose();
    // A model without the record runs at the frame's size.
    const plain = await JointNetwork.load(model, { intraOpThreads: 1 });
    expect(plain.description.trainedInputSize).toBeNull();
    expect(plain.inputSizeFor(320, 240)).toEqual({ width: 320, height: 256 });
    await plain.dispose();
  }, 400_000);
});
