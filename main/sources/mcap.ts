import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { McapIndexedReader, McapTypes } from '@mcap/core';
import type { MessageReader } from '@foxglove/rosmsg2-serialization';
import type { Intrinsics } from '../../fusion/camera.js';
import { poseFromTranslationQuaternion } from '../../fusion/pose.js';
import { InputError } from '../errors.js';
import type { CameraSpec } from './cameraSpec.js';
import { specIntrinsics } from './cameraSpec.js';
import type { Frame, SequenceInfo, StreamInfo } from './frame.js';
import { IndexedSequenceReader } from './indexedReader.js';
import type { OpenedMcap } from './mcapFile.js';
import { openMcap } from './mcapFile.js';
import type { RosImageKind, RosImageMessage } from './rosImage.js';
import { classifyRosImage, decodeRosColour, decodeRosDepth, rosImageSize } from './rosImage.js';
import type { Ros2CameraInfo, Ros2CompressedImage, Ros2Image, Ros2PoseStamped, Ros2TfMessage } from './ros2Messages.js';
import { ros2Reader, stampSeconds } from './ros2Messages.js';
import { associate } from './tum.js';
import type { StampedPose } from './trajectoryText.js';
import { DEFAULT_GROUND_TRUTH_LOOKUP, groundTruthAt } from './trajectoryText.js';
import { closeOnFailure } from '../io/files.js';
import type { ExtrasWanted } from './extras.js';
import { ALL_EXTRAS } from './extras.js';

/**
 * ROS 2 bags in MCAP (rosbag2's default storage): colour and depth images, the colour camera's
 * CameraInfo, and ground-truth poses (PoseStamped, or TF to the colour frame) when present. Topics are
 * chosen automatically when the choice is clear, by options otherwise. Opening reads every message of the
 * chosen topics once (header stamps are inside the CDR payload), associates colour and depth by stamp
 * like TUM's associate.py, and keeps each frame's message positions; read(i) then fetches just those
 * messages through the MCAP index.
 *
 * Our own bags (McapSequenceWriter) add `/semslam/labels40` (mono8, 255 void) and `/semslam/depth_gt`
 * (32FC1) with the depth frame's stamp, so generated sequences keep their labels and exact depth.
 */
export interface McapReaderOptions {
  readonly rgbTopic?: string;
  readonly depthTopic?: string;
  readonly infoTopic?: string;
  /** geometry_msgs/PoseStamped or tf2_msgs/TFMessage topic of the camera's ground-truth pose. */
  readonly poseTopic?: string;
  /** Largest |t_rgb − t_depth| of an associated pair (s). */
  readonly maxAssociationS: number;
  readonly camera?: CameraSpec;
  /** Which of our writer's extra topics (labels, exact depth) to read. */
  readonly extras?: ExtrasWanted;
}

export const DEFAULT_MCAP_READER_OPTIONS: McapReaderOptions = { maxAssociationS: 0.02 };

export const LABELS_TOPIC = '/semslam/labels40';
export const DEPTH_GT_TOPIC = '/semslam/depth_gt';
/** ROS convention for integer depth images: millimetres. */
export const ROS_DEPTH_UNITS_PER_METRE = 1000;

const TYPE = {
  image: 'sensor_msgs/Image',
  compressed: 'sensor_msgs/CompressedImage',
  info: 'sensor_msgs/CameraInfo',
  pose: 'geometry_msgs/PoseStamped',
  tf: 'tf2_msgs/TFMessage',
} as const;

/** One message's place in the bag: enough for the indexed reader to fetch it again. */
interface MessageRef { readonly channelId: number; readonly logTime: bigint; readonly dup: number }

interface Stamped { readonly timestamp: number; readonly ref: MessageRef }

interface TopicInfo {
  readonly channel: McapTypes.Channel;
  readonly type: string;
  readonly count: number;
}

function normaliseType(name: string): string {
  return name.replace('/msg/', '/');
}

interface ChosenTopics {
  rgb: TopicInfo;
  rgbKind: 'image' | 'compressed';
  /** header.frame_id of the colour images: the TF child frame of the camera pose. */
  rgbFrameId: string;
  depth?: TopicInfo;
  depthKind?: 'image' | 'compressed';
  info?: TopicInfo;
  pose?: TopicInfo;
}

