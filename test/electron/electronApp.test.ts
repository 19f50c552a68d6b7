/**
 * The real Electron app driven by Playwright's _electron, whenever an Electron binary is available: Electron
 * cannot be downloaded or run on our CI machines, so this runs where SEMSLAM_ELECTRON_BINARY names one
 * (e.g. node_modules/electron/dist/electron after `node scripts/electron-setup.mjs`) and is reported as
 * skipped, with that instruction in its name, everywhere else.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildElectronPreload, buildRenderer } from '../../main/web/buildRenderer.js';

const binary = process.env.SEMSLAM_ELECTRON_BINARY;
if (binary && !existsSync(binary)) throw new Error(`SEMSLAM_ELECTRON_BINARY=${binary}: no such file`);

describe('Electron app', () => {
  it.skipIf(!binary)('opens one isolated window that maps the demo (needs SEMSLAM_ELECTRON_BINARY=path/to/electron; not set here)', async () => {
    await buildRenderer();
    await buildElectronPreload();
    const data = mkdtempSync(join(tmpdir(), 'semslam-electron-'));
    const app = await electron.launch({
      executablePath: binary!, args: [join(process.cwd(), 'electron', 'main.js')],
      env: { ...process.env, XDG_DATA_HOME: data },
    });
    try {
      const window = await app.firstWindow();
      await window.waitForSelector('#connection:has-text("connected")');
      expect(await window.title()).toBe('semslam');
      expect(new URL(window.url()).protocol).toBe('app:');
      // Renderer isolation: no Node, only the preload's bridge.
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (globalThis as { semslam?: unknown }).semslam)).toBe('object');
      // Sandboxed renderer: no Node globals either.
      expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      expect(app.windows()).toHaveLength(1);
      await window.click('#demo');
      await window.waitForFunction(() => Number(document.getElementById('status-surfels')?.dataset.count ?? 0) > 0, null, { timeout: 120_000 });
    } finally {
      await app.close();
    }
  }, 300_000);
});
