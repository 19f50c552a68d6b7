/**
 * The kernel pool's contract between the calling thread and its workers, declared once for both sides.
 *
 * Control words (Int32Array on a SharedArrayBuffer):
 *   NEXT_PART   the current job's tag (bits 6 and up) and its next part (bits 0–5): the caller takes parts with
 *               Atomics.add, a worker with a compare-and-swap that also checks the tag, so a worker that wakes
 *               after its job is over takes nothing from a later one
 *   PARTS_DONE  parts of the current job finished (or failed); the caller waits for every part taken, not for
 *               every worker it notified: a worker that woke too late to take a part is not waited for
 * then CONTROL_WORDS per worker w at workerBase(w):
 *   +POSTED  sequence number of the last job posted (the caller bumps it and notifies after posting the job)
 *   +FAILED  1 when a part it ran threw; its error then waits on the job port
 * Jobs travel over a MessagePort that the worker reads synchronously (receiveMessageOnPort) after waking, so
 * neither side needs its event loop between jobs.
 */
import type { KernelName } from '../../fusion/parallel/kernels.js';

export const NEXT_PART = 0;
export const PARTS_DONE = 1;
export const CONTROL_WORDS = 2;
export const workerBase = (w: number): number => 2 + w * CONTROL_WORDS;
export const POSTED = 0;
export const FAILED = 1;
/** Bits of NEXT_PART that count parts (MAX_PARTS and the caller's one step past the end fit). */
export const PART_BITS = 6;
export const PART_MASK = (1 << PART_BITS) - 1;
/** Job tags wrap below this, so that tag << PART_BITS stays a positive int32. */
export const TAG_LIMIT = 1 << (31 - PART_BITS);

export interface KernelJob {
  kind: 'job';
  /** The tag NEXT_PART carries while this job runs. */
  tag: number;
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
