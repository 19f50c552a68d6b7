/**
 * Fusion benchmark: `npm run bench -- fusion [--json] [--data DIR] [--size WxH] [--frames N] [--prefill N] [--threads N|auto]`.
 * Runs the full pipeline (tracking + fusion + labels) on a real sequence (default: the 7-Scenes sample; frames
 * are replayed forwards then backwards when --frames exceeds the sequence), printing ms per stage, frames/s,
 * ATE against ground truth, and the same run again with a map pre-filled with --prefill surfels outside the view
 * (inactive, in far-away chunks) to show the per-frame cost does not grow with the map size.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Intrinsics } from '../../fusion/camera.js';
import { scaleIntrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import type { FusionConfig } from '../../fusion/config.js';
import { SurfelFusion } from '../../fusion/surfel-fusion.js';
import type { FrameResult } from '../../fusion/types.js';
import { ateRmse } from '../../fusion/metrics/trajectory.js';
import { openSequence } from '../sources/open.js';
import type { SequenceReader } from '../sources/frame.js';
import { createSyntheticSequence, isSynthSpec, parseSynthSpec } from '../synth/sequence.js';
import { printJson } from '../cli/output.js';
import { percentile } from '../../fusion/metrics/stats.js';
import type { BufferAllocator } from '../../fusion/parallel/buffers.js';
import type { KernelPool } from '../../fusion/parallel/pool.js';
import { parseThreads, ThreadKernelPool } from '../parallel/threadPool.js';

interface BenchFrame { rgb: Uint8Array; depth: Float32Array; gt?: Mat4; probs: Float32Array }
// --data also takes a synthetic spec, e.g. synth:seed=0,frames=600,size=640x480 (Kinect-noise depth).

const DEFAULT_DATA = '../shared/data/real/7scenes-redkitchen-150-199';
const CLASSES = 13;
/** Frames whose time includes starting the map and compiling the code, reported apart. */
const WARMUP_FRAMES = 10;

/** Box-filtered RGB, nearest-sample depth (averaging depth across edges would invent surfaces). */
function downscale(rgb: Uint8Array, depth: Float32Array, w: number, h: number, f: number): { rgb: Uint8Array; depth: Float32Array } {
  const W = Math.floor(w / f), H = Math.floor(h / f);
  const outRgb = new Uint8Array(W * H * 3), outD = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const o = y * W + x;
    outD[o] = depth[(y * f + (f >> 1)) * w + x * f + (f >> 1)];
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) s += rgb[((y * f + dy) * w + x * f + dx) * 3 + c];
      outRgb[o * 3 + c] = Math.round(s / (f * f));
    }
  }
  return { rgb: outRgb, depth: outD };
}

/** Deterministic, spatially smooth class probabilities so the label stage does real work in the timing. */
function syntheticProbs(w: number, h: number, seed: number, alloc: BufferAllocator): Float32Array {
  const p = alloc.f32(w * h * CLASSES);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const base = (y * w + x) * CLASSES;
    const main = (((x >> 5) + (y >> 5) + seed) % CLASSES);
    for (let c = 0; c < CLASSES; c++) p[base + c] = c === main ? 0.6 : 0.4 / (CLASSES - 1);
  }
  return p;
}

function prefill(f: SurfelFusion, n: number): void {
  // A slab of surfels 50 m away, marked as last seen long ago: outside every frustum and inactive.
  const side = Math.ceil(Math.sqrt(n));
  const m = f.map;
  m.reserve(n);
  for (let i = 0; i < n; i++) {
    const x = 50 + (i % side) * 0.005, y = 50 + Math.floor(i / side) * 0.005;
    m.add(x, y, 50, 0, 0, 1, 0.004, 128, 128, 128, 20, -1000);
  }
}

interface RunSummary { cpuMsMean: number; cpuFps: number; frames: number; lost: number; msMean: Record<string, number>; fps: number; ateRmse: number | null; surfels: number; msFirstHalf: number; msSecondHalf: number; msP50: number; msSteady: number; steadyFps: number }

