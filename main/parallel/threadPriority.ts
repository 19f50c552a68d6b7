/**
 * Mapping yields to the view. On a machine with few cores the session's threads (its loop, the kernel pool, the
 * network, the prefetching reader) compete with the renderer and, under a software GL, with Chromium's GPU process;
 * at equal priority a CI run saw the page answer scripts in 1.5 s (p95) and show frames' status 2.4 s late while a
 * 640×480 replay mapped. Lowered, the mapping takes what the page leaves and loses nothing when the page is idle
 * (replay e2e beside a 2-thread training run: status lag p95 210 → 17 ms, script p95 652 → 459 ms).
 *
 * Linux only: there a nice value belongs to a thread (setpriority on pid 0 changes the calling thread alone) and
 * the threads it starts inherit it. Elsewhere pid 0 means the whole process (Electron's main, the web server).
 */
import { getPriority, setPriority } from 'node:os';

/**
 * Nice value of the session's threads: about a tenth of a normal thread's CPU share when both want the CPU.
 * SEMSLAM_SESSION_NICE overrides it (0: as the caller).
 */
export const SESSION_NICE = 10;

export function sessionNice(env: NodeJS.ProcessEnv = process.env): number {
  return niceFromEnv(env, 'SEMSLAM_SESSION_NICE', SESSION_NICE);
}

/** A nice value (or step) 0..19 from the environment variable `name`, `fallback` when unset or empty. */
function niceFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 19) throw new Error(`${name} must be an integer 0..19, got "${v}"`);
  return n;
}

/** Lowers the calling thread (and the threads it starts later); returns whether it did. Throws only for a bad SEMSLAM_SESSION_NICE. */
export function lowerThisThread(nice = sessionNice(), platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  try {
    setPriority(0, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * How much lower than the thread that starts it a reading thread runs (main/pipeline/prefetch). It reads a few
 * frames ahead and so has slack; at equal priority it pre-empts the fusion's kernel pool, whose barriers then
 * hold the calling thread (7-Scenes at 320×240: tracking 19.5 ms a frame with the reader at equal priority,
 * 15.4 ms lowered). When the fusion waits for a frame, the reader has the CPU to itself and loses nothing.
 * SEMSLAM_READER_NICE_STEP overrides it (0: as the caller).
 */
export const READER_NICE_STEP = 10;

/** Lowers the calling thread `step` nice levels below where it is now (at most 19); returns whether it did. */
export function lowerThisThreadBy(step = readerNiceStep(), platform: NodeJS.Platform = process.platform): boolean {
  // getPriority(0) is this thread's own nice value only on Linux, which lowerThisThread checks first anyway.
  return step !== 0 && platform === 'linux' && lowerThisThread(Math.min(19, getPriority(0) + step), platform);
}

export function readerNiceStep(env: NodeJS.ProcessEnv = process.env): number {
  return niceFromEnv(env, 'SEMSLAM_READER_NICE_STEP', READER_NICE_STEP);
}
