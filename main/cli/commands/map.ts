import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { checkOutputPath, exportSession } from '../../export/exportSession.js';
import { writePly } from '../../export/ply.js';
import { mapSequence, type LabelMode, type MapSummary } from '../../pipeline/mapSequence.js';
import { openMapInput } from '../../pipeline/openInput.js';
import { PrefetchingReader } from '../../pipeline/prefetch/prefetchingReader.js';
import { positiveInt, printJson } from '../output.js';
import { parseThreads, ThreadKernelPool } from '../../parallel/threadPool.js';
import { addSourceOptions, sourceOpenOptions, type SourceFlags } from '../sourceOptions.js';
import { formatTumTrajectory } from '../../sources/trajectoryText.js';

interface MapOptions extends SourceFlags {
  json?: boolean;
  maxFrames?: string;
  size?: string;
  labels?: LabelMode;
  labelEvery: string;
  outPly?: string;
  outMcap?: string;
  outTrajectory?: string;
  depthWeightOnly?: boolean;
  gtPoses?: boolean;
  loopClosure: boolean;
  noiseSeed: string;
  threads: string;
  progress: boolean;
  prefetch: boolean;
}

function parseSize(value: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m || +m[1] < 8 || +m[2] < 8) throw new InputError('--size', `expected WIDTHxHEIGHT (e.g. 320x240), got "${value}"`);
  return { width: +m[1], height: +m[2] };
}

