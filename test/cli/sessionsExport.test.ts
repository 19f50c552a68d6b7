import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePly } from '../../main/export/ply.js';
import { decodePcd } from '../../main/export/pcd.js';
import { SessionStore } from '../../main/store/sessionStore.js';
import { INTRINSICS, makeFrame, makeMap } from '../store/helpers/fixtures.js';

const run = promisify(execFile);
const CLI = resolve('bin/semslam.js');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, XDG_DATA_HOME: dir } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'semslam-cli-'));
  db = join(dir, 'sessions.db');
  const store = SessionStore.open(db);
  const a = store.create({ name: 'kitchen', source: '/data/kitchen', mode: 'rgbd', intrinsics: INTRINSICS });
  store.appendFrames(a.id, [makeFrame(0), makeFrame(1)]);
  store.saveSnapshot(a.id, 1, makeMap(300, 1), 3);
  store.create({ name: 'empty', source: 'demo', mode: 'rgb', intrinsics: INTRINSICS });
  store.close();
});
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('semslam sessions / export (spawned CLI)', () => {
  it('lists, renames and deletes sessions as JSON', async () => {
    const list = await cli('sessions', 'list', '--db', db, '--json');
    expect(list.code).toBe(0);
    const doc = JSON.parse(list.stdout);
    expect(doc.database).toBe(db);
    expect(doc.sessions.map((s: { name: string }) => s.name)).toEqual(['empty', 'kitchen']);
    expect(doc.sessions[1]).toMatchObject({ frames: 2, mode: 'rgbd', status: 'running', width: 320 });
    const renamed = JSON.parse((await cli('sessions', 'rename', 'kitchen', 'galley', '--db', db, '--json')).stdout);
    expect(renamed.session.name).toBe('galley');
    const deleted = await cli('sessions', 'delete', 'empty', '--db', db, '--json');
    expect(JSON.parse(deleted.stdout).deleted.name).toBe('empty');
    const after = JSON.parse((await cli('sessions', 'list', '--db', db, '--json')).stdout);
    expect(after.sessions.map((s: { name: string }) => s.name)).toEqual(['galley']);
  });

  it('exports the latest map as PCD (ASCII) and PLY (binary)', async () => {
    const pcdPath = join(dir, 'm.pcd');
    const r = await cli('export', 'kitchen', '--format', 'pcd', '--ascii', '--out', pcdPath, '--db', db, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'pcd', encoding: 'ascii', surfels: 300, snapshotFrame: 1, path: pcdPath });
    const cloud = decodePcd(readFileSync(pcdPath));
    const map = makeMap(300, 1);
    expect(cloud.points).toBe(300);
    expect(cloud.columns.z[17]).toBe(map.positions[3 * 17 + 2]);
    expect(cloud.columns.label[17]).toBe(map.labels[17]);
    const plyPath = join(dir, 'm.ply');
    expect((await cli('export', '1', '--out', plyPath, '--db', db)).code).toBe(0);
    const ply = decodePly(plyPath, readFileSync(plyPath));
    expect(ply.count).toBe(300);
    expect(ply.labels).toEqual(map.labels);
    expect(ply.comments).toContain('session 1 kitchen');
  });

  it('uses the default database under XDG_DATA_HOME', async () => {
    const r = await cli('sessions', 'list', '--json');
    expect(r.stderr).toContain('no such');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'semslam', 'sessions.db')}: no such session database`);
  });

  it('clear errors: unknown session, no map yet, a file that is not a session database (left intact)', async () => {
    const unknown = await cli('export', 'nope', '--out', join(dir, 'x.ply'), '--db', db);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`${db}: no session with id or name "nope"`);
    const empty = await cli('export', 'empty', '--out', join(dir, 'x.ply'), '--db', db);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/has no map snapshot yet/);
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'hello\n'.repeat(10));
    const bad = await cli('sessions', 'list', '--db', notes);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${notes}: not a semslam session database`);
    expect(readFileSync(notes, 'utf8')).toBe('hello\n'.repeat(10));
  });
});