async function run(getFrame: (n: number) => Promise<BenchFrame>, count: number, k: Intrinsics, cfg: Partial<FusionConfig>, prefillCount: number,
  pool: KernelPool, log: (s: string) => void): Promise<RunSummary> {
  const fusion = new SurfelFusion(k, cfg, pool);
  if (prefillCount > 0) prefill(fusion, prefillCount);
  const sums: Record<string, number> = { preprocess: 0, predict: 0, track: 0, fuse: 0, labels: 0, total: 0 };
  const est: Mat4[] = [], gts: Mat4[] = [];
  let lost = 0;
  const totals: number[] = [];
  let cpuMicros = 0;
  for (let n = 0; n < count; n++) {
    const fr = await getFrame(n);
    // CPU time of this (single) thread's process beside wall time: the machine is shared, so wall time
    // includes waiting for a core; CPU time is what the frame costs.
    const c0 = process.cpuUsage();
    const r: FrameResult = fusion.processFrame({
      rgb: fr.rgb, depth: fr.depth, timestamp: n / 30, classProbs: fr.probs, T_world_camera_hint: n === 0 ? fr.gt : undefined,
    });
    const c1 = process.cpuUsage(c0);
    if (n > 0) cpuMicros += c1.user + c1.system;
    if (r.tracking.lost) lost++;
    for (const key of Object.keys(sums)) sums[key] += r.ms[key as keyof typeof r.ms];
    totals.push(r.ms.total);
    est.push(r.T_world_camera);
    if (fr.gt) gts.push(fr.gt);
    if (n % 25 === 0 || n === count - 1) {
      log(`  frame ${n}: ${r.ms.total.toFixed(1)} ms, surfels ${r.stats.surfels}, visible ${r.stats.visibleSurfels}, inlier ratio ${r.tracking.inlierRatio.toFixed(3)}, rmse ${(r.tracking.inlierRmse * 1000).toFixed(2)} mm${r.tracking.lost ? ` LOST (${r.tracking.reason})` : ''}`);
    }
  }
  const msMean: Record<string, number> = {};
  for (const key of Object.keys(sums)) msMean[key] = sums[key] / count;
  // Skip the first frame (no tracking) when splitting halves.
  const half = Math.floor(count / 2);
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
  const cpuMsMean = cpuMicros / 1000 / Math.max(1, count - 1);
  return {
    cpuMsMean, cpuFps: 1000 / cpuMsMean, frames: count, lost, msMean, fps: 1000 / msMean.total,
    ateRmse: gts.length === est.length && est.length >= 3 ? ateRmse(est, gts).rmse : null,
    surfels: fusion.surfelCount, msFirstHalf: mean(totals.slice(1, half)), msSecondHalf: mean(totals.slice(half)),
    msP50: percentile(totals, 50), msSteady: mean(totals.slice(WARMUP_FRAMES)), steadyFps: 1000 / mean(totals.slice(WARMUP_FRAMES)),
  };
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv, options: {
      json: { type: 'boolean', default: false }, data: { type: 'string', default: DEFAULT_DATA },
      size: { type: 'string' }, frames: { type: 'string' }, prefill: { type: 'string', default: '2000000' },
      'rgb-weight': { type: 'string' }, threads: { type: 'string', default: 'auto' }, help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('fusion [--json] [--data DIR] [--size WxH] [--frames N] [--prefill N] [--rgb-weight W] [--threads N|auto]\n');
    return;
  }
  const log = (s: string): void => { process.stderr.write(`${s}\n`); };
  const reader: SequenceReader = isSynthSpec(values.data) ? createSyntheticSequence(parseSynthSpec(values.data)) : await openSequence(resolve(values.data));
  const info = reader.info;
  let k: Intrinsics = info.intrinsics;
  let factor = 1;
  if (values.size) {
    const m = /^(\d+)x(\d+)$/.exec(values.size);
    if (!m) throw new Error(`--size must be WxH, got ${values.size}`);
    factor = Math.round(info.width / Number(m[1]));
    if (factor < 1 || info.width / factor !== Number(m[1]) || info.height / factor !== Number(m[2])) throw new Error(`--size must be the sequence size divided by an integer (${info.width}x${info.height})`);
    k = scaleIntrinsics(k, Number(m[1]), Number(m[2]));
  }
  const threads = parseThreads(values.threads);
  const pool = await ThreadKernelPool.start({ threads });
  log(`loading ${info.frames} frames of ${info.path} (${info.format}) at ${k.width}x${k.height}; ${pool.threads} thread${pool.threads > 1 ? 's' : ''}`);
  const probs: Float32Array[] = [];
  // Two alternating class-probability images are enough to exercise the label stage (and keep memory small);
  // in the pool's memory, as the app's perception output is, so that no copy is timed.
  while (probs.length < 2) probs.push(syntheticProbs(k.width, k.height, probs.length * 3, pool.allocator));
  const load = async (i: number): Promise<BenchFrame> => {
    const f = await reader.read(i);
    const d = factor > 1 ? downscale(f.rgb, f.depth, f.width, f.height, factor) : { rgb: f.rgb, depth: f.depth };
    return { ...d, gt: f.groundTruthPose, probs: probs[i % 2] };
  };
  // Real sequences are small: decode once, replay forwards then backwards past their end. Synthetic ones are
  // rendered on demand (rendering is outside the timed processFrame call).
  const synthetic = isSynthSpec(values.data);
  const cache: BenchFrame[] = [];
  if (!synthetic) for (let i = 0; i < info.frames; i++) cache.push(await load(i));
  const period = Math.max(1, 2 * info.frames - 2);
  const getFrame = async (n: number): Promise<BenchFrame> => {
    if (synthetic) return load(Math.min(n, info.frames - 1));
    const p = n % period;
    return cache[p < info.frames ? p : period - p];
  };
  const count = values.frames ? Number(values.frames) : info.frames;
  // 7-Scenes colour is not registered to depth: track on depth only there.
  const cfg: Partial<FusionConfig> = info.format === '7scenes' ? { trackingMethod: 'pointToPlane' } : {};
  if (values['rgb-weight'] !== undefined) { cfg.rgbWeight = Number(values['rgb-weight']); cfg.trackingMethod = 'hybrid'; }
  log(`run 1: empty map, ${count} frames`);
  const base = await run(getFrame, count, k, cfg, 0, pool, log);
  const pre = Number(values.prefill);
  let filled: RunSummary | null = null;
  if (pre > 0) {
    log(`run 2: map pre-filled with ${pre} surfels outside the view`);
    filled = await run(getFrame, count, k, cfg, pre, pool, log);
  }
  pool.close();
  const report = { data: info.path, format: info.format, size: `${k.width}x${k.height}`, threads: pool.threads, config: cfg, base, prefilled: filled ? { prefilledSurfels: pre, ...filled } : null };
  if (values.json) { printJson(report); return; }
  const fmt = (r: RunSummary): string => [
    `  ms/frame: ${Object.entries(r.msMean).map(([a, b]) => `${a} ${b.toFixed(1)}`).join(', ')}`,
    `  CPU ms/frame (frames after the first) ${r.cpuMsMean.toFixed(1)} → ${r.cpuFps.toFixed(1)} frames/s of CPU time`,
    `  wall FPS ${r.fps.toFixed(1)}, lost ${r.lost}/${r.frames}, surfels ${r.surfels}, ATE ${r.ateRmse === null ? 'n/a' : `${(r.ateRmse * 100).toFixed(2)} cm`}`,
    `  mean ms first half ${r.msFirstHalf.toFixed(1)}, second half ${r.msSecondHalf.toFixed(1)}; p50 ${r.msP50.toFixed(1)} ms`,
    `  after the first ${WARMUP_FRAMES} frames (map started, code compiled): ${r.msSteady.toFixed(1)} ms/frame → ${r.steadyFps.toFixed(1)} FPS`,
  ].join('\n');
  process.stdout.write(`fusion bench: ${info.path} at ${k.width}x${k.height}, ${pool.threads} thread${pool.threads > 1 ? 's' : ''}\nempty map:\n${fmt(base)}\n`);
  if (filled) process.stdout.write(`pre-filled with ${pre} surfels (outside view):\n${fmt(filled)}\n`);
}
