import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { McapWriter } from '@mcap/core';
import { FileHandleWritable } from '@mcap/nodejs';
import zstd from '@foxglove/wasm-zstd';
import type { MessageWriter } from '@foxglove/rosmsg2-serialization';
import type { Intrinsics } from '../../fusion/camera.js';
import type { Mat4 } from '../../fusion/pose.js';
import { poseToTranslationQuaternion } from '../../fusion/pose.js';
import type { MapSnapshot } from '../../fusion/types.js';
import { encodePngRaster } from '../io/image.js';
import jpeg from 'jpeg-js';
import type { Frame } from './frame.js';
import { DEPTH_GT_TOPIC, LABELS_TOPIC } from './mcap.js';
import type { Ros2Time, Ros2Type } from './ros2Messages.js';
import { ros2SchemaText, ros2Writer, rosTime, timeToNanoseconds } from './ros2Messages.js';
import type { SequenceWriter } from './writers.js';
import { metresToScaledU16 } from './writers.js';

/**
 * ROS 2 bags in MCAP, laid out like a RealSense driver's recording so other tools (Foxglove, rosbag2,
 * our reader) see the usual topics:
 * - `/camera/color/image_raw` sensor_msgs/msg/Image rgb8 (or `.../compressed` CompressedImage JPEG),
 * - `/camera/aligned_depth_to_color/image_raw` Image 16UC1 millimetres or 32FC1 metres
 *   (or `.../compressedDepth` CompressedImage, image_transport's compressedDepth PNG),
 * - `/camera/color/camera_info` CameraInfo with every frame,
 * - ground truth when frames carry it: `/ground_truth/pose` geometry_msgs/msg/PoseStamped and `/tf`
 *   (world → camera_color_optical_frame),
 * - generated extras: `/semslam/labels40` (mono8, 255 void) and `/semslam/depth_gt` (32FC1).
 * Messages are logged at their stamp. Chunks are zstd-compressed unless `compression: 'none'`.
 */
export type McapCompression = 'zstd' | 'none';
export type McapDepthEncoding = '16UC1' | '32FC1';
export type McapImageTransport = 'raw' | 'compressed';

export interface McapSequenceWriterOptions {
  readonly intrinsics: Intrinsics;
  readonly fps?: number;
  readonly generator?: Record<string, unknown>;
  readonly compression?: McapCompression;
  /** 16UC1 (millimetres, what depth cameras publish) or 32FC1 (metres, exact). */
  readonly depthEncoding?: McapDepthEncoding;
  readonly images?: McapImageTransport;
  /** Bytes of messages per chunk before it is compressed and written. */
  readonly chunkSize?: number;
}

export const CAMERA_FRAME = 'camera_color_optical_frame';
export const WORLD_FRAME = 'world';
export const TOPICS = {
  colour: '/camera/color/image_raw',
  depth: '/camera/aligned_depth_to_color/image_raw',
  info: '/camera/color/camera_info',
  groundTruth: '/ground_truth/pose',
  tf: '/tf',
} as const;

/** An MCAP file of ROS 2 messages: schemas and channels registered on first use. */
export class Ros2McapFile {
  private readonly channels = new Map<string, { id: number; writer: MessageWriter }>();
  private readonly schemas = new Map<Ros2Type, number>();
  private readonly sequence = new Map<number, number>();

  private constructor(readonly path: string, private readonly handle: FileHandle, private readonly mcap: McapWriter) {}

  static async create(path: string, options: { compression?: McapCompression; chunkSize?: number } = {}): Promise<Ros2McapFile> {
    const handle = await open(path, 'w');
    if (options.compression !== 'none') await zstd.isLoaded;
    const mcap = new McapWriter({
      writable: new FileHandleWritable(handle),
      ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
      ...(options.compression !== 'none'
        ? { compressChunk: (data: Uint8Array) => ({ compression: 'zstd', compressedData: zstd.compress(data, 3) }) }
        : {}),
    });
    await mcap.start({ profile: 'ros2', library: 'semslam' });
    return new Ros2McapFile(path, handle, mcap);
  }

