import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NYU40_NAMES } from '../../fusion/classes.js';
import { InputError } from '../../main/errors.js';
import { readModelInfo, type ModelInfo } from '../../main/perception/model-info.js';
import { randomInitModel } from '../../main/perception/random-init-model.js';
import { NYUD_IMAGE, pythonFixtures, runCli } from './helpers.js';

/** BN channels of the MobileNet-v2 encoder (layer1 + three BNs per block): the γ a folded export loses. */
const BN_CHANNELS = 15_808;
const FACT_SHEET_PARAMS = 3_070_057;

/**
 * Conv MACs of the paper's network at 640×480, computed from the architecture table of network.md
 * (independently of any graph): the figure model-info must reproduce from the ONNX file.
 */
function analyticConvMacs(width: number, height: number): number {
  const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
  let h = ceilDiv(height, 2), w = ceilDiv(width, 2);
  let macs = h * w * 32 * 3 * 9; // layer1
  let cin = 32;
  const stages = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
  const sizes: Record<number, [number, number]> = {};
  stages.forEach(([t, c, n, s], k) => {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const mid = cin * t;
      macs += h * w * mid * cin; // 1×1 expansion
      h = ceilDiv(h, stride); w = ceilDiv(w, stride);
      macs += h * w * mid * 9; // 3×3 depthwise
      macs += h * w * c * mid; // 1×1 projection
      cin = c;
    }
    sizes[k + 2] = [h, w];
  });
  const d = 256;
  const px = (l: number) => sizes[l][0] * sizes[l][1];
  macs += px(8) * d * 320 + px(7) * d * 160; // conv8, conv7
  macs += 4 * px(8) * d * d + px(8) * d * d; // crp4 + conv_adapt4
  macs += px(5) * d * 64 + px(6) * d * 96; // conv5, conv6
  macs += 4 * px(6) * d * d + px(6) * d * d; // crp3 + conv_adapt3
  macs += px(4) * d * 32 + 4 * px(4) * d * d + px(4) * d * d; // conv4, crp2, conv_adapt2
  macs += px(3) * d * 24 + 4 * px(3) * d; // conv3, crp1 (depthwise)
  macs += 2 * px(3) * d; // pre_segm, pre_depth (depthwise)
  macs += px(3) * 9 * d * (40 + 1); // segm, depth 3×3
  return macs;
}

describe('model-info on the random-init export (models/semslam_net.export)', () => {
  let file: string;
  let info: ModelInfo;
  beforeAll(async () => {
    file = await randomInitModel();
    info = await readModelInfo(file);
  }, 400_000);

  it('reads the contract: image [1,3,H,W] in, segm/depth at 1/4 out, 40 NYU class names', () => {
    expect(info.inputs).toEqual([{ name: 'image', type: 'float32', shape: [1, 3, 'height', 'width'], shape640x480: [1, 3, 480, 640] }]);
    expect(info.outputs.map((o) => [o.name, o.shape640x480])).toEqual([['segm', [1, 40, 120, 160]], ['depth', [1, 1, 120, 160]]]);
    expect(info.classes).toEqual(NYU40_NAMES);
    expect(info.normalisation).toEqual({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(info.unknownOps).toEqual([]);
  });

  it('counts parameters per use; with BN folded by the exporter the γ are gone (3,070,057 − 15,808)', () => {
    expect(info.batchNormNodes).toBe(0);
    expect(info.bnStatistics).toBe(0);
    expect(info.params).toBe(FACT_SHEET_PARAMS - BN_CHANNELS);
    // PyTorch de-duplicates equal initialisers (zero biases of random init): stored elements are fewer.
    expect(info.storedInitializerElements).toBeLessThan(info.params);
  });

  it('computes the fact sheet\'s 5.94 G conv MACs at 640×480, equal to the architecture\'s analytic count', () => {
    expect(info.macs640x480).toBe(analyticConvMacs(640, 480));
    expect(info.macs640x480 / 1e9).toBeCloseTo(5.94, 2);
    expect(info.costByOp640x480.Conv.macs).toBe(info.macs640x480);
    // Resize: three bilinear upsamplings of 256 channels to 1/16, 1/8, 1/4: 4 MACs per output element.
    expect(info.costByOp640x480.Resize.macs).toBe(4 * 256 * (30 * 40 + 60 * 80 + 120 * 160));
    // MaxPool 5×5: 16 pools (4 per CRP) → 25 comparisons per output element.
    expect(info.costByOp640x480.MaxPool.otherOps).toBe(25 * 4 * 256 * (15 * 20 + 30 * 40 + 60 * 80 + 120 * 160));
  });

  it('counts every op type of the graph', () => {
    // 52 encoder convs + 6 adaptation + 16 CRP + 3 adapt + 4 head convs = 81; ReLU6 → Clip: 35 encoder
    // + 4 decoder sums + 2 heads = 41; residual adds 10 + decoder 1+2+1+1 + CRP 16 = 31.
    expect(info.opCounts).toMatchObject({ Conv: 81, Clip: 41, Add: 31, MaxPool: 16, Resize: 3 });
    expect(info.opCounts.BatchNormalization).toBeUndefined();
  });

  it('prints the same figures through `semslam model-info --json`', async () => {
    const r = await runCli(['model-info', file, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as ModelInfo;
    expect(json.params).toBe(info.params);
    expect(json.macs640x480).toBe(info.macs640x480);
    expect(json.opCounts).toEqual(info.opCounts);
  });
});

describe('model-info on an export that keeps BatchNorm nodes', () => {
  it('gives exactly the fact sheet\'s 3,070,057 parameters plus 31,616 BN statistics', { timeout: 400_000 }, async () => {
    const dir = await pythonFixtures('make_graph_fixtures.py');
    const info = await readModelInfo(join(dir, 'joint-bn-unfolded.onnx'));
    expect(info.batchNormNodes).toBe(52);
    expect(info.params).toBe(FACT_SHEET_PARAMS);
    expect(info.bnStatistics).toBe(2 * BN_CHANNELS);
    expect(info.paramsWithBnStatistics).toBe(FACT_SHEET_PARAMS + 2 * BN_CHANNELS);
    expect(info.macs640x480).toBe(analyticConvMacs(640, 480));
    expect(info.opCounts.BatchNormalization).toBe(52);
  });
});

describe('model-info on bad input', () => {
  it('names a missing file', async () => {
    await expect(readModelInfo('/nonexistent/model.onnx')).rejects.toThrow(InputError);
    const r = await runCli(['model-info', '/nonexistent/model.onnx', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/model.onnx: file not found');
  });

  it('rejects a file that is not ONNX (a PNG, random bytes)', async () => {
    await expect(readModelInfo(NYUD_IMAGE)).rejects.toThrow(/not an ONNX model/);
    const junk = join(tmpdir(), `semslam-junk-${process.pid}.onnx`);
    await writeFile(junk, Buffer.from('this is not a protobuf at all, just text\n'));
    await expect(readModelInfo(junk)).rejects.toThrow(/not an ONNX model/);
  });
});
