/**
 * A real 640×480 RGB-D sequence (7-Scenes, from /work/shared/data/real) replayed in web mode, as a user would
 * with Chromium's software WebGL: while the backend maps, the page keeps answering and shows each frame's status
 * as the backend sends it. "The backend" is a second WebSocket client of the same server, which nothing slows
 * down. The page's own delays are told from the machine's (a busy CI machine delays every process) by a control:
 * an empty page in the same browser, asked and poked the same way at the same moments.
 * The targets (scripts and input within 100 ms p95, status within 1 s) are speed targets, which the project checks
 * with benchmarks (`npm run bench -- render` and the figures this test prints), not here: on a 2-core machine
 * SwiftShader, the mapping and the page share the cores, and one CI run saw the page answer in 1.5 s (p95) and show
 * the status 2.4 s late while this machine, alone, measured 0.4 s and 0.2 s. The test holds the page to what
 * tells a view that blocks (a page that stops answering, a status that stops moving) from a slow machine: every
 * script and every frame's status within BLOCKED_MS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { decodeWire } from '../../main/contract/wire.js';
import { launchChromium, startServe } from './harness.js';
import type { ServeProcess } from './harness.js';

/** Longer than any wait a loaded 2-core machine has shown (2.6 s), far shorter than a page that stopped. */
const BLOCKED_MS = 8000;
const SEQUENCE = '/work/shared/data/real/7scenes-redkitchen-150-199';
if (!existsSync(SEQUENCE)) throw new Error(`${SEQUENCE} is missing: the real-data e2e test reads it (see /work/shared/data/real)`);

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let control: Page;
const pageErrors: string[] = [];

const quantile = (values: number[], q: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
};