const f = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function printHuman(s: MapSummary): void {
  const lines = [
    `${s.sequence} (${s.format}, ${s.width}×${s.height}): ${s.frames} frames, ${f(s.fps, 1)} FPS end-to-end`,
    `  fusion ms/frame p50 ${f(s.msPerFrame.p50, 1)}, p95 ${f(s.msPerFrame.p95, 1)}; stages (mean ms): `
      + Object.entries(s.msPerStage).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ') + `; input ${f(s.msInputPerFrame, 1)}`,
    `  surfels ${s.surfels}, tracking ${s.trackingMethod}, failures ${s.trackingFailures}, ${s.threads} fusion thread${s.threads > 1 ? 's' : ''}`,
    `  frames lost ${s.frameStatus.lost.length}, doubtful (not fused) ${s.frameStatus.doubtful.length}, relocalised ${s.frameStatus.relocalised.length}; `
      + (s.loopClosure ? `loop closures ${s.loopClosures.length}` : 'loop closure off'),
  ];
  for (const l of s.loopClosures) {
    lines.push(`    loop (${l.kind}) at frame ${l.frame} to frame ${l.toFrame}: pose corrected ${f(l.correctionM * 100, 2)} cm / ${f(l.correctionDeg, 2)}°, ${l.surfelsMoved} surfels moved, ${f(l.ms, 0)} ms`);
  }
  if (s.ateRmseM !== undefined) lines.push(`  ATE RMSE ${f(s.ateRmseM * 100, 2)} cm`);
  if (s.rpe) {
    lines.push(`  RPE per frame ${f(s.rpe.perFrame.translationRmseM * 1000, 1)} mm, ${f(s.rpe.perFrame.rotationRmseDeg, 2)}°`
      + (s.rpe.perSecond ? `; per second ${f(s.rpe.perSecond.translationRmseM * 100, 2)} cm, ${f(s.rpe.perSecond.rotationRmseDeg, 2)}°` : ''));
  }
  if (s.labels) {
    const l = s.labels;
    lines.push(`  labels (${l.frames} frames): single-frame mIoU ${f(l.singleFrameMIoU, 3)} acc ${f(l.singleFramePixelAcc, 3)}`
      + ` → fused mIoU ${f(l.fusedMIoU, 3)} acc ${f(l.fusedPixelAcc, 3)} (map covers ${f(l.fusedCoverage * 100, 1)} %)`);
  }
  if (s.inputIssues.skipped > 0 || Object.values(s.inputIssues.counts).some((c) => c > 0)) {
    lines.push(`  input: ${s.inputIssues.skipped} frames skipped; flagged `
      + Object.entries(s.inputIssues.counts).filter(([, c]) => c > 0).map(([k, c]) => `${k} ${c}`).join(', '));
  }
  for (const h of s.hardCases ?? []) {
    lines.push(`  ${h.kind} frames ${h.affected.start}-${h.affected.end - 1}: first flagged ${h.firstFlagged ?? 'never'}`
      + `${h.flagDelay !== null ? ` (+${h.flagDelay})` : ''}, ${f(h.flaggedAfter3 * 100, 0)} % flagged from +3, ${h.fusedAffected} fused,`
      + ` resumed ${h.resumedAt ?? 'never'}${h.resumeDelay !== null ? ` (+${h.resumeDelay})` : ''}`);
  }
  if (s.surfaceDistance) {
    const d = s.surfaceDistance;
    lines.push(`  surfels to the true surfaces: max ${f(d.max * 100, 1)} cm, p99 ${f(d.p99 * 100, 2)} cm, `
      + `${f(d.fractionOver * 100, 3)} % beyond ${f(d.threshold * 100, 0)} cm`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  addSourceOptions(program
    .command('map')
    .description('Map a whole RGB-D sequence headless (sources → surfel fusion) and report speed, trajectory and label accuracy')
    .argument('<sequence>', 'sequence folder (NYU raw, TUM, 7-Scenes, Redwood, ICL-NUIM, or one written by `semslam gen`), a ROS 2 bag (.mcap) or .klg log, or `demo` / `synth:seed=N,frames=M[,size=WxH,noise=kinect|none]` for the synthetic world'))
    .option('--json', 'print one JSON document on stdout')
    .option('--max-frames <n>', 'stop after N frames')
    .option('--size <WxH>', 'resize frames (and intrinsics) before fusion, e.g. 320x240')
    .addOption(new Option('--labels <mode>', 'per-frame class probabilities fed to label fusion: none, gt (ground truth, 0.9 confidence), gt-noisy (simulated single-frame CNN); default gt-noisy when the sequence has labels, else none').choices(['none', 'gt', 'gt-noisy']))
    .option('--label-every <k>', 'feed labels on every K-th frame only', '1')
    .option('--noise-seed <n>', 'seed of the gt-noisy label simulator', '1')
    .option('--out-mcap <file>', 'write the estimated trajectory (/semslam/pose, /semslam/path, /tf) and the labelled map (/semslam/map, PointCloud2 with a label field) as a ROS 2 bag for Foxglove')
    .option('--out-ply <file>', 'write the fused map as binary PLY (x y z nx ny nz red green blue radius confidence label label_prob)')
    .option('--out-trajectory <file>', 'write the estimated camera trajectory in TUM format (timestamp tx ty tz qx qy qz qw; evo and TUM\'s tools read it)')
    .option('--depth-weight-only', 'track with the depth (point-to-plane ICP) term only, no photometric term — for colour that is not registered to depth when its camera is not known (see calibrate-colour)')
    .option('--gt-poses', 'use the sequence\'s ground-truth poses instead of tracking (scores label fusion and mapping alone)')
    .option('--no-loop-closure', 'no loop closure (the whole map stays active; no map correction): to compare against')
    .option('--threads <n>', 'threads running the fusion kernels (auto = one per core; 1 = this thread only)', 'auto')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--no-prefetch', 'read and decode frames on the fusion\'s thread, one after another (default: a reading thread keeps a few frames ahead)')
    .addHelpText('after', '\nPoses: the first frame is anchored to ground truth when the sequence has it; ATE is reported after a rigid\n'
      + 'Horn alignment (TUM convention), RPE over 1 frame and 1 second. Fused label scores render the final map into\n'
      + 'each labelled frame at its estimated pose; pixels the map misses keep the frame\'s own prediction.\n\n'
      + 'Examples:\n'
      + '  semslam map ../shared/data/real/7scenes-redkitchen-150-199 --size 320x240 --json\n'
      + '  semslam map synth:seed=3,frames=200 --labels gt-noisy --out-ply map.ply')
    .action(async (sequence: string, opts: MapOptions) => {
      const maxFrames = opts.maxFrames !== undefined ? positiveInt('--max-frames', opts.maxFrames) : Infinity;
      const labelEvery = positiveInt('--label-every', opts.labelEvery);
      const noiseSeed = Number(opts.noiseSeed);
      if (!Number.isInteger(noiseSeed)) throw new InputError('--noise-seed', `expected an integer, got "${opts.noiseSeed}"`);
      const size = opts.size !== undefined ? parseSize(opts.size) : undefined;
      let threads: number;
      try { threads = parseThreads(opts.threads); } catch (e) { throw new InputError('--threads', (e as Error).message); }
      for (const [flag, out] of [['--out-mcap', opts.outMcap], ['--out-ply', opts.outPly], ['--out-trajectory', opts.outTrajectory]] as const) {
        if (out) await checkOutputPath(resolve(out), flag);
      }
      // Mapping never reads the generator's exact depth, and reads labels only to simulate or score them.
      const openOptions = { ...await sourceOpenOptions(opts), extras: { labels: opts.labels !== 'none', depthGroundTruth: false } };
      // The reading thread also resizes and makes the label input: the fusion's thread then only maps.
      const labelInput = opts.labels === 'none' ? undefined : { mode: opts.labels ?? 'auto' as const, every: labelEvery, noise: { seed: noiseSeed } };
      const reader = opts.prefetch ? await PrefetchingReader.open(sequence, openOptions, { size, labels: labelInput }) : await openMapInput(sequence, openOptions);
      for (const w of reader.info.warnings ?? []) process.stderr.write(`semslam map: warning: ${w}\n`);
      if (reader.info.hasDepth === false) {
        await reader.close?.();
        throw new InputError(reader.info.path, 'has no depth stream: map it in the app in rgb mode (the network predicts depth), or give --depth-topic');
      }
      const labels: LabelMode = opts.labels ?? (reader.info.hasLabels ? 'gt-noisy' : 'none');
      const total = Math.min(reader.info.frames, maxFrames);
      const bar = opts.progress
        ? new cliProgress.SingleBar({
          stream: process.stderr,
          format: 'map |{bar}| {value}/{total} frames | {fps} FPS | ETA {eta_formatted}',
          noTTYOutput: true,
          notTTYSchedule: 5000,
          hideCursor: true,
        }, cliProgress.Presets.shades_classic)
        : undefined;
      const pool = await ThreadKernelPool.start({ threads });
      bar?.start(total, 0, { fps: '0.0' });
      let run;
      let warned = 0;
      try {
        run = await mapSequence(reader, {
          pool,
          maxFrames, size, labels, labelEvery, noise: { seed: noiseSeed }, poses: opts.gtPoses ? 'groundTruth' : 'track',
          fusion: { ...(opts.depthWeightOnly ? { trackingMethod: 'pointToPlane' as const } : {}), ...(opts.loopClosure ? {} : { loopClosure: false }) },
        }, (p) => bar?.update(p.frame, { fps: p.fps.toFixed(1) }), (issues) => {
          // Named as they happen (the first few; the summary counts them all).
          for (const i of issues) if (warned++ < 20) process.stderr.write(`\nsemslam map: frame ${i.frame} ${i.mapped ? 'flagged' : 'skipped'} (${i.kind}): ${i.detail}\n`);
        });
      } finally {
        bar?.stop();
        pool.close();
        await reader.close?.();
      }
      const poses = run.trajectory.map((T, i) => ({ timestamp: run.timestamps[i], T_world_camera: T }));
      if (opts.outMcap) {
        await exportSession(resolve(opts.outMcap), { map: run.fusion.snapshot(), frames: poses }, { format: 'mcap' });
      }
      if (opts.outPly) {
        await writePly(opts.outPly, run.fusion.snapshot(), [`sequence ${sequence}`, `frames ${run.summary.frames}`]);
      }
      if (opts.outTrajectory) {
        await writeFile(resolve(opts.outTrajectory), formatTumTrajectory(poses, [`semslam map ${sequence}`, `frames ${run.summary.frames}`]));
      }
      const outputs = { ...(opts.outPly ? { outPly: opts.outPly } : {}), ...(opts.outMcap ? { outMcap: opts.outMcap } : {}), ...(opts.outTrajectory ? { outTrajectory: opts.outTrajectory } : {}) };
      const summary = { ...run.summary, ...outputs };
      if (opts.json) printJson(summary);
      else printHuman(run.summary);
    });
}
