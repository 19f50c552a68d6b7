import { Worker } from 'node:worker_threads';
import { InputError } from '../../errors.js';
import type { JointNetworkOptions, PerceptionBuffers, PerceptionResult } from '../joint-network.js';
import type { JointModelDescription } from '../model-metadata.js';
import { transferablesOf, type PerceptionWorkerRequest, type PerceptionWorkerResponse, type SerializedError } from './protocol.js';

/**
 * Runs a JointNetwork in a worker_threads worker so the caller's thread never blocks on inference or
 * post-processing. What is copied and what is transferred: see ./protocol.ts.
 *
 *   const worker = await PerceptionWorker.start(file, { provider: 'cpu' });
 *   const out = await worker.run(rgb, width, height);
 *   ...use out...; worker.recycle(out);   // optional: hands the buffers back for reuse
 *   await worker.close();
 */

export interface RunOptions {
  /** Transfer the RGB buffer instead of copying it; the caller's array is detached afterwards. */
  readonly transferRgb: boolean;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = { transferRgb: false };

function workerEntry(): URL {
  // From TypeScript sources (tsx, vitest) the .mjs shim registers tsx in the worker; a build that compiles
  // this file to .js ships the compiled worker beside it.
  return import.meta.url.endsWith('.ts')
    ? new URL('./perception-worker-entry.mjs', import.meta.url)
    : new URL('./perception-worker-main.js', import.meta.url);
}

function deserialize(e: SerializedError): Error {
  if (e.name === 'InputError' && e.file !== undefined && e.problem !== undefined) return new InputError(e.file, e.problem);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

interface Pending {
  resolve(value: PerceptionWorkerResponse): void;
  reject(error: Error): void;
}

export class PerceptionWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private description_: JointModelDescription | null = null;
  private options_: JointNetworkOptions | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: PerceptionWorkerResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.type === 'error') p.reject(deserialize(msg.error));
      else p.resolve(msg);
    });
    const failAll = (error: Error) => {
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      this.closed = true;
      failAll(new Error(`perception worker exited (code ${code})`));
    });
  }

  /** Starts a worker and loads the model in it; rejects with the load error (InputError for bad files). */
  static async start(file: string, options: Partial<JointNetworkOptions> = {}): Promise<PerceptionWorker> {
    const pw = new PerceptionWorker(new Worker(workerEntry()));
    try {
      const msg = await pw.request({ type: 'load', id: pw.nextId++, file, options });
      if (msg.type !== 'loaded') throw new Error(`perception worker answered ${msg.type} to load`);
      pw.description_ = msg.description;
      pw.options_ = msg.options;
    } catch (e) {
      await pw.worker.terminate();
      throw e;
    }
    return pw;
  }

  get description(): JointModelDescription {
    return this.description_!;
  }

  get options(): JointNetworkOptions {
    return this.options_!;
  }

  /** Runs one frame in the worker; the result's buffers belong to the caller (transferred). */
  async run(rgb: Uint8Array, width: number, height: number, options: Partial<RunOptions> = {}): Promise<PerceptionResult> {
    const o = { ...DEFAULT_RUN_OPTIONS, ...options };
    const msg = await this.request({ type: 'run', id: this.nextId++, rgb, width, height },
      o.transferRgb ? [rgb.buffer as ArrayBuffer] : []);
    if (msg.type !== 'result') throw new Error(`perception worker answered ${msg.type} to run`);
    return msg.result;
  }

  /** Hands a result's buffers back to the worker (transferred: they are detached here afterwards). */
  recycle(buffers: PerceptionBuffers): void {
    if (this.closed) return;
    const { width, height, depth, probs13, labels40, probs40 } = buffers;
    const plain: PerceptionBuffers = { width, height, depth, probs13, labels40, probs40 };
    this.worker.postMessage({ type: 'recycle', buffers: plain } satisfies PerceptionWorkerRequest, transferablesOf(plain));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.request({ type: 'dispose', id: this.nextId++ });
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }

  private request(msg: PerceptionWorkerRequest & { id: number }, transfer: ArrayBuffer[] = []): Promise<PerceptionWorkerResponse> {
    if (this.closed) return Promise.reject(new Error('perception worker is closed'));
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg, transfer);
    });
  }
}
