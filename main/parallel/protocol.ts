/**
 * The kernel pool's contract between the calling thread and its workers, declared once for both sides.
 *
 * Control words (Int32Array on a SharedArrayBuffer), CONTROL_WORDS per worker w at w·CONTROL_WORDS:
 *   +POSTED  sequence number of the last job posted (the caller bumps it and notifies after posting the job)
 *   +DONE    sequence number of the last job finished (the worker stores it and notifies)
 *   +FAILED  1 when that job threw; its error then waits on the job port
 * Jobs travel over a MessagePort that the worker reads synchronously (receiveMessageOnPort) after waking, so
 * neither side needs its event loop between jobs.
 */
import type { KernelName } from '../../fusion/parallel/kernels.js';

export const CONTROL_WORDS = 4;
export const POSTED = 0;
export const DONE = 1;
export const FAILED = 2;

export interface KernelJob {
  kind: 'job';
  name: KernelName;
  args: unknown;
  begin: number;
  end: number;
  out: Float64Array;
  outOffset: number;
}

export interface QuitJob { kind: 'quit' }

export interface KernelWorkerInit {
  control: Int32Array;
  index: number;
  /** Polls of the control word before sleeping on it (jobs of one frame follow each other within microseconds). */
  spin: number;
}

export interface KernelFailure { message: string; stack?: string }
