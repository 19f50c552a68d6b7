/**
 * End-to-end harness: `semslam serve` as a child process and a headless Chromium with WebGL2 through
 * SwiftShader. Shared by the e2e tests and the render benchmark.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { decode } from 'fast-png';
import type { Page } from 'playwright-core';

export { CHROMIUM, fakeCameraArgs, launchChromium } from '../../main/web/headlessChromium.js';

export interface ServeProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node bin/semslam.js serve --port 0 --json ...` and waits for its URL. */
export async function startServe(args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['bin/semslam.js', 'serve', '--port', '0', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const { url, port } = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`semslam serve did not print its URL in 90 s; stderr:\n${stderr}`)), 90_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      try {
        const doc = JSON.parse(stdout) as { url: string; port: number };
        clearTimeout(timer);
        resolve(doc);
      } catch {
        // Not the whole document yet.
      }
    });
    child.once('exit', (code) => reject(new Error(`semslam serve exited (${code}); stderr:\n${stderr}`)));
  });
  return {
    url,
    port,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Clicks `selector`, saves the download it starts to `path` and returns the file name the page gave it. */
export async function clickToDownload(page: Page, selector: string, path: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  await download.saveAs(path);
  return download.suggestedFilename();
}

export interface PixelStats {
  width: number;
  height: number;
  /** Fraction of pixels that differ from the background colour. */
  coverage: number;
  /** Mean R, G, B over the covered pixels. */
  mean: [number, number, number];
  /** Mean saturation-like spread (max − min channel) over covered pixels. */
  chroma: number;
}

/** Statistics of a PNG screenshot of the 3D view; background = the clear colour (≈ 20, 23, 28). */
export function pixelStats(png: Uint8Array): PixelStats {
  const img = decode(png);
  const ch = img.channels;
  const d = img.data;
  let covered = 0;
  const sum = [0, 0, 0];
  let chroma = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const r = d[i * ch], g = d[i * ch + 1], b = d[i * ch + 2];
    if (Math.abs(r - 20) + Math.abs(g - 23) + Math.abs(b - 28) < 12) continue;
    covered++;
    sum[0] += r;
    sum[1] += g;
    sum[2] += b;
    chroma += Math.max(r, g, b) - Math.min(r, g, b);
  }
  const c = Math.max(1, covered);
  return { width: img.width, height: img.height, coverage: covered / n, mean: [sum[0] / c, sum[1] / c, sum[2] / c], chroma: chroma / c };
}
