import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import { exportMap } from '../../export/exportMap.js';
import { SessionEvaluator, type SessionScores } from '../../session/evaluation.js';
import { DEFAULT_MODEL_FILE } from '../../session/options.js';
import { SessionLoop, type SessionResult } from '../../session/sessionLoop.js';
import { resolveDatabasePath } from '../../store/paths.js';
import { printJson } from '../output.js';

interface DemoOptions {
  frames: string;
  size: string;
  seed: string;
  segmentEvery: string;
  model: string;
  mode?: string;
  db?: string;
  outPly: string;
  json?: boolean;
  progress: boolean;
}

/** Defaults chosen so the demo maps in about a minute on a laptop core (see the report in README). */
export const DEFAULT_DEMO = { frames: 120, size: '320x240', seed: 1, segmentEvery: 2, outPly: 'semslam-demo.ply' };

function int(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InputError(flag, `expected an integer ≥ ${min}, got "${v}"`);
  return n;
}

const f = (v: number | undefined, digits: number): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function printHuman(r: SessionResult, scores: SessionScores, wallS: number, ply: string, db: string): void {
  const t = r.timings.meanMs;
  const lines = [
    `${r.info.source} (${r.info.intrinsics.width}×${r.info.intrinsics.height}, ${r.info.mode}): ${r.processed} frames, ${f(r.processed / wallS, 1)} FPS end-to-end`,
    `  mean ms/frame: ${Object.entries(t).map(([k, v]) => `${k} ${f(v, 1)}`).join(', ')}`,
    `  surfels ${r.surfels}, tracking failures ${r.lost}; labels: ${r.info.labelsDescription}`,
  ];
  if (scores.ateRmseM !== undefined) lines.push(`  ATE RMSE ${f(scores.ateRmseM * 100, 2)} cm`);
  if (scores.rpe) {
    lines.push(`  RPE per frame ${f(scores.rpe.perFrame.translationRmseM * 1000, 1)} mm, ${f(scores.rpe.perFrame.rotationRmseDeg, 2)}°`
      + (scores.rpe.perSecond ? `; per second ${f(scores.rpe.perSecond.translationRmseM * 100, 2)} cm, ${f(scores.rpe.perSecond.rotationRmseDeg, 2)}°` : ''));
  }
  if (scores.labels) {
    const l = scores.labels;
    lines.push(`  labels (${l.frames} frames): single-frame mIoU ${f(l.singleFrameMIoU, 3)} acc ${f(l.singleFramePixelAcc, 3)}`
      + ` → fused mIoU ${f(l.fusedMIoU, 3)} acc ${f(l.fusedPixelAcc, 3)} (map covers ${f(l.fusedCoverage * 100, 1)} %)`);
  }
  lines.push(`  labelled map: ${ply}`, `  session ${r.info.sessionId} "${r.info.name}" in ${db}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Map the embedded synthetic demo room end to end, report accuracy and speed, write the labelled PLY and a session')
    .option('--frames <n>', 'frames of the demo trajectory', String(DEFAULT_DEMO.frames))
    .option('--size <WxH>', 'frame size', DEFAULT_DEMO.size)
    .option('--seed <n>', 'which synthetic room and trajectory', String(DEFAULT_DEMO.seed))
    .option('--segment-every <k>', 'rgbd mode: segment every k-th frame', String(DEFAULT_DEMO.segmentEvery))
    .option('--model <file>', 'joint network (rgb mode when it exists, else rgbd mode with simulated CNN labels)', DEFAULT_MODEL_FILE)
    .option('--mode <mode>', 'rgb (network depth and labels) or rgbd (sensor depth, network labels every --segment-every frames); default rgb when the model exists')
    .option('--db <file>', 'session database (default: ~/.local/share/semslam/sessions.db)')
    .option('--out-ply <file>', 'labelled point cloud to write', DEFAULT_DEMO.outPly)
    .option('--json', 'print one JSON document on stdout')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText('after', '\nWith models/semslam-joint.onnx present the demo runs in rgb mode (network depth and labels, the paper\'s\n'
      + 'RGB-only setting); without it, rgbd mode with sensor depth and simulated CNN labels, and says so on stderr.\n'
      + 'The same summary as `semslam map`: ATE after rigid alignment, single-frame vs fused label accuracy, FPS.\n\n'
      + 'Examples:\n  npm run demo\n  npm run demo -- --mode rgbd     # SemanticFusion\'s setting: sensor depth, network labels\n'
      + '  semslam demo --frames 60 --json --db /tmp/demo.db')
    .action(async (opts: DemoOptions) => {
      const frames = int('--frames', opts.frames, 2);
      const seed = int('--seed', opts.seed, 0);
      const segmentEvery = int('--segment-every', opts.segmentEvery, 1);
      if (!/^\d+x\d+$/.test(opts.size)) throw new InputError('--size', `expected WIDTHxHEIGHT, got "${opts.size}"`);
      const hasModel = existsSync(opts.model);
      if (opts.mode !== undefined && opts.mode !== 'rgb' && opts.mode !== 'rgbd') throw new InputError('--mode', `expected rgb or rgbd, got "${opts.mode}"`);
      if (opts.mode === 'rgb' && !hasModel) throw new InputError(opts.model, 'model file not found: rgb mode needs the joint network for depth');
      const mode = opts.mode ?? (hasModel ? 'rgb' : 'rgbd');
      if (!hasModel) process.stderr.write(`semslam demo: ${opts.model} not found: rgbd mode (sensor depth) with simulated CNN labels (ground truth + realistic noise)\n`);
      const database = resolveDatabasePath(opts.db);
      const source = `synth:seed=${seed},frames=${frames},size=${opts.size}`;
      const evaluator = new SessionEvaluator({ stride: Math.max(1, Math.ceil(frames / segmentEvery / 100)) });
      const bar = opts.progress
        ? new cliProgress.SingleBar({
          stream: process.stderr, format: 'demo |{bar}| {value}/{total} frames | {fps} FPS | ETA {eta_formatted}',
          noTTYOutput: true, notTTYSchedule: 5000, hideCursor: true,
        }, cliProgress.Presets.shades_classic)
        : undefined;
      const t0 = performance.now();
      let done = 0;
      bar?.start(frames, 0, { fps: '0.0' });
      let loop: SessionLoop;
      let result: SessionResult;
      try {
        loop = await SessionLoop.create({
          source, mode, segmentEvery, modelFile: opts.model, database, name: `demo seed ${seed} ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
        }, (e) => {
          if (e.channel === 'frameStats') bar?.update(++done, { fps: (done / ((performance.now() - t0) / 1000)).toFixed(1) });
          else if (e.channel === 'error' && e.payload.fatal) process.stderr.write(`\n${e.payload.message}\n`);
        }, (frame, p, r) => evaluator.observe(frame, p, r.T_world_camera));
        result = await loop.finished;
      } finally {
        bar?.stop();
      }
      const wallS = (performance.now() - t0) / 1000;
      if (result.status === 'failed') throw new Error('the demo session failed (see the message above)');
      const scores = evaluator.scores(loop.processedFrames, (T, out) => loop.renderLabels(T, out));
      const snapshot = loop.snapshot();
      await loop.stop();
      const ply = resolve(opts.outPly);
      await mkdir(dirname(ply), { recursive: true });
      const exported = snapshot
        ? await exportMap(ply, snapshot, { format: 'ply', comments: [`semslam demo ${source}`, `mode ${mode}`] })
        : undefined;
      if (opts.json) {
        printJson({
          source, mode, labelSource: result.info.labels, labelsDescription: result.info.labelsDescription, frames: result.processed,
          fps: result.processed / wallS, pipelineFps: result.timings.fps, msPerStage: result.timings.meanMs, surfels: result.surfels,
          trackingFailures: result.lost, ...scores, ply: exported ?? null, database, session: result.info.sessionId,
        });
      } else {
        printHuman(result, scores, wallS, ply, database);
      }
    });
}
