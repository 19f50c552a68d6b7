/**
 * Synthetic-world benchmark: `npm run bench -- gen [--json] [--size 640x480] [--frames N] [--seed N]`.
 * Times each stage of producing a frame of the embedded demo sequence: render (rasterise + shade),
 * Kinect depth noise, and the whole frame as the SequenceReader yields it (render + noise + copies),
 * plus room generation and trajectory sampling. Reports wall-clock and process CPU time per frame: on
 * a shared machine wall time includes waiting for a core, CPU time does not. Lower ms is better.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { printJson } from '../cli/output.js';
import { applyKinectNoise } from '../synth/noise.js';
import { Renderer } from '../synth/renderer.js';
import { generateRoom } from '../synth/room.js';
import { createSyntheticSequence, kinectIntrinsics } from '../synth/sequence.js';
import { sampleTrajectory } from '../synth/trajectory.js';

export interface StageTiming {
  readonly stage: string;
  /** Mean wall-clock milliseconds per frame; lower is better. */
  readonly wallMs: number;
  /** Mean process CPU (user + system) milliseconds per frame; lower is better. */
  readonly cpuMs: number;
  /** Frames per second from wall time; higher is better. */
  readonly fps: number;
  readonly fpsCpu: number;
}

function time(stage: string, n: number, f: (i: number) => void | Promise<void>): Promise<StageTiming> {
  return (async () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f(i);
    const wallMs = (performance.now() - t0) / n;
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000 / n;
    return { stage, wallMs, cpuMs, fps: 1000 / wallMs, fpsCpu: 1000 / cpuMs };
  })();
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, size: { type: 'string' }, frames: { type: 'string' }, seed: { type: 'string' } } });
  const m = /^(\d+)x(\d+)$/.exec(values.size ?? '640x480');
  if (!m) throw new Error(`--size must look like 640x480, got ${values.size}`);
  const width = Number(m[1]), height = Number(m[2]);
  const frames = Number(values.frames ?? 60);
  const seed = Number(values.seed ?? 3);
  const load0 = loadavg()[0];
  const K = kinectIntrinsics(width, height);

  const t0 = performance.now();
  const room = generateRoom(seed);
  const roomMs = performance.now() - t0;
  const t1 = performance.now();
  const poses = sampleTrajectory(room, seed, frames, 30);
  const trajectoryMs = performance.now() - t1;

  const renderer = new Renderer(width, height);
  const noisy = new Float32Array(width * height);
  // Warm-up: let the JIT optimise the hot loops before timing.
  for (let i = 0; i < Math.min(10, frames); i++) {
    const r = renderer.render(room, poses[i], K);
    applyKinectNoise(r.depth, r.normals, K, i, noisy);
  }
  const stages: StageTiming[] = [];
  stages.push(await time('render', frames, (i) => { renderer.render(room, poses[i], K); }));
  const r = renderer.render(room, poses[0], K);
  stages.push(await time('kinect noise', frames, (i) => { applyKinectNoise(r.depth, r.normals, K, i, noisy); }));
  stages.push(await time('render + noise', frames, (i) => {
    const out = renderer.render(room, poses[i], K);
    applyKinectNoise(out.depth, out.normals, K, i, noisy);
  }));
  const seq = createSyntheticSequence({ seed, frames, width, height, noise: 'kinect' });
  await seq.read(0);
  stages.push(await time('sequence frame (render + noise + rgb noise + copies)', frames, async (i) => { await seq.read(i); }));

  const result = {
    benchmark: 'gen', width, height, frames, seed, room: room.kind, triangles: room.mesh.triangleCount,
    roomGenerationMs: roomMs, trajectoryMs, loadAverage1m: load0, cpus: (await import('node:os')).cpus().length, stages,
  };
  if (values.json) { printJson(result); return; }
  process.stdout.write(`gen benchmark ${width}x${height}, room ${seed} (${room.kind}, ${room.mesh.triangleCount} triangles), ${frames} frames, load average ${load0.toFixed(1)}\n`);
  process.stdout.write(`  room generation ${roomMs.toFixed(0)} ms, trajectory ${trajectoryMs.toFixed(0)} ms\n`);
  for (const s of stages) {
    process.stdout.write(`  ${s.stage.padEnd(52)} ${s.wallMs.toFixed(1).padStart(7)} ms wall (${s.fps.toFixed(1)} FPS)  ${s.cpuMs.toFixed(1).padStart(7)} ms CPU (${s.fpsCpu.toFixed(1)} FPS)\n`);
  }
}
