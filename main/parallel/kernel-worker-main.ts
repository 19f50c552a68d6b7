import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { runKernel } from '../../fusion/parallel/kernels.js';
import type { KernelFailure, KernelJob, KernelWorkerInit, QuitJob } from './protocol.js';
import { DONE, FAILED, NEXT_PART, POSTED, workerBase } from './protocol.js';
import { partStart } from '../../fusion/parallel/pool.js';

/** Worker side of ThreadKernelPool: waits for a job, runs its part of the kernel, signals done; forever. */

const parent = parentPort;
if (!parent) throw new Error('kernel-worker-main must run in a worker thread');
const { control, index, spin } = workerData as KernelWorkerInit;
const jobs = (workerData as { port: MessagePort }).port;
const base = workerBase(index);

parent.postMessage('ready');
let seen = Atomics.load(control, base + POSTED);
for (;;) {
  let k = 0;
  while (Atomics.load(control, base + POSTED) === seen && k < spin) k++;
  Atomics.wait(control, base + POSTED, seen);
  const seq = Atomics.load(control, base + POSTED);
  if (seq === seen) continue;
  seen = seq;
  const received = receiveMessageOnPort(jobs);
  if (!received) {
    Atomics.store(control, base + FAILED, 1);
    jobs.postMessage({ message: `kernel worker ${index}: woken for job ${seq} but no job arrived` } satisfies KernelFailure);
  } else {
    const job = received.message as KernelJob | QuitJob;
    if (job.kind === 'quit') break;
    let p = -1;
    try {
      const { n, parts } = job;
      while ((p = Atomics.add(control, NEXT_PART, 1)) < parts) {
        runKernel(job.name, job.args, partStart(n, parts, p), partStart(n, parts, p + 1), job.out, p * job.outStride);
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      Atomics.store(control, base + FAILED, 1);
      jobs.postMessage({ message: `kernel ${job.name}, part ${p} of ${job.parts}: ${err.message}`, stack: err.stack } satisfies KernelFailure);
    }
  }
  Atomics.store(control, base + DONE, seq);
  Atomics.notify(control, base + DONE);
}