  async write(topic: string, type: Ros2Type, stamp: Ros2Time, message: unknown): Promise<void> {
    let ch = this.channels.get(topic);
    if (!ch) {
      let schemaId = this.schemas.get(type);
      if (schemaId === undefined) {
        schemaId = await this.mcap.registerSchema({ name: type, encoding: 'ros2msg', data: new TextEncoder().encode(ros2SchemaText(type)) });
        this.schemas.set(type, schemaId);
      }
      const id = await this.mcap.registerChannel({ topic, schemaId, messageEncoding: 'cdr', metadata: new Map() });
      ch = { id, writer: ros2Writer(type) };
      this.channels.set(topic, ch);
    }
    const seq = this.sequence.get(ch.id) ?? 0;
    this.sequence.set(ch.id, seq + 1);
    const t = timeToNanoseconds(stamp);
    await this.mcap.addMessage({ channelId: ch.id, sequence: seq, logTime: t, publishTime: t, data: ch.writer.writeMessage(message) });
  }

  async metadata(name: string, values: Record<string, string>): Promise<void> {
    await this.mcap.addMetadata({ name, metadata: new Map(Object.entries(values)) });
  }

  async close(): Promise<void> {
    try {
      await this.mcap.end();
    } finally {
      await this.handle.close();
    }
  }
}

function header(stamp: Ros2Time, frameId: string) {
  return { stamp, frame_id: frameId };
}

export function cameraInfoMessage(stamp: Ros2Time, k: Intrinsics) {
  return {
    header: header(stamp, CAMERA_FRAME), height: k.height, width: k.width, distortion_model: 'plumb_bob',
    d: [0, 0, 0, 0, 0], k: [k.fx, 0, k.cx, 0, k.fy, k.cy, 0, 0, 1], r: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    p: [k.fx, 0, k.cx, 0, 0, k.fy, k.cy, 0, 0, 0, 1, 0], binning_x: 0, binning_y: 0,
    roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
  };
}

function poseParts(T: Mat4) {
  const [x, y, z, qx, qy, qz, qw] = poseToTranslationQuaternion(T);
  return { position: { x, y, z }, orientation: { x: qx, y: qy, z: qz, w: qw } };
}

export function poseStampedMessage(stamp: Ros2Time, T_world_camera: Mat4, frameId = WORLD_FRAME) {
  return { header: header(stamp, frameId), pose: poseParts(T_world_camera) };
}

export function tfMessage(stamp: Ros2Time, T_parent_child: Mat4, parent: string, child: string) {
  const p = poseParts(T_parent_child);
  return {
    transforms: [{
      header: header(stamp, parent), child_frame_id: child,
      transform: { translation: p.position, rotation: p.orientation },
    }],
  };
}

/** `semslam gen --format mcap` and conversions: frames → a ROS 2 bag. */
export class McapSequenceWriter implements SequenceWriter {
  private count = 0;
  private lastStamp = -Infinity;
  private depthScratch = new Uint16Array(0);
  private closed = false;

  private constructor(readonly path: string, private readonly file: Ros2McapFile, private readonly options: McapSequenceWriterOptions) {}

  static async create(path: string, options: McapSequenceWriterOptions): Promise<McapSequenceWriter> {
    const file = await Ros2McapFile.create(path, options);
    return new McapSequenceWriter(path, file, options);
  }