beforeAll(async () => {
  browser = await launchChromium();
  serve = await startServe(['--database', join(await mkdtemp(join(tmpdir(), 'semslam-replay-e2e-')), 'sessions.db')]);
  page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  page.setDefaultTimeout(90_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(serve.url);
  await page.waitForSelector('#connection:has-text("connected")');
  control = await browser.newPage({ viewport: { width: 400, height: 300 } });
  await control.setContent('<canvas id="view" width="400" height="300"></canvas>');
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('replaying a real 640×480 sequence in web mode (software WebGL)', () => {
  it('keeps answering input and shows the status as the backend sends it', async () => {
    // The backend's clock: when each frame's status left the server.
    const sentAt = new Map<number, number>();
    let lastSurfels = 0;
    const backend = new WebSocket(serve.url.replace(/^http/, 'ws') + 'ws');
    backend.binaryType = 'nodebuffer';
    backend.on('message', (data: Buffer, isBinary: boolean) => {
      const now = Date.now();
      const m = decodeWire(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString('utf8'));
      if (!m.ok || m.value.t !== 'evt' || m.value.channel !== 'frameStats') return;
      const s = m.value.payload as { frame: number; surfels: number };
      if (!sentAt.has(s.frame)) sentAt.set(s.frame, now);
      lastSurfels = s.surfels;
    });
    await new Promise((resolve, reject) => { backend.once('open', resolve); backend.once('error', reject); });

    // How long input events wait for a page: the same probe in the app and in the control.
    const probeInput = (): void => {
      const w = window as unknown as { inputDelays: number[] };
      w.inputDelays = [];
      const view = document.getElementById('view')!;
      for (const type of ['wheel', 'pointermove']) view.addEventListener(type, (e) => w.inputDelays.push(performance.now() - e.timeStamp));
    };
    await control.evaluate(probeInput);
    await page.evaluate(probeInput);
    // The page's clock: when each frame number appeared.
    await page.evaluate(() => {
      const w = window as unknown as { shownAt: [number, number][] };
      w.shownAt = [];
      const frame = document.getElementById('status-frame')!;
      new MutationObserver(() => w.shownAt.push([Number(frame.textContent), Date.now()])).observe(frame, { childList: true, characterData: true, subtree: true });
      const lw = window as unknown as { longTasks: number[] };
      lw.longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) lw.longTasks.push(Math.round(e.duration)); }).observe({ type: 'longtask' });
    });

    // Chromium has WebGL2: the view learns from fences when the GPU is done and never waits for it.
    expect(await page.evaluate(() => (window as unknown as { semslamDebug: { gpuWait(): string } }).semslamDebug.gpuWait())).toBe('fence');
    await page.fill('#source-path', SEQUENCE);
    await page.selectOption('#mode', 'rgbd');
    await page.click('#replay');
    const box = (await page.locator('#view').boundingBox())!;
    const scriptMs: number[] = [];
    const controlMs: number[] = [];
    const poke = async (p: Page, x: number, y: number, k: number): Promise<void> => {
      await p.mouse.move(x, y);
      await p.mouse.wheel(0, k % 16 === 0 ? 120 : -120);
      await p.mouse.down();
      await p.mouse.move(x + 25, y + 5, { steps: 3 });
      await p.mouse.up();
    };
    const t0 = Date.now();
    let k = 0;
    for (;;) {
      const s = performance.now();
      const state = await page.evaluate(() => document.getElementById('playback-state')?.dataset.state);
      scriptMs.push(performance.now() - s);
      const c = performance.now();
      await control.evaluate(() => document.getElementById('view')?.id);
      controlMs.push(performance.now() - c);
      if (state === 'finished' || state === 'error') break;
      expect(Date.now() - t0, 'the replay of 50 frames finishes within 4 minutes').toBeLessThan(240_000);
      // A user turning the view now and then: light images while moving, progressive full detail after.
      if (++k % 8 === 0) {
        await poke(page, box.x + box.width / 2, box.y + box.height / 2, k);
        await poke(control, 200, 150, k);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // The only message is the reader's note on 7-Scenes' unregistered colour, not an error.
    expect(await page.textContent('#errors')).not.toMatch(/could not|failed|lost the connection/i);
    expect(await page.$eval('#playback-state', (e) => (e as HTMLElement).dataset.state)).toBe('finished');
    backend.close();

    const { shownAt, inputDelays } = await page.evaluate(() => {
      const w = window as unknown as { shownAt: [number, number][]; inputDelays: number[] };
      return { shownAt: w.shownAt, inputDelays: w.inputDelays };
    });
    const controlInput = await control.evaluate(() => (window as unknown as { inputDelays: number[] }).inputDelays);
    // Each frame the backend sent: how long until the page showed it (or a later one).
    const statusLag: number[] = [];
    for (const [frame, at] of sentAt) {
      const shown = shownAt.find(([f]) => f >= frame);
      expect(shown, `frame ${frame} was never shown`).toBeDefined();
      statusLag.push(shown![1] - at);
    }
    expect(sentAt.size).toBe(50);
    const figures = {
      frames: sentAt.size, seconds: (Date.now() - t0) / 1000, surfels: lastSurfels,
      scriptMsP50: quantile(scriptMs, 0.5), scriptMsP95: quantile(scriptMs, 0.95), scriptMsMax: Math.max(...scriptMs), scripts: scriptMs.length,
      controlScriptMsP95: quantile(controlMs, 0.95),
      inputDelayMsP95: quantile(inputDelays, 0.95), inputDelayMsMax: Math.max(...inputDelays), inputs: inputDelays.length,
      controlInputDelayMsP95: quantile(controlInput, 0.95),
      statusLagMsP50: quantile(statusLag, 0.5), statusLagMsP95: quantile(statusLag, 0.95), statusLagMsMax: Math.max(...statusLag),
    };
    const longest = await page.evaluate(() => ({
      ...(window as unknown as { semslamDebug: { longest(): Record<string, number> } }).semslamDebug.longest(),
      longTasks: (window as unknown as { longTasks: number[] }).longTasks.sort((a, b) => b - a).slice(0, 20),
    }));
    process.stderr.write(`replay e2e: longest page work (ms) ${JSON.stringify(longest)}\n`);
    process.stderr.write(`replay e2e (${SEQUENCE}): ${JSON.stringify(figures)}\n`);
    expect(inputDelays.length).toBeGreaterThan(10);
    expect(controlInput.length).toBeGreaterThan(10);
    expect(figures.scriptMsMax - figures.controlScriptMsP95, 'the page answered a script').toBeLessThan(BLOCKED_MS);
    expect(figures.inputDelayMsMax - figures.controlInputDelayMsP95, 'the page took an input').toBeLessThan(BLOCKED_MS);
    expect(figures.statusLagMsMax, "the page showed a frame's status").toBeLessThan(BLOCKED_MS);

    // Once the replay is over the view catches up: the whole map in full detail.
    await page.waitForSelector('#view[data-detail="full"]', { timeout: 120_000 });
    expect(Number(await page.$eval('#status-surfels', (e) => (e as HTMLElement).dataset.count))).toBe(lastSurfels);

    // A page opened now (a second window, a reload) gets the whole map, in parts, and holds all of it.
    const late = await browser.newPage({ viewport: { width: 600, height: 400 } });
    late.on('pageerror', (e) => pageErrors.push(e.message));
    await late.goto(serve.url);
    await late.waitForFunction((n) => Number(document.getElementById('status-surfels')?.dataset.count) === n, lastSurfels, { timeout: 60_000 });
    expect(await late.$eval('#status-surfels', (e) => (e as HTMLElement).dataset.resyncs ?? '0')).toBe('0');
    await late.close();
    expect(pageErrors).toEqual([]);
  });
});
