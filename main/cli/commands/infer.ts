import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { NYU13_CLASS_COUNT, NYU13_NAMES, NYU40_CLASS_COUNT, NYU40_NAMES, remapLabels40to13 } from '../../../fusion/classes.js';
import { ConfusionMatrix, type SegmentationScores } from '../../../fusion/metrics/segmentation.js';
import { DepthMetrics } from '../../../fusion/metrics/depth.js';
import { InputError } from '../../errors.js';
import { readPng16, readPng8, readRgbImage, writePng, type Raster16, type Raster8 } from '../../io/image.js';
import { colorizeDepth, colorizeLabels40, DEFAULT_DEPTH_COLOUR_RANGE } from '../../perception/colorize.js';
import { resolveModelPath } from '../../perception/default-model.js';
import { ProviderUnavailableError } from '../../perception/execution-provider.js';
import { JointNetwork } from '../../perception/joint-network.js';
import { addNetworkOptions, failUsage, networkOptionsFromFlags, type NetworkCliFlags } from '../../perception/network-cli-options.js';
import { printJson } from '../output.js';

/** NYUDv2 depth PNGs store metres × 5000 (network.md). */
const DEFAULT_GT_DEPTH_SCALE = 5000;

interface InferFlags extends NetworkCliFlags {
  model?: string;
  gtSeg?: string;
  gtDepth?: string;
  gtDepthScale: string;
  outDir?: string;
  json?: boolean;
}

function requireSameSize(file: string, r: Raster8 | Raster16, width: number, height: number): void {
  if (r.width !== width || r.height !== height) {
    throw new InputError(file, `ground truth is ${r.width}×${r.height} but the image is ${width}×${height}`);
  }
}

/** Scores as JSON-friendly numbers: per-class IoU by name for the classes that appear. */
function segmentationReport(s: SegmentationScores, names: readonly string[]) {
  const iou: Record<string, number> = {};
  s.iou.forEach((v, k) => { if (Number.isFinite(v)) iou[names[k]] = v; });
  return {
    pixels: s.pixels,
    pixelAccuracy: s.pixelAccuracy,
    classAccuracy: s.classAccuracy,
    mIoU: s.mIoU,
    mIoUGroundTruthClasses: s.mIoUGroundTruthClasses,
    iou,
  };
}

function stats(depth: Float32Array) {
  let min = Infinity; let max = -Infinity; let sum = 0;
  for (const d of depth) { if (d < min) min = d; if (d > max) max = d; sum += d; }
  return { min, max, mean: sum / depth.length };
}