  async write(frame: Frame): Promise<void> {
    if (this.closed) throw new Error(`${this.path}: write after close`);
    const k = this.options.intrinsics;
    if (frame.width !== k.width || frame.height !== k.height) {
      throw new Error(`${this.path}: frame ${frame.index} is ${frame.width}×${frame.height}, writer intrinsics are ${k.width}×${k.height}`);
    }
    const seconds = Number.isFinite(frame.timestamp) ? frame.timestamp : this.count / (this.options.fps ?? 30);
    // Stamps at whole microseconds, like our folder writers, so every format of a sequence shares them.
    const t = Number(seconds.toFixed(6));
    if (!(t > this.lastStamp)) throw new Error(`${this.path}: frame ${frame.index} stamp ${t} does not increase (previous ${this.lastStamp})`);
    const stamp = rosTime(t);
    const { width, height } = frame;
    const f = this.file;
    const compressed = this.options.images === 'compressed';
    if (compressed) {
      const rgba = new Uint8Array(width * height * 4);
      for (let i = 0, j = 0; i < width * height; i++, j += 3) {
        rgba[i * 4] = frame.rgb[j]; rgba[i * 4 + 1] = frame.rgb[j + 1]; rgba[i * 4 + 2] = frame.rgb[j + 2]; rgba[i * 4 + 3] = 255;
      }
      const jpg = jpeg.encode({ data: rgba, width, height }, 95).data;
      await f.write(`${TOPICS.colour}/compressed`, 'sensor_msgs/msg/CompressedImage', stamp, { header: header(stamp, CAMERA_FRAME), format: 'rgb8; jpeg compressed bgr8', data: jpg });
    } else {
      await f.write(TOPICS.colour, 'sensor_msgs/msg/Image', stamp, { header: header(stamp, CAMERA_FRAME), height, width, encoding: 'rgb8', is_bigendian: 0, step: width * 3, data: frame.rgb });
    }
    await this.writeDepth(compressed, stamp, frame);
    await f.write(TOPICS.info, 'sensor_msgs/msg/CameraInfo', stamp, cameraInfoMessage(stamp, k));
    if (frame.groundTruthPose) {
      await f.write(TOPICS.groundTruth, 'geometry_msgs/msg/PoseStamped', stamp, poseStampedMessage(stamp, frame.groundTruthPose));
      await f.write(TOPICS.tf, 'tf2_msgs/msg/TFMessage', stamp, tfMessage(stamp, frame.groundTruthPose, WORLD_FRAME, CAMERA_FRAME));
    }
    if (frame.labels40) {
      await f.write(LABELS_TOPIC, 'sensor_msgs/msg/Image', stamp, { header: header(stamp, CAMERA_FRAME), height, width, encoding: 'mono8', is_bigendian: 0, step: width, data: frame.labels40 });
    }
    if (frame.depthGroundTruth) {
      const d = frame.depthGroundTruth;
      await f.write(DEPTH_GT_TOPIC, 'sensor_msgs/msg/Image', stamp, { header: header(stamp, CAMERA_FRAME), height, width, encoding: '32FC1', is_bigendian: 0, step: width * 4, data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) });
    }
    this.lastStamp = t;
    this.count++;
  }

  private async writeDepth(compressed: boolean, stamp: Ros2Time, frame: Frame): Promise<void> {
    const { width, height } = frame;
    const depthHeader = header(stamp, CAMERA_FRAME);
    if (this.depthScratch.length !== width * height) this.depthScratch = new Uint16Array(width * height);
    if (compressed) {
      const mm = metresToScaledU16(frame.depth, 1000, this.depthScratch);
      const png = encodePngRaster({ width, height, channels: 1, data: mm });
      // image_transport's compressedDepth: a 12-byte config header (format 0 = PNG, unused quantisation) then the PNG.
      const data = new Uint8Array(12 + png.length);
      data.set(png, 12);
      await this.file.write(`${TOPICS.depth}/compressedDepth`, 'sensor_msgs/msg/CompressedImage', stamp, { header: depthHeader, format: '16UC1; compressedDepth png', data });
      return;
    }
    if (this.options.depthEncoding === '32FC1') {
      const d = frame.depth;
      await this.file.write(TOPICS.depth, 'sensor_msgs/msg/Image', stamp, { header: depthHeader, height, width, encoding: '32FC1', is_bigendian: 0, step: width * 4, data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) });
      return;
    }
    const mm = metresToScaledU16(frame.depth, 1000, this.depthScratch);
    await this.file.write(TOPICS.depth, 'sensor_msgs/msg/Image', stamp, { header: depthHeader, height, width, encoding: '16UC1', is_bigendian: 0, step: width * 2, data: new Uint8Array(mm.buffer, mm.byteOffset, mm.byteLength) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const meta: Record<string, string> = { frames: String(this.count), intrinsics: JSON.stringify(this.options.intrinsics) };
    if (this.options.fps !== undefined) meta.fps = String(this.options.fps);
    if (this.options.generator) meta.generator = JSON.stringify(this.options.generator);
    await this.file.metadata('semslam', meta);
    await this.file.close();
  }
}

/** PointCloud2 field datatypes (sensor_msgs/msg/PointField). */
const FLOAT32 = 7, UINT8 = 2;

/**
 * The fused map as sensor_msgs/msg/PointCloud2: x y z (float32), rgb (float32 holding packed 0x00RRGGBB,
 * PCL's convention, which Foxglove colours by), label (uint8, the fused 13-class id, 0 unlabelled, then 3
 * bytes of padding), label_prob and confidence (float32). 28 bytes a point.
 */
