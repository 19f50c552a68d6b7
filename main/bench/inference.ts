/**
 * Inference benchmark: `npm run bench -- inference [--json] [--passes N] [--sizes 320x240,640x480]
 *   [--model FILE] [--provider cpu] [--threads N] [--variants]`.
 *
 * The paper's protocol: latency of repeated forward passes (100) on one frame, after warm-up. Each pass
 * here is the app's whole per-frame call, JointNetwork.run = pre-processing + onnxruntime + post-processing
 * (softmax, 40→13 remap, upsampling, argmax, |depth|); the network alone is reported as infer*. The frame
 * is the NYUDv2 test image 000464 (box-downscaled for 320×240). Without --model the shipped network is
 * used, or a random-init export (same graph, same timing) when none is shipped yet.
 * `--variants` also times onnxruntime session options (graph optimisation level, intra-op threads,
 * execution mode) at each size with fewer passes.
 * Machine load changes these figures: the JSON carries the load average before and after.
 */
import { access } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from '../../fusion/metrics/stats.js';
import { readRgbImage } from '../io/image.js';
import { SHIPPED_MODEL_PATH } from '../perception/default-model.js';
import { requireProvider } from '../perception/execution-provider.js';
import { JointNetwork, type JointNetworkOptions } from '../perception/joint-network.js';
import { randomInitModel } from '../perception/random-init-model.js';
import { printJson } from '../cli/output.js';

/** Resolved from the repository root, so the benchmark runs from any working directory. */
const FRAME = fileURLToPath(new URL('../../../shared/data/real/nyud-labelled/ExpNYUD_joint/000464.png', import.meta.url));
const DEFAULT_PASSES = 100;
const WARMUP_PASSES = 3;
const VARIANT_PASSES = 20;

export interface LatencyResult {
  readonly width: number;
  readonly height: number;
  /** The size the network ran at (equal to the frame here: a fixed input size is set per run). */
  readonly networkWidth: number;
  readonly networkHeight: number;
  readonly provider: string;
  readonly options: { graphOptimization: string; intraOpThreads: number; executionMode: string };
  readonly passes: number;
  /** Whole JointNetwork.run per frame, milliseconds; lower is better. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  readonly stdMs: number;
  /** onnxruntime's session.run alone. */
  readonly inferP50Ms: number;
  readonly preP50Ms: number;
  readonly postP50Ms: number;
  /** Process CPU time per pass (all threads); with wall time shows how much the run was starved. */
  readonly cpuMsPerPass: number;
}

function downscaleBox(rgb: Uint8Array, w: number, h: number, f: number): Uint8Array {
  const W = Math.floor(w / f), H = Math.floor(h / f);
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += rgb[((y * f + dy) * w + x * f + dx) * 3 + c];
    out[(y * W + x) * 3 + c] = Math.round(s / (f * f));
  }
  return out;
}

async function timeNetwork(model: string, options: Partial<JointNetworkOptions>, rgb: Uint8Array, width: number, height: number,
  passes: number): Promise<LatencyResult> {
  const net = await JointNetwork.load(model, options);
  for (let i = 0; i < WARMUP_PASSES; i++) await net.run(rgb, width, height);
  let net0 = { networkWidth: 0, networkHeight: 0 };
  const total: number[] = [], infer: number[] = [], pre: number[] = [], post: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    const r = await net.run(rgb, width, height);
    total.push(performance.now() - t0);
    infer.push(r.ms.infer); pre.push(r.ms.pre); post.push(r.ms.post);
    net0 = { networkWidth: r.networkWidth, networkHeight: r.networkHeight };
  }
  const cpu = process.cpuUsage(cpu0);
  await net.dispose();
  const mean = total.reduce((a, b) => a + b, 0) / passes;
  const std = Math.sqrt(total.reduce((a, b) => a + (b - mean) ** 2, 0) / passes);
  return {
    width,
    height,
    ...net0,
    provider: net.options.provider,
    options: { graphOptimization: net.options.graphOptimization, intraOpThreads: net.options.intraOpThreads, executionMode: net.options.executionMode },
    passes,
    p50Ms: percentile(total, 50),
    p95Ms: percentile(total, 95),
    meanMs: mean,
    stdMs: std,
    inferP50Ms: percentile(infer, 50),
    preP50Ms: percentile(pre, 50),
    postP50Ms: percentile(post, 50),
    cpuMsPerPass: (cpu.user + cpu.system) / 1000 / passes,
  };
}

