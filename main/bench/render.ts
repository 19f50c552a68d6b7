/**
 * Render benchmark: `npm run bench -- render [--json] [--surfels N] [--draws K] [--frames F]`.
 * 1. Map-delta traffic: the demo (what `startReplay({source:'demo'})` plays) replayed by the real session runner (PipelineSession, every frame) for F
 *    frames; bytes and packets of the mapDelta events per frame and per second of replay.
 * 2. Renderer frame time: web mode serving a map of N surfels (default 2,000,000, on the walls, floor and
 *    ceiling of a 6 × 3 × 5 m room) to the real renderer in headless Chromium (WebGL2 on SwiftShader,
 *    i.e. a CPU rasteriser: a GPU is far faster); time to receive and upload it, then K redraws at the
 *    navigation level of detail (what a user sees while moving the view) and --full-draws redraws of every
 *    surfel (the still view), each waiting for the GPU process through a 1-pixel readPixels; median and p95 ms.
 * 3. The progressive full-detail redraw (what the app does by itself, renderer/scene/progressive.ts): the view is
 *    moved once, then, until the full-detail image is whole: how long that took, the longest slice of drawing one
 *    animation frame held, and how long the page took to answer a trivial script sent every 50 ms (p50, p95, max),
 *    as a user's input would wait; beside it, the same script to an empty page of the same browser (the machine's share
 *    of the delay, which on a loaded machine alone misses 100 ms).
 *    Lower is better for every time.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { printJson } from '../cli/output.js';
import type { AppBackend } from '../contract/backend.js';
import { BackendError } from '../contract/backend.js';
import type { AppEvent } from '../contract/channels.js';
import { encodeMapDelta } from '../contract/mapDelta.js';
import { DEMO_SEQUENCE_SPEC } from '../session/openSource.js';
import { PipelineSession } from '../session/pipelineSession.js';
import { buildRenderer, DEFAULT_RENDERER_DIR } from '../web/buildRenderer.js';
import { launchChromium } from '../web/headlessChromium.js';
import { startWebServer } from '../web/server.js';
import type { Page } from 'playwright-core';
import { MOVING_TARGET_MS } from '../../renderer/scene/lod.js';
import { DEFAULT_SURFEL_LAYER_SETTINGS } from '../../renderer/scene/surfelLayer.js';

interface DeltaTraffic {
  frames: number;
  packets: number;
  bytes: number;
  surfelsSent: number;
  finalSurfels: number;
  seconds: number;
  bytesPerFrame: number;
  bytesPerSecond: number;
}

async function measureDeltas(frames: number): Promise<DeltaTraffic> {
  const session = await PipelineSession.start({ source: DEMO_SEQUENCE_SPEC, mode: 'rgbd', pacing: 'everyFrame', paused: true, maxFrames: frames });
  let packets = 0;
  let bytes = 0;
  let surfelsSent = 0;
  let finalSurfels = 0;
  session.onEvent((e: AppEvent) => {
    if (e.channel !== 'mapDelta') return;
    packets++;
    bytes += e.payload.packet.byteLength;
    const view = new DataView(e.payload.packet.buffer, e.payload.packet.byteOffset);
    surfelsSent += view.getUint32(12, true);
    finalSurfels = view.getUint32(20, true);
  });
  const t0 = performance.now();
  await session.play();
  await session.finished;
  const seconds = (performance.now() - t0) / 1000;
  await session.stop().catch(() => undefined);
  return { frames, packets, bytes, surfelsSent, finalSurfels, seconds, bytesPerFrame: bytes / frames, bytesPerSecond: bytes / seconds };
}

/** N surfels on the six faces of a room, facing inwards, with plausible classes and colours. */
function roomMap(n: number): Uint8Array {
  const positions = new Float32Array(3 * n);
  const normals = new Float32Array(3 * n);
  const colors = new Uint8Array(3 * n);
  const labels = new Uint8Array(n);
  const size = [6, 3, 5];
  // Face k: axis k>>1, at min (even) or max (odd); OpenCV world: y down, so y max is the floor.
  const faceLabel = [11, 11, 3, 5, 12, 12]; // wall, wall, ceiling, floor, window, window
  let seed = 12345;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < n; i++) {
    const face = i % 6;
    const axis = face >> 1;
    const p = [rand() * size[0] - size[0] / 2, rand() * size[1] - size[1] / 2, rand() * size[2]];
    p[axis] = axis === 2 ? (face & 1 ? size[2] : 0) : (face & 1 ? 1 : -1) * (size[axis] / 2);
    positions.set(p, 3 * i);
    normals[3 * i + axis] = face & 1 ? -1 : 1;
    const shade = 150 + Math.floor(rand() * 80);
    colors.set([shade, shade - 10, shade - 30], 3 * i);
    labels[i] = faceLabel[face];
  }
  return encodeMapDelta({
    count: n, ids: Uint32Array.from({ length: n }, (_, i) => i), positions, normals, colors,
    radii: new Float32Array(n).fill(0.006), confidence: new Float32Array(n).fill(10), labels,
  }, { reset: true, frame: 0, total: n });
}