export class McapSequenceReader extends IndexedSequenceReader {
  private readonly decoders = new Map<number, MessageReader>();
  private readonly depthUnits: number;

  private constructor(
    readonly info: SequenceInfo,
    private readonly file: OpenedMcap,
    private readonly topics: ChosenTopics,
    private readonly frameRefs: readonly { rgb: MessageRef; depth?: MessageRef; labels?: MessageRef; depthGt?: MessageRef; timestamp: number }[],
    private readonly poses: readonly (Float64Array | undefined)[],
    depthUnits: number,
    private readonly extras: ExtrasWanted,
  ) {
    super();
    this.depthUnits = depthUnits;
  }

  /** Opens a `.mcap` file, or a rosbag2 folder (metadata.yaml + one .mcap). */
  static async open(path: string, options: Partial<McapReaderOptions> = {}): Promise<McapSequenceReader> {
    const o = { ...DEFAULT_MCAP_READER_OPTIONS, ...options };
    return closeOnFailure(await openMcap(await resolveBagFile(path)), (file) => McapSequenceReader.index(file, o, path));
  }

  private static async index(file: OpenedMcap, o: McapReaderOptions, displayPath: string): Promise<McapSequenceReader> {
    const r = file.reader;
    const where = displayPath;
    const topics = listTopics(r, where);
    const warnings: string[] = [];
    const chosen = await chooseTopics(r, topics, o, where);
    const decoders = new Map<number, MessageReader>();
    const decoder = (channelId: number) => decoderFor(r, decoders, channelId, where);

    // One pass over the chosen topics: stamps of every image, the first CameraInfo, every pose.
    const wanted = [chosen.rgb, chosen.depth, chosen.info, chosen.pose].filter((t): t is TopicInfo => t !== undefined);
    const extraTopics = topics.filter((t) => t.channel.topic === LABELS_TOPIC || t.channel.topic === DEPTH_GT_TOPIC);
    const rgb: Stamped[] = [], depth: Stamped[] = [], labels = new Map<number, MessageRef>(), depthGt = new Map<number, MessageRef>();
    const trajectory: StampedPose[] = [];
    let cameraInfo: Ros2CameraInfo | undefined;
    const dupCount = new Map<string, number>();
    const first = new Map<number, number>(), last = new Map<number, number>();
    try {
      for await (const m of r.readMessages({ topics: [...wanted, ...extraTopics].map((t) => t.channel.topic) })) {
        const key = `${m.channelId}:${m.logTime}`;
        const dup = dupCount.get(key) ?? 0;
        dupCount.set(key, dup + 1);
        const ref: MessageRef = { channelId: m.channelId, logTime: m.logTime, dup };
        const topic = r.channelsById.get(m.channelId)!.topic;
        let msg: unknown;
        try {
          msg = decoder(m.channelId).readMessage(m.data);
        } catch (e) {
          throw new InputError(where, `topic ${topic}: message at log time ${formatNs(m.logTime)} does not decode as its schema (${(e as Error).message})`);
        }
        if (m.channelId === chosen.rgb.channel.id || m.channelId === chosen.depth?.channel.id || topic === LABELS_TOPIC || topic === DEPTH_GT_TOPIC) {
          const t = stampSeconds((msg as Ros2Image).header.stamp);
          if (!Number.isFinite(first.get(m.channelId))) first.set(m.channelId, t);
          last.set(m.channelId, t);
          if (m.channelId === chosen.rgb.channel.id) rgb.push({ timestamp: t, ref });
          else if (m.channelId === chosen.depth?.channel.id) depth.push({ timestamp: t, ref });
          else if (topic === LABELS_TOPIC) labels.set(t, ref);
          else depthGt.set(t, ref);
        } else if (m.channelId === chosen.info?.channel.id) {
          cameraInfo ??= msg as Ros2CameraInfo;
        } else if (m.channelId === chosen.pose?.channel.id) {
          collectPoses(msg, chosen.pose.type, chosen.rgbFrameId, trajectory);
        }
      }
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(where, `cannot read messages: ${(e as Error).message}`);
    }
    if (rgb.length === 0) throw new InputError(where, `colour topic ${chosen.rgb.channel.topic} has no messages`);
    if (chosen.depth && depth.length === 0) throw new InputError(where, `depth topic ${chosen.depth.channel.topic} has no messages`);
    rgb.sort((a, b) => a.timestamp - b.timestamp);
    depth.sort((a, b) => a.timestamp - b.timestamp);
    trajectory.sort((a, b) => a.timestamp - b.timestamp);

    // Frame size from the first colour image; depth must match (registered to colour).
    const firstRgb = await fetchOne(r, chosen.rgb, rgb[0].ref, decoder, where);
    const { width, height } = rosImageSize(`${where}: ${chosen.rgb.channel.topic}`, firstRgb);
    if (chosen.depth) {
      const firstDepth = await fetchOne(r, chosen.depth, depth[0].ref, decoder, where);
      const ds = rosImageSize(`${where}: ${chosen.depth.channel.topic}`, firstDepth);
      if (ds.width !== width || ds.height !== height) {
        throw new InputError(where, `depth topic ${chosen.depth.channel.topic} is ${ds.width}×${ds.height} but colour ${chosen.rgb.channel.topic} is ${width}×${height}: `
          + 'depth must be registered to colour (record e.g. /camera/aligned_depth_to_color/image_raw), or pick topics with --rgb-topic/--depth-topic');
      }
    }

    let frameRefs: { rgb: MessageRef; depth?: MessageRef; timestamp: number }[];
    if (chosen.depth) {
      const asList = (s: Stamped[]) => s.map((e, i) => ({ timestamp: e.timestamp, path: '', lineNo: i }));
      const { pairs, unmatched } = associate(asList(rgb), asList(depth), o.maxAssociationS);
      if (pairs.length === 0) {
        throw new InputError(where, `no colour image on ${chosen.rgb.channel.topic} has a depth image on ${chosen.depth.channel.topic} within ${o.maxAssociationS} s of its stamp`);
      }
      if (unmatched.length > 0) warnings.push(`${where}: ${unmatched.length} of ${rgb.length} colour images have no depth image within ${o.maxAssociationS} s; skipped`);
      frameRefs = pairs.map((p) => ({ rgb: rgb[p.rgb.lineNo].ref, depth: depth[p.depth.lineNo].ref, timestamp: p.depth.timestamp }));
    } else {
      warnings.push(`${where}: no depth topic: the sequence is colour only; map it in rgb mode (the network's depth)`);
      frameRefs = rgb.map((e) => ({ rgb: e.ref, timestamp: e.timestamp }));
    }
    const withExtras = frameRefs.map((f) => ({ ...f, labels: labels.get(f.timestamp), depthGt: depthGt.get(f.timestamp) }));
    const hasLabels = labels.size > 0 && withExtras.every((f) => f.labels !== undefined);
    const hasDepthGt = depthGt.size > 0 && withExtras.every((f) => f.depthGt !== undefined);
    const frames = withExtras.map((f) => ({ ...f, labels: hasLabels ? f.labels : undefined, depthGt: hasDepthGt ? f.depthGt : undefined }));

    const intrinsics = chooseIntrinsics(o.camera, cameraInfo, chosen, width, height, warnings, where);
    const depthUnits = o.camera?.depthUnitsPerMetre ?? ROS_DEPTH_UNITS_PER_METRE;
    const poses = frames.map((f) => groundTruthAt(trajectory, f.timestamp, DEFAULT_GROUND_TRUTH_LOOKUP));
    const withPose = poses.filter((p) => p !== undefined).length;
    if (chosen.pose && trajectory.length === 0 && chosen.pose.type === TYPE.tf) warnings.push(`${where}: ${chosen.pose.channel.topic} has no transform to the colour frame "${chosen.rgbFrameId}"`);
    if (trajectory.length > 0 && withPose < frames.length) warnings.push(`${where}: ${frames.length - withPose} of ${frames.length} frames have no pose on ${chosen.pose!.channel.topic} near their stamp`);

    const streams: StreamInfo[] = topics.map((t) => {
      const role = t === chosen.rgb ? 'colour' : t === chosen.depth ? 'depth' : t === chosen.info ? 'camera info' : t === chosen.pose ? 'ground truth' : undefined;
      const f = first.get(t.channel.id), l = last.get(t.channel.id);
      return {
        name: t.channel.topic, type: t.type.replace(/^(\w+)\/(\w+)$/, '$1/msg/$2'), count: t.count,
        rateHz: f !== undefined && l !== undefined && l > f ? (t.count - 1) / (l - f) : approximateRate(r, t),
        ...(role ? { role } : {}),
      };
    });
    const info: SequenceInfo = {
      format: 'mcap', path: displayPath, frames: frames.length, width, height, intrinsics,
      hasGroundTruth: withPose > 0, hasLabels, hasDepth: chosen.depth !== undefined, warnings, streams,
    };
    const reader = new McapSequenceReader(info, file, chosen, frames, poses, depthUnits, o.extras ?? ALL_EXTRAS);
    for (const [k, v] of decoders) reader.decoders.set(k, v);
    return reader;
  }

