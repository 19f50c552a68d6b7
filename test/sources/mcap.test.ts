import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, mkdtemp, readFile, rm, truncate, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { McapWriter } from '@mcap/core';
import { FileHandleWritable } from '@mcap/nodejs';
import zstd from '@foxglove/wasm-zstd';
import lz4 from 'lz4js';
import type { Intrinsics } from '../../fusion/camera.js';
import { poseFromTranslationQuaternion } from '../../fusion/pose.js';
import type { Frame } from '../../main/sources/frame.js';
import { McapSequenceReader } from '../../main/sources/mcap.js';
import { McapSequenceWriter, writeMapMcap } from '../../main/sources/mcapWriter.js';
import { openSequence } from '../../main/sources/open.js';
import type { Ros2Type } from '../../main/sources/ros2Messages.js';
import { ros2Reader, ros2SchemaText, ros2Writer, rosTime, timeToNanoseconds } from '../../main/sources/ros2Messages.js';
import { encodePngRaster } from '../../main/io/image.js';
import { InputError } from '../../main/errors.js';

const W = 64, H = 48;
const K: Intrinsics = { width: W, height: H, fx: 60, fy: 61, cx: 31.5, cy: 23.5 };

function makeFrame(index: number): Frame {
  const rgb = new Uint8Array(W * H * 3), depth = new Float32Array(W * H), labels = new Uint8Array(W * H), gt = new Float32Array(W * H);
  for (let p = 0; p < W * H; p++) {
    rgb[p * 3] = (p * 7 + index * 13) & 255; rgb[p * 3 + 1] = (p * 3) & 255; rgb[p * 3 + 2] = (index * 40 + p) & 255;
    // Whole millimetres (so 16UC1 is exact), a hole every 17th pixel.
    depth[p] = p % 17 === 0 ? 0 : (500 + ((p * 31 + index * 7) % 3000)) / 1000;
    labels[p] = p % 11 === 0 ? 255 : (p + index) % 40;
    gt[p] = 0.5 + p / 10000 + index / 100;
  }
  const T = poseFromTranslationQuaternion(0.1 * index, -0.05 * index, 1 + 0.01 * index, 0, Math.sin(0.05 * index), 0, Math.cos(0.05 * index));
  return { index, timestamp: 1700000000 + index / 30, width: W, height: H, rgb, depth, intrinsics: K, groundTruthPose: T, labels40: labels, depthGroundTruth: gt };
}

const FRAMES = [0, 1, 2, 3, 4, 5].map(makeFrame);

let root: string;
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'semslam-mcap-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

