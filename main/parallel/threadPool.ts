/**
 * A KernelPool over worker_threads: the fusion kernels' parts run on `threads − 1` workers and the calling
 * thread, over SharedArrayBuffer-backed buffers (sharedAllocator), synchronised with Atomics (no event loop on
 * either side, ~10 µs per hand-off). Each thread takes the next part until none is left.
 *
 *   const pool = await ThreadKernelPool.start();           // one thread per core
 *   const fusion = new SurfelFusion(intrinsics, config, pool);
 *   …
 *   pool.close();                                          // later runs use the calling thread only
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { isShared, sharedAllocator } from '../../fusion/parallel/buffers.js';
import type { KernelArgs, KernelName } from '../../fusion/parallel/kernels.js';
import { runKernel } from '../../fusion/parallel/kernels.js';
import type { KernelPool } from '../../fusion/parallel/pool.js';
import { partCount, partStart, serialPool } from '../../fusion/parallel/pool.js';
import type { KernelFailure, KernelJob, KernelWorkerInit } from './protocol.js';
import { CONTROL_WORDS, FAILED, NEXT_PART, PART_BITS, PART_MASK, PARTS_DONE, POSTED, TAG_LIMIT, workerBase } from './protocol.js';

function workerEntry(): URL {
  // From TypeScript sources (tsx, vitest) the .mjs shim registers tsx in the worker; a build that compiles
  // this file to .js ships the compiled worker beside it.
  return import.meta.url.endsWith('.ts')
    ? new URL('./kernel-worker-entry.mjs', import.meta.url)
    : new URL('./kernel-worker-main.js', import.meta.url);
}

export interface ThreadPoolOptions {
  /** Threads running kernel parts, the caller's included (default: one per core). 1 = the serial pool. */
  threads: number;
  /** Polls of a control word before sleeping on it, on both sides. */
  spin: number;
  /** A worker that has not finished its part after this long is reported as hung (ms). */
  timeoutMs: number;
}

/** Threads to use by default: one per core the process may use. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** Parses a --threads value: a positive integer, or 'auto' for one per core. */
export function parseThreads(value: string | undefined): number {
  if (value === undefined || value === 'auto') return defaultThreads();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`--threads must be a positive integer or 'auto', got '${value}'`);
  return n;
}

export class ThreadKernelPool implements KernelPool {
  readonly allocator = sharedAllocator;
  /** Why the pool runs on the calling thread only, when a worker died. */
  lostReason: string | null = null;
  private readonly seq: number[];
  private tag = 0;
  private closed = false;

  private constructor(readonly threads: number, private readonly workers: Worker[], private readonly ports: MessagePort[],
    private readonly control: Int32Array, private readonly options: ThreadPoolOptions) {
    this.seq = workers.map(() => 0);
  }

