/**
 * The live camera end to end: Chromium's fake camera plays a Y4M video made from a generated sequence,
 * the renderer captures it with getUserMedia and sends frames over the WebSocket, `semslam serve` maps them
 * in rgb mode with an ONNX network (random weights at trained scale: the test is about the data path, not
 * accuracy), records them as a TUM sequence, and the recording replays through our own reader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { openSequence } from '../../main/sources/open.js';
import { createSyntheticSequence } from '../../main/synth/sequence.js';
import { pythonFixtures } from '../perception/helpers.js';
import { fakeCameraArgs, launchChromium, startServe } from './harness.js';
import type { ServeProcess } from './harness.js';

let serve: ServeProcess;
let browser: Browser;
let page: Page;
let dir: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semslam-camera-e2e-'));
  const video = join(dir, 'room.y4m');
  await promisify(execFile)(process.execPath, ['bin/semslam.js', 'gen', '--seed', '2', '--frames', '45', '--size', '320x240', '--format', 'y4m', '--out', video]);
  const model = join(await pythonFixtures('make_graph_fixtures.py'), 'joint-scaled.onnx');
  browser = await launchChromium(fakeCameraArgs(video));
  serve = await startServe(['--database', join(dir, 'sessions.db'), '--model', model]);
  page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  page.setDefaultTimeout(90_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(serve.url);
  await page.waitForSelector('#connection:has-text("connected")');
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

describe('live camera in web mode', () => {
  it('maps the fake camera in rgb mode, records it, and the recording replays', async () => {
    await page.selectOption('#camera-size', '320x240');
    await page.check('#camera-record');
    await page.click('#camera');
    await page.waitForSelector('#camera-state[data-state="running"]');
    expect(await page.textContent('#camera-state')).toContain('recording to');
    await page.waitForFunction(() => Number(document.getElementById('status-surfels')?.dataset.count ?? 0) > 0, null, { timeout: 180_000 });
    await page.waitForFunction(() => Number(document.getElementById('status-frame')?.textContent ?? -1) >= 5, null, { timeout: 180_000 });
    expect(await page.$eval('#preview-rgb', (c) => (c as HTMLCanvasElement).width)).toBeGreaterThan(0);
    const sent = Number(await page.$eval('#camera-state', (e) => (e as HTMLElement).dataset.sent));
    expect(sent).toBeGreaterThanOrEqual(6);
    // Live playback has no length and cannot seek.
    expect(await page.textContent('#playback-state')).toMatch(/^playing · frame \d+ · 1×$/);

    await page.click('#camera-stop');
    await page.waitForSelector('#camera-state[data-state="idle"]');
    await page.waitForFunction(() => /was saved/.test(document.getElementById('errors')?.textContent ?? ''));
    const notice = (await page.textContent('#errors'))!;
    const frames = Number(/\((\d+) frames\)/.exec(notice)?.[1]);
    expect(frames).toBeGreaterThanOrEqual(6);
    const recording = /recording in (.+)\.$/.exec(notice)?.[1];
    expect(recording, notice).toBeTruthy();

    // The session is listed, named after the camera.
    await page.waitForFunction(() => [...document.querySelectorAll('#sessions .name')].some((n) => /^camera /.test(n.textContent ?? '')));

    // The recording is a TUM sequence of the processed frames, with the network's depth.
    const rgbTxt = (await readFile(join(recording!, 'rgb.txt'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rgbTxt).toHaveLength(frames);
    expect(await readdir(join(recording!, 'depth'))).toHaveLength(frames);
    const reader = await openSequence(recording!);
    expect(reader.info.format).toBe('tum');
    expect([reader.info.width, reader.info.height, reader.info.frames]).toEqual([320, 240, frames]);
    // Default 60° field of view.
    expect(reader.info.intrinsics.fx).toBeCloseTo(160 / Math.tan(Math.PI / 6), 3);
    const f = await reader.read(0);
    let valid = 0;
    for (const d of f.depth) if (d > 0) valid++;
    expect(valid / f.depth.length).toBeGreaterThan(0.5);
    // The fake camera's picture reached the recording: it is one of the generated frames (the video loops),
    // up to 4:2:0 chroma and the browser's colour conversion.
    const sequence = createSyntheticSequence({ seed: 2, frames: 45, width: 320, height: 240, noise: 'none' });
    let best = Infinity;
    for await (const g of sequence.frames()) {
      let diff = 0;
      for (let i = 0; i < g.rgb.length; i++) diff += Math.abs(g.rgb[i] - f.rgb[i]);
      best = Math.min(best, diff / g.rgb.length);
    }
    expect(best).toBeLessThan(4);
    expect(pageErrors).toEqual([]);
  });

  it('takes a ROS camera_info YAML as the calibration (the parser --camera uses), and names a bad one', async () => {
    const bad = join(dir, 'partial.yaml');
    await writeFile(bad, 'image_width: 640\nimage_height: 480\nfx: 500\n');
    await page.selectOption('#camera-size', '320x240');
    await page.uncheck('#camera-record');
    await page.setInputFiles('#camera-calibration', bad);
    await page.click('#camera');
    await page.waitForFunction(() => /partial\.yaml: no camera matrix/.test(document.getElementById('errors')?.textContent ?? ''));
    await page.waitForSelector('#camera-state[data-state="idle"]');

    const good = join(dir, 'webcam.yaml');
    await writeFile(good, ['image_width: 640', 'image_height: 480', 'camera_name: webcam', 'camera_matrix:', '  rows: 3', '  cols: 3',
      '  data: [520, 0, 319.5, 0, 516, 239.5, 0, 0, 1]', 'distortion_model: plumb_bob', 'distortion_coefficients:', '  rows: 1', '  cols: 5',
      '  data: [0, 0, 0, 0, 0]', ''].join('\n'));
    await page.setInputFiles('#camera-calibration', good);
    await page.check('#camera-record');
    // Every message the page shows (a later one replaces an earlier one in the box).
    await page.evaluate(() => {
      const w = window as unknown as { shown: string[] };
      w.shown = [];
      const box = document.getElementById('errors')!;
      new MutationObserver(() => w.shown.push(box.textContent ?? '')).observe(box, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#camera');
    await page.waitForSelector('#camera-state[data-state="running"]');
    // The backend says it rescaled the 640×480 calibration to the 320×240 capture.
    await page.waitForFunction(() => (window as unknown as { shown: string[] }).shown.some((m) => /webcam\.yaml: calibrated at 640×480, images are 320×240; intrinsics rescaled/.test(m)));
    await page.waitForFunction(() => Number(document.getElementById('status-frame')?.textContent ?? -1) >= 2, null, { timeout: 180_000 });
    await page.click('#camera-stop');
    await page.waitForSelector('#camera-state[data-state="idle"]');
    await page.waitForFunction(() => /recording in .+\.$/.test(document.getElementById('errors')?.textContent ?? ''));
    const recording = /recording in (\S+)\.$/.exec((await page.textContent('#errors'))!)?.[1];
    const reader = await openSequence(recording!);
    expect(reader.info.intrinsics).toMatchObject({ width: 320, height: 240, fx: 260, fy: 258, cx: 159.5, cy: 119.5 });
    await reader.close?.();
    await page.setInputFiles('#camera-calibration', []);
    expect(pageErrors).toEqual([]);
  });
});
