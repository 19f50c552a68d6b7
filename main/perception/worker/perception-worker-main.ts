import { parentPort } from 'node:worker_threads';
import { InputError } from '../../errors.js';
import { allocatePerceptionBuffers, JointNetwork, type PerceptionBuffers } from '../joint-network.js';
import { transferablesOf, type PerceptionWorkerRequest, type PerceptionWorkerResponse, type SerializedError } from './protocol.js';

/** Worker side of PerceptionWorker: owns one JointNetwork and a pool of result buffers. */

const port = parentPort;
if (!port) throw new Error('perception-worker-main must run in a worker thread');

let network: JointNetwork | null = null;
/** Buffers handed back by the caller, reused for frames of the same size and probs40 setting. */
const pool: PerceptionBuffers[] = [];
/** Keep at most this many spare sets (enough for a caller with a few frames in flight). */
const MAX_POOLED = 4;

function serialize(e: unknown): SerializedError {
  if (e instanceof InputError) return { name: e.name, message: e.message, file: e.file, problem: e.problem };
  const err = e instanceof Error ? e : new Error(String(e));
  return { name: err.name, message: err.message };
}

function takeBuffers(width: number, height: number, withProbs40: boolean): PerceptionBuffers {
  const i = pool.findIndex((b) => b.width === width && b.height === height && (b.probs40 !== null) === withProbs40);
  return i >= 0 ? pool.splice(i, 1)[0] : allocatePerceptionBuffers(width, height, withProbs40);
}

function reply(msg: PerceptionWorkerResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

port.on('message', async (msg: PerceptionWorkerRequest) => {
  switch (msg.type) {
    case 'load':
      try {
        await network?.dispose();
        network = await JointNetwork.load(msg.file, msg.options);
        reply({ type: 'loaded', id: msg.id, description: network.description, options: network.options });
      } catch (e) {
        reply({ type: 'error', id: msg.id, error: serialize(e) });
      }
      return;
    case 'run': {
      if (!network) {
        reply({ type: 'error', id: msg.id, error: { name: 'Error', message: 'no model loaded in the perception worker' } });
        return;
      }
      try {
        const into = takeBuffers(msg.width, msg.height, network.options.keepProbs40);
        const result = await network.run(msg.rgb, msg.width, msg.height, into);
        reply({ type: 'result', id: msg.id, result }, transferablesOf(result));
      } catch (e) {
        reply({ type: 'error', id: msg.id, error: serialize(e) });
      }
      return;
    }
    case 'recycle':
      if (pool.length < MAX_POOLED) pool.push(msg.buffers);
      return;
    case 'dispose':
      await network?.dispose();
      network = null;
      pool.length = 0;
      reply({ type: 'disposed', id: msg.id });
      return;
  }
});