function staticMapBackend(packet: Uint8Array): AppBackend {
  const none = async (): Promise<never> => {
    throw new BackendError('unavailable', 'benchmark backend: map only');
  };
  return {
    onEvent: () => () => undefined,
    dispose: async () => undefined,
    listSessions: async () => ({ sessions: [] }),
    getPlayback: async () => ({ state: 'idle', sessionId: null, source: null, mode: 'rgbd', frame: -1, frames: 0, speed: 1, realtime: false }),
    getMap: async () => ({ packet }),
    openSession: none, renameSession: none, deleteSession: none, startReplay: none, startCamera: none, cameraFrame: none, stopCamera: none,
    play: none, pause: none, step: none, setSpeed: none, seek: none, exportMap: none,
  };
}

interface DrawTimes {
  /** Surfels drawn per frame. */
  drawn: number;
  draws: number;
  msMedian: number;
  msP95: number;
}

interface RenderTiming {
  surfels: number;
  packetBytes: number;
  loadSeconds: number;
  viewport: string;
  /** Every surfel, as when the view is still. */
  full: DrawTimes | { error: string };
  /** While the user navigates: the level of detail, its budget adapted to the frame time (at most movingBudget). */
  moving: DrawTimes | { error: string; drawn: number };
  movingBudget: number;
  progressive: ProgressiveTiming;
}

interface ProgressiveTiming {
  /** From the view's last move to the whole full-detail image on screen. */
  completeSeconds: number;
  passes: number;
  sliceMs: number;
  maxSliceMs: number;
  splatsPerMs: number;
  /** Round trips of a trivial page.evaluate while the pass ran. */
  answers: number;
  answerMsP50: number;
  answerMsP95: number;
  answerMsMax: number;
  /**
   * The same trivial script sent at the same moments to an empty page of the same browser: what the machine's
   * scheduling alone costs (on a shared, loaded machine it misses 100 ms by itself), to read the page's figures against.
   */
  controlMsP50: number;
  controlMsP95: number;
}

type Debug = {
  semslamDebug: {
    drawMs(finish: boolean, moving?: boolean): number; surfels(): number; movingDrawn(): number; complete(): boolean;
    progressive(): { passes: number; maxSliceMs: number; splatsPerMs: number; sliceMs: number };
  };
};

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];

