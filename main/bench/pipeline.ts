/**
 * Whole-run benchmark: `npm run bench -- pipeline [--data DIR|synth:...] [--size WxH] [--threads N|auto] [--frames N]
 * [--depth-weight-only] [--no-loop-closure] [--no-prefetch] [--labels none|gt|gt-noisy] [--json]`.
 * Runs exactly what `semslam map` runs (the prefetching reader, the thread pool, mapSequence, loop closure on)
 * over the whole sequence and prints the run's end-to-end FPS (reading included), ms per fusion stage, and how
 * the frame time evolves over the run (first / last 100 frames and every 100 frames), so that a per-frame cost
 * that grows with the map shows. CPU time (all threads of the process) is printed beside wall time: on a shared
 * machine wall time includes waiting for a core.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mapSequence, type LabelMode, type MapSummary } from '../pipeline/mapSequence.js';
import { openMapInput } from '../pipeline/openInput.js';
import { PrefetchingReader } from '../pipeline/prefetch/prefetchingReader.js';
import { parseThreads, ThreadKernelPool } from '../parallel/threadPool.js';
import { isSynthSpec } from '../synth/sequence.js';
import { printJson } from '../cli/output.js';
import type { FrameTimings } from '../../fusion/types.js';

const DEFAULT_DATA = '../shared/data/real/7scenes-redkitchen-0-499';
const STAGES = ['preprocess', 'predict', 'track', 'fuse', 'labels', 'loops'] as const;

/** Means over a run of frames. */
interface Window {
  readonly from: number;
  readonly to: number;
  /** Wall ms between consecutive frames handed out by mapSequence (reading, waiting and fusion). */
  readonly wallMs: number;
  /** Process CPU ms per frame (every thread: fusion, kernel workers, reading thread). */
  readonly cpuMs: number;
  /** SurfelFusion.processFrame ms, and per stage. */
  readonly fusionMs: number;
  readonly stageMs: Record<(typeof STAGES)[number], number>;
  /** Surfels in the map at the window's last frame. */
  readonly surfels: number;
}

interface FrameSample { wall: number; cpu: number; ms: FrameTimings; surfels: number }

