/**
 * A real saved session (the real pipeline on real 7-Scenes frames with the shipped network, persisted to a
 * real SQLite file) exported as a ROS 2 bag by `semslam export --format mcap` and by the app's export, read
 * back with the MCAP project's reader and CDR decoding, and compared with what the database holds.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McapIndexedReader } from '@mcap/core';
import type { McapTypes } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { open } from 'node:fs/promises';
import zstd from '@foxglove/wasm-zstd';
import { parse as parseMessageDefinition } from '@foxglove/rosmsg';
import { MessageReader } from '@foxglove/rosmsg2-serialization';
import type { AppBackend } from '../../main/contract/backend.js';
import { invokeBackend } from '../../main/contract/backend.js';
import { createAppBackend } from '../../main/session/appBackend.js';
import { PipelineSession } from '../../main/session/pipelineSession.js';
import { SessionStore } from '../../main/store/sessionStore.js';
import type { FrameRecord } from '../../main/store/records.js';
import type { StoredMap } from '../../main/store/mapCodec.js';
import { poseToTranslationQuaternion } from '../../fusion/pose.js';

const run = promisify(execFile);
const SEVEN_SCENES = resolve('../shared/data/real/7scenes-redkitchen-150-199');

let dir: string;
let db: string;
let sessionId: number;
let frames: FrameRecord[];
let map: StoredMap;
let snapshotFrame: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'semslam-mcap-export-'));
  db = join(dir, 'sessions.db');
  // Downscaled 4× (160×120) to keep it quick; the shipped network labels every 2nd frame.
  const s = await PipelineSession.start({ source: SEVEN_SCENES, mode: 'rgbd', downscale: 4, maxFrames: 6, segmentEvery: 2, database: db, name: 'kitchen' });
  const result = await s.finished;
  await s.stop();
  expect(result.status).toBe('finished');
  sessionId = Number(s.info.sessionId);
  const store = SessionStore.open(db, { access: 'readonly' });
  frames = store.frames(sessionId);
  const latest = store.loadLatestMap(sessionId)!;
  map = latest.map;
  snapshotFrame = latest.info.frameIndex;
  store.close();
}, 180_000);
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

interface Decoded { topic: string; schema: string; logTime: bigint; message: Record<string, unknown> }

/** Every message of a bag, decoded from CDR with the schema the bag itself carries. */
async function readBag(path: string): Promise<{ messages: Decoded[]; metadata: Map<string, Map<string, string>> }> {
  await zstd.isLoaded;
  const handle = await open(path, 'r');
  try {
    const reader = await McapIndexedReader.Initialize({
      readable: new FileHandleReadable(handle),
      decompressHandlers: { zstd: (data: Uint8Array, size: bigint) => zstd.decompress(data, Number(size)) },
    });
    const decoders = new Map<number, { reader: MessageReader; topic: string; schema: string }>();
    const messages: Decoded[] = [];
    for await (const m of reader.readMessages()) {
      let d = decoders.get(m.channelId);
      if (!d) {
        const channel = reader.channelsById.get(m.channelId)!;
        const schema: McapTypes.Schema = reader.schemasById.get(channel.schemaId)!;
        expect(schema.encoding).toBe('ros2msg');
        expect(channel.messageEncoding).toBe('cdr');
        d = { reader: new MessageReader(parseMessageDefinition(new TextDecoder().decode(schema.data), { ros2: true })), topic: channel.topic, schema: schema.name };
        decoders.set(m.channelId, d);
      }
      messages.push({ topic: d.topic, schema: d.schema, logTime: m.logTime, message: d.reader.readMessage(m.data) });
    }
    const metadata = new Map<string, Map<string, string>>();
    for await (const md of reader.readMetadata()) metadata.set(md.name, md.metadata);
    return { messages, metadata };
  } finally {
    await handle.close();
  }
}

type Pose = { position: { x: number; y: number; z: number }; orientation: { x: number; y: number; z: number; w: number } };

