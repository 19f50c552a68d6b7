import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Intrinsics } from '../../fusion/camera.js';
import { encodePngRaster } from '../io/image.js';
import { encodePnm } from '../io/pnm.js';
import type { Frame } from './frame.js';
import { nyuMetresToRaw } from './nyuCamera.js';
import type { Sidecar } from './sidecar.js';
import { DEPTH_GT_DIR, DEPTH_GT_SCALE, LABELS_DIR, writeSidecar } from './sidecar.js';
import type { StampedPose } from './trajectoryText.js';
import { formatTumTrajectory } from './trajectoryText.js';
import type { KlgColour } from './klg.js';
import { KlgWriter } from './klg.js';
import type { McapCompression, McapDepthEncoding, McapImageTransport } from './mcapWriter.js';
import { McapSequenceWriter } from './mcapWriter.js';

/**
 * Writers for the two formats other tools replay: NYU Depth v2 raw and TUM RGB-D.
 *
 * Layouts (both also get `semslam.json`, see sidecar.ts):
 * - nyu: `r-<t>-<i>.ppm` (P6), `d-<t>-<i>.pgm` (P5 16-bit, raw Kinect disparity, samples LITTLE-endian
 *   like the real dump), no `a-*.dump` (no accelerometer), and `groundtruth.txt` (TUM trajectory at the
 *   depth timestamps) when frames carry poses. Depth is written through the inverse of
 *   raw→metres, quantised (nyuMetresToRaw): nearer than 0.713 m or 0 becomes 2047 (no reading).
 *   Depth is already registered to RGB; the sidecar says so, so our reader skips registration.
 * - tum: `rgb/<t>.png`, `depth/<t>.png` (16-bit, round(metres × 5000), 0 = missing), `rgb.txt`,
 *   `depth.txt`, `groundtruth.txt`.
 * Extras: `labels40/<depth base name>.png` (8-bit, 0..39, 255 void) and `depth_gt/<depth base name>.png`
 * (16-bit ×5000). `<t>` is the frame timestamp with 6 decimals; RGB and depth share it, so they associate
 * exactly.
 */
export interface SequenceWriter {
  readonly path: string;
  write(frame: Frame): Promise<void>;
  close(): Promise<void>;
}

/** Folders (nyu, tum) and single files (mcap: a ROS 2 bag, see mcapWriter.ts; klg: see klg.ts). */
export type WritableFormat = 'nyu' | 'tum' | 'mcap' | 'klg';

export interface SequenceWriterOptions {
  intrinsics: Intrinsics;
  fps?: number;
  /** Free-form provenance stored in the sidecar (tool, seed, scene...). */
  generator?: Record<string, unknown>;
  mcap?: { compression?: McapCompression; depthEncoding?: McapDepthEncoding; images?: McapImageTransport };
  klg?: { colour?: KlgColour };
}

export async function createSequenceWriter(
  format: WritableFormat,
  dir: string,
  options: SequenceWriterOptions,
): Promise<SequenceWriter> {
  if (format === 'mcap' || format === 'klg') {
    await mkdir(dirname(dir), { recursive: true });
    return format === 'mcap'
      ? McapSequenceWriter.create(dir, { intrinsics: options.intrinsics, fps: options.fps, generator: options.generator, ...options.mcap })
      : KlgWriter.create(dir, { intrinsics: options.intrinsics, ...options.klg });
  }
  await mkdir(dir, { recursive: true });
  return format === 'nyu' ? new NyuRawWriter(dir, options) : new TumWriter(dir, options);
}

export function formatTimestamp(t: number): string {
  return t.toFixed(6);
}

/** Depth in metres → 16-bit at a scale (round, 0 for missing/invalid, saturating). Allocation-free. */
export function metresToScaledU16(src: Float32Array, scale: number, out: Uint16Array): Uint16Array {
  for (let i = 0; i < src.length; i++) {
    const d = src[i];
    if (!(d > 0)) { out[i] = 0; continue; }
    const v = Math.round(d * scale);
    out[i] = v > 65535 ? 65535 : v;
  }
  return out;
}

abstract class BaseWriter implements SequenceWriter {
  protected count = 0;
  protected lastTimestamp = -Infinity;
  protected hasLabels = false;
  protected hasDepthGroundTruth = false;
  protected hasPose = false;
  protected readonly gtPoses: StampedPose[] = [];
  protected depthScratch = new Uint16Array(0);
  private closed = false;

  constructor(readonly path: string, protected readonly options: SequenceWriterOptions, private readonly format: 'nyu' | 'tum') {}

  protected abstract writeFrameFiles(frame: Frame, stamp: string): Promise<string>;
  protected abstract writeIndexes(): Promise<void>;