/** Moves the view with the mouse, then answers trivial scripts every 50 ms until the full-detail image is whole. */
async function measureProgressive(page: Page, control: Page, timeoutMs: number): Promise<ProgressiveTiming> {
  const box = (await page.locator('#view').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2 + 10, { steps: 3 });
  await page.mouse.up();
  const t0 = performance.now();
  const answers: number[] = [], controls: number[] = [];
  let complete = false;
  while (!complete && performance.now() - t0 < timeoutMs) {
    const s = performance.now();
    complete = await page.evaluate(() => (window as unknown as Debug).semslamDebug.complete());
    answers.push(performance.now() - s);
    const c = performance.now();
    await control.evaluate(() => document.body.childElementCount);
    controls.push(performance.now() - c);
    process.stderr.write(`\r  progressive: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${answers.length} answers   `);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stderr.write('\n');
  const completeSeconds = (performance.now() - t0) / 1000;
  const p = await page.evaluate(() => (window as unknown as Debug).semslamDebug.progressive());
  const sorted = [...answers].sort((a, b) => a - b);
  const controlSorted = [...controls].sort((a, b) => a - b);
  return {
    controlMsP50: quantile(controlSorted, 0.5), controlMsP95: quantile(controlSorted, 0.95),
    completeSeconds: complete ? completeSeconds : Number.NaN, passes: p.passes, sliceMs: p.sliceMs, maxSliceMs: p.maxSliceMs, splatsPerMs: p.splatsPerMs,
    answers: sorted.length, answerMsP50: quantile(sorted, 0.5), answerMsP95: quantile(sorted, 0.95), answerMsMax: sorted[sorted.length - 1],
  };
}

async function timeDraws(page: Page, draws: number, moving: boolean, label: string): Promise<{ times: number[] } | { error: string }> {
  const times: number[] = [];
  try {
    for (let i = 0; i < draws; i++) {
      times.push(await page.evaluate((m) => (window as unknown as Debug).semslamDebug.drawMs(true, m), moving));
      process.stderr.write(`\r  ${label} draw ${i + 1}/${draws}: ${times[i].toFixed(1)} ms   `);
    }
    process.stderr.write('\n');
    return { times };
  } catch (e) {
    // A software rasteriser can take longer than the browser lets a frame take (the GPU process is reset).
    process.stderr.write(`\n  ${label} draws failed after ${times.length}: ${(e as Error).message.split('\n')[0]}\n`);
    return { error: `${(e as Error).message.split('\n')[0]} (after ${times.length} draws)` };
  }
}

function summarise(times: number[], drawn: number): DrawTimes {
  const t = [...times].sort((a, b) => a - b);
  return { drawn, draws: t.length, msMedian: t[Math.floor(t.length / 2)], msP95: t[Math.min(t.length - 1, Math.floor(t.length * 0.95))] };
}

async function measureRender(surfels: number, draws: number, fullDraws: number): Promise<RenderTiming> {
  await buildRenderer();
  const packet = roomMap(surfels);
  const server = await startWebServer(staticMapBackend(packet), { rendererDir: DEFAULT_RENDERER_DIR, port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(600_000);
    const t0 = performance.now();
    await page.goto(server.url);
    await page.waitForFunction((n) => (window as unknown as Partial<Debug>).semslamDebug?.surfels() === n, surfels);
    const canvas = await page.$eval('#view', (c) => `${(c as HTMLCanvasElement).width}x${(c as HTMLCanvasElement).height}`);
    const budget = DEFAULT_SURFEL_LAYER_SETTINGS.movingBudget;
    // The first moving draw also uploads the map: it is the load's, not a frame's.
    await page.evaluate(() => (window as unknown as Debug).semslamDebug.drawMs(true, true));
    const loadSeconds = (performance.now() - t0) / 1000;
    // The moving budget adapts to the frame time: the first half of the draws settle it, the second half is timed.
    const settle = await timeDraws(page, draws, true, 'moving (settling)');
    const moving = 'times' in settle ? await timeDraws(page, draws, true, 'moving') : settle;
    const drawnMoving = await page.evaluate(() => (window as unknown as Debug).semslamDebug.movingDrawn());
    const full = await timeDraws(page, fullDraws, false, 'full');
    const control = await browser.newPage({ viewport: { width: 400, height: 300 } });
    await control.setContent('<canvas id="view" width="400" height="300"></canvas>');
    const progressive = await measureProgressive(page, control, 600_000);
    return {
      surfels, packetBytes: packet.byteLength, loadSeconds, viewport: canvas, movingBudget: budget, progressive,
      full: 'times' in full ? summarise(full.times, surfels) : full,
      moving: 'times' in moving ? summarise(moving.times, drawnMoving) : { ...moving, drawn: drawnMoving },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' }, surfels: { type: 'string', default: '2000000' }, draws: { type: 'string', default: '10' },
      'full-draws': { type: 'string', default: '3' }, frames: { type: 'string', default: '30' },
    },
  });
  const frames = Number(values.frames);
  const load0 = loadavg()[0];
  process.stderr.write(`render bench: map deltas over ${frames} demo frames (real session runner)...\n`);
  const deltas = await measureDeltas(frames);
  process.stderr.write(`  ${deltas.packets} packets, ${deltas.bytes} bytes in ${deltas.seconds.toFixed(1)} s\n`);
  process.stderr.write(`render bench: ${Number(values.surfels).toLocaleString('en-US')} surfels in headless Chromium (SwiftShader)...\n`);
  const render = await measureRender(Number(values.surfels), Number(values.draws), Number(values['full-draws']));
  const loadAverage1m = { before: load0, after: loadavg()[0] };
  if (values.json) return printJson({ deltas, render, loadAverage1m });
  const drawLine = (d: DrawTimes | { error: string }): string => ('error' in d ? `failed: ${d.error}`
    : `${d.drawn.toLocaleString('en-US')} drawn, median ${d.msMedian.toFixed(1)} ms, p95 ${d.msP95.toFixed(1)} ms over ${d.draws} synchronised draws`);
  const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;
  process.stdout.write([
    'map deltas (demo, rgbd, every frame):',
    `  ${deltas.frames} frames in ${deltas.seconds.toFixed(1)} s, ${deltas.packets} packets, ${mb(deltas.bytes)} total`,
    `  ${(deltas.bytesPerFrame / 1e3).toFixed(1)} kB/frame, ${mb(deltas.bytesPerSecond)}/s at this replay rate, ${deltas.surfelsSent.toLocaleString('en-US')} surfel records sent for a ${deltas.finalSurfels.toLocaleString('en-US')}-surfel map`,
    `renderer (${render.surfels.toLocaleString('en-US')} surfels, ${render.viewport} canvas, SwiftShader CPU rasteriser):`,
    `  map packet ${mb(render.packetBytes)}, page load + transfer + upload ${render.loadSeconds.toFixed(1)} s`,
    `  moving (points, budget ≤ ${render.movingBudget.toLocaleString('en-US')} adapted towards ${MOVING_TARGET_MS} ms/frame): ${drawLine(render.moving)}`,
    `  still (every surfel): ${drawLine(render.full)}`,
    `  progressive full detail (slices of ${render.progressive.sliceMs} ms per animation frame, as the app draws by itself):`,
    `    whole image ${render.progressive.completeSeconds.toFixed(1)} s after the view stopped; longest slice ${render.progressive.maxSliceMs.toFixed(1)} ms (GPU included; the page waits for none of it on WebGL2); ${Math.round(render.progressive.splatsPerMs * 1000).toLocaleString('en-US')} splats/s`,
    `    page answered a script in p50 ${render.progressive.answerMsP50.toFixed(1)} ms, p95 ${render.progressive.answerMsP95.toFixed(1)} ms, max ${render.progressive.answerMsMax.toFixed(1)} ms (${render.progressive.answers} tries while it drew)`,
    `    an empty page of the same browser, asked at the same moments (the machine's share): p50 ${render.progressive.controlMsP50.toFixed(1)} ms, p95 ${render.progressive.controlMsP95.toFixed(1)} ms`,
    `load average (1 min) ${loadAverage1m.before.toFixed(2)} → ${loadAverage1m.after.toFixed(2)} on ${availableParallelism()} cores`,
    '',
  ].join('\n'));
}