/** The bag matches the session: one pose per saved frame at its stamp, the map's points with their labels. */
async function expectBagIsSession(path: string): Promise<void> {
  const { messages, metadata } = await readBag(path);
  const poses = messages.filter((m) => m.topic === '/semslam/pose');
  expect(poses.length).toBe(frames.length);
  poses.forEach((m, i) => {
    expect(m.schema).toBe('geometry_msgs/msg/PoseStamped');
    const f = frames[i];
    const stamp = m.message.header as { stamp: { sec: number; nanosec: number } };
    expect(stamp.stamp.sec + stamp.stamp.nanosec * 1e-9).toBeCloseTo(f.timestamp, 6);
    const [x, y, z, qx, qy, qz, qw] = poseToTranslationQuaternion(f.T_world_camera);
    const p = (m.message as { pose: Pose }).pose;
    for (const [got, want] of [[p.position.x, x], [p.position.y, y], [p.position.z, z], [p.orientation.x, qx], [p.orientation.y, qy], [p.orientation.z, qz], [p.orientation.w, qw]]) {
      expect(got).toBeCloseTo(want, 9);
    }
  });
  // The camera moves in these frames: the poses are not all one.
  expect(new Set(poses.map((m) => (m.message as { pose: Pose }).pose.position.x)).size).toBeGreaterThan(1);
  const path2 = messages.filter((m) => m.topic === '/semslam/path');
  expect(path2.length).toBe(1);
  expect((path2[0].message as { poses: unknown[] }).poses.length).toBe(frames.length);

  const clouds = messages.filter((m) => m.topic === '/semslam/map');
  expect(clouds.length).toBe(1);
  expect(clouds[0].schema).toBe('sensor_msgs/msg/PointCloud2');
  const cloud = clouds[0].message as {
    width: number; height: number; point_step: number; data: Uint8Array;
    fields: { name: string; offset: number; datatype: number; count: number }[];
  };
  expect(cloud.height * cloud.width).toBe(map.count);
  const field = (name: string) => cloud.fields.find((f) => f.name === name)!;
  expect(field('label')).toMatchObject({ datatype: 2, count: 1 }); // uint8
  expect(field('x').datatype).toBe(7); // float32
  const view = new DataView(cloud.data.buffer, cloud.data.byteOffset, cloud.data.byteLength);
  const labels = new Uint8Array(map.count);
  for (let i = 0; i < map.count; i++) {
    const o = i * cloud.point_step;
    labels[i] = cloud.data[o + field('label').offset];
    if (i % 97 === 0) {
      expect(view.getFloat32(o + field('x').offset, true)).toBe(map.positions[3 * i]);
      expect(view.getFloat32(o + field('z').offset, true)).toBe(map.positions[3 * i + 2]);
      expect(view.getFloat32(o + field('label_prob').offset, true)).toBe(map.labelProb[i]);
    }
  }
  expect(labels).toEqual(map.labels);
  // The shipped network labelled the map: more than one class is there.
  expect(new Set(labels).size).toBeGreaterThan(1);
  const session = metadata.get('semslam.session')!;
  expect(session.get('id')).toBe(String(sessionId));
  expect(session.get('name')).toBe('kitchen');
  expect(session.get('snapshotFrame')).toBe(String(snapshotFrame));
}