async function writeOurs(name: string, options: Partial<Parameters<typeof McapSequenceWriter.create>[1]> = {}): Promise<string> {
  const path = join(root, name);
  const w = await McapSequenceWriter.create(path, { intrinsics: K, fps: 30, ...options });
  for (const f of FRAMES) await w.write(f);
  await w.close();
  return path;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('MCAP bags we write', () => {
  it('raw Image topics read back exactly: colour, 16UC1 depth, labels, exact depth, poses, stamps, intrinsics', async () => {
    const path = await writeOurs('raw.mcap');
    const r = await openSequence(path);
    try {
      expect(r.info.format).toBe('mcap');
      expect(r.info.frames).toBe(FRAMES.length);
      expect(r.info.intrinsics).toEqual(K);
      expect(r.info.hasGroundTruth).toBe(true);
      expect(r.info.hasLabels).toBe(true);
      expect(r.info.warnings).toEqual([]);
      const roles = Object.fromEntries((r.info.streams ?? []).filter((s) => s.role).map((s) => [s.role, s.name]));
      expect(roles).toEqual({
        colour: '/camera/color/image_raw', depth: '/camera/aligned_depth_to_color/image_raw',
        'camera info': '/camera/color/camera_info', 'ground truth': '/ground_truth/pose',
      });
      const colourStream = r.info.streams!.find((s) => s.role === 'colour')!;
      expect(colourStream.count).toBe(FRAMES.length);
      expect(colourStream.rateHz).toBeCloseTo(30, 2);
      for (const i of [0, 3, 5]) {
        const f = await r.read(i);
        const src = FRAMES[i];
        expect(f.timestamp).toBeCloseTo(src.timestamp, 6);
        expect(Buffer.from(f.rgb).equals(Buffer.from(src.rgb))).toBe(true);
        expect(maxAbs(f.depth, src.depth)).toBeLessThan(1e-6);
        expect(Buffer.from(f.labels40!).equals(Buffer.from(src.labels40!))).toBe(true);
        expect(Array.from(f.depthGroundTruth!)).toEqual(Array.from(src.depthGroundTruth!));
        expect(maxAbs(f.groundTruthPose!, src.groundTruthPose!)).toBeLessThan(1e-9);
      }
    } finally {
      await r.close?.();
    }
  });

  it('32FC1 depth is bit-exact; no compression reads the same as zstd', async () => {
    const a = await openSequence(await writeOurs('f32.mcap', { depthEncoding: '32FC1', compression: 'none' }));
    const b = await openSequence(await writeOurs('zstd.mcap', { depthEncoding: '32FC1', compression: 'zstd' }));
    for (let i = 0; i < FRAMES.length; i++) {
      const fa = await a.read(i), fb = await b.read(i);
      expect(Array.from(fa.depth)).toEqual(Array.from(FRAMES[i].depth));
      expect(Array.from(fb.depth)).toEqual(Array.from(fa.depth));
    }
    await a.close?.(); await b.close?.();
  });

  it('CompressedImage topics: JPEG colour within JPEG error, compressedDepth PNG exact to the millimetre', async () => {
    const r = await openSequence(await writeOurs('compressed.mcap', { images: 'compressed' }));
    expect(r.info.streams!.find((s) => s.role === 'colour')!.name).toBe('/camera/color/image_raw/compressed');
    expect(r.info.streams!.find((s) => s.role === 'depth')!.name).toBe('/camera/aligned_depth_to_color/image_raw/compressedDepth');
    const f = await r.read(2);
    let sum = 0;
    for (let i = 0; i < f.rgb.length; i++) sum += Math.abs(f.rgb[i] - FRAMES[2].rgb[i]);
    expect(sum / f.rgb.length).toBeLessThan(12);
    expect(maxAbs(f.depth, FRAMES[2].depth)).toBeLessThan(1e-6);
    await r.close?.();
  });

  it('reads frames in any order and again (the chunk cache returns the right messages)', async () => {
    const r = await openSequence(await writeOurs('order.mcap', { chunkSize: 200_000 }));
    for (const i of [5, 0, 4, 4, 1, 3, 2, 0]) {
      const f = await r.read(i);
      expect(f.index).toBe(i);
      expect(Buffer.from(f.rgb).equals(Buffer.from(FRAMES[i].rgb))).toBe(true);
    }
    await r.close?.();
  });

  it('map output bag: PoseStamped per frame, a Path and a PointCloud2 with a label field', async () => {
    const path = join(root, 'map-out.mcap');
    const n = 3;
    const map = {
      count: n, ids: new Uint32Array([1, 2, 3]), positions: new Float32Array([0, 0, 1, 1, 0, 1, 0, 1, 2]), normals: new Float32Array(9),
      colors: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]), radii: new Float32Array(3), confidence: new Float32Array([1, 2, 3]),
      labels: new Uint8Array([4, 0, 13]), labelProb: new Float32Array([0.5, 0, 0.9]), stable: new Uint8Array(3), removedIds: new Uint32Array(0), frameIndex: 2,
    };
    await writeMapMcap(path, { timestamps: [10, 10.5, 11], trajectory: FRAMES.slice(0, 3).map((f) => f.groundTruthPose!), map });
    const { McapIndexedReader } = await import('@mcap/core');
    const { FileHandleReadable } = await import('@mcap/nodejs');
    const { loadDecompressHandlers } = await import('@mcap/support');
    const fh = await open(path, 'r');
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(fh), decompressHandlers: await loadDecompressHandlers() });
    const byTopic = new Map<string, unknown[]>();
    for await (const m of reader.readMessages()) {
      const ch = reader.channelsById.get(m.channelId)!;
      const schema = reader.schemasById.get(ch.schemaId)!;
      const msg = ros2Reader(new TextDecoder().decode(schema.data)).readMessage(m.data);
      byTopic.set(ch.topic, [...(byTopic.get(ch.topic) ?? []), msg]);
    }
    await fh.close();
    expect(byTopic.get('/semslam/pose')).toHaveLength(3);
    const cloud = byTopic.get('/semslam/map')![0] as { width: number; point_step: number; fields: { name: string; offset: number }[]; data: Uint8Array };
    expect(cloud.width).toBe(3);
    expect(cloud.fields.map((f) => f.name)).toEqual(['x', 'y', 'z', 'rgb', 'label', 'label_prob', 'confidence']);
    const label = cloud.fields.find((f) => f.name === 'label')!.offset;
    expect([0, 1, 2].map((i) => cloud.data[i * cloud.point_step + label])).toEqual([4, 0, 13]);
    const z = new DataView(cloud.data.buffer, cloud.data.byteOffset).getFloat32(2 * cloud.point_step + 8, true);
    expect(z).toBe(2);
    const pathMsg = byTopic.get('/semslam/path')![0] as { poses: unknown[] };
    expect(pathMsg.poses).toHaveLength(3);
  });
});