  async write(frame: Frame): Promise<void> {
    if (this.closed) throw new Error(`${this.path}: write after close`);
    const k = this.options.intrinsics;
    if (frame.width !== k.width || frame.height !== k.height) {
      throw new Error(`${this.path}: frame ${frame.index} is ${frame.width}×${frame.height}, writer intrinsics are ${k.width}×${k.height}`);
    }
    const timestamp = Number.isFinite(frame.timestamp) ? frame.timestamp : this.count / (this.options.fps ?? 30);
    const stamp = formatTimestamp(timestamp);
    if (!(Number(stamp) > this.lastTimestamp)) {
      throw new Error(`${this.path}: frame ${frame.index} timestamp ${stamp} does not increase (previous ${this.lastTimestamp})`);
    }
    if (this.count === 0) {
      this.hasLabels = frame.labels40 !== undefined;
      this.hasDepthGroundTruth = frame.depthGroundTruth !== undefined;
      this.hasPose = frame.groundTruthPose !== undefined;
      if (this.hasLabels) await mkdir(join(this.path, LABELS_DIR), { recursive: true });
      if (this.hasDepthGroundTruth) await mkdir(join(this.path, DEPTH_GT_DIR), { recursive: true });
    }
    const depthBase = await this.writeFrameFiles(frame, stamp);
    if (this.hasLabels) {
      if (!frame.labels40) throw new Error(`${this.path}: frame ${frame.index} lacks labels40 (the first frame had them)`);
      await writeFile(join(this.path, LABELS_DIR, `${depthBase}.png`),
        encodePngRaster({ width: frame.width, height: frame.height, channels: 1, data: frame.labels40 }));
    }
    if (this.hasDepthGroundTruth) {
      if (!frame.depthGroundTruth) throw new Error(`${this.path}: frame ${frame.index} lacks depthGroundTruth (the first frame had it)`);
      const gt = metresToScaledU16(frame.depthGroundTruth, DEPTH_GT_SCALE, this.scratch16(frame));
      await writeFile(join(this.path, DEPTH_GT_DIR, `${depthBase}.png`),
        encodePngRaster({ width: frame.width, height: frame.height, channels: 1, data: gt }));
    }
    if (this.hasPose) {
      if (!frame.groundTruthPose) throw new Error(`${this.path}: frame ${frame.index} lacks groundTruthPose (the first frame had one)`);
      this.gtPoses.push({ timestamp, T_world_camera: Float64Array.from(frame.groundTruthPose) });
    }
    this.lastTimestamp = Number(stamp);
    this.count++;
  }

  protected scratch16(frame: Frame): Uint16Array {
    const n = frame.width * frame.height;
    if (this.depthScratch.length !== n) this.depthScratch = new Uint16Array(n);
    return this.depthScratch;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.hasPose) {
      await writeFile(join(this.path, 'groundtruth.txt'), formatTumTrajectory(this.gtPoses, ['ground truth trajectory']));
    }
    await this.writeIndexes();
    const sidecar: Sidecar = {
      semslamSequence: 1,
      format: this.format,
      intrinsics: { ...this.options.intrinsics },
      depthRegistered: true,
      ...(this.options.fps !== undefined ? { fps: this.options.fps } : {}),
      ...(this.options.generator !== undefined ? { generator: this.options.generator } : {}),
      hasLabels: this.hasLabels,
      hasDepthGroundTruth: this.hasDepthGroundTruth,
      hasGroundTruthPose: this.hasPose,
    };
    await writeSidecar(this.path, sidecar);
  }
}

class NyuRawWriter extends BaseWriter {
  constructor(path: string, options: SequenceWriterOptions) { super(path, options, 'nyu'); }

  protected async writeFrameFiles(frame: Frame, stamp: string): Promise<string> {
    const raw = this.scratch16(frame);
    const depth = frame.depth;
    for (let i = 0; i < raw.length; i++) raw[i] = nyuMetresToRaw(depth[i]);
    const depthBase = `d-${stamp}-${this.count}`;
    await writeFile(join(this.path, `${depthBase}.pgm`),
      encodePnm({ width: frame.width, height: frame.height, channels: 1, data: raw }, { byteOrder: 'little' }));
    await writeFile(join(this.path, `r-${stamp}-${this.count}.ppm`),
      encodePnm({ width: frame.width, height: frame.height, channels: 3, data: frame.rgb }));
    return depthBase;
  }

  protected async writeIndexes(): Promise<void> {
    // NYU raw has no index files: the file names carry the timestamps.
  }
}

class TumWriter extends BaseWriter {
  private readonly rgbLines: string[] = [];
  private readonly depthLines: string[] = [];
  private dirsMade = false;

  constructor(path: string, options: SequenceWriterOptions) { super(path, options, 'tum'); }

  protected async writeFrameFiles(frame: Frame, stamp: string): Promise<string> {
    if (!this.dirsMade) {
      await mkdir(join(this.path, 'rgb'), { recursive: true });
      await mkdir(join(this.path, 'depth'), { recursive: true });
      this.dirsMade = true;
    }
    const depth16 = metresToScaledU16(frame.depth, 5000, this.scratch16(frame));
    await writeFile(join(this.path, 'depth', `${stamp}.png`),
      encodePngRaster({ width: frame.width, height: frame.height, channels: 1, data: depth16 }));
    await writeFile(join(this.path, 'rgb', `${stamp}.png`),
      encodePngRaster({ width: frame.width, height: frame.height, channels: 3, data: frame.rgb }));
    this.rgbLines.push(`${stamp} rgb/${stamp}.png`);
    this.depthLines.push(`${stamp} depth/${stamp}.png`);
    return stamp;
  }

  protected async writeIndexes(): Promise<void> {
    const header = (what: string) => `# ${what} images\n# file: 'semslam'\n# timestamp filename\n`;
    await writeFile(join(this.path, 'rgb.txt'), `${header('color')}${this.rgbLines.join('\n')}\n`);
    await writeFile(join(this.path, 'depth.txt'), `${header('depth')}${this.depthLines.join('\n')}\n`);
  }
}
