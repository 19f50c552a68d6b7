/**
 * Data-parallel kernels over a pool of threads. A stage hands a kernel (by name, from ./kernels.ts) its
 * arguments (typed arrays in the pool's memory, see buffers.ts, and numbers) and a range [0, n). The range is
 * cut into parts (at most MAX_PARTS, at least minPerPart items each) that the pool's threads take one at a time
 * until none is left, so a slow thread or an uneven image does not hold the others up. Part p writes its
 * results at out[p·outStride…] and the caller combines them in part order. The cut depends only on n and
 * minPerPart, never on the thread count, so every pool gives bit-identical results.
 *
 * fusion/ stays free of Node and browser APIs: the serial pool here runs every part on the caller's thread;
 * the host (main/parallel) provides the threaded one.
 */
import type { BufferAllocator } from './buffers.js';
import { heapAllocator } from './buffers.js';
import type { KernelArgs, KernelName } from './kernels.js';
import { runKernel } from './kernels.js';

/** Most parts a range is cut into: enough for load balance over a few cores, few enough that hand-offs stay cheap. */
export const MAX_PARTS = 32;

export interface KernelPool {
  /** Threads that run parts, the caller's included. */
  readonly threads: number;
  readonly allocator: BufferAllocator;
  /**
   * Runs kernel `name` over [0, n) cut into partCount(n, minPerPart) parts; returns that count. `out` holds
   * MAX_PARTS × outStride values (in the pool's memory).
   */
  run<K extends KernelName>(name: K, args: KernelArgs<K>, n: number, out: Float64Array, outStride: number, minPerPart: number): number;
  close(): void;
}

/** How many parts a range of n items is cut into. */
export function partCount(n: number, minPerPart: number): number {
  return Math.max(1, Math.min(MAX_PARTS, Math.floor(n / Math.max(1, minPerPart))));
}

/** Start of part p of `parts` over [0, n). */
export function partStart(n: number, parts: number, p: number): number {
  return Math.floor((n * p) / parts);
}

/**
 * Kernels that list items (filtered surfels, unexplained pixels) write each part's items from the start of its
 * range (part p of [0, n) starts at partStart(n, parts, p) · unit): moves them together in part order and
 * returns how many there are. counts[p · countStride + countOffset] is part p's count.
 */
export function joinParts(arrays: readonly (Int32Array | Float32Array)[], n: number, parts: number, unit: number,
  counts: Float64Array, countStride: number, countOffset: number): number {
  let total = 0;
  for (let p = 0; p < parts; p++) {
    const from = partStart(n, parts, p) * unit, m = counts[p * countStride + countOffset];
    if (from !== total) for (const a of arrays) a.copyWithin(total, from, from + m);
    total += m;
  }
  return total;
}

/** Everything on the calling thread, heap buffers: the default, and what a browser page gets. */
export class SerialPool implements KernelPool {
  readonly threads = 1;
  readonly allocator = heapAllocator;

  run<K extends KernelName>(name: K, args: KernelArgs<K>, n: number, out: Float64Array, outStride: number, minPerPart: number): number {
    const parts = partCount(n, minPerPart);
    for (let p = 0; p < parts; p++) runKernel(name, args, partStart(n, parts, p), partStart(n, parts, p + 1), out, p * outStride);
    return parts;
  }

  close(): void { /* nothing to release */ }
}

export const serialPool: KernelPool = new SerialPool();