export function pointCloudMessage(stamp: Ros2Time, map: PointCloudSource, frameId = WORLD_FRAME) {
  const pointStep = 28;
  const n = map.count;
  const data = new Uint8Array(n * pointStep);
  const view = new DataView(data.buffer);
  for (let i = 0; i < n; i++) {
    const o = i * pointStep;
    view.setFloat32(o, map.positions[i * 3], true);
    view.setFloat32(o + 4, map.positions[i * 3 + 1], true);
    view.setFloat32(o + 8, map.positions[i * 3 + 2], true);
    // Little-endian 0x00RRGGBB: blue in the lowest byte.
    data[o + 12] = map.colors[i * 3 + 2];
    data[o + 13] = map.colors[i * 3 + 1];
    data[o + 14] = map.colors[i * 3];
    data[o + 16] = map.labels[i];
    view.setFloat32(o + 20, map.labelProb[i], true);
    view.setFloat32(o + 24, map.confidence[i], true);
  }
  return {
    header: header(stamp, frameId), height: 1, width: n,
    fields: [
      { name: 'x', offset: 0, datatype: FLOAT32, count: 1 },
      { name: 'y', offset: 4, datatype: FLOAT32, count: 1 },
      { name: 'z', offset: 8, datatype: FLOAT32, count: 1 },
      { name: 'rgb', offset: 12, datatype: FLOAT32, count: 1 },
      { name: 'label', offset: 16, datatype: UINT8, count: 1 },
      { name: 'label_prob', offset: 20, datatype: FLOAT32, count: 1 },
      { name: 'confidence', offset: 24, datatype: FLOAT32, count: 1 },
    ],
    is_bigendian: false, point_step: pointStep, row_step: n * pointStep, data, is_dense: true,
  };
}

/** What `semslam map --out-mcap` writes: the estimated trajectory (and ground truth) and the labelled map. */
export interface MapMcapContent {
  readonly timestamps: readonly number[];
  readonly trajectory: readonly Mat4[];
  /** A live fusion snapshot or a stored session's map: only what a PointCloud2 carries is read. */
  readonly map: PointCloudSource;
}

/** The parts of a map that pointCloudMessage writes (fusion's MapSnapshot and the store's StoredMap both have them). */
export type PointCloudSource = Pick<MapSnapshot, 'count' | 'positions' | 'colors' | 'labels' | 'labelProb' | 'confidence'>;

export const MAP_TOPICS = {
  pose: '/semslam/pose',
  path: '/semslam/path',
  map: '/semslam/map',
  tf: '/tf',
} as const;

/**
 * A bag Foxglove shows beside the input: `/semslam/pose` (PoseStamped per frame), `/tf` world →
 * `semslam_camera`, `/semslam/path` (nav_msgs/msg/Path, the whole trajectory at the last stamp) and
 * `/semslam/map` (PointCloud2 with a label field) at the last stamp.
 */
export async function writeMapMcap(
  path: string, content: MapMcapContent, options: { compression?: McapCompression; session?: Record<string, string> } = {},
): Promise<{ path: string; poses: number; points: number }> {
  const file = await Ros2McapFile.create(path, options);
  try {
    // A stored session's name, source and camera, for whoever opens the bag later.
    if (options.session) await file.metadata('semslam.session', options.session);
    const stamps = content.timestamps.map((t) => rosTime(Number(t.toFixed(9))));
    for (let i = 0; i < content.trajectory.length; i++) {
      await file.write(MAP_TOPICS.pose, 'geometry_msgs/msg/PoseStamped', stamps[i], poseStampedMessage(stamps[i], content.trajectory[i]));
      await file.write(MAP_TOPICS.tf, 'tf2_msgs/msg/TFMessage', stamps[i], tfMessage(stamps[i], content.trajectory[i], WORLD_FRAME, 'semslam_camera'));
    }
    const end = stamps[stamps.length - 1] ?? rosTime(0);
    await file.write(MAP_TOPICS.path, 'nav_msgs/msg/Path', end, {
      header: header(end, WORLD_FRAME), poses: content.trajectory.map((T, i) => poseStampedMessage(stamps[i], T)),
    });
    await file.write(MAP_TOPICS.map, 'sensor_msgs/msg/PointCloud2', end, pointCloudMessage(end, content.map));
  } finally {
    await file.close();
  }
  return { path, poses: content.trajectory.length, points: content.map.count };
}
