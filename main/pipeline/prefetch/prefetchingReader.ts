import { Worker } from 'node:worker_threads';
import { fromWireError } from '../../errors.js';
import type { Frame, SequenceInfo, SequenceReader } from '../../sources/frame.js';
import type { OpenSequenceOptions } from '../../sources/open.js';
import type { PrefetchReply, PrefetchRequest, PrefetchWorkerInit } from './protocol.js';

function workerEntry(): URL {
  // From TypeScript sources (tsx, vitest) the .mjs shim registers tsx in the worker; a build that compiles
  // this file to .js ships the compiled worker beside it.
  return import.meta.url.endsWith('.ts')
    ? new URL('./prefetch-worker-entry.mjs', import.meta.url)
    : new URL('./prefetch-worker-main.js', import.meta.url);
}

export interface PrefetchOptions {
  /** Frames requested ahead of the one being read (each holds its decoded images until it is consumed). */
  readonly ahead: number;
  /** Resize frames (and intrinsics) on the reading thread; `info` then describes the resized sequence. */
  readonly size?: { readonly width: number; readonly height: number };
  /** Make label fusion's input (and its scoring images) on the reading thread: see labelInput.ts. */
  readonly labels?: PrefetchWorkerInit['labels'];
}

export const DEFAULT_PREFETCH: PrefetchOptions = { ahead: 4 };

/**
 * A SequenceReader whose frames are read and decoded on another thread, `ahead` frames in advance of the
 * caller, so that reading overlaps the caller's work (fusion) instead of preceding it. It opens the same
 * `spec` as `semslam map` (a folder, `demo`, `synth:...`). Reads in stream order (any stride) hit the
 * prefetched frames; a seek simply starts a new window. close() ends the thread.
 */
export class PrefetchingReader implements SequenceReader {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (f: Frame) => void; reject: (e: Error) => void }>();
  /** Prefetched (or in-flight) frames by index. */
  private readonly window = new Map<number, Promise<Frame>>();
  private last = -1;
  private closed = false;

  private constructor(private readonly worker: Worker, readonly info: SequenceInfo, private readonly options: PrefetchOptions) {
    worker.on('message', (m: PrefetchReply) => this.onReply(m));
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', () => this.failAll(new Error(`${info.path}: the reading thread exited`)));
    worker.unref();
  }

  static open(spec: string, openOptions: OpenSequenceOptions = {}, options: Partial<PrefetchOptions> = {}): Promise<PrefetchingReader> {
    const o = { ...DEFAULT_PREFETCH, ...options };
    if (!(Number.isInteger(o.ahead) && o.ahead >= 0)) throw new RangeError(`ahead must be a non-negative integer, got ${o.ahead}`);
    const init: PrefetchWorkerInit = { spec, openOptions, ...(o.size ? { size: o.size } : {}), ...(o.labels ? { labels: o.labels } : {}) };
    const worker = new Worker(workerEntry(), { workerData: init });
    return new Promise((resolve, reject) => {
      const first = (m: PrefetchReply): void => {
        worker.off('message', first);
        worker.off('error', onError);
        if (m.kind === 'ready') resolve(new PrefetchingReader(worker, m.info, o));
        else {
          void worker.terminate();
          reject(m.kind === 'failed' ? fromWireError(m.error) : new Error(`reading thread answered ${m.kind} before ready`));
        }
      };
      const onError = (e: Error): void => { worker.off('message', first); reject(e); };
      worker.on('message', first);
      worker.once('error', onError);
    });
  }

  async read(i: number): Promise<Frame> {
    if (!Number.isInteger(i) || i < 0 || i >= this.info.frames) {
      throw new RangeError(`${this.info.path}: frame ${i} out of range 0..${this.info.frames - 1}`);
    }
    const stride = i > this.last && this.last >= 0 ? i - this.last : 1;
    this.last = i;
    const wanted = this.window.get(i) ?? this.request(i);
    // Keep only the frames still ahead in this direction; a seek drops the rest (their replies are ignored).
    for (const k of this.window.keys()) if (k <= i || (k - i) % stride !== 0 || k > i + stride * this.options.ahead) this.window.delete(k);
    for (let k = 1; k <= this.options.ahead; k++) {
      const j = i + k * stride;
      if (j < this.info.frames && !this.window.has(j)) this.window.set(j, this.request(j));
    }
    return wanted;
  }

  async *frames(options: { start?: number; maxFrames?: number; stride?: number } = {}): AsyncIterable<Frame> {
    const start = options.start ?? 0, stride = options.stride ?? 1, max = options.maxFrames ?? Infinity;
    if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`stride must be a positive integer, got ${stride}`);
    let n = 0;
    for (let i = start; i < this.info.frames && n < max; i += stride, n++) yield await this.read(i);
  }

  /** Closes the thread's reader and ends the thread (terminated if it has not ended within 2 s). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.window.clear();
    this.worker.ref();
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ op: 'close' } satisfies PrefetchRequest);
    const timer = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  }

  private request(index: number): Promise<Frame> {
    if (this.closed) return Promise.reject(new Error(`${this.info.path}: reader closed`));
    const id = this.nextId++;
    const p = new Promise<Frame>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // A prefetched frame nobody reads (after a seek) must not become an unhandled rejection.
    p.catch(() => undefined);
    // The thread keeps the process alive only while a read is outstanding.
    if (this.waiting.size === 1) this.worker.ref();
    const msg: PrefetchRequest = { op: 'read', id, index };
    this.worker.postMessage(msg);
    return p;
  }

  private onReply(m: PrefetchReply): void {
    if (m.kind !== 'frame' && m.kind !== 'error') return;
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (m.kind === 'frame') w.resolve(m.frame);
    else w.reject(fromWireError(m.error));
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
    if (!this.closed) this.worker.unref();
  }
}
