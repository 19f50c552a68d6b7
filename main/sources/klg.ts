import type { FileHandle } from 'node:fs/promises';
import { open, writeFile } from 'node:fs/promises';
import { inflate, inflateSync, deflateSync } from 'node:zlib';
import { promisify } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import jpeg from 'jpeg-js';
import type { Intrinsics } from '../../fusion/camera.js';
import { scaleIntrinsics } from '../../fusion/camera.js';
import { InputError } from '../errors.js';
import { decodeJpegRgb } from '../io/image.js';
import { nativeRgb } from '../io/nativeDecode.js';
import { pathKind, readTextFile } from '../io/text.js';
import type { CameraSpec } from './cameraSpec.js';
import { readCameraFile, specIntrinsics } from './cameraSpec.js';
import type { Frame, SequenceInfo } from './frame.js';
import { IndexedSequenceReader, scaledDepthToMetres } from './indexedReader.js';
import type { StampedPose } from './trajectoryText.js';
import { DEFAULT_GROUND_TRUTH_LOOKUP, formatTumTrajectory, groundTruthAt, parseTumTrajectory } from './trajectoryText.js';
import type { SequenceWriter } from './writers.js';
import { metresToScaledU16 } from './writers.js';
import { CAMERA_PRESETS } from './cameraPresets.js';
import { closeOnFailure, openForReading } from '../io/files.js';

const inflateAsync = promisify(inflate);

/**
 * Kintinuous / ElasticFusion `.klg` logs (what their Kinect loggers write and SemanticFusion reads):
 *
 *   int32 frameCount, then per frame: int64 timestamp (µs), int32 depthSize, int32 imageSize,
 *   depth[depthSize]: 16-bit millimetres, zlib-compressed (or raw when depthSize = W·H·2),
 *   image[imageSize]: JPEG colour (or raw RGB when imageSize = W·H·3; 0 = no colour).
 *
 * All little-endian. The log stores no image size or calibration: the size comes from the first JPEG (or
 * 640×480 / 320×240 by pixel count), intrinsics from `--intrinsics`/`--camera`, else the `<log>.camera.json`
 * our writer puts beside it, else ElasticFusion's default (fx = fy = 528, centre 320, 240 at 640×480,
 * warned). Ground truth: `<log>.groundtruth.txt` (TUM format) beside it when present.
 */
export const KLG_DEPTH_UNITS_PER_METRE = 1000;
/** ElasticFusion's default camera (Intrinsics(528, 528, 320, 240) at 640×480). */
export const ELASTICFUSION_INTRINSICS: Intrinsics = CAMERA_PRESETS.elasticfusion.intrinsics;
const FRAME_HEADER_BYTES = 16;

export function klgSidePaths(path: string): { camera: string; groundTruth: string } {
  const base = path.replace(/\.klg$/i, '');
  return { camera: `${base}.camera.json`, groundTruth: `${base}.groundtruth.txt` };
}

interface KlgFrameIndex {
  readonly timestampUs: bigint;
  readonly depthOffset: number;
  readonly depthSize: number;
  readonly imageOffset: number;
  readonly imageSize: number;
}

export interface KlgReaderOptions {
  readonly camera?: CameraSpec;
}

export class KlgReader extends IndexedSequenceReader {
  private constructor(
    readonly info: SequenceInfo,
    private readonly handle: FileHandle,
    private readonly index: readonly KlgFrameIndex[],
    private readonly poses: readonly (Float64Array | undefined)[],
    private readonly depthUnits: number,
  ) { super(); }

  static async open(path: string, options: KlgReaderOptions = {}): Promise<KlgReader> {
    return closeOnFailure(await openForReading(path), (handle) => KlgReader.indexFile(path, handle, options));
  }