/** A bag written directly with the MCAP library's writer, laid out differently from ours. */
interface LibraryBagOptions {
  compression: 'zstd' | 'lz4' | 'none';
  chunkSize: number;
  colour: 'bgr8' | 'rgb8' | 'yuv422' | 'jpeg';
  depth: '16UC1' | '32FC1' | 'png';
  /** Depth stamps later than colour by this much (s). */
  depthOffsetS?: number;
  tf?: boolean;
  secondColourTopic?: boolean;
  noImages?: boolean;
  noCameraInfo?: boolean;
  bigEndianDepth?: boolean;
}

const COLOUR_TOPIC = '/cam/rgb/image_color', DEPTH_TOPIC = '/cam/depth_registered/image_raw', INFO_TOPIC = '/cam/rgb/camera_info';

async function writeLibraryBag(name: string, o: LibraryBagOptions): Promise<string> {
  const path = join(root, name);
  const fh = await open(path, 'w');
  await zstd.isLoaded;
  const compressChunk = o.compression === 'zstd'
    ? (d: Uint8Array) => ({ compression: 'zstd', compressedData: zstd.compress(d, 1) })
    : o.compression === 'lz4'
      ? (d: Uint8Array) => ({ compression: 'lz4', compressedData: new Uint8Array(lz4.compress(d)) })
      : undefined;
  const w = new McapWriter({ writable: new FileHandleWritable(fh), chunkSize: o.chunkSize, ...(compressChunk ? { compressChunk } : {}) });
  await w.start({ profile: 'ros2', library: 'test' });
  const channels = new Map<string, number>();
  const channel = async (topic: string, type: Ros2Type): Promise<number> => {
    if (!channels.has(topic)) {
      const schemaId = await w.registerSchema({ name: type, encoding: 'ros2msg', data: new TextEncoder().encode(ros2SchemaText(type)) });
      channels.set(topic, await w.registerChannel({ topic, schemaId, messageEncoding: 'cdr', metadata: new Map() }));
    }
    return channels.get(topic)!;
  };
  const put = async (topic: string, type: Ros2Type, seconds: number, msg: unknown, seq: number): Promise<void> => {
    const t = timeToNanoseconds(rosTime(seconds));
    // Log time a little after the stamp, as a recorder receives messages.
    await w.addMessage({ channelId: await channel(topic, type), sequence: seq, logTime: t + 3_000_000n, publishTime: t, data: ros2Writer(type).writeMessage(msg) });
  };
  await channel('/rosout_like', 'geometry_msgs/msg/PoseStamped');
  for (const f of FRAMES) {
    const stamp = rosTime(f.timestamp);
    const header = { stamp, frame_id: 'cam_rgb_optical_frame' };
    if (!o.noImages) {
      if (o.colour === 'jpeg') {
        const { default: jpeg } = await import('jpeg-js');
        const rgba = new Uint8Array(W * H * 4);
        for (let p = 0; p < W * H; p++) { rgba.set(f.rgb.subarray(p * 3, p * 3 + 3), p * 4); rgba[p * 4 + 3] = 255; }
        await put(COLOUR_TOPIC, 'sensor_msgs/msg/CompressedImage', f.timestamp, { header, format: 'jpeg', data: jpeg.encode({ data: rgba, width: W, height: H }, 95).data }, f.index);
      } else {
        const data = new Uint8Array(W * H * 3);
        for (let p = 0; p < W * H; p++) {
          const [r, g, b] = [f.rgb[p * 3], f.rgb[p * 3 + 1], f.rgb[p * 3 + 2]];
          data.set(o.colour === 'bgr8' ? [b, g, r] : [r, g, b], p * 3);
        }
        await put(COLOUR_TOPIC, 'sensor_msgs/msg/Image', f.timestamp, { header, height: H, width: W, encoding: o.colour, is_bigendian: 0, step: W * 3, data }, f.index);
        if (o.secondColourTopic) await put('/cam2/image_raw', 'sensor_msgs/msg/Image', f.timestamp, { header, height: H, width: W, encoding: 'rgb8', is_bigendian: 0, step: W * 3, data }, f.index);
      }
      const dt = f.timestamp + (o.depthOffsetS ?? 0);
      const dheader = { stamp: rosTime(dt), frame_id: 'cam_rgb_optical_frame' };
      if (o.depth === '32FC1') {
        const d = new Float32Array(f.depth);
        for (let p = 0; p < d.length; p += 17) d[p] = Number.NaN;
        await put(DEPTH_TOPIC, 'sensor_msgs/msg/Image', dt, { header: dheader, height: H, width: W, encoding: '32FC1', is_bigendian: 0, step: W * 4, data: new Uint8Array(d.buffer) }, f.index);
      } else {
        const mm = new Uint16Array(W * H);
        for (let p = 0; p < mm.length; p++) mm[p] = Math.round(f.depth[p] * 1000);
        if (o.depth === 'png') {
          await put(DEPTH_TOPIC, 'sensor_msgs/msg/CompressedImage', dt, { header: dheader, format: 'png', data: encodePngRaster({ width: W, height: H, channels: 1, data: mm }) }, f.index);
        } else {
          const bytes = new Uint8Array(mm.buffer);
          if (o.bigEndianDepth) for (let p = 0; p < bytes.length; p += 2) { const t = bytes[p]; bytes[p] = bytes[p + 1]; bytes[p + 1] = t; }
          await put(DEPTH_TOPIC, 'sensor_msgs/msg/Image', dt, { header: dheader, height: H, width: W, encoding: '16UC1', is_bigendian: o.bigEndianDepth ? 1 : 0, step: W * 2, data: bytes }, f.index);
        }
      }
    }
    if (!o.noCameraInfo) {
      await put(INFO_TOPIC, 'sensor_msgs/msg/CameraInfo', f.timestamp, {
        header, height: H, width: W, distortion_model: 'plumb_bob', d: [0, 0, 0, 0, 0], k: [K.fx, 0, K.cx, 0, K.fy, K.cy, 0, 0, 1],
        r: [1, 0, 0, 0, 1, 0, 0, 0, 1], p: [K.fx, 0, K.cx, 0, 0, K.fy, K.cy, 0, 0, 0, 1, 0], binning_x: 0, binning_y: 0,
        roi: { x_offset: 0, y_offset: 0, height: 0, width: 0, do_rectify: false },
      }, f.index);
    }
    if (o.tf) {
      const [x, y, z, qx, qy, qz, qw] = [f.groundTruthPose![12], f.groundTruthPose![13], f.groundTruthPose![14], 0, Math.sin(0.05 * f.index), 0, Math.cos(0.05 * f.index)];
      await put('/tf', 'tf2_msgs/msg/TFMessage', f.timestamp, {
        transforms: [
          { header: { stamp, frame_id: 'map' }, child_frame_id: 'base_link', transform: { translation: { x: 9, y: 9, z: 9 }, rotation: { x: 0, y: 0, z: 0, w: 1 } } },
          { header: { stamp, frame_id: 'world' }, child_frame_id: 'cam_rgb_optical_frame', transform: { translation: { x, y, z }, rotation: { x: qx, y: qy, z: qz, w: qw } } },
        ],
      }, f.index);
    }
  }
  await w.end();
  await fh.close();
  return path;
}

