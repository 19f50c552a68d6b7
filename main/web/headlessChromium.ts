/**
 * Headless Chromium for the end-to-end tests and the render benchmark: Debian's /usr/bin/chromium with
 * WebGL2 through ANGLE + SwiftShader (no GPU needed). Dev-only (playwright-core is a devDependency).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  // WebGL2 without a GPU: ANGLE on SwiftShader.
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
];

/** Chromium's fake camera playing a .y4m file in a loop (and no permission prompt). */
export function fakeCameraArgs(y4mFile: string): string[] {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4mFile}`];
}

export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the end-to-end tests need Chromium. Install it with \`apt-get install chromium\` (scripts/install-system-deps.sh does).`);
  }
  // chromium.launch() gives every browser a fresh temporary profile (user-data-dir) of its own.
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
