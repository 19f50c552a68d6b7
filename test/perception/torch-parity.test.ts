import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonFixtures, maxAbsDiff, readFloat32, runCli } from './helpers.js';

/**
 * A checkpoint with the published key names (random weights scaled like a trained network, written by
 * fixtures/make_parity_checkpoint.py with PyTorch) goes through `semslam convert-checkpoint`; onnxruntime-node
 * must then reproduce PyTorch's outputs on the same normalised input.
 */

const H = 96, W = 128;
const TOLERANCE = 1e-4;
/** PyTorch start-up plus an export takes tens of seconds on a loaded 2-core machine. */
const SLOW = { timeout: 400_000 };

interface Meta { input: number[]; segm: number[]; depth: number[]; segmStd: number; depthStd: number }

async function runOnnx(file: string, input: Float32Array): Promise<{ segm: Float32Array; depth: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all' });
  const out = await session.run({ image: new ort.Tensor('float32', input, [1, 3, H, W]) });
  await session.release();
  return { segm: out.segm.data as Float32Array, depth: out.depth.data as Float32Array, dims: out.segm.dims };
}

describe('convert-checkpoint: PyTorch ↔ onnxruntime-node parity', () => {
  let dir: string;
  let meta: Meta;
  let input: Float32Array;
  let torchSegm: Float32Array;
  let torchDepth: Float32Array;
  beforeAll(async () => {
    dir = await pythonFixtures('make_parity_checkpoint.py', [String(H), String(W)]);
    meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta;
    input = await readFloat32(join(dir, 'input.f32'));
    torchSegm = await readFloat32(join(dir, 'segm.f32'));
    torchDepth = await readFloat32(join(dir, 'depth.f32'));
  }, 400_000);

  it('the fixture outputs are O(1), so the comparison is meaningful', () => {
    expect(meta.segm).toEqual([1, 40, H / 4, W / 4]);
    expect(meta.segmStd).toBeGreaterThan(0.1);
    expect(meta.depthStd).toBeGreaterThan(0.1);
  });

  for (const ckpt of ['published.ckpt', 'densetorch.ckpt']) {
    it(`${ckpt} converts and matches PyTorch within ${TOLERANCE}`, SLOW, async () => {
      const out = join(tmpdir(), `semslam-parity-${process.pid}-${ckpt}.onnx`);
      const r = await runCli(['convert-checkpoint', join(dir, ckpt), '--out', out, '--json']);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('semslam: error'))).toEqual([]);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as { params: number; classes: number; outputs: string[] };
      expect(summary.classes).toBe(40);
      expect(summary.outputs).toEqual(['segm', 'depth']);
      const onnx = await runOnnx(out, input);
      expect(onnx.dims).toEqual([1, 40, H / 4, W / 4]);
      expect(maxAbsDiff(onnx.segm, torchSegm)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(onnx.depth, torchDepth)).toBeLessThan(TOLERANCE);
    });
  }

  it('a file that is not a checkpoint gives an error naming it', SLOW, async () => {
    const bad = join(dir, 'meta.json');
    const r = await runCli(['convert-checkpoint', bad, '--out', join(tmpdir(), `semslam-bad-${process.pid}.onnx`)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(bad);
  });
});
