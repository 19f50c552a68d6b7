import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { SessionStore } from '../../main/store/sessionStore.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'semslam-kill-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Frames and snapshots the database holds right now (a second connection, as the app's list would use). */
function peek(db: string): { frames: number; snapshots: number } {
  if (!existsSync(db)) return { frames: 0, snapshots: 0 };
  try {
    const s = SessionStore.open(db, { access: 'readonly', check: false });
    try {
      const [session] = s.list();
      return session ? { frames: s.frames(session.id).length, snapshots: s.snapshots(session.id).length } : { frames: 0, snapshots: 0 };
    } finally {
      s.close();
    }
  } catch {
    return { frames: 0, snapshots: 0 }; // not created or not migrated yet
  }
}

describe('a mapping session killed with SIGKILL', () => {
  it('leaves a sound database with its committed frames and a loadable map', async () => {
    const db = join(dir, 'sessions.db');
    const child = spawn(process.execPath, [resolve('bin/semslam.js'), 'demo', '--frames', '200', '--db', db,
      '--out-ply', join(dir, 'never.ply'), '--model', join(dir, 'none.onnx'), '--no-progress'], { stdio: 'ignore' });
    onTestFinished(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
    let seen = { frames: 0, snapshots: 0 };
    // Wait for real work on disk: several committed frames and at least one periodic snapshot, then kill mid-run.
    for (let i = 0; i < 600 && (seen.frames < 4 || seen.snapshots < 1); i++) {
      await sleep(250);
      seen = peek(db);
    }
    expect(seen.snapshots).toBeGreaterThanOrEqual(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = SessionStore.open(db);
    expect(store.integrityCheck()).toBe('ok');
    const [session] = store.list();
    // Never finished: the status says so, and what was committed is all there, in order.
    expect(session.status).toBe('running');
    const frames = store.frames(session.id);
    expect(frames.length).toBeGreaterThanOrEqual(seen.frames);
    expect(frames.length).toBeLessThan(200);
    frames.forEach((f, i) => expect(f.frameIndex).toBe(i));
    const latest = store.loadLatestMap(session.id)!;
    expect(latest.map.count).toBeGreaterThan(1000);
    expect(latest.info.frameIndex).toBeLessThan(frames.length);
    expect(latest.map.positions.length).toBe(3 * latest.map.count);
    store.close();
  });
});
