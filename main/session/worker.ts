/**
 * Worker entry of a PipelineSession: owns the reader, the network, fusion and the store connection, so the
 * caller's thread (Electron main, the web server, the CLI's progress) never blocks on a frame.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MapSnapshot } from '../../fusion/types.js';
import { toWireError } from '../errors.js';
import { lowerThisThread } from '../parallel/threadPriority.js';
import type { WorkerCommand, WorkerInit, WorkerMessage, WorkerReplyValue } from './protocol.js';
import { SessionLoop } from './sessionLoop.js';

const port = parentPort!;
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

function snapshotBuffers(s: MapSnapshot): ArrayBuffer[] {
  return [s.ids, s.positions, s.normals, s.colors, s.radii, s.confidence, s.labels, s.labelProb, s.stable, s.removedIds]
    .map((a) => a.buffer as ArrayBuffer);
}

async function handle(loop: SessionLoop, c: WorkerCommand): Promise<{ value: WorkerReplyValue; transfer: ArrayBuffer[] }> {
  switch (c.op) {
    case 'play': return { value: loop.play(), transfer: [] };
    case 'pause': return { value: await loop.pause(), transfer: [] };
    case 'playback': return { value: loop.playback(), transfer: [] };
    case 'step': return { value: await loop.step(c.frames), transfer: [] };
    case 'seek': return { value: await loop.seek(c.frame), transfer: [] };
    case 'setSpeed': return { value: loop.setSpeed(c.speed), transfer: [] };
    case 'pushCameraImage': return { value: loop.pushCameraImage(c.image), transfer: [] };
    case 'stop': return { value: await loop.stop(), transfer: [] };
    case 'mapPacket': {
      const p = loop.mapPacket();
      return { value: p, transfer: [p.buffer as ArrayBuffer] };
    }
    case 'snapshot': {
      const s = loop.snapshot();
      return { value: s, transfer: s ? snapshotBuffers(s) : [] };
    }
  }
}

const init = workerData as WorkerInit;
// Before any thread of the session starts, so that they inherit it.
lowerThisThread();
let loop: SessionLoop;
try {
  loop = await SessionLoop.create(init.options, (event, transfer) => post({ kind: 'event', event }, transfer));
} catch (e) {
  post({ kind: 'failed', error: toWireError(e) });
  process.exit(0);
}
post({ kind: 'ready', info: loop.info });
void loop.finished.then((result) => post({ kind: 'finished', result }));
port.on('message', (c: WorkerCommand) => {
  handle(loop, c).then(
    ({ value, transfer }) => post({ kind: 'reply', id: c.id, ok: true, value }, transfer),
    (e: unknown) => post({ kind: 'reply', id: c.id, ok: false, error: toWireError(e) }),
  );
});
