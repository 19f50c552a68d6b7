/**
 * The kernel pool's contract between the calling thread and its workers, declared once for both sides.
 *
 * Control words (Int32Array on a SharedArrayBuffer): word NEXT_PART is the next part of the current job to take
 * (every thread takes parts with Atomics.add until none is left); then CONTROL_WORDS per worker w at
 * workerBase(w):
 *   +POSTED  sequence number of the last job posted (the caller bumps it and notifies after posting the job)
 *   +DONE    sequence number of the last job finished (the worker stores it and notifies)
 *   +FAILED  1 when that job threw; its error then waits on the job port
 * Jobs travel over a MessagePort that the worker reads synchronously (receiveMessageOnPort) after waking, so
 * neither side needs its event loop between jobs.
 */
import type { KernelName } from '../../fusion/parallel/kernels.js';

export const NEXT_PART = 0;
export const CONTROL_WORDS = 4;
export const workerBase = (w: number): number => 1 + w * CONTROL_WORDS;
export const POSTED = 0;
export const DONE = 1;
export const FAILED = 2;

export interface KernelJob {
  kind: 'job';
  name: KernelName;
  args: unknown;
  /** The range and its cut (see fusion/parallel/pool.ts). */
  n: number;
  parts: number;
  out: Float64Array;
  outStride: number;
}

export interface QuitJob { kind: 'quit' }

export interface KernelWorkerInit {
  control: Int32Array;
  index: number;
  /** Polls of the control word before sleeping on it (jobs of one frame follow each other within microseconds). */
  spin: number;
}

export interface KernelFailure { message: string; stack?: string }
