/**
 * The app's open dialog in web mode: a TUM-layout folder whose files do not say which camera took it is
 * replayed with the camera and depth scale chosen in the page (typed fx fy cx cy, a named camera, a
 * calibration file), and reaches the session runner through the CLI's own parsers: the session in the
 * SQLite file has those intrinsics. Bad fields are clear errors that mark the field and never end or lose a
 * session. The session's map and trajectory download as a ROS 2 bag (Export MCAP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { scaleIntrinsics } from '../../fusion/camera.js';
import { CAMERA_PRESETS } from '../../main/sources/cameraPresets.js';
import { SessionStore } from '../../main/store/sessionStore.js';
import type { SessionRecord } from '../../main/store/records.js';
import { clickToDownload, launchChromium, startServe } from './harness.js';
import type { ServeProcess } from './harness.js';

const run = promisify(execFile);
/** The generator's camera at 160×120 (what its semslam.json said before the test removed it). */
const TRUE_CAMERA = { width: 160, height: 120, fx: 131.25, fy: 131.25, cx: 79.5, cy: 59.5 };

let dir: string;
let db: string;
let sequence: string;
let serve: ServeProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function sessions(): SessionRecord[] {
  if (!existsSync(db)) return [];
  const store = SessionStore.open(db, { access: 'readonly', check: false });
  try {
    return store.list();
  } finally {
    store.close();
  }
}

const errorText = async (): Promise<string> => (await page.textContent('#errors')) ?? '';
const invalidFields = (): Promise<string[]> => page.$$eval('[aria-invalid="true"]', (els) => els.map((e) => e.id));

/**
 * Clicks Replay and waits until the session it starts has finished. The page says where the camera came from
 * (the reader's note, shown as a notice): `note` is what it must say.
 */
async function replayToEnd(note: RegExp): Promise<SessionRecord> {
  const before = sessions().length;
  await page.click('#replay');
  // The database says when this session has finished (the page still shows the previous one's "finished" a moment).
  await expect.poll(() => sessions().length === before + 1 && sessions()[0].status === 'finished', { timeout: 120_000 }).toBe(true);
  await expect.poll(errorText, { timeout: 10_000 }).toMatch(note);
  await page.waitForSelector('#playback-state[data-state="finished"]');
  return sessions()[0];
}

