#!/usr/bin/env node
// The teacher labels a folder with onnxruntime-node instead of torch: on this CPU torch's forward pass of the
// network at 320x240 takes ~1.6 s, onnxruntime's ~0.1 s, and labelling thousands of frames is the recipe's
// slowest step otherwise. Same output as semslam_net.label: DIR/teacher/segm_NNNNNN.png hard labels
// (bilinearly upsampled logits, argmax), void (255) where the softmax maximum is below --min-confidence.
//
//   node models/scripts/label_onnx.mjs --model teacher.onnx --data DIR [--min-confidence 0.6] [--out-dir DIR/teacher]
// Prints one JSON line: {"images", "seconds", "out_dir", "min_confidence", "labelled_fraction"}.
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decode, encode } from 'fast-png';
import ort from 'onnxruntime-node';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    'out-dir': { type: 'string' },
    'min-confidence': { type: 'string', default: '0' },
    threads: { type: 'string', default: '2' },
  },
});
if (!values.model || !values.data) {
  console.error('usage: label_onnx.mjs --model teacher.onnx --data DIR [--min-confidence 0.6] [--out-dir D]');
  process.exit(2);
}
const root = values.data;
const outDir = values['out-dir'] ?? path.join(root, 'teacher');
const minConf = Number(values['min-confidence']);

function listIds(dir) {
  const idx = path.join(dir, 'index.txt');
  if (existsSync(idx)) {
    return readFileSync(idx, 'utf8').split('\n').map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  }
  return readdirSync(dir).filter((n) => /^\d+\.png$/.test(n)).map((n) => n.slice(0, -4)).sort();
}

function readRgb(file) {
  const img = decode(readFileSync(file));
  if (img.depth !== 8 || (img.channels !== 3 && img.channels !== 4)) {
    throw new Error(`${file}: expected an 8-bit RGB(A) PNG, got ${img.channels} channels of ${img.depth} bits`);
  }
  return img;
}

// PyTorch bilinear (align_corners = False) source index and weight for each destination coordinate.
function plan(dst, src) {
  const i0 = new Int32Array(dst);
  const i1 = new Int32Array(dst);
  const w1 = new Float32Array(dst);
  const scale = src / dst;
  for (let d = 0; d < dst; d++) {
    let s = (d + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    const a = Math.min(Math.floor(s), src - 1);
    i0[d] = a;
    i1[d] = Math.min(a + 1, src - 1);
    w1[d] = s - a;
  }
  return { i0, i1, w1 };
}

const session = await ort.InferenceSession.create(values.model, {
  intraOpNumThreads: Number(values.threads),
  interOpNumThreads: 1,
  // Subnormal activations take the CPU's slow path (main/perception/joint-network.ts says how slow).
  extra: { session: { set_denormal_as_zero: '1' } },
});
const inputName = session.inputNames[0];
const segmName = session.outputNames.includes('segm') ? 'segm' : session.outputNames[0];
mkdirSync(outDir, { recursive: true });
const ids = listIds(root);
const t0 = Date.now();
let kept = 0;
for (let k = 0; k < ids.length; k++) {
  const file = path.join(root, `${ids[k]}.png`);
  const img = readRgb(file);
  const { width: W, height: H, channels: C, data } = img;
  const x = new Float32Array(3 * H * W);
  for (let p = 0; p < H * W; p++) {
    for (let c = 0; c < 3; c++) x[c * H * W + p] = (data[p * C + c] / 255 - MEAN[c]) / STD[c];
  }
  const out = await session.run({ [inputName]: new ort.Tensor('float32', x, [1, 3, H, W]) }, [segmName]);
  const segm = out[segmName];
  const [, K, h, w] = segm.dims;
  const L = segm.data;
  const py = plan(H, h);
  const px = plan(W, w);
  const labels = new Uint8Array(H * W);
  const logits = new Float32Array(K);
  let labelled = 0;
  for (let y = 0; y < H; y++) {
    const ya = py.i0[y], yb = py.i1[y], wy = py.w1[y];
    for (let xx = 0; xx < W; xx++) {
      const xa = px.i0[xx], xb = px.i1[xx], wx = px.w1[xx];
      let best = -Infinity, arg = 0;
      for (let c = 0; c < K; c++) {
        const o = c * h * w;
        const v = (1 - wy) * ((1 - wx) * L[o + ya * w + xa] + wx * L[o + ya * w + xb])
          + wy * ((1 - wx) * L[o + yb * w + xa] + wx * L[o + yb * w + xb]);
        logits[c] = v;
        if (v > best) { best = v; arg = c; }
      }
      let lab = arg;
      if (minConf > 0) {
        let sum = 0;
        for (let c = 0; c < K; c++) sum += Math.exp(logits[c] - best);
        if (1 / sum < minConf) lab = 255;
      }
      if (lab !== 255) labelled++;
      labels[y * W + xx] = lab;
    }
  }
  kept += labelled / (H * W);
  writeFileSync(path.join(outDir, `segm_${ids[k]}.png`), encode({ width: W, height: H, data: labels, channels: 1, depth: 8 }));
  if ((k + 1) % 100 === 0 || k + 1 === ids.length) {
    const rate = (k + 1) / ((Date.now() - t0) / 1000);
    console.error(`[label-onnx] ${root} ${k + 1}/${ids.length} ${rate.toFixed(1)} img/s ETA ${((ids.length - k - 1) / rate).toFixed(0)}s`);
  }
}
console.log(JSON.stringify({
  images: ids.length, seconds: (Date.now() - t0) / 1000, out_dir: outDir, min_confidence: minConf,
  labelled_fraction: Math.round((kept / Math.max(ids.length, 1)) * 1e4) / 1e4,
}));
