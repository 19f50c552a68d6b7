/**
 * Sequence-reading benchmark: `npm run bench -- sources [--json] [--repeats N]`.
 * For every real sample folder: open time (indexing only) and per-frame read time (decode + conversion,
 * + undistortion and registration for NYU raw), p50 over repeated reads of its frames. Also the NYU
 * registration step alone. Then the same generated 640×480 frames as a TUM folder, ROS 2 bags and .klg logs
 * (recordings.ts; target: every reader under 3 ms a frame). Shared-CPU load changes these figures: the JSON
 * carries the load average.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { writeBenchRecordings } from './recordings.js';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printJson } from '../cli/output.js';
import { readPnm } from '../io/pnm.js';
import { buildNyuRawToMetresTable } from '../sources/nyuCamera.js';
import { nyuRawImageToMetres } from '../sources/nyuRaw.js';
import { NyuRegistration } from '../sources/nyuRegistration.js';
import { openSequence } from '../sources/open.js';

const REAL = fileURLToPath(new URL('../../../shared/data/real/', import.meta.url));
const FOLDERS = ['nyu-raw-single', 'tum-single', 'sunrgbd-single', 'redwood-5', 'icl-nuim-5', '7scenes-redkitchen-150-199', '7scenes-redkitchen-0-499'];

export interface SourceReadTiming {
  readonly folder: string;
  readonly format: string;
  readonly openMs: number;
  /** Per-frame read, milliseconds; lower is better. */
  readonly readP50Ms: number;
  readonly readMaxMs: number;
  /** CPU time of a read (this thread and libuv's pool, p50): what load on a shared machine inflates least. */
  readonly readCpuP50Ms: number;
  readonly reads: number;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, repeats: { type: 'string' }, 'recording-frames': { type: 'string' } } });
  const repeats = Number(values.repeats ?? 3);
  const load0 = loadavg()[0];
  const results: SourceReadTiming[] = [];
  const scratch = await mkdtemp(join(tmpdir(), 'semslam-bench-sources-'));
  if (!values.json) process.stderr.write('writing the 640×480 recordings…\n');
  const recordings = await writeBenchRecordings(scratch, Number(values['recording-frames'] ?? 10));
  const inputs = [...FOLDERS.map((f) => ({ label: f, path: join(REAL, f) })), ...recordings];
  for (const { label: folder, path } of inputs) {
    const t0 = performance.now();
    const reader = await openSequence(path);
    const openMs = performance.now() - t0;
    const times: number[] = [], cpu: number[] = [];
    const frames = Math.min(reader.info.frames, 10);
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < frames; i++) {
        const c = process.cpuUsage();
        const s = performance.now();
        await reader.read(i);
        times.push(performance.now() - s);
        const dc = process.cpuUsage(c);
        cpu.push((dc.user + dc.system) / 1000);
      }
    }
    await reader.close?.();
    const row = { folder, format: reader.info.format, openMs, readP50Ms: percentile(times, 0.5), readMaxMs: Math.max(...times), readCpuP50Ms: percentile(cpu, 0.5), reads: times.length };
    results.push(row);
    if (!values.json) process.stderr.write(`${folder.padEnd(28)} ${row.format.padEnd(12)} open ${openMs.toFixed(1).padStart(7)} ms   read p50 ${row.readP50Ms.toFixed(1).padStart(7)} ms  max ${row.readMaxMs.toFixed(1).padStart(7)} ms  cpu p50 ${row.readCpuP50Ms.toFixed(1).padStart(5)} ms  (${row.reads} reads)\n`);
  }
  await rm(scratch, { recursive: true, force: true });
  // The NYU conversion + registration alone (no file I/O or decoding).
  const pgm = await readPnm(join(REAL, 'nyu-raw-single/NYU_depth.pgm'), { byteOrder: 'little' });
  const table = buildNyuRawToMetresTable();
  const reg = new NyuRegistration();
  const metres = new Float32Array(640 * 480), out = new Float32Array(640 * 480);
  const regTimes: number[] = [];
  for (let r = 0; r < 20; r++) {
    const s = performance.now();
    nyuRawImageToMetres(pgm.data as Uint16Array, table, metres, true);
    reg.registerDepth(metres, out);
    regTimes.push(performance.now() - s);
  }
  const registration = { p50Ms: percentile(regTimes, 0.5), runs: regTimes.length };
  const loadAfter = loadavg()[0];
  if (values.json) printJson({ results, nyuRegistration: registration, loadAverage1m: { before: load0, after: loadAfter } });
  else process.stderr.write(`NYU raw→metres + undistort + register (640×480): p50 ${registration.p50Ms.toFixed(1)} ms over ${registration.runs} runs; load ${load0.toFixed(2)} → ${loadAfter.toFixed(2)}\n`);
}
