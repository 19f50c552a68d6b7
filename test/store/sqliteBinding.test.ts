import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../main/errors.js';
import { SessionStore } from '../../main/store/sessionStore.js';
import { electronSqliteBuild, SQLITE_BINDING_ENV, sqliteNativeBinding } from '../../main/store/sqliteBinding.js';

const nodeBuild = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

afterEach(() => {
  delete process.env[SQLITE_BINDING_ENV];
});

describe('the better-sqlite3 native binding (Electron builds its own)', () => {
  it('is better-sqlite3\'s own unless the environment names one', () => {
    expect(sqliteNativeBinding({})).toBeUndefined();
    expect(sqliteNativeBinding({ [SQLITE_BINDING_ENV]: nodeBuild })).toBe(nodeBuild);
  });

  it('has one place for the Electron build, inside .electron/ of the checkout', () => {
    expect(electronSqliteBuild('/repo', '38.8.6', 'linux', 'x64')).toEqual({
      dir: '/repo/.electron/better-sqlite3-electron-38.8.6-linux-x64',
      binding: '/repo/.electron/better-sqlite3-electron-38.8.6-linux-x64/build/Release/better_sqlite3.node',
    });
  });

  it('opens stores through the named binding, and names a missing one', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'semslam-binding-')), 'sessions.db');
    process.env[SQLITE_BINDING_ENV] = nodeBuild;
    const store = SessionStore.open(file);
    expect(store.list()).toEqual([]);
    store.close();
    process.env[SQLITE_BINDING_ENV] = join(tmpdir(), 'no-such-binding.node');
    let err: unknown;
    try {
      SessionStore.open(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/no-such-binding\.node: SEMSLAM_SQLITE_BINDING names a better-sqlite3 native module that does not exist/);
  });
});