  async read(i: number): Promise<Frame> {
    this.checkIndex(i);
    const { width, height } = this.info;
    const f = this.frameRefs[i];
    const labelsRef = this.extras.labels ? f.labels : undefined, depthGtRef = this.extras.depthGroundTruth ? f.depthGt : undefined;
    const refs = [f.rgb, f.depth, labelsRef, depthGtRef].filter((x): x is MessageRef => x !== undefined);
    const messages = await fetchRefs(this.file.reader, refs, this.info.path);
    const decode = (ref: MessageRef) => decoderFor(this.file.reader, this.decoders, ref.channelId, this.info.path).readMessage(messages.get(refKey(ref))!);
    const where = (ref: MessageRef) => `${this.info.path}: ${this.file.reader.channelsById.get(ref.channelId)!.topic} frame ${i} (stamp ${f.timestamp.toFixed(6)})`;

    // Colour and depth decode together: on the main thread compressed images decode on libuv's pool
    // (nativeDecode.ts), so a JPEG and a PNG take about as long as the slower of the two, not their sum.
    const depth = new Float32Array(width * height);
    const [rgb] = await Promise.all([
      decodeRosColour(where(f.rgb), asImageMessage(this.topics.rgbKind, decode(f.rgb)), width, height),
      f.depth ? decodeRosDepth(where(f.depth), asImageMessage(this.topics.depthKind!, decode(f.depth)), width, height, this.depthUnits, depth) : undefined,
    ]);
    const frame: { -readonly [K in keyof Frame]: Frame[K] } = { index: i, timestamp: f.timestamp, width, height, rgb, depth, intrinsics: this.info.intrinsics };
    const pose = this.poses[i];
    if (pose) frame.groundTruthPose = pose;
    if (labelsRef) {
      const labels = new Uint8Array(width * height);
      const im = decode(labelsRef) as Ros2Image;
      if (im.width !== width || im.height !== height || im.encoding !== 'mono8') throw new InputError(where(labelsRef), `expected a ${width}×${height} mono8 label image, found ${im.width}×${im.height} ${im.encoding}`);
      labels.set(im.data.subarray(0, width * height));
      frame.labels40 = labels;
    }
    if (depthGtRef) {
      frame.depthGroundTruth = await decodeRosDepth(where(depthGtRef), { type: 'image', image: decode(depthGtRef) as Ros2Image }, width, height, 1, new Float32Array(width * height));
    }
    return frame;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** A rosbag2 folder holds metadata.yaml and the .mcap file(s); a path to a .mcap is used as it is. */
async function resolveBagFile(path: string): Promise<string> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return path;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError(path, 'not found');
    throw e;
  }
  const mcaps = names.filter((n) => n.toLowerCase().endsWith('.mcap')).sort();
  if (mcaps.length === 0) throw new InputError(path, 'rosbag2 folder without a .mcap file (only MCAP storage is supported; sqlite3 bags: `ros2 bag convert` them)');
  if (mcaps.length > 1) throw new InputError(path, `bag split into ${mcaps.length} files (${mcaps.join(', ')}); open one file, or merge them with \`mcap merge\``);
  return join(path, mcaps[0]);
}

