import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { runKernel } from '../../fusion/parallel/kernels.js';
import type { KernelFailure, KernelJob, KernelWorkerInit, QuitJob } from './protocol.js';
import { FAILED, NEXT_PART, PART_BITS, PART_MASK, PARTS_DONE, POSTED, workerBase } from './protocol.js';
import { partStart } from '../../fusion/parallel/pool.js';

/** Worker side of ThreadKernelPool: waits for a job, takes its parts while there are any, counts them done; forever. */
const parent = parentPort;
if (!parent) throw new Error('kernel-worker-main must run in a worker thread');
const { control, index, spin } = workerData as KernelWorkerInit;
const jobs = (workerData as { port: MessagePort }).port;
const base = workerBase(index);
parent.postMessage('ready');

/** Takes the next part of job `tag` (−1: none left, or the job is over). */
function take(tag: number, parts: number): number {
  for (;;) {
    const v = Atomics.load(control, NEXT_PART);
    const p = v & PART_MASK;
    if (v >>> PART_BITS !== tag || p >= parts) return -1;
    if (Atomics.compareExchange(control, NEXT_PART, v, v + 1) === v) return p;
  }
}

let seen = Atomics.load(control, base + POSTED);
for (;;) {
  let k = 0;
  while (Atomics.load(control, base + POSTED) === seen && k < spin) k++;
  Atomics.wait(control, base + POSTED, seen);
  const seq = Atomics.load(control, base + POSTED);
  if (seq === seen) continue;
  seen = seq;
  // Only the newest job can still have parts to take: older ones (this worker slept through them) are skipped.
  let job: KernelJob | QuitJob | undefined;
  for (let m = receiveMessageOnPort(jobs); m; m = receiveMessageOnPort(jobs)) {
    job = m.message as KernelJob | QuitJob;
    if (job.kind === 'quit') break;
  }
  if (!job) continue;
  if (job.kind === 'quit') break;
  const { n, parts, tag } = job;
  for (let p = take(tag, parts); p >= 0; p = take(tag, parts)) {
    try {
      runKernel(job.name, job.args, partStart(n, parts, p), partStart(n, parts, p + 1), job.out, p * job.outStride);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      Atomics.store(control, base + FAILED, 1);
      jobs.postMessage({ message: `kernel ${job.name}, part ${p} of ${job.parts}: ${err.message}`, stack: err.stack } satisfies KernelFailure);
      Atomics.add(control, PARTS_DONE, 1);
      Atomics.notify(control, PARTS_DONE);
      break;
    }
    Atomics.add(control, PARTS_DONE, 1);
    Atomics.notify(control, PARTS_DONE);
  }
}
