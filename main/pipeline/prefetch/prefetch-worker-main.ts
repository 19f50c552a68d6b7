/**
 * The reading thread of a PrefetchingReader: opens the sequence and decodes frames on request, on this thread and
 * below the fusion's priority (nativeDecode.ts, threadPriority.ts); file reads of the requests in flight overlap. Frames
 * go back with their pixel buffers transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toWireError } from '../../errors.js';
import { lowerThisThreadBy } from '../../parallel/threadPriority.js';
import { scaleIntrinsics } from '../../../fusion/camera.js';
import type { Frame, SequenceInfo } from '../../sources/frame.js';
import type { ExtrasWanted } from '../../sources/extras.js';
import { wantedExtras } from '../../sources/extras.js';
import { FrameResizer } from '../frameResizer.js';
import { isLabelled, LabelInputMaker, type PreparedFrame } from '../labelInput.js';
import { openMapInput } from '../openInput.js';
import type { PrefetchReply, PrefetchRequest, PrefetchWorkerInit } from './protocol.js';

const port = parentPort!;
const post = (m: PrefetchReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** Buffers a frame owns outright (a view into a larger or shared buffer is copied when posted, not moved). */
function transferables(f: PreparedFrame): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const l = f.labelInput;
  for (const a of [f.rgb, f.depth, f.labels40, f.depthGroundTruth, l?.classProbs, l?.gt13, l?.single13]) {
    if (a && a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength) out.add(a.buffer);
  }
  return [...out];
}

/**
 * Frames at `size` with intrinsics to match (fresh arrays: the resizer's buffers are reused). A frame that is
 * not the sequence's size is passed on as it is, for the consumer to flag.
 */
function resizing(info: SequenceInfo, size: PrefetchWorkerInit['size']): { info: SequenceInfo; prepare: (f: Frame) => Frame } {
  if (!size || (size.width === info.width && size.height === info.height)) return { info, prepare: (f) => f };
  const resizer = new FrameResizer(info.width, info.height, size.width, size.height);
  const intrinsics = scaleIntrinsics(info.intrinsics, size.width, size.height);
  const prepare = (f: Frame): Frame => {
    if (f.width !== info.width || f.height !== info.height || f.depth.length !== info.width * info.height) return f;
    return {
      ...f, width: size.width, height: size.height, intrinsics,
      rgb: resizer.resizeRgb(f.rgb).slice(),
      depth: resizer.resizeDepth(f.depth).slice(),
      ...(f.labels40 ? { labels40: resizer.resizeLabels(f.labels40).slice() } : {}),
      ...(f.depthGroundTruth ? { depthGroundTruth: resizer.resizeDepth(f.depthGroundTruth).slice() } : {}),
    };
  };
  return { info: { ...info, width: size.width, height: size.height, intrinsics }, prepare };
}

/** The frame without the extras the caller does not want (a synthetic sequence renders them all): none is resized or posted. */
function withoutUnwanted(f: Frame, wanted: ExtrasWanted): Frame {
  if ((wanted.labels || !f.labels40) && (wanted.depthGroundTruth || !f.depthGroundTruth)) return f;
  const { labels40, depthGroundTruth, ...rest } = f;
  return { ...rest, ...(wanted.labels && labels40 ? { labels40 } : {}), ...(wanted.depthGroundTruth && depthGroundTruth ? { depthGroundTruth } : {}) };
}

const init = workerData as PrefetchWorkerInit;
try {
  // Below the fusion's threads (threadPriority.ts); images decode on this thread (nativeDecode.ts), so they too.
  lowerThisThreadBy();
  const opened = await openMapInput(init.spec, init.openOptions);
  const { info, prepare } = resizing(opened.info, init.size);
  const l = init.labels;
  const mode = l?.mode === 'auto' ? (info.hasLabels ? 'gt-noisy' : undefined) : l?.mode;
  const maker = l && mode && info.hasLabels ? new LabelInputMaker({ ...l, mode }) : undefined;
  const wanted = wantedExtras(init.openOptions.extras);
  const read = async (i: number): Promise<PreparedFrame> => {
    const frame = prepare(withoutUnwanted(await opened.read(i), wanted));
    const labelInput = maker && isLabelled(maker.settings, i) && frame.width === info.width && frame.height === info.height ? maker.make(frame) : undefined;
    return labelInput ? { ...frame, labelInput } : frame;
  };
  const reader = { info, close: () => opened.close?.(), read };
  port.on('message', (r: PrefetchRequest) => {
    if (r.op === 'close') {
      // Files the reader holds (an MCAP bag) are closed before the thread ends.
      void Promise.resolve(reader.close?.()).finally(() => process.exit(0));
      return;
    }
    reader.read(r.index).then(
      (frame) => post({ kind: 'frame', id: r.id, frame }, transferables(frame)),
      (e: unknown) => post({ kind: 'error', id: r.id, error: toWireError(e) }),
    );
  });
  post({ kind: 'ready', info: reader.info });
} catch (e) {
  post({ kind: 'failed', error: toWireError(e) });
}
