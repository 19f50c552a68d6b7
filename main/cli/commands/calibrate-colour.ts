import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { fitColourCamera, makePair, type CalibrationPair } from '../../calibration/colourCalibration.js';
import { InputError } from '../../errors.js';
import { mapSequence } from '../../pipeline/mapSequence.js';
import { ThreadKernelPool } from '../../parallel/threadPool.js';
import type { Mat4 } from '../../../fusion/pose.js';
import { formatColourCamera } from '../../sources/colourRegistration.js';
import { openSequence } from '../../sources/open.js';
import { positiveInt, printJson } from '../output.js';
import { addSourceOptions, sourceOpenOptions, type SourceFlags } from '../sourceOptions.js';

interface CalibrateOptions extends SourceFlags {
  frames: string;
  pairs: string;
  gap: string;
  json?: boolean;
  progress: boolean;
}

/** Tracking resolution: depth-only tracking at half a VGA frame is as accurate here and 3× quicker. */
const TRACK_WIDTH = 320;

export function register(program: Command): void {
  addSourceOptions(program
    .command('calibrate-colour')
    .description('Fit the colour camera of a sequence whose colour is not registered to depth (focal, centre, offset), from the recording alone: no ground truth, no target')
    .argument('<sequence>', 'an RGB-D sequence (any format `semslam map` reads) filmed moving'))
    .option('--frames <n>', 'frames to track (depth only) and draw pairs from', '300')
    .option('--pairs <n>', 'frame pairs compared', '20')
    .option('--gap <k>', 'frames between the two frames of a pair', '8')
    .option('--json', 'print one JSON document on stdout')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText('after', '\nThe camera motion comes from depth alone (point-to-plane tracking); the fit then asks that each point have\n'
      + 'the same colour in both frames of a pair. Pass the result to `semslam map`/`info`/`serve` as --colour-camera.\n\n'
      + 'Example:\n  semslam calibrate-colour ../shared/data/real/7scenes-redkitchen-0-499')
    .action(async (sequence: string, opts: CalibrateOptions) => {
      const frames = positiveInt('--frames', opts.frames), pairCount = positiveInt('--pairs', opts.pairs), gap = positiveInt('--gap', opts.gap);
      // The colour as stored: the fit starts from "registered" and must not see a registration already applied.
      const openOptions = { ...await sourceOpenOptions(opts), colourCamera: 'none' as const, extras: { labels: false, depthGroundTruth: false } };
      const reader = await openSequence(sequence, openOptions);
      try {
        const info = reader.info;
        if (info.hasDepth === false) throw new InputError(info.path, 'has no depth stream: colour calibration needs depth');
        const total = Math.min(info.frames, frames);
        if (info.frames < gap + 2) throw new InputError(info.path, `has ${info.frames} frame${info.frames === 1 ? '' : 's'}; calibration needs more than ${gap + 1} (--gap ${gap})`);
        if (total < gap + 2) throw new InputError('--frames', `${frames} frames leave no pair ${gap} frames apart; give more than ${gap + 1}`);
        const width = Math.min(TRACK_WIDTH, info.width), height = Math.round((info.height * width) / info.width);
        const bar = opts.progress ? new cliProgress.SingleBar({
          stream: process.stderr, format: 'track (depth only) |{bar}| {value}/{total} frames | {fps} FPS | ETA {eta_formatted}',
          noTTYOutput: true, notTTYSchedule: 5000,
        }, cliProgress.Presets.shades_classic) : undefined;
        bar?.start(total, 0, { fps: '0.0' });
        const pool = await ThreadKernelPool.start({});
        const good: boolean[] = [];
        let run;
        try {
          run = await mapSequence(reader, {
            pool, maxFrames: total, size: { width, height }, labels: 'none', anchorToGroundTruth: false,
            fusion: { trackingMethod: 'pointToPlane', loopClosure: false },
          }, (p) => { good.push(p.result.status === 'ok'); bar?.update(p.frame, { fps: p.fps.toFixed(1) }); });
        } finally {
          bar?.stop();
          pool.close();
        }
        // Tracked poses by timestamp: a frame the map skipped (unreadable) is not paired.
        const poseAt = new Map<number, Mat4>();
        run.timestamps.forEach((t, i) => { if (good[i]) poseAt.set(t, run.trajectory[i]); });
        const pairs: CalibrationPair[] = [];
        const span = total - gap - 1;
        for (let k = 0; k < pairCount; k++) {
          const a = Math.round(((k + 0.5) * span) / pairCount);
          const fa = await reader.read(a), fb = await reader.read(a + gap);
          const Ta = poseAt.get(fa.timestamp), Tb = poseAt.get(fb.timestamp);
          if (!Ta || !Tb || fa.width !== info.width || fb.width !== info.width) continue;
          pairs.push(makePair(info.intrinsics, fa.rgb, fa.depth, Ta, fb.rgb, Tb));
        }
        if (pairs.length < Math.min(5, pairCount)) {
          throw new InputError(info.path, `only ${pairs.length} of ${pairCount} frame pairs were tracked well; calibration needs a recording depth tracking can follow`);
        }
        const fit = fitColourCamera(pairs, info.intrinsics, `semslam calibrate-colour ${sequence}`);
        const flag = formatColourCamera(fit.camera);
        if (opts.json) {
          printJson({ sequence: info.path, format: info.format, depthIntrinsics: info.intrinsics, colourCamera: fit.camera, flag: `--colour-camera ${flag}`, ...fit });
        } else {
          const c = fit.camera;
          process.stdout.write([
            `${info.path} (${info.format}): ${fit.pairs} pairs ${gap} frames apart, ${fit.samples} points, ${fit.evaluations} evaluations`,
            `  colour camera: f ${c.fx.toFixed(1)} px, centre ${c.cx.toFixed(1)}, ${c.cy.toFixed(1)}; offset from depth ${(c.tx * 100).toFixed(1)}, ${(c.ty * 100).toFixed(1)} cm`,
            `  (depth camera: f ${info.intrinsics.fx}, ${info.intrinsics.fy}, centre ${info.intrinsics.cx}, ${info.intrinsics.cy})`,
            `  photometric inconsistency (mean |ΔI|, grey levels): ${fit.costRegistered.toFixed(2)} taken as registered -> ${fit.cost.toFixed(2)} fitted`,
            `  use: --colour-camera ${flag}`,
          ].join('\n') + '\n');
        }
      } finally {
        await reader.close?.();
      }
    });
}