  /** Starts the workers and waits until each is ready. With threads ≤ 1 returns the serial pool. */
  static async start(options: Partial<ThreadPoolOptions> = {}): Promise<KernelPool> {
    const o: ThreadPoolOptions = { threads: defaultThreads(), spin: 20000, timeoutMs: 30000, ...options };
    if (o.threads <= 1) return serialPool;
    const helpers = o.threads - 1;
    const control = new Int32Array(new SharedArrayBuffer(4 * (2 + CONTROL_WORDS * helpers)));
    const workers: Worker[] = [], ports: MessagePort[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < helpers; i++) {
      const { port1, port2 } = new MessageChannel();
      const init: KernelWorkerInit & { port: MessagePort } = { control, index: i, spin: o.spin, port: port2 };
      const w = new Worker(workerEntry(), { workerData: init, transferList: [port2] });
      ready.push(new Promise<void>((resolve, reject) => {
        w.once('message', () => resolve());
        w.once('error', (e) => reject(new Error(`kernel worker ${i} failed to start: ${e.message}`)));
        w.once('exit', (code) => reject(new Error(`kernel worker ${i} exited with code ${code} before it was ready`)));
      }));
      workers.push(w); ports.push(port1);
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    // Idle workers must not keep the process alive.
    const pool = new ThreadKernelPool(o.threads, workers, ports, control, o);
    for (const [i, w] of workers.entries()) {
      w.removeAllListeners();
      // A worker that dies leaves the pool to the calling thread (a part it had taken fails that run only).
      w.on('error', (e) => pool.lose(i, e.message));
      w.on('exit', (code) => pool.lose(i, `exited with code ${code}`));
      w.unref();
    }
    return pool;
  }

  run<K extends KernelName>(name: K, args: KernelArgs<K>, n: number, out: Float64Array, outStride: number, minPerPart: number): number {
    const parts = partCount(n, minPerPart);
    if (parts === 1) { runKernel(name, args, 0, n, out, 0); return 1; }
    if (this.closed) {
      // A closed (or hung) pool still serves the maps built on it: every part on this thread.
      for (let p = 0; p < parts; p++) runKernel(name, args, partStart(n, parts, p), partStart(n, parts, p + 1), out, p * outStride);
      return parts;
    }
    checkShared(name, args, out);
    const c = this.control;
    const tag = this.tag = (this.tag + 1) % TAG_LIMIT;
    Atomics.store(c, PARTS_DONE, 0);
    Atomics.store(c, NEXT_PART, tag << PART_BITS);
    const helpers = Math.min(this.workers.length, parts - 1);
    const job: KernelJob = { kind: 'job', tag, name, args, n, parts, out, outStride };
    for (let w = 0; w < helpers; w++) {
      this.ports[w].postMessage(job);
      const seq = ++this.seq[w];
      Atomics.store(c, workerBase(w) + POSTED, seq);
      Atomics.notify(c, workerBase(w) + POSTED);
    }
    let failure: unknown = null;
    let taken = parts;
    for (;;) {
      const p = Atomics.add(c, NEXT_PART, 1) & PART_MASK;
      if (p >= parts) break;
      try {
        runKernel(name, args, partStart(n, parts, p), partStart(n, parts, p + 1), out, p * outStride);
      } catch (e) {
        failure = e;
        // No part is taken after this one: wait only for those already running on the workers.
        taken = Math.min(parts, Atomics.exchange(c, NEXT_PART, (tag << PART_BITS) | PART_MASK) & PART_MASK);
      }
      Atomics.add(c, PARTS_DONE, 1);
      if (failure) break;
    }
    const hung = this.awaitParts(taken);
    if (hung && !failure) failure = hung;
    for (let w = 0; w < helpers; w++) {
      const err = this.workerFailure(w);
      if (err && !failure) failure = err;
    }
    if (failure) throw failure;
    return parts;
  }

  /** Waits until `taken` parts of the current job are done (a part still running on a worker); an error when hung. */
  private awaitParts(taken: number): Error | null {
    const c = this.control;
    let k = 0;
    while (Atomics.load(c, PARTS_DONE) < taken && k < this.options.spin) k++;
    const deadline = performance.now() + this.options.timeoutMs;
    for (;;) {
      const done = Atomics.load(c, PARTS_DONE);
      if (done >= taken) return null;
      if (performance.now() > deadline) {
        this.closed = true;
        return new Error(`a kernel worker did not finish its part within ${this.options.timeoutMs} ms (the pool is closed)`);
      }
      Atomics.wait(c, PARTS_DONE, done, 100);
    }
  }

  /** The error worker w reported for a part of the last job, if any. */
  private workerFailure(w: number): Error | null {
    const c = this.control;
    if (Atomics.load(c, workerBase(w) + FAILED) === 0) return null;
    Atomics.store(c, workerBase(w) + FAILED, 0);
    const m = receiveMessageOnPort(this.ports[w])?.message as KernelFailure | undefined;
    const err = new Error(m?.message ?? `kernel worker ${w} failed`);
    if (m?.stack) err.stack = `${err.message}\n  (in kernel worker ${w})\n${m.stack}`;
    return err;
  }

  private lose(worker: number, why: string): void {
    if (this.closed) return;
    this.lostReason = `kernel worker ${worker} ${why}`;
    this.close();
  }

  close(): void {
    if (this.closed && this.workers.length === 0) return;
    this.closed = true;
    for (let w = 0; w < this.workers.length; w++) {
      this.ports[w].postMessage({ kind: 'quit' });
      const seq = ++this.seq[w];
      Atomics.store(this.control, workerBase(w) + POSTED, seq);
      Atomics.notify(this.control, workerBase(w) + POSTED);
      this.ports[w].close();
      void this.workers[w].terminate();
    }
    this.workers.length = 0;
  }
}

/** A kernel writing into a heap array on a worker would write into a copy: refuse instead. */
function checkShared(name: string, args: unknown, out: Float64Array): void {
  if (!isShared(out)) throw new Error(`kernel ${name}: its output array is not in shared memory`);
  for (const [key, v] of Object.entries(args as Record<string, unknown>)) {
    const views = Array.isArray(v) ? v as unknown[] : [v];
    for (const a of views) {
      if (ArrayBuffer.isView(a) && !isShared(a)) {
        throw new Error(`kernel ${name}: argument '${key}' is not in shared memory (allocate it with the pool's allocator)`);
      }
    }
  }
}