describe('MCAP bags written by the MCAP library\'s own writer', () => {
  const cases: [string, LibraryBagOptions][] = [
    ['zstd, one frame per chunk, bgr8 + 16UC1', { compression: 'zstd', chunkSize: 1024, colour: 'bgr8', depth: '16UC1' }],
    ['lz4, all in one chunk, rgb8 + 32FC1 with NaN holes', { compression: 'lz4', chunkSize: 64 << 20, colour: 'rgb8', depth: '32FC1' }],
    ['no compression, mid-size chunks, JPEG + PNG depth', { compression: 'none', chunkSize: 20_000, colour: 'jpeg', depth: 'png' }],
    ['zstd, big-endian 16UC1', { compression: 'zstd', chunkSize: 50_000, colour: 'rgb8', depth: '16UC1', bigEndianDepth: true }],
  ];
  it.each(cases)('%s', async (name, o) => {
    const r = await openSequence(await writeLibraryBag(`${name.replace(/\W+/g, '-')}.mcap`, o));
    expect(r.info.frames).toBe(FRAMES.length);
    expect(r.info.intrinsics).toEqual(K);
    const roles = Object.fromEntries((r.info.streams ?? []).filter((s) => s.role).map((s) => [s.role, s.name]));
    expect(roles.colour).toBe(COLOUR_TOPIC);
    expect(roles.depth).toBe(DEPTH_TOPIC);
    expect(roles['camera info']).toBe(INFO_TOPIC);
    expect(r.info.hasGroundTruth).toBe(false);
    for (let i = 0; i < FRAMES.length; i++) {
      const f = await r.read(i);
      expect(maxAbs(f.depth, FRAMES[i].depth)).toBeLessThan(1e-6);
      if (o.colour === 'jpeg') {
        let sum = 0;
        for (let p = 0; p < f.rgb.length; p++) sum += Math.abs(f.rgb[p] - FRAMES[i].rgb[p]);
        expect(sum / f.rgb.length).toBeLessThan(12);
      } else {
        expect(Buffer.from(f.rgb).equals(Buffer.from(FRAMES[i].rgb))).toBe(true);
      }
    }
    await r.close?.();
  });

  it('associates colour and depth by header stamp within the tolerance, poses from TF to the camera frame', async () => {
    const path = await writeLibraryBag('offset.mcap', { compression: 'zstd', chunkSize: 4096, colour: 'rgb8', depth: '16UC1', depthOffsetS: 0.008, tf: true });
    const r = await openSequence(path);
    expect(r.info.frames).toBe(FRAMES.length);
    expect(r.info.hasGroundTruth).toBe(false); // TF needs --pose-topic: several transforms per message, the camera's picked by name
    await r.close?.();
    const withTf = await openSequence(path, { mcap: { poseTopic: '/tf' } });
    expect(withTf.info.hasGroundTruth).toBe(true);
    const f = await withTf.read(2);
    expect(f.timestamp).toBeCloseTo(FRAMES[2].timestamp + 0.008, 6);
    // The pose at the depth stamp: interpolated between the TF samples either side.
    expect(f.groundTruthPose![12]).toBeCloseTo(0.1 * (2 + 0.008 * 30), 6);
    await withTf.close?.();
    await expect(openSequence(path, { mcap: { maxAssociationS: 0.005 } })).rejects.toThrow(/no colour image on \/cam\/rgb\/image_color has a depth image .* within 0\.005 s/);
  });

  it('several colour topics: an error that names them and the flag; the flag picks one', async () => {
    const path = await writeLibraryBag('two-colour.mcap', { compression: 'none', chunkSize: 1 << 20, colour: 'rgb8', depth: '16UC1', secondColourTopic: true });
    await expect(openSequence(path)).rejects.toThrow(/several colour topics \(\/cam\/rgb\/image_color, \/cam2\/image_raw\); choose one with --rgb-topic/);
    const r = await openSequence(path, { mcap: { rgbTopic: '/cam2/image_raw' } });
    expect(r.info.frames).toBe(FRAMES.length);
    await r.close?.();
    await expect(openSequence(path, { mcap: { rgbTopic: '/nope' } })).rejects.toThrow(/--rgb-topic \/nope: no such topic; the bag has .*\/cam2\/image_raw \(sensor_msgs\/Image\)/);
  });

  it('no CameraInfo: intrinsics assumed with a warning, or taken from --intrinsics', async () => {
    const path = await writeLibraryBag('no-info.mcap', { compression: 'zstd', chunkSize: 1 << 20, colour: 'rgb8', depth: '16UC1', noCameraInfo: true });
    const r = await openSequence(path);
    expect(r.info.warnings!.join('\n')).toMatch(/no sensor_msgs\/msg\/CameraInfo topic for \/cam\/rgb\/image_color; assumed fx = fy = 52\.5/);
    await r.close?.();
    const k = await openSequence(path, { camera: { intrinsics: { fx: 70, fy: 71, cx: 30, cy: 20 }, source: '--intrinsics' } });
    expect(k.info.intrinsics).toEqual({ width: W, height: H, fx: 70, fy: 71, cx: 30, cy: 20 });
    expect((await k.read(0)).intrinsics.fx).toBe(70);
    await k.close?.();
  });

  it('--depth-scale reads 16UC1 in other units', async () => {
    const path = await writeLibraryBag('scale.mcap', { compression: 'none', chunkSize: 1 << 20, colour: 'rgb8', depth: '16UC1' });
    const r = await openSequence(path, { camera: { depthUnitsPerMetre: 4000, source: '--depth-scale' } });
    const f = await r.read(1);
    const p = 5;
    expect(f.depth[p]).toBeCloseTo(FRAMES[1].depth[p] / 4, 6);
    await r.close?.();
  });
});