function summarise(samples: readonly FrameSample[], from: number, to: number): Window {
  const part = samples.slice(from, to);
  const avg = (f: (s: FrameSample) => number): number => part.reduce((a, s) => a + f(s), 0) / Math.max(1, part.length);
  const stageMs = Object.fromEntries(STAGES.map((k) => [k, avg((s) => s.ms[k])])) as Window['stageMs'];
  return {
    from, to, wallMs: avg((s) => s.wall), cpuMs: avg((s) => s.cpu), fusionMs: avg((s) => s.ms.total), stageMs,
    surfels: part.length ? part[part.length - 1].surfels : 0,
  };
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv, options: {
      json: { type: 'boolean', default: false }, data: { type: 'string', default: DEFAULT_DATA },
      size: { type: 'string' }, frames: { type: 'string' }, threads: { type: 'string', default: 'auto' },
      'depth-weight-only': { type: 'boolean', default: false }, 'no-loop-closure': { type: 'boolean', default: false },
      'no-prefetch': { type: 'boolean', default: false }, labels: { type: 'string', default: 'none' },
      window: { type: 'string', default: '100' }, help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('pipeline [--data DIR|synth:...] [--size WxH] [--threads N|auto] [--frames N] [--depth-weight-only] [--no-loop-closure] [--no-prefetch] [--labels none|gt|gt-noisy] [--window N] [--json]\n');
    return;
  }
  const spec = isSynthSpec(values.data) || values.data === 'demo' ? values.data : resolve(values.data);
  let size: { width: number; height: number } | undefined;
  if (values.size) {
    const m = /^(\d+)x(\d+)$/.exec(values.size);
    if (!m) throw new Error(`--size must be WxH, got ${values.size}`);
    size = { width: +m[1], height: +m[2] };
  }
  const labels = values.labels as LabelMode;
  if (!['none', 'gt', 'gt-noisy'].includes(labels)) throw new Error(`--labels must be none, gt or gt-noisy, got ${labels}`);
  const windowSize = Number(values.window);
  const maxFrames = values.frames ? Number(values.frames) : Infinity;
  const threads = parseThreads(values.threads);
  const labelInput = labels === 'none' ? undefined : { mode: labels, every: 1, noise: { seed: 1 } };
  const openOptions = { extras: { labels: labels !== 'none', depthGroundTruth: false } };
  const reader = values['no-prefetch'] ? await openMapInput(spec, openOptions) : await PrefetchingReader.open(spec, openOptions, { size, labels: labelInput });
  const pool = await ThreadKernelPool.start({ threads });
  const samples: FrameSample[] = [];
  let lastWall = performance.now();
  let lastCpu = process.cpuUsage();
  const t0 = lastWall;
  let summary: MapSummary;
  try {
    const run = await mapSequence(reader, {
      pool, maxFrames, size, labels, noise: { seed: 1 },
      fusion: { ...(values['depth-weight-only'] ? { trackingMethod: 'pointToPlane' as const } : {}), ...(values['no-loop-closure'] ? { loopClosure: false } : {}) },
    }, (p) => {
      const wall = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      samples.push({ wall: wall - lastWall, cpu: (cpu.user + cpu.system) / 1000, ms: p.result.ms, surfels: p.result.stats.surfels });
      lastWall = wall;
      lastCpu = process.cpuUsage();
      if (samples.length % 100 === 0) process.stderr.write(`  frame ${samples.length}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    });
    summary = run.summary;
  } finally {
    pool.close();
    await reader.close?.();
  }
  const n = samples.length;
  const windows: Window[] = [];
  for (let a = 0; a < n; a += windowSize) windows.push(summarise(samples, a, Math.min(n, a + windowSize)));
  const first = summarise(samples, 0, Math.min(n, windowSize));
  const last = summarise(samples, Math.max(0, n - windowSize), n);
  const report = {
    data: summary.sequence, size: `${summary.width}x${summary.height}`, threads: summary.threads, frames: summary.frames,
    trackingMethod: summary.trackingMethod, loopClosure: summary.loopClosure, fps: summary.fps,
    cpuMsPerFrame: samples.reduce((a, s) => a + s.cpu, 0) / Math.max(1, n),
    msPerFrame: summary.msPerFrame, msPerStage: summary.msPerStage, msInputPerFrame: summary.msInputPerFrame,
    ateRmseM: summary.ateRmseM ?? null, surfels: summary.surfels, loopClosures: summary.loopClosures.length,
    lost: summary.frameStatus.lost.length, doubtful: summary.frameStatus.doubtful.length, first, last, windows,
  };
  if (values.json) { printJson(report); return; }
  const f1 = (v: number): string => v.toFixed(1);
  const row = (w: Window): string => `  frames ${String(w.from).padStart(4)}–${String(w.to - 1).padEnd(4)} wall ${f1(w.wallMs).padStart(6)} ms `
    + `(${f1(1000 / w.wallMs).padStart(5)} FPS), CPU ${f1(w.cpuMs).padStart(6)} ms, fusion ${f1(w.fusionMs).padStart(6)} ms [`
    + STAGES.map((k) => `${k} ${f1(w.stageMs[k])}`).join(', ') + `], surfels ${w.surfels}`;
  const lines = [
    `pipeline bench: ${report.data} at ${report.size}, ${report.threads} thread${report.threads > 1 ? 's' : ''}, ${report.trackingMethod}, `
      + `loop closure ${report.loopClosure ? 'on' : 'off'}, reading ${values['no-prefetch'] ? 'inline' : 'prefetched'}`,
    `  ${report.frames} frames: ${f1(report.fps)} FPS end to end (reading included); CPU ${f1(report.cpuMsPerFrame)} ms/frame (all threads)`,
    `  fusion ms/frame p50 ${f1(report.msPerFrame.p50)}, p95 ${f1(report.msPerFrame.p95)}; mean per stage: `
      + STAGES.map((k) => `${k} ${f1(report.msPerStage[k])}`).join(', ') + `; input ${f1(report.msInputPerFrame)}`,
    `  ATE ${report.ateRmseM === null ? 'n/a' : `${(report.ateRmseM * 100).toFixed(2)} cm`}, surfels ${report.surfels}, `
      + `loop closures ${report.loopClosures}, lost ${report.lost}, doubtful ${report.doubtful}`,
    `first ${windowSize} / last ${windowSize} frames:`, row(first), row(last), `every ${windowSize} frames:`, ...windows.map(row),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