const VARIANTS: readonly Partial<JointNetworkOptions>[] = [
  { graphOptimization: 'all', intraOpThreads: 2, executionMode: 'sequential' },
  { graphOptimization: 'all', intraOpThreads: 1, executionMode: 'sequential' },
  { graphOptimization: 'basic', intraOpThreads: 2, executionMode: 'sequential' },
  { graphOptimization: 'disabled', intraOpThreads: 2, executionMode: 'sequential' },
  { graphOptimization: 'all', intraOpThreads: 2, executionMode: 'parallel' },
];

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      passes: { type: 'string', default: String(DEFAULT_PASSES) },
      sizes: { type: 'string', default: '320x240,640x480' },
      model: { type: 'string' },
      provider: { type: 'string', default: 'cpu' },
      threads: { type: 'string', default: '0' },
      variants: { type: 'boolean', default: false },
    },
  });
  const passes = Number(values.passes);
  if (!Number.isInteger(passes) || passes < 1) throw new Error(`--passes must be a positive integer, got "${values.passes}"`);
  const threads = Number(values.threads);
  const provider = requireProvider(values.provider!);
  const sizes = values.sizes!.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m) throw new Error(`--sizes: "${s}" is not WIDTHxHEIGHT`);
    return { width: Number(m[1]), height: Number(m[2]) };
  });
  let model = values.model;
  let modelKind = 'given';
  if (!model) {
    try {
      await access(SHIPPED_MODEL_PATH);
      model = SHIPPED_MODEL_PATH;
      modelKind = 'shipped';
    } catch {
      process.stderr.write('bench inference: no shipped model yet; exporting/using a random-init network (times the same)\n');
      model = await randomInitModel();
      modelKind = 'random-init';
    }
  }
  const frame = await readRgbImage(FRAME);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const load0 = loadavg();
  const results: LatencyResult[] = [];
  for (const { width, height } of sizes) {
    const f = frame.width / width;
    if (!Number.isInteger(f) || frame.height / height !== f) throw new Error(`--sizes: ${width}x${height} must divide the 640×480 frame`);
    const rgb = f === 1 ? frame.data : downscaleBox(frame.data, frame.width, frame.height, f);
    log(`bench inference: ${width}×${height}, ${passes} passes (${provider}, threads ${threads || 'auto'})…`);
    const r = await timeNetwork(model, { provider, intraOpThreads: threads, inputSize: { kind: 'fixed', width, height } }, rgb, width, height, passes);
    log(`  p50 ${r.p50Ms.toFixed(1)} ms (infer ${r.inferP50Ms.toFixed(1)}, pre ${r.preP50Ms.toFixed(1)}, post ${r.postP50Ms.toFixed(1)}), p95 ${r.p95Ms.toFixed(1)} ms`);
    results.push(r);
  }
  const variants: LatencyResult[] = [];
  if (values.variants) {
    for (const { width, height } of sizes) {
      const f = frame.width / width;
      const rgb = f === 1 ? frame.data : downscaleBox(frame.data, frame.width, frame.height, f);
      for (const v of VARIANTS) {
        log(`bench inference: variant ${JSON.stringify(v)} at ${width}×${height}, ${Math.min(passes, VARIANT_PASSES)} passes…`);
        const r = await timeNetwork(model, { provider, inputSize: { kind: 'fixed', width, height }, ...v }, rgb, width, height,
          Math.min(passes, VARIANT_PASSES));
        log(`  p50 ${r.p50Ms.toFixed(1)} ms (infer ${r.inferP50Ms.toFixed(1)})`);
        variants.push(r);
      }
    }
  }
  const report = { model, modelKind, results, ...(values.variants ? { variants } : {}), loadAverageBefore: load0[0], loadAverageAfter: loadavg()[0] };
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else printJson(report);
}