function listTopics(r: McapIndexedReader, where: string): TopicInfo[] {
  const counts = r.statistics?.channelMessageCounts;
  const out: TopicInfo[] = [];
  for (const channel of r.channelsById.values()) {
    const schema = r.schemasById.get(channel.schemaId);
    out.push({ channel, type: normaliseType(schema?.name ?? '(no schema)'), count: Number(counts?.get(channel.id) ?? 0n) });
  }
  if (out.length === 0) throw new InputError(where, 'the bag has no topics');
  return out.sort((a, b) => a.channel.topic.localeCompare(b.channel.topic));
}

/** Messages per second from the chunk index's time span of a channel (topics we did not read). */
function approximateRate(r: McapIndexedReader, t: TopicInfo): number | null {
  let lo = Infinity, hi = -Infinity;
  for (const c of r.chunkIndexes) {
    if (!c.messageIndexOffsets.has(t.channel.id)) continue;
    lo = Math.min(lo, Number(c.messageStartTime));
    hi = Math.max(hi, Number(c.messageEndTime));
  }
  return t.count > 1 && hi > lo ? (t.count - 1) / ((hi - lo) * 1e-9) : null;
}

function decoderFor(r: McapIndexedReader, decoders: Map<number, MessageReader>, channelId: number, where: string): MessageReader {
  let d = decoders.get(channelId);
  if (d) return d;
  const channel = r.channelsById.get(channelId)!;
  const schema = r.schemasById.get(channel.schemaId);
  if (channel.messageEncoding !== 'cdr') throw new InputError(where, `topic ${channel.topic}: message encoding "${channel.messageEncoding}" is not supported (ROS 2 CDR only)`);
  if (!schema || schema.encoding !== 'ros2msg') throw new InputError(where, `topic ${channel.topic}: schema encoding "${schema?.encoding ?? 'none'}" is not supported (ros2msg only)`);
  try {
    d = ros2Reader(new TextDecoder().decode(schema.data));
  } catch (e) {
    throw new InputError(where, `topic ${channel.topic}: schema ${schema.name} does not parse (${(e as Error).message})`);
  }
  decoders.set(channelId, d);
  return d;
}