describe('a saved session exported as a ROS 2 bag (MCAP)', () => {
  it('semslam export --format mcap', async () => {
    const out = join(dir, 'cli.mcap');
    const { stdout } = await run(process.execPath, ['bin/semslam.js', 'export', 'kitchen', '--format', 'mcap', '--out', out, '--db', db, '--json']);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ format: 'mcap', path: out, surfels: map.count, poses: frames.length, session: sessionId, snapshotFrame });
    expect(doc.bytes).toBe(statSync(out).size);
    await expectBagIsSession(out);
    // --ascii does not apply to a bag: said, not ignored.
    const ascii = await run(process.execPath, ['bin/semslam.js', 'export', 'kitchen', '--format', 'mcap', '--ascii', '--out', join(dir, 'a.mcap'), '--db', db]).catch((e: { code: number; stderr: string }) => e);
    expect(ascii).toMatchObject({ code: 2 });
    expect((ascii as { stderr: string }).stderr).toMatch(/--ascii: applies to PLY and PCD only/);
  }, 60_000);

  it('semslam map --out-mcap / --out-ply / --out-trajectory to a place that cannot be written fails at once, before mapping', async () => {
    // 5,000 frames would map for an hour: the answer comes in seconds because nothing is mapped.
    const map = (flag: string, out: string) => run(process.execPath, ['bin/semslam.js', 'map', 'synth:seed=1,frames=5000', flag, out, '--no-progress'])
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
    const missing = await map('--out-mcap', join(dir, 'no-such-folder', 'map.mcap'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--out-mcap: ${join(dir, 'no-such-folder', 'map.mcap')}: cannot write the export: its folder does not exist`);
    const intoFolder = await map('--out-ply', dir);
    expect(intoFolder.code).toBe(2);
    expect(intoFolder.stderr).toContain(`--out-ply: ${dir}: is a folder: give the name of the file to write`);
    const trajectory = await map('--out-trajectory', join(dir, 'no-such-folder', 'estimate.txt'));
    expect(trajectory.code).toBe(2);
    expect(trajectory.stderr).toContain(`--out-trajectory: ${join(dir, 'no-such-folder', 'estimate.txt')}: cannot write the export: its folder does not exist`);
  }, 30_000);

  describe('the app (AppBackend, as Electron and web mode call it)', () => {
    let backend: AppBackend;
    beforeAll(async () => {
      backend = await createAppBackend({ database: db, exportDir: join(dir, 'exports'), session: {
        downscale: 4, segmentEvery: 2,
        // Nothing reaches the database by the clock in these tests: what is there after a pause, the pause put there.
        writer: { flushIntervalMs: 600_000, snapshotIntervalMs: 600_000 },
      } });
    });
    afterAll(async () => { await backend.dispose(); });

    it('exports the opened session as MCAP into its export folder', async () => {
      expect(await invokeBackend(backend, 'openSession', { id: String(sessionId) })).toMatchObject({ ok: true });
      const r = await invokeBackend(backend, 'exportMap', { format: 'mcap' });
      if (!r.ok) throw new Error(r.error.message);
      const value = r.value as { path: string; surfels: number; poses: number };
      expect(value).toMatchObject({ surfels: map.count, poses: frames.length });
      expect(value.path).toMatch(new RegExp(`exports/session-${sessionId}-\\d+\\.mcap$`));
      await expectBagIsSession(value.path);
    }, 60_000);

    it('a replay paused after 3 frames exports its 3 poses and the map on screen', async () => {
      const started = await invokeBackend(backend, 'startReplay', { source: SEVEN_SCENES, mode: 'rgbd', realtime: false, paused: true });
      if (!started.ok) throw new Error(started.error.message);
      expect(await invokeBackend(backend, 'step', { frames: 3 })).toMatchObject({ ok: true, value: { state: 'paused', frame: 2 } });
      const r = await invokeBackend(backend, 'exportMap', { format: 'mcap', path: join(dir, 'live.mcap') });
      if (!r.ok) throw new Error(r.error.message);
      const { messages } = await readBag(join(dir, 'live.mcap'));
      const id = Number((started.value as { session: { id: string } }).session.id);
      const store = SessionStore.open(db, { access: 'readonly' });
      const saved = store.frames(id);
      store.close();
      expect(saved.map((f) => f.frameIndex)).toEqual([0, 1, 2]);
      expect(messages.filter((m) => m.topic === '/semslam/pose').length).toBe(3);
      const cloud = messages.find((m) => m.topic === '/semslam/map')!.message as { width: number };
      expect(cloud.width).toBe((r.value as { surfels: number }).surfels);
      expect(cloud.width).toBeGreaterThan(1000);
      // Back to the saved session for the next test.
      expect(await invokeBackend(backend, 'openSession', { id: String(sessionId) })).toMatchObject({ ok: true });
    }, 60_000);

    it('an export that cannot be written is a clear error; the session and what is in the way stay as they were', async () => {
      const blocker = join(dir, 'not-a-folder');
      writeFileSync(blocker, 'a file');
      const bad = await invokeBackend(backend, 'exportMap', { format: 'mcap', path: join(blocker, 'map.mcap') });
      expect(bad.ok).toBe(false);
      if (bad.ok) return;
      expect(bad.error.code).toBe('failed');
      expect(bad.error.message).toContain(join(blocker, 'map.mcap'));
      expect(bad.error.message).toMatch(/cannot write the export/);
      expect(bad.error.message).toMatch(/The session is unchanged/);

      // A folder where the file should go: refused, the folder's contents untouched, no partial file left.
      const folder = join(dir, 'a-folder.mcap');
      mkdirSync(folder);
      writeFileSync(join(folder, 'keep.txt'), 'keep');
      const intoFolder = await invokeBackend(backend, 'exportMap', { format: 'ply', path: folder });
      expect(intoFolder).toMatchObject({ ok: false, error: { code: 'failed' } });
      expect(!intoFolder.ok && intoFolder.error.message).toMatch(/is a folder/);
      expect(readdirSync(folder)).toEqual(['keep.txt']);
      expect(readdirSync(dir).filter((n) => n.endsWith('.partial'))).toEqual([]);

      // The session is still there and still exports.
      const store = SessionStore.open(db, { access: 'readonly' });
      expect(store.frames(sessionId).length).toBe(frames.length);
      expect(store.loadLatestMap(sessionId)!.map.count).toBe(map.count);
      store.close();
      const again = await invokeBackend(backend, 'exportMap', { format: 'mcap', path: join(dir, 'again.mcap') });
      expect(again).toMatchObject({ ok: true, value: { poses: frames.length } });
    }, 60_000);
  });
});
