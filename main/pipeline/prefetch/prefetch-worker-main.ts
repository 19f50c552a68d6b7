/**
 * The reading thread of a PrefetchingReader: opens the sequence and decodes frames on request (file reads and
 * libvips decoding run on this thread's libuv pool, so several requests in flight decode in parallel). Frames
 * go back with their pixel buffers transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../../errors.js';
import type { Frame } from '../../sources/frame.js';
import { openMapInput } from '../openInput.js';
import type { PrefetchReply, PrefetchRequest, PrefetchWorkerInit, WireError } from './protocol.js';

const port = parentPort!;
const post = (m: PrefetchReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

function wire(e: unknown): WireError {
  if (e instanceof InputError) return { name: e.name, message: e.message, file: e.file, problem: e.problem };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** Buffers a frame owns outright (a view into a larger or shared buffer is copied when posted, not moved). */
function transferables(f: Frame): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of [f.rgb, f.depth, f.labels40, f.depthGroundTruth]) {
    if (a && a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) out.add(a.buffer);
  }
  return [...out];
}

const init = workerData as PrefetchWorkerInit;
try {
  const reader = await openMapInput(init.spec, init.openOptions);
  port.on('message', (r: PrefetchRequest) => {
    if (r.op === 'close') {
      // Files the reader holds (an MCAP bag) are closed before the thread ends.
      void Promise.resolve(reader.close?.()).finally(() => process.exit(0));
      return;
    }
    reader.read(r.index).then(
      (frame) => post({ kind: 'frame', id: r.id, frame }, transferables(frame)),
      (e: unknown) => post({ kind: 'error', id: r.id, error: wire(e) }),
    );
  });
  post({ kind: 'ready', info: reader.info });
} catch (e) {
  post({ kind: 'failed', error: wire(e) });
}
