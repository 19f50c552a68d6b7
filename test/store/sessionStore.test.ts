import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { InputError } from '../../main/errors.js';
import { SessionStore } from '../../main/store/sessionStore.js';
import { SessionWriter } from '../../main/store/sessionWriter.js';
import { SCHEMA_VERSION } from '../../main/store/schema.js';
import { INTRINSICS, makeFrame, makeMap } from './helpers/fixtures.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'semslam-store-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('SessionStore', () => {
  it('creates, lists, renames, resolves and deletes sessions', () => {
    const file = join(dir, 'nested', 'sessions.db');
    const store = SessionStore.open(file);
    const a = store.create({ name: 'kitchen', source: '/data/tum', mode: 'rgbd', intrinsics: INTRINSICS, config: { k: 3 } });
    const b = store.create({ name: 'office', source: 'demo', mode: 'rgb', intrinsics: INTRINSICS, modelFile: 'm.onnx', modelHash: 'abc' });
    expect(a.status).toBe('running');
    expect(a.config).toEqual({ k: 3 });
    expect(b.modelHash).toBe('abc');
    expect(store.list().map((s) => s.id)).toEqual([b.id, a.id]);
    expect(store.resolve('office').id).toBe(b.id);
    expect(store.resolve(String(a.id)).name).toBe('kitchen');
    expect(store.rename(a.id, 'office').name).toBe('office');
    expect(() => store.resolve('office')).toThrow(/2 sessions are named "office"/);
    expect(() => store.resolve('nothing')).toThrow(InputError);
    store.appendFrames(a.id, [makeFrame(0), makeFrame(1)]);
    store.saveSnapshot(a.id, 1, makeMap(10), 2);
    store.delete(a.id);
    expect(store.list().map((s) => s.id)).toEqual([b.id]);
    expect(store.frames(a.id)).toEqual([]);
    expect(store.snapshots(a.id)).toEqual([]);
    expect(() => store.delete(a.id)).toThrow(/no session with id/);
    store.close();
  });

  it('round-trips frame rows exactly', () => {
    const store = SessionStore.open(join(dir, 's.db'));
    const s = store.create({ name: 'x', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
    const frames = Array.from({ length: 12 }, (_, i) => makeFrame(i));
    store.appendFrames(s.id, frames.slice(0, 5));
    store.appendFrames(s.id, frames.slice(5));
    expect(store.frames(s.id)).toEqual(frames);
    expect(store.get(s.id)!.frameCount).toBe(12);
    // Re-running a frame after a seek replaces its row rather than failing.
    store.appendFrames(s.id, [{ ...frames[3], surfels: 7 }]);
    expect(store.frames(s.id)[3].surfels).toBe(7);
    expect(store.get(s.id)!.frameCount).toBe(12);
    store.setStatus(s.id, 'finished', { frames: 12, fps: 20.5, meanMs: { total: 48.8 } });
    expect(store.get(s.id)!.timings).toEqual({ frames: 12, fps: 20.5, meanMs: { total: 48.8 } });
    expect(store.get(s.id)!.status).toBe('finished');
    store.close();
  });

  it('keeps the latest K snapshots and reopening loads the newest map', () => {
    const file = join(dir, 's.db');
    let store = SessionStore.open(file);
    const s = store.create({ name: 'x', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
    for (let k = 0; k < 5; k++) store.saveSnapshot(s.id, k * 10, makeMap(100 + k, k), 3);
    expect(store.snapshots(s.id).map((x) => x.frameIndex)).toEqual([40, 30, 20]);
    store.close();
    store = SessionStore.open(file, { access: 'readonly' });
    const loaded = store.loadLatestMap(s.id)!;
    expect(loaded.info.frameIndex).toBe(40);
    const expected = makeMap(104, 4);
    expect(loaded.map.count).toBe(104);
    expect(loaded.map.positions).toEqual(expected.positions);
    expect(loaded.map.normals).toEqual(expected.normals);
    expect(loaded.map.colors).toEqual(expected.colors);
    expect(loaded.map.labels).toEqual(expected.labels);
    expect(loaded.map.labelProb).toEqual(expected.labelProb);
    expect(loaded.map.ids).toEqual(expected.ids);
    expect(loaded.map.stable).toBeUndefined();
    store.close();
  });

  it('stores only the used prefix of capacity-sized arrays', () => {
    const store = SessionStore.open(join(dir, 's.db'));
    const s = store.create({ name: 'x', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
    const big = makeMap(50);
    store.saveSnapshot(s.id, 0, { ...big, count: 20 }, 1);
    const m = store.loadLatestMap(s.id)!.map;
    expect(m.count).toBe(20);
    expect(m.positions.length).toBe(60);
    expect(m.positions).toEqual(big.positions.subarray(0, 60));
    store.close();
  });

  it('refuses a file that is not SQLite, naming it and leaving it untouched', () => {
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(20));
    const before = readFileSync(file);
    expect(() => SessionStore.open(file)).toThrow(InputError);
    expect(() => SessionStore.open(file)).toThrow(new RegExp(`${file}: not a semslam session database`));
    expect(readFileSync(file)).toEqual(before);
  });

  it('refuses another program\'s SQLite database without modifying it', () => {
    const file = join(dir, 'other.db');
    const other = new Database(file);
    other.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    other.close();
    const before = readFileSync(file);
    expect(() => SessionStore.open(file)).toThrow(/another program/);
    expect(readFileSync(file)).toEqual(before);
  });

  it('refuses a newer schema and a missing file in read-only mode', () => {
    const file = join(dir, 's.db');
    SessionStore.open(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => SessionStore.open(file)).toThrow(/newer than this semslam/);
    expect(() => SessionStore.open(join(dir, 'missing.db'), { access: 'readonly' })).toThrow(/no such session database/);
  });

  it('reports a damaged file as damaged', () => {
    const file = join(dir, 's.db');
    const store = SessionStore.open(file);
    const s = store.create({ name: 'x', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
    store.saveSnapshot(s.id, 0, makeMap(20000), 1);
    store.close();
    const bytes = readFileSync(file);
    // Scribble over the middle pages (keeping the 100-byte header valid).
    for (let i = 4096; i < bytes.length - 4096; i += 7) bytes[i] ^= 0x5a;
    writeFileSync(file, bytes);
    expect(() => SessionStore.open(file)).toThrow(new RegExp(`${file}: session database (is damaged|failed its integrity check)`));
  });
});

describe('SessionWriter', () => {
  it('commits frames in batches by time and snapshots periodically', () => {
    const store = SessionStore.open(join(dir, 's.db'));
    const s = store.create({ name: 'x', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
    let clock = 0;
    const w = new SessionWriter(store, s.id, { flushIntervalMs: 100, snapshotIntervalMs: 250, keepSnapshots: 2, backgroundSnapshots: false }, () => clock);
    let maps = 0;
    for (let i = 0; i < 10; i++) {
      clock = i * 40;
      w.addFrame(makeFrame(i));
      w.maybeSnapshot(i, () => { maps++; return makeMap(10 + i); });
    }
    // Commits at t = 120 (frames 0..3), 240 (4..6) and 280 (7, before the snapshot); 8 and 9 still wait.
    expect(store.frames(s.id).map((f) => f.frameIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(maps).toBe(1);
    expect(store.snapshots(s.id).map((x) => x.frameIndex)).toEqual([7]);
    w.finish('finished', { frames: 10, fps: 25, meanMs: { total: 40 } }, 9, () => makeMap(19));
    expect(store.frames(s.id).length).toBe(10);
    expect(store.snapshots(s.id).map((x) => x.frameIndex)).toEqual([9, 7]);
    expect(store.get(s.id)!.status).toBe('finished');
    store.close();
  });
});

describe('SessionWriter background snapshots', () => {
  it('compress off the calling thread, land when done, and never outlive finish()', async () => {
    const store = SessionStore.open(join(dir, 'bg.db'));
    const s = store.create({ name: 'x', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
    let clock = 0;
    const w = new SessionWriter(store, s.id, { flushIntervalMs: 1000, snapshotIntervalMs: 100 }, () => clock);
    w.addFrame(makeFrame(0));
    clock = 150;
    w.addFrame(makeFrame(1));
    expect(w.maybeSnapshot(1, () => makeMap(5000))).toBe(true);
    // Frames it describes are committed first; the snapshot itself lands later.
    expect(store.frames(s.id).map((f) => f.frameIndex)).toEqual([0, 1]);
    expect(store.snapshots(s.id)).toEqual([]);
    clock = 300;
    // One at a time: no second snapshot while the first is compressing.
    expect(w.maybeSnapshot(2, () => makeMap(5001))).toBe(false);
    await w.settled();
    expect(store.snapshots(s.id).map((x) => [x.frameIndex, x.count])).toEqual([[1, 5000]]);
    expect(store.loadLatestMap(s.id)!.map.count).toBe(5000);

    // finish() while one is in flight: the final snapshot is written at once, the stale one is dropped.
    clock = 500;
    w.addFrame(makeFrame(2));
    expect(w.maybeSnapshot(2, () => makeMap(6000))).toBe(true);
    w.finish('finished', { frames: 3, fps: 25, meanMs: { total: 40 } }, 2, () => makeMap(6001));
    await w.settled();
    expect(store.snapshots(s.id).map((x) => [x.frameIndex, x.count])).toEqual([[2, 6001], [1, 5000]]);
    store.close();
  });
});

describe('SessionWriter background snapshots under a busy loop', () => {
  it('land within a few event-loop turns even for a large map (one zlib chunk, not hundreds)', async () => {
    const store = SessionStore.open(join(dir, 'turns.db'));
    const s = store.create({ name: 'x', source: 'demo', mode: 'rgbd', intrinsics: INTRINSICS });
    let clock = 0;
    const w = new SessionWriter(store, s.id, { snapshotIntervalMs: 100 }, () => clock);
    clock = 200;
    expect(w.maybeSnapshot(0, () => makeMap(200_000))).toBe(true);
    // A pipeline yields once per frame (setImmediate); count the frames until the snapshot is in the database.
    let turns = 0;
    while (store.snapshots(s.id).length === 0 && turns < 200) {
      const t0 = Date.now();
      while (Date.now() - t0 < 5) { /* a frame's work */ }
      await new Promise((r) => setImmediate(r));
      turns++;
    }
    expect(store.snapshots(s.id).map((x) => x.count)).toEqual([200_000]);
    expect(turns).toBeLessThan(100);
    store.close();
  });
});

describe('crash safety', () => {
  it('a writer SIGKILLed mid-write leaves a sound file with every committed frame', async () => {
    const file = join(dir, 'crash.db');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'crashWriter.ts'), file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A failed or timed-out test must not leave the writer spinning.
    onTestFinished(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
    let committed = 0;
    let snapshots = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const [what, n] = line.split(' ');
          if (what === 'committed') committed = Number(n);
          if (what === 'snapshot') snapshots++;
        }
        // Kill while it is busy writing: after several snapshots, in the middle of the stream.
        if (snapshots >= 4 && committed > 0) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`writer exited before it was killed: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');
    const store = SessionStore.open(file);
    expect(store.integrityCheck()).toBe('ok');
    const [session] = store.list();
    const frames = store.frames(session.id);
    // Every frame the child reported as committed is there, contiguous and intact.
    expect(frames.length).toBeGreaterThanOrEqual(committed);
    frames.forEach((f, i) => expect(f).toEqual(makeFrame(i)));
    const latest = store.loadLatestMap(session.id)!;
    expect(latest.map).toEqual(makeMap(20000 + latest.info.frameIndex, latest.info.frameIndex));
    expect(store.snapshots(session.id).length).toBeLessThanOrEqual(2);
    store.close();
  });
});