describe('bad bags: clear errors naming the file, topic and problem', () => {
  it('a bag without image topics', async () => {
    const path = await writeLibraryBag('no-images.mcap', { compression: 'zstd', chunkSize: 1 << 20, colour: 'rgb8', depth: '16UC1', noImages: true });
    await expect(openSequence(path)).rejects.toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: no image topics .*the bag has .*\\/cam\\/rgb\\/camera_info \\(sensor_msgs\\/CameraInfo\\)`));
  });

  it('a truncated bag', async () => {
    const src = await writeOurs('whole.mcap');
    const cut = join(root, 'cut.mcap');
    await copyFile(src, cut);
    const size = (await readFile(cut)).length;
    await truncate(cut, Math.floor(size * 0.6));
    const err = await openSequence(cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/cut\.mcap: cannot read the MCAP index: .*truncated/);
  });

  it('an unknown image encoding names the topic', async () => {
    const path = await writeLibraryBag('yuv.mcap', { compression: 'none', chunkSize: 1 << 20, colour: 'yuv422', depth: '16UC1' });
    await expect(openSequence(path)).rejects.toThrow(/no colour image topic among \/cam\/depth_registered\/image_raw, \/cam\/rgb\/image_color \(unknown encoding or empty: \/cam\/rgb\/image_color\)/);
  });

  it('a .mcap that is not MCAP, and a rosbag2 folder without .mcap', async () => {
    const fake = join(root, 'fake.mcap');
    await writeFile(fake, 'hello');
    await expect(openSequence(fake)).rejects.toThrow(/fake\.mcap: not an MCAP file/);
    const bagDir = join(root, 'rosbag2_2024');
    await mkdir(bagDir);
    await writeFile(join(bagDir, 'metadata.yaml'), 'rosbag2_bagfile_information: {}\n');
    await writeFile(join(bagDir, 'rosbag2_2024_0.db3'), 'sqlite');
    await expect(openSequence(join(bagDir, 'rosbag2_2024_0.db3'))).rejects.toThrow(/rosbag2 SQLite bag/);
  });

  it('a rosbag2 folder (metadata.yaml + one .mcap) opens like its file', async () => {
    const bagDir = join(root, 'bag-folder');
    await mkdir(bagDir);
    await writeFile(join(bagDir, 'metadata.yaml'), 'rosbag2_bagfile_information: {}\n');
    await copyFile(await writeOurs('for-folder.mcap'), join(bagDir, 'bag-folder_0.mcap'));
    const r = await openSequence(bagDir);
    expect(r.info.format).toBe('mcap');
    expect(r.info.frames).toBe(FRAMES.length);
    await r.close?.();
  });

  it('McapSequenceReader closes its file on failure (a second open of the same path works)', async () => {
    const path = await writeLibraryBag('reopen.mcap', { compression: 'none', chunkSize: 1 << 20, colour: 'rgb8', depth: '16UC1', secondColourTopic: true });
    await expect(McapSequenceReader.open(path)).rejects.toThrow(/several colour topics/);
    const r = await McapSequenceReader.open(path, { rgbTopic: COLOUR_TOPIC });
    expect(r.info.frames).toBe(FRAMES.length);
    await r.close();
  });
});
