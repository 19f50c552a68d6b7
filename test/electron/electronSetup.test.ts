/**
 * scripts/electron-setup.mjs (run by `npm start`) on a machine that cannot download Electron: one explanation
 * with the cause in a line, no installer stack trace. Unreachability is made certain (a mirror on a closed local
 * port, an empty download cache), so the test means the same with or without internet.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const downloaded = existsSync(join('node_modules', 'electron', 'path.txt'));

describe('electron-setup without internet', () => {
  it.skipIf(downloaded)('prints the explanation only (runs where Electron\'s binary was never downloaded)', () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: mkdtempSync(join(tmpdir(), 'semslam-electron-cache-')),
    };
    delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
    const r = spawnSync(process.execPath, ['scripts/electron-setup.mjs'], { env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/electron-setup: Electron [\d.]+ could not be downloaded \(.*(ECONNREFUSED|connect).*\): no internet/);
    expect(r.stderr).toContain('npx semslam serve');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });
});