function asImageMessage(kind: 'image' | 'compressed', msg: unknown): RosImageMessage {
  return kind === 'image' ? { type: 'image', image: msg as Ros2Image } : { type: 'compressed', compressed: msg as Ros2CompressedImage };
}

async function firstMessage(r: McapIndexedReader, t: TopicInfo, decoder: (id: number) => MessageReader, where: string): Promise<RosImageMessage | undefined> {
  for await (const m of r.readMessages({ topics: [t.channel.topic] })) {
    try {
      return asImageMessage(t.type === TYPE.image ? 'image' : 'compressed', decoder(m.channelId).readMessage(m.data));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(where, `topic ${t.channel.topic}: message does not decode as ${t.type} (${(e as Error).message})`);
    }
  }
  return undefined;
}

async function chooseTopics(r: McapIndexedReader, topics: TopicInfo[], o: McapReaderOptions, where: string): Promise<ChosenTopics> {
  const decoders = new Map<number, MessageReader>();
  const decoder = (id: number) => decoderFor(r, decoders, id, where);
  const list = topics.map((t) => `${t.channel.topic} (${t.type})`).join(', ');
  const byName = (flag: string, name: string, types: readonly string[]): TopicInfo => {
    const t = topics.find((x) => x.channel.topic === name);
    if (!t) throw new InputError(where, `${flag} ${name}: no such topic; the bag has ${list}`);
    if (!types.includes(t.type)) throw new InputError(where, `${flag} ${name}: type ${t.type}, expected ${types.join(' or ')}`);
    return t;
  };
  const images = topics.filter((t) => (t.type === TYPE.image || t.type === TYPE.compressed) && t.channel.topic !== LABELS_TOPIC && t.channel.topic !== DEPTH_GT_TOPIC);
  if (images.length === 0 && !o.rgbTopic) throw new InputError(where, `no image topics (sensor_msgs/msg/Image or CompressedImage); the bag has ${list}`);
  const kinds = new Map<TopicInfo, { kind: RosImageKind | undefined; frameId?: string }>();
  for (const t of images) {
    const m = await firstMessage(r, t, decoder, where);
    if (!m) { kinds.set(t, { kind: undefined }); continue; }
    const kind = classifyRosImage(t.channel.topic, m);
    kinds.set(t, { kind, frameId: (m.image ?? m.compressed)!.header.frame_id.replace(/^\//, '') });
  }
  const pick = (kind: RosImageKind, flag: string, given: string | undefined): TopicInfo | undefined => {
    if (given !== undefined) {
      const t = byName(flag, given, [TYPE.image, TYPE.compressed]);
      const k = kinds.get(t)?.kind;
      if (k !== kind) throw new InputError(where, `${flag} ${given}: its images are ${k === undefined ? 'of an unknown encoding' : k}, not ${kind}`);
      return t;
    }
    let c = images.filter((t) => kinds.get(t)?.kind === kind);
    // A driver often records both raw and compressed versions of one stream: take the raw one.
    c = c.filter((t) => !c.some((u) => u !== t && t.channel.topic.startsWith(`${u.channel.topic}/`)));
    if (kind === 'depth' && c.length > 1) {
      const aligned = c.filter((t) => /aligned|registered/i.test(t.channel.topic));
      if (aligned.length === 1) c = aligned;
    }
    if (c.length > 1) throw new InputError(where, `several ${kind} topics (${c.map((t) => t.channel.topic).join(', ')}); choose one with ${flag}`);
    return c[0];
  };
  const rgb = pick('colour', '--rgb-topic', o.rgbTopic);
  if (!rgb) {
    const unknown = images.filter((t) => kinds.get(t)?.kind === undefined).map((t) => t.channel.topic);
    throw new InputError(where, `no colour image topic among ${images.map((t) => t.channel.topic).join(', ')}`
      + (unknown.length ? ` (unknown encoding or empty: ${unknown.join(', ')})` : ''));
  }
  const depth = pick('depth', '--depth-topic', o.depthTopic);
  const infos = topics.filter((t) => t.type === TYPE.info);
  let info: TopicInfo | undefined;
  if (o.infoTopic !== undefined) info = byName('--info-topic', o.infoTopic, [TYPE.info]);
  else {
    const ns = dirname(rgb.channel.topic);
    info = infos.find((t) => dirname(t.channel.topic) === ns) ?? (infos.length === 1 ? infos[0] : undefined);
  }
  let pose: TopicInfo | undefined;
  if (o.poseTopic !== undefined) pose = byName('--pose-topic', o.poseTopic, [TYPE.pose, TYPE.tf]);
  else {
    const stamped = topics.filter((t) => t.type === TYPE.pose);
    const gt = stamped.filter((t) => /ground_?truth|\bgt\b|mocap|vicon/i.test(t.channel.topic));
    pose = gt.length === 1 ? gt[0] : stamped.length === 1 ? stamped[0] : undefined;
  }
  return {
    rgb, rgbKind: rgb.type === TYPE.image ? 'image' : 'compressed', rgbFrameId: kinds.get(rgb)?.frameId ?? '',
    ...(depth ? { depth, depthKind: depth.type === TYPE.image ? 'image' as const : 'compressed' as const } : {}),
    ...(info ? { info } : {}), ...(pose ? { pose } : {}),
  };
}

function collectPoses(msg: unknown, type: string, cameraFrame: string, out: StampedPose[]): void {
  if (type === TYPE.pose) {
    const p = msg as Ros2PoseStamped;
    const { position: t, orientation: q } = p.pose;
    out.push({ timestamp: stampSeconds(p.header.stamp), T_world_camera: poseFromTranslationQuaternion(t.x, t.y, t.z, q.x, q.y, q.z, q.w) });
    return;
  }
  // TF: the transforms to the colour images' frame (their parent taken as the world).
  for (const tf of (msg as Ros2TfMessage).transforms) {
    if (tf.child_frame_id.replace(/^\//, '') !== cameraFrame) continue;
    const { translation: t, rotation: q } = tf.transform;
    out.push({ timestamp: stampSeconds(tf.header.stamp), T_world_camera: poseFromTranslationQuaternion(t.x, t.y, t.z, q.x, q.y, q.z, q.w) });
  }
}

function chooseIntrinsics(spec: CameraSpec | undefined, ci: Ros2CameraInfo | undefined, chosen: ChosenTopics, width: number, height: number, warnings: string[], where: string): Intrinsics {
  const fromSpec = specIntrinsics(spec, width, height, warnings);
  if (fromSpec) {
    if (ci) warnings.push(`${where}: intrinsics from ${spec!.source} replace those of ${chosen.info!.channel.topic}`);
    return fromSpec;
  }
  if (ci) {
    const k = Array.from(ci.k);
    if (k.length !== 9 || !(k[0] > 0 && k[4] > 0)) throw new InputError(where, `topic ${chosen.info!.channel.topic}: camera matrix k is not set (${JSON.stringify(k)}); give --intrinsics fx,fy,cx,cy or --camera FILE`);
    if (Array.from(ci.d).some((v) => v !== 0)) warnings.push(`${where}: ${chosen.info!.channel.topic} lists lens distortion (${ci.distortion_model}); images are used as they are (pinhole model)`);
    const intr: Intrinsics = { width: ci.width, height: ci.height, fx: k[0], fy: k[4], cx: k[2], cy: k[5] };
    if (ci.width === width && ci.height === height) return intr;
    if (ci.width === 0 || ci.height === 0) return { ...intr, width, height };
    throw new InputError(where, `topic ${chosen.info!.channel.topic}: calibrated for ${ci.width}×${ci.height} but ${chosen.rgb.channel.topic} is ${width}×${height}; give --info-topic or --intrinsics`);
  }
  // No calibration anywhere: a Kinect-like 58° horizontal field of view, centred, and say so.
  const f = 525 * (width / 640);
  warnings.push(`${where}: no sensor_msgs/msg/CameraInfo topic for ${chosen.rgb.channel.topic}; assumed fx = fy = ${f.toFixed(1)}, centred principal point (give --intrinsics or --camera)`);
  return { width, height, fx: f, fy: f, cx: (width - 1) / 2, cy: (height - 1) / 2 };
}

function refKey(ref: MessageRef): string {
  return `${ref.channelId}:${ref.logTime}:${ref.dup}`;
}

/** Fetches the payloads of the given messages in one time-bounded pass of the indexed reader. */
async function fetchRefs(r: McapIndexedReader, refs: readonly MessageRef[], where: string): Promise<Map<string, Uint8Array>> {
  let lo = refs[0].logTime, hi = refs[0].logTime;
  for (const ref of refs) {
    if (ref.logTime < lo) lo = ref.logTime;
    if (ref.logTime > hi) hi = ref.logTime;
  }
  const topics = [...new Set(refs.map((ref) => r.channelsById.get(ref.channelId)!.topic))];
  const wanted = new Set(refs.map(refKey));
  const out = new Map<string, Uint8Array>();
  const seen = new Map<string, number>();
  try {
    // CRCs were checked when the bag was indexed at open.
    for await (const m of r.readMessages({ topics, startTime: lo, endTime: hi, validateCrcs: false })) {
      const base = `${m.channelId}:${m.logTime}`;
      const dup = seen.get(base) ?? 0;
      seen.set(base, dup + 1);
      const key = `${base}:${dup}`;
      if (wanted.has(key)) out.set(key, m.data);
      if (out.size === wanted.size) break;
    }
  } catch (e) {
    throw new InputError(where, `cannot read messages at ${formatNs(lo)}: ${(e as Error).message}`);
  }
  for (const ref of refs) {
    if (!out.has(refKey(ref))) throw new InputError(where, `topic ${r.channelsById.get(ref.channelId)!.topic}: message at ${formatNs(ref.logTime)} disappeared from the index`);
  }
  return out;
}

async function fetchOne(r: McapIndexedReader, t: TopicInfo, ref: MessageRef, decoder: (id: number) => MessageReader, where: string): Promise<RosImageMessage> {
  const data = (await fetchRefs(r, [ref], where)).get(refKey(ref))!;
  return asImageMessage(t.type === TYPE.image ? 'image' : 'compressed', decoder(ref.channelId).readMessage(data));
}

function formatNs(t: bigint): string {
  return `${(Number(t) * 1e-9).toFixed(6)} s`;
}