const sessionNames = (): Promise<string[]> => page.$$eval('#sessions .name', (n) => n.map((e) => e.textContent ?? ''));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semslam-open-e2e-'));
  db = join(dir, 'sessions.db');
  sequence = join(dir, 'other-camera');
  await run(process.execPath, ['bin/semslam.js', 'gen', '--format', 'tum', '--frames', '6', '--size', '160x120', '--seed', '5', '--out', sequence]);
  // A TUM-layout folder from another camera: nothing in it says which (the reader would assume freiburg1).
  await rm(join(sequence, 'semslam.json'));
  browser = await launchChromium();
  serve = await startServe(['--database', db]);
  page = await browser.newPage({ viewport: { width: 1000, height: 700 }, acceptDownloads: true });
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(serve.url);
  await page.waitForSelector('#connection:has-text("connected")');
  await page.fill('#source-path', sequence);
  await page.click('#source-camera summary');
});

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the open dialog\'s camera and depth scale (web mode)', () => {
  it('typed fx, fy, cx, cy and a depth scale reach the session', async () => {
    expect(await page.isVisible('#source-intrinsics')).toBe(false);
    await page.selectOption('#source-camera-kind', 'intrinsics');
    expect(await page.isVisible('#source-intrinsics')).toBe(true);
    await page.fill('#source-intrinsics', '131.25, 131.25, 79.5, 59.5');
    await page.fill('#source-depth-scale', '5000');
    const s = await replayToEnd(/^intrinsics from the intrinsics typed in the open dialog$/);
    expect(s.source).toBe(sequence);
    expect(s.intrinsics).toEqual(TRUE_CAMERA);
    expect(s.status).toBe('finished');
    expect(s.frameCount).toBe(6);
  });

  it('a named camera: its calibration rescaled to the images', async () => {
    await page.selectOption('#source-camera-kind', 'preset:tum-fr2');
    await page.fill('#source-depth-scale', '');
    const s = await replayToEnd(/^intrinsics from TUM RGB-D freiburg2 Kinect \(tum-fr2\)$/);
    const want = scaleIntrinsics(CAMERA_PRESETS['tum-fr2'].intrinsics, 160, 120);
    for (const k of ['fx', 'fy', 'cx', 'cy'] as const) expect(s.intrinsics[k]).toBeCloseTo(want[k], 9);
    expect(s.intrinsics.fx).not.toBeCloseTo(TRUE_CAMERA.fx, 1);
  });

  it('a calibration file (ROS camera_info YAML) picked in the page', async () => {
    await page.selectOption('#source-camera-kind', 'file');
    const yaml = 'image_width: 160\nimage_height: 120\ncamera_name: other\ncamera_matrix:\n  rows: 3\n  cols: 3\n'
      + '  data: [131.25, 0, 79.5, 0, 131.25, 59.5, 0, 0, 1]\ndistortion_model: plumb_bob\n';
    await page.setInputFiles('#source-calibration', { name: 'other.yaml', mimeType: 'application/x-yaml', buffer: Buffer.from(yaml) });
    const s = await replayToEnd(/^intrinsics from other\.yaml$/);
    expect(s.intrinsics).toEqual(TRUE_CAMERA);
  });

  it('a colour camera typed: the session registers colour to depth through it', async () => {
    // The colour camera is the depth camera itself (no offset), so the frames stay as generated. The note rounds
    // focal lengths to 0.1 px.
    await page.fill('#source-colour-camera', '131.25, 131.25, 79.5, 59.5, 0, 0, 0');
    const s = await replayToEnd(/^colour registered to depth through the colour camera 131\.3,131\.3,79\.5,59\.5,0,0,0 \(from the colour camera typed in the open dialog\)$/);
    expect(s.intrinsics).toEqual(TRUE_CAMERA);
    expect(s.status).toBe('finished');
    await page.fill('#source-colour-camera', '');
  });

  it('bad fields: a clear error that marks the field; nothing is started, stopped or lost', async () => {
    const saved = sessions();
    expect(saved.length).toBe(4);
    await expect.poll(sessionNames, { timeout: 10_000 }).toEqual(saved.map((s) => s.name));
    const state = await page.getAttribute('#playback-state', 'data-state');
    const expectNothingChanged = async (): Promise<void> => {
      expect(sessions()).toEqual(saved);
      expect(await page.getAttribute('#playback-state', 'data-state')).toBe(state);
      expect(await sessionNames()).toEqual(saved.map((s) => s.name));
    };

    // Chosen, left empty: the page says so without asking the backend.
    await page.selectOption('#source-camera-kind', 'intrinsics');
    await page.fill('#source-intrinsics', '');
    await page.click('#replay');
    await expect.poll(errorText).toMatch(/^Intrinsics: type fx, fy, cx, cy in pixels/);
    expect(await invalidFields()).toEqual(['source-intrinsics']);
    await expectNothingChanged();

    // Garbled: the CLI's parser answers, naming the field and what it got.
    await page.fill('#source-intrinsics', '525, 525, abc, 239.5');
    expect(await invalidFields()).toEqual([]); // typing clears the mark
    await page.click('#replay');
    await expect.poll(errorText).toBe('Intrinsics: expected fx,fy,cx,cy (pixels) or fx,fy,cx,cy,width,height, got "525, 525, abc, 239.5"');
    expect(await invalidFields()).toEqual(['source-intrinsics']);
    await expectNothingChanged();

    await page.fill('#source-intrinsics', '525, -525, 319.5, 239.5');
    await page.click('#replay');
    await expect.poll(errorText).toBe('Intrinsics: focal lengths must be positive, got fx 525, fy -525');
    await expectNothingChanged();

    // A depth scale that is not a number.
    await page.fill('#source-intrinsics', '131.25, 131.25, 79.5, 59.5');
    await page.fill('#source-depth-scale', 'mm');
    await page.click('#replay');
    await expect.poll(errorText).toMatch(/^Depth scale: expected depth units per metre \(1000 for millimetres, 5000 for TUM\), got "mm"/);
    expect(await invalidFields()).toEqual(['source-depth-scale']);
    await expectNothingChanged();
    await page.fill('#source-depth-scale', '');

    // A colour camera with a number missing: --colour-camera's parser answers, naming the field.
    await page.fill('#source-colour-camera', '525, 525, 320, 235, -0.03, 0');
    await page.click('#replay');
    await expect.poll(errorText).toBe('Colour camera: expected seven numbers fx,fy,cx,cy,tx,ty,tz (pixels, metres) or "none", got "525, 525, 320, 235, -0.03, 0"');
    expect(await invalidFields()).toEqual(['source-colour-camera']);
    await expectNothingChanged();
    await page.fill('#source-colour-camera', '');

    // A camera file with fields missing, and one that is not YAML at all: named by the file's name.
    await page.selectOption('#source-camera-kind', 'file');
    await page.setInputFiles('#source-calibration', { name: 'partial.yaml', mimeType: 'application/x-yaml', buffer: Buffer.from('image_width: 160\nimage_height: 120\nfx: 131.25\n') });
    await page.click('#replay');
    await expect.poll(errorText).toMatch(/^partial\.yaml: no camera matrix: expected camera_matrix .* missing fy, cx, cy$/);
    expect(await invalidFields()).toEqual(['source-calibration']);
    await page.setInputFiles('#source-calibration', { name: 'notes.yaml', mimeType: 'application/x-yaml', buffer: Buffer.from('camera_matrix: [1, 2\n  : : :\n') });
    await page.click('#replay');
    await expect.poll(errorText).toMatch(/^notes\.yaml: not valid YAML/);
    await expectNothingChanged();
    expect(pageErrors).toEqual([]);
  });

  it('Export MCAP: the browser downloads the session\'s map and trajectory as a ROS 2 bag', async () => {
    const path = join(dir, 'download.mcap');
    expect(await clickToDownload(page, '#export-mcap', path)).toMatch(/^session-\d+-\d+\.mcap$/);
    expect(await errorText()).toMatch(/^Exported [\d,]+ surfels and 6 poses to /);
    const handle = await open(path, 'r');
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
      const counts = new Map([...reader.channelsById.values()].map((c) => [c.topic, Number(reader.statistics?.channelMessageCounts.get(c.id) ?? 0)]));
      expect(counts.get('/semslam/pose')).toBe(6);
      expect(counts.get('/semslam/map')).toBe(1);
      expect([...reader.schemasById.values()].map((s) => s.name)).toContain('sensor_msgs/msg/PointCloud2');
    } finally {
      await handle.close();
    }
    expect((await readFile(path)).subarray(1, 5).toString('latin1')).toBe('MCAP');
  });
});
