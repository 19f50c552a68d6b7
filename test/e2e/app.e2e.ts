/**
 * The app end to end, in web mode: `semslam serve` (real session runner, demo scene through the real
 * fusion core) and the real renderer bundle in headless Chromium (WebGL2 via SwiftShader).
 * Pictures are compared by pixel statistics; copies are left in .cache/e2e/ for a human to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { decodePly } from '../../main/export/ply.js';
import { clickToDownload, launchChromium, pixelStats, startServe } from './harness.js';
import type { ServeProcess } from './harness.js';

const ARTIFACTS = join(process.cwd(), '.cache', 'e2e');
let serve: ServeProcess;
let dir: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

/** The full-detail image of the current map and view is on screen (the progressive redraw has caught up). */
const fullDetail = async (): Promise<void> => {
  await page.waitForSelector('#view[data-detail="full"]', { timeout: 60_000 });
};
const surfels = (): Promise<number> => page.evaluate(() => Number(document.getElementById('status-surfels')?.dataset.count ?? 0));
const viewPng = async (name: string): Promise<Uint8Array> => {
  const png = await page.locator('#view').screenshot();
  await writeFile(join(ARTIFACTS, `${name}.png`), png);
  return new Uint8Array(png);
};

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await mkdtemp(join(tmpdir(), 'semslam-e2e-'));
  // Browser first: a missing Chromium fails fast with the install hint.
  browser = await launchChromium();
  serve = await startServe(['--database', join(dir, 'sessions.db')]);
  page = await browser.newPage({ viewport: { width: 1000, height: 640 }, acceptDownloads: true });
  page.setDefaultTimeout(90_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(serve.url);
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('semslam web mode, end to end', () => {
  it('refuses the page without the token', async () => {
    const res = await fetch(`http://127.0.0.1:${serve.port}/`);
    expect(res.status).toBe(403);
  });

  it('replays the demo: the surfel count grows and the legend lists classes', async () => {
    await page.waitForSelector('#connection:has-text("connected")');
    expect(await surfels()).toBe(0);
    await page.click('#demo');
    await page.waitForFunction(() => Number(document.getElementById('status-surfels')?.dataset.count ?? 0) > 0, null, { timeout: 120_000 });
    const first = await surfels();
    const firstFrame = Number(await page.textContent('#status-frame'));
    await page.waitForFunction((n) => Number(document.getElementById('status-surfels')?.dataset.count ?? 0) > n, first, { timeout: 120_000 });
    // A large frame's map delta arrives in several messages, so the count can grow while the frame is the same:
    // wait for the frame too (on a loaded machine the first frame's pieces spanned both checks).
    await page.waitForFunction((n) => Number(document.getElementById('status-frame')?.textContent ?? 0) > n, firstFrame, { timeout: 120_000 });
    await page.click('#pause');
    await page.waitForSelector('#playback-state[data-state="paused"]');
    const later = await surfels();
    expect(later).toBeGreaterThan(first);
    expect(Number(await page.textContent('#status-frame'))).toBeGreaterThan(firstFrame);
    expect(Number(await page.textContent('#status-fps'))).toBeGreaterThan(0);
    expect(await page.textContent('#status-tracking')).toMatch(/ok|initialising|relocalised|lost/);

    const classes = await page.$$eval('#legend li:not([hidden])', (rows) =>
      rows.map((r) => ({ name: r.querySelector('.name')!.textContent, count: Number(r.querySelector('.count')!.textContent!.replace(/,/g, '')) })));
    expect(classes.length).toBeGreaterThanOrEqual(3);
    expect(classes.map((c) => c.name)).toEqual(expect.arrayContaining(['floor', 'wall']));
    // The legend counts are the renderer's own map: they sum to the surfel count.
    expect(classes.reduce((s, c) => s + c.count, 0)).toBe(later);
    // The input panels received previews.
    const previewWidth = await page.$eval('#preview-rgb', (c) => (c as HTMLCanvasElement).width);
    expect(previewWidth).toBeGreaterThan(0);
  });

  it('colour modes change the picture', async () => {
    await page.click('#frame-map');
    const stats: Record<string, ReturnType<typeof pixelStats>> = {};
    for (const mode of ['semantic', 'rgb', 'normal', 'height']) {
      await page.selectOption('#color-mode', mode);
      await fullDetail();
      stats[mode] = pixelStats(await viewPng(`color-${mode}`));
    }
    for (const s of Object.values(stats)) expect(s.coverage).toBeGreaterThan(0.05);
    const dist = (a: number[], b: number[]): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    const modes = Object.keys(stats);
    for (let i = 0; i < modes.length; i++) {
      for (let j = i + 1; j < modes.length; j++) {
        const a = stats[modes[i]], b = stats[modes[j]];
        expect(dist(a.mean, b.mean) + Math.abs(a.chroma - b.chroma), `${modes[i]} vs ${modes[j]}`).toBeGreaterThan(8);
      }
    }
    // The demo room is mostly white and wood: RGB is less colourful than the semantic palette.
    expect(stats.rgb.chroma).toBeLessThan(stats.semantic.chroma);
  });

  it('while the view moves it draws the light level of detail (points), which shows the same map', async () => {
    await page.selectOption('#color-mode', 'semantic');
    type Debug = { semslamDebug: { drawMs(finish: boolean, moving?: boolean): number } };
    await page.evaluate(() => (window as unknown as Debug).semslamDebug.drawMs(true, false));
    const still = pixelStats(await viewPng('still'));
    await page.evaluate(() => (window as unknown as Debug).semslamDebug.drawMs(true, true));
    const moving = pixelStats(await viewPng('moving'));
    expect(moving.coverage).toBeGreaterThan(0.5 * still.coverage);
    expect(moving.coverage).toBeLessThan(1.5 * still.coverage);
    expect(Math.hypot(moving.mean[0] - still.mean[0], moving.mean[1] - still.mean[1], moving.mean[2] - still.mean[2])).toBeLessThan(25);
    // A drag on the canvas is navigation: the view settles back to full detail by itself.
    const box = (await page.locator('#view').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await fullDetail();
    expect(pageErrors).toEqual([]);
  });

  it('hiding classes in the legend removes them from the view', async () => {
    await page.selectOption('#color-mode', 'semantic');
    await fullDetail();
    const before = pixelStats(await viewPng('legend-all'));
    // All toggles in one task: the view redraws once on the next animation frame, not once per class.
    const setAll = (checked: boolean): Promise<void> => page.$$eval('#legend input[data-class-id]', (boxes, on) => {
      for (const b of boxes as HTMLInputElement[]) {
        if (b.checked !== on) b.click();
      }
    }, checked);
    await setAll(false);
    expect(await page.$$eval('#legend input:checked', (b) => b.length)).toBe(0);
    await fullDetail();
    const none = pixelStats(await viewPng('legend-none'));
    // Only the trajectory and camera lines are left.
    expect(none.coverage).toBeLessThan(0.01);
    await setAll(true);
    await fullDetail();
    const again = pixelStats(await viewPng('legend-again'));
    expect(again.coverage).toBeCloseTo(before.coverage, 2);
  });

  it('saves a screenshot as PNG', async () => {
    const path = join(ARTIFACTS, 'screenshot-button.png');
    expect(await clickToDownload(page, '#screenshot', path)).toMatch(/^semslam-.*\.png$/);
    const png = new Uint8Array(await readFile(path));
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const s = pixelStats(png);
    const canvas = await page.$eval('#view', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect([s.width, s.height]).toEqual(canvas);
    expect(s.coverage).toBeGreaterThan(0.05);
    await page.screenshot({ path: join(ARTIFACTS, 'app.png') });
    expect(pageErrors).toEqual([]);
  });

  it('exports the map as a PLY that the browser downloads, readable by our reader and in Open3D\'s conventions', async () => {
    const path = join(ARTIFACTS, 'export.ply');
    expect(await clickToDownload(page, '#export-ply', path)).toMatch(/^session-\d+-\d+\.ply$/);
    const bytes = new Uint8Array(await readFile(path));
    const ply = decodePly(path, bytes);
    // The file holds the backend's map, paused: the view shows exactly it once the updates in flight have landed
    // (a client that fell behind is sent the whole map when its socket drains).
    expect(ply.count).toBeGreaterThan(1000);
    await expect.poll(surfels, { timeout: 30_000 }).toBe(ply.count);
    // The renderer never had to repair its copy: every delta's total agreed with the view.
    expect(await page.$eval('#status-surfels', (e) => (e as HTMLElement).dataset.resyncs ?? '0')).toBe('0');
    const header = new TextDecoder().decode(bytes.subarray(0, 2000)).split('end_header')[0];
    // Open3D / CloudCompare / PCL read x y z, nx ny nz and uchar red green blue by these names.
    for (const p of ['float x', 'float y', 'float z', 'float nx', 'float ny', 'float nz', 'uchar red', 'uchar green', 'uchar blue', 'uchar label']) {
      expect(header).toContain(`property ${p}\n`);
    }
    expect(header).toMatch(/comment .*wall/);
    expect(Array.from(ply.labels).some((l) => l > 0)).toBe(true);
    expect(await page.textContent('#errors')).toMatch(/^Exported [\d,]+ surfels to /);
  });

  it('a session survives a server restart', async () => {
    const before = await page.$$eval('#sessions .name', (n) => n.map((e) => e.textContent));
    expect(before.length).toBeGreaterThanOrEqual(1);
    await serve.stop();
    serve = await startServe(['--database', join(dir, 'sessions.db'), '--no-build']);
    await page.goto(serve.url);
    await page.waitForSelector('#connection:has-text("connected")');
    await page.waitForFunction((n) => document.querySelectorAll('#sessions .name').length === n, before.length);
    expect(await page.$$eval('#sessions .name', (n) => n.map((e) => e.textContent))).toEqual(before);
    expect(await surfels()).toBe(0);
    await page.click('#sessions li:first-child button:has-text("Open")');
    await page.waitForFunction(() => Number(document.getElementById('status-surfels')?.dataset.count ?? 0) > 1000);
    await page.waitForSelector('#playback-state[data-state="finished"]', { timeout: 10_000 });
    expect(pageErrors).toEqual([]);
  });
});