  private static async indexFile(path: string, handle: FileHandle, options: KlgReaderOptions): Promise<KlgReader> {
    const bytes = (await handle.stat()).size;
    if (bytes < 4) throw new InputError(path, `${bytes} bytes: too short for a .klg log (no frame count)`);
    const head = Buffer.alloc(FRAME_HEADER_BYTES);
    await handle.read(head, 0, 4, 0);
    const declared = head.readInt32LE(0);
    if (declared <= 0) throw new InputError(path, `frame count is ${declared}: not a .klg log, or a recording that was not closed (the logger writes the count last)`);
    const index: KlgFrameIndex[] = [];
    let offset = 4;
    for (let k = 0; k < declared; k++) {
      if (offset + FRAME_HEADER_BYTES > bytes) {
        throw new InputError(path, `truncated: frame ${k} of ${declared} starts at byte ${offset} but the file ends at ${bytes}`);
      }
      await handle.read(head, 0, FRAME_HEADER_BYTES, offset);
      const timestampUs = head.readBigInt64LE(0);
      const depthSize = head.readInt32LE(8), imageSize = head.readInt32LE(12);
      if (depthSize <= 0 || imageSize < 0) throw new InputError(path, `frame ${k} (byte ${offset}): depth size ${depthSize}, image size ${imageSize}: corrupt frame header`);
      const end = offset + FRAME_HEADER_BYTES + depthSize + imageSize;
      if (end > bytes) throw new InputError(path, `truncated: frame ${k} of ${declared} needs bytes up to ${end} but the file ends at ${bytes}`);
      index.push({ timestampUs, depthOffset: offset + FRAME_HEADER_BYTES, depthSize, imageOffset: offset + FRAME_HEADER_BYTES + depthSize, imageSize });
      offset = end;
    }
    const warnings: string[] = [];
    if (offset < bytes) warnings.push(`${path}: ${bytes - offset} bytes after the ${declared} declared frames ignored`);

    // Image size: the camera file's, else the first JPEG's, else from the pixel count of raw colour or depth.
    const first = index[0];
    const sideCamera = klgSidePaths(path).camera;
    const spec = options.camera ?? (await pathKind(sideCamera) === 'file' ? await readCameraFile(sideCamera) : undefined);
    const imageBytes = first.imageSize > 0 ? await readAt(handle, first.imageOffset, first.imageSize) : undefined;
    let width: number, height: number;
    if (spec?.intrinsics?.width !== undefined) {
      ({ width, height } = spec.intrinsics as { width: number; height: number });
    } else if (imageBytes && isJpeg(imageBytes)) {
      ({ width, height } = decodeJpegRgb(`${path}: frame 0 colour`, imageBytes));
    } else {
      const pixels = imageBytes ? imageBytes.length / 3 : await depthPixelCount(path, handle, first);
      const known = KNOWN_SIZES.find(([w, h]) => w * h === pixels);
      if (!known) throw new InputError(path, `frame 0 has ${pixels} pixels and no JPEG to tell the image size; give --intrinsics fx,fy,cx,cy,width,height`);
      [width, height] = known;
    }
    const n = width * height;
    if (first.depthSize !== n * 2) {
      const inflated = await depthPixelCount(path, handle, first);
      if (inflated !== n) throw new InputError(path, `frame 0: the images are ${width}×${height} but the depth has ${inflated} pixels`);
    }

    let intrinsics = specIntrinsics(spec, width, height, warnings);
    if (!intrinsics) {
      intrinsics = scaleIntrinsics(ELASTICFUSION_INTRINSICS, width, height);
      warnings.push(`${path}: a .klg log stores no calibration; ElasticFusion's default camera assumed (fx = fy = ${intrinsics.fx.toFixed(1)}); give --intrinsics or --camera`);
    }
    const depthUnits = spec?.depthUnitsPerMetre ?? KLG_DEPTH_UNITS_PER_METRE;

    const gtFile = klgSidePaths(path).groundTruth;
    let trajectory: StampedPose[] = [];
    if (await pathKind(gtFile) === 'file') trajectory = parseTumTrajectory(gtFile, await readTextFile(gtFile));
    const poses = index.map((f) => groundTruthAt(trajectory, Number(f.timestampUs) / 1e6, DEFAULT_GROUND_TRUTH_LOOKUP));
    const withPose = poses.filter((p) => p !== undefined).length;
    if (trajectory.length > 0 && withPose < index.length) warnings.push(`${gtFile}: ${index.length - withPose} of ${index.length} frames have no ground truth near their time`);

    const info: SequenceInfo = {
      format: 'klg', path, frames: index.length, width, height, intrinsics,
      hasGroundTruth: withPose > 0, hasLabels: false, warnings,
      streams: [{ name: 'frames', type: `${first.imageSize === 0 ? 'no colour' : first.imageSize === n * 3 ? 'raw RGB' : 'JPEG'} + ${depthKind(first, n)}`, count: index.length, rateHz: rate(index) }],
    };
    return new KlgReader(info, handle, index, poses, depthUnits);
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const { width, height, path } = this.info;
    const f = this.index[i];
    const n = width * height;
    const where = `${path}: frame ${i}`;
    // One read for the frame's depth and colour (adjacent in the log). On the main thread the JPEG and the zlib
    // depth both decode on libuv's pool, side by side (nativeDecode.ts); a reading thread decodes them itself, at
    // its own priority.
    const bytes = await readAt(this.handle, f.depthOffset, f.depthSize + f.imageSize);
    const depthBytes = bytes.subarray(0, f.depthSize), imageBytes = bytes.subarray(f.depthSize);
    const colour = f.imageSize === 0 || f.imageSize === n * 3 ? undefined : this.decodeJpeg(`${where} colour`, imageBytes);
    colour?.catch(() => undefined); // awaited below; a depth error thrown first must not leave it unhandled
    let raw: Uint8Array;
    if (f.depthSize === n * 2) raw = depthBytes;
    else {
      try {
        // One output chunk: with zlib's default 16 KB chunks the async inflate makes ~40 trips to the pool and took
        // longer than the synchronous one (5.8 against 3.7 ms a frame with the JPEG; one chunk: 2.6).
        raw = isMainThread ? await inflateAsync(depthBytes, { chunkSize: n * 2 + 1024 }) : inflateSync(depthBytes);
      } catch (e) {
        throw new InputError(`${where} depth`, `zlib data does not inflate (${(e as Error).message})`);
      }
      if (raw.length !== n * 2) throw new InputError(`${where} depth`, `inflates to ${raw.length} bytes, a ${width}×${height} 16-bit image is ${n * 2}`);
    }
    const mm = raw.byteOffset % 2 === 0 ? new Uint16Array(raw.buffer, raw.byteOffset, n) : new Uint16Array(raw.slice().buffer, 0, n);
    const depth = new Float32Array(n);
    scaledDepthToMetres(mm, this.depthUnits, depth);

    // Raw colour is copied out of the read so that the frame owns its buffer (moved, not cloned, between threads).
    const rgb = f.imageSize === 0 ? new Uint8Array(n * 3) : colour ? await colour : imageBytes.slice();
    const pose = this.poses[i];
    return { index: i, timestamp: Number(f.timestampUs) / 1e6, width, height, rgb, depth, intrinsics: this.info.intrinsics, ...(pose ? { groundTruthPose: pose } : {}) };
  }