export function register(program: Command): void {
  const cmd = program
    .command('infer')
    .description('Run the joint network on one image: coloured segmentation and depth pictures, timings, and metrics against ground truth')
    .argument('<image>', 'RGB image (PNG or JPEG)')
    .option('--model <file>', 'network .onnx (default: the shipped models/semslam-joint.onnx)')
    .option('--gt-seg <file>', '8-bit NYU40 label PNG (0..39, 255 void) to score the segmentation')
    .option('--gt-depth <file>', '16-bit depth PNG to score the depth (0 = missing)')
    .option('--gt-depth-scale <n>', 'depth PNG units per metre', String(DEFAULT_GT_DEPTH_SCALE))
    .option('--out-dir <dir>', 'write <name>_segm.png, <name>_depth.png (colour) and <name>_depth16.png (metres × 5000) here')
    .option('--json', 'print one JSON document on stdout');
  addNetworkOptions(cmd)
    .addHelpText('after', '\nSegmentation pictures use the authors\' palette (VOC palette[k + 1], void black); depth uses Turbo over '
      + `${DEFAULT_DEPTH_COLOUR_RANGE.minMetres}–${DEFAULT_DEPTH_COLOUR_RANGE.maxMetres} m.\n`
      + 'Outputs are upsampled bilinearly from the network\'s 1/4 resolution to the image.\n\n'
      + 'Example:\n  semslam infer ../shared/data/real/nyud-labelled/ExpNYUD_joint/000464.png \\\n'
      + '    --gt-seg ../shared/data/real/nyud-labelled/ExpNYUD_joint/segm_gt_000464.png \\\n'
      + '    --gt-depth ../shared/data/real/nyud-labelled/ExpNYUD_joint/depth_gt_000464.png --model joint.onnx --out-dir out --json')
    .action(async (image: string, flags: InferFlags) => {
      const depthScale = Number(flags.gtDepthScale);
      if (!(depthScale > 0)) return failUsage(`--gt-depth-scale must be a positive number, got "${flags.gtDepthScale}"`);
      let options;
      try {
        options = networkOptionsFromFlags(flags);
      } catch (e) {
        return failUsage((e as Error).message);
      }
      const modelPath = await resolveModelPath(flags.model);
      const rgb = await readRgbImage(image);
      const gtSeg = flags.gtSeg ? await readPng8(flags.gtSeg) : null;
      const gtDepth = flags.gtDepth ? await readPng16(flags.gtDepth) : null;
      if (gtSeg) requireSameSize(flags.gtSeg!, gtSeg, rgb.width, rgb.height);
      if (gtDepth) requireSameSize(flags.gtDepth!, gtDepth, rgb.width, rgb.height);

      const t0 = performance.now();
      let net: JointNetwork;
      try {
        net = await JointNetwork.load(modelPath, options);
      } catch (e) {
        if (e instanceof ProviderUnavailableError) return failUsage(e.message);
        throw e;
      }
      const loadMs = performance.now() - t0;
      const out = await net.run(rgb.data, rgb.width, rgb.height);
      await net.dispose();

      const files: Record<string, string> = {};
      if (flags.outDir) {
        await mkdir(flags.outDir, { recursive: true });
        const stem = basename(image, extname(image));
        const n = rgb.width * rgb.height;
        files.segmentation = join(flags.outDir, `${stem}_segm.png`);
        files.depthColour = join(flags.outDir, `${stem}_depth.png`);
        files.depth16 = join(flags.outDir, `${stem}_depth16.png`);
        await writePng(files.segmentation, { width: rgb.width, height: rgb.height, channels: 3, data: colorizeLabels40(new Uint8Array(n * 3), out.labels40) });
        await writePng(files.depthColour, { width: rgb.width, height: rgb.height, channels: 3, data: colorizeDepth(new Uint8Array(n * 3), out.depth) });
        const d16 = new Uint16Array(n);
        for (let i = 0; i < n; i++) d16[i] = Math.min(65535, Math.round(out.depth[i] * DEFAULT_GT_DEPTH_SCALE));
        await writePng(files.depth16, { width: rgb.width, height: rgb.height, channels: 1, data: d16 });
      }

      let metrics: Record<string, unknown> | null = null;
      if (gtSeg || gtDepth) {
        metrics = {};
        if (gtSeg) {
          const cm40 = new ConfusionMatrix({ classes: NYU40_CLASS_COUNT, firstLabel: 0 });
          cm40.update(gtSeg.data, out.labels40);
          const cm13 = new ConfusionMatrix({ classes: NYU13_CLASS_COUNT, firstLabel: 1 });
          cm13.update(remapLabels40to13(gtSeg.data, new Uint8Array(gtSeg.data.length)), remapLabels40to13(out.labels40, new Uint8Array(out.labels40.length)));
          metrics.segmentation40 = segmentationReport(cm40.compute(), NYU40_NAMES);
          metrics.segmentation13 = segmentationReport(cm13.compute(), NYU13_NAMES.slice(1));
        }
        if (gtDepth) {
          const gt = new Float32Array(gtDepth.data.length);
          for (let i = 0; i < gt.length; i++) gt[i] = gtDepth.data[i] / depthScale;
          const dm = new DepthMetrics();
          dm.update(out.depth, gt);
          metrics.depth = dm.compute();
        }
      }

      const report = {
        image,
        model: modelPath,
        provider: net.options.provider,
        width: rgb.width,
        height: rgb.height,
        networkWidth: out.networkWidth,
        networkHeight: out.networkHeight,
        ms: { load: loadMs, ...out.ms },
        depthMetres: stats(out.depth),
        files,
        metrics,
      };
      if (flags.json) {
        printJson(report);
        return;
      }
      process.stdout.write(`${image}: ${rgb.width}×${rgb.height} at network ${out.networkWidth}×${out.networkHeight}; `
        + `load ${loadMs.toFixed(0)} ms, pre ${out.ms.pre.toFixed(1)} ms, infer ${out.ms.infer.toFixed(1)} ms, post ${out.ms.post.toFixed(1)} ms\n`);
      for (const [k, f] of Object.entries(files)) process.stdout.write(`  ${k}: ${f}\n`);
      if (metrics) process.stdout.write(`${JSON.stringify(metrics, null, 2)}\n`);
    });
}
