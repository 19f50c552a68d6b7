/**
 * Data-parallel kernels over a pool of threads. A stage hands a kernel (by name, from ./kernels.ts) its
 * arguments (typed arrays in the pool's memory, see buffers.ts, and numbers) and a range [0, n); the pool cuts
 * the range into one contiguous part per thread, runs the first part on the calling thread and the others on
 * workers, and returns when every part is done. Part p writes its results at out[p·outStride…], so the caller
 * combines them in part order: results depend on the thread count only through the order of float sums.
 *
 * fusion/ stays free of Node and browser APIs: the serial pool here runs everything on the caller's thread;
 * the host (main/parallel) provides the threaded one.
 */
import type { BufferAllocator } from './buffers.js';
import { heapAllocator } from './buffers.js';
import type { KernelArgs, KernelName } from './kernels.js';
import { kernels } from './kernels.js';

export interface KernelPool {
  /** Threads that run parts, the caller's included. */
  readonly threads: number;
  readonly allocator: BufferAllocator;
  /**
   * Runs kernel `name` over [0, n). Ranges shorter than `minPerPart` per thread run in fewer parts (the
   * hand-off costs ~10 µs). `out` holds threads × outStride values (in the pool's memory).
   */
  run<K extends KernelName>(name: K, args: KernelArgs<K>, n: number, out: Float64Array, outStride: number, minPerPart?: number): number;
  close(): void;
}

/** Start of part p of `parts` over [0, n). */
export function partStart(n: number, parts: number, p: number): number {
  return Math.floor((n * p) / parts);
}

/** How many parts a range of n items gets on `threads` threads. */
export function partCount(n: number, threads: number, minPerPart: number): number {
  return Math.max(1, Math.min(threads, Math.floor(n / Math.max(1, minPerPart))));
}

/** Everything on the calling thread, heap buffers: the default, and what a browser page gets. */
export class SerialPool implements KernelPool {
  readonly threads = 1;
  readonly allocator = heapAllocator;

  run<K extends KernelName>(name: K, args: KernelArgs<K>, n: number, out: Float64Array): number {
    (kernels[name] as (a: KernelArgs<K>, b: number, e: number, o: Float64Array, ob: number) => void)(args, 0, n, out, 0);
    return 1;
  }

  close(): void { /* nothing to release */ }
}

export const serialPool: KernelPool = new SerialPool();