  private async decodeJpeg(where: string, bytes: Uint8Array): Promise<Uint8Array> {
    const { width, height } = this.info;
    const img = (await nativeRgb(bytes)) ?? decodeJpegRgb(where, bytes);
    if (img.width !== width || img.height !== height) throw new InputError(where, `JPEG is ${img.width}×${img.height}, the log is ${width}×${height}`);
    return img.data;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function depthKind(f: KlgFrameIndex, pixels: number): string {
  return f.depthSize === pixels * 2 ? 'raw 16-bit depth' : 'zlib 16-bit depth';
}

function rate(index: readonly KlgFrameIndex[]): number | null {
  if (index.length < 2) return null;
  const span = Number(index[index.length - 1].timestampUs - index[0].timestampUs) / 1e6;
  return span > 0 ? (index.length - 1) / span : null;
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  const { bytesRead } = await handle.read(out, 0, length, offset);
  if (bytesRead !== length) throw new Error(`short read: ${bytesRead} of ${length} bytes at ${offset}`);
  return out;
}

/** Sizes a raw log may have when nothing else tells (the Kinect's and its half). */
const KNOWN_SIZES: readonly (readonly [number, number])[] = [[640, 480], [320, 240]];

function isJpeg(b: Uint8Array): boolean { return b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff; }

/** Pixels of a frame's depth: zlib inflated, or raw 16-bit when it does not inflate. */
async function depthPixelCount(path: string, handle: FileHandle, f: KlgFrameIndex): Promise<number> {
  const bytes = await readAt(handle, f.depthOffset, f.depthSize);
  try {
    return inflateSync(bytes).length / 2;
  } catch (e) {
    if (f.depthSize % 2 === 0 && bytes[0] !== 0x78) return f.depthSize / 2;
    throw new InputError(`${path}: frame 0 depth`, `zlib data does not inflate (${(e as Error).message})`);
  }
}

export type KlgColour = 'jpeg' | 'raw';
export type KlgDepth = 'zlib' | 'raw';

export interface KlgWriterOptions {
  readonly intrinsics: Intrinsics;
  readonly colour?: KlgColour;
  readonly depth?: KlgDepth;
  /** JPEG quality 1..100. */
  readonly jpegQuality?: number;
}

/**
 * Writes a `.klg` (frames appended as they come; the count at the start is written on close, as the
 * loggers do), plus `<log>.camera.json` (the intrinsics, which the format cannot hold) and
 * `<log>.groundtruth.txt` (TUM) when frames carry poses.
 */
export class KlgWriter implements SequenceWriter {
  private count = 0;
  private offset = 4;
  private lastUs = -1n;
  private readonly gtPoses: StampedPose[] = [];
  private scratch = new Uint16Array(0);
  private closed = false;

  private constructor(readonly path: string, private readonly handle: FileHandle, private readonly options: KlgWriterOptions) {}

  static async create(path: string, options: KlgWriterOptions): Promise<KlgWriter> {
    const handle = await open(path, 'w');
    await handle.write(new Uint8Array(4), 0, 4, 0);
    return new KlgWriter(path, handle, options);
  }

  async write(frame: Frame): Promise<void> {
    if (this.closed) throw new Error(`${this.path}: write after close`);
    const k = this.options.intrinsics;
    const { width, height } = frame;
    if (width !== k.width || height !== k.height) throw new Error(`${this.path}: frame ${frame.index} is ${width}×${height}, writer intrinsics are ${k.width}×${k.height}`);
    const us = BigInt(Math.round(frame.timestamp * 1e6));
    if (us <= this.lastUs) throw new Error(`${this.path}: frame ${frame.index} timestamp ${frame.timestamp} does not increase`);
    if (this.scratch.length !== width * height) this.scratch = new Uint16Array(width * height);
    const mm = metresToScaledU16(frame.depth, KLG_DEPTH_UNITS_PER_METRE, this.scratch);
    const mmBytes = new Uint8Array(mm.buffer, mm.byteOffset, mm.byteLength);
    const depth = this.options.depth === 'raw' ? mmBytes : deflateSync(mmBytes);
    let image: Uint8Array;
    if (this.options.colour === 'raw') image = frame.rgb;
    else {
      const rgba = new Uint8Array(width * height * 4);
      for (let i = 0, j = 0; i < width * height; i++, j += 3) {
        rgba[i * 4] = frame.rgb[j]; rgba[i * 4 + 1] = frame.rgb[j + 1]; rgba[i * 4 + 2] = frame.rgb[j + 2]; rgba[i * 4 + 3] = 255;
      }
      image = jpeg.encode({ data: rgba, width, height }, this.options.jpegQuality ?? 90).data;
    }
    const head = Buffer.alloc(FRAME_HEADER_BYTES);
    head.writeBigInt64LE(us, 0);
    head.writeInt32LE(depth.length, 8);
    head.writeInt32LE(image.length, 12);
    for (const part of [head, depth, image]) {
      await this.handle.write(part, 0, part.length, this.offset);
      this.offset += part.length;
    }
    if (frame.groundTruthPose) this.gtPoses.push({ timestamp: Number(us) / 1e6, T_world_camera: Float64Array.from(frame.groundTruthPose) });
    this.lastUs = us;
    this.count++;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const head = Buffer.alloc(4);
    head.writeInt32LE(this.count, 0);
    await this.handle.write(head, 0, 4, 0);
    await this.handle.close();
    const k = this.options.intrinsics;
    const side = klgSidePaths(this.path);
    await writeFile(side.camera, `${JSON.stringify({ width: k.width, height: k.height, fx: k.fx, fy: k.fy, cx: k.cx, cy: k.cy, depth_scale: KLG_DEPTH_UNITS_PER_METRE }, null, 2)}\n`);
    if (this.gtPoses.length > 0) {
      await writeFile(side.groundTruth, formatTumTrajectory(this.gtPoses, ['ground truth trajectory']));
    }
  }
}
